//! The Microsoft Graph permissions Tenantry knows, with their identifiers.
//! The data lives in `catalog/graph-permissions.json`, a copy of the verified
//! reference; a test keeps the two identical.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The appId of Microsoft Graph, the same in every cloud.
pub const GRAPH_RESOURCE_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Application permissions (app roles) are what an app-only token carries in
/// its `roles` claim; delegated permissions (scopes) only act for a signed-in user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PermissionKind {
    Application,
    Delegated,
}

impl PermissionKind {
    pub fn label(self) -> &'static str {
        match self {
            PermissionKind::Application => "Application",
            PermissionKind::Delegated => "Delegated",
        }
    }

    /// The `type` Entra uses in a manifest's `requiredResourceAccess`.
    pub fn manifest_type(self) -> &'static str {
        match self {
            PermissionKind::Application => "Role",
            PermissionKind::Delegated => "Scope",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct AdminConsent {
    application: Option<bool>,
    delegated: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GraphPermission {
    pub name: String,
    application_id: Option<String>,
    delegated_id: Option<String>,
    admin_consent: AdminConsent,
}

impl GraphPermission {
    /// The GUID of this permission in the given form, if Graph offers it.
    pub fn id(&self, kind: PermissionKind) -> Option<&str> {
        match kind {
            PermissionKind::Application => self.application_id.as_deref(),
            PermissionKind::Delegated => self.delegated_id.as_deref(),
        }
    }

    /// Whether only an administrator can consent to it. Application
    /// permissions always need an admin.
    pub fn needs_admin_consent(&self, kind: PermissionKind) -> bool {
        match kind {
            PermissionKind::Application => self.admin_consent.application.unwrap_or(true),
            PermissionKind::Delegated => self.admin_consent.delegated.unwrap_or(false),
        }
    }
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    resource_app_id: String,
    permissions: Vec<GraphPermission>,
}

fn catalog() -> &'static CatalogFile {
    static CATALOG: OnceLock<CatalogFile> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let catalog: CatalogFile =
            serde_json::from_str(include_str!("../catalog/graph-permissions.json"))
                .expect("the embedded permission catalog is valid JSON");
        assert_eq!(catalog.resource_app_id, GRAPH_RESOURCE_APP_ID);
        catalog
    })
}

pub fn all() -> &'static [GraphPermission] {
    &catalog().permissions
}

pub fn find(name: &str) -> Option<&'static GraphPermission> {
    all()
        .iter()
        .find(|permission| permission.name.eq_ignore_ascii_case(name))
}

/// The name of the application permission with this app-role GUID, as found
/// in a token's `roles` claim or a service principal's role assignments.
pub fn name_of_app_role(id: &str) -> Option<&'static str> {
    all()
        .iter()
        .find(|permission| {
            permission
                .application_id
                .as_deref()
                .is_some_and(|own| own.eq_ignore_ascii_case(id))
        })
        .map(|permission| permission.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_matches_the_verified_reference_exactly() {
        // A copy kept in the repository (see reference/README.md), so the
        // test needs nothing outside a plain clone.
        let text = include_str!("../reference/graph-permissions.json");
        let reference: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(reference["resource_app_id"], GRAPH_RESOURCE_APP_ID);
        let listed = reference["permissions"].as_array().unwrap();
        assert_eq!(listed.len(), all().len());
        for entry in listed {
            let name = entry["name"].as_str().unwrap();
            let ours = find(name).unwrap_or_else(|| panic!("{name} missing from the catalog"));
            assert_eq!(
                ours.id(PermissionKind::Application),
                entry["application_id"].as_str(),
                "{name}"
            );
            assert_eq!(
                ours.id(PermissionKind::Delegated),
                entry["delegated_id"].as_str(),
                "{name}"
            );
            assert_eq!(
                ours.admin_consent.application,
                entry["admin_consent"]["application"].as_bool(),
                "{name}"
            );
            assert_eq!(
                ours.admin_consent.delegated,
                entry["admin_consent"]["delegated"].as_bool(),
                "{name}"
            );
        }
    }

    #[test]
    fn app_role_ids_lead_back_to_their_names() {
        assert_eq!(
            name_of_app_role("b0afded3-3588-46d8-8b3d-9842eff778da"),
            Some("AuditLog.Read.All")
        );
        assert_eq!(
            name_of_app_role("B0AFDED3-3588-46D8-8B3D-9842EFF778DA"),
            Some("AuditLog.Read.All")
        );
        assert_eq!(
            name_of_app_role("00000000-0000-0000-0000-000000000000"),
            None
        );
    }

    #[test]
    fn user_read_exists_only_as_a_delegated_permission() {
        let user_read = find("User.Read").unwrap();
        assert_eq!(user_read.id(PermissionKind::Application), None);
        assert!(user_read.id(PermissionKind::Delegated).is_some());
        assert!(!user_read.needs_admin_consent(PermissionKind::Delegated));
        assert!(find("Mail.Send")
            .unwrap()
            .needs_admin_consent(PermissionKind::Application));
    }
}
