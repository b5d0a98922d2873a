//! The one error type that crosses the wire. Every variant is safe to show a
//! user; internal causes are logged on the server and replaced by `Internal`.

use domain::form::FieldProblem;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("The e-mail address or password is incorrect.")]
    InvalidCredentials,
    #[error("Your role does not allow this.")]
    Forbidden,
    #[error("This account is disabled. Ask an administrator of your organisation to enable it.")]
    AccountDisabled,
    /// Sign-in (or another guarded action) is paused for this caller.
    #[error("Too many attempts. {}", domain::throttle::wait_in_words(*retry_after_seconds))]
    TooManyAttempts { retry_after_seconds: i64 },
    /// Refused rather than queued, so a burst cannot exhaust memory.
    #[error("Tenantry is busy right now. Please try again in a moment.")]
    Busy,
    /// What was entered is refused; each problem names its field.
    #[error("{}", summary(.0))]
    Invalid(Vec<FieldProblem>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    #[error("Not found.")]
    NotFound,
    #[error("Something went wrong on our side. Please try again; if it keeps happening, ask your administrator to check the server log.")]
    Internal,
    #[error("Could not reach Tenantry: {0}")]
    Transport(String),
}

fn summary(problems: &[FieldProblem]) -> String {
    match problems {
        [only] => only.message.clone(),
        _ => "Please correct the fields marked below.".to_owned(),
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl ToString) -> Self {
        AppError::Invalid(vec![FieldProblem::new(field, message.to_string())])
    }

    /// The message to show next to a given form field, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        let AppError::Invalid(problems) = self else {
            return None;
        };
        let messages: Vec<&str> = problems
            .iter()
            .filter(|p| p.field == name)
            .map(|p| p.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }

    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::Forbidden | AppError::AccountDisabled => 403,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Busy => 503,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::Gone(_) => 410,
            AppError::NotFound => 404,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(detail)
            | ServerFnErrorErr::Deserialization(detail)
            | ServerFnErrorErr::Serialization(detail) => AppError::Transport(detail),
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                AppError::invalid("form", format!("The form was incomplete: {detail}"))
            }
            _ => AppError::Internal,
        }
    }
}

impl From<domain::StaffInputError> for AppError {
    fn from(error: domain::StaffInputError) -> Self {
        use domain::StaffInputError as E;
        let field = match error {
            E::EmailMalformed => "email",
            E::NameMissing | E::NameTooLong { .. } | E::NameHasControl => "name",
            E::PasswordTooShort { .. }
            | E::PasswordTooLong { .. }
            | E::PasswordGuessable { .. } => "password",
        };
        AppError::invalid(field, error)
    }
}
