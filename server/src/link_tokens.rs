//! Moves a link's token out of the address on the first request: `GET
//! /onboard/<token>`, `/invite/<token>`, `/reset/<token>` and
//! `/setup?token=…` answer with an
//! HttpOnly, SameSite=Strict cookie for that flow and send the browser on
//! to the same page without the token (`app::backend::flow_tokens` reads
//! it back). The hop is a page of our own that refreshes at once, not an
//! HTTP redirect: these links arrive in e-mails, and a Strict cookie is not
//! sent on a redirect that continues a navigation from another site, while
//! a navigation our own page starts is same-site. A refresh without delay
//! replaces the token's address in the history.

use app::backend::flow_tokens::{looks_like_token, Flow};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Clone, Copy)]
pub struct CookiePolicy {
    pub https: bool,
}

/// The flow, its token and the page address to continue on, if this
/// request carries a link's token in its address.
fn token_in(path: &str, query: Option<&str>) -> Option<(Flow, String, String)> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [section, token] if looks_like_token(token) => {
            let flow = match *section {
                "onboard" => Flow::Onboarding,
                "invite" => Flow::Invitation,
                "reset" => Flow::PasswordReset,
                _ => return None,
            };
            Some((flow, token.to_string(), rest_of(flow, query, None)))
        }
        ["setup"] => {
            let token = form_urlencoded::parse(query?.as_bytes())
                .find(|(name, _)| name == "token")
                .map(|(_, value)| value.into_owned())
                .filter(|token| looks_like_token(token))?;
            Some((
                Flow::Setup,
                token,
                rest_of(Flow::Setup, query, Some("token")),
            ))
        }
        _ => None,
    }
}

/// The flow's page with the query kept, less `drop`.
fn rest_of(flow: Flow, query: Option<&str>, drop: Option<&str>) -> String {
    let kept: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(name, _)| Some(name.as_ref()) != drop)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        return flow.page().to_owned();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!("{}?{query}", flow.page())
}

pub async fn exchange(
    State(policy): State<CookiePolicy>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let Some((flow, token, page)) = token_in(request.uri().path(), request.uri().query()) else {
        return next.run(request).await;
    };
    let (name, secure) = if policy.https {
        (format!("__Host-{}", flow.cookie()), "; Secure")
    } else {
        (flow.cookie().to_owned(), "")
    };
    let cookie = format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict{secure}");
    let Ok(cookie) = HeaderValue::from_str(&cookie) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    // `page` is one of our own paths plus a query we re-encoded.
    let page = page.replace('&', "&amp;").replace('"', "&quot;");
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta http-equiv=\"refresh\" content=\"0;url={page}\">\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><title>Tenantry</title></head>\
         <body><p><a href=\"{page}\">Continue</a></p></body></html>"
    );
    (
        StatusCode::OK,
        [
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456";

    #[test]
    fn a_links_token_is_found_and_the_rest_of_the_address_kept() {
        let (flow, token, page) = token_in(&format!("/onboard/{TOKEN}"), Some("step=3")).unwrap();
        assert_eq!(
            (flow, token.as_str(), page.as_str()),
            (Flow::Onboarding, TOKEN, "/onboard?step=3")
        );
        let (flow, _, page) = token_in("/setup", Some(&format!("token={TOKEN}"))).unwrap();
        assert_eq!((flow, page.as_str()), (Flow::Setup, "/setup"));
        let (flow, _, page) = token_in(&format!("/invite/{TOKEN}"), None).unwrap();
        assert_eq!((flow, page.as_str()), (Flow::Invitation, "/invite"));
    }

    #[test]
    fn other_addresses_are_left_alone() {
        for (path, query) in [
            ("/onboard", None),
            ("/onboard/certificate.cer", None),
            ("/setup", None),
            ("/setup", Some("token=short")),
            ("/invitees", None),
        ] {
            assert!(token_in(path, query).is_none(), "{path}");
        }
    }
}
