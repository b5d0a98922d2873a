//! A server killed without warning (SIGKILL) while it sends alerts loses
//! none: a message queued but not yet sent goes once after the restart, and
//! one that was on its way when the process died goes again with the same
//! `webhook-id` once its lease runs out, so a receiver that drops repeats
//! handles each message once.

use crate::support::process::spawn_binary_with;
use crate::support::receiver::receiver;
use app::model::AlertChannelView;
use axum::http::StatusCode;
use domain::outbox::MessageState;
use std::time::Duration;

#[tokio::test]
async fn a_server_killed_while_sending_alerts_delivers_every_message_after_a_restart_under_its_own_id(
) {
    // The receiver takes a second to answer, so the server can be killed
    // while a message is on its way.
    let hook = receiver(StatusCode::OK, Duration::from_millis(1000)).await;
    let (app, mut server) = spawn_binary_with(&[
        ("TENANTRY_WEBHOOKS_TO_THIS_MACHINE", "1".into()),
        ("TENANTRY_MAIL_POLL_SECONDS", "1".into()),
        // A send takes at most twice this; the lease is a few seconds more.
        ("TENANTRY_ALERT_SEND_TIMEOUT_SECONDS", "2".into()),
        ("TENANTRY_LOG", "warn".into()),
    ])
    .await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let added = app
        .call(
            &admin,
            "add_alert_channel",
            &[
                ("form[kind]", "webhook"),
                ("form[name]", "PSA"),
                ("form[url]", hook.url.as_str()),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    let channel: app::model::AddedAlertChannel = added.json().await.unwrap();
    let form = [("channel_id", channel.id.as_str())];
    let send_test = || app.call(&admin, "send_alert_test", &form);

    assert_eq!(send_test().await.status(), StatusCode::OK);
    for _ in 0..100 {
        if !hook.all().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let in_flight = hook.ids();
    assert_eq!(in_flight.len(), 1, "the first message is on its way");
    // The second is queued while the first waits for its answer.
    assert_eq!(send_test().await.status(), StatusCode::OK);
    server.crash_and_restart().await;

    let mut listed: Vec<AlertChannelView> = Vec::new();
    for _ in 0..300 {
        let response = app.call(&admin, "list_alert_channels", &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        listed = response.json().await.unwrap();
        if listed[0].deliveries.len() == 2
            && listed[0]
                .deliveries
                .iter()
                .all(|d| d.state == MessageState::Delivered)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let deliveries = &listed[0].deliveries;
    assert!(
        deliveries
            .iter()
            .all(|d| d.state == MessageState::Delivered),
        "{deliveries:?}"
    );
    let mut ids = hook.ids();
    ids.sort();
    let mut expected: Vec<String> = deliveries
        .iter()
        .map(|d| d.id.to_string())
        .chain(in_flight.iter().cloned())
        .collect();
    expected.sort();
    assert_eq!(
        ids, expected,
        "the queued one once; the one cut off again, under its own id"
    );
    server.stop();
}
