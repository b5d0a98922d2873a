//! Which changes people are told about. A registration's alert follows
//! what people were last told about it (stored beside it), not each check:
//! one alert when its problem starts, changes or ends, however many checks
//! see the same thing. Time-driven problems (could not check for too long,
//! stale) come from the same comparison made on a schedule. A registration
//! that keeps changing is summarised once; many failing at once for one
//! cause are one alert. Times are Unix seconds, passed in.

use crate::audit::AuditAction;
use crate::credential::EXPIRY_WARNING_DAYS;
use crate::dashboard::headline;
use crate::evaluation::Status;
use crate::finding::FindingCode;
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

/// A problem people have been told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", content = "finding", rename_all = "snake_case")]
pub enum Problem {
    /// Failing, for the cause that blocks the product first (if known).
    Failing(Option<FindingCode>),
    /// Could not be checked for longer than the rule's patience.
    CouldNotCheck,
    /// No check has completed for longer than twice the interval.
    Stale,
}

/// What a receiver is told happened, under a code that keeps its meaning
/// (`code`) so ticketing tools can act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Failing {
        finding: Option<FindingCode>,
    },
    /// Admin consent the products need was there at the last check and is
    /// gone now.
    ConsentRemoved,
    CouldNotCheck {
        since: i64,
    },
    Stale,
    /// The problem people were told about is over.
    Resolved {
        was: Problem,
    },
    /// The credential Tenantry holds expires within `days` (30, 14 or 7).
    CredentialExpiring {
        days: i64,
        expires_at: i64,
    },
    CredentialExpired {
        expired_at: i64,
    },
    /// Application permissions beyond what the products need, granted
    /// since the last check.
    ExtraPermission {
        permissions: Vec<String>,
    },
    /// The registration changed state this many times in the window;
    /// further changes are not sent until it settles.
    Flapping {
        changes: usize,
    },
    /// A registration summarised as flapping went a whole window without
    /// changing and is working.
    Settled,
    /// So many registrations turned into one problem at once that they are
    /// told together (`count` of them), not one by one.
    ManyFailing {
        cause: Cause,
        count: usize,
    },
    /// Too few registrations are left with the problem told together to
    /// call it a mass failure any more.
    ManyRecovered {
        cause: Cause,
    },
    /// Sign-in for a member's address waits after repeated failures
    /// (passwords or second-factor codes).
    SignInLocked {
        account: String,
    },
    /// Someone became an admin by proving control of the organisation's
    /// Microsoft 365 tenant (company recovery).
    RecoveryAccepted {
        account: String,
    },
    RecoveryRefused {
        reason: String,
    },
    /// Company recovery refuses every attempt for a while after refusals.
    RecoveryLocked {
        until: String,
    },
    /// A customer proved control of their tenant through a link.
    OwnershipProved {
        tenant: String,
    },
    /// A customer replaced an expiring credential through a renewal link,
    /// and the new one passed the test.
    RenewedByCustomer {
        tenant: String,
        what: String,
    },
}

/// Every event a channel can be told, by code, with what it means.
pub const EVENTS: [(&str, &str); 18] = [
    ("registration.failing", "A registration starts failing"),
    ("registration.consent_removed", "Admin consent is gone"),
    (
        "registration.could_not_check",
        "Microsoft could not be asked for too long",
    ),
    ("registration.stale", "No check has completed for too long"),
    ("registration.resolved", "A problem is over"),
    (
        "credential.expiring",
        "A credential expires in 30, 14 or 7 days",
    ),
    ("credential.expired", "A credential has expired"),
    (
        "permission.extra_granted",
        "A permission beyond need is granted",
    ),
    ("registration.flapping", "A registration keeps changing"),
    ("registration.settled", "A changing registration settled"),
    (
        "registrations.mass_failure",
        "Many registrations fail for one cause",
    ),
    ("registrations.mass_failure_over", "A mass failure is over"),
    (
        "account.sign_in_locked",
        "Sign-in locked after repeated failures",
    ),
    ("recovery.accepted", "Someone recovered access to Tenantry"),
    (
        "recovery.refused",
        "An attempt to prove control of a tenant was refused",
    ),
    ("recovery.locked", "Company recovery locked after refusals"),
    (
        "tenant.ownership_proved",
        "A customer proved control of their tenant",
    ),
    (
        "credential.renewed_by_customer",
        "A customer renewed a credential from a notice",
    ),
];

