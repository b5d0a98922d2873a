use crate::backend::internal;
use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::Password;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
/// Hashing runs on the blocking pool so sign-ins never stall the async
/// workers, and unknown accounts are checked against a dummy hash so a
/// response's timing does not reveal whether an e-mail address is registered.
///
/// At most `at_once` hashes run together (each holds its 19 MiB), and at
/// most `waiting` more requests queue for a turn; beyond that the answer
/// is `Busy` (503) at once, so a flood of sign-ins costs bounded memory.
#[derive(Clone)]
pub struct Passwords {
    dummy_hash: Arc<str>,
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
}

/// How many password hashes may run and wait at once.
#[derive(Debug, Clone, Copy)]
pub struct HashingLimits {
    pub at_once: usize,
    pub waiting: usize,
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

/// Stored for an account that has no password yet (one made by company
/// recovery, whose person chooses it through a link): no password matches.
pub const NO_PASSWORD: &str = "!no-password-yet";

impl Passwords {
    pub async fn new(limits: HashingLimits) -> Result<Self, AppError> {
        let at_once = limits.at_once.max(1);
        let mut passwords = Self {
            dummy_hash: Arc::from(""),
            admitted: Arc::new(Semaphore::new(at_once + limits.waiting)),
            running: Arc::new(Semaphore::new(at_once)),
        };
        let dummy = crate::backend::tokens::new_token();
        let dummy_hash = passwords
            .in_turn(move || hash_blocking(&dummy))
            .await?
            .map_err(|error| internal("could not hash the dummy password", error))?;
        passwords.dummy_hash = dummy_hash.into();
        Ok(passwords)
    }

    /// Runs `work` on the blocking pool once a hashing slot is free. The
    /// permits travel with the work, so a caller that gives up (a closed
    /// connection) does not free a slot while its hash still runs.
    async fn in_turn<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| AppError::Busy)?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|error| internal("password hashing closed", error))?;
        tokio::task::spawn_blocking(move || {
            let _permits = (admitted, running);
            work()
        })
        .await
        .map_err(|error| internal("password hashing task failed", error))
    }

    pub async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let password = password.expose().to_owned();
        self.in_turn(move || hash_blocking(&password))
            .await?
            .map_err(|error| internal("could not hash a password", error))
    }

    /// Verifies `password` against `stored`, or against the dummy hash when
    /// there is no account, taking the same time either way.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, AppError> {
        // An account without a password yet (`NO_PASSWORD`) is compared
        // like an unknown one, so its answer takes as long as any other.
        let stored = stored.filter(|hash| PasswordHash::new(hash).is_ok());
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy_hash).to_owned();
        let password = password.to_owned();
        let matches = self
            .in_turn(move || verify_blocking(&password, &stored))
            .await?;
        Ok(known && matches)
    }
}
