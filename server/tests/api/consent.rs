//! Consent that re-checks itself: staff hand the customer's admin a link;
//! Microsoft sends the admin back to Tenantry, which checks at once, or,
//! for an app without Tenantry's redirect URI, Tenantry checks every
//! minute for a while.

use crate::support::onboarding::{in_days, invite};
use crate::support::simulator::{app_against, contoso, CLIENT, OBJECT, SECRET, TENANT};
use crate::support::watch::{admin, watched, Watched};
use crate::support::{browser, spawn_app_with};
use domain::evaluation::Status;
use entra_simulator::Simulator;
use reqwest::header::LOCATION;
use reqwest::StatusCode;
use serde_json::json;

async fn patch_app(sim: &Simulator, body: serde_json::Value) {
    let response = reqwest::Client::new()
        .patch(format!("{}/_admin/apps/{CLIENT}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

/// Staff create a consent link, saying whether the app has Tenantry's
/// redirect URI.
async fn consent_link(watched: &Watched, redirect_registered: bool) -> String {
    let response = watched
        .app
        .call(
            &watched.staff,
            "create_consent_link",
            &[
                ("registration_id", watched.registration.as_str()),
                ("redirect_registered", &redirect_registered.to_string()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let link: app::model::ConsentLink = response.json().await.unwrap();
    assert!(link.url.starts_with(&watched.app.url("/consent/start/")));
    link.url
}

/// The customer's admin opens the link and accepts on Microsoft's page;
/// returns where Microsoft sends the browser next, if anywhere.
async fn accept(link: &str) -> (StatusCode, Option<String>) {
    let admin_browser = browser();
    let opened = admin_browser.get(link).send().await.unwrap();
    assert!(opened.status().is_redirection(), "{}", opened.status());
    let microsoft = opened.headers()[LOCATION].to_str().unwrap().to_owned();
    let prompt = admin_browser.get(&microsoft).send().await.unwrap();
    assert_eq!(
        prompt.status(),
        StatusCode::OK,
        "Microsoft shows its prompt"
    );
    let answer = admin_browser
        .post(&microsoft)
        .form(&[("decision", "accept")])
        .send()
        .await
        .unwrap();
    let next = answer
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_owned());
    (answer.status(), next)
}

#[tokio::test]
async fn microsoft_sends_the_admin_back_and_the_registration_is_checked_at_once() {
    let sim = contoso(&["Mail.Send"]).await;
    let app = app_against(&sim).await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let tenant = app.add_tenant(&staff, "Contoso", TENANT).await;
    // Made through onboarding, so the app has Tenantry's redirect URI.
    let customer = invite(&app, &staff, &tenant, "email").await;
    let view = customer.open().await;
    assert_eq!(view.redirect_uri, app.url("/consent/callback"));
    assert!(view.powershell.contains(&view.redirect_uri));
    customer.save_secret(SECRET, &in_days(120)).await;
    customer.save_ids(TENANT, CLIENT, OBJECT).await;
    assert!(customer.test().await.completed);
    let registration = app.registrations(&staff, &tenant).await[0].id.to_string();
    let watched = Watched {
        app,
        staff,
        registration,
    };
    // Later someone removes the consent.
    patch_app(
        &sim,
        json!({"requested": ["Mail.Send"], "redirect_uris": [view.redirect_uri]}),
    )
    .await;
    admin(
        &sim,
        &format!("/_admin/apps/{CLIENT}/roles"),
        json!({"revoke": ["Mail.Send"]}),
    )
    .await;
    assert_eq!(watched.check_now().await, Status::Failing);
    let page = watched.page().await;
    assert!(page.needs_consent);
    assert!(page.consent_redirect, "made through onboarding");

    let link = consent_link(&watched, true).await;
    let (status, back) = accept(&link).await;
    assert!(status.is_redirection());
    let back = back.expect("Microsoft sends the admin back");
    assert!(back.starts_with(&watched.app.url("/consent/callback?admin_consent=True")));
    let thanks = browser().get(&back).send().await.unwrap();
    assert_eq!(thanks.status(), StatusCode::OK);
    assert!(thanks.text().await.unwrap().contains("it works"));

    let page = watched.page().await;
    assert_eq!(page.standing.status, Status::Healthy);
    assert_eq!(page.timeline[0].checks[0].trigger, "consent");
    assert!(page.timeline[0].changed);

    // Replaying the address Microsoft sent back checks nothing more.
    let replayed = browser().get(&back).send().await.unwrap();
    assert_eq!(replayed.status(), StatusCode::OK);
    assert_eq!(
        Watched::checks(&watched.page().await),
        Watched::checks(&page)
    );
}

#[tokio::test]
async fn without_the_redirect_uri_opening_the_link_checks_every_minute_until_consent_is_seen() {
    let sim = contoso(&[]).await;
    patch_app(&sim, json!({"requested": ["Mail.Send"]})).await;
    let app = spawn_app_with(&[
        ("TENANTRY_IDENTITY_URL", sim.base_url()),
        ("TENANTRY_GRAPH_URL", sim.base_url()),
        ("TENANTRY_SCHEDULER", "on".into()),
        ("TENANTRY_CHECK_POLL_SECONDS", "1".into()),
    ])
    .await;
    let watched = watched(app, 120).await;
    let first = watched.until_checked(1).await;
    assert!(first.needs_consent);

    let link = consent_link(&watched, false).await;
    let (status, back) = accept(&link).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "Microsoft cannot send the admin back"
    );
    assert!(back.is_none());

    // Each minute brings a check, until one sees the consent.
    let mut after = watched.page().await;
    for minute in 1..=3 {
        watched.app.clock().advance(time::Duration::seconds(61));
        after = watched.until_checked(1 + minute).await;
        if after.standing.status == Status::Healthy {
            break;
        }
    }
    assert_eq!(after.standing.status, Status::Healthy);
    assert_eq!(after.timeline[0].checks[0].trigger, "scheduled");
}

#[tokio::test]
async fn a_refused_or_unknown_consent_changes_nothing() {
    let sim = contoso(&[]).await;
    let watched = watched(app_against(&sim).await, 120).await;
    assert_eq!(watched.check_now().await, Status::Failing);
    let link = consent_link(&watched, false).await;
    let state = link.rsplit('/').next().unwrap();

    let refused = browser()
        .get(watched.app.url(&format!(
            "/consent/callback?error=access_denied&error_description=%3Cscript%3E&state={state}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::OK);
    let text = refused.text().await.unwrap();
    assert!(text.contains("access_denied") && !text.contains("<script>"));
    assert_eq!(
        Watched::checks(&watched.page().await),
        1,
        "no check was made"
    );

    let unknown = browser()
        .get(watched.app.url("/consent/start/not-a-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::GONE);
    let forged = browser()
        .get(
            watched
                .app
                .url("/consent/callback?admin_consent=True&state=forged"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::GONE);
    assert_eq!(Watched::checks(&watched.page().await), 1);
}