impl Event {
    /// The event an audit trail entry calls for, from its action, target
    /// and detail; None for entries nobody is alerted about.
    pub fn of_audit(action: AuditAction, target: &str, detail: &str) -> Option<Event> {
        let text = |s: &str| s.to_owned();
        Some(match action {
            AuditAction::SignInLocked => Event::SignInLocked {
                account: text(target),
            },
            AuditAction::RecoveryAccepted => Event::RecoveryAccepted {
                account: text(target),
            },
            AuditAction::RecoveryRefused => Event::RecoveryRefused {
                reason: text(detail),
            },
            AuditAction::RecoveryLocked => Event::RecoveryLocked {
                until: text(detail),
            },
            AuditAction::TenantOwnershipVerified => Event::OwnershipProved {
                tenant: text(target),
            },
            AuditAction::RenewedByCustomer => Event::RenewedByCustomer {
                tenant: text(target),
                what: text(detail),
            },
            _ => return None,
        })
    }

    /// The audit actions that are alerted on (the migration's trigger
    /// queues exactly these).
    pub const FROM_AUDIT: [AuditAction; 6] = [
        AuditAction::SignInLocked,
        AuditAction::RecoveryAccepted,
        AuditAction::RecoveryRefused,
        AuditAction::RecoveryLocked,
        AuditAction::TenantOwnershipVerified,
        AuditAction::RenewedByCustomer,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "Everything, including problems that ended",
            Severity::Warning => "Warnings and critical problems",
            Severity::Critical => "Only critical problems",
        }
    }
}

impl Event {
    /// The stable name receivers key on.
    pub fn code(&self) -> &'static str {
        match self {
            Event::Failing { .. } => "registration.failing",
            Event::ConsentRemoved => "registration.consent_removed",
            Event::CouldNotCheck { .. } => "registration.could_not_check",
            Event::Stale => "registration.stale",
            Event::Resolved { .. } => "registration.resolved",
            Event::CredentialExpiring { .. } => "credential.expiring",
            Event::CredentialExpired { .. } => "credential.expired",
            Event::ExtraPermission { .. } => "permission.extra_granted",
            Event::Flapping { .. } => "registration.flapping",
            Event::Settled => "registration.settled",
            Event::ManyFailing { .. } => "registrations.mass_failure",
            Event::ManyRecovered { .. } => "registrations.mass_failure_over",
            Event::SignInLocked { .. } => "account.sign_in_locked",
            Event::RecoveryAccepted { .. } => "recovery.accepted",
            Event::RecoveryRefused { .. } => "recovery.refused",
            Event::RecoveryLocked { .. } => "recovery.locked",
            Event::OwnershipProved { .. } => "tenant.ownership_proved",
            Event::RenewedByCustomer { .. } => "credential.renewed_by_customer",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Event::Failing { .. }
            | Event::ConsentRemoved
            | Event::CredentialExpired { .. }
            | Event::ManyFailing { .. }
            | Event::RecoveryAccepted { .. }
            | Event::RecoveryLocked { .. } => Severity::Critical,
            Event::CredentialExpiring { days, .. } if *days <= 7 => Severity::Critical,
            Event::CouldNotCheck { .. }
            | Event::Stale
            | Event::CredentialExpiring { .. }
            | Event::ExtraPermission { .. }
            | Event::Flapping { .. }
            | Event::SignInLocked { .. }
            | Event::RecoveryRefused { .. } => Severity::Warning,
            Event::Resolved { .. }
            | Event::Settled
            | Event::ManyRecovered { .. }
            | Event::OwnershipProved { .. }
            | Event::RenewedByCustomer { .. } => Severity::Info,
        }
    }
}

