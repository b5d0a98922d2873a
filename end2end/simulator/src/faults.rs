use crate::state::{Directory, FaultKind};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

pub enum Endpoint {
    Token,
    Graph,
}

/// Picks the faults that apply to this request, consuming counted ones.
/// Returns the latency to add and, if any, the fault that replaces the answer.
pub fn take(
    directory: &mut Directory,
    endpoint: Endpoint,
    tenant_id: Option<&str>,
    client_id: Option<&str>,
) -> (u64, Option<FaultKind>) {
    let endpoint_name = match endpoint {
        Endpoint::Token => "token",
        Endpoint::Graph => "graph",
    };
    let mut latency = 0;
    let mut answer = None;
    for fault in directory.faults.iter_mut() {
        let scope = &fault.scope;
        let matches = scope.endpoint.as_deref().is_none_or(|e| e == endpoint_name)
            && scope
                .tenant_id
                .as_deref()
                .is_none_or(|t| tenant_id.is_some_and(|id| id.eq_ignore_ascii_case(t)))
            && scope
                .client_id
                .as_deref()
                .is_none_or(|c| client_id.is_some_and(|id| id.eq_ignore_ascii_case(c)));
        if !matches || fault.times == Some(0) {
            continue;
        }
        match fault.kind {
            FaultKind::Latency { ms } => latency += ms,
            kind if answer.is_none() => {
                if kind == FaultKind::GarbledToken && !matches!(endpoint, Endpoint::Token) {
                    continue;
                }
                answer = Some(kind);
                if let Some(times) = fault.times.as_mut() {
                    *times -= 1;
                }
            }
            _ => {}
        }
    }
    directory.faults.retain(|fault| fault.times != Some(0));
    (latency, answer)
}

/// The response a fault produces instead of the real answer.
pub async fn respond(kind: FaultKind) -> Option<Response> {
    match kind {
        FaultKind::Latency { .. } | FaultKind::GarbledToken => None,
        FaultKind::Status {
            code,
            retry_after_secs,
        } => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (
                status,
                "{\"error\":{\"code\":\"simulated\",\"message\":\"Injected failure.\"}}",
            )
                .into_response();
            if let Some(secs) = retry_after_secs {
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from(secs));
            }
            Some(response)
        }
        FaultKind::Timeout => {
            tokio::time::sleep(Duration::from_secs(600)).await;
            Some(StatusCode::GATEWAY_TIMEOUT.into_response())
        }
        FaultKind::Malformed => {
            Some((StatusCode::OK, "{\"access_token\": <<not json").into_response())
        }
    }
}

pub async fn delay(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}
