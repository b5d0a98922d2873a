//! The client and the verdict, end to end over HTTP against the simulator.

mod support;

use domain::evaluation::{PermissionState, Status};
use domain::finding::FindingCode;
use domain::ids::{ClientId, TenantRef};
use domain::profile;
use domain::Cloud;
use entra::{CertificateKey, Credential};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::*;

fn codes(report: &entra::VerifyReport) -> Vec<FindingCode> {
    report.verdict.findings.iter().map(|f| f.code).collect()
}

#[tokio::test]
async fn a_consented_registration_with_the_right_secret_is_healthy() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;

    let report = verify(&client_for(&sim), &Check::default(), &secret(SECRET)).await;

    assert_eq!(
        report.verdict.status,
        Status::Healthy,
        "{:?}",
        report.verdict.findings
    );
    assert_eq!(
        report.verdict.permissions[0].state,
        PermissionState::Granted
    );
    let token = report.token.unwrap();
    assert_eq!(token.tid.as_deref(), Some(TENANT));
    assert_eq!(token.appid.as_deref(), Some(CLIENT));
}

#[tokio::test]
async fn a_certificate_from_pem_or_pfx_reaches_healthy() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
    let cert = test_certificate();
    admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/certificates"),
        json!({"pem": cert.cert_pem}),
    )
    .await;
    let client = client_for(&sim);

    let from_pem =
        CertificateKey::from_pem(cert.cert_pem.as_bytes(), cert.key_pem.as_bytes()).unwrap();
    let report = verify(
        &client,
        &Check::default(),
        &Credential::Certificate(Arc::new(from_pem)),
    )
    .await;
    assert_eq!(
        report.verdict.status,
        Status::Healthy,
        "{:?}",
        report.verdict.findings
    );

    let from_pfx = CertificateKey::from_pkcs12(&pkcs12(cert, "pfx pass"), "pfx pass").unwrap();
    let report = verify(
        &client,
        &Check::default(),
        &Credential::Certificate(Arc::new(from_pfx)),
    )
    .await;
    assert_eq!(
        report.verdict.status,
        Status::Healthy,
        "{:?}",
        report.verdict.findings
    );
}

#[tokio::test]
async fn a_wrong_pfx_password_is_refused_clearly() {
    let error =
        CertificateKey::from_pkcs12(&pkcs12(test_certificate(), "right"), "wrong").unwrap_err();
    assert!(error.to_string().contains("password is wrong"));
}

#[tokio::test]
async fn an_unregistered_certificate_is_rejected() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
    let cert = test_certificate();
    let key = CertificateKey::from_pem(cert.cert_pem.as_bytes(), cert.key_pem.as_bytes()).unwrap();

    let report = verify(
        &client_for(&sim),
        &Check::default(),
        &Credential::Certificate(Arc::new(key)),
    )
    .await;

    assert_eq!(codes(&report), [FindingCode::CertificateRejected]);
    assert_eq!(report.verdict.status, Status::Failing);
    assert!(report.trace_id.is_some());
}

#[tokio::test]
async fn missing_consent_is_failing_not_healthy() {
    let sim = simulator(vec![app(&[])]).await;

    let report = verify(&client_for(&sim), &Check::default(), &secret(SECRET)).await;

    assert_eq!(report.verdict.status, Status::Failing);
    assert_eq!(codes(&report), [FindingCode::ConsentMissing]);
}

