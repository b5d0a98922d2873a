//! Works out each request's client address once, before anything else
//! reads it (`domain::forwarded` decides whom to believe), and leaves it on
//! the request for the sign-in limits, the session list and the audit trail.

use app::backend::origin::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::forwarded::{client_address, TrustedProxies};
use std::net::SocketAddr;
use std::sync::Arc;

pub async fn find_client(
    State(trusted): State<Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let forwarded_for: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        let client = client_address(peer.ip(), &forwarded_for, &trusted);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}
