//! E-mail: the outbox every notice goes into, the SMTP delivery, and the
//! worker between them. Without SMTP configured, messages wait in the
//! outbox and admins see them as not delivered.

pub mod outbox;
pub mod smtp;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct Mail {
    /// None when no SMTP server is configured.
    pub mailer: Option<Arc<smtp::SmtpMailer>>,
    /// Wakes the worker after a commit that queued messages.
    pub wake: Arc<Notify>,
    /// The worker also looks this often, for retries that became due.
    pub poll: Duration,
}

impl Mail {
    pub fn new(mailer: Option<smtp::SmtpMailer>, poll: Duration) -> Self {
        Self {
            mailer: mailer.map(Arc::new),
            wake: Arc::new(Notify::new()),
            poll,
        }
    }

    /// Call after committing a transaction that queued messages.
    pub fn queued(&self) {
        self.wake.notify_one();
    }
}
