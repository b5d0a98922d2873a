//! A registration's checks, newest first, a page at a time: for the JSON
//! API's history. The verdict of each is the one stored when it ran.

use crate::backend::registrations::listing;
use crate::backend::{db, internal, Staff};
use crate::error::AppError;
use crate::ids::{CheckId, RegistrationId};
use crate::model::CheckRecord;
use crate::timestamp::Timestamp;
use domain::evaluation::Verdict;

#[derive(sqlx::FromRow)]
struct Row {
    id: CheckId,
    sequence: i64,
    started_at: Timestamp,
    finished_at: Timestamp,
    duration_ms: i64,
    trigger: String,
    status: String,
    verdict: String,
    trace_id: Option<String>,
    correlation_id: Option<String>,
}

/// Up to `limit` checks older than sequence `before`; each record carries
/// its sequence as the next page's cursor.
pub async fn page(
    ctx: &Staff,
    registration_id: &RegistrationId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<CheckRecord>, AppError> {
    // The registration must be the caller's: another organisation's id
    // reads as not found, not as an empty history.
    listing::one(ctx, registration_id).await?;
    let rows: Vec<Row> = crate::on_db!(ctx.pool(), |c| sqlx::query_as(
        "SELECT id, sequence, started_at, finished_at, duration_ms, trigger, status, verdict,
                trace_id, correlation_id
           FROM checks
          WHERE registration_id = $1 AND organisation_id = $2 AND ($3 IS NULL OR sequence < $3)
          ORDER BY sequence DESC
          LIMIT $4",
    )
    .bind(registration_id)
    .bind(ctx.scope.organisation_id())
    .bind(before)
    .bind(limit)
    .fetch_all(c)
    .await)
    .map_err(db("could not read a registration's checks"))?;
    rows.into_iter()
        .map(|row| {
            let verdict: Verdict = serde_json::from_str(&row.verdict)
                .map_err(|error| internal("a stored verdict is unreadable", error))?;
            Ok(CheckRecord {
                id: row.id,
                sequence: row.sequence,
                started_at: row.started_at,
                finished_at: row.finished_at,
                duration_ms: row.duration_ms,
                trigger: row.trigger,
                status: row.status,
                verdict,
                trace_id: row.trace_id,
                correlation_id: row.correlation_id,
            })
        })
        .collect()
}
