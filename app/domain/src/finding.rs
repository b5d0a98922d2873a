//! Findings: what a verification found, each with a stable code (part of the
//! product's contract: the CLI, the API and alerts use it), a severity, a
//! plain-language explanation and the fix the customer should apply.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    InvalidSecret,
    SecretExpired,
    SecretExpiring,
    CertificateRejected,
    CertificateExpired,
    CertificateExpiring,
    AppNotFound,
    TenantNotFound,
    AppDisabled,
    ServicePrincipalMissing,
    PublicClient,
    ResourceNotInTenant,
    ConditionalAccess,
    WrongCloud,
    ConsentMissing,
    PermissionMissing,
    OptionalPermissionMissing,
    PermissionNotEffective,
    ExtraPermission,
    TenantMismatch,
    Throttled,
    ServiceUnavailable,
    Unreachable,
    UnexpectedResponse,
    UnknownError,
}

impl FindingCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::InvalidSecret => "invalid_secret",
            FindingCode::SecretExpired => "secret_expired",
            FindingCode::SecretExpiring => "secret_expiring",
            FindingCode::CertificateRejected => "certificate_rejected",
            FindingCode::CertificateExpired => "certificate_expired",
            FindingCode::CertificateExpiring => "certificate_expiring",
            FindingCode::AppNotFound => "app_not_found",
            FindingCode::TenantNotFound => "tenant_not_found",
            FindingCode::AppDisabled => "app_disabled",
            FindingCode::ServicePrincipalMissing => "service_principal_missing",
            FindingCode::PublicClient => "public_client",
            FindingCode::ResourceNotInTenant => "resource_not_in_tenant",
            FindingCode::ConditionalAccess => "conditional_access",
            FindingCode::WrongCloud => "wrong_cloud",
            FindingCode::ConsentMissing => "consent_missing",
            FindingCode::PermissionMissing => "permission_missing",
            FindingCode::OptionalPermissionMissing => "optional_permission_missing",
            FindingCode::PermissionNotEffective => "permission_not_effective",
            FindingCode::ExtraPermission => "extra_permission",
            FindingCode::TenantMismatch => "tenant_mismatch",
            FindingCode::Throttled => "throttled",
            FindingCode::ServiceUnavailable => "service_unavailable",
            FindingCode::Unreachable => "unreachable",
            FindingCode::UnexpectedResponse => "unexpected_response",
            FindingCode::UnknownError => "unknown_error",
        }
    }
}

impl FindingCode {
    pub const ALL: [FindingCode; 25] = [
        FindingCode::InvalidSecret,
        FindingCode::SecretExpired,
        FindingCode::SecretExpiring,
        FindingCode::CertificateRejected,
        FindingCode::CertificateExpired,
        FindingCode::CertificateExpiring,
        FindingCode::AppNotFound,
        FindingCode::TenantNotFound,
        FindingCode::AppDisabled,
        FindingCode::ServicePrincipalMissing,
        FindingCode::PublicClient,
        FindingCode::ResourceNotInTenant,
        FindingCode::ConditionalAccess,
        FindingCode::WrongCloud,
        FindingCode::ConsentMissing,
        FindingCode::PermissionMissing,
        FindingCode::OptionalPermissionMissing,
        FindingCode::PermissionNotEffective,
        FindingCode::ExtraPermission,
        FindingCode::TenantMismatch,
        FindingCode::Throttled,
        FindingCode::ServiceUnavailable,
        FindingCode::Unreachable,
        FindingCode::UnexpectedResponse,
        FindingCode::UnknownError,
    ];

    pub fn parse(text: &str) -> Option<FindingCode> {
        FindingCode::ALL
            .into_iter()
            .find(|code| code.as_str() == text.trim())
    }

    /// The finding in a few plain words, for one-line lists; the stored
    /// finding carries the full message and fix.
    pub fn headline(self) -> &'static str {
        match self {
            FindingCode::InvalidSecret => "The client secret is wrong",
            FindingCode::SecretExpired => "The client secret has expired",
            FindingCode::SecretExpiring => "The client secret expires soon",
            FindingCode::CertificateRejected => "Microsoft rejects the certificate",
            FindingCode::CertificateExpired => "The certificate has expired",
            FindingCode::CertificateExpiring => "The certificate expires soon",
            FindingCode::AppNotFound => "The app registration is not in the tenant",
            FindingCode::TenantNotFound => "The tenant does not exist",
            FindingCode::AppDisabled => "The app is disabled in the tenant",
            FindingCode::ServicePrincipalMissing => {
                "The app has no enterprise application in the tenant"
            }
            FindingCode::PublicClient => "Entra treats the app as a public client",
            FindingCode::ResourceNotInTenant => {
                "The app asks for a service the tenant does not have"
            }
            FindingCode::ConditionalAccess => "Conditional Access blocks the app",
            FindingCode::WrongCloud => "The tenant is in another Microsoft cloud",
            FindingCode::ConsentMissing => "Admin consent has not been granted",
            FindingCode::PermissionMissing => "A required permission is not granted",
            FindingCode::OptionalPermissionMissing => "An optional permission is not granted",
            FindingCode::PermissionNotEffective => "A granted permission does not work",
            FindingCode::ExtraPermission => "Permissions beyond need are granted",
            FindingCode::TenantMismatch => "The token came from another tenant",
            FindingCode::Throttled => "Microsoft asked Tenantry to slow down",
            FindingCode::ServiceUnavailable => "Microsoft's service was unavailable",
            FindingCode::Unreachable => "Microsoft could not be reached",
            FindingCode::UnexpectedResponse => "Microsoft answered unexpectedly",
            FindingCode::UnknownError => "Microsoft refused for a reason it did not name",
        }
    }
}

