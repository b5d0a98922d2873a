//! Pages of the organisation's registrations across its tenants, for the
//! JSON API: filtered by what staff ask about most (status, product,
//! tenant, expiry) and read with a keyset cursor.

use crate::backend::checks::view::{StandingRow, STANDING_COLUMNS, STANDING_JOINS};
use crate::backend::{db, Staff};
use crate::error::AppError;
use crate::ids::{CustomerTenantId, RegistrationId};
use crate::model::RegistrationRecord;
use crate::timestamp::Timestamp;
use domain::evaluation::{Status, Verdict};

#[derive(Debug, Clone, Default)]
pub struct RegistrationQuery {
    /// As shown now: stale and never-checked are statuses of their own.
    pub status: Option<Status>,
    /// A product (profile) id the registration serves.
    pub product: Option<String>,
    pub customer_tenant_id: Option<CustomerTenantId>,
    /// Credentials expiring before this instant.
    pub expires_before: Option<Timestamp>,
    /// None: archived and active alike.
    pub archived: Option<bool>,
}

/// Rows read at a time while a status filter skips past others.
const BATCH: i64 = 500;
/// At most this many rows are read for one page: a status few have ends a
/// page early, with a cursor to read on from.
const SCAN_CAP: usize = 5_000;

/// Where a page ends.
pub type Position = (Timestamp, RegistrationId);

pub struct Page {
    pub records: Vec<RegistrationRecord>,
    /// Where the next page starts; None when nothing is left.
    pub next: Option<Position>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: RegistrationId,
    customer_tenant_id: CustomerTenantId,
    tenant_name: String,
    profiles: String,
    client_id: String,
    object_id: Option<String>,
    shown: Option<String>,
    entered_at: Timestamp,
    archived_at: Option<Timestamp>,
    /// Read only for a single registration (`one_with_verdict`).
    #[sqlx(default)]
    latest_verdict: Option<String>,
    #[sqlx(flatten)]
    standing: StandingRow,
}

/// Up to `limit` registrations after `after` (entered_at, id), oldest
/// first. The status is computed at the backend's clock, as every page
/// shows it, so a status filter reads on (up to `SCAN_CAP` rows) until the
/// page is full.
pub async fn page(
    ctx: &Staff,
    query: &RegistrationQuery,
    after: Option<Position>,
    limit: usize,
) -> Result<Page, AppError> {
    let mut records = Vec::new();
    let mut after = after;
    let mut scanned = 0;
    // Without a status filter every row read is shown: one more than the
    // page says whether another page follows.
    let wanted = match query.status {
        Some(_) => BATCH,
        None => limit as i64 + 1,
    };
    loop {
        let rows = batch(ctx, query, after.as_ref(), None, false, wanted).await?;
        let exhausted = (rows.len() as i64) < wanted;
        for row in rows {
            if records.len() == limit {
                return Ok(Page {
                    records,
                    next: after,
                });
            }
            after = Some((row.entered_at.clone(), row.id.clone()));
            scanned += 1;
            let record = row.record(ctx);
            if query
                .status
                .is_none_or(|status| record.standing.status == status)
            {
                records.push(record);
            }
        }
        if exhausted {
            return Ok(Page {
                records,
                next: None,
            });
        }
        if scanned >= SCAN_CAP {
            return Ok(Page {
                records,
                next: after,
            });
        }
    }
}

/// One registration of the caller's organisation.
pub async fn one(ctx: &Staff, id: &RegistrationId) -> Result<RegistrationRecord, AppError> {
    Ok(one_row(ctx, id, false).await?.record(ctx))
}

/// One registration with its newest verdict, brought up to date.
pub async fn one_with_verdict(
    ctx: &Staff,
    id: &RegistrationId,
) -> Result<(RegistrationRecord, Option<Verdict>), AppError> {
    let mut row = one_row(ctx, id, true).await?;
    let verdict = row.standing.newest_verdict(
        row.latest_verdict.take().as_deref(),
        ctx.now().unix_timestamp(),
    )?;
    Ok((row.record(ctx), verdict))
}

async fn one_row(ctx: &Staff, id: &RegistrationId, verdict: bool) -> Result<Row, AppError> {
    let rows = batch(
        ctx,
        &RegistrationQuery::default(),
        None,
        Some(id),
        verdict,
        1,
    )
    .await?;
    rows.into_iter().next().ok_or(AppError::NotFound)
}

async fn batch(
    ctx: &Staff,
    query: &RegistrationQuery,
    after: Option<&(Timestamp, RegistrationId)>,
    only: Option<&RegistrationId>,
    verdict: bool,
    limit: i64,
) -> Result<Vec<Row>, AppError> {
    let verdict = if verdict {
        "l.verdict AS latest_verdict,"
    } else {
        ""
    };
    let sql = format!(
        "SELECT r.id, r.customer_tenant_id, t.display_name AS tenant_name, r.profiles, r.client_id,
                r.object_id, COALESCE(r.secret_hint, r.certificate_thumbprint) AS shown,
                r.entered_at, r.archived_at, {verdict} {STANDING_COLUMNS}
           FROM registrations r
           JOIN customer_tenants t ON t.id = r.customer_tenant_id AND t.organisation_id = r.organisation_id
           {STANDING_JOINS}
          WHERE r.organisation_id = $1
            AND ($2 IS NULL OR r.id = $2)
            AND ($3 IS NULL OR r.customer_tenant_id = $3)
            AND ($4 IS NULL OR (',' || r.profiles || ',') LIKE ('%,' || $4 || ',%'))
            AND ($5 IS NULL OR r.credential_expires_at < $5)
            AND ($6 IS NULL OR (r.archived_at IS NOT NULL) = $6)
            AND ($7 IS NULL OR r.entered_at > $7 OR (r.entered_at = $7 AND r.id > $8))
          ORDER BY r.entered_at, r.id
          LIMIT $9"
    );
    crate::on_db!(ctx.pool(), |c| sqlx::query_as(&sql)
        .bind(ctx.scope.organisation_id())
        .bind(only)
        .bind(&query.customer_tenant_id)
        .bind(&query.product)
        .bind(&query.expires_before)
        .bind(query.archived)
        .bind(after.map(|(at, _)| at))
        .bind(after.map(|(_, id)| id))
        .bind(limit)
        .fetch_all(c)
        .await)
    .map_err(db("could not list registrations"))
}

impl Row {
    fn record(self, ctx: &Staff) -> RegistrationRecord {
        RegistrationRecord {
            standing: self.standing.view(&ctx.backend),
            credential_kind: self.standing.credential_kind.clone(),
            credential_expires_at: self.standing.credential_expires_at.clone(),
            id: self.id,
            customer_tenant_id: self.customer_tenant_id,
            tenant_name: self.tenant_name,
            profiles: self
                .profiles
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            client_id: self.client_id,
            object_id: self.object_id,
            credential_shown: self.shown.unwrap_or_default(),
            entered_at: self.entered_at,
            archived: self.archived_at.is_some(),
        }
    }
}
