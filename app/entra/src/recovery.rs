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
    grants_to_look_for, judge, may_read_audit, tenant_matches, AuditEntry, AuditRead, Evidence,
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

/// One whole verification, for the command line.
pub async fn check_recovery(client: &EntraClient, request: &RecoveryRequest<'_>) -> Report {
    let signed_in = sign_in(client, request).await;
    finish(client, request, signed_in).await
}

/// The first half of a verification: the tenant compared and the app
/// signed in. Callers that limit attempts decide between the halves: only
/// an app that may read the audit log can be refused in a way that counts.
pub struct SignedIn {
    attempt: Option<AttemptOutcome>,
    token: Option<AccessToken>,
    /// Microsoft signed the app in to the tenant entered with
    /// AuditLog.Read.All granted, so the second half reads the audit log.
    reads_audit: bool,
}

pub async fn sign_in(client: &EntraClient, request: &RecoveryRequest<'_>) -> SignedIn {
    let expected = request.expected_tenant_id.map(TenantId::as_str);
    let tenant_id = request.tenant_id.as_str();
    if !tenant_matches(expected, tenant_id) {
        return SignedIn {
            attempt: None,
            token: None,
            reads_audit: false,
        };
    }
    match client
        .fresh_token(
            request.cloud,
            &request.tenant_id.to_ref(),
            request.client_id,
            request.credential,
        )
        .await
    {
        Err(error) => SignedIn {
            attempt: Some(outcome_of(error)),
            token: None,
            reads_audit: false,
        },
        Ok(token) => {
            let attempt = AttemptOutcome::Token {
                tenant_id: token.claims.tid.clone(),
                roles: token.claims.roles.clone(),
                probes: Vec::new(),
            };
            SignedIn {
                reads_audit: may_read_audit(&attempt, tenant_id),
                attempt: Some(attempt),
                token: Some(token),
            }
        }
    }
}

/// The second half: the audit log read (when the app may) and the
/// checklist judged.
pub async fn finish(
    client: &EntraClient,
    request: &RecoveryRequest<'_>,
    signed_in: SignedIn,
) -> Report {
    let audit = match (&signed_in.token, signed_in.reads_audit) {
        (Some(token), true) => match read_audit(client, request, token).await {
            Ok(entries) => AuditRead::Entries(entries),
            Err(ClientError::Forbidden) => AuditRead::Forbidden,
            Err(error) => AuditRead::CouldNotRead(outcome_of(error)),
        },
        _ => AuditRead::NotRead,
    };
    judge(&Evidence {
        expected_tenant_id: request.expected_tenant_id.map(TenantId::as_str),
        tenant_id: request.tenant_id.as_str(),
        client_id: request.client_id.as_str(),
        object_id: request.object_id.as_str(),
        token: signed_in.attempt.as_ref(),
        audit: &audit,
        window_secs: request.window_secs,
        now: request.now,
    })
}

/// The app's creation and, once a person's creation is found, the
/// permissions that person granted since: the checklist needs to see that
/// the creator granted the consent.
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
    let looking_for = grants_to_look_for(
        &entries,
        request.object_id.as_str(),
        request.client_id.as_str(),
        request.window_secs,
        request.now,
    )
    .map(|(creator, created_at)| (creator.to_owned(), created_at));
    if let Some((creator, created_at)) = looking_for {
        // Clocks of Microsoft's services differ by moments; a grant logged
        // a little before the creation it follows must still be seen.
        let since = created_at - GRANT_CLOCK_SLACK_SECS;
        entries.extend(
            graph::grants_by(
                client,
                request.cloud,
                token,
                &creator,
                since,
                MAX_AUDIT_PAGES,
            )
            .await?,
        );
    }
    Ok(entries)
}

const GRANT_CLOCK_SLACK_SECS: i64 = 60;
