//! `/api/v1/tenants`: the organisation's customer tenants.

use super::auth::{Reader, Writer};
use super::problem::{ApiResult, Problem};
use super::support::{create_once, cursor, shown, ApiJson, Created, PageParams, Replay};
use app::backend::tenants::{self, TenantQuery};
use app::ids::CustomerTenantId;
use app::model::TenantDetails;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use domain::customer::CustomerTenantForm;
use domain::Cloud;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct Tenant {
    pub id: String,
    pub display_name: String,
    /// The Microsoft directory (tenant) ID, when recorded.
    pub entra_tenant_id: Option<String>,
    pub primary_domain: Option<String>,
    /// `global`, `gcc`, `gcc-high`, `dod` or `china`.
    pub cloud: String,
    /// Who to contact at the customer.
    pub contacts: Vec<String>,
    pub notes: String,
    /// Contacts are told before a credential expires, with a renewal link.
    pub expiry_notices: bool,
    pub archived: bool,
    /// When the customer proved control of the tenant, if they did.
    pub ownership_verified_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Bumped by every change; send it back as `If-Match: "<version>"` to
    /// change the tenant only if nobody changed it since.
    pub version: i64,
}

impl From<TenantDetails> for Tenant {
    fn from(details: TenantDetails) -> Self {
        Self {
            id: details.summary.id.to_string(),
            display_name: details.summary.display_name,
            entra_tenant_id: details.summary.entra_tenant_id,
            primary_domain: details.summary.primary_domain,
            cloud: details.summary.cloud.id().to_owned(),
            contacts: details
                .form
                .contacts
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            notes: details.form.notes,
            expiry_notices: details.expiry_notices,
            archived: details.summary.archived,
            ownership_verified_at: details.ownership.map(|o| o.verified_at.to_string()),
            created_at: details.created_at.to_string(),
            updated_at: details.updated_at.to_string(),
            version: details.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantPage {
    pub items: Vec<Tenant>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A tenant to create, or (every field optional) the fields to change.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantInput {
    pub display_name: Option<String>,
    pub entra_tenant_id: Option<String>,
    pub primary_domain: Option<String>,
    /// `global` (the default), `gcc`, `gcc-high`, `dod` or `china`.
    pub cloud: Option<String>,
    pub contacts: Option<Vec<String>>,
    pub notes: Option<String>,
}

impl TenantInput {
    fn is_empty(&self) -> bool {
        self.display_name.is_none()
            && self.entra_tenant_id.is_none()
            && self.primary_domain.is_none()
            && self.cloud.is_none()
            && self.contacts.is_none()
            && self.notes.is_none()
    }

    /// The form the pages submit, with this input laid over `base`.
    fn over(self, base: CustomerTenantForm) -> CustomerTenantForm {
        CustomerTenantForm {
            display_name: self.display_name.unwrap_or(base.display_name),
            tenant_id: self.entra_tenant_id.unwrap_or(base.tenant_id),
            primary_domain: self.primary_domain.unwrap_or(base.primary_domain),
            cloud: self.cloud.unwrap_or(base.cloud),
            contacts: self
                .contacts
                .map(|contacts| contacts.join(", "))
                .unwrap_or(base.contacts),
            notes: self.notes.unwrap_or(base.notes),
        }
    }
}

/// The forms name the directory ID `tenant_id`; the API calls it
/// `entra_tenant_id`, as it reads back.
fn renamed(error: app::error::AppError) -> Problem {
    Problem::renaming(error, "tenant_id", "entra_tenant_id")
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantFilter {
    /// `active` (the default), `archived` or `all`.
    pub state: Option<String>,
    /// Part of the name or primary domain, any case.
    pub search: Option<String>,
    /// Only tenants in this cloud.
    pub cloud: Option<String>,
}

pub(super) fn archived_filter(state: Option<&str>) -> ApiResult<Option<bool>> {
    match state.unwrap_or("active") {
        "active" => Ok(Some(false)),
        "archived" => Ok(Some(true)),
        "all" => Ok(None),
        _ => Err(Problem::invalid_field(
            "state",
            "state is active, archived or all.",
        )),
    }
}

/// Lists tenants, oldest first.
#[utoipa::path(get, path = "/tenants", tag = "tenants",
    params(TenantFilter, PageParams),
    responses((status = 200, body = TenantPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)),
    security(("token" = ["read"])))]
pub async fn list_tenants(
    Reader(caller): Reader,
    Query(filter): Query<TenantFilter>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<TenantPage>> {
    let limit = page.limit()?;
    let after = page.after_instant::<CustomerTenantId>()?;
    let cloud = match filter.cloud.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<Cloud>().map_err(|_| {
            Problem::invalid_field("cloud", "cloud is global, gcc, gcc-high, dod or china.")
        })?),
    };
    let query = TenantQuery {
        archived: archived_filter(filter.state.as_deref())?,
        search: filter.search.filter(|s| !s.trim().is_empty()),
        cloud,
    };
    let found = tenants::page(&caller.staff, &query, after, i64::from(limit) + 1).await?;
    let more = found.len() > limit as usize;
    let items: Vec<Tenant> = found
        .into_iter()
        .take(limit as usize)
        .map(Tenant::from)
        .collect();
    let next_cursor = more
        .then(|| {
            items
                .last()
                .map(|last| cursor(&[&last.created_at, &last.id]))
        })
        .flatten();
    Ok(Json(TenantPage { items, next_cursor }))
}

/// Reads one tenant; its `ETag` is its version.
#[utoipa::path(get, path = "/tenants/{id}", tag = "tenants",
    params(("id" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = Tenant, headers(("ETag" = String))), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = ["read"])))]
