use crate::support::{app_error, browser, spawn_app, spawn_app_with, PASSWORD};
use app::error::AppError;
use reqwest::header::{ACCEPT, LOCATION, REFERER, SET_COOKIE};
use reqwest::StatusCode;

#[tokio::test]
async fn signing_in_with_the_right_password_opens_the_dashboard() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;

    let client = app.signed_in("Ada@Contoso.example", PASSWORD).await;

    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Dashboard"));
    assert!(
        html.contains("Admin of Contoso IT"),
        "the signed-in user is named in the header"
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;

    let response = app
        .call(
            &browser(),
            "login",
            &[("email", "ada@contoso.example"), ("password", PASSWORD)],
        )
        .await;

    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("tenantry_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http in tests");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;

    let wrong_password = app
        .call(
            &browser(),
            "login",
            &[
                ("email", "ada@contoso.example"),
                ("password", "not the password"),
            ],
        )
        .await;
    let unknown_account = app
        .call(
            &browser(),
            "login",
            &[
                ("email", "nobody@contoso.example"),
                ("password", "not the password"),
            ],
        )
        .await;

    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_account.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong_password.headers().get(SET_COOKIE).is_none(),
        "no session for a failed sign-in"
    );
    let first = wrong_password.text().await.unwrap();
    let second = unknown_account.text().await.unwrap();
    assert_eq!(first, second);
    let error: AppError = serde_json::from_str(&first).unwrap();
    assert_eq!(error, AppError::InvalidCredentials);
    assert_eq!(
        error.to_string(),
        "The e-mail address or password is incorrect."
    );
}

#[tokio::test]
async fn signing_in_again_issues_a_new_session_id() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let client = browser();
    let form = [("email", "ada@contoso.example"), ("password", PASSWORD)];

    let first = app.call(&client, "login", &form).await;
    let second = app.call(&client, "login", &form).await;

    let id = |response: &reqwest::Response| {
        response
            .headers()
            .get(SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_ne!(id(&first), id(&second));
}

#[tokio::test]
async fn signed_out_visitors_are_sent_to_the_sign_in_page() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;

    for path in ["/", "/settings", "/tenants", "/logins-export", "/setupX"] {
        let response = browser().get(app.url(path)).send().await.unwrap();
        assert!(response.status().is_redirection(), "{path}");
        assert_eq!(
            response.headers().get(LOCATION).unwrap(),
            "/login",
            "{path}"
        );
    }
    let login = browser().get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    assert!(login.text().await.unwrap().contains("Sign in to Tenantry"));

    let api = app.call(&browser(), "load_staff", &[]).await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app_error(api).await, AppError::Unauthenticated);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let client = app.signed_in("ada@contoso.example", PASSWORD).await;

    let response = app.call(&client, "logout", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);

    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.headers().get(LOCATION).unwrap(), "/login");
    let api = app.call(&client, "current_user", &[]).await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_in_use_outlives_the_idle_time_and_an_idle_one_ends() {
    let app = spawn_app_with(&[("TENANTRY_SESSION_MAX_HOURS", "48".into())]).await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let client = app.signed_in("ada@contoso.example", PASSWORD).await;
    let hours = |n| time::Duration::hours(n);

    // Used every seven hours: past the eight idle hours counted from sign-in.
    app.clock().advance(hours(7));
    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "still signed in after 7 h");
    app.clock().advance(hours(7));
    let api = app.call(&client, "current_user", &[]).await;
    assert_eq!(api.status(), StatusCode::OK, "14 h after sign-in, 7 h idle");

    app.clock().advance(hours(8));
    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.headers().get(LOCATION).unwrap(), "/login", "8 h idle");
    let api = app.call(&client, "current_user", &[]).await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn even_a_busy_session_ends_at_its_absolute_lifetime() {
    let app = spawn_app_with(&[("TENANTRY_SESSION_MAX_HOURS", "12".into())]).await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let client = app.signed_in("ada@contoso.example", PASSWORD).await;

    for hour in 1..12 {
        app.clock().advance(time::Duration::hours(1));
        let api = app.call(&client, "current_user", &[]).await;
        assert_eq!(api.status(), StatusCode::OK, "hour {hour}");
    }
    app.clock().advance(time::Duration::hours(1));
    let api = app.call(&client, "current_user", &[]).await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED, "12 h after sign-in");
    let again = app.signed_in("ada@contoso.example", PASSWORD).await;
    assert_eq!(
        app.call(&again, "current_user", &[]).await.status(),
        StatusCode::OK,
        "signing in again starts a new lifetime"
    );
}

/// What a browser sends when the form is submitted before the page is
/// interactive: the form itself, asking for a page, from the sign-in page.
fn posted_by_the_browser(
    app: &crate::support::TestApp,
    client: &reqwest::Client,
    password: &str,
) -> reqwest::RequestBuilder {
    client
        .post(app.url("/api/login"))
        .header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .header(REFERER, app.url("/login"))
        .form(&[("email", "ada@contoso.example"), ("password", password)])
}

/// Ada's organisation, a browser, and where it was sent back to after
/// posting a wrong password itself.
async fn refused_by_a_plain_form() -> (crate::support::TestApp, reqwest::Client, String) {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let client = browser();
    let refused = posted_by_the_browser(&app, &client, "not the password")
        .send()
        .await
        .unwrap();
    assert!(
        refused.status().is_redirection(),
        "a page, not an error body: {}",
        refused.status()
    );
    let back = refused.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(back.starts_with(&app.url("/login?")), "{back}");
    (app, client, back)
}

#[tokio::test]
async fn a_sign_in_sent_before_the_page_is_interactive_comes_back_with_the_reason_and_then_signs_in(
) {
    let (app, client, back) = refused_by_a_plain_form().await;
    let page = client
        .get(&back)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("The e-mail address or password is incorrect."),
        "the sign-in page says why"
    );

    let accepted = posted_by_the_browser(&app, &client, PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(accepted.status().is_redirection());
    assert_eq!(accepted.headers()[LOCATION], "/");
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK, "signed in");
}

#[tokio::test]
async fn an_error_written_into_an_address_elsewhere_is_not_shown() {
    let (_app, client, back) = refused_by_a_plain_form().await;

    // The same address in a link on another site, in an e-mail, or typed.
    for site in [Some("cross-site"), Some("same-site"), Some("none"), None] {
        let mut request = client.get(format!("{back}&welcome=1"));
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        let opened = request.send().await.unwrap();
        assert_eq!(opened.status(), StatusCode::SEE_OTHER, "{site:?}");
        assert_eq!(
            opened.headers()[LOCATION],
            "/login?welcome=1",
            "the page without the error, the rest of the address kept"
        );
    }
}
