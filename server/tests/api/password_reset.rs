//! A member forgot their password: an admin makes a single-use, expiring
//! reset link; the member sets a new password with it and every old
//! sign-in ends.

use crate::support::{app_error, browser, spawn_app, TestApp, PASSWORD};
use app::model::PasswordResetCreated;
use reqwest::{Client, StatusCode};

const NEW_PASSWORD: &str = "amber falcon orchard tuesday";

async fn reset_link(app: &TestApp, admin: &Client, email: &str) -> PasswordResetCreated {
    let member = app.member(admin, email).await.id.to_string();
    let response = app
        .call(
            admin,
            "send_password_reset",
            &[("user_id", member.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn use_link(app: &TestApp, link: &str, password: &str) -> reqwest::Response {
    let holder = app.holding(link).await;
    app.call(
        &holder,
        "complete_password_reset",
        &[("password", password)],
    )
    .await
}

async fn signs_in(app: &TestApp, email: &str, password: &str) -> bool {
    app.call(
        &browser(),
        "login",
        &[("email", email), ("password", password)],
    )
    .await
    .status()
        == StatusCode::OK
}

#[tokio::test]
async fn a_member_sets_a_new_password_with_the_link_and_old_sign_ins_end() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tom = app
        .add_member(&admin, "tom@contoso.example", "technician")
        .await;
    let made = reset_link(&app, &admin, "tom@contoso.example").await;
    assert!(made.link.contains("/reset/"));
    assert_eq!(made.email, "tom@contoso.example");

    let holder = app.holding(&made.link).await;
    let preview = app.call(&holder, "password_reset_preview", &[]).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let reset = app
        .call(
            &holder,
            "complete_password_reset",
            &[("password", NEW_PASSWORD)],
        )
        .await;

    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(
        app.call(&tom, "current_user", &[]).await.status(),
        StatusCode::UNAUTHORIZED,
        "the old sign-in ended"
    );
    assert!(!signs_in(&app, "tom@contoso.example", PASSWORD).await);
    assert!(signs_in(&app, "tom@contoso.example", NEW_PASSWORD).await);
    let again = use_link(&app, &made.link, "another fine long passphrase").await;
    assert_eq!(again.status(), StatusCode::GONE, "the link works once");
}

#[tokio::test]
async fn a_reset_link_expires_after_a_day_and_a_newer_one_replaces_it() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    app.add_member(&admin, "tom@contoso.example", "technician")
        .await;
    let first = reset_link(&app, &admin, "tom@contoso.example").await;
    let second = reset_link(&app, &admin, "tom@contoso.example").await;

    let replaced = use_link(&app, &first.link, NEW_PASSWORD).await;
    assert_eq!(replaced.status(), StatusCode::GONE);
    app.clock().advance(time::Duration::hours(25));
    let expired = use_link(&app, &second.link, NEW_PASSWORD).await;
    assert_eq!(expired.status(), StatusCode::GONE);
    assert!(app_error(expired).await.to_string().contains("expired"));
    assert!(signs_in(&app, "tom@contoso.example", PASSWORD).await);
}

#[tokio::test]
async fn only_admins_make_reset_links_and_a_weak_new_password_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tom = app
        .add_member(&admin, "tom@contoso.example", "technician")
        .await;
    let ada = app
        .member(&admin, "ada@contoso.example")
        .await
        .id
        .to_string();

    let by_technician = app
        .call(&tom, "send_password_reset", &[("user_id", ada.as_str())])
        .await;
    assert_eq!(by_technician.status(), StatusCode::FORBIDDEN);
    let own = app
        .call(&admin, "send_password_reset", &[("user_id", ada.as_str())])
        .await;
    assert_eq!(own.status(), StatusCode::CONFLICT);

    let made = reset_link(&app, &admin, "tom@contoso.example").await;
    let weak = use_link(&app, &made.link, "passwordpassword").await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(weak).await.for_field("password").is_some());
    let strong = use_link(&app, &made.link, NEW_PASSWORD).await;
    assert_eq!(
        strong.status(),
        StatusCode::OK,
        "a refused password does not use the link up"
    );
}
