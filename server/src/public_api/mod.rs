//! The public JSON API, `/api/v1`: organisation API tokens instead of the
//! browser's session (no cookie, no CSRF check applies or is needed), the
//! same services and scoping as the pages, RFC 9457 problems, per-token
//! rate limits and idempotent creation. The OpenAPI document is generated
//! from these handlers, so it lists exactly the routes served.

// A `Problem` (about 200 bytes) is the answer itself: it is returned once
// per request, straight into the response, never carried through loops.
#![allow(clippy::result_large_err)]

mod auth;
mod checks;
mod docs;
mod links;
mod overview;
mod problem;
mod registrations;
mod support;
mod tenants;

pub use auth::TokenLimits;

use app::backend::Backend;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use problem::Problem;
use std::sync::Arc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tenantry API",
        version = "1",
        description = "Customer tenants, app registrations, checks and permission health of one MSP organisation. Authenticate with an organisation API token: `Authorization: Bearer tnty_…`."
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerToken),
    components(schemas(problem::Problem, problem::FieldError)),
    tags(
        (name = "tenants", description = "Customer tenants"),
        (name = "registrations", description = "App registrations and their credentials (write-only)"),
        (name = "checks", description = "Checks now and their history"),
        (name = "dashboard", description = "Permission health across every tenant"),
        (name = "onboarding links", description = "Links a customer's admin follows to create a registration"),
        (name = "findings", description = "What a check can find")
    )
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tnty_<id>_<secret>")
                    .description(Some(
                        "An organisation API token, made by an admin on the API tokens page. Its scopes (read, write, checks) decide which operations it may call.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The routes and the document describing them, built together.
fn documented() -> (Router<()>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tenants::list_tenants, tenants::create_tenant))
        .routes(routes!(tenants::get_tenant, tenants::update_tenant))
        .routes(routes!(tenants::archive_tenant))
        .routes(routes!(tenants::restore_tenant))
        .routes(routes!(
            registrations::list_registrations,
            registrations::create_registration
        ))
        .routes(routes!(
            registrations::get_registration,
            registrations::update_registration
        ))
        .routes(routes!(registrations::replace_credential))
        .routes(routes!(registrations::archive_registration))
        .routes(routes!(checks::check_registration, checks::check_history))
        .routes(routes!(checks::request_checks))
        .routes(routes!(checks::check_progress))
        .routes(routes!(overview::dashboard_summary))
        .routes(routes!(overview::findings))
        .routes(routes!(links::create_link, links::list_links))
        .routes(routes!(links::revoke_link))
        .split_for_parts()
}

/// The OpenAPI document as served, for tests and the documentation page.
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented().1
}

/// Everything under `/api/v1`, to be nested there.
pub fn router(backend: Backend, limits: TokenLimits) -> Router<()> {
    let (routes, document) = documented();
    let document = Arc::new(document);
    let json = serde_json::to_string_pretty(&*document).unwrap_or_default();
    let page = docs::page(&document);
    let state = auth::ApiState {
        clients: limits.per_client(),
        backend,
        limits,
    };
    routes
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::authenticate,
        ))
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        json,
                    )
                }
            }),
        )
        .route(
            "/docs",
            get(move || {
                let page = page.clone();
                async move { axum::response::Html(page) }
            }),
        )
        // Beside the pages' `/api/{*fn_name}` (server functions, POST
        // only), an unknown address here would read as "method not
        // allowed"; this catch-all keeps it a plain not-found.
        .route(
            "/{*unknown}",
            axum::routing::any(|| async { Problem::not_found().into_response() }),
        )
        .fallback(|| async { Problem::not_found().into_response() })
        .method_not_allowed_fallback(|| async {
            Problem::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
                "This address does not take that method; see /api/v1/docs.",
            )
            .into_response()
        })
}
