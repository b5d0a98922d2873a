//! The watch inside the server: claims due registrations up to the
//! concurrency allowed, checks them, and prunes old history. A check holds
//! its slot only while talking to Microsoft; when asked to wait, it stores
//! the answer and backs the tenant off instead of sleeping.

use super::engine::TargetRow;
use super::{claim, engine, prune, Trigger};
use crate::backend::Backend;
use crate::ids::RegistrationId;
use entra::retry::RetryPolicy;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Runs until the process ends.
pub async fn run(backend: Backend) {
    let concurrency = backend.watch.concurrency.max(1);
    let slots = Arc::new(Semaphore::new(concurrency));
    // Claims are made for several free slots at once, not one statement
    // per finished check; an idle scheduler claims whatever is free.
    let batch = (concurrency / 8).max(1);
    let client = backend
        .entra
        .with_retry(RetryPolicy::unattended())
        .without_keeping_tokens();
    let mut last_prune = None;
    loop {
        let free = slots.available_permits();
        let claimed = if free >= batch || free == concurrency {
            // A failed claim is logged where it happened; try at the next poll.
            claim::due(&backend, free).await.unwrap_or_default()
        } else {
            Vec::new()
        };
        let full_batch = !claimed.is_empty() && claimed.len() == free;
        // One read for the whole batch; a row missing from it is read alone.
        let mut rows: HashMap<RegistrationId, TargetRow> = match claimed.first() {
            Some(first) => engine::claimed_with(&backend, first)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|row| (row.registration_id().clone(), row))
                .collect(),
            None => HashMap::new(),
        };
        for claim in claimed {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let (backend, client) = (backend.clone(), client.clone());
            let row = rows.remove(claim.registration_id());
            tokio::spawn(async move {
                let _ = engine::run_read(
                    &backend,
                    &client,
                    &claim,
                    row,
                    Some(slot),
                    Trigger::Scheduled,
                    None,
                )
                .await;
            });
        }
        let today = backend.now().date();
        if last_prune != Some(today) && prune::old_checks(&backend).await.is_ok() {
            client.reports().forget_idle();
            // Failures are logged where they happen; tomorrow tries again.
            let _ = crate::backend::onboarding::link::erase_dead_material(&backend).await;
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
