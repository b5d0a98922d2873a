//! The verdict on one registration: from what its profiles need, what the
//! tenant should be, its credential and the outcome of one verification
//! attempt, decide per permission, list findings, and give one status.

use crate::credential::{days_left, expiry_stage, ExpiryStage};
use crate::finding::{Finding, FindingCode, Severity};
use crate::permissions::PermissionKind;
use crate::profile::{Necessity, Requirement};
use crate::taxonomy::{classify_token_error, TokenError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Healthy,
    Warning,
    Failing,
    CouldNotCheck,
    /// No check has completed for longer than twice the check interval.
    /// Never produced by one evaluation; only by `watch::standing`.
    Stale,
    NeverChecked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Warning => "warning",
            Status::Failing => "failing",
            Status::CouldNotCheck => "could_not_check",
            Status::Stale => "stale",
            Status::NeverChecked => "never_checked",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub const ALL: [Status; 6] = [
        Status::Healthy,
        Status::Warning,
        Status::Failing,
        Status::CouldNotCheck,
        Status::Stale,
        Status::NeverChecked,
    ];

    /// Words for people, e.g. "Could not check".
    pub fn label(self) -> &'static str {
        match self {
            Status::Healthy => "Healthy",
            Status::Warning => "Warning",
            Status::Failing => "Failing",
            Status::CouldNotCheck => "Could not check",
            Status::Stale => "Stale",
            Status::NeverChecked => "Never checked",
        }
    }

    /// A check that reached a verdict about the registration itself, as
    /// opposed to one that could not reach Microsoft.
    pub fn is_completed(self) -> bool {
        matches!(self, Status::Healthy | Status::Warning | Status::Failing)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionState {
    Granted,
    Missing,
    OptionalMissing,
    /// Delegated permissions never appear in an app-only token.
    NotVerifiableAppOnly,
    NotChecked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    Secret,
    Certificate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialMeta {
    pub kind: CredentialKind,
    pub expires_at: i64,
}

/// What one verification attempt produced, as the client observed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// A token was issued; its claims and the harmless probe calls made with it.
    Token {
        tenant_id: Option<String>,
        roles: Option<Vec<String>>,
        probes: Vec<Probe>,
    },
    /// The token endpoint refused.
    Refused(TokenError),
    /// Throttled beyond the retries allowed: Microsoft said "slow down"
    /// (429, or a `Retry-After`).
    Throttled,
    /// Microsoft's service kept answering 503 (or another 5xx) without
    /// asking us to wait: an outage on its side, not throttling.
    Unavailable { status: u16 },
    /// Network error or timeout.
    Unreachable { detail: String },
    /// 5xx, malformed JSON, an undecodable token and the like.
    Unexpected { detail: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub permission: String,
    /// False when Graph answered 403 Authorization_RequestDenied.
    pub allowed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationInput<'a> {
    pub requirements: &'a [Requirement],
    pub expected_tenant_id: Option<&'a str>,
    pub credential: Option<CredentialMeta>,
    pub attempt: Option<&'a AttemptOutcome>,
    pub previous: Option<Status>,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionVerdict {
    pub name: String,
    pub kind: PermissionKind,
    pub state: PermissionState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub status: Status,
    pub permissions: Vec<PermissionVerdict>,
    pub extra_permissions: Vec<String>,
    pub findings: Vec<Finding>,
    /// For `could_not_check`: the status the previous check reached.
    pub last_known: Option<Status>,
}

/// What the credential's expiry alone says at `now`; known without asking
/// Microsoft.
pub fn credential_findings(credential: Option<CredentialMeta>, now: i64) -> Vec<Finding> {
    let Some(credential) = credential else {
        return vec![];
    };
    let (expired, expiring, noun) = match credential.kind {
        CredentialKind::Secret => (
            FindingCode::SecretExpired,
            FindingCode::SecretExpiring,
            "client secret",
        ),
        CredentialKind::Certificate => (
            FindingCode::CertificateExpired,
            FindingCode::CertificateExpiring,
            "certificate",
        ),
    };
    match expiry_stage(credential.expires_at, now) {
        ExpiryStage::Fine => vec![],
        ExpiryStage::Expired => vec![Finding::new(
            expired,
            Severity::Failing,
            format!("The {noun} has expired."),
            format!("Create a new {noun} in the app registration's Certificates & secrets and enter it here."),
        )],
        ExpiryStage::ExpiresWithin { .. } => {
            let days = days_left(credential.expires_at, now);
            vec![Finding::new(
                expiring,
                Severity::Warning,
                format!("The {noun} expires in {days} day{}.", if days == 1 { "" } else { "s" }),
                format!("Create a new {noun} before then and enter it here; remove the old one afterwards."),
            )]
        }
    }
}

fn all_states(requirements: &[Requirement], state: PermissionState) -> Vec<PermissionVerdict> {
    requirements
        .iter()
        .map(|r| PermissionVerdict {
            name: r.permission.clone(),
            kind: r.kind,
            state: if r.kind == PermissionKind::Delegated {
                PermissionState::NotVerifiableAppOnly
            } else {
                state
            },
        })
        .collect()
}

pub fn evaluate(input: &EvaluationInput<'_>) -> Verdict {
    let mut findings = credential_findings(input.credential, input.now);
    let mut extra_permissions = Vec::new();
    let mut last_known = None;
    let permissions = match input.attempt {
        None => {
            return Verdict {
                status: Status::NeverChecked,
                permissions: all_states(input.requirements, PermissionState::NotChecked),
                extra_permissions,
                findings,
                last_known: input.previous,
            }
        }
        Some(AttemptOutcome::Refused(error)) => {
            findings.push(classify_token_error(error));
            all_states(input.requirements, PermissionState::NotChecked)
        }
        Some(
            attempt @ (AttemptOutcome::Throttled
            | AttemptOutcome::Unavailable { .. }
            | AttemptOutcome::Unreachable { .. }
            | AttemptOutcome::Unexpected { .. }),
        ) => {
            findings.push(could_not_check(attempt));
            last_known = input.previous;
            all_states(input.requirements, PermissionState::NotChecked)
        }
        Some(AttemptOutcome::Token {
            tenant_id,
            roles,
            probes,
        }) => judge_token(
            input,
            tenant_id.as_deref(),
            roles.as_deref(),
            probes,
            &mut findings,
            &mut extra_permissions,
        ),
    };
    let worst = findings.iter().map(|f| f.severity).max();
    let status = match worst {
        Some(Severity::Failing) => Status::Failing,
        Some(Severity::CouldNotCheck) => Status::CouldNotCheck,
        Some(Severity::Warning) => Status::Warning,
        Some(Severity::Info) | None => Status::Healthy,
    };
    Verdict {
        status,
        permissions,
        extra_permissions,
        findings,
        last_known,
    }
}

pub(crate) fn could_not_check(attempt: &AttemptOutcome) -> Finding {
    match attempt {
        AttemptOutcome::Throttled => Finding::new(
            FindingCode::Throttled,
            Severity::CouldNotCheck,
            "Microsoft asked us to slow down and the retries ran out.",
            "Nothing to change on the registration; the check runs again later.",
        ),
        AttemptOutcome::Unavailable { status } => Finding::new(
            FindingCode::ServiceUnavailable,
            Severity::CouldNotCheck,
            format!("Microsoft's service answered HTTP {status} (unavailable) to every attempt; this is an outage on Microsoft's side, not throttling."),
            "Nothing to change on the registration. Microsoft 365 Service health in the admin center shows outages; the check runs again later.",
        ),
        AttemptOutcome::Unreachable { detail } => Finding::new(
            FindingCode::Unreachable,
            Severity::CouldNotCheck,
            format!("Microsoft's service could not be reached: {detail}"),
            "Nothing to change on the registration; the check runs again later.",
        ),
        AttemptOutcome::Unexpected { detail } => Finding::new(
            FindingCode::UnexpectedResponse,
            Severity::CouldNotCheck,
            format!("Microsoft's answer could not be understood: {detail}"),
            "Nothing to change on the registration; if it keeps happening, contact support.",
        ),
        AttemptOutcome::Token { .. } | AttemptOutcome::Refused(_) => {
            unreachable!("only incomplete attempts are passed here")
        }
    }
}

fn judge_token(
    input: &EvaluationInput<'_>,
    tenant_id: Option<&str>,
    roles: Option<&[String]>,
    probes: &[Probe],
    findings: &mut Vec<Finding>,
    extra_permissions: &mut Vec<String>,
) -> Vec<PermissionVerdict> {
    if let Some(expected) = input.expected_tenant_id {
        if !tenant_id.is_some_and(|tid| tid.eq_ignore_ascii_case(expected)) {
            findings.push(Finding::new(
                FindingCode::TenantMismatch,
                Severity::Failing,
                format!(
                    "The token was issued by tenant {}, not the customer's tenant {expected}.",
                    tenant_id.unwrap_or("(none)")
                ),
                "Check the Directory (tenant) ID entered for this registration and that the app was created in the customer's tenant.",
            ));
        }
    }
    let granted: Vec<&str> = roles
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .collect();
    let has = |name: &str| granted.iter().any(|role| role.eq_ignore_ascii_case(name));
    let needs_application = input
        .requirements
        .iter()
        .any(|r| r.kind == PermissionKind::Application);
    if granted.is_empty() && needs_application {
        findings.push(Finding::new(
            FindingCode::ConsentMissing,
            Severity::Failing,
            "The app signs in, but no application permission has been granted: admin consent is missing.",
            "In the app registration's API permissions, select 'Grant admin consent' (Global Administrator or Privileged Role Administrator), then test again.",
        ));
    }
    let mut verdicts = Vec::new();
    for requirement in input.requirements {
        let state = match (requirement.kind, requirement.necessity) {
            (PermissionKind::Delegated, _) => PermissionState::NotVerifiableAppOnly,
            (PermissionKind::Application, _) if has(&requirement.permission) => {
                if probes.iter().any(|p| {
                    p.permission.eq_ignore_ascii_case(&requirement.permission) && !p.allowed
                }) {
                    findings.push(Finding::new(
                        FindingCode::PermissionNotEffective,
                        Severity::Failing,
                        format!("{} is granted but Microsoft Graph still refuses it.", requirement.permission),
                        "Grant admin consent again; if it persists, check that the tenant's licence includes the service.",
                    ));
                }
                PermissionState::Granted
            }
            (PermissionKind::Application, Necessity::Required) => {
                if !granted.is_empty() {
                    findings.push(Finding::new(
                        FindingCode::PermissionMissing,
                        Severity::Failing,
                        format!("{} ({}) is not granted.", requirement.permission, requirement.kind.label()),
                        format!(
                            "Add the application permission {} under API permissions → Microsoft Graph, then grant admin consent.",
                            requirement.permission
                        ),
                    ));
                }
                PermissionState::Missing
            }
            (PermissionKind::Application, Necessity::Optional) => {
                findings.push(Finding::new(
                    FindingCode::OptionalPermissionMissing,
                    Severity::Info,
                    format!(
                        "The optional permission {} is not granted.",
                        requirement.permission
                    ),
                    format!("Optional: {}", requirement.reason),
                ));
                PermissionState::OptionalMissing
            }
        };
        verdicts.push(PermissionVerdict {
            name: requirement.permission.clone(),
            kind: requirement.kind,
            state,
        });
    }
    for role in &granted {
        let needed = input.requirements.iter().any(|r| {
            r.kind == PermissionKind::Application && r.permission.eq_ignore_ascii_case(role)
        });
        if !needed {
            extra_permissions.push((*role).to_owned());
        }
    }
    extra_permissions.sort();
    extra_permissions.dedup();
    if !extra_permissions.is_empty() {
        findings.push(Finding::new(
            FindingCode::ExtraPermission,
            Severity::Warning,
            format!(
                "The app holds permissions its products do not need: {}.",
                extra_permissions.join(", ")
            ),
            "Remove them under API permissions so the app has only what it needs.",
        ));
    }
    verdicts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;
    use proptest::prelude::*;

    const NOW: i64 = 1_800_000_000;
    const TENANT: &str = "11111111-2222-3333-4444-555555555555";
    const DAY: i64 = 86_400;

    fn token(roles: Option<&[&str]>) -> AttemptOutcome {
        AttemptOutcome::Token {
            tenant_id: Some(TENANT.into()),
            roles: roles.map(|r| r.iter().map(|s| s.to_string()).collect()),
            probes: vec![],
        }
    }

    fn judge(requirements: &[Requirement], attempt: Option<&AttemptOutcome>) -> Verdict {
        evaluate(&EvaluationInput {
            requirements,
            expected_tenant_id: Some(TENANT),
            credential: Some(CredentialMeta {
                kind: CredentialKind::Secret,
                expires_at: NOW + 90 * DAY,
            }),
            attempt,
            previous: None,
            now: NOW,
        })
    }

    fn codes(verdict: &Verdict) -> Vec<FindingCode> {
        verdict.findings.iter().map(|f| f.code).collect()
    }

    fn recovery() -> Vec<Requirement> {
        profile::combined_requirements(&[profile::recovery()])
    }

    #[test]
    fn every_required_permission_granted_is_healthy() {
        let verdict = judge(&recovery(), Some(&token(Some(&["AuditLog.Read.All"]))));
        assert_eq!(verdict.status, Status::Healthy);
        assert_eq!(verdict.permissions[0].state, PermissionState::Granted);
        assert!(verdict.findings.is_empty());
    }

    #[test]
    fn a_token_without_roles_is_failing_for_missing_consent_not_green() {
        let verdict = judge(&recovery(), Some(&token(None)));
        assert_eq!(verdict.status, Status::Failing);
        assert_eq!(codes(&verdict), [FindingCode::ConsentMissing]);
        assert!(verdict.findings[0].fix.contains("admin consent"));
    }

    #[test]
    fn a_token_from_another_tenant_is_failing() {
        let attempt = AttemptOutcome::Token {
            tenant_id: Some("99999999-2222-3333-4444-555555555555".into()),
            roles: Some(vec!["AuditLog.Read.All".into()]),
            probes: vec![],
        };
        assert_eq!(
            codes(&judge(&recovery(), Some(&attempt))),
            [FindingCode::TenantMismatch]
        );
    }

    #[test]
    fn missing_optional_permissions_do_not_spoil_health_but_are_listed() {
        let requirements = profile::combined_requirements(&[profile::intune_publishing()]);
        let required: Vec<&str> = requirements
            .iter()
            .filter(|r| r.necessity == Necessity::Required)
            .map(|r| r.permission.as_str())
            .collect();
        let verdict = judge(&requirements, Some(&token(Some(&required))));
        assert_eq!(verdict.status, Status::Healthy);
        assert_eq!(
            verdict
                .findings
                .iter()
                .filter(|f| f.code == FindingCode::OptionalPermissionMissing)
                .count(),
            2
        );
    }

    #[test]
    fn extra_application_permissions_are_a_least_privilege_warning() {
        let verdict = judge(
            &recovery(),
            Some(&token(Some(&["AuditLog.Read.All", "Mail.Send"]))),
        );
        assert_eq!(verdict.status, Status::Warning);
        assert_eq!(verdict.extra_permissions, ["Mail.Send"]);
        assert_eq!(codes(&verdict), [FindingCode::ExtraPermission]);
    }

    #[test]
    fn delegated_permissions_are_marked_not_verifiable_with_an_app_only_token() {
        let requirements = profile::combined_requirements(&[profile::device_inventory()]);
        let granted: Vec<&str> = requirements
            .iter()
            .filter(|r| r.kind == PermissionKind::Application)
            .map(|r| r.permission.as_str())
            .collect();
        let verdict = judge(&requirements, Some(&token(Some(&granted))));
        assert_eq!(verdict.status, Status::Healthy);
        let delegated = verdict
            .permissions
            .iter()
            .filter(|p| p.state == PermissionState::NotVerifiableAppOnly)
            .count();
        assert_eq!(delegated, 3);
    }

    #[test]
    fn a_denied_probe_means_the_permission_is_not_effective() {
        let attempt = AttemptOutcome::Token {
            tenant_id: Some(TENANT.into()),
            roles: Some(vec!["AuditLog.Read.All".into()]),
            probes: vec![Probe {
                permission: "AuditLog.Read.All".into(),
                allowed: false,
            }],
        };
        assert_eq!(
            codes(&judge(&recovery(), Some(&attempt))),
            [FindingCode::PermissionNotEffective]
        );
    }

    #[test]
    fn an_outage_is_not_reported_as_throttling() {
        let verdict = judge(
            &recovery(),
            Some(&AttemptOutcome::Unavailable { status: 503 }),
        );
        assert_eq!(codes(&verdict), [FindingCode::ServiceUnavailable]);
        assert_eq!(verdict.status, Status::CouldNotCheck);
        assert!(verdict.findings[0].fix.contains("Service health"));
        assert!(!verdict.findings[0].message.contains("slow down"));
    }

    #[test]
    fn network_trouble_is_could_not_check_and_keeps_the_last_known_status() {
        for attempt in [
            AttemptOutcome::Throttled,
            AttemptOutcome::Unavailable { status: 503 },
            AttemptOutcome::Unreachable {
                detail: "timed out".into(),
            },
            AttemptOutcome::Unexpected {
                detail: "HTTP 503".into(),
            },
        ] {
            let verdict = evaluate(&EvaluationInput {
                requirements: &recovery(),
                expected_tenant_id: Some(TENANT),
                credential: None,
                attempt: Some(&attempt),
                previous: Some(Status::Failing),
                now: NOW,
            });
            assert_eq!(verdict.status, Status::CouldNotCheck, "{attempt:?}");
            assert_eq!(verdict.last_known, Some(Status::Failing));
        }
    }

    #[test]
    fn a_refused_token_is_failing_with_the_classified_cause() {
        let attempt = AttemptOutcome::Refused(TokenError {
            error: "invalid_client".into(),
            error_codes: vec![7000215],
            description: "AADSTS7000215: Invalid client secret provided.".into(),
        });
        let verdict = judge(&recovery(), Some(&attempt));
        assert_eq!(verdict.status, Status::Failing);
        assert_eq!(codes(&verdict), [FindingCode::InvalidSecret]);
    }

    #[test]
    fn never_checked_until_an_attempt_is_made() {
        assert_eq!(judge(&recovery(), None).status, Status::NeverChecked);
    }

    #[test]
    fn credential_expiry_warns_then_fails() {
        let table = [
            (
                NOW + 10 * DAY,
                Status::Warning,
                FindingCode::CertificateExpiring,
            ),
            (NOW - 1, Status::Failing, FindingCode::CertificateExpired),
        ];
        for (expires_at, status, code) in table {
            let verdict = evaluate(&EvaluationInput {
                requirements: &recovery(),
                expected_tenant_id: Some(TENANT),
                credential: Some(CredentialMeta {
                    kind: CredentialKind::Certificate,
                    expires_at,
                }),
                attempt: Some(&token(Some(&["AuditLog.Read.All"]))),
                previous: None,
                now: NOW,
            });
            assert_eq!(verdict.status, status);
            assert_eq!(codes(&verdict), [code]);
        }
    }

    fn any_attempt() -> impl Strategy<Value = AttemptOutcome> {
        let role = prop::sample::select(vec![
            "AuditLog.Read.All",
            "Mail.Send",
            "User.Read.All",
            "GroupMember.Read.All",
        ]);
        prop_oneof![
            Just(AttemptOutcome::Throttled),
            Just(AttemptOutcome::Unavailable { status: 503 }),
            Just(AttemptOutcome::Unreachable { detail: "x".into() }),
            Just(AttemptOutcome::Unexpected { detail: "x".into() }),
            prop::option::of(prop::collection::vec(role, 0..4)).prop_map(|roles| {
                AttemptOutcome::Token {
                    tenant_id: Some(TENANT.into()),
                    roles: roles.map(|r| r.into_iter().map(String::from).collect()),
                    probes: vec![],
                }
            }),
        ]
    }

    proptest! {
        #[test]
        fn a_missing_required_application_permission_is_never_healthy(attempt in any_attempt()) {
            let requirements = profile::combined_requirements(&[profile::intune_publishing(), profile::recovery()]);
            let verdict = judge(&requirements, Some(&attempt));
            let missing = verdict.permissions.iter().any(|p| p.state == PermissionState::Missing);
            if missing {
                prop_assert_ne!(verdict.status, Status::Healthy);
            }
        }

        #[test]
        fn could_not_check_only_comes_from_an_attempt_that_did_not_complete(attempt in any_attempt()) {
            let verdict = judge(&recovery(), Some(&attempt));
            let completed = matches!(attempt, AttemptOutcome::Token { .. });
            prop_assert_eq!(verdict.status == Status::CouldNotCheck, !completed);
            if !completed {
                prop_assert_ne!(verdict.status, Status::Healthy);
            }
        }
    }
}
