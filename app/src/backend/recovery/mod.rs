//! Company recovery: someone who lost access proves control of the
//! organisation's Microsoft 365 tenant with a recovery app registration
//! (`domain::recovery` judges; `entra::check_recovery` asks Microsoft) and
//! becomes an admin again. `settings` is the admins' side, `company` the
//! public page's, `attempts` the limit on refusals both share.

pub mod attempts;
pub mod company;
pub mod settings;

use crate::backend::client_limit::PerClient;
use crate::backend::origin::RequestOrigin;
use crate::backend::{db, Backend};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, OrganisationId};
use crate::model::RecoveryResult;
use crate::timestamp::Timestamp;
use domain::recovery::checklist::{Judgement, Outcome, Report};
use domain::recovery::AttemptGate;
use domain::{Cloud, TenantId};
use governor::Quota;
use std::num::NonZeroU32;

/// The server's bounds on recovery.
#[derive(Clone)]
pub struct RecoveryPolicy {
    /// The longest window an organisation may choose
    /// (`TENANTRY_RECOVERY_WINDOW_HOURS`).
    pub max_window_hours: i64,
    /// Look-ups and verifications one client address may ask for, in this
    /// process: Microsoft is asked on a stranger's behalf.
    per_client: PerClient,
}

impl RecoveryPolicy {
    pub fn new(max_window_hours: i64, requests_per_hour: u32) -> Self {
        let quota = Quota::per_hour(NonZeroU32::new(requests_per_hour).unwrap_or(NonZeroU32::MIN));
        Self {
            max_window_hours,
            per_client: PerClient::new(quota),
        }
    }

    pub fn admit(&self, origin: &RequestOrigin) -> Result<(), AppError> {
        self.per_client.admit(origin)
    }
}

/// The organisation a company tenant can recover, when there is one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
}

/// The company a person says they are recovering, named by its tenant.
/// Whether an organisation stands behind it is known here and never shown
/// before the proof is accepted.
#[derive(Debug, Clone)]
pub struct Company {
    pub tenant_id: TenantId,
    pub cloud: Cloud,
    pub window_hours: i64,
    pub organisation: Option<Organisation>,
    /// Set when a customer proves control of their own tenant through an
    /// onboarding link, for the MSP that sent it.
    pub customer_tenant: Option<CustomerTenantId>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: OrganisationId,
    name: String,
    recovery_window_hours: i64,
}

/// The company behind `tenant_id` in `cloud`: the organisation that names
/// that tenant in that cloud as its own and allows recovery, or none. Both
/// read alike: the cloud is the one the person chose (a tenant is in one
/// cloud only, so another cloud is nobody's), and nothing here shows the
/// organisation's own window until the proof finds the app's creation.
pub async fn company(
    backend: &Backend,
    tenant_id: &TenantId,
    chosen_cloud: Cloud,
) -> Result<Company, AppError> {
    let row: Option<Row> = crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT id, name, recovery_window_hours FROM organisations
          WHERE home_tenant_id = $1 AND home_cloud = $2 AND recovery_enabled",
    )
    .bind(tenant_id.as_str())
    .bind(chosen_cloud.id())
    .fetch_optional(c)
    .await)
    .map_err(db("could not look a company up"))?;
    let max = backend.recovery.max_window_hours;
    Ok(Company {
        tenant_id: tenant_id.clone(),
        cloud: chosen_cloud,
        window_hours: row
            .as_ref()
            .map_or(max, |row| row.recovery_window_hours.min(max)),
        organisation: row.map(|row| Organisation {
            id: row.id,
            name: row.name,
        }),
        customer_tenant: None,
    })
}

impl Company {
    /// The window a page may name: the company's own once the proof has
    /// found the app's creation (and so the person controls an app in the
    /// tenant), before that the server's longest, as for any tenant.
    pub fn window_shown(&self, report: &Report, max_window_hours: i64) -> i64 {
        if report.created_at.is_some() {
            self.window_hours
        } else {
            max_window_hours
        }
    }
}

pub(crate) fn instant(at: i64) -> Option<Timestamp> {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .map(Timestamp::of)
}

/// Refusals left, or until when recovery is locked.
pub(crate) fn standing(gate: AttemptGate) -> (usize, Option<Timestamp>) {
    match gate {
        AttemptGate::Open { failures_left } => (failures_left, None),
        AttemptGate::LockedUntil { until } => (0, instant(until)),
    }
}

/// The checklist as the page shows it.
pub(crate) fn result(
    report: &Report,
    window_hours: i64,
    (failures_left, locked_until): (usize, Option<Timestamp>),
    message: String,
    set_password_link: Option<String>,
) -> RecoveryResult {
    RecoveryResult {
        outcome: report.outcome,
        window_hours,
        checks: report.checks.clone(),
        created_at: report.created_at.and_then(instant),
        initiated_by: report
            .initiated_by
            .as_ref()
            .map(|creator| creator.user_principal_name.clone()),
        failures_left,
        locked_until,
        message,
        set_password_link,
    }
}

/// What the page says while Microsoft has not decided yet.
pub(crate) fn waiting_message(report: &Report) -> String {
    match report.outcome {
        Outcome::NotYetVisible => "Everything checked so far holds; Microsoft's audit log does not show the app's creation yet. This page looks again by itself; waiting costs no attempt.".to_owned(),
        _ => "Microsoft could not be asked just now. This page tries again by itself; this costs no attempt.".to_owned(),
    }
}

/// What a refusal says about the lock: one that came before the app could
/// read the audit log does not count, and the person should know.
pub(crate) fn refusal_message(report: &Report, counted: impl FnOnce() -> String) -> String {
    match Judgement::of(report) {
        Judgement::Unproven => "The proof is refused before the app could read the audit log (Microsoft did not sign it in, or AuditLog.Read.All has no admin consent). Fix what the checklist says and try again; a refusal at this step does not count towards the lock.".to_owned(),
        _ => counted(),
    }
}

/// The proof in one line, for the audit trail and the tenant's record.
pub(crate) fn evidence(
    tenant_id: &TenantId,
    client_id: &domain::ClientId,
    object_id: &domain::ObjectId,
    report: &Report,
) -> String {
    format!(
        "tenant {}, client id {}, object id {}, created {}, by {}",
        tenant_id.as_str(),
        client_id.as_str(),
        object_id.as_str(),
        report
            .created_at
            .and_then(instant)
            .map(|at| at.to_string())
            .unwrap_or_else(|| "unknown".to_owned()),
        report
            .initiated_by
            .as_ref()
            .map(|c| format!("{} ({})", c.user_principal_name, c.id))
            .unwrap_or_else(|| "unknown".to_owned()),
    )
}

/// A refusal for the audit trail: the evidence, then what Microsoft's
/// answers were found to mean.
pub(crate) fn refusal(evidence: &str, report: &Report) -> String {
    let reasons: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
    format!("{evidence}; {}", reasons.join(" "))
}
