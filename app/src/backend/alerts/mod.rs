//! Alerts leave Tenantry through an organisation's channels: `channels`
//! (admins add and remove them; everyone sees them and what was sent),
//! `delivery` (the queue and the loop that sends it, retrying with
//! backoff), `webhook` (one signed message to one receiver).

pub mod assessing;
pub mod channels;
pub mod delivery;
pub mod digest;
pub mod routing;
pub mod settings;
pub mod webhook;

use crate::backend::Backend;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// A receiver that does not answer within this long is tried again later.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Alerts {
    pub sender: webhook::WebhookSender,
    /// Wakes the delivery loop after a commit that queued messages.
    pub wake: Arc<Notify>,
    /// The loops also look this often: for retries that became due, and
    /// for registrations whose time-driven state may have changed.
    pub poll: Duration,
    /// Could-not-check is news only after this long.
    pub patience: time::Duration,
    /// Wakes the weighing of checks: results were written.
    pub checked: Arc<Notify>,
    /// One weighing at a time in this process.
    pub weighing: Arc<tokio::sync::Mutex<()>>,
}

impl Alerts {
    pub fn new(
        to_this_machine: bool,
        poll: Duration,
        patience: time::Duration,
        checked: Arc<Notify>,
    ) -> Self {
        Self {
            sender: webhook::WebhookSender::new(SEND_TIMEOUT, to_this_machine),
            wake: Arc::new(Notify::new()),
            poll,
            patience,
            checked,
            weighing: Default::default(),
        }
    }
}

/// Checks finishing together are weighed together, so that a mass failure
/// is one alert: after results are written, this long is waited for more.
const GATHER: Duration = Duration::from_secs(2);

/// Weighs checks into alerts and sends digests, until the process ends.
pub async fn watch(backend: Backend) {
    loop {
        // A failure is logged with its cause where it became an AppError;
        // the next round tries again.
        while matches!(assessing::assess_due(&backend).await, Ok(weighed) if weighed > 0) {}
        let _ = digest::send_due(&backend).await;
        tokio::select! {
            _ = backend.alerts.checked.notified() => {
                tokio::time::sleep(GATHER.min(backend.alerts.poll)).await;
            }
            _ = tokio::time::sleep(backend.alerts.poll) => {}
        }
    }
}
