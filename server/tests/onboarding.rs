//! A customer follows an onboarding link to a verified registration, against
//! the Entra simulator; links are scoped, expire and can be revoked.

mod support;

use app::model::{
    OnboardingCreated, OnboardingLinkView, OnboardingView, RegistrationView, TestResult,
};
use domain::evaluation::Status;
use entra_simulator::state::{NewApp, Scenario, Secret, Tenant};
use reqwest::{Client, StatusCode};
use serde_json::json;
use support::{app_error, browser, spawn_app_with, TestApp, PASSWORD};

const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
const OBJECT: &str = "33333333-3333-3333-3333-333333333333";
const SECRET: &str = "Qx8~kT3.vLr9_Zp2-onboardingSecret";

async fn simulator() -> entra_simulator::Simulator {
    let scenario = Scenario {
        tenants: vec![Tenant {
            id: TENANT.into(),
            domains: vec!["contoso.example".into()],
            display_name: "Contoso".into(),
            cloud: domain::Cloud::Global,
        }],
        apps: vec![NewApp {
            tenant_id: TENANT.into(),
            client_id: Some(CLIENT.into()),
            object_id: Some(OBJECT.into()),
            secrets: vec![Secret {
                value: SECRET.into(),
                expires_at: time::OffsetDateTime::now_utc().unix_timestamp() + 90 * 86_400,
            }],
            ..NewApp::default()
        }],
        ..Scenario::default()
    };
    entra_simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .unwrap()
}

async fn staff_with_tenant(
    app: &TestApp,
    org: &str,
    email: &str,
    tenant_id: &str,
) -> (Client, String) {
    app.create_organisation(org, email).await;
    let staff = app.signed_in(email, PASSWORD).await;
    let form = [
        ("id", ""),
        ("form[display_name]", "Contoso"),
        ("form[tenant_id]", tenant_id),
        ("form[primary_domain]", ""),
        ("form[cloud]", "global"),
        ("form[contacts]", ""),
        ("form[notes]", ""),
    ];
    let id: String = app
        .call(&staff, "save_tenant", &form)
        .await
        .json()
        .await
        .unwrap();
    (staff, id)
}

