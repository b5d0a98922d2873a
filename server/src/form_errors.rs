//! A form posted before its page is interactive comes back to that page
//! with the error in the address (`__err`), and the page shows it. Anyone
//! can write such an address, though, and a link in an e-mail could then
//! make the sign-in page say whatever its author likes. Browsers say where
//! a navigation comes from (`Sec-Fetch-Site`); an error in the address is
//! shown only when Tenantry's own page led there. Otherwise the browser is
//! sent to the same page without it.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const ERROR_PARAMETERS: [&str; 2] = ["__err", "__path"];

pub async fn only_from_our_own_pages(request: Request, next: Next) -> Response {
    let from_our_own_page = request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|site| site == "same-origin");
    let query = match request.uri().query() {
        Some(query) if request.method() == Method::GET && !from_our_own_page => query,
        _ => return next.run(request).await,
    };
    let (errors, kept): (Vec<_>, Vec<_>) = form_urlencoded::parse(query.as_bytes())
        .partition(|(name, _)| ERROR_PARAMETERS.contains(&name.as_ref()));
    if errors.is_empty() {
        return next.run(request).await;
    }
    let mut location = request.uri().path().to_owned();
    if !kept.is_empty() {
        location.push('?');
        location.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish(),
        );
    }
    match HeaderValue::from_str(&location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}
