//! What a hostile page in the same browser cannot do: post to Tenantry on
//! the signed-in person's behalf (or sign them into another organisation),
//! run a script of its own in a page, frame a page, or read one from a
//! cache. And what no client can do: send an unbounded body.

use crate::support::{browser, spawn_app, spawn_app_with, tenant_form, TestApp, PASSWORD};
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, SET_COOKIE};
use reqwest::{Client, RequestBuilder, StatusCode};

fn create_tenant(app: &TestApp, client: &Client, name: &str, tenant_id: &str) -> RequestBuilder {
    client
        .post(app.url("/api/create_tenant"))
        .form(&tenant_form(name, tenant_id))
}

const SIBLING: &str = "11111111-2222-4333-8444-000000000001";
const OLD_BROWSER: &str = "11111111-2222-4333-8444-000000000002";
const FABRIKAM: &str = "11111111-2222-4333-8444-000000000003";
const NORTHWIND: &str = "11111111-2222-4333-8444-000000000004";
const LITWARE: &str = "11111111-2222-4333-8444-000000000005";

async fn tenant_names(app: &TestApp, client: &Client) -> String {
    let response = app
        .call(client, "list_tenants", &[("show_archived", "false")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused_and_signs_nobody_in() {
    let app = spawn_app().await;
    app.create_organisation("Contoso IT", "ada@contoso.example")
        .await;
    let victim = browser();

    let response = victim
        .post(app.url("/api/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "ada@contoso.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get(SET_COOKIE).is_none());
    let home = victim.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::SEE_OTHER, "still signed out");
}

#[tokio::test]
async fn a_change_posted_from_a_foreign_origin_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let ada = app.admin_of("Contoso IT", "ada@contoso.example").await;

    let from_sibling = create_tenant(&app, &ada, "Planted by a sibling site", SIBLING)
        .header("sec-fetch-site", "same-site")
        .send()
        .await
        .unwrap();
    let from_old_browser = create_tenant(&app, &ada, "Planted by an old browser", OLD_BROWSER)
        .header("origin", "https://attacker.example")
        .send()
        .await
        .unwrap();

    assert_eq!(from_sibling.status(), StatusCode::FORBIDDEN);
    assert_eq!(from_old_browser.status(), StatusCode::FORBIDDEN);
    assert!(!tenant_names(&app, &ada).await.contains("Planted"));
}

#[tokio::test]
async fn the_portals_own_pages_and_scripts_without_browser_headers_may_post() {
    let app = spawn_app().await;
    let ada = app.admin_of("Contoso IT", "ada@contoso.example").await;

    let from_page = create_tenant(&app, &ada, "Fabrikam", FABRIKAM)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(from_page.status(), StatusCode::OK);
    let by_origin = create_tenant(&app, &ada, "Northwind", NORTHWIND)
        .header("origin", app.url(""))
        .send()
        .await
        .unwrap();
    assert_eq!(by_origin.status(), StatusCode::OK);
    let by_script = create_tenant(&app, &ada, "Litware", LITWARE)
        .send()
        .await
        .unwrap();
    assert_eq!(by_script.status(), StatusCode::OK);

    let names = tenant_names(&app, &ada).await;
    for name in ["Fabrikam", "Northwind", "Litware"] {
        assert!(names.contains(name), "{name} in {names}");
    }
}

#[tokio::test]
async fn every_page_names_a_fresh_nonce_that_each_of_its_scripts_carries() {
    let app = spawn_app().await;
    let ada = app.admin_of("Contoso IT", "ada@contoso.example").await;

    let mut nonces = Vec::new();
    for (client, path) in [
        (&browser(), "/login"),
        (&ada, "/"),
        (&ada, "/tenants"),
        (&ada, "/no-such-page"),
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        let headers = response.headers().clone();
        let csp = headers
            .get(CONTENT_SECURITY_POLICY)
            .unwrap_or_else(|| panic!("{path} has a CSP"))
            .to_str()
            .unwrap()
            .to_owned();
        for directive in [
            "'strict-dynamic'",
            "'wasm-unsafe-eval'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} in {csp}");
        }
        assert!(!csp.contains("'unsafe-inline'"), "{path}");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce")
            .to_owned();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers[CACHE_CONTROL], "no-store", "{path}");
        assert!(
            headers.get("strict-transport-security").is_none(),
            "plain http: {path}"
        );

        let html = response.text().await.unwrap();
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "{path} hydrates");
        for script in scripts {
            let tag = script.split('>').next().unwrap_or_default();
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: a script without this response's nonce: <script{tag}>"
            );
        }
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "each response has its own nonce");
}

