//! Files signed-in staff download: `/export/registrations.csv` (the
//! organisation's registrations and their health) and a renewal
//! certificate's public half.

use crate::downloads::refused;
use app::backend::{dashboard, exchange, Backend, OrgScope, Staff};
use app::error::AppError;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::dashboard::ViewQuery;
use std::collections::HashSet;
use tower_sessions::Session;

pub async fn registrations(State(backend): State<Backend>, session: Session) -> Response {
    let scope = match OrgScope::of_session(&backend, &session).await {
        Ok(scope) => scope,
        Err(error) => return refused(error),
    };
    let date = backend.now().date();
    let staff = Staff { backend, scope };
    csv_file(
        exchange::export::export(&staff, None).await,
        &format!("tenantry-registrations-{date}.csv"),
    )
}

/// `/export/dashboard.csv?<the view's query>`: the registrations a
/// dashboard view shows, in the registrations export's columns.
pub async fn dashboard(
    State(backend): State<Backend>,
    session: Session,
    Query(query): Query<ViewQuery>,
) -> Response {
    let scope = match OrgScope::of_session(&backend, &session).await {
        Ok(scope) => scope,
        Err(error) => return refused(error),
    };
    let date = backend.now().date();
    let staff = Staff { backend, scope };
    let csv = match dashboard::shown(&staff, &query).await {
        Ok(shown) => {
            let only: HashSet<_> = shown.into_iter().collect();
            exchange::export::export(&staff, Some(&only)).await
        }
        Err(error) => Err(error),
    };
    csv_file(csv, &format!("tenantry-dashboard-{date}.csv"))
}

fn csv_file(csv: Result<String, AppError>, file_name: &str) -> Response {
    match csv {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
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
