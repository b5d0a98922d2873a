//! The recovery checklist over HTTP against the simulator: every check passing
//! and failing, the 72-hour window at its edges, a log that lags, and the
//! audit log's pages.

mod support;

use domain::recovery::checklist::{CheckCode, CheckState, Outcome, Report};
use domain::{ClientId, Cloud, ObjectId, SecretValue, TenantId};
use entra::{check_recovery, RecoveryRequest};
use entra_simulator::state::{NewApp, Scenario};
use entra_simulator::Simulator;
use serde_json::json;
use support::*;

const OBJECT: &str = "0b1ec700-0000-4000-8000-000000000001";
const HOUR: i64 = 3600;

/// The recovery app as a person makes it: AuditLog.Read.All with consent,
/// a client secret, created `hours_ago` by ada@contoso.example.
fn recovery_app(hours_ago: i64) -> NewApp {
    NewApp {
        object_id: Some(OBJECT.into()),
        created_at: Some(now() - hours_ago * HOUR),
        created_by: Some("ada@contoso.example".into()),
        ..app(&["AuditLog.Read.All"])
    }
}

struct Attempt {
    tenant: &'static str,
    expected_tenant: Option<&'static str>,
    secret: &'static str,
    now: i64,
}

impl Default for Attempt {
    fn default() -> Self {
        Self {
            tenant: TENANT,
            expected_tenant: Some(TENANT),
            secret: SECRET,
            now: now(),
        }
    }
}

async fn recover(sim: &Simulator, attempt: Attempt) -> Report {
    recover_with(&client_for(sim), attempt).await
}

fn state(report: &Report, code: CheckCode) -> CheckState {
    report.check(code).expect("every check is reported").state
}

/// Ada's object id, as the simulator's log names her.
fn ada_id(sim: &Simulator) -> String {
    sim.shared
        .lock()
        .audit_of(TENANT)
        .find(|event| event.initiated_by == "ada@contoso.example")
        .expect("Ada created the app")
        .initiator_id
        .clone()
}

async fn token_requests(sim: &Simulator) -> u64 {
    sim.shared.lock().token_requests
}

#[tokio::test]
async fn an_app_a_person_created_two_hours_ago_proves_control_of_the_tenant() {
    let sim = simulator(vec![recovery_app(2)]).await;

    let report = recover(&sim, Attempt::default()).await;

    assert_eq!(report.outcome, Outcome::Accepted, "{report:#?}");
    for check in &report.checks {
        assert_eq!(check.state, CheckState::Passed, "{check:?}");
    }
    let creator = report.initiated_by.expect("the creator is named");
    assert_eq!(creator.user_principal_name, "ada@contoso.example");
    assert!(!creator.id.is_empty());
    let age = report.age_secs.unwrap();
    assert!((2 * HOUR..2 * HOUR + 60).contains(&age), "age {age}");
}

#[tokio::test]
async fn the_window_holds_at_seventy_one_and_exactly_seventy_two_hours_and_not_at_seventy_three() {
    for (hours, outcome) in [
        (71, Outcome::Accepted),
        (72, Outcome::Accepted),
        (73, Outcome::Rejected),
    ] {
        let sim = simulator(vec![recovery_app(0)]).await;
        // The app is created at the simulator's now; the checklist is
        // judged exactly `hours` later on Tenantry's clock.
        let created = sim.shared.lock().app(CLIENT).unwrap().created_at;
        let report = recover(
            &sim,
            Attempt {
                now: created + hours * HOUR,
                ..Attempt::default()
            },
        )
        .await;
        assert_eq!(report.outcome, outcome, "{hours} h: {report:#?}");
        assert_eq!(report.age_secs, Some(hours * HOUR));
    }
}

#[tokio::test]
async fn a_creation_the_log_does_not_show_yet_is_pending_until_it_appears() {
    let sim = simulator(vec![NewApp {
        creation_visible_after_secs: Some(3600),
        ..recovery_app(0)
    }])
    .await;

    let waiting = recover(&sim, Attempt::default()).await;
    assert_eq!(waiting.outcome, Outcome::NotYetVisible, "{waiting:#?}");
    assert_eq!(
        state(&waiting, CheckCode::CreationEvent),
        CheckState::Pending
    );
    assert_eq!(
        state(&waiting, CheckCode::AuditPermission),
        CheckState::Passed
    );

    admin(&sim, "/_admin/audit/reveal", json!({})).await;
    let visible = recover(&sim, Attempt::default()).await;
    assert_eq!(visible.outcome, Outcome::Accepted, "{visible:#?}");
}

