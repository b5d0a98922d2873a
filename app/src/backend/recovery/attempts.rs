//! The attempts that count against a company's recovery: reserved before
//! Microsoft is asked, judged after, and limited by `domain::recovery`'s
//! `Limiter` (three refusals in twelve hours lock recovery for twelve
//! hours), per company tenant whoever is asking and from wherever.

use super::Company;
use crate::backend::db::Tx;
use crate::backend::origin::RequestOrigin;
use crate::backend::{begin, db, Backend, Staff};
use crate::error::AppError;
use crate::ids::CustomerTenantId;
use crate::ids::RecoveryAttemptId;
use crate::model::RecoveryAttemptEntry;
use crate::timestamp::Timestamp;
use domain::recovery::checklist::{CheckState, Judgement, Report};
use domain::recovery::{Attempt, AttemptGate, Limiter, RESERVATION_SECS};
use domain::Action;

/// What was entered, as far as the attempt's record keeps it (never the
/// secret).
pub struct Entered<'a> {
    pub person_name: &'a str,
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub object_id: &'a str,
}

/// A reserved attempt: counts as a refusal until it is settled.
pub struct Reservation {
    pub id: RecoveryAttemptId,
    /// Refusals still allowed before this one is judged.
    pub failures_left: usize,
}

#[derive(sqlx::FromRow)]
struct Past {
    at: Timestamp,
    outcome: String,
}

/// Whose attempts count together: a company's own recovery, or one MSP's
/// ownership proof for one customer. Another MSP proving the same tenant
/// for its own customer record is counted apart, so nobody's refusals lock
/// anybody else out.
fn counter(company: &Company) -> &str {
    company
        .customer_tenant
        .as_ref()
        .map(CustomerTenantId::as_str)
        .unwrap_or_default()
}

async fn gate(
    tx: &mut Tx,
    company: &Company,
    except: Option<&RecoveryAttemptId>,
    now: time::OffsetDateTime,
) -> Result<AttemptGate, AppError> {
    let limiter = Limiter::default();
    // Far enough back for any lockout still running and every failure
    // that still counts.
    let since = now - time::Duration::seconds(limiter.window_secs + limiter.lockout_secs);
    let past: Vec<Past> = crate::on_db!(&mut *tx, |c| sqlx::query_as(
        "SELECT at, outcome FROM recovery_attempts
          WHERE company_tenant_id = $1 AND COALESCE(customer_tenant_id, '') = $2
            AND at >= $3 AND id <> $4 AND outcome <> $5",
    )
    .bind(company.tenant_id.as_str())
    .bind(counter(company))
    .bind(Timestamp::of(since))
    .bind(except.map(RecoveryAttemptId::as_str).unwrap_or_default())
    .bind(Judgement::Unproven.as_str())
    .fetch_all(c)
    .await)
    .map_err(db("could not read the recovery attempts"))?;
    let abandoned_before = now.unix_timestamp() - RESERVATION_SECS;
    let history: Vec<Attempt> = past
        .iter()
        .filter(|attempt| attempt.outcome != CHECKING || attempt.at.unix() >= abandoned_before)
        .map(|attempt| Attempt {
            at: attempt.at.unix(),
            succeeded: attempt.outcome == Judgement::Accepted.as_str(),
        })
        .collect();
    Ok(limiter.gate(&history, now.unix_timestamp()))
}

/// A reserved attempt's outcome until it is judged.
const CHECKING: &str = "checking";

/// How the company stands before anything is tried: for the page.
pub async fn standing(backend: &Backend, company: &Company) -> Result<AttemptGate, AppError> {
    let mut tx = begin(&backend.pool).await?;
    gate(&mut tx, company, None, backend.now()).await
}

pub fn locked(until: i64, now: time::OffsetDateTime) -> AppError {
    AppError::TooManyAttempts {
        retry_after_seconds: (until - now.unix_timestamp()).max(1),
    }
}

