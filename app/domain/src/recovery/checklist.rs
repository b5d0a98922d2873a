//! The recovery checklist: what must hold for a recovery app registration to
//! prove that the person holding it administers the company's tenant, judged
//! from what Microsoft answered. Every check says why it passed or failed and
//! what to do; the outcome follows from the checks, so the page, the CLI and
//! the audit trail can never disagree with each other.

use super::age_in_window;
use crate::evaluation::{could_not_check, AttemptOutcome};
use crate::finding::{Finding, FindingCode, Severity};
use crate::taxonomy::classify_token_error;
use serde::{Deserialize, Serialize};

/// The one permission a recovery registration needs: it lets the app read
/// the directory audit log, where Microsoft records who created it and when.
pub const AUDIT_PERMISSION: &str = "AuditLog.Read.All";
/// The audit log's activity for a new app registration (Graph's spelling:
/// no trailing period, unlike the unified audit log).
pub const CREATION_ACTIVITY: &str = "Add application";
/// The audit log's activity for one application permission granted with
/// admin consent: who granted it shows who can grant tenant-wide consent,
/// which only a Global or Privileged Role Administrator can.
pub const GRANT_ACTIVITY: &str = "Add app role assignment to service principal";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckCode {
    TenantMatch,
    Token,
    AuditPermission,
    CreationEvent,
    WithinWindow,
    Initiator,
}

impl CheckCode {
    pub const ALL: [CheckCode; 6] = [
        CheckCode::TenantMatch,
        CheckCode::Token,
        CheckCode::AuditPermission,
        CheckCode::CreationEvent,
        CheckCode::WithinWindow,
        CheckCode::Initiator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckCode::TenantMatch => "tenant_match",
            CheckCode::Token => "token",
            CheckCode::AuditPermission => "audit_permission",
            CheckCode::CreationEvent => "creation_event",
            CheckCode::WithinWindow => "within_window",
            CheckCode::Initiator => "initiator",
        }
    }

    /// What the check establishes, as a checklist line.
    pub fn title(self) -> &'static str {
        match self {
            CheckCode::TenantMatch => "The app is in the company's tenant",
            CheckCode::Token => "Microsoft signs the app in",
            CheckCode::AuditPermission => "AuditLog.Read.All is granted with admin consent",
            CheckCode::CreationEvent => "The audit log records the app's creation",
            CheckCode::WithinWindow => "The app was created recently enough",
            CheckCode::Initiator => "An administrator created the app and granted its consent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Passed,
    Failed,
    /// Not decided yet: waiting for the audit log, or Microsoft could not
    /// be asked.
    Pending,
    /// Not looked at, because an earlier check already decided.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub code: CheckCode,
    pub state: CheckState,
    pub detail: String,
    /// Empty when there is nothing to do.
    pub fix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Rejected,
    /// Everything so far holds, but the creation is not in the audit log
    /// yet; asking again in a few minutes may accept it.
    NotYetVisible,
    /// Microsoft could not be asked; says nothing about the proof.
    CouldNotCheck,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Rejected => "rejected",
            Outcome::NotYetVisible => "not_yet_visible",
            Outcome::CouldNotCheck => "could_not_check",
        }
    }

    /// Only a rejection counts against the company's attempts: waiting for
    /// Microsoft is nobody's mistake.
    pub fn counts_as_failure(self) -> bool {
        self == Outcome::Rejected
    }
}

/// Who made a change, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Initiator {
    User {
        user_principal_name: String,
        id: String,
    },
    App {
        display_name: String,
        id: String,
    },
    Unknown,
}

/// One entry of the directory audit log, as far as recovery reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub activity: String,
    pub at: i64,
    pub succeeded: bool,
    /// Lower-case object ids of the entry's target resources.
    pub target_ids: Vec<String>,
    /// The Application (client) ID the entry is about, lower-case, when the
    /// log names one: `additionalDetails` `AppId` for a creation, the
    /// `ServicePrincipal.AppId` property for a permission grant.
    #[serde(default)]
    pub app_id: Option<String>,
    /// For a permission grant, the permission granted (`AppRole.Value`).
    #[serde(default)]
    pub granted_role: Option<String>,
    /// For a permission grant, the app role's GUID (`AppRole.Id`), lower-case:
    /// what tells Microsoft Graph's AuditLog.Read.All from a role of the same
    /// name on some other API.
    #[serde(default)]
    pub granted_role_id: Option<String>,
    pub initiated_by: Initiator,
}

/// What reading the audit log gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditRead {
    /// Not read, because an earlier check decided already.
    NotRead,
    /// Graph answered 403: the token may not read the log.
    Forbidden,
    /// Throttled, unavailable, unreachable or not understood.
    CouldNotRead(AttemptOutcome),
    Entries(Vec<AuditEntry>),
}