#[tokio::test]
async fn each_identity_platform_refusal_becomes_its_finding() {
    let mut disabled = app(&["AuditLog.Read.All"]);
    disabled.client_id = Some("55555555-5555-5555-5555-555555555555".into());
    disabled.disabled = true;
    let mut expired = app(&["AuditLog.Read.All"]);
    expired.client_id = Some("66666666-6666-6666-6666-666666666666".into());
    expired.secrets[0].expires_at = now() - 10;
    let mut sovereign = app(&["AuditLog.Read.All"]);
    sovereign.tenant_id = "44444444-4444-4444-4444-444444444444".into();
    sovereign.client_id = Some("77777777-7777-7777-7777-777777777777".into());
    let mut unprovisioned = app(&["AuditLog.Read.All"]);
    unprovisioned.client_id = Some("33333333-3333-3333-3333-333333333331".into());
    let mut public = app(&["AuditLog.Read.All"]);
    public.client_id = Some("33333333-3333-3333-3333-333333333332".into());
    let sim = simulator(vec![
        app(&["AuditLog.Read.All"]),
        disabled,
        expired,
        sovereign,
        unprovisioned,
        public,
    ])
    .await;
    {
        let mut directory = sim.shared.lock();
        let unprovisioned = directory
            .app_mut("33333333-3333-3333-3333-333333333331")
            .unwrap();
        unprovisioned.without_service_principal = true;
        let public = directory
            .app_mut("33333333-3333-3333-3333-333333333332")
            .unwrap();
        public.fallback_public_client = true;
    }
    let client = client_for(&sim);
    let check = |tenant: &str, client_id: &str| Check {
        tenant: TenantRef::parse(tenant).unwrap(),
        client_id: ClientId::parse(client_id).unwrap(),
        ..Check::default()
    };

    let table = [
        (check(TENANT, CLIENT), "wrong", FindingCode::InvalidSecret),
        (
            check(TENANT, "66666666-6666-6666-6666-666666666666"),
            SECRET,
            FindingCode::SecretExpired,
        ),
        (
            check(TENANT, "99999999-9999-9999-9999-999999999999"),
            SECRET,
            FindingCode::AppNotFound,
        ),
        (
            check("88888888-8888-8888-8888-888888888888", CLIENT),
            SECRET,
            FindingCode::TenantNotFound,
        ),
        (
            check(TENANT, "55555555-5555-5555-5555-555555555555"),
            SECRET,
            FindingCode::AppDisabled,
        ),
        (
            check(
                "44444444-4444-4444-4444-444444444444",
                "77777777-7777-7777-7777-777777777777",
            ),
            SECRET,
            FindingCode::WrongCloud,
        ),
        (
            check(TENANT, "33333333-3333-3333-3333-333333333331"),
            SECRET,
            FindingCode::ServicePrincipalMissing,
        ),
        (
            check(TENANT, "33333333-3333-3333-3333-333333333332"),
            SECRET,
            FindingCode::PublicClient,
        ),
    ];
    for (check, value, expected) in table {
        let report = verify(&client, &check, &secret(value)).await;
        assert_eq!(codes(&report), [expected], "{expected:?}");
        assert_eq!(report.verdict.status, Status::Failing);
    }

    let right_cloud = Check {
        cloud: Cloud::GccHigh,
        ..check(
            "44444444-4444-4444-4444-444444444444",
            "77777777-7777-7777-7777-777777777777",
        )
    };
    assert_eq!(
        verify(&client, &right_cloud, &secret(SECRET))
            .await
            .verdict
            .status,
        Status::Healthy
    );
}

#[tokio::test]
async fn a_token_from_another_tenant_than_the_one_on_file_is_failing() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
    let check = Check {
        tenant: TenantRef::parse("contoso.example").unwrap(),
        expected_tenant: Some("33333333-3333-3333-3333-333333333333".into()),
        ..Check::default()
    };

    let report = verify(&client_for(&sim), &check, &secret(SECRET)).await;

    assert_eq!(codes(&report), [FindingCode::TenantMismatch]);
}

#[tokio::test]
async fn a_granted_permission_graph_still_refuses_is_not_effective() {
    let mut ineffective = app(&["AuditLog.Read.All"]);
    ineffective.ineffective = vec!["AuditLog.Read.All".into()];
    let sim = simulator(vec![ineffective]).await;

    let report = verify(&client_for(&sim), &Check::default(), &secret(SECRET)).await;

    assert_eq!(codes(&report), [FindingCode::PermissionNotEffective]);
}