/// A registration's standing as the watch shows it now.
#[derive(Debug, Clone, Copy)]
pub struct Now<'a> {
    pub status: Status,
    /// Findings of the standing (expiry brought up to date).
    pub codes: &'a [FindingCode],
    /// Since when it has been in this status, where known.
    pub since: Option<i64>,
}

/// What to tell, and what people will then have been told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Telling {
    pub event: Option<Event>,
    pub told: Option<Problem>,
}

/// The alert (if any) for a registration whose standing is `now`, when
/// people were last told `told`. Could-not-check waits `patience` seconds
/// before it is a problem: Microsoft being briefly unreachable is not news,
/// and until then what people were told stands.
pub fn telling(told: Option<Problem>, now: Now<'_>, patience: i64, at: i64) -> Telling {
    let current = match now.status {
        Status::Failing => Some(Problem::Failing(headline(now.codes))),
        Status::Stale => Some(Problem::Stale),
        Status::CouldNotCheck => {
            if now.since.is_some_and(|since| at - since >= patience) {
                Some(Problem::CouldNotCheck)
            } else {
                return Telling { event: None, told };
            }
        }
        Status::Healthy | Status::Warning => None,
        // Nothing is known yet; nothing was ever told.
        Status::NeverChecked => return Telling { event: None, told },
    };
    if current == told {
        return Telling { event: None, told };
    }
    let event = match (told, current) {
        (_, None) => told.map(|was| Event::Resolved { was }),
        (None, Some(Problem::Failing(Some(FindingCode::ConsentMissing)))) => {
            Some(Event::ConsentRemoved)
        }
        (_, Some(Problem::Failing(finding))) => Some(Event::Failing { finding }),
        (_, Some(Problem::CouldNotCheck)) => Some(Event::CouldNotCheck {
            since: now.since.unwrap_or(at),
        }),
        (_, Some(Problem::Stale)) => Some(Event::Stale),
    };
    Telling {
        event,
        told: current,
    }
}

/// The expiry step a credential is in at `at`: 0 once expired, else the
/// smallest of 30, 14 and 7 days it is within, or None when further off.
pub fn expiry_step(expires_at: i64, at: i64) -> Option<i64> {
    if expires_at <= at {
        return Some(0);
    }
    EXPIRY_WARNING_DAYS
        .iter()
        .copied()
        .filter(|days| expires_at - at <= days * DAY)
        .min()
}

/// The expiry alert due when the credential has reached a step nobody was
/// told about (`told_step`, as `expiry_step` returned when last told), and
/// the step people will then have been told. A renewed credential starts
/// again from nothing.
pub fn expiry_telling(
    expires_at: i64,
    told_step: Option<i64>,
    at: i64,
) -> (Option<Event>, Option<i64>) {
    let step = expiry_step(expires_at, at);
    let event = match (step, told_step) {
        (Some(step), Some(told)) if step >= told => None,
        (Some(0), _) => Some(Event::CredentialExpired {
            expired_at: expires_at,
        }),
        (Some(days), _) => Some(Event::CredentialExpiring { days, expires_at }),
        (None, _) => None,
    };
    (event, step)
}

/// Extra application permissions in `now` that the last completed check did
/// not see; none on a registration's first check, whose extras are in its
/// onboarding report rather than news.
pub fn newly_extra(before: Option<&[String]>, now: &[String]) -> Vec<String> {
    let Some(before) = before else {
        return Vec::new();
    };
    now.iter()
        .filter(|permission| !before.contains(permission))
        .cloned()
        .collect()
}

/// Changes of state within this long count towards flapping.
pub const FLAPPING_WINDOW_SECS: i64 = 6 * 3600;
/// This many changes in the window is flapping.
pub const FLAPPING_CHANGES: usize = 4;

