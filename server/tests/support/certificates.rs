//! Certificates a customer might upload, good and bad, made with rcgen so
//! each policy rule can be provoked.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

pub struct Made {
    pub key_pem: String,
    pub key_der: Vec<u8>,
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
}

/// How a test certificate deviates from a good one.
#[derive(Clone, Copy, Default)]
pub struct Recipe {
    pub server_auth_only: bool,
    pub expired: bool,
}

pub fn make(common_name: &str, recipe: Recipe) -> Made {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let key_pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let key_der = key.to_pkcs8_der().unwrap().as_bytes().to_vec();
    let pair =
        rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    let now = time::OffsetDateTime::now_utc();
    (params.not_before, params.not_after) = if recipe.expired {
        (
            now - time::Duration::days(400),
            now - time::Duration::days(35),
        )
    } else {
        (
            now - time::Duration::days(1),
            now + time::Duration::days(300),
        )
    };
    params.extended_key_usages = vec![if recipe.server_auth_only {
        rcgen::ExtendedKeyUsagePurpose::ServerAuth
    } else {
        rcgen::ExtendedKeyUsagePurpose::ClientAuth
    }];
    let cert = params.self_signed(&pair).unwrap();
    Made {
        key_pem,
        key_der,
        cert_pem: cert.pem(),
        cert_der: cert.der().to_vec(),
    }
}

/// The certificate and key in a password-protected .pfx.
pub fn pfx(made: &Made, password: &str) -> Vec<u8> {
    let key = p12_keystore::PrivateKey::from_der(&made.key_der).unwrap();
    let certificate = p12_keystore::Certificate::from_der(&made.cert_der).unwrap();
    let chain =
        p12_keystore::PrivateKeyChain::new(b"tenantry-test".to_vec(), key, vec![certificate]);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "tenantry",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    store.writer(password).write().unwrap()
}

/// What the browser sends for a chosen file.
pub fn as_upload(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}
