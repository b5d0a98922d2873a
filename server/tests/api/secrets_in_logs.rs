//! Nothing secret reaches the server's log. The real binary runs at debug
//! level while staff sign in and record a secret, and a customer saves a
//! client secret, uploads a password-protected .pfx, generates a
//! certificate and tests; then the whole output is searched.

use crate::support::certificates::{as_upload, make, pfx, Recipe};
use crate::support::onboarding::{in_days, invite};
use crate::support::process::spawn_binary_with;
use crate::support::simulator::{contoso_with, CLIENT, TENANT};
use crate::support::PASSWORD;
use entra_simulator::state::NewApp;
use reqwest::StatusCode;

const CUSTOMER_SECRET: &str = "Cu5~customer.secret-value-LOGCHECK";
const STAFF_SECRET: &str = "St4~staff.entered-secret-LOGCHECK";
const PFX_PASSWORD: &str = "pfx-password-LOGCHECK";

#[tokio::test]
async fn secrets_passwords_keys_and_link_tokens_never_appear_in_the_log() {
    let sim = contoso_with(NewApp::with_secret(
        TENANT,
        CLIENT,
        CUSTOMER_SECRET,
        90,
        &["Mail.Send"],
    ))
    .await;
    let (app, server) = spawn_binary_with(&[
        ("TENANTRY_LOG", "debug".into()),
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
    ])
    .await;

    app.create_organisation("Northwind IT", "nadia@northwind.example")
        .await;
    let staff = app.signed_in("nadia@northwind.example", PASSWORD).await;
    let tenant = app.add_tenant(&staff, "Contoso", TENANT).await;
    let recorded = app
        .call(
            &staff,
            "add_registration",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("form[profiles]", "email"),
                ("form[client_id]", "44444444-4444-4444-4444-444444444444"),
                ("form[object_id]", ""),
                ("form[secret]", STAFF_SECRET),
                ("form[secret_expires]", &in_days(90)),
            ],
        )
        .await;
    assert_eq!(recorded.status(), StatusCode::OK);

    let customer = invite(&app, &staff, &tenant, "email").await;
    customer.finish_entra_steps().await;
    let own = make("Contoso upload", Recipe::default());
    let uploaded = customer
        .upload("", &as_upload(&pfx(&own, PFX_PASSWORD)), PFX_PASSWORD)
        .await;
    assert_eq!(uploaded.status(), StatusCode::OK);
    let wrong = customer
        .upload("", &as_upload(&pfx(&own, PFX_PASSWORD)), "wrong-LOGCHECK")
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(customer.generate().await.status(), StatusCode::OK);
    assert_eq!(
        customer.download_certificate().await.status(),
        StatusCode::OK
    );
    assert_eq!(customer.page().await.status(), StatusCode::OK);
    let saved = customer.save_secret(CUSTOMER_SECRET, &in_days(90)).await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(
        customer.save_ids(TENANT, CLIENT, "").await.status(),
        StatusCode::OK
    );
    assert!(customer.test().await.completed);

    let log = server.stop();
    assert!(
        log.contains("Tenantry is listening") && log.contains("/api/test_onboarding"),
        "the log was captured at debug level:\n{log}"
    );
    for secret in [
        CUSTOMER_SECRET,
        STAFF_SECRET,
        PFX_PASSWORD,
        "wrong-LOGCHECK",
        PASSWORD,
        "PRIVATE KEY",
        customer.token.as_str(),
    ] {
        assert!(!log.contains(secret), "the log shows {secret}");
    }
    let key_line = own.key_pem.lines().nth(1).unwrap();
    assert!(
        !log.contains(key_line),
        "the log shows the uploaded private key"
    );
}

#[tokio::test]
async fn a_database_password_in_its_url_never_reaches_the_log_but_the_database_is_named() {
    if crate::support::database::not_on_postgres() {
        return;
    }
    const DB_PASSWORD: &str = "Pg-password-LOGCHECK";
    let url = crate::support::database::fresh_database_url()
        .await
        .expect("a PostgreSQL database");
    // The test cluster trusts loopback, so the password is carried, not
    // checked: exactly what a log line would have shown.
    let (user, rest) = url
        .strip_prefix("postgres://")
        .and_then(|rest| rest.split_once('@'))
        .expect("a URL with a user");
    let with_password = format!("postgres://{user}:{DB_PASSWORD}@{rest}");
    let database = rest.rsplit('/').next().unwrap().to_owned();
    let (_app, server) = spawn_binary_with(&[("TENANTRY_DATABASE_URL", with_password)]).await;

    let log = server.stop();
    assert!(
        log.contains(&format!("PostgreSQL database {database} on 127.0.0.1")),
        "the log names engine, database and host:\n{log}"
    );
    assert!(
        !log.contains(DB_PASSWORD),
        "the log shows the password:\n{log}"
    );
}