impl FindingCode {
    /// The severity a finding with this code has: what the catalogue (and
    /// the API's findings list) states. Expiring credentials and
    /// permissions beyond need are warnings; what stops the app working is
    /// failing; what stops Tenantry asking is could-not-check.
    pub fn severity(self) -> Severity {
        use FindingCode as C;
        match self {
            C::SecretExpiring
            | C::CertificateExpiring
            | C::OptionalPermissionMissing
            | C::ExtraPermission => Severity::Warning,
            C::Throttled | C::ServiceUnavailable | C::Unreachable | C::UnexpectedResponse => {
                Severity::CouldNotCheck
            }
            _ => Severity::Failing,
        }
    }

    /// What to do about it in general; a stored finding carries the fix
    /// for the registration it is about.
    pub fn general_fix(self) -> &'static str {
        use FindingCode as C;
        match self {
            C::InvalidSecret => "Create a new client secret on the app registration and store it in Tenantry.",
            C::SecretExpired | C::SecretExpiring => "Add a new client secret (or, better, a certificate) to the app registration and replace the credential in Tenantry.",
            C::CertificateRejected => "Upload the certificate's public half to the app registration's Certificates & secrets, or replace the credential in Tenantry with the one uploaded there.",
            C::CertificateExpired | C::CertificateExpiring => "Generate a new certificate in Tenantry, upload its public half to the app registration, then activate it.",
            C::AppNotFound => "Check the Application (client) ID, or create the app registration again in the customer's tenant.",
            C::TenantNotFound => "Check the tenant ID or primary domain recorded for the customer.",
            C::AppDisabled => "Ask the customer's admin to enable sign-in for the app's enterprise application.",
            C::ServicePrincipalMissing => "Ask the customer's admin to create the app's enterprise application (az ad sp create --id <client id>, or grant admin consent, which creates it), then grant the permissions again.",
            C::PublicClient => "On the app registration's Authentication page, set 'Allow public client flows' to No and keep redirect URIs under Web, not Mobile and desktop.",
            C::ResourceNotInTenant => "Remove the API permissions the products do not use from the app registration, or have the customer's admin enable the service it names.",
            C::ConditionalAccess => "Ask the customer's admin to exclude the app (or Tenantry's addresses) from the Conditional Access policy that blocks it.",
            C::WrongCloud => "Set the customer tenant's cloud to the Microsoft cloud the tenant is in.",
            C::ConsentMissing => "Ask a Global or Privileged Role Administrator of the customer to grant admin consent.",
            C::PermissionMissing => "Add the missing application permission to the app registration and grant admin consent again.",
            C::OptionalPermissionMissing => "Add the optional permission if the customer uses the feature it serves, then grant admin consent again.",
            C::PermissionNotEffective => "Grant admin consent again; if that does not help, remove and re-add the permission.",
            C::ExtraPermission => "Remove the permissions the products do not need from the app registration.",
            C::TenantMismatch => "Check that the tenant ID recorded is the tenant the app registration lives in.",
            C::Throttled => "Nothing to do now: Tenantry checks again later. If it persists, check fewer registrations at once.",
            C::ServiceUnavailable | C::Unreachable => "Nothing to do now: Tenantry checks again later. If it persists, check the server's network path to Microsoft.",
            C::UnexpectedResponse | C::UnknownError => "Check again; if it persists, read the check's trace and correlation IDs and ask Microsoft support.",
        }
    }
}

/// Ordered from mildest to worst; a verdict takes the worst of its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    /// The check itself could not be completed; says nothing about the app.
    CouldNotCheck,
    Failing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub message: String,
    pub fix: String,
}

impl Finding {
    pub fn new(
        code: FindingCode,
        severity: Severity,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_contract_names() {
        for code in [
            FindingCode::InvalidSecret,
            FindingCode::OptionalPermissionMissing,
            FindingCode::WrongCloud,
            FindingCode::ServiceUnavailable,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn every_code_parses_back_from_its_contract_name() {
        for code in FindingCode::ALL {
            assert_eq!(FindingCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(FindingCode::parse("no_such_code"), None);
    }

    #[test]
    fn failing_outranks_could_not_check_which_outranks_warnings() {
        assert!(Severity::Failing > Severity::CouldNotCheck);
        assert!(Severity::CouldNotCheck > Severity::Warning);
        assert!(Severity::Warning > Severity::Info);
    }
}
