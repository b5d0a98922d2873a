//! Newtypes for what staff type into sign-in, set-up and invitation forms.
//! Each parses once at the edge, so the rest of the code never re-checks.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffInputError {
    #[error("Enter an e-mail address such as name@example.com.")]
    EmailMalformed,
    #[error("Enter a name.")]
    NameMissing,
    #[error("Names are limited to {max} characters.")]
    NameTooLong { max: usize },
    #[error("Names cannot contain line breaks, tabs, or invisible characters that change how text runs.")]
    NameHasControl,
    #[error("Use at least {min} characters for the password.")]
    PasswordTooShort { min: usize },
    #[error("Passwords are limited to {max} characters.")]
    PasswordTooLong { max: usize },
    #[error(
        "This password is too easy to guess.{advice} A few unrelated words make a strong one."
    )]
    PasswordGuessable { advice: String },
}

/// A lower-cased e-mail address: the sign-in identifier of a staff member.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, StaffInputError> {
        let value = raw.trim().to_lowercase();
        let (local, domain) = value
            .split_once('@')
            .ok_or(StaffInputError::EmailMalformed)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        let shape_ok = !local.is_empty()
            && domain_ok
            && value.len() <= Self::MAX_LEN
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && !domain.contains('@');
        if shape_ok {
            Ok(Self(value))
        } else {
            Err(StaffInputError::EmailMalformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name people give something (a person, an organisation, an API token):
/// trimmed, there, at most `max` characters, nothing hidden in it.
pub fn parse_name(raw: &str, max: usize) -> Result<String, StaffInputError> {
    let value = raw.trim();
    if value.is_empty() {
        Err(StaffInputError::NameMissing)
    } else if value.chars().count() > max {
        Err(StaffInputError::NameTooLong { max })
    } else if value
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
    {
        // Names go into e-mail headers and bodies and into the audit trail,
        // where a line break could forge a line of its own.
        Err(StaffInputError::NameHasControl)
    } else {
        Ok(value.to_owned())
    }
}

/// Characters that move or hide text without showing themselves: line and
/// paragraph separators, and the marks that reorder right-to-left text,
/// with which a name could display as someone else's.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// How a person is shown to colleagues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, StaffInputError> {
        parse_name(raw, 100).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The MSP's name as its staff see it in the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationName(String);

impl OrganisationName {
    pub fn parse(raw: &str) -> Result<Self, StaffInputError> {
        parse_name(raw, 120).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password as chosen by a person. Length and guessability are the
/// rules that matter (NIST SP 800-63B): guessability is estimated offline
/// with zxcvbn, which knows common passwords, names, keyboard patterns and
/// repeats, and the person's own details; composition rules would only
/// push people to predictable patterns. The upper bound keeps hashing cost
/// bounded. Judged on the server only (the `strength` feature).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    /// `about_the_person`: their e-mail address, name and organisation,
    /// which make a password easy to guess for anyone who knows them.
    #[cfg(feature = "strength")]
    pub fn parse(raw: &str, about_the_person: &[&str]) -> Result<Self, StaffInputError> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(StaffInputError::PasswordTooShort {
                min: Self::MIN_CHARS,
            });
        }
        if count > Self::MAX_CHARS {
            return Err(StaffInputError::PasswordTooLong {
                max: Self::MAX_CHARS,
            });
        }
        // Each detail whole and in its parts ("ada", "lovelace", "contoso"),
        // so a password made of them is recognised.
        let words: Vec<&str> = about_the_person
            .iter()
            .flat_map(|detail| {
                std::iter::once(*detail).chain(detail.split(|c: char| !c.is_alphanumeric()))
            })
            .filter(|word| word.chars().count() >= 3)
            .collect();
        let estimate = zxcvbn::zxcvbn(raw, &words);
        if estimate.score() < zxcvbn::Score::Three {
            let advice = estimate
                .feedback()
                .and_then(|feedback| feedback.warning())
                .map(|warning| format!(" {warning}"))
                .unwrap_or_default();
            return Err(StaffInputError::PasswordGuessable { advice });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        let email = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn names_with_line_breaks_or_control_characters_are_refused() {
        for raw in [
            "Ada\nBcc: eve@example.com",
            "Ada\rLovelace",
            "Ada\u{7}",
            "Ada\tL",
        ] {
            assert_eq!(
                DisplayName::parse(raw),
                Err(StaffInputError::NameHasControl),
                "{raw:?}"
            );
        }
        assert_eq!(
            DisplayName::parse(" Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for raw in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@.example.com",
            "ada@example.com.",
            "ada@exa..mple.com",
            "ada lovelace@example.com",
            "ada@b@example.com",
        ] {
            assert_eq!(
                Email::parse(raw),
                Err(StaffInputError::EmailMalformed),
                "{raw:?}"
            );
        }
    }

    #[cfg(feature = "strength")]
    #[test]
    fn passwords_shorter_than_twelve_characters_are_refused() {
        assert_eq!(
            Password::parse("short-pass1", &[]),
            Err(StaffInputError::PasswordTooShort { min: 12 })
        );
        assert!(Password::parse("correct horse battery", &[]).is_ok());
    }

    #[cfg(feature = "strength")]
    #[test]
    fn long_but_guessable_passwords_are_refused_with_advice() {
        for guessable in [
            "aaaaaaaaaaaaaaaa",
            "passwordpassword",
            "qwertyuiop123",
            "password12345",
        ] {
            assert!(
                matches!(
                    Password::parse(guessable, &[]),
                    Err(StaffInputError::PasswordGuessable { .. })
                ),
                "{guessable}"
            );
        }
        let repeated = Password::parse("abcabcabcabcabc", &[]).unwrap_err();
        assert!(repeated.to_string().contains("Repeats"), "{repeated}");
    }

    #[cfg(feature = "strength")]
    #[test]
    fn a_password_made_of_the_persons_own_details_is_guessable() {
        let about = ["ada.lovelace@contoso.example", "Ada Lovelace", "Contoso IT"];
        assert!(matches!(
            Password::parse("ada.lovelace@contoso.example", &about),
            Err(StaffInputError::PasswordGuessable { .. })
        ));
        assert!(Password::parse("violet quartz lantern meadow", &about).is_ok());
    }

    #[cfg(feature = "strength")]
    #[test]
    fn password_debug_output_never_shows_the_password() {
        let password = Password::parse("correct horse battery", &[]).unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }

    #[test]
    fn names_must_not_be_blank() {
        assert_eq!(DisplayName::parse("   "), Err(StaffInputError::NameMissing));
        assert_eq!(
            OrganisationName::parse(" Contoso IT ").unwrap().as_str(),
            "Contoso IT"
        );
        assert_eq!(
            DisplayName::parse(&"x".repeat(101)),
            Err(StaffInputError::NameTooLong { max: 100 })
        );
    }

    proptest! {
        #[test]
        fn a_parsed_email_always_parses_to_itself(local in "[a-z0-9._%+-]{1,20}", host in "[a-z0-9-]{1,20}", tld in "[a-z]{2,6}") {
            let raw = format!("{local}@{host}.{tld}");
            let email = Email::parse(&raw).unwrap();
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
        }

        #[cfg(feature = "strength")]
        #[test]
        fn short_passwords_are_always_refused_and_judging_any_text_never_panics(raw in ".{0,60}") {
            let parsed = Password::parse(&raw, &["someone@example.com"]);
            if raw.chars().count() < Password::MIN_CHARS {
                prop_assert!(parsed.is_err());
            }
        }
    }
}
