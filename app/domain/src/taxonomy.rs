//! Maps the identity platform's token errors (AADSTS codes) to findings
//! with a cause and a fix. Codes are matched, never the description text,
//! which Microsoft changes freely; unknown codes are shown as they came.

use crate::finding::{Finding, FindingCode, Severity};

/// The parts of a token endpoint error body Tenantry reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenError {
    pub error: String,
    pub error_codes: Vec<u32>,
    pub description: String,
}

fn failing(code: FindingCode, message: &str, fix: &str) -> Finding {
    Finding::new(code, Severity::Failing, message, fix)
}

/// The first line of Microsoft's description, without trace details.
fn headline(description: &str) -> &str {
    description.lines().next().unwrap_or("").trim()
}

pub fn classify_token_error(error: &TokenError) -> Finding {
    let code = error.error_codes.first().copied();
    match code {
        Some(7000215) => failing(
            FindingCode::InvalidSecret,
            "Microsoft rejected the client secret.",
            "Create a new client secret under Certificates & secrets and enter its Value. The Secret ID next to it looks similar but is not the secret.",
        ),
        Some(7000222) => failing(
            FindingCode::SecretExpired,
            "The client secret has expired.",
            "Create a new client secret under Certificates & secrets, enter its value here, and delete the expired one. A certificate avoids frequent renewals.",
        ),
        Some(700016) => failing(
            FindingCode::AppNotFound,
            "No application with this client ID exists in this tenant.",
            "Check the Application (client) ID on the app's Overview page, and that the registration was created in this customer's tenant.",
        ),
        Some(90002) | Some(900023) => failing(
            FindingCode::TenantNotFound,
            "Microsoft does not know this tenant.",
            "Check the Directory (tenant) ID or the primary domain, and that the tenant's cloud is set correctly.",
        ),
        Some(700027) | Some(50012) => failing(
            FindingCode::CertificateRejected,
            "Microsoft did not accept the certificate used to sign in.",
            "Upload the public certificate (.cer) that belongs to this private key under Certificates & secrets of this app registration, and check it has not expired.",
        ),
        Some(700024) => failing(
            FindingCode::CertificateRejected,
            "The signed sign-in request was outside its valid time range.",
            "Check that the server's clock is correct (NTP), then test again.",
        ),
        Some(7000112) | Some(70001) => failing(
            FindingCode::AppDisabled,
            "The application is disabled in this tenant.",
            "In Enterprise applications, open the app's Properties and set 'Enabled for users to sign-in?' to Yes.",
        ),
        Some(7000229) => failing(
            FindingCode::ServicePrincipalMissing,
            "The app registration has no service principal (enterprise application) in this tenant, so no token can be issued for it.",
            "Ask the customer's admin to create it: az ad sp create --id <the Application (client) ID>, or grant admin consent, which creates it. Then grant the app's permissions again: they belong to the service principal.",
        ),
        Some(700025) => failing(
            FindingCode::PublicClient,
            "Entra treats this app as a public client, which may not present a secret or certificate.",
            "On the app registration's Authentication page, set 'Allow public client flows' to No, and keep any redirect URIs under Web rather than Mobile and desktop applications.",
        ),
        Some(7000218) => failing(
            FindingCode::PublicClient,
            "Entra asked for a secret or certificate that Tenantry sent: it reads this app as a public client.",
            "On the app registration's Authentication page, set 'Allow public client flows' to No; then test again.",
        ),
        Some(650052) => failing(
            FindingCode::ResourceNotInTenant,
            "The app's permissions name a service this tenant has not subscribed to or enabled (it has no service principal for it).",
            "Remove the API permissions the products do not use from the app registration (API permissions), or have the customer's admin enable or license the service it names.",
        ),
        Some(500011) => failing(
            FindingCode::WrongCloud,
            "Microsoft Graph, as Tenantry asked for it, does not exist in this tenant: the tenant is in another Microsoft cloud.",
            "Set the tenant's cloud (for example GCC High or China) to where the tenant really lives, then test again.",
        ),
        Some(53003) | Some(530032) => failing(
            FindingCode::ConditionalAccess,
            "A Conditional Access policy blocked the application from signing in.",
            "Review the service principal sign-in logs in Entra ID and allow this application (for example its location) in the workload identity policy.",
        ),
        Some(900382) | Some(900432) | Some(90038) => failing(
            FindingCode::WrongCloud,
            "The tenant belongs to a different Microsoft cloud than the one it was checked against.",
            "Set the tenant's cloud (for example GCC High or China) to where the tenant really lives, then test again.",
        ),
        Some(50034) => failing(
            FindingCode::UnexpectedResponse,
            "Microsoft answered with a user sign-in error (AADSTS50034), which does not belong to app-only sign-in.",
            "Check that the tenant ID is the customer's tenant; if it persists, contact support with the trace ID.",
        ),
        _ => {
            let raw = code.map(|c| format!("AADSTS{c}")).unwrap_or_else(|| error.error.clone());
            failing(
                FindingCode::UnknownError,
                &format!("Microsoft refused the sign-in: {raw}: {}", headline(&error.description)),
                "Look the code up in Microsoft's error reference or contact support with the trace ID.",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: u32) -> Finding {
        classify_token_error(&TokenError {
            error: "invalid_client".into(),
            error_codes: vec![code],
            description: format!("AADSTS{code}: something.\r\nTrace ID: abc"),
        })
    }

    #[test]
    fn each_known_code_maps_to_its_cause() {
        let table = [
            (7000215, FindingCode::InvalidSecret),
            (7000222, FindingCode::SecretExpired),
            (700016, FindingCode::AppNotFound),
            (90002, FindingCode::TenantNotFound),
            (900023, FindingCode::TenantNotFound),
            (700027, FindingCode::CertificateRejected),
            (7000112, FindingCode::AppDisabled),
            (53003, FindingCode::ConditionalAccess),
            (900382, FindingCode::WrongCloud),
            (50034, FindingCode::UnexpectedResponse),
            (7000229, FindingCode::ServicePrincipalMissing),
            (700025, FindingCode::PublicClient),
            (7000218, FindingCode::PublicClient),
            (650052, FindingCode::ResourceNotInTenant),
            (500011, FindingCode::WrongCloud),
        ];
        for (code, expected) in table {
            let finding = refused(code);
            assert_eq!(finding.code, expected, "AADSTS{code}");
            assert_eq!(finding.severity, Severity::Failing);
            assert!(!finding.fix.is_empty());
        }
    }

    #[test]
    fn an_invalid_secret_points_at_the_value_versus_id_mix_up() {
        assert!(refused(7000215).fix.contains("Secret ID"));
    }

    #[test]
    fn unknown_codes_show_the_raw_code_and_microsofts_first_line() {
        let finding = refused(1234567);
        assert_eq!(finding.code, FindingCode::UnknownError);
        assert!(finding.message.contains("AADSTS1234567"));
        assert!(finding.message.contains("something."));
        assert!(!finding.message.contains("Trace ID"));
    }
}
