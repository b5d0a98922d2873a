use crate::support::certificates::{as_upload, make, pfx, Recipe};
use crate::support::simulator::{secret_summary, CLIENT, OBJECT, SECRET, TENANT};
use crate::support::{app_error, spawn_app, TestApp, PASSWORD};
use app::model::RegistrationView;
use reqwest::{Client, StatusCode};

fn in_a_month() -> String {
    let date = (time::OffsetDateTime::now_utc() + time::Duration::days(30)).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

async fn tenant(app: &TestApp, client: &Client) -> String {
    app.add_tenant(client, "Contoso", TENANT).await
}

async fn record(
    app: &TestApp,
    client: &Client,
    tenant_id: &str,
    profiles: &str,
    secret: &str,
    expires: &str,
) -> reqwest::Response {
    let form = [
        ("customer_tenant_id", tenant_id),
        ("form[profiles]", profiles),
        ("form[client_id]", CLIENT),
        ("form[object_id]", OBJECT),
        ("form[secret]", secret),
        ("form[secret_expires]", expires),
    ];
    app.call(client, "add_registration", &form).await
}

fn raw_database(app: &TestApp) -> Vec<u8> {
    let mut bytes = Vec::new();
    for name in ["tenantry.db", "tenantry.db-wal"] {
        if let Ok(content) = std::fs::read(app.config.data_dir.join(name)) {
            bytes.extend(content);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn a_recorded_secret_is_shown_only_as_a_hint_and_stored_only_encrypted() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant_id = tenant(&app, &admin).await;

    let response = record(
        &app,
        &admin,
        &tenant_id,
        "intune-publishing,email",
        SECRET,
        &in_a_month(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!response.text().await.unwrap().contains(SECRET));

    let listed = app
        .call(
            &admin,
            "list_registrations",
            &[("customer_tenant_id", tenant_id.as_str())],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(SECRET));
    let registrations: Vec<RegistrationView> = serde_json::from_str(&listed).unwrap();
    assert_eq!(registrations[0].credential, secret_summary());
    assert_eq!(
        registrations[0].profiles,
        ["Intune app publishing", "E-mail through Microsoft Graph"]
    );
    assert_eq!(registrations[0].entered_by, "Admin of Northwind IT");
    let page = admin
        .get(app.url(&format!("/tenants/{tenant_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(CLIENT) && !page.contains(SECRET));
    assert!(
        !contains(&raw_database(&app), SECRET),
        "the database file never holds the secret in clear"
    );
    assert!(!contains(&raw_database(&app), &SECRET[..12]));
}

#[tokio::test]
async fn a_secret_id_an_expired_date_and_a_missing_object_id_are_each_explained() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant_id = tenant(&app, &admin).await;
    let form = [
        ("customer_tenant_id", tenant_id.as_str()),
        ("form[profiles]", "recovery"),
        ("form[client_id]", "not-a-guid"),
        ("form[object_id]", ""),
        ("form[secret]", "44444444-4444-4444-4444-444444444444"),
        ("form[secret_expires]", "2020-01-01"),
    ];

    let response = app.call(&admin, "add_registration", &form).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = app_error(response).await;
    assert!(error.for_field("client_id").unwrap().contains("not a GUID"));
    assert!(error.for_field("object_id").unwrap().contains("Object ID"));
    assert!(error
        .for_field("secret")
        .unwrap()
        .contains("looks like the secret's ID"));
    assert!(error
        .for_field("secret_expires")
        .unwrap()
        .contains("already expired"));
}

#[tokio::test]
async fn the_same_client_id_cannot_be_recorded_twice_for_a_tenant() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant_id = tenant(&app, &admin).await;
    record(&app, &admin, &tenant_id, "email", SECRET, &in_a_month()).await;

    let again = record(&app, &admin, &tenant_id, "email", SECRET, &in_a_month()).await;

    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(again)
        .await
        .for_field("client_id")
        .unwrap()
        .contains("already has a registration"));
}

#[tokio::test]
async fn viewers_and_other_organisations_cannot_record_or_see_registrations() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant_id = tenant(&app, &admin).await;
    record(&app, &admin, &tenant_id, "email", SECRET, &in_a_month()).await;
    let viewer = app
        .add_member(&admin, "val@northwind.example", "viewer")
        .await;
    app.create_organisation("Fabrikam MSP", "grace@fabrikam.example")
        .await;
    let stranger = app.signed_in("grace@fabrikam.example", PASSWORD).await;

    let by_viewer = record(
        &app,
        &viewer,
        &tenant_id,
        "recovery",
        "another~secret.value",
        &in_a_month(),
    )
    .await;
    assert_eq!(by_viewer.status(), StatusCode::FORBIDDEN);
    let seen_by_viewer = app.registrations(&viewer, &tenant_id).await;
    assert_eq!(seen_by_viewer.len(), 1);

    let by_stranger = record(
        &app,
        &stranger,
        &tenant_id,
        "recovery",
        "another~secret.value",
        &in_a_month(),
    )
    .await;
    assert_eq!(by_stranger.status(), StatusCode::NOT_FOUND);
    let listed_by_stranger = app
        .call(
            &stranger,
            "list_registrations",
            &[("customer_tenant_id", tenant_id.as_str())],
        )
        .await;
    assert_eq!(
        listed_by_stranger.status(),
        StatusCode::NOT_FOUND,
        "another organisation's tenant is not there for a stranger"
    );
}

#[tokio::test]
async fn rotating_the_master_key_reseals_stored_secrets_with_the_new_key() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant_id = tenant(&app, &admin).await;
    record(&app, &admin, &tenant_id, "email", SECRET, &in_a_month()).await;
    let sealed_before = sealed_secrets(&app).await;

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .env("TENANTRY_DATA_DIR", &app.config.data_dir)
        .env("TENANTRY_DATABASE_URL", &app.config.database_url)
        .env("TENANTRY_LOG", "warn")
        .args(["keys", "rotate"])
        .output()
        .unwrap();

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 secret(s) re-sealed"));
    let sealed_after = sealed_secrets(&app).await;
    assert_ne!(sealed_before, sealed_after);
    let keys = key_files(&app);
    assert_eq!(keys.len(), 2);
    let vault = app::backend::vault::Vault::new(keys[0], &keys[1..]);
    assert!(!vault.is_stale(&sealed_after[0].1));
    let context = format!("registrations:{}:secret", sealed_after[0].0);
    assert_eq!(
        vault.open(&sealed_after[0].1, &context).unwrap(),
        SECRET.as_bytes()
    );
}

async fn sealed_secrets(app: &TestApp) -> Vec<(String, String)> {
    let pool = app::backend::db::open(&app.config.database_url, Default::default())
        .await
        .unwrap();
    let rows = app::on_db!(&pool, |c| sqlx::query_as(
        "SELECT id, secret_sealed FROM registrations"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    pool.close().await;
    rows
}

/// The key files, newest first, as the server reads them.
fn key_files(app: &TestApp) -> Vec<[u8; 32]> {
    let mut paths: Vec<_> = std::fs::read_dir(app.config.data_dir.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths.reverse();
    paths
        .iter()
        .map(|path| {
            app::backend::vault::decode_key(&std::fs::read_to_string(path).unwrap()).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn staff_record_a_registration_with_a_certificate_whose_key_is_stored_only_encrypted() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant_id = tenant(&app, &admin).await;
    let made = make("Contoso patching", Recipe::default());
    let upload = |password: &'static str| {
        let bundle = as_upload(&pfx(&made, "bundle password"));
        let tenant_id = tenant_id.clone();
        let admin = admin.clone();
        let app = &app;
        async move {
            let form = [
                ("customer_tenant_id", tenant_id.as_str()),
                ("form[profiles]", "intune-publishing"),
                ("form[client_id]", CLIENT),
                ("form[credential]", "certificate"),
                ("form[private_key]", bundle.as_str()),
                ("form[password]", password),
            ];
            app.call(&admin, "add_registration", &form).await
        }
    };

    let refused = upload("not the password").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(refused)
        .await
        .for_field("password")
        .unwrap()
        .contains("check the password"));
    assert_eq!(upload("bundle password").await.status(), StatusCode::OK);

    let registrations = app.registrations(&admin, &tenant_id).await;
    assert!(registrations[0].credential.starts_with("Certificate "));
    assert_eq!(registrations[0].credential.len(), "Certificate ".len() + 40);
    let key_body = made.key_pem.lines().nth(1).unwrap();
    let database = raw_database(&app);
    assert!(!contains(&database, key_body), "the private key is sealed");
    assert!(!contains(&database, "PRIVATE KEY"));
}
