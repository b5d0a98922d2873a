//! The schema holds isolation on its own: even a statement that forgets the
//! organisation cannot store a row that mixes two of them. And the
//! migration that added this carried every existing row over.

use crate::support::{spawn_app, PASSWORD};
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::SqlitePool;
use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;

const ISOLATION_MIGRATION: i64 = 20261122000006;
const ALERT_RULES_MIGRATION: i64 = 20261124000015;

async fn pool(url: &str) -> SqlitePool {
    let options = SqliteConnectOptions::from_str(url)
        .unwrap()
        .create_if_missing(true)
        .foreign_keys(true);
    SqlitePool::connect_with(options).await.unwrap()
}

async fn ids(pool: &SqlitePool, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
}

/// The single column `sql` selects, on whichever database the test uses.
async fn stored_ids(db: &app::backend::db::Db, sql: &str) -> Vec<String> {
    app::on_db!(db, |c| sqlx::query_scalar(sql).fetch_all(c).await).unwrap()
}

#[tokio::test]
async fn the_database_refuses_a_registration_or_link_under_another_organisations_tenant() {
    let app = spawn_app().await;
    app.create_organisation("Northwind IT", "nadia@northwind.example")
        .await;
    let northwind = app.signed_in("nadia@northwind.example", PASSWORD).await;
    let tenant = app
        .add_tenant(
            &northwind,
            "Contoso",
            "11111111-1111-1111-1111-111111111111",
        )
        .await;
    app.create_organisation("Fabrikam MSP", "grace@fabrikam.example")
        .await;
    let pool = crate::support::database::open(&app.config.database_url).await;
    let fabrikam = stored_ids(
        &pool,
        "SELECT id FROM organisations WHERE name = 'Fabrikam MSP'",
    )
    .await;
    let grace = stored_ids(
        &pool,
        "SELECT id FROM users WHERE email = 'grace@fabrikam.example'",
    )
    .await;

    let registration = app::execute_on!(&pool, sqlx::query(
        "INSERT INTO registrations (id, organisation_id, customer_tenant_id, profiles, client_id, credential_kind, entered_by, entered_at)
         VALUES ('r1', $1, $2, 'email', '22222222-2222-2222-2222-222222222222', 'secret', $3, '2026-11-22T00:00:00Z')",
    )
    .bind(&fabrikam[0])
    .bind(&tenant)
    .bind(&grace[0]));
    assert!(
        registration.is_err(),
        "a registration under another organisation's tenant"
    );

    let link = app::execute_on!(&pool, sqlx::query(
        "INSERT INTO onboarding_links (id, organisation_id, customer_tenant_id, profiles, token_digest, created_by, created_at, expires_at)
         VALUES ('l1', $1, $2, 'email', 'digest', $3, '2026-11-22T00:00:00Z', '2026-11-29T00:00:00Z')",
    )
    .bind(&fabrikam[0])
    .bind(&tenant)
    .bind(&grace[0]));
    assert!(
        link.is_err(),
        "an onboarding link under another organisation's tenant"
    );

    let northwind_id = stored_ids(
        &pool,
        "SELECT id FROM organisations WHERE name = 'Northwind IT'",
    )
    .await;
    let tenant_by_stranger = app::execute_on!(&pool, sqlx::query(
        "INSERT INTO customer_tenants (id, organisation_id, display_name, entra_tenant_id, cloud, created_by, created_at, updated_at)
         VALUES ('t9', $1, 'Tailspin', '99999999-9999-4999-8999-999999999999', 'global', $2, '2026-11-22T00:00:00Z', '2026-11-22T00:00:00Z')",
    )
    .bind(&northwind_id[0])
    .bind(&grace[0]));
    assert!(
        tenant_by_stranger.is_err(),
        "a tenant recorded as created by another organisation's member"
    );
    let invitation_by_stranger = app::execute_on!(&pool, sqlx::query(
        "INSERT INTO staff_invitations (id, organisation_id, email, role, token_digest, invited_by, created_at, expires_at)
         VALUES ('i9', $1, 'x@example.com', 'viewer', 'digest9', $2, '2026-11-22T00:00:00Z', '2026-11-25T00:00:00Z')",
    )
    .bind(&northwind_id[0])
    .bind(&grace[0]));
    assert!(
        invitation_by_stranger.is_err(),
        "an invitation sent in the name of another organisation's member"
    );
}

/// A database migrated up to (not including) `version`, and every
/// migration, to run on it after rows of the old shape were put in.
async fn migrated_before(url: &str, version: i64) -> (SqlitePool, Migrator) {
    let pool = pool(url).await;
    let all = Migrator::new(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/sqlite"
    )))
    .await
    .unwrap();
    let mut before = Migrator::new(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/sqlite"
    )))
    .await
    .unwrap();
    before.migrations = Cow::Owned(
        all.migrations
            .iter()
            .filter(|m| m.version < version)
            .cloned()
            .collect(),
    );
    before.run(&pool).await.unwrap();
    (pool, all)
}

