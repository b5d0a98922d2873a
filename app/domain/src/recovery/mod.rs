//! Company recovery: someone who lost access proves they administer the
//! company's tenant by creating a recovery app registration. It counts only
//! if it was created recently, and repeated failures lock the company's
//! recovery for a while. Times are Unix seconds (UTC), passed in.

use serde::{Deserialize, Serialize};

pub mod checklist;

pub const DEFAULT_WINDOW_SECS: i64 = 72 * 3600;
pub const DEFAULT_MAX_FAILURES: usize = 3;
pub const DEFAULT_LOCKOUT_SECS: i64 = 12 * 3600;
pub const DEFAULT_FAILURE_WINDOW_SECS: i64 = 12 * 3600;
/// An attempt is reserved (and counts as a refusal) while Microsoft is
/// asked, so attempts sent at once all see each other. A verification never
/// takes this long, so a reservation this old belongs to a request that was
/// dropped before its judgement and counts for nothing.
pub const RESERVATION_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum WindowVerdict {
    /// Created within the window: the proof is accepted.
    Accepted { age_secs: i64 },
    /// Created too long ago; the customer must create a new registration.
    Expired { expired_secs_ago: i64 },
    /// The audit log does not show the creation yet (it can lag by minutes):
    /// try again shortly.
    NotYetVisible,
}

/// Judges a recovery registration by when the audit log says it was created.
/// The window is inclusive: at exactly `window_secs` old it is still accepted.
pub fn judge_window(created_at: Option<i64>, verified_at: i64, window_secs: i64) -> WindowVerdict {
    match created_at.map(|created| age_in_window(created, verified_at, window_secs)) {
        None => WindowVerdict::NotYetVisible,
        Some(Ok(age_secs)) => WindowVerdict::Accepted { age_secs },
        Some(Err(expired_secs_ago)) => WindowVerdict::Expired { expired_secs_ago },
    }
}

/// The registration's age when it is inside the window, or by how much it
/// is too old.
pub fn age_in_window(created_at: i64, verified_at: i64, window_secs: i64) -> Result<i64, i64> {
    let age = verified_at - created_at;
    if age <= window_secs {
        Ok(age.max(0))
    } else {
        Err(age - window_secs)
    }
}

/// How long the recovery page keeps looking for a creation the audit log
/// does not show yet (it usually appears within minutes).
pub const KEEP_LOOKING_SECS: u64 = 30 * 60;

