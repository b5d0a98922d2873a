use crate::config::Config;
use crate::guard::require_sign_in;
use crate::telemetry::loggable_path;
use app::backend::{self, organisations, Backend, Clock, HeavyWork, Passwords, SetupGate};
use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Request as HttpRequest;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// A CSV import of the largest accepted size as the page sends it: the
/// file in base64 (a third larger) inside a URL-encoded form (`+` and `/`
/// take three characters each), with room for the rest of the form.
pub const LARGEST_BODY: usize = app::backend::exchange::import::MAX_BYTES * 3 / 2 + 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not prepare the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not open the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not open the database: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("could not prepare password hashing")]
    Passwords,
    #[error("could not check whether set-up is needed: {0}")]
    SetupCheck(app::error::AppError),
    #[error("could not prepare the Microsoft client: {0}")]
    Entra(String),
    #[error("could not load the master key: {0}")]
    Keys(#[from] crate::keyring::KeyringError),
    #[error("{0}")]
    Insecure(String),
    #[error("could not prepare e-mail delivery: {0}")]
    Mail(String),
}

/// A built server, bound to its port but not yet serving.
pub struct Application {
    listener: TcpListener,
    /// `TENANTRY_METRICS_ADDR`: `/metrics` alone, on its own address.
    metrics_listener: Option<TcpListener>,
    router: Router,
    backend: Backend,
    session_cleanup: tokio::task::JoinHandle<()>,
}

pub async fn open_backend(
    config: &Config,
    bound: SocketAddr,
    clock: Clock,
) -> Result<Backend, StartupError> {
    crate::storage::prepare_data_dir(&config.data_dir)
        .and_then(|()| crate::storage::prepare_database_file(&config.database_url))
        .map_err(|error| StartupError::DataDir {
            path: error.path.display().to_string(),
            source: error.source,
        })?;
    let pool = backend::db::connect(
        &config.database_url,
        backend::db::PoolSettings {
            max_connections: config.database_max_connections,
        },
    )
    .await?;
    let checked = std::sync::Arc::new(tokio::sync::Notify::new());
    let watch = watch_settings(&config.checks, &pool, checked.clone());
    let entra = entra::EntraClient::new(
        entra::Endpoints::overridden(config.identity_url.clone(), config.graph_url.clone()),
        std::time::Duration::from_secs(20),
        entra::retry::RetryPolicy::default(),
    )
    .map_err(|error| StartupError::Entra(error.to_string()))?;
    Ok(Backend {
        metrics: backend::metrics::Metrics::new(&entra),
        pool,
        clock,
        heavy: HeavyWork::for_this_machine(),
        session_limits: domain::session::SessionLimits {
            idle_seconds: config.session_idle_minutes * 60,
            absolute_seconds: config.session_max_hours * 3600,
        },
        passwords: Passwords::new(backend::HashingLimits {
            at_once: config.sign_in.hashes_at_once as usize,
            waiting: config.sign_in.hashes_waiting as usize,
        })
        .await
        .map_err(|_| StartupError::Passwords)?,
        sign_in: backend::sign_in_limits::SignInLimits::new(
            domain::throttle::SignInThrottle::default(),
            u32::try_from(config.sign_in.attempts_per_minute).unwrap_or(u32::MAX),
        ),
        link_limits: backend::link_limits::LinkLimits::new(
            u32::try_from(config.sign_in.link_actions_per_hour).unwrap_or(u32::MAX),
            u32::try_from(config.sign_in.all_links_actions_per_minute).unwrap_or(u32::MAX),
        ),
        setup: SetupGate::new(Some(config.data_dir.join("setup-url.txt"))),
        public_url: config.public_url_for(bound),
        invitation_ttl: time::Duration::hours(config.invitation_ttl_hours),
        vault: std::sync::Arc::new(crate::keyring::load(config)?),
        entra,
        onboarding_ttl: time::Duration::hours(config.onboarding_ttl_hours),
        watch,
        dashboards: Default::default(),
        recovery: backend::recovery::RecoveryPolicy::new(
            config.recovery_window_hours,
            u32::try_from(config.sign_in.recovery_requests_per_hour).unwrap_or(u32::MAX),
        ),
        mail: backend::mail::Mail::new(
            match (&config.mail.smtp_url, &config.mail.from) {
                (Some(url), Some(from)) => Some(
                    backend::mail::smtp::SmtpMailer::new(url, from).map_err(StartupError::Mail)?,
                ),
                _ => None,
            },
            std::time::Duration::from_secs(config.mail.poll_seconds as u64),
        ),
        alerts: backend::alerts::Alerts::new(
            config.webhooks_to_this_machine,
            std::time::Duration::from_secs(config.mail.poll_seconds as u64),
            std::time::Duration::from_secs(config.alert_send_timeout_seconds as u64),
            time::Duration::minutes(config.alert_patience_minutes),
            checked,
        ),
    })
}

