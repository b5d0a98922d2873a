use std::path::Path;
use std::process::{Command, Output};

const PASSWORD: &str = "correct horse battery staple";

/// Runs `tenantry admin create` against a data directory, with the password
/// in a file as an operator would.
fn admin_create(data_dir: &Path, org: &str, password: &str) -> Output {
    admin_create_on(data_dir, None, org, password)
}

/// `tenantry`, with a database outside the data directory when given.
fn tenantry(data_dir: &Path, database_url: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tenantry"));
    command.env_clear().env("TENANTRY_DATA_DIR", data_dir);
    if let Some(url) = database_url {
        command.env("TENANTRY_DATABASE_URL", url);
    }
    command
}

fn admin_create_on(
    data_dir: &Path,
    database_url: Option<&str>,
    org: &str,
    password: &str,
) -> Output {
    let password_file = data_dir.join("password");
    std::fs::write(&password_file, format!("{password}\n")).unwrap();
    tenantry(data_dir, database_url)
        .env("TENANTRY_LOG", "warn")
        .args([
            "admin",
            "create",
            "--org",
            org,
            "--email",
            "ada@contoso.example",
            "--password-file",
        ])
        .arg(&password_file)
        .output()
        .unwrap()
}

#[test]
fn admin_create_makes_an_organisation_from_a_password_file() {
    let dir = tempfile::tempdir().unwrap();

    let output = admin_create(dir.path(), "Contoso IT", PASSWORD);

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Created organisation Contoso IT"));
    assert!(!stdout.contains(PASSWORD));
    assert!(dir.path().join("tenantry.db").exists());
}

#[test]
fn admin_create_refuses_a_weak_password_with_exit_code_64() {
    let dir = tempfile::tempdir().unwrap();

    let output = admin_create(dir.path(), "Contoso IT", "short");

    assert_eq!(output.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 12 characters"));
}

#[test]
fn admin_create_refuses_an_address_that_already_has_an_account() {
    let dir = tempfile::tempdir().unwrap();
    assert!(admin_create(dir.path(), "Contoso IT", PASSWORD)
        .status
        .success());

    let second = admin_create(dir.path(), "Other MSP", PASSWORD);

    assert_eq!(second.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&second.stderr).contains("already exists"));
}

fn db_migrate(data_dir: &Path, database_url: Option<&str>) -> Output {
    tenantry(data_dir, database_url)
        .env("TENANTRY_LOG", "warn")
        .args(["db", "migrate"])
        .output()
        .unwrap()
}

#[tokio::test]
async fn db_migrate_applies_every_migration_once_and_then_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // The database this run's servers use: SQLite in the data directory,
    // or a new PostgreSQL database in the PostgreSQL pass.
    let database = crate::support::database::fresh_database_url().await;
    let (folder, first_migration, latest) = match database {
        None => (
            "sqlite",
            "20261122000001 organisations and staff",
            "The database is at 20261124000017 (sweep indexes).",
        ),
        Some(_) => (
            "postgres",
            "20261124000016 schema",
            "The database is at 20261124000017 (sweep indexes).",
        ),
    };
    let database = database.as_deref();

    let first = db_migrate(dir.path(), database);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let report = String::from_utf8_lossy(&first.stdout);
    let count = std::fs::read_dir(format!(
        "{}/../migrations/{folder}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .count();
    let applied = match count {
        1 => "Applied 1 migration:".to_owned(),
        count => format!("Applied {count} migrations:"),
    };
    assert!(report.contains(&applied), "{report}");
    assert!(report.contains(first_migration), "{report}");
    assert!(report.contains(latest), "{report}");

    let again = db_migrate(dir.path(), database);
    assert!(again.status.success());
    let report = String::from_utf8_lossy(&again.stdout);
    assert!(report.starts_with("No migration was pending."), "{report}");

    // A server started on the migrated database finds nothing left to do.
    assert!(
        admin_create_on(dir.path(), database, "Contoso IT", PASSWORD)
            .status
            .success()
    );
}
