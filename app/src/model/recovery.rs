//! What the recovery pages and the organisation's settings show.

use crate::timestamp::Timestamp;
use domain::form::SecretText;
use domain::outbox::MessageState;
use domain::recovery::checklist::{Check, Outcome};
use domain::Cloud;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoverySettings {
    pub home_tenant_id: Option<String>,
    pub home_cloud: Cloud,
    pub enabled: bool,
    pub window_hours: i64,
    /// The longest window this server allows.
    pub max_window_hours: i64,
    /// Whether e-mail can leave this server at all.
    pub mail_configured: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryAttemptEntry {
    pub at: Timestamp,
    /// `accepted`, `rejected` (counts towards the lock), `unproven`
    /// (refused before Microsoft signed the app in), or `checking` while
    /// Microsoft is asked.
    pub outcome: String,
    /// The outcome in words, for the history.
    pub outcome_label: String,
    pub person_name: String,
    pub tenant_id: String,
    pub client_id: String,
    pub object_id: String,
    pub app_created_at: Option<Timestamp>,
    pub initiator_upn: String,
    pub reasons: String,
    pub ip: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub recipient: String,
    pub subject: String,
    pub created_at: Timestamp,
    pub state: MessageState,
    pub state_label: String,
    pub attempts: i64,
    pub next_attempt_at: Option<Timestamp>,
    /// When it was delivered or given up on.
    pub settled_at: Option<Timestamp>,
    pub last_error: String,
}

/// The organisation's settings page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsPage {
    pub recovery: RecoverySettings,
    pub attempts: Vec<RecoveryAttemptEntry>,
    pub outbox: Vec<OutboxEntry>,
}

/// The recovery page once the company is named: the same for a tenant
/// that can be recovered here and one that cannot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryStart {
    /// The last five characters of the company's tenant ID.
    pub tenant_hint: String,
    pub cloud: Cloud,
    pub app_name: String,
    pub permission: String,
    pub window_hours: i64,
    pub powershell: String,
    pub azure_cli: String,
    /// Refusals left before recovery locks.
    pub failures_left: usize,
    pub locked_until: Option<Timestamp>,
}

/// What the person fills in after creating the recovery app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RecoveryProof {
    pub person_name: String,
    pub tenant_id: String,
    pub client_id: String,
    pub object_id: String,
    pub secret: SecretText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryResult {
    pub outcome: Outcome,
    /// How long after its creation the app counts.
    pub window_hours: i64,
    pub checks: Vec<Check>,
    pub created_at: Option<Timestamp>,
    pub initiated_by: Option<String>,
    pub failures_left: usize,
    pub locked_until: Option<Timestamp>,
    /// A few words on what happens now.
    pub message: String,
    /// For an accepted recovery: where the new admin chooses a password.
    /// Shown once.
    pub set_password_link: Option<String>,
}
