//! `tenantry verify` as a script would run it, against the simulator.

use serde_json::Value;
use std::path::Path;
use std::process::Output;

use crate::support::simulator::{
    contoso as simulator, tenantry_with_secret, CLIENT, SECRET, TENANT,
};

async fn tenantry_verify(
    sim: &entra_simulator::Simulator,
    dir: &Path,
    secret: &str,
    extra: &[&str],
) -> Output {
    let before = [
        "verify",
        "--cloud",
        "global",
        "--tenant",
        TENANT,
        "--client-id",
        CLIENT,
        "--profile",
        "recovery",
    ];
    tenantry_with_secret(sim, dir, secret, &before, extra).await
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON on stdout: {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[tokio::test]
async fn a_healthy_registration_prints_the_verdict_as_json_and_exits_0() {
    let sim = simulator(&["AuditLog.Read.All"]).await;
    let dir = tempfile::tempdir().unwrap();

    let output = tenantry_verify(&sim, dir.path(), SECRET, &[]).await;

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verdict = json(&output);
    assert_eq!(verdict["status"], "healthy");
    assert_eq!(verdict["permissions"][0]["name"], "AuditLog.Read.All");
    assert_eq!(verdict["permissions"][0]["kind"], "application");
    assert_eq!(verdict["permissions"][0]["state"], "granted");
    assert_eq!(verdict["extra_permissions"], serde_json::json!([]));
    assert_eq!(verdict["token"]["tid"], TENANT);
    assert_eq!(verdict["token"]["appid"], CLIENT);
    let everything = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!everything.contains(SECRET), "the secret is never printed");
}

#[tokio::test]
async fn missing_consent_exits_1_with_the_consent_fix() {
    let sim = simulator(&[]).await;
    let dir = tempfile::tempdir().unwrap();

    let output = tenantry_verify(&sim, dir.path(), SECRET, &[]).await;

    assert_eq!(output.status.code(), Some(1));
    let verdict = json(&output);
    assert_eq!(verdict["status"], "failing");
    assert_eq!(verdict["findings"][0]["code"], "consent_missing");
    assert!(verdict["findings"][0]["fix"]
        .as_str()
        .unwrap()
        .contains("admin consent"));
}

#[tokio::test]
async fn a_wrong_secret_exits_1_with_invalid_secret() {
    let sim = simulator(&["AuditLog.Read.All"]).await;
    let dir = tempfile::tempdir().unwrap();

    let output = tenantry_verify(&sim, dir.path(), "not-the-secret", &["--human"]).await;

    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Status: failing"));
    assert!(text.contains("[invalid_secret]"));
    assert!(text.contains("Microsoft trace ID"));
}

#[tokio::test]
async fn an_unreachable_service_exits_2() {
    let sim = simulator(&["AuditLog.Read.All"]).await;
    let dir = tempfile::tempdir().unwrap();
    reqwest::Client::new()
        .post(format!("{}/_admin/faults", sim.base_url()))
        .json(&serde_json::json!({"kind": "status", "code": 503, "retry_after_secs": 0}))
        .send()
        .await
        .unwrap();

    let output = tenantry_verify(&sim, dir.path(), SECRET, &[]).await;

    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json(&output)["status"], "could_not_check");
}

#[tokio::test]
async fn bad_arguments_exit_64_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: Vec<&str>| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
            .env_clear()
            .env("TENANTRY_DATA_DIR", dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    // The flags of a valid call, each case spoiling one of them.
    let call = |cloud: &'static str,
                client_id: &'static str,
                profile: &'static str,
                secret: Option<&'static str>| {
        let mut args = vec![
            "verify",
            "--cloud",
            cloud,
            "--tenant",
            TENANT,
            "--client-id",
            client_id,
            "--profile",
            profile,
        ];
        if let Some(path) = secret {
            args.extend(["--secret-file", path]);
        }
        args
    };
    let cases = [
        (
            call("global", "not-a-guid", "recovery", Some("/x")),
            "not a GUID",
        ),
        (
            call("mars", CLIENT, "recovery", Some("/x")),
            "unknown cloud",
        ),
        (
            call("global", CLIENT, "intune", Some("/x")),
            "unknown profile",
        ),
        (
            call("global", CLIENT, "recovery", Some("/nonexistent")),
            "cannot read",
        ),
        (
            call("global", CLIENT, "recovery", None),
            "give a credential",
        ),
        (vec!["verify", "--cloud", "global"], "required"),
    ];
    for (args, message) in cases {
        let output = run(args.clone());
        assert_eq!(output.status.code(), Some(64), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(message),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_pfx_that_would_cost_minutes_to_open_is_refused_with_exit_64_before_any_work() {
    use test_certificates::{crafted_pfx, CraftedBag, CraftedSafe};
    let dir = tempfile::tempdir().unwrap();
    // Two thousand keys at 600,000 iterations each: tens of CPU-minutes to
    // the opener, had it been asked.
    let keys = vec![
        CraftedBag::ShroudedKey {
            iterations: 600_000
        };
        2_000
    ];
    let pfx = dir.path().join("many-keys.pfx");
    std::fs::write(&pfx, crafted_pfx("pw", &[CraftedSafe::plain(keys)])).unwrap();
    let password = dir.path().join("password");
    std::fs::write(&password, "pw").unwrap();

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .env("TENANTRY_DATA_DIR", dir.path())
        .args(["verify", "--cloud", "global", "--tenant", TENANT])
        .args(["--client-id", CLIENT, "--profile", "recovery", "--pfx"])
        .arg(&pfx)
        .arg("--pfx-password-file")
        .arg(&password)
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bytes"), "refused on its size: {stderr}");
}
