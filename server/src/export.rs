//! `/export/registrations.csv`: the signed-in member's organisation's
//! registrations and their health, as a file the browser saves.

use app::backend::{exchange, Backend, OrgScope, Staff};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

pub async fn registrations(State(backend): State<Backend>, session: Session) -> Response {
    let scope = match OrgScope::of_session(&backend, &session).await {
        Ok(scope) => scope,
        Err(error) => {
            return (
                StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::UNAUTHORIZED),
                error.to_string(),
            )
                .into_response()
        }
    };
    let date = backend.now().date();
    match exchange::export::export(&Staff { backend, scope }).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"tenantry-registrations-{date}.csv\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            csv,
        )
            .into_response(),
        Err(error) => (
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            error.to_string(),
        )
            .into_response(),
    }
}
