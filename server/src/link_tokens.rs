//! Moves a link's token out of the address on the first request: `GET
//! /onboard/<token>`, `/invite/<token>`, `/reset/<token>` and
//! `/setup?token=…` answer with an
//! HttpOnly cookie for that flow and a redirect to the same page without
//! the token (`app::backend::flow_tokens` reads it back). SameSite=Lax, not
//! Strict: a Strict cookie is not sent on the navigation that follows a
//! redirect from a link in an e-mail, which is how these links arrive;
//! cross-site writes are refused by the CSRF layer anyway.

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
    let cookie = format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
    let (Ok(cookie), Ok(location)) = (HeaderValue::from_str(&cookie), HeaderValue::from_str(&page))
    else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, location),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
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
