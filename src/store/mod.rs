//! The store: SQLite (default, a file) or PostgreSQL, on native sqlx pools.
//!
//! Both backends run the same SQL text wherever the two dialects agree (`$1` placeholders work
//! on both); the few places that differ (substring search, row locks) ask `Db::backend()`.
//! Every value is bound, never formatted into SQL.

pub mod access;
pub mod audit;
pub mod billing;
pub mod catalogue;
pub mod check;
mod conn;
pub mod counters;
pub mod customers;
pub mod desk;
pub mod fiscal;
pub mod houses;
pub mod imports;
pub mod ledger;
pub mod lifecycle;
pub mod messages;
pub mod network;
pub mod operators;
pub mod promises;
mod query;
pub mod services;
pub mod tariffs;
mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use conn::{Db, Row, Tx};
pub use query::{Q, Value};

/// What went wrong in the store, by kind: the layers above decide by the kind, never by the
/// text of a backend's message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A statement that must return a row returned none.
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the row; which one, on either backend.
    #[error("already exists ({key})")]
    Unique { key: UniqueKey },
    /// A row refers to one that does not exist, or rows still refer to the one being removed.
    #[error("a row it refers to does not exist, or other rows refer to it")]
    ForeignKey,
    /// A lock another desk holds was not released within the configured wait (SQLite's busy
    /// handler gave up, PostgreSQL's `lock_timeout` struck, the pool had no free connection).
    #[error("the database is locked by another desk")]
    Busy,
    #[error("unexpected value in column {column}: {value}")]
    Corrupt { column: String, value: String },
    #[error("cannot open the database at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("there is no database at {path}")]
    Missing { path: String },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Anything else the backend said.
    #[error("database error: {0}")]
    Backend(String),
}

/// The unique constraints of kassa's schema, named alike on both backends (PostgreSQL names
/// the constraint or index; SQLite names the table and columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UniqueKey {
    OperatorLogin,
    GroupName,
    MarkName,
    TariffName,
    ServiceName,
    HouseAddress,
    AgreementNumber,
    AccountNumber,
    CustomerLogin,
    Address,
    SwitchName,
    SwitchIp,
    ServingSwitch,
    PortTaken,
    CustomerPort,
    PendingTariffChange,
    ActivePromise,
    ReceiptNumber,
    Reversal,
    IdempotencyKey,
    MergeLink,
    MethodCode,
    MethodName,
    PublicKey,
    /// One kassa does not know by name (what the backend said).
    Other(String),
}

/// Each unique key: PostgreSQL's constraint or index name, SQLite's `table.column, …`.
const UNIQUE_KEYS: &[(&str, &str, UniqueKey)] = &[
    ("operators_login_key", "operators.login", UniqueKey::OperatorLogin),
    ("customer_groups_name_key", "customer_groups.name", UniqueKey::GroupName),
    ("marks_name_key", "marks.name", UniqueKey::MarkName),
    ("tariffs_name_key", "tariffs.name", UniqueKey::TariffName),
    ("extra_services_name_key", "extra_services.name", UniqueKey::ServiceName),
    (
        "houses_city_street_number_letter_key",
        "houses.city, houses.street, houses.number, houses.letter",
        UniqueKey::HouseAddress,
    ),
    ("customers_agreement_number_key", "customers.agreement_number", UniqueKey::AgreementNumber),
    ("customers_account_number_key", "customers.account_number", UniqueKey::AccountNumber),
    ("customers_login_key", "customers.login", UniqueKey::CustomerLogin),
    ("customer_ips_ip_key", "customer_ips.ip", UniqueKey::Address),
    ("switches_name_key", "switches.name", UniqueKey::SwitchName),
    ("switches_ip_key", "switches.ip", UniqueKey::SwitchIp),
    ("switches_serving", "switches.house_id", UniqueKey::ServingSwitch),
    ("switch_ports_pkey", "switch_ports.switch_id, switch_ports.port", UniqueKey::PortTaken),
    ("switch_ports_customer_id_key", "switch_ports.customer_id", UniqueKey::CustomerPort),
    (
        "scheduled_tariff_changes_pending",
        "scheduled_tariff_changes.customer_id",
        UniqueKey::PendingTariffChange,
    ),
    ("promised_payments_active", "promised_payments.customer_id", UniqueKey::ActivePromise),
    ("ledger_receipt", "ledger.receipt_number", UniqueKey::ReceiptNumber),
    ("ledger_reverses", "ledger.reverses_id", UniqueKey::Reversal),
    ("ledger_idempotency", "ledger.idempotency_key", UniqueKey::IdempotencyKey),
    ("ledger_linked", "ledger.linked_id", UniqueKey::MergeLink),
    ("payment_methods_pkey", "payment_methods.code", UniqueKey::MethodCode),
    ("payment_methods_name_key", "payment_methods.name", UniqueKey::MethodName),
    ("operator_keys_public_key_key", "operator_keys.public_key", UniqueKey::PublicKey),
];