/// The wait before the page looks again, after `looks` looks that found
/// nothing and `waited` seconds in all; None when it is time to stop and
/// say so. Starts at 15 seconds, doubles, and never waits more than five
/// minutes at a time.
pub fn next_look(looks: u32, waited: u64) -> Option<u64> {
    let delay = 15u64
        .saturating_mul(2u64.saturating_pow(looks.saturating_sub(1)))
        .min(300);
    (waited + delay <= KEEP_LOOKING_SECS).then_some(delay)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: i64,
    pub succeeded: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limiter {
    pub max_failures: usize,
    /// Failures count only this long: three in twelve hours lock, three in
    /// a month do not.
    pub window_secs: i64,
    pub lockout_secs: i64,
}

impl Default for Limiter {
    fn default() -> Self {
        Self {
            max_failures: DEFAULT_MAX_FAILURES,
            window_secs: DEFAULT_FAILURE_WINDOW_SECS,
            lockout_secs: DEFAULT_LOCKOUT_SECS,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AttemptGate {
    Open { failures_left: usize },
    LockedUntil { until: i64 },
}

impl Limiter {
    /// Whether a company may try again at `now`, given its attempt history.
    /// Failures count within the window, since the last success and since
    /// the end of the last lockout; the lockout starts at the failure that
    /// reached the limit, and attempts during it do not extend it.
    pub fn gate(&self, history: &[Attempt], now: i64) -> AttemptGate {
        let mut attempts: Vec<Attempt> = history.iter().copied().filter(|a| a.at <= now).collect();
        attempts.sort_by_key(|a| a.at);
        let mut failures: Vec<i64> = Vec::new();
        let mut locked_until: Option<i64> = None;
        for attempt in attempts {
            if let Some(until) = locked_until {
                if attempt.at < until {
                    continue;
                }
                locked_until = None;
                failures.clear();
            }
            if attempt.succeeded {
                failures.clear();
            } else {
                failures.retain(|&at| at > attempt.at - self.window_secs);
                failures.push(attempt.at);
                if failures.len() >= self.max_failures {
                    locked_until = Some(attempt.at + self.lockout_secs);
                }
            }
        }
        match locked_until {
            Some(until) if now < until => AttemptGate::LockedUntil { until },
            Some(_) => AttemptGate::Open {
                failures_left: self.max_failures,
            },
            None => {
                let recent = failures
                    .iter()
                    .filter(|&&at| at > now - self.window_secs)
                    .count();
                AttemptGate::Open {
                    failures_left: self.max_failures.saturating_sub(recent),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOUR: i64 = 3600;

    #[test]
    fn the_window_is_seventy_two_hours_inclusive() {
        let created = 1_000_000;
        let table = [
            (0, WindowVerdict::Accepted { age_secs: 0 }),
            (
                71 * HOUR,
                WindowVerdict::Accepted {
                    age_secs: 71 * HOUR,
                },
            ),
            (
                72 * HOUR,
                WindowVerdict::Accepted {
                    age_secs: 72 * HOUR,
                },
            ),
            (
                72 * HOUR + 1,
                WindowVerdict::Expired {
                    expired_secs_ago: 1,
                },
            ),
            (
                80 * HOUR,
                WindowVerdict::Expired {
                    expired_secs_ago: 8 * HOUR,
                },
            ),
        ];
        for (age, expected) in table {
            assert_eq!(
                judge_window(Some(created), created + age, DEFAULT_WINDOW_SECS),
                expected,
                "age {age}"
            );
        }
    }

    #[test]
    fn a_creation_not_yet_in_the_audit_log_is_retried_not_refused() {
        assert_eq!(
            judge_window(None, 5, DEFAULT_WINDOW_SECS),
            WindowVerdict::NotYetVisible
        );
    }

    fn failed(at: i64) -> Attempt {
        Attempt {
            at,
            succeeded: false,
        }
    }

    #[test]
    fn three_failures_lock_recovery_for_twelve_hours() {
        let limiter = Limiter::default();
        let history = [failed(0), failed(10), failed(20)];
        assert_eq!(
            limiter.gate(&history[..2], 30),
            AttemptGate::Open { failures_left: 1 }
        );
        assert_eq!(
            limiter.gate(&history, 30),
            AttemptGate::LockedUntil {
                until: 20 + 12 * HOUR
            }
        );
        assert_eq!(
            limiter.gate(&history, 20 + 12 * HOUR - 1),
            AttemptGate::LockedUntil {
                until: 20 + 12 * HOUR
            }
        );
        assert_eq!(
            limiter.gate(&history, 20 + 12 * HOUR),
            AttemptGate::Open { failures_left: 3 }
        );
    }

    #[test]
    fn a_success_resets_the_failure_count() {
        let history = [
            failed(0),
            failed(1),
            Attempt {
                at: 2,
                succeeded: true,
            },
            failed(3),
        ];
        assert_eq!(
            Limiter::default().gate(&history, 4),
            AttemptGate::Open { failures_left: 2 }
        );
    }

    #[test]
    fn the_page_looks_again_sooner_first_and_stops_after_half_an_hour() {
        let mut waits = Vec::new();
        let (mut looks, mut waited) = (1, 0);
        while let Some(delay) = next_look(looks, waited) {
            waits.push(delay);
            waited += delay;
            looks += 1;
        }
        assert_eq!(&waits[..6], [15, 30, 60, 120, 240, 300]);
        assert!(waits[6..].iter().all(|&wait| wait == 300));
        assert!(
            waited <= KEEP_LOOKING_SECS && waited + 300 > KEEP_LOOKING_SECS,
            "{waited}"
        );
    }

    #[test]
    fn failures_further_apart_than_the_window_do_not_lock() {
        let history = [failed(0), failed(13 * HOUR), failed(26 * HOUR)];
        assert_eq!(
            Limiter::default().gate(&history, 26 * HOUR),
            AttemptGate::Open { failures_left: 2 }
        );
        assert_eq!(
            Limiter::default().gate(&history[..1], 13 * HOUR),
            AttemptGate::Open { failures_left: 3 },
            "a failure older than the window no longer counts"
        );
    }

    #[test]
    fn attempts_during_a_lockout_do_not_extend_it() {
        let history = [failed(0), failed(1), failed(2), failed(100), failed(200)];
        assert_eq!(
            Limiter::default().gate(&history, 300),
            AttemptGate::LockedUntil {
                until: 2 + 12 * HOUR
            }
        );
    }

    proptest! {
        #[test]
        fn the_window_boundary_is_exact(created in 0i64..1_000_000_000, window in 1i64..1_000_000) {
            let at_edge = judge_window(Some(created), created + window, window);
            let past_edge = judge_window(Some(created), created + window + 1, window);
            prop_assert!(matches!(at_edge, WindowVerdict::Accepted { .. }), "at the edge");
            prop_assert_eq!(past_edge, WindowVerdict::Expired { expired_secs_ago: 1 });
        }

        #[test]
        fn fewer_failures_than_the_limit_never_lock(times in proptest::collection::vec(0i64..1_000_000, 0..3)) {
            let history: Vec<Attempt> = times.iter().map(|&at| failed(at)).collect();
            let gate = Limiter::default().gate(&history, 2_000_000);
            prop_assert!(matches!(gate, AttemptGate::Open { .. }), "open");
        }
    }
}
