use std::time::Duration;

/// How hard to try before giving up: bounded attempts, exponential backoff
/// with full jitter, and Microsoft's `Retry-After` honoured up to a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this ends the attempt instead of waiting.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// For checks that run unattended: one attempt, never a sleep while a
    /// concurrency slot is held. The caller backs the whole tenant off when
    /// Microsoft asks it to wait, and tries again within minutes after a
    /// network error or an outage.
    pub fn unattended() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_retry_after: Duration::ZERO,
        }
    }

    /// How long to wait before attempt `attempt + 1` (attempts count from 1),
    /// or `None` to stop.
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => {
                let ceiling = self
                    .base_delay
                    .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
                    .min(self.max_delay);
                Some(ceiling.mul_f64(jitter.clamp(0.0, 1.0)))
            }
        }
    }
}

/// `Retry-After` in seconds (Microsoft sends seconds, not dates).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_within_its_limit() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2)), 0.5),
            Some(Duration::from_secs(2))
        );
        assert_eq!(policy.delay(1, Some(Duration::from_secs(120)), 0.5), None);
    }

    #[test]
    fn backoff_grows_is_capped_and_stops_after_the_last_attempt() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, None, 1.0), Some(Duration::from_millis(500)));
        assert_eq!(policy.delay(2, None, 1.0), Some(Duration::from_secs(1)));
        assert_eq!(policy.delay(3, None, 1.0), Some(Duration::from_secs(2)));
        assert_eq!(policy.delay(4, None, 1.0), None);
        let long = RetryPolicy {
            max_attempts: 20,
            ..policy
        };
        assert_eq!(long.delay(12, None, 1.0), Some(Duration::from_secs(8)));
        assert!(long.delay(3, None, 0.25).unwrap() <= Duration::from_millis(500));
    }
}