impl UniqueKey {
    /// The key a backend's name for it stands for: a PostgreSQL constraint name, or SQLite's
    /// "UNIQUE constraint failed: table.column, …".
    fn named(name: &str) -> UniqueKey {
        let name = name.trim();
        let sqlite = name.strip_prefix("UNIQUE constraint failed:").map(str::trim);
        UNIQUE_KEYS
            .iter()
            .find(|(pg, lite, _)| name == *pg || sqlite == Some(*lite))
            .map(|(_, _, key)| key.clone())
            .unwrap_or_else(|| UniqueKey::Other(name.to_string()))
    }
}

impl std::fmt::Display for UniqueKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UniqueKey::Other(name) => f.write_str(name),
            known => write!(f, "{known:?}"),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut => StoreError::Busy,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                // PostgreSQL names the constraint; SQLite names the columns in the message
                StoreError::Unique { key: UniqueKey::named(db.constraint().unwrap_or(db.message())) }
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::ForeignKey,
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some("55P03" | "5" | "6" | "517" | "262")) =>
            {
                StoreError::Busy
            }
            _ => StoreError::Backend(e.to_string()),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        if let rusqlite::Error::SqliteFailure(f, message) = &e {
            match f.extended_code {
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    return StoreError::Unique {
                        key: UniqueKey::named(message.as_deref().unwrap_or_default()),
                    };
                }
                rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::ForeignKey,
                _ => {}
            }
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) {
                return StoreError::Busy;
            }
        }
        if matches!(e, rusqlite::Error::QueryReturnedNoRows) {
            return StoreError::NotFound;
        }
        StoreError::Backend(e.to_string())
    }
}