/// Writes the attempt first, then decides whether it may go ahead, so
/// attempts sent at the same moment all see each other.
async fn reserve(
    backend: &Backend,
    company: &Company,
    entered: &Entered<'_>,
    origin: &RequestOrigin,
) -> Result<Reservation, AppError> {
    let now = backend.now();
    let id = RecoveryAttemptId::generate();
    // Requests dropped before their judgement leave reservations behind;
    // they count for nothing, and are cleared here.
    crate::execute_on!(
        &backend.pool,
        sqlx::query("DELETE FROM recovery_attempts WHERE outcome = $1 AND at < $2")
            .bind(CHECKING)
            .bind(Timestamp::of(
                now - time::Duration::seconds(RESERVATION_SECS),
            ))
    )
    .map_err(db("could not clear abandoned recovery attempts"))?;
    crate::execute_on!(&backend.pool, sqlx::query(
        "INSERT INTO recovery_attempts
            (id, company_tenant_id, organisation_id, customer_tenant_id, at, outcome, person_name, tenant_id, client_id, object_id, ip)
         VALUES ($1, $2, $3, $4, $5, $11, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(company.tenant_id.as_str())
    .bind(company.organisation.as_ref().map(|o| &o.id))
    .bind(company.customer_tenant.as_ref())
    .bind(Timestamp::of(now))
    .bind(entered.person_name)
    .bind(entered.tenant_id)
    .bind(entered.client_id)
    .bind(entered.object_id)
    .bind(origin.ip.map(|ip| ip.to_string()))
    .bind(CHECKING))
    .map_err(db("could not record a recovery attempt"))?;
    let mut tx = begin(&backend.pool).await?;
    let gate = gate(&mut tx, company, Some(&id), now).await?;
    drop(tx);
    match gate {
        AttemptGate::Open { failures_left } => Ok(Reservation { id, failures_left }),
        AttemptGate::LockedUntil { until } => {
            forget(backend, &id).await?;
            Err(locked(until, now))
        }
    }
}

/// One verification under the company's limit: the app is signed in first,
/// then the attempt is reserved, then the audit log is read and the
/// checklist judged. So only an app that may read the audit log (signed
/// in to the tenant with an administrator's consent) holds a reservation
/// while Microsoft is asked; a made-up proof is judged as soon as it is
/// reserved, and leaves nothing behind should its request be dropped.
pub async fn verify(
    backend: &Backend,
    company: &Company,
    entered: &Entered<'_>,
    origin: &RequestOrigin,
    request: &entra::RecoveryRequest<'_>,
) -> Result<(Reservation, Report), AppError> {
    let signed_in = entra::recovery::sign_in(&backend.entra, request).await;
    let reservation = reserve(backend, company, entered, origin).await?;
    let report = entra::recovery::finish(&backend.entra, request, signed_in).await;
    Ok((reservation, report))
}

/// Whether this recovery app already served an accepted proof for the
/// company: one app proves once, so removing the person it made an admin
/// cannot be undone by checking the same app again.
pub async fn already_used(
    backend: &Backend,
    company: &Company,
    object_id: &str,
) -> Result<bool, AppError> {
    let used: Option<(String,)> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT id FROM recovery_attempts
          WHERE company_tenant_id = $1 AND object_id = $2 AND outcome = 'accepted'",
    )
    .bind(company.tenant_id.as_str())
    .bind(object_id)
    .fetch_optional(c)
    .await)
    .map_err(db("could not look for an earlier recovery"))?;
    Ok(used.is_some())
}

/// Removes an attempt that ended without a judgement (Microsoft could not
/// be asked, or the creation is not visible yet): it counts for nothing.
pub async fn forget(backend: &Backend, id: &RecoveryAttemptId) -> Result<(), AppError> {
    crate::execute_on!(
        &backend.pool,
        sqlx::query("DELETE FROM recovery_attempts WHERE id = $1 AND outcome = $2")
            .bind(id)
            .bind(CHECKING)
    )
    .map_err(db("could not remove a recovery attempt"))?;
    Ok(())
}

/// Records the judgement with its evidence and reasons; returns how the
/// company stands after it.
pub async fn settle(
    tx: &mut Tx,
    company: &Company,
    id: &RecoveryAttemptId,
    report: &Report,
    now: time::OffsetDateTime,
) -> Result<AttemptGate, AppError> {
    let outcome = Judgement::of(report).as_str();
    let reasons: Vec<&str> = report
        .checks
        .iter()
        .filter(|check| check.state == CheckState::Failed)
        .map(|check| check.detail.as_str())
        .collect();
    crate::execute_on!(&mut *tx, sqlx::query(
        "UPDATE recovery_attempts
            SET outcome = $1, app_created_at = $2, initiator_upn = $3, initiator_id = $4, reasons = $5
          WHERE id = $6",
    )
    .bind(outcome)
    .bind(report.created_at.and_then(|at| time::OffsetDateTime::from_unix_timestamp(at).ok()).map(Timestamp::of))
    .bind(report.initiated_by.as_ref().map(|initiator| initiator.user_principal_name.as_str()))
    .bind(report.initiated_by.as_ref().map(|initiator| initiator.id.as_str()))
    .bind(reasons.join(" "))
    .bind(id))
    .map_err(db("could not record a recovery judgement"))?;
    gate(&mut *tx, company, None, now).await
}

#[derive(sqlx::FromRow)]
struct Row {
    at: Timestamp,
    outcome: String,
    person_name: String,
    tenant_id: String,
    client_id: String,
    object_id: String,
    app_created_at: Option<Timestamp>,
    initiator_upn: Option<String>,
    reasons: String,
    ip: Option<String>,
}

/// The organisation's own recovery attempts (not its customers' ownership
/// proofs), newest first, for its admins.
pub async fn history(ctx: &Staff) -> Result<Vec<RecoveryAttemptEntry>, AppError> {
    ctx.scope.permit(Action::ManageOrganisation)?;
    let rows: Vec<Row> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT at, outcome, person_name, tenant_id, client_id, object_id, app_created_at,
                initiator_upn, reasons, ip
           FROM recovery_attempts
          WHERE organisation_id = $1 AND customer_tenant_id IS NULL
          ORDER BY at DESC, id
          LIMIT 100",
    )
    .bind(ctx.scope.organisation_id())
    .fetch_all(c)
    .await)
    .map_err(db("could not read the recovery attempts"))?;
    Ok(rows
        .into_iter()
        .map(|row| RecoveryAttemptEntry {
            at: row.at,
            outcome_label: Judgement::label(&row.outcome).to_owned(),
            outcome: row.outcome,
            person_name: row.person_name,
            tenant_id: row.tenant_id,
            client_id: row.client_id,
            object_id: row.object_id,
            app_created_at: row.app_created_at,
            initiator_upn: row.initiator_upn.unwrap_or_default(),
            reasons: row.reasons,
            ip: row.ip.unwrap_or_default(),
        })
        .collect())
}
