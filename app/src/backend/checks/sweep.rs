//! One sweep run to the end, for the CLI and the benchmark: everything due
//! is claimed and checked, `concurrency` at a time, through the same
//! claims and engine as the scheduler.

use super::{claim, engine, Trigger};
use crate::backend::{db, Backend};
use crate::error::AppError;
use crate::timestamp::Timestamp;
use domain::evaluation::Status;
use std::collections::BTreeMap;
use tokio::task::JoinSet;

/// What a sweep found, by status.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepSummary {
    pub by_status: BTreeMap<&'static str, usize>,
    pub worst: Option<Status>,
    /// Checks whose claim was lost or that failed inside Tenantry.
    pub not_stored: usize,
}

impl SweepSummary {
    pub fn checked(&self) -> usize {
        self.by_status.values().sum()
    }

    /// Adds the results of a later sweep.
    pub fn merge(&mut self, later: SweepSummary) {
        for (status, count) in later.by_status {
            *self.by_status.entry(status).or_default() += count;
        }
        self.not_stored += later.not_stored;
        if let Some(status) = later.worst {
            self.worsen(status);
        }
    }

    fn worsen(&mut self, status: Status) {
        let rank = domain::watch::severity_rank;
        if self.worst.is_none_or(|worst| rank(status) > rank(worst)) {
            self.worst = Some(status);
        }
    }

    fn add(&mut self, status: Option<Status>) {
        match status {
            Some(status) => {
                *self.by_status.entry(status.as_str()).or_default() += 1;
                self.worsen(status);
            }
            None => self.not_stored += 1,
        }
    }
}

/// Makes active registrations due now: all of them, or those of customer
/// tenants with this row id or Microsoft directory id. For operators; not
/// scoped to an organisation. Returns how many.
pub async fn make_due(backend: &Backend, tenant: Option<&str>) -> Result<u64, AppError> {
    let marked = crate::execute_on!(&backend.pool, sqlx::query(
        "UPDATE registrations SET next_check_at = $1
          WHERE archived_at IS NULL
            AND customer_tenant_id IN (
                SELECT id FROM customer_tenants
                 WHERE archived_at IS NULL AND ($2 IS NULL OR id = $2 OR entra_tenant_id = lower($2)))",
    )
    .bind(Timestamp::of(backend.now()))
    .bind(tenant))
    .map_err(db("could not make registrations due"))?;
    Ok(marked.rows_affected())
}

/// Checks everything due until nothing is left.
pub async fn run(backend: &Backend, trigger: Trigger) -> Result<SweepSummary, AppError> {
    let client = backend
        .entra
        .with_retry(entra::retry::RetryPolicy::unattended())
        .without_keeping_tokens();
    let concurrency = backend.watch.concurrency.max(1);
    let mut summary = SweepSummary::default();
    let mut running = JoinSet::new();
    loop {
        let free = concurrency - running.len();
        let claims = if free > 0 {
            claim::due(backend, free).await?
        } else {
            Vec::new()
        };
        if claims.is_empty() && running.is_empty() {
            return Ok(summary);
        }
        for claim in claims {
            let (backend, client) = (backend.clone(), client.clone());
            running.spawn(async move {
                engine::run(&backend, &client, &claim, trigger, None)
                    .await
                    .ok()
                    .flatten()
            });
        }
        if let Some(done) = running.join_next().await {
            summary.add(done.ok().flatten());
        }
    }
}

/// Registrations leased by someone else right now, among those due.
pub async fn leased_elsewhere(backend: &Backend) -> Result<i64, AppError> {
    let (count,): (i64,) = crate::on_db!(&backend.pool, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM registrations WHERE archived_at IS NULL AND lease_until > $1",
    )
    .bind(Timestamp::of(backend.now()))
    .fetch_one(c)
    .await)
    .map_err(db("could not count leased registrations"))?;
    Ok(count)
}

/// Every active registration's standing at `now`, counted by status.
pub async fn standings(backend: &Backend) -> Result<BTreeMap<&'static str, usize>, AppError> {
    use super::view::{StandingRow, STANDING_COLUMNS, STANDING_JOINS};
    let rows: Vec<StandingRow> = crate::on_db!(&backend.pool, |c| sqlx::query_as(&format!(
        "SELECT {STANDING_COLUMNS} FROM registrations r
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
           {STANDING_JOINS}
          WHERE r.archived_at IS NULL AND t.archived_at IS NULL"
    ))
    .fetch_all(c)
    .await)
    .map_err(db("could not read registrations' standing"))?;
    let mut counts: BTreeMap<&'static str, usize> =
        Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for row in rows {
        *counts.entry(row.view(backend).status.as_str()).or_default() += 1;
    }
    Ok(counts)
}
