//! Pages are rendered a few at a time, in the order they were asked for.
//! Rendering is work for the processor: more pages at once than it has
//! cores only keeps more half-built pages in memory and lets some requests
//! wait far longer than others, because the runtime interleaves them in no
//! particular order. A fair queue in front makes each page wait its turn,
//! so under load the slowest page waits about as long as the typical one.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Far above any page Tenantry renders (the dashboard's is about 120 KB).
const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Clone)]
pub struct PageRenders(Arc<Semaphore>);

impl PageRenders {
    pub fn at_once(renders: usize) -> Self {
        Self(Arc::new(Semaphore::new(renders.max(1))))
    }
}

/// A page load (GET, or HEAD, which renders the same) waits for its turn and keeps it until the page is
/// rendered to the end; server functions and files do not queue. Pages
/// are streamed as they render, so the page is read to its end inside the
/// turn, and then sent: a client reading slowly never holds a turn.
pub async fn in_turn(State(renders): State<PageRenders>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let Ok(turn) = renders.0.acquire().await else {
        // The semaphore is never closed; were it, pages would go unqueued.
        return next.run(request).await;
    };
    let (parts, body) = next.run(request).await.into_parts();
    let page = to_bytes(body, MAX_PAGE_BYTES).await;
    drop(turn);
    match page {
        Ok(page) => Response::from_parts(parts, Body::from(page)),
        Err(error) => {
            tracing::error!(error = %error, "a page could not be rendered to its end");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
