//! SQLite's writing connection: one plain SQLite connection, driven on the caller's thread.
//!
//! sqlx runs every SQLite connection on a worker thread of its own and hands each statement
//! and each row over to it and back. A payment is seven statements, and the hand-overs cost
//! more than the statements: measured on the 2-core VM of BENCHMARKS.md, 26 thread wake-ups per
//! payment, 28–39 % of the poster's CPU in `try_to_wake_up`. Writes are short, and SQLite takes
//! one writer at a time anyway, so the writing connection is a synchronous one behind an async
//! mutex: a write transaction holds the mutex, runs its statements where it is, and commits.
//! Reads keep sqlx's pool (many readers, no waiting on a writer in WAL mode).
//!
//! The only step that can wait long is taking the write lock (`BEGIN IMMEDIATE` while another
//! process writes): it is tried without waiting first, and only when busy waits in SQLite's
//! busy handler on a thread that may block (`block_in_place`), never on a runtime worker.
//! Values are written exactly as sqlx writes them (timestamps as RFC 3339 text with `+00:00`,
//! booleans as 0/1, dates as `YYYY-MM-DD`), so either connection reads what the other wrote.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::query::{Q, Value};
use super::{Result, StoreError};

/// The writing connection, shared by the store's clones, and how long a writer waits for
/// another process's write lock and for this process's writers ahead of it.
#[derive(Debug, Clone)]
pub struct Writer {
    conn: Arc<Mutex<Connection>>,
    wait: Duration,
}

impl Writer {
    /// Waits for a transaction in progress to finish (closing the store).
    pub async fn lock(&self) -> tokio::sync::MutexGuard<'_, Connection> {
        self.conn.lock().await
    }
}

/// Opens the writing connection with the settings every kassa SQLite connection has: WAL,
/// `synchronous=FULL` (a payment the cashier saw confirmed survives a power cut), foreign keys.
pub fn open(path: &str, wait: Duration) -> Result<Writer> {
    let open_err = |e: rusqlite::Error| StoreError::Open { path: path.to_string(), reason: e.to_string() };
    let flags =
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(Path::new(path), flags).map_err(open_err)?;
    conn.busy_timeout(wait).map_err(open_err)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(open_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Open {
            path: path.to_string(),
            reason: format!("journal mode {mode}, not WAL"),
        });
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -8000")
        .map_err(open_err)?;
    conn.set_prepared_statement_cache_capacity(128);
    keep_wal_file(&conn).map_err(open_err)?;
    Ok(Writer { conn: Arc::new(Mutex::new(conn)), wait })
}

/// Leaves the -wal file in place when the connection closes (after its checkpoint), at most
/// 16 MiB of it. By default the last connection to close deletes it and the next process to
/// write makes it again: the file created, its header written and synced, the directory
/// synced — measured, the largest cost of a one-shot `kassa pay` after the schema's parsing.
/// What the checkpoint at close put into the database file stays there: the frames left
/// behind are copies of pages the file already has, and the next writer starts the log over.
fn keep_wal_file(conn: &Connection) -> rusqlite::Result<()> {
    let mut on: std::ffi::c_int = 1;
    // SAFETY: the handle is this open connection's; SQLITE_FCNTL_PERSIST_WAL reads and writes
    // the one int it is given, which lives through the call.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
            (&mut on as *mut std::ffi::c_int).cast(),
        )
    };
    if rc != rusqlite::ffi::SQLITE_OK {
        return Err(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rc), None));
    }
    conn.execute_batch("PRAGMA journal_size_limit = 16777216")
}

/// A write transaction on the writing connection; rolled back when dropped uncommitted. In a
/// one-shot command reads use the writing connection too (`try_read`): then it is a read
/// transaction, or no transaction at all for one statement.
pub struct WriteTx {
    conn: OwnedMutexGuard<Connection>,
    /// A transaction was begun (else each statement is its own).
    begun: bool,
}

