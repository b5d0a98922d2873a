//! `POST /{tenant}/oauth2/v2.0/token`: client credentials with a client
//! secret or a certificate-signed assertion, answered like Entra ID would,
//! including its error bodies and AADSTS codes.

use crate::faults::{self, Endpoint};
use crate::state::{App, FaultKind, Tenant};
use crate::{now, Shared};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Claims of the access tokens the simulator issues; Graph endpoints read them back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub tid: String,
    pub appid: String,
    pub azp: String,
    pub oid: String,
    pub idtyp: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub roles: Option<Vec<String>>,
}

pub fn aadsts(status: StatusCode, error: &str, code: u32, message: &str) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let timestamp = time::OffsetDateTime::now_utc()
        .format(&time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {message}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, Json(body)).into_response()
}

fn looks_like_tenant(reference: &str) -> bool {
    !reference.is_empty()
        && reference.len() <= 253
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && (reference.contains('.') || reference.len() == 36)
}

/// A tenant's OpenID discovery document, found by its Directory ID or one
/// of its domains; its issuer carries the Directory ID, as Microsoft's does.
pub async fn openid_configuration(
    State(shared): State<Shared>,
    Path(tenant_ref): Path<String>,
) -> Response {
    let tenant = shared.lock().tenant(&tenant_ref).cloned();
    let Some(tenant) = tenant else {
        return aadsts(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!("Tenant '{tenant_ref}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        );
    };
    let base = format!("https://login.microsoftonline.com/{}", tenant.id);
    Json(json!({
        "issuer": format!("{base}/v2.0"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "jwks_uri": format!("https://login.microsoftonline.com/{}/discovery/v2.0/keys", tenant.id),
        "tenant_region_scope": "EU",
    }))
    .into_response()
}

pub async fn issue(
    State(shared): State<Shared>,
    Path(tenant_ref): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let (latency, fault, tenant, app) = {
        let mut directory = shared.lock();
        directory.token_requests += 1;
        let tenant = directory.tenant(&tenant_ref).cloned();
        let tenant_id = tenant.as_ref().map(|t| t.id.clone());
        let (latency, fault) = faults::take(
            &mut directory,
            Endpoint::Token,
            tenant_id.as_deref(),
            Some(&client_id),
        );
        let app = tenant
            .as_ref()
            .and_then(|t| directory.app_in(&t.id, &client_id).cloned());
        (latency, fault, tenant, app)
    };
    faults::delay(latency).await;
    if let Some(kind) = fault {
        if let Some(response) = faults::respond(kind).await {
            return response;
        }
    }
    let garble = fault == Some(FaultKind::GarbledToken);
    match authenticate(&tenant_ref, tenant.as_ref(), app.as_ref(), &form) {
        Ok((tenant, app)) => grant(&shared, tenant, app, garble),
        Err(response) => response,
    }
}

fn authenticate<'a>(
    tenant_ref: &str,
    tenant: Option<&'a Tenant>,
    app: Option<&'a App>,
    form: &HashMap<String, String>,
) -> Result<(&'a Tenant, &'a App), Response> {
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return Err(aadsts(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        ));
    }
    if !looks_like_tenant(tenant_ref) {
        return Err(aadsts(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900023,
            &format!("Specified tenant identifier '{tenant_ref}' is neither a valid DNS name, nor a valid external domain."),
        ));
    }
    let tenant = tenant.ok_or_else(|| {
        aadsts(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant_ref}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
        )
    })?;
    let scope = form.get("scope").cloned().unwrap_or_default();
    if !scope.ends_with("/.default") {
        return Err(aadsts(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        ));
    }
    if scope != tenant.cloud.graph_default_scope() {
        let global = crate::microsoft::Cloud::Global.graph_default_scope();
        return Err(if !tenant.cloud.uses_worldwide_login() && scope == global {
            aadsts(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                900382,
                "Confidential Client is not supported in Cross Cloud request.",
            )
        } else {
            aadsts(
                StatusCode::BAD_REQUEST,
                "invalid_resource",
                500011,
                &format!(
                    "The resource principal named {scope} was not found in the tenant named {}.",
                    tenant.display_name
                ),
            )
        });
    }
    let client_id = form.get("client_id").cloned().unwrap_or_default();
    let app = app.ok_or_else(|| {
        aadsts(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", tenant.display_name),
        )
    })?;
    if app.disabled {
        return Err(aadsts(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            7000112,
            &format!(
                "Application '{}'({}) is disabled.",
                app.client_id, app.display_name
            ),
        ));
    }
    if app.without_service_principal {
        return Err(aadsts(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000229,
            &format!(
                "The client application {} is missing service principal in the tenant {}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119",
                app.client_id, tenant.id
            ),
        ));
    }
    let presents_credential =
        form.contains_key("client_secret") || form.contains_key("client_assertion");
    if app.fallback_public_client && presents_credential {
        return Err(aadsts(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        ));
    }
    if let Some(secret) = form.get("client_secret") {
        return check_secret(app, secret).map(|_| (tenant, app));
    }
    if form.get("client_assertion_type").map(String::as_str) == Some(ASSERTION_TYPE) {
        let assertion = form.get("client_assertion").cloned().unwrap_or_default();
        return check_assertion(tenant_ref, app, &assertion).map(|_| (tenant, app));
    }
    Err(aadsts(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ))
}

