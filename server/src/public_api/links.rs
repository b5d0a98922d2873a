//! Onboarding links through the API: made for a tenant, listed, revoked.
//! A new link's address is in the creating answer only.

use super::auth::{Reader, Writer};
use super::problem::{ApiResult, Problem};
use super::support::{create_once, ApiJson, Created, Replay};
use app::backend::onboarding;
use app::ids::{CustomerTenantId, LinkId};
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// Product ids the customer's registration will serve.
    pub products: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedLink {
    /// The address to hand to the customer's admin; shown only here.
    pub url: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    pub id: String,
    pub products: Vec<String>,
    pub created_at: String,
    pub expires_at: String,
    /// Sent, Opened, Step N saved, Tested, Completed, Expired or Revoked.
    pub state: String,
    pub active: bool,
}

/// Makes an onboarding link for a tenant.
#[utoipa::path(post, path = "/tenants/{id}/onboarding-links", tag = "onboarding links",
    request_body = LinkInput,
    params(("id" = String, Path, description = "The tenant's id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request create only once")),
    responses((status = 201, body = CreatedLink, headers(("Location" = String))), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("token" = ["write"])))]
pub async fn create_link(
    Writer(caller): Writer,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<LinkInput>,
) -> Response {
    // The address is shown once: a repeated request learns only that the
    // link was made (`already_created`), never the address again.
    create_once(
        &caller,
        &headers,
        "POST /tenants/{id}/onboarding-links",
        &(&id, &input),
        Replay::Receipt,
        || async {
            let tenant = CustomerTenantId::from(id.clone());
            let created =
                onboarding::create_link(&caller.staff, &tenant, &input.products.join(",")).await?;
            Ok(Created {
                location: format!("/api/v1/tenants/{tenant}/onboarding-links"),
                body: CreatedLink {
                    url: created.link,
                    expires_at: created.expires_at.to_string(),
                },
            })
        },
    )
    .await
}

/// A tenant's onboarding links, newest first.
#[utoipa::path(get, path = "/tenants/{id}/onboarding-links", tag = "onboarding links",
    params(("id" = String, Path, description = "The tenant's id")),
    responses((status = 200, body = [Link]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("token" = ["read"])))]
pub async fn list_links(
    Reader(caller): Reader,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Link>>> {
    let links = onboarding::list_links(&caller.staff, &CustomerTenantId::from(id)).await?;
    Ok(Json(
        links
            .into_iter()
            .map(|link| Link {
                id: link.id.to_string(),
                products: link.profiles,
                created_at: link.created_at.to_string(),
                expires_at: link.expires_at.to_string(),
                state: link.state,
                active: link.active,
            })
            .collect(),
    ))
}

/// Revokes a link: it stops working at once.
#[utoipa::path(post, path = "/onboarding-links/{id}/revoke", tag = "onboarding links",
    params(("id" = String, Path, description = "The link's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("token" = ["write"])))]
pub async fn revoke_link(Writer(caller): Writer, Path(id): Path<String>) -> ApiResult<StatusCode> {
    onboarding::revoke_link(&caller.staff, &LinkId::from(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
