//! One registration's alerts at one instant, from what people were last
//! told about it (`Told`, stored beside it) and what the watch shows now
//! (`Seen`): the rules of `alerts` applied together, with flapping,
//! acknowledgements and the next instant worth looking again. Then, over
//! one organisation's registrations at once, the mass failures folded into
//! one alert each. Times are Unix seconds, passed in.

use crate::alerts::{
    delivery, expiry_telling, newly_extra, telling, Cause, Delivery, Event, Now, Problem,
    FLAPPING_WINDOW_SECS, MASS_FAILURE_AT_LEAST,
};
use crate::evaluation::Status;
use crate::finding::FindingCode;

/// What people were last told about a registration, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Told {
    pub problem: Option<Problem>,
    /// The expiry step last told (see `alerts::expiry_step`).
    pub expiry_step: Option<i64>,
    /// The extra permissions of the last completed check seen; None until
    /// one was seen.
    pub extras: Option<Vec<String>>,
    /// When its state changed lately, for flapping.
    pub changes: Vec<i64>,
    /// Told that it keeps changing; quiet until it settles.
    pub summarised: bool,
    /// Something was held back by an acknowledgement: when that ends with
    /// the problem still there, it is told again.
    pub silenced: bool,
}

/// What the watch shows for the registration now.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub now: Now<'a>,
    /// When the credential Tenantry holds expires, if known.
    pub expires_at: Option<i64>,
    /// The extra permissions of its last completed check; None if no check
    /// has completed.
    pub extras: Option<&'a [String]>,
    /// An acknowledgement that holds for its current problem.
    pub acknowledged: Option<Acknowledged>,
    /// When the watch may show something else without a new check (stale,
    /// an expiry step): `watch::standing_changes_at`.
    pub standing_changes_at: Option<i64>,
}

/// What staff set aside on the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acknowledged {
    /// When it ends, if an end was set.
    pub until: Option<i64>,
    /// The headline finding acknowledged (None for stale or could-not-check).
    pub headline: Option<FindingCode>,
}

const EXPIRY_CODES: [FindingCode; 4] = [
    FindingCode::SecretExpiring,
    FindingCode::SecretExpired,
    FindingCode::CertificateExpiring,
    FindingCode::CertificateExpired,
];

