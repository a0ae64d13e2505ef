//! Promised payments (`WEB_USER_PROMISE_PAY`): stored beside the ledger, never in it.

use chrono::{DateTime, Utc};

use super::{Db, Result, Row};
use crate::domain::money::Money;
use crate::q;

pub use crate::domain::promise::PromisedPayment;

const COLUMNS: &str =
    "p.id, p.customer_id, p.amount_minor, p.days, p.created_at, p.expires_at, p.ended_at, o.login";

fn from_row(r: &Row) -> Result<PromisedPayment> {
    Ok(PromisedPayment {
        id: r.i64("id")?,
        customer_id: r.i64("customer_id")?,
        amount: Money::from_minor(r.i64("amount_minor")?),
        days: r.i64("days")?,
        created_at: r.ts("created_at")?,
        expires_at: r.ts("expires_at")?,
        ended_at: r.opt_ts("ended_at")?,
        operator_login: r.opt_text("login")?,
    })
}

pub async fn insert(
    db: &mut Db<'_>,
    customer_id: i64,
    amount: Money,
    days: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    operator_id: i64,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO promised_payments (customer_id, amount_minor, days, created_at, expires_at, operator_id) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        customer_id,
        amount.minor(),
        days,
        now,
        expires_at,
        operator_id
    ))
    .await
}

pub async fn get(db: &mut Db<'_>, id: i64) -> Result<Option<PromisedPayment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM promised_payments p LEFT JOIN operators o ON o.id = p.operator_id WHERE p.id = $1"
    );
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(from_row).transpose()
}

/// A customer's promised payments, newest first; only those made in `[from, until)` when given.
pub async fn list(
    db: &mut Db<'_>,
    customer_id: i64,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Result<Vec<PromisedPayment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM promised_payments p LEFT JOIN operators o ON o.id = p.operator_id \
         WHERE p.customer_id = $1 AND ($2 IS NULL OR p.created_at >= $2) AND ($3 IS NULL OR p.created_at < $3) \
         ORDER BY p.id DESC LIMIT 1000"
    );
    db.fetch_all(q!(sql, customer_id, from, until)).await?.iter().map(from_row).collect()
}

/// The promise not yet ended, if any (it may be past its expiry, waiting for the run).
pub async fn open_one(db: &mut Db<'_>, customer_id: i64) -> Result<Option<PromisedPayment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM promised_payments p LEFT JOIN operators o ON o.id = p.operator_id \
         WHERE p.customer_id = $1 AND p.ended_at IS NULL"
    );
    db.fetch_optional(q!(sql, customer_id)).await?.as_ref().map(from_row).transpose()
}

/// How many promises the customer was given since `since`.
pub async fn count_since(db: &mut Db<'_>, customer_id: i64, since: DateTime<Utc>) -> Result<i64> {
    db.scalar_i64(q!(
        "SELECT COUNT(*) FROM promised_payments WHERE customer_id = $1 AND created_at >= $2",
        customer_id,
        since
    ))
    .await
}

/// Promises whose time is up at `now` and that are not yet ended, oldest first.
pub async fn due(db: &mut Db<'_>, now: DateTime<Utc>, limit: i64) -> Result<Vec<PromisedPayment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM promised_payments p LEFT JOIN operators o ON o.id = p.operator_id \
         WHERE p.ended_at IS NULL AND p.expires_at <= $1 ORDER BY p.expires_at, p.id LIMIT $2"
    );
    db.fetch_all(q!(sql, now, limit)).await?.iter().map(from_row).collect()
}

/// Ends a promise at its expiry time.
pub async fn end(db: &mut Db<'_>, id: i64) -> Result<u64> {
    db.execute(q!(
        "UPDATE promised_payments SET ended_at = expires_at WHERE id = $1 AND ended_at IS NULL",
        id
    ))
    .await
}
