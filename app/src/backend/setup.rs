use crate::backend::organisations::{self, NewOrganisation, OnlyIfFirst};
use crate::backend::{tokens, Backend};
use crate::error::AppError;
use crate::model::SetupState;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The first-run set-up link. While no organisation exists the server opens
/// the gate with a fresh random token, announced in the log (and in a 0600
/// file for headless installs); the first successful set-up consumes it.
/// Only the token's digest is held, and only in memory: a restart issues a
/// new link and the old one dies with the process.
#[derive(Clone, Default)]
pub struct SetupGate {
    digest: Arc<Mutex<Option<String>>>,
    announcement: Option<PathBuf>,
}

impl SetupGate {
    pub fn new(announcement: Option<PathBuf>) -> Self {
        Self {
            digest: Arc::default(),
            announcement,
        }
    }

    /// Opens the gate and returns the token to put in the set-up link.
    pub fn open(&self) -> String {
        let token = tokens::new_token();
        *self.lock() = Some(tokens::digest(&token));
        token
    }

    pub fn announcement_file(&self) -> Option<&PathBuf> {
        self.announcement.as_ref()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // A poisoned lock only means another request panicked mid-check; the
        // digest inside is still valid.
        self.digest
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn matches(&self, token: &str) -> bool {
        self.lock().as_deref() == Some(tokens::digest(token).as_str())
    }

    /// Takes the token out so a concurrent request with the same link fails.
    fn take(&self, token: &str) -> bool {
        let mut digest = self.lock();
        if digest.as_deref() == Some(tokens::digest(token).as_str()) {
            *digest = None;
            true
        } else {
            false
        }
    }

    fn put_back(&self, token: &str) {
        *self.lock() = Some(tokens::digest(token));
    }

    fn close(&self) {
        *self.lock() = None;
        if let Some(path) = &self.announcement {
            let _ = std::fs::remove_file(path);
        }
    }
}

pub async fn state(backend: &Backend, token: &str) -> Result<SetupState, AppError> {
    if organisations::any_exist(&backend.pool).await? {
        Ok(SetupState::Done)
    } else if backend.setup.matches(token) {
        Ok(SetupState::Open)
    } else {
        Ok(SetupState::InvalidToken)
    }
}

pub async fn complete(
    backend: &Backend,
    token: &str,
    new: &NewOrganisation,
) -> Result<(), AppError> {
    if !backend.setup.take(token) {
        return Err(match state(backend, token).await? {
            SetupState::Done => {
                AppError::Gone("Tenantry has already been set up. Sign in instead.".to_owned())
            }
            _ => AppError::Gone(
                "This set-up link is not valid any more. Use the newest link from the server log."
                    .to_owned(),
            ),
        });
    }
    match organisations::create_with_admin(backend, new, OnlyIfFirst::Yes).await {
        Ok(_) => {
            backend.setup.close();
            Ok(())
        }
        Err(error) => {
            backend.setup.put_back(token);
            Err(error)
        }
    }
}
