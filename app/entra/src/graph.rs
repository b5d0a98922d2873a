//! The Graph reads Tenantry makes with an app-only token.

use crate::client::EntraClient;
use crate::error::ClientError;
use crate::token::AccessToken;
use domain::recovery::checklist::{AuditEntry, Initiator, CREATION_ACTIVITY, GRANT_ACTIVITY};
use domain::{Cloud, ObjectId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub display_name: String,
    pub verified_domains: Vec<String>,
}

pub async fn organization(
    client: &EntraClient,
    cloud: Cloud,
    token: &AccessToken,
) -> Result<Organization, ClientError> {
    let body = client.graph_get(cloud, token, "/v1.0/organization").await?;
    let org = body["value"]
        .get(0)
        .ok_or_else(|| ClientError::Unexpected("organization list was empty".into()))?;
    Ok(Organization {
        id: org["id"].as_str().unwrap_or_default().to_owned(),
        display_name: org["displayName"].as_str().unwrap_or_default().to_owned(),
        verified_domains: org["verifiedDomains"]
            .as_array()
            .map(|domains| {
                domains
                    .iter()
                    .filter_map(|d| d["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Reads one `directoryAudits` record; records without the fields recovery
/// relies on are skipped rather than guessed at.
fn parse_entry(value: &Value) -> Option<AuditEntry> {
    let at = time::OffsetDateTime::parse(
        value["activityDateTime"].as_str()?,
        &time::format_description::well_known::Rfc3339,
    )
    .ok()?
    .unix_timestamp();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let initiated_by = &value["initiatedBy"];
    let named = |v: &Value| !v.as_str().unwrap_or_default().trim().is_empty();
    let user = &initiated_by["user"];
    let initiated_by =
        if user.is_object() && named(&user["userPrincipalName"]) && named(&user["id"]) {
            Initiator::User {
                user_principal_name: text(&user["userPrincipalName"]),
                id: text(&user["id"]),
            }
        } else if initiated_by["app"].is_object() {
            let app = &initiated_by["app"];
            Initiator::App {
                display_name: text(&app["displayName"]),
                // Microsoft often leaves `appId` empty and names the service
                // principal instead.
                id: app["appId"]
                    .as_str()
                    .or(app["servicePrincipalId"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
            }
        } else {
            Initiator::Unknown
        };
    let activity = value["activityDisplayName"].as_str()?.to_owned();
    Some(AuditEntry {
        at,
        succeeded: value["result"].as_str() == Some("success"),
        target_ids: value["targetResources"]
            .as_array()
            .map(|targets| {
                targets
                    .iter()
                    .filter_map(|t| t["id"].as_str().map(str::to_ascii_lowercase))
                    .collect()
            })
            .unwrap_or_default(),
        // A creation names its app in the details, a grant in the
        // properties of its target (Microsoft Graph).
        app_id: if activity == GRANT_ACTIVITY {
            modified(value, "ServicePrincipal.AppId").map(|id| id.to_ascii_lowercase())
        } else {
            detail(value, "AppId")
        },
        granted_role: modified(value, "AppRole.Value"),
        granted_role_id: modified(value, "AppRole.Id").map(|id| id.to_ascii_lowercase()),
        initiated_by,
        activity,
    })
}

/// An `additionalDetails` value by key, lower-case.
fn detail(value: &Value, key: &str) -> Option<String> {
    value["additionalDetails"]
        .as_array()?
        .iter()
        .find(|d| d["key"].as_str() == Some(key))
        .and_then(|d| d["value"].as_str())
        .map(str::to_ascii_lowercase)
}

/// The new value of a target's modified property. Microsoft writes these
/// as JSON text (`"\"AuditLog.Read.All\""`), so the quotes come off.
fn modified(value: &Value, name: &str) -> Option<String> {
    value["targetResources"]
        .as_array()?
        .iter()
        .filter_map(|target| target["modifiedProperties"].as_array())
        .flatten()
        .find(|property| property["displayName"].as_str() == Some(name))
        .and_then(|property| property["newValue"].as_str())
        .map(|text| text.trim().trim_matches('"').to_owned())
        .filter(|text| !text.is_empty())
}

/// Pages through `directoryAudits` for one activity since `since` (Unix
/// seconds), following `@odata.nextLink` up to `max_pages`.
pub async fn directory_audits(
    client: &EntraClient,
    cloud: Cloud,
    token: &AccessToken,
    activity: &str,
    since: i64,
    max_pages: usize,
) -> Result<Vec<AuditEntry>, ClientError> {
    let filter = format!(
        "activityDisplayName eq '{}' and activityDateTime ge {}",
        quoted(activity),
        rfc3339(since)
    );
    audit_pages(client, cloud, token, &filter, max_pages).await
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

/// Every logged creation of the application object `object_id`, failed
/// ones included (the caller decides what counts).
pub async fn creations_of(
    client: &EntraClient,
    cloud: Cloud,
    token: &AccessToken,
    object_id: &ObjectId,
    max_pages: usize,
) -> Result<Vec<AuditEntry>, ClientError> {
    let filter = format!(
        "activityDisplayName eq '{}' and targetResources/any(t:t/id eq '{}')",
        quoted(CREATION_ACTIVITY),
        object_id.as_str()
    );
    audit_pages(client, cloud, token, &filter, max_pages).await
}

/// Every application permission the user `user_id` granted with admin
/// consent since `since` (Unix seconds). A grant names Microsoft Graph as
/// its target and the app only in its properties, so the filter is by the
/// person and the time, which keeps even a busy tenant's answer short; the
/// caller matches the app and the permission.
pub async fn grants_by(
    client: &EntraClient,
    cloud: Cloud,
    token: &AccessToken,
    user_id: &str,
    since: i64,
    max_pages: usize,
) -> Result<Vec<AuditEntry>, ClientError> {
    let filter = format!(
        "activityDisplayName eq '{}' and initiatedBy/user/id eq '{}' and activityDateTime ge {}",
        quoted(GRANT_ACTIVITY),
        quoted(user_id),
        rfc3339(since)
    );
    audit_pages(client, cloud, token, &filter, max_pages).await
}

async fn audit_pages(
    client: &EntraClient,
    cloud: Cloud,
    token: &AccessToken,
    filter: &str,
    max_pages: usize,
) -> Result<Vec<AuditEntry>, ClientError> {
    let mut next = format!(
        "/v1.0/auditLogs/directoryAudits?$top=100&$filter={}",
        encode(filter)
    );
    let mut entries = Vec::new();
    for _ in 0..max_pages {
        within_reports_limit(client, token)?;
        let page = client.graph_get(cloud, token, &next).await?;
        let values = page["value"]
            .as_array()
            .ok_or_else(|| ClientError::Unexpected("directoryAudits page without value".into()))?;
        entries.extend(values.iter().filter_map(parse_entry));
        match page["@odata.nextLink"].as_str() {
            Some(link) => next = link.to_owned(),
            None => break,
        }
    }
    Ok(entries)
}

/// OData doubles a quote inside a string literal.
fn quoted(value: &str) -> String {
    value.replace('\'', "''")
}

/// A read the reports service would refuse is not sent; the caller learns
/// how long to wait, as if Microsoft had answered 429 with `Retry-After`.
fn within_reports_limit(client: &EntraClient, token: &AccessToken) -> Result<(), ClientError> {
    let app = token.claims.app_id().unwrap_or_default();
    let tenant = token.claims.tid.as_deref().unwrap_or_default();
    client
        .reports()
        .take(app, tenant)
        .map_err(|wait| ClientError::Throttled {
            attempts: 0,
            retry_after: Some(wait.max(std::time::Duration::from_secs(1))),
        })
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether a harmless read that needs `permission` works: `Some(false)`
/// means Graph refused it, `None` that the permission has no probe.
pub async fn probe(
    client: &EntraClient,
    cloud: Cloud,
    token: &AccessToken,
    permission: &str,
) -> Result<Option<bool>, ClientError> {
    let Some(target) = domain::probe::for_permission(permission) else {
        return Ok(None);
    };
    if domain::probe::in_reports_service(target.path) {
        within_reports_limit(client, token)?;
    }
    match client.graph_get(cloud, token, target.path).await {
        Ok(_) => Ok(Some(true)),
        Err(ClientError::Forbidden) => Ok(Some(false)),
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn filters_are_percent_encoded() {
        assert_eq!(super::encode("a eq 'B c'"), "a%20eq%20%27B%20c%27");
    }
}
