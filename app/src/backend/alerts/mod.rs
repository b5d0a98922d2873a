//! Alerts leave Tenantry through an organisation's channels: `channels`
//! (admins add and remove them; everyone sees them and what was sent),
//! `delivery` (the queue and the loop that sends it, retrying with
//! backoff), `webhook` (one signed message to one receiver).

pub mod channels;
pub mod delivery;
pub mod webhook;

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
    /// The loop also looks this often, for retries that became due.
    pub poll: Duration,
}

impl Alerts {
    pub fn new(to_this_machine: bool, poll: Duration) -> Self {
        Self {
            sender: webhook::WebhookSender::new(SEND_TIMEOUT, to_this_machine),
            wake: Arc::new(Notify::new()),
            poll,
        }
    }
}
