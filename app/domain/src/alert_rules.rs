//! What each channel is told: which events, from which severity, about
//! which customer tenants and products, and whether at once or in one
//! daily digest at an hour of the organisation's time zone.

use crate::alerts::{Event, Severity, EVENTS};
use crate::form::FieldProblem;
use serde::{Deserialize, Serialize};

/// A channel's filters as stored. Empty lists mean "all".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRules {
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default = "everything")]
    pub min_severity: Severity,
    /// Ids of the organisation's customer tenants.
    #[serde(default)]
    pub tenants: Vec<String>,
    /// Profile ids.
    #[serde(default)]
    pub products: Vec<String>,
    /// Collected and sent once a day at this hour (0–23) of the
    /// organisation's time zone; None: each alert at once.
    #[serde(default)]
    pub digest_hour: Option<u8>,
}

fn everything() -> Severity {
    Severity::Info
}

impl Default for ChannelRules {
    fn default() -> Self {
        Self {
            events: Vec::new(),
            min_severity: everything(),
            tenants: Vec::new(),
            products: Vec::new(),
            digest_hour: None,
        }
    }
}

/// Who an event is about, as far as the filters look.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub tenant: &'a str,
    pub products: &'a [String],
}

impl ChannelRules {
    /// Whether the channel wants this kind of event at all.
    pub fn wants(&self, event: &Event) -> bool {
        event.severity() >= self.min_severity
            && (self.events.is_empty() || self.events.iter().any(|code| code == event.code()))
    }

    /// Whether a registration is among those the channel hears about.
    pub fn covers(&self, subject: Subject<'_>) -> bool {
        (self.tenants.is_empty() || self.tenants.iter().any(|t| t == subject.tenant))
            && (self.products.is_empty()
                || subject
                    .products
                    .iter()
                    .any(|product| self.products.contains(product)))
    }

    pub fn accepts(&self, event: &Event, subject: Subject<'_>) -> bool {
        self.wants(event) && self.covers(subject)
    }
}

/// The rules as an admin chose them in the form, checked against the
/// organisation's tenants and the known products. Each problem names its
/// field; nothing chosen is dropped silently.
pub fn chosen(
    events: &[String],
    min_severity: &str,
    tenants: &[String],
    products: &[String],
    digest_hour: &str,
    known_tenants: &[String],
    known_products: &[String],
) -> Result<ChannelRules, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut problem = |field: &'static str, message: String| {
        problems.push(FieldProblem {
            field: field.to_owned(),
            message,
        })
    };
    if let Some(unknown) = events
        .iter()
        .find(|code| !EVENTS.iter().any(|(known, _)| known == code))
    {
        problem(
            "events",
            format!("\"{unknown}\" is not an event Tenantry sends."),
        );
    }
    let min_severity = Severity::parse(min_severity);
    if min_severity.is_none() {
        problem(
            "min_severity",
            "Choose from which severity this channel is told.".to_owned(),
        );
    }
    if tenants.iter().any(|t| !known_tenants.contains(t)) {
        problem(
            "tenants",
            "One of the chosen customer tenants is not one of yours any more.".to_owned(),
        );
    }
    if let Some(unknown) = products.iter().find(|p| !known_products.contains(p)) {
        problem("products", format!("\"{unknown}\" is not a known product."));
    }
    let digest_hour = match digest_hour.trim() {
        "" => None,
        hour => match hour.parse::<u8>() {
            Ok(hour) if hour < 24 => Some(hour),
            _ => {
                problem(
                    "digest_hour",
                    "Choose an hour from 0 to 23, or send each alert at once.".to_owned(),
                );
                None
            }
        },
    };
    match min_severity {
        Some(min_severity) if problems.is_empty() => Ok(ChannelRules {
            events: events.to_vec(),
            min_severity,
            tenants: tenants.to_vec(),
            products: products.to_vec(),
            digest_hour,
        }),
        _ => Err(problems),
    }
}

/// What is known about a registration an admin wants alerts sent with, as
/// a mailbox through Microsoft Graph.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    pub has_email_product: bool,
    pub archived: bool,
    /// The Directory ID of the tenant the registration is in.
    pub tenant_id: Option<&'a str>,
    /// The organisation's own tenant, as recorded for company recovery.
    pub home_tenant_id: Option<&'a str>,
    /// Whether control of that tenant was proved (an ownership proof).
    pub tenant_proved: bool,
}