pub async fn get_tenant(
    Reader(caller): Reader,
    Path(id): Path<String>,
) -> ApiResult<([(axum::http::HeaderName, String); 1], Json<Tenant>)> {
    let details = tenants::details(&caller.staff, &CustomerTenantId::from(id)).await?;
    let etag = format!("\"{}\"", details.version);
    Ok(([(axum::http::header::ETAG, etag)], Json(details.into())))
}

/// Adds a tenant. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(post, path = "/tenants", tag = "tenants",
    request_body = TenantInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request create only once")),
    responses((status = 201, body = Tenant, headers(("Location" = String))), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn create_tenant(
    Writer(caller): Writer,
    headers: HeaderMap,
    ApiJson(input): ApiJson<TenantInput>,
) -> Response {
    create_once(
        &caller,
        &headers,
        "POST /tenants",
        &input,
        Replay::Body,
        || async {
            let form = input.clone().over(CustomerTenantForm {
                cloud: Cloud::Global.id().to_owned(),
                ..Default::default()
            });
            let id = tenants::create(&caller.staff, &form)
                .await
                .map_err(renamed)?;
            let tenant = Tenant::from(tenants::details(&caller.staff, &id).await?);
            Ok(Created {
                location: format!("/api/v1/tenants/{id}"),
                body: shown(&caller, id.as_str(), tenant),
            })
        },
    )
    .await
}

/// Changes the fields sent; the others keep their values. With
/// `If-Match: "<version>"` only if the tenant is still at that version
/// (412 otherwise); without, a change made meanwhile is never overwritten:
/// the fields sent are laid over it instead. Without the `read` scope the
/// answer is only the tenant's id.
#[utoipa::path(patch, path = "/tenants/{id}", tag = "tenants",
    request_body = TenantInput,
    params(("id" = String, Path, description = "The tenant's id"), ("If-Match" = Option<String>, Header, description = "The version read, in quotes")),
    responses((status = 200, body = Tenant), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn update_tenant(
    Writer(caller): Writer,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<TenantInput>,
) -> ApiResult<Json<serde_json::Value>> {
    if input.is_empty() {
        return Err(Problem::invalid_field(
            "body",
            "Send at least one field to change.",
        ));
    }
    let expected = match headers.get(axum::http::header::IF_MATCH) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .map(|text| text.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|text| text.parse::<i64>().ok())
                .ok_or_else(|| {
                    Problem::invalid_field(
                        "If-Match",
                        "If-Match is a tenant's version in quotes, such as \"3\".",
                    )
                })?,
        ),
    };
    let id = CustomerTenantId::from(id);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let current = tenants::details(&caller.staff, &id).await?;
        if expected.is_some_and(|version| version != current.version) {
            return Err(changed_since());
        }
        let version = current.version;
        let form = input.clone().over(current.form);
        match tenants::update_if(&caller.staff, &id, &form, Some(version)).await {
            Ok(()) => break,
            Err(app::error::AppError::Conflict(_)) if expected.is_some() => {
                return Err(changed_since())
            }
            // Changed between the read and the write: read again.
            Err(app::error::AppError::Conflict(_)) if attempts < 3 => continue,
            Err(error) => return Err(renamed(error)),
        }
    }
    let tenant = Tenant::from(tenants::details(&caller.staff, &id).await?);
    Ok(Json(shown(&caller, id.as_str(), tenant)))
}

fn changed_since() -> Problem {
    Problem::new(
        axum::http::StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        "Changed since it was read",
        "The tenant is no longer at the version in If-Match; read it again.",
    )
}

/// Archives a tenant: kept, its registrations no longer checked.
#[utoipa::path(post, path = "/tenants/{id}/archive", tag = "tenants",
    params(("id" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = Tenant), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = ["write"])))]
pub async fn archive_tenant(
    Writer(caller): Writer,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    set_archived(&caller, id, true).await
}

/// Brings an archived tenant back.
#[utoipa::path(post, path = "/tenants/{id}/restore", tag = "tenants",
    params(("id" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = Tenant), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = ["write"])))]
pub async fn restore_tenant(
    Writer(caller): Writer,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    set_archived(&caller, id, false).await
}

async fn set_archived(
    caller: &app::backend::api_tokens::ApiCaller,
    id: String,
    archived: bool,
) -> ApiResult<Json<serde_json::Value>> {
    let id = CustomerTenantId::from(id);
    tenants::set_archived(&caller.staff, &id, archived).await?;
    let tenant = Tenant::from(tenants::details(&caller.staff, &id).await?);
    Ok(Json(shown(caller, id.as_str(), tenant)))
}
