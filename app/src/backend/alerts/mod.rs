//! Alerts leave Tenantry through an organisation's channels: `channels`
//! (admins add and remove them; everyone sees them and what was sent),
//! `delivery` (the queue and the loop that sends it, retrying with
//! backoff), `webhook` (one signed message to one receiver).

pub mod assessing;
pub mod audited;
pub mod channels;
pub mod delivery;
pub mod digest;
pub mod mail;
pub mod notices;
pub mod routing;
pub mod senders;
pub mod settings;
pub mod webhook;

use crate::backend::Backend;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

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
    /// How long a message to one channel may take: a send resolves the
    /// name and then waits for the answer, each within `send_timeout`, so a
    /// claim on a message lasts a little longer than twice this.
    pub send_timeout: Duration,
}

impl Alerts {
    /// How long a claimed message is held before another round may send
    /// it: longer than one send can take, so it is never sent twice at
    /// once, and short, so one a killed server held goes soon after.
    pub fn lease(&self) -> time::Duration {
        time::Duration::try_from(self.send_timeout * 2).unwrap_or(time::Duration::MINUTE)
            + time::Duration::seconds(5)
    }

    pub fn new(
        to_this_machine: bool,
        poll: Duration,
        send_timeout: Duration,
        patience: time::Duration,
        checked: Arc<Notify>,
    ) -> Self {
        Self {
            sender: webhook::WebhookSender::new(send_timeout, to_this_machine),
            send_timeout,
            wake: Arc::new(Notify::new()),
            poll,
            patience,
            checked,
            weighing: Default::default(),
        }
    }
}

/// Checks finishing together are weighed together, so that a mass failure
/// is one alert and a sweep is not slowed by weighing as it goes: after
/// results are written, weighing waits until none came for this long…
const GATHER: Duration = Duration::from_secs(2);
/// …but no longer than this while checks keep coming.
const LONGEST_GATHER: Duration = Duration::from_secs(30);

/// Waits while checks keep being written (see `GATHER`).
async fn until_quiet(checked: &Notify, quiet: Duration) {
    let started = tokio::time::Instant::now();
    while tokio::time::timeout(quiet, checked.notified())
        .await
        .is_ok()
    {
        if started.elapsed() >= LONGEST_GATHER {
            break;
        }
    }
}

/// Weighs checks into alerts and sends digests, until the process ends.
pub async fn watch(backend: Backend) {
    loop {
        // A failure is logged with its cause where it became an AppError;
        // the next round tries again.
        while matches!(assessing::assess_due(&backend).await, Ok(weighed) if weighed > 0) {}
        let _ = audited::send_pending(&backend).await;
        let _ = digest::send_due(&backend).await;
        tokio::select! {
            _ = backend.alerts.checked.notified() => {
                until_quiet(&backend.alerts.checked, GATHER.min(backend.alerts.poll)).await;
            }
            _ = tokio::time::sleep(backend.alerts.poll) => {}
        }
    }
}
