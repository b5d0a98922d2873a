//! Watching a registration over time: what it is shown as between checks,
//! when it is next due, and how its history reads as a timeline. A wrong
//! green is the worst thing Tenantry can show, so every path here that
//! lacks a fresh, completed check says so instead of repeating old news.

use crate::evaluation::{credential_findings, CredentialMeta, Status, Verdict};
use crate::finding::{Finding, FindingCode, Severity};
use serde::{Deserialize, Serialize};

/// One stored check, as far as the rules here need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observed {
    pub status: Status,
    pub at: i64,
}

/// What is known about a registration's checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct History {
    /// The newest check of any kind.
    pub latest: Option<Observed>,
    /// The newest check that reached Microsoft and judged the registration.
    pub last_completed: Option<Observed>,
    /// When the current run of could-not-check began, if one is running.
    pub unchecked_since: Option<i64>,
}

/// What a registration is shown as at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub status: Status,
    /// Beside could-not-check and stale: what the last completed check
    /// found, brought up to date with the credential's expiry.
    pub last_known: Option<Status>,
    /// Since when the registration could not be checked, or (stale) when
    /// it last was.
    pub since: Option<i64>,
}

const CREDENTIAL_CODES: [FindingCode; 4] = [
    FindingCode::SecretExpired,
    FindingCode::SecretExpiring,
    FindingCode::CertificateExpired,
    FindingCode::CertificateExpiring,
];

fn status_of(findings: &[Finding]) -> Status {
    match findings.iter().map(|f| f.severity).max() {
        Some(Severity::Failing) => Status::Failing,
        Some(Severity::CouldNotCheck) => Status::CouldNotCheck,
        Some(Severity::Warning) => Status::Warning,
        Some(Severity::Info) | None => Status::Healthy,
    }
}

/// A stored verdict with its expiry findings re-evaluated at `now`: a
/// secret that expired since the check is failing even if Microsoft cannot
/// be asked again.
pub fn refreshed(verdict: &Verdict, credential: Option<CredentialMeta>, now: i64) -> Verdict {
    let mut findings: Vec<Finding> = verdict
        .findings
        .iter()
        .filter(|f| !CREDENTIAL_CODES.contains(&f.code))
        .cloned()
        .collect();
    let mut fresh = credential_findings(credential, now);
    fresh.append(&mut findings);
    let status = if verdict.status.is_completed() {
        status_of(&fresh)
    } else {
        verdict.status
    };
    Verdict {
        status,
        findings: fresh,
        ..verdict.clone()
    }
}

/// A stored check's finding codes with the expiry codes re-evaluated at
/// `now`, as `refreshed` does for a whole verdict.
pub fn refreshed_codes(
    codes: &[FindingCode],
    credential: Option<CredentialMeta>,
    now: i64,
) -> Vec<FindingCode> {
    credential_findings(credential, now)
        .into_iter()
        .map(|f| f.code)
        .chain(
            codes
                .iter()
                .copied()
                .filter(|code| !CREDENTIAL_CODES.contains(code)),
        )
        .collect()
}

/// The first instant after `now` at which `standing` may answer
/// differently without a new check: the registration turns stale, or its
/// credential crosses an expiry threshold. A reading of standings made at
/// `now` is true until then (and no longer).
pub fn standing_changes_at(
    history: &History,
    credential: Option<CredentialMeta>,
    interval_secs: i64,
    now: i64,
) -> Option<i64> {
    let stale = history
        .last_completed
        .or(history.latest)
        // Stale is strictly older than twice the interval.
        .map(|seen| seen.at + 2 * interval_secs + 1);
    let expiry = credential.into_iter().flat_map(|c| {
        crate::credential::EXPIRY_WARNING_DAYS
            .iter()
            .map(move |days| c.expires_at - days * 86_400)
            .chain([c.expires_at])
    });
    stale.into_iter().chain(expiry).filter(|at| *at > now).min()
}

/// What the expiry alone does to a status that was true when it was seen.
fn aged(status: Status, credential: Option<CredentialMeta>, now: i64) -> Status {
    let expiry = status_of(&credential_findings(credential, now));
    match (status, expiry) {
        (_, Status::Failing) => Status::Failing,
        (Status::Healthy, Status::Warning) => Status::Warning,
        (status, _) => status,
    }
}

