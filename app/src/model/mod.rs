//! View models: exactly what a page needs, nothing secret.

use crate::ids::{CustomerTenantId, InvitationId, LinkId, RegistrationId, StaffSessionId, UserId};
use crate::timestamp::Timestamp;
use domain::form::SecretText;
use domain::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub organisation_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: UserId,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub is_you: bool,
    /// Disabled members keep their row and cannot sign in.
    pub disabled: bool,
    /// Whether they sign in with a second factor.
    pub mfa: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffOverview {
    pub organisation_name: String,
    pub members: Vec<StaffMember>,
    pub invitations: Vec<PendingInvitation>,
    /// Whether the caller may invite people and change roles.
    pub can_manage: bool,
    /// Whether every member must sign in with a second factor.
    pub mfa_required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationCreated {
    pub email: String,
    pub link: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationDetails {
    pub organisation_name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupState {
    /// The token is the live one and no organisation exists yet.
    Open,
    /// An organisation already exists: set-up is over for good.
    Done,
    /// The token is missing, wrong or already used.
    InvalidToken,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub id: CustomerTenantId,
    pub display_name: String,
    /// The Microsoft directory GUID, when recorded.
    pub entra_tenant_id: Option<String>,
    pub primary_domain: Option<String>,
    pub cloud: domain::Cloud,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantList {
    pub tenants: Vec<TenantSummary>,
    pub can_manage: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantDetails {
    pub summary: TenantSummary,
    /// The stored values as the edit form shows them.
    pub form: domain::customer::CustomerTenantForm,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub can_manage: bool,
    /// The customer proved control of the tenant (an ownership-proof link).
    pub ownership: Option<OwnershipProof>,
    /// Its contacts are told before a credential Tenantry holds expires,
    /// with a renewal link.
    #[serde(default)]
    pub expiry_notices: bool,
    /// Bumped by every change to the editable fields.
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnershipProof {
    pub verified_at: Timestamp,
    /// The user who created the recovery app, from the audit log.
    pub verified_by: String,
    pub evidence: String,
    /// Whether `verified_by` is already among the tenant's contacts.
    pub is_contact: bool,
}

/// A registration as staff see it: never the secret, only its hint and expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationView {
    pub id: RegistrationId,
    pub profiles: Vec<String>,
    pub client_id: String,
    pub object_id: Option<String>,
    pub credential: String,
    pub credential_expires_at: Option<Timestamp>,
    pub entered_by: String,
    pub entered_at: Timestamp,
    pub standing: StandingView,
    /// Kept, no longer checked.
    pub archived: bool,
}

/// A registration as the JSON API lists it: its products by id, its
/// credential's kind, hint and expiry (never the credential), and its
/// standing now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationRecord {
    pub id: RegistrationId,
    pub customer_tenant_id: CustomerTenantId,
    pub tenant_name: String,
    pub profiles: Vec<String>,
    pub client_id: String,
    pub object_id: Option<String>,
    /// `secret` or `certificate`.
    pub credential_kind: String,
    /// The secret's first characters, or the certificate's thumbprint.
    pub credential_shown: String,
    pub credential_expires_at: Option<Timestamp>,
    pub entered_at: Timestamp,
    pub archived: bool,
    pub standing: StandingView,
}

/// What staff enter to record a registration made by hand: its IDs and
/// either a client secret or a certificate with its private key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationForm {
    /// Comma-separated profile ids, e.g. `intune-publishing,email`.
    pub profiles: String,
    pub client_id: String,
    pub object_id: String,
    /// `secret` (the default) or `certificate`.
    pub credential: String,
    pub secret: SecretText,
    /// `YYYY-MM-DD`, as Entra shows it next to the secret.
    pub secret_expires: String,
    /// Base64 of the uploaded files, as in `CertificateUpload`.
    pub certificate: String,
    pub private_key: SecretText,
    pub password: SecretText,
}

impl RegistrationForm {
    pub fn credential_form(&self) -> CredentialForm {
        CredentialForm {
            credential: self.credential.clone(),
            secret: self.secret.clone(),
            secret_expires: self.secret_expires.clone(),
            certificate: self.certificate.clone(),
            private_key: self.private_key.clone(),
            password: self.password.clone(),
        }
    }
}

/// The products a registration serves, changed from its page; the Object
/// ID may be added when a product newly needs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfilesForm {
    /// Comma-separated profile ids.
    pub profiles: String,
    pub object_id: String,
}

/// A credential entered by staff: a client secret with its expiry, or a
/// certificate with its private key. Write-only: no field is ever sent back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CredentialForm {
    /// `secret` (the default) or `certificate`.
    pub credential: String,
    pub secret: SecretText,
    pub secret_expires: String,
    pub certificate: String,
    pub private_key: SecretText,
    pub password: SecretText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnboardingCreated {
    pub link: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnboardingLinkView {
    pub id: LinkId,
    pub profiles: Vec<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Sent, Opened, Step N saved, Tested, Completed, Expired or Revoked.
    pub state: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementView {
    pub permission: String,
    pub kind: String,
    pub optional: bool,
    pub reason: String,
}

impl RequirementView {
    /// The union of what `profiles` need, as people read it.
    pub fn all_for(profiles: &[domain::profile::Profile]) -> Vec<Self> {
        domain::profile::combined_requirements(profiles)
            .into_iter()
            .map(|r| RequirementView {
                kind: r.kind.label().to_owned(),
                optional: r.necessity == domain::profile::Necessity::Optional,
                permission: r.permission,
                reason: r.reason,
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileSteps {
    pub name: String,
    pub summary: String,
    pub cautions: Vec<String>,
}

/// What the customer sees on an onboarding link: the steps for this tenant,
/// cloud and set of products, and what they saved so far (never a secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnboardingView {
    pub tenant_name: String,
    pub cloud_label: String,
    pub portal_host: String,
    pub suggested_app_name: String,
    pub profiles: Vec<ProfileSteps>,
    pub requirements: Vec<RequirementView>,
    pub needs_object_id: bool,
    /// A company recovery link: the secret is entered at the test and never
    /// stored, and success verifies the tenant rather than adding a
    /// registration.
    pub ownership_proof: bool,
    /// A renewal link: only the credential of an existing app registration
    /// is replaced; its IDs are on file.
    #[serde(default)]
    pub renewal: bool,
    pub ids: OnboardingIds,
    pub credential: Option<SavedCredential>,
    pub consent_url: Option<String>,
    /// The highest wizard step the customer finished (0 to 6).
    pub finished: i64,
    pub completed: bool,
    /// Scripts that create the registration in one go, instead of step 1 and 2.
    pub powershell: String,
    pub azure_cli: String,
    /// Tenantry's address for Microsoft to send the admin back to after
    /// consent; added to the app registration as a Web redirect URI.
    pub redirect_uri: String,
}

/// The IDs from the app registration's Overview page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OnboardingIds {
    pub tenant_id: String,
    pub client_id: String,
    pub object_id: String,
}

/// The credential saved on a link or registration, described without any
/// secret part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedCredential {
    pub certificate: bool,
    /// "Client secret …abcd", or the certificate's subject.
    pub summary: String,
    pub thumbprint: Option<String>,
    pub expires: Timestamp,
    /// Tenantry made the key pair; its public certificate can be downloaded.
    pub generated: bool,
    /// Policy advice that does not block, such as a long lifetime.
    pub advice: Vec<String>,
}

/// A client secret's value (write-only) and its expiry date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecretForm {
    pub secret: SecretText,
    /// `YYYY-MM-DD`, as Entra shows it next to the secret.
    pub secret_expires: String,
}

/// An uploaded certificate. Files arrive base64-encoded as the browser read
/// them: the certificate as .cer/.crt/.pem, the key as .pfx or PEM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CertificateUpload {
    pub certificate: String,
    pub private_key: SecretText,
    pub password: SecretText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    pub status: domain::evaluation::Status,
    pub permissions: Vec<domain::evaluation::PermissionVerdict>,
    pub extra_permissions: Vec<String>,
    pub findings: Vec<domain::finding::Finding>,
    /// The registration is now active and visible to the MSP (for an
    /// ownership proof: the tenant is verified).
    pub completed: bool,
    /// For an ownership-proof link: the recovery checklist.
    pub ownership: Option<RecoveryResult>,
}

mod alerts;
mod api_tokens;
mod checks;
mod dashboard;
mod exchange;
mod recovery;
pub use alerts::*;
pub use api_tokens::*;
pub use checks::*;
pub use dashboard::*;
pub use exchange::*;
pub use recovery::*;

/// One of the caller's own sign-ins, for "your sessions".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: StaffSessionId,
    pub signed_in_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
    /// The browser asking.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub actor: String,
    /// The stable code (`member.disabled`), as exports and filters use it.
    pub action: String,
    pub action_label: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
    pub user_agent: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub page: i64,
    pub has_more: bool,
}

/// The audit page's filters as they appear in its address and the CSV
/// export's; empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

impl AuditQuery {
    /// `action=…&text=…` for the export link, leaving out empty parts.
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("action", &self.action),
            ("text", &self.text),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.trim().is_empty() {
                out.append_pair(name, value.trim());
            }
        }
        out.finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecondFactorStatus {
    pub enrolled: bool,
    /// The organisation requires a second factor of every member.
    pub required: bool,
    pub recovery_codes_left: i64,
}

/// A second factor being set up: shown once, to the member setting it up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MfaEnrolment {
    /// The otpauth URL as a QR code (an SVG in a data URL).
    pub qr_svg_data_url: String,
    /// The same secret as base32 text, to type in instead.
    pub secret: String,
    pub account: String,
}

/// A reset link made for a member, to pass on to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordResetCreated {
    pub email: String,
    pub link: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordResetDetails {
    pub email: String,
    pub organisation_name: String,
}