async fn link(app: &TestApp, staff: &Client, tenant: &str, profiles: &str) -> String {
    let response = app
        .call(
            staff,
            "create_onboarding_link",
            &[("tenant_id", tenant), ("profiles", profiles)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let created: OnboardingCreated = response.json().await.unwrap();
    assert!(created.link.starts_with(&app.address));
    created.link.rsplit('/').next().unwrap().to_owned()
}

fn in_four_months() -> String {
    let date = (time::OffsetDateTime::now_utc() + time::Duration::days(120)).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

async fn save(app: &TestApp, token: &str, tenant_id: &str, secret: &str) -> reqwest::Response {
    let expires = in_four_months();
    let form = [
        ("token", token),
        ("form[tenant_id]", tenant_id),
        ("form[client_id]", CLIENT),
        ("form[object_id]", OBJECT),
        ("form[secret]", secret),
        ("form[secret_expires]", expires.as_str()),
    ];
    app.call(&browser(), "save_onboarding", &form).await
}

#[tokio::test]
async fn a_customer_follows_the_link_fixes_missing_consent_and_ends_with_an_active_registration() {
    let sim = simulator().await;
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
    ])
    .await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let token = link(&app, &staff, &tenant, "recovery").await;

    let customer = browser();
    let view: OnboardingView = app
        .call(&customer, "onboarding", &[("token", token.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view.tenant_name, "Contoso");
    assert_eq!(view.requirements[0].permission, "AuditLog.Read.All");
    assert!(view.needs_object_id);
    assert!(
        view.powershell
            .contains("b0afded3-3588-46d8-8b3d-9842eff778da"),
        "the catalog's AuditLog.Read.All GUID"
    );
    assert!(view
        .azure_cli
        .contains("--required-resource-accesses @tenantry-manifest.json"));
    let page = customer
        .get(app.url(&format!("/onboard/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    let saved = save(&app, &token, TENANT, SECRET).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved_text = saved.text().await.unwrap();
    assert!(!saved_text.contains(SECRET), "the secret is write-only");
    let saved: OnboardingView = serde_json::from_str(&saved_text).unwrap();
    assert!(saved
        .consent_url
        .unwrap()
        .contains(&format!("/{TENANT}/adminconsent?client_id={CLIENT}")));

    let first: TestResult = app
        .call(&customer, "test_onboarding", &[("token", token.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first.status, Status::Failing);
    assert_eq!(first.findings[0].code.as_str(), "consent_missing");
    assert!(!first.completed);

    reqwest::Client::new()
        .post(format!("{}/_admin/apps/{CLIENT}/roles", sim.base_url()))
        .json(&json!({"grant": ["AuditLog.Read.All"]}))
        .send()
        .await
        .unwrap();
    let second: TestResult = app
        .call(&customer, "test_onboarding", &[("token", token.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second.status, Status::Healthy);
    assert!(second.completed);

    let registrations: Vec<RegistrationView> = app
        .call(&staff, "registrations", &[("tenant_id", tenant.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(registrations.len(), 1);
    assert_eq!(registrations[0].client_id, CLIENT);
    assert_eq!(registrations[0].credential, "Client secret …cret");
    let links: Vec<OnboardingLinkView> = app
        .call(
            &staff,
            "onboarding_links",
            &[("tenant_id", tenant.as_str())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(links[0].state, "Completed");
}

#[tokio::test]
async fn progress_is_kept_and_bad_entries_are_named_without_losing_the_saved_secret() {
    let sim = simulator().await;
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
    ])
    .await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let token = link(&app, &staff, &tenant, "recovery").await;
    save(&app, &token, TENANT, SECRET).await;

    let wrong_tenant = save(&app, &token, "99999999-9999-9999-9999-999999999999", "").await;
    assert_eq!(wrong_tenant.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(wrong_tenant)
        .await
        .for_field("tenant_id")
        .unwrap()
        .contains("not the tenant"));
    let secret_id = save(&app, &token, TENANT, "44444444-4444-4444-4444-444444444444").await;
    assert!(app_error(secret_id)
        .await
        .for_field("secret")
        .unwrap()
        .contains("secret's ID"));

    let reopened: OnboardingView = app
        .call(&browser(), "onboarding", &[("token", token.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reopened.saved.client_id, CLIENT);
    assert_eq!(reopened.saved.object_id, OBJECT);
    assert_eq!(reopened.secret_hint.as_deref(), Some("…cret"));
    assert!(reopened.saved.secret.is_empty());
    let keep_secret = save(&app, &token, TENANT, "").await;
    assert_eq!(
        keep_secret.status(),
        StatusCode::OK,
        "an empty secret keeps the saved one"
    );
    let links: Vec<OnboardingLinkView> = app
        .call(
            &staff,
            "onboarding_links",
            &[("tenant_id", tenant.as_str())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(links[0].state, "Details saved (step 5)");
}

#[tokio::test]
async fn revoked_expired_and_unknown_links_open_nothing() {
    let sim = simulator().await;
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
    ])
    .await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let token = link(&app, &staff, &tenant, "email").await;
    let links: Vec<OnboardingLinkView> = app
        .call(
            &staff,
            "onboarding_links",
            &[("tenant_id", tenant.as_str())],
        )
        .await
        .json()
        .await
        .unwrap();

    let revoked = app
        .call(
            &staff,
            "revoke_onboarding_link",
            &[("link_id", links[0].id.as_str())],
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let after = app
        .call(&browser(), "onboarding", &[("token", token.as_str())])
        .await;
    assert_eq!(after.status(), StatusCode::GONE);
    assert!(app_error(after).await.to_string().contains("withdrawn"));
    assert_eq!(
        app.call(&browser(), "onboarding", &[("token", "guessed")])
            .await
            .status(),
        StatusCode::GONE
    );

    let short = spawn_app_with(&[("TENANTRY_ONBOARDING_TTL_HOURS", "1".into())]).await;
    let (staff, tenant) =
        staff_with_tenant(&short, "Tailspin", "olga@tailspin.example", TENANT).await;
    let token = link(&short, &staff, &tenant, "email").await;
    let pool = sqlx::SqlitePool::connect(&short.config.database_url)
        .await
        .unwrap();
    sqlx::query("UPDATE onboarding_links SET expires_at = '2020-01-01T00:00:00Z'")
        .execute(&pool)
        .await
        .unwrap();
    let expired = short
        .call(&browser(), "onboarding", &[("token", token.as_str())])
        .await;
    assert_eq!(expired.status(), StatusCode::GONE);
    assert!(app_error(expired).await.to_string().contains("expired"));
}

#[tokio::test]
async fn links_belong_to_one_organisation_and_viewers_cannot_create_them() {
    let sim = simulator().await;
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
    ])
    .await;
    let (staff, tenant) =
        staff_with_tenant(&app, "Northwind IT", "nadia@northwind.example", TENANT).await;
    let viewer = app
        .add_member(&staff, "val@northwind.example", "viewer")
        .await;
    let (stranger, _) = staff_with_tenant(&app, "Fabrikam", "grace@fabrikam.example", TENANT).await;

    let by_viewer = app
        .call(
            &viewer,
            "create_onboarding_link",
            &[("tenant_id", tenant.as_str()), ("profiles", "email")],
        )
        .await;
    assert_eq!(by_viewer.status(), StatusCode::FORBIDDEN);
    let by_stranger = app
        .call(
            &stranger,
            "create_onboarding_link",
            &[("tenant_id", tenant.as_str()), ("profiles", "email")],
        )
        .await;
    assert_eq!(by_stranger.status(), StatusCode::NOT_FOUND);

    link(&app, &staff, &tenant, "email").await;
    let seen: Vec<OnboardingLinkView> = app
        .call(
            &stranger,
            "onboarding_links",
            &[("tenant_id", tenant.as_str())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(seen.is_empty());
    let links: Vec<OnboardingLinkView> = app
        .call(
            &staff,
            "onboarding_links",
            &[("tenant_id", tenant.as_str())],
        )
        .await
        .json()
        .await
        .unwrap();
    let revoke = app
        .call(
            &stranger,
            "revoke_onboarding_link",
            &[("link_id", links[0].id.as_str())],
        )
        .await;
    assert_eq!(revoke.status(), StatusCode::NOT_FOUND);
}
