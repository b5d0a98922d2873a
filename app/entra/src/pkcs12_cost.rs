//! How much work a .pfx asks for before it can be opened. A PKCS#12 file
//! names its own key-derivation iteration counts (for its MAC, for each
//! encrypted safe and for each shrouded key), and the crate that opens it
//! (p12-keystore) pays every one of them in CPU time, one after another.
//! Whoever holds an onboarding link can upload a file, so the whole bill is
//! added up here and a file that asks for too much is refused before the
//! opener runs a single derivation.
//!
//! Most counts sit in the clear. The bags inside an encrypted safe do not:
//! they are only visible once the safe is decrypted, which needs the
//! password and one derivation of the safe's own. So the safe's cost is
//! charged first (twice: once here, once again by the opener), and only if
//! the budget still holds is it decrypted here to cost what it hides.
//! Anything whose cost cannot be read (another key-derivation scheme, a
//! secret bag, a nested safe, an unknown bag) is refused: no tool Microsoft
//! documents writes one into a certificate's .pfx.

use cbc::cipher::{block_padding::Pkcs7, BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit};
use der::asn1::{ContextSpecific, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use pkcs12::cms::encrypted_data::EncryptedData;
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pbes2Params, Pbkdf2Params, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeContents;
use pkcs12::AuthenticatedSafe;

/// A real .pfx is a few kilobytes: one key, its certificate and perhaps a
/// chain of two or three more.
pub const MAX_BYTES: usize = 64 * 1024;
/// Windows and OpenSSL write two safes (certificates, key) and one bag per
/// certificate and key.
pub const MAX_SAFES: usize = 8;
pub const MAX_BAGS: usize = 32;
/// The most iterations any single derivation may ask for. Windows and
/// OpenSSL write 2,000 to 10,000; 600,000 is what the most cautious
/// exporters use.
pub const MAX_ITERATIONS: u64 = 600_000;
/// The most iterations the whole file may ask for, every derivation added
/// up (an OpenSSL 3 file asks for about 8,000). Roughly half a second of
/// one core at worst.
pub const MAX_TOTAL_ITERATIONS: u64 = 1_000_000;
/// Every iteration hashes the password again, so its length multiplies
/// the cost; no one types or generates a longer one for a .pfx.
pub const MAX_PASSWORD_CHARS: usize = 1_024;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
/// PBKDF2's pseudo-random functions whose output covers an AES-256 key in
/// one block, so one pass of the stated iterations derives the whole key.
const HMAC_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
const HMAC_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.10");
const HMAC_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.11");
/// The PKCS#12 password-based schemes p12-keystore opens. Each derives a key
/// and an IV with SHA-1 (20 bytes a pass): 3DES's 24-byte key takes two
/// passes and its IV one, RC2-40's key one and its IV one.
const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");

/// Why a .pfx is refused before it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a PKCS#12 file, or (for an encrypted safe) the wrong password.
    Unreadable,
    TooLarge {
        bytes: usize,
    },
    TooManyParts,
    PasswordTooLong,
    /// One derivation asks for more than `MAX_ITERATIONS`, or all of them
    /// together for more than `MAX_TOTAL_ITERATIONS`; `iterations` is the
    /// figure that broke the limit.
    TooCostly {
        iterations: u64,
    },
    /// A scheme whose cost cannot be bounded by an iteration count (scrypt,
    /// or something unknown).
    SchemeUnsupported,
    /// Something other than keys and certificates: a secret bag, a nested
    /// safe, a CRL, an enveloped safe.
    UnexpectedContent,
}

fn asn1<T: for<'a> Decode<'a>>(bytes: &[u8]) -> Result<T, Refusal> {
    T::from_der(bytes).map_err(|_| Refusal::Unreadable)
}

fn params_der(parameters: &Option<der::Any>) -> Result<Vec<u8>, Refusal> {
    parameters
        .as_ref()
        .and_then(|p| p.to_der().ok())
        .ok_or(Refusal::SchemeUnsupported)
}

