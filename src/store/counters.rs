//! Named counters: the receipt (ПКО) sequence and the largest numeric agreement number.

use super::{Db, Result};
use crate::q;

pub const RECEIPT: &str = "receipt";
pub const AGREEMENT: &str = "agreement";
/// The cash-out order (РКО) sequence of partial refunds.
pub const RKO: &str = "rko";
/// Set to 1 when the database was filled with demo data.
pub const DEMO: &str = "demo";

/// The statement that adds one to the counter named by `name` (a placeholder), creating it at
/// 1, and returns the new `value`; `rows` is the rest of its `SELECT` (`WHERE TRUE`, or a
/// `FROM … WHERE …` that decides whether it runs). SQLite needs the `WHERE` of an upsert's
/// `SELECT` to tell its `ON CONFLICT` from a join's `ON`.
pub fn increment(name: &str, rows: &str) -> String {
    format!(
        "INSERT INTO counters (name, value) SELECT {name}, 1 {rows} \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value"
    )
}

/// Adds one to a counter and returns the new value.
pub async fn next(db: &mut Db<'_>, name: &str) -> Result<i64> {
    // one statement: it is on every payment's path, under the counter's lock on PostgreSQL
    db.scalar_i64(q!(increment("$1", "WHERE TRUE"), name)).await
}

pub async fn get(db: &mut Db<'_>, name: &str) -> Result<i64> {
    Ok(db
        .fetch_optional(q!("SELECT value FROM counters WHERE name = $1", name))
        .await?
        .map(|r| r.i64("value"))
        .transpose()?
        .unwrap_or(0))
}

/// Raises a counter to at least `value`.
pub async fn raise_to(db: &mut Db<'_>, name: &str, value: i64) -> Result<()> {
    db.execute(q!(
        "INSERT INTO counters (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = CASE WHEN counters.value < $2 THEN $2 ELSE counters.value END",
        name,
        value
    ))
    .await?;
    Ok(())
}

/// Sets a counter to `value` (a setting kept as a number).
pub async fn set(db: &mut Db<'_>, name: &str, value: i64) -> Result<()> {
    db.execute(q!(
        "INSERT INTO counters (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2",
        name,
        value
    ))
    .await?;
    Ok(())
}

/// The database server's clock (PostgreSQL).
pub async fn server_time(db: &mut Db<'_>) -> Result<chrono::DateTime<chrono::Utc>> {
    db.fetch_one(q!("SELECT CAST(clock_timestamp() AS TIMESTAMPTZ) AS t")).await?.ts("t")
}
