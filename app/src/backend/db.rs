//! The one way data access reaches a database, SQLite or PostgreSQL.
//!
//! Callers hold a [`Db`] (a pool) or a [`Tx`] (a transaction) and never learn
//! which database is behind it. A statement is written once inside
//! [`on_db!`](crate::on_db), which compiles it for both databases, so the
//! type checker sees every query against each driver's own types (no `Any`
//! driver: it cannot read SQLite's booleans and converts every row).

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// A pool of connections to the installation's database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction; dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// What ends a claim's inner select so that concurrent claimants pass
    /// over each other's rows instead of taking them twice: on PostgreSQL,
    /// lock the rows of `alias` and skip those already locked. SQLite has
    /// one writer at a time, so its claims never overlap.
    pub fn skip_locked(self, alias: &str) -> String {
        match self {
            Self::Sqlite => String::new(),
            Self::Postgres => format!("FOR UPDATE OF {alias} SKIP LOCKED"),
        }
    }

    pub fn of(database_url: &str) -> Result<Self, sqlx::Error> {
        let scheme = database_url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            _ => Err(sqlx::Error::Configuration(
                "TENANTRY_DATABASE_URL must start with sqlite: or postgres://".into(),
            )),
        }
    }
}

/// How the pool is sized; the rest of a connection's settings are in its URL
/// (for PostgreSQL, `sslmode` and `sslrootcert` among them).
#[derive(Clone, Copy, Debug)]
pub struct PoolSettings {
    pub max_connections: u32,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_connections: 8 }
    }
}

impl Db {
    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }
}

/// One database's executor or the other's, for [`on_db!`](crate::on_db).
pub enum Split<S, P> {
    Sqlite(S),
    Postgres(P),
}

impl Db {
    /// The pool of the database in use, for [`on_db!`](crate::on_db).
    pub fn split(&self) -> Split<&SqlitePool, &PgPool> {
        match self {
            Db::Sqlite(pool) => Split::Sqlite(pool),
            Db::Postgres(pool) => Split::Postgres(pool),
        }
    }
}

impl Tx {
    /// The transaction's connection, for [`on_db!`](crate::on_db).
    pub fn split(&mut self) -> Split<&mut SqliteConnection, &mut PgConnection> {
        match self {
            Tx::Sqlite(tx) => Split::Sqlite(&mut **tx),
            Tx::Postgres(tx) => Split::Postgres(&mut **tx),
        }
    }
}

/// A pool or a transaction, for statements that run on either.
pub enum Conn<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Conn<'a> {
    fn from(db: &'a Db) -> Self {
        Self::Db(db)
    }
}

impl<'a> From<&'a mut Tx> for Conn<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Self::Tx(tx)
    }
}

/// A connection held for a statement: the transaction's, or one taken
/// from the pool (as the pool itself would for a single statement).
pub enum Held<'a> {
    Tx(&'a mut Tx),
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

impl<'a> Conn<'a> {
    pub async fn hold(self) -> Result<Held<'a>, sqlx::Error> {
        Ok(match self {
            Conn::Tx(tx) => Held::Tx(tx),
            Conn::Db(Db::Sqlite(pool)) => Held::Sqlite(pool.acquire().await?),
            Conn::Db(Db::Postgres(pool)) => Held::Postgres(pool.acquire().await?),
        })
    }
}

impl Held<'_> {
    /// The held connection, for [`on_db!`](crate::on_db).
    pub fn split(&mut self) -> Split<&mut SqliteConnection, &mut PgConnection> {
        match self {
            Held::Tx(tx) => tx.split(),
            Held::Sqlite(connection) => Split::Sqlite(&mut **connection),
            Held::Postgres(connection) => Split::Postgres(&mut **connection),
        }
    }
}

