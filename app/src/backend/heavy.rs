//! CPU-heavy work requested by people: opening an uploaded .pfx, reading
//! certificates and keys, generating RSA keys. It runs on the blocking pool
//! so the async workers keep serving, and under a small semaphore so a
//! burst of uploads (anyone holding an onboarding link can send one) queues
//! instead of taking every core.

use crate::backend::internal;
use crate::error::AppError;
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct HeavyWork {
    permits: Arc<Semaphore>,
}

impl HeavyWork {
    /// At most `at_once` jobs run together; the rest wait their turn.
    pub fn new(at_once: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(at_once.max(1))),
        }
    }

    /// One job per core, less one so requests are still answered.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(cores.saturating_sub(1))
    }

    /// The permit travels with the job onto the blocking thread: a request
    /// dropped by its timeout leaves the job running, and its permit held,
    /// until the job ends, so abandoned uploads cannot stack up past the
    /// limit.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|error| internal("the heavy-work semaphore closed", error))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await
        .map_err(|error| internal("a heavy job stopped", error))
    }
}
