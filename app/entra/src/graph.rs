//! The Graph reads Tenantry makes with an app-only token.

use crate::client::EntraClient;
use crate::error::ClientError;
use crate::token::AccessToken;
use domain::Cloud;
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: String,
    pub activity: String,
    pub at: i64,
    pub target_ids: Vec<String>,
    pub initiated_by: Option<String>,
}

fn parse_record(value: &Value) -> Option<AuditRecord> {
    let at = time::OffsetDateTime::parse(
        value["activityDateTime"].as_str()?,
        &time::format_description::well_known::Rfc3339,
    )
    .ok()?
    .unix_timestamp();
    Some(AuditRecord {
        id: value["id"].as_str()?.to_owned(),
        activity: value["activityDisplayName"].as_str()?.to_owned(),
        at,
        target_ids: value["targetResources"]
            .as_array()
            .map(|targets| {
                targets
                    .iter()
                    .filter_map(|t| t["id"].as_str().map(str::to_ascii_lowercase))
                    .collect()
            })
            .unwrap_or_default(),
        initiated_by: value["initiatedBy"]["user"]["userPrincipalName"]
            .as_str()
            .map(str::to_owned),
    })
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
) -> Result<Vec<AuditRecord>, ClientError> {
    let since = time::OffsetDateTime::from_unix_timestamp(since)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let filter = format!(
        "activityDisplayName eq '{}' and activityDateTime ge {since}",
        activity.replace('\'', "''")
    );
    let mut next = format!(
        "/v1.0/auditLogs/directoryAudits?$top=100&$filter={}",
        encode(&filter)
    );
    let mut records = Vec::new();
    for _ in 0..max_pages {
        let page = client.graph_get(cloud, token, &next).await?;
        let values = page["value"]
            .as_array()
            .ok_or_else(|| ClientError::Unexpected("directoryAudits page without value".into()))?;
        records.extend(values.iter().filter_map(parse_record));
        match page["@odata.nextLink"].as_str() {
            Some(link) => next = link.to_owned(),
            None => break,
        }
    }
    Ok(records)
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
        let app = token.claims.app_id().unwrap_or_default();
        let tenant = token.claims.tid.as_deref().unwrap_or_default();
        if let Err(wait) = client.reports().take(app, tenant) {
            return Err(ClientError::Throttled {
                attempts: 0,
                retry_after: Some(wait.max(std::time::Duration::from_secs(1))),
            });
        }
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
