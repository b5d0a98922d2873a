use std::path::Path;
use std::process::{Command, Output};

const PASSWORD: &str = "correct horse battery staple";

/// Runs `tenantry admin create` against a data directory, with the password
/// in a file as an operator would.
fn admin_create(data_dir: &Path, org: &str, password: &str) -> Output {
    let password_file = data_dir.join("password");
    std::fs::write(&password_file, format!("{password}\n")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .env("TENANTRY_DATA_DIR", data_dir)
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

fn db_migrate(data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .env("TENANTRY_DATA_DIR", data_dir)
        .env("TENANTRY_LOG", "warn")
        .args(["db", "migrate"])
        .output()
        .unwrap()
}

#[test]
fn db_migrate_applies_every_migration_once_and_then_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();

    let first = db_migrate(dir.path());
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let report = String::from_utf8_lossy(&first.stdout);
    let count = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/sqlite"))
        .unwrap()
        .count();
    assert!(
        report.contains(&format!("Applied {count} migrations")),
        "{report}"
    );
    assert!(
        report.contains("20261122000001 organisations and staff"),
        "{report}"
    );
    assert!(
        report.contains("The database is at 20261124000016 (api tokens)."),
        "{report}"
    );

    let again = db_migrate(dir.path());
    assert!(again.status.success());
    let report = String::from_utf8_lossy(&again.stdout);
    assert!(report.starts_with("No migration was pending."), "{report}");

    // A server started on the migrated database finds nothing left to do.
    assert!(admin_create(dir.path(), "Contoso IT", PASSWORD)
        .status
        .success());
}
