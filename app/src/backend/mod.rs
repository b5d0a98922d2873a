//! Server side of the application: persistence, authentication and the
//! request context the server functions run in. Compiled only with `ssr`.

pub mod auth;
pub mod credentials;
pub mod db;
pub mod invitations;
pub mod onboarding;
pub mod organisations;
pub mod passwords;
pub mod registrations;
pub mod scope;
pub mod setup;
pub mod tenants;
pub mod tokens;
pub mod users;
pub mod vault;

use crate::error::AppError;
use leptos::prelude::*;
use std::error::Error as StdError;
use std::future::Future;

pub use passwords::Passwords;
pub use scope::OrgScope;
pub use setup::SetupGate;

/// Everything a server function needs from the running server, passed in as
/// Leptos context by the HTTP layer. Built once at start-up from `Config`.
#[derive(Clone)]
pub struct Backend {
    pub pool: sqlx::SqlitePool,
    pub passwords: Passwords,
    pub setup: SetupGate,
    /// The address people reach Tenantry at, used to build links we hand out.
    pub public_url: String,
    pub invitation_ttl: time::Duration,
    /// Seals client secrets and private keys before they are stored.
    pub vault: std::sync::Arc<vault::Vault>,
    /// Talks to Microsoft (or the simulator the configuration names).
    pub entra: entra::EntraClient,
    pub onboarding_ttl: time::Duration,
}

impl Backend {
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url.trim_end_matches('/'), path)
    }
}

/// Runs a server function's body and turns its error into the matching HTTP
/// status, so API clients and tests see 401/403/422 rather than a bare 500.
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result {
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(
                axum::http::StatusCode::from_u16(error.http_status())
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }
    result
}

pub fn backend() -> Result<Backend, AppError> {
    use_context::<Backend>().ok_or_else(|| {
        tracing::error!("server function ran without the Backend context");
        AppError::Internal
    })
}

pub async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|error| internal("session layer missing", error))
}

/// Logs an unexpected failure with its whole cause chain and hands back the
/// client-safe `Internal` error, so no internal detail reaches a browser.
pub fn internal(context: &str, error: impl StdError) -> AppError {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %chain, "{context}");
    AppError::Internal
}

/// Maps a database failure to `Internal`, logging what was being attempted.
pub fn db(context: &'static str) -> impl Fn(sqlx::Error) -> AppError {
    move |error| internal(context, error)
}

pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// Timestamps are stored as RFC 3339 text in UTC so the same columns work in
/// SQLite and PostgreSQL and sort correctly as text.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub fn parse_timestamp(text: &str) -> Result<time::OffsetDateTime, AppError> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|error| internal("stored timestamp is not RFC 3339", error))
}
