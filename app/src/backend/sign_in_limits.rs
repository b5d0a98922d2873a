//! How often a password or a second-factor code may be tried. Two limits:
//! per key (the address typed, or the member owing a code), counted in the
//! database (`domain::throttle` decides), so it holds across restarts and
//! servers; and per client address, in this process's memory, so one
//! machine cannot try many accounts quickly.

use crate::backend::client_limit::PerClient;
use crate::backend::db::Db;
use crate::backend::origin::RequestOrigin;
use crate::backend::{db, tokens};
use crate::error::AppError;
use crate::ids::UserId;
use crate::timestamp::Timestamp;
use domain::throttle::{Admission, SignInThrottle};
use governor::Quota;
use std::future::Future;
use std::num::NonZeroU32;

#[derive(Clone)]
pub struct SignInLimits {
    pub throttle: SignInThrottle,
    per_client: PerClient,
}

/// Passwords typed for an address, known or not. Kept as a digest: the
/// table need not hold what strangers typed.
pub fn password_key(email: &str) -> String {
    tokens::digest(&format!("password:{}", email.trim().to_lowercase()))
}

/// Codes typed by a member half-way through signing in. Separate from the
/// password's count, which a correct password clears.
pub fn code_key(user_id: &UserId) -> String {
    tokens::digest(&format!("code:{user_id}"))
}

/// How one guarded attempt ended.
pub enum Attempt<T> {
    Passed(T),
    Failed {
        /// This failure made the key wait: worth one audit entry.
        now_waiting: bool,
    },
}

impl SignInLimits {
    pub fn new(throttle: SignInThrottle, attempts_per_minute: u32) -> Self {
        let quota =
            Quota::per_minute(NonZeroU32::new(attempts_per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            throttle,
            per_client: PerClient::new(quota),
        }
    }

    /// Counts one attempt from the request's client address.
    pub fn admit_client(&self, origin: &RequestOrigin) -> Result<(), AppError> {
        self.per_client.admit(origin)
    }

    /// Runs `check` as one counted attempt under `key`. The attempt is
    /// written first and judged against every other attempt in the window,
    /// so guesses sent in parallel are counted too; it is removed again if
    /// `check` passes (`Some`) or fails for another reason (`Err`).
    pub async fn guarded<T>(
        &self,
        pool: &Db,
        origin: &RequestOrigin,
        key: &str,
        now: time::OffsetDateTime,
        check: impl Future<Output = Result<Option<T>, AppError>>,
    ) -> Result<Attempt<T>, AppError> {
        self.admit_client(origin)?;
        let id = uuid::Uuid::new_v4().to_string();
        crate::execute_on!(
            pool,
            sqlx::query("INSERT INTO sign_in_failures (id, key, failed_at) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(key)
                .bind(Timestamp::of(now))
        )
        .map_err(db("could not count a sign-in attempt"))?;
        let others = self.attempts(pool, key, now, Some(&id)).await?;
        if let Admission::Wait { seconds } = self.throttle.judge(&others, now.unix_timestamp()) {
            self.forget(pool, &id).await?;
            return Err(AppError::TooManyAttempts {
                retry_after_seconds: seconds,
            });
        }
        match check.await {
            Ok(Some(value)) => {
                self.forget(pool, &id).await?;
                Ok(Attempt::Passed(value))
            }
            Ok(None) => {
                let all = self.attempts(pool, key, now, None).await?;
                let now_waiting = matches!(
                    self.throttle.judge(&all, now.unix_timestamp()),
                    Admission::Wait { .. }
                );
                Ok(Attempt::Failed { now_waiting })
            }
            Err(error) => {
                self.forget(pool, &id).await?;
                Err(error)
            }
        }
    }

    async fn attempts(
        &self,
        pool: &Db,
        key: &str,
        now: time::OffsetDateTime,
        except: Option<&str>,
    ) -> Result<Vec<i64>, AppError> {
        let since = self.forget_before(now);
        let rows: Vec<(Timestamp,)> = crate::on_db!(pool, |c| sqlx::query_as(
            "SELECT failed_at FROM sign_in_failures
              WHERE key = $1 AND failed_at > $2 AND ($3 IS NULL OR id <> $3)",
        )
        .bind(key)
        .bind(since)
        .bind(except)
        .fetch_all(c)
        .await)
        .map_err(db("could not count failed sign-ins"))?;
        Ok(rows.iter().map(|(at,)| at.unix()).collect())
    }

    async fn forget(&self, pool: &Db, id: &str) -> Result<(), AppError> {
        crate::execute_on!(
            pool,
            sqlx::query("DELETE FROM sign_in_failures WHERE id = $1").bind(id)
        )
        .map_err(db("could not forget a sign-in attempt"))?;
        Ok(())
    }

    /// A completed sign-in starts the key's count again; attempts too old
    /// to matter are deleted on the way.
    pub async fn clear(
        &self,
        pool: &Db,
        key: &str,
        now: time::OffsetDateTime,
    ) -> Result<(), AppError> {
        crate::execute_on!(
            pool,
            sqlx::query("DELETE FROM sign_in_failures WHERE key = $1 OR failed_at <= $2")
                .bind(key)
                .bind(self.forget_before(now))
        )
        .map_err(db("could not clear failed sign-ins"))?;
        Ok(())
    }

    fn forget_before(&self, now: time::OffsetDateTime) -> Timestamp {
        let seconds = self.throttle.forget_before(now.unix_timestamp());
        Timestamp::of(
            time::OffsetDateTime::from_unix_timestamp(seconds)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        )
    }
}
