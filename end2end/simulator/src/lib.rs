//! An Entra ID and Microsoft Graph simulator: the token endpoint (client
//! secrets and certificate assertions), `organization`, `directoryAudits`
//! and permission probes, with the real error shapes and codes, fault
//! injection, and an admin API (`/_admin/…`) to script it.

// Handlers return the finished error `Response` early; boxing it would
// only add noise to a test double.
#![allow(clippy::result_large_err)]

pub mod admin;
pub mod consent;
pub mod faults;
pub mod graph;
pub mod microsoft;
pub mod smtp;
pub mod state;
pub mod token;

use axum::routing::{get, post};
use axum::Router;
use state::{Directory, Scenario};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Shared {
    pub directory: Arc<Mutex<Directory>>,
    /// Key the simulator signs its access tokens with.
    pub signing_key: Arc<[u8; 32]>,
}

impl Shared {
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
        Self {
            directory: Arc::default(),
            signing_key: Arc::new(key),
        }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Directory> {
        self.directory
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token::issue))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(token::openid_configuration),
        )
        .route(
            "/{tenant}/adminconsent",
            get(consent::prompt).post(consent::decide),
        )
        .route("/v1.0/organization", get(graph::organization))
        .route(
            "/v1.0/auditLogs/directoryAudits",
            get(graph::directory_audits),
        )
        .route("/v1.0/users/{mailbox}/sendMail", post(graph::send_mail))
        .route("/v1.0/{*path}", get(graph::probe))
        .merge(admin::routes())
        .with_state(shared)
}

/// A running simulator on a loopback port.
pub struct Simulator {
    pub addr: SocketAddr,
    pub shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Simulator {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn spawn(addr: SocketAddr, scenario: Scenario) -> std::io::Result<Simulator> {
    spawn_with_mail(addr, scenario, None).await
}

/// The simulator, with what `mail` (a mail server) received listed at
/// `GET /_admin/smtp`.
pub async fn spawn_with_mail(
    addr: SocketAddr,
    scenario: Scenario,
    mail: Option<smtp::MailServer>,
) -> std::io::Result<Simulator> {
    let shared = Shared::new();
    admin::load(&shared, scenario).map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let mut app = router(shared.clone());
    if let Some(mail) = mail {
        app = app.route(
            "/_admin/smtp",
            get(move || {
                let mail = mail.clone();
                async move { axum::Json(serde_json::json!({"messages": mail.received()})) }
            }),
        );
    }
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Simulator { addr, shared, task })
}
