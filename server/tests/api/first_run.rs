use crate::support::{app_error, browser, spawn_app, PASSWORD};
use reqwest::StatusCode;

fn setup_form<'a>(email: &'a str, password: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("organisation", "Fabrikam Managed Services"),
        ("name", "Grace Hopper"),
        ("email", email),
        ("password", password),
    ]
}

#[tokio::test]
async fn an_empty_database_offers_a_set_up_link_that_creates_the_first_admin() {
    let app = spawn_app().await;
    assert!(app.setup_link.as_ref().unwrap().starts_with(&app.address));
    let setup = app.holding_the_set_up_link().await;

    let page = setup.get(app.url("/setup")).send().await.unwrap();
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Create your organisation"));

    let response = app
        .call(
            &setup,
            "complete_setup",
            &setup_form("grace@fabrikam.example", PASSWORD),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let client = app.signed_in("grace@fabrikam.example", PASSWORD).await;
    let me: app::model::SignedInUser = app
        .call(&client, "current_user", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me.organisation_name, "Fabrikam Managed Services");
    assert_eq!(me.role, domain::Role::Admin);
}

#[tokio::test]
async fn the_set_up_link_works_only_once() {
    let app = spawn_app().await;
    let setup = app.holding_the_set_up_link().await;
    let first = app
        .call(
            &setup,
            "complete_setup",
            &setup_form("grace@fabrikam.example", PASSWORD),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);

    let again = app
        .call(
            &setup,
            "complete_setup",
            &setup_form("mallory@evil.example", PASSWORD),
        )
        .await;

    assert_eq!(again.status(), StatusCode::GONE);
    assert!(app_error(again)
        .await
        .to_string()
        .contains("already been set up"));
    let page = app
        .holding_the_set_up_link()
        .await
        .get(app.url("/setup"))
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("already set up"));
}

#[tokio::test]
async fn a_wrong_set_up_token_is_refused() {
    let app = spawn_app().await;

    let guessing = app
        .holding(&app.url(&format!("/setup?token={}", "G".repeat(43))))
        .await;
    let response = app
        .call(
            &guessing,
            "complete_setup",
            &setup_form("mallory@evil.example", PASSWORD),
        )
        .await;
    assert_eq!(response.status(), StatusCode::GONE);
    let without_link = app
        .call(
            &browser(),
            "complete_setup",
            &setup_form("mallory@evil.example", PASSWORD),
        )
        .await;
    assert_eq!(without_link.status(), StatusCode::GONE);
    let response = app
        .call(
            &app.holding_the_set_up_link().await,
            "complete_setup",
            &setup_form("grace@fabrikam.example", PASSWORD),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the real link still works"
    );
}

#[tokio::test]
async fn bad_set_up_input_names_the_field_and_keeps_the_link_usable() {
    let app = spawn_app().await;
    let setup = app.holding_the_set_up_link().await;

    let short = app
        .call(
            &setup,
            "complete_setup",
            &setup_form("grace@fabrikam.example", "short"),
        )
        .await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = app_error(short).await;
    assert_eq!(
        error.for_field("password").unwrap(),
        "Use at least 12 characters for the password."
    );

    let bad_email = app
        .call(
            &setup,
            "complete_setup",
            &setup_form("grace-at-fabrikam", PASSWORD),
        )
        .await;
    assert!(app_error(bad_email).await.for_field("email").is_some());

    let fixed = app
        .call(
            &setup,
            "complete_setup",
            &setup_form("grace@fabrikam.example", PASSWORD),
        )
        .await;
    assert_eq!(fixed.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_set_up_link_is_written_to_a_private_file_and_removed_after_use() {
    let app = spawn_app().await;
    let file = app.config.data_dir.join("setup-url.txt");
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.trim(), app.setup_link.clone().unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    app.call(
        &app.holding_the_set_up_link().await,
        "complete_setup",
        &setup_form("grace@fabrikam.example", PASSWORD),
    )
    .await;

    assert!(!file.exists());
}

#[tokio::test]
async fn a_restart_with_an_organisation_in_the_database_opens_no_set_up() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;

    let restarted = server::Application::build(&app.config).await.unwrap();

    assert_eq!(restarted.open_setup_if_empty().await.unwrap(), None);
}
