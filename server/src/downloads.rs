//! File downloads served outside the server functions: a browser saves them
//! straight to disk.

use app::backend::flow_tokens::{self, Flow};
use app::backend::{onboarding, Backend};
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The public certificate Tenantry generated for an onboarding link, for
/// the customer to upload into Entra. Only the link's token (in the
/// flow's cookie) grants it.
pub async fn onboarding_certificate(State(backend): State<Backend>, parts: Parts) -> Response {
    let Some(token) = flow_tokens::read(&parts, Flow::Onboarding) else {
        return refused(app::backend::context::open_the_link_again());
    };
    match onboarding::certificate_download(&backend, &token).await {
        Ok((file_name, der)) => (
            [
                (header::CONTENT_TYPE, "application/pkix-cert".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            der,
        )
            .into_response(),
        Err(error) => refused(error),
    }
}

/// A download refused: the error's own status and its client-safe text.
pub(crate) fn refused(error: app::error::AppError) -> Response {
    (
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        error.to_string(),
    )
        .into_response()
}
