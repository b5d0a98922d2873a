//! Stays inside Microsoft's limits for the identity and access reports
//! service (`domain::probe::REPORTS_*`) before asking: a request the limit
//! would refuse is not sent, and the caller learns how long to wait, as if
//! Microsoft had answered 429 with `Retry-After`.

use domain::probe::{REPORTS_PER_APP_ACROSS_TENANTS, REPORTS_PER_APP_PER_TENANT};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

type Keyed<K> = RateLimiter<K, HashMapStateStore<K>, DefaultClock>;

pub struct ReportsLimiter {
    per_app: Keyed<String>,
    per_app_and_tenant: Keyed<(String, String)>,
    clock: DefaultClock,
}

fn quota((requests, seconds): (u32, u64)) -> Quota {
    let burst = NonZeroU32::new(requests).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(Duration::from_secs(seconds) / burst.get())
        .unwrap_or_else(|| Quota::per_second(burst))
        .allow_burst(burst)
}

impl Default for ReportsLimiter {
    fn default() -> Self {
        let clock = DefaultClock::default();
        Self {
            per_app: RateLimiter::new(
                quota(REPORTS_PER_APP_ACROSS_TENANTS),
                HashMapStateStore::default(),
                clock.clone(),
            ),
            per_app_and_tenant: RateLimiter::new(
                quota(REPORTS_PER_APP_PER_TENANT),
                HashMapStateStore::default(),
                clock.clone(),
            ),
            clock,
        }
    }
}

impl ReportsLimiter {
    /// Takes a turn for app `client_id` in tenant `tenant_id`, or says how
    /// long until one is free.
    pub fn take(&self, client_id: &str, tenant_id: &str) -> Result<(), Duration> {
        let app = client_id.to_ascii_lowercase();
        let wait = |refused: governor::NotUntil<_>| refused.wait_time_from(self.clock.now());
        self.per_app_and_tenant
            .check_key(&(app.clone(), tenant_id.to_ascii_lowercase()))
            .map_err(wait)?;
        self.per_app.check_key(&app).map_err(wait)
    }

    /// Forgets apps that have not asked for a while, so memory stays flat.
    pub fn forget_idle(&self) {
        self.per_app.retain_recent();
        self.per_app_and_tenant.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_reads_per_app_and_tenant_then_a_wait() {
        let limiter = ReportsLimiter::default();
        for _ in 0..5 {
            assert!(limiter.take("app", "tenant-a").is_ok());
        }
        let wait = limiter.take("app", "tenant-a").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(10));
        assert!(
            limiter.take("app", "tenant-b").is_ok(),
            "another tenant has its own five"
        );
        assert!(limiter.take("other-app", "tenant-a").is_ok());
    }

    #[test]
    fn one_app_across_many_tenants_shares_its_limit() {
        let limiter = ReportsLimiter::default();
        let allowed = (0..200)
            .filter(|i| limiter.take("shared-app", &format!("tenant-{i}")).is_ok())
            .count();
        assert_eq!(allowed, REPORTS_PER_APP_ACROSS_TENANTS.0 as usize);
    }
}
