//! One recovery verification: sign the recovery app in with its secret,
//! read the directory audit log for its creation, and let the domain's
//! checklist judge. The token is asked for fresh and kept nowhere, not
//! even in the token cache: its roles must be today's.

use crate::client::{Credential, EntraClient};
use crate::error::ClientError;
use crate::graph;
use crate::token::AccessToken;
use crate::verify::outcome_of;
use domain::evaluation::AttemptOutcome;
use domain::recovery::checklist::{
    creation_of, judge, may_read_audit, tenant_matches, AuditEntry, AuditRead, Evidence, Initiator,
    Report,
};
use domain::{ClientId, Cloud, ObjectId, TenantId};

/// Enough pages for a very busy tenant: the filter already narrows the log
/// to the creation of one object.
const MAX_AUDIT_PAGES: usize = 20;

pub struct RecoveryRequest<'a> {
    pub cloud: Cloud,
    pub tenant_id: &'a TenantId,
    /// The company's tenant on file, when there is one to compare with.
    pub expected_tenant_id: Option<&'a TenantId>,
    pub client_id: &'a ClientId,
    pub object_id: &'a ObjectId,
    /// The recovery app's client secret (a certificate works as well).
    pub credential: &'a Credential,
    pub window_secs: i64,
    pub now: i64,
}

pub async fn check_recovery(client: &EntraClient, request: &RecoveryRequest<'_>) -> Report {
    let expected = request.expected_tenant_id.map(TenantId::as_str);
    let tenant_id = request.tenant_id.as_str();
    let token = if tenant_matches(expected, tenant_id) {
        Some(
            client
                .fresh_token(
                    request.cloud,
                    &request.tenant_id.to_ref(),
                    request.client_id,
                    request.credential,
                )
                .await,
        )
    } else {
        None
    };
    let (attempt, audit) = match token {
        None => (None, AuditRead::NotRead),
        Some(Err(error)) => (Some(outcome_of(error)), AuditRead::NotRead),
        Some(Ok(token)) => {
            let attempt = AttemptOutcome::Token {
                tenant_id: token.claims.tid.clone(),
                roles: token.claims.roles.clone(),
                probes: Vec::new(),
            };
            let audit = if may_read_audit(&attempt, tenant_id) {
                match read_audit(client, request, &token).await {
                    Ok(entries) => AuditRead::Entries(entries),
                    Err(ClientError::Forbidden) => AuditRead::Forbidden,
                    Err(error) => AuditRead::CouldNotRead(outcome_of(error)),
                }
            } else {
                AuditRead::NotRead
            };
            (Some(attempt), audit)
        }
    };
    judge(&Evidence {
        expected_tenant_id: expected,
        tenant_id,
        client_id: request.client_id.as_str(),
        object_id: request.object_id.as_str(),
        token: attempt.as_ref(),
        audit: &audit,
        window_secs: request.window_secs,
        now: request.now,
    })
}

/// The app's creation and, once a person's creation is found, the
/// permission grants made since: the checklist needs to see who granted
/// the consent.
async fn read_audit(
    client: &EntraClient,
    request: &RecoveryRequest<'_>,
    token: &AccessToken,
) -> Result<Vec<AuditEntry>, ClientError> {
    let mut entries = graph::creations_of(
        client,
        request.cloud,
        token,
        request.object_id,
        MAX_AUDIT_PAGES,
    )
    .await?;
    let by_a_person = creation_of(&entries, request.object_id.as_str())
        .filter(|creation| matches!(creation.initiated_by, Initiator::User { .. }))
        .map(|creation| creation.at);
    if let Some(created_at) = by_a_person {
        // Clocks of Microsoft's services differ by moments; a grant logged
        // a little before the creation it follows must still be seen.
        let since = created_at - GRANT_CLOCK_SLACK_SECS;
        entries.extend(
            graph::grants_since(client, request.cloud, token, since, MAX_AUDIT_PAGES).await?,
        );
    }
    Ok(entries)
}

const GRANT_CLOCK_SLACK_SECS: i64 = 60;
