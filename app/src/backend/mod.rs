//! Server side of the application: persistence, authentication and the
//! request context the server functions run in. Compiled only with `ssr`.

pub mod account;
pub mod alerts;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod checks;
pub mod client_limit;
pub mod clock;
pub mod context;
pub mod credentials;
pub mod dashboard;
pub mod db;
pub mod db_copy;
pub mod exchange;
pub mod flow_tokens;
pub mod heavy;
pub mod idempotency;
pub mod invitations;
pub mod leased;
pub mod lifecycle;
pub mod link_limits;
pub mod mail;
pub mod metrics;
pub mod mfa;
pub mod onboarding;
pub mod organisations;
pub mod origin;
pub mod password_resets;
pub mod passwords;
pub mod recovery;
pub mod registrations;
pub mod scope;
pub mod sealed;
pub mod sessions;
pub mod setup;
pub mod sign_in_limits;
pub mod tenants;
pub mod tokens;
pub mod users;
pub mod vault;

use crate::backend::db::{Db, Tx};
use crate::error::AppError;
use std::error::Error as StdError;

pub use clock::{Clock, ManualClock};
pub use context::{
    as_anyone, as_customer, as_half_signed_in, as_staff, Customer, HalfSignedIn, Staff,
};
pub use heavy::HeavyWork;
pub use passwords::{HashingLimits, Passwords};
pub use scope::OrgScope;
pub use setup::SetupGate;

/// Everything a server function needs from the running server, passed in as
/// Leptos context by the HTTP layer. Built once at start-up from `Config`.
#[derive(Clone)]
pub struct Backend {
    pub pool: Db,
    pub clock: Clock,
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
    /// Certificate parsing and key generation, off the async workers.
    pub heavy: HeavyWork,
    /// How long a staff sign-in lasts.
    pub session_limits: domain::session::SessionLimits,
    /// How often sign-in may be tried, per address typed and per client.
    pub sign_in: sign_in_limits::SignInLimits,
    /// How often a link holder may test, generate or upload.
    pub link_limits: link_limits::LinkLimits,
    /// The schedule registrations are checked on.
    pub watch: checks::WatchSettings,
    /// Dashboard readings kept while they are true.
    pub dashboards: dashboard::Dashboards,
    /// Bounds on company recovery.
    pub recovery: recovery::RecoveryPolicy,
    /// The outbox's delivery.
    pub mail: mail::Mail,
    /// Alert channels' delivery.
    pub alerts: alerts::Alerts,
    /// What `/metrics` reports.
    pub metrics: std::sync::Arc<metrics::Metrics>,
}

impl Backend {
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url.trim_end_matches('/'), path)
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
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

/// A transaction on `pool`; failing to start one is an internal error.
pub async fn begin(pool: &Db) -> Result<Tx, AppError> {
    pool.begin()
        .await
        .map_err(db("could not start a transaction"))
}

/// Whether a database error is a unique index refusing a duplicate: the
/// index is the source of truth, never a look-up made before the write.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(error) if error.is_unique_violation())
}

/// A connection for one statement on a pool or a transaction; failing to
/// get one from the pool is an internal error.
pub async fn hold<'a>(conn: impl Into<db::Conn<'a>>) -> Result<db::Held<'a>, AppError> {
    conn.into()
        .hold()
        .await
        .map_err(db("could not get a database connection"))
}
