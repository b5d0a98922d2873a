//! Harmless Graph reads that show whether a granted permission actually
//! works: a 403 on the read means the permission is not effective, even if
//! the token lists it. Permissions with no harmless read (sending mail,
//! device actions) have no probe.

pub struct ProbeTarget {
    /// Path and query under the Graph host, e.g. `/v1.0/groups?$top=1`.
    pub path: &'static str,
    /// Application permissions any of which allows the read.
    pub allowed_by: &'static [&'static str],
}

pub const PROBES: &[ProbeTarget] = &[
    ProbeTarget {
        path: "/v1.0/deviceAppManagement/mobileApps?$top=1",
        allowed_by: &[
            "DeviceManagementApps.Read.All",
            "DeviceManagementApps.ReadWrite.All",
        ],
    },
    ProbeTarget {
        path: "/v1.0/deviceManagement/deviceConfigurations?$top=1",
        allowed_by: &[
            "DeviceManagementConfiguration.Read.All",
            "DeviceManagementConfiguration.ReadWrite.All",
        ],
    },
    ProbeTarget {
        path: "/v1.0/deviceManagement/managedDevices?$top=1",
        allowed_by: &[
            "DeviceManagementManagedDevices.Read.All",
            "DeviceManagementManagedDevices.ReadWrite.All",
        ],
    },
    ProbeTarget {
        path: "/v1.0/deviceManagement/roleDefinitions?$top=1",
        allowed_by: &[
            "DeviceManagementRBAC.Read.All",
            "DeviceManagementRBAC.ReadWrite.All",
        ],
    },
    ProbeTarget {
        path: "/v1.0/deviceManagement/deviceEnrollmentConfigurations?$top=1",
        allowed_by: &[
            "DeviceManagementServiceConfig.Read.All",
            "DeviceManagementServiceConfig.ReadWrite.All",
        ],
    },
    ProbeTarget {
        path: "/v1.0/groups?$top=1",
        allowed_by: &[
            "GroupMember.Read.All",
            "Group.Read.All",
            "Directory.Read.All",
        ],
    },
    ProbeTarget {
        path: "/v1.0/users?$top=1",
        allowed_by: &["User.ReadBasic.All", "User.Read.All", "Directory.Read.All"],
    },
    ProbeTarget {
        path: "/v1.0/devices?$top=1",
        allowed_by: &["Device.Read.All", "Directory.Read.All"],
    },
    ProbeTarget {
        path: "/v1.0/auditLogs/directoryAudits?$top=1",
        allowed_by: &["AuditLog.Read.All"],
    },
    ProbeTarget {
        path: "/v1.0/applications?$top=1",
        allowed_by: &["Application.Read.All", "Directory.Read.All"],
    },
    ProbeTarget {
        path: "/v1.0/organization",
        allowed_by: &["Organization.Read.All", "Directory.Read.All"],
    },
];

/// The read that shows whether `permission` works.
/// Microsoft's limits for the identity and access reports service (audit
/// logs, sign-ins, reports): (requests, per seconds). They count per app,
/// so a multi-tenant app checked in many customers' tenants shares them.
pub const REPORTS_PER_APP_PER_TENANT: (u32, u64) = (5, 10);
pub const REPORTS_PER_APP_ACROSS_TENANTS: (u32, u64) = (122, 10);

/// Whether a Graph path is served by the identity and access reports
/// service, whose limits are above.
pub fn in_reports_service(path: &str) -> bool {
    [
        "/v1.0/auditLogs/",
        "/beta/auditLogs/",
        "/v1.0/reports/",
        "/beta/reports/",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

pub fn for_permission(permission: &str) -> Option<&'static ProbeTarget> {
    PROBES.iter().find(|probe| {
        probe
            .allowed_by
            .iter()
            .any(|name| name.eq_ignore_ascii_case(permission))
    })
}

/// The probe at a request path (query ignored).
pub fn at_path(path: &str) -> Option<&'static ProbeTarget> {
    let path = path.split('?').next().unwrap_or(path);
    PROBES
        .iter()
        .find(|probe| probe.path.split('?').next() == Some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_probed_name_is_a_catalogued_permission_or_a_broader_directory_one() {
        let broader = [
            "Group.Read.All",
            "DeviceManagementConfiguration.ReadWrite.All",
            "DeviceManagementRBAC.ReadWrite.All",
        ];
        for probe in PROBES {
            for name in probe.allowed_by {
                assert!(
                    crate::permissions::find(name).is_some() || broader.contains(name),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn write_permissions_are_probed_with_a_read_and_mail_has_no_probe() {
        assert_eq!(
            for_permission("DeviceManagementApps.ReadWrite.All")
                .unwrap()
                .path,
            "/v1.0/deviceAppManagement/mobileApps?$top=1"
        );
        assert!(for_permission("Mail.Send").is_none());
        assert!(
            for_permission("DeviceManagementManagedDevices.PrivilegedOperations.All").is_none()
        );
        assert_eq!(
            at_path("/v1.0/groups").unwrap().allowed_by[0],
            "GroupMember.Read.All"
        );
    }
}
