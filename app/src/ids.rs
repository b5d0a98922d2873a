//! Ids of Tenantry's own rows. Each kind is its own type, so a customer
//! tenant's id cannot be passed where a registration's is expected, and
//! the compiler catches two ids swapped in a call. They are opaque: an id
//! that names no row of the caller's organisation simply finds nothing.
//!
//! `TenantId`-like names for Microsoft's directory GUIDs live in
//! `domain::ids`; these are only ever the portal's own rows.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(String);

        impl $name {
            /// A fresh id for a row about to be inserted.
            #[cfg(feature = "ssr")]
            pub fn generate() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// From an address or a form, where ids arrive as text.
        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

row_id!(
    /// An MSP using Tenantry.
    OrganisationId
);
row_id!(
    /// A member of an organisation's staff.
    UserId
);
row_id!(
    /// One of an organisation's customer tenants (not the Microsoft
    /// directory GUID, which is `entra_tenant_id`).
    CustomerTenantId
);
row_id!(
    /// An app registration recorded under a customer tenant.
    RegistrationId
);
row_id!(
    /// An onboarding link sent to a customer.
    LinkId
);
row_id!(
    /// A staff invitation.
    InvitationId
);
row_id!(
    /// One stored check of a registration.
    CheckId
);
row_id!(
    /// One sign-in of a member: a browser's session names it, and ending
    /// the row signs that browser out.
    StaffSessionId
);
row_id!(
    /// One event of the audit trail.
    AuditEventId
);
row_id!(
    /// One message in the outbox.
    MessageId
);
row_id!(
    /// One verification of a company recovery that counted.
    RecoveryAttemptId
);
row_id!(
    /// A place an organisation's alerts are sent to.
    AlertChannelId
);
row_id!(
    /// One message to one alert channel.
    AlertDeliveryId
);
row_id!(
    /// One alert kept for a channel's daily digest.
    AlertDigestItemId
);
row_id!(
    /// An organisation API token: the `<id>` in `tnty_<id>_<secret>`.
    ApiTokenId
);
