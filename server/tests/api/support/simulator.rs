//! One Contoso directory in the Entra simulator, shared by every test that
//! needs Microsoft to answer, and a Tenantry server pointed at it.

use super::{spawn_app_with, TestApp};
use entra_simulator::state::{NewApp, Scenario, Tenant};
use entra_simulator::Simulator;
use serde_json::json;

/// Contoso's directory (tenant) id.
pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";
/// The application (client) id of Contoso's app registration.
pub const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
/// The object id of that app registration.
pub const OBJECT: &str = "33333333-3333-3333-3333-333333333333";
/// The client secret Microsoft issued for it.
pub const SECRET: &str = "Qx8~kT3.vLr9_Zp2-contosoSecretValue";

/// How Tenantry names `SECRET` once it holds it: its last four characters.
pub fn secret_summary() -> String {
    format!("Client secret …{}", &SECRET[SECRET.len() - 4..])
}

/// Contoso with one app holding `SECRET` (90 days) and consent for `roles`.
pub async fn contoso(roles: &[&str]) -> Simulator {
    contoso_with(NewApp {
        object_id: Some(OBJECT.into()),
        ..NewApp::with_secret(TENANT, CLIENT, SECRET, 90, roles)
    })
    .await
}

/// Contoso's recovery app with `AuditLog.Read.All` granted and `SECRET`,
/// created by `creator` `hours_ago` hours ago, as the audit log records it.
pub fn recovery_app(hours_ago: i64, creator: &str) -> NewApp {
    NewApp {
        object_id: Some(OBJECT.into()),
        created_at: Some(time::OffsetDateTime::now_utc().unix_timestamp() - hours_ago * 3600),
        created_by: Some(creator.into()),
        display_name: Some("Tenantry Recovery".into()),
        ..NewApp::with_secret(TENANT, CLIENT, SECRET, 90, &["AuditLog.Read.All"])
    }
}

/// Contoso with an app the test describes itself.
pub async fn contoso_with(app: NewApp) -> Simulator {
    let scenario = Scenario::of(
        vec![Tenant::global(TENANT, "contoso.example", "Contoso")],
        vec![app],
    );
    entra_simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .expect("simulator starts")
}

/// A Tenantry server whose identity and Graph endpoints are the simulator.
pub async fn app_against(sim: &Simulator) -> TestApp {
    spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
    ])
    .await
}

/// A Tenantry server pointed at `sim` that sends its e-mail to `mail`
/// (looked for every second), with `extra` settings.
pub async fn app_with_mail(
    sim: &Simulator,
    mail: &entra_simulator::smtp::MailServer,
    extra: &[(&'static str, String)],
) -> TestApp {
    let mut settings = vec![
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_SMTP_URL", mail.url()),
        (
            "TENANTRY_MAIL_FROM",
            "Tenantry <tenantry@msp.example>".to_owned(),
        ),
        ("TENANTRY_MAIL_POLL_SECONDS", "1".to_owned()),
    ];
    settings.extend(extra.iter().cloned());
    spawn_app_with(&settings).await
}

/// A Contoso admin grants consent for `permission` to `CLIENT`.
pub async fn grant(sim: &Simulator, permission: &str) {
    grant_as(sim, permission, "admin@simulated.example").await
}

/// `by` (a user principal name) grants consent for `permission` to `CLIENT`.
pub async fn grant_as(sim: &Simulator, permission: &str, by: &str) {
    let response = reqwest::Client::new()
        .post(format!("{}/_admin/apps/{CLIENT}/roles", sim.base_url()))
        .json(&json!({"grant": [permission], "by": by}))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "simulator granted {permission}"
    );
}

/// Runs the `tenantry` binary against `sim` with `secret` in a file:
/// `before` comes ahead of `--secret-file <file>`, `after` behind it.
pub async fn tenantry_with_secret(
    sim: &Simulator,
    dir: &std::path::Path,
    secret: &str,
    before: &[&str],
    after: &[&str],
) -> std::process::Output {
    let secret_file = dir.join("secret");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .env_clear()
        .env("TENANTRY_IDENTITY_URL", sim.base_url())
        .env("TENANTRY_GRAPH_URL", sim.base_url())
        .env("TENANTRY_DATA_DIR", dir)
        .args(before)
        .arg("--secret-file")
        .arg(&secret_file)
        .args(after)
        .output()
        .await
        .unwrap()
}
