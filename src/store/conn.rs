//! One small layer that lets the same SQL run on either backend's native connection.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{Postgres, Row as _, Sqlite, Transaction};

use super::query::{Q, Value, positional};
use super::writer::{self, RawRow, WriteTx};
use super::{Backend, Result, StoreError};

macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for a in $args {
            query = match a {
                Value::I64(v) => query.bind(v),
                Value::Text(v) => query.bind(v),
                Value::Bool(v) => query.bind(v),
                Value::Ts(v) => query.bind(v),
                Value::Date(v) => query.bind(v),
            };
        }
        query
    }};
}

/// The statement text of `q`. Statements are assembled only from constant SQL fragments and
/// `$n` placeholders (see `Q::push_bind`); every value travels as a bound parameter, which is
/// what makes this assertion true.
fn sql_text(q: &Q) -> sqlx::AssertSqlSafe<std::borrow::Cow<'static, str>> {
    sqlx::AssertSqlSafe(q.sql.clone())
}

/// A transaction on either backend.
pub enum Tx {
    /// SQLite, reading (sqlx's pool).
    Sqlite(Transaction<'static, Sqlite>),
    /// SQLite, reading one statement outside a transaction.
    SqliteOne(PoolConnection<Sqlite>),
    /// SQLite, writing (the one writing connection, see `writer`).
    SqliteWrite(WriteTx),
    Postgres(Transaction<'static, Postgres>),
    /// PostgreSQL outside a transaction: each statement commits as it ends.
    PostgresAutocommit(PoolConnection<Postgres>),
}

impl Tx {
    pub fn db(&mut self) -> Db<'_> {
        match self {
            Tx::Sqlite(tx) => Db::Sqlite(&mut *tx),
            Tx::SqliteOne(c) => Db::Sqlite(&mut *c),
            Tx::SqliteWrite(tx) => Db::SqliteWrite(tx.conn()),
            Tx::Postgres(tx) => Db::Postgres(&mut *tx),
            Tx::PostgresAutocommit(c) => Db::Postgres(&mut *c),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::SqliteWrite(tx) => tx.commit()?,
            Tx::Postgres(tx) => tx.commit().await?,
            Tx::PostgresAutocommit(_) | Tx::SqliteOne(_) => {}
        }
        Ok(())
    }
}

/// A borrowed connection on either backend: what every store function runs its SQL on.
pub enum Db<'c> {
    Sqlite(&'c mut SqliteConnection),
    SqliteWrite(&'c mut rusqlite::Connection),
    Postgres(&'c mut PgConnection),
}

impl Db<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) | Db::SqliteWrite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn fetch_all(&mut self, q: Q) -> Result<Vec<Row>> {
        Ok(match self {
            Db::Sqlite(c) => {
                let q = positional(q);
                let rows = bind_all!(sqlx::query(sql_text(&q)), q.args).fetch_all(&mut **c).await?;
                rows.into_iter().map(Row::Sqlite).collect()
            }
            Db::SqliteWrite(c) => writer::run(c, &positional(q), true)?.0.into_iter().map(Row::Raw).collect(),
            Db::Postgres(c) => {
                let rows = bind_all!(sqlx::query(sql_text(&q)), q.args).fetch_all(&mut **c).await?;
                rows.into_iter().map(Row::Postgres).collect()
            }
        })
    }

    pub async fn fetch_optional(&mut self, q: Q) -> Result<Option<Row>> {
        Ok(match self {
            Db::Sqlite(c) => {
                let q = positional(q);
                bind_all!(sqlx::query(sql_text(&q)), q.args).fetch_optional(&mut **c).await?.map(Row::Sqlite)
            }
            Db::SqliteWrite(c) => writer::run(c, &positional(q), true)?.0.into_iter().next().map(Row::Raw),
            Db::Postgres(c) => bind_all!(sqlx::query(sql_text(&q)), q.args)
                .fetch_optional(&mut **c)
                .await?
                .map(Row::Postgres),
        })
    }

    pub async fn fetch_one(&mut self, q: Q) -> Result<Row> {
        self.fetch_optional(q).await?.ok_or(StoreError::NotFound)
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(&mut self, q: Q) -> Result<u64> {
        Ok(match self {
            Db::Sqlite(c) => {
                let q = positional(q);
                bind_all!(sqlx::query(sql_text(&q)), q.args).execute(&mut **c).await?.rows_affected()
            }
            Db::SqliteWrite(c) => writer::run(c, &positional(q), false)?.1,
            Db::Postgres(c) => {
                bind_all!(sqlx::query(sql_text(&q)), q.args).execute(&mut **c).await?.rows_affected()
            }
        })
    }

    /// A single `i64` from the first column of the first row (`COUNT(*)`, `RETURNING id`).
    pub async fn scalar_i64(&mut self, q: Q) -> Result<i64> {
        self.fetch_one(q).await?.i64_at(0)
    }
}

/// A result row from either backend, read with typed getters by column name.
pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
    Raw(RawRow),
}

macro_rules! getter {
    ($name:ident, $t:ty) => {
        pub fn $name(&self, col: &str) -> Result<$t> {
            Ok(match self {
                Row::Sqlite(r) => r.try_get::<$t, _>(col)?,
                Row::Postgres(r) => r.try_get::<$t, _>(col)?,
                Row::Raw(r) => r.get::<$t>(col)?,
            })
        }
    };
}

impl Row {
    getter!(i64, i64);
    getter!(opt_i64, Option<i64>);
    getter!(text, String);
    getter!(opt_text, Option<String>);
    getter!(bool, bool);
    getter!(ts, DateTime<Utc>);
    getter!(opt_ts, Option<DateTime<Utc>>);
    getter!(opt_date, Option<NaiveDate>);
    getter!(date, NaiveDate);

    pub fn i64_at(&self, idx: usize) -> Result<i64> {
        Ok(match self {
            Row::Sqlite(r) => r.try_get::<i64, _>(idx)?,
            Row::Postgres(r) => r.try_get::<i64, _>(idx)?,
            Row::Raw(r) => r.at::<i64>(idx)?,
        })
    }

    pub fn opt_i64_at(&self, idx: usize) -> Result<Option<i64>> {
        Ok(match self {
            Row::Sqlite(r) => r.try_get::<Option<i64>, _>(idx)?,
            Row::Postgres(r) => r.try_get::<Option<i64>, _>(idx)?,
            Row::Raw(r) => r.at::<Option<i64>>(idx)?,
        })
    }

    /// Parses a text column into a domain enum, reporting corrupt values with the column name.
    pub fn parsed<T: std::str::FromStr>(&self, col: &str) -> Result<T> {
        let raw = self.text(col)?;
        raw.parse().map_err(|_| StoreError::Corrupt { column: col.to_string(), value: raw })
    }
}
