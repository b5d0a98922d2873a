//! Errors of the JSON API as RFC 9457 problem details. Each carries a
//! stable `code` a script can branch on; its `type` points at the part of
//! the API's documentation page that explains it.

use app::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::api_token::ApiScope;
use domain::form::FieldProblem;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A link to this kind of problem in the API's documentation.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The stable code: `unauthenticated`, `insufficient_scope`,
    /// `forbidden`, `not_found`, `conflict`, `validation_failed`,
    /// `malformed_body`, `rate_limited`, `idempotency_key_reused`,
    /// `idempotency_key_in_use`, `gone`, `busy`, `internal`,
    /// `microsoft_unreachable`, `method_not_allowed`.
    pub code: String,
    /// For `validation_failed`: each field refused and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For `insufficient_scope`: the scope the route needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_scope: Option<String>,
    #[serde(skip)]
    retry_after: Option<u64>,
    #[serde(skip)]
    challenge: Option<&'static str>,
    #[serde(skip)]
    pub(super) rate_headers: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("/api/v1/docs#problem-{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            errors: vec![],
            required_scope: None,
            retry_after: None,
            challenge: None,
            rate_headers: vec![],
        }
    }

    pub fn unauthenticated() -> Self {
        let mut problem = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            "Send an active organisation API token as 'Authorization: Bearer tnty_…'.",
        );
        problem.challenge = Some("Bearer realm=\"tenantry\", error=\"invalid_token\"");
        problem
    }

    pub fn insufficient_scope(scope: ApiScope) -> Self {
        let mut problem = Self::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "The token's scopes do not allow this",
            format!(
                "This needs a token with the '{}' scope ({}).",
                scope.as_str(),
                scope.describe()
            ),
        );
        problem.required_scope = Some(scope.as_str().to_owned());
        problem.challenge = Some("Bearer realm=\"tenantry\", error=\"insufficient_scope\"");
        problem
    }

    pub fn rate_limited(retry_after_seconds: u64) -> Self {
        let mut problem = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
            format!("This token sent too many requests; try again in {retry_after_seconds} s."),
        );
        problem.retry_after = Some(retry_after_seconds);
        problem
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            "Nothing of the caller's organisation is at this address.",
        )
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            "The request body could not be read",
            detail,
        )
    }

    pub fn invalid(problems: Vec<FieldProblem>) -> Self {
        let detail = match problems.as_slice() {
            [only] => only.message.clone(),
            _ => "Several fields were refused; see errors.".to_owned(),
        };
        let mut problem = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "The request was refused",
            detail,
        );
        problem.errors = problems
            .into_iter()
            .map(|p| FieldError {
                field: p.field,
                message: p.message,
            })
            .collect();
        problem
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldProblem::new(field, message)])
    }
}

impl Problem {
    /// The problem of `error`, where the forms' name for a field
    /// (`form_field`) reads as the API's (`api_field`).
    pub fn renaming(error: AppError, form_field: &str, api_field: &str) -> Self {
        match error {
            AppError::Invalid(problems) => Self::invalid(
                problems
                    .into_iter()
                    .map(|mut problem| {
                        if problem.field == form_field {
                            problem.field = api_field.to_owned();
                        }
                        problem
                    })
                    .collect(),
            ),
            other => other.into(),
        }
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let status =
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let detail = error.to_string();
        match error {
            AppError::Unauthenticated | AppError::InvalidCredentials => Self::unauthenticated(),
            AppError::Forbidden | AppError::AccountDisabled => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                "The token's organisation role does not allow this.",
            ),
            AppError::TooManyAttempts {
                retry_after_seconds,
            } => Self::rate_limited(retry_after_seconds.max(1) as u64),
            AppError::Invalid(problems) => Self::invalid(problems),
            AppError::NotFound => Self::not_found(),
            AppError::Conflict(_) => Self::new(status, "conflict", "Conflict", detail),
            AppError::Gone(_) => Self::new(status, "gone", "No longer available", detail),
            AppError::Busy => Self::new(status, "busy", "Busy", detail),
            AppError::Transport(_) => Self::new(
                status,
                "microsoft_unreachable",
                "An upstream service could not be reached",
                detail,
            ),
            AppError::Internal => Self::new(status, "internal", "Internal error", detail),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        for (name, value) in &self.rate_headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(*name, value);
            }
        }
        if let Some(challenge) = self.challenge {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

/// What every API handler returns.
pub type ApiResult<T> = Result<T, Problem>;