/// Whether a change of state is sent, summarised or kept quiet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Send,
    /// Send one `Event::Flapping` instead.
    Summarise {
        changes: usize,
    },
    /// Already summarised as flapping; not sent until it settles.
    Quiet,
}

/// For a change of state at `at`, given when the registration's earlier
/// changes were (any order) and whether it is already summarised as
/// flapping: it settles once a whole window passes without a change.
pub fn delivery(earlier_changes: &[i64], summarised: bool, at: i64) -> Delivery {
    let changes = 1 + earlier_changes
        .iter()
        .filter(|change| at - **change < FLAPPING_WINDOW_SECS && **change <= at)
        .count();
    if changes < FLAPPING_CHANGES {
        Delivery::Send
    } else if summarised {
        Delivery::Quiet
    } else {
        Delivery::Summarise { changes }
    }
}

/// At least this many registrations failing for one cause at once are
/// told as one alert…
pub const MASS_FAILURE_AT_LEAST: usize = 10;
/// …when they are also at least this share (in percent) of the
/// organisation's active registrations.
pub const MASS_FAILURE_PERCENT: usize = 20;

/// What many registrations turned into at once, as one alert says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "cause", content = "finding", rename_all = "snake_case")]
pub enum Cause {
    Finding(FindingCode),
    /// Microsoft could not be reached or would not answer.
    CouldNotCheck,
}

impl Cause {
    /// The cause a told problem shares with others failing the same way.
    pub fn of_problem(problem: Problem) -> Option<Cause> {
        match problem {
            Problem::Failing(Some(finding)) => Some(Cause::Finding(finding)),
            Problem::CouldNotCheck => Some(Cause::CouldNotCheck),
            Problem::Failing(None) | Problem::Stale => None,
        }
    }

    pub fn of(event: &Event) -> Option<Cause> {
        match event {
            Event::Failing {
                finding: Some(finding),
            } => Some(Cause::Finding(*finding)),
            Event::ConsentRemoved => Some(Cause::Finding(FindingCode::ConsentMissing)),
            Event::CouldNotCheck { .. } => Some(Cause::CouldNotCheck),
            _ => None,
        }
    }
}

