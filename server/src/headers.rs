//! Headers on every response that tell the browser what the page may do.
//!
//! The Content-Security-Policy lets only scripts carrying this response's
//! nonce run (Leptos writes it on its hydration and data scripts), and what
//! they load in turn (`'strict-dynamic'`: the bundle and its page chunks);
//! the wasm module may be compiled (`'wasm-unsafe-eval'`). Nothing may frame
//! a page, so no other site can lay a page of Tenantry under its own
//! buttons. Pages and server-function answers hold customer data, so no
//! cache keeps them; the bundle and stylesheet under `/pkg` may be cached.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;

#[derive(Clone, Debug)]
pub struct HeaderPolicy {
    /// Served over https: browsers are told to use nothing else (HSTS).
    pub https: bool,
}

pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
    )
}

fn cacheable(path: &str) -> bool {
    path.starts_with("/pkg/") || matches!(path, "/favicon.ico" | "/favicon.svg" | "/robots.txt")
}

/// Makes this request's nonce (read by the page's render through the
/// request's parts, see `startup::page_context`) and sets the headers.
pub async fn security_headers(
    State(policy): State<HeaderPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    let cacheable = cacheable(request.uri().path());
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Only Tenantry itself is told which page a request came from: a form
    // posted before the page is interactive is sent back to that page with
    // its error. No other site learns an address of Tenantry's.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if policy.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !cacheable {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bundle_and_icons_may_be_cached() {
        assert!(cacheable("/pkg/tenantry.wasm"));
        assert!(cacheable("/favicon.svg"));
        for page in [
            "/",
            "/tenants/1",
            "/api/load_dashboard",
            "/export/dashboard.csv",
            "/pkgs",
        ] {
            assert!(!cacheable(page), "{page}");
        }
    }
}