/// Everything the checklist is judged from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence<'a> {
    /// The company's tenant on file; `None` when there is nothing to compare
    /// with (the command line without `--expected-tenant`).
    pub expected_tenant_id: Option<&'a str>,
    pub tenant_id: &'a str,
    /// The app that signed in: the created object must be this app, or
    /// anyone holding some other app's secret could borrow a stranger's
    /// new registration as their proof.
    pub client_id: &'a str,
    pub object_id: &'a str,
    /// `None` when the token was not asked for (the tenant did not match).
    pub token: Option<&'a AttemptOutcome>,
    pub audit: &'a AuditRead,
    pub window_secs: i64,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creator {
    pub user_principal_name: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub outcome: Outcome,
    pub checks: Vec<Check>,
    /// When the audit log says the registration was created.
    pub created_at: Option<i64>,
    pub age_secs: Option<i64>,
    /// The person who created it, when the log names one.
    pub initiated_by: Option<Creator>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn check(&self, code: CheckCode) -> Option<&Check> {
        self.checks.iter().find(|c| c.code == code)
    }

    /// Whether this judgement counts against the company's attempts: only a
    /// refusal of an app Microsoft signed in to the company's tenant with
    /// the audit permission granted. Anyone can send a made-up proof for any
    /// tenant, and anyone in the tenant can register an app; were those
    /// counted, three of them would lock the real administrators out again
    /// and again.
    /// They are recorded and audited all the same, and the per-address limit
    /// slows them down.
    pub fn counts_against_company(&self) -> bool {
        self.outcome.counts_as_failure() && self.reads_audit()
    }

    /// Whether the app reached the audit log: Microsoft signed it in to the
    /// tenant with AuditLog.Read.All granted, which takes an administrator's
    /// consent. Before that, anyone in the tenant (or outside it) can fail.
    pub fn reads_audit(&self) -> bool {
        self.check(CheckCode::AuditPermission)
            .is_some_and(|check| check.state == CheckState::Passed)
    }
}

/// A settled attempt as the company's record keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    Accepted,
    /// Refused once the app could read the audit log: counts against the
    /// company's attempts.
    Refused,
    /// Refused before the app could read the audit log (made-up or
    /// mistyped IDs or secret, no admin consent): recorded, counts for
    /// nothing.
    Unproven,
}

impl Judgement {
    /// For a decided report (accepted or rejected).
    pub fn of(report: &Report) -> Self {
        if report.outcome == Outcome::Accepted {
            Judgement::Accepted
        } else if report.counts_against_company() {
            Judgement::Refused
        } else {
            Judgement::Unproven
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Judgement::Accepted => "accepted",
            Judgement::Refused => "rejected",
            Judgement::Unproven => "unproven",
        }
    }

    /// What the admins' attempts history says for a stored outcome.
    pub fn label(stored: &str) -> &'static str {
        match stored {
            "accepted" => "Accepted",
            "rejected" => "Refused (counts towards the lock)",
            "unproven" => "Refused before the app could read the audit log (does not count)",
            _ => "Being checked",
        }
    }
}

/// Whether the tenant entered is the company's tenant; GUIDs compare
/// without regard to case.
pub fn tenant_matches(expected: Option<&str>, given: &str) -> bool {
    expected.is_none_or(|expected| expected.trim().eq_ignore_ascii_case(given.trim()))
}

/// Whether the token is worth asking the audit log with: issued by the
/// tenant entered and carrying the audit permission. Anything less is
/// decided without reading the log.
pub fn may_read_audit(token: &AttemptOutcome, tenant_id: &str) -> bool {
    match token {
        AttemptOutcome::Token {
            tenant_id: issued_by,
            roles,
            ..
        } => {
            issued_by
                .as_deref()
                .is_some_and(|tid| tid.eq_ignore_ascii_case(tenant_id))
                && has_audit_permission(roles.as_deref())
        }
        _ => false,
    }
}

fn has_audit_permission(roles: Option<&[String]>) -> bool {
    roles
        .unwrap_or_default()
        .iter()
        .any(|role| role.eq_ignore_ascii_case(AUDIT_PERMISSION))
}

