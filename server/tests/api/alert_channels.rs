//! Alert channels through the server: an admin adds a webhook and sees its
//! signing secret once, a test message reaches the receiver signed with it,
//! a receiver that keeps failing is retried with its answer shown and then
//! given up on, and an address inside the network is never sent to.

use crate::support::receiver::receiver;
use crate::support::{app_error, spawn_app_with, TestApp, PASSWORD};
use app::error::AppError;
use app::model::{AddedAlertChannel, AlertChannelView};
use axum::http::StatusCode;
use domain::outbox::MessageState;
use domain::webhook::{verify, WebhookSecret};
use reqwest::Client;
use std::time::Duration;

async fn app(to_this_machine: bool) -> (TestApp, Client) {
    let app = spawn_app_with(&[
        (
            "TENANTRY_WEBHOOKS_TO_THIS_MACHINE",
            if to_this_machine { "1" } else { "0" }.to_owned(),
        ),
        ("TENANTRY_MAIL_POLL_SECONDS", "1".to_owned()),
    ])
    .await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    (app, admin)
}

async fn add(app: &TestApp, admin: &Client, url: &str) -> AddedAlertChannel {
    add_kind(app, admin, "webhook", url).await
}

async fn add_kind(app: &TestApp, admin: &Client, kind: &str, url: &str) -> AddedAlertChannel {
    let added = app
        .call(
            admin,
            "add_alert_channel",
            &[
                ("form[kind]", kind),
                ("form[name]", "PSA tickets"),
                ("form[url]", url),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::OK);
    added.json().await.unwrap()
}

async fn channels(app: &TestApp, client: &Client) -> (Vec<AlertChannelView>, String) {
    let listed = app.call(client, "list_alert_channels", &[]).await;
    assert_eq!(listed.status(), StatusCode::OK);
    let text = listed.text().await.unwrap();
    (serde_json::from_str(&text).unwrap(), text)
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

/// Waits until the channel's newest delivery satisfies `done`.
async fn until(
    app: &TestApp,
    admin: &Client,
    done: impl Fn(&app::model::AlertDeliveryView) -> bool,
) -> app::model::AlertDeliveryView {
    for _ in 0..100 {
        let (listed, _) = channels(app, admin).await;
        if let Some(delivery) = listed[0].deliveries.first().filter(|d| done(d)) {
            return delivery.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the delivery never got there: {:?}",
        channels(app, admin).await.0
    );
}

#[tokio::test]
async fn an_admin_adds_a_webhook_sees_its_secret_once_and_a_test_arrives_signed_with_it() {
    let (app, admin) = app(true).await;
    let receiver = receiver(StatusCode::OK, Duration::ZERO).await;
    let url = format!("{}?token=receivers-own-secret", receiver.url);
    let added = add(&app, &admin, &url).await;
    let shown = added.secret.clone().expect("a webhook has a secret");
    let secret = WebhookSecret::parse(&shown).expect("a whsec_ secret");

    let (listed, text) = channels(&app, &admin).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "PSA tickets");
    assert_eq!(listed[0].host, "127.0.0.1");
    assert!(!text.contains(&shown), "the secret is shown once");
    assert!(!text.contains("receivers-own-secret"), "nor the address");

    send_test(&app, &admin, &added).await;
    let delivered = until(&app, &admin, |d| d.state == MessageState::Delivered).await;
    assert_eq!(delivered.event, "test");
    assert_eq!(delivered.last_answer.as_deref(), Some("HTTP 200"));
    let got = receiver.all()[0].clone();
    assert_eq!(
        got.id,
        delivered.id.to_string(),
        "the delivery's id is the webhook-id"
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(verify(
        &secret,
        &got.signature,
        &got.id,
        got.timestamp,
        &got.body,
        now
    ));
    let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["type"], "test");
    assert_eq!(body["facts"][0]["value"], "PSA tickets");
}

#[tokio::test]
async fn technicians_and_viewers_see_channels_but_only_admins_add_test_or_remove_them() {
    let (app, admin) = app(true).await;
    let receiver = receiver(StatusCode::OK, Duration::ZERO).await;
    let added = add(&app, &admin, &receiver.url).await;
    for role in ["technician", "viewer"] {
        let member = app
            .add_member(&admin, &format!("{role}@northwind.example"), role)
            .await;
        assert_eq!(channels(&app, &member).await.0.len(), 1);
        for (function, args) in [
            (
                "add_alert_channel",
                vec![
                    ("form[kind]", "webhook"),
                    ("form[name]", "Mine"),
                    ("form[url]", receiver.url.as_str()),
                ],
            ),
            ("send_alert_test", vec![("channel_id", added.id.as_str())]),
            (
                "remove_alert_channel",
                vec![("channel_id", added.id.as_str())],
            ),
        ] {
            let refused = app.call(&member, function, &args).await;
            assert_eq!(
                app_error(refused).await,
                AppError::Forbidden,
                "{role}: {function}"
            );
        }
    }
    assert!(receiver.all().is_empty());

    let removed = app
        .call(
            &admin,
            "remove_alert_channel",
            &[("channel_id", added.id.as_str())],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    assert!(channels(&app, &admin).await.0.is_empty());
}

#[tokio::test]
async fn a_bad_name_or_address_is_refused_on_its_field_and_nothing_is_added() {
    let (app, admin) = app(false).await;
    let refused = app
        .call(
            &admin,
            "add_alert_channel",
            &[
                ("form[kind]", "office365_connector"),
                ("form[name]", " "),
                ("form[url]", "http://hooks.example.com/x"),
            ],
        )
        .await;
    let error = app_error(refused).await;
    assert!(error.for_field("name").is_some(), "{error:?}");
    assert!(
        error.for_field("kind").is_some(),
        "the retired connectors are not a kind"
    );
    assert_eq!(
        error.for_field("url").as_deref(),
        Some("The address must start with https://.")
    );
    assert!(channels(&app, &admin).await.0.is_empty());
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_is_retried_with_its_answer_shown_then_given_up_on() {
    let (app, admin) = app(true).await;
    let receiver = receiver(StatusCode::SERVICE_UNAVAILABLE, Duration::ZERO).await;
    let added = add(&app, &admin, &receiver.url).await;
    send_test(&app, &admin, &added).await;

    let first = until(&app, &admin, |d| d.attempts == 1 && d.last_answer.is_some()).await;
    assert_eq!(first.state, MessageState::Queued);
    assert_eq!(
        first.last_answer.as_deref(),
        Some("HTTP 503: receiver says no")
    );
    assert!(
        first.next_attempt_at.is_some(),
        "it says when it tries again"
    );

    // Each wait is longer than the one before; past the last, it is given up.
    // The hours pass for the sign-in too, so Nadia signs in again each time.
    let mut admin = admin;
    for attempt in 2..=domain::outbox::MAX_ATTEMPTS {
        app.clock().advance(time::Duration::hours(7));
        admin = app.signed_in("nadia@northwind.example", PASSWORD).await;
        until(&app, &admin, |d| {
            d.attempts == attempt
                && (d.state == MessageState::Failed || d.next_attempt_at.is_some())
        })
        .await;
    }
    let given_up = until(&app, &admin, |d| d.state == MessageState::Failed).await;
    assert_eq!(given_up.attempts, domain::outbox::MAX_ATTEMPTS);
    assert_eq!(
        receiver.all().len(),
        domain::outbox::MAX_ATTEMPTS as usize,
        "one request per attempt, never two"
    );
    let ids: std::collections::BTreeSet<String> = receiver.ids().into_iter().collect();
    assert_eq!(ids.len(), 1, "every attempt carries the same webhook-id");
}

#[tokio::test]
async fn a_webhook_to_an_address_inside_the_network_is_given_up_on_without_being_sent() {
    let (app, admin) = app(false).await;
    let receiver = receiver(StatusCode::OK, Duration::ZERO).await;
    let on_this_machine = receiver.url.replace("http://", "https://");
    for url in [
        on_this_machine.as_str(),
        "https://169.254.169.254/latest/meta-data",
    ] {
        let added = add(&app, &admin, url).await;
        send_test(&app, &admin, &added).await;
    }
    for _ in 0..100 {
        let (listed, _) = channels(&app, &admin).await;
        let settled: Vec<_> = listed
            .iter()
            .filter_map(|c| c.deliveries.first())
            .filter(|d| d.state == MessageState::Failed)
            .collect();
        if settled.len() == 2 {
            for delivery in settled {
                assert_eq!(delivery.attempts, 1, "not retried");
                assert!(
                    delivery
                        .last_answer
                        .as_deref()
                        .is_some_and(|a| a.contains("webhooks go only to public addresses")),
                    "{delivery:?}"
                );
            }
            assert!(receiver.all().is_empty());
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not refused: {:?}", channels(&app, &admin).await.0);
}

#[tokio::test]
async fn another_organisation_neither_sees_nor_reaches_a_channel() {
    let (app, admin) = app(true).await;
    let receiver = receiver(StatusCode::OK, Duration::ZERO).await;
    let added = add(&app, &admin, &receiver.url).await;
    app.create_organisation("Fabrikam IT", "ian@fabrikam.example")
        .await;
    let other = app.signed_in("ian@fabrikam.example", PASSWORD).await;
    assert!(channels(&app, &other).await.0.is_empty());
    for function in ["send_alert_test", "remove_alert_channel"] {
        let refused = app
            .call(&other, function, &[("channel_id", added.id.as_str())])
            .await;
        assert_eq!(app_error(refused).await, AppError::NotFound, "{function}");
    }
    assert_eq!(channels(&app, &admin).await.0.len(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.all().is_empty());
}

#[tokio::test]
async fn the_alerts_page_shows_every_member_the_channels_and_offers_changes_to_admins_only() {
    let (app, admin) = app(true).await;
    let receiver = receiver(StatusCode::OK, Duration::ZERO).await;
    let url = format!("{}?token=receivers-own-secret", receiver.url);
    let added = add(&app, &admin, &url).await;
    let viewer = app
        .add_member(&admin, "val@northwind.example", "viewer")
        .await;
    let page = |client: Client| {
        let url = app.url("/alerts");
        async move {
            let page = client.get(url).send().await.unwrap();
            assert_eq!(page.status(), StatusCode::OK);
            page.text().await.unwrap()
        }
    };
    let admins = page(admin.clone()).await;
    let viewers = page(viewer).await;
    for html in [&admins, &viewers] {
        assert!(html.contains("PSA tickets") && html.contains("127.0.0.1"));
        assert!(!html.contains(added.secret.as_deref().unwrap()));
        assert!(!html.contains("receivers-own-secret"));
    }
    assert!(admins.contains("Add a channel") && admins.contains("Send a test"));
    assert!(!viewers.contains("Add a channel") && !viewers.contains("Send a test"));
}

/// What a receiver of one kind must have been sent.
type BodyCheck = dyn Fn(&serde_json::Value);

#[tokio::test]
async fn teams_gets_an_adaptive_card_and_slack_blocks_neither_signed_nor_given_a_secret() {
    let (app, admin) = app(true).await;
    let teams = |body: &serde_json::Value| {
        assert_eq!(body["type"], "message");
        assert_eq!(
            body["attachments"][0]["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(
            body["attachments"][0]["content"]["body"][0]["text"],
            "A test from Tenantry"
        );
    };
    let slack = |body: &serde_json::Value| {
        assert!(body["text"]
            .as_str()
            .unwrap()
            .starts_with("A test from Tenantry"));
        assert_eq!(body["blocks"][0]["type"], "header");
    };
    let checks: [(&str, &BodyCheck); 2] = [("teams", &teams), ("slack", &slack)];
    for (kind, check) in checks {
        let receiver = receiver(StatusCode::OK, Duration::ZERO).await;
        let added = add_kind(&app, &admin, kind, &receiver.url).await;
        assert_eq!(added.secret, None, "{kind}: its address carries its secret");
        let sent = app
            .call(
                &admin,
                "send_alert_test",
                &[("channel_id", added.id.as_str())],
            )
            .await;
        assert_eq!(sent.status(), StatusCode::OK);
        for _ in 0..100 {
            if !receiver.all().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let got = receiver.all()[0].clone();
        assert_eq!(got.signature, "", "{kind}: nothing signs");
        check(&serde_json::from_slice(&got.body).unwrap());
    }
}

#[tokio::test]
async fn plain_http_is_refused_beyond_this_machine_even_where_receivers_here_are_allowed() {
    let (app, admin) = app(true).await;
    for url in ["http://hooks.example.com/x", "http://10.0.0.1/x"] {
        let refused = app
            .call(
                &admin,
                "add_alert_channel",
                &[
                    ("form[kind]", "webhook"),
                    ("form[name]", "PSA"),
                    ("form[url]", url),
                ],
            )
            .await;
        assert_eq!(
            app_error(refused).await.for_field("url").as_deref(),
            Some("The address must start with https://."),
            "{url}"
        );
    }
    let receiver = receiver(StatusCode::OK, Duration::ZERO).await;
    assert!(receiver.url.starts_with("http://127.0.0.1"));
    add(&app, &admin, &receiver.url).await;
}

#[tokio::test]
async fn the_json_schema_of_a_webhooks_body_is_served_for_whoever_builds_a_receiver() {
    let (app, _) = app(false).await;
    let served = reqwest::get(app.url("/schemas/alert-event.json"))
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "application/schema+json");
    let schema: serde_json::Value = served.json().await.unwrap();
    assert_eq!(schema["title"], "Tenantry alert");
    let types = schema["properties"]["type"]["enum"].as_array().unwrap();
    assert!(types.iter().any(|t| t == "registration.failing"));
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_until_the_rotation_is_finished() {
    let (app, admin) = app(true).await;
    let receiver = receiver(StatusCode::OK, Duration::ZERO).await;
    let added = add(&app, &admin, &receiver.url).await;
    let old = WebhookSecret::parse(added.secret.as_deref().unwrap()).unwrap();
    let form = [("channel_id", added.id.as_str())];
    let call = |function: &'static str| app.call(&admin, function, &form);

    let rotated = call("rotate_alert_secret").await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let rotated: AddedAlertChannel = rotated.json().await.unwrap();
    let new = WebhookSecret::parse(rotated.secret.as_deref().unwrap()).unwrap();
    let (listed, text) = channels(&app, &admin).await;
    assert_eq!(listed[0].signing_secrets, 2);
    assert!(
        !text.contains(rotated.secret.as_deref().unwrap()),
        "shown once"
    );

    let now = || time::OffsetDateTime::now_utc().unix_timestamp();
    send_test(&app, &admin, &added).await;
    until(&app, &admin, |d| d.state == MessageState::Delivered).await;
    let during = receiver.all()[0].clone();
    for secret in [&old, &new] {
        assert!(verify(
            secret,
            &during.signature,
            &during.id,
            during.timestamp,
            &during.body,
            now()
        ));
    }

    assert_eq!(
        call("finish_secret_rotation").await.status(),
        StatusCode::OK
    );
    assert_eq!(channels(&app, &admin).await.0[0].signing_secrets, 1);
    app.clock().advance(time::Duration::seconds(1));
    send_test(&app, &admin, &added).await;
    for _ in 0..100 {
        if receiver.all().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = receiver.all()[1].clone();
    assert!(verify(
        &new,
        &after.signature,
        &after.id,
        after.timestamp,
        &after.body,
        now()
    ));
    assert!(!verify(
        &old,
        &after.signature,
        &after.id,
        after.timestamp,
        &after.body,
        now()
    ));
    assert!(matches!(
        app_error(call("finish_secret_rotation").await).await,
        AppError::Conflict(_)
    ));

    let slack = add_kind(&app, &admin, "slack", &receiver.url).await;
    let refused = app
        .call(
            &admin,
            "rotate_alert_secret",
            &[("channel_id", slack.id.as_str())],
        )
        .await;
    assert!(matches!(app_error(refused).await, AppError::Conflict(_)));
    let viewer = app
        .add_member(&admin, "val@northwind.example", "viewer")
        .await;
    let forbidden = app
        .call(
            &viewer,
            "rotate_alert_secret",
            &[("channel_id", added.id.as_str())],
        )
        .await;
    assert_eq!(app_error(forbidden).await, AppError::Forbidden);
}
