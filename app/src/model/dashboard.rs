//! What the dashboard page shows: one view of the organisation's
//! registrations at one instant, filtered as its URL says.

use crate::ids::{CustomerTenantId, RegistrationId};
use crate::timestamp::Timestamp;
use domain::dashboard::{BeyondNeed, ExpiryGroup, Remedy, ViewQuery};
use domain::evaluation::Status;
use domain::finding::FindingCode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    /// The instant every standing here was computed at.
    pub as_of: Timestamp,
    /// The view asked for, as parsed back (unparsable parts left out).
    pub query: ViewQuery,
    /// Parts of the URL that could not be used, in plain words.
    pub problems: Vec<String>,
    pub products: Vec<ProductColumn>,
    /// Registrations by status under every filter but the status one, so
    /// each count is what choosing that status would show.
    pub counts: Vec<StatusCount>,
    /// Registrations the view shows (all filters).
    pub shown: usize,
    pub attention: Vec<AttentionItem>,
    pub attention_total: usize,
    /// Problems someone acknowledged: still counted, listed apart.
    pub acknowledged: Vec<AttentionItem>,
    pub matrix: Vec<MatrixRowView>,
    /// Tenants in the matrix over all pages.
    pub matrix_tenants: usize,
    pub page: usize,
    pub pages: usize,
    pub expiring: Vec<ExpiringGroupView>,
    pub beyond_need: Vec<BeyondNeed>,
    pub trend: Vec<TrendDay>,
    pub watch: WatchSummary,
    /// Technicians and admins may acknowledge; viewers only read.
    pub can_acknowledge: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductColumn {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: Status,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttentionItem {
    pub registration_id: RegistrationId,
    pub customer_tenant_id: CustomerTenantId,
    pub tenant_name: String,
    pub products: Vec<String>,
    pub status: Status,
    pub code: Option<FindingCode>,
    /// The headline finding in plain words.
    pub headline: String,
    pub since: Option<Timestamp>,
    pub remedy: Remedy,
    pub acknowledgement: Option<AcknowledgementView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcknowledgementView {
    pub note: String,
    pub until: Option<Timestamp>,
    pub by: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRowView {
    pub customer_tenant_id: CustomerTenantId,
    pub tenant_name: String,
    pub cloud: String,
    /// One per product column.
    pub cells: Vec<Option<CellView>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellView {
    pub status: Status,
    /// The worst of the registrations serving the product (the drill-down).
    pub registration_id: RegistrationId,
    pub registrations: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringGroupView {
    pub group: ExpiryGroup,
    pub items: Vec<ExpiringItem>,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringItem {
    pub registration_id: RegistrationId,
    pub customer_tenant_id: CustomerTenantId,
    pub tenant_name: String,
    pub products: Vec<String>,
    /// "client secret" or "certificate".
    pub credential: String,
    pub expires_at: Timestamp,
    /// Who to contact at the customer.
    pub contacts: Vec<String>,
    pub remedy: Remedy,
}

/// One day of the trend: registrations by the worst status checked that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendDay {
    pub date: String,
    pub counts: Vec<StatusCount>,
}

/// How the watch itself is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchSummary {
    /// The newest check of any registration.
    pub newest_check: Option<Timestamp>,
    /// The oldest newest-check among checked registrations: every one was
    /// checked since then.
    pub oldest_check: Option<Timestamp>,
    pub interval_minutes: i64,
}

/// What someone types to set a problem aside.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcknowledgementForm {
    pub note: String,
    /// `YYYY-MM-DD`, optional: the end of that day (UTC).
    pub until: String,
}
