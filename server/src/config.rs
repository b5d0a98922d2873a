//! Configuration is read once, from environment variables and an optional
//! TOML file (`TENANTRY_CONFIG`), and passed down explicitly. Environment
//! variables win over the file. Nothing falls back to an insecure value:
//! the server listens on loopback unless told otherwise.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// The most connections this server opens to the database.
    pub database_max_connections: u32,
    pub site_root: PathBuf,
    /// Where people reach this server; links handed out are built from it,
    /// and an `https` URL makes session cookies `Secure`. Unset, it is the
    /// address the server actually bound.
    pub public_url: Option<String>,
    pub session_idle_minutes: i64,
    /// A sign-in ends this long after it began, however busy.
    pub session_max_hours: i64,
    pub invitation_ttl_hours: i64,
    pub onboarding_ttl_hours: i64,
    /// A recovery app registration proves control of a tenant only this
    /// long after it was created.
    pub recovery_window_hours: i64,
    /// `TENANTRY_ALERT_PATIENCE_MINUTES`: a registration that cannot be
    /// checked is alerted on only after this long.
    pub alert_patience_minutes: i64,
    /// `TENANTRY_ALERT_SEND_TIMEOUT_SECONDS`: how long a receiver has to
    /// answer (and its name to resolve).
    pub alert_send_timeout_seconds: i64,
    pub log_filter: String,
    /// Live reload for `cargo leptos watch`; never in production.
    pub dev_reload: bool,
    /// Replace the identity platform's and Graph's hosts in every cloud
    /// (the simulator in tests, the demo and benchmarks).
    pub identity_url: Option<String>,
    pub graph_url: Option<String>,
    /// Master key for secrets at rest (base64, 32 bytes). Unset, keys live
    /// in `<data dir>/keys/`, generated on first run.
    pub master_key: Option<domain::SecretValue>,
    /// Earlier master keys, still needed to open what they sealed.
    pub previous_master_keys: Vec<domain::SecretValue>,
    pub checks: CheckConfig,
    pub mail: MailConfig,
    pub limits: RequestLimits,
    pub sign_in: SignInConfig,
    /// `TENANTRY_ALLOW_INSECURE_HTTP=1`: serve plain http beyond this
    /// machine anyway (environment only).
    pub allow_insecure_http: bool,
    /// `TENANTRY_WEBHOOKS_TO_THIS_MACHINE=1` lets alert webhooks go to a
    /// receiver on this machine (tests, a relay beside the server); without
    /// it, loopback is refused like every private address.
    pub webhooks_to_this_machine: bool,
    /// `TENANTRY_API_REQUESTS_PER_MINUTE`: what one API token may send,
    /// per server process.
    pub api_requests_per_minute: i64,
    pub metrics: MetricsConfig,
}

/// Where Prometheus reads `/metrics`. Neither set: nowhere.
#[derive(Debug, Clone, Default)]
pub struct MetricsConfig {
    /// `TENANTRY_METRICS_ADDR`: a listener of its own, such as
    /// `127.0.0.1:9464`, with nothing else on it.
    pub addr: Option<SocketAddr>,
    /// `TENANTRY_METRICS_TOKEN` (environment only): serve `/metrics` on the
    /// main address to a scraper sending `Authorization: Bearer <token>`.
    pub token: Option<domain::SecretValue>,
}

/// Where e-mail goes. Without an SMTP URL, messages wait in the outbox
/// and admins see them as not delivered.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `TENANTRY_SMTP_URL` (environment only: it may hold a password).
    pub smtp_url: Option<domain::SecretValue>,
    /// The sender address, e.g. `Tenantry <tenantry@msp.example>`.
    pub from: Option<String>,
    /// How often the outbox is looked at for retries that became due.
    pub poll_seconds: i64,
}

