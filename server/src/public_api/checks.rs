//! Checks through the API: one registration now, a tenant's or the whole
//! organisation's by the scheduler, and a registration's history.

use super::auth::{Checker, Reader};
use super::problem::{ApiResult, Problem};
use super::registrations::{read_one, Registration, VerdictInfo};
use super::support::{bad_cursor, cursor, shown, ApiJson, PageParams};
use app::backend::checks;
use app::ids::{CustomerTenantId, RegistrationId};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Checks one registration now and answers with what it found (only its
/// id without the `read` scope).
#[utoipa::path(post, path = "/registrations/{id}/checks", tag = "checks",
    params(("id" = String, Path, description = "The registration's id")),
    responses((status = 200, body = Registration), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 429, body = Problem)),
    security(("token" = ["checks"])))]
pub async fn check_registration(
    Checker(caller): Checker,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = RegistrationId::from(id);
    checks::requests::check_now(&caller.staff, &id).await?;
    let registration = read_one(&caller, &id).await?;
    Ok(Json(shown(&caller, id.as_str(), registration)))
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecksWanted {
    /// One tenant's registrations; absent for every tenant.
    pub customer_tenant_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChecksAccepted {
    /// Names the request in `/check-requests/{id}`.
    pub request: String,
    /// Registrations to be checked.
    pub total: i64,
    /// Where to follow the checks; absent when there was nothing to check.
    pub progress: Option<String>,
}

/// Asks for checks of a tenant's registrations, or of all; the scheduler
/// makes them in turn.
#[utoipa::path(post, path = "/checks", tag = "checks",
    request_body = ChecksWanted,
    responses((status = 202, body = ChecksAccepted), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["checks"])))]
pub async fn request_checks(
    Checker(caller): Checker,
    ApiJson(wanted): ApiJson<ChecksWanted>,
) -> ApiResult<(StatusCode, Json<ChecksAccepted>)> {
    let tenant = wanted.customer_tenant_id.map(CustomerTenantId::from);
    let request = checks::requests::request(&caller.staff, tenant.as_ref()).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ChecksAccepted {
            progress: (request.total > 0)
                .then(|| format!("/api/v1/check-requests/{}", request.request)),
            request: request.request,
            total: request.total,
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChecksProgress {
    pub total: i64,
    pub done: i64,
}

/// How far a request for checks has got.
#[utoipa::path(get, path = "/check-requests/{id}", tag = "checks",
    params(("id" = String, Path, description = "The request, as `POST /checks` named it")),
    responses((status = 200, body = ChecksProgress), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = ["checks"])))]
pub async fn check_progress(
    Checker(caller): Checker,
    Path(id): Path<String>,
) -> ApiResult<Json<ChecksProgress>> {
    let progress = checks::requests::progress(&caller.staff, &id).await?;
    // A request names registrations of the caller's organisation; one
    // that names none is not theirs (or not a request).
    if progress.total == 0 {
        return Err(Problem::not_found());
    }
    Ok(Json(ChecksProgress {
        total: progress.total,
        done: progress.done,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Check {
    pub id: String,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: i64,
    /// `onboarding`, `manual`, `scheduled`, `consent` or `cli`.
    pub trigger: String,
    pub status: String,
    pub verdict: VerdictInfo,
    /// Microsoft's ids of the answer, for its support.
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckPage {
    pub items: Vec<Check>,
    pub next_cursor: Option<String>,
}

/// A registration's checks, newest first.
#[utoipa::path(get, path = "/registrations/{id}/checks", tag = "checks",
    params(("id" = String, Path, description = "The registration's id"), PageParams),
    responses((status = 200, body = CheckPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["read"])))]
pub async fn check_history(
    Reader(caller): Reader,
    Path(id): Path<String>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<CheckPage>> {
    let limit = page.limit()?;
    let before = match page.after()? {
        None => None,
        Some(parts) => match parts.as_slice() {
            [sequence] => Some(sequence.parse::<i64>().map_err(|_| bad_cursor())?),
            _ => return Err(bad_cursor()),
        },
    };
    let mut found = checks::history::page(
        &caller.staff,
        &RegistrationId::from(id),
        before,
        i64::from(limit) + 1,
    )
    .await?;
    let more = found.len() > limit as usize;
    found.truncate(limit as usize);
    let next_cursor = more
        .then(|| {
            found
                .last()
                .map(|last| cursor(&[&last.sequence.to_string()]))
        })
        .flatten();
    Ok(Json(CheckPage {
        items: found
            .into_iter()
            .map(|check| Check {
                id: check.id.to_string(),
                started_at: check.started_at.to_string(),
                finished_at: check.finished_at.to_string(),
                duration_ms: check.duration_ms,
                trigger: check.trigger,
                status: check.status,
                verdict: VerdictInfo::from(&check.verdict),
                trace_id: check.trace_id,
                correlation_id: check.correlation_id,
            })
            .collect(),
        next_cursor,
    }))
}
