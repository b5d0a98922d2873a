//! Moving an installation from SQLite to PostgreSQL: every row of every
//! table, as stored (sealed secrets stay sealed under the same keys), in
//! one PostgreSQL transaction, then counted again on both sides.

use crate::backend::db::{self, Db, PoolSettings};
use futures_util::TryStreamExt;
use sqlx::{Column, Row, ValueRef};

/// The tables in an order their references allow. Browser sessions
/// (`tower_sessions`) are not copied: people sign in again.
pub const TABLES: &[&str] = &[
    "organisations",
    "users",
    "staff_invitations",
    "customer_tenants",
    "registrations",
    "onboarding_links",
    "onboarding_events",
    "checks",
    "check_days",
    "consent_requests",
    "acknowledgements",
    "staff_sessions",
    "sign_in_failures",
    "audit_events",
    "mfa_recovery_codes",
    "password_resets",
    "outbox",
    "recovery_attempts",
    "alert_states",
    "alert_mass_failures",
    "alert_channels",
    "alert_deliveries",
    "alert_digest_items",
    "alert_audit_queue",
    "api_tokens",
    "api_idempotency",
];

/// The tables whose triggers would act on copied rows as if they were new
/// (queue alerts again, move dashboard versions, refuse the audit trail's
/// rows): switched off inside the copy's transaction only.
const TRIGGERED: &[&str] = &[
    "audit_events",
    "registrations",
    "customer_tenants",
    "acknowledgements",
];

/// Rows to an INSERT: PostgreSQL takes at most 65,535 parameters.
const ROWS_AT_ONCE: usize = 500;

/// Why a copy did not happen; nothing was written to the target.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("--from must be a sqlite: URL and --to a postgres:// URL")]
    Direction,
    #[error(
        "the target database already holds data ({0} has rows); copy only into an empty database"
    )]
    TargetNotEmpty(&'static str),
    #[error("{table} has {source_rows} rows in the source but {target_rows} in the target")]
    CountsDiffer {
        table: &'static str,
        source_rows: i64,
        target_rows: i64,
    },
    #[error("{table}.{column} holds a value PostgreSQL's {target_type} cannot take")]
    Value {
        table: &'static str,
        column: String,
        target_type: String,
    },
    #[error("{0}")]
    Database(#[from] sqlx::Error),
}

/// Each table with the rows it holds on both sides after the copy.
pub struct Copied {
    pub tables: Vec<(&'static str, i64)>,
}

/// Copies everything from the SQLite database at `from` into the empty
/// PostgreSQL database at `to`, migrating both first.
pub async fn copy(from: &str, to: &str) -> Result<Copied, CopyError> {
    if db::Engine::of(from)? != db::Engine::Sqlite || db::Engine::of(to)? != db::Engine::Postgres {
        return Err(CopyError::Direction);
    }
    let source = db::connect(from, PoolSettings::default()).await?;
    let target = db::connect(to, PoolSettings::default()).await?;
    let (Db::Sqlite(source_pool), Db::Postgres(target_pool)) = (&source, &target) else {
        return Err(CopyError::Direction);
    };
    for table in TABLES {
        if count(&target, table).await? > 0 {
            return Err(CopyError::TargetNotEmpty(table));
        }
    }

    let mut tx = target_pool.begin().await?;
    for table in TRIGGERED {
        sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
            .execute(&mut *tx)
            .await?;
    }
    for table in TABLES {
        let types = target_types(&mut tx, table).await?;
        let select = format!("SELECT * FROM {table}");
        let mut rows = sqlx::query(&select).fetch(source_pool);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(ROWS_AT_ONCE);
        let mut columns: Vec<String> = Vec::new();
        while let Some(row) = rows.try_next().await? {
            if columns.is_empty() {
                columns = row.columns().iter().map(|c| c.name().to_owned()).collect();
            }
            batch.push(values_of(table, &row, &columns, &types)?);
            if batch.len() == ROWS_AT_ONCE {
                insert(&mut tx, table, &columns, &batch).await?;
                batch.clear();
            }
        }
        if !batch.is_empty() {
            insert(&mut tx, table, &columns, &batch).await?;
        }
    }
    for table in TRIGGERED {
        sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;

    let mut tables = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let source_rows = count(&source, table).await?;
        let target_rows = count(&target, table).await?;
        if source_rows != target_rows {
            return Err(CopyError::CountsDiffer {
                table,
                source_rows,
                target_rows,
            });
        }
        tables.push((*table, target_rows));
    }
    source.close().await;
    target.close().await;
    Ok(Copied { tables })
}

async fn count(db: &Db, table: &str) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    crate::on_db!(db, |c| sqlx::query_scalar(&sql).fetch_one(c).await)
}

/// Each column's type on PostgreSQL, which decides how a SQLite value
/// (stored by its own dynamic typing) is taken over.
async fn target_types(
    tx: &mut sqlx::PgConnection,
    table: &str,
) -> Result<std::collections::HashMap<String, String>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(table)
    .fetch_all(tx)
    .await?;
    Ok(rows.into_iter().collect())
}

/// A value as PostgreSQL's column takes it; a NULL keeps its column's type.
enum Value {
    Integer(Option<i64>),
    Boolean(Option<bool>),
    Text(Option<String>),
}

fn values_of(
    table: &'static str,
    row: &sqlx::sqlite::SqliteRow,
    columns: &[String],
    types: &std::collections::HashMap<String, String>,
) -> Result<Vec<Value>, CopyError> {
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let target_type = types.get(column).map(String::as_str).unwrap_or("missing");
            let wrong = || CopyError::Value {
                table,
                column: column.clone(),
                target_type: target_type.to_owned(),
            };
            let null = row.try_get_raw(i)?.is_null();
            // Unchecked: SQLite's declared type says little of what a
            // value is, and PostgreSQL checks what it is given anyway.
            Ok(match target_type {
                "bigint" => Value::Integer(
                    (!null)
                        .then(|| row.try_get_unchecked(i))
                        .transpose()
                        .map_err(|_| wrong())?,
                ),
                "boolean" => Value::Boolean(
                    (!null)
                        .then(|| row.try_get_unchecked::<i64, _>(i).map(|n| n != 0))
                        .transpose()
                        .map_err(|_| wrong())?,
                ),
                "text" => Value::Text(
                    (!null)
                        .then(|| row.try_get_unchecked(i))
                        .transpose()
                        .map_err(|_| wrong())?,
                ),
                _ => return Err(wrong()),
            })
        })
        .collect()
}

async fn insert(
    tx: &mut sqlx::PgConnection,
    table: &str,
    columns: &[String],
    rows: &[Vec<Value>],
) -> Result<(), sqlx::Error> {
    let width = columns.len();
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| {
            let places: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", places.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        tuples.join(", ")
    );
    let mut query = sqlx::query(&sql).persistent(false);
    for row in rows {
        for value in row {
            query = match value {
                Value::Integer(n) => query.bind(*n),
                Value::Boolean(b) => query.bind(*b),
                Value::Text(text) => query.bind(text.as_deref()),
            };
        }
    }
    query.execute(tx).await?;
    Ok(())
}
