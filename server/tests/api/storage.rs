//! What an operator sees on disk: a private data directory and database,
//! key files refused when others can read them, and which key seals what.

use crate::support::spawn_app;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn tenantry(data_dir: &Path, args: &[&str]) -> Output {
    tenantry_on(data_dir, None, args)
}

/// `tenantry` on a data directory and, when given, a database elsewhere.
fn tenantry_on(data_dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tenantry"));
    command.env_clear();
    if let Some(url) = database_url {
        command.env("TENANTRY_DATABASE_URL", url);
    }
    command
        .env("TENANTRY_DATA_DIR", data_dir)
        .env("TENANTRY_LOG", "warn")
        .args(args)
        .output()
        .unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_data_directory_and_the_database_are_private_to_the_server_account() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");

    let output = tenantry(&data, &["keys", "status"]);

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("tenantry.db")), 0o600);
    assert_eq!(mode(&data.join("keys")), 0o700);
}

#[test]
fn a_key_file_others_can_read_is_refused_with_the_fix() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");
    assert!(tenantry(&data, &["keys", "status"]).status.success());
    let key = std::fs::read_dir(data.join("keys"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();

    let output = tenantry(&data, &["keys", "status"]);

    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("can be read by other users"), "{error}");
    assert!(error.contains("chmod 600"), "{error}");
}

#[tokio::test]
async fn keys_status_says_which_key_seals_what_and_which_can_go() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tenant = app
        .add_tenant(&admin, "Fabrikam", "11111111-2222-4333-8444-555555555555")
        .await;
    let recorded = app
        .call(
            &admin,
            "add_registration",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("form[profiles]", "email"),
                ("form[client_id]", "bbbbbbbb-2222-4333-8444-555555555555"),
                ("form[secret]", "status~secret.VALUE-not-an-id"),
                ("form[secret_expires]", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(recorded.status(), reqwest::StatusCode::OK);
    let data = &app.config.data_dir;

    let database = Some(app.config.database_url.as_str());
    let before = tenantry_on(data, database, &["keys", "status"]);
    let before = String::from_utf8_lossy(&before.stdout).to_string();
    assert!(before.contains("current, seals new secrets"), "{before}");
    assert!(before.contains("1 registration credentials"), "{before}");

    assert!(tenantry_on(data, database, &["keys", "rotate"])
        .status
        .success());
    let after = tenantry_on(data, database, &["keys", "status"]);
    let after = String::from_utf8_lossy(&after.stdout).to_string();

    // Read with a connection of its own: what another process wrote is
    // what this asks about, not what the server's pool shows at once.
    let pool = app::backend::db::open(&app.config.database_url, Default::default())
        .await
        .unwrap();
    let rotations: Vec<(String,)> = app::on_db!(&pool, |c| sqlx::query_as(
        "SELECT actor FROM audit_events WHERE action = 'master_key.rotated'"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    pool.close().await;
    assert_eq!(
        rotations,
        vec![("operator (command line)".to_owned(),)],
        "the rotation is in the organisation's audit trail"
    );
    let lines: Vec<&str> = after.lines().collect();
    assert_eq!(lines.len(), 2, "{after}");
    assert!(
        lines[0].contains("current") && lines[0].contains("1 registration credentials"),
        "{after}"
    );
    assert!(
        lines[1].contains("older") && lines[1].contains("it can be deleted"),
        "{after}"
    );
}
