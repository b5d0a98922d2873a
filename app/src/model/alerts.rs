//! What the alert channels' settings show and take.

use crate::ids::{AlertChannelId, AlertDeliveryId};
use crate::timestamp::Timestamp;
use domain::outbox::MessageState;
use serde::{Deserialize, Serialize};

/// A webhook channel as an admin enters it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertChannelForm {
    /// `webhook`, `teams` or `slack` (`domain::alert_message::ChannelKind`).
    pub kind: String,
    pub name: String,
    pub url: String,
}

/// A channel just added, with its signing secret (a webhook of Tenantry's
/// JSON has one): shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddedAlertChannel {
    pub id: AlertChannelId,
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertChannelView {
    pub id: AlertChannelId,
    pub name: String,
    /// What kind of receiver, in words.
    pub kind: String,
    /// The receiver's host; the whole address is never shown again.
    pub host: String,
    pub created_at: Timestamp,
    /// The newest first.
    pub deliveries: Vec<AlertDeliveryView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertDeliveryView {
    pub id: AlertDeliveryId,
    pub event: String,
    pub created_at: Timestamp,
    pub attempts: i64,
    pub state: MessageState,
    /// When it is tried again, after a failed attempt.
    pub next_attempt_at: Option<Timestamp>,
    /// When it was delivered or given up on.
    pub settled_at: Option<Timestamp>,
    /// The receiver's last answer (its status, or why it could not be reached).
    pub last_answer: Option<String>,
}
