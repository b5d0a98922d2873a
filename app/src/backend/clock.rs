//! Where the server learns the time. Production reads the system clock;
//! tests hold a `ManualClock` and set exact instants (an expiry, a 72-hour
//! window) instead of rewriting stored dates. Pure rules never read a clock:
//! they take `now` as an argument.

use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

#[derive(Clone)]
pub struct Clock(Source);

#[derive(Clone)]
enum Source {
    System,
    Manual(ManualClock),
}

impl Clock {
    pub fn system() -> Self {
        Clock(Source::System)
    }

    pub fn now(&self) -> OffsetDateTime {
        match &self.0 {
            Source::System => OffsetDateTime::now_utc(),
            Source::Manual(manual) => manual.now(),
        }
    }
}

impl From<ManualClock> for Clock {
    fn from(manual: ManualClock) -> Self {
        Clock(Source::Manual(manual))
    }
}

/// A clock that only moves when told to. Clones share the same time.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    pub fn starting_at(at: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    pub fn now(&self) -> OffsetDateTime {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn set(&self, at: OffsetDateTime) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = at;
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let manual = ManualClock::starting_at(datetime!(2026-11-22 12:00 UTC));
        let clock = Clock::from(manual.clone());
        assert_eq!(clock.now(), datetime!(2026-11-22 12:00 UTC));
        manual.advance(time::Duration::hours(73));
        assert_eq!(clock.now(), datetime!(2026-11-25 13:00 UTC));
        manual.set(datetime!(2027-01-01 0:00 UTC));
        assert_eq!(clock.clone().now(), datetime!(2027-01-01 0:00 UTC));
    }
}
