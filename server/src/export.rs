//! Files signed-in staff download: `/export/registrations.csv` (the
//! organisation's registrations and their health) and a renewal
//! certificate's public half.

use crate::downloads::refused;
use app::backend::{exchange, Backend, OrgScope, Staff};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

pub async fn registrations(State(backend): State<Backend>, session: Session) -> Response {
    let scope = match OrgScope::of_session(&backend, &session).await {
        Ok(scope) => scope,
        Err(error) => return refused(error),
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
        Err(error) => refused(error),
    }
}

/// `/registrations/<id>/pending.cer`: the public half of a certificate
/// Tenantry generated to renew a registration, to upload to Entra.
pub async fn pending_certificate(
    State(backend): State<Backend>,
    session: Session,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let scope = match OrgScope::of_session(&backend, &session).await {
        Ok(scope) => scope,
        Err(error) => return refused(error),
    };
    let staff = Staff { backend, scope };
    match app::backend::registrations::renewal::download(&staff, &id.into()).await {
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
