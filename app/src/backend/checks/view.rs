//! Reading what the watch stored, for staff: a registration's standing
//! (also shown in lists) and its page. Every read is scoped to the
//! caller's organisation.

use crate::backend::{db, internal, Backend, Staff};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, RegistrationId};
use crate::model::{CheckSummary, RegistrationPage, RequirementView, StandingView, StripDay};
use crate::timestamp::Timestamp;
use domain::evaluation::{CredentialKind, CredentialMeta, Status, Verdict};
use domain::finding::FindingCode;
use domain::watch::{daily_worst, fold, refreshed, standing, History, Observed};
use domain::{Action, Cloud};

/// The columns every standing is computed from; joined by the queries that
/// list registrations.
pub const STANDING_COLUMNS: &str = "r.credential_kind, r.credential_expires_at, r.next_check_at,
    r.last_checked_at, r.unchecked_since, l.status AS latest_status, l.finished_at AS latest_at,
    c.status AS completed_status, c.finished_at AS completed_at";

/// Joins the newest check (`l`) and newest completed check (`c`) of `r`.
pub const STANDING_JOINS: &str = "LEFT JOIN checks l ON l.id = r.latest_check_id
    LEFT JOIN checks c ON c.id = r.last_completed_check_id";

#[derive(sqlx::FromRow)]
pub struct StandingRow {
    pub(crate) credential_kind: String,
    pub(crate) credential_expires_at: Option<Timestamp>,
    pub(crate) next_check_at: Option<Timestamp>,
    pub(crate) last_checked_at: Option<Timestamp>,
    pub(crate) unchecked_since: Option<Timestamp>,
    pub(crate) latest_status: Option<String>,
    pub(crate) latest_at: Option<Timestamp>,
    pub(crate) completed_status: Option<String>,
    pub(crate) completed_at: Option<Timestamp>,
}

fn observed(status: &Option<String>, at: &Option<Timestamp>) -> Option<Observed> {
    Some(Observed {
        status: Status::parse(status.as_deref()?)?,
        at: at.as_ref()?.unix(),
    })
}

pub(crate) fn at(unix: i64) -> Option<Timestamp> {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .map(Timestamp::of)
}

impl StandingRow {
    pub fn credential_kind(&self) -> CredentialKind {
        match self.credential_kind.as_str() {
            "certificate" => CredentialKind::Certificate,
            _ => CredentialKind::Secret,
        }
    }

    pub fn credential(&self) -> Option<CredentialMeta> {
        Some(CredentialMeta {
            kind: self.credential_kind(),
            expires_at: self.credential_expires_at.as_ref()?.unix(),
        })
    }

    pub fn history(&self) -> History {
        History {
            latest: observed(&self.latest_status, &self.latest_at),
            last_completed: observed(&self.completed_status, &self.completed_at),
            unchecked_since: self.unchecked_since.as_ref().map(Timestamp::unix),
        }
    }

    /// The newest stored verdict (`l.verdict`), with its expiry findings
    /// brought up to `now`.
    pub fn newest_verdict(
        &self,
        stored: Option<&str>,
        now: i64,
    ) -> Result<Option<Verdict>, AppError> {
        let Some(json) = stored else {
            return Ok(None);
        };
        let verdict = serde_json::from_str::<Verdict>(json)
            .map_err(|error| internal("a stored verdict could not be read", error))?;
        Ok(Some(refreshed(&verdict, self.credential(), now)))
    }

