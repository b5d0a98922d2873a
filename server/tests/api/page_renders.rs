//! Pages are rendered a few at a time (`TENANTRY_CONCURRENT_PAGE_RENDERS`):
//! however many are asked for at once, each waits its turn and arrives
//! whole, with its own headers, and server functions do not queue.

use crate::support::{spawn_app_with, TestApp};
use reqwest::header::CONTENT_SECURITY_POLICY;
use reqwest::{Client, StatusCode};

const TENANTS: [(&str, &str); 3] = [
    ("Contoso", "11111111-2222-4333-8444-0000000000c1"),
    ("Fabrikam", "11111111-2222-4333-8444-0000000000c2"),
    ("Litware", "11111111-2222-4333-8444-0000000000c3"),
];

async fn one_page_at_a_time() -> (TestApp, Client) {
    let app = spawn_app_with(&[("TENANTRY_CONCURRENT_PAGE_RENDERS", "1".to_owned())]).await;
    let admin = app.admin_of("Northwind", "boss@northwind.example").await;
    for (name, tenant_id) in TENANTS {
        app.add_tenant(&admin, name, tenant_id).await;
    }
    (app, admin)
}

#[tokio::test]
async fn pages_asked_for_at_once_wait_their_turn_and_all_arrive_whole() {
    let (app, admin) = one_page_at_a_time().await;

    let mut loads = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let request = admin.get(app.url("/tenants")).send();
        loads.spawn(async move {
            let page = request.await.unwrap();
            let status = page.status();
            let policy = page.headers().get(CONTENT_SECURITY_POLICY).cloned();
            (status, policy, page.text().await.unwrap())
        });
    }
    let mut nonces = std::collections::HashSet::new();
    while let Some(loaded) = loads.join_next().await {
        let (status, policy, html) = loaded.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("</html>"), "the page is whole");
        // The list arrives in the streamed part, after the shell.
        for (name, _) in TENANTS {
            assert!(html.contains(name), "{name} is listed");
        }
        let policy = policy.expect("each page keeps its policy");
        nonces.insert(policy.to_str().unwrap().to_owned());
    }
    assert_eq!(nonces.len(), 16, "each page has a nonce of its own");
}

#[tokio::test]
async fn server_functions_do_not_wait_behind_pages() {
    let (app, admin) = one_page_at_a_time().await;

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let page = admin.get(app.url("/tenants")).send();
        let list = admin
            .post(app.url("/api/list_tenants"))
            .form(&[("show_archived", "false")])
            .send();
        calls.spawn(async move { (page.await.unwrap().status(), list.await.unwrap()) });
    }
    while let Some(done) = calls.join_next().await {
        let (page, list) = done.unwrap();
        assert_eq!(page, StatusCode::OK);
        assert_eq!(list.status(), StatusCode::OK);
        assert!(list.text().await.unwrap().contains("Fabrikam"));
    }
}

/// Starting a server renders the app once to find its routes, with
/// resource loading switched off for the whole process. Servers started
/// while another serves pages (as tests do, one server each) must not
/// freeze those pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_loading_while_other_servers_start_in_the_same_process() {
    let app = spawn_app_with(&[("TENANTRY_REQUEST_TIMEOUT_SECONDS", "5".to_owned())]).await;
    let admin = app.admin_of("Northwind", "boss@northwind.example").await;
    let starting = tokio::spawn(async {
        for _ in 0..30 {
            drop(crate::support::spawn_app().await);
        }
    });
    let mut loads = 0;
    while !starting.is_finished() {
        let page = admin.get(app.url("/tenants")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "page load {loads}");
        loads += 1;
    }
    starting.await.unwrap();
    assert!(loads > 0);
}
