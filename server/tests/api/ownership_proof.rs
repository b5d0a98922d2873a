//! A customer proves control of their tenant through an ownership-proof
//! link (the company recovery product): the wizard's test is the recovery
//! checklist, and acceptance marks the tenant verified, with the evidence,
//! and tells the MSP's admins.

use crate::support::onboarding::Customer;
use crate::support::onboarding::{in_days, invite};
use crate::support::simulator::{self, contoso_with, CLIENT, OBJECT, SECRET, TENANT};
use crate::support::{app_error, spawn_app_with, TestApp};
use app::model::{TenantDetails, TestResult};
use entra_simulator::smtp;
use entra_simulator::state::NewApp;
use reqwest::{Client, StatusCode};

fn recovery_app(hours_ago: i64) -> NewApp {
    simulator::recovery_app(hours_ago, "carol@contoso.example")
}

struct Msp {
    app: TestApp,
    staff: Client,
    tenant: String,
    mail: smtp::MailServer,
    _sim: entra_simulator::Simulator,
}

async fn msp_with_contoso(app_made: NewApp) -> Msp {
    let sim = contoso_with(app_made).await;
    let mail = smtp::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_SMTP_URL", mail.url()),
        ("TENANTRY_MAIL_FROM", "tenantry@msp.example".to_owned()),
        ("TENANTRY_MAIL_POLL_SECONDS", "1".to_owned()),
    ])
    .await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant = app.add_tenant(&staff, "Contoso", TENANT).await;
    Msp {
        app,
        staff,
        tenant,
        mail,
        _sim: sim,
    }
}

impl Msp {
    /// The customer holding an ownership-proof link, every step before the
    /// test done.
    async fn customer_ready_to_test(&self) -> Customer {
        let customer = invite(&self.app, &self.staff, &self.tenant, "recovery").await;
        customer.finish_entra_steps().await;
        let secret_made = customer.finish(4).await;
        assert_eq!(
            secret_made.status(),
            StatusCode::OK,
            "nothing is saved at step 4"
        );
        let ids = customer.save_ids(TENANT, CLIENT, OBJECT).await;
        assert_eq!(ids.status(), StatusCode::OK);
        customer
    }

