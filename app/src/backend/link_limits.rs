//! What the holder of an onboarding link may make the server do, and how
//! often: a test against Microsoft, generating a key pair, opening an
//! uploaded certificate. Each is limited per link (so one leaked link
//! cannot be used to hammer Microsoft or the CPU) and across all links
//! (so many links cannot either). Per process, in memory.

use crate::error::AppError;
use crate::ids::LinkId;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Costly {
    Test,
    GenerateCertificate,
    UploadCertificate,
}

const KINDS: usize = 3;

impl Costly {
    fn index(self) -> usize {
        match self {
            Costly::Test => 0,
            Costly::GenerateCertificate => 1,
            Costly::UploadCertificate => 2,
        }
    }
}

#[derive(Clone)]
pub struct LinkLimits {
    per_link: Arc<[DefaultKeyedRateLimiter<LinkId>; KINDS]>,
    overall: Arc<[DefaultDirectRateLimiter; KINDS]>,
}

fn whole(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl LinkLimits {
    /// `per_link_per_hour` of each kind for one link, `overall_per_minute`
    /// of each kind for all links together.
    pub fn new(per_link_per_hour: u32, overall_per_minute: u32) -> Self {
        let per_link = Quota::per_hour(whole(per_link_per_hour));
        let overall = Quota::per_minute(whole(overall_per_minute));
        Self {
            per_link: Arc::new(std::array::from_fn(|_| RateLimiter::keyed(per_link))),
            overall: Arc::new(std::array::from_fn(|_| RateLimiter::direct(overall))),
        }
    }

    /// Counts one `kind` for `link`, or says how long to wait.
    pub fn admit(&self, link: &LinkId, kind: Costly) -> Result<(), AppError> {
        let wait = |not_until: governor::NotUntil<_>| AppError::TooManyAttempts {
            retry_after_seconds: not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1) as i64,
        };
        let per_link = &self.per_link[kind.index()];
        if per_link.len() > 10_000 {
            per_link.retain_recent();
        }
        per_link.check_key(link).map_err(wait)?;
        self.overall[kind.index()].check().map_err(wait)
    }
}
