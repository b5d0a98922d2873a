//! A certificate credential: the private key that signs client assertions
//! and the certificate whose thumbprint tells Entra which key to check.
//! Parsing uses maintained crates (p12-keystore, x509-parser, jsonwebtoken).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use domain::credential::{CertificateFacts, KeyAlgorithm, SignatureHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use sha1::Digest as _;
use x509_parser::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error(
        "the .pfx could not be opened: the password is wrong or the file is not a PKCS#12 archive"
    )]
    Pkcs12Unreadable,
    #[error("the .pfx asks for {iterations} key-derivation iterations; at most {each} per derivation and {total} in all are accepted", each = crate::pkcs12_cost::MAX_ITERATIONS, total = crate::pkcs12_cost::MAX_TOTAL_ITERATIONS)]
    Pkcs12TooCostly { iterations: u64 },
    #[error("the .pfx is protected with a scheme other than PBKDF2 or PKCS#12 PBE")]
    Pkcs12SchemeUnsupported,
    #[error("the .pfx is {bytes} bytes; a certificate's .pfx is a few kilobytes and at most {max} are accepted", max = crate::pkcs12_cost::MAX_BYTES)]
    Pkcs12TooLarge { bytes: usize },
    #[error("the .pfx holds more safes or entries than a certificate and its chain need (at most {safes} safes and {bags} entries)", safes = crate::pkcs12_cost::MAX_SAFES, bags = crate::pkcs12_cost::MAX_BAGS)]
    Pkcs12TooManyParts,
    #[error("the .pfx password is longer than {max} characters", max = crate::pkcs12_cost::MAX_PASSWORD_CHARS)]
    Pkcs12PasswordTooLong,
    #[error("the .pfx holds something other than keys and certificates (a secret, a nested safe or an unknown entry)")]
    Pkcs12UnexpectedContent,
    #[error("the .pfx holds no private key with its certificate")]
    NoPrivateKey,
    #[error("the certificate could not be read: {0}")]
    NotACertificate(String),
    #[error("the private key could not be read; it must be an RSA key in PKCS#8 or PKCS#1 PEM")]
    KeyUnreadable,
    #[error("the certificate's key is not RSA")]
    KeyNotRsa,
    #[error("the private key does not belong to this certificate")]
    KeyDoesNotMatch,
    #[error("a key pair could not be generated: {0}")]
    Generation(String),
}

pub struct CertificateKey {
    encoding_key: EncodingKey,
    /// base64url SHA-1 of the DER certificate, for the `x5t` header.
    pub x5t: String,
    /// base64url SHA-256 of the DER certificate, for `x5t#S256`.
    pub x5t_s256: String,
    /// Upper-case hex SHA-1, as the Entra portal shows it.
    pub thumbprint: String,
    pub subject: String,
    pub facts: CertificateFacts,
    pub der: Vec<u8>,
}

impl std::fmt::Debug for CertificateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateKey")
            .field("thumbprint", &self.thumbprint)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

fn pkcs8_pem(der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

fn signature_hash(oid: &str) -> SignatureHash {
    match oid {
        "1.2.840.113549.1.1.5" => SignatureHash::Sha1,
        "1.2.840.113549.1.1.11" => SignatureHash::Sha256,
        "1.2.840.113549.1.1.12" => SignatureHash::Sha384,
        "1.2.840.113549.1.1.13" => SignatureHash::Sha512,
        // RSASSA-PSS: the hash is in the parameters; SHA-256 is what tools use.
        "1.2.840.113549.1.1.10" => SignatureHash::Sha256,
        _ => SignatureHash::Other,
    }
}

/// Reads the facts the credential policy judges from a DER certificate.
pub fn certificate_facts(der: &[u8]) -> Result<(CertificateFacts, String), CertificateError> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| CertificateError::NotACertificate(e.to_string()))?;
    let key = match cert.public_key().parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => KeyAlgorithm::Rsa {
            bits: rsa.key_size() as u32,
        },
        _ => KeyAlgorithm::Other,
    };
    let client_auth_usage = match cert.extended_key_usage() {
        Ok(Some(eku)) => Some(eku.value.client_auth || eku.value.any),
        _ => None,
    };
    let facts = CertificateFacts {
        key,
        signature: signature_hash(&cert.signature_algorithm.algorithm.to_id_string()),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        client_auth_usage,
    };
    Ok((facts, cert.subject().to_string()))
}