/// Bounds on what one request may cost the server.
#[derive(Debug, Clone)]
pub struct RequestLimits {
    /// A request still unanswered after this long gets 408.
    pub timeout_seconds: i64,
    /// Requests handled at once; more wait their turn.
    pub concurrent: i64,
    /// Pages rendered at once; more wait their turn, in order.
    pub page_renders: i64,
}

/// What a sign-in may cost and who may try how often.
#[derive(Debug, Clone)]
pub struct SignInConfig {
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: domain::forwarded::TrustedProxies,
    /// Attempts one client address may make per minute at sign-in and the
    /// other password and code forms.
    pub attempts_per_minute: i64,
    /// Password hashes computed at once (each takes 19 MiB).
    pub hashes_at_once: i64,
    /// Requests that may wait for one; beyond that the answer is 503.
    pub hashes_waiting: i64,
    /// Tests, key generations and certificate uploads one onboarding link
    /// may ask for per hour (each kind).
    pub link_actions_per_hour: i64,
    /// The same for all links together, per minute.
    pub all_links_actions_per_minute: i64,
    /// Company recovery look-ups and verifications one client address may
    /// ask for per hour.
    pub recovery_requests_per_hour: i64,
}

/// The watch: how often registrations are re-verified and how hard.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    pub interval_hours: i64,
    pub concurrency: i64,
    pub lease_seconds: i64,
    pub poll_seconds: i64,
    pub retention_days: i64,
    /// `TENANTRY_SCHEDULER=off` stops this server checking on its own
    /// (another server, or `tenantry checks run` from cron, does it).
    pub scheduler: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    database_max_connections: Option<i64>,
    site_root: Option<PathBuf>,
    public_url: Option<String>,
    session_idle_minutes: Option<i64>,
    session_max_hours: Option<i64>,
    invitation_ttl_hours: Option<i64>,
    onboarding_ttl_hours: Option<i64>,
    recovery_window_hours: Option<i64>,
    alert_patience_minutes: Option<i64>,
    alert_send_timeout_seconds: Option<i64>,
    api_requests_per_minute: Option<i64>,
    metrics_addr: Option<String>,
    recovery_requests_per_hour: Option<i64>,
    mail_from: Option<String>,
    mail_poll_seconds: Option<i64>,
    log: Option<String>,
    identity_url: Option<String>,
    graph_url: Option<String>,
    check_interval_hours: Option<i64>,
    check_concurrency: Option<i64>,
    check_lease_seconds: Option<i64>,
    check_poll_seconds: Option<i64>,
    check_retention_days: Option<i64>,
    scheduler: Option<String>,
    request_timeout_seconds: Option<i64>,
    max_concurrent_requests: Option<i64>,
    concurrent_page_renders: Option<i64>,
    trusted_proxies: Option<String>,
    sign_in_attempts_per_minute: Option<i64>,
    password_hashes_at_once: Option<i64>,
    password_hashes_waiting: Option<i64>,
    link_actions_per_hour: Option<i64>,
    all_links_actions_per_minute: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the configuration file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {source}")]
    Malformed {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("{name} must be {message}")]
    Unusable { name: &'static str, message: String },
    #[error("{name} must be {expected}, got '{value}'")]
    Invalid {
        name: &'static str,
        expected: &'static str,
        value: String,
    },
}

