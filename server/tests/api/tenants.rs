use crate::support::{app_error, spawn_app, TestApp};
use app::error::AppError;
use app::model::{TenantDetails, TenantList};
use reqwest::{Client, StatusCode};

const CONTOSO_TENANT: &str = "0123abcd-89ab-cdef-0123-456789abcdef";

fn form<'a>(
    id: &'a str,
    name: &'a str,
    tenant_id: &'a str,
    domain: &'a str,
) -> Vec<(&'static str, &'a str)> {
    let mut fields = vec![
        ("form[display_name]", name),
        ("form[tenant_id]", tenant_id),
        ("form[primary_domain]", domain),
        ("form[cloud]", "global"),
        ("form[contacts]", "it@contoso.example"),
        ("form[notes]", ""),
    ];
    // `create_tenant` takes only the form; `update_tenant` also the id.
    if !id.is_empty() {
        fields.push(("customer_tenant_id", id));
    }
    fields
}

async fn create(
    app: &TestApp,
    client: &Client,
    name: &str,
    tenant_id: &str,
    domain: &str,
) -> String {
    let response = app
        .call(client, "create_tenant", &form("", name, tenant_id, domain))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn list(app: &TestApp, client: &Client, archived: bool) -> TenantList {
    let flag = archived.to_string();
    app.call(client, "list_tenants", &[("show_archived", flag.as_str())])
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_technician_adds_a_customer_tenant_and_sees_it_listed() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let technician = app
        .add_member(&admin, "tom@northwind.example", "technician")
        .await;

    let id = create(
        &app,
        &technician,
        "Contoso Ltd",
        "0123ABCD-89AB-cdef-0123-456789abcdef",
        "contoso.onmicrosoft.com",
    )
    .await;

    let listed = list(&app, &admin, false).await;
    assert_eq!(listed.tenants.len(), 1);
    assert_eq!(listed.tenants[0].display_name, "Contoso Ltd");
    assert_eq!(
        listed.tenants[0].entra_tenant_id.as_deref(),
        Some(CONTOSO_TENANT)
    );
    let details: TenantDetails = app
        .call(
            &admin,
            "load_tenant",
            &[("customer_tenant_id", id.as_str())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(details.form.contacts, "it@contoso.example");
    let page = admin
        .get(app.url(&format!("/tenants/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Contoso Ltd") && page.contains(CONTOSO_TENANT));
}

#[tokio::test]
async fn invalid_fields_are_all_named_with_specific_messages() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;

    let response = app
        .call(
            &admin,
            "create_tenant",
            &form("", " ", "contoso.com", "not a domain"),
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error = app_error(response).await;
    assert_eq!(
        error.for_field("display_name").unwrap(),
        "Enter the customer's name."
    );
    assert!(error
        .for_field("tenant_id")
        .unwrap()
        .contains("is not a Directory (tenant) ID"));
    assert!(error
        .for_field("primary_domain")
        .unwrap()
        .contains("is not a domain"));
    assert!(list(&app, &admin, true).await.tenants.is_empty());
}

#[tokio::test]
async fn the_same_tenant_cannot_be_added_twice_to_one_organisation() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    create(&app, &admin, "Contoso Ltd", CONTOSO_TENANT, "").await;

    let again = app
        .call(
            &admin,
            "create_tenant",
            &form("", "Contoso again", CONTOSO_TENANT, ""),
        )
        .await;

    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app_error(again).await.for_field("tenant_id").unwrap(),
        "This tenant is already recorded as 'Contoso Ltd'."
    );

    let other_org = app.admin_of("Fabrikam MSP", "grace@fabrikam.example").await;
    create(
        &app,
        &other_org,
        "Contoso (Fabrikam's view)",
        CONTOSO_TENANT,
        "",
    )
    .await;
}

#[tokio::test]
async fn editing_keeps_the_record_and_archiving_hides_without_deleting() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let id = create(&app, &admin, "Contoso", CONTOSO_TENANT, "").await;

    let edited = app
        .call(
            &admin,
            "update_tenant",
            &form(&id, "Contoso Ltd", CONTOSO_TENANT, "contoso.example"),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let archived = app
        .call(
            &admin,
            "archive_tenant",
            &[("customer_tenant_id", id.as_str()), ("archived", "true")],
        )
        .await;
    assert_eq!(archived.status(), StatusCode::OK);

    assert!(list(&app, &admin, false).await.tenants.is_empty());
    let all = list(&app, &admin, true).await;
    assert_eq!(all.tenants[0].display_name, "Contoso Ltd");
    assert!(all.tenants[0].archived);
    app.call(
        &admin,
        "archive_tenant",
        &[("customer_tenant_id", id.as_str()), ("archived", "false")],
    )
    .await;
    assert_eq!(list(&app, &admin, false).await.tenants.len(), 1);
}

#[tokio::test]
async fn a_viewer_reads_tenants_but_cannot_change_them() {
    let app = spawn_app().await;
    let admin = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let id = create(&app, &admin, "Contoso", CONTOSO_TENANT, "").await;
    let viewer = app
        .add_member(&admin, "val@northwind.example", "viewer")
        .await;

    let seen = list(&app, &viewer, false).await;
    assert_eq!(seen.tenants.len(), 1);
    assert!(!seen.can_manage);

    for response in [
        app.call(
            &viewer,
            "create_tenant",
            &form("", "Other", "11111111-2222-3333-4444-555555555555", ""),
        )
        .await,
        app.call(
            &viewer,
            "update_tenant",
            &form(&id, "Renamed", CONTOSO_TENANT, ""),
        )
        .await,
        app.call(
            &viewer,
            "archive_tenant",
            &[("customer_tenant_id", id.as_str()), ("archived", "true")],
        )
        .await,
    ] {
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(app_error(response).await, AppError::Forbidden);
    }
    assert_eq!(
        list(&app, &admin, false).await.tenants[0].display_name,
        "Contoso"
    );
}

#[tokio::test]
async fn another_organisation_cannot_read_edit_or_archive_a_tenant() {
    let app = spawn_app().await;
    let northwind = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let fabrikam = app.admin_of("Fabrikam MSP", "grace@fabrikam.example").await;
    let id = create(&app, &northwind, "Contoso", CONTOSO_TENANT, "").await;

    assert!(list(&app, &fabrikam, true).await.tenants.is_empty());
    for response in [
        app.call(
            &fabrikam,
            "load_tenant",
            &[("customer_tenant_id", id.as_str())],
        )
        .await,
        app.call(
            &fabrikam,
            "update_tenant",
            &form(&id, "Hijacked", CONTOSO_TENANT, ""),
        )
        .await,
        app.call(
            &fabrikam,
            "archive_tenant",
            &[("customer_tenant_id", id.as_str()), ("archived", "true")],
        )
        .await,
    ] {
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let page = fabrikam
        .get(app.url(&format!("/tenants/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains(CONTOSO_TENANT));
    assert_eq!(
        list(&app, &northwind, false).await.tenants[0].display_name,
        "Contoso"
    );
}