/// What a registration is shown as at `now`, from its history, the expiry
/// of the credential Tenantry holds and the check interval.
pub fn standing(
    history: &History,
    credential: Option<CredentialMeta>,
    interval_secs: i64,
    now: i64,
) -> Standing {
    let last_known = history
        .last_completed
        .map(|seen| aged(seen.status, credential, now));
    let expired = aged(Status::Healthy, credential, now) == Status::Failing;
    let Some(latest) = history.latest else {
        let status = if expired {
            Status::Failing
        } else {
            Status::NeverChecked
        };
        return Standing {
            status,
            last_known: None,
            since: None,
        };
    };
    let stale_before = now - 2 * interval_secs;
    let (status, since) = match history.last_completed {
        _ if expired => (Status::Failing, None),
        Some(seen) if seen.at < stale_before => (Status::Stale, Some(seen.at)),
        None if latest.at < stale_before => (Status::Stale, None),
        _ if !latest.status.is_completed() => (
            Status::CouldNotCheck,
            history.unchecked_since.or(Some(latest.at)),
        ),
        _ => (aged(latest.status, credential, now), None),
    };
    Standing {
        status,
        last_known: (!status.is_completed()).then_some(last_known).flatten(),
        since,
    }
}

/// When a registration checked at `checked_at` is next due: the interval,
/// spread by ±10% with `jitter` (uniform in [0, 1)) so that registrations
/// added together do not stay in step and checks do not burst at the hour.
pub fn next_due(checked_at: i64, interval_secs: i64, jitter: f64) -> i64 {
    let spread = (interval_secs as f64 * 0.2 * (jitter.clamp(0.0, 1.0) - 0.5)) as i64;
    checked_at + interval_secs + spread
}

/// After a consent link is opened, the registration is watched this long.
pub const CONSENT_WATCH_SECS: i64 = 15 * 60;
/// How often it is checked meanwhile, until consent is seen.
pub const CONSENT_RECHECK_SECS: i64 = 60;

/// Whether a check finished at `finished_at` must be followed by another
/// within a minute: someone opened a consent link (watching until
/// `watch_until`) and consent is not yet seen (missing, or Microsoft could
/// not be asked).
pub fn awaiting_consent(verdict: &Verdict, watch_until: Option<i64>, finished_at: i64) -> bool {
    let watching = watch_until.is_some_and(|until| until > finished_at);
    let consent_seen = verdict.status.is_completed()
        && !verdict.findings.iter().any(|f| {
            matches!(
                f.code,
                FindingCode::ConsentMissing | FindingCode::PermissionMissing
            )
        });
    watching && !consent_seen
}

/// After a check that could not reach Microsoft, the next one comes this
/// soon (or at the interval, if shorter): an outage or a network blip
/// should not leave a registration unknown for hours.
pub const RETRY_UNCHECKED_SECS: i64 = 10 * 60;

/// When a registration whose check just ended with `status` is next due.
pub fn next_due_after(status: Status, checked_at: i64, interval_secs: i64, jitter: f64) -> i64 {
    match status {
        Status::CouldNotCheck => {
            next_due(checked_at, interval_secs.min(RETRY_UNCHECKED_SECS), jitter)
        }
        _ => next_due(checked_at, interval_secs, jitter),
    }
}

/// One entry of a timeline: consecutive checks with the same result folded
/// together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run<T> {
    pub status: Status,
    pub codes: Vec<FindingCode>,
    /// The newest check of the run first, as the timeline lists them.
    pub checks: Vec<T>,
    /// The status differs from the run before it (older in time).
    pub changed: bool,
}

/// Folds checks, newest first, into runs of identical results (status and
/// finding codes).
pub fn fold<T: Clone>(newest_first: &[(Status, Vec<FindingCode>, T)]) -> Vec<Run<T>> {
    let mut runs: Vec<Run<T>> = Vec::new();
    for (status, codes, item) in newest_first {
        match runs.last_mut() {
            Some(run) if run.status == *status && run.codes == *codes => {
                run.checks.push(item.clone())
            }
            _ => runs.push(Run {
                status: *status,
                codes: codes.clone(),
                checks: vec![item.clone()],
                changed: false,
            }),
        }
    }
    for i in 0..runs.len() {
        runs[i].changed = runs
            .get(i + 1)
            .is_some_and(|older| older.status != runs[i].status);
    }
    runs
}

/// The worst status seen on each of the last `days` days (oldest first),
/// `None` for a day without checks. Days are UTC.
pub fn daily_worst(checks: &[Observed], days: usize, now: i64) -> Vec<Option<Status>> {
    const DAY: i64 = 86_400;
    let today = now.div_euclid(DAY);
    let mut strip = vec![None; days];
    for check in checks {
        let age = today - check.at.div_euclid(DAY);
        if age < 0 || age >= days as i64 {
            continue;
        }
        let slot = &mut strip[days - 1 - age as usize];
        *slot = Some(match *slot {
            Some(seen) if severity_rank(seen) >= severity_rank(check.status) => seen,
            _ => check.status,
        });
    }
    strip
}

