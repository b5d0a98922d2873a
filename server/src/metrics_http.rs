//! `/metrics` for Prometheus, and the count of every HTTP request by its
//! route's pattern. The pattern is noted by a layer inside the router
//! (where axum knows it) into a slot the outer layer reads when the
//! answer is ready; a request no route matched counts as `unmatched`, so a
//! scanner's made-up paths add no series.

use app::backend::metrics::RequestLabels;
use app::backend::Backend;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};

#[derive(Clone, Default)]
pub struct RouteSlot(Arc<OnceLock<String>>);

/// Inside the routers: what route answered.
pub async fn note_route(request: Request, next: Next) -> Response {
    if let (Some(slot), Some(matched)) = (
        request.extensions().get::<RouteSlot>(),
        request.extensions().get::<MatchedPath>(),
    ) {
        let _ = slot.0.set(matched.as_str().to_owned());
    }
    next.run(request).await
}

fn method_label(method: &axum::http::Method) -> String {
    use axum::http::Method;
    match *method {
        Method::GET
        | Method::POST
        | Method::PUT
        | Method::PATCH
        | Method::DELETE
        | Method::HEAD
        | Method::OPTIONS => method.as_str().to_owned(),
        _ => "other".to_owned(),
    }
}

/// Outermost: counts and times every request.
pub async fn count_requests(
    State(backend): State<Backend>,
    mut request: Request,
    next: Next,
) -> Response {
    let slot = RouteSlot::default();
    request.extensions_mut().insert(slot.clone());
    let method = method_label(request.method());
    let assets = request.uri().path().starts_with("/pkg/");
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let route = match slot.0.get() {
        Some(route) => route.clone(),
        None if assets => "/pkg/{file}".to_owned(),
        None => "unmatched".to_owned(),
    };
    backend.metrics.request_answered(
        RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        },
        started.elapsed().as_secs_f64(),
    );
    response
}

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub async fn render(backend: &Backend) -> Response {
    match backend.metrics.render(backend).await {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `/metrics` on the main address, for a scraper that sends the token.
#[derive(Clone)]
pub struct Guarded {
    pub backend: Backend,
    pub token_digest: Arc<[u8; 32]>,
}

impl Guarded {
    pub fn new(backend: Backend, token: &domain::SecretValue) -> Self {
        Self {
            backend,
            token_digest: Arc::new(Sha256::digest(token.expose().as_bytes()).into()),
        }
    }
}

pub async fn guarded(State(guarded): State<Guarded>, headers: HeaderMap) -> Response {
    let presented = crate::bearer::credential(&headers).unwrap_or_default();
    // Digests of both sides: the comparison's time says nothing about the token.
    let matches: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    if matches != *guarded.token_digest {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
            "Send the metrics token as 'Authorization: Bearer <token>'.\n",
        )
            .into_response();
    }
    render(&guarded.backend).await
}

/// The router of `TENANTRY_METRICS_ADDR`: `/metrics` and nothing else.
pub fn listener_router(backend: Backend) -> axum::Router {
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let backend = backend.clone();
            async move { render(&backend).await }
        }),
    )
}