#[tokio::test]
async fn an_app_created_by_another_application_proves_nothing() {
    let sim = simulator(vec![NewApp {
        created_by_app: Some("Provisioning robot".into()),
        ..recovery_app(1)
    }])
    .await;

    let report = recover(&sim, Attempt::default()).await;

    assert_eq!(report.outcome, Outcome::Rejected);
    assert_eq!(state(&report, CheckCode::Initiator), CheckState::Failed);
    assert!(report
        .check(CheckCode::Initiator)
        .unwrap()
        .detail
        .contains("Provisioning robot"));
    assert!(report.initiated_by.is_none());
}

/// A failed "Add application" for the same object, logged after the real
/// creation, as Microsoft logs a retried portal action.
fn failed_creation(sim: &Simulator, at: i64) -> serde_json::Value {
    json!({
        "id": "failed-1",
        "tenant_id": TENANT,
        "activity": "Add application",
        "at": at,
        "target_object_id": OBJECT,
        "target_app_id": CLIENT,
        "target_name": "Tenantry Recovery",
        "result": "failure",
        "initiated_by": format!("mallory@{}", sim.addr.ip()),
    })
}

#[tokio::test]
async fn a_failed_creation_does_not_count() {
    let sim = simulator(vec![NewApp {
        creation_visible_after_secs: Some(3600),
        ..recovery_app(0)
    }])
    .await;
    admin(&sim, "/_admin/audit", failed_creation(&sim, now() - 60)).await;

    let report = recover(&sim, Attempt::default()).await;

    assert_eq!(report.outcome, Outcome::NotYetVisible, "{report:#?}");
}

#[tokio::test]
async fn the_creation_is_found_on_the_second_page_of_the_log() {
    let sim = entra_simulator::spawn(
        "127.0.0.1:0".parse().unwrap(),
        Scenario {
            audit_page_size: Some(1),
            ..scenario(vec![recovery_app(3)])
        },
    )
    .await
    .unwrap();
    // Newer than the creation, so the log lists it first.
    admin(&sim, "/_admin/audit", failed_creation(&sim, now() - 60)).await;

    let report = recover(&sim, Attempt::default()).await;

    assert_eq!(report.outcome, Outcome::Accepted, "{report:#?}");
    assert!(
        sim.shared.lock().graph_requests >= 2,
        "both pages were read"
    );
}

#[tokio::test]
async fn a_log_the_app_may_not_read_is_reported_as_such() {
    let sim = simulator(vec![NewApp {
        ineffective: vec!["AuditLog.Read.All".into()],
        ..recovery_app(1)
    }])
    .await;

    let report = recover(&sim, Attempt::default()).await;

    assert_eq!(report.outcome, Outcome::Rejected);
    let check = report.check(CheckCode::CreationEvent).unwrap();
    assert_eq!(check.state, CheckState::Failed);
    assert!(check.detail.contains("403"), "{}", check.detail);
}

#[tokio::test]
async fn without_admin_consent_the_permission_check_fails_and_names_who_can_grant_it() {
    let sim = simulator(vec![NewApp {
        roles: vec![],
        ..recovery_app(1)
    }])
    .await;

    let report = recover(&sim, Attempt::default()).await;

    assert_eq!(report.outcome, Outcome::Rejected);
    assert_eq!(state(&report, CheckCode::Token), CheckState::Passed);
    let check = report.check(CheckCode::AuditPermission).unwrap();
    assert_eq!(check.state, CheckState::Failed);
    assert!(check.fix.contains("Global Administrator"));
    assert_eq!(
        state(&report, CheckCode::CreationEvent),
        CheckState::Skipped
    );
}

#[tokio::test]
async fn a_wrong_secret_fails_the_token_check_with_the_taxonomys_fix() {
    let sim = simulator(vec![recovery_app(1)]).await;

    let report = recover(
        &sim,
        Attempt {
            secret: "sim~Wrong.Secret.Value",
            ..Attempt::default()
        },
    )
    .await;

    assert_eq!(report.outcome, Outcome::Rejected);
    assert_eq!(state(&report, CheckCode::Token), CheckState::Failed);
    assert_eq!(
        report.findings[0].code,
        domain::finding::FindingCode::InvalidSecret
    );
}