/// Order of concern: failing is worst; never-checked says least.
pub fn severity_rank(status: Status) -> u8 {
    match status {
        Status::Failing => 5,
        Status::CouldNotCheck => 4,
        Status::Stale => 3,
        Status::Warning => 2,
        Status::Healthy => 1,
        Status::NeverChecked => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::CredentialKind;

    const HOUR: i64 = 3600;
    const DAY: i64 = 24 * HOUR;
    const NOW: i64 = 1_800_000_000;
    const INTERVAL: i64 = 6 * HOUR;

    fn seen(status: Status, ago: i64) -> Option<Observed> {
        Some(Observed {
            status,
            at: NOW - ago,
        })
    }

    fn secret(expires_in: i64) -> Option<CredentialMeta> {
        Some(CredentialMeta {
            kind: CredentialKind::Secret,
            expires_at: NOW + expires_in,
        })
    }

    #[test]
    fn a_standing_holds_until_the_registration_turns_stale_or_its_secret_crosses_a_threshold() {
        let history = History {
            latest: seen(Status::Healthy, HOUR),
            last_completed: seen(Status::Healthy, HOUR),
            unchecked_since: None,
        };
        let stale_at = NOW - HOUR + 2 * INTERVAL + 1;
        assert_eq!(
            standing_changes_at(&history, secret(100 * DAY), INTERVAL, NOW),
            Some(stale_at)
        );
        // The secret enters its 30-day warning before the registration
        // turns stale.
        let warns_at = NOW + 2 * HOUR;
        let credential = secret(30 * DAY + 2 * HOUR);
        assert_eq!(
            standing_changes_at(&history, credential, INTERVAL, NOW),
            Some(warns_at)
        );
        let just_before = standing(&history, credential, INTERVAL, warns_at - 1);
        let at_the_instant = standing(&history, credential, INTERVAL, warns_at);
        assert_eq!(just_before.status, Status::Healthy);
        assert_eq!(at_the_instant.status, Status::Warning);
        let just_before = standing(&history, secret(100 * DAY), INTERVAL, stale_at - 1);
        let at_the_instant = standing(&history, secret(100 * DAY), INTERVAL, stale_at);
        assert_eq!(just_before.status, Status::Healthy);
        assert_eq!(at_the_instant.status, Status::Stale);
    }

    #[test]
    fn stored_finding_codes_are_brought_up_to_date_with_the_expiry() {
        let stored = [FindingCode::SecretExpiring, FindingCode::ConsentMissing];
        assert_eq!(
            refreshed_codes(&stored, secret(-HOUR), NOW),
            vec![FindingCode::SecretExpired, FindingCode::ConsentMissing]
        );
        assert_eq!(
            refreshed_codes(&stored, secret(100 * DAY), NOW),
            vec![FindingCode::ConsentMissing]
        );
    }

    #[test]
    fn a_registration_never_checked_says_so() {
        let shown = standing(&History::default(), secret(90 * DAY), INTERVAL, NOW);
        assert_eq!(shown.status, Status::NeverChecked);
    }

    #[test]
    fn an_expired_credential_is_failing_without_asking_microsoft() {
        let never = standing(&History::default(), secret(-DAY), INTERVAL, NOW);
        assert_eq!(never.status, Status::Failing);
        let unreachable = History {
            latest: seen(Status::CouldNotCheck, HOUR),
            last_completed: seen(Status::Healthy, 3 * HOUR),
            unchecked_since: Some(NOW - HOUR),
        };
        assert_eq!(
            standing(&unreachable, secret(-1), INTERVAL, NOW).status,
            Status::Failing
        );
    }

    #[test]
    fn a_healthy_result_turns_to_warning_as_the_secret_nears_expiry() {
        let history = History {
            latest: seen(Status::Healthy, HOUR),
            last_completed: seen(Status::Healthy, HOUR),
            unchecked_since: None,
        };
        assert_eq!(
            standing(&history, secret(10 * DAY), INTERVAL, NOW).status,
            Status::Warning
        );
        assert_eq!(
            standing(&history, secret(60 * DAY), INTERVAL, NOW).status,
            Status::Healthy
        );
    }

    #[test]
    fn could_not_check_keeps_the_last_known_status_beside_it_and_is_never_healthy() {
        let history = History {
            latest: seen(Status::CouldNotCheck, HOUR),
            last_completed: seen(Status::Healthy, 5 * HOUR),
            unchecked_since: Some(NOW - 2 * HOUR),
        };
        let shown = standing(&history, secret(90 * DAY), INTERVAL, NOW);
        assert_eq!(shown.status, Status::CouldNotCheck);
        assert_eq!(shown.last_known, Some(Status::Healthy));
        assert_eq!(shown.since, Some(NOW - 2 * HOUR));
    }

    #[test]
    fn a_registration_is_stale_once_its_last_completed_check_is_older_than_twice_the_interval() {
        let just_fresh = History {
            latest: seen(Status::Healthy, 2 * INTERVAL),
            last_completed: seen(Status::Healthy, 2 * INTERVAL),
            unchecked_since: None,
        };
        assert_eq!(
            standing(&just_fresh, secret(90 * DAY), INTERVAL, NOW).status,
            Status::Healthy
        );
        let stale = History {
            latest: seen(Status::Healthy, 2 * INTERVAL + 1),
            last_completed: seen(Status::Healthy, 2 * INTERVAL + 1),
            unchecked_since: None,
        };
        let shown = standing(&stale, secret(90 * DAY), INTERVAL, NOW);
        assert_eq!(shown.status, Status::Stale);
        assert_eq!(shown.last_known, Some(Status::Healthy));
        assert_eq!(shown.since, Some(NOW - 2 * INTERVAL - 1));
        let failing_to_check_for_long = History {
            latest: seen(Status::CouldNotCheck, HOUR),
            last_completed: seen(Status::Healthy, 3 * INTERVAL),
            unchecked_since: Some(NOW - 3 * INTERVAL + HOUR),
        };
        assert_eq!(
            standing(&failing_to_check_for_long, secret(90 * DAY), INTERVAL, NOW).status,
            Status::Stale
        );
    }

    #[test]
    fn a_stored_verdict_gets_fresh_expiry_findings() {
        let verdict = Verdict {
            status: Status::Healthy,
            permissions: vec![],
            extra_permissions: vec![],
            findings: vec![],
            last_known: None,
        };
        let later = refreshed(&verdict, secret(3 * DAY), NOW);
        assert_eq!(later.status, Status::Warning);
        assert_eq!(later.findings[0].code, FindingCode::SecretExpiring);
        let expired = refreshed(&later, secret(-DAY), NOW);
        assert_eq!(expired.status, Status::Failing);
        assert_eq!(
            expired.findings.len(),
            1,
            "the old expiry finding is replaced"
        );
        assert_eq!(expired.findings[0].code, FindingCode::SecretExpired);
    }

    #[test]
    fn due_times_spread_around_the_interval() {
        assert_eq!(next_due(NOW, INTERVAL, 0.5), NOW + INTERVAL);
        assert_eq!(next_due(NOW, INTERVAL, 0.0), NOW + INTERVAL - INTERVAL / 10);
        assert!(next_due(NOW, INTERVAL, 0.999) < NOW + INTERVAL + INTERVAL / 10);
    }

    #[test]
    fn a_check_that_could_not_reach_microsoft_is_retried_within_minutes() {
        let retry = next_due_after(Status::CouldNotCheck, NOW, INTERVAL, 0.5);
        assert_eq!(retry, NOW + RETRY_UNCHECKED_SECS);
        assert_eq!(
            next_due_after(Status::Failing, NOW, INTERVAL, 0.5),
            NOW + INTERVAL
        );
        assert_eq!(
            next_due_after(Status::CouldNotCheck, NOW, 300, 0.5),
            NOW + 300
        );
    }

    #[test]
    fn identical_consecutive_results_fold_and_changes_stand_out() {
        let checks = vec![
            (Status::Healthy, vec![], 4),
            (Status::Healthy, vec![], 3),
            (Status::Failing, vec![FindingCode::ConsentMissing], 2),
            (Status::Failing, vec![FindingCode::ConsentMissing], 1),
        ];
        let runs = fold(&checks);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].checks, vec![4, 3]);
        assert!(runs[0].changed);
        assert!(!runs[1].changed, "the oldest run has nothing before it");
    }

    #[test]
    fn the_strip_shows_the_worst_status_of_each_day() {
        let checks = [
            seen(Status::Healthy, HOUR).unwrap(),
            seen(Status::Failing, 2 * HOUR).unwrap(),
            seen(Status::Healthy, 3 * DAY).unwrap(),
            seen(Status::Healthy, 40 * DAY).unwrap(),
        ];
        // NOW is 08:00 UTC, so both of today's checks fall on one day.
        assert_eq!(NOW.rem_euclid(DAY), 8 * HOUR);
        let strip = daily_worst(&checks, 30, NOW);
        assert_eq!(strip.len(), 30);
        assert_eq!(strip[29], Some(Status::Failing));
        assert_eq!(strip[26], Some(Status::Healthy));
        assert_eq!(
            strip.iter().flatten().count(),
            2,
            "the 40-day-old check is off the strip"
        );
    }
}
