//! The e-mail messages Tenantry sends, in words people act on. Pure: the
//! caller passes names, times (already formatted) and addresses. No message
//! ever carries a secret or a link that signs anyone in; a customer's
//! renewal notice carries a renewal link, which can only replace one
//! registration's credential with one that passes the test.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub subject: String,
    pub body: String,
}

/// What every admin is told when someone regained access through company
/// recovery.
pub struct Recovered<'a> {
    pub organisation: &'a str,
    pub user_principal_name: &'a str,
    pub person_name: &'a str,
    pub at: &'a str,
    pub from_ip: &'a str,
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub portal_url: &'a str,
}

pub fn recovered(facts: &Recovered<'_>) -> Notice {
    Notice {
        subject: format!(
            "Access to {} was recovered by {}",
            facts.organisation, facts.user_principal_name
        ),
        body: format!(
            "Access to {organisation} in Tenantry was recovered by {upn} at {at}, from {ip}.\n\
             \n\
             {person} proved control of the organisation's Microsoft 365 tenant {tenant} with a recovery app registration \
             (Application (client) ID {client}) and is now an administrator of {organisation}. \
             Nobody else lost access.\n\
             \n\
             If this was not expected: sign in at {portal}, disable or remove that member on the Staff page, \
             turn off company recovery in Settings, and look at the audit trail. In Microsoft 365, review who can \
             create app registrations in the tenant and delete the recovery app.\n",
            organisation = facts.organisation,
            upn = facts.user_principal_name,
            at = facts.at,
            ip = facts.from_ip,
            person = facts.person_name,
            tenant = facts.tenant_id,
            client = facts.client_id,
            portal = facts.portal_url,
        ),
    }
}

/// What every admin is told when company recovery is turned on or off.
pub fn recovery_switched(organisation: &str, enabled: bool, by: &str, at: &str) -> Notice {
    let state = if enabled { "turned on" } else { "turned off" };
    let meaning = if enabled {
        "Someone who proves control of the organisation's Microsoft 365 tenant can now become an administrator, \
         even if every administrator has lost access. Each use is announced to every administrator."
    } else {
        "Nobody can regain access by proving control of the Microsoft 365 tenant until it is turned on again."
    };
    Notice {
        subject: format!("Company recovery was {state} for {organisation}"),
        body: format!(
            "{by} {state} company recovery for {organisation} at {at}.\n\n{meaning}\n\n\
             If this was not expected, sign in to Tenantry, check Settings and the audit trail.\n"
        ),
    }
}

/// What the MSP's admins are told when a customer proved control of their
/// tenant through an ownership-proof link.
pub fn ownership_verified(
    tenant: &str,
    user_principal_name: &str,
    client_id: &str,
    at: &str,
) -> Notice {
    Notice {
        subject: format!("{tenant} proved control of their Microsoft 365 tenant"),
        body: format!(
            "{user_principal_name} proved at {at} that they administer the Microsoft 365 tenant of {tenant}, \
             with a recovery app registration (Application (client) ID {client_id}) created within the window.\n\n\
             The customer tenant is marked as verified in Tenantry, with the evidence. You may make {user_principal_name} \
             the tenant's contact on its page.\n"
        ),
    }
}

/// What a customer's contacts are told before the credential their IT
/// provider holds for one app registration expires.
pub struct Renewal<'a> {
    /// The MSP's organisation, which the notice comes from.
    pub organisation: &'a str,
    pub tenant: &'a str,
    /// What the registration is for, e.g. "E-mail through Microsoft Graph".
    pub products: &'a str,
    pub client_id: &'a str,
    /// "client secret" or "certificate".
    pub credential: &'a str,
    pub days: i64,
    pub expires_on: &'a str,
    pub link: &'a str,
    pub link_expires_on: &'a str,
}

pub fn renewal(facts: &Renewal<'_>) -> Notice {
    Notice {
        subject: format!(
            "{}: renew the {} for {} before {}",
            facts.organisation, facts.credential, facts.products, facts.expires_on
        ),
        body: format!(
            "Hello,\n\n\
             {organisation} looks after {products} in your Microsoft 365 tenant ({tenant}). It signs in as \
             your app registration with Application (client) ID {client_id}, using a {credential} that expires \
             on {expires_on}, in {days} days. From then on, {products} stops working in your tenant until a new \
             {credential} is added.\n\n\
             To renew it, open this link and follow the steps: add a new client secret or certificate to the \
             same app registration in the Microsoft Entra admin center, enter it, and test it. Tenantry replaces \
             the old one only when the new one passes the test, and tells {organisation}.\n\n\
             {link}\n\n\
             The link works until {link_expires_on} and only for this renewal. Do not forward it. If you have \
             questions, reply to this message to reach {organisation}.\n",
            organisation = facts.organisation,
            products = facts.products,
            tenant = facts.tenant,
            client_id = facts.client_id,
            credential = facts.credential,
            expires_on = facts.expires_on,
            days = facts.days,
            link = facts.link,
            link_expires_on = facts.link_expires_on,
        ),
    }
}

/// What every admin is told when recovery is locked after refused attempts.
pub fn recovery_locked(organisation: &str, failures: usize, until: &str) -> Notice {
    Notice {
        subject: format!("Company recovery for {organisation} is locked until {until}"),
        body: format!(
            "{failures} recovery attempts for {organisation} were refused in a row, so recovery is locked until {until}.\n\n\
             If nobody in your organisation is trying to regain access, someone else may be. \
             The attempts and their reasons are under Settings → Recovery attempts.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renewal_notice_says_what_stops_when_and_how_to_renew_without_a_secret() {
        let notice = renewal(&Renewal {
            organisation: "Northwind IT",
            tenant: "Contoso",
            products: "E-mail through Microsoft Graph",
            client_id: "2222",
            credential: "client secret",
            days: 14,
            expires_on: "2026-12-08",
            link: "https://tenantry.example/onboard/abc",
            link_expires_on: "2026-12-01",
        });
        assert_eq!(
            notice.subject,
            "Northwind IT: renew the client secret for E-mail through Microsoft Graph before 2026-12-08"
        );
        assert!(notice.body.contains("stops working in your tenant"));
        assert!(notice.body.contains("in 14 days"));
        assert!(notice.body.contains("https://tenantry.example/onboard/abc"));
        assert!(notice.body.contains("reply to this message"));
    }

    #[test]
    fn the_recovery_notice_names_who_when_and_from_where_and_what_to_do() {
        let notice = recovered(&Recovered {
            organisation: "Northwind IT",
            user_principal_name: "ada@northwind.example",
            person_name: "Ada Lovelace",
            at: "2026-11-23 10:00 UTC",
            from_ip: "203.0.113.9",
            tenant_id: "11111111-1111-1111-1111-111111111111",
            client_id: "22222222-2222-2222-2222-222222222222",
            portal_url: "https://tenantry.example",
        });
        assert_eq!(
            notice.subject,
            "Access to Northwind IT was recovered by ada@northwind.example"
        );
        for part in [
            "2026-11-23 10:00 UTC",
            "203.0.113.9",
            "If this was not expected",
            "https://tenantry.example",
        ] {
            assert!(notice.body.contains(part), "{part}");
        }
    }
}
