//! The second factor: a member sets up TOTP, then signing in needs a code
//! as well as the password; codes work once; recovery codes work once;
//! half a sign-in reaches nothing; an organisation can require a second
//! factor; an admin resets a lost one.

use crate::support::{app_error, browser, spawn_app, TestApp, PASSWORD};
use app::error::AppError;
use app::model::MfaEnrolment;
use reqwest::header::LOCATION;
use reqwest::{Client, Response, StatusCode};
use totp_rs::{Algorithm, Secret, TOTP};

struct Authenticator(TOTP);

impl Authenticator {
    fn of(enrolment: &MfaEnrolment) -> Self {
        let secret = Secret::Encoded(enrolment.secret.clone())
            .to_bytes()
            .unwrap();
        Self(TOTP::new(Algorithm::SHA1, 6, 0, 30, secret, None, "test".to_owned()).unwrap())
    }

    /// The code the app shows at the server's current time.
    fn code(&self, app: &TestApp) -> String {
        self.0.generate(app.clock().now().unix_timestamp() as u64)
    }
}

/// Sets up a second factor for the signed-in `client`; returns the
/// authenticator and the recovery codes.
async fn enrol(app: &TestApp, client: &Client) -> (Authenticator, Vec<String>) {
    let started = app.call(client, "start_mfa_enrolment", &[]).await;
    assert_eq!(started.status(), StatusCode::OK);
    let enrolment: MfaEnrolment = started.json().await.unwrap();
    assert!(enrolment
        .qr_svg_data_url
        .starts_with("data:image/svg+xml;base64,"));
    let authenticator = Authenticator::of(&enrolment);
    let confirmed = app
        .call(
            client,
            "confirm_mfa_enrolment",
            &[
                ("code", &authenticator.code(app)),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let codes: Vec<String> = confirmed.json().await.unwrap();
    (authenticator, codes)
}

async fn password_step(app: &TestApp, email: &str) -> (Client, Response) {
    let client = browser();
    let response = app
        .call(
            &client,
            "login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    (client, response)
}

async fn code_step(app: &TestApp, client: &Client, code: &str) -> Response {
    app.call(client, "sign_in_code", &[("code", code)]).await
}

async fn signed_in(app: &TestApp, client: &Client) -> bool {
    app.call(client, "current_user", &[]).await.status() == StatusCode::OK
}

#[tokio::test]
async fn after_setting_up_a_second_factor_the_password_alone_does_not_sign_in() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let (authenticator, codes) = enrol(&app, &admin).await;
    assert_eq!(codes.len(), 10);

    let (client, response) = password_step(&app, "ada@contoso.example").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[LOCATION], "/login/code");
    assert!(
        !signed_in(&app, &client).await,
        "half a sign-in reaches nothing"
    );
    for function in [
        "load_staff",
        "my_sessions",
        "mfa_status",
        "start_mfa_enrolment",
    ] {
        let response = app.call(&client, function, &[]).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{function}");
    }
    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.headers()[LOCATION], "/login");

    let wrong = code_step(&app, &client, "000000").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(wrong).await.for_field("code").is_some());
    // The code of enrolment's time step was used up by enrolling.
    app.clock().advance(time::Duration::seconds(30));
    let right = code_step(&app, &client, &authenticator.code(&app)).await;
    assert_eq!(right.status(), StatusCode::OK);
    assert_eq!(right.headers()[LOCATION], "/");
    assert!(signed_in(&app, &client).await);
}

#[tokio::test]
async fn a_code_works_once_and_a_recovery_code_works_once() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let (authenticator, codes) = enrol(&app, &admin).await;
    app.clock().advance(time::Duration::seconds(30));
    let code = authenticator.code(&app);

    let (first, _) = password_step(&app, "ada@contoso.example").await;
    assert_eq!(
        code_step(&app, &first, &code).await.status(),
        StatusCode::OK
    );
    let (second, _) = password_step(&app, "ada@contoso.example").await;
    let replayed = code_step(&app, &second, &code).await;
    assert_eq!(
        replayed.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code is used once"
    );

    let recovery = codes[0].to_lowercase();
    assert_eq!(
        code_step(&app, &second, &recovery).await.status(),
        StatusCode::OK
    );
    assert!(signed_in(&app, &second).await);
    let (third, _) = password_step(&app, "ada@contoso.example").await;
    let again = code_step(&app, &third, &codes[0]).await;
    assert_eq!(
        again.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a recovery code is used once"
    );
}

#[tokio::test]
async fn guessing_codes_is_throttled_like_guessing_passwords() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let (authenticator, _) = enrol(&app, &admin).await;
    let (client, _) = password_step(&app, "ada@contoso.example").await;
    for guess in ["111111", "222222", "333333", "444444", "555555"] {
        code_step(&app, &client, guess).await;
    }

    let locked = code_step(&app, &client, &authenticator.code(&app)).await;

    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!signed_in(&app, &client).await);
}