/// The iterations a scheme runs: the stated count times the passes it
/// takes to derive its key and IV.
fn scheme_cost(oid: ObjectIdentifier, parameters: &Option<der::Any>) -> Result<u64, Refusal> {
    let params = params_der(parameters)?;
    let (iterations, passes) = if oid == PBES2 {
        let pbes2 = asn1::<Pbes2Params>(&params).map_err(|_| Refusal::SchemeUnsupported)?;
        if pbes2.kdf.oid != PBKDF2 {
            return Err(Refusal::SchemeUnsupported);
        }
        let kdf = asn1::<Pbkdf2Params>(&params_der(&pbes2.kdf.parameters)?)
            .map_err(|_| Refusal::SchemeUnsupported)?;
        if ![HMAC_SHA256, HMAC_SHA384, HMAC_SHA512].contains(&kdf.prf.oid) {
            return Err(Refusal::SchemeUnsupported);
        }
        (u64::from(kdf.iteration_count), 1)
    } else if oid == PBE_SHA1_3DES || oid == PBE_SHA1_RC2_40 {
        let pbe = asn1::<Pkcs12PbeParams>(&params).map_err(|_| Refusal::SchemeUnsupported)?;
        let iterations = u64::try_from(pbe.iterations).map_err(|_| Refusal::SchemeUnsupported)?;
        (iterations, if oid == PBE_SHA1_3DES { 3 } else { 2 })
    } else {
        return Err(Refusal::SchemeUnsupported);
    };
    Ok(within_one_derivation(iterations)? * passes)
}

fn within_one_derivation(iterations: u64) -> Result<u64, Refusal> {
    if iterations > MAX_ITERATIONS {
        return Err(Refusal::TooCostly { iterations });
    }
    Ok(iterations)
}

/// The running bill: every derivation is charged before it may run.
struct Bill {
    iterations: u64,
    bags: usize,
}

impl Bill {
    fn charge(&mut self, iterations: u64) -> Result<(), Refusal> {
        self.iterations += iterations;
        if self.iterations > MAX_TOTAL_ITERATIONS {
            return Err(Refusal::TooCostly {
                iterations: self.iterations,
            });
        }
        Ok(())
    }

    fn bags(&mut self, safe: &[u8]) -> Result<(), Refusal> {
        let bags = asn1::<SafeContents>(safe)?;
        self.bags += bags.len();
        if self.bags > MAX_BAGS {
            return Err(Refusal::TooManyParts);
        }
        for bag in bags {
            if bag.bag_id == SHROUDED_KEY_BAG {
                let key = asn1::<ContextSpecific<EncryptedPrivateKeyInfo>>(&bag.bag_value)?;
                let algorithm = &key.value.encryption_algorithm;
                self.charge(scheme_cost(algorithm.oid, &algorithm.parameters)?)?;
            } else if bag.bag_id != KEY_BAG && bag.bag_id != CERT_BAG {
                return Err(Refusal::UnexpectedContent);
            }
        }
        Ok(())
    }
}

/// The total iterations opening `bytes` with `password` will cost, or why
/// it must not be opened.
pub fn check(bytes: &[u8], password: &str) -> Result<u64, Refusal> {
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooLarge { bytes: bytes.len() });
    }
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(Refusal::PasswordTooLong);
    }
    let pfx = asn1::<Pfx>(bytes)?;
    let mut bill = Bill {
        iterations: 0,
        bags: 0,
    };
    if let Some(mac) = &pfx.mac_data {
        let iterations = u64::try_from(mac.iterations).map_err(|_| Refusal::Unreadable)?;
        bill.charge(within_one_derivation(iterations)?)?;
    }
    if pfx.auth_safe.content_type != DATA {
        return Err(Refusal::UnexpectedContent);
    }
    let safes = asn1::<OctetString>(
        &pfx.auth_safe
            .content
            .to_der()
            .map_err(|_| Refusal::Unreadable)?,
    )?;
    let safes = asn1::<AuthenticatedSafe<'_>>(safes.as_bytes())?;
    if safes.len() > MAX_SAFES {
        return Err(Refusal::TooManyParts);
    }
    for safe in safes {
        let content = safe.content.to_der().map_err(|_| Refusal::Unreadable)?;
        if safe.content_type == ENCRYPTED_DATA {
            let encrypted = asn1::<EncryptedData>(&content)?;
            let info = &encrypted.enc_content_info;
            let cost = scheme_cost(info.content_enc_alg.oid, &info.content_enc_alg.parameters)?;
            // Once to look inside here, once more when the opener does.
            bill.charge(cost)?;
            bill.charge(cost)?;
            let Some(ciphertext) = &info.encrypted_content else {
                continue;
            };
            let plain = decrypt(
                info.content_enc_alg.oid,
                &info.content_enc_alg.parameters,
                ciphertext.as_bytes(),
                password,
            )?;
            bill.bags(&plain)?;
        } else if safe.content_type == DATA {
            bill.bags(asn1::<OctetString>(&content)?.as_bytes())?;
        } else {
            return Err(Refusal::UnexpectedContent);
        }
    }
    Ok(bill.iterations)
}