    async fn details(&self) -> TenantDetails {
        let response = self
            .app
            .call(
                &self.staff,
                "load_tenant",
                &[("customer_tenant_id", &self.tenant)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

#[tokio::test]
async fn a_customer_proves_control_and_the_tenant_is_marked_verified_with_the_evidence() {
    let msp = msp_with_contoso(recovery_app(2)).await;
    let customer = msp.customer_ready_to_test().await;

    let response = customer.prove_with(SECRET).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(!text.contains(SECRET), "the secret is never sent back");
    let tested: TestResult = serde_json::from_str(&text).unwrap();

    let shown = tested.ownership.expect("the recovery checklist");
    assert_eq!(shown.outcome.as_str(), "accepted", "{shown:#?}");
    assert_eq!(shown.checks.len(), 6);
    assert!(tested.completed);
    let details = msp.details().await;
    let proof = details.ownership.expect("the tenant is verified");
    assert_eq!(proof.verified_by, "carol@contoso.example");
    assert!(proof.evidence.contains(OBJECT) && proof.evidence.contains(CLIENT));
    assert!(!proof.is_contact);
    assert!(
        msp.app
            .registrations(&msp.staff, &msp.tenant)
            .await
            .is_empty(),
        "a recovery app is not kept as a registration"
    );
    assert_eq!(
        msp.app.onboarding_links(&msp.staff, &msp.tenant).await[0].state,
        "Completed"
    );

    let received = msp.mail.wait_for(1).await;
    assert_eq!(received.len(), 1, "the MSP's admin is told");
    assert_eq!(received[0].to, ["nadia@northwind.example"]);
    assert_eq!(
        received[0].header("Subject").as_deref(),
        Some("Contoso proved control of their Microsoft 365 tenant")
    );

    let adopted = msp
        .app
        .call(
            &msp.staff,
            "adopt_verified_contact",
            &[("customer_tenant_id", &msp.tenant)],
        )
        .await;
    assert_eq!(adopted.status(), StatusCode::OK);
    let details = msp.details().await;
    assert!(details.form.contacts.starts_with("carol@contoso.example"));
    assert!(details.ownership.unwrap().is_contact);
}

#[tokio::test]
async fn a_recovery_app_older_than_the_window_does_not_verify_the_tenant() {
    let msp = msp_with_contoso(recovery_app(73)).await;
    let customer = msp.customer_ready_to_test().await;

    let tested: TestResult = customer.prove_with(SECRET).await.json().await.unwrap();

    let shown = tested.ownership.unwrap();
    assert_eq!(shown.outcome.as_str(), "rejected");
    assert_eq!(shown.failures_left, 2);
    let window = shown
        .checks
        .iter()
        .find(|c| c.code.as_str() == "within_window")
        .unwrap();
    assert!(
        window.detail.contains("1 hour too old"),
        "{}",
        window.detail
    );
    assert!(!tested.completed);
    assert!(msp.details().await.ownership.is_none());
}

#[tokio::test]
async fn an_ownership_proof_is_sent_as_a_link_of_its_own() {
    let msp = msp_with_contoso(recovery_app(2)).await;

    let mixed = msp
        .app
        .call(
            &msp.staff,
            "create_onboarding_link",
            &[
                ("customer_tenant_id", msp.tenant.as_str()),
                ("profiles", "email,recovery"),
            ],
        )
        .await;

    assert_eq!(mixed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(mixed)
        .await
        .for_field("profiles")
        .unwrap()
        .contains("link of its own"));
}

#[tokio::test]
async fn nobody_can_adopt_a_contact_before_anyone_proved_control() {
    let msp = msp_with_contoso(recovery_app(2)).await;

    let refused = msp
        .app
        .call(
            &msp.staff,
            "adopt_verified_contact",
            &[("customer_tenant_id", &msp.tenant)],
        )
        .await;

    assert_eq!(refused.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_recovery_apps_secret_is_typed_at_the_test_and_never_stored() {
    let msp = msp_with_contoso(recovery_app(2)).await;
    let customer = msp.customer_ready_to_test().await;

    let refused = customer.save_secret(SECRET, &in_days(30)).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(app_error(refused)
        .await
        .to_string()
        .contains("never stores the secret"));
    assert_eq!(customer.generate().await.status(), StatusCode::CONFLICT);

    let no_object = customer.save_ids(TENANT, CLIENT, "").await;
    assert!(app_error(no_object)
        .await
        .for_field("object_id")
        .unwrap()
        .contains("Object ID"));

    let without = customer.call("test_onboarding", &[]).await;
    assert!(app_error(without).await.for_field("secret").is_some());
    let secret_id = customer
        .prove_with("5b9d6a1e-0000-4000-8000-000000000001")
        .await;
    assert!(app_error(secret_id)
        .await
        .for_field("secret")
        .unwrap()
        .contains("secret's ID"));

    let db = app::backend::db::open(&msp.app.config.database_url, Default::default())
        .await
        .unwrap();
    let sealed: Vec<(Option<String>,)> = app::on_db!(&db, |c| sqlx::query_as(
        "SELECT secret_sealed FROM onboarding_links"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert!(
        sealed.iter().all(|(secret,)| secret.is_none()),
        "nothing sealed on the link"
    );
}

#[tokio::test]
async fn refused_ownership_proofs_never_lock_the_companys_own_recovery() {
    let msp = msp_with_contoso(recovery_app(73)).await;
    let customer = msp.customer_ready_to_test().await;
    for _ in 0..3 {
        let refused: TestResult = customer.prove_with(SECRET).await.json().await.unwrap();
        assert_eq!(refused.ownership.unwrap().outcome.as_str(), "rejected");
    }
    let paused = customer.prove_with(SECRET).await;
    assert_eq!(
        paused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the link's own count"
    );

    // Contoso itself runs Tenantry on the same server and allows recovery.
    let contoso = msp
        .app
        .admin_of("Contoso Ltd", "owner@contoso.example")
        .await;
    msp.app.allow_recovery(&contoso, TENANT).await;
    let person = crate::support::browser();
    let started = msp
        .app
        .call(
            &person,
            "start_recovery",
            &[("tenant_id", TENANT), ("cloud", "global")],
        )
        .await;
    let start: app::model::RecoveryStart = started.json().await.unwrap();

    assert_eq!(start.failures_left, 3);
    assert!(start.locked_until.is_none());
}
