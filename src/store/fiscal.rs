//! The queue of fiscal receipts waiting for the online cash register's command.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Db, Result, Row};
use crate::q;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FiscalEntry {
    pub operation_id: i64,
    /// `pending` or `done`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub fiscal_number: Option<String>,
    pub queued_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn entry(r: &Row) -> Result<FiscalEntry> {
    Ok(FiscalEntry {
        operation_id: r.i64("operation_id")?,
        state: r.text("state")?,
        attempts: r.i64("attempts")?,
        last_error: r.opt_text("last_error")?,
        fiscal_number: r.opt_text("fiscal_number")?,
        queued_at: r.ts("queued_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// Queues operation `id` (once: queued again, nothing changes).
pub async fn enqueue(db: &mut Db<'_>, id: i64, at: DateTime<Utc>) -> Result<()> {
    db.execute(q!(
        "INSERT INTO fiscal_queue (operation_id, state, queued_at, updated_at) VALUES ($1, 'pending', $2, $2) \
         ON CONFLICT (operation_id) DO NOTHING",
        id,
        at
    ))
    .await?;
    Ok(())
}

/// Takes pending operation `id` for a run of the command until `until`; `false` when it is
/// done, or another desk holds it.
pub async fn claim(db: &mut Db<'_>, id: i64, at: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool> {
    let n = db
        .execute(q!(
            "UPDATE fiscal_queue SET claimed_until = $3, attempts = attempts + 1, updated_at = $2 \
             WHERE operation_id = $1 AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < $2)",
            id,
            at,
            until
        ))
        .await?;
    Ok(n == 1)
}

pub async fn done(db: &mut Db<'_>, id: i64, number: &str, at: DateTime<Utc>) -> Result<()> {
    db.execute(q!(
        "UPDATE fiscal_queue SET state = 'done', fiscal_number = $2, last_error = NULL, claimed_until = NULL, \
         updated_at = $3 WHERE operation_id = $1",
        id,
        number,
        at
    ))
    .await?;
    Ok(())
}

pub async fn failed(db: &mut Db<'_>, id: i64, error: &str, at: DateTime<Utc>) -> Result<()> {
    db.execute(q!(
        "UPDATE fiscal_queue SET last_error = $2, claimed_until = NULL, updated_at = $3 WHERE operation_id = $1",
        id,
        error,
        at
    ))
    .await?;
    Ok(())
}

/// Pending operations, oldest first.
pub async fn pending(db: &mut Db<'_>, limit: i64) -> Result<Vec<i64>> {
    db.fetch_all(q!(
        "SELECT operation_id FROM fiscal_queue WHERE state = 'pending' ORDER BY operation_id LIMIT $1",
        limit
    ))
    .await?
    .iter()
    .map(|r| r.i64_at(0))
    .collect()
}

/// How many are pending.
pub async fn pending_count(db: &mut Db<'_>) -> Result<i64> {
    db.scalar_i64(q!("SELECT COUNT(*) FROM fiscal_queue WHERE state = 'pending'")).await
}

/// The queue, newest first (only the pending with `pending_only`).
pub async fn list(db: &mut Db<'_>, pending_only: bool, limit: i64) -> Result<Vec<FiscalEntry>> {
    db.fetch_all(q!(
        "SELECT operation_id, state, attempts, last_error, fiscal_number, queued_at, updated_at FROM fiscal_queue \
         WHERE ($1 = FALSE OR state = 'pending') ORDER BY operation_id DESC LIMIT $2",
        pending_only,
        limit
    ))
    .await?
    .iter()
    .map(entry)
    .collect()
}
