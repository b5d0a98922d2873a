//! Certificates for tests, made with rcgen so each credential-policy rule
//! can be provoked: a good client-authentication certificate, one for
//! servers only, an expired one; and password-protected .pfx bundles,
//! including hand-built ones that ask their opener for too much work.

mod crafted;
pub use crafted::{crafted_pfx, CraftedBag, CraftedSafe};

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

/// A 2048-bit RSA key and a self-signed SHA-256 certificate named
/// `common_name`, valid from yesterday for 300 days unless the recipe says
/// otherwise.
pub fn make(common_name: &str, recipe: Recipe) -> Made {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("RSA key");
    let key_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .expect("PEM key")
        .to_string();
    let key_der = key.to_pkcs8_der().expect("DER key").as_bytes().to_vec();
    let pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256)
        .expect("rcgen key pair");
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
    let cert = params.self_signed(&pair).expect("self-signed certificate");
    Made {
        key_pem,
        key_der,
        cert_pem: cert.pem(),
        cert_der: cert.der().to_vec(),
    }
}

/// The certificate and its key in a .pfx protected by `password`.
pub fn pfx(made: &Made, password: &str) -> Vec<u8> {
    pfx_costing(made, password, 10_000)
}

/// A .pfx whose MAC asks for `mac_iterations` key-derivation iterations, as
/// a file crafted to cost its opener CPU time would.
pub fn pfx_costing(made: &Made, password: &str, mac_iterations: u32) -> Vec<u8> {
    let key = p12_keystore::PrivateKey::from_der(&made.key_der).expect("PKCS#8 key");
    let certificate = p12_keystore::Certificate::from_der(&made.cert_der).expect("certificate");
    let chain =
        p12_keystore::PrivateKeyChain::new(b"tenantry-test".to_vec(), key, vec![certificate]);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "tenantry",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    store
        .writer(password)
        .mac_iterations(mac_iterations)
        .write()
        .expect("PKCS#12 bundle")
}
