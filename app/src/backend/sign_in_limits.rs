//! How often sign-in may be tried. Two limits: per address typed, counted
//! in the database (`domain::throttle` decides), so it holds across
//! restarts and servers; and per client address, in this process's
//! memory, so one machine cannot try many accounts quickly. The second
//! also guards the other forms that check a password or a code.

use crate::backend::db;
use crate::backend::origin::RequestOrigin;
use crate::error::AppError;
use crate::timestamp::Timestamp;
use domain::throttle::{Admission, SignInThrottle};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sqlx::SqlitePool;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Clone)]
pub struct SignInLimits {
    pub throttle: SignInThrottle,
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// Failures are counted under the address as typed, normalised, whether
/// or not it names an account.
pub fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl SignInLimits {
    pub fn new(throttle: SignInThrottle, attempts_per_minute: u32) -> Self {
        let quota =
            Quota::per_minute(NonZeroU32::new(attempts_per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            throttle,
            per_address: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// Counts one attempt from the request's client address.
    pub fn admit_client(&self, origin: &RequestOrigin) -> Result<(), AppError> {
        let Some(ip) = origin.ip else {
            return Ok(());
        };
        // Forget addresses that have not tried for a while, so the map
        // does not grow with every address ever seen.
        if self.per_address.len() > 10_000 {
            self.per_address.retain_recent();
        }
        self.per_address.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::TooManyAttempts {
                retry_after_seconds: wait.as_secs().max(1) as i64,
            }
        })
    }

    /// Whether the address typed may try now.
    pub async fn admit_account(
        &self,
        pool: &SqlitePool,
        key: &str,
        now: time::OffsetDateTime,
    ) -> Result<Admission, AppError> {
        let since = self.forget_before(now);
        let failures: Vec<(Timestamp,)> = sqlx::query_as(
            "SELECT failed_at FROM sign_in_failures WHERE email = $1 AND failed_at > $2",
        )
        .bind(key)
        .bind(since)
        .fetch_all(pool)
        .await
        .map_err(db("could not count failed sign-ins"))?;
        let failures: Vec<i64> = failures.iter().map(|(at,)| at.unix()).collect();
        Ok(self.throttle.judge(&failures, now.unix_timestamp()))
    }

    pub async fn record_failure(
        &self,
        pool: &SqlitePool,
        key: &str,
        now: time::OffsetDateTime,
    ) -> Result<(), AppError> {
        let forget = self.forget_before(now);
        sqlx::query("DELETE FROM sign_in_failures WHERE failed_at <= $1")
            .bind(forget)
            .execute(pool)
            .await
            .map_err(db("could not forget old failed sign-ins"))?;
        sqlx::query("INSERT INTO sign_in_failures (email, failed_at) VALUES ($1, $2)")
            .bind(key)
            .bind(Timestamp::of(now))
            .execute(pool)
            .await
            .map_err(db("could not count a failed sign-in"))?;
        Ok(())
    }

    fn forget_before(&self, now: time::OffsetDateTime) -> Timestamp {
        let seconds = self.throttle.forget_before(now.unix_timestamp());
        Timestamp::of(
            time::OffsetDateTime::from_unix_timestamp(seconds)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        )
    }

    /// A successful sign-in starts the count again.
    pub async fn clear(&self, pool: &SqlitePool, key: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(key)
            .execute(pool)
            .await
            .map_err(db("could not clear failed sign-ins"))?;
        Ok(())
    }
}
