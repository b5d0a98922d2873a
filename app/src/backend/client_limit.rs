//! How often one client address may ask for something, in this process's
//! memory: a cheap first line in front of limits kept in the database.

use crate::backend::origin::RequestOrigin;
use crate::error::AppError;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Clone)]
pub struct PerClient {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

/// An IPv6 client is limited by its /64: one subscriber holds all of it.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
        v4 => v4,
    }
}

impl PerClient {
    pub fn new(quota: Quota) -> Self {
        Self {
            limiter: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// Counts one request from the request's client address; the command
    /// line has none and is not limited.
    pub fn admit(&self, origin: &RequestOrigin) -> Result<(), AppError> {
        let Some(ip) = origin.ip else {
            return Ok(());
        };
        // Forget addresses that have not asked for a while, so the map
        // does not grow with every address ever seen.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&client_key(ip))
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                AppError::TooManyAttempts {
                    retry_after_seconds: wait.as_secs().max(1) as i64,
                }
            })
    }
}
