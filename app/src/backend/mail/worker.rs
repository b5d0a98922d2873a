//! Delivers what the outbox holds: claims due messages for a lease, sends
//! each, records the result. Runs beside the server until it stops.

use super::outbox::{self, Claimed};
use super::smtp::SmtpMailer;
use crate::backend::Backend;
use std::sync::Arc;

/// Long enough for one SMTP exchange (30 s timeout) with room to spare, so
/// a message is never sent twice at once; short enough that a message a
/// killed server held is sent soon after a restart.
const LEASE: time::Duration = time::Duration::minutes(2);
const BATCH: i64 = 20;

pub async fn run(backend: Backend, mailer: Arc<SmtpMailer>) {
    let (wake, poll) = (backend.mail.wake.clone(), backend.mail.poll);
    in_rounds(&wake, poll, || deliver_due(&backend, &mailer)).await
}

/// Runs `round` until it finds nothing to do, then waits to be woken or
/// for `poll`, for ever: the shape of every delivery loop (the outbox's,
/// the alerts'). `round` returns how many messages it took.
pub async fn in_rounds<F, R>(wake: &tokio::sync::Notify, poll: std::time::Duration, mut round: F)
where
    F: FnMut() -> R,
    R: std::future::Future<Output = usize>,
{
    loop {
        while round().await > 0 {}
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// One round: returns how many messages it claimed.
pub async fn deliver_due(backend: &Backend, mailer: &SmtpMailer) -> usize {
    let claimed = match outbox::claim_due(&backend.pool, backend.now(), LEASE, BATCH).await {
        Ok(claimed) => claimed,
        // Already logged with its cause where it was turned into an
        // AppError; the next round tries again.
        Err(_) => return 0,
    };
    for message in &claimed {
        deliver(backend, mailer, message).await;
    }
    claimed.len()
}

async fn deliver(backend: &Backend, mailer: &SmtpMailer, message: &Claimed) {
    let recorded = match mailer.send(message).await {
        Ok(()) => outbox::delivered(&backend.pool, &message.id, backend.now()).await,
        Err(failure) => {
            tracing::warn!(message = %message.id, attempt = message.attempts, error = failure.detail(), "a message was not delivered");
            backend
                .metrics
                .delivery_failed(crate::backend::metrics::Queue::Outbox);
            outbox::failed(&backend.pool, message, &failure, backend.now()).await
        }
    };
    // Already logged with its cause; the lease lets the next round retry.
    let _ = recorded;
}
