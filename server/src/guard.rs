use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Pages anyone may open. Everything else is for signed-in staff; server
/// functions (`/api/…`) check the caller themselves and answer 401.
const PUBLIC_PREFIXES: &[&str] = &[
    "/login",
    "/setup",
    "/invite/",
    "/onboard/",
    "/api/",
    "/pkg/",
    "/health",
];
const PUBLIC_FILES: &[&str] = &["/favicon.ico", "/favicon.svg", "/robots.txt"];

fn is_public(path: &str) -> bool {
    PUBLIC_FILES.contains(&path)
        || PUBLIC_PREFIXES
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

/// Sends a signed-out browser to the sign-in page before any private page is
/// rendered. Whether the session still belongs to a real member is checked
/// again by every server function through `OrgScope`.
pub async fn require_sign_in(session: Session, request: Request, next: Next) -> Response {
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    let signed_in = matches!(
        session
            .get::<String>(app::backend::scope::USER_ID_KEY)
            .await,
        Ok(Some(_))
    );
    if signed_in {
        next.run(request).await
    } else if request.method() == Method::GET || request.method() == Method::HEAD {
        Redirect::to("/login").into_response()
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::CACHE_CONTROL, "no-store")],
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn private_pages_are_not_public() {
        for path in ["/", "/settings", "/tenants", "/recovery", "/logins-export"] {
            assert!(!is_public(path) || path.starts_with("/login"), "{path}");
        }
        assert!(!is_public("/"));
        assert!(!is_public("/settings"));
    }

    #[test]
    fn sign_in_set_up_and_assets_are_public() {
        for path in [
            "/login",
            "/setup",
            "/invite/abc",
            "/api/login",
            "/pkg/tenantry.js",
            "/favicon.ico",
        ] {
            assert!(is_public(path), "{path}");
        }
    }
}
