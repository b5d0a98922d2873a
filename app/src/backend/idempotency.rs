//! Idempotency keys of the JSON API: a creating request sent again with
//! the same key gets the first answer back instead of creating twice.
//! Keys belong to one token and are kept for a day.

use crate::backend::api_tokens::ApiCaller;
use crate::backend::db;
use crate::error::AppError;
use crate::timestamp::Timestamp;

const KEPT_HOURS: i64 = 24;
/// A first request still unanswered after this long (its server stopped,
/// or it timed out) no longer holds its key.
const IN_FLIGHT_SECONDS: i64 = 120;

/// A key's row: the request's digest, and the answer once there is one
/// (status, location, body).
type Kept = (String, Option<i64>, Option<String>, Option<String>);

pub enum Claim {
    /// Nobody used the key yet: create, then `finish` (or `release`).
    Fresh,
    /// The first request's answer; `body` is None when it was not kept
    /// (it carried something shown only once).
    Replay {
        status: u16,
        location: Option<String>,
        body: Option<String>,
    },
    /// The first request with this key is still being answered.
    InFlight,
    /// The key was used for a different request.
    Mismatch,
}

pub async fn claim(caller: &ApiCaller, key: &str, digest: &str) -> Result<Claim, AppError> {
    let pool = &caller.staff.backend.pool;
    let now = caller.staff.now();
    crate::execute_on!(
        pool,
        sqlx::query("DELETE FROM api_idempotency WHERE token_id = $1 AND created_at < $2")
            .bind(&caller.token_id)
            .bind(Timestamp::of(now - time::Duration::hours(KEPT_HOURS)))
    )
    .map_err(db("could not forget old idempotency keys"))?;
    let inserted =
        crate::execute_on!(pool, sqlx::query(
        "INSERT INTO api_idempotency (token_id, idempotency_key, request_digest, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(&caller.token_id)
    .bind(key)
    .bind(digest)
    .bind(Timestamp::of(now)))
        .map_err(db("could not claim an idempotency key"))?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::Fresh);
    }
    let reclaimed = crate::execute_on!(
        pool,
        sqlx::query(
            "UPDATE api_idempotency SET created_at = $1
          WHERE token_id = $2 AND idempotency_key = $3 AND request_digest = $4
            AND status IS NULL AND created_at < $5",
        )
        .bind(Timestamp::of(now))
        .bind(&caller.token_id)
        .bind(key)
        .bind(digest)
        .bind(Timestamp::of(
            now - time::Duration::seconds(IN_FLIGHT_SECONDS),
        ))
    )
    .map_err(db("could not reclaim an idempotency key"))?;
    if reclaimed.rows_affected() == 1 {
        return Ok(Claim::Fresh);
    }
    let row: Option<Kept> = crate::on_db!(pool, |c| sqlx::query_as(
        "SELECT request_digest, status, location, body FROM api_idempotency
          WHERE token_id = $1 AND idempotency_key = $2",
    )
    .bind(&caller.token_id)
    .bind(key)
    .fetch_optional(c)
    .await)
    .map_err(db("could not read an idempotency key"))?;
    Ok(match row {
        // Forgotten between the two statements: the caller may retry.
        None => Claim::InFlight,
        Some((stored, _, _, _)) if stored != digest => Claim::Mismatch,
        Some((_, Some(status), location, body)) => Claim::Replay {
            status: u16::try_from(status).unwrap_or(200),
            location,
            body,
        },
        Some(_) => Claim::InFlight,
    })
}

/// Keeps the answer (or, with `body` None, only that there was one) for
/// requests repeating the key.
pub async fn finish(
    caller: &ApiCaller,
    key: &str,
    status: u16,
    location: Option<&str>,
    body: Option<&str>,
) -> Result<(), AppError> {
    crate::execute_on!(
        &caller.staff.backend.pool,
        sqlx::query(
            "UPDATE api_idempotency SET status = $1, location = $2, body = $3
          WHERE token_id = $4 AND idempotency_key = $5",
        )
        .bind(i64::from(status))
        .bind(location)
        .bind(body)
        .bind(&caller.token_id)
        .bind(key)
    )
    .map_err(db("could not keep an idempotent answer"))?;
    Ok(())
}

/// Frees the key after a refused request, so a corrected retry may use it.
pub async fn release(caller: &ApiCaller, key: &str) -> Result<(), AppError> {
    crate::execute_on!(
        &caller.staff.backend.pool,
        sqlx::query("DELETE FROM api_idempotency WHERE token_id = $1 AND idempotency_key = $2")
            .bind(&caller.token_id)
            .bind(key)
    )
    .map_err(db("could not free an idempotency key"))?;
    Ok(())
}