/// The causes shared by so many of `events` (those of one sweep) that each
/// is told once with its count, not once per registration: largest first,
/// equal counts in the order they first occurred.
pub fn mass_failures(events: &[Event], active_registrations: usize) -> Vec<(Cause, usize)> {
    let mut counted: Vec<(Cause, usize)> = Vec::new();
    for cause in events.iter().filter_map(Cause::of) {
        match counted.iter_mut().find(|(c, _)| *c == cause) {
            Some((_, count)) => *count += 1,
            None => counted.push((cause, 1)),
        }
    }
    counted.retain(|(_, count)| {
        *count >= MASS_FAILURE_AT_LEAST
            && count * 100 >= active_registrations * MASS_FAILURE_PERCENT
    });
    counted.sort_by(|(_, a), (_, b)| b.cmp(a));
    counted
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;

    fn now(status: Status, codes: &[FindingCode], since: Option<i64>) -> Now<'_> {
        Now {
            status,
            codes,
            since,
        }
    }

    #[test]
    fn a_registration_that_starts_failing_is_told_once_however_many_checks_see_it() {
        let failing = now(Status::Failing, &[FindingCode::PermissionMissing], Some(T));
        let first = telling(None, failing, HOUR, T);
        assert_eq!(
            first.event,
            Some(Event::Failing {
                finding: Some(FindingCode::PermissionMissing)
            })
        );
        let again = telling(first.told, failing, HOUR, T + 6 * HOUR);
        assert_eq!(again.event, None);
        assert_eq!(again.told, first.told);
    }

    #[test]
    fn consent_gone_from_a_working_registration_is_its_own_event() {
        let failing = now(Status::Failing, &[FindingCode::ConsentMissing], Some(T));
        assert_eq!(
            telling(None, failing, HOUR, T).event,
            Some(Event::ConsentRemoved)
        );
        assert_eq!(
            telling(Some(Problem::Stale), failing, HOUR, T).event,
            Some(Event::Failing {
                finding: Some(FindingCode::ConsentMissing)
            }),
            "after another problem it is a change of cause"
        );
    }

    #[test]
    fn a_new_cause_while_failing_is_told_and_recovery_says_what_ended() {
        let told = Some(Problem::Failing(Some(FindingCode::PermissionMissing)));
        let other = now(Status::Failing, &[FindingCode::SecretExpired], Some(T));
        assert_eq!(
            telling(told, other, HOUR, T).event,
            Some(Event::Failing {
                finding: Some(FindingCode::SecretExpired)
            })
        );
        let healthy = telling(told, now(Status::Warning, &[], Some(T)), HOUR, T);
        assert_eq!(
            healthy.event,
            Some(Event::Resolved {
                was: Problem::Failing(Some(FindingCode::PermissionMissing))
            })
        );
        assert_eq!(healthy.told, None);
        assert_eq!(
            telling(None, now(Status::Healthy, &[], Some(T)), HOUR, T).event,
            None,
            "nothing to resolve when nothing was told"
        );
    }

    #[test]
    fn could_not_check_waits_its_patience_and_meanwhile_what_was_told_stands() {
        let told = Some(Problem::Failing(None));
        let unreachable = now(Status::CouldNotCheck, &[], Some(T));
        let early = telling(told, unreachable, HOUR, T + HOUR - 1);
        assert_eq!(early.event, None, "not yet");
        assert_eq!(
            early.told, told,
            "the failure is neither resolved nor replaced"
        );
        let late = telling(told, unreachable, HOUR, T + HOUR);
        assert_eq!(late.event, Some(Event::CouldNotCheck { since: T }));
        assert_eq!(late.told, Some(Problem::CouldNotCheck));
    }

    #[test]
    fn stale_is_told_and_a_registration_never_checked_is_not() {
        assert_eq!(
            telling(None, now(Status::Stale, &[], Some(T)), HOUR, T).event,
            Some(Event::Stale)
        );
        let never = telling(None, now(Status::NeverChecked, &[], None), HOUR, T);
        assert_eq!(never.event, None);
        assert_eq!(never.told, None);
    }

    #[test]
    fn expiry_steps_are_told_once_each_at_their_exact_boundaries() {
        let expires = T + 30 * DAY;
        assert_eq!(expiry_step(expires, T - 1), None);
        assert_eq!(
            expiry_step(expires, T),
            Some(30),
            "exactly 30 days is within 30"
        );
        assert_eq!(expiry_step(expires, expires - 14 * DAY), Some(14));
        assert_eq!(expiry_step(expires, expires - 7 * DAY), Some(7));
        assert_eq!(
            expiry_step(expires, expires),
            Some(0),
            "expiring this instant is expired"
        );

        let (event, told) = expiry_telling(expires, None, T);
        assert_eq!(
            event,
            Some(Event::CredentialExpiring {
                days: 30,
                expires_at: expires
            })
        );
        assert_eq!(
            expiry_telling(expires, told, T + DAY).0,
            None,
            "still the 30-day step"
        );
        let (event, told) = expiry_telling(expires, told, expires - 7 * DAY);
        assert_eq!(
            event,
            Some(Event::CredentialExpiring {
                days: 7,
                expires_at: expires
            }),
            "a step skipped while the server was down is not told late"
        );
        let (event, told) = expiry_telling(expires, told, expires);
        assert_eq!(
            event,
            Some(Event::CredentialExpired {
                expired_at: expires
            })
        );
        assert_eq!(expiry_telling(expires, told, expires + DAY).0, None);

        let renewed = expires + 365 * DAY;
        assert_eq!(expiry_telling(renewed, told, expires + DAY), (None, None));
    }

    #[test]
    fn only_extra_permissions_granted_since_the_last_check_are_news() {
        let before = vec!["Directory.Read.All".to_owned()];
        let now = vec![
            "Directory.Read.All".to_owned(),
            "Directory.ReadWrite.All".to_owned(),
        ];
        assert_eq!(
            newly_extra(Some(&before), &now),
            vec!["Directory.ReadWrite.All".to_owned()]
        );
        assert!(newly_extra(None, &now).is_empty());
    }

    #[test]
    fn a_registration_changing_state_often_is_summarised_once_then_quiet_until_it_settles() {
        let changes = [T, T + HOUR, T + 2 * HOUR];
        assert_eq!(delivery(&changes[..2], false, T + 2 * HOUR), Delivery::Send);
        assert_eq!(
            delivery(&changes, false, T + 3 * HOUR),
            Delivery::Summarise { changes: 4 }
        );
        assert_eq!(delivery(&changes, true, T + 3 * HOUR), Delivery::Quiet);
        assert_eq!(
            delivery(&changes, true, T + 2 * HOUR + FLAPPING_WINDOW_SECS),
            Delivery::Send,
            "a whole window without a change: settled"
        );
    }

    #[test]
    fn many_failing_for_one_cause_at_once_are_one_alert_with_the_count() {
        let unreachable = Event::CouldNotCheck { since: T };
        let consent = Event::Failing {
            finding: Some(FindingCode::ConsentMissing),
        };
        let mut events = vec![unreachable.clone(); 12];
        events.extend(vec![consent.clone(); 3]);
        events.push(Event::Resolved {
            was: Problem::Stale,
        });
        assert_eq!(
            mass_failures(&events, 60),
            vec![(Cause::CouldNotCheck, 12)],
            "12 of 60 is a fifth; 3 consent failures stay single alerts"
        );
        assert!(
            mass_failures(&events, 61).is_empty(),
            "12 of 61 is under a fifth"
        );
        assert!(
            mass_failures(&vec![unreachable; 9], 9).is_empty(),
            "fewer than ten is never a mass failure"
        );
    }

    #[test]
    fn exactly_the_audit_actions_the_migration_queues_are_alerted_on() {
        let sqlite = include_str!("../../../migrations/sqlite/20261124000015_alert_rules.sql");
        let postgres = include_str!("../../../migrations/postgres/20261124000016_schema.sql");
        let trigger = |migration: &'static str, start: &str| {
            let from = &migration[migration.find(start).unwrap()..];
            &from[..from.find("END").unwrap()]
        };
        let sqlite = trigger(sqlite, "CREATE TRIGGER audit_events_alerted");
        let postgres = trigger(postgres, "CREATE FUNCTION audit_events_alerted");
        for action in AuditAction::ALL {
            for trigger in [sqlite, postgres] {
                let queued = trigger.contains(&format!("'{}'", action.code()));
                assert_eq!(
                    queued,
                    Event::FROM_AUDIT.contains(action),
                    "{}",
                    action.code()
                );
            }
            assert_eq!(
                Event::of_audit(*action, "t", "d").is_some(),
                Event::FROM_AUDIT.contains(action)
            );
        }
    }

    #[test]
    fn severities_put_what_stops_a_product_first() {
        assert_eq!(Event::ConsentRemoved.severity(), Severity::Critical);
        assert_eq!(
            Event::CredentialExpiring {
                days: 30,
                expires_at: T
            }
            .severity(),
            Severity::Warning
        );
        assert_eq!(
            Event::CredentialExpiring {
                days: 7,
                expires_at: T
            }
            .severity(),
            Severity::Critical
        );
        assert_eq!(
            Event::Resolved {
                was: Problem::Stale
            }
            .severity(),
            Severity::Info
        );
        assert!(Severity::Critical > Severity::Warning);
    }
}
