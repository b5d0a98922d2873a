//! Where a request came from, as the audit trail, the session list and the
//! sign-in limits see it. The server's client-address layer works out the
//! address (trusting `X-Forwarded-For` only from configured proxies) and
//! leaves it on the request; this reads it back.

use axum::http::request::Parts;
use std::net::IpAddr;

/// Put on each request by the server before any handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOrigin {
    /// None for the command line.
    pub ip: Option<IpAddr>,
    pub user_agent: String,
}

/// Browsers send a few hundred characters at most; anything longer is
/// cut so a hostile header cannot bloat the audit trail.
const USER_AGENT_CHARS: usize = 300;

impl RequestOrigin {
    pub fn of_parts(parts: &Parts) -> Self {
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(USER_AGENT_CHARS)
            .collect();
        Self {
            ip: parts
                .extensions
                .get::<ClientAddress>()
                .map(|address| address.0),
            user_agent,
        }
    }

    /// The request a server function is answering.
    pub fn current() -> Self {
        leptos::prelude::use_context::<Parts>()
            .map(|parts| Self::of_parts(&parts))
            .unwrap_or_else(Self::command_line)
    }

    pub fn command_line() -> Self {
        Self {
            ip: None,
            user_agent: "tenantry command line".to_owned(),
        }
    }

    /// As stored and shown: the address, or "command line".
    pub fn ip_text(&self) -> String {
        self.ip
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "command line".to_owned())
    }
}