    pub fn view(&self, backend: &Backend) -> StandingView {
        let shown = standing(
            &self.history(),
            self.credential(),
            backend.watch.interval_secs(),
            backend.now().unix_timestamp(),
        );
        StandingView {
            status: shown.status,
            last_known: shown.last_known,
            since: shown.since.and_then(at),
            last_checked_at: self.last_checked_at.clone(),
            last_success_at: self.completed_at.clone(),
            next_check_at: self.next_check_at.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct PageRow {
    id: RegistrationId,
    customer_tenant_id: CustomerTenantId,
    tenant_name: String,
    entra_tenant_id: Option<String>,
    cloud: String,
    profiles: String,
    client_id: String,
    object_id: Option<String>,
    shown: Option<String>,
    certificate_subject: Option<String>,
    entered_by: String,
    entered_at: Timestamp,
    archived_at: Option<Timestamp>,
    consent_redirect: bool,
    pending_thumbprint: Option<String>,
    pending_expires_at: Option<Timestamp>,
    latest_verdict: Option<String>,
    #[sqlx(flatten)]
    standing: StandingRow,
}

#[derive(sqlx::FromRow)]
struct CheckRow {
    finished_at: Timestamp,
    trigger: String,
    triggered_by: Option<String>,
    duration_ms: i64,
    status: String,
    verdict: String,
    trace_id: Option<String>,
    correlation_id: Option<String>,
}

/// How many checks the timeline reads; older ones are in the daily strip.
const TIMELINE_CHECKS: i64 = 500;
const STRIP_DAYS: usize = 30;

pub async fn page(ctx: &Staff, id: &RegistrationId) -> Result<RegistrationPage, AppError> {
    let query = format!(
        "SELECT r.id, r.customer_tenant_id, t.display_name AS tenant_name, t.entra_tenant_id,
                t.cloud, r.profiles, r.client_id, r.object_id,
                COALESCE(r.secret_hint, r.certificate_thumbprint) AS shown, r.certificate_subject,
                u.display_name AS entered_by, r.entered_at, r.archived_at, r.consent_redirect, r.pending_thumbprint, r.pending_expires_at,
                l.verdict AS latest_verdict, {STANDING_COLUMNS}
           FROM registrations r
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
           JOIN users u ON u.id = r.entered_by
           {STANDING_JOINS}
          WHERE r.id = $1 AND r.organisation_id = $2"
    );
    let row: PageRow = crate::on_db!(ctx.pool(), |c| sqlx::query_as(&query)
        .bind(id)
        .bind(ctx.scope.organisation_id())
        .fetch_optional(c)
        .await)
    .map_err(db("could not read a registration"))?
    .ok_or(AppError::NotFound)?;
    let now = ctx.now().unix_timestamp();
    let profiles = domain::profile::parse_list(&row.profiles)
        .map_err(|error| internal("a stored profile is not known", error))?;
    let cloud: Cloud = row
        .cloud
        .parse()
        .map_err(|error| internal("a stored cloud is not known", error))?;
    let verdict = row
        .standing
        .newest_verdict(row.latest_verdict.as_deref(), now)?;
    let needs_consent = verdict.as_ref().is_some_and(|v| {
        v.findings.iter().any(|f| {
            matches!(
                f.code,
                FindingCode::ConsentMissing | FindingCode::PermissionMissing
            )
        })
    });
    let checks: Vec<CheckRow> = crate::on_db!(ctx.pool(), |c| {
        sqlx::query_as(
        "SELECT c.finished_at, c.trigger, u.display_name AS triggered_by, c.duration_ms, c.status,
                c.verdict, c.trace_id, c.correlation_id
           FROM checks c LEFT JOIN users u ON u.id = c.triggered_by
          WHERE c.registration_id = $1 AND c.organisation_id = $2
          ORDER BY c.sequence DESC
          LIMIT $3",
    )
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .bind(TIMELINE_CHECKS)
    .fetch_all(c)
    .await
    })
    .map_err(db("could not read a registration's checks"))?;
    let entries: Vec<(Status, Vec<FindingCode>, CheckSummary)> = checks
        .into_iter()
        .filter_map(|check| {
            let status = Status::parse(&check.status)?;
            let verdict: Option<Verdict> = serde_json::from_str(&check.verdict).ok();
            let codes = verdict
                .as_ref()
                .map(|v| v.findings.iter().map(|f| f.code).collect())
                .unwrap_or_default();
            Some((
                status,
                codes,
                CheckSummary {
                    finished_at: check.finished_at,
                    trigger: check.trigger,
                    triggered_by: check.triggered_by,
                    duration_ms: check.duration_ms,
                    headline: verdict.and_then(|v| v.findings.first().map(|f| f.message.clone())),
                    trace_id: check.trace_id,
                    correlation_id: check.correlation_id,
                },
            ))
        })
        .collect();
    Ok(RegistrationPage {
        requirements: RequirementView::all_for(&profiles),
        profiles: profiles.iter().map(|p| p.name.clone()).collect(),
        profile_ids: profiles.iter().map(|p| p.id.clone()).collect(),
        standing: row.standing.view(&ctx.backend),
        needs_consent,
        redirect_uri: super::consent::callback_url(&ctx.backend),
        consent_redirect: row.consent_redirect,
        pending: row
            .pending_thumbprint
            .clone()
            .zip(row.pending_expires_at.clone())
            .map(
                |(thumbprint, expires_at)| crate::model::PendingCertificate {
                    thumbprint,
                    expires_at,
                },
            ),
        timeline: fold(&entries),
        strip: strip(ctx, id, now).await?,
        credential: describe(&row),
        can_manage: ctx.scope.permit(Action::ManageTenants).is_ok(),
        verdict,
        id: row.id,
        customer_tenant_id: row.customer_tenant_id,
        tenant_name: row.tenant_name,
        entra_tenant_id: row.entra_tenant_id,
        cloud: cloud.label().to_owned(),
        client_id: row.client_id,
        object_id: row.object_id,
        credential_expires_at: row.standing.credential_expires_at.clone(),
        entered_by: row.entered_by,
        entered_at: row.entered_at,
        archived: row.archived_at.is_some(),
    })
}

fn describe(row: &PageRow) -> String {
    let shown = row.shown.clone().unwrap_or_default();
    match (
        row.standing.credential_kind.as_str(),
        &row.certificate_subject,
    ) {
        ("certificate", Some(subject)) => format!("Certificate {subject}, thumbprint {shown}"),
        ("certificate", None) => format!("Certificate {shown}"),
        _ => format!("Client secret {shown}"),
    }
}

async fn strip(ctx: &Staff, id: &RegistrationId, now: i64) -> Result<Vec<StripDay>, AppError> {
    let days: Vec<(String, String)> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT day, worst_status FROM check_days
          WHERE registration_id = $1 AND organisation_id = $2 AND day >= $3",
    )
    .bind(id)
    .bind(ctx.scope.organisation_id())
    .bind(day_of(now - (STRIP_DAYS as i64) * 86_400))
    .fetch_all(c)
    .await)
    .map_err(db("could not read a registration's daily history"))?;
    let observed: Vec<Observed> = days
        .iter()
        .filter_map(|(day, status)| {
            let at = Timestamp::parse(&format!("{day}T12:00:00Z")).ok()?.unix();
            Some(Observed {
                status: Status::parse(status)?,
                at,
            })
        })
        .collect();
    Ok(daily_worst(&observed, STRIP_DAYS, now)
        .into_iter()
        .enumerate()
        .map(|(i, status)| StripDay {
            date: day_of(now - ((STRIP_DAYS - 1 - i) as i64) * 86_400),
            status,
        })
        .collect())
}

pub(crate) fn day_of(unix: i64) -> String {
    at(unix).map(|t| t.date().to_owned()).unwrap_or_default()
}
