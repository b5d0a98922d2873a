//! `tenantry recovery check` as support would run it, against the simulator:
//! the JSON contract and the exit codes.

use entra_simulator::state::NewApp;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

use crate::support::simulator::{
    contoso_with, recovery_app, tenantry_with_secret, CLIENT, OBJECT, SECRET, TENANT,
};

/// Contoso's recovery app, made by Ada `hours_ago` hours ago.
async fn recovery_app_created(
    hours_ago: i64,
    tweak: impl FnOnce(&mut NewApp),
) -> entra_simulator::Simulator {
    let mut app = recovery_app(hours_ago, "ada@contoso.example");
    tweak(&mut app);
    contoso_with(app).await
}

async fn recovery_check(
    sim: &entra_simulator::Simulator,
    dir: &Path,
    secret: &str,
    args: &[&str],
) -> Output {
    let before = ["recovery", "check", "--cloud", "global"];
    tenantry_with_secret(sim, dir, secret, &before, args).await
}

fn contoso_ids() -> Vec<&'static str> {
    vec![
        "--tenant",
        TENANT,
        "--client-id",
        CLIENT,
        "--object-id",
        OBJECT,
    ]
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON on stdout: {} / {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn states(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_accepted_recovery_prints_every_check_passed_and_the_creator_and_exits_0() {
    let sim = recovery_app_created(2, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut args = contoso_ids();
    args.extend(["--expected-tenant", TENANT]);

    let output = recovery_check(&sim, dir.path(), SECRET, &args).await;

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    assert_eq!(report["outcome"], "accepted");
    let passed: Vec<(String, String)> = [
        "tenant_match",
        "token",
        "audit_permission",
        "creation_event",
        "within_window",
        "initiator",
    ]
    .iter()
    .map(|code| (code.to_string(), "passed".to_string()))
    .collect();
    assert_eq!(states(&report), passed);
    assert_eq!(
        report["initiated_by"]["user_principal_name"],
        "ada@contoso.example"
    );
    assert!(report["initiated_by"]["id"].is_string());
    let age = report["age_hours"].as_f64().unwrap();
    assert!((2.0..2.1).contains(&age), "age {age}");
    assert!(report["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(report["findings"], serde_json::json!([]));
    let everything = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!everything.contains(SECRET), "the secret is never printed");
}

#[tokio::test]
async fn an_app_created_four_days_ago_is_rejected_with_the_window_fix_and_exits_1() {
    let sim = recovery_app_created(96, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();

    let output = recovery_check(&sim, dir.path(), SECRET, &contoso_ids()).await;

    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["outcome"], "rejected");
    let window = &report["checks"][4];
    assert_eq!(window["code"], "within_window");
    assert_eq!(window["state"], "failed");
    assert!(
        window["detail"].as_str().unwrap().contains("1 day too old"),
        "{window}"
    );
    assert!(window["fix"]
        .as_str()
        .unwrap()
        .contains("Create a new app registration"));
    assert_eq!(
        report["checks"][0]["state"], "skipped",
        "no --expected-tenant"
    );
}

#[tokio::test]
async fn a_creation_not_yet_in_the_log_exits_2() {
    let sim = recovery_app_created(0, |app| app.creation_visible_after_secs = Some(3600)).await;
    let dir = tempfile::tempdir().unwrap();

    let output = recovery_check(&sim, dir.path(), SECRET, &contoso_ids()).await;

    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    assert_eq!(report["outcome"], "not_yet_visible");
    assert_eq!(report["created_at"], Value::Null);
    assert_eq!(report["initiated_by"], Value::Null);
}

#[tokio::test]
async fn a_shorter_window_on_the_command_line_is_honoured() {
    let sim = recovery_app_created(2, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let mut args = contoso_ids();
    args.extend(["--window-hours", "1"]);

    let output = recovery_check(&sim, dir.path(), SECRET, &args).await;

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)["checks"][4]["state"], "failed");
}

#[tokio::test]
async fn bad_arguments_exit_64_with_a_clear_message_and_ask_microsoft_nothing() {
    let sim = recovery_app_created(2, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, Vec<&str>, &str); 4] = [
        (
            SECRET,
            vec![
                "--tenant",
                TENANT,
                "--client-id",
                CLIENT,
                "--object-id",
                "not-a-guid",
            ],
            "--object-id",
        ),
        (
            SECRET,
            vec![
                "--tenant",
                TENANT,
                "--client-id",
                CLIENT,
                "--object-id",
                CLIENT,
            ],
            "Object ID is the other GUID",
        ),
        (
            "5b9d6a1e-0000-4000-8000-000000000001",
            contoso_ids(),
            "secret's ID, not its value",
        ),
        (
            SECRET,
            {
                let mut args = contoso_ids();
                args.extend(["--window-hours", "0"]);
                args
            },
            "--window-hours",
        ),
    ];
    for (secret, args, message) in cases {
        let output = recovery_check(&sim, dir.path(), secret, &args).await;
        assert_eq!(output.status.code(), Some(64), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{message}: {stderr}");
        assert!(output.stdout.is_empty());
    }
    assert_eq!(sim.shared.lock().token_requests, 0);
}