impl Application {
    pub async fn build(config: &Config) -> Result<Self, StartupError> {
        Self::build_with_clock(config, Clock::system()).await
    }

    /// A server reading the time from `clock`; tests pass a `ManualClock`.
    pub async fn build_with_clock(config: &Config, clock: Clock) -> Result<Self, StartupError> {
        if let Some(reason) = config.insecure_listening() {
            return Err(StartupError::Insecure(reason));
        }
        let listener =
            TcpListener::bind(config.addr)
                .await
                .map_err(|source| StartupError::Listen {
                    addr: config.addr,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartupError::Listen {
                addr: config.addr,
                source,
            })?;
        let backend = open_backend(config, addr, clock).await?;
        let metrics_listener = match config.metrics.addr {
            None => None,
            Some(metrics_addr) => {
                Some(TcpListener::bind(metrics_addr).await.map_err(|source| {
                    StartupError::Listen {
                        addr: metrics_addr,
                        source,
                    }
                })?)
            }
        };

        let store = crate::session_store::Store::over(&backend.pool);
        let session_cleanup = tokio::spawn({
            use tower_sessions::session_store::ExpiredDeletion;
            let store = store.clone();
            async move {
                if let Err(error) = store
                    .continuously_delete_expired(std::time::Duration::from_secs(3600))
                    .await
                {
                    tracing::warn!(%error, "stopped deleting expired sessions");
                }
            }
        });
        let sessions = SessionManagerLayer::new(store)
            // Over https the `__Host-` prefix makes browsers refuse the
            // cookie unless it is Secure, host-only and for the whole site,
            // so a sibling subdomain cannot plant or shadow it.
            .with_name(if config.secure_cookies() {
                "__Host-tenantry_session"
            } else {
                "tenantry_session"
            })
            .with_path("/")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(config.secure_cookies())
            // The store's own expiry; `auth::signed_in` enforces the idle
            // and absolute lifetimes against the backend's clock and renews
            // this one as the session is used.
            .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
                config.session_idle_minutes,
            )));

        let options = LeptosOptions::builder()
            .output_name("tenantry")
            .site_root(config.site_root.display().to_string())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .env(if config.dev_reload {
                Env::DEV
            } else {
                Env::PROD
            })
            .build();
        let routes = route_list();
        let context = page_context(backend.clone());

        let state = AppState {
            options: options.clone(),
            backend: backend.clone(),
        };
        let page_renders =
            crate::render_limit::PageRenders::at_once(config.limits.page_renders as usize);
        let pages = Router::new()
            .leptos_routes_with_context(&state, routes, context, {
                let options = options.clone();
                move || shell(options.clone())
            })
            // Only the routes above: pages (and Leptos' own server-function
            // routes, which are POST and pass straight through).
            .route_layer(axum::middleware::from_fn_with_state(
                page_renders,
                crate::render_limit::in_turn,
            ))
            .route("/health", get(health))
            .route("/schemas/alert-event.json", get(alert_event_schema))
            .route(
                "/onboard/certificate.cer",
                get(crate::downloads::onboarding_certificate),
            )
            .route("/consent/start/{token}", get(crate::consent::start))
            .route("/consent/callback", get(crate::consent::callback))
            .route(
                "/export/registrations.csv",
                get(crate::export::registrations),
            )
            .route("/export/dashboard.csv", get(crate::export::dashboard))
            .route("/export/audit.csv", get(crate::export::audit_trail))
            .route(
                "/registrations/{id}/pending.cer",
                get(crate::export::pending_certificate),
            )
            // Server functions change or reveal data: POST only, so no link
            // or image tag can call one (`leptos_routes_with_context` above
            // also mounts each registered function at its own path, POST).
            .route("/api/{*fn_name}", post(server_fn_handler))
            .fallback(leptos_axum::file_and_error_handler_with_context::<
                AppState,
                _,
            >(page_context(backend.clone()), shell))
            .with_state(state)
            .layer(axum::middleware::map_response(
                server_fn_errors_keep_their_status,
            ))
            .layer(axum::middleware::from_fn_with_state(
                backend.clone(),
                require_sign_in,
            ))
            .layer(sessions)
            .layer(axum::middleware::from_fn_with_state(
                crate::link_tokens::CookiePolicy {
                    https: config.secure_cookies(),
                },
                crate::link_tokens::exchange,
            ))
            .layer(axum::middleware::from_fn_with_state(
                crate::csrf::OwnOrigin::of(&backend.public_url),
                crate::csrf::same_origin_only,
            ))
            .layer(axum::middleware::from_fn(
                crate::form_errors::only_from_our_own_pages,
            ));
        // The JSON API and `/metrics` sit beside the pages, outside their
        // session, sign-in and same-origin layers: a bearer token is their
        // only credential, and a browser's cookie means nothing to them.
        let mut router = Router::new()
            .nest(
                "/api/v1",
                crate::public_api::router(
                    backend.clone(),
                    crate::public_api::TokenLimits::per_minute(
                        u32::try_from(config.api_requests_per_minute).unwrap_or(u32::MAX),
                    ),
                ),
            )
            .merge(pages);
        if let Some(token) = &config.metrics.token {
            router = router.route(
                "/metrics",
                get(crate::metrics_http::guarded)
                    .with_state(crate::metrics_http::Guarded::new(backend.clone(), token)),
            );
        }
        // Every route, for the request count's label (`metrics_http`).
        let router = router
            .route_layer(axum::middleware::from_fn(crate::metrics_http::note_route))
            .layer(axum::middleware::from_fn_with_state(
                std::sync::Arc::new(config.sign_in.trusted_proxies.clone()),
                crate::client_address::find_client,
            ))
            .layer(axum::middleware::from_fn_with_state(
                crate::headers::HeaderPolicy {
                    https: config.secure_cookies(),
                },
                crate::headers::security_headers,
            ))
            // Outermost after tracing: a request is bounded before anything
            // else spends work on it. The largest legitimate body is a CSV
            // import as the page sends it; the import itself explains
            // anything over its limit. axum's own 2 MiB default for the
            // extractors server functions read with is lifted to the same.
            .layer(axum::extract::DefaultBodyLimit::max(LARGEST_BODY))
            .layer(tower_http::limit::RequestBodyLimitLayer::new(LARGEST_BODY))
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                std::time::Duration::from_secs(config.limits.timeout_seconds as u64),
            ))
            .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
                config.limits.concurrent as usize,
            ))
            .layer(axum::middleware::from_fn_with_state(
                backend.clone(),
                crate::metrics_http::count_requests,
            ))
            .layer(
                TraceLayer::new_for_http().make_span_with(|request: &HttpRequest<Body>| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %loggable_path(request.uri().path()),
                    )
                }),
            );

        Ok(Self {
            listener,
            metrics_listener,
            router,
            backend,
            session_cleanup,
        })
    }

    /// The server's shared state, for tests of what it does in the
    /// background.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Where `/metrics` listens on its own, if it does.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|listener| listener.local_addr().ok())
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// On an empty database, opens first-run set-up and returns its link.
    pub async fn open_setup_if_empty(&self) -> Result<Option<String>, StartupError> {
        let exists = organisations::any_exist(&self.backend.pool)
            .await
            .map_err(StartupError::SetupCheck)?;
        if exists {
            return Ok(None);
        }
        let token = self.backend.setup.open();
        let link = self.backend.link(&format!("/setup?token={token}"));
        if let Some(path) = self.backend.setup.announcement_file() {
            write_private(path, &format!("{link}\n"));
        }
        Ok(Some(link))
    }

    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let watch = self
            .backend
            .watch
            .scheduler
            .then(|| tokio::spawn(app::backend::checks::scheduler::run(self.backend.clone())));
        let alerts = tokio::spawn(app::backend::alerts::delivery::run(self.backend.clone()));
        let alerting = tokio::spawn(app::backend::alerts::watch(self.backend.clone()));
        let dashboards = tokio::spawn(app::backend::dashboard::snapshot::keep_fresh(
            self.backend.clone(),
        ));
        let mail = self.backend.mail.mailer.clone().map(|mailer| {
            tokio::spawn(app::backend::mail::worker::run(
                self.backend.clone(),
                mailer,
            ))
        });
        let metrics = self.metrics_listener.map(|listener| {
            let router = crate::metrics_http::listener_router(self.backend.clone());
            tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            })
        });
        let result = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        if let Some(watch) = watch {
            watch.abort();
        }
        if let Some(mail) = mail {
            mail.abort();
        }
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        dashboards.abort();
        alerts.abort();
        alerting.abort();
        self.session_cleanup.abort();
        self.backend.pool.close().await;
        result
    }
}

