//! A webhook receiver on this machine that records what it is sent.

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a receiver was sent: the three headers and the body.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signature: String,
    pub body: Vec<u8>,
}

pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// What it was sent, in order.
    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The `webhook-id` of each message, in order.
    pub fn ids(&self) -> Vec<String> {
        self.all().into_iter().map(|received| received.id).collect()
    }
}

/// A receiver on this machine that answers every message with `status`
/// (after `delay`); a redirect points to `/elsewhere`, which records
/// anything sent on to it.
pub async fn receiver(status: StatusCode, delay: Duration) -> Receiver {
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let kept = received.clone();
    let followed = received.clone();
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let kept = kept.clone();
                async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    kept.lock().unwrap().push(Received {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp").parse().unwrap_or_default(),
                        signature: header("webhook-signature"),
                        body: body.to_vec(),
                    });
                    tokio::time::sleep(delay).await;
                    if status.is_redirection() {
                        (status, [("location", "/elsewhere")], "moved").into_response()
                    } else {
                        (status, "receiver says no").into_response()
                    }
                }
            }),
        )
        .route(
            "/elsewhere",
            axum::routing::post(move || {
                let followed = followed.clone();
                async move {
                    followed.lock().unwrap().push(Received {
                        id: "followed a redirect".to_owned(),
                        timestamp: 0,
                        signature: String::new(),
                        body: Vec::new(),
                    });
                    StatusCode::OK
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, received }
}
