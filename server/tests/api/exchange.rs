//! Registrations from and to spreadsheets: an import checks every row with
//! the forms' rules and imports all or nothing; importing the same file
//! again changes nothing; the export carries health but never a secret and
//! cannot be run as a spreadsheet formula.

use crate::support::certificates::{as_upload, make, pfx, Recipe};
use crate::support::onboarding::in_days;
use crate::support::{spawn_app, TestApp};
use app::model::ImportReport;
use reqwest::{Client, StatusCode};

const CONTOSO: &str = "11111111-1111-4111-8111-111111111111";
const FABRIKAM: &str = "22222222-2222-4222-8222-222222222222";
const SECRET_A: &str = "Im1~imported.secret-value-AAAA";
const SECRET_B: &str = "Im2~imported.secret-value-BBBB";

pub(crate) async fn import(
    app: &TestApp,
    staff: &Client,
    csv: &str,
    dry_run: bool,
) -> ImportReport {
    let file = as_upload(csv.as_bytes());
    let response = app
        .call(
            staff,
            "import_registrations",
            &[
                ("form[file]", &file),
                ("form[dry_run]", &dry_run.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    for secret in [SECRET_A, SECRET_B] {
        assert!(!text.contains(secret), "a report never carries a secret");
    }
    serde_json::from_str(&text).unwrap()
}

fn good_file() -> String {
    let expires = in_days(200);
    format!(
        "tenant,tenant_id,domain,cloud,client_id,object_id,profiles,secret,secret_expires\n\
         Contoso,{CONTOSO},contoso.example,global,aaaaaaaa-0000-4000-8000-000000000001,,email,{SECRET_A},{expires}\n\
         Contoso,{CONTOSO},contoso.example,global,aaaaaaaa-0000-4000-8000-000000000002,bbbbbbbb-0000-4000-8000-000000000002,email;recovery,{SECRET_B},{expires}\n\
         Fabrikam,{FABRIKAM},,,aaaaaaaa-0000-4000-8000-000000000003,,intune-publishing,{SECRET_A},{expires}\n"
    )
}

async fn tenant_names(app: &TestApp, staff: &Client) -> Vec<String> {
    let list: app::model::TenantList = app
        .call(staff, "list_tenants", &[("show_archived", "false")])
        .await
        .json()
        .await
        .unwrap();
    list.tenants.into_iter().map(|t| t.display_name).collect()
}

#[tokio::test]
async fn a_five_megabyte_file_is_imported_through_the_pages_own_endpoint() {
    let app = spawn_app().await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    // A spreadsheet saved with a long tail of empty lines, which CSV
    // readers skip: five megabytes on the wire as the page sends them
    // (base64 in a form), over axum's 2 MiB default for server functions.
    let mut csv = good_file();
    csv.push_str(&"\n".repeat(5 * 1024 * 1024));

    let report = import(&app, &staff, &csv, false).await;

    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.rows.len(), 3);
    assert_eq!(tenant_names(&app, &staff).await, ["Contoso", "Fabrikam"]);
}

#[tokio::test]
async fn an_import_with_bad_rows_names_every_problem_by_line_and_column_and_imports_nothing() {
    let app = spawn_app().await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let csv = format!(
        "{}Tailspin,not-a-guid,,,aaaaaaaa-0000-4000-8000-000000000009,,email,{SECRET_A},{}\n\
         Litware,33333333-3333-4333-8333-333333333333,,,{CONTOSO},,payroll,{SECRET_B},2020-01-01\n",
        good_file(),
        in_days(100)
    );
    let report = import(&app, &staff, &csv, false).await;
    let at = |line: usize, column: &str| {
        report
            .problems
            .iter()
            .any(|p| p.line == line && p.column == column)
    };
    assert!(at(5, "tenant_id"), "{:?}", report.problems);
    assert!(at(6, "profiles"), "{:?}", report.problems);
    assert!(at(6, "secret_expires"), "{:?}", report.problems);
    assert!(report.summary.starts_with("Nothing was imported"));
    assert!(
        tenant_names(&app, &staff).await.is_empty(),
        "nothing was imported"
    );

    let header = import(&app, &staff, "tenant,client_id,secret\nx,y,z\n", false).await;
    assert!(header
        .problems
        .iter()
        .any(|p| p.line == 1 && p.column == "profiles"));
}

#[tokio::test]
async fn a_valid_file_creates_tenants_and_registrations_once_and_reimporting_changes_nothing() {
    let app = spawn_app().await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    // Fabrikam is already on file: its row goes under it.
    let fabrikam = app.add_tenant(&staff, "Fabrikam", FABRIKAM).await;

    let checked = import(&app, &staff, &good_file(), true).await;
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    assert!(
        checked.summary.contains("would add 3"),
        "{}",
        checked.summary
    );
    assert_eq!(
        tenant_names(&app, &staff).await,
        vec!["Fabrikam"],
        "a dry run writes nothing"
    );

    let imported = import(&app, &staff, &good_file(), false).await;
    assert!(
        imported.summary.contains("Imported 3"),
        "{}",
        imported.summary
    );
    assert_eq!(imported.rows.iter().filter(|r| r.new_tenant).count(), 1);
    assert_eq!(
        tenant_names(&app, &staff).await,
        vec!["Contoso", "Fabrikam"]
    );
    assert_eq!(app.registrations(&staff, &fabrikam).await.len(), 1);

    let again = import(&app, &staff, &good_file(), false).await;
    assert!(
        again.summary.starts_with("Nothing to change"),
        "{}",
        again.summary
    );
    assert_eq!(tenant_names(&app, &staff).await.len(), 2);

    // A changed secret for a recorded registration is not overwritten.
    let changed = good_file().replacen(SECRET_A, "Im9~a-different.secret-value", 1);
    let refused = import(&app, &staff, &changed, false).await;
    assert!(refused
        .problems
        .iter()
        .any(|p| p.line == 2 && p.column == "client_id"));
}

#[tokio::test]
async fn a_pfx_in_the_file_is_imported_as_a_certificate() {
    let app = spawn_app().await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let made = make("Imported Tenantry", Recipe::default());
    let bundle = as_upload(&pfx(&made, "pfx-pass"));
    let csv = format!(
        "tenant,tenant_id,client_id,profiles,pfx_base64,pfx_password\n\
         Contoso,{CONTOSO},aaaaaaaa-0000-4000-8000-000000000001,email,{bundle},pfx-pass\n"
    );
    let report = import(&app, &staff, &csv, false).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let wrong = csv
        .replace(",pfx-pass", ",wrong-pass")
        .replace("000000000001", "000000000002");
    let refused = import(&app, &staff, &wrong, false).await;
    assert!(
        refused
            .problems
            .iter()
            .any(|p| p.line == 2 && p.column == "pfx_password"),
        "{:?}",
        refused.problems
    );
}

#[tokio::test]
async fn the_export_carries_health_but_no_secret_and_no_formula() {
    let app = spawn_app().await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let csv = good_file().replacen("Fabrikam,", "=HYPERLINK(\"http://evil.example\"),", 1);
    assert!(import(&app, &staff, &csv, false).await.problems.is_empty());

    let response = staff
        .get(app.url("/export/registrations.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let body = response.text().await.unwrap();
    let mut lines = body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "tenant,tenant_id,cloud,client_id,profiles,status,findings,missing_permissions,extra_permissions,credential_kind,credential_expires,last_checked,last_success"
    );
    assert_eq!(body.lines().count(), 4);
    assert!(body.contains("email;recovery"));
    assert!(body.contains(",never_checked,"));
    assert!(
        body.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "{body}"
    );
    for secret in [SECRET_A, SECRET_B] {
        assert!(!body.contains(secret));
    }

    let stranger = app.admin_of("Fabrikam MSP", "grace@fabrikam.example").await;
    let theirs = stranger
        .get(app.url("/export/registrations.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        theirs.lines().count(),
        1,
        "another organisation exports only its own"
    );
    let signed_out = crate::support::browser()
        .get(app.url("/export/registrations.csv"))
        .send()
        .await
        .unwrap();
    assert!(
        signed_out.status().is_redirection(),
        "signed-out browsers go to sign in"
    );
}

#[tokio::test]
async fn the_import_and_export_commands_work_for_scripts() {
    let app = spawn_app().await;
    app.create_organisation("Northwind IT", "nadia@northwind.example")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registrations.csv");
    std::fs::write(&file, good_file()).unwrap();
    let tenantry = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
            .env_clear()
            .env("TENANTRY_DATA_DIR", &app.config.data_dir)
            .env("TENANTRY_DATABASE_URL", &app.config.database_url)
            .env("TENANTRY_LOG", "warn")
            .args(args)
            .output()
            .unwrap()
    };
    let path = file.to_str().unwrap();
    let dry = tenantry(&[
        "import",
        "registrations",
        "--org",
        "Northwind IT",
        "--file",
        path,
        "--dry-run",
    ]);
    assert_eq!(dry.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&dry.stdout).contains("would add 3"));
    let done = tenantry(&[
        "import",
        "registrations",
        "--org",
        "Northwind IT",
        "--file",
        path,
    ]);
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let exported = tenantry(&["export", "registrations", "--org", "Northwind IT"]);
    let out = String::from_utf8_lossy(&exported.stdout);
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(!out.contains(SECRET_A) && !String::from_utf8_lossy(&done.stdout).contains(SECRET_A));

    std::fs::write(&file, "tenant,client_id\nx,y\n").unwrap();
    let bad = tenantry(&[
        "import",
        "registrations",
        "--org",
        "Northwind IT",
        "--file",
        path,
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("line 1, column profiles"));
    let unknown = tenantry(&["export", "registrations", "--org", "Nobody"]);
    assert_eq!(unknown.status.code(), Some(64));
}

#[tokio::test]
async fn import_with_check_checks_the_new_registrations_at_once() {
    let sim = crate::support::simulator::contoso(&["Mail.Send"]).await;
    let app = crate::support::simulator::app_against(&sim).await;
    app.create_organisation("Northwind IT", "nadia@northwind.example")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registrations.csv");
    std::fs::write(
        &file,
        format!(
            "tenant,tenant_id,client_id,profiles,secret,secret_expires\nContoso,{},{},email,{},{}\n",
            crate::support::simulator::TENANT,
            crate::support::simulator::CLIENT,
            crate::support::simulator::SECRET,
            in_days(100)
        ),
    )
    .unwrap();
    // Async: the simulator answers on this test's runtime meanwhile.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .env("TENANTRY_DATA_DIR", &app.config.data_dir)
        .env("TENANTRY_DATABASE_URL", &app.config.database_url)
        .env("TENANTRY_IDENTITY_URL", sim.base_url())
        .env("TENANTRY_GRAPH_URL", sim.base_url())
        .env("TENANTRY_LOG", "warn")
        .args([
            "import",
            "registrations",
            "--org",
            "Northwind IT",
            "--check",
            "--file",
        ])
        .arg(&file)
        .output()
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    let exported = std::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .env("TENANTRY_DATA_DIR", &app.config.data_dir)
        .env("TENANTRY_DATABASE_URL", &app.config.database_url)
        .args(["export", "registrations", "--org", "Northwind IT"])
        .output()
        .unwrap();
    let exported = String::from_utf8_lossy(&exported.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{out}\n{exported}");
    assert!(
        out.contains("Checked 1 registration(s) now.") && out.contains("healthy: 1"),
        "{out}\n{exported}"
    );
    assert!(!out.contains(crate::support::simulator::SECRET));
}

/// Rows that look like an import file: the real header, then cells drawn
/// from plausible and hostile values.
fn import_files() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let cell = prop_oneof![
        Just(String::new()),
        Just(CONTOSO.to_owned()),
        Just("contoso.example".to_owned()),
        Just("global".to_owned()),
        Just("email".to_owned()),
        Just(SECRET_A.to_owned()),
        Just("2099-01-01".to_owned()),
        Just("=HYPERLINK(\"x\")".to_owned()),
        "\\PC{0,40}",
        "[\",\\n\\r;]{0,6}",
    ];
    let row = proptest::collection::vec(cell, 0..13).prop_map(|cells| {
        cells
            .iter()
            .map(|cell| format!("\"{}\"", cell.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    });
    (proptest::collection::vec(row, 0..6), any::<bool>()).prop_map(|(rows, header)| {
        let mut lines = Vec::new();
        if header {
            lines.push(domain::exchange::IMPORT_COLUMNS.join(","));
        }
        lines.extend(rows);
        lines.join("\n")
    })
}

#[test]
fn any_import_file_gets_a_report_or_a_clear_refusal_never_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (app, staff) = runtime.block_on(async {
        let app = spawn_app().await;
        let staff = app
            .admin_of("Northwind IT", "nadia@northwind.example")
            .await;
        (app, staff)
    });
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 48,
        ..Default::default()
    });
    runner
        .run(&import_files(), |csv| {
            let status = runtime.block_on(async {
                let file = as_upload(csv.as_bytes());
                app.call(
                    &staff,
                    "import_registrations",
                    &[("form[file]", &file), ("form[dry_run]", "true")],
                )
                .await
                .status()
            });
            proptest::prop_assert!(
                matches!(status, StatusCode::OK | StatusCode::UNPROCESSABLE_ENTITY),
                "{status} for {csv:?}"
            );
            Ok(())
        })
        .unwrap();
}