impl StoreError {
    /// The unique key a refused row ran into, when that is what happened.
    pub fn unique_key(&self) -> Option<&UniqueKey> {
        match self {
            StoreError::Unique { key } => Some(key),
            _ => None,
        }
    }

    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy)
    }

    pub fn is_foreign_key_violation(&self) -> bool {
        matches!(self, StoreError::ForeignKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_keys_are_named_alike_on_both_backends() {
        assert_eq!(UniqueKey::named("ledger_receipt"), UniqueKey::ReceiptNumber);
        assert_eq!(
            UniqueKey::named("UNIQUE constraint failed: ledger.receipt_number"),
            UniqueKey::ReceiptNumber
        );
        assert_eq!(
            UniqueKey::named(
                "UNIQUE constraint failed: houses.city, houses.street, houses.number, houses.letter"
            ),
            UniqueKey::HouseAddress
        );
        assert_eq!(UniqueKey::named("something_new"), UniqueKey::Other("something_new".into()));
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How a store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenOptions {
    /// The longest any statement waits for a lock another desk holds (SQLite's busy timeout,
    /// PostgreSQL's `lock_timeout`, a free pooled connection); then it fails as busy.
    pub lock_wait: Duration,
    /// Create an SQLite file that does not exist yet (`kassa init`, `kassa demo`, the default
    /// database on first start); otherwise a missing file is an error, not a new empty database.
    pub create: bool,
    /// SQLite, a one-shot command (a CLI call): reads share the writing connection, so the
    /// process opens one connection and parses the schema once; the read pool opens a
    /// connection only for a read made while a write of this process holds the writer.
    pub one_shot: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { lock_wait: DEFAULT_LOCK_WAIT, create: true, one_shot: false }
    }
}

/// The default of `OpenOptions::lock_wait` (the config's `service.lock_wait_seconds`).
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(10);

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
    /// `shared`: reads go to the writing connection when it is free (`OpenOptions::one_shot`).
    Sqlite {
        read: SqlitePool,
        write: writer::Writer,
        shared: bool,
    },
    Postgres(PgPool),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Whether an SQLite database has every migration applied, each with the checksum it has here
/// and none failed: then a start skips the migrator (its lock, table check and queries cost a
/// one-shot command milliseconds). Anything else — a new file, a missing or changed migration,
/// an unreadable table — goes through the migrator, which applies or refuses as it does.
async fn sqlite_up_to_date(write: &writer::Writer) -> bool {
    let conn = write.lock().await;
    let Ok(rows) = conn
        .prepare("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, bool>(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
    else {
        return false;
    };
    let wanted: Vec<(i64, &[u8])> =
        SQLITE_MIGRATIONS.iter().map(|m| (m.version, m.checksum.as_ref())).collect();
    rows.len() == wanted.len()
        && rows
            .iter()
            .zip(&wanted)
            .all(|((v, sum, ok), (want_v, want_sum))| *ok && v == want_v && sum == want_sum)
}

/// A read on the writing connection when the store shares it and it is free.
fn shared_read(write: &writer::Writer, shared: bool, begin: bool) -> Result<Option<Tx>> {
    if !shared {
        return Ok(None);
    }
    Ok(writer::WriteTx::try_read(write, begin)?.map(Tx::SqliteWrite))
}

impl Store {
    /// Opens (creating and migrating when needed) the database `location` names: a
    /// `postgres://` or `postgresql://` URL, a `sqlite:` URL, or a path to an SQLite file.
    pub async fn open(location: &str) -> Result<Store> {
        Store::open_with(location, OpenOptions::default()).await
    }

    /// `open` with the lock wait and the rule for a missing file given.
    pub async fn open_with(location: &str, options: OpenOptions) -> Result<Store> {
        let wait = options.lock_wait;
        let store = if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            let ms = wait.as_millis().to_string();
            let opts = PgConnectOptions::from_str(location)?.options([("lock_timeout", ms.as_str())]);
            let pool =
                PgPoolOptions::new().max_connections(8).acquire_timeout(wait).connect_with(opts).await?;
            Store::Postgres(pool)
        } else {
            let path = location.strip_prefix("sqlite://").or_else(|| location.strip_prefix("sqlite:"));
            let path = path.unwrap_or(location);
            if !options.create && !std::path::Path::new(path).exists() {
                return Err(StoreError::Missing { path: path.to_string() });
            }
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
                .busy_timeout(wait)
                .foreign_keys(true)
                .pragma("cache_size", "-8000");
            let pool = SqlitePoolOptions::new()
                .max_connections(3)
                .acquire_timeout(wait)
                // a connection of this process's own file needs no ping before each use
                .test_before_acquire(false);
            // the writing connection first: it makes the file and sets WAL before any reader
            let write = writer::open(path, wait)?;
            let read =
                if options.one_shot { pool.connect_lazy_with(opts) } else { pool.connect_with(opts).await? };
            Store::Sqlite { read, write, shared: options.one_shot }
        };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Store::Sqlite { read, write, .. } => {
                if !sqlite_up_to_date(write).await {
                    SQLITE_MIGRATIONS.run(read).await?;
                }
                // PostgreSQL's sequences never give an id twice; SQLite's tables must say so
                let rebuilt = writer::never_reuse_ids(write).await?;
                if !rebuilt.is_empty() {
                    tracing::info!(tables = ?rebuilt, "ids are never reused from now on");
                }
            }
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

    /// A connection outside any transaction on either backend, for one statement that reads
    /// (no `BEGIN` and `COMMIT`; on SQLite never the writing connection, so it never waits for
    /// the write lock).
    pub async fn one(&self) -> Result<Tx> {
        Ok(match self {
            Store::Sqlite { read, write, shared } => match shared_read(write, *shared, false)? {
                Some(tx) => tx,
                None => Tx::SqliteOne(read.acquire().await?),
            },
            Store::Postgres(pool) => Tx::PostgresAutocommit(pool.acquire().await?),
        })
    }

    /// A read transaction: one consistent snapshot for a card, a page of history, a search.
    pub async fn read(&self) -> Result<Tx> {
        Ok(match self {
            Store::Sqlite { read, write, shared } => match shared_read(write, *shared, true)? {
                Some(tx) => tx,
                None => Tx::Sqlite(read.begin().await?),
            },
            Store::Postgres(pool) => {
                Tx::Postgres(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?)
            }
        })
    }

    /// SQLite: writes a consistent, compacted copy of the database to `path` (`VACUUM INTO`),
    /// while other connections read and write; returns its size in bytes. `None` on PostgreSQL,
    /// which pg_dump backs up.
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<Option<u64>> {
        let Store::Sqlite { read, .. } = self else { return Ok(None) };
        let target = path.display().to_string();
        let mut c = read.acquire().await?;
        sqlx::query("VACUUM INTO ?").bind(&target).execute(&mut *c).await?;
        let size = std::fs::metadata(path)
            .map_err(|e| StoreError::Open { path: target.clone(), reason: e.to_string() })?
            .len();
        Ok(Some(size))
    }

    /// Refreshes the planner's statistics (after bulk loads); on PostgreSQL also vacuums,
    /// so the pages the load left full of old row versions have room again for updates that
    /// stay on their page (as autovacuum would, later).
    pub async fn analyze(&self) -> Result<()> {
        if let Store::Postgres(pool) = self {
            sqlx::query("VACUUM (ANALYZE)").execute(pool).await?;
            return Ok(());
        }
        let mut tx = self.write().await?;
        tx.db().execute(crate::q!("ANALYZE")).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite { read, write, .. } => {
                read.close().await;
                // the writing connection closes with the last clone of the store; a
                // transaction in progress finishes first. Committed pages go back into the
                // database file without waiting for anyone (a `cp` of the file alone, with
                // its -wal left behind, must not read as damaged).
                let conn = write.lock().await;
                if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
                    tracing::warn!(error = %e, "checkpoint at close");
                }
            }
            Store::Postgres(pool) => pool.close().await,
        }
    }
}
