//! Members leave: an admin disables or removes them and their browsers are
//! signed out at once; invitations they sent stop working; members see
//! where they are signed in and end those sign-ins; passwords change.

use crate::support::{app_error, browser, spawn_app, TestApp, PASSWORD};
use app::error::AppError;
use app::model::SessionView;
use reqwest::header::LOCATION;
use reqwest::{Client, StatusCode};

async fn standing(app: &TestApp, admin: &Client, email: &str, change: &str) -> StatusCode {
    let member = app.member(admin, email).await.id.to_string();
    app.call(
        admin,
        "change_member_standing",
        &[("user_id", member.as_str()), ("change", change)],
    )
    .await
    .status()
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> (StatusCode, AppError) {
    let response = app
        .call(
            &browser(),
            "login",
            &[("email", email), ("password", password)],
        )
        .await;
    let status = response.status();
    let error = if status == StatusCode::OK {
        AppError::Internal
    } else {
        app_error(response).await
    };
    (status, error)
}

async fn sessions(app: &TestApp, client: &Client) -> Vec<SessionView> {
    let response = app.call(client, "my_sessions", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_removed_member_is_signed_out_at_once_and_cannot_sign_in_again() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tom = app
        .add_member(&admin, "tom@contoso.example", "technician")
        .await;
    assert_eq!(
        app.call(&tom, "current_user", &[]).await.status(),
        StatusCode::OK
    );

    assert_eq!(
        standing(&app, &admin, "tom@contoso.example", "remove").await,
        StatusCode::OK
    );

    assert_eq!(
        app.call(&tom, "current_user", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let page = tom.get(app.url("/tenants")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[LOCATION], "/login");
    let (status, error) = login_status(&app, "tom@contoso.example", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error, AppError::InvalidCredentials);
    assert!(app
        .staff(&admin)
        .await
        .members
        .iter()
        .all(|m| !m.email.starts_with("tom@")));
}

#[tokio::test]
async fn a_disabled_member_is_told_so_after_the_right_password_and_can_be_enabled_again() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tom = app
        .add_member(&admin, "tom@contoso.example", "technician")
        .await;

    assert_eq!(
        standing(&app, &admin, "tom@contoso.example", "disable").await,
        StatusCode::OK
    );

    assert_eq!(
        app.call(&tom, "current_user", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(app.member(&admin, "tom@contoso.example").await.disabled);
    let (status, error) = login_status(&app, "tom@contoso.example", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error, AppError::AccountDisabled);
    let (status, error) = login_status(&app, "tom@contoso.example", "a wrong guess").await;
    assert_eq!(
        (status, error),
        (StatusCode::UNAUTHORIZED, AppError::InvalidCredentials),
        "without the password nothing is revealed"
    );

    assert_eq!(
        standing(&app, &admin, "tom@contoso.example", "enable").await,
        StatusCode::OK
    );
    app.signed_in("tom@contoso.example", PASSWORD).await;
}

#[tokio::test]
async fn admins_cannot_remove_themselves_or_the_last_active_admin_and_others_cannot_at_all() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tom = app
        .add_member(&admin, "tom@contoso.example", "technician")
        .await;

    let own = standing(&app, &admin, "ada@contoso.example", "remove").await;
    assert_eq!(own, StatusCode::CONFLICT);
    let by_technician = standing(&app, &tom, "ada@contoso.example", "disable").await;
    assert_eq!(by_technician, StatusCode::FORBIDDEN);

    let second = app.add_member(&admin, "bea@contoso.example", "admin").await;
    assert_eq!(
        standing(&app, &second, "ada@contoso.example", "disable").await,
        StatusCode::OK
    );
    assert_eq!(
        standing(&app, &second, "tom@contoso.example", "remove").await,
        StatusCode::OK
    );
    let promoted_back = app
        .call(
            &second,
            "change_role",
            &[
                (
                    "user_id",
                    app.member(&second, "bea@contoso.example").await.id.as_str(),
                ),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(
        promoted_back.status(),
        StatusCode::CONFLICT,
        "Bea is the only active admin left"
    );
}

#[tokio::test]
async fn invitations_sent_by_a_disabled_admin_and_withdrawn_invitations_stop_working() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let bea = app.add_member(&admin, "bea@contoso.example", "admin").await;
    let invite = |client: Client, email: &'static str| {
        let app = &app;
        async move {
            let response = app
                .call(
                    &client,
                    "invite_staff",
                    &[("email", email), ("role", "viewer")],
                )
                .await;
            let created: app::model::InvitationCreated = response.json().await.unwrap();
            created.link
        }
    };
    let from_bea = invite(bea.clone(), "carl@contoso.example").await;
    let withdrawn = invite(admin.clone(), "dora@contoso.example").await;
    let dora = app
        .staff(&admin)
        .await
        .invitations
        .into_iter()
        .find(|i| i.email == "dora@contoso.example")
        .unwrap();

    assert_eq!(
        standing(&app, &admin, "bea@contoso.example", "disable").await,
        StatusCode::OK
    );
    let revoked = app
        .call(
            &admin,
            "revoke_invitation",
            &[("invitation_id", dora.id.as_str())],
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);

    for link in [from_bea, withdrawn] {
        let response = app
            .call(
                &app.holding(&link).await,
                "accept_invitation",
                &[("name", "Newcomer"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::GONE);
        assert!(app_error(response).await.to_string().contains("withdrawn"));
    }
    assert!(app.staff(&admin).await.invitations.is_empty());
}

#[tokio::test]
async fn a_member_sees_where_they_are_signed_in_and_signs_out_everywhere_else() {
    let app = spawn_app().await;
    let laptop = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let phone = app.signed_in("ada@contoso.example", PASSWORD).await;

    let listed = sessions(&app, &laptop).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed.iter().filter(|s| s.current).count(), 1);
    assert!(listed.iter().all(|s| s.ip == "127.0.0.1"));

    let ended = app
        .call(&laptop, "sign_out_everywhere", &[("everywhere", "false")])
        .await;
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(ended.json::<u64>().await.unwrap(), 1);

    assert_eq!(
        app.call(&phone, "current_user", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sessions(&app, &laptop).await.len(), 1);

    app.call(&laptop, "sign_out_everywhere", &[("everywhere", "true")])
        .await;
    assert_eq!(
        app.call(&laptop, "current_user", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn signing_out_ends_the_sign_in_on_the_server_not_only_in_the_browser() {
    let app = spawn_app().await;
    let client = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let cookie = app.call(&client, "current_user", &[]).await.status();
    assert_eq!(cookie, StatusCode::OK);
    let other = app.signed_in("ada@contoso.example", PASSWORD).await;

    app.call(&client, "logout", &[]).await;

    assert_eq!(
        sessions(&app, &other).await.len(),
        1,
        "only the other sign-in is left"
    );
}

#[tokio::test]
async fn changing_a_password_needs_the_current_one_and_ends_the_other_sign_ins() {
    let app = spawn_app().await;
    let laptop = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let phone = app.signed_in("ada@contoso.example", PASSWORD).await;
    let new_password = "violet quartz lantern meadow";

    let wrong = app
        .call(
            &laptop,
            "change_password",
            &[
                ("current_password", "not it at all"),
                ("new_password", new_password),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(wrong)
        .await
        .for_field("current_password")
        .is_some());
    let short = app
        .call(
            &laptop,
            "change_password",
            &[("current_password", PASSWORD), ("new_password", "short")],
        )
        .await;
    assert!(app_error(short).await.for_field("new_password").is_some());

    let changed = app
        .call(
            &laptop,
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);

    assert_eq!(
        app.call(&laptop, "current_user", &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(&phone, "current_user", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_status(&app, "ada@contoso.example", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    app.signed_in("ada@contoso.example", new_password).await;
}

#[tokio::test]
async fn over_https_the_session_cookie_is_secure_and_host_only() {
    let app = crate::support::spawn_app_with(&[(
        "TENANTRY_PUBLIC_URL",
        "https://portal.contoso.example".to_owned(),
    )])
    .await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;

    let response = browser()
        .post(app.url("/api/login"))
        .header("origin", "https://portal.contoso.example")
        .form(&[("email", "ada@contoso.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("__Host-tenantry_session="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
}

#[tokio::test]
async fn a_long_but_guessable_password_is_refused_with_advice_on_its_field() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;

    let changed = app
        .call(
            &admin,
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "passwordpassword"),
            ],
        )
        .await;

    assert_eq!(changed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let advice = app_error(changed).await.for_field("new_password").unwrap();
    assert!(advice.contains("too easy to guess"), "{advice}");
    assert!(advice.contains("Repeats"), "{advice}");
}
