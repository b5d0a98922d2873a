//! Checks staff ask for: one registration at once ("Check now"), or every
//! registration of a tenant or of the organisation handed to the scheduler,
//! with progress counted as results arrive.

use super::{claim, engine, Trigger};
use crate::backend::tenants::{self, OwnedTenant};
use crate::backend::{db, Staff};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, RegistrationId};
use crate::model::{CheckRequest, ProgressOfChecks};
use crate::timestamp::Timestamp;
use domain::evaluation::Status;
use domain::Action;

/// Checks one registration now and waits for the result.
pub async fn check_now(ctx: &Staff, id: &RegistrationId) -> Result<Status, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let claim = claim::one(&ctx.backend, ctx.scope.organisation_id(), id).await?;
    engine::run(
        &ctx.backend,
        &ctx.backend.entra,
        &claim,
        Trigger::Manual,
        Some(ctx.scope.user_id()),
    )
    .await?
    .ok_or_else(|| AppError::Conflict("Another check of this registration finished first.".into()))
}

/// Makes every active registration of `tenant` (or of the whole
/// organisation) due now and wakes the scheduler.
pub async fn request(
    ctx: &Staff,
    customer_tenant_id: Option<&CustomerTenantId>,
) -> Result<CheckRequest, AppError> {
    ctx.scope.permit(Action::ManageTenants)?;
    let tenant: Option<OwnedTenant> = match customer_tenant_id {
        Some(id) => Some(tenants::owned(ctx, id).await?),
        None => None,
    };
    let now = Timestamp::of(ctx.now());
    let request = uuid::Uuid::new_v4().to_string();
    let marked = crate::execute_on!(ctx.pool(), sqlx::query(
        "UPDATE registrations SET next_check_at = $1, check_request = $4
          WHERE organisation_id = $2 AND archived_at IS NULL AND ($3 IS NULL OR customer_tenant_id = $3)
            AND customer_tenant_id IN (SELECT id FROM customer_tenants WHERE organisation_id = $2 AND archived_at IS NULL)",
    )
    .bind(&now)
    .bind(ctx.scope.organisation_id())
    .bind(tenant.as_ref().map(|t| t.id()))
    .bind(&request))
    .map_err(db("could not ask for checks"))?;
    ctx.backend.watch.wake.notify_one();
    Ok(CheckRequest {
        request,
        total: marked.rows_affected() as i64,
    })
}

/// How many of the registrations in `request` have a result since.
pub async fn progress(ctx: &Staff, request: &str) -> Result<ProgressOfChecks, AppError> {
    let (total, done): (i64, i64) = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN check_request_answered = check_request THEN 1 ELSE 0 END), 0)
           FROM registrations
          WHERE organisation_id = $1 AND check_request = $2",
    )
    .bind(ctx.scope.organisation_id())
    .bind(request)
    .fetch_one(c)
    .await)
    .map_err(db("could not count requested checks"))?;
    Ok(ProgressOfChecks { total, done })
}
