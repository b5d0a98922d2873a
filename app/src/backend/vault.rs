//! Secrets at rest: AES-256-GCM (the `aes-gcm` crate) under a master key.
//! Each sealed value names the key that sealed it, so keys can be rotated:
//! the newest key seals, every known key can open. The associated data ties
//! a ciphertext to the row and column it belongs to, so one row's secret
//! cannot be copied into another.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

const FORMAT: &str = "v1";

/// The tables that hold sealed values, each in its `secret_sealed` column
/// (for members, their second factor's secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedIn {
    Registrations,
    OnboardingLinks,
    Users,
    /// An alert channel's address and signing secrets.
    AlertChannels,
}

impl SealedIn {
    pub const ALL: [SealedIn; 4] = [
        SealedIn::Registrations,
        SealedIn::OnboardingLinks,
        SealedIn::Users,
        SealedIn::AlertChannels,
    ];

    pub fn table(self) -> &'static str {
        match self {
            SealedIn::Registrations => "registrations",
            SealedIn::OnboardingLinks => "onboarding_links",
            SealedIn::Users => "users",
            SealedIn::AlertChannels => "alert_channels",
        }
    }

    /// The associated data a row's secret is sealed with: it names the row,
    /// so a sealed value copied into another row does not open there.
    pub fn context(self, row_id: &str) -> String {
        format!("{}:{row_id}:secret", self.table())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("a master key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("sealed with key {0}, which this server does not have")]
    UnknownKey(String),
    #[error("the sealed value is damaged or belongs elsewhere")]
    Damaged,
}

struct Key {
    id: String,
    cipher: Aes256Gcm,
}

/// The keyring: `keys[0]` seals, all of them open.
pub struct Vault {
    keys: Vec<Key>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field(
                "key_ids",
                &self.keys.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// A key's public name: the start of its SHA-256, never the key itself.
pub fn key_id(key: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(key)[..8])
}

pub fn decode_key(text: &str) -> Result<[u8; 32], VaultError> {
    STANDARD
        .decode(text.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .ok_or(VaultError::BadKey)
}

pub fn new_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}

pub fn encode_key(key: &[u8; 32]) -> String {
    STANDARD.encode(key)
}

impl Vault {
    /// `current` seals; `older` keys only open what they sealed before.
    pub fn new(current: [u8; 32], older: &[[u8; 32]]) -> Self {
        let keys = std::iter::once(&current)
            .chain(older)
            .map(|key| Key {
                id: key_id(key),
                cipher: Aes256Gcm::new(key.into()),
            })
            .collect();
        Self { keys }
    }

    pub fn current_key_id(&self) -> &str {
        &self.keys[0].id
    }

    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let key = &self.keys[0];
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = key
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        format!(
            "{FORMAT}.{}.{}.{}",
            key.id,
            STANDARD.encode(nonce),
            STANDARD.encode(ciphertext)
        )
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, VaultError> {
        let parts: Vec<&str> = sealed.split('.').collect();
        let [FORMAT, id, nonce, ciphertext] = parts.as_slice() else {
            return Err(VaultError::Damaged);
        };
        let key = self
            .keys
            .iter()
            .find(|k| k.id == *id)
            .ok_or_else(|| VaultError::UnknownKey((*id).to_owned()))?;
        let nonce = STANDARD
            .decode(nonce)
            .ok()
            .filter(|n| n.len() == 12)
            .ok_or(VaultError::Damaged)?;
        let ciphertext = STANDARD
            .decode(ciphertext)
            .map_err(|_| VaultError::Damaged)?;
        key.cipher
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Damaged)
    }

    /// Whether a sealed value was made with an older key.
    pub fn is_stale(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.current_key_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_own_place() {
        let vault = Vault::new(new_key(), &[]);
        let sealed = vault.seal(b"client secret value", "registration:1:secret");
        assert!(!sealed.contains("client secret value"));
        assert_eq!(
            vault.open(&sealed, "registration:1:secret").unwrap(),
            b"client secret value"
        );
        assert_eq!(
            vault.open(&sealed, "registration:2:secret"),
            Err(VaultError::Damaged)
        );
    }

    #[test]
    fn the_same_secret_seals_differently_each_time() {
        let vault = Vault::new(new_key(), &[]);
        assert_ne!(vault.seal(b"s", "c"), vault.seal(b"s", "c"));
    }

    #[test]
    fn after_rotation_old_values_still_open_and_are_marked_stale() {
        let old = new_key();
        let before = Vault::new(old, &[]);
        let sealed = before.seal(b"secret", "ctx");
        let after = Vault::new(new_key(), &[old]);
        assert!(after.is_stale(&sealed));
        assert_eq!(after.open(&sealed, "ctx").unwrap(), b"secret");
        let resealed = after.seal(&after.open(&sealed, "ctx").unwrap(), "ctx");
        assert!(!after.is_stale(&resealed));
        let without_old = Vault::new(new_key(), &[]);
        assert!(matches!(
            without_old.open(&sealed, "ctx"),
            Err(VaultError::UnknownKey(_))
        ));
    }

    #[test]
    fn tampered_or_malformed_values_are_refused() {
        let vault = Vault::new(new_key(), &[]);
        let sealed = vault.seal(b"secret", "ctx");
        let mut tampered = sealed.clone();
        tampered.replace_range(
            sealed.len() - 3..sealed.len() - 2,
            if sealed.ends_with("A==") { "B" } else { "A" },
        );
        assert!(vault.open(&tampered, "ctx").is_err());
        assert_eq!(vault.open("plain text", "ctx"), Err(VaultError::Damaged));
        assert_eq!(decode_key("short"), Err(VaultError::BadKey));
        assert_eq!(decode_key(&encode_key(&[7u8; 32])).unwrap(), [7u8; 32]);
    }
}
