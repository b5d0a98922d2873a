//! Alerts by e-mail, for real: through the server's mail server to an SMTP
//! receiver, and as the MSP's own mailbox through Microsoft Graph (the
//! simulator records what it was asked to send) with a registration in the
//! MSP's own tenant, which Tenantry also watches.

use crate::support::app_error;
use crate::support::simulator::{contoso, CLIENT, TENANT};
use crate::support::watch::{watched, Watched};
use crate::support::{spawn_app_with, TestApp};
use app::model::{AddedAlertChannel, AlertChannelView, AlertDeliveryView, AlertSettingsView};
use axum::http::StatusCode;
use domain::evaluation::Status;
use domain::outbox::MessageState;
use entra_simulator::smtp;
use entra_simulator::Simulator;
use reqwest::Client;
use serde_json::{json, Value};
use std::time::Duration;

async fn add(
    app: &TestApp,
    admin: &Client,
    form: &[(&str, &str)],
) -> Result<AddedAlertChannel, app::error::AppError> {
    let added = app.call(admin, "add_alert_channel", form).await;
    if added.status() == StatusCode::OK {
        Ok(added.json().await.unwrap())
    } else {
        Err(app_error(added).await)
    }
}

async fn send_test(app: &TestApp, admin: &Client, channel: &AddedAlertChannel) {
    let sent = app
        .call(
            admin,
            "send_alert_test",
            &[("channel_id", channel.id.as_str())],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::OK);
}

