//! Storing what a check saw: one append-only `checks` row, the day's
//! summary, and the registration's pointers to its newest results, all in
//! the caller's transaction. Nothing secret is stored: the verdict names
//! permissions and findings, and the identity platform's trace ids.

use super::claim::Claim;
use crate::backend::db::Tx;
use crate::backend::{db, internal};
use crate::error::AppError;
use crate::ids::{CheckId, OrganisationId, RegistrationId, UserId};
use crate::timestamp::Timestamp;
use domain::evaluation::Verdict;
use domain::watch::severity_rank;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The customer's test at the end of onboarding.
    Onboarding,
    /// Staff pressed "Check now".
    Manual,
    /// The scheduler found the registration due.
    Scheduled,
    /// Microsoft sent the admin back after granting consent.
    Consent,
    /// `tenantry checks run`.
    Cli,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Onboarding => "onboarding",
            Trigger::Manual => "manual",
            Trigger::Scheduled => "scheduled",
            Trigger::Consent => "consent",
            Trigger::Cli => "cli",
        }
    }
}

pub struct Observation<'a> {
    pub registration_id: &'a RegistrationId,
    pub organisation_id: &'a OrganisationId,
    pub trigger: Trigger,
    pub triggered_by: Option<&'a UserId>,
    pub report: &'a entra::VerifyReport,
    pub started_at: &'a Timestamp,
    pub finished_at: &'a Timestamp,
    pub duration_ms: i64,
    /// When the registration is next due.
    pub next_check_at: &'a Timestamp,
}

/// Whether a claimed result was stored, or the claim had been lost (its
/// lease ran out and someone else claimed the row) and nothing was written.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    Recorded(CheckId),
    ClaimLost,
}

/// Stores a check made under `claim` (or, for onboarding, of a row created
/// in this same transaction) and releases the lease.
pub async fn store(
    tx: &mut Tx,
    claim: Option<&Claim>,
    seen: &Observation<'_>,
) -> Result<Stored, AppError> {
    let id = CheckId::generate();
    let verdict: &Verdict = &seen.report.verdict;
    let completed = verdict.status.is_completed();
    let updated = crate::execute_on!(&mut *tx, sqlx::query(
        "UPDATE registrations
            SET lease_claim = NULL, lease_until = NULL, next_check_at = $1,
                latest_check_id = $2, last_checked_at = $3,
                last_completed_check_id = CASE WHEN $4 THEN $2 ELSE last_completed_check_id END,
                unchecked_since = CASE WHEN $4 THEN NULL ELSE COALESCE(unchecked_since, $3) END,
                status_since = CASE
                    WHEN NOT $4 THEN status_since
                    WHEN (SELECT status FROM checks WHERE id = registrations.last_completed_check_id) = $8
                        THEN COALESCE(status_since, $3)
                    ELSE $3 END,
                check_request_answered = check_request
          WHERE id = $5 AND organisation_id = $6 AND ($7 IS NULL OR lease_claim = $7)",
    )
    .bind(seen.next_check_at)
    .bind(&id)
    .bind(seen.finished_at)
    .bind(completed)
    .bind(seen.registration_id)
    .bind(seen.organisation_id)
    .bind(claim.map(|held| held.token.clone()))
    .bind(verdict.status.as_str()))
    .map_err(db("could not update a checked registration"))?;
    if updated.rows_affected() == 0 {
        return Ok(Stored::ClaimLost);
    }
    let codes: Vec<&str> = verdict.findings.iter().map(|f| f.code.as_str()).collect();
    let verdict_json = serde_json::to_string(verdict)
        .map_err(|error| internal("a verdict could not be serialised", error))?;
    crate::execute_on!(
        &mut *tx,
        sqlx::query(
            "INSERT INTO checks
            (id, organisation_id, registration_id, sequence, started_at, finished_at, duration_ms,
             trigger, triggered_by, claim, status, verdict, finding_codes, extra_permissions,
             trace_id, correlation_id)
         VALUES ($1, $2, $3,
                 (SELECT COALESCE(MAX(sequence), 0) + 1 FROM checks WHERE registration_id = $3),
                 $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&id)
        .bind(seen.organisation_id)
        .bind(seen.registration_id)
        .bind(seen.started_at)
        .bind(seen.finished_at)
        .bind(seen.duration_ms)
        .bind(seen.trigger.as_str())
        .bind(seen.triggered_by)
        .bind(claim.map(Claim::key))
        .bind(verdict.status.as_str())
        .bind(verdict_json)
        .bind(codes.join(","))
        .bind(verdict.extra_permissions.join(","))
        .bind(&seen.report.trace_id)
        .bind(&seen.report.correlation_id)
    )
    .map_err(db("could not store a check"))?;
    crate::execute_on!(&mut *tx, sqlx::query(
        "INSERT INTO check_days (registration_id, organisation_id, day, checks, worst_status, worst_rank)
         VALUES ($1, $2, $3, 1, $4, $5)
         ON CONFLICT (registration_id, day) DO UPDATE
            SET checks = check_days.checks + 1,
                worst_status = CASE WHEN excluded.worst_rank > check_days.worst_rank
                                    THEN excluded.worst_status ELSE check_days.worst_status END,
                worst_rank = CASE WHEN excluded.worst_rank > check_days.worst_rank
                                  THEN excluded.worst_rank ELSE check_days.worst_rank END",
    )
    .bind(seen.registration_id)
    .bind(seen.organisation_id)
    .bind(seen.finished_at.date())
    .bind(verdict.status.as_str())
    .bind(i64::from(severity_rank(verdict.status))))
    .map_err(db("could not summarise a check's day"))?;
    Ok(Stored::Recorded(id))
}

/// Microsoft asked us to wait: no registration of the tenant is claimed
/// before `until`, across restarts.
pub async fn pause_tenant(
    tx: &mut Tx,
    registration_id: &RegistrationId,
    until: &Timestamp,
) -> Result<(), AppError> {
    crate::execute_on!(&mut *tx, sqlx::query(
        "UPDATE customer_tenants
            SET checks_paused_until = CASE WHEN checks_paused_until IS NULL OR checks_paused_until < $1
                                           THEN $1 ELSE checks_paused_until END
          WHERE (id, organisation_id) IN (SELECT customer_tenant_id, organisation_id FROM registrations WHERE id = $2)",
    )
    .bind(until)
    .bind(registration_id))
    .map_err(db("could not back a tenant off"))?;
    Ok(())
}
