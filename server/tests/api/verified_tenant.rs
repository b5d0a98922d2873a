//! A tenant on file by its domain alone: the test of an onboarding link
//! asks the cloud's OpenID discovery which tenant owns the domain, pins its
//! Directory ID on the record, and activates nothing whose token comes from
//! another tenant, even one the customer controls completely.

use crate::support::onboarding::{in_days, invite};
use crate::support::simulator::{app_against, CLIENT, OBJECT, SECRET, TENANT};
use crate::support::{app_error, TestApp};
use domain::evaluation::Status;
use entra_simulator::state::{NewApp, Scenario, Tenant};
use reqwest::{Client, StatusCode};

/// A tenant someone else controls, with an app consented to everything.
const FOREIGN_TENANT: &str = "99999999-9999-4999-8999-999999999999";
const FOREIGN_CLIENT: &str = "88888888-8888-4888-8888-888888888888";
const FOREIGN_SECRET: &str = "Zz9~foreign.Secret-VALUE-of-an-attacker";

async fn two_directories() -> entra_simulator::Simulator {
    let scenario = Scenario::of(
        vec![
            Tenant::global(TENANT, "contoso.example", "Contoso"),
            Tenant::global(FOREIGN_TENANT, "attacker.example", "Attacker"),
        ],
        vec![
            NewApp {
                object_id: Some(OBJECT.into()),
                ..NewApp::with_secret(TENANT, CLIENT, SECRET, 90, &["Mail.Send"])
            },
            NewApp::with_secret(
                FOREIGN_TENANT,
                FOREIGN_CLIENT,
                FOREIGN_SECRET,
                90,
                &["Mail.Send"],
            ),
        ],
    );
    entra_simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .expect("simulator starts")
}

/// Contoso on file by its domain only.
async fn by_domain(app: &TestApp, domain: &str) -> (Client, String) {
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let response = app
        .call(
            &staff,
            "create_tenant",
            &[
                ("form[display_name]", "Contoso"),
                ("form[tenant_id]", ""),
                ("form[primary_domain]", domain),
                ("form[cloud]", "global"),
                ("form[contacts]", ""),
                ("form[notes]", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let tenant: String = response.json().await.unwrap();
    (staff, tenant)
}

async fn entra_tenant_on_file(app: &TestApp, staff: &Client, tenant: &str) -> String {
    let response = app
        .call(staff, "load_tenant", &[("customer_tenant_id", tenant)])
        .await;
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_passing_test_pins_the_domains_directory_id_on_the_tenant() {
    let sim = two_directories().await;
    let app = app_against(&sim).await;
    let (staff, tenant) = by_domain(&app, "contoso.example").await;
    let customer = invite(&app, &staff, &tenant, "email").await;
    customer.finish_entra_steps().await;
    customer.save_secret(SECRET, &in_days(60)).await;
    customer.save_ids(TENANT, CLIENT, OBJECT).await;

    let result = customer.test().await;

    assert_eq!(result.status, Status::Healthy);
    assert!(result.completed);
    assert!(entra_tenant_on_file(&app, &staff, &tenant)
        .await
        .contains(TENANT));
}

#[tokio::test]
async fn a_registration_in_another_tenant_is_not_activated_for_a_domain_on_file() {
    let sim = two_directories().await;
    let app = app_against(&sim).await;
    let (staff, tenant) = by_domain(&app, "contoso.example").await;
    let customer = invite(&app, &staff, &tenant, "email").await;
    customer.finish_entra_steps().await;
    customer.save_secret(FOREIGN_SECRET, &in_days(60)).await;
    customer.save_ids(FOREIGN_TENANT, FOREIGN_CLIENT, "").await;

    let result = customer.test().await;

    assert_ne!(result.status, Status::Healthy);
    assert!(!result.completed, "nothing is activated");
    assert!(app.registrations(&staff, &tenant).await.is_empty());
    let on_file = entra_tenant_on_file(&app, &staff, &tenant).await;
    assert!(on_file.contains(TENANT) && !on_file.contains(FOREIGN_TENANT));
}

#[tokio::test]
async fn a_domain_no_tenant_has_is_explained_and_activates_nothing() {
    let sim = two_directories().await;
    let app = app_against(&sim).await;
    let (staff, tenant) = by_domain(&app, "nobody-has-this.example").await;
    let customer = invite(&app, &staff, &tenant, "email").await;
    customer.finish_entra_steps().await;
    customer.save_secret(SECRET, &in_days(60)).await;
    customer.save_ids(TENANT, CLIENT, OBJECT).await;

    let response = customer.call("test_onboarding", &[]).await;

    assert_eq!(response.status(), StatusCode::CONFLICT);
    let message = app_error(response).await.to_string();
    assert!(message.contains("nobody-has-this.example"), "{message}");
    assert!(app.registrations(&staff, &tenant).await.is_empty());
}