/// Whether an acknowledgement of `headline` holds back `event`: the
/// registration's state is what was set aside, and so are expiry steps
/// when the credential's expiry was, and new extra permissions when those
/// were; anything else (and the end of a problem) is still told.
fn silenced_by(event: &Event, headline: Option<FindingCode>) -> bool {
    match event {
        Event::Resolved { .. } | Event::Settled => false,
        Event::CredentialExpiring { .. } | Event::CredentialExpired { .. } => {
            headline.is_some_and(|code| EXPIRY_CODES.contains(&code))
        }
        Event::ExtraPermission { .. } => headline == Some(FindingCode::ExtraPermission),
        _ => true,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessed {
    /// What to tell, in order.
    pub events: Vec<Event>,
    /// What people will then have been told.
    pub told: Told,
    /// When to look again without a new check, if ever.
    pub recheck_at: Option<i64>,
}

const EXPIRY_FINDINGS: [FindingCode; 2] =
    [FindingCode::SecretExpired, FindingCode::CertificateExpired];

/// The event of a problem told on its own, as if nothing had been before.
fn told_afresh(problem: Problem, since: Option<i64>, at: i64) -> Event {
    match problem {
        Problem::Failing(Some(FindingCode::ConsentMissing)) => Event::ConsentRemoved,
        Problem::Failing(finding) => Event::Failing { finding },
        Problem::CouldNotCheck => Event::CouldNotCheck {
            since: since.unwrap_or(at),
        },
        Problem::Stale => Event::Stale,
    }
}

/// The alerts for one registration at `at`. Could-not-check waits
/// `patience` seconds before it is a problem.
pub fn assess(told: &Told, seen: &Seen<'_>, patience: i64, at: i64) -> Assessed {
    let mut events = Vec::new();
    let mut next = told.clone();
    next.changes
        .retain(|change| at - change < FLAPPING_WINDOW_SECS);

    let state = telling(told.problem, seen.now, patience, at);
    next.problem = state.told;
    if let Some(event) = state.event {
        match delivery(&next.changes, told.summarised, at) {
            Delivery::Send => {
                next.summarised = false;
                events.push(event);
            }
            Delivery::Summarise { changes } => {
                next.summarised = true;
                events.push(Event::Flapping { changes });
            }
            Delivery::Quiet => {}
        }
        next.changes.push(at);
    } else if told.summarised && next.changes.is_empty() {
        // A whole window without a change: it has settled where it is, if
        // that is known. Could-not-check within its patience and never
        // checked are not "works": it stays summarised until they are.
        match next.problem {
            Some(problem) => {
                next.summarised = false;
                events.push(told_afresh(problem, seen.now.since, at));
            }
            None if matches!(seen.now.status, Status::Healthy | Status::Warning) => {
                next.summarised = false;
                events.push(Event::Settled);
            }
            None => {}
        }
    }

    let (expiry, step) = match seen.expires_at {
        Some(expires_at) => expiry_telling(expires_at, told.expiry_step, at),
        None => (None, None),
    };
    next.expiry_step = step;
    if let Some(expiry) = expiry {
        // An expired credential is one alert, not also "failing" for it.
        if matches!(expiry, Event::CredentialExpired { .. }) {
            events.retain(|event| {
                !matches!(event, Event::Failing { finding: Some(f) } if EXPIRY_FINDINGS.contains(f))
            });
        }
        events.push(expiry);
    }

    if let Some(extras) = seen.extras {
        let new = newly_extra(told.extras.as_deref(), extras);
        if !new.is_empty() {
            events.push(Event::ExtraPermission { permissions: new });
        }
        next.extras = Some(extras.to_vec());
    }

    match seen.acknowledged {
        Some(acknowledged) => {
            let before = events.len();
            events.retain(|event| !silenced_by(event, acknowledged.headline));
            next.silenced |= events.len() < before;
        }
        None if told.silenced => {
            next.silenced = false;
            // The acknowledgement ended and the problem is still there.
            if events.is_empty() && !next.summarised {
                if let Some(problem) = next.problem {
                    events.push(told_afresh(problem, seen.now.since, at));
                }
            }
        }
        None => {}
    }
    if next.problem.is_none() {
        next.silenced = false;
    }

    let patience_ends = match (seen.now.status, seen.now.since) {
        (Status::CouldNotCheck, Some(since)) if next.problem != Some(Problem::CouldNotCheck) => {
            Some(since + patience)
        }
        _ => None,
    };
    let settles = next
        .summarised
        .then(|| {
            next.changes
                .iter()
                .max()
                .map(|last| last + FLAPPING_WINDOW_SECS)
        })
        .flatten();
    let acknowledgement_ends = seen.acknowledged.and_then(|a| a.until);
    let recheck_at = [
        patience_ends,
        settles,
        acknowledgement_ends,
        seen.standing_changes_at,
    ]
    .into_iter()
    .flatten()
    .filter(|when| *when > at)
    .min();
    Assessed {
        events,
        told: next,
        recheck_at,
    }
}

/// One organisation's events of one pass, with the mass failures folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded<K> {
    /// Told one by one.
    pub single: Vec<(K, Event)>,
    /// Newly told together: the cause and the registrations in it.
    pub started: Vec<(Cause, Vec<K>)>,
    /// Part of a mass failure (starting or open), or a recovery from one:
    /// told together to channels that hear mass failures, and one by one
    /// to channels that do not (`told_together`).
    pub folded: Vec<(K, Event)>,
}

/// The mass event that tells `event` together with others, for a channel
/// that hears it; a channel that does not is told `event` itself.
pub fn told_together(event: &Event) -> Event {
    match event {
        Event::Resolved { was } => Event::ManyRecovered {
            cause: Cause::of_problem(*was).unwrap_or(Cause::CouldNotCheck),
        },
        other => Event::ManyFailing {
            cause: Cause::of(other).unwrap_or(Cause::CouldNotCheck),
            count: 0,
        },
    }
}

/// Folds a pass's events (keyed by registration) into mass failures: a
/// cause newly shared by enough of them (`alerts::mass_failures`) starts
/// one, and while one is `open`, its cause's failures and their recoveries
/// are not told one by one.
pub fn fold<K: Clone>(
    events: Vec<(K, Event)>,
    open: &[Cause],
    active_registrations: usize,
) -> Folded<K> {
    let only: Vec<Event> = events.iter().map(|(_, event)| event.clone()).collect();
    let started: Vec<Cause> = crate::alerts::mass_failures(&only, active_registrations)
        .into_iter()
        .map(|(cause, _)| cause)
        .filter(|cause| !open.contains(cause))
        .collect();
    let folded = |event: &Event| {
        let cause = match event {
            Event::Resolved { was } => Cause::of_problem(*was),
            other => Cause::of(other),
        };
        cause.filter(|cause| open.contains(cause) || started.contains(cause))
    };
    let mut result = Folded {
        single: Vec::new(),
        started: started.iter().map(|cause| (*cause, Vec::new())).collect(),
        folded: Vec::new(),
    };
    for (key, event) in events {
        match folded(&event) {
            Some(cause) => {
                let is_failure = !matches!(event, Event::Resolved { .. });
                if let Some((_, keys)) = result
                    .started
                    .iter_mut()
                    .find(|(started, _)| *started == cause)
                    .filter(|_| is_failure)
                {
                    keys.push(key.clone());
                }
                result.folded.push((key, event));
            }
            None => result.single.push((key, event)),
        }
    }
    result
}

/// Whether a mass failure with `still` registrations told its problem is
/// still one; when not, its end is told once.
pub fn mass_failure_holds(still: usize) -> bool {
    still >= MASS_FAILURE_AT_LEAST
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;
    const DAY: i64 = 86_400;

    fn seen<'a>(status: Status, codes: &'a [FindingCode], since: Option<i64>) -> Seen<'a> {
        Seen {
            now: Now {
                status,
                codes,
                since,
            },
            expires_at: None,
            extras: None,
            acknowledged: None,
            standing_changes_at: None,
        }
    }

    const CONSENT: &[FindingCode] = &[FindingCode::ConsentMissing];
    const WRONG_SECRET: &[FindingCode] = &[FindingCode::InvalidSecret];

    fn step(told: &Told, status: Status, codes: &[FindingCode], at: i64) -> Assessed {
        assess(told, &seen(status, codes, Some(at)), HOUR, at)
    }

    #[test]
    fn a_registration_that_starts_failing_is_told_once_and_its_recovery_once() {
        let failing = step(&Told::default(), Status::Failing, WRONG_SECRET, T);
        assert_eq!(
            failing.events,
            vec![Event::Failing {
                finding: Some(FindingCode::InvalidSecret)
            }]
        );
        let again = step(&failing.told, Status::Failing, WRONG_SECRET, T + HOUR);
        assert!(again.events.is_empty());
        let healthy = step(&again.told, Status::Healthy, &[], T + 2 * HOUR);
        assert_eq!(
            healthy.events,
            vec![Event::Resolved {
                was: Problem::Failing(Some(FindingCode::InvalidSecret))
            }]
        );
        assert!(step(&healthy.told, Status::Healthy, &[], T + 3 * HOUR)
            .events
            .is_empty());
    }

    #[test]
    fn flapping_is_summarised_once_then_quiet_then_told_where_it_settled() {
        let mut told = Told::default();
        let mut all = Vec::new();
        for i in 0..8 {
            let (status, codes) = if i % 2 == 0 {
                (Status::Failing, WRONG_SECRET)
            } else {
                (Status::Healthy, &[][..])
            };
            let assessed = step(&told, status, codes, T + i * 10 * 60);
            all.extend(assessed.events);
            told = assessed.told;
        }
        assert_eq!(all.len(), 4, "three changes, then one summary: {all:?}");
        assert_eq!(all[3], Event::Flapping { changes: 4 });
        let last_change = T + 7 * 10 * 60;
        let quiet = step(&told, Status::Healthy, &[], last_change + HOUR);
        assert!(quiet.events.is_empty());
        assert_eq!(
            quiet.recheck_at,
            Some(last_change + FLAPPING_WINDOW_SECS),
            "looked at again when it would settle"
        );
        let settled = step(
            &quiet.told,
            Status::Healthy,
            &[],
            last_change + FLAPPING_WINDOW_SECS,
        );
        assert_eq!(settled.events, vec![Event::Settled]);
        assert!(!settled.told.summarised);
    }

    #[test]
    fn an_expired_credential_is_one_alert_not_also_failing_for_it() {
        let mut seen = seen(Status::Failing, &[FindingCode::SecretExpired], Some(T));
        seen.expires_at = Some(T - 1);
        let assessed = assess(&Told::default(), &seen, HOUR, T);
        assert_eq!(
            assessed.events,
            vec![Event::CredentialExpired { expired_at: T - 1 }]
        );
        assert_eq!(
            assessed.told.problem,
            Some(Problem::Failing(Some(FindingCode::SecretExpired)))
        );
    }

    #[test]
    fn extra_permissions_are_news_only_after_a_completed_check_was_seen() {
        let first = ["Mail.ReadWrite".to_owned()];
        let mut seen = seen(Status::Warning, &[FindingCode::ExtraPermission], Some(T));
        seen.extras = Some(&first);
        let assessed = assess(&Told::default(), &seen, HOUR, T);
        assert!(assessed.events.is_empty());
        let more = ["Mail.ReadWrite".to_owned(), "User.Read.All".to_owned()];
        seen.extras = Some(&more);
        let later = assess(&assessed.told, &seen, HOUR, T + HOUR);
        assert_eq!(
            later.events,
            vec![Event::ExtraPermission {
                permissions: vec!["User.Read.All".to_owned()]
            }]
        );
    }

    #[test]
    fn an_acknowledged_problem_is_quiet_until_the_acknowledgement_ends_then_told_again() {
        let failing = step(&Told::default(), Status::Failing, CONSENT, T).told;
        let resolved = step(&failing, Status::Healthy, &[], T + HOUR).told;
        // It fails again the same way, and staff's acknowledgement of that
        // problem (until day 2) holds again: quiet.
        let mut acknowledged = seen(Status::Failing, CONSENT, Some(T + 2 * HOUR));
        acknowledged.acknowledged = Some(Acknowledged {
            until: Some(T + 2 * DAY),
            headline: Some(FindingCode::ConsentMissing),
        });
        let quiet = assess(&resolved, &acknowledged, HOUR, T + 2 * HOUR);
        assert!(quiet.events.is_empty(), "{:?}", quiet.events);
        assert!(quiet.told.silenced);
        assert_eq!(quiet.recheck_at, Some(T + 2 * DAY));
        let mut lapsed = acknowledged;
        lapsed.acknowledged = None;
        let reminded = assess(&quiet.told, &lapsed, HOUR, T + 2 * DAY);
        assert_eq!(reminded.events, vec![Event::ConsentRemoved]);
        assert!(!reminded.told.silenced);
    }

    #[test]
    fn an_acknowledgement_holds_back_only_what_it_is_about() {
        let told = step(&Told::default(), Status::Failing, CONSENT, T).told;
        let mut acknowledged = seen(Status::Failing, CONSENT, Some(T));
        acknowledged.expires_at = Some(T + 20 * DAY);
        let extras = ["User.Read.All".to_owned()];
        acknowledged.extras = Some(&extras);
        acknowledged.acknowledged = Some(Acknowledged {
            until: None,
            headline: Some(FindingCode::ConsentMissing),
        });
        let told = Told {
            extras: Some(Vec::new()),
            ..told
        };
        let assessed = assess(&told, &acknowledged, HOUR, T + HOUR);
        assert_eq!(
            assessed.events,
            vec![
                Event::CredentialExpiring {
                    days: 30,
                    expires_at: T + 20 * DAY
                },
                Event::ExtraPermission {
                    permissions: vec!["User.Read.All".to_owned()]
                }
            ],
            "the credential and a new permission are other news"
        );
        assert!(silenced_by(
            &Event::CredentialExpiring {
                days: 7,
                expires_at: 0
            },
            Some(FindingCode::SecretExpiring)
        ));
    }

    #[test]
    fn a_flapping_registration_that_stops_where_nothing_is_known_is_not_called_working() {
        let mut told = Told::default();
        for i in 0..4 {
            let (status, codes) = if i % 2 == 0 {
                (Status::Failing, WRONG_SECRET)
            } else {
                (Status::Healthy, &[][..])
            };
            told = step(&told, status, codes, T + i * 60).told;
        }
        assert!(told.summarised);
        let later = T + 3 * 60 + FLAPPING_WINDOW_SECS;
        // Could not be checked, still within its patience: not "settled".
        let unknown = assess(
            &Told {
                problem: None,
                ..told.clone()
            },
            &seen(
                Status::CouldNotCheck,
                &[FindingCode::Unreachable],
                Some(later - 60),
            ),
            HOUR,
            later,
        );
        assert!(unknown.events.is_empty(), "{:?}", unknown.events);
        assert!(unknown.told.summarised);
    }

    #[test]
    fn an_acknowledgement_does_not_hold_back_the_news_that_a_problem_ended() {
        let told = step(&Told::default(), Status::Failing, CONSENT, T).told;
        let mut healthy = seen(Status::Healthy, &[], None);
        healthy.acknowledged = Some(Acknowledged {
            until: None,
            headline: Some(FindingCode::ConsentMissing),
        });
        let assessed = assess(&told, &healthy, HOUR, T + HOUR);
        assert_eq!(
            assessed.events,
            vec![Event::Resolved {
                was: Problem::Failing(Some(FindingCode::ConsentMissing))
            }]
        );
    }

    #[test]
    fn could_not_check_is_looked_at_again_when_its_patience_runs_out() {
        let assessed = assess(
            &Told::default(),
            &seen(Status::CouldNotCheck, &[FindingCode::Unreachable], Some(T)),
            HOUR,
            T + 60,
        );
        assert!(assessed.events.is_empty());
        assert_eq!(assessed.recheck_at, Some(T + HOUR));
        let later = assess(
            &assessed.told,
            &seen(Status::CouldNotCheck, &[FindingCode::Unreachable], Some(T)),
            HOUR,
            T + HOUR,
        );
        assert_eq!(later.events, vec![Event::CouldNotCheck { since: T }]);
        assert_eq!(later.recheck_at, None);
    }

    fn unreachable(count: usize) -> Vec<(usize, Event)> {
        (0..count)
            .map(|i| (i, Event::CouldNotCheck { since: T }))
            .collect()
    }

    #[test]
    fn a_mass_failure_starts_once_and_its_later_members_and_recoveries_are_folded() {
        let first = fold(unreachable(12), &[], 40);
        assert!(first.single.is_empty());
        assert_eq!(first.started.len(), 1);
        assert_eq!(first.started[0].0, Cause::CouldNotCheck);
        assert_eq!(first.started[0].1.len(), 12);

        let mut later = unreachable(3);
        later.push((
            99,
            Event::Failing {
                finding: Some(FindingCode::InvalidSecret),
            },
        ));
        later.push((
            7,
            Event::Resolved {
                was: Problem::CouldNotCheck,
            },
        ));
        let folded = fold(later, &[Cause::CouldNotCheck], 40);
        assert!(folded.started.is_empty());
        assert_eq!(
            folded.folded.len(),
            4,
            "kept for channels without mass failures"
        );
        assert_eq!(
            told_together(&folded.folded[3].1),
            Event::ManyRecovered {
                cause: Cause::CouldNotCheck
            }
        );
        assert_eq!(
            folded.single,
            vec![(
                99,
                Event::Failing {
                    finding: Some(FindingCode::InvalidSecret)
                }
            )],
            "only the unrelated failure is told on its own"
        );
        assert!(mass_failure_holds(MASS_FAILURE_AT_LEAST));
        assert!(!mass_failure_holds(MASS_FAILURE_AT_LEAST - 1));
    }

    #[test]
    fn a_few_failing_for_one_cause_are_told_one_by_one() {
        let folded = fold(unreachable(5), &[], 40);
        assert_eq!(folded.single.len(), 5);
        assert!(folded.started.is_empty());
    }
}
