//! What staff enter about a customer tenant, checked field by field so a
//! form can show every problem at once next to the field it concerns.

use crate::form::{FieldProblem, Problems};
use crate::ids::TenantRef;
use crate::staff::{Email, StaffInputError};
use crate::Cloud;
use serde::{Deserialize, Serialize};

/// Fields a form leaves out count as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerTenantForm {
    pub display_name: String,
    pub tenant_id: String,
    pub primary_domain: String,
    pub cloud: String,
    pub contacts: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerTenant {
    pub display_name: String,
    pub tenant_id: Option<String>,
    pub primary_domain: Option<String>,
    pub cloud: Cloud,
    pub contacts: Vec<Email>,
    pub notes: String,
}

const MAX_NAME: usize = 120;
const MAX_NOTES: usize = 4000;

impl CustomerTenantForm {
    pub fn parse(&self) -> Result<CustomerTenant, Vec<FieldProblem>> {
        let mut problems = Problems::default();
        let mut problem = |field: &str, message: String| problems.add(field, message);

        // The one name rule (`staff::parse_name`): a customer's name goes
        // into alert e-mails and the audit trail like a member's.
        let display_name = match crate::staff::parse_name(&self.display_name, MAX_NAME) {
            Ok(name) => name,
            Err(StaffInputError::NameMissing) => {
                problem("display_name", "Enter the customer's name.".into());
                String::new()
            }
            Err(error) => {
                problem("display_name", error.to_string());
                String::new()
            }
        };

        let tenant_id = match self.tenant_id.trim() {
            "" => None,
            raw => match TenantRef::parse(raw) {
                Ok(TenantRef::Id(id)) => Some(id),
                _ => {
                    problem("tenant_id", format!("'{raw}' is not a Directory (tenant) ID. It looks like 01234567-89ab-cdef-0123-456789abcdef and is on the Overview page of Microsoft Entra ID."));
                    None
                }
            },
        };
        let primary_domain = match self.primary_domain.trim() {
            "" => None,
            raw => match TenantRef::parse(raw) {
                Ok(TenantRef::Domain(domain)) => Some(domain),
                _ => {
                    problem(
                        "primary_domain",
                        format!("'{raw}' is not a domain such as contoso.onmicrosoft.com."),
                    );
                    None
                }
            },
        };
        if self.tenant_id.trim().is_empty() && self.primary_domain.trim().is_empty() {
            problem(
                "tenant_id",
                "Enter the Directory (tenant) ID, the primary domain, or both.".into(),
            );
        }

        let cloud = match self.cloud.trim() {
            "" => Some(Cloud::Global),
            raw => match raw.parse::<Cloud>() {
                Ok(cloud) => Some(cloud),
                Err(error) => {
                    problem("cloud", error.to_string());
                    None
                }
            },
        };

        let mut contacts = Vec::new();
        for raw in self
            .contacts
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match Email::parse(raw) {
                Ok(email) if !contacts.contains(&email) => contacts.push(email),
                Ok(_) => {}
                Err(_) => problem("contacts", format!("'{raw}' is not an e-mail address.")),
            }
        }

        let notes = self.notes.trim().to_owned();
        if notes.chars().count() > MAX_NOTES {
            problem(
                "notes",
                format!("Notes are limited to {MAX_NOTES} characters."),
            );
        }

        problems.finish(cloud.map(|cloud| CustomerTenant {
            display_name,
            tenant_id,
            primary_domain,
            cloud,
            contacts,
            notes,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CustomerTenantForm {
        CustomerTenantForm {
            display_name: " Contoso Ltd ".into(),
            tenant_id: "0123ABCD-89ab-cdef-0123-456789abcdef".into(),
            primary_domain: "Contoso.onmicrosoft.com".into(),
            cloud: "gcc-high".into(),
            contacts: "it@contoso.example; Boss@Contoso.example,\nit@contoso.example".into(),
            notes: "VIP".into(),
        }
    }

    #[test]
    fn a_complete_form_is_normalised() {
        let tenant = form().parse().unwrap();
        assert_eq!(tenant.display_name, "Contoso Ltd");
        assert_eq!(
            tenant.tenant_id.as_deref(),
            Some("0123abcd-89ab-cdef-0123-456789abcdef")
        );
        assert_eq!(
            tenant.primary_domain.as_deref(),
            Some("contoso.onmicrosoft.com")
        );
        assert_eq!(tenant.cloud, Cloud::GccHigh);
        let contacts: Vec<&str> = tenant.contacts.iter().map(Email::as_str).collect();
        assert_eq!(contacts, ["it@contoso.example", "boss@contoso.example"]);
    }

    #[test]
    fn a_customer_name_with_a_line_break_or_a_direction_mark_is_refused() {
        for name in [
            "Contoso\r\nBcc: x@evil.example",
            "Contoso \u{202E}dtL",
            "Con\u{200B}toso",
        ] {
            let form = CustomerTenantForm {
                display_name: name.into(),
                tenant_id: "".into(),
                primary_domain: "contoso.example".into(),
                cloud: "global".into(),
                contacts: "".into(),
                notes: "".into(),
            };
            let problems = form.parse().unwrap_err();
            assert_eq!(problems[0].field, "display_name", "{name:?}");
            assert!(problems[0].message.contains("line breaks"), "{name:?}");
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let bad = CustomerTenantForm {
            display_name: "".into(),
            tenant_id: "not-a-guid".into(),
            primary_domain: "no spaces.com".into(),
            cloud: "mars".into(),
            contacts: "it@contoso.example, nobody".into(),
            notes: "x".repeat(4001),
        };
        let fields: Vec<String> = bad
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "display_name",
                "tenant_id",
                "primary_domain",
                "cloud",
                "contacts",
                "notes"
            ]
        );
    }

    #[test]
    fn either_the_tenant_id_or_the_domain_is_enough_but_one_is_needed() {
        let only_domain = CustomerTenantForm {
            tenant_id: "".into(),
            ..form()
        };
        assert!(only_domain.parse().is_ok());
        let only_id = CustomerTenantForm {
            primary_domain: "".into(),
            ..form()
        };
        assert!(only_id.parse().is_ok());
        let neither = CustomerTenantForm {
            tenant_id: "".into(),
            primary_domain: " ".into(),
            ..form()
        };
        assert_eq!(neither.parse().unwrap_err()[0].field, "tenant_id");
    }

    #[test]
    fn a_domain_in_the_tenant_id_field_is_refused_with_a_hint() {
        let swapped = CustomerTenantForm {
            tenant_id: "contoso.com".into(),
            ..form()
        };
        assert!(swapped.parse().unwrap_err()[0]
            .message
            .contains("Overview page"));
    }
}