/// Whether alerts may be sent with this registration. Mail.Send lets it
/// send as any mailbox of its tenant, so only the MSP's own tenant will
/// do, and only once its control was proved: a home tenant is typed by an
/// admin, and a customer's consent to Mail.Send was given for their
/// product, never for sending as their people.
pub fn may_send(sender: &Sender<'_>) -> Result<(), &'static str> {
    let own = matches!(
        (sender.tenant_id, sender.home_tenant_id),
        (Some(tenant), Some(home)) if tenant.eq_ignore_ascii_case(home)
    );
    if sender.archived {
        Err("That registration is archived.")
    } else if !sender.has_email_product {
        Err("That registration does not have the e-mail product (Mail.Send).")
    } else if sender.home_tenant_id.is_none() {
        Err("Record your organisation's own Microsoft 365 tenant on the Recovery page first: only a registration there may send your alerts.")
    } else if !own {
        Err("That registration is in a customer's tenant; alerts are sent only from your own tenant's mailbox.")
    } else if !sender.tenant_proved {
        Err("Prove control of your own tenant first: send yourself an ownership-proof link from its page under Tenants and follow it.")
    } else {
        Ok(())
    }
}

/// A time zone from the system's database.
#[cfg(feature = "zones")]
pub type Zone = jiff::tz::TimeZone;

/// When a digest sent at `hour` o'clock in `zone` is next due after
/// `after`. A day whose hour does not exist (the clocks jump past it) sends
/// at the first instant after the jump; an hour that happens twice sends at
/// the first.
#[cfg(feature = "zones")]
pub fn next_digest_at(hour: u8, zone: &jiff::tz::TimeZone, after: i64) -> Option<i64> {
    use jiff::civil::Time;
    let after_at = jiff::Timestamp::from_second(after).ok()?;
    let local = after_at.to_zoned(zone.clone());
    let at_hour = Time::new(hour as i8, 0, 0, 0).ok()?;
    let mut day = local.date();
    loop {
        let candidate = day
            .to_datetime(at_hour)
            .to_zoned(zone.clone())
            .ok()?
            .timestamp()
            .as_second();
        if candidate > after {
            return Some(candidate);
        }
        day = day.tomorrow().ok()?;
    }
}

/// The organisation's time zone as typed: an IANA name this machine knows.
#[cfg(feature = "zones")]
pub fn time_zone(text: &str) -> Result<jiff::tz::TimeZone, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("Choose a time zone, e.g. Europe/Amsterdam or UTC.".to_owned());
    }
    jiff::tz::TimeZone::get(name).map_err(|_| {
        format!(
            "\"{name}\" is not a time zone this server knows; use a name like Europe/Amsterdam."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::FindingCode;

    fn failing() -> Event {
        Event::Failing {
            finding: Some(FindingCode::InvalidSecret),
        }
    }

    #[test]
    fn a_channel_with_no_filters_hears_everything() {
        let rules = ChannelRules::default();
        let products = ["email".to_owned()];
        let subject = Subject {
            tenant: "t1",
            products: &products,
        };
        assert!(rules.accepts(&failing(), subject));
        assert!(rules.accepts(&Event::Settled, subject));
    }

    #[test]
    fn severity_events_tenants_and_products_each_narrow_a_channel() {
        let products = ["email".to_owned()];
        let subject = Subject {
            tenant: "t1",
            products: &products,
        };
        let critical = ChannelRules {
            min_severity: Severity::Critical,
            ..ChannelRules::default()
        };
        assert!(critical.accepts(&failing(), subject));
        assert!(!critical.accepts(&Event::Stale, subject));
        let only_expiry = ChannelRules {
            events: vec!["credential.expiring".to_owned()],
            ..ChannelRules::default()
        };
        assert!(!only_expiry.accepts(&failing(), subject));
        let other_tenant = ChannelRules {
            tenants: vec!["t2".to_owned()],
            ..ChannelRules::default()
        };
        assert!(!other_tenant.accepts(&failing(), subject));
        let intune = ChannelRules {
            products: vec!["intune_publishing".to_owned()],
            ..ChannelRules::default()
        };
        assert!(!intune.accepts(&failing(), subject));
    }

    #[test]
    fn a_form_with_unknown_choices_says_which_field_is_wrong() {
        let problems = chosen(
            &["registration.exploded".to_owned()],
            "loud",
            &["someone-elses".to_owned()],
            &["email".to_owned()],
            "24",
            &["t1".to_owned()],
            &["email".to_owned()],
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["events", "min_severity", "tenants", "digest_hour"]);
    }

    #[test]
    fn only_a_proved_own_tenants_email_registration_may_send_alerts_as_a_mailbox() {
        let own = Sender {
            has_email_product: true,
            archived: false,
            tenant_id: Some("AAAA"),
            home_tenant_id: Some("aaaa"),
            tenant_proved: true,
        };
        assert!(may_send(&own).is_ok());
        for (refused, expected) in [
            (
                Sender {
                    tenant_proved: false,
                    ..own
                },
                "Prove control",
            ),
            (
                Sender {
                    tenant_id: Some("bbbb"),
                    ..own
                },
                "customer's tenant",
            ),
            (
                Sender {
                    home_tenant_id: None,
                    ..own
                },
                "Recovery page",
            ),
            (
                Sender {
                    has_email_product: false,
                    ..own
                },
                "e-mail product",
            ),
            (
                Sender {
                    archived: true,
                    ..own
                },
                "archived",
            ),
        ] {
            assert!(
                may_send(&refused).unwrap_err().contains(expected),
                "{expected}"
            );
        }
    }

    #[cfg(feature = "zones")]
    #[test]
    fn a_digest_is_due_at_its_hour_in_the_organisations_zone_across_summer_time() {
        let amsterdam = time_zone("Europe/Amsterdam").unwrap();
        let utc = |text: &str| text.parse::<jiff::Timestamp>().unwrap().as_second();
        // Winter: 08:00 in Amsterdam is 07:00 UTC.
        assert_eq!(
            next_digest_at(8, &amsterdam, utc("2026-01-10T06:00:00Z")),
            Some(utc("2026-01-10T07:00:00Z"))
        );
        // Just past it: the next day.
        assert_eq!(
            next_digest_at(8, &amsterdam, utc("2026-01-10T07:00:00Z")),
            Some(utc("2026-01-11T07:00:00Z"))
        );
        // Summer: 08:00 is 06:00 UTC.
        assert_eq!(
            next_digest_at(8, &amsterdam, utc("2026-07-10T05:00:00Z")),
            Some(utc("2026-07-10T06:00:00Z"))
        );
        // The night the clocks go forward (29 March 2026, 02:00 → 03:00):
        // a 02:00 digest goes at the first instant after the jump.
        assert_eq!(
            next_digest_at(2, &amsterdam, utc("2026-03-29T00:00:00Z")),
            Some(utc("2026-03-29T01:00:00Z"))
        );
        assert!(time_zone("Mars/Olympus_Mons").is_err());
    }
}
