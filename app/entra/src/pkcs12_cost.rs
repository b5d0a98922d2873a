//! How much work a .pfx asks for before it can be opened. A PKCS#12 file
//! names its own key-derivation iteration counts (for its MAC, its
//! encrypted certificates and its shrouded key), and each iteration is paid
//! in CPU time by whoever opens it. These counts sit in the clear, so they
//! are read here, with the password never touched, and a file that asks for
//! too much is refused before any derivation runs.

use der::asn1::{ContextSpecific, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use pkcs12::cms::encrypted_data::EncryptedData;
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pbes2Params, Pbkdf2Params, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeContents;
use pkcs12::AuthenticatedSafe;

/// The most iterations any single derivation in an uploaded .pfx may ask
/// for. Windows and OpenSSL write 2,000 to 600,000 (.NET refuses more than
/// 600,000 by default); beyond it, a small file costs seconds of CPU.
pub const MAX_ITERATIONS: u64 = 600_000;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
/// `pkcs-12PbeIds`: the PKCS#12 password-based schemes (PBES1 style).
const PKCS12_PBE_ARC: &str = "1.2.840.113549.1.12.1.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// The largest iteration count the file asks for.
    Iterations(u64),
    /// A scheme whose cost cannot be bounded by an iteration count (scrypt,
    /// or something unknown); no tool Microsoft documents writes one.
    Unsupported,
}

fn asn1<T: for<'a> Decode<'a>>(bytes: &[u8]) -> Option<T> {
    T::from_der(bytes).ok()
}

fn params_der(parameters: &Option<der::Any>) -> Option<Vec<u8>> {
    parameters.as_ref()?.to_der().ok()
}

/// The iterations an encryption algorithm identifier asks for.
fn scheme_cost(oid: ObjectIdentifier, parameters: &Option<der::Any>) -> Cost {
    let Some(params) = params_der(parameters) else {
        return Cost::Unsupported;
    };
    if oid == PBES2 {
        let Some(pbes2) = asn1::<Pbes2Params>(&params) else {
            return Cost::Unsupported;
        };
        if pbes2.kdf.oid != PBKDF2 {
            return Cost::Unsupported;
        }
        return params_der(&pbes2.kdf.parameters)
            .and_then(|kdf| asn1::<Pbkdf2Params>(&kdf))
            .map_or(Cost::Unsupported, |kdf| {
                Cost::Iterations(kdf.iteration_count.into())
            });
    }
    if oid.to_string().starts_with(PKCS12_PBE_ARC) {
        return asn1::<Pkcs12PbeParams>(&params).map_or(Cost::Unsupported, |p| {
            Cost::Iterations(p.iterations.max(0) as u64)
        });
    }
    Cost::Unsupported
}

fn worst(a: Cost, b: Cost) -> Cost {
    match (a, b) {
        (Cost::Unsupported, _) | (_, Cost::Unsupported) => Cost::Unsupported,
        (Cost::Iterations(a), Cost::Iterations(b)) => Cost::Iterations(a.max(b)),
    }
}

/// The cost of opening `bytes`, or `None` when it is not a PKCS#12 file.
/// Bags inside encrypted content are only visible after decryption; those
/// stay bounded by the crate that opens the file.
pub fn of(bytes: &[u8]) -> Option<Cost> {
    let pfx = asn1::<Pfx>(bytes)?;
    let mut cost = Cost::Iterations(
        pfx.mac_data
            .as_ref()
            .map_or(0, |mac| mac.iterations.max(0) as u64),
    );
    if pfx.auth_safe.content_type != DATA {
        return Some(Cost::Unsupported);
    }
    let safes = asn1::<OctetString>(&pfx.auth_safe.content.to_der().ok()?)?;
    let safes = asn1::<AuthenticatedSafe<'_>>(safes.as_bytes())?;
    for safe in safes {
        let content = safe.content.to_der().ok()?;
        if safe.content_type == ENCRYPTED_DATA {
            let encrypted = asn1::<EncryptedData>(&content)?;
            let algorithm = &encrypted.enc_content_info.content_enc_alg;
            cost = worst(cost, scheme_cost(algorithm.oid, &algorithm.parameters));
        } else if safe.content_type == DATA {
            let bags = asn1::<OctetString>(&content)?;
            for bag in asn1::<SafeContents>(bags.as_bytes())? {
                if bag.bag_id == SHROUDED_KEY_BAG {
                    let key = asn1::<ContextSpecific<EncryptedPrivateKeyInfo>>(&bag.bag_value)?;
                    let algorithm = &key.value.encryption_algorithm;
                    cost = worst(cost, scheme_cost(algorithm.oid, &algorithm.parameters));
                }
            }
        } else {
            return Some(Cost::Unsupported);
        }
    }
    Some(cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_certificates::{make, pfx_costing, Recipe};

    #[test]
    fn the_iterations_a_pfx_asks_for_are_read_without_its_password() {
        let made = make("cost", Recipe::default());
        assert_eq!(
            of(&pfx_costing(&made, "pw", 2_048)),
            Some(Cost::Iterations(10_000)),
            "the key and certificate use 10,000, more than the MAC's 2,048"
        );
        assert_eq!(
            of(&pfx_costing(&made, "pw", 650_000)),
            Some(Cost::Iterations(650_000))
        );
        assert_eq!(of(b"not a pfx"), None);
    }

    #[test]
    fn a_pfx_that_asks_for_too_much_work_is_refused_before_any_is_done() {
        let made = make("costly", Recipe::default());
        let costly = pfx_costing(&made, "pw", 650_000);
        assert_eq!(
            crate::certificate::read_pkcs12(&costly, "wrong password"),
            Err(crate::certificate::CertificateError::Pkcs12TooCostly {
                iterations: 650_000
            }),
            "refused on its stated cost, not on the password"
        );
        assert!(crate::certificate::read_pkcs12(&pfx_costing(&made, "pw", 600_000), "pw").is_ok());
    }
}
