//! .pfx files built bag by bag, in shapes no exporter writes but an
//! attacker could: many keys, keys hidden inside an encrypted safe, secret
//! bags. The keys are not real (their ciphertext is filler); what matters
//! is the key-derivation work each bag asks its opener for. No MAC is
//! written, which PKCS#12 allows.

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode};
use pkcs12::cms::cert::x509::spki::AlgorithmIdentifierOwned;
use pkcs12::cms::content_info::{CmsVersion, ContentInfo};
use pkcs12::cms::encrypted_data::EncryptedData;
use pkcs12::cms::enveloped_data::EncryptedContentInfo;
use pkcs12::pbe_params::EncryptedPrivateKeyInfo;
use pkcs12::pfx::{Pfx, Version};
use pkcs12::safe_bag::SafeBag;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const SECRET_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.5");

#[derive(Debug, Clone)]
pub enum CraftedBag {
    /// A shrouded key whose PBES2 scheme asks for `iterations`.
    ShroudedKey { iterations: u32 },
    /// A secret bag, which p12-keystore tries to decrypt with the password.
    Secret,
}

#[derive(Debug, Clone)]
pub struct CraftedSafe {
    /// PBES2 iterations the safe itself is encrypted with; plain if none.
    encrypted_with: Option<u32>,
    bags: Vec<CraftedBag>,
}

impl CraftedSafe {
    pub fn plain(bags: Vec<CraftedBag>) -> Self {
        Self {
            encrypted_with: None,
            bags,
        }
    }

    pub fn encrypted(iterations: u32, bags: Vec<CraftedBag>) -> Self {
        Self {
            encrypted_with: Some(iterations),
            bags,
        }
    }
}

fn pbes2(iterations: u32) -> pkcs5::pbes2::Parameters {
    pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &[7; 16], [9; 16])
        .expect("PBES2 parameters")
}

fn algorithm(iterations: u32) -> AlgorithmIdentifierOwned {
    let scheme = pkcs5::EncryptionScheme::from(pbes2(iterations));
    AlgorithmIdentifierOwned::from_der(&scheme.to_der().expect("scheme")).expect("identifier")
}

fn bag(crafted: &CraftedBag) -> SafeBag {
    let (bag_id, bag_value) = match crafted {
        CraftedBag::ShroudedKey { iterations } => (
            SHROUDED_KEY_BAG,
            EncryptedPrivateKeyInfo {
                encryption_algorithm: algorithm(*iterations),
                encrypted_data: OctetString::new(vec![0x5a; 1_232]).expect("filler"),
            }
            .to_der(),
        ),
        // SecretBag ::= SEQUENCE { secretTypeId, [0] EXPLICIT secretValue },
        // here a shrouded key as Java keystores write it.
        CraftedBag::Secret => (SECRET_BAG, {
            let value = EncryptedPrivateKeyInfo {
                encryption_algorithm: algorithm(2_048),
                encrypted_data: OctetString::new(vec![0x5a; 48]).expect("filler"),
            };
            let explicit = der::asn1::ContextSpecific {
                tag_number: der::TagNumber(0),
                tag_mode: der::TagMode::Explicit,
                value,
            };
            let mut fields = SHROUDED_KEY_BAG.to_der().expect("type");
            fields.extend(explicit.to_der().expect("value"));
            Any::new(der::Tag::Sequence, fields).and_then(|sequence| sequence.to_der())
        }),
    };
    SafeBag {
        bag_id,
        bag_value: bag_value.expect("bag"),
        bag_attributes: None,
    }
}

fn content(safe: &CraftedSafe, password: &str) -> ContentInfo {
    let bags: Vec<SafeBag> = safe.bags.iter().map(bag).collect();
    let plain = bags.to_der().expect("safe contents");
    match safe.encrypted_with {
        None => ContentInfo {
            content_type: DATA,
            content: Any::encode_from(&OctetString::new(plain).expect("octets")).expect("data"),
        },
        Some(iterations) => {
            let ciphertext = pbes2(iterations)
                .encrypt(password.as_bytes(), &plain)
                .expect("encrypted safe");
            let encrypted = EncryptedData {
                version: CmsVersion::V0,
                enc_content_info: EncryptedContentInfo {
                    content_type: DATA,
                    content_enc_alg: algorithm(iterations),
                    encrypted_content: Some(OctetString::new(ciphertext).expect("octets")),
                },
                unprotected_attrs: None,
            };
            ContentInfo {
                content_type: ENCRYPTED_DATA,
                content: Any::encode_from(&encrypted).expect("encrypted data"),
            }
        }
    }
}

/// A .pfx of `safes`, each safe's bags as given, encrypted safes sealed
/// with `password`.
pub fn crafted_pfx(password: &str, safes: &[CraftedSafe]) -> Vec<u8> {
    let safes: Vec<ContentInfo> = safes.iter().map(|safe| content(safe, password)).collect();
    let auth_safe = OctetString::new(safes.to_der().expect("authenticated safe")).expect("octets");
    Pfx {
        version: Version::V3,
        auth_safe: ContentInfo {
            content_type: DATA,
            content: Any::encode_from(&auth_safe).expect("auth safe"),
        },
        mac_data: None,
    }
    .to_der()
    .expect("pfx")
}
