//! The browser sessions' store on whichever database is in use: one type,
//! so the session layer does not depend on the database.

use app::backend::db::Db;
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    /// The store over `db`'s `tower_sessions` table, which the migrations
    /// make on both databases.
    pub fn over(db: &Db) -> Self {
        match db {
            Db::Sqlite(pool) => Self::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool) => Self::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")
                    .and_then(|store| store.with_table_name("tower_sessions"))
                    .expect("public.tower_sessions is a valid table name"),
            ),
        }
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(session_id).await,
            Self::Postgres(store) => store.load(session_id).await,
        }
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(session_id).await,
            Self::Postgres(store) => store.delete(session_id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}