fn check_secret(app: &App, secret: &str) -> Result<(), Response> {
    match app.secrets.iter().find(|s| s.value == secret) {
        Some(found) if found.expires_at <= now() => Err(aadsts(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000222,
            &format!("The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app.", app.client_id),
        )),
        Some(_) => Ok(()),
        None => Err(aadsts(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
        )),
    }
}

fn check_assertion(tenant_ref: &str, app: &App, assertion: &str) -> Result<(), Response> {
    let rejected = |reason: &str| {
        aadsts(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700027,
            &format!("The certificate with identifier used to sign the client assertion is not registered on application. [Reason - {reason}]"),
        )
    };
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| rejected("The assertion is not a JWT."))?;
    let certificate = app
        .certificates
        .iter()
        .find(|c| {
            header.x5t_s256.as_deref() == Some(c.sha256.as_str())
                || header.x5t.as_deref() == Some(c.sha1.as_str())
        })
        .ok_or_else(|| rejected("The key was not found."))?;
    if certificate.not_after <= now() {
        return Err(rejected("The key used is expired."));
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.algorithms = vec![Algorithm::RS256, Algorithm::PS256];
    validation.leeway = 60;
    validation.validate_nbf = true;
    validation.set_issuer(&[app.client_id.as_str()]);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    let key = DecodingKey::from_rsa_der(&certificate.public_key_der);
    let data = jsonwebtoken::decode::<serde_json::Value>(assertion, &key, &validation).map_err(
        |error| match error.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature
            | jsonwebtoken::errors::ErrorKind::ImmatureSignature => aadsts(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700024,
                "Client assertion is not within its valid time range.",
            ),
            _ => aadsts(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700027,
                "Client assertion failed signature validation.",
            ),
        },
    )?;
    let claims = data.claims;
    let audience_ok = claims["aud"]
        .as_str()
        .is_some_and(|aud| aud.ends_with(&format!("/{tenant_ref}/oauth2/v2.0/token")));
    let subject_ok = claims["sub"].as_str() == Some(app.client_id.as_str());
    if !audience_ok || !subject_ok {
        return Err(aadsts(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700027,
            "Client assertion contains an invalid audience or subject.",
        ));
    }
    Ok(())
}

fn grant(shared: &Shared, tenant: &Tenant, app: &App, garble: bool) -> Response {
    let issued = now();
    let roles: Vec<String> = app.roles.iter().cloned().collect();
    let claims = AccessClaims {
        aud: tenant.cloud.graph_host().to_owned(),
        iss: format!("https://sts.windows.net/{}/", tenant.id),
        iat: issued,
        nbf: issued,
        exp: issued + 3599,
        tid: tenant.id.clone(),
        appid: app.client_id.clone(),
        azp: app.client_id.clone(),
        oid: app.object_id.clone(),
        idtyp: "app".into(),
        // Entra leaves the claim out entirely when nothing is consented.
        roles: (!roles.is_empty()).then_some(roles),
    };
    let token = if garble {
        "not-a-jwt".to_owned()
    } else {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("simulator".into());
        match jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_secret(shared.signing_key.as_ref()),
        ) {
            Ok(token) => token,
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    };
    Json(json!({
        "token_type": "Bearer",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": token,
    }))
    .into_response()
}

/// Reads back a token this simulator issued; `None` if it did not.
pub fn verify_access_token(shared: &Shared, token: &str) -> Option<AccessClaims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_aud = false;
    jsonwebtoken::decode::<AccessClaims>(
        token,
        &DecodingKey::from_secret(shared.signing_key.as_ref()),
        &validation,
    )
    .ok()
    .map(|data| data.claims)
}