/// Opens a .pfx: its first certificate (DER) and private key (PKCS#8 PEM).
pub fn read_pkcs12(bytes: &[u8], password: &str) -> Result<(Vec<u8>, String), CertificateError> {
    use crate::pkcs12_cost::Refusal;
    crate::pkcs12_cost::check(bytes, password).map_err(|refusal| match refusal {
        Refusal::Unreadable => CertificateError::Pkcs12Unreadable,
        Refusal::TooLarge { bytes } => CertificateError::Pkcs12TooLarge { bytes },
        Refusal::TooManyParts => CertificateError::Pkcs12TooManyParts,
        Refusal::PasswordTooLong => CertificateError::Pkcs12PasswordTooLong,
        Refusal::TooCostly { iterations } => CertificateError::Pkcs12TooCostly { iterations },
        Refusal::SchemeUnsupported => CertificateError::Pkcs12SchemeUnsupported,
        Refusal::UnexpectedContent => CertificateError::Pkcs12UnexpectedContent,
    })?;
    let store = p12_keystore::KeyStore::from_pkcs12(
        bytes,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|_| CertificateError::Pkcs12Unreadable)?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or(CertificateError::NoPrivateKey)?;
    let cert = chain
        .certs()
        .first()
        .ok_or(CertificateError::NoPrivateKey)?;
    Ok((cert.as_der().to_vec(), pkcs8_pem(chain.key().as_der())))
}

/// Reads the first certificate of a PEM file, or a DER file as it is.
pub fn certificate_der(pem_or_der: &[u8]) -> Result<Vec<u8>, CertificateError> {
    if pem_or_der.starts_with(b"-----BEGIN")
        || pem_or_der.trim_ascii_start().starts_with(b"-----BEGIN")
    {
        let (_, pem) = x509_parser::pem::parse_x509_pem(pem_or_der.trim_ascii_start())
            .map_err(|e| CertificateError::NotACertificate(e.to_string()))?;
        Ok(pem.contents)
    } else {
        Ok(pem_or_der.to_vec())
    }
}

/// The DER SubjectPublicKeyInfo of an RSA private key in PKCS#8 or PKCS#1 PEM.
fn public_key_of(key_pem: &[u8]) -> Result<Vec<u8>, CertificateError> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
    let text = std::str::from_utf8(key_pem).map_err(|_| CertificateError::KeyUnreadable)?;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(text)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(text))
        .map_err(|_| CertificateError::KeyUnreadable)?;
    let der = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|_| CertificateError::KeyUnreadable)?;
    Ok(der.as_bytes().to_vec())
}

fn spki_der(cert_der: &[u8]) -> Result<Vec<u8>, CertificateError> {
    let (_, cert) = X509Certificate::from_der(cert_der)
        .map_err(|e| CertificateError::NotACertificate(e.to_string()))?;
    Ok(cert.public_key().raw.to_vec())
}

/// A key pair and self-signed certificate made by Tenantry, meeting the
/// credential policy: RSA 2048, SHA-256, client authentication, one year.
pub struct GeneratedCertificate {
    /// PKCS#8 PEM; seal it before storing.
    pub key_pem: String,
    pub der: Vec<u8>,
}

impl std::fmt::Debug for GeneratedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedCertificate")
            .finish_non_exhaustive()
    }
}

