//! The Microsoft Graph endpoints Tenantry reads, answering 401 without a
//! valid token and 403 `Authorization_RequestDenied` without the role.

use crate::faults::{self, Endpoint};
use crate::state::AuditEvent;
use crate::token::{verify_access_token, AccessClaims};
use crate::{now, Shared};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;

fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message, "innerError": {
        "request-id": uuid::Uuid::new_v4().to_string(),
        "client-request-id": uuid::Uuid::new_v4().to_string(),
    }}});
    (status, Json(body)).into_response()
}

fn denied() -> Response {
    graph_error(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

/// Authenticates the caller and applies faults; `Err` is the response to send.
async fn caller(shared: &Shared, headers: &HeaderMap) -> Result<AccessClaims, Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let claims = verify_access_token(shared, token);
    let (latency, fault) = {
        let mut directory = shared.lock();
        directory.graph_requests += 1;
        faults::take(
            &mut directory,
            Endpoint::Graph,
            claims.as_ref().map(|c| c.tid.as_str()),
            claims.as_ref().map(|c| c.appid.as_str()),
        )
    };
    faults::delay(latency).await;
    if let Some(kind) = fault {
        if let Some(response) = faults::respond(kind).await {
            return Err(response);
        }
    }
    claims.ok_or_else(|| {
        graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token validation failure.",
        )
    })
}

/// Whether the caller's app may use a read allowed by any of `allowed_by`.
fn permitted(shared: &Shared, claims: &AccessClaims, allowed_by: &[&str]) -> bool {
    let directory = shared.lock();
    let ineffective = directory
        .app(&claims.appid)
        .map(|a| a.ineffective.clone())
        .unwrap_or_default();
    claims
        .roles
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|role| {
            allowed_by
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(role))
                && !ineffective.contains(role)
        })
}

pub async fn organization(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let claims = match caller(&shared, &headers).await {
        Ok(claims) => claims,
        Err(response) => return response,
    };
    if !permitted(
        &shared,
        &claims,
        crate::microsoft::permissions_for_read("/v1.0/organization").unwrap_or_default(),
    ) {
        return denied();
    }
    let directory = shared.lock();
    let Some(tenant) = directory.tenant(&claims.tid) else {
        return graph_error(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            "Tenant not found.",
        );
    };
    let domains: Vec<Value> = tenant
        .domains
        .iter()
        .enumerate()
        .map(|(i, name)| json!({"name": name, "isDefault": i == 0, "isInitial": name.ends_with(".onmicrosoft.com"), "type": "Managed", "capabilities": "Email"}))
        .collect();
    Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#organization",
        "value": [{"id": tenant.id, "displayName": tenant.display_name, "verifiedDomains": domains, "tenantType": "AAD"}],
    }))
    .into_response()
}

