//! The e-mail messages Tenantry sends, in words people act on. Pure: the
//! caller passes names, times (already formatted) and addresses. No message
//! ever carries a secret, a token or a link that signs anyone in.

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
