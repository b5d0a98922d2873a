//! One verification of one registration: get a token, read what it grants,
//! probe the granted permissions, and let the domain judge.

use crate::client::{Credential, EntraClient};
use crate::error::ClientError;
use crate::graph;
use domain::evaluation::{
    evaluate, AttemptOutcome, CredentialKind, CredentialMeta, EvaluationInput, Probe, Verdict,
};
use domain::ids::{ClientId, TenantRef};
use domain::profile::{combined_requirements, Profile};
use domain::Cloud;
use serde::Serialize;

pub struct VerifyRequest<'a> {
    pub cloud: Cloud,
    pub tenant: &'a TenantRef,
    /// The Directory (tenant) ID on file; the token must come from it.
    pub expected_tenant_id: Option<&'a str>,
    pub client_id: &'a ClientId,
    pub credential: &'a Credential,
    pub profiles: &'a [Profile],
    /// Known expiry of a client secret (certificates carry their own).
    pub secret_expires_at: Option<i64>,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenSummary {
    pub tid: Option<String>,
    pub appid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub verdict: Verdict,
    pub token: Option<TokenSummary>,
    /// For support: the identity platform's ids of a refused request.
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
    /// Microsoft asked us to wait this long before asking again.
    pub retry_after: Option<std::time::Duration>,
}

pub async fn verify(client: &EntraClient, request: &VerifyRequest<'_>) -> VerifyReport {
    let requirements = combined_requirements(request.profiles);
    let credential = match request.credential {
        Credential::Certificate(key) => Some(CredentialMeta {
            kind: CredentialKind::Certificate,
            expires_at: key.facts.not_after,
        }),
        Credential::Secret(_) => request.secret_expires_at.map(|expires_at| CredentialMeta {
            kind: CredentialKind::Secret,
            expires_at,
        }),
    };
    let mut token_summary = None;
    let (mut trace_id, mut correlation_id) = (None, None);
    let mut retry_after = None;
    let attempt = match client
        .token(
            request.cloud,
            request.tenant,
            request.client_id,
            request.credential,
        )
        .await
    {
        Ok(token) => {
            token_summary = Some(TokenSummary {
                tid: token.claims.tid.clone(),
                appid: token.claims.app_id().map(str::to_owned),
            });
            let mut probes = Vec::new();
            let mut failure = None;
            for role in token.claims.roles.iter().flatten() {
                let needed = requirements
                    .iter()
                    .any(|r| r.permission.eq_ignore_ascii_case(role));
                if !needed {
                    continue;
                }
                match graph::probe(client, request.cloud, &token, role).await {
                    Ok(Some(allowed)) => probes.push(Probe {
                        permission: role.clone(),
                        allowed,
                    }),
                    Ok(None) => {}
                    Err(error) => {
                        failure = Some(error);
                        break;
                    }
                }
            }
            match failure {
                Some(error) => {
                    retry_after = asked_to_wait(&error);
                    outcome_of(error)
                }
                None => AttemptOutcome::Token {
                    tenant_id: token.claims.tid.clone(),
                    roles: token.claims.roles.clone(),
                    probes,
                },
            }
        }
        Err(ClientError::Refused {
            error,
            trace_id: trace,
            correlation_id: correlation,
        }) => {
            trace_id = Some(trace);
            correlation_id = Some(correlation);
            AttemptOutcome::Refused(error)
        }
        Err(error) => {
            retry_after = asked_to_wait(&error);
            outcome_of(error)
        }
    };
    let verdict = evaluate(&EvaluationInput {
        requirements: &requirements,
        expected_tenant_id: request.expected_tenant_id.or(request.tenant.id()),
        credential,
        attempt: Some(&attempt),
        previous: None,
        now: request.now,
    });
    VerifyReport {
        verdict,
        token: token_summary,
        trace_id,
        correlation_id,
        retry_after,
    }
}

fn asked_to_wait(error: &ClientError) -> Option<std::time::Duration> {
    match error {
        ClientError::Throttled { retry_after, .. } => *retry_after,
        _ => None,
    }
}

pub(crate) fn outcome_of(error: ClientError) -> AttemptOutcome {
    match error {
        ClientError::Refused { error, .. } => AttemptOutcome::Refused(error),
        ClientError::Throttled { .. } => AttemptOutcome::Throttled,
        ClientError::Unavailable { status, .. } => AttemptOutcome::Unavailable { status },
        ClientError::Unreachable(detail) => AttemptOutcome::Unreachable { detail },
        ClientError::Unexpected(detail) => AttemptOutcome::Unexpected { detail },
        ClientError::Forbidden => AttemptOutcome::Unexpected {
            detail: "Graph refused a read that needs no permission".into(),
        },
    }
}
