use app::backend::{auth, Backend};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Pages anyone may open, matched on whole path segments: `/login` and
/// `/login/…` are public, `/logins-export` is not. Everything else is for
/// signed-in staff; server functions (`/api/…`) check the caller themselves
/// and answer 401.
const PUBLIC_SECTIONS: &[&str] = &[
    "login", "setup", "invite", "reset", "onboard", "consent", "recover", "api", "pkg", "health",
    // Documentation for whoever builds a receiver of Tenantry's webhooks.
    "schemas",
];
const PUBLIC_FILES: &[&str] = &["/favicon.ico", "/favicon.svg", "/robots.txt"];

fn is_public(path: &str) -> bool {
    let first_segment = path
        .strip_prefix('/')
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    PUBLIC_FILES.contains(&path) || PUBLIC_SECTIONS.contains(&first_segment)
}

/// Sends a signed-out browser to the sign-in page before any private page is
/// rendered, and ends sessions past their idle or absolute lifetime. The
/// member found goes with the request, so the server functions the page
/// renders with do not look again; called on their own (`/api/…`), server
/// functions check the caller themselves through `OrgScope`.
pub async fn require_sign_in(
    State(backend): State<Backend>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    if let Ok(Some(signed_in)) = auth::signed_in(&backend, &session).await {
        // Checked once for the whole request: the page's server functions
        // take their scope from it (`OrgScope::of_caller`).
        request.extensions_mut().insert(signed_in);
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
    fn private_pages_are_not_public_even_when_they_start_like_public_ones() {
        for path in [
            "/",
            "/settings",
            "/tenants",
            "/recovery",
            "/recovers",
            "/logins-export",
            "/setupX",
            "/invitees",
            "/onboarding-report",
            "/apis",
            "/healthz",
            "//login",
        ] {
            assert!(!is_public(path), "{path} must need a sign-in");
        }
    }

    #[test]
    fn sign_in_set_up_links_and_assets_are_public() {
        for path in [
            "/login",
            "/login/",
            "/setup",
            "/invite/abc",
            "/onboard/abc",
            "/onboard/abc/certificate.cer",
            "/recover",
            "/api/login",
            "/pkg/tenantry.js",
            "/health",
            "/schemas/alert-event.json",
            "/favicon.ico",
        ] {
            assert!(is_public(path), "{path}");
        }
    }
}
