//! The dashboard's summary and the findings catalogue, read-only.

use super::auth::Reader;
use super::problem::{ApiResult, Problem};
use super::support::wire_name;
use app::backend::dashboard;
use axum::Json;
use domain::dashboard::ViewQuery;
use domain::finding::FindingCode;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    /// The instant every status here was computed at.
    pub as_of: String,
    /// Registrations by status; every status is present, zero or not.
    pub counts: BTreeMap<String, usize>,
    /// What needs attention, worst first (acknowledged problems apart).
    pub attention: Vec<AttentionEntry>,
    pub attention_total: usize,
    pub acknowledged: Vec<AttentionEntry>,
    /// Credentials expiring soon, by how soon.
    pub expiring: Vec<ExpiringEntry>,
    /// Permissions granted beyond what the products need, most widespread first.
    pub beyond_need: Vec<BeyondNeedEntry>,
    /// The newest check of any registration.
    pub newest_check: Option<String>,
    /// Every checked registration was checked since then.
    pub oldest_check: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttentionEntry {
    pub registration_id: String,
    pub customer_tenant_id: String,
    pub tenant_name: String,
    pub products: Vec<String>,
    pub status: String,
    pub code: Option<String>,
    pub headline: String,
    pub since: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpiringEntry {
    /// How soon, as the dashboard groups it.
    pub group: String,
    pub registration_id: String,
    pub customer_tenant_id: String,
    pub tenant_name: String,
    pub credential: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BeyondNeedEntry {
    pub permission: String,
    pub tenants: usize,
    pub registrations: usize,
}

fn attention(item: &app::model::AttentionItem) -> AttentionEntry {
    AttentionEntry {
        registration_id: item.registration_id.to_string(),
        customer_tenant_id: item.customer_tenant_id.to_string(),
        tenant_name: item.tenant_name.clone(),
        products: item.products.clone(),
        status: item.status.as_str().to_owned(),
        code: item.code.map(|code| code.as_str().to_owned()),
        headline: item.headline.clone(),
        since: item.since.as_ref().map(ToString::to_string),
    }
}

/// The permission-health summary across every tenant.
#[utoipa::path(get, path = "/dashboard", tag = "dashboard",
    responses((status = 200, body = Summary), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("token" = ["read"])))]
pub async fn dashboard_summary(Reader(caller): Reader) -> ApiResult<Json<Summary>> {
    let kept = dashboard::load(&caller.staff, &ViewQuery::default()).await?;
    let view = &kept.view;
    let mut counts: BTreeMap<String, usize> = domain::evaluation::Status::ALL
        .iter()
        .map(|status| (status.as_str().to_owned(), 0))
        .collect();
    for count in &view.counts {
        counts.insert(count.status.as_str().to_owned(), count.count);
    }
    Ok(Json(Summary {
        as_of: view.as_of.to_string(),
        counts,
        attention: view.attention.iter().map(attention).collect(),
        attention_total: view.attention_total,
        acknowledged: view.acknowledged.iter().map(attention).collect(),
        expiring: view
            .expiring
            .iter()
            .flat_map(|group| {
                group.items.iter().map(move |item| ExpiringEntry {
                    group: wire_name(group.group),
                    registration_id: item.registration_id.to_string(),
                    customer_tenant_id: item.customer_tenant_id.to_string(),
                    tenant_name: item.tenant_name.clone(),
                    credential: item.credential.clone(),
                    expires_at: item.expires_at.to_string(),
                })
            })
            .collect(),
        beyond_need: view
            .beyond_need
            .iter()
            .map(|b| BeyondNeedEntry {
                permission: b.permission.clone(),
                tenants: b.tenants,
                registrations: b.registrations,
            })
            .collect(),
        newest_check: view.watch.newest_check.as_ref().map(ToString::to_string),
        oldest_check: view.watch.oldest_check.as_ref().map(ToString::to_string),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingKind {
    /// The stable code checks and alerts report.
    pub code: String,
    /// `warning`, `could_not_check` or `failing`: the severity the code
    /// usually has. Each finding a check stores carries its own (an
    /// `unexpected_response` is failing when Microsoft refused the
    /// sign-in in a way that does not fit app-only sign-in).
    pub severity: String,
    pub headline: String,
    pub fix: String,
}

/// Every finding a check can report, with what to do about it.
#[utoipa::path(get, path = "/findings", tag = "findings",
    responses((status = 200, body = [FindingKind]), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("token" = ["read"])))]
pub async fn findings(Reader(_caller): Reader) -> ApiResult<Json<Vec<FindingKind>>> {
    Ok(Json(
        FindingCode::ALL
            .into_iter()
            .map(|code| FindingKind {
                code: code.as_str().to_owned(),
                severity: wire_name(code.severity()),
                headline: code.headline().to_owned(),
                fix: code.general_fix().to_owned(),
            })
            .collect(),
    ))
}