/// A duration in words, to the minute: "3 days 2 hours", "45 minutes".
pub fn span(secs: i64) -> String {
    let minutes = secs.max(0) / 60;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let unit = |n: i64, one: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {one}s"),
    };
    match (days, hours, minutes) {
        (0, 0, m) => unit(m, "minute"),
        (0, h, 0) => unit(h, "hour"),
        (0, h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
        (d, 0, _) => unit(d, "day"),
        (d, h, _) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

struct Builder {
    checks: Vec<Check>,
    findings: Vec<Finding>,
}

impl Builder {
    fn push(&mut self, code: CheckCode, state: CheckState, detail: String, fix: &str) {
        self.checks.push(Check {
            code,
            state,
            detail,
            fix: fix.to_owned(),
        });
    }

    fn push_finding(&mut self, code: CheckCode, state: CheckState, finding: Finding) {
        self.push(code, state, finding.message.clone(), &finding.fix);
        self.findings.push(finding);
    }

    /// Marks every check not yet judged with the same state and reason.
    fn rest(mut self, state: CheckState, reason: &str) -> Self {
        for code in CheckCode::ALL {
            if self.checks.iter().all(|c| c.code != code) {
                self.push(code, state, reason.to_owned(), "");
            }
        }
        self
    }

    fn into_report(
        self,
        outcome: Outcome,
        creation: Option<(i64, i64)>,
        creator: Option<Creator>,
    ) -> Report {
        Report {
            outcome,
            checks: self.checks,
            created_at: creation.map(|(at, _)| at),
            age_secs: creation.map(|(_, age)| age),
            initiated_by: creator,
            findings: self.findings,
        }
    }
}

const RETRY_FIX: &str = "Nothing is wrong with what you entered. Try again in a few minutes; this attempt does not count against the company.";

/// The successful creation of the application object `object_id`. An
/// object is created once; should the log hold two, the older one is the
/// truth, and the stricter.
pub fn creation_of<'e>(entries: &'e [AuditEntry], object_id: &str) -> Option<&'e AuditEntry> {
    let object_id = object_id.trim();
    entries
        .iter()
        .filter(|e| e.succeeded && e.activity == CREATION_ACTIVITY)
        .filter(|e| {
            e.target_ids
                .iter()
                .any(|id| id.eq_ignore_ascii_case(object_id))
        })
        .min_by_key(|e| e.at)
}

/// Whether the log names `client_id` as the app an entry is about (a
/// creation the log does not tie to an app is nobody's).
fn names_app(entry: &AuditEntry, client_id: &str) -> bool {
    entry
        .app_id
        .as_deref()
        .is_some_and(|app| app.eq_ignore_ascii_case(client_id.trim()))
}

/// Whose grants to look for in the log, and since when: the person who
/// created the app, when that creation could still prove something (the
/// app that signed in, within the window). Otherwise the checklist is
/// decided already, and the log is not read again.
pub fn grants_to_look_for<'e>(
    entries: &'e [AuditEntry],
    object_id: &str,
    client_id: &str,
    window_secs: i64,
    now: i64,
) -> Option<(&'e str, i64)> {
    let creation = creation_of(entries, object_id)?;
    let same_app = names_app(creation, client_id);
    let in_window = age_in_window(creation.at, now, window_secs).is_ok();
    match &creation.initiated_by {
        Initiator::User { id, .. } if same_app && in_window => Some((id.as_str(), creation.at)),
        _ => None,
    }
}

/// Who granted the app `client_id` the audit permission, as the log names
/// them: whoever granted it since it was created.
fn audit_grants<'e>(entries: &'e [AuditEntry], client_id: &str) -> Vec<&'e Initiator> {
    entries
        .iter()
        .filter(|e| e.succeeded && e.activity == GRANT_ACTIVITY)
        .filter(|e| e.app_id.as_deref() == Some(client_id))
        .filter(|e| {
            e.granted_role
                .as_deref()
                .is_some_and(|role| role.eq_ignore_ascii_case(AUDIT_PERMISSION))
        })
        // An Application Administrator may grant roles of any API but
        // Microsoft Graph, and anyone may name a role of their own API
        // "AuditLog.Read.All": only Graph's own role GUID is the consent.
        .filter(|e| {
            e.granted_role_id
                .as_deref()
                .zip(audit_permission_id())
                .is_some_and(|(granted, graphs)| granted.eq_ignore_ascii_case(graphs))
        })
        .map(|e| &e.initiated_by)
        .collect()
}

/// Microsoft Graph's app-role GUID for AuditLog.Read.All, from the catalog.
pub fn audit_permission_id() -> Option<&'static str> {
    crate::permissions::find(AUDIT_PERMISSION)
        .and_then(|permission| permission.id(crate::permissions::PermissionKind::Application))
}

fn who(initiator: &Initiator) -> String {
    match initiator {
        Initiator::User {
            user_principal_name,
            ..
        } => format!("the user {user_principal_name}"),
        Initiator::App { display_name, .. } => format!("the application '{display_name}'"),
        Initiator::Unknown => "someone the log does not name".to_owned(),
    }
}

