//! Every parser of outside input in the domain, fed arbitrary text: what a
//! customer types or pastes, CSV headers, forwarded-for headers, OpenID
//! issuers. Each answers with a value or a clear error, never a panic, and
//! what it accepts is in its one canonical form.

use domain::customer::CustomerTenantForm;
use domain::exchange::header_problems;
use domain::forwarded::{client_address, TrustedProxies};
use domain::ids::{tenant_id_of_issuer, ClientId, ObjectId, SecretValue, TenantRef};
use domain::Email;
use proptest::prelude::*;
use std::net::IpAddr;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn an_accepted_application_or_object_id_is_canonical_and_reads_back_the_same(raw in "\\PC{0,50}") {
        if let Ok(id) = ClientId::parse(&raw) {
            prop_assert_eq!(id.as_str(), id.as_str().to_ascii_lowercase());
            prop_assert_eq!(id.as_str().len(), 36);
            prop_assert_eq!(ClientId::parse(id.as_str()).unwrap(), id);
        }
        if let Ok(id) = ObjectId::parse(&raw) {
            prop_assert_eq!(ObjectId::parse(id.as_str()).unwrap(), id);
        }
    }

    #[test]
    fn a_guid_in_any_case_or_braces_is_accepted(bytes in any::<[u8; 16]>(), upper in any::<bool>(), braces in any::<bool>()) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut guid = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
        if upper { guid = guid.to_uppercase(); }
        if braces { guid = format!("{{{guid}}}"); }
        let parsed = ClientId::parse(&guid).unwrap();
        prop_assert_eq!(parsed.as_str(), hex_guid(&hex));
    }

    #[test]
    fn an_accepted_tenant_reads_back_the_same(raw in "\\PC{0,80}") {
        if let Ok(tenant) = TenantRef::parse(&raw) {
            prop_assert_eq!(TenantRef::parse(tenant.as_str()).unwrap(), tenant);
        }
    }

    #[test]
    fn a_secret_hint_never_shows_more_than_its_last_four_characters(raw in "\\PC{0,80}") {
        if let Ok(secret) = SecretValue::new(&raw) {
            let hint = secret.hint();
            prop_assert!(hint.chars().count() <= 5);
            prop_assert_eq!(format!("{secret:?}"), "SecretValue(<redacted>)");
        }
    }

    #[test]
    fn an_accepted_email_is_lower_case_and_reads_back_the_same(raw in "\\PC{0,80}") {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert_eq!(email.as_str(), email.as_str().to_lowercase());
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email);
        }
    }

    #[test]
    fn any_tenant_form_is_accepted_or_refused_field_by_field(
        display_name in "\\PC{0,150}",
        tenant_id in "\\PC{0,50}",
        primary_domain in "\\PC{0,80}",
        cloud in "\\PC{0,12}",
        contacts in "\\PC{0,200}",
        notes in "\\PC{0,300}",
    ) {
        let form = CustomerTenantForm { display_name, tenant_id, primary_domain, cloud, contacts, notes };
        if let Err(problems) = form.parse() {
            prop_assert!(!problems.is_empty());
            prop_assert!(problems.iter().all(|p| !p.field.is_empty() && !p.message.is_empty()));
        }
    }

    #[test]
    fn any_csv_header_is_judged_without_panicking(header in proptest::collection::vec("\\PC{0,30}", 0..20)) {
        for problem in header_problems(&header) {
            prop_assert_eq!(problem.line, 1);
            prop_assert!(!problem.message.is_empty());
        }
    }

    #[test]
    fn an_untrusted_peer_cannot_name_another_client_address(
        peer in any::<[u8; 4]>(),
        header in "[0-9a-f.:, \\[\\]x-]{0,120}",
        trusted in "\\PC{0,40}",
    ) {
        let peer = IpAddr::from(peer);
        let trusted = TrustedProxies::parse(&trusted).unwrap_or_default();
        let client = client_address(peer, &[header.as_str()], &trusted);
        if !trusted.trusts(peer) {
            prop_assert_eq!(client, peer, "only a trusted proxy's header is believed");
        }
    }

    #[test]
    fn any_issuer_names_at_most_one_tenant(issuer in "\\PC{0,200}") {
        if let Some(id) = tenant_id_of_issuer(&issuer) {
            prop_assert_eq!(id.len(), 36);
        }
    }
}

fn hex_guid(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
