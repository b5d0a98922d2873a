//! Retention: detailed checks older than the configured number of days are
//! deleted; the daily summaries stay, and a registration's newest check and
//! newest completed check are always kept, however old.

use crate::backend::{db, Backend};
use crate::error::AppError;
use crate::timestamp::Timestamp;

pub async fn old_checks(backend: &Backend) -> Result<u64, AppError> {
    let cutoff = Timestamp::of(backend.now() - time::Duration::days(backend.watch.retention_days));
    let deleted = crate::execute_on!(&backend.pool, sqlx::query(
        "DELETE FROM checks
          WHERE finished_at < $1
            AND id NOT IN (SELECT latest_check_id FROM registrations WHERE latest_check_id IS NOT NULL)
            AND id NOT IN (SELECT last_completed_check_id FROM registrations WHERE last_completed_check_id IS NOT NULL)",
    )
    .bind(cutoff))
    .map_err(db("could not prune old checks"))?;
    if deleted.rows_affected() > 0 {
        tracing::info!(deleted = deleted.rows_affected(), "pruned old checks");
    }
    Ok(deleted.rows_affected())
}
