//! When a message that could not be delivered is tried again, and when
//! Tenantry stops trying. Times are Unix seconds, passed in.

use serde::{Deserialize, Serialize};

/// Attempts before a message is given up on and shown as failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// The first wait; each later one is four times longer, up to `LONGEST_WAIT`.
const FIRST_WAIT_SECS: i64 = 60;
const LONGEST_WAIT_SECS: i64 = 6 * 3600;

/// Why one delivery attempt failed, as the mail server or network said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum DeliveryFailure {
    /// Worth trying again: a 4xx reply, a refused or dropped connection.
    Transient(String),
    /// Trying again cannot help: a 5xx reply such as an unknown mailbox.
    Permanent(String),
}

impl DeliveryFailure {
    pub fn detail(&self) -> &str {
        match self {
            DeliveryFailure::Transient(detail) | DeliveryFailure::Permanent(detail) => detail,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    RetryAt(i64),
    GiveUp,
}

/// What to do after attempt number `attempts_made` (1 for the first) failed.
pub fn after_failure(attempts_made: i64, failure: &DeliveryFailure, now: i64) -> NextStep {
    if matches!(failure, DeliveryFailure::Permanent(_)) || attempts_made >= MAX_ATTEMPTS {
        return NextStep::GiveUp;
    }
    let exponent = u32::try_from(attempts_made.clamp(1, 16) - 1).unwrap_or(0);
    let wait = FIRST_WAIT_SECS.saturating_mul(4_i64.saturating_pow(exponent));
    NextStep::RetryAt(now + wait.min(LONGEST_WAIT_SECS))
}

/// Where a message stands, as admins see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Waiting for its first attempt, or for the next after a failure.
    Queued,
    Delivered,
    /// Given up on; an admin has to act.
    Failed,
}

impl MessageState {
    /// Where a message stands by whether it was delivered or given up on.
    pub fn of(delivered: bool, failed: bool) -> Self {
        match (delivered, failed) {
            (true, _) => MessageState::Delivered,
            (false, true) => MessageState::Failed,
            (false, false) => MessageState::Queued,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MessageState::Queued => "Not delivered yet",
            MessageState::Delivered => "Delivered",
            MessageState::Failed => "Failed",
        }
    }
}

/// Mail leaves this machine only encrypted: `smtps://`, or `smtp://` with
/// `tls=required` (STARTTLS). Plain `smtp://` is allowed only to a relay on
/// this machine, which is how tests and local mail relays are reached.
pub fn check_smtp_url(url: &str) -> Result<(), String> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        "an smtps:// or smtp:// URL, such as smtps://user:password@mail.example.com".to_owned()
    })?;
    // The user name and password go first, whatever they contain (a `?` or
    // `/` in a password is common): nothing of them may reach a message.
    let after_credentials = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let (authority, query) = match after_credentials.split_once('?') {
        Some((authority, query)) => (authority.trim_end_matches('/'), query),
        None => (after_credentials.trim_end_matches('/'), ""),
    };
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, rest)) => (host, rest.strip_prefix(':')),
            None => (v6, None),
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err("an SMTP URL with a host name".to_owned());
    }
    // `smtp://user:password` without an `@` and a host reads as a host and
    // a port: the port is not echoed, it may be a password.
    if port.is_some_and(|port| port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit())) {
        return Err("an SMTP URL whose port is a number, with any user name and password before an @ and the host".to_owned());
    }
    let host_and_port = match port {
        Some(port) if authority.starts_with('[') => format!("[{host}]:{port}"),
        Some(port) => format!("{host}:{port}"),
        None if authority.starts_with('[') => format!("[{host}]"),
        None => host.to_owned(),
    };
    let local = matches!(host, "localhost" | "127.0.0.1" | "::1");
    match scheme {
        "smtps" => Ok(()),
        "smtp" if local || query.split('&').any(|pair| pair == "tls=required") => Ok(()),
        "smtp" => Err(format!(
            "smtps://{host_and_port} or smtp://{host_and_port}?tls=required: mail to {host} must be encrypted"
        )),
        other => Err(format!("an smtps:// or smtp:// URL, not {other}://")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_leaves_the_machine_only_encrypted() {
        for good in [
            "smtps://user:pw@mail.example.com",
            "smtp://mail.example.com:587?tls=required",
            "smtp://127.0.0.1:2525",
            "smtp://localhost",
            "smtp://[::1]:25",
        ] {
            assert_eq!(check_smtp_url(good), Ok(()), "{good}");
        }
        for bad in [
            "smtp://mail.example.com",
            "smtp://user:pw@mail.example.com:25?tls=opportunistic",
            "http://mail.example.com",
            "mail.example.com",
            "smtp://",
        ] {
            assert!(check_smtp_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_password_never_shows_in_the_complaint_whatever_it_contains() {
        for url in [
            "smtp://mailer:pa?ss/wo#rd@mail.example.com:25",
            "smtp://mailer:pa?tls=required@mail.example.com",
            "smtp://mailer:s3cr@t@mail.example.com",
        ] {
            let complaint = check_smtp_url(url).unwrap_err();
            assert!(
                !complaint.contains("pa") && !complaint.contains("s3cr"),
                "{complaint}"
            );
            assert!(complaint.contains("mail.example.com"), "{complaint}");
        }
        let forgot_the_host = check_smtp_url("smtp://mailer:S3cretPw").unwrap_err();
        assert!(!forgot_the_host.contains("S3cret"), "{forgot_the_host}");
    }

    fn transient() -> DeliveryFailure {
        DeliveryFailure::Transient("421 try later".into())
    }

    #[test]
    fn waits_grow_fourfold_from_a_minute_up_to_six_hours() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| match after_failure(n, &transient(), 0) {
                NextStep::RetryAt(at) => at,
                NextStep::GiveUp => panic!("gave up after {n}"),
            })
            .collect();
        assert_eq!(waits, [60, 240, 960, 3840, 15360, 21600, 21600]);
    }

    #[test]
    fn gives_up_after_the_last_attempt_or_at_once_on_a_permanent_refusal() {
        assert_eq!(
            after_failure(MAX_ATTEMPTS, &transient(), 0),
            NextStep::GiveUp
        );
        assert_eq!(
            after_failure(1, &DeliveryFailure::Permanent("550 no such user".into()), 0),
            NextStep::GiveUp
        );
    }
}
