use crate::backend::internal;
use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::Password;
use std::sync::Arc;

/// Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
/// Hashing runs on the blocking pool so sign-ins never stall the async
/// workers, and unknown accounts are checked against a dummy hash so a
/// response's timing does not reveal whether an e-mail address is registered.
#[derive(Clone)]
pub struct Passwords {
    dummy_hash: Arc<str>,
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl Passwords {
    pub async fn new() -> Result<Self, AppError> {
        let dummy = crate::backend::tokens::new_token();
        let dummy_hash = tokio::task::spawn_blocking(move || hash_blocking(&dummy))
            .await
            .map_err(|error| internal("password hashing task failed", error))?
            .map_err(|error| internal("could not hash the dummy password", error))?;
        Ok(Self {
            dummy_hash: dummy_hash.into(),
        })
    }

    pub async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let password = password.expose().to_owned();
        tokio::task::spawn_blocking(move || hash_blocking(&password))
            .await
            .map_err(|error| internal("password hashing task failed", error))?
            .map_err(|error| internal("could not hash a password", error))
    }

    /// Verifies `password` against `stored`, or against the dummy hash when
    /// there is no account, taking the same time either way.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy_hash).to_owned();
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || verify_blocking(&password, &stored))
            .await
            .map_err(|error| internal("password verification task failed", error))?;
        Ok(known && matches)
    }
}
