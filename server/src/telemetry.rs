use tracing_subscriber::EnvFilter;

/// Plain-text logs on stdout, filtered by `TENANTRY_LOG` (e.g. `info`,
/// `debug,sqlx=warn`).
pub fn init(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// The request path as it may appear in logs: the secret part of a link
/// (invitation tokens) is cut off. Query strings are never logged.
pub fn loggable_path(path: &str) -> String {
    for prefix in ["/invite/", "/onboard/", "/consent/start/"] {
        if path.starts_with(prefix) {
            return format!("{prefix}…");
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_tokens_are_cut_from_logged_paths() {
        assert_eq!(loggable_path("/invite/abc123secret"), "/invite/…");
        assert_eq!(loggable_path("/onboard/abc123secret"), "/onboard/…");
        assert_eq!(loggable_path("/settings"), "/settings");
    }
}