/// Waits until the newest delivery of the only channel is settled or has
/// been tried, and returns it.
async fn tried(app: &TestApp, admin: &Client, deliveries: usize) -> AlertDeliveryView {
    for _ in 0..100 {
        let listed: Vec<AlertChannelView> = app
            .call(admin, "list_alert_channels", &[])
            .await
            .json()
            .await
            .unwrap();
        if let Some(newest) = listed[0]
            .deliveries
            .first()
            .filter(|_| listed[0].deliveries.len() >= deliveries)
            .filter(|d| d.attempts > 0 && d.last_answer.is_some())
        {
            return newest.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no delivery was tried");
}

#[tokio::test]
async fn an_email_channel_gets_each_alert_through_the_mail_server_as_plain_text() {
    let sim = contoso(&["Mail.Send"]).await;
    let mail = smtp::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let app = crate::support::simulator::app_with_mail(&sim, &mail, &[]).await;
    let contoso = watched(app, 120).await;
    assert_eq!(contoso.check_now().await, Status::Healthy);
    contoso.app.weigh_alerts().await;

    let channel = add(
        &contoso.app,
        &contoso.staff,
        &[
            ("form[kind]", "email"),
            ("form[name]", "NOC mailbox"),
            (
                "form[url]",
                "noc@northwind.example; oncall@northwind.example",
            ),
        ],
    )
    .await
    .unwrap();
    assert!(channel.secret.is_none(), "e-mail has no signing secret");
    send_test(&contoso.app, &contoso.staff, &channel).await;
    let received = mail.wait_for(1).await;
    assert_eq!(
        received[0].to,
        ["noc@northwind.example", "oncall@northwind.example"]
    );
    assert_eq!(
        received[0].header("Subject").as_deref(),
        Some("A test from Tenantry")
    );
    let delivered = tried(&contoso.app, &contoso.staff, 1).await;
    assert_eq!(delivered.state, MessageState::Delivered);
    assert_eq!(
        delivered.last_answer.as_deref(),
        Some("Accepted by the mail server")
    );

    crate::support::watch::admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/roles"),
        json!({"revoke": ["Mail.Send"]}),
    )
    .await;
    assert_eq!(contoso.check_now().await, Status::Failing);
    contoso.app.weigh_alerts().await;
    let received = mail.wait_for(2).await;
    assert_eq!(
        received[1].header("Subject").as_deref(),
        Some("Contoso: E-mail through Microsoft Graph: admin consent is missing")
    );
    assert!(
        received[1].data.contains("To fix it:"),
        "{}",
        received[1].data
    );
    assert!(received[1].data.contains("Open in Tenantry: http"));
}

#[tokio::test]
async fn without_a_mail_server_an_email_alert_waits_and_says_why() {
    let app = spawn_app_with(&[("TENANTRY_MAIL_POLL_SECONDS", "1".to_owned())]).await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let refused = add(
        &app,
        &admin,
        &[
            ("form[kind]", "email"),
            ("form[name]", "NOC"),
            ("form[url]", "noc@northwind.example, not-an-address"),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(
        refused.for_field("url").as_deref(),
        Some("\"not-an-address\" is not an e-mail address.")
    );
    let channel = add(
        &app,
        &admin,
        &[
            ("form[kind]", "email"),
            ("form[name]", "NOC"),
            ("form[url]", "noc@northwind.example"),
        ],
    )
    .await
    .unwrap();
    send_test(&app, &admin, &channel).await;
    let waiting = tried(&app, &admin, 1).await;
    assert_eq!(waiting.state, MessageState::Queued);
    assert!(waiting
        .last_answer
        .unwrap()
        .contains("no mail server is set up"));
}

/// The recovery app a Contoso admin made two hours ago to prove control.
const PROOF_CLIENT: &str = "44444444-4444-4444-4444-444444444444";
const PROOF_OBJECT: &str = "55555555-5555-5555-5555-555555555555";
const PROOF_SECRET: &str = "Proof~Secret.Value_0123456789abcdef";

/// Contoso's directory with the e-mail app (Mail.Send) and a recovery app
/// that proves control of it.
async fn contoso_with_a_proof() -> Simulator {
    let scenario = entra_simulator::state::Scenario::of(
        vec![entra_simulator::state::Tenant::global(
            TENANT,
            "contoso.example",
            "Contoso",
        )],
        vec![
            entra_simulator::state::NewApp {
                object_id: Some(crate::support::simulator::OBJECT.into()),
                ..entra_simulator::state::NewApp::with_secret(
                    TENANT,
                    CLIENT,
                    crate::support::simulator::SECRET,
                    90,
                    &["Mail.Send"],
                )
            },
            entra_simulator::state::NewApp {
                object_id: Some(PROOF_OBJECT.into()),
                created_at: Some(time::OffsetDateTime::now_utc().unix_timestamp() - 2 * 3600),
                created_by: Some("carol@contoso.example".into()),
                display_name: Some("Tenantry Recovery".into()),
                ..entra_simulator::state::NewApp::with_secret(
                    TENANT,
                    PROOF_CLIENT,
                    PROOF_SECRET,
                    90,
                    &["AuditLog.Read.All"],
                )
            },
        ],
    );
    entra_simulator::spawn("127.0.0.1:0".parse().unwrap(), scenario)
        .await
        .expect("simulator starts")
}

/// Northwind IT proves control of Contoso's directory through an
/// ownership-proof link, as it would for its own tenant.
async fn prove_control(ours: &Watched) {
    let page = ours.page().await;
    let customer = crate::support::onboarding::invite(
        &ours.app,
        &ours.staff,
        page.customer_tenant_id.as_str(),
        "recovery",
    )
    .await;
    customer.finish_entra_steps().await;
    assert_eq!(customer.finish(4).await.status(), StatusCode::OK);
    let ids = customer.save_ids(TENANT, PROOF_CLIENT, PROOF_OBJECT).await;
    assert_eq!(ids.status(), StatusCode::OK);
    let proved = customer.prove_with(PROOF_SECRET).await;
    assert_eq!(proved.status(), StatusCode::OK);
}

/// Northwind IT's own tenant is Contoso's directory here: recorded as a
/// tenant, with an e-mail registration, and named as the organisation's own.
async fn own_tenant(sim: &Simulator) -> Watched {
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_MAIL_POLL_SECONDS", "1".to_owned()),
    ])
    .await;
    watched(app, 120).await
}

async fn call_it_our_own(watched: &Watched) {
    let saved = watched
        .app
        .call(
            &watched.staff,
            "save_home_tenant",
            &[("home_tenant_id", TENANT), ("home_cloud", "global")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
}

async fn sent_by_graph(sim: &Simulator) -> Vec<Value> {
    let answer: Value = reqwest::get(format!("{}/_admin/mail", sim.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["messages"].as_array().unwrap().clone()
}

fn graph_form<'a>(registration: &'a str, mailbox: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[kind]", "graph"),
        ("form[name]", "From our mailbox"),
        ("form[url]", "noc@northwind.example"),
        ("form[mailbox]", mailbox),
        ("form[registration_id]", registration),
    ]
}

#[tokio::test]
async fn alerts_go_out_as_the_msps_own_mailbox_through_graph_until_a_policy_refuses_it() {
    let sim = contoso_with_a_proof().await;
    let ours = own_tenant(&sim).await;
    call_it_our_own(&ours).await;
    let unproved = add(
        &ours.app,
        &ours.staff,
        &graph_form(&ours.registration, "alerts@contoso.example"),
    )
    .await
    .unwrap_err();
    assert!(
        unproved
            .for_field("registration_id")
            .unwrap()
            .contains("Prove control"),
        "a typed home tenant is not enough: {unproved:?}"
    );
    prove_control(&ours).await;
    let settings: AlertSettingsView = ours
        .app
        .call(&ours.staff, "load_alert_settings", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings.senders.len(), 1);
    assert_eq!(settings.senders[0].0, ours.registration);

    let channel = add(
        &ours.app,
        &ours.staff,
        &graph_form(&ours.registration, "alerts@contoso.example"),
    )
    .await
    .unwrap();
    send_test(&ours.app, &ours.staff, &channel).await;
    let delivered = tried(&ours.app, &ours.staff, 1).await;
    assert_eq!(delivered.state, MessageState::Delivered, "{delivered:?}");
    assert_eq!(
        delivered.last_answer.as_deref(),
        Some("Accepted by Microsoft Graph")
    );
    let sent = sent_by_graph(&sim).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["mailbox"], "alerts@contoso.example");
    assert_eq!(sent[0]["client_id"], CLIENT);
    assert_eq!(sent[0]["to"][0], "noc@northwind.example");
    assert_eq!(sent[0]["subject"], "A test from Tenantry");

    // Contoso's Exchange admin limits the app to another mailbox.
    let policy = reqwest::Client::new()
        .patch(format!("{}/_admin/apps/{CLIENT}", sim.base_url()))
        .json(&json!({"mailboxes": ["reports@contoso.example"]}))
        .send()
        .await
        .unwrap();
    assert!(policy.status().is_success());
    // A second later, so the log lists the new message first.
    ours.app.clock().advance(time::Duration::seconds(1));
    send_test(&ours.app, &ours.staff, &channel).await;
    let refused = tried(&ours.app, &ours.staff, 2).await;
    assert_eq!(refused.state, MessageState::Failed, "{refused:?}");
    let answer = refused.last_answer.unwrap();
    assert!(answer.contains("application access policy"), "{answer}");
    assert!(answer.contains("alerts@contoso.example"), "{answer}");
    assert_eq!(sent_by_graph(&sim).await.len(), 1);

    // Asked again before each send: an archived registration sends nothing.
    let archived = ours
        .app
        .call(
            &ours.staff,
            "archive_registration",
            &[
                ("registration_id", ours.registration.as_str()),
                ("archived", "true"),
            ],
        )
        .await;
    assert_eq!(archived.status(), StatusCode::OK);
    ours.app.clock().advance(time::Duration::seconds(1));
    send_test(&ours.app, &ours.staff, &channel).await;
    let refused = tried(&ours.app, &ours.staff, 3).await;
    assert_eq!(refused.state, MessageState::Failed);
    assert_eq!(
        refused.last_answer.as_deref(),
        Some("That registration is archived.")
    );
}

#[tokio::test]
async fn a_graph_channel_sends_only_with_a_registration_in_the_msps_own_tenant() {
    let sim = contoso(&["Mail.Send"]).await;
    let ours = own_tenant(&sim).await;
    let refused = add(
        &ours.app,
        &ours.staff,
        &graph_form(&ours.registration, "not a mailbox"),
    )
    .await
    .unwrap_err();
    assert!(refused.for_field("mailbox").is_some(), "{refused:?}");
    assert!(
        refused
            .for_field("registration_id")
            .unwrap()
            .contains("Recovery page"),
        "{refused:?}"
    );

    // Another organisation cannot send with Northwind's registration.
    let saved = ours
        .app
        .call(
            &ours.staff,
            "save_home_tenant",
            &[("home_tenant_id", ""), ("home_cloud", "global")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let other = ours
        .app
        .admin_of("Tailwind MSP", "tom@tailwind.example")
        .await;
    let theirs = add(
        &ours.app,
        &other,
        &graph_form(&ours.registration, "alerts@contoso.example"),
    )
    .await
    .unwrap_err();
    assert_eq!(
        theirs.for_field("registration_id").as_deref(),
        Some("That registration is not one of yours.")
    );
    assert!(sent_by_graph(&sim).await.is_empty());
}