#[tokio::test]
async fn throttling_is_retried_after_retry_after_and_then_succeeds() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
    admin(&sim, "/_admin/faults", json!({"kind": "status", "code": 429, "retry_after_secs": 1, "times": 2, "scope": {"endpoint": "token"}})).await;

    let started = std::time::Instant::now();
    let report = verify(&client_for(&sim), &Check::default(), &secret(SECRET)).await;

    assert_eq!(report.verdict.status, Status::Healthy);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited as Retry-After asked"
    );
    assert_eq!(stats(&sim).await["token_requests"], 3);
}

#[tokio::test]
async fn endless_throttling_ends_as_could_not_check() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
    admin(
        &sim,
        "/_admin/faults",
        json!({"kind": "status", "code": 429, "retry_after_secs": 0}),
    )
    .await;

    let report = verify(&client_for(&sim), &Check::default(), &secret(SECRET)).await;

    assert_eq!(report.verdict.status, Status::CouldNotCheck);
    assert_eq!(codes(&report), [FindingCode::Throttled]);
}

#[tokio::test]
async fn a_service_that_stays_unavailable_is_an_outage_not_throttling() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
    admin(
        &sim,
        "/_admin/faults",
        json!({"kind": "status", "code": 503, "scope": {"endpoint": "token"}}),
    )
    .await;

    let report = verify(&client_for(&sim), &Check::default(), &secret(SECRET)).await;

    assert_eq!(report.verdict.status, Status::CouldNotCheck);
    assert_eq!(codes(&report), [FindingCode::ServiceUnavailable]);
    assert!(
        stats(&sim).await["token_requests"].as_u64() > Some(1),
        "an outage is still retried"
    );
}

#[tokio::test]
async fn a_503_that_asks_to_wait_is_throttling() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
    admin(
        &sim,
        "/_admin/faults",
        json!({"kind": "status", "code": 503, "retry_after_secs": 0, "scope": {"endpoint": "token"}}),
    )
    .await;

    let report = verify(&client_for(&sim), &Check::default(), &secret(SECRET)).await;

    assert_eq!(codes(&report), [FindingCode::Throttled]);
}

#[tokio::test]
async fn malformed_answers_server_errors_and_timeouts_are_could_not_check() {
    let faults = [
        (
            json!({"kind": "malformed"}),
            FindingCode::UnexpectedResponse,
        ),
        (
            json!({"kind": "garbled_token"}),
            FindingCode::UnexpectedResponse,
        ),
        (
            json!({"kind": "status", "code": 500}),
            FindingCode::UnexpectedResponse,
        ),
        (json!({"kind": "timeout"}), FindingCode::Unreachable),
    ];
    for (fault, expected) in faults {
        let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
        admin(&sim, "/_admin/faults", fault.clone()).await;
        let client = client_with(&sim, Duration::from_millis(300), fast_retry());

        let report = verify(&client, &Check::default(), &secret(SECRET)).await;

        assert_eq!(report.verdict.status, Status::CouldNotCheck, "{fault}");
        assert_eq!(codes(&report), [expected], "{fault}");
    }
}

#[tokio::test]
async fn tokens_are_cached_until_invalidated_after_consent_changes() {
    let sim = simulator(vec![app(&[])]).await;
    let client = client_for(&sim);
    let check = Check::default();
    let credential = secret(SECRET);

    assert_eq!(
        verify(&client, &check, &credential).await.verdict.status,
        Status::Failing
    );
    admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/roles"),
        json!({"grant": ["AuditLog.Read.All"]}),
    )
    .await;
    let stale = verify(&client, &check, &credential).await;
    assert_eq!(
        stale.verdict.status,
        Status::Failing,
        "the cached token predates consent"
    );
    assert_eq!(stats(&sim).await["token_requests"], 1);

    client.invalidate(check.cloud, &check.tenant, &check.client_id, &credential);
    let fresh = verify(&client, &check, &credential).await;

    assert_eq!(fresh.verdict.status, Status::Healthy);
    assert_eq!(stats(&sim).await["token_requests"], 2);
}

