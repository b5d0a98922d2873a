//! What an alert says: a title that names the customer and the product, a
//! text with what to do, labelled facts, and the structured details a
//! ticketing tool reads (the webhook's documented JSON). Never a secret:
//! only names, ids, finding codes and dates.

use crate::alert_message::AlertMessage;
use crate::alerts::{Cause, Event, Problem};
use crate::finding::FindingCode;
use serde_json::{json, Value};

/// The registration an alert is about, as far as its text needs.
#[derive(Debug, Clone, Default)]
pub struct About {
    pub tenant_id: String,
    pub tenant: String,
    pub entra_tenant_id: Option<String>,
    pub registration_id: String,
    /// Product names, e.g. "E-mail sending".
    pub products: Vec<String>,
    pub product_ids: Vec<String>,
    /// "client secret" or "certificate".
    pub credential: &'static str,
    /// The headline finding's own words and fix, from the newest check.
    pub finding_message: Option<String>,
    pub finding_fix: Option<String>,
}

/// An event's message: its code and severity, the words, and what
/// ticketing tools read (`subject`: tenant, registration, finding, details).
fn message(
    event: &Event,
    (title, text): (String, String),
    facts: Vec<(String, String)>,
    link: Option<String>,
    at: &str,
    subject: Value,
) -> AlertMessage {
    AlertMessage {
        event: event.code().to_owned(),
        severity: Some(event.severity()),
        title,
        text,
        facts,
        link,
        at: at.to_owned(),
        details: subject,
    }
}

/// How dates are written (the backend's calendar).
pub type Dates<'a> = &'a dyn Fn(i64) -> String;

fn products(about: &About) -> String {
    match about.products.as_slice() {
        [] => "The registration".to_owned(),
        [one] => one.clone(),
        many => many.join(" and "),
    }
}

fn problem_words(problem: Problem) -> String {
    match problem {
        Problem::Failing(Some(code)) => code.headline().to_lowercase(),
        Problem::Failing(None) => "failing".to_owned(),
        Problem::CouldNotCheck => "could not be checked".to_owned(),
        Problem::Stale => "not checked for too long".to_owned(),
    }
}

fn cause_words(cause: Cause) -> String {
    match cause {
        Cause::Finding(code) => code.headline().to_owned(),
        Cause::CouldNotCheck => "Microsoft could not be asked".to_owned(),
    }
}

fn finding_json(code: Option<FindingCode>, about: &About) -> Value {
    match code {
        Some(code) => json!({
            "code": code.as_str(),
            "headline": code.headline(),
            "message": about.finding_message,
            "fix": about.finding_fix,
        }),
        None => Value::Null,
    }
}

/// The headline finding of an event, where it has one.
fn finding_of(event: &Event) -> Option<FindingCode> {
    match event {
        Event::Failing { finding } => *finding,
        Event::ConsentRemoved => Some(FindingCode::ConsentMissing),
        Event::ExtraPermission { .. } => Some(FindingCode::ExtraPermission),
        _ => None,
    }
}

fn with_fix(text: String, about: &About) -> String {
    match &about.finding_fix {
        Some(fix) if !fix.is_empty() => format!("{text} To fix it: {fix}"),
        _ => text,
    }
}

