//! Messages with a customer (UserSide `msg`, `msg_add`, `msg_add_to_customer`).

use chrono::{DateTime, Utc};

use super::{Db, Result, Row};
use crate::q;

pub use crate::domain::message::{Direction, Message};

/// Which messages to list; every part optional.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub customer_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// `None`: both; `Some(false)`: only current; `Some(true)`: only archived.
    pub archived: Option<bool>,
    pub limit: i64,
}

const COLUMNS: &str = "m.id, m.customer_id, m.direction, m.body, o.login, m.created_at, m.archived";

fn from_row(r: &Row) -> Result<Message> {
    Ok(Message {
        id: r.i64("id")?,
        customer_id: r.i64("customer_id")?,
        direction: r.parsed("direction")?,
        body: r.text("body")?,
        operator_login: r.opt_text("login")?,
        created_at: r.ts("created_at")?,
        archived: r.bool("archived")?,
    })
}

pub async fn insert(
    db: &mut Db<'_>,
    customer_id: i64,
    direction: Direction,
    body: &str,
    operator_id: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO customer_messages (customer_id, direction, body, operator_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        customer_id,
        direction.as_str(),
        body,
        operator_id,
        now
    ))
    .await
}

pub async fn get(db: &mut Db<'_>, id: i64) -> Result<Option<Message>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM customer_messages m LEFT JOIN operators o ON o.id = m.operator_id WHERE m.id = $1"
    );
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(from_row).transpose()
}

/// Messages matching the filter, newest first.
pub async fn list(db: &mut Db<'_>, f: &MessageFilter) -> Result<Vec<Message>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM customer_messages m LEFT JOIN operators o ON o.id = m.operator_id \
         WHERE ($1 IS NULL OR m.customer_id = $1) AND ($2 IS NULL OR m.operator_id = $2) \
         AND ($3 IS NULL OR m.created_at >= $3) AND ($4 IS NULL OR m.created_at < $4) \
         AND ($5 IS NULL OR m.archived = $5) ORDER BY m.id DESC LIMIT $6"
    );
    db.fetch_all(q!(sql, f.customer_id, f.operator_id, f.from, f.until, f.archived, f.limit))
        .await?
        .iter()
        .map(from_row)
        .collect()
}

pub async fn set_archived(db: &mut Db<'_>, id: i64, archived: bool) -> Result<()> {
    db.execute(q!("UPDATE customer_messages SET archived = $1 WHERE id = $2", archived, id)).await?;
    Ok(())
}
