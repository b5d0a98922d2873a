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
    /// A web address, or for e-mail the addresses separated by commas.
    pub url: String,
    /// E-mail from a mailbox through Graph: the mailbox it is sent as…
    #[serde(default)]
    pub mailbox: String,
    /// …by this registration (the e-mail product, in the organisation's
    /// own Microsoft 365 tenant).
    #[serde(default)]
    pub registration_id: String,
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
    /// What it is told.
    pub rules: AlertRulesView,
    /// When its digest goes next, if it gets one.
    pub next_digest_at: Option<Timestamp>,
    /// Alerts kept for its next digest.
    pub waiting_for_digest: i64,
    /// How many secrets sign its messages: 2 while a rotation is under way
    /// (0 for the kinds that are not signed).
    pub signing_secrets: usize,
    /// The newest first.
    pub deliveries: Vec<AlertDeliveryView>,
}

/// A channel's rules as the page shows them; empty lists mean "all".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertRulesView {
    /// Event codes.
    pub events: Vec<String>,
    /// `info`, `warning` or `critical`.
    pub min_severity: String,
    /// Customer tenant ids.
    pub tenants: Vec<String>,
    /// Product (profile) ids.
    pub products: Vec<String>,
    pub digest_hour: Option<u8>,
}

/// What an admin chose in a channel's rules form. A list left without any
/// box ticked arrives empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertRulesForm {
    #[serde(default)]
    pub events: Vec<String>,
    pub min_severity: String,
    #[serde(default)]
    pub tenants: Vec<String>,
    #[serde(default)]
    pub products: Vec<String>,
    /// An hour 0–23, or empty to send each alert at once.
    #[serde(default)]
    pub digest_hour: String,
}

/// The organisation's alert settings and what the rules choose from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertSettingsView {
    /// An IANA time zone name; digests go at their hour there.
    pub time_zone: String,
    /// (code, what it means)
    pub events: Vec<(String, String)>,
    /// (id, name) of the organisation's customer tenants.
    pub tenants: Vec<(String, String)>,
    /// (id, name) of the products.
    pub products: Vec<(String, String)>,
    /// (id, description) of the registrations that may send e-mail alerts
    /// through Graph: the e-mail product, in the organisation's own tenant.
    pub senders: Vec<(String, String)>,
    /// Whether the organisation's own tenant is recorded (Recovery page).
    pub home_tenant_known: bool,
    /// Where customers' replies to expiry notices go.
    pub notice_reply_to: Option<String>,
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