/// One registration's alert.
pub fn describe(
    event: &Event,
    about: &About,
    at: &str,
    link: Option<String>,
    dates: Dates<'_>,
) -> AlertMessage {
    let who = format!("{}: {}", about.tenant, products(about));
    let (title, text, details) = match event {
        Event::Failing { finding } => (
            format!("{who} is failing"),
            with_fix(
                about
                    .finding_message
                    .clone()
                    .or_else(|| finding.map(|f| format!("{}.", f.headline())))
                    .unwrap_or_else(|| "The newest check found a problem.".to_owned()),
                about,
            ),
            json!({}),
        ),
        Event::ConsentRemoved => (
            format!("{who}: admin consent is missing"),
            with_fix(
                "The permissions were consented to before and are not now, so the product cannot work."
                    .to_owned(),
                about,
            ),
            json!({}),
        ),
        Event::CouldNotCheck { since } => (
            format!("{who} could not be checked since {}", dates(*since)),
            "Microsoft could not be asked about this registration for longer than Tenantry waits. \
             Tenantry keeps trying; nothing is known about whether it works."
                .to_owned(),
            json!({"since": dates(*since)}),
        ),
        Event::Stale => (
            format!("{who} has not been checked for too long"),
            "No check has completed for more than twice the check interval. \
             Make sure a Tenantry server is running its checks."
                .to_owned(),
            json!({}),
        ),
        Event::Resolved { was } => (
            format!("{who}: resolved"),
            format!("It is no longer {}.", problem_words(*was)),
            json!({"was": was}),
        ),
        Event::CredentialExpiring { days, expires_at } => (
            format!("{who}: the {} expires in {days} days", about.credential),
            format!(
                "The {} Tenantry uses expires on {}. After that, {} stops working in this tenant \
                 until a new one is added.",
                about.credential,
                dates(*expires_at),
                products(about)
            ),
            json!({"days": days, "expires_at": dates(*expires_at)}),
        ),
        Event::CredentialExpired { expired_at } => (
            format!("{who}: the {} has expired", about.credential),
            format!(
                "The {} expired on {}; {} no longer works in this tenant. Add a new one.",
                about.credential,
                dates(*expired_at),
                products(about)
            ),
            json!({"expired_at": dates(*expired_at)}),
        ),
        Event::ExtraPermission { permissions } => (
            format!("{who} was granted permissions it does not need"),
            format!(
                "Newly granted beyond the products' needs: {}. Remove them in Entra ID unless \
                 someone needs them.",
                permissions.join(", ")
            ),
            json!({"permissions": permissions}),
        ),
        Event::Flapping { changes } => (
            format!("{who} keeps changing"),
            format!(
                "It changed state {changes} times within 6 hours. Tenantry will not tell each \
                 change until it has stayed the same for 6 hours."
            ),
            json!({"changes": changes}),
        ),
        Event::Settled => (
            format!("{who} has settled and works"),
            "It stayed the same for 6 hours after changing often.".to_owned(),
            json!({}),
        ),
        Event::ManyFailing { .. } | Event::ManyRecovered { .. } => {
            return describe_many(event, at, link);
        }
        Event::SignInLocked { .. }
        | Event::RecoveryAccepted { .. }
        | Event::RecoveryRefused { .. }
        | Event::RecoveryLocked { .. }
        | Event::OwnershipProved { .. }
        | Event::RenewedByCustomer { .. } => {
            return describe_security(event, &Witness::default(), at, link);
        }
    };
    let mut facts = vec![
        ("Customer".to_owned(), about.tenant.clone()),
        ("Product".to_owned(), products(about)),
    ];
    if let Some(code) = finding_of(event) {
        facts.push(("Finding".to_owned(), code.headline().to_owned()));
    }
    message(
        event,
        (title, text),
        facts,
        link,
        at,
        json!({
            "tenant": {"id": about.tenant_id, "name": about.tenant, "entra_tenant_id": about.entra_tenant_id},
            "registration": {"id": about.registration_id, "products": about.product_ids},
            "finding": finding_json(finding_of(event), about),
            "details": details,
        }),
    )
}

/// Who did what the audit trail recorded, as it recorded it.
#[derive(Debug, Clone, Default)]
pub struct Witness {
    pub actor: String,
    pub ip: String,
}

/// An alert about the organisation's own security, from its audit trail.
pub fn describe_security(
    event: &Event,
    witness: &Witness,
    at: &str,
    link: Option<String>,
) -> AlertMessage {
    let from = if witness.ip.is_empty() {
        String::new()
    } else {
        format!(" from {}", witness.ip)
    };
    let (title, text, details) = match event {
        Event::SignInLocked { account } => (
            format!("Sign-in locked for {account}"),
            format!(
                "Sign-in for {account} failed again and again{from}, so it now waits before it is \
                 tried again. If this was not the member, look at the audit trail and consider a \
                 new password and a second factor."
            ),
            json!({"account": account}),
        ),
        Event::RecoveryAccepted { account } => (
            format!("Access to Tenantry was recovered as {account}"),
            format!(
                "Someone{from} proved control of your organisation's Microsoft 365 tenant with a \
                 recovery app registration and became an admin as {account}. If nobody in your \
                 company did this, remove that member, turn company recovery off and find out \
                 who could create app registrations in your tenant."
            ),
            json!({"account": account}),
        ),
        Event::RecoveryRefused { reason } => (
            "An attempt to prove control of a tenant was refused".to_owned(),
            format!(
                "An attempt{from} to prove control of a Microsoft 365 tenant (company recovery, or a \
                 customer's ownership proof) was refused: {reason}"
            ),
            json!({"reason": reason}),
        ),
        Event::RecoveryLocked { until } => (
            "Company recovery is locked after refused attempts".to_owned(),
            format!(
                "Several recovery attempts{from} were refused, so every attempt is refused until \
                 {until}. If nobody in your company is trying to recover access, someone else is."
            ),
            json!({"until": until}),
        ),
        Event::OwnershipProved { tenant } => (
            format!("{tenant} proved control of their Microsoft 365 tenant"),
            format!("The customer {tenant} proved through an onboarding link that they control the tenant on file; it is now marked verified."),
            json!({"tenant": tenant}),
        ),
        Event::RenewedByCustomer { tenant, what } => (
            format!("{tenant} renewed a credential"),
            format!(
                "Following an expiry notice, {tenant} replaced the credential of {what} through its \
                 renewal link, and the new one passed Tenantry's test. Nothing is left to do."
            ),
            json!({"tenant": tenant, "what": what}),
        ),
        other => return describe(other, &About::default(), at, link, &|unix| unix.to_string()),
    };
    let mut facts = Vec::new();
    if !witness.actor.is_empty() {
        facts.push(("By".to_owned(), witness.actor.clone()));
    }
    if !witness.ip.is_empty() {
        facts.push(("From".to_owned(), witness.ip.clone()));
    }
    let mut details = details;
    details["actor"] = json!(witness.actor);
    details["ip"] = json!(witness.ip);
    message(
        event,
        (title, text),
        facts,
        link,
        at,
        json!({"tenant": null, "registration": null, "finding": null, "details": details}),
    )
}

