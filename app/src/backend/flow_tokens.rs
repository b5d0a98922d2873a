//! Tokens out of URLs. A link handed to a person (first-run set-up, a staff
//! invitation, a customer's onboarding link) carries a token; on the first
//! request the server's `link_tokens` layer moves it into an HttpOnly
//! cookie named for that flow and redirects to the same page without it,
//! so the token does not stay in proxy logs, browser history or Referer
//! headers. The flow's server functions read it back from here.

use axum::http::request::Parts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Setup,
    Invitation,
    Onboarding,
    PasswordReset,
}

impl Flow {
    pub const ALL: [Flow; 4] = [
        Flow::Setup,
        Flow::Invitation,
        Flow::Onboarding,
        Flow::PasswordReset,
    ];

    /// The cookie's name over plain http; over https it carries the
    /// `__Host-` prefix (Secure, this host only, whole site).
    pub fn cookie(self) -> &'static str {
        match self {
            Flow::Setup => "tenantry_setup",
            Flow::Invitation => "tenantry_invitation",
            Flow::Onboarding => "tenantry_onboarding",
            Flow::PasswordReset => "tenantry_reset",
        }
    }

    /// The page the flow continues on once the token is out of the URL.
    pub fn page(self) -> &'static str {
        match self {
            Flow::Setup => "/setup",
            Flow::Invitation => "/invite",
            Flow::Onboarding => "/onboard",
            Flow::PasswordReset => "/reset",
        }
    }
}

/// Tokens are 43 characters of base64url; anything else in their place is
/// a page address, not a token.
pub fn looks_like_token(text: &str) -> bool {
    (20..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The flow's token from the request's cookies, if it has one.
pub fn read(parts: &Parts, flow: Flow) -> Option<String> {
    let secure_name = format!("__Host-{}", flow.cookie());
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == flow.cookie() || *name == secure_name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| looks_like_token(value))
}

/// The flow's token of the request a server function is answering.
pub fn current(flow: Flow) -> Option<String> {
    leptos::prelude::use_context::<Parts>().and_then(|parts| read(&parts, flow))
}
