//! The public JSON API (`/api/v1`) as a script or a PSA tool uses it: an
//! organisation API token, scopes, problems, pages, idempotent creation,
//! rate limits, the OpenAPI document, and `/metrics`.

use crate::support::dashboard::{fleet, Fleet};
use crate::support::database::everything_stored;
use crate::support::{spawn_app, spawn_app_with, TestApp};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// Creates a token the way an admin's page does; the answer is the token.
async fn token(app: &TestApp, admin: &Client, name: &str, scopes: &[&str], days: &str) -> String {
    let mut form = vec![("form[name]", name), ("form[expires_in_days]", days)];
    for scope in scopes {
        form.push(("form[scopes][]", scope));
    }
    let made = app.call(admin, "create_api_token", &form).await;
    assert_eq!(made.status(), StatusCode::OK);
    made.json().await.unwrap()
}

/// A request as a caller without an API token sends it.
async fn without_token(app: &TestApp, method: Method, path: &str) -> reqwest::Response {
    Client::new()
        .request(method, app.url(path))
        .send()
        .await
        .unwrap()
}

fn api(app: &TestApp, token: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
    Client::new()
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(token)
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let answer = api(app, token, Method::GET, path).send().await.unwrap();
    let status = answer.status();
    (status, answer.json().await.unwrap_or(Value::Null))
}

/// Northwind IT with no tenants and no Microsoft behind it: for tests
/// that need no registrations (a fleet costs a simulator and checks).
async fn quiet() -> Fleet {
    let app = spawn_app().await;
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    Fleet::without_microsoft(app, staff)
}

async fn all_scopes(fleet: &Fleet) -> String {
    token(
        &fleet.app,
        &fleet.staff,
        "Everything",
        &["read", "write", "checks"],
        "",
    )
    .await
}

#[tokio::test]
async fn a_token_is_shown_once_stored_as_a_digest_and_stops_at_once_when_revoked() {
    let fleet = fleet().await;
    let app = &fleet.app;
    let secret = token(app, &fleet.staff, "PSA sync", &["read"], "30").await;
    assert!(secret.starts_with("tnty_"), "{secret}");

    let (status, tenants) = get(app, &secret, "/tenants").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        tenants["items"].as_array().unwrap().len(),
        fleet.tenants.len()
    );

    let listed = app
        .call(&fleet.staff, "list_api_tokens", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(listed.contains("PSA sync") && listed.contains("read"));
    assert!(
        !listed.contains(&secret[10..]),
        "the list never carries the token"
    );
    let id = secret.split('_').nth(1).unwrap();
    let database = everything_stored(&app.config);
    assert!(
        !database.contains(&secret[25..45]),
        "only a digest is stored"
    );

    let revoked = app
        .call(&fleet.staff, "revoke_api_token", &[("token_id", id)])
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let refused = api(app, &secret, Method::GET, "/tenants")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["code"], "unauthenticated");

    let trail = app
        .call(&fleet.staff, "audit_trail", &[("page", "0")])
        .await
        .text()
        .await
        .unwrap();
    assert!(trail.contains("api_token.created") || trail.contains("API token created"));
    assert!(trail.contains("api_token.revoked") || trail.contains("API token revoked"));
}