fn rfc3339(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn parse_time(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Who made a change: a user, or an application (Microsoft fills one and
/// leaves the other null; for apps `appId` is often null too).
fn initiated_by(event: &AuditEvent) -> Value {
    match &event.initiated_by_app {
        Some(name) => json!({
            "user": null,
            "app": {"appId": null, "displayName": name, "servicePrincipalId": event.initiator_id, "servicePrincipalName": null},
        }),
        None => json!({
            "user": {"id": event.initiator_id, "displayName": null, "userPrincipalName": event.initiated_by, "ipAddress": "203.0.113.7"},
            "app": null,
        }),
    }
}

/// Microsoft Graph's service principal in every simulated tenant: what a
/// role assignment names as its target.
const GRAPH_SERVICE_PRINCIPAL: &str = "9a000000-0000-4000-8000-00000000a9a9";

/// A role assignment targets the resource (Microsoft Graph) and names the
/// app and the permission only in its modified properties, whose values
/// Microsoft writes as JSON strings.
fn target_resources(event: &AuditEvent) -> Value {
    let quoted = |value: &str| Value::String(format!("\"{value}\""));
    match &event.granted_role {
        Some(role) => json!([{
            "id": GRAPH_SERVICE_PRINCIPAL,
            "displayName": "Microsoft Graph",
            "type": "ServicePrincipal",
            "modifiedProperties": [
                {"displayName": "AppRole.Id", "oldValue": null, "newValue": quoted(&event.granted_role_id.clone().unwrap_or_else(|| graph_role_id(role)))},
                {"displayName": "AppRole.Value", "oldValue": null, "newValue": quoted(role)},
                {"displayName": "ServicePrincipal.DisplayName", "oldValue": null, "newValue": quoted(&event.target_name)},
                {"displayName": "ServicePrincipal.AppId", "oldValue": null, "newValue": quoted(&event.target_app_id)},
            ],
        }]),
        None => json!([{
            "id": event.target_object_id,
            "displayName": event.target_name,
            "type": "Application",
            "modifiedProperties": [],
        }]),
    }
}

/// Microsoft Graph's app-role GUID for a permission name (a made-up name
/// gets a GUID nobody else has).
fn graph_role_id(role: &str) -> String {
    crate::microsoft::graph_app_role_id(role).unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

fn additional_details(event: &AuditEvent) -> Value {
    match &event.granted_role {
        Some(_) => json!([{"key": "User-Agent", "value": "Simulated admin center"}]),
        None => json!([{"key": "AppId", "value": event.target_app_id}]),
    }
}

/// `targetResources/any(t:t/id eq '…')`, with any lambda variable name.
fn target_id_clause(clause: &str) -> Option<String> {
    let inner = clause
        .strip_prefix("targetResources/any(")?
        .strip_suffix(')')?;
    let (variable, test) = inner.split_once(':')?;
    let value = test
        .trim()
        .strip_prefix(&format!("{}/id eq ", variable.trim()))?;
    Some(value.trim().trim_matches('\'').to_owned())
}

/// The subset of OData `$filter` Tenantry uses: clauses joined by `and`,
/// each `activityDisplayName eq '…'`, `activityDateTime ge|le <time>`,
/// `initiatedBy/user/id eq '…'` or `targetResources/any(t:t/id eq '…')`.
fn matches_filter(filter: &str, event: &AuditEvent) -> Result<bool, String> {
    let (activity, at) = (event.activity.as_str(), event.at);
    for clause in filter.split(" and ") {
        let clause = clause.trim();
        if let Some(id) = target_id_clause(clause) {
            let target = match event.granted_role {
                Some(_) => GRAPH_SERVICE_PRINCIPAL,
                None => event.target_object_id.as_str(),
            };
            if !id.eq_ignore_ascii_case(target) {
                return Ok(false);
            }
        } else if let Some(value) = clause.strip_prefix("initiatedBy/user/id eq ") {
            let user = value.trim().trim_matches('\'');
            if event.initiated_by_app.is_some() || !user.eq_ignore_ascii_case(&event.initiator_id) {
                return Ok(false);
            }
        } else if let Some(value) = clause.strip_prefix("activityDisplayName eq ") {
            if value.trim().trim_matches('\'').replace("''", "'") != activity {
                return Ok(false);
            }
        } else if let Some(value) = clause.strip_prefix("activityDateTime ge ") {
            if at < parse_time(value).ok_or_else(|| format!("bad time in '{clause}'"))? {
                return Ok(false);
            }
        } else if let Some(value) = clause.strip_prefix("activityDateTime le ") {
            if at > parse_time(value).ok_or_else(|| format!("bad time in '{clause}'"))? {
                return Ok(false);
            }
        } else {
            return Err(format!("Invalid filter clause: {clause}"));
        }
    }
    Ok(true)
}

pub async fn directory_audits(
    State(shared): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let claims = match caller(&shared, &headers).await {
        Ok(claims) => claims,
        Err(response) => return response,
    };
    if !permitted(&shared, &claims, &["AuditLog.Read.All"]) {
        return denied();
    }
    let asked: usize = query
        .get("$top")
        .and_then(|t| t.parse().ok())
        .unwrap_or(50)
        .clamp(1, 1000);
    let offset: usize = query
        .get("$skiptoken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let filter = query.get("$filter").cloned().unwrap_or_default();
    let directory = shared.lock();
    let page_size = directory
        .audit_page_size
        .map_or(asked, |most| asked.min(most.max(1)));
    let now = now();
    let visible_before = now - directory.audit_delay_secs;
    // Newest first, and only as many as the page needs (one more tells
    // whether there is a next page).
    let wanted = offset + page_size + 1;
    let mut events = Vec::new();
    for event in directory
        .audit_of(&claims.tid)
        .filter(|e| e.at <= visible_before && e.visible_at.is_none_or(|at| at <= now))
    {
        if events.len() == wanted {
            break;
        }
        if filter.is_empty() {
            events.push(event);
            continue;
        }
        match matches_filter(&filter, event) {
            Ok(true) => events.push(event),
            Ok(false) => {}
            Err(message) => return graph_error(StatusCode::BAD_REQUEST, "BadRequest", &message),
        }
    }
    let page: Vec<Value> = events
        .iter()
        .skip(offset)
        .take(page_size)
        .map(|event| {
            json!({
                "id": format!("Directory_{}", event.id),
                "category": "ApplicationManagement",
                "correlationId": event.id,
                "result": event.result,
                "resultReason": "",
                "activityDisplayName": event.activity,
                "activityDateTime": rfc3339(event.at),
                "loggedByService": "Core Directory",
                "operationType": "Add",
                "initiatedBy": initiated_by(event),
                "targetResources": target_resources(event),
                "additionalDetails": additional_details(event),
            })
        })
        .collect();
    let mut body = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
        "value": page,
    });
    if offset + page_size < events.len() {
        let mut next = format!(
            "{}?$skiptoken={}&$top={page_size}",
            uri.path(),
            offset + page_size
        );
        if !filter.is_empty() {
            next.push_str("&$filter=");
            next.push_str(
                &filter
                    .replace('%', "%25")
                    .replace(' ', "%20")
                    .replace('\'', "%27")
                    .replace('(', "%28")
                    .replace(')', "%29")
                    .replace('/', "%2F")
                    .replace(':', "%3A"),
            );
        }
        let host = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        body["@odata.nextLink"] = json!(format!("http://{host}{next}"));
    }
    Json(body).into_response()
}

pub async fn probe(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(path): Path<String>,
) -> Response {
    let claims = match caller(&shared, &headers).await {
        Ok(claims) => claims,
        Err(response) => return response,
    };
    let Some(allowed_by) = crate::microsoft::permissions_for_read(&format!("/v1.0/{path}")) else {
        return graph_error(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            "Resource not found for the segment.",
        );
    };
    if permitted(&shared, &claims, allowed_by) {
        Json(json!({"value": []})).into_response()
    } else {
        denied()
    }
}

/// `POST /v1.0/users/{mailbox}/sendMail`: an app with Mail.Send sends as a
/// mailbox of its own tenant, unless an application access policy leaves
/// that mailbox out. Accepted messages are kept for `/_admin/mail`.
pub async fn send_mail(
    State(shared): State<Shared>,
    Path(mailbox): Path<String>,
    headers: HeaderMap,
    Json(request): Json<Value>,
) -> Response {
    let claims = match caller(&shared, &headers).await {
        Ok(claims) => claims,
        Err(response) => return response,
    };
    if !permitted(&shared, &claims, &["Mail.Send"]) {
        return graph_error(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        );
    }
    let mailbox = mailbox.to_ascii_lowercase();
    let mut directory = shared.lock();
    let in_tenant = directory.tenant(&claims.tid).is_some_and(|tenant| {
        mailbox.rsplit_once('@').is_some_and(|(_, domain)| {
            tenant
                .domains
                .iter()
                .any(|d| d.eq_ignore_ascii_case(domain))
        })
    });
    if !in_tenant {
        return graph_error(
            StatusCode::NOT_FOUND,
            "ErrorInvalidUser",
            &format!("The requested user '{mailbox}' is invalid."),
        );
    }
    let policy = directory
        .app(&claims.appid)
        .and_then(|app| app.mailboxes.clone());
    if policy.is_some_and(|allowed| !allowed.contains(&mailbox)) {
        return graph_error(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
        );
    }
    let message = &request["message"];
    let to: Vec<String> = message["toRecipients"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|r| r["emailAddress"]["address"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let subject = message["subject"].as_str().unwrap_or_default().to_owned();
    if to.is_empty() || subject.is_empty() {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            "At least one recipient and a subject are required.",
        );
    }
    let sent = crate::state::SentMail {
        tenant_id: claims.tid.clone(),
        client_id: claims.appid.clone(),
        mailbox,
        to,
        subject,
        content_type: message["body"]["contentType"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        body: message["body"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    };
    directory.sent_mail.push(sent);
    StatusCode::ACCEPTED.into_response()
}
