//! The store: SQLite (default, a file) or PostgreSQL, on native sqlx pools.
//!
//! Both backends run the same SQL text wherever the two dialects agree (`$1` placeholders work
//! on both); the few places that differ (substring search, row locks) ask `Db::backend()`.
//! Every value is bound, never formatted into SQL.

pub mod audit;
pub mod catalogue;
pub mod check;
mod conn;
pub mod counters;
pub mod customers;
pub mod houses;
pub mod ledger;
pub mod lifecycle;
pub mod messages;
pub mod network;
pub mod operators;
pub mod promises;
pub mod services;
pub mod tariffs;
mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use conn::{Db, Q, Row, Tx, Value};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot open the database at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("unexpected value in column {column}: {value}")]
    Corrupt { column: String, value: String },
}

impl StoreError {
    /// The name of a violated unique constraint or index, when that is what happened.
    pub fn unique_violation(&self) -> Option<String> {
        if let StoreError::Sql(sqlx::Error::Database(db)) = self
            && db.is_unique_violation()
        {
            // PostgreSQL names the constraint; SQLite names the columns in the message.
            return Some(db.constraint().map(str::to_string).unwrap_or_else(|| db.message().to_string()));
        }
        if let StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, message)) = self
            && matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            )
        {
            return Some(message.clone().unwrap_or_default());
        }
        None
    }

    pub fn is_foreign_key_violation(&self) -> bool {
        match self {
            StoreError::Sql(sqlx::Error::Database(db)) => db.is_foreign_key_violation(),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
            }
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open database: pools on one of the two backends.
///
/// SQLite writes go through one connection of their own. SQLite allows one writer at a time
/// anyway, and a connection throws its whole page cache away whenever another connection has
/// written since its last transaction: with writes spread over a pool every payment started
/// from a cold cache (measured: 77 page reads per payment whatever the cache size). One
/// writing connection keeps its cache, and writers of this process queue for it instead of
/// sleeping in SQLite's busy handler. It runs on the writer's own thread (`writer`); reads
/// have a pool of sqlx connections.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite { read: SqlitePool, write: writer::Writer },
    Postgres(PgPool),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens (creating and migrating when needed) the database `location` names: a
    /// `postgres://` or `postgresql://` URL, a `sqlite:` URL, or a path to an SQLite file.
    pub async fn open(location: &str) -> Result<Store> {
        let store = if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(location)?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(opts)
                .await?;
            Store::Postgres(pool)
        } else {
            let path = location.strip_prefix("sqlite://").or_else(|| location.strip_prefix("sqlite:"));
            let path = path.unwrap_or(location);
            if let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)
                    .map_err(|e| StoreError::Open { path: path.to_string(), reason: e.to_string() })?;
            }
            let opts = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // a payment the cashier saw confirmed survives a power cut
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                .pragma("cache_size", "-8000");
            let read = SqlitePoolOptions::new()
                .max_connections(3)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?;
            Store::Sqlite { read, write: writer::open(path)? }
        };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Store::Sqlite { read, .. } => SQLITE_MIGRATIONS.run(read).await?,
            Store::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        network::backfill_keys(self).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite { .. } => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// A write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken at the
    /// start, so two desks never deadlock upgrading a read lock ("database is locked").
    pub async fn write(&self) -> Result<Tx> {
        Ok(match self {
            Store::Sqlite { write, .. } => Tx::SqliteWrite(writer::WriteTx::begin(write).await?),
            Store::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// PostgreSQL: a connection outside any transaction, for work one statement does (a
    /// statement is its own transaction there: one snapshot, committed as it ends, no `BEGIN`
    /// and `COMMIT` round trips). SQLite: `None` (its transactions cost no round trips).
    pub async fn autocommit(&self) -> Result<Option<Tx>> {
        Ok(match self {
            Store::Sqlite { .. } => None,
            Store::Postgres(pool) => Some(Tx::PostgresAutocommit(pool.acquire().await?)),
        })
    }

    /// A read transaction: one consistent snapshot for a card, a page of history, a search.
    pub async fn read(&self) -> Result<Tx> {
        Ok(match self {
            Store::Sqlite { read, .. } => Tx::Sqlite(read.begin().await?),
            Store::Postgres(pool) => {
                Tx::Postgres(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?)
            }
        })
    }

    /// Refreshes the planner's statistics (after bulk loads).
    pub async fn analyze(&self) -> Result<()> {
        let mut tx = self.write().await?;
        tx.db().execute(crate::q!("ANALYZE")).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite { read, write } => {
                read.close().await;
                // the writing connection closes with the last clone of the store; a
                // transaction in progress finishes first
                drop(write.lock().await);
            }
            Store::Postgres(pool) => pool.close().await,
        }
    }
}