#[tokio::test]
async fn a_token_past_its_expiry_is_refused() {
    let fleet = quiet().await;
    let secret = token(&fleet.app, &fleet.staff, "Short", &["read"], "1").await;
    assert_eq!(
        get(&fleet.app, &secret, "/findings").await.0,
        StatusCode::OK
    );
    fleet
        .app
        .clock()
        .advance(time::Duration::days(1) + time::Duration::seconds(1));
    assert_eq!(
        get(&fleet.app, &secret, "/findings").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn only_admins_make_tokens_and_a_bad_request_says_which_field() {
    let fleet = quiet().await;
    let viewer = fleet
        .app
        .add_member(&fleet.staff, "vic@northwind.example", "viewer")
        .await;
    let refused = fleet
        .app
        .call(
            &viewer,
            "create_api_token",
            &[("form[name]", "x"), ("form[scopes][]", "read")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let invalid = fleet
        .app
        .call(
            &fleet.staff,
            "create_api_token",
            &[("form[name]", ""), ("form[scopes][]", "root")],
        )
        .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = invalid.text().await.unwrap();
    assert!(
        text.contains("\"name\"") && text.contains("\"scopes\""),
        "{text}"
    );
}

#[tokio::test]
async fn a_signed_in_browser_session_does_not_open_the_api() {
    let fleet = quiet().await;
    let answer = fleet
        .staff
        .get(fleet.app.url("/api/v1/tenants"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
}

/// Every documented operation, with its path's ids filled in.
fn operations(tenant: &str, registration: &str) -> Vec<(Method, String, String)> {
    let document = serde_json::to_value(server::public_api::openapi()).unwrap();
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let scope = operation["security"][0]["token"][0]
                .as_str()
                .unwrap()
                .to_owned();
            let id = if path.starts_with("/tenants") {
                tenant
            } else {
                registration
            };
            let filled = path.replace("{id}", id);
            found.push((method.to_uppercase().parse().unwrap(), filled, scope));
        }
    }
    found
}

#[tokio::test]
async fn every_route_refuses_a_token_without_its_scope_and_a_caller_without_a_token() {
    let fleet = fleet().await;
    let app = &fleet.app;
    let tenant = fleet.tenants["Adatum"].clone();
    let registration = fleet.id("adatum");
    let ops = operations(&tenant, &registration);
    assert!(ops.len() >= 20, "{} operations", ops.len());
    let mut tokens = std::collections::HashMap::new();
    for scope in ["read", "write", "checks"] {
        tokens.insert(scope, token(app, &fleet.staff, scope, &[scope], "").await);
    }
    for (method, path, scope) in &ops {
        let anonymous = Client::new()
            .request(method.clone(), app.url(&format!("/api/v1{path}")))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            anonymous.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
        for (other, secret) in &tokens {
            if other == scope {
                continue;
            }
            let answer = api(app, secret, method.clone(), path)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(
                answer.status(),
                StatusCode::FORBIDDEN,
                "{method} {path} with only {other}"
            );
            let problem: Value = answer.json().await.unwrap();
            assert_eq!(problem["code"], "insufficient_scope");
            assert_eq!(problem["required_scope"], scope.as_str());
        }
    }
}

#[tokio::test]
async fn another_organisations_token_sees_and_changes_nothing() {
    let fleet = fleet().await;
    let app = &fleet.app;
    let stranger = app
        .admin_of("Contoso MSP", "carl@contoso-msp.example")
        .await;
    let tenant = fleet.tenants["Adatum"].clone();
    let registration = fleet.id("adatum");
    // What Northwind IT's fleet would show of itself.
    let markers = [
        "Adatum",
        "a0000000-0000-0000-0000-000000000001",
        "c0000000-0000-0000-0000-000000000001",
    ];
    let scope_sets: [&[&str]; 4] = [
        &["read"],
        &["write"],
        &["checks"],
        &["read", "write", "checks"],
    ];
    for scopes in scope_sets {
        let theirs = token(app, &stranger, &scopes.join("+"), scopes, "").await;
        for (method, path, needed) in operations(&tenant, &registration) {
            let answer = api(app, &theirs, method.clone(), &path)
                .json(&json!({"products": ["email"], "kind": "secret"}))
                .send()
                .await
                .unwrap();
            let status = answer.status();
            let body = answer.text().await.unwrap();
            for marker in markers {
                assert!(
                    !body.contains(marker),
                    "{method} {path} with {scopes:?} showed {marker}: {body}"
                );
            }
            let names_ours = path.contains(&tenant) || path.contains(&registration);
            if !scopes.contains(&needed.as_str()) {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} with {scopes:?}"
                );
            } else if names_ours {
                assert!(
                    status == StatusCode::NOT_FOUND || status == StatusCode::UNPROCESSABLE_ENTITY,
                    "{method} {path} with {scopes:?}: {status}"
                );
            }
        }
        if scopes.contains(&"read") {
            assert_eq!(get(app, &theirs, "/tenants").await.1["items"], json!([]));
            assert_eq!(
                get(app, &theirs, "/registrations?state=all").await.1["items"],
                json!([])
            );
        }
    }
    let ours = all_scopes(&fleet).await;
    let (status, tenant_now) = get(app, &ours, &format!("/tenants/{tenant}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tenant_now["archived"], false);
    assert_eq!(tenant_now["display_name"], "Adatum");
    assert_eq!(tenant_now["version"], 0, "never changed");
}

#[tokio::test]
async fn registrations_are_read_a_page_at_a_time_and_filtered_by_status() {
    let fleet = fleet().await;
    let app = &fleet.app;
    let secret = token(app, &fleet.staff, "Reader", &["read"], "").await;
    let mut seen: Vec<String> = every_item(app, &secret, "/registrations", 2)
        .await
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect();
    let mut expected: Vec<String> = fleet.registrations.values().cloned().collect();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected, "every registration once");

    let (_, failing) = get(app, &secret, "/registrations?status=failing&limit=1").await;
    assert_eq!(failing["items"].as_array().unwrap().len(), 1);
    let (_, failing) = get(app, &secret, "/registrations?status=failing").await;
    let failing: Vec<&Value> = failing["items"].as_array().unwrap().iter().collect();
    assert!(failing.iter().all(|item| item["status"] == "failing"));
    assert!(failing
        .iter()
        .any(|item| item["id"] == fleet.id("contoso-consent").as_str()));
    assert!(!failing
        .iter()
        .any(|item| item["id"] == fleet.id("adatum").as_str()));
    let (_, never) = get(app, &secret, "/registrations?status=never_checked").await;
    assert_eq!(never["items"][0]["id"], fleet.id("tailspin"));
    assert_eq!(never["items"][0]["status"], "never_checked");
    let (_, expiring) = get(
        app,
        &secret,
        &format!(
            "/registrations?expires_before={}",
            crate::support::onboarding::in_days(30)
        ),
    )
    .await;
    assert_eq!(expiring["items"].as_array().unwrap().len(), 1);
    assert_eq!(expiring["items"][0]["id"], fleet.id("litware"));

    let (_, one) = get(
        app,
        &secret,
        &format!("/registrations/{}", fleet.id("contoso-consent")),
    )
    .await;
    assert_eq!(one["status"], "failing");
    assert_eq!(one["verdict"]["findings"][0]["code"], "consent_missing");

    let (status, problem) = get(app, &secret, "/registrations?status=green").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "status");
    let (status, problem) = get(app, &secret, "/registrations?cursor=%%%").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (_, searched) = get(app, &secret, "/tenants?search=CONTO").await;
    assert_eq!(searched["items"][0]["display_name"], "Contoso");
    assert_eq!(searched["items"].as_array().unwrap().len(), 1);
}

/// Every item of a list, read `limit` at a time by following its cursor;
/// no page may hold more than `limit`.
async fn every_item(app: &TestApp, token: &str, path: &str, limit: usize) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let first = format!("{path}{separator}limit={limit}");
    let mut items = Vec::new();
    let mut next = first.clone();
    loop {
        let (status, page) = get(app, token, &next).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let on_page = page["items"].as_array().unwrap();
        assert!(on_page.len() <= limit);
        items.extend(on_page.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => next = format!("{first}&cursor={cursor}"),
            None => break,
        }
    }
    items
}

/// Every tenant's name a search finds, read one page of one at a time.
async fn searched_names(app: &TestApp, token: &str, search: &str) -> Vec<String> {
    let mut names: Vec<String> = every_item(app, token, &format!("/tenants?search={search}"), 1)
        .await
        .iter()
        .map(|item| item["display_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_search_finds_names_in_any_case_and_any_alphabet_a_page_at_a_time() {
    let fleet = quiet().await;
    let app = &fleet.app;
    let secret = all_scopes(&fleet).await;
    let tenants = [
        ("Bäckerei Nord", "baeckerei-nord.example"),
        ("Abbey Road", "abbey-road.example"),
        ("BÄCKEREI SÜD", "baeckerei-sued.example"),
        ("Lebara", "lebara.example"),
        ("Ärzte Köln", "aerzte-koeln.example"),
    ];
    for (name, domain) in tenants {
        let body =
            json!({"display_name": name, "primary_domain": domain, "contacts": ["it@example.com"]});
        let created = api(app, &secret, Method::POST, "/tenants")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED, "{name}");
    }

    assert_eq!(
        searched_names(app, &secret, "bä").await,
        vec!["BÄCKEREI SÜD", "Bäckerei Nord"],
        "upper and lower case alike, and nothing that only shares the ASCII letters"
    );
    assert_eq!(
        searched_names(app, &secret, "ÄRZTE").await,
        vec!["Ärzte Köln"]
    );
    assert_eq!(
        searched_names(app, &secret, "köln").await,
        vec!["Ärzte Köln"]
    );
    assert_eq!(
        searched_names(app, &secret, "LEBARA.EX").await,
        vec!["Lebara"]
    );
    assert!(searched_names(app, &secret, "bå").await.is_empty());
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_creates_once() {
    let fleet = quiet().await;
    let app = &fleet.app;
    let secret = all_scopes(&fleet).await;
    let body = json!({"display_name": "Woodgrove", "primary_domain": "woodgrove.example", "contacts": ["it@woodgrove.example"]});
    let first = api(app, &secret, Method::POST, "/tenants")
        .header("Idempotency-Key", "create-woodgrove-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = first.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/tenants/{}", created["id"].as_str().unwrap())
    );
    let again = api(app, &secret, Method::POST, "/tenants")
        .header("Idempotency-Key", "create-woodgrove-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    let replayed: Value = again.json().await.unwrap();
    assert_eq!(replayed["id"], created["id"]);
    let other = api(app, &secret, Method::POST, "/tenants")
        .header("Idempotency-Key", "create-woodgrove-1")
        .json(&json!({"display_name": "Someone else", "primary_domain": "else.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = other.json().await.unwrap();
    assert_eq!(problem["code"], "idempotency_key_reused");
    let (_, found) = get(app, &secret, "/tenants?search=woodgrove").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn refusals_are_problem_details_with_the_field_and_keep_nothing_half_made() {
    let fleet = quiet().await;
    let app = &fleet.app;
    let secret = all_scopes(&fleet).await;
    let refused = api(app, &secret, Method::POST, "/tenants")
        .json(&json!({"display_name": "", "entra_tenant_id": "not-a-guid"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["code"], "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"display_name") && fields.contains(&"entra_tenant_id"),
        "{fields:?}"
    );

    let malformed = api(app, &secret, Method::POST, "/tenants")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let unknown_field = api(app, &secret, Method::POST, "/tenants")
        .json(&json!({"display_name": "X", "colour": "red"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_field.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (status, problem) = get(app, &secret, "/tenants/no-such-tenant").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["code"], "not_found");
    let (status, problem) = get(app, &secret, "/no-such-route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["code"], "not_found");
    let (_, tenants) = get(app, &secret, "/tenants").await;
    assert_eq!(
        tenants["items"].as_array().unwrap().len(),
        fleet.tenants.len()
    );
}

#[tokio::test]
async fn a_credential_goes_in_and_never_comes_back() {
    let fleet = fleet().await;
    let app = &fleet.app;
    let secret = all_scopes(&fleet).await;
    let client_secret = "Zx8Q~verysecretvalue_ABCDEFGHIJKLMNOPQRS";
    let created = api(app, &secret, Method::POST, "/registrations")
        .json(&json!({
            "customer_tenant_id": fleet.tenants["Fabrikam"],
            "products": ["email"],
            "client_id": "7f1b7c51-6f4a-4a2b-9a8e-3d9f1c0b2a11",
            "credential": {"kind": "secret", "secret": client_secret, "secret_expires": crate::support::onboarding::in_days(90)}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let text = created.text().await.unwrap();
    assert!(
        !text.contains(client_secret) && !text.contains("verysecret"),
        "{text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["credential"]["kind"], "secret");
    assert_eq!(body["status"], "never_checked");
    let id = body["id"].as_str().unwrap();
    for path in [
        format!("/registrations/{id}"),
        "/registrations?state=all".to_owned(),
    ] {
        let text = api(app, &secret, Method::GET, &path)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!text.contains("verysecret"), "{path}");
    }
    let checked = api(
        app,
        &secret,
        Method::POST,
        &format!("/registrations/{}/checks", fleet.id("adatum")),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(checked.status(), StatusCode::OK);
    let checked: Value = checked.json().await.unwrap();
    assert_eq!(checked["status"], "healthy");
    let (_, history) = get(
        app,
        &secret,
        &format!("/registrations/{}/checks?limit=1", fleet.id("adatum")),
    )
    .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    let cursor = history["next_cursor"].as_str().expect("an older check");
    let (_, older) = get(
        app,
        &secret,
        &format!(
            "/registrations/{}/checks?limit=1&cursor={cursor}",
            fleet.id("adatum")
        ),
    )
    .await;
    assert_ne!(older["items"][0]["id"], history["items"][0]["id"]);
}

#[tokio::test]
async fn each_token_has_its_own_rate_limit_with_headers_that_say_so() {
    let app = spawn_app_with(&[("TENANTRY_API_REQUESTS_PER_MINUTE", "3".to_owned())]).await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let first = token(&app, &admin, "One", &["read"], "").await;
    let second = token(&app, &admin, "Two", &["read"], "").await;
    for left in (0..3).rev() {
        let answer = api(&app, &first, Method::GET, "/findings")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(
            answer.headers()["ratelimit-policy"],
            "\"per-token\";q=3;w=60"
        );
        let rate = answer.headers()["ratelimit"].to_str().unwrap().to_owned();
        assert!(
            rate.starts_with(&format!("\"per-token\";r={left};t=")),
            "{rate}"
        );
    }
    let limited = api(&app, &first, Method::GET, "/findings")
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    let problem: Value = limited.json().await.unwrap();
    assert_eq!(problem["code"], "rate_limited");
    let other = api(&app, &second, Method::GET, "/findings")
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "another token is not held back"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes_served() {
    let fleet = quiet().await;
    let app = &fleet.app;
    let served: Value = without_token(app, Method::GET, "/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        served,
        serde_json::to_value(server::public_api::openapi()).unwrap()
    );
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    // The token check runs only on routes the router matched: a 401 to a
    // caller without a token proves the operation is routed, where an
    // unrouted address falls through to a 404.
    for (method, path, _) in operations("none", "none") {
        let answer = Client::new()
            .request(method.clone(), app.url(&format!("/api/v1{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} is routed"
        );
    }
    let unrouted = without_token(app, Method::GET, "/api/v1/tokens").await;
    assert_eq!(unrouted.status(), StatusCode::NOT_FOUND);
    let wrong_method = without_token(app, Method::DELETE, "/api/v1/tenants").await;
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    let docs = without_token(app, Method::GET, "/api/v1/docs").await;
    assert_eq!(docs.status(), StatusCode::OK);
    let csp = docs.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'self'"));
    let page = docs.text().await.unwrap();
    assert!(!page.contains("<script"), "the page needs no script");
    for path in served["paths"].as_object().unwrap().keys() {
        assert!(
            page.contains(path.as_str()),
            "{path} documented on the page"
        );
    }
    assert!(page.contains("id=\"problem-rate_limited\""));
}

#[tokio::test]
async fn metrics_need_their_token_and_label_routes_never_raw_paths() {
    let metrics_token = "m".repeat(40);
    let app = spawn_app_with(&[("TENANTRY_METRICS_TOKEN", metrics_token.clone())]).await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let secret = token(&app, &admin, "Reader", &["read"], "").await;
    assert_eq!(
        get(&app, &secret, "/tenants/abc123-unique-id").await.0,
        StatusCode::NOT_FOUND
    );
    without_token(&app, Method::GET, "/scanner-probe-4711").await;
    let refused = without_token(&app, Method::GET, "/metrics").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let wrong = Client::new()
        .get(app.url("/metrics"))
        .bearer_auth("x".repeat(40))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let answer = Client::new()
        .get(app.url("/metrics"))
        .bearer_auth(&metrics_token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let text = answer.text().await.unwrap();
    for name in [
        "tenantry_http_requests_total",
        "tenantry_http_request_duration_seconds_bucket",
        "tenantry_registrations",
        "tenantry_sweep_lag_seconds",
        "tenantry_checks_overdue",
        "tenantry_queue_depth",
        "tenantry_sign_in_failures_total",
    ] {
        assert!(text.contains(name), "{name} in\n{text}");
    }
    assert!(text.contains("route=\"/api/v1/tenants/{id}\""), "{text}");
    assert!(text.contains("route=\"unmatched\""));
    assert!(
        text.contains("route=\"/login\"") && text.contains("route=\"/metrics\""),
        "pages and /metrics are labelled too"
    );
    assert!(!text.contains("abc123-unique-id") && !text.contains("scanner-probe-4711"));
    assert!(!text.contains(&secret[5..20]), "no token in the metrics");
}

#[tokio::test]
async fn checks_and_microsoft_calls_are_counted_by_bounded_labels() {
    let fleet =
        crate::support::dashboard::fleet_with(&[("TENANTRY_METRICS_TOKEN", "m".repeat(40))]).await;
    let text = Client::new()
        .get(fleet.app.url("/metrics"))
        .bearer_auth("m".repeat(40))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("tenantry_checks_total{trigger=\"manual\",status=\"healthy\"}"),
        "{text}"
    );
    assert!(text.contains("tenantry_check_duration_seconds_count{trigger=\"manual\"}"));
    assert!(
        text.contains(
            "tenantry_microsoft_requests_total{cloud=\"global\",endpoint=\"token\",status=\"200\"}"
        ),
        "{text}"
    );
    assert!(
        text.contains("status=\"503\""),
        "the failing tenant's 503s are counted"
    );
    assert!(
        text.contains("tenantry_registrations{status=\"never_checked\"} 1"),
        "{text}"
    );
    for tenant_id in fleet.tenants.values() {
        assert!(!text.contains(tenant_id.as_str()));
    }
}

#[tokio::test]
async fn a_token_that_may_only_write_or_check_is_told_ids_not_the_fleet() {
    let fleet = fleet().await;
    let app = &fleet.app;
    let writer = token(app, &fleet.staff, "Writer", &["write"], "").await;
    let checker = token(app, &fleet.staff, "Checker", &["checks"], "").await;
    let tenant = fleet.tenants["Adatum"].clone();

    let empty = api(app, &writer, Method::PATCH, &format!("/tenants/{tenant}"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        empty.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty change is refused"
    );
    let renamed = api(app, &writer, Method::PATCH, &format!("/tenants/{tenant}"))
        .json(&json!({"notes": "Renewal due in spring"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    assert_eq!(
        renamed.json::<Value>().await.unwrap(),
        json!({"id": tenant})
    );

    let checked = api(
        app,
        &checker,
        Method::POST,
        &format!("/registrations/{}/checks", fleet.id("adatum")),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(checked.status(), StatusCode::OK);
    assert_eq!(
        checked.json::<Value>().await.unwrap(),
        json!({"id": fleet.id("adatum")})
    );

    // The change is audited, once, under the token's name and the route's pattern.
    let trail = app
        .call(&fleet.staff, "audit_trail", &[("page", "0")])
        .await
        .text()
        .await
        .unwrap();
    assert!(trail.contains("PATCH /api/v1/tenants/{id}"), "{trail}");
    assert_eq!(
        trail.matches("PATCH /api/v1/tenants/{id}").count(),
        1,
        "the refused change is not"
    );
    assert!(trail.contains("API token \u{201c}Writer\u{201d}"));
}

#[tokio::test]
async fn an_onboarding_link_made_twice_with_one_key_is_made_once_and_its_address_is_never_kept() {
    let fleet = fleet().await;
    let app = &fleet.app;
    let secret = all_scopes(&fleet).await;
    let tenant = fleet.tenants["Fabrikam"].clone();
    let make = || {
        api(
            app,
            &secret,
            Method::POST,
            &format!("/tenants/{tenant}/onboarding-links"),
        )
        .header("Idempotency-Key", "fabrikam-link")
        .json(&json!({"products": ["email"]}))
    };
    let first = make().send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let made: Value = first.json().await.unwrap();
    let url = made["url"].as_str().unwrap().to_owned();
    assert!(url.contains("/onboard"), "{url}");
    let again = make().send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(
        again.json::<Value>().await.unwrap()["code"],
        "already_created"
    );
    let (_, links) = get(app, &secret, &format!("/tenants/{tenant}/onboarding-links")).await;
    assert_eq!(links.as_array().unwrap().len(), 1);
    let secret_part = url.rsplit(['/', '=']).next().unwrap();
    let database = everything_stored(&app.config);
    assert!(
        !database.contains(secret_part),
        "the link's token is not stored in the clear"
    );
}

#[tokio::test]
async fn a_token_dies_with_its_creators_admin_rights_and_stays_dead() {
    let fleet = quiet().await;
    let app = &fleet.app;
    let second = app
        .add_member(&fleet.staff, "olga@northwind.example", "admin")
        .await;
    let theirs = token(app, &second, "Olga's script", &["read"], "").await;
    assert_eq!(get(app, &theirs, "/findings").await.0, StatusCode::OK);
    let olga = app
        .member(&fleet.staff, "olga@northwind.example")
        .await
        .id
        .to_string();
    for change in ["disable", "enable"] {
        let changed = app
            .call(
                &fleet.staff,
                "change_member_standing",
                &[("user_id", olga.as_str()), ("change", change)],
            )
            .await;
        assert_eq!(changed.status(), StatusCode::OK);
    }
    assert_eq!(
        get(app, &theirs, "/findings").await.0,
        StatusCode::UNAUTHORIZED
    );
    let listed = app
        .call(&fleet.staff, "list_api_tokens", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        listed.contains("\"active\":false") && !listed.contains("\"active\":true"),
        "{listed}"
    );
}

#[tokio::test]
async fn metrics_can_have_a_loopback_listener_of_their_own_and_never_an_open_one() {
    let app = spawn_app_with(&[("TENANTRY_METRICS_ADDR", "127.0.0.1:0".to_owned())]).await;
    let metrics = app.metrics_address.clone().expect("a metrics listener");
    let text = Client::new()
        .get(format!("{metrics}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("tenantry_registrations"));
    let main = without_token(&app, Method::GET, "/metrics")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !main.contains("tenantry_registrations"),
        "not on the main address without a token"
    );
    let open = server::Config::from_lookup(|name| match name {
        "TENANTRY_METRICS_ADDR" => Some("0.0.0.0:9464".to_owned()),
        _ => None,
    })
    .unwrap();
    assert!(open
        .insecure_listening()
        .unwrap()
        .contains("TENANTRY_METRICS_TOKEN"));
}

#[tokio::test]
async fn made_up_tokens_from_one_address_are_held_back_before_any_lookup() {
    let app = spawn_app_with(&[("TENANTRY_API_REQUESTS_PER_MINUTE", "1".to_owned())]).await;
    let made_up = format!("tnty_{}_{}", "0".repeat(32), "A".repeat(43));
    let mut answers = Vec::new();
    for _ in 0..11 {
        answers.push(
            api(&app, &made_up, Method::GET, "/findings")
                .send()
                .await
                .unwrap()
                .status(),
        );
    }
    assert!(
        answers[..10].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{answers:?}"
    );
    assert_eq!(
        answers[10],
        StatusCode::TOO_MANY_REQUESTS,
        "ten tokens' worth a minute per address"
    );
}

#[tokio::test]
async fn a_change_sent_with_an_old_version_is_refused_and_nothing_is_overwritten() {
    let fleet = fleet().await;
    let app = &fleet.app;
    let secret = all_scopes(&fleet).await;
    let tenant = fleet.tenants["Adatum"].clone();
    let read = api(app, &secret, Method::GET, &format!("/tenants/{tenant}"))
        .send()
        .await
        .unwrap();
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let version = read.json::<Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap();
    assert_eq!(etag, format!("\"{version}\""));

    // A colleague changes the notes in the browser meanwhile.
    let edited = app
        .call(
            &fleet.staff,
            "update_tenant",
            &[
                ("customer_tenant_id", tenant.as_str()),
                ("form[display_name]", "Adatum"),
                ("form[tenant_id]", "a0000000-0000-0000-0000-000000000001"),
                ("form[primary_domain]", ""),
                ("form[cloud]", "global"),
                ("form[contacts]", "it@adatum.example"),
                ("form[notes]", "Changed in the browser"),
            ],
        )
        .await;
    assert_eq!(
        edited.status(),
        StatusCode::OK,
        "{}",
        edited.text().await.unwrap()
    );

    let stale = api(app, &secret, Method::PATCH, &format!("/tenants/{tenant}"))
        .header("If-Match", &etag)
        .json(&json!({"display_name": "Adatum Corporation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        stale.json::<Value>().await.unwrap()["code"],
        "precondition_failed"
    );

    let laid_over = api(app, &secret, Method::PATCH, &format!("/tenants/{tenant}"))
        .json(&json!({"display_name": "Adatum Corporation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(laid_over.status(), StatusCode::OK);
    let now: Value = laid_over.json().await.unwrap();
    assert_eq!(now["display_name"], "Adatum Corporation");
    assert_eq!(
        now["notes"], "Changed in the browser",
        "the colleague's change stays"
    );
    assert_eq!(now["version"].as_i64().unwrap(), version + 2);
}
