//! The watch inside the server: claims due registrations up to the
//! concurrency allowed, checks them, and prunes old history. A check holds
//! its slot only while talking to Microsoft; when asked to wait, it stores
//! the answer and backs the tenant off instead of sleeping.

use super::{claim, engine, prune, Trigger};
use crate::backend::Backend;
use entra::retry::RetryPolicy;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Runs until the process ends.
pub async fn run(backend: Backend) {
    let slots = Arc::new(Semaphore::new(backend.watch.concurrency.max(1)));
    let client = backend.entra.with_retry(RetryPolicy::unattended());
    let mut last_prune = None;
    loop {
        let free = slots.available_permits();
        let claimed = if free > 0 {
            // A failed claim is logged where it happened; try at the next poll.
            claim::due(&backend, free).await.unwrap_or_default()
        } else {
            Vec::new()
        };
        let full_batch = free > 0 && claimed.len() == free;
        for claim in claimed {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let (backend, client) = (backend.clone(), client.clone());
            tokio::spawn(async move {
                let _ = engine::run(&backend, &client, &claim, Trigger::Scheduled, None).await;
                drop(slot);
                backend.watch.wake.notify_one();
            });
        }
        let today = backend.now().date();
        if last_prune != Some(today) && prune::old_checks(&backend).await.is_ok() {
            last_prune = Some(today);
        }
        if full_batch {
            continue;
        }
        tokio::select! {
            _ = backend.watch.wake.notified() => {}
            _ = tokio::time::sleep(backend.watch.poll) => {}
        }
    }
}
