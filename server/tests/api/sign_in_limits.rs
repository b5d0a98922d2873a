//! Attacks on sign-in: guessing one account's password, one machine trying
//! many, a client pretending to be elsewhere through X-Forwarded-For, and a
//! flood of password checks.

use crate::support::{app_error, browser, spawn_app_with, TestApp, PASSWORD};
use app::error::AppError;
use reqwest::header::RETRY_AFTER;
use reqwest::{Client, Response, StatusCode};

async fn attempt(app: &TestApp, client: &Client, email: &str, password: &str) -> Response {
    app.call(client, "login", &[("email", email), ("password", password)])
        .await
}

async fn attempt_from(app: &TestApp, forwarded_for: &str, email: &str) -> StatusCode {
    browser()
        .post(app.url("/api/login"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[("email", email), ("password", "a wrong guess")])
        .send()
        .await
        .unwrap()
        .status()
}

/// A server whose per-machine limit is out of the way.
async fn generous_app() -> TestApp {
    spawn_app_with(&[("TENANTRY_SIGN_IN_ATTEMPTS_PER_MINUTE", "1000".to_owned())]).await
}

#[tokio::test]
async fn five_wrong_passwords_make_the_account_wait_even_for_the_right_one() {
    let app = generous_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    for _ in 0..5 {
        let response = attempt(&app, &browser(), "ada@contoso.example", "a wrong guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let locked = attempt(&app, &browser(), "ada@contoso.example", PASSWORD).await;

    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers()[RETRY_AFTER], "60");
    let error = app_error(locked).await;
    assert_eq!(
        error,
        AppError::TooManyAttempts {
            retry_after_seconds: 60
        }
    );
    assert_eq!(
        error.to_string(),
        "Too many attempts. Try again in a minute."
    );

    app.clock().advance(time::Duration::seconds(61));
    let after_the_wait = attempt(&app, &browser(), "ada@contoso.example", PASSWORD).await;
    assert_eq!(after_the_wait.status(), StatusCode::OK);
}

#[tokio::test]
async fn each_failure_beyond_the_allowance_doubles_the_wait() {
    let app = generous_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    for _ in 0..5 {
        attempt(&app, &browser(), "ada@contoso.example", "a wrong guess").await;
    }
    app.clock().advance(time::Duration::seconds(61));
    let sixth = attempt(&app, &browser(), "ada@contoso.example", "another guess").await;
    assert_eq!(sixth.status(), StatusCode::UNAUTHORIZED);

    let locked = attempt(&app, &browser(), "ada@contoso.example", PASSWORD).await;

    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers()[RETRY_AFTER], "120");
}

#[tokio::test]
async fn an_unknown_address_is_locked_the_same_way_so_the_answer_reveals_nothing() {
    let app = generous_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let mut answers = Vec::new();
    for email in ["ada@contoso.example", "nobody@contoso.example"] {
        for _ in 0..5 {
            attempt(&app, &browser(), email, "a wrong guess").await;
        }
        let locked = attempt(&app, &browser(), email, "a wrong guess").await;
        answers.push((locked.status(), app_error(locked).await));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn one_machine_trying_many_accounts_is_slowed_down() {
    let app = spawn_app_with(&[("TENANTRY_SIGN_IN_ATTEMPTS_PER_MINUTE", "3".to_owned())]).await;
    for n in 0..3 {
        let response = attempt(&app, &browser(), &format!("user{n}@example.com"), "guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    let fourth = attempt(&app, &browser(), "user9@example.com", "guess").await;

    assert_eq!(fourth.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(fourth.headers().contains_key(RETRY_AFTER));
}

#[tokio::test]
async fn forwarded_addresses_are_ignored_unless_the_peer_is_a_trusted_proxy() {
    let app = spawn_app_with(&[("TENANTRY_SIGN_IN_ATTEMPTS_PER_MINUTE", "2".to_owned())]).await;
    for n in 0..2 {
        attempt_from(&app, &format!("198.51.100.{n}"), "someone@example.com").await;
    }

    let third = attempt_from(&app, "198.51.100.77", "someone@example.com").await;

    assert_eq!(
        third,
        StatusCode::TOO_MANY_REQUESTS,
        "a header from an untrusted peer does not make a new client"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_allowance() {
    let app = spawn_app_with(&[
        ("TENANTRY_SIGN_IN_ATTEMPTS_PER_MINUTE", "2".to_owned()),
        ("TENANTRY_TRUSTED_PROXIES", "127.0.0.1".to_owned()),
    ])
    .await;
    for _ in 0..2 {
        assert_eq!(
            attempt_from(&app, "203.0.113.5", "a@example.com").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt_from(&app, "203.0.113.5", "a@example.com").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attempt_from(&app, "203.0.113.6", "b@example.com").await,
        StatusCode::UNAUTHORIZED,
        "another client behind the proxy is not held back"
    );

    let spoofed = attempt_from(&app, "10.9.9.9, 203.0.113.5", "c@example.com").await;

    assert_eq!(
        spoofed,
        StatusCode::TOO_MANY_REQUESTS,
        "the left-most entry is the client's own claim and is not believed"
    );
}

#[tokio::test]
async fn a_flood_of_sign_ins_gets_busy_answers_instead_of_queueing_without_bound() {
    let app = spawn_app_with(&[
        ("TENANTRY_SIGN_IN_ATTEMPTS_PER_MINUTE", "1000".to_owned()),
        ("TENANTRY_PASSWORD_HASHES_AT_ONCE", "1".to_owned()),
        ("TENANTRY_PASSWORD_HASHES_WAITING", "0".to_owned()),
    ])
    .await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..8 {
        let url = app.url("/api/login");
        attempts.spawn(async move {
            let email = format!("flood{n}@contoso.example");
            let response = browser()
                .post(url)
                .form(&[("email", email.as_str()), ("password", "a wrong guess")])
                .send()
                .await
                .unwrap();
            let status = response.status();
            (status, app_error(response).await)
        });
    }

    let answers = attempts.join_all().await;

    let busy: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        !busy.is_empty(),
        "some attempts were turned away: {answers:?}"
    );
    assert!(busy.iter().all(|(_, error)| *error == AppError::Busy));
    assert!(
        answers.iter().all(|(status, _)| matches!(
            *status,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::UNAUTHORIZED
        )),
        "{answers:?}"
    );
    let later = attempt(&app, &browser(), "ada@contoso.example", PASSWORD).await;
    assert_eq!(later.status(), StatusCode::OK, "the slots are free again");
}

#[tokio::test]
async fn guesses_sent_all_at_once_are_counted_like_guesses_one_after_another() {
    let app = generous_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..10 {
        let url = app.url("/api/login");
        attempts.spawn(async move {
            browser()
                .post(url)
                .form(&[
                    ("email", "ada@contoso.example"),
                    ("password", format!("guess number {n}").as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        });
    }

    let answers = attempts.join_all().await;

    let checked = answers
        .iter()
        .filter(|status| **status == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        checked <= 5,
        "at most five guesses were checked: {answers:?}"
    );
    assert!(answers
        .iter()
        .all(|s| matches!(*s, StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS)));
}
