use std::process::Command;

const PASSWORD: &str = "correct horse battery staple";

fn tenantry(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tenantry"));
    command
        .env_clear()
        .env("TENANTRY_DATA_DIR", data_dir)
        .env("TENANTRY_LOG", "warn");
    command
}

#[test]
fn admin_create_makes_an_organisation_from_a_password_file() {
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("pw");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();

    let output = tenantry(dir.path())
        .args([
            "admin",
            "create",
            "--org",
            "Contoso IT",
            "--email",
            "ada@contoso.example",
            "--password-file",
        ])
        .arg(&password_file)
        .output()
        .unwrap();

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
    let password_file = dir.path().join("pw");
    std::fs::write(&password_file, "short\n").unwrap();

    let output = tenantry(dir.path())
        .args([
            "admin",
            "create",
            "--org",
            "Contoso IT",
            "--email",
            "ada@contoso.example",
            "--password-file",
        ])
        .arg(&password_file)
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 12 characters"));
}

#[test]
fn admin_create_refuses_an_address_that_already_has_an_account() {
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("pw");
    std::fs::write(&password_file, PASSWORD).unwrap();
    let create = |org: &str| {
        tenantry(dir.path())
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
    };

    assert!(create("Contoso IT").status.success());
    let second = create("Other MSP");

    assert_eq!(second.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&second.stderr).contains("already exists"));
}