#[tokio::test]
async fn the_isolation_migration_carries_every_row_over() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let (pool, all) = migrated_before(&url, ISOLATION_MIGRATION).await;
    for statement in [
        "INSERT INTO organisations VALUES ('o1', 'Northwind IT', '2026-11-01T00:00:00Z')",
        "INSERT INTO users VALUES ('u1', 'o1', 'nadia@northwind.example', 'Nadia', 'hash', 'admin', '2026-11-01T00:00:00Z')",
        "INSERT INTO customer_tenants (id, organisation_id, display_name, entra_tenant_id, cloud, created_by, created_at, updated_at)
         VALUES ('t1', 'o1', 'Contoso', '11111111-1111-1111-1111-111111111111', 'global', 'u1', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
        "INSERT INTO registrations (id, organisation_id, customer_tenant_id, profiles, client_id, credential_kind, secret_sealed, secret_hint, credential_expires_at, entered_by, entered_at, certificate_der)
         VALUES ('r1', 'o1', 't1', 'email', '22222222-2222-2222-2222-222222222222', 'secret', 'v1.sealed', '…abcd', '2027-01-01T00:00:00Z', 'u1', '2026-11-02T00:00:00Z', NULL)",
        "INSERT INTO onboarding_links (id, organisation_id, customer_tenant_id, profiles, token_digest, created_by, created_at, expires_at, completed_at, step_reached, registration_id, credential_kind, certificate_generated)
         VALUES ('l1', 'o1', 't1', 'email', 'digest', 'u1', '2026-11-01T00:00:00Z', '2026-11-08T00:00:00Z', '2026-11-02T00:00:00Z', 6, 'r1', 'secret', 0)",
        "INSERT INTO onboarding_events VALUES ('e1', 'l1', '2026-11-02T00:00:00Z', 'completed')",
        "INSERT INTO staff_invitations VALUES ('i1', 'o1', 'sam@northwind.example', 'viewer', 'digest1', 'u1', '2026-11-01T00:00:00Z', '2026-11-04T00:00:00Z', NULL)",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }

    all.run(&pool).await.unwrap();

    assert_eq!(
        ids(
            &pool,
            "SELECT id || ':' || secret_sealed || ':' || secret_hint FROM registrations"
        )
        .await,
        ["r1:v1.sealed:…abcd"]
    );
    assert_eq!(
        ids(
            &pool,
            "SELECT id || ':' || registration_id || ':' || step_reached FROM onboarding_links"
        )
        .await,
        ["l1:r1:6"]
    );
    assert_eq!(
        ids(&pool, "SELECT id || ':' || event FROM onboarding_events").await,
        ["e1:completed"]
    );
    assert_eq!(
        ids(
            &pool,
            "SELECT id || ':' || display_name || ':' || created_by FROM customer_tenants"
        )
        .await,
        ["t1:Contoso:u1"]
    );
    assert_eq!(
        ids(
            &pool,
            "SELECT id || ':' || invited_by FROM staff_invitations"
        )
        .await,
        ["i1:u1"]
    );
    let problems: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
}

#[tokio::test]
async fn the_alert_rules_migration_carries_channels_and_their_deliveries_over() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let (pool, all) = migrated_before(&url, ALERT_RULES_MIGRATION).await;
    for statement in [
        "INSERT INTO organisations (id, name, created_at) VALUES ('o1', 'Northwind IT', '2026-11-01T00:00:00Z')",
        "INSERT INTO users (id, organisation_id, email, display_name, password_hash, role, created_at)
         VALUES ('u1', 'o1', 'nadia@northwind.example', 'Nadia', 'hash', 'admin', '2026-11-01T00:00:00Z')",
        "INSERT INTO alert_channels (id, organisation_id, kind, name, host, secret_sealed, created_by, created_at)
         VALUES ('c1', 'o1', 'webhook', 'PSA', 'psa.example', 'v1.sealed', 'u1', '2026-11-23T00:00:00Z')",
        "INSERT INTO alert_deliveries (id, organisation_id, channel_id, event, body, created_at, attempts, next_attempt_at, delivered_at, last_answer)
         VALUES ('d1', 'o1', 'c1', 'test', '{}', '2026-11-23T00:00:00Z', 1, '2026-11-23T00:00:00Z', '2026-11-23T00:00:01Z', 'HTTP 200')",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }

    all.run(&pool).await.unwrap();

    assert_eq!(
        ids(
            &pool,
            "SELECT id || ':' || kind || ':' || secret_sealed || ':' || rules FROM alert_channels"
        )
        .await,
        ["c1:webhook:v1.sealed:{}"]
    );
    assert_eq!(
        ids(
            &pool,
            "SELECT id || ':' || channel_id || ':' || last_answer FROM alert_deliveries"
        )
        .await,
        ["d1:c1:HTTP 200"]
    );
    let problems: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let refused = sqlx::query(
        "INSERT INTO alert_deliveries (id, organisation_id, channel_id, event, body, created_at, next_attempt_at)
         VALUES ('d2', 'o2', 'c1', 'test', '{}', '2026-11-23T00:00:00Z', '2026-11-23T00:00:00Z')",
    )
    .execute(&pool)
    .await;
    assert!(
        refused.is_err(),
        "a delivery cannot name another organisation's channel"
    );
}