impl std::fmt::Debug for WriteTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteTx")
    }
}

impl WriteTx {
    /// Waits for this process's writers ahead, then takes SQLite's write lock.
    pub async fn begin(writer: &Writer) -> Result<WriteTx> {
        let conn =
            // waited too long for the other writers of this process
            tokio::time::timeout(writer.wait, writer.conn.clone().lock_owned()).await.map_err(|_| StoreError::Busy)?;
        // a transaction left open by a panic mid-way is not this one's to continue
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        conn.busy_timeout(Duration::ZERO)?;
        let first = conn.prepare_cached("BEGIN IMMEDIATE")?.execute([]);
        conn.busy_timeout(writer.wait)?;
        match first {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
                // another process writes: wait for it where blocking harms no other task
                let begin = || conn.prepare_cached("BEGIN IMMEDIATE")?.execute([]);
                match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
                    Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(begin)?,
                    _ => begin()?,
                };
            }
            Err(e) => return Err(e.into()),
        }
        Ok(WriteTx { conn, begun: true })
    }

    /// The writing connection for reading when no writer of this process holds it: a read
    /// transaction (`BEGIN`, which takes no lock until the first read), or with `begin` false
    /// the connection as it is, for one statement. `None` when it is held: the caller reads
    /// from the pool instead, so a read never waits for a write of its own task.
    pub fn try_read(writer: &Writer, begin: bool) -> Result<Option<WriteTx>> {
        let Ok(conn) = writer.conn.clone().try_lock_owned() else { return Ok(None) };
        if !conn.is_autocommit() {
            conn.execute_batch("ROLLBACK")?;
        }
        if begin {
            conn.prepare_cached("BEGIN")?.execute([])?;
        }
        Ok(Some(WriteTx { conn, begun: begin }))
    }

    pub fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn commit(self) -> Result<()> {
        if self.begun {
            self.conn.prepare_cached("COMMIT")?.execute([])?;
        }
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if !self.conn.is_autocommit() {
            // failing here leaves the transaction open; the next `begin` rolls it back
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// The tables whose rows are deleted (or may be) and whose ids the audit log names: their ids
/// must never be given again (`audit --id N` would mix two customers). SQLite reuses the
/// largest id of a deleted row unless a table is declared `AUTOINCREMENT`, which no `ALTER`
/// can add; `never_reuse_ids` rebuilds them once.
const NEVER_REUSED: &[&str] = &[
    "customers",
    "houses",
    "switches",
    "marks",
    "customer_groups",
    "customer_services",
    "customer_ips",
    "scheduled_tariff_changes",
    "tariffs",
    "extra_services",
    "operators",
    "customer_messages",
    "promised_payments",
];

/// Rebuilds each table of `NEVER_REUSED` not yet declared `AUTOINCREMENT` with it, by SQLite's
/// own procedure for a change `ALTER TABLE` cannot make: foreign keys off, then in one
/// transaction a new table from the old one's definition, every row copied with its id, the
/// old table dropped, the new one renamed, its indexes and triggers made again, and the
/// foreign keys checked before the commit. Runs once per table; nothing else happens while it
/// runs (the writing connection is held). Returns the tables rebuilt.
pub async fn never_reuse_ids(writer: &Writer) -> Result<Vec<String>> {
    let mut conn = writer.conn.lock().await;
    let mut todo = Vec::new();
    for table in NEVER_REUSED {
        let sql: Option<String> = conn
            .query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| {
                r.get(0)
            })
            .ok();
        if let Some(sql) = sql
            && !sql.to_uppercase().contains("AUTOINCREMENT")
        {
            todo.push((table.to_string(), sql));
        }
    }
    if todo.is_empty() {
        return Ok(Vec::new());
    }
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let result = rebuild(&mut conn, &todo);
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    result?;
    Ok(todo.into_iter().map(|(t, _)| t).collect())
}

fn rebuild(conn: &mut Connection, todo: &[(String, String)]) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for (table, sql) in todo {
        let Some(at) = sql.find("INTEGER PRIMARY KEY") else {
            return Err(StoreError::Corrupt { column: format!("{table} (definition)"), value: sql.clone() });
        };
        let end = at + "INTEGER PRIMARY KEY".len();
        let create = format!(
            "{} AUTOINCREMENT{}",
            sql[..end].replacen(&format!("CREATE TABLE {table}"), &format!("CREATE TABLE {table}__new"), 1),
            &sql[end..]
        );
        let extras: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT sql FROM sqlite_master WHERE tbl_name = ?1 AND type IN ('index', 'trigger') AND sql IS NOT NULL",
            )?;
            stmt.query_map([table], |r| r.get::<_, String>(0))?.collect::<Result<_, _>>()?
        };
        let columns: Vec<String> = {
            let mut stmt = tx.prepare(&format!("PRAGMA table_info({table})"))?;
            stmt.query_map([], |r| r.get::<_, String>(1))?.collect::<Result<_, _>>()?
        };
        let columns = columns.join(", ");
        tx.execute_batch(&create)?;
        tx.execute_batch(&format!(
            "INSERT INTO {table}__new ({columns}) SELECT {columns} FROM {table}; \
             DROP TABLE {table}; ALTER TABLE {table}__new RENAME TO {table};"
        ))?;
        for extra in extras {
            tx.execute_batch(&extra)?;
        }
    }
    let broken: i64 = tx.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
    if broken > 0 {
        return Err(StoreError::Corrupt {
            column: "foreign keys".into(),
            value: format!("{broken} broken references after making ids unique"),
        });
    }
    tx.commit()?;
    Ok(())
}

