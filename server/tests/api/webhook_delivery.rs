//! One webhook message to a receiver over HTTP: signed so the receiver can
//! check it, refused before any connection when the address is inside the
//! network, never sent on through a redirect, and every refusal classed as
//! worth retrying or not.

use crate::support::receiver::receiver;
use app::backend::alerts::webhook::{Message, WebhookSender, WebhookUrl};
use axum::http::StatusCode;
use domain::outbox::DeliveryFailure;
use domain::webhook::{verify, WebhookSecret, SECRET_BYTES};
use std::time::Duration;

fn secret() -> WebhookSecret {
    WebhookSecret::from_random([3; SECRET_BYTES])
}

const BODY: &[u8] = br#"{"event":"registration.failing","finding":"consent_missing"}"#;

fn message(id: &str) -> Message<'_> {
    Message {
        id,
        timestamp: time::OffsetDateTime::now_utc().unix_timestamp(),
        body: BODY,
    }
}

async fn send(sender: &WebhookSender, url: &str, id: &str) -> Result<u16, DeliveryFailure> {
    let url = WebhookUrl::parse(url, true).unwrap();
    sender.send(&url, &[secret()], message(id)).await
}

fn on_this_machine() -> WebhookSender {
    WebhookSender::new(Duration::from_secs(2), true)
}

#[tokio::test]
async fn a_receiver_gets_the_message_with_a_signature_it_can_check() {
    let receiver = receiver(StatusCode::NO_CONTENT, Duration::ZERO).await;
    assert_eq!(
        send(&on_this_machine(), &receiver.url, "msg_1").await,
        Ok(204)
    );
    let got = receiver.all()[0].clone();
    assert_eq!(got.id, "msg_1");
    assert_eq!(got.body, BODY);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(verify(
        &secret(),
        &got.signature,
        &got.id,
        got.timestamp,
        &got.body,
        now
    ));
    let stranger = WebhookSecret::from_random([4; SECRET_BYTES]);
    assert!(!verify(
        &stranger,
        &got.signature,
        &got.id,
        got.timestamp,
        &got.body,
        now
    ));
}

#[tokio::test]
async fn an_address_on_this_machine_is_refused_unless_allowed_and_nothing_is_sent() {
    let receiver = receiver(StatusCode::OK, Duration::ZERO).await;
    let sender = WebhookSender::new(Duration::from_secs(2), false);
    for url in [
        receiver.url.clone(),
        receiver.url.replace("127.0.0.1", "localhost"),
    ] {
        let https = url.replace("http://", "https://");
        let result = sender
            .send(
                &WebhookUrl::parse(&https, false).unwrap(),
                &[secret()],
                message("msg_2"),
            )
            .await;
        let Err(DeliveryFailure::Permanent(why)) = result else {
            panic!("refused for good: {result:?}")
        };
        assert!(why.contains("this machine"), "{why}");
    }
    assert!(receiver.all().is_empty());
    assert!(
        WebhookUrl::parse(&receiver.url, false).is_err(),
        "plain http only where a receiver on this machine is allowed"
    );
}

#[tokio::test]
async fn private_and_metadata_addresses_are_refused_before_connecting() {
    let sender = WebhookSender::new(Duration::from_secs(2), true);
    for url in [
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/hook",
        "https://192.168.1.1:8443/hook",
    ] {
        let result = sender
            .send(
                &WebhookUrl::parse(url, true).unwrap(),
                &[secret()],
                message("m"),
            )
            .await;
        assert!(
            matches!(result, Err(DeliveryFailure::Permanent(ref why)) if why.contains("public addresses")),
            "{url}: {result:?}"
        );
    }
}

#[test]
fn plain_http_goes_only_to_this_machine() {
    assert_eq!(
        WebhookUrl::parse("http://93.184.216.34/hook", true).unwrap_err(),
        "The address must start with https://."
    );
    for here in [
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://localhost/hook",
    ] {
        assert!(WebhookUrl::parse(here, true).is_ok(), "{here}");
        assert!(WebhookUrl::parse(here, false).is_err(), "{here}");
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_trying_again_cannot_help() {
    let receiver = receiver(StatusCode::FOUND, Duration::ZERO).await;
    let result = send(&on_this_machine(), &receiver.url, "msg_3").await;
    let Err(DeliveryFailure::Permanent(why)) = result else {
        panic!("refused for good: {result:?}")
    };
    assert!(why.starts_with("HTTP 302"), "{why}");
    assert!(why.contains("redirects"), "{why}");
    assert_eq!(receiver.ids(), vec!["msg_3"], "nothing was sent on");
}

#[tokio::test]
async fn busy_or_broken_receivers_are_tried_again_and_refusals_are_not() {
    for (status, retried) in [
        (StatusCode::SERVICE_UNAVAILABLE, true),
        (StatusCode::TOO_MANY_REQUESTS, true),
        (StatusCode::INTERNAL_SERVER_ERROR, true),
        (StatusCode::BAD_REQUEST, false),
        (StatusCode::UNAUTHORIZED, false),
        (StatusCode::NOT_FOUND, false),
    ] {
        let receiver = receiver(status, Duration::ZERO).await;
        let result = send(&on_this_machine(), &receiver.url, "msg_4").await;
        let why = match (&result, retried) {
            (Err(DeliveryFailure::Transient(why)), true) => why,
            (Err(DeliveryFailure::Permanent(why)), false) => why,
            _ => panic!("{status}: {result:?}"),
        };
        assert_eq!(
            why,
            &format!("HTTP {}: receiver says no", status.as_u16()),
            "the receiver's answer is kept for the delivery log"
        );
    }
}

#[tokio::test]
async fn a_receiver_that_does_not_answer_in_time_is_tried_again() {
    let receiver = receiver(StatusCode::OK, Duration::from_secs(5)).await;
    let sender = WebhookSender::new(Duration::from_millis(300), true);
    let result = send(&sender, &receiver.url, "msg_5").await;
    assert!(
        matches!(result, Err(DeliveryFailure::Transient(ref why)) if why.starts_with("no answer within")),
        "{result:?}"
    );
}

#[test]
fn an_address_with_a_user_name_or_without_https_is_refused_and_never_printed_whole() {
    assert!(WebhookUrl::parse("https://user:pw@hooks.example.com/x", false).is_err());
    assert!(WebhookUrl::parse("ftp://hooks.example.com/x", false).is_err());
    assert!(WebhookUrl::parse("not a url", false).is_err());
    let url = WebhookUrl::parse(
        "https://prod.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=SECRETSIG",
        false,
    )
    .unwrap();
    assert!(!format!("{url:?}").contains("SECRETSIG"));
}
