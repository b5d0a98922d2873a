//! Files signed-in staff download: `/export/registrations.csv` (the
//! organisation's registrations and their health), the dashboard's view,
//! the audit trail (admins) and a renewal certificate's public half.

use crate::downloads::refused;
use app::backend::origin::RequestOrigin;
use app::backend::{audit, dashboard, exchange, Backend, OrgScope, Staff};
use app::error::AppError;
use app::model::AuditQuery;
use axum::extract::{Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use domain::audit::AuditAction;
use domain::dashboard::ViewQuery;
use std::collections::HashSet;
use tower_sessions::Session;

/// The signed-in member downloading, as a server function would see them.
async fn member(backend: Backend, session: &Session, parts: &Parts) -> Result<Staff, Response> {
    match OrgScope::of_session(&backend, session).await {
        Ok(scope) => Ok(Staff {
            backend,
            scope,
            origin: RequestOrigin::of_parts(parts),
        }),
        Err(error) => Err(refused(error)),
    }
}

pub async fn registrations(
    State(backend): State<Backend>,
    session: Session,
    parts: Parts,
) -> Response {
    let date = backend.now().date();
    let staff = match member(backend, &session, &parts).await {
        Ok(staff) => staff,
        Err(refusal) => return refusal,
    };
    let csv = recorded(
        &staff,
        "registrations",
        exchange::export::export(&staff, None).await,
    )
    .await;
    csv_file(csv, &format!("tenantry-registrations-{date}.csv"))
}

/// `/export/dashboard.csv?<the view's query>`: the registrations a
/// dashboard view shows, in the registrations export's columns.
pub async fn dashboard(
    State(backend): State<Backend>,
    session: Session,
    Query(query): Query<ViewQuery>,
    parts: Parts,
) -> Response {
    let date = backend.now().date();
    let staff = match member(backend, &session, &parts).await {
        Ok(staff) => staff,
        Err(refusal) => return refusal,
    };
    let csv = match dashboard::shown(&staff, &query).await {
        Ok(shown) => {
            let only: HashSet<_> = shown.into_iter().collect();
            exchange::export::export(&staff, Some(&only)).await
        }
        Err(error) => Err(error),
    };
    let csv = recorded(&staff, "dashboard view", csv).await;
    csv_file(csv, &format!("tenantry-dashboard-{date}.csv"))
}

/// `/export/audit.csv?action=…&text=…&from=…&to=…`: the audit trail as
/// the admin filtered it.
pub async fn audit_trail(
    State(backend): State<Backend>,
    session: Session,
    Query(query): Query<AuditQuery>,
    parts: Parts,
) -> Response {
    let date = backend.now().date();
    let staff = match member(backend, &session, &parts).await {
        Ok(staff) => staff,
        Err(refusal) => return refusal,
    };
    let csv = match query.filter() {
        Ok(filter) => audit::csv(&staff, &filter).await,
        Err(error) => Err(error),
    };
    let csv = recorded(&staff, "audit trail", csv).await;
    csv_file(csv, &format!("tenantry-audit-{date}.csv"))
}

/// A finished export of organisation data goes into the audit trail.
async fn recorded(
    staff: &Staff,
    what: &str,
    csv: Result<String, AppError>,
) -> Result<String, AppError> {
    let csv = csv?;
    let rows = csv.lines().count().saturating_sub(1);
    audit::by_member(
        staff.pool(),
        staff,
        AuditAction::ExportDownloaded,
        what,
        &format!("{rows} rows"),
    )
    .await?;
    Ok(csv)
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
    parts: Parts,
) -> Response {
    let staff = match member(backend, &session, &parts).await {
        Ok(staff) => staff,
        Err(refusal) => return refusal,
    };
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