#[tokio::test]
async fn a_client_that_keeps_no_tokens_uses_a_kept_one_but_adds_none() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
    let keeping = client_for(&sim);
    let scheduled = keeping.without_keeping_tokens();
    let check = Check::default();
    let credential = secret(SECRET);

    verify(&scheduled, &check, &credential).await;
    verify(&scheduled, &check, &credential).await;
    assert_eq!(
        stats(&sim).await["token_requests"],
        2,
        "each scheduled check asks for its own token"
    );

    verify(&keeping, &check, &credential).await;
    let report = verify(&scheduled, &check, &credential).await;
    assert_eq!(report.verdict.status, Status::Healthy);
    assert_eq!(
        stats(&sim).await["token_requests"],
        3,
        "the token kept by the first client is used by the second"
    );
}

#[tokio::test]
async fn shared_registrations_report_optional_and_extra_permissions() {
    let sim = simulator(vec![app(&[
        "DeviceManagementApps.ReadWrite.All",
        "DeviceManagementConfiguration.Read.All",
        "DeviceManagementManagedDevices.Read.All",
        "DeviceManagementRBAC.Read.All",
        "DeviceManagementServiceConfig.ReadWrite.All",
        "GroupMember.Read.All",
        "Mail.Send",
        "Directory.Read.All",
    ])])
    .await;
    let check = Check {
        profiles: vec![profile::intune_publishing(), profile::email()],
        ..Check::default()
    };

    let report = verify(&client_for(&sim), &check, &secret(SECRET)).await;

    assert_eq!(
        report.verdict.status,
        Status::Warning,
        "{:?}",
        report.verdict.findings
    );
    assert_eq!(report.verdict.extra_permissions, ["Directory.Read.All"]);
    let optional = report
        .verdict
        .permissions
        .iter()
        .filter(|p| p.state == PermissionState::OptionalMissing)
        .count();
    assert_eq!(optional, 2);
}

#[tokio::test]
async fn audit_log_pages_are_followed_and_the_organization_is_read() {
    let sim = simulator(vec![app(&["AuditLog.Read.All", "Organization.Read.All"])]).await;
    for i in 0..150 {
        admin(&sim, "/_admin/audit", json!({
            "id": format!("e{i}"), "tenant_id": TENANT, "activity": "Add application", "at": now() - 60 - i,
            "target_object_id": format!("00000000-0000-0000-0000-{i:012}"), "target_app_id": CLIENT, "target_name": "x"
        }))
        .await;
    }
    let client = client_for(&sim);
    let tenant = TenantRef::parse(TENANT).unwrap();
    let token = client
        .token(
            Cloud::Global,
            &tenant,
            &ClientId::parse(CLIENT).unwrap(),
            &secret(SECRET),
        )
        .await
        .unwrap();

    let records = entra::graph::directory_audits(
        &client,
        Cloud::Global,
        &token,
        "Add application",
        now() - 3600,
        10,
    )
    .await
    .unwrap();
    let organization = entra::graph::organization(&client, Cloud::Global, &token)
        .await
        .unwrap();

    assert_eq!(records.len(), 151, "150 added plus the app's own creation");
    assert!(records.iter().any(|r| r
        .target_ids
        .contains(&"00000000-0000-0000-0000-000000000149".to_string())));
    assert_eq!(organization.id, TENANT);
    assert_eq!(organization.verified_domains, ["contoso.example"]);
}

#[tokio::test]
async fn audit_log_reads_stay_inside_microsofts_per_app_limit_without_being_sent() {
    let sim = simulator(vec![app(&["AuditLog.Read.All"])]).await;
    let client = client_for(&sim);
    for _ in 0..5 {
        let report = verify(&client, &Check::default(), &secret(SECRET)).await;
        assert_eq!(report.verdict.status, Status::Healthy);
    }
    let sixth = verify(&client, &Check::default(), &secret(SECRET)).await;
    assert_eq!(sixth.verdict.status, Status::CouldNotCheck);
    assert_eq!(codes(&sixth), vec![FindingCode::Throttled]);
    let wait = sixth.retry_after.expect("how long to wait");
    assert!(wait <= Duration::from_secs(10), "{wait:?}");
    let stats: serde_json::Value = reqwest::get(format!("{}/_admin/stats", sim.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["graph_requests"], 5, "the sixth read was never sent");
}
