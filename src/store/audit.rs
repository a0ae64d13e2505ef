//! The audit trail: who changed what, when, from where, with the values before and after.

use chrono::{DateTime, Utc};

use super::{Db, Result};
use crate::q;

pub use crate::domain::audit::AuditEntry;

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    db: &mut Db<'_>,
    at: DateTime<Utc>,
    operator_id: Option<i64>,
    operator_login: &str,
    origin: &str,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    db.execute(q!(
        "INSERT INTO audit_log (at, operator_id, operator_login, origin, action, entity, entity_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        at,
        operator_id,
        operator_login,
        origin,
        action,
        entity,
        entity_id,
        before,
        after
    ))
    .await?;
    Ok(())
}

pub async fn list(
    db: &mut Db<'_>,
    entity: Option<&str>,
    entity_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let rows = db
        .fetch_all(q!(
            "SELECT id, at, operator_id, operator_login, origin, action, entity, entity_id, before_json, after_json \
             FROM audit_log WHERE ($1 IS NULL OR entity = $1) AND ($2 IS NULL OR entity_id = $2) \
             ORDER BY id DESC LIMIT $3",
            entity,
            entity_id,
            limit
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.i64("id")?,
                at: r.ts("at")?,
                operator_id: r.opt_i64("operator_id")?,
                operator_login: r.text("operator_login")?,
                origin: r.text("origin")?,
                action: r.text("action")?,
                entity: r.text("entity")?,
                entity_id: r.opt_i64("entity_id")?,
                before: r.opt_text("before_json")?,
                after: r.opt_text("after_json")?,
            })
        })
        .collect()
}

pub async fn count(db: &mut Db<'_>) -> Result<i64> {
    db.scalar_i64(q!("SELECT COUNT(*) FROM audit_log")).await
}
