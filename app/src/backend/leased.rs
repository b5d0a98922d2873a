//! Queues whose rows are claimed for a while by whoever delivers them (the
//! e-mail outbox, alert deliveries): one claim statement for all of them,
//! so a row is held by one deliverer at a time and a deliverer that dies
//! lets go when its lease runs out; on PostgreSQL, deliverers on several
//! servers pass over each other's rows. One autocommit statement: a deferred
//! SQLite transaction that writes later can fail with SQLITE_BUSY.

use crate::backend::db::Db;
use crate::backend::internal;
use crate::error::AppError;
use crate::timestamp::Timestamp;

/// A table with `next_attempt_at`, `claimed_until`, `attempts`,
/// `delivered_at` and `failed_at`.
pub struct Queue {
    pub table: &'static str,
    /// What a claim returns of each row.
    pub returning: &'static str,
    /// Named in the log when claiming fails.
    pub what: &'static str,
}

/// Claims up to `limit` rows that are due and not held by a live lease,
/// oldest due first, counting the attempt.
pub async fn claim_due<T>(
    pool: &Db,
    queue: &Queue,
    now: time::OffsetDateTime,
    lease: time::Duration,
    limit: i64,
) -> Result<Vec<T>, AppError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let Queue {
        table,
        returning,
        what,
    } = queue;
    let skip_locked = pool.engine().skip_locked("queued");
    crate::on_db!(pool, |c| sqlx::query_as(&format!(
        "UPDATE {table} SET claimed_until = $1, attempts = attempts + 1
          WHERE id IN (
                SELECT id FROM {table} queued
                 WHERE delivered_at IS NULL AND failed_at IS NULL
                   AND next_attempt_at <= $2
                   AND (claimed_until IS NULL OR claimed_until <= $2)
                 ORDER BY next_attempt_at
                 LIMIT $3
                 {skip_locked})
          RETURNING {returning}"
    ))
    .bind(Timestamp::of(now + lease))
    .bind(Timestamp::of(now))
    .bind(limit)
    .fetch_all(c)
    .await)
    .map_err(|error| internal(&format!("could not claim from {what}"), error))
}