pub fn judge(evidence: &Evidence<'_>) -> Report {
    let mut built = Builder {
        checks: Vec::new(),
        findings: Vec::new(),
    };

    match evidence.expected_tenant_id {
        None => built.push(
            CheckCode::TenantMatch,
            CheckState::Skipped,
            "No tenant on file to compare with; the token's tenant is still checked.".into(),
            "",
        ),
        Some(expected) if tenant_matches(Some(expected), evidence.tenant_id) => built.push(
            CheckCode::TenantMatch,
            CheckState::Passed,
            "The Directory (tenant) ID entered is the company's tenant.".into(),
            "",
        ),
        Some(_) => {
            built.push_finding(
                CheckCode::TenantMatch,
                CheckState::Failed,
                Finding::new(
                    FindingCode::TenantMismatch,
                    Severity::Failing,
                    format!(
                        "The Directory (tenant) ID entered, {}, is not the tenant on file for this company.",
                        evidence.tenant_id
                    ),
                    "Create the recovery app in the company's own Microsoft 365 tenant and copy the Directory (tenant) ID from the app registration's Overview page.",
                ),
            );
            return built
                .rest(
                    CheckState::Skipped,
                    "Not checked: the tenant is not the company's.",
                )
                .into_report(Outcome::Rejected, None, None);
        }
    }

    let roles = match evidence.token {
        None => {
            return built.rest(CheckState::Skipped, "Not checked.").into_report(
                Outcome::Rejected,
                None,
                None,
            )
        }
        Some(AttemptOutcome::Refused(error)) => {
            built.push_finding(
                CheckCode::Token,
                CheckState::Failed,
                classify_token_error(error),
            );
            return built
                .rest(
                    CheckState::Skipped,
                    "Not checked: Microsoft did not sign the app in.",
                )
                .into_report(Outcome::Rejected, None, None);
        }
        Some(
            attempt @ (AttemptOutcome::Throttled
            | AttemptOutcome::Unavailable { .. }
            | AttemptOutcome::Unreachable { .. }
            | AttemptOutcome::Unexpected { .. }),
        ) => {
            let mut finding = could_not_check(attempt);
            finding.fix = RETRY_FIX.into();
            built.push_finding(CheckCode::Token, CheckState::Pending, finding);
            return built
                .rest(
                    CheckState::Skipped,
                    "Not checked yet: Microsoft could not be asked.",
                )
                .into_report(Outcome::CouldNotCheck, None, None);
        }
        Some(AttemptOutcome::Token {
            tenant_id, roles, ..
        }) => {
            let issued_by = tenant_id.as_deref().unwrap_or("(none)");
            if !issued_by.eq_ignore_ascii_case(evidence.tenant_id) {
                built.push_finding(
                    CheckCode::Token,
                    CheckState::Failed,
                    Finding::new(
                        FindingCode::TenantMismatch,
                        Severity::Failing,
                        format!(
                            "Microsoft signed the app in, but in tenant {issued_by}, not {}.",
                            evidence.tenant_id
                        ),
                        "Create the recovery app in the company's own tenant; a multi-tenant app from another directory does not prove anything here.",
                    ),
                );
                return built
                    .rest(
                        CheckState::Skipped,
                        "Not checked: the token is from another tenant.",
                    )
                    .into_report(Outcome::Rejected, None, None);
            }
            built.push(
                CheckCode::Token,
                CheckState::Passed,
                format!("Microsoft issued the app a token in tenant {issued_by}."),
                "",
            );
            roles.as_deref()
        }
    };

    if has_audit_permission(roles) {
        built.push(
            CheckCode::AuditPermission,
            CheckState::Passed,
            format!("The token carries {AUDIT_PERMISSION}, so admin consent was granted."),
            "",
        );
    } else {
        let finding = match roles {
            None | Some([]) => Finding::new(
                FindingCode::ConsentMissing,
                Severity::Failing,
                "The token carries no application permission: admin consent has not been granted.",
                "In the app registration's API permissions, select 'Grant admin consent'. Only a Global Administrator or a Privileged Role Administrator can grant it.",
            ),
            Some(granted) => Finding::new(
                FindingCode::PermissionMissing,
                Severity::Failing,
                format!(
                    "The token carries {} but not {AUDIT_PERMISSION}.",
                    granted.join(", ")
                ),
                "Add the Microsoft Graph application permission AuditLog.Read.All (not the delegated one), then select 'Grant admin consent' as a Global Administrator or Privileged Role Administrator.",
            ),
        };
        built.push_finding(CheckCode::AuditPermission, CheckState::Failed, finding);
        return built
            .rest(
                CheckState::Skipped,
                "Not checked: the audit log cannot be read without the permission.",
            )
            .into_report(Outcome::Rejected, None, None);
    }

    let entries = match evidence.audit {
        AuditRead::NotRead => {
            return built.rest(CheckState::Skipped, "Not checked.").into_report(
                Outcome::Rejected,
                None,
                None,
            )
        }
        AuditRead::Forbidden => {
            built.push_finding(
                CheckCode::CreationEvent,
                CheckState::Failed,
                Finding::new(
                    FindingCode::PermissionNotEffective,
                    Severity::Failing,
                    "Microsoft refused to let the app read the directory audit log (HTTP 403), although the token carries AuditLog.Read.All.",
                    "Add the Microsoft Graph application permission Directory.Read.All as well (Microsoft lists it beside AuditLog.Read.All for reading the directory audit log), grant admin consent again, wait a few minutes and try again.",
                ),
            );
            return built
                .rest(
                    CheckState::Skipped,
                    "Not checked: the audit log could not be read.",
                )
                .into_report(Outcome::Rejected, None, None);
        }
        AuditRead::CouldNotRead(attempt) => {
            let mut finding = could_not_check(attempt);
            finding.fix = RETRY_FIX.into();
            built.push_finding(CheckCode::CreationEvent, CheckState::Pending, finding);
            return built
                .rest(
                    CheckState::Skipped,
                    "Not checked yet: the audit log could not be read.",
                )
                .into_report(Outcome::CouldNotCheck, None, None);
        }
        AuditRead::Entries(entries) => entries,
    };

    let object_id = evidence.object_id.trim().to_ascii_lowercase();
    let creation = creation_of(entries, &object_id);
    let client_id = evidence.client_id.trim().to_ascii_lowercase();
    if let Some(other) = creation.filter(|e| !names_app(e, &client_id)) {
        built.push(
            CheckCode::CreationEvent,
            CheckState::Failed,
            match &other.app_id {
                Some(app_id) => format!("The app registration {object_id} was created as the app {app_id}, not as the app {client_id} that signed in."),
                None => format!("The audit log does not say which app registration {object_id} is, so it cannot be tied to the app {client_id} that signed in."),
            },
            "Enter the Object ID and the Application (client) ID of the same recovery app, both from its Overview page.",
        );
        return built
            .rest(
                CheckState::Skipped,
                "Not checked: the creation is not the app that signed in.",
            )
            .into_report(Outcome::Rejected, None, None);
    }
    let Some(creation) = creation else {
        built.push(
            CheckCode::CreationEvent,
            CheckState::Pending,
            format!("The audit log does not show a successful 'Add application' for object {object_id} yet. New entries usually appear within minutes, sometimes later."),
            "Wait a few minutes; looking again does not count against the company. If it never appears, check that you entered the app's Object ID (not its Application (client) ID) from the Overview page.",
        );
        return built
            .rest(
                CheckState::Pending,
                "Waiting for the creation to appear in the audit log.",
            )
            .into_report(Outcome::NotYetVisible, None, None);
    };
    built.push(
        CheckCode::CreationEvent,
        CheckState::Passed,
        format!("The audit log records that app registration {object_id} was created."),
        "",
    );

    let window = span(evidence.window_secs);
    match age_in_window(creation.at, evidence.now, evidence.window_secs) {
        Ok(age_secs) => {
            built.push(
                CheckCode::WithinWindow,
                CheckState::Passed,
                format!(
                    "Created {} ago, within the {window} a recovery app counts for.",
                    span(age_secs)
                ),
                "",
            );
        }
        Err(expired_secs_ago) => {
            built.push(
                CheckCode::WithinWindow,
                CheckState::Failed,
                format!(
                    "Created {} ago: {} too old, because a recovery app counts only for {window} after it is created.",
                    span(evidence.now - creation.at),
                    span(expired_secs_ago)
                ),
                "Create a new app registration now (the old one can be deleted), give it the same permission, consent and secret, and verify with its IDs within the window.",
            );
        }
    }

    let creator = match &creation.initiated_by {
        Initiator::User {
            user_principal_name,
            id,
        } => {
            initiator_check(&mut built, entries, &client_id, user_principal_name, id);
            Some(Creator {
                user_principal_name: user_principal_name.clone(),
                id: id.clone(),
            })
        }
        Initiator::App { display_name, .. } => {
            built.push(
                CheckCode::Initiator,
                CheckState::Failed,
                format!("Created by the application '{display_name}', not by a person, so it proves nothing about who administers the tenant."),
                "Sign in to the Microsoft Entra admin center as an administrator and create the recovery app yourself.",
            );
            None
        }
        Initiator::Unknown => {
            built.push(
                CheckCode::Initiator,
                CheckState::Failed,
                "The audit log does not say who created the app.".into(),
                "Sign in to the Microsoft Entra admin center as an administrator and create the recovery app yourself.",
            );
            None
        }
    };

    let outcome = if built.checks.iter().any(|c| c.state == CheckState::Failed) {
        Outcome::Rejected
    } else if built.checks.iter().any(|c| c.state == CheckState::Pending) {
        Outcome::NotYetVisible
    } else {
        Outcome::Accepted
    };
    let created = Some((creation.at, evidence.now - creation.at));
    built.into_report(outcome, created, creator)
}