/// Runs `body` with `c` bound to the source's executor, compiled once per
/// database: `on_db!(pool, |c| sqlx::query_as("…").fetch_one(c).await)`.
#[macro_export]
macro_rules! on_db {
    ($source:expr, |$c:ident| $body:expr) => {
        match ($source).split() {
            $crate::backend::db::Split::Sqlite($c) => $body,
            $crate::backend::db::Split::Postgres($c) => $body,
        }
    };
}

/// Executes a statement that returns no rows on the source, giving how
/// many rows it changed on either database:
/// `execute_on!(pool, sqlx::query("UPDATE …").bind(x))?.rows_affected()`.
#[macro_export]
macro_rules! execute_on {
    ($source:expr, $query:expr) => {
        $crate::on_db!($source, |c| $query
            .execute(c)
            .await
            .map($crate::backend::db::Done::from))
    };
}

/// Opens the database with the settings a busy multi-user server needs and
/// applies pending migrations. On PostgreSQL the migrator holds an advisory
/// lock, so several servers may start at once.
pub async fn connect(database_url: &str, settings: PoolSettings) -> Result<Db, sqlx::Error> {
    let db = open(database_url, settings).await?;
    run_migrations(&db).await?;
    Ok(db)
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

async fn run_migrations(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    match db {
        Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
        Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
    }
}

/// Opens a pool without migrating.
pub async fn open(database_url: &str, settings: PoolSettings) -> Result<Db, sqlx::Error> {
    match Engine::of(database_url)? {
        Engine::Sqlite => {
            // WAL so readers never block the writer, a busy timeout instead
            // of instant "database is locked", foreign keys enforced.
            let options = SqliteConnectOptions::from_str(database_url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(settings.max_connections)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        }
        Engine::Postgres => {
            let mut options = PgConnectOptions::from_str(database_url)?;
            if !names_ssl_mode(database_url) && !is_local(options.get_host()) {
                // sqlx would otherwise "prefer" TLS: try it, and carry on in
                // the clear without it. Across a network the server must
                // prove who it is unless the operator chose otherwise.
                options = options.ssl_mode(PgSslMode::VerifyFull);
            }
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        }
    }
}

fn names_ssl_mode(database_url: &str) -> bool {
    database_url
        .split_once('?')
        .is_some_and(|(_, query)| query.split('&').any(|pair| pair.starts_with("sslmode=")))
}

/// A Unix socket or the loopback address: nothing crosses a network.
fn is_local(host: &str) -> bool {
    host.starts_with('/')
        || host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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
    let db = open(database_url, PoolSettings::default()).await?;
    let before = applied(&db).await?;
    run_migrations(&db).await?;
    let after = applied(&db).await?;
    db.close().await;
    Ok(Migrated {
        applied: after
            .iter()
            .filter(|migration| !before.contains(migration))
            .cloned()
            .collect(),
        latest: after.last().cloned(),
    })
}

async fn applied(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let lookup = match db.engine() {
        Engine::Sqlite => {
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')"
        }
        Engine::Postgres => "SELECT to_regclass('_sqlx_migrations') IS NOT NULL",
    };
    let exists: bool = on_db!(db, |c| sqlx::query_scalar(lookup).fetch_one(c).await)?;
    if !exists {
        return Ok(vec![]);
    }
    on_db!(db, |c| sqlx::query_as(
        "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(c)
    .await)
}

/// The entries of a comma-separated column (product lists, finding codes,
/// permissions), as the schema stores lists.
pub fn listed(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// What a statement run by `execute` did, whichever database ran it.
#[derive(Clone, Copy, Debug)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

impl From<sqlx::sqlite::SqliteQueryResult> for Done {
    fn from(result: sqlx::sqlite::SqliteQueryResult) -> Self {
        Self {
            rows_affected: result.rows_affected(),
        }
    }
}

impl From<sqlx::postgres::PgQueryResult> for Done {
    fn from(result: sqlx::postgres::PgQueryResult) -> Self {
        Self {
            rows_affected: result.rows_affected(),
        }
    }
}
