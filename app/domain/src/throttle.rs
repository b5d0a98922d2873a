//! How many wrong passwords (or second-factor codes) a key may take before
//! it waits. Password failures are counted per address typed, whether or
//! not an account has it, so the answer never reveals which addresses
//! exist. Beyond the allowance each further failure doubles the wait, up to
//! a ceiling; failures count for a day, so a patient guesser gets a few
//! dozen tries a day, not hundreds. Times are unix seconds.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInThrottle {
    /// Failures within the window that are let through without waiting.
    pub allowed_failures: usize,
    pub window_seconds: i64,
    /// The wait after the first failure beyond the allowance.
    pub first_wait_seconds: i64,
    pub longest_wait_seconds: i64,
}

impl Default for SignInThrottle {
    /// Five failures, then one minute, two, four… up to an hour; failures
    /// are forgotten after a day or at the next successful sign-in.
    fn default() -> Self {
        Self {
            allowed_failures: 5,
            window_seconds: 24 * 3600,
            first_wait_seconds: 60,
            longest_wait_seconds: 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Allowed,
    /// Refused without checking the password, for this many more seconds.
    Wait {
        seconds: i64,
    },
}

impl SignInThrottle {
    /// `failures` are the times of the address's failed sign-ins, in any
    /// order; those older than the window no longer count.
    pub fn judge(&self, failures: &[i64], now: i64) -> Admission {
        let recent: Vec<i64> = failures
            .iter()
            .copied()
            .filter(|at| now - at < self.window_seconds)
            .collect();
        if recent.len() < self.allowed_failures {
            return Admission::Allowed;
        }
        let beyond = (recent.len() - self.allowed_failures).min(30) as u32;
        let wait = self
            .first_wait_seconds
            .saturating_mul(1i64 << beyond)
            .min(self.longest_wait_seconds);
        let newest = recent.iter().copied().max().unwrap_or(now);
        let remaining = newest + wait - now;
        if remaining > 0 {
            Admission::Wait { seconds: remaining }
        } else {
            Admission::Allowed
        }
    }

    /// Failures older than this are of no further use.
    pub fn forget_before(&self, now: i64) -> i64 {
        now - self.window_seconds
    }
}

/// "Try again in 3 minutes": whole minutes, rounded up, never zero.
pub fn wait_in_words(seconds: i64) -> String {
    let minutes = ((seconds.max(1) + 59) / 60).max(1);
    if minutes == 1 {
        "Try again in a minute.".to_owned()
    } else {
        format!("Try again in {minutes} minutes.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: SignInThrottle = SignInThrottle {
        allowed_failures: 5,
        window_seconds: 900,
        first_wait_seconds: 60,
        longest_wait_seconds: 900,
    };

    #[test]
    fn five_failures_are_let_through() {
        assert_eq!(T.judge(&[0, 1, 2, 3], 10), Admission::Allowed);
    }

    #[test]
    fn the_fifth_failure_makes_the_next_attempt_wait_a_minute() {
        assert_eq!(
            T.judge(&[0, 1, 2, 3, 4], 10),
            Admission::Wait { seconds: 54 }
        );
        assert_eq!(T.judge(&[0, 1, 2, 3, 4], 64), Admission::Allowed);
    }

    #[test]
    fn each_further_failure_doubles_the_wait_up_to_the_ceiling() {
        let six = [0, 1, 2, 3, 4, 100];
        assert_eq!(T.judge(&six, 100), Admission::Wait { seconds: 120 });
        let many: Vec<i64> = (0..12).map(|i| i * 10).collect();
        assert_eq!(T.judge(&many, 110), Admission::Wait { seconds: 900 });
    }

    #[test]
    fn failures_older_than_the_window_no_longer_count() {
        assert_eq!(T.judge(&[0, 1, 2, 3, 4], 900), Admission::Allowed);
    }

    #[test]
    fn the_wait_is_said_in_whole_minutes() {
        assert_eq!(wait_in_words(54), "Try again in a minute.");
        assert_eq!(wait_in_words(61), "Try again in 2 minutes.");
        assert_eq!(wait_in_words(0), "Try again in a minute.");
    }
}
