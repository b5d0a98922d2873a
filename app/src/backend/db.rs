use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// Opens the database with the settings a busy multi-user server needs (WAL so
/// readers never block the writer, a busy timeout instead of instant
/// "database is locked", foreign keys enforced) and applies pending migrations.
pub async fn connect(database_url: &str) -> Result<SqlitePool, sqlx::Error> {
    let pool = open(database_url).await?;
    MIGRATIONS.run(&pool).await?;
    Ok(pool)
}

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

async fn open(database_url: &str) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(database_url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
}

/// What `tenantry db migrate` did: the migrations it applied now, and the
/// newest one the database has.
pub struct Migrated {
    pub applied: Vec<(i64, String)>,
    pub latest: Option<(i64, String)>,
}

/// Applies pending migrations and says which, for operators who migrate
/// before starting servers.
pub async fn migrate(database_url: &str) -> Result<Migrated, sqlx::Error> {
    let pool = open(database_url).await?;
    let before = applied(&pool).await?;
    MIGRATIONS.run(&pool).await?;
    let after = applied(&pool).await?;
    pool.close().await;
    Ok(Migrated {
        applied: after
            .iter()
            .filter(|migration| !before.contains(migration))
            .cloned()
            .collect(),
        latest: after.last().cloned(),
    })
}

async fn applied(pool: &SqlitePool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await?;
    if !exists {
        return Ok(vec![]);
    }
    sqlx::query_as(
        "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(pool)
    .await
}

/// The entries of a comma-separated column (product lists, finding codes,
/// permissions), as the schema stores lists.
pub fn listed(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}