impl Config {
    /// Reads the process environment (and the file it may name).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let file = match env("TENANTRY_CONFIG") {
            Some(path) => read_file(Path::new(&path))?,
            None => FileConfig::default(),
        };
        let addr_text = env("TENANTRY_ADDR")
            .or(file.addr)
            // cargo-leptos passes the site address of Cargo.toml this way.
            .or_else(|| env("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr: SocketAddr = addr_text.parse().map_err(|_| ConfigError::Invalid {
            name: "TENANTRY_ADDR",
            expected: "an address such as 127.0.0.1:3000",
            value: addr_text.clone(),
        })?;
        let data_dir = env("TENANTRY_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = env("TENANTRY_DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("tenantry.db").display()));
        if app::backend::db::Engine::of(&database_url).is_err() {
            return Err(ConfigError::Invalid {
                name: "TENANTRY_DATABASE_URL",
                expected: "a sqlite: or postgres:// URL",
                // Only the scheme: the rest may hold a password.
                value: database_url
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        let database_max_connections = positive(
            "TENANTRY_DATABASE_MAX_CONNECTIONS",
            env("TENANTRY_DATABASE_MAX_CONNECTIONS"),
            file.database_max_connections,
            8,
        )?;
        let site_root = env("TENANTRY_SITE_ROOT")
            .map(PathBuf::from)
            .or(file.site_root)
            .or_else(|| env("LEPTOS_SITE_ROOT").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("target/site"));
        let public_url = env("TENANTRY_PUBLIC_URL").or(file.public_url);
        if let Some(url) = &public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::Invalid {
                    name: "TENANTRY_PUBLIC_URL",
                    expected: "an http:// or https:// URL",
                    value: url.clone(),
                });
            }
        }
        let session_idle_minutes = positive(
            "TENANTRY_SESSION_IDLE_MINUTES",
            env("TENANTRY_SESSION_IDLE_MINUTES"),
            file.session_idle_minutes,
            8 * 60,
        )?;
        let invitation_ttl_hours = positive(
            "TENANTRY_INVITATION_TTL_HOURS",
            env("TENANTRY_INVITATION_TTL_HOURS"),
            file.invitation_ttl_hours,
            72,
        )?;
        Ok(Self {
            addr,
            data_dir,
            database_url,
            database_max_connections: u32::try_from(database_max_connections).unwrap_or(u32::MAX),
            site_root,
            public_url: public_url.map(|url| url.trim_end_matches('/').to_owned()),
            session_idle_minutes,
            session_max_hours: positive(
                "TENANTRY_SESSION_MAX_HOURS",
                env("TENANTRY_SESSION_MAX_HOURS"),
                file.session_max_hours,
                12,
            )?,
            invitation_ttl_hours,
            onboarding_ttl_hours: positive(
                "TENANTRY_ONBOARDING_TTL_HOURS",
                env("TENANTRY_ONBOARDING_TTL_HOURS"),
                file.onboarding_ttl_hours,
                7 * 24,
            )?,
            recovery_window_hours: positive(
                "TENANTRY_RECOVERY_WINDOW_HOURS",
                env("TENANTRY_RECOVERY_WINDOW_HOURS"),
                file.recovery_window_hours,
                domain::recovery::DEFAULT_WINDOW_SECS / 3600,
            )?,
            alert_patience_minutes: positive(
                "TENANTRY_ALERT_PATIENCE_MINUTES",
                env("TENANTRY_ALERT_PATIENCE_MINUTES"),
                file.alert_patience_minutes,
                60,
            )?,
            alert_send_timeout_seconds: positive(
                "TENANTRY_ALERT_SEND_TIMEOUT_SECONDS",
                env("TENANTRY_ALERT_SEND_TIMEOUT_SECONDS"),
                file.alert_send_timeout_seconds,
                10,
            )?,
            log_filter: env("TENANTRY_LOG")
                .or(file.log)
                .unwrap_or_else(|| "info".to_owned()),
            dev_reload: env("LEPTOS_ENV").is_some_and(|value| value.eq_ignore_ascii_case("dev")),
            identity_url: base_url(
                "TENANTRY_IDENTITY_URL",
                env("TENANTRY_IDENTITY_URL").or(file.identity_url),
            )?,
            graph_url: base_url(
                "TENANTRY_GRAPH_URL",
                env("TENANTRY_GRAPH_URL").or(file.graph_url),
            )?,
            // Keys are read from the environment only, never from the file,
            // so the configuration file holds nothing secret.
            master_key: env("TENANTRY_MASTER_KEY")
                .and_then(|key| domain::SecretValue::new(&key).ok()),
            previous_master_keys: env("TENANTRY_PREVIOUS_MASTER_KEYS")
                .unwrap_or_default()
                .split(',')
                .filter_map(|key| domain::SecretValue::new(key).ok())
                .collect(),
            checks: CheckConfig {
                interval_hours: positive(
                    "TENANTRY_CHECK_INTERVAL_HOURS",
                    env("TENANTRY_CHECK_INTERVAL_HOURS"),
                    file.check_interval_hours,
                    6,
                )?,
                concurrency: positive(
                    "TENANTRY_CHECK_CONCURRENCY",
                    env("TENANTRY_CHECK_CONCURRENCY"),
                    file.check_concurrency,
                    16,
                )?,
                lease_seconds: positive(
                    "TENANTRY_CHECK_LEASE_SECONDS",
                    env("TENANTRY_CHECK_LEASE_SECONDS"),
                    file.check_lease_seconds,
                    600,
                )?,
                poll_seconds: positive(
                    "TENANTRY_CHECK_POLL_SECONDS",
                    env("TENANTRY_CHECK_POLL_SECONDS"),
                    file.check_poll_seconds,
                    30,
                )?,
                retention_days: positive(
                    "TENANTRY_CHECK_RETENTION_DAYS",
                    env("TENANTRY_CHECK_RETENTION_DAYS"),
                    file.check_retention_days,
                    90,
                )?,
                scheduler: match env("TENANTRY_SCHEDULER").or(file.scheduler).as_deref() {
                    None | Some("on") => true,
                    Some("off") => false,
                    Some(other) => {
                        return Err(ConfigError::Invalid {
                            name: "TENANTRY_SCHEDULER",
                            expected: "on or off",
                            value: other.to_owned(),
                        })
                    }
                },
            },
            allow_insecure_http: env("TENANTRY_ALLOW_INSECURE_HTTP").as_deref() == Some("1"),
            webhooks_to_this_machine: env("TENANTRY_WEBHOOKS_TO_THIS_MACHINE").as_deref()
                == Some("1"),
            api_requests_per_minute: positive(
                "TENANTRY_API_REQUESTS_PER_MINUTE",
                env("TENANTRY_API_REQUESTS_PER_MINUTE"),
                file.api_requests_per_minute,
                600,
            )?,
            metrics: MetricsConfig {
                addr: match env("TENANTRY_METRICS_ADDR").or(file.metrics_addr) {
                    None => None,
                    Some(text) => Some(text.parse().map_err(|_| ConfigError::Invalid {
                        name: "TENANTRY_METRICS_ADDR",
                        expected: "an address such as 127.0.0.1:9464",
                        value: text.clone(),
                    })?),
                },
                token: match env("TENANTRY_METRICS_TOKEN") {
                    None => None,
                    Some(text) if text.trim().len() >= 32 => {
                        domain::SecretValue::new(text.trim()).ok()
                    }
                    Some(_) => {
                        return Err(ConfigError::Invalid {
                            name: "TENANTRY_METRICS_TOKEN",
                            expected: "at least 32 characters",
                            value: "(not shown)".to_owned(),
                        })
                    }
                },
            },
            sign_in: SignInConfig {
                trusted_proxies: {
                    let text = env("TENANTRY_TRUSTED_PROXIES")
                        .or(file.trusted_proxies)
                        .unwrap_or_default();
                    domain::forwarded::TrustedProxies::parse(&text).map_err(|error| {
                        ConfigError::Invalid {
                            name: "TENANTRY_TRUSTED_PROXIES",
                            expected: "IP addresses or networks separated by commas",
                            value: error.0,
                        }
                    })?
                },
                attempts_per_minute: positive(
                    "TENANTRY_SIGN_IN_ATTEMPTS_PER_MINUTE",
                    env("TENANTRY_SIGN_IN_ATTEMPTS_PER_MINUTE"),
                    file.sign_in_attempts_per_minute,
                    30,
                )?,
                hashes_at_once: positive(
                    "TENANTRY_PASSWORD_HASHES_AT_ONCE",
                    env("TENANTRY_PASSWORD_HASHES_AT_ONCE"),
                    file.password_hashes_at_once,
                    std::thread::available_parallelism().map_or(2, |n| n.get() as i64),
                )?,
                hashes_waiting: at_least_zero(
                    "TENANTRY_PASSWORD_HASHES_WAITING",
                    env("TENANTRY_PASSWORD_HASHES_WAITING"),
                    file.password_hashes_waiting,
                    16,
                )?,
                link_actions_per_hour: positive(
                    "TENANTRY_LINK_ACTIONS_PER_HOUR",
                    env("TENANTRY_LINK_ACTIONS_PER_HOUR"),
                    file.link_actions_per_hour,
                    20,
                )?,
                all_links_actions_per_minute: positive(
                    "TENANTRY_ALL_LINKS_ACTIONS_PER_MINUTE",
                    env("TENANTRY_ALL_LINKS_ACTIONS_PER_MINUTE"),
                    file.all_links_actions_per_minute,
                    60,
                )?,
                recovery_requests_per_hour: positive(
                    "TENANTRY_RECOVERY_REQUESTS_PER_HOUR",
                    env("TENANTRY_RECOVERY_REQUESTS_PER_HOUR"),
                    file.recovery_requests_per_hour,
                    60,
                )?,
            },
            mail: mail_config(&env, file.mail_from, file.mail_poll_seconds)?,
            limits: RequestLimits {
                timeout_seconds: positive(
                    "TENANTRY_REQUEST_TIMEOUT_SECONDS",
                    env("TENANTRY_REQUEST_TIMEOUT_SECONDS"),
                    file.request_timeout_seconds,
                    60,
                )?,
                concurrent: positive(
                    "TENANTRY_MAX_CONCURRENT_REQUESTS",
                    env("TENANTRY_MAX_CONCURRENT_REQUESTS"),
                    file.max_concurrent_requests,
                    256,
                )?,
                page_renders: positive(
                    "TENANTRY_CONCURRENT_PAGE_RENDERS",
                    env("TENANTRY_CONCURRENT_PAGE_RENDERS"),
                    file.concurrent_page_renders,
                    2 * std::thread::available_parallelism().map_or(1, |cores| cores.get() as i64),
                )?,
            },
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// Why serving as configured would be unsafe, if it would: listening
    /// beyond loopback while people reach Tenantry over plain http sends
    /// passwords, session cookies and customers' secrets across the network
    /// unencrypted.
    pub fn insecure_listening(&self) -> Option<String> {
        if let Some(metrics) = self.metrics.addr {
            if !metrics.ip().is_loopback() && !self.allow_insecure_http {
                return Some(format!(
                    "refusing to serve /metrics to anyone on {metrics}: its own listener has no \
                     authentication. Keep TENANTRY_METRICS_ADDR on loopback, let a scraper \
                     elsewhere use TENANTRY_METRICS_TOKEN on the main address, or set \
                     TENANTRY_ALLOW_INSECURE_HTTP=1 to accept the risk."
                ));
            }
        }
        if self.secure_cookies() || self.addr.ip().is_loopback() || self.allow_insecure_http {
            return None;
        }
        let reached = match &self.public_url {
            Some(url) => format!("TENANTRY_PUBLIC_URL is {url}"),
            None => "TENANTRY_PUBLIC_URL is not set".to_owned(),
        };
        Some(format!(
            "refusing to listen on {} over plain http ({reached}): sign-ins, session cookies and \
             customers' secrets would cross the network unencrypted. Serve Tenantry behind an \
             https reverse proxy and set TENANTRY_PUBLIC_URL=https://…, or set \
             TENANTRY_ALLOW_INSECURE_HTTP=1 to accept the risk.",
            self.addr
        ))
    }

    /// The public URL, or the one implied by the address actually bound.
    pub fn public_url_for(&self, bound: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
    }

    /// The database as the log may name it: engine, host and database,
    /// never the URL, whose user information may carry a password.
    pub fn database_for_log(&self) -> String {
        described_database(&self.database_url)
    }
}

fn described_database(url: &str) -> String {
    if let Ok(app::backend::db::Engine::Sqlite) = app::backend::db::Engine::of(url) {
        return match crate::storage::sqlite_file(url) {
            Some(file) => format!("SQLite {}", file.display()),
            None => "SQLite in memory".to_owned(),
        };
    }
    // Read by the parser that connects, so the log names what is used.
    match <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(url) {
        Ok(options) => format!(
            "PostgreSQL database {} on {}:{}",
            options.get_database().unwrap_or("(the user's own)"),
            options.get_host(),
            options.get_port()
        ),
        Err(_) => "PostgreSQL (its URL could not be read)".to_owned(),
    }
}

fn mail_config(
    env: &impl Fn(&str) -> Option<String>,
    file_from: Option<String>,
    file_poll_seconds: Option<i64>,
) -> Result<MailConfig, ConfigError> {
    // Read from the environment only, never from the file, as the master
    // keys: the URL may carry the relay's password.
    let smtp_url = env("TENANTRY_SMTP_URL").and_then(|url| domain::SecretValue::new(&url).ok());
    let from = env("TENANTRY_MAIL_FROM").or(file_from);
    if let Some(url) = &smtp_url {
        domain::outbox::check_smtp_url(url.expose()).map_err(|message| ConfigError::Unusable {
            name: "TENANTRY_SMTP_URL",
            message,
        })?;
        if from.is_none() {
            return Err(ConfigError::Unusable {
                name: "TENANTRY_MAIL_FROM",
                message: "set with TENANTRY_SMTP_URL: the address messages come from".to_owned(),
            });
        }
    }
    Ok(MailConfig {
        smtp_url,
        from,
        poll_seconds: positive(
            "TENANTRY_MAIL_POLL_SECONDS",
            env("TENANTRY_MAIL_POLL_SECONDS"),
            file_poll_seconds,
            30,
        )?,
    })
}

fn base_url(name: &'static str, value: Option<String>) -> Result<Option<String>, ConfigError> {
    match value {
        Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
            Err(ConfigError::Invalid {
                name,
                expected: "a base URL such as http://127.0.0.1:4010",
                value: url,
            })
        }
        other => Ok(other),
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|source| ConfigError::Malformed {
        path: path.to_owned(),
        source,
    })
}

