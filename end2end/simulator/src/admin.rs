//! `/_admin/…`: how tests, the demo and benchmarks script the simulator,
//! doing what a tenant admin would do in the Entra portal.

use crate::state::{App, AuditEvent, Certificate, Fault, NewApp, Scenario, Secret, Tenant};
use crate::{now, Shared};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use sha1::Digest as _;

pub fn routes() -> Router<Shared> {
    Router::new()
        // A benchmark's scenario holds ten thousand apps.
        .route(
            "/_admin/scenario",
            post(post_scenario).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/_admin/reset", post(reset))
        .route("/_admin/tenants", post(add_tenant))
        .route("/_admin/apps", post(add_app))
        .route("/_admin/apps/{client_id}", patch(update_app))
        .route("/_admin/apps/{client_id}/secrets", post(add_secret))
        .route(
            "/_admin/apps/{client_id}/certificates",
            post(add_certificate),
        )
        .route("/_admin/apps/{client_id}/roles", post(change_roles))
        .route("/_admin/audit", post(add_audit))
        .route("/_admin/audit/reveal", post(reveal_audit))
        .route("/_admin/faults", post(add_fault))
        .route("/_admin/faults", delete(clear_faults))
        .route("/_admin/stats", get(stats))
        .route("/_admin/mail", get(sent_mail))
}

fn bad_request(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": message.into()})),
    )
        .into_response()
}

/// Parses a PEM or DER X.509 certificate into what the token endpoint checks.
pub fn certificate(pem_or_der: &[u8]) -> Result<Certificate, String> {
    let der = if pem_or_der.starts_with(b"-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(pem_or_der)
            .map_err(|e| format!("not a PEM certificate: {e}"))?;
        pem.contents
    } else {
        pem_or_der.to_vec()
    };
    let (_, parsed) = x509_parser::parse_x509_certificate(&der)
        .map_err(|e| format!("not an X.509 certificate: {e}"))?;
    let public_key_der = parsed.public_key().subject_public_key.data.to_vec();
    let not_after = parsed.validity().not_after.timestamp();
    Ok(Certificate {
        der_base64: STANDARD.encode(&der),
        sha1: URL_SAFE_NO_PAD.encode(sha1::Sha1::digest(&der)),
        sha256: URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&der)),
        public_key_der,
        not_after,
    })
}

fn event_about(tenant_id: &str, activity: &str, app: &App, at: i64) -> AuditEvent {
    AuditEvent {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: tenant_id.to_owned(),
        activity: activity.to_owned(),
        at,
        target_object_id: app.object_id.clone(),
        target_app_id: app.client_id.clone(),
        target_name: app.display_name.clone(),
        initiated_by: ADMIN_UPN.into(),
        initiator_id: ADMIN_ID.into(),
        initiated_by_app: None,
        result: "success".into(),
        visible_at: None,
        granted_role: None,
        granted_role_id: None,
    }
}

/// The simulated administrator who makes changes nobody else is named for.
const ADMIN_UPN: &str = "admin@simulated.example";
const ADMIN_ID: &str = "5a1e0000-0000-4000-8000-00000000ad01";

