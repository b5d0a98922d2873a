//! Everything Tenantry reads from outside, fed arbitrary and mangled input:
//! access tokens and token-endpoint answers (from the network), certificate
//! files and .pfx bundles (uploaded by customers). Each must answer with an
//! error and never panic. (A .pfx asking for too many key-derivation
//! iterations, in all or in one part, is refused before any run: the
//! property below, and `server/tests/api/onboarding.rs` over HTTP.)

use entra::certificate::{certificate_der, certificate_facts, read_pkcs12};
use entra::token::{decode_claims, parse_response};
use proptest::prelude::*;
use std::sync::OnceLock;

fn good_pfx() -> &'static (Vec<u8>, Vec<u8>) {
    static PFX: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    PFX.get_or_init(|| {
        let made = test_certificates::make("Parser test", Default::default());
        (test_certificates::pfx(&made, "pw"), made.cert_der.clone())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_as_an_access_token_is_refused_or_read_without_panicking(token in "\\PC{0,300}") {
        let _ = decode_claims(&token);
    }

    #[test]
    fn three_base64_parts_that_are_not_a_token_are_read_without_panicking(
        header in "[A-Za-z0-9_-]{0,60}",
        claims in "[A-Za-z0-9_-]{0,200}",
        signature in "[A-Za-z0-9_-]{0,60}",
    ) {
        let _ = decode_claims(&format!("{header}.{claims}.{signature}"));
    }

    #[test]
    fn any_token_endpoint_answer_is_read_without_panicking(status in 100u16..600, body in "\\PC{0,400}") {
        let _ = parse_response(status, &body, 1_700_000_000);
    }

    #[test]
    fn a_json_answer_with_odd_fields_is_read_without_panicking(
        token in proptest::option::of("\\PC{0,40}"),
        expires in proptest::option::of(any::<i64>()),
        codes in proptest::collection::vec(any::<i64>(), 0..3),
    ) {
        let body = serde_json::json!({
            "access_token": token,
            "expires_in": expires,
            "error": "invalid_client",
            "error_codes": codes,
        });
        let _ = parse_response(200, &body.to_string(), 1_700_000_000);
        let _ = parse_response(400, &body.to_string(), 1_700_000_000);
    }

    #[test]
    fn any_bytes_as_a_certificate_file_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = certificate_der(&bytes);
        let _ = certificate_facts(&bytes);
    }

    #[test]
    fn a_pem_header_around_garbage_is_read_without_panicking(body in "[A-Za-z0-9+/=\\n]{0,600}") {
        let pem = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
        if let Ok(der) = certificate_der(pem.as_bytes()) {
            let _ = certificate_facts(&der);
        }
    }

    #[test]
    fn any_bytes_as_a_pfx_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert!(read_pkcs12(&bytes, "pw").is_err());
    }

    #[test]
    fn a_pfx_with_bytes_changed_is_refused_or_read_without_panicking(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let (pfx, _) = good_pfx();
        let mut mangled = pfx.clone();
        for (at, value) in flips {
            let at = at.index(mangled.len());
            mangled[at] = value;
        }
        let _ = read_pkcs12(&mangled, "pw");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever number of keys a file holds, wherever it hides them and
    /// whatever each asks for, what may be opened costs at most the budget,
    /// and a file whose stated work exceeds it is refused before any key is
    /// derived (the keys here are filler: reaching them would fail
    /// differently).
    #[test]
    fn a_pfx_of_many_keys_is_refused_unless_its_whole_cost_fits_the_budget(
        safes in proptest::collection::vec(
            (
                proptest::option::of(1u32..4_096),
                proptest::collection::vec(1u32..=700_000, 0..40),
            ),
            1..4,
        ),
    ) {
        use entra::pkcs12_cost::{check, Refusal, MAX_BAGS, MAX_ITERATIONS, MAX_TOTAL_ITERATIONS};
        use test_certificates::{crafted_pfx, CraftedBag, CraftedSafe};
        let crafted: Vec<CraftedSafe> = safes
            .iter()
            .map(|(encrypted, keys)| {
                let bags = keys.iter().map(|&iterations| CraftedBag::ShroudedKey { iterations }).collect();
                match encrypted {
                    Some(iterations) => CraftedSafe::encrypted(*iterations, bags),
                    None => CraftedSafe::plain(bags),
                }
            })
            .collect();
        let pfx = crafted_pfx("pw", &crafted);
        let stated: u64 = safes
            .iter()
            .map(|(encrypted, keys)| {
                2 * u64::from(encrypted.unwrap_or(0)) + keys.iter().map(|&i| u64::from(i)).sum::<u64>()
            })
            .sum();
        let bags: usize = safes.iter().map(|(_, keys)| keys.len()).sum();
        let largest = safes.iter().flat_map(|(_, keys)| keys.iter().copied()).max().unwrap_or(0);
        match check(&pfx, "pw") {
            Ok(total) => {
                prop_assert_eq!(total, stated);
                prop_assert!(total <= MAX_TOTAL_ITERATIONS);
                prop_assert!(bags <= MAX_BAGS);
                prop_assert!(u64::from(largest) <= MAX_ITERATIONS);
            }
            Err(Refusal::TooCostly { .. }) => prop_assert!(
                stated > MAX_TOTAL_ITERATIONS || u64::from(largest) > MAX_ITERATIONS
            ),
            Err(Refusal::TooManyParts) => prop_assert!(bags > MAX_BAGS),
            Err(Refusal::TooLarge { bytes }) => prop_assert!(bytes > entra::pkcs12_cost::MAX_BYTES),
            Err(other) => prop_assert!(false, "refused for another reason: {:?}", other),
        }
        if stated > MAX_TOTAL_ITERATIONS || bags > MAX_BAGS {
            prop_assert!(read_pkcs12(&pfx, "pw").is_err());
        }
    }
}

#[test]
fn the_unmangled_pfx_opens() {
    let (pfx, der) = good_pfx();
    let (cert, _) = read_pkcs12(pfx, "pw").unwrap();
    assert_eq!(&cert, der);
}