fn positive(
    name: &'static str,
    from_env: Option<String>,
    from_file: Option<i64>,
    default: i64,
) -> Result<i64, ConfigError> {
    at_least(name, 1, "greater than zero", from_env, from_file, default)
}

fn at_least_zero(
    name: &'static str,
    from_env: Option<String>,
    from_file: Option<i64>,
    default: i64,
) -> Result<i64, ConfigError> {
    at_least(name, 0, "zero or more", from_env, from_file, default)
}

fn at_least(
    name: &'static str,
    least: i64,
    expected: &'static str,
    from_env: Option<String>,
    from_file: Option<i64>,
    default: i64,
) -> Result<i64, ConfigError> {
    let value = whole_number(name, from_env, from_file, default)?;
    if value >= least {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            name,
            expected,
            value: value.to_string(),
        })
    }
}

fn whole_number(
    name: &'static str,
    from_env: Option<String>,
    from_file: Option<i64>,
    default: i64,
) -> Result<i64, ConfigError> {
    Ok(match from_env {
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map_err(|_| ConfigError::Invalid {
                name,
                expected: "a whole number",
                value: text.clone(),
            })?,
        None => from_file.unwrap_or(default),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_listen_on_loopback_with_the_database_in_the_data_directory() {
        let config = config(&[]).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.database_url, "sqlite://data/tenantry.db");
        assert_eq!(config.public_url_for(config.addr), "http://127.0.0.1:3000");
        assert!(!config.secure_cookies());
    }

    #[test]
    fn plain_http_beyond_this_machine_is_refused_unless_explicitly_allowed() {
        let open = config(&[("TENANTRY_ADDR", "0.0.0.0:8080")]).unwrap();
        let refusal = open.insecure_listening().expect("refused");
        assert!(
            refusal.contains("0.0.0.0:8080") && refusal.contains("TENANTRY_ALLOW_INSECURE_HTTP=1")
        );
        let http = config(&[
            ("TENANTRY_ADDR", "0.0.0.0:8080"),
            ("TENANTRY_PUBLIC_URL", "http://portal.example.com"),
        ])
        .unwrap();
        assert!(http.insecure_listening().is_some());

        let https = config(&[
            ("TENANTRY_ADDR", "0.0.0.0:8080"),
            ("TENANTRY_PUBLIC_URL", "https://portal.example.com"),
        ])
        .unwrap();
        assert_eq!(https.insecure_listening(), None);
        let allowed = config(&[
            ("TENANTRY_ADDR", "0.0.0.0:8080"),
            ("TENANTRY_ALLOW_INSECURE_HTTP", "1"),
        ])
        .unwrap();
        assert_eq!(allowed.insecure_listening(), None);
        let loopback = config(&[("TENANTRY_ADDR", "127.0.0.1:3000")]).unwrap();
        assert_eq!(loopback.insecure_listening(), None);
    }

    #[test]
    fn an_https_public_url_makes_cookies_secure() {
        let config = config(&[("TENANTRY_PUBLIC_URL", "https://portal.example.com/")]).unwrap();
        assert!(config.secure_cookies());
        assert_eq!(
            config.public_url_for(config.addr),
            "https://portal.example.com"
        );
    }

    #[test]
    fn the_database_is_named_for_the_log_without_its_password() {
        assert_eq!(
            described_database(
                "postgres://tenantry:s3cret@db.internal:6432/portal?sslmode=verify-full"
            ),
            "PostgreSQL database portal on db.internal:6432"
        );
        assert_eq!(
            described_database("sqlite://data/tenantry.db?mode=rwc"),
            "SQLite data/tenantry.db"
        );
    }

    #[test]
    fn the_database_url_overrides_the_data_directory() {
        let config = config(&[
            ("TENANTRY_DATA_DIR", "/var/lib/tenantry"),
            ("TENANTRY_DATABASE_URL", "sqlite:///srv/other.db"),
        ])
        .unwrap();
        assert_eq!(config.database_url, "sqlite:///srv/other.db");
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        let error = config(&[("TENANTRY_ADDR", "localhost")]).unwrap_err();
        assert!(error.to_string().contains("TENANTRY_ADDR"));
        let error = config(&[("TENANTRY_SESSION_IDLE_MINUTES", "0")]).unwrap_err();
        assert!(error.to_string().contains("greater than zero"));
        let error = config(&[("TENANTRY_CONCURRENT_PAGE_RENDERS", "0")]).unwrap_err();
        assert!(error
            .to_string()
            .contains("TENANTRY_CONCURRENT_PAGE_RENDERS"));
    }

    #[test]
    fn environment_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenantry.toml");
        std::fs::write(
            &path,
            "addr = \"127.0.0.1:4000\"\ninvitation_ttl_hours = 24\n",
        )
        .unwrap();
        let path = path.to_str().unwrap();
        let config = config(&[
            ("TENANTRY_CONFIG", path),
            ("TENANTRY_ADDR", "127.0.0.1:5000"),
        ])
        .unwrap();
        assert_eq!(config.addr.port(), 5000);
        assert_eq!(config.invitation_ttl_hours, 24);
    }
}