fn to_sql(v: &Value) -> SqlValue {
    fn or_null<T>(v: &Option<T>, f: impl FnOnce(&T) -> SqlValue) -> SqlValue {
        v.as_ref().map(f).unwrap_or(SqlValue::Null)
    }
    match v {
        Value::I64(v) => or_null(v, |v| SqlValue::Integer(*v)),
        Value::Text(v) => or_null(v, |v| SqlValue::Text(v.clone())),
        Value::Bool(v) => or_null(v, |v| SqlValue::Integer(i64::from(*v))),
        Value::Ts(v) => or_null(v, |v| SqlValue::Text(v.to_rfc3339_opts(SecondsFormat::AutoSi, false))),
        Value::Date(v) => or_null(v, |v| SqlValue::Text(v.format("%F").to_string())),
    }
}

/// Runs `q` (its placeholders already `?`); returns its rows and the number of rows it changed.
pub fn run(conn: &mut Connection, q: &Q, want_rows: bool) -> Result<(Vec<RawRow>, u64)> {
    let mut stmt = conn.prepare_cached(&q.sql)?;
    for (i, v) in q.args.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, to_sql(v))?;
    }
    let columns: Arc<[String]> = stmt.column_names().into_iter().map(str::to_string).collect();
    let mut out = Vec::new();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        if want_rows {
            let values = (0..columns.len()).map(|i| row.get_ref(i).map(owned)).collect::<Result<_, _>>()?;
            out.push(RawRow { columns: columns.clone(), values });
        }
    }
    drop(rows);
    drop(stmt);
    Ok((out, conn.changes()))
}

fn owned(v: ValueRef<'_>) -> SqlValue {
    match v {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(f) => SqlValue::Real(f),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
    }
}

/// A row read on the writing connection.
#[derive(Debug, Clone)]
pub struct RawRow {
    columns: Arc<[String]>,
    values: Vec<SqlValue>,
}

/// What one column of a raw row can be read as.
pub trait FromRaw: Sized {
    fn from_raw(v: &SqlValue) -> Option<Self>;
}

