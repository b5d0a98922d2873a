//! The second factor: what a sign-in needs after the password, and how a
//! typed code is read. The codes themselves (RFC 6238) come from a crate on
//! the server.

/// What follows a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPassword {
    SignedIn,
    /// The member has a second factor: ask for a code.
    AskForCode,
    /// The organisation requires one and the member has none yet.
    Enrol,
}

pub fn after_password(enrolled: bool, organisation_requires: bool) -> AfterPassword {
    match (enrolled, organisation_requires) {
        (true, _) => AfterPassword::AskForCode,
        (false, true) => AfterPassword::Enrol,
        (false, false) => AfterPassword::SignedIn,
    }
}

/// Between the password and the code: after this long the password must
/// be given again.
pub const HALF_SIGNED_IN_SECONDS: i64 = 5 * 60;

/// Recovery codes handed out at enrolment, each good once.
pub const RECOVERY_CODES: usize = 10;

/// A code as typed: six digits from the authenticator app, or a recovery
/// code (ten letters and digits, dashes and spaces ignored, any case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    Totp(String),
    Recovery(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("Enter the 6-digit code from your authenticator app, or one of your recovery codes.")]
    Malformed,
}

pub fn parse_code(typed: &str) -> Result<Code, CodeError> {
    let compact: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if compact.len() == 6 && compact.chars().all(|c| c.is_ascii_digit()) {
        Ok(Code::Totp(compact))
    } else if compact.len() == 10 && compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(Code::Recovery(compact.to_ascii_uppercase()))
    } else {
        Err(CodeError::Malformed)
    }
}

/// `ABCDE-12345`: how a recovery code is shown.
pub fn show_recovery_code(compact: &str) -> String {
    match (compact.get(..5), compact.get(5..)) {
        (Some(head), Some(tail)) if !tail.is_empty() => format!("{head}-{tail}"),
        _ => compact.to_owned(),
    }
}

/// A time step may be used once: only steps after the last one accepted.
pub fn step_is_new(step: i64, last_accepted: Option<i64>) -> bool {
    last_accepted.is_none_or(|last| step > last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_member_with_a_second_factor_is_always_asked_for_a_code() {
        assert_eq!(after_password(true, false), AfterPassword::AskForCode);
        assert_eq!(after_password(true, true), AfterPassword::AskForCode);
        assert_eq!(after_password(false, true), AfterPassword::Enrol);
        assert_eq!(after_password(false, false), AfterPassword::SignedIn);
    }

    #[test]
    fn codes_are_read_with_spaces_and_dashes_ignored() {
        assert_eq!(parse_code(" 123 456 "), Ok(Code::Totp("123456".into())));
        assert_eq!(
            parse_code("abcde-12345"),
            Ok(Code::Recovery("ABCDE12345".into()))
        );
        assert_eq!(parse_code("12345"), Err(CodeError::Malformed));
        assert_eq!(parse_code("12345a"), Err(CodeError::Malformed));
        assert_eq!(show_recovery_code("ABCDE12345"), "ABCDE-12345");
    }

    #[test]
    fn a_time_step_is_accepted_once() {
        assert!(step_is_new(10, None));
        assert!(step_is_new(11, Some(10)));
        assert!(!step_is_new(10, Some(10)));
        assert!(!step_is_new(9, Some(10)));
    }

    proptest! {
        #[test]
        fn reading_any_text_as_a_code_never_panics(text in ".{0,64}") {
            let _ = parse_code(&text);
        }
    }
}