/// The person who created the app must also have granted its consent:
/// anyone may register an app in a tenant, but only an administrator can
/// grant an application permission, so the grant is what shows the creator
/// administers the tenant.
fn initiator_check(
    built: &mut Builder,
    entries: &[AuditEntry],
    client_id: &str,
    user_principal_name: &str,
    id: &str,
) {
    let grants = audit_grants(entries, client_id);
    let by_creator = grants.iter().any(|granter| {
        matches!(granter, Initiator::User { id: granter_id, .. } if granter_id.eq_ignore_ascii_case(id))
    });
    if by_creator {
        built.push(
            CheckCode::Initiator,
            CheckState::Passed,
            format!("Created by the user {user_principal_name}, who also granted {AUDIT_PERMISSION} with admin consent."),
            "",
        );
    } else if let Some(other) = grants.first() {
        built.push(
            CheckCode::Initiator,
            CheckState::Failed,
            format!(
                "Created by the user {user_principal_name}, but {AUDIT_PERMISSION} was granted by {}. The person recovering must have granted the consent themselves: that is what shows they administer the tenant.",
                who(other)
            ),
            "Sign in as a Global Administrator or Privileged Role Administrator, create a new recovery app, and grant its admin consent yourself.",
        );
    } else {
        built.push(
            CheckCode::Initiator,
            CheckState::Pending,
            format!("Created by the user {user_principal_name}; the audit log does not show yet that they granted {AUDIT_PERMISSION} to the app. New entries usually appear within minutes."),
            "Wait a few minutes; looking again does not count against the company. If someone else granted the consent, it does not prove anything about you: as a Global Administrator or Privileged Role Administrator, create a new recovery app and grant its admin consent yourself.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::TokenError;

    const TENANT: &str = "11111111-2222-3333-4444-555555555555";
    const OBJECT: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    const CLIENT: &str = "cccccccc-bbbb-cccc-dddd-eeeeeeeeeeee";
    const HOUR: i64 = 3600;
    const NOW: i64 = 1_800_000_000;

    fn token(roles: Option<&[&str]>) -> AttemptOutcome {
        AttemptOutcome::Token {
            tenant_id: Some(TENANT.into()),
            roles: roles.map(|r| r.iter().map(|s| s.to_string()).collect()),
            probes: vec![],
        }
    }

    fn created(hours_ago: i64, by: Initiator) -> AuditEntry {
        AuditEntry {
            activity: CREATION_ACTIVITY.into(),
            at: NOW - hours_ago * HOUR,
            succeeded: true,
            target_ids: vec![OBJECT.into()],
            app_id: Some(CLIENT.into()),
            granted_role: None,
            granted_role_id: None,
            initiated_by: by,
        }
    }

    /// The audit permission granted to the recovery app, by `by`.
    fn granted(hours_ago: i64, by: Initiator) -> AuditEntry {
        AuditEntry {
            activity: GRANT_ACTIVITY.into(),
            at: NOW - hours_ago * HOUR,
            succeeded: true,
            target_ids: vec!["9a000000-0000-4000-8000-00000000a9a9".into()],
            app_id: Some(CLIENT.into()),
            granted_role: Some(AUDIT_PERMISSION.into()),
            granted_role_id: audit_permission_id().map(str::to_owned),
            initiated_by: by,
        }
    }

    /// A creation by `by` and the consent they granted right after.
    fn proof(hours_ago: i64, by: Initiator) -> Vec<AuditEntry> {
        vec![created(hours_ago, by.clone()), granted(hours_ago, by)]
    }

    fn person() -> Initiator {
        Initiator::User {
            user_principal_name: "ada@contoso.example".into(),
            id: "u-1".into(),
        }
    }

    fn judged(token: &AttemptOutcome, audit: AuditRead) -> Report {
        judge(&Evidence {
            expected_tenant_id: Some(TENANT),
            tenant_id: TENANT,
            client_id: CLIENT,
            object_id: OBJECT,
            token: Some(token),
            audit: &audit,
            window_secs: 72 * HOUR,
            now: NOW,
        })
    }

    fn states(report: &Report) -> Vec<(&'static str, CheckState)> {
        report
            .checks
            .iter()
            .map(|c| (c.code.as_str(), c.state))
            .collect()
    }

    #[test]
    fn an_app_a_person_created_two_hours_ago_is_accepted_with_every_check_passed() {
        let report = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(proof(2, person())),
        );
        assert_eq!(report.outcome, Outcome::Accepted);
        assert!(report.checks.iter().all(|c| c.state == CheckState::Passed));
        assert_eq!(report.checks.len(), CheckCode::ALL.len());
        assert_eq!(report.age_secs, Some(2 * HOUR));
        assert_eq!(
            report.initiated_by.map(|c| c.user_principal_name),
            Some("ada@contoso.example".to_string())
        );
    }

    #[test]
    fn the_window_accepts_seventy_one_and_exactly_seventy_two_hours_and_refuses_seventy_three() {
        for (hours, outcome) in [
            (71, Outcome::Accepted),
            (72, Outcome::Accepted),
            (73, Outcome::Rejected),
        ] {
            let report = judged(
                &token(Some(&["AuditLog.Read.All"])),
                AuditRead::Entries(proof(hours, person())),
            );
            assert_eq!(report.outcome, outcome, "{hours} hours");
        }
        let late = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(proof(73, person())),
        );
        let window = late.check(CheckCode::WithinWindow).unwrap();
        assert_eq!(window.state, CheckState::Failed);
        assert!(
            window.detail.contains("1 hour too old"),
            "{}",
            window.detail
        );
        assert!(window.fix.contains("Create a new app registration"));
    }

    #[test]
    fn another_tenant_is_refused_before_microsoft_is_asked() {
        let report = judge(&Evidence {
            expected_tenant_id: Some("99999999-2222-3333-4444-555555555555"),
            tenant_id: TENANT,
            client_id: CLIENT,
            object_id: OBJECT,
            token: None,
            audit: &AuditRead::NotRead,
            window_secs: 72 * HOUR,
            now: NOW,
        });
        assert_eq!(report.outcome, Outcome::Rejected);
        assert_eq!(states(&report)[0], ("tenant_match", CheckState::Failed));
        assert!(states(&report)[1..]
            .iter()
            .all(|(_, state)| *state == CheckState::Skipped));
        assert_eq!(report.findings[0].code, FindingCode::TenantMismatch);
    }

    #[test]
    fn a_pasted_secret_id_is_refused_with_the_taxonomys_fix() {
        let refused = AttemptOutcome::Refused(TokenError {
            error: "invalid_client".into(),
            error_codes: vec![7000215],
            description: "AADSTS7000215: Invalid client secret provided.".into(),
        });
        let report = judged(&refused, AuditRead::NotRead);
        assert_eq!(report.outcome, Outcome::Rejected);
        let check = report.check(CheckCode::Token).unwrap();
        assert_eq!(check.state, CheckState::Failed);
        assert!(check.fix.contains("Secret ID"), "{}", check.fix);
        assert_eq!(report.findings[0].code, FindingCode::InvalidSecret);
    }

    #[test]
    fn no_roles_means_consent_is_missing_and_says_who_can_grant_it() {
        let report = judged(&token(None), AuditRead::NotRead);
        assert_eq!(report.outcome, Outcome::Rejected);
        let check = report.check(CheckCode::AuditPermission).unwrap();
        assert_eq!(check.state, CheckState::Failed);
        assert!(check.fix.contains("Global Administrator"));
        assert!(check.fix.contains("Privileged Role Administrator"));
        assert_eq!(report.findings[0].code, FindingCode::ConsentMissing);
    }

    #[test]
    fn other_roles_without_the_audit_permission_name_what_is_missing() {
        let report = judged(&token(Some(&["User.Read.All"])), AuditRead::NotRead);
        let check = report.check(CheckCode::AuditPermission).unwrap();
        assert!(check.detail.contains("User.Read.All"));
        assert!(check.detail.contains("AuditLog.Read.All"));
        assert_eq!(report.findings[0].code, FindingCode::PermissionMissing);
    }

    #[test]
    fn a_token_from_another_tenant_is_refused() {
        let foreign = AttemptOutcome::Token {
            tenant_id: Some("99999999-0000-0000-0000-000000000000".into()),
            roles: Some(vec!["AuditLog.Read.All".into()]),
            probes: vec![],
        };
        assert!(!may_read_audit(&foreign, TENANT));
        let report = judged(&foreign, AuditRead::NotRead);
        assert_eq!(report.outcome, Outcome::Rejected);
        assert_eq!(
            report.check(CheckCode::Token).unwrap().state,
            CheckState::Failed
        );
    }

    #[test]
    fn a_forbidden_audit_log_is_said_plainly_with_what_to_grant() {
        let report = judged(&token(Some(&["AuditLog.Read.All"])), AuditRead::Forbidden);
        assert_eq!(report.outcome, Outcome::Rejected);
        let check = report.check(CheckCode::CreationEvent).unwrap();
        assert!(check.detail.contains("403"));
        assert!(check.fix.contains("Directory.Read.All"));
    }

    #[test]
    fn a_creation_not_in_the_log_yet_is_pending_and_does_not_count() {
        let report = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(vec![]),
        );
        assert_eq!(report.outcome, Outcome::NotYetVisible);
        assert!(!report.outcome.counts_as_failure());
        assert_eq!(
            states(&report)[3..],
            [
                ("creation_event", CheckState::Pending),
                ("within_window", CheckState::Pending),
                ("initiator", CheckState::Pending)
            ]
        );
    }

    #[test]
    fn failed_creations_and_other_objects_are_ignored() {
        let mut failed = created(1, person());
        failed.succeeded = false;
        let mut other = created(1, person());
        other.target_ids = vec!["ffffffff-0000-0000-0000-000000000000".into()];
        let mut consent = created(1, person());
        consent.activity = "Consent to application".into();
        let report = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(vec![failed, other, consent]),
        );
        assert_eq!(report.outcome, Outcome::NotYetVisible);
    }

    #[test]
    fn an_app_created_by_an_application_is_refused() {
        let report = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(vec![created(
                1,
                Initiator::App {
                    display_name: "Automation".into(),
                    id: "sp-1".into(),
                },
            )]),
        );
        assert_eq!(report.outcome, Outcome::Rejected);
        let check = report.check(CheckCode::Initiator).unwrap();
        assert_eq!(check.state, CheckState::Failed);
        assert!(check.detail.contains("Automation"));
        assert!(report.initiated_by.is_none());
    }

    #[test]
    fn microsoft_out_of_reach_is_could_not_check_and_does_not_count() {
        let report = judged(
            &AttemptOutcome::Unreachable {
                detail: "timed out".into(),
            },
            AuditRead::NotRead,
        );
        assert_eq!(report.outcome, Outcome::CouldNotCheck);
        assert!(!report.outcome.counts_as_failure());
        assert_eq!(
            report.check(CheckCode::Token).unwrap().state,
            CheckState::Pending
        );
        let audit = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::CouldNotRead(AttemptOutcome::Throttled),
        );
        assert_eq!(audit.outcome, Outcome::CouldNotCheck);
    }

    #[test]
    fn without_a_tenant_on_file_the_match_is_skipped_not_passed() {
        let report = judge(&Evidence {
            expected_tenant_id: None,
            tenant_id: TENANT,
            client_id: CLIENT,
            object_id: OBJECT,
            token: Some(&token(Some(&["AuditLog.Read.All"]))),
            audit: &AuditRead::Entries(proof(2, person())),
            window_secs: 72 * HOUR,
            now: NOW,
        });
        assert_eq!(
            report.check(CheckCode::TenantMatch).unwrap().state,
            CheckState::Skipped
        );
        assert_eq!(report.outcome, Outcome::Accepted);
    }

    #[test]
    fn another_apps_creation_is_not_a_proof_for_the_app_that_signed_in() {
        let mut borrowed = created(1, person());
        borrowed.app_id = Some("dddddddd-0000-0000-0000-000000000000".into());
        let report = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(vec![borrowed]),
        );
        assert_eq!(report.outcome, Outcome::Rejected);
        assert_eq!(
            report.check(CheckCode::CreationEvent).unwrap().state,
            CheckState::Failed
        );
        let mut unnamed = created(1, person());
        unnamed.app_id = None;
        let report = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(vec![unnamed]),
        );
        assert_eq!(report.outcome, Outcome::Rejected, "fails closed");
    }

    #[test]
    fn an_app_whose_consent_someone_else_granted_is_refused_and_names_the_granter() {
        let admin = Initiator::User {
            user_principal_name: "it-admin@contoso.example".into(),
            id: "u-2".into(),
        };
        let report = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(vec![created(2, person()), granted(1, admin)]),
        );
        assert_eq!(report.outcome, Outcome::Rejected);
        assert!(report.counts_against_company());
        let check = report.check(CheckCode::Initiator).unwrap();
        assert_eq!(check.state, CheckState::Failed);
        assert!(
            check.detail.contains("it-admin@contoso.example"),
            "{}",
            check.detail
        );
        assert!(check.fix.contains("Global Administrator"));
    }

    #[test]
    fn a_consent_not_in_the_log_yet_is_pending_and_does_not_count() {
        let report = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(vec![created(2, person())]),
        );
        assert_eq!(report.outcome, Outcome::NotYetVisible);
        assert_eq!(
            report.check(CheckCode::Initiator).unwrap().state,
            CheckState::Pending
        );
        assert!(!report.counts_against_company());
    }

    #[test]
    fn a_grant_of_another_permission_or_to_another_app_is_not_the_consent() {
        let mut other_role = granted(1, person());
        other_role.granted_role = Some("User.Read.All".into());
        let mut other_app = granted(1, person());
        other_app.app_id = Some("dddddddd-0000-0000-0000-000000000000".into());
        let mut failed = granted(1, person());
        failed.succeeded = false;
        // A role of the same name on an API of one's own.
        let mut namesake = granted(1, person());
        namesake.granted_role_id = Some("0f0f0f0f-0000-4000-8000-000000000000".into());
        let report = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(vec![
                created(2, person()),
                other_role,
                other_app,
                failed,
                namesake,
            ]),
        );
        assert_eq!(report.outcome, Outcome::NotYetVisible);
    }

    #[test]
    fn only_refusals_of_an_app_that_could_read_the_audit_log_count_against_the_company() {
        let wrong_secret = judged(
            &AttemptOutcome::Refused(TokenError {
                error: "invalid_client".into(),
                error_codes: vec![7000215],
                description: "AADSTS7000215: Invalid client secret provided.".into(),
            }),
            AuditRead::NotRead,
        );
        assert_eq!(wrong_secret.outcome, Outcome::Rejected);
        assert!(!wrong_secret.counts_against_company());
        // Anyone in the tenant may register an app; consent takes an admin.
        let no_consent = judged(&token(None), AuditRead::NotRead);
        assert!(!no_consent.counts_against_company());
        let too_old = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(proof(73, person())),
        );
        assert!(too_old.counts_against_company());
        let accepted = judged(
            &token(Some(&["AuditLog.Read.All"])),
            AuditRead::Entries(proof(2, person())),
        );
        assert!(!accepted.counts_against_company());
    }

    #[test]
    fn the_audit_permissions_role_id_is_graphs_from_the_verified_catalog() {
        assert_eq!(
            audit_permission_id(),
            Some("b0afded3-3588-46d8-8b3d-9842eff778da")
        );
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span(45 * 60), "45 minutes");
        assert_eq!(span(HOUR), "1 hour");
        assert_eq!(span(2 * HOUR + 60), "2 hours 1 minute");
        assert_eq!(span(72 * HOUR), "3 days");
        assert_eq!(span(73 * HOUR + 59), "3 days 1 hour");
    }
}