/// A person's object id: the same for every event they initiate, as in a
/// real directory.
fn user_id(user_principal_name: &str) -> String {
    if user_principal_name.eq_ignore_ascii_case(ADMIN_UPN) {
        return ADMIN_ID.to_owned();
    }
    let digest = sha2::Sha256::digest(user_principal_name.to_ascii_lowercase().as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Admin consent as the log records it: one `Consent to application` and
/// one role assignment per application permission, all by `by`.
pub(crate) fn record_consent(
    shared: &Shared,
    app: &App,
    roles: &[String],
    by: Option<&str>,
    at: i64,
    visible_at: Option<i64>,
) {
    let by = by.unwrap_or(ADMIN_UPN);
    let as_granter = |mut event: AuditEvent| {
        event.initiated_by = by.to_owned();
        event.initiator_id = user_id(by);
        event.visible_at = visible_at;
        event
    };
    let mut directory = shared.lock();
    directory.record(as_granter(event_about(
        &app.tenant_id,
        "Consent to application",
        app,
        at,
    )));
    for role in roles {
        let mut grant = as_granter(event_about(&app.tenant_id, GRANT_ACTIVITY, app, at));
        grant.granted_role = Some(role.clone());
        directory.record(grant);
    }
}

pub(crate) const GRANT_ACTIVITY: &str = "Add app role assignment to service principal";

pub fn create_app(shared: &Shared, new: NewApp) -> Result<App, String> {
    let tenant_id = {
        let directory = shared.lock();
        directory
            .tenant(&new.tenant_id)
            .map(|t| t.id.clone())
            .ok_or_else(|| format!("unknown tenant {}", new.tenant_id))?
    };
    let certificates = new
        .certificates_pem
        .iter()
        .map(|pem| certificate(pem.as_bytes()))
        .collect::<Result<Vec<_>, _>>()?;
    let app = App {
        tenant_id: tenant_id.clone(),
        client_id: new
            .client_id
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
            .to_ascii_lowercase(),
        object_id: new
            .object_id
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
            .to_ascii_lowercase(),
        display_name: new.display_name.unwrap_or_else(|| "Simulated app".into()),
        created_at: new.created_at.unwrap_or_else(now),
        secrets: new.secrets,
        certificates,
        roles: new.roles.into_iter().collect(),
        ineffective: new.ineffective.into_iter().collect(),
        disabled: new.disabled,
        without_service_principal: false,
        fallback_public_client: false,
        requested: new.requested.into_iter().collect(),
        redirect_uris: new.redirect_uris,
        mailboxes: None,
    };
    let mut creation = event_about(&tenant_id, "Add application", &app, app.created_at);
    if let Some(upn) = &new.created_by {
        creation.initiator_id = user_id(upn);
        creation.initiated_by = upn.clone();
    }
    let visible_at = new.creation_visible_after_secs.map(|secs| now() + secs);
    creation.initiated_by_app = new.created_by_app.clone();
    creation.visible_at = visible_at;
    shared.lock().record(creation);
    if !app.roles.is_empty() {
        let granter = new.consented_by.as_deref().or(match new.created_by_app {
            Some(_) => None,
            None => new.created_by.as_deref(),
        });
        let roles: Vec<String> = app.roles.iter().cloned().collect();
        record_consent(shared, &app, &roles, granter, app.created_at, visible_at);
    }
    shared.lock().add_app(app.clone());
    Ok(app)
}

/// Replaces everything with the scenario.
pub fn load(shared: &Shared, scenario: Scenario) -> Result<(), String> {
    {
        let mut directory = shared.lock();
        *directory = Default::default();
        directory.tenants = scenario
            .tenants
            .into_iter()
            .map(|t| Tenant {
                id: t.id.to_ascii_lowercase(),
                ..t
            })
            .collect();
        directory.faults = scenario.faults;
        directory.audit_delay_secs = scenario.audit_delay_secs;
        directory.audit_page_size = scenario.audit_page_size;
    }
    for app in scenario.apps {
        create_app(shared, app)?;
    }
    Ok(())
}

async fn post_scenario(State(shared): State<Shared>, Json(scenario): Json<Scenario>) -> Response {
    match load(&shared, scenario) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => bad_request(message),
    }
}

async fn reset(State(shared): State<Shared>) -> Response {
    *shared.lock() = Default::default();
    StatusCode::NO_CONTENT.into_response()
}

async fn add_tenant(State(shared): State<Shared>, Json(tenant): Json<Tenant>) -> Response {
    let tenant = Tenant {
        id: tenant.id.to_ascii_lowercase(),
        ..tenant
    };
    shared.lock().tenants.push(tenant.clone());
    (StatusCode::CREATED, Json(tenant)).into_response()
}

async fn add_app(State(shared): State<Shared>, Json(new): Json<NewApp>) -> Response {
    match create_app(&shared, new) {
        Ok(app) => (StatusCode::CREATED, Json(json!({"client_id": app.client_id, "object_id": app.object_id, "created_at": app.created_at}))).into_response(),
        Err(message) => bad_request(message),
    }
}

#[derive(Deserialize)]
struct AppUpdate {
    disabled: Option<bool>,
    without_service_principal: Option<bool>,
    fallback_public_client: Option<bool>,
    created_at: Option<i64>,
    ineffective: Option<Vec<String>>,
    requested: Option<Vec<String>>,
    redirect_uris: Option<Vec<String>>,
    /// An application access policy limiting Mail.Send to these mailboxes
    /// (an empty list removes the policy).
    mailboxes: Option<Vec<String>>,
}

async fn update_app(
    State(shared): State<Shared>,
    Path(client_id): Path<String>,
    Json(update): Json<AppUpdate>,
) -> Response {
    let mut directory = shared.lock();
    let Some(app) = directory.app_mut(&client_id) else {
        return bad_request("unknown app");
    };
    if let Some(disabled) = update.disabled {
        app.disabled = disabled;
    }
    if let Some(without) = update.without_service_principal {
        app.without_service_principal = without;
    }
    if let Some(public) = update.fallback_public_client {
        app.fallback_public_client = public;
    }
    if let Some(created_at) = update.created_at {
        app.created_at = created_at;
    }
    if let Some(ineffective) = update.ineffective {
        app.ineffective = ineffective.into_iter().collect();
    }
    if let Some(requested) = update.requested {
        app.requested = requested.into_iter().collect();
    }
    if let Some(redirect_uris) = update.redirect_uris {
        app.redirect_uris = redirect_uris;
    }
    if let Some(mailboxes) = update.mailboxes {
        app.mailboxes = (!mailboxes.is_empty())
            .then(|| mailboxes.iter().map(|m| m.to_ascii_lowercase()).collect());
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct NewSecret {
    value: Option<String>,
    expires_at: Option<i64>,
}

async fn add_secret(
    State(shared): State<Shared>,
    Path(client_id): Path<String>,
    Json(new): Json<NewSecret>,
) -> Response {
    let secret = Secret {
        value: new
            .value
            .unwrap_or_else(|| format!("sim~{}", uuid::Uuid::new_v4().simple())),
        expires_at: new.expires_at.unwrap_or_else(|| now() + 180 * 86_400),
    };
    let mut directory = shared.lock();
    let Some(app) = directory.app_mut(&client_id) else {
        return bad_request("unknown app");
    };
    app.secrets.push(secret.clone());
    (
        StatusCode::CREATED,
        Json(json!({"value": secret.value, "expires_at": secret.expires_at})),
    )
        .into_response()
}

#[derive(Deserialize)]
struct NewCertificate {
    /// PEM text, or base64 DER.
    pem: Option<String>,
    der_base64: Option<String>,
}

async fn add_certificate(
    State(shared): State<Shared>,
    Path(client_id): Path<String>,
    Json(new): Json<NewCertificate>,
) -> Response {
    let bytes = match (new.pem, new.der_base64) {
        (Some(pem), _) => pem.into_bytes(),
        (None, Some(der)) => match STANDARD.decode(der.trim()) {
            Ok(bytes) => bytes,
            Err(_) => return bad_request("der_base64 is not base64"),
        },
        (None, None) => return bad_request("send pem or der_base64"),
    };
    let certificate = match certificate(&bytes) {
        Ok(certificate) => certificate,
        Err(message) => return bad_request(message),
    };
    let mut directory = shared.lock();
    let Some(app) = directory.app_mut(&client_id) else {
        return bad_request("unknown app");
    };
    let thumbprint = certificate.sha1.clone();
    app.certificates.push(certificate);
    (StatusCode::CREATED, Json(json!({"x5t": thumbprint}))).into_response()
}

#[derive(Deserialize)]
struct RoleChange {
    #[serde(default)]
    grant: Vec<String>,
    #[serde(default)]
    revoke: Vec<String>,
    /// Who grants (a user principal name); the default administrator when
    /// absent.
    #[serde(default)]
    by: Option<String>,
}

async fn change_roles(
    State(shared): State<Shared>,
    Path(client_id): Path<String>,
    Json(change): Json<RoleChange>,
) -> Response {
    let app = {
        let mut directory = shared.lock();
        let Some(app) = directory.app_mut(&client_id) else {
            return bad_request("unknown app");
        };
        for role in &change.grant {
            app.roles.insert(role.clone());
        }
        for role in &change.revoke {
            app.roles.remove(role);
        }
        app.clone()
    };
    if !change.grant.is_empty() {
        record_consent(
            &shared,
            &app,
            &change.grant,
            change.by.as_deref(),
            now(),
            None,
        );
    }
    (StatusCode::OK, Json(json!({"roles": app.roles}))).into_response()
}

async fn add_audit(State(shared): State<Shared>, Json(event): Json<AuditEvent>) -> Response {
    shared.lock().record(event);
    StatusCode::CREATED.into_response()
}

async fn reveal_audit(State(shared): State<Shared>) -> Response {
    shared.lock().reveal_audit();
    StatusCode::NO_CONTENT.into_response()
}

async fn add_fault(State(shared): State<Shared>, Json(fault): Json<Fault>) -> Response {
    shared.lock().faults.push(fault);
    StatusCode::CREATED.into_response()
}

async fn clear_faults(State(shared): State<Shared>) -> Response {
    shared.lock().faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

/// What apps sent through `sendMail`, oldest first.
async fn sent_mail(State(shared): State<Shared>) -> Response {
    Json(json!({"messages": shared.lock().sent_mail})).into_response()
}

async fn stats(State(shared): State<Shared>) -> Response {
    let directory = shared.lock();
    Json(json!({"token_requests": directory.token_requests, "graph_requests": directory.graph_requests})).into_response()
}