/// Generates a key pair and certificate named `common_name`, valid from
/// `now` for 365 days. RSA key generation takes a moment; call it off the
/// async threads.
pub fn generate(
    common_name: &str,
    now: ::time::OffsetDateTime,
) -> Result<GeneratedCertificate, CertificateError> {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let failed = |e: &dyn std::fmt::Display| CertificateError::Generation(e.to_string());
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).map_err(|e| failed(&e))?;
    let key_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| failed(&e))?
        .to_string();
    let key_pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| failed(&e))?;
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    params.not_before = now;
    params.not_after = now + ::time::Duration::days(365);
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    let cert = params.self_signed(&key_pair).map_err(|e| failed(&e))?;
    Ok(GeneratedCertificate {
        key_pem,
        der: cert.der().to_vec(),
    })
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    aud: &'a str,
    iss: &'a str,
    sub: &'a str,
    jti: String,
    nbf: i64,
    iat: i64,
    exp: i64,
}

impl CertificateKey {
    fn new(cert_der: Vec<u8>, key_pem: &[u8]) -> Result<Self, CertificateError> {
        let (facts, subject) = certificate_facts(&cert_der)?;
        if facts.key == KeyAlgorithm::Other {
            return Err(CertificateError::KeyNotRsa);
        }
        let encoding_key =
            EncodingKey::from_rsa_pem(key_pem).map_err(|_| CertificateError::KeyUnreadable)?;
        if public_key_of(key_pem)? != spki_der(&cert_der)? {
            return Err(CertificateError::KeyDoesNotMatch);
        }
        let sha1 = sha1::Sha1::digest(&cert_der);
        Ok(Self {
            encoding_key,
            x5t: URL_SAFE_NO_PAD.encode(sha1),
            x5t_s256: URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&cert_der)),
            thumbprint: sha1.iter().map(|b| format!("{b:02X}")).collect(),
            subject,
            facts,
            der: cert_der,
        })
    }

    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Self, CertificateError> {
        let (der, key_pem) = read_pkcs12(bytes, password)?;
        Self::new(der, key_pem.as_bytes())
    }

    pub fn from_pem(cert: &[u8], key_pem: &[u8]) -> Result<Self, CertificateError> {
        Self::new(certificate_der(cert)?, key_pem)
    }

    /// A fresh client assertion for one token request: RS256 with both
    /// thumbprint headers, valid for five minutes.
    pub fn assertion(
        &self,
        client_id: &str,
        audience: &str,
        now: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.x5t = Some(self.x5t.clone());
        header.x5t_s256 = Some(self.x5t_s256.clone());
        let claims = AssertionClaims {
            aud: audience,
            iss: client_id,
            sub: client_id,
            jti: uuid::Uuid::new_v4().to_string(),
            nbf: now,
            iat: now,
            exp: now + 300,
        };
        jsonwebtoken::encode(&header, &claims, &self.encoding_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::credential::check_certificate;

    fn now() -> ::time::OffsetDateTime {
        ::time::OffsetDateTime::now_utc()
    }

    #[test]
    fn a_generated_certificate_meets_the_policy_and_signs_with_its_key() {
        let made = generate("Tenantry Mail Sender", now()).unwrap();
        let key = CertificateKey::from_pem(&made.der, made.key_pem.as_bytes()).unwrap();
        assert_eq!(key.facts.key, KeyAlgorithm::Rsa { bits: 2048 });
        assert_eq!(key.facts.signature, SignatureHash::Sha256);
        assert_eq!(key.facts.client_auth_usage, Some(true));
        assert_eq!(key.facts.not_after - key.facts.not_before, 365 * 86_400);
        assert_eq!(
            check_certificate(&key.facts, now().unix_timestamp()),
            vec![]
        );
        assert_eq!(key.subject, "CN=Tenantry Mail Sender");
        assert!(key.assertion("client", "audience", 0).is_ok());
    }

    #[test]
    fn a_private_key_of_another_certificate_is_refused() {
        let one = generate("one", now()).unwrap();
        let other = generate("other", now()).unwrap();
        assert_eq!(
            CertificateKey::from_pem(&one.der, other.key_pem.as_bytes()).unwrap_err(),
            CertificateError::KeyDoesNotMatch
        );
    }

    #[test]
    fn a_generated_key_is_never_printed() {
        let made = generate("debug", now()).unwrap();
        assert!(!format!("{made:?}").contains("PRIVATE"));
    }
}
