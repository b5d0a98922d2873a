//! Problems found while parsing a form, each naming the field it concerns,
//! so a page can show every problem at once beside its field. Every form
//! rule in this crate reports through these types.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Collects problems while a form is parsed, so parsing goes on after the
/// first mistake and the person sees them all.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldProblem::new(field, message));
    }

    /// Keeps the value, or records the error's message against `field`.
    pub fn check<T, E: fmt::Display>(&mut self, field: &str, parsed: Result<T, E>) -> Option<T> {
        parsed
            .map_err(|error| self.add(field, error.to_string()))
            .ok()
    }

    pub fn extend(&mut self, problems: impl IntoIterator<Item = FieldProblem>) {
        self.0.extend(problems);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The parsed value when nothing was wrong, otherwise every problem.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldProblem>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }
}

/// Text a person types that must never be shown again: passwords, client
/// secrets, uploaded private keys. It crosses the wire once, into the
/// server, and `Debug` (which logs and panics use) never prints it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText(<redacted>)")
    }
}

impl From<&str> for SecretText {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_goes_on_after_the_first_problem() {
        let mut problems = Problems::default();
        let a: Option<u8> = problems.check("a", "x".parse::<u8>());
        let b: Option<u8> = problems.check("b", "7".parse::<u8>());
        problems.add("c", "Enter c.");
        assert_eq!((a, b), (None, Some(7)));
        let fields: Vec<String> = problems
            .finish(b)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["a", "c"]);
        assert_eq!(Problems::default().finish(Some(1)), Ok(1));
    }

    #[test]
    fn secret_text_never_prints_itself() {
        let typed = SecretText::from("hunter2-and-more");
        assert_eq!(format!("{typed:?}"), "SecretText(<redacted>)");
        assert!(!format!("{:?}", Some(&typed)).contains("hunter2"));
        assert_eq!(typed.expose(), "hunter2-and-more");
    }
}
