//! How long a staff sign-in lasts: it ends after a stretch without
//! requests (idle) and, however busy, a fixed time after sign-in
//! (absolute), so a stolen or forgotten session does not live forever.
//! Times are unix seconds.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle_seconds: i64,
    pub absolute_seconds: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Still valid and recently marked as used.
    Live,
    /// Still valid; record this request so the idle time restarts.
    /// (Marking every request would write the session on every click.)
    LiveTouch,
    Ended,
}

/// How often a used session is re-saved, extending its idle expiry.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

impl SessionLimits {
    pub fn judge(&self, signed_in_at: i64, last_seen: i64, now: i64) -> SessionState {
        if now - signed_in_at >= self.absolute_seconds || now - last_seen >= self.idle_seconds {
            SessionState::Ended
        } else if now - last_seen >= TOUCH_EVERY_SECONDS {
            SessionState::LiveTouch
        } else {
            SessionState::Live
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: SessionLimits = SessionLimits {
        idle_seconds: 8 * 3600,
        absolute_seconds: 12 * 3600,
    };

    #[test]
    fn a_used_session_lives_past_the_idle_time_counted_from_sign_in() {
        let hour = 3600;
        assert_eq!(LIMITS.judge(0, 7 * hour, 9 * hour), SessionState::LiveTouch);
        assert_eq!(LIMITS.judge(0, 9 * hour, 9 * hour + 10), SessionState::Live);
    }

    #[test]
    fn an_idle_session_ends() {
        assert_eq!(LIMITS.judge(0, 100, 100 + 8 * 3600), SessionState::Ended);
    }

    #[test]
    fn even_a_busy_session_ends_at_its_absolute_lifetime() {
        let twelve = 12 * 3600;
        assert_eq!(LIMITS.judge(0, twelve - 5, twelve), SessionState::Ended);
        assert_eq!(LIMITS.judge(0, twelve - 5, twelve - 1), SessionState::Live);
    }
}