/// A mass failure's alert.
pub fn describe_many(event: &Event, at: &str, link: Option<String>) -> AlertMessage {
    let (title, text, cause, count) = match event {
        Event::ManyFailing { cause, count } => (
            format!("{count} registrations: {}", cause_words(*cause)),
            format!(
                "{count} registrations turned into the same problem at once. \
                 This is one alert for all of them; they are not told one by one while it lasts. \
                 A cause this wide is usually on Microsoft's side or in the network."
            ),
            *cause,
            Some(*count),
        ),
        Event::ManyRecovered { cause } => (
            format!("Over: {}", cause_words(*cause)),
            "Most registrations told together are past the problem. Those still in it are \
             shown on the dashboard."
                .to_owned(),
            *cause,
            None,
        ),
        single => {
            return describe(single, &About::default(), at, link, &|unix| {
                unix.to_string()
            })
        }
    };
    let code = match cause {
        Cause::Finding(code) => Some(code.as_str()),
        Cause::CouldNotCheck => None,
    };
    message(
        event,
        (title, text),
        vec![("Cause".to_owned(), cause_words(cause))],
        link,
        at,
        json!({
            "tenant": null,
            "registration": null,
            "finding": code.map(|code| json!({"code": code})),
            "details": {"cause": cause, "count": count},
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contoso() -> About {
        About {
            tenant_id: "t1".to_owned(),
            tenant: "Contoso".to_owned(),
            entra_tenant_id: Some("11111111-1111-1111-1111-111111111111".to_owned()),
            registration_id: "r1".to_owned(),
            products: vec!["E-mail sending".to_owned()],
            product_ids: vec!["email".to_owned()],
            credential: "client secret",
            finding_message: Some("Admin consent has not been granted for Mail.Send.".to_owned()),
            finding_fix: Some("Open the consent link and accept.".to_owned()),
        }
    }

    fn day(unix: i64) -> String {
        format!("day {unix}")
    }

    #[test]
    fn a_failure_names_customer_product_and_the_fix_and_carries_the_stable_codes() {
        let message = describe(
            &Event::ConsentRemoved,
            &contoso(),
            "2026-11-24T09:00:00Z",
            None,
            &day,
        );
        assert_eq!(
            message.title,
            "Contoso: E-mail sending: admin consent is missing"
        );
        assert!(message.text.contains("Open the consent link"));
        assert_eq!(message.event, "registration.consent_removed");
        assert_eq!(message.details["finding"]["code"], "consent_missing");
        assert_eq!(message.details["registration"]["products"][0], "email");
    }

    #[test]
    fn an_expiry_says_what_stops_working_and_when() {
        let message = describe(
            &Event::CredentialExpiring {
                days: 14,
                expires_at: 42,
            },
            &contoso(),
            "now",
            None,
            &day,
        );
        assert_eq!(
            message.title,
            "Contoso: E-mail sending: the client secret expires in 14 days"
        );
        assert!(message.text.contains("expires on day 42"));
        assert!(message.text.contains("E-mail sending stops working"));
        assert_eq!(message.details["details"]["days"], 14);
    }

    #[test]
    fn a_recovery_says_who_became_admin_from_where_and_what_to_do_if_unexpected() {
        let message = describe_security(
            &Event::RecoveryAccepted {
                account: "it@northwind.example".to_owned(),
            },
            &Witness {
                actor: "it@northwind.example".to_owned(),
                ip: "203.0.113.7".to_owned(),
            },
            "now",
            None,
        );
        assert_eq!(
            message.title,
            "Access to Tenantry was recovered as it@northwind.example"
        );
        assert!(message.text.contains("from 203.0.113.7"));
        assert!(message.text.contains("turn company recovery off"));
        assert_eq!(message.severity, Some(crate::alerts::Severity::Critical));
        assert_eq!(message.details["details"]["ip"], "203.0.113.7");
    }

    #[test]
    fn a_mass_failure_names_the_cause_and_the_count() {
        let message = describe_many(
            &Event::ManyFailing {
                cause: Cause::CouldNotCheck,
                count: 120,
            },
            "now",
            None,
        );
        assert_eq!(
            message.title,
            "120 registrations: Microsoft could not be asked"
        );
        assert_eq!(message.details["details"]["count"], 120);
    }
}
