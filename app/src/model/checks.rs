//! What staff see of a watched registration: its standing, its verdict,
//! its history, and the progress of checks they asked for.

use crate::ids::{CheckId, CustomerTenantId, RegistrationId};
use crate::timestamp::Timestamp;
use domain::evaluation::{Status, Verdict};
use domain::watch::Run;
use serde::{Deserialize, Serialize};

/// What a registration is shown as now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingView {
    pub status: Status,
    /// Beside could-not-check and stale: what the last completed check found.
    pub last_known: Option<Status>,
    /// Could not check since, or (stale) last checked at.
    pub since: Option<Timestamp>,
    pub last_checked_at: Option<Timestamp>,
    /// The newest check that reached Microsoft and judged the registration.
    pub last_success_at: Option<Timestamp>,
    pub next_check_at: Option<Timestamp>,
}

/// One check in the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub finished_at: Timestamp,
    /// `onboarding`, `manual`, `scheduled`, `consent` or `cli`.
    pub trigger: String,
    pub triggered_by: Option<String>,
    pub duration_ms: i64,
    /// The first finding, in plain words.
    pub headline: Option<String>,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripDay {
    pub date: String,
    pub status: Option<Status>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationPage {
    pub id: RegistrationId,
    pub customer_tenant_id: CustomerTenantId,
    pub tenant_name: String,
    pub entra_tenant_id: Option<String>,
    pub cloud: String,
    pub profiles: Vec<String>,
    /// The ids of `profiles`, as the product picker takes them.
    pub profile_ids: Vec<String>,
    pub requirements: Vec<super::RequirementView>,
    pub client_id: String,
    pub object_id: Option<String>,
    pub credential: String,
    pub credential_expires_at: Option<Timestamp>,
    pub entered_by: String,
    pub entered_at: Timestamp,
    pub archived: bool,
    pub standing: StandingView,
    /// The newest verdict, with expiry findings brought up to date.
    pub verdict: Option<Verdict>,
    /// The newest check found admin consent missing: the page offers a
    /// consent link.
    pub needs_consent: bool,
    /// Tenantry's consent redirect URI, and whether the app has it.
    pub redirect_uri: String,
    pub consent_redirect: bool,
    /// A generated certificate waiting to replace the credential.
    pub pending: Option<PendingCertificate>,
    pub timeline: Vec<Run<CheckSummary>>,
    /// The last 30 days, oldest first.
    pub strip: Vec<StripDay>,
    pub can_manage: bool,
}

/// A certificate Tenantry generated to renew a credential, waiting until
/// its public half is in Entra.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCertificate {
    pub thumbprint: String,
    pub expires_at: Timestamp,
}

/// A link staff hand to a customer's admin to grant consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentLink {
    pub url: String,
    pub expires_at: Timestamp,
}

/// Checks staff asked for, counted as they finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressOfChecks {
    pub total: i64,
    pub done: i64,
}

/// A request for checks of many registrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRequest {
    /// Names the request when asking for its progress.
    pub request: String,
    pub total: i64,
}

/// One stored check, with the verdict it reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub id: CheckId,
    /// Orders a registration's checks; the history's cursor.
    pub sequence: i64,
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub duration_ms: i64,
    pub trigger: String,
    pub status: String,
    pub verdict: Verdict,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
}
