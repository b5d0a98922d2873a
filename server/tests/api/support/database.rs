//! Where a test server keeps its data: a new SQLite file in its data
//! directory, or, when `TENANTRY_TEST_POSTGRES` names a PostgreSQL server
//! (`make test` starts one for its second pass), a new database there.

use app::backend::db::Db;

const POSTGRES_VAR: &str = "TENANTRY_TEST_POSTGRES";

/// Whether this run's servers keep their data in PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var_os(POSTGRES_VAR).is_some()
}

/// The URL of a new, empty database for one test server, or `None` for the
/// default SQLite file in its data directory.
pub async fn fresh_database_url() -> Option<String> {
    let admin_url = std::env::var(POSTGRES_VAR).ok()?;
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let admin = app::backend::db::open(&admin_url, Default::default())
        .await
        .expect("the test PostgreSQL server answers");
    app::on_db!(&admin, |c| sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(c)
        .await
        .map(app::backend::db::Done::from))
    .expect("a test database");
    admin.close().await;
    let (server, _) = admin_url
        .rsplit_once('/')
        .expect("TENANTRY_TEST_POSTGRES ends with a database name");
    Some(format!("{server}/{name}"))
}

/// A connection pool on a test server's database, for tests that look at
/// what was stored.
pub async fn open(database_url: &str) -> Db {
    app::backend::db::open(database_url, Default::default())
        .await
        .expect("the test database opens")
}