#[tokio::test]
async fn answers_of_server_functions_are_not_cached_but_the_bundle_may_be() {
    let app = spawn_app().await;
    let ada = app.admin_of("Contoso IT", "ada@contoso.example").await;

    let answer = app
        .call(&ada, "list_tenants", &[("show_archived", "false")])
        .await;
    assert_eq!(answer.headers()[CACHE_CONTROL], "no-store");
    let pkg = app.config.site_root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("tenantry.css"), "body {}").unwrap();
    let asset = ada.get(app.url("/pkg/tenantry.css")).send().await.unwrap();
    assert_eq!(asset.status(), StatusCode::OK);
    assert!(asset.headers().get(CACHE_CONTROL).is_none());
}

#[tokio::test]
async fn a_body_larger_than_any_form_or_import_is_refused_unread() {
    let app = spawn_app().await;
    let ada = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let huge = "x".repeat(server::startup::LARGEST_BODY + 1024 * 1024);

    let response = ada
        .post(app.url("/api/create_tenant"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

const A_TOKEN: &str = "T0kenT0kenT0kenT0kenT0kenT0kenT0kenT0ken123";

#[tokio::test]
async fn a_links_token_moves_from_the_address_into_an_http_only_cookie() {
    let app = spawn_app().await;

    for (link, page, cookie) in [
        (
            format!("/onboard/{A_TOKEN}?step=2"),
            "/onboard?step=2",
            "tenantry_onboarding",
        ),
        (
            format!("/invite/{A_TOKEN}"),
            "/invite",
            "tenantry_invitation",
        ),
        (
            format!("/setup?token={A_TOKEN}"),
            "/setup",
            "tenantry_setup",
        ),
    ] {
        let response = browser().get(app.url(&link)).send().await.unwrap();

        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
        let set = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert_eq!(
            set,
            format!("{cookie}={A_TOKEN}; Path=/; HttpOnly; SameSite=Strict"),
            "{link}"
        );
        assert_eq!(crate::support::continues_at(response).await, page, "{link}");
    }
}

#[tokio::test]
async fn over_https_a_links_cookie_is_secure_and_host_only() {
    let app = spawn_app_with(&[(
        "TENANTRY_PUBLIC_URL",
        "https://portal.contoso.example".to_owned(),
    )])
    .await;

    let response = browser()
        .get(app.url(&format!("/onboard/{A_TOKEN}")))
        .send()
        .await
        .unwrap();

    let set = response.headers()[SET_COOKIE].to_str().unwrap();
    assert!(
        set.starts_with(&format!("__Host-tenantry_onboarding={A_TOKEN};")),
        "{set}"
    );
    assert!(set.contains("; Secure") && !set.contains("Domain"), "{set}");
}

#[tokio::test]
async fn pages_reached_through_a_link_carry_no_token_and_external_links_no_referrer() {
    let sim = crate::support::simulator::contoso(&[]).await;
    let app = crate::support::simulator::app_against(&sim).await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let tenant = app
        .add_tenant(&admin, "Fabrikam", crate::support::simulator::TENANT)
        .await;
    let customer = crate::support::onboarding::invite(&app, &admin, &tenant, "email").await;

    let page = customer.page().await.text().await.unwrap();

    assert!(
        page.contains("Set up access for ") && page.contains("Fabrikam"),
        "{page}"
    );
    assert!(
        !page.contains(&customer.token),
        "the token is nowhere in the page"
    );
    let externals: Vec<&str> = page.split("target=\"_blank\"").skip(1).collect();
    assert!(
        !externals.is_empty(),
        "the first step links to the Entra portal"
    );
    for external in externals {
        let attributes = external.split('>').next().unwrap_or_default();
        assert!(attributes.contains("noreferrer"), "{attributes}");
    }
}