/// Decrypts an encrypted safe whose cost was already charged. A wrong
/// password shows as unreadable, as it would from the opener.
fn decrypt(
    oid: ObjectIdentifier,
    parameters: &Option<der::Any>,
    ciphertext: &[u8],
    password: &str,
) -> Result<Vec<u8>, Refusal> {
    let params = params_der(parameters)?;
    if oid == PBES2 {
        let scheme =
            pkcs5::pbes2::Parameters::from_der(&params).map_err(|_| Refusal::SchemeUnsupported)?;
        return scheme
            .decrypt(password.as_bytes(), ciphertext)
            .map_err(|_| Refusal::Unreadable);
    }
    let pbe = asn1::<Pkcs12PbeParams>(&params).map_err(|_| Refusal::SchemeUnsupported)?;
    if oid == PBE_SHA1_3DES {
        pbe_decrypt::<des::TdesEde3>(&pbe, 24, ciphertext, password)
    } else if oid == PBE_SHA1_RC2_40 {
        pbe_decrypt::<rc2::Rc2>(&pbe, 5, ciphertext, password)
    } else {
        Err(Refusal::SchemeUnsupported)
    }
}

/// PKCS#12's own password-based encryption (RFC 7292 appendix B): key and
/// IV from the PKCS#12 key-derivation function over SHA-1, then CBC.
fn pbe_decrypt<C: KeyInit + BlockCipherDecrypt>(
    pbe: &Pkcs12PbeParams,
    key_size: usize,
    ciphertext: &[u8],
    password: &str,
) -> Result<Vec<u8>, Refusal> {
    use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
    let salt = pbe.salt.as_bytes();
    let derive = |kind, size| {
        derive_key_utf8::<sha1_v011::Sha1>(password, salt, kind, pbe.iterations, size)
            .map_err(|_| Refusal::Unreadable)
    };
    let key = derive(Pkcs12KeyType::EncryptionKey, key_size)?;
    let iv = derive(Pkcs12KeyType::Iv, 8)?;
    cbc::Decryptor::<C>::new_from_slices(&key, &iv)
        .map_err(|_| Refusal::Unreadable)?
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .map_err(|_| Refusal::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_certificates::{crafted_pfx, make, pfx_costing, CraftedBag, CraftedSafe, Recipe};

    #[test]
    fn every_derivation_in_a_pfx_is_added_to_its_cost() {
        let made = make("cost", Recipe::default());
        // p12-keystore writes the MAC, an encrypted safe of certificates
        // (PBES2, charged twice) and a shrouded key, 10,000 each by default.
        assert_eq!(
            check(&pfx_costing(&made, "pw", 2_048), "pw"),
            Ok(2_048 + 2 * 10_000 + 10_000)
        );
        assert_eq!(
            check(&pfx_costing(&made, "pw", 650_000), "pw"),
            Err(Refusal::TooCostly {
                iterations: 650_000
            })
        );
        assert_eq!(check(b"not a pfx", "pw"), Err(Refusal::Unreadable));
    }

    #[test]
    fn files_in_the_legacy_schemes_windows_writes_are_costed_and_open() {
        let made = make("legacy", Recipe::default());
        let key = p12_keystore::PrivateKey::from_der(&made.key_der).unwrap();
        let certificate = p12_keystore::Certificate::from_der(&made.cert_der).unwrap();
        let chain = p12_keystore::PrivateKeyChain::new(b"legacy".to_vec(), key, vec![certificate]);
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            "legacy",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
        );
        // Passes per derivation: 3DES three (a 24-byte key and an IV from
        // 20-byte SHA-1 blocks), RC2-40 two.
        for (algorithm, passes) in [
            (
                p12_keystore::EncryptionAlgorithm::PbeWithShaAnd3KeyTripleDesCbc,
                3,
            ),
            (
                p12_keystore::EncryptionAlgorithm::PbeWithShaAnd40BitRc4Cbc,
                2,
            ),
        ] {
            let pfx = store
                .writer("pw")
                .encryption_algorithm(algorithm)
                .encryption_iterations(2_000)
                .mac_iterations(2_000)
                .write()
                .unwrap();
            // MAC, the certificates' safe (charged twice) and the key.
            let scheme = passes * 2_000;
            assert_eq!(
                check(&pfx, "pw"),
                Ok(2_000 + 2 * scheme + scheme),
                "{algorithm:?}"
            );
            assert_eq!(
                check(&pfx, "wrong"),
                Err(Refusal::Unreadable),
                "{algorithm:?}"
            );
            assert!(
                crate::certificate::read_pkcs12(&pfx, "pw").is_ok(),
                "{algorithm:?}"
            );
        }
    }

    #[test]
    fn files_openssl_writes_by_default_and_in_its_legacy_mode_pass() {
        let fixture = |name| {
            let path = format!(
                "{}/../../end2end/test-certificates/fixtures/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            std::fs::read(path).unwrap()
        };
        // MAC, certificates' safe charged twice, key; the legacy file's
        // safe is RC2-40 (two passes) and its key 3DES (three).
        let default = fixture("openssl3-default.pfx");
        assert_eq!(check(&default, "fixture"), Ok(2_048 + 2 * 2_048 + 2_048));
        let legacy = fixture("openssl-legacy.pfx");
        assert_eq!(
            check(&legacy, "fixture"),
            Ok(2_048 + 2 * 2 * 2_048 + 3 * 2_048)
        );
        for pfx in [default, legacy] {
            assert!(crate::certificate::read_pkcs12(&pfx, "fixture").is_ok());
        }
    }

    #[test]
    fn keys_that_are_each_allowed_are_refused_together() {
        let keys = vec![
            CraftedBag::ShroudedKey {
                iterations: 400_000
            };
            3
        ];
        let pfx = crafted_pfx("pw", &[CraftedSafe::plain(keys)]);
        assert_eq!(
            check(&pfx, "pw"),
            Err(Refusal::TooCostly {
                iterations: 1_200_000
            })
        );
    }

    #[test]
    fn keys_hidden_in_an_encrypted_safe_are_costed_once_it_is_opened() {
        let keys = vec![
            CraftedBag::ShroudedKey {
                iterations: 600_000
            };
            2
        ];
        let pfx = crafted_pfx("pw", &[CraftedSafe::encrypted(2_048, keys)]);
        assert_eq!(
            check(&pfx, "pw"),
            Err(Refusal::TooCostly {
                iterations: 2 * 2_048 + 1_200_000
            })
        );
        assert_eq!(
            check(&pfx, "not the password"),
            Err(Refusal::Unreadable),
            "what an encrypted safe hides is read only with the right password"
        );
    }

    #[test]
    fn secret_bags_and_too_many_bags_are_refused_before_any_derivation() {
        let secret = crafted_pfx("pw", &[CraftedSafe::plain(vec![CraftedBag::Secret])]);
        assert_eq!(check(&secret, "pw"), Err(Refusal::UnexpectedContent));
        let many = vec![CraftedBag::ShroudedKey { iterations: 1 }; MAX_BAGS + 1];
        let many = crafted_pfx("pw", &[CraftedSafe::plain(many)]);
        assert_eq!(check(&many, "pw"), Err(Refusal::TooManyParts));
        let long_password = "p".repeat(MAX_PASSWORD_CHARS + 1);
        assert_eq!(
            check(&secret, &long_password),
            Err(Refusal::PasswordTooLong),
            "each iteration hashes the whole password"
        );
        let large = vec![0x30; MAX_BYTES + 1];
        assert_eq!(
            check(&large, "pw"),
            Err(Refusal::TooLarge {
                bytes: MAX_BYTES + 1
            })
        );
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