#[tokio::test]
async fn giving_the_password_again_does_not_reset_the_count_of_wrong_codes() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let (authenticator, _) = enrol(&app, &admin).await;
    for guess in ["111111", "222222", "333333", "444444", "555555"] {
        let (client, _) = password_step(&app, "ada@contoso.example").await;
        code_step(&app, &client, guess).await;
    }

    let (client, _) = password_step(&app, "ada@contoso.example").await;
    let locked = code_step(&app, &client, &authenticator.code(&app)).await;

    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn setting_up_a_second_factor_in_a_signed_in_session_needs_the_password() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let started = app.call(&admin, "start_mfa_enrolment", &[]).await;
    let authenticator = Authenticator::of(&started.json().await.unwrap());

    let confirmed = app
        .call(
            &admin,
            "confirm_mfa_enrolment",
            &[
                ("code", &authenticator.code(&app)),
                ("current_password", "not the password"),
            ],
        )
        .await;

    assert_eq!(confirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app_error(confirmed)
        .await
        .for_field("current_password")
        .is_some());
    assert!(!app.member(&admin, "ada@contoso.example").await.mfa);
}

#[tokio::test]
async fn half_a_sign_in_expires_after_five_minutes() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let (authenticator, _) = enrol(&app, &admin).await;
    let (client, _) = password_step(&app, "ada@contoso.example").await;

    app.clock().advance(time::Duration::minutes(6));
    let late = code_step(&app, &client, &authenticator.code(&app)).await;

    assert_eq!(late.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app_error(late).await, AppError::Unauthenticated);
}

#[tokio::test]
async fn when_the_organisation_requires_it_members_set_it_up_at_their_next_sign_in() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    app.add_member(&admin, "tom@contoso.example", "technician")
        .await;
    let required = app
        .call(&admin, "require_mfa", &[("required", "true")])
        .await;
    assert_eq!(required.status(), StatusCode::OK);
    assert!(app.staff(&admin).await.mfa_required);

    let (tom, response) = password_step(&app, "tom@contoso.example").await;
    assert_eq!(response.headers()[LOCATION], "/login/enrol");
    assert!(
        !signed_in(&app, &tom).await,
        "not signed in before enrolling"
    );
    let started = app.call(&tom, "sign_in_enrolment", &[]).await;
    assert_eq!(started.status(), StatusCode::OK);
    let authenticator = Authenticator::of(&started.json().await.unwrap());
    let confirmed = app
        .call(
            &tom,
            "confirm_sign_in_enrolment",
            &[("code", &authenticator.code(&app))],
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);

    assert!(signed_in(&app, &tom).await);
    assert!(app.member(&admin, "tom@contoso.example").await.mfa);
}

#[tokio::test]
async fn an_admin_resets_a_lost_second_factor_which_ends_the_members_sessions() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tom = app
        .add_member(&admin, "tom@contoso.example", "technician")
        .await;
    enrol(&app, &tom).await;
    let tom_id = app
        .member(&admin, "tom@contoso.example")
        .await
        .id
        .to_string();

    let by_tom = app
        .call(&tom, "reset_member_mfa", &[("user_id", tom_id.as_str())])
        .await;
    assert_eq!(by_tom.status(), StatusCode::FORBIDDEN, "only admins reset");
    let reset = app
        .call(&admin, "reset_member_mfa", &[("user_id", tom_id.as_str())])
        .await;
    assert_eq!(reset.status(), StatusCode::OK);

    assert!(!signed_in(&app, &tom).await);
    let (again, response) = password_step(&app, "tom@contoso.example").await;
    assert_eq!(response.headers()[LOCATION], "/");
    assert!(signed_in(&app, &again).await);
    let audit = app
        .call(
            &admin,
            "audit_trail",
            &[("page", "1"), ("query[action]", "mfa.reset")],
        )
        .await;
    let page: app::model::AuditPage = audit.json().await.unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].target, "tom@contoso.example");
}

#[tokio::test]
async fn the_second_factor_secret_is_sealed_at_rest_and_recovery_codes_are_digests() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let started = app.call(&admin, "start_mfa_enrolment", &[]).await;
    let enrolment: MfaEnrolment = started.json().await.unwrap();
    let authenticator = Authenticator::of(&enrolment);
    let codes: Vec<String> = app
        .call(
            &admin,
            "confirm_mfa_enrolment",
            &[
                ("code", &authenticator.code(&app)),
                ("current_password", PASSWORD),
            ],
        )
        .await
        .json()
        .await
        .unwrap();

    let database = crate::support::database::everything_stored(&app.config);
    assert!(!database.contains(&enrolment.secret));
    for code in &codes {
        assert!(!database.contains(&code.replace('-', "")));
    }
}