impl FromRaw for i64 {
    fn from_raw(v: &SqlValue) -> Option<i64> {
        match v {
            SqlValue::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

impl FromRaw for bool {
    fn from_raw(v: &SqlValue) -> Option<bool> {
        i64::from_raw(v).map(|i| i != 0)
    }
}

impl FromRaw for String {
    fn from_raw(v: &SqlValue) -> Option<String> {
        match v {
            SqlValue::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromRaw for NaiveDate {
    fn from_raw(v: &SqlValue) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&String::from_raw(v)?, "%F").ok()
    }
}

impl FromRaw for DateTime<Utc> {
    /// The text forms SQLite's date functions and sqlx write; seconds since 1970 as a number.
    fn from_raw(v: &SqlValue) -> Option<DateTime<Utc>> {
        match v {
            SqlValue::Integer(secs) => DateTime::from_timestamp(*secs, 0),
            SqlValue::Text(s) => parse_datetime(s),
            _ => None,
        }
    }
}

fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    for f in ["%F %T%.f%#z", "%F %T%.f", "%F %R", "%FT%T%.f%#z", "%FT%T%.f", "%FT%R"] {
        if let Ok(dt) = DateTime::<FixedOffset>::parse_from_str(s, f) {
            return Some(dt.with_timezone(&Utc));
        }
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return Some(dt.and_utc());
        }
    }
    None
}

impl<T: FromRaw> FromRaw for Option<T> {
    fn from_raw(v: &SqlValue) -> Option<Option<T>> {
        match v {
            SqlValue::Null => Some(None),
            v => T::from_raw(v).map(Some),
        }
    }
}

impl RawRow {
    fn index(&self, col: &str) -> Result<usize> {
        self.columns.iter().position(|c| c == col).ok_or_else(|| StoreError::Corrupt {
            column: col.to_string(),
            value: "(no such column in the result)".into(),
        })
    }

    pub fn get<T: FromRaw>(&self, col: &str) -> Result<T> {
        self.at(self.index(col)?)
    }

    pub fn at<T: FromRaw>(&self, idx: usize) -> Result<T> {
        let name = || self.columns.get(idx).cloned().unwrap_or_else(|| format!("#{idx}"));
        let v = self.values.get(idx).ok_or_else(|| StoreError::Corrupt {
            column: name(),
            value: "(no such column in the result)".into(),
        })?;
        T::from_raw(v).ok_or_else(|| StoreError::Corrupt { column: name(), value: format!("{v:?}") })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_back_in_every_form_sqlite_and_sqlx_write() {
        let t = DateTime::parse_from_rfc3339("2026-11-30T05:15:05.123456Z").unwrap().with_timezone(&Utc);
        let written = to_sql(&Value::Ts(Some(t)));
        assert_eq!(written, SqlValue::Text("2026-11-30T05:15:05.123456+00:00".into()));
        assert_eq!(DateTime::<Utc>::from_raw(&written), Some(t));
        let whole = DateTime::parse_from_rfc3339("2026-11-30T05:15:05Z").unwrap().with_timezone(&Utc);
        assert_eq!(parse_datetime("2026-11-30 05:15:05"), Some(whole));
        assert_eq!(parse_datetime("2026-11-30 08:15:05+03:00"), Some(whole));
        assert_eq!(DateTime::<Utc>::from_raw(&SqlValue::Integer(whole.timestamp())), Some(whole));
        assert_eq!(parse_datetime("30.11.2026"), None);
        assert_eq!(Option::<DateTime<Utc>>::from_raw(&SqlValue::Null), Some(None));
        assert_eq!(i64::from_raw(&SqlValue::Text("1".into())), None);
    }

    /// What the writing connection leaves behind: nothing of a transaction dropped
    /// uncommitted, a usable connection after it, and values sqlx's readers decode as written.
    #[tokio::test]
    async fn dropped_transactions_roll_back_and_readers_see_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = crate::store::Store::open(path.to_str().unwrap()).await.unwrap();
        let at = DateTime::parse_from_rfc3339("2026-11-30T05:15:05.5Z").unwrap().with_timezone(&Utc);
        let insert = |name: &str| {
            crate::q!(
                "INSERT INTO audit_log (at, operator_login, origin, action, entity, after_json) \
                 VALUES ($1, $2, 'test', 'a', 'e', NULL) RETURNING id, at, after_json",
                at,
                name
            )
        };
        {
            let mut tx = store.write().await.unwrap();
            tx.db().execute(insert("dropped")).await.unwrap();
        }
        let mut tx = store.write().await.unwrap();
        let row = tx.db().fetch_one(insert("kept")).await.unwrap();
        assert_eq!((row.ts("at").unwrap(), row.opt_text("after_json").unwrap()), (at, None));
        tx.commit().await.unwrap();

        let mut read = store.read().await.unwrap();
        let rows = read
            .db()
            .fetch_all(crate::q!("SELECT operator_login, at FROM audit_log WHERE origin = 'test'"))
            .await
            .unwrap();
        let seen: Vec<(String, DateTime<Utc>)> =
            rows.iter().map(|r| (r.text("operator_login").unwrap(), r.ts("at").unwrap())).collect();
        assert_eq!(seen, [("kept".to_string(), at)]);
    }

    /// A one-shot store reads on its writing connection when it is free, and from the pool
    /// while a write of its own holds it (never waiting for itself); the -wal file stays
    /// when the store closes, with everything in the database file.
    #[tokio::test]
    async fn a_one_shot_store_reads_where_it_can_and_never_waits_for_itself() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one.db");
        let path = path.to_str().unwrap();
        let options = crate::store::OpenOptions { one_shot: true, ..Default::default() };
        let store = crate::store::Store::open_with(path, options).await.unwrap();
        let count = crate::q!("SELECT COUNT(*) FROM audit_log WHERE origin = 'test'");
        let insert = crate::q!(
            "INSERT INTO audit_log (at, operator_login, origin, action, entity) \
             VALUES ('2026-12-02T10:00:00+00:00', 'x', 'test', 'a', 'e')"
        );
        let mut write = store.write().await.unwrap();
        write.db().execute(insert.clone()).await.unwrap();
        // the writer is held: a read and a one-statement read go to the pool, at once
        let started = std::time::Instant::now();
        let mut read = store.read().await.unwrap();
        assert!(matches!(read, crate::store::Tx::Sqlite(_)));
        assert_eq!(read.db().scalar_i64(count.clone()).await.unwrap(), 0, "uncommitted: unseen");
        drop(read);
        let mut one = store.one().await.unwrap();
        assert!(matches!(one, crate::store::Tx::SqliteOne(_)));
        assert_eq!(one.db().scalar_i64(count.clone()).await.unwrap(), 0);
        drop(one);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        write.commit().await.unwrap();
        // free again: reads share the writing connection and see the commit
        let mut read = store.read().await.unwrap();
        assert!(matches!(read, crate::store::Tx::SqliteWrite(_)));
        assert_eq!(read.db().scalar_i64(count.clone()).await.unwrap(), 1);
        read.commit().await.unwrap();
        let mut one = store.one().await.unwrap();
        assert!(matches!(one, crate::store::Tx::SqliteWrite(_)));
        assert_eq!(one.db().scalar_i64(count.clone()).await.unwrap(), 1);
        drop(one);
        // a read left open is rolled back when dropped, and a write can begin after it
        let read = store.read().await.unwrap();
        drop(read);
        let mut write = store.write().await.unwrap();
        write.db().execute(insert).await.unwrap();
        write.commit().await.unwrap();
        store.close().await;
        drop(store);
        assert!(std::path::Path::new(&format!("{path}-wal")).exists(), "the -wal file is kept");
        // the database file alone has both rows (what a `cp` of it alone takes)
        let copy = dir.path().join("copy.db");
        std::fs::copy(path, &copy).unwrap();
        let conn = Connection::open(&copy).unwrap();
        let n: i64 =
            conn.query_row("SELECT COUNT(*) FROM audit_log WHERE origin = 'test'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 2);
    }
}
