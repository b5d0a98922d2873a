//! Requests that change something must come from Tenantry's own pages.
//!
//! Browsers say where a request comes from: `Sec-Fetch-Site` in every
//! current browser, `Origin` on every cross-origin POST before that. A
//! request another site makes the browser send (a hidden form posting to
//! `/api/login` to sign the victim into the attacker's organisation, a form
//! changing a registration) is refused with 403 before any handler runs.
//! Clients that are not browsers (scripts, the CLI, tests) send neither
//! header, and no page can make a browser omit both, so they pass; they
//! still need a session or a link like anyone else.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Where Tenantry is served from, as browsers write an `Origin`.
#[derive(Clone, Debug)]
pub struct OwnOrigin(String);

impl OwnOrigin {
    /// From the public URL (`https://portal.example.com/anything`).
    pub fn of(public_url: &str) -> OwnOrigin {
        let (scheme, rest) = public_url.split_once("://").unwrap_or(("http", public_url));
        let authority = rest.split('/').next().unwrap_or_default();
        OwnOrigin(format!("{scheme}://{authority}").to_ascii_lowercase())
    }
}

/// Why a request was refused, for the log; the client only sees 403.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    FetchedFrom(String),
    Origin(String),
}

fn judge(method: &Method, headers: &HeaderMap, own: &OwnOrigin) -> Result<(), Refusal> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("unreadable");
        // `none`: the person typed the address or used a bookmark.
        return match site {
            "same-origin" | "none" => Ok(()),
            other => Err(Refusal::FetchedFrom(other.to_owned())),
        };
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("unreadable").to_ascii_lowercase();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    // The Host header is written by the browser for the server it talks
    // to, so an Origin naming that same host is this site (behind a proxy
    // that keeps Host, or before TENANTRY_PUBLIC_URL is set).
    let same_host = host.is_some_and(|host| {
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority == host)
    });
    if origin == own.0 || same_host {
        Ok(())
    } else {
        Err(Refusal::Origin(origin))
    }
}

pub async fn same_origin_only(
    State(own): State<OwnOrigin>,
    request: Request,
    next: Next,
) -> Response {
    match judge(request.method(), request.headers(), &own) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            tracing::warn!(
                ?refusal,
                method = %request.method(),
                path = %crate::telemetry::loggable_path(request.uri().path()),
                "refused a request from another site"
            );
            (
                StatusCode::FORBIDDEN,
                [(header::CACHE_CONTROL, "no-store")],
                "This request did not come from Tenantry's own pages, so it was refused.",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    fn own() -> OwnOrigin {
        OwnOrigin::of("https://Portal.example.com/")
    }

    #[test]
    fn reading_is_allowed_from_anywhere() {
        let cross = headers(&[("sec-fetch-site", "cross-site")]);
        assert_eq!(judge(&Method::GET, &cross, &own()), Ok(()));
    }

    #[test]
    fn a_post_from_another_site_or_a_sibling_subdomain_is_refused() {
        for site in ["cross-site", "same-site"] {
            let h = headers(&[("sec-fetch-site", site)]);
            assert!(judge(&Method::POST, &h, &own()).is_err(), "{site}");
        }
        let h = headers(&[
            ("origin", "https://evil.example"),
            ("host", "portal.example.com"),
        ]);
        assert!(judge(&Method::POST, &h, &own()).is_err());
        let h = headers(&[("origin", "null")]);
        assert!(judge(&Method::POST, &h, &own()).is_err());
    }

    #[test]
    fn a_post_from_our_own_pages_or_from_a_script_passes() {
        let same = headers(&[("sec-fetch-site", "same-origin")]);
        assert_eq!(judge(&Method::POST, &same, &own()), Ok(()));
        let origin = headers(&[("origin", "https://portal.example.com")]);
        assert_eq!(judge(&Method::POST, &origin, &own()), Ok(()));
        let by_host = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert_eq!(judge(&Method::POST, &by_host, &own()), Ok(()));
        assert_eq!(judge(&Method::POST, &HeaderMap::new(), &own()), Ok(()));
    }
}