/// The pages' routes, found once per process. Finding them renders the
/// whole app with resource loading switched off through a flag that is
/// global to the process (leptos_server's `SuppressResourceLoad`, leptos
/// issue 4773): done again while another server in the same process
/// renders a page (tests start one per test), that page's resources would
/// wait forever and the request time out.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

fn watch_settings(
    config: &crate::config::CheckConfig,
    pool: &app::backend::db::Db,
    checked: std::sync::Arc<tokio::sync::Notify>,
) -> app::backend::checks::WatchSettings {
    let seconds = |n: i64| std::time::Duration::from_secs(n as u64);
    app::backend::checks::WatchSettings {
        interval: seconds(config.interval_hours * 3600),
        concurrency: config.concurrency as usize,
        lease: seconds(config.lease_seconds),
        poll: seconds(config.poll_seconds),
        retention_days: config.retention_days,
        scheduler: config.scheduler,
        wake: Default::default(),
        writer: app::backend::checks::writer::Writer::start(pool.clone(), checked),
    }
}

/// Writes a file only its owner can read: the set-up link is a credential.
fn write_private(path: &std::path::Path, contents: &str) {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(path)
        .and_then(|mut file| file.write_all(contents.as_bytes()));
    if let Err(error) = written {
        tracing::warn!(%error, path = %path.display(), "could not write the set-up link file");
    }
}

/// What every rendered page is given: the backend, and the nonce the
/// response's Content-Security-Policy names (made by `headers`), so the
/// scripts Leptos writes carry it.
fn page_context(backend: Backend) -> impl Fn() + Clone + Send + 'static {
    move || {
        provide_context(backend.clone());
        let nonce = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<leptos::nonce::Nonce>().cloned());
        if let Some(nonce) = nonce {
            provide_context(nonce);
        }
    }
}

#[derive(Clone, axum::extract::FromRef)]
struct AppState {
    options: LeptosOptions,
    backend: Backend,
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> Response {
    let backend = state.backend.clone();
    handle_server_fns_with_context(move || provide_context(backend.clone()), request)
        .await
        .into_response()
}

/// Arguments that do not parse fail before a server function runs, and the
/// framework answers 500 with our client-safe error in the body. The status
/// follows that error instead (422 for an incomplete form).
async fn server_fn_errors_keep_their_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn health() -> &'static str {
    "ok"
}

/// What a signed webhook's body holds, for whoever builds its receiver.
async fn alert_event_schema() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/schema+json")],
        domain::alert_message::EVENT_SCHEMA,
    )
}
