//! `/api/v1/registrations`: app registrations across the organisation's
//! tenants. Credentials go in and never come out: a response names only
//! the credential's kind, hint (or thumbprint) and expiry.

use super::auth::{Reader, Writer};
use super::problem::{ApiResult, Problem};
use super::support::{create_once, cursor, shown, wire_name, ApiJson, Created, PageParams, Replay};
use super::tenants::archived_filter;
use app::backend::api_tokens::ApiCaller;
use app::backend::registrations::{self, listing, listing::RegistrationQuery};
use app::ids::{CustomerTenantId, RegistrationId};
use app::model::{CredentialForm, ProfilesForm, RegistrationForm, RegistrationRecord};
use app::timestamp::Timestamp;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use domain::evaluation::{Status, Verdict};
use domain::form::SecretText;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct Registration {
    pub id: String,
    pub customer_tenant_id: String,
    pub tenant_name: String,
    /// Product (profile) ids, such as `intune-publishing`.
    pub products: Vec<String>,
    pub client_id: String,
    pub object_id: Option<String>,
    pub credential: CredentialInfo,
    /// As shown now: `healthy`, `warning`, `failing`, `could_not_check`,
    /// `stale` or `never_checked`. Only `healthy` means a recent check
    /// found it working.
    pub status: String,
    /// Beside `could_not_check` and `stale`: what the last completed check found.
    pub last_known_status: Option<String>,
    pub status_since: Option<String>,
    pub last_checked_at: Option<String>,
    /// The newest check that reached Microsoft and judged the registration
    /// (whatever it found).
    pub last_completed_check_at: Option<String>,
    pub next_check_at: Option<String>,
    pub archived: bool,
    pub entered_at: String,
    /// The newest verdict (on a single registration only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<VerdictInfo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialInfo {
    /// `secret` or `certificate`.
    pub kind: String,
    /// The secret's first characters, or the certificate's thumbprint.
    pub hint: String,
    pub expires_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictInfo {
    pub status: String,
    pub findings: Vec<FindingInfo>,
    pub permissions: Vec<PermissionInfo>,
    /// Granted permissions no product of the registration needs.
    pub extra_permissions: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingInfo {
    /// A stable code from `/api/v1/findings`.
    pub code: String,
    /// `info`, `warning`, `could_not_check` or `failing`.
    pub severity: String,
    pub message: String,
    pub fix: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionInfo {
    pub name: String,
    /// `application` or `delegated`.
    pub kind: String,
    /// `granted`, `missing`, `optional_missing`, `not_verifiable_app_only` or `not_checked`.
    pub state: String,
}

impl From<&Verdict> for VerdictInfo {
    fn from(verdict: &Verdict) -> Self {
        Self {
            status: verdict.status.as_str().to_owned(),
            findings: verdict
                .findings
                .iter()
                .map(|f| FindingInfo {
                    code: f.code.as_str().to_owned(),
                    severity: wire_name(f.severity),
                    message: f.message.clone(),
                    fix: f.fix.clone(),
                })
                .collect(),
            permissions: verdict
                .permissions
                .iter()
                .map(|p| PermissionInfo {
                    name: p.name.clone(),
                    kind: wire_name(p.kind),
                    state: wire_name(p.state),
                })
                .collect(),
            extra_permissions: verdict.extra_permissions.clone(),
        }
    }
}

impl From<RegistrationRecord> for Registration {
    fn from(record: RegistrationRecord) -> Self {
        let standing = record.standing;
        let text = |at: Option<Timestamp>| at.map(|at| at.to_string());
        Self {
            id: record.id.to_string(),
            customer_tenant_id: record.customer_tenant_id.to_string(),
            tenant_name: record.tenant_name,
            products: record.profiles,
            client_id: record.client_id,
            object_id: record.object_id,
            credential: CredentialInfo {
                kind: record.credential_kind,
                hint: record.credential_shown,
                expires_at: text(record.credential_expires_at),
            },
            status: standing.status.as_str().to_owned(),
            last_known_status: standing.last_known.map(|s| s.as_str().to_owned()),
            status_since: text(standing.since),
            last_checked_at: text(standing.last_checked_at),
            last_completed_check_at: text(standing.last_success_at),
            next_check_at: text(standing.next_check_at),
            archived: record.archived,
            entered_at: record.entered_at.to_string(),
            verdict: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationPage {
    pub items: Vec<Registration>,
    /// Pass as `cursor` for the next page; absent on the last page. With a
    /// status filter a page may hold fewer items than asked (even none)
    /// and still have a next one: at most 5,000 registrations are read
    /// for one page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationFilter {
    /// `healthy`, `warning`, `failing`, `could_not_check`, `stale` or `never_checked`.
    pub status: Option<String>,
    /// A product id the registration serves.
    pub product: Option<String>,
    /// Only registrations of this tenant.
    pub tenant: Option<String>,
    /// Credentials expiring before this instant (RFC 3339) or day (`YYYY-MM-DD`).
    pub expires_before: Option<String>,
    /// `active` (the default), `archived` or `all`.
    pub state: Option<String>,
}

fn instant(field: &str, text: &str) -> ApiResult<Timestamp> {
    let text = text.trim();
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_owned()
    };
    Timestamp::parse(&full).map_err(|_| {
        Problem::invalid_field(
            field,
            format!("{field} is a date (YYYY-MM-DD) or an RFC 3339 instant."),
        )
    })
}

/// Lists registrations across tenants, oldest first.
#[utoipa::path(get, path = "/registrations", tag = "registrations",
    params(RegistrationFilter, PageParams),
    responses((status = 200, body = RegistrationPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)),
    security(("token" = ["read"])))]
pub async fn list_registrations(
    Reader(caller): Reader,
    Query(filter): Query<RegistrationFilter>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<RegistrationPage>> {
    let limit = page.limit()? as usize;
    let after = page.after_instant::<RegistrationId>()?;
    let status = match filter.status.as_deref() {
        None => None,
        Some(text) => Some(Status::parse(text).ok_or_else(|| {
            Problem::invalid_field(
                "status",
                "status is healthy, warning, failing, could_not_check, stale or never_checked.",
            )
        })?),
    };
    if let Some(product) = &filter.product {
        domain::profile::find(product)
            .map_err(|error| Problem::invalid_field("product", error.to_string()))?;
    }
    let query = RegistrationQuery {
        status,
        product: filter.product,
        customer_tenant_id: filter.tenant.map(CustomerTenantId::from),
        expires_before: filter
            .expires_before
            .as_deref()
            .map(|text| instant("expires_before", text))
            .transpose()?,
        archived: archived_filter(filter.state.as_deref())?,
    };
    let page = listing::page(&caller.staff, &query, after, limit).await?;
    let next_cursor = page
        .next
        .map(|(at, id)| cursor(&[at.as_str(), id.as_str()]));
    Ok(Json(RegistrationPage {
        items: page.records.into_iter().map(Registration::from).collect(),
        next_cursor,
    }))
}

/// One registration with its newest verdict, as `GET /registrations/{id}` reads.
pub(super) async fn read_one(caller: &ApiCaller, id: &RegistrationId) -> ApiResult<Registration> {
    let (record, verdict) = listing::one_with_verdict(&caller.staff, id).await?;
    let mut registration = Registration::from(record);
    registration.verdict = verdict.as_ref().map(VerdictInfo::from);
    Ok(registration)
}

/// Reads one registration with its newest verdict.
#[utoipa::path(get, path = "/registrations/{id}", tag = "registrations",
    params(("id" = String, Path, description = "The registration's id")),
    responses((status = 200, body = Registration), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = ["read"])))]
pub async fn get_registration(
    Reader(caller): Reader,
    Path(id): Path<String>,
) -> ApiResult<Json<Registration>> {
    Ok(Json(read_one(&caller, &RegistrationId::from(id)).await?))
}

/// A credential, write-only: no response carries it back.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialInput {
    /// `secret` or `certificate`.
    pub kind: String,
    /// The client secret's value.
    #[schema(value_type = Option<String>, format = Password)]
    #[serde(default)]
    pub secret: SecretText,
    /// The secret's expiry as Entra shows it (`YYYY-MM-DD`).
    #[serde(default)]
    pub secret_expires: String,
    /// Base64 of the certificate file (.cer, .pem, or a .pfx with its key).
    #[serde(default)]
    pub certificate: String,
    /// Base64 of the private key's PEM file, unless the certificate is a .pfx.
    #[schema(value_type = Option<String>, format = Password)]
    #[serde(default)]
    pub private_key: SecretText,
    /// The .pfx or key file's password, if it has one.
    #[schema(value_type = Option<String>, format = Password)]
    #[serde(default)]
    pub password: SecretText,
}