#[tokio::test]
async fn another_tenant_than_the_companys_is_refused_without_asking_microsoft() {
    let sim = simulator(vec![recovery_app(1)]).await;

    let report = recover(
        &sim,
        Attempt {
            expected_tenant: Some("33333333-3333-3333-3333-333333333333"),
            ..Attempt::default()
        },
    )
    .await;

    assert_eq!(report.outcome, Outcome::Rejected);
    assert_eq!(state(&report, CheckCode::TenantMatch), CheckState::Failed);
    assert_eq!(token_requests(&sim).await, 0);
}

#[tokio::test]
async fn every_check_asks_for_a_new_token_so_consent_granted_meanwhile_counts() {
    let sim = simulator(vec![NewApp {
        roles: vec![],
        ..recovery_app(1)
    }])
    .await;
    let client = client_for(&sim);
    let first = recover_with(&client, Attempt::default()).await;
    assert_eq!(first.outcome, Outcome::Rejected);

    admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/roles"),
        json!({"grant": ["AuditLog.Read.All"], "by": "ada@contoso.example"}),
    )
    .await;
    let second = recover_with(&client, Attempt::default()).await;

    assert_eq!(second.outcome, Outcome::Accepted, "{second:#?}");
    assert_eq!(token_requests(&sim).await, 2);
}

#[tokio::test]
async fn an_app_whose_consent_another_person_granted_waits_and_is_never_accepted() {
    let sim = simulator(vec![NewApp {
        consented_by: Some("it-admin@contoso.example".into()),
        ..recovery_app(2)
    }])
    .await;

    let report = recover(&sim, Attempt::default()).await;

    assert_eq!(report.outcome, Outcome::NotYetVisible, "{report:#?}");
    assert_eq!(state(&report, CheckCode::Initiator), CheckState::Pending);
    let fix = &report.check(CheckCode::Initiator).unwrap().fix;
    assert!(fix.contains("grant its admin consent yourself"), "{fix}");
}

#[tokio::test]
async fn a_role_of_the_same_name_on_another_api_is_not_the_consent() {
    let sim = simulator(vec![NewApp {
        consented_by: Some("it-admin@contoso.example".into()),
        ..recovery_app(2)
    }])
    .await;
    // Ada names a role of her own API "AuditLog.Read.All" and grants it.
    admin(
        &sim,
        "/_admin/audit",
        json!({
            "id": "namesake-grant",
            "tenant_id": TENANT,
            "activity": "Add app role assignment to service principal",
            "at": now() - HOUR,
            "target_object_id": OBJECT,
            "target_app_id": CLIENT,
            "target_name": "Tenantry Recovery",
            "initiated_by": "ada@contoso.example",
            "initiator_id": ada_id(&sim),
            "granted_role": "AuditLog.Read.All",
            "granted_role_id": "0f0f0f0f-0000-4000-8000-000000000000",
        }),
    )
    .await;

    let report = recover(&sim, Attempt::default()).await;

    assert_ne!(report.outcome, Outcome::Accepted, "{report:#?}");
    assert_eq!(state(&report, CheckCode::Initiator), CheckState::Pending);
}

#[tokio::test]
async fn microsoft_out_of_reach_could_not_check_and_says_to_try_again() {
    let sim = simulator(vec![recovery_app(1)]).await;
    admin(
        &sim,
        "/_admin/faults",
        json!({"kind": "status", "code": 503, "retry_after_secs": null, "scope": {"endpoint": "token"}}),
    )
    .await;

    let report = recover(&sim, Attempt::default()).await;

    assert_eq!(report.outcome, Outcome::CouldNotCheck, "{report:#?}");
    assert!(!report.outcome.counts_as_failure());
    assert_eq!(state(&report, CheckCode::Token), CheckState::Pending);
}

async fn recover_with(client: &entra::EntraClient, attempt: Attempt) -> Report {
    let tenant_id = TenantId::parse(attempt.tenant).unwrap();
    let expected = attempt.expected_tenant.map(|t| TenantId::parse(t).unwrap());
    check_recovery(
        client,
        &RecoveryRequest {
            cloud: Cloud::Global,
            tenant_id: &tenant_id,
            expected_tenant_id: expected.as_ref(),
            client_id: &ClientId::parse(CLIENT).unwrap(),
            object_id: &ObjectId::parse(OBJECT).unwrap(),
            credential: &entra::Credential::Secret(SecretValue::new(attempt.secret).unwrap()),
            window_secs: 72 * HOUR,
            now: attempt.now,
        },
    )
    .await
}
