//! The events the audit trail records. Each is stored by its stable code
//! (which exports and filters use) and shown by its label.

use serde::{Deserialize, Serialize};

macro_rules! audit_actions {
    ($($variant:ident => $code:literal, $label:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum AuditAction {
            $($variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            pub fn code(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $code,)*
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $label,)*
                }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(AuditAction::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_actions! {
    SignedIn => "sign_in.succeeded", "Signed in";
    SignInFailed => "sign_in.failed", "Sign-in failed";
    SignInLocked => "sign_in.locked", "Sign-in locked after repeated failures";
    SignedOut => "sign_in.signed_out", "Signed out";
    SessionsRevoked => "session.revoked", "Sessions ended";
    PasswordChanged => "password.changed", "Password changed";
    PasswordResetSent => "password.reset_link_sent", "Password reset link made";
    PasswordReset => "password.reset", "Password reset with a link";
    MasterKeyRotated => "master_key.rotated", "Master key rotated";
    MfaEnrolled => "mfa.enrolled", "Second factor set up";
    MfaReset => "mfa.reset", "Second factor reset";
    MfaRequirementChanged => "mfa.requirement_changed", "Second factor requirement changed";
    RecoveryCodeUsed => "mfa.recovery_code_used", "Signed in with a recovery code";
    MemberInvited => "member.invited", "Member invited";
    InvitationRevoked => "member.invitation_revoked", "Invitation withdrawn";
    MemberJoined => "member.joined", "Member joined";
    RoleChanged => "member.role_changed", "Role changed";
    MemberDisabled => "member.disabled", "Member disabled";
    MemberEnabled => "member.enabled", "Member enabled";
    MemberRemoved => "member.removed", "Member removed";
    TenantCreated => "tenant.created", "Customer tenant added";
    TenantEdited => "tenant.edited", "Customer tenant edited";
    TenantArchived => "tenant.archived", "Customer tenant archived";
    TenantOwnershipVerified => "tenant.ownership_verified", "Customer proved control of their tenant";
    RegistrationCreated => "registration.created", "Registration added";
    RegistrationEdited => "registration.edited", "Registration edited";
    RegistrationArchived => "registration.archived", "Registration archived";
    CredentialReplaced => "registration.credential_replaced", "Credential replaced";
    LinkCreated => "onboarding_link.created", "Onboarding link created";
    LinkRevoked => "onboarding_link.revoked", "Onboarding link revoked";
    LinkCompleted => "onboarding_link.completed", "Onboarding completed by the customer";
    ExportDownloaded => "export.downloaded", "Export downloaded";
    HomeTenantChanged => "recovery.home_tenant_changed", "Organisation's Microsoft 365 tenant changed";
    RecoveryTurnedOn => "recovery.turned_on", "Company recovery turned on";
    RecoveryTurnedOff => "recovery.turned_off", "Company recovery turned off";
    RecoveryWindowChanged => "recovery.window_changed", "Company recovery window changed";
    RecoveryAccepted => "recovery.accepted", "Access recovered by proving control of the tenant";
    RecoveryRefused => "recovery.refused", "Recovery attempt refused";
    RecoveryLocked => "recovery.locked", "Company recovery locked after refused attempts";
    AlertChannelAdded => "alert_channel.added", "Alert channel added";
    AlertChannelRemoved => "alert_channel.removed", "Alert channel removed";
    AlertTestSent => "alert_channel.test_sent", "Test alert sent";
    AlertRulesChanged => "alert_channel.rules_changed", "Alert channel's rules changed";
    AlertSecretRotated => "alert_channel.secret_rotated", "Webhook signing secret rotation started";
    AlertSecretRotationFinished => "alert_channel.secret_rotation_finished", "Webhook signed with its new secret only";
    AlertTimeZoneChanged => "alerts.time_zone_changed", "Time zone for alert digests changed";
    ExpiryNoticesChanged => "tenant.expiry_notices_changed", "Expiry notices to a customer turned on or off";
    NoticeReplyToChanged => "alerts.notice_reply_to_changed", "Reply-to address of customer notices changed";
    RenewedByCustomer => "registration.renewed_by_customer", "Customer renewed a credential through a renewal link";
    ApiTokenCreated => "api_token.created", "API token created";
    ApiTokenRevoked => "api_token.revoked", "API token revoked";
    ApiWrite => "api.write", "Change made through the API";
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_code_and_codes_are_unique() {
        let mut codes = std::collections::HashSet::new();
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(action.code()), Some(*action));
            assert!(codes.insert(action.code()), "{} twice", action.code());
        }
        assert_eq!(AuditAction::from_code("nonsense"), None);
    }
}
