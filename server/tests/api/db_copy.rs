//! Moving an installation: `tenantry db copy` takes a SQLite installation
//! into PostgreSQL, and a server on the copy shows and checks the same
//! registrations with the same keys. Runs in `make test`'s PostgreSQL pass.

use crate::support::database::{fresh_database_url, not_on_postgres};
use crate::support::simulator::{contoso, SECRET};
use crate::support::spawn_app_with;
use crate::support::watch::watched;
use domain::evaluation::Status;
use std::process::Output;

/// 32 bytes of base64, so both servers seal and open with one key.
const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

async fn tenantry_db_copy(from: &str, to: &str) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .env("TENANTRY_LOG", "warn")
        .env("TENANTRY_DATA_DIR", tempfile::tempdir().unwrap().path())
        .args(["db", "copy", "--from", from, "--to", to])
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sqlite_installation_copied_to_postgresql_shows_and_checks_the_same_registrations() {
    if not_on_postgres() {
        return;
    }
    let sim = contoso(&["Mail.Send"]).await;
    let configured = |database: String| {
        vec![
            ("TENANTRY_IDENTITY_URL", sim.base_url()),
            ("TENANTRY_GRAPH_URL", sim.base_url()),
            ("TENANTRY_MASTER_KEY", MASTER_KEY.to_owned()),
            ("TENANTRY_DATABASE_URL", database),
        ]
    };
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", sqlite_dir.path().join("old.db").display());
    let old = watched(spawn_app_with(&configured(sqlite.clone())).await, 120).await;
    assert_eq!(old.check_now().await, Status::Healthy);
    let before = old.page().await;

    let postgres = fresh_database_url().await.unwrap();
    let copied = tenantry_db_copy(&sqlite, &postgres).await;
    let report = String::from_utf8_lossy(&copied.stdout);
    assert!(
        copied.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    assert!(
        report.contains("each table holds as many rows in both databases"),
        "{report}"
    );
    assert!(report.contains("registrations        1"), "{report}");
    assert!(report.contains("checks               1"), "{report}");

    let mut new = old;
    new.app = spawn_app_with(&configured(postgres.clone())).await;
    new.sign_in_again().await;
    let after = new.page().await;
    assert_eq!(
        (&after.tenant_name, &after.client_id, &after.credential),
        (&before.tenant_name, &before.client_id, &before.credential)
    );
    assert_eq!(after.standing.status, Status::Healthy);
    assert_eq!(
        after.timeline, before.timeline,
        "the check history came along"
    );
    assert_eq!(
        new.check_now().await,
        Status::Healthy,
        "the sealed secret opens with the same key on the new database"
    );
    assert!(
        !crate::support::database::everything_stored(&new.app.config).contains(SECRET),
        "the secret is still sealed"
    );

    let again = tenantry_db_copy(&sqlite, &postgres).await;
    assert_eq!(again.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds data"));
}
