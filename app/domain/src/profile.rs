//! What each product Tenantry supports needs from an app registration: its
//! Graph permissions (and why), and the credential to use. A registration
//! can serve several profiles; it then needs the union of their permissions.

use crate::permissions::{self, PermissionKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Necessity {
    Required,
    Optional,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub permission: String,
    pub kind: PermissionKind,
    pub necessity: Necessity,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialAdvice {
    /// A certificate is best; a client secret works.
    CertificatePreferred,
    /// The product itself accepts only a client secret.
    SecretOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub suggested_app_name: String,
    pub summary: String,
    pub requirements: Vec<Requirement>,
    pub credential: CredentialAdvice,
    /// Warnings the customer must read before granting consent.
    pub cautions: Vec<String>,
    /// Whether the registration's Object ID must be recorded.
    pub needs_object_id: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error(
        "unknown profile '{0}': expected intune-publishing, email, recovery or device-inventory"
    )]
    Unknown(String),
    #[error("{0} is not a Microsoft Graph permission Tenantry knows")]
    UnknownPermission(String),
    #[error("{permission} cannot be granted as a {kind} permission")]
    KindNotOffered {
        permission: String,
        kind: &'static str,
    },
    #[error("a custom profile needs a name and at least one required permission")]
    Empty,
}

fn need(permission: &str, kind: PermissionKind, necessity: Necessity, reason: &str) -> Requirement {
    Requirement {
        permission: permission.to_owned(),
        kind,
        necessity,
        reason: reason.to_owned(),
    }
}

use Necessity::{Optional, Required};
use PermissionKind::{Application, Delegated};

pub fn intune_publishing() -> Profile {
    Profile {
        id: "intune-publishing".into(),
        name: "Intune app publishing".into(),
        suggested_app_name: "Tenantry Intune Publisher".into(),
        summary:
            "Publishes and updates third-party applications in Intune and assigns them to groups."
                .into(),
        requirements: vec![
            need(
                "DeviceManagementApps.ReadWrite.All",
                Application,
                Required,
                "Creates, updates and assigns the Intune apps it publishes.",
            ),
            need(
                "DeviceManagementConfiguration.Read.All",
                Application,
                Required,
                "Reads device configuration and assignment filters used when targeting apps.",
            ),
            need(
                "DeviceManagementManagedDevices.Read.All",
                Application,
                Required,
                "Reads managed devices to report which ones an update reached.",
            ),
            need(
                "DeviceManagementRBAC.Read.All",
                Application,
                Required,
                "Reads Intune role scope tags so published apps keep the right scope.",
            ),
            need(
                "DeviceManagementServiceConfig.ReadWrite.All",
                Application,
                Required,
                "Reads and sets Intune service settings that app deployment relies on.",
            ),
            need(
                "GroupMember.Read.All",
                Application,
                Required,
                "Lists groups and their members so apps can be assigned to them.",
            ),
            need(
                "User.ReadBasic.All",
                Application,
                Optional,
                "Shows people's names instead of IDs when picking assignment groups.",
            ),
            need(
                "Device.Read.All",
                Application,
                Optional,
                "Shows device names instead of IDs when picking assignment groups.",
            ),
        ],
        credential: CredentialAdvice::CertificatePreferred,
        cautions: vec![],
        needs_object_id: false,
    }
}

pub fn email() -> Profile {
    Profile {
        id: "email".into(),
        name: "E-mail through Microsoft Graph".into(),
        suggested_app_name: "Tenantry Mail Sender".into(),
        summary: "Sends notification e-mail through Microsoft Graph instead of SMTP. Can share a registration with another profile or have its own.".into(),
        requirements: vec![need("Mail.Send", Application, Required, "Sends the product's notification e-mail from a mailbox in your tenant.")],
        credential: CredentialAdvice::CertificatePreferred,
        cautions: vec![
            "As an application permission, Mail.Send lets the app send as any mailbox in the tenant. Limit it to the sending mailbox with an Exchange Online application access policy, or use a separate registration.".into(),
        ],
        needs_object_id: false,
    }
}

pub fn recovery() -> Profile {
    Profile {
        id: "recovery".into(),
        name: "Company recovery".into(),
        suggested_app_name: "Tenantry Recovery".into(),
        summary: "Proves that you administer the tenant of a company you lost access to. The registration counts only within 72 hours of its creation.".into(),
        requirements: vec![need("AuditLog.Read.All", Application, Required, "Reads the directory audit log to confirm when this registration was created and by whom.")],
        credential: CredentialAdvice::SecretOnly,
        cautions: vec!["Use the registration within 72 hours of creating it; after that, create a new one.".into()],
        needs_object_id: true,
    }
}

pub fn device_inventory() -> Profile {
    Profile {
        id: "device-inventory".into(),
        name: "Device inventory connector".into(),
        suggested_app_name: "Tenantry Device Inventory".into(),
        summary: "Synchronises Intune-managed devices with a client-management system and runs device actions from it.".into(),
        requirements: vec![
            need("DeviceManagementManagedDevices.Read.All", Delegated, Required, "Reads managed devices on behalf of the signed-in operator."),
            need("DeviceManagementManagedDevices.ReadWrite.All", Delegated, Required, "Updates managed devices on behalf of the signed-in operator."),
            need("User.Read", Delegated, Required, "Signs the operator in and reads their own profile."),
            need("DeviceManagementApps.Read.All", Application, Required, "Reads the apps deployed to devices for the inventory."),
            need("DeviceManagementConfiguration.Read.All", Application, Required, "Reads configuration and compliance policies applied to devices."),
            need("DeviceManagementManagedDevices.PrivilegedOperations.All", Application, Required, "Runs remote actions such as sync, restart or wipe on devices."),
            need("DeviceManagementManagedDevices.Read.All", Application, Required, "Reads managed devices during background synchronisation."),
            need("DeviceManagementManagedDevices.ReadWrite.All", Application, Required, "Writes device properties during background synchronisation."),
            need("DeviceManagementServiceConfig.Read.All", Application, Required, "Reads Intune service settings such as enrolment configuration."),
            need("User.Read.All", Application, Required, "Resolves the primary users of devices."),
        ],
        credential: CredentialAdvice::CertificatePreferred,
        cautions: vec![],
        needs_object_id: false,
    }
}

pub fn built_in() -> Vec<Profile> {
    vec![intune_publishing(), email(), recovery(), device_inventory()]
}

pub fn find(id: &str) -> Result<Profile, ProfileError> {
    built_in()
        .into_iter()
        .find(|profile| profile.id == id.trim())
        .ok_or_else(|| ProfileError::Unknown(id.to_owned()))
}

/// Parses a comma-separated list such as `intune-publishing,email`.
pub fn parse_list(list: &str) -> Result<Vec<Profile>, ProfileError> {
    list.split(',')
        .filter(|id| !id.trim().is_empty())
        .map(find)
        .collect()
}

/// The stored form of a list of profiles, read back by `parse_list`.
pub fn list_ids(profiles: &[Profile]) -> String {
    profiles
        .iter()
        .map(|p| p.id.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// An organisation's own profile, built only from catalogued permissions in
/// a form Graph actually offers.
pub fn custom(
    id: &str,
    name: &str,
    requirements: Vec<Requirement>,
) -> Result<Profile, ProfileError> {
    if name.trim().is_empty() || !requirements.iter().any(|r| r.necessity == Required) {
        return Err(ProfileError::Empty);
    }
    for requirement in &requirements {
        let permission = permissions::find(&requirement.permission)
            .ok_or_else(|| ProfileError::UnknownPermission(requirement.permission.clone()))?;
        if permission.id(requirement.kind).is_none() {
            return Err(ProfileError::KindNotOffered {
                permission: requirement.permission.clone(),
                kind: requirement.kind.label(),
            });
        }
    }
    Ok(Profile {
        id: id.to_owned(),
        name: name.trim().to_owned(),
        suggested_app_name: format!("Tenantry {}", name.trim()),
        summary: String::new(),
        requirements,
        credential: CredentialAdvice::CertificatePreferred,
        cautions: vec![],
        needs_object_id: false,
    })
}

/// What a registration serving all of `profiles` needs: one entry per
/// (permission, kind), required if any profile requires it.
pub fn combined_requirements(profiles: &[Profile]) -> Vec<Requirement> {
    let mut merged: BTreeMap<(PermissionKind, String), Requirement> = BTreeMap::new();
    for requirement in profiles.iter().flat_map(|profile| &profile.requirements) {
        merged
            .entry((requirement.kind, requirement.permission.clone()))
            .and_modify(|existing| {
                existing.necessity = existing.necessity.min(requirement.necessity)
            })
            .or_insert_with(|| requirement.clone());
    }
    merged.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_permission_is_catalogued_in_the_form_it_is_asked_for() {
        for profile in built_in() {
            for requirement in &profile.requirements {
                let permission = permissions::find(&requirement.permission)
                    .unwrap_or_else(|| panic!("{} in {}", requirement.permission, profile.id));
                assert!(
                    permission.id(requirement.kind).is_some(),
                    "{} {:?}",
                    requirement.permission,
                    requirement.kind
                );
                assert!(!requirement.reason.is_empty());
            }
        }
    }

    fn names(profile: &Profile, kind: PermissionKind, necessity: Necessity) -> Vec<&str> {
        let mut names: Vec<&str> = profile
            .requirements
            .iter()
            .filter(|r| r.kind == kind && r.necessity == necessity)
            .map(|r| r.permission.as_str())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn intune_publishing_needs_six_application_permissions_and_two_optional_ones() {
        let profile = find("intune-publishing").unwrap();
        assert_eq!(
            names(&profile, Application, Required),
            [
                "DeviceManagementApps.ReadWrite.All",
                "DeviceManagementConfiguration.Read.All",
                "DeviceManagementManagedDevices.Read.All",
                "DeviceManagementRBAC.Read.All",
                "DeviceManagementServiceConfig.ReadWrite.All",
                "GroupMember.Read.All",
            ]
        );
        assert_eq!(
            names(&profile, Application, Optional),
            ["Device.Read.All", "User.ReadBasic.All"]
        );
    }

    #[test]
    fn recovery_needs_the_audit_log_a_secret_and_the_object_id() {
        let profile = find("recovery").unwrap();
        assert_eq!(
            names(&profile, Application, Required),
            ["AuditLog.Read.All"]
        );
        assert_eq!(profile.credential, CredentialAdvice::SecretOnly);
        assert!(profile.needs_object_id);
        assert_eq!(profile.suggested_app_name, "Tenantry Recovery");
    }

    #[test]
    fn email_warns_that_mail_send_covers_every_mailbox() {
        let profile = find("email").unwrap();
        assert_eq!(names(&profile, Application, Required), ["Mail.Send"]);
        assert!(profile.cautions[0].contains("any mailbox"));
    }

    #[test]
    fn device_inventory_mixes_delegated_and_application_permissions() {
        let profile = find("device-inventory").unwrap();
        assert_eq!(names(&profile, Delegated, Required).len(), 3);
        assert_eq!(names(&profile, Application, Required).len(), 7);
    }

    #[test]
    fn a_shared_registration_needs_the_union_and_required_wins_over_optional() {
        let combined = combined_requirements(&parse_list("intune-publishing,email").unwrap());
        assert_eq!(combined.len(), 9);
        assert!(combined.iter().any(|r| r.permission == "Mail.Send"));

        let optional = custom(
            "a",
            "A",
            vec![need("Device.Read.All", Application, Required, "x")],
        )
        .unwrap();
        let combined = combined_requirements(&[intune_publishing(), optional]);
        let device = combined
            .iter()
            .find(|r| r.permission == "Device.Read.All")
            .unwrap();
        assert_eq!(device.necessity, Required);
    }

    #[test]
    fn custom_profiles_accept_only_catalogued_permissions_in_an_offered_form() {
        assert_eq!(
            custom(
                "x",
                "X",
                vec![need("Sites.FullControl.All", Application, Required, "x")]
            ),
            Err(ProfileError::UnknownPermission(
                "Sites.FullControl.All".into()
            ))
        );
        assert!(matches!(
            custom(
                "x",
                "X",
                vec![need("User.Read", Application, Required, "x")]
            ),
            Err(ProfileError::KindNotOffered { .. })
        ));
        assert_eq!(custom("x", " ", vec![]), Err(ProfileError::Empty));
    }

    #[test]
    fn unknown_profile_ids_are_named_in_the_error() {
        assert_eq!(
            parse_list("email,intune").unwrap_err(),
            ProfileError::Unknown("intune".into())
        );
    }

    #[test]
    fn a_stored_profile_list_reads_back_as_the_same_profiles() {
        let chosen = parse_list("recovery,email").unwrap();
        assert_eq!(list_ids(&chosen), "recovery,email");
        assert_eq!(parse_list(&list_ids(&chosen)).unwrap(), chosen);
    }
}
