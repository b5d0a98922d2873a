use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a member of an MSP organisation may do. Stored as its lowercase name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Technician,
    Viewer,
}

/// Things a signed-in member might attempt; `Role::may` is the single place
/// that decides who may do what, so the UI and the server cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ViewOrganisation,
    /// The organisation's own settings: its tenant, company recovery, mail.
    ManageOrganisation,
    ManageStaff,
    ManageTenants,
    ReadAuditTrail,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Technician, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Technician => "technician",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Technician => "Technician",
            Role::Viewer => "Viewer",
        }
    }

    pub fn may(self, action: Action) -> bool {
        match action {
            Action::ViewOrganisation => true,
            Action::ManageOrganisation | Action::ManageStaff | Action::ReadAuditTrail => {
                self == Role::Admin
            }
            Action::ManageTenants => matches!(self, Role::Admin | Role::Technician),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': expected admin, technician or viewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "technician" => Ok(Role::Technician),
            "viewer" => Ok(Role::Viewer),
            _ => Err(UnknownRole(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_staff() {
        assert!(Role::Admin.may(Action::ManageStaff));
        assert!(!Role::Technician.may(Action::ManageStaff));
        assert!(!Role::Viewer.may(Action::ManageStaff));
    }

    #[test]
    fn viewers_change_nothing_but_everyone_may_look() {
        for role in Role::ALL {
            assert!(role.may(Action::ViewOrganisation));
        }
        assert!(!Role::Viewer.may(Action::ManageTenants));
        assert!(Role::Technician.may(Action::ManageTenants));
    }

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!(" Viewer ".parse::<Role>(), Ok(Role::Viewer));
        assert!("owner".parse::<Role>().is_err());
    }
}
