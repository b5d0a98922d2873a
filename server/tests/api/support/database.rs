//! Where a test server keeps its data: a new SQLite file in its data
//! directory, or, when `TENANTRY_TEST_POSTGRES` names a PostgreSQL server
//! (`make test` starts one for its second pass), a new database there.

use app::backend::db::Db;

const POSTGRES_VAR: &str = "TENANTRY_TEST_POSTGRES";

/// Whether this run's servers keep their data in PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var_os(POSTGRES_VAR).is_some()
}

/// Whether a test of several servers or of moving to PostgreSQL must wait
/// for the PostgreSQL pass; says so when it must.
pub fn not_on_postgres() -> bool {
    if on_postgres() {
        return false;
    }
    eprintln!("no PostgreSQL for this run: this test runs in make test's PostgreSQL pass");
    true
}

/// The URL of a new, empty database for one test server, or `None` for the
/// default SQLite file in its data directory.
pub async fn fresh_database_url() -> Option<String> {
    let admin_url = std::env::var(POSTGRES_VAR).ok()?;
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let admin = app::backend::db::open(&admin_url, Default::default())
        .await
        .expect("the test PostgreSQL server answers");
    app::execute_on!(&admin, sqlx::query(&format!("CREATE DATABASE {name}")))
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

/// Everything a test server's database holds, as text: the SQLite file and
/// its write-ahead log as they are on disk, or PostgreSQL's rows as
/// `pg_dump` writes them out. A secret found here was stored in the clear.
pub fn everything_stored(config: &server::config::Config) -> String {
    let mut bytes = Vec::new();
    if config.database_url.starts_with("sqlite:") {
        for entry in std::fs::read_dir(&config.data_dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("tenantry.db") {
                bytes.extend(std::fs::read(&path).unwrap());
            }
        }
    } else {
        let dump = std::process::Command::new(pg_dump())
            .arg("--data-only")
            .arg(&config.database_url)
            .output()
            .expect("pg_dump runs");
        assert!(
            dump.status.success(),
            "{}",
            String::from_utf8_lossy(&dump.stderr)
        );
        bytes = dump.stdout;
    }
    assert!(bytes.len() > 4096, "the database holds something");
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The server's own `pg_dump`, which can read its version's dumps.
fn pg_dump() -> std::path::PathBuf {
    let mut versions: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| dir.filter_map(|entry| Some(entry.ok()?.path())).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .map(|version| version.join("bin/pg_dump"))
        .unwrap_or_else(|| "pg_dump".into())
}
