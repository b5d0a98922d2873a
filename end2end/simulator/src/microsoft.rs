//! What the simulator knows about Microsoft, written from Microsoft's
//! documentation (the national-cloud endpoint table and the Graph
//! permissions reference, as summarised in the steering repository's
//! `shared/reference/identity-facts.md`), not from Tenantry's own rules. A
//! stand-in that shared the product's tables would agree with its mistakes;
//! `tests/agrees_with_the_product.rs` compares the two so a disagreement
//! shows.

use serde::{Deserialize, Serialize};

/// The clouds a tenant can live in, named as in scenario files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    Global,
    Gcc,
    GccHigh,
    Dod,
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 5] = [
        Cloud::Global,
        Cloud::Gcc,
        Cloud::GccHigh,
        Cloud::Dod,
        Cloud::China,
    ];

    /// Graph in this cloud: the audience of its tokens. GCC (moderate) uses
    /// the worldwide Graph.
    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Global | Cloud::Gcc => "https://graph.microsoft.com",
            Cloud::GccHigh => "https://graph.microsoft.us",
            Cloud::Dod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The `.default` scope a client-credentials request for Graph in this
    /// cloud must carry.
    pub fn graph_default_scope(self) -> String {
        format!("{}/.default", self.graph_host())
    }

    /// Whether this cloud signs in at the worldwide login host, where a
    /// token for the worldwide Graph is a same-cloud request.
    pub fn uses_worldwide_login(self) -> bool {
        matches!(self, Cloud::Global | Cloud::Gcc)
    }
}

/// Graph reads (path without query, under `/v1.0`) and the application
/// permissions any one of which lets an app make them.
const READS: &[(&str, &[&str])] = &[
    (
        "/v1.0/deviceAppManagement/mobileApps",
        &[
            "DeviceManagementApps.Read.All",
            "DeviceManagementApps.ReadWrite.All",
        ],
    ),
    (
        "/v1.0/deviceManagement/deviceConfigurations",
        &[
            "DeviceManagementConfiguration.Read.All",
            "DeviceManagementConfiguration.ReadWrite.All",
        ],
    ),
    (
        "/v1.0/deviceManagement/managedDevices",
        &[
            "DeviceManagementManagedDevices.Read.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
        ],
    ),
    (
        "/v1.0/deviceManagement/roleDefinitions",
        &[
            "DeviceManagementRBAC.Read.All",
            "DeviceManagementRBAC.ReadWrite.All",
        ],
    ),
    (
        "/v1.0/deviceManagement/deviceEnrollmentConfigurations",
        &[
            "DeviceManagementServiceConfig.Read.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
        ],
    ),
    (
        "/v1.0/groups",
        &[
            "GroupMember.Read.All",
            "Group.Read.All",
            "Directory.Read.All",
        ],
    ),
    (
        "/v1.0/users",
        &["User.ReadBasic.All", "User.Read.All", "Directory.Read.All"],
    ),
    ("/v1.0/devices", &["Device.Read.All", "Directory.Read.All"]),
    ("/v1.0/auditLogs/directoryAudits", &["AuditLog.Read.All"]),
    (
        "/v1.0/applications",
        &["Application.Read.All", "Directory.Read.All"],
    ),
    (
        "/v1.0/organization",
        &["Organization.Read.All", "Directory.Read.All"],
    ),
];

/// The permissions that allow a Graph read at `path` (query ignored), or
/// `None` for a path the simulator does not serve.
pub fn permissions_for_read(path: &str) -> Option<&'static [&'static str]> {
    let path = path.split('?').next().unwrap_or(path);
    READS
        .iter()
        .find(|(read, _)| *read == path)
        .map(|(_, allowed_by)| *allowed_by)
}

/// Every read the simulator serves, for the comparison test.
pub fn reads() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    READS.iter().copied()
}

/// Microsoft Graph's app-role GUID for an application permission, as
/// Microsoft publishes it: read from the verified reference (each GUID
/// confirmed in two public sources), not from the product's catalog.
pub fn graph_app_role_id(permission: &str) -> Option<String> {
    static TABLE: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(include_str!(
            "../../../app/domain/reference/graph-permissions.json"
        ))
        .expect("the permission table is JSON")
    })["permissions"]
        .as_array()?
        .iter()
        .find(|entry| {
            entry["name"]
                .as_str()
                .is_some_and(|name| name.eq_ignore_ascii_case(permission))
        })?["application_id"]
        .as_str()
        .map(str::to_owned)
}
