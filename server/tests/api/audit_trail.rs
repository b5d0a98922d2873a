//! The audit trail: each security-relevant action leaves an entry naming
//! who, what, when and from where; admins read and export their own
//! organisation's and nobody else's; nothing can change an entry.

use crate::support::{browser, spawn_app, TestApp, PASSWORD};
use app::model::{AuditEntry, AuditPage};
use reqwest::{Client, StatusCode};

async fn trail(app: &TestApp, admin: &Client, filters: &[(&str, &str)]) -> Vec<AuditEntry> {
    let mut form = vec![("page", "1")];
    form.extend_from_slice(filters);
    let response = app.call(admin, "audit_trail", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<AuditPage>().await.unwrap().entries
}

fn actions(entries: &[AuditEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.action.as_str()).collect()
}

#[tokio::test]
async fn sign_ins_staff_changes_and_tenants_are_recorded_with_who_and_from_where() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let failed = app
        .call(
            &browser(),
            "login",
            &[
                ("email", "ada@contoso.example"),
                ("password", "a wrong guess"),
            ],
        )
        .await;
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    app.add_member(&admin, "tom@contoso.example", "technician")
        .await;
    let tom = app
        .member(&admin, "tom@contoso.example")
        .await
        .id
        .to_string();
    app.call(
        &admin,
        "change_role",
        &[("user_id", tom.as_str()), ("role", "viewer")],
    )
    .await;
    app.call(
        &admin,
        "change_member_standing",
        &[("user_id", tom.as_str()), ("change", "disable")],
    )
    .await;
    app.add_tenant(&admin, "Fabrikam", "11111111-2222-4333-8444-555555555555")
        .await;

    let entries = trail(&app, &admin, &[]).await;

    let recorded = actions(&entries);
    for expected in [
        "sign_in.succeeded",
        "sign_in.failed",
        "member.invited",
        "member.joined",
        "member.role_changed",
        "member.disabled",
        "tenant.created",
    ] {
        assert!(recorded.contains(&expected), "{expected} in {recorded:?}");
    }
    let disabled = entries
        .iter()
        .find(|e| e.action == "member.disabled")
        .unwrap();
    assert_eq!(disabled.actor, "ada@contoso.example");
    assert_eq!(disabled.target, "tom@contoso.example");
    assert_eq!(disabled.ip, "127.0.0.1");
    let changed = entries
        .iter()
        .find(|e| e.action == "member.role_changed")
        .unwrap();
    assert_eq!(changed.detail, "Technician → Viewer");
    assert!(
        entries.windows(2).all(|pair| pair[0].at >= pair[1].at),
        "newest first"
    );
}

#[tokio::test]
async fn the_trail_filters_by_event_and_by_who() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    app.add_member(&admin, "tom@contoso.example", "technician")
        .await;

    let sign_ins = trail(&app, &admin, &[("query[action]", "sign_in.succeeded")]).await;
    assert_eq!(sign_ins.len(), 2);
    let toms = trail(
        &app,
        &admin,
        &[
            ("query[action]", "sign_in.succeeded"),
            ("query[text]", "TOM@"),
        ],
    )
    .await;
    assert_eq!(toms.len(), 1);
    assert_eq!(toms[0].actor, "tom@contoso.example");

    let refused = app
        .call(
            &admin,
            "audit_trail",
            &[("page", "1"), ("query[from]", "yesterday")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_trail_finds_a_name_in_any_case_and_any_alphabet() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    app.add_tenant(&admin, "ÄRZTE KÖLN", "11111111-2222-4333-8444-555555555555")
        .await;
    app.add_tenant(&admin, "Abbey Road", "11111111-2222-4333-8444-666666666666")
        .await;

    for typed in ["ärzte", "Ärzte Köln", "KÖLN"] {
        let found = trail(&app, &admin, &[("query[text]", typed)]).await;
        let targets: Vec<&str> = found.iter().map(|e| e.target.as_str()).collect();
        assert_eq!(targets, vec!["ÄRZTE KÖLN"], "{typed}");
    }
    assert!(trail(&app, &admin, &[("query[text]", "bä")])
        .await
        .is_empty());
}

#[tokio::test]
async fn only_admins_read_the_trail_and_only_their_own_organisations() {
    let app = spawn_app().await;
    let contoso = app.admin_of("Contoso IT", "ada@contoso.example").await;
    let technician = app
        .add_member(&contoso, "tom@contoso.example", "technician")
        .await;
    let fabrikam = app.admin_of("Fabrikam MSP", "fay@fabrikam.example").await;

    let refused = app.call(&technician, "audit_trail", &[("page", "1")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let theirs = trail(&app, &fabrikam, &[]).await;
    assert!(theirs
        .iter()
        .all(|e| !e.actor.contains("contoso") && !e.target.contains("contoso")));
    assert!(!theirs.is_empty(), "Fabrikam sees its own sign-in");
    let csv = browser_csv(&app, &technician).await;
    assert_eq!(csv.0, StatusCode::FORBIDDEN);
}

async fn browser_csv(app: &TestApp, client: &Client) -> (StatusCode, String) {
    let response = client
        .get(app.url("/export/audit.csv?action=sign_in.succeeded"))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_filtered_trail_downloads_as_csv_and_the_download_is_recorded() {
    let app = spawn_app().await;
    let admin = app.admin_of("Contoso IT", "ada@contoso.example").await;
    app.signed_in("ada@contoso.example", PASSWORD).await;

    let (status, csv) = browser_csv(&app, &admin).await;

    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "at,actor,action,action_label,target,detail,ip,user_agent"
    );
    assert_eq!(lines.len(), 3, "two sign-ins: {csv}");
    assert!(lines[1].contains("sign_in.succeeded") && lines[1].contains("127.0.0.1"));
    let downloads = trail(&app, &admin, &[("query[action]", "export.downloaded")]).await;
    assert_eq!(downloads.len(), 1);
    assert_eq!(downloads[0].target, "audit trail");
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_an_audit_entry() {
    let app = spawn_app().await;
    app.admin_of("Contoso IT", "ada@contoso.example").await;
    let pool = app::backend::db::open(&app.config.database_url, Default::default())
        .await
        .unwrap();

    let update = app::execute_on!(
        &pool,
        sqlx::query("UPDATE audit_events SET actor = 'someone else'")
    );
    let delete = app::execute_on!(&pool, sqlx::query("DELETE FROM audit_events"));

    assert!(update.unwrap_err().to_string().contains("never changed"));
    assert!(delete.unwrap_err().to_string().contains("never deleted"));
}
