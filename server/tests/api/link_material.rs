//! A link that can no longer be used keeps nothing secret: revoking it,
//! archiving its tenant or letting it expire erases the secret or private
//! key the customer had entered.

use crate::support::onboarding::{in_days, invite, Customer};
use crate::support::{spawn_app, TestApp};
use reqwest::StatusCode;

const SECRET: &str = "link~secret.VALUE-entered-by-the-customer";

async fn sealed_secrets(app: &TestApp) -> i64 {
    let pool = app::backend::db::open(&app.config.database_url, Default::default())
        .await
        .unwrap();
    let (count,): (i64,) = app::on_db!(&pool, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM onboarding_links WHERE secret_sealed IS NOT NULL"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    count
}

async fn customer_with_a_secret(app: &TestApp) -> (reqwest::Client, String, Customer) {
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tenant = app
        .add_tenant(&admin, "Fabrikam", "11111111-2222-4333-8444-555555555555")
        .await;
    let customer = invite(app, &admin, &tenant, "email").await;
    customer.finish_entra_steps().await;
    let saved = customer.save_secret(SECRET, &in_days(200)).await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(sealed_secrets(app).await, 1);
    (admin, tenant, customer)
}

#[tokio::test]
async fn archiving_a_tenant_revokes_its_links_and_erases_what_the_customer_entered() {
    let app = spawn_app().await;
    let (admin, tenant, customer) = customer_with_a_secret(&app).await;

    let archived = app
        .call(
            &admin,
            "archive_tenant",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("archived", "true"),
            ],
        )
        .await;
    assert_eq!(archived.status(), StatusCode::OK);

    assert_eq!(sealed_secrets(&app).await, 0);
    let links = app.onboarding_links(&admin, &tenant).await;
    assert_eq!(links[0].state, "Revoked");
    let opened = customer.call("open_onboarding", &[]).await;
    assert_eq!(opened.status(), StatusCode::GONE);
}

#[tokio::test]
async fn revoking_a_link_erases_its_secret() {
    let app = spawn_app().await;
    let (admin, tenant, _) = customer_with_a_secret(&app).await;
    let link = app.onboarding_links(&admin, &tenant).await[0]
        .id
        .to_string();

    let revoked = app
        .call(
            &admin,
            "revoke_onboarding_link",
            &[("link_id", link.as_str())],
        )
        .await;

    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(sealed_secrets(&app).await, 0);
}

#[tokio::test]
async fn an_expired_link_forgets_its_secret_when_next_opened() {
    let app = spawn_app().await;
    let (_, _, customer) = customer_with_a_secret(&app).await;

    app.clock().advance(time::Duration::days(8));
    let opened = customer.call("open_onboarding", &[]).await;

    assert_eq!(opened.status(), StatusCode::GONE);
    assert_eq!(sealed_secrets(&app).await, 0);
}

#[tokio::test]
async fn a_link_holder_may_test_only_so_often_and_is_told_when_to_try_again() {
    let app =
        crate::support::spawn_app_with(&[("TENANTRY_LINK_ACTIONS_PER_HOUR", "2".to_owned())]).await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tenant = app
        .add_tenant(&admin, "Fabrikam", "11111111-2222-4333-8444-555555555555")
        .await;
    let customer = invite(&app, &admin, &tenant, "email").await;
    let other = invite(&app, &admin, &tenant, "email").await;
    for _ in 0..2 {
        let tested = customer.call("test_onboarding", &[]).await;
        assert_ne!(tested.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    let third = customer.call("test_onboarding", &[]).await;

    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().contains_key(reqwest::header::RETRY_AFTER));
    let message = crate::support::app_error(third).await.to_string();
    assert!(message.contains("Try again in"), "{message}");
    let others = other.call("test_onboarding", &[]).await;
    assert_ne!(
        others.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "another link has its own allowance"
    );
}