impl CredentialInput {
    /// The credential with its secret parts blank; the certificate (public)
    /// stays.
    fn without_secrets(&self) -> Self {
        Self {
            kind: self.kind.clone(),
            secret_expires: self.secret_expires.clone(),
            certificate: self.certificate.clone(),
            ..Self::default()
        }
    }

    fn form(self) -> CredentialForm {
        CredentialForm {
            credential: self.kind,
            secret: self.secret,
            secret_expires: self.secret_expires,
            certificate: self.certificate,
            private_key: self.private_key,
            password: self.password,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    pub customer_tenant_id: String,
    /// Product ids, such as `intune-publishing`.
    pub products: Vec<String>,
    pub client_id: String,
    /// Needed by products that check the app's own object.
    pub object_id: Option<String>,
    pub credential: CredentialInput,
}

/// Records a registration made by hand. Send `Idempotency-Key` to make a
/// retry safe.
#[utoipa::path(post, path = "/registrations", tag = "registrations",
    request_body = RegistrationInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request create only once")),
    responses((status = 201, body = Registration, headers(("Location" = String))), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn create_registration(
    Writer(caller): Writer,
    headers: HeaderMap,
    ApiJson(input): ApiJson<RegistrationInput>,
) -> Response {
    // The secret is not part of what identifies the request: a digest of
    // it would be a fast hash of a credential, kept for a day.
    let digested = RegistrationInput {
        credential: input.credential.without_secrets(),
        ..input.clone()
    };
    create_once(
        &caller,
        &headers,
        "POST /registrations",
        &digested,
        Replay::Body,
        || async {
            let tenant = CustomerTenantId::from(input.customer_tenant_id.clone());
            let credential = input.credential.clone().form();
            let form = RegistrationForm {
                profiles: input.products.join(","),
                client_id: input.client_id.clone(),
                object_id: input.object_id.clone().unwrap_or_default(),
                credential: credential.credential,
                secret: credential.secret,
                secret_expires: credential.secret_expires,
                certificate: credential.certificate,
                private_key: credential.private_key,
                password: credential.password,
            };
            let id = registrations::add(&caller.staff, &tenant, &form)
                .await
                .map_err(products_renamed)?;
            Ok(Created {
                location: format!("/api/v1/registrations/{id}"),
                body: shown(&caller, id.as_str(), read_one(&caller, &id).await?),
            })
        },
    )
    .await
}

/// The forms call the products `profiles`.
fn products_renamed(error: app::error::AppError) -> Problem {
    Problem::renaming(error, "profiles", "products")
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationChange {
    /// The products the registration serves from now on.
    pub products: Vec<String>,
    /// Needed when a product newly checks the app's own object.
    pub object_id: Option<String>,
}

/// Changes the products a registration serves, then checks it.
#[utoipa::path(patch, path = "/registrations/{id}", tag = "registrations",
    request_body = RegistrationChange,
    params(("id" = String, Path, description = "The registration's id")),
    responses((status = 200, body = Registration), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn update_registration(
    Writer(caller): Writer,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<RegistrationChange>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = RegistrationId::from(id);
    registrations::edit::change_profiles(
        &caller.staff,
        &id,
        &ProfilesForm {
            profiles: change.products.join(","),
            object_id: change.object_id.unwrap_or_default(),
        },
    )
    .await
    .map_err(products_renamed)?;
    Ok(Json(shown(
        &caller,
        id.as_str(),
        read_one(&caller, &id).await?,
    )))
}

/// Replaces the credential (a renewed secret or certificate), then checks it.
#[utoipa::path(put, path = "/registrations/{id}/credential", tag = "registrations",
    request_body = CredentialInput,
    params(("id" = String, Path, description = "The registration's id")),
    responses((status = 200, body = Registration), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn replace_credential(
    Writer(caller): Writer,
    Path(id): Path<String>,
    ApiJson(credential): ApiJson<CredentialInput>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = RegistrationId::from(id);
    registrations::edit::replace_credential(&caller.staff, &id, &credential.form()).await?;
    Ok(Json(shown(
        &caller,
        id.as_str(),
        read_one(&caller, &id).await?,
    )))
}

/// Archives a registration: kept, no longer checked.
#[utoipa::path(post, path = "/registrations/{id}/archive", tag = "registrations",
    params(("id" = String, Path, description = "The registration's id")),
    responses((status = 200, body = Registration), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = ["write"])))]
pub async fn archive_registration(
    Writer(caller): Writer,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = RegistrationId::from(id);
    registrations::edit::set_archived(&caller.staff, &id, true).await?;
    Ok(Json(shown(
        &caller,
        id.as_str(),
        read_one(&caller, &id).await?,
    )))
}
