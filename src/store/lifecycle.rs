//! A customer's working state and former-customer flag, their history, and deleting a
//! customer that never had money (UserSide `state_change`, `to_ex`, `to_normal`, `delete`).

use chrono::{DateTime, Utc};

use super::{Db, Result};
use crate::domain::customer::CustomerState;
use crate::q;

pub use crate::domain::lifecycle::{ChangeKind, MergeCounts, StateChange};

pub async fn set_state(db: &mut Db<'_>, id: i64, state: CustomerState) -> Result<()> {
    db.execute(q!("UPDATE customers SET state = $1 WHERE id = $2", state.id(), id)).await?;
    Ok(())
}

pub async fn set_former(db: &mut Db<'_>, id: i64, former: bool) -> Result<()> {
    db.execute(q!("UPDATE customers SET is_former = $1 WHERE id = $2", former, id)).await?;
    Ok(())
}

pub async fn record(
    db: &mut Db<'_>,
    customer_id: i64,
    kind: ChangeKind,
    from: i64,
    to: i64,
    operator_id: i64,
    at: DateTime<Utc>,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO customer_state_history (customer_id, kind, from_value, to_value, operator_id, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        customer_id,
        kind.as_str(),
        from,
        to,
        operator_id,
        at
    ))
    .await
}

/// A customer's state history, newest first.
pub async fn history(db: &mut Db<'_>, customer_id: i64) -> Result<Vec<StateChange>> {
    let rows = db
        .fetch_all(q!(
            "SELECT s.id, s.customer_id, s.kind, s.from_value, s.to_value, o.login AS operator_login, s.changed_at \
             FROM customer_state_history s LEFT JOIN operators o ON o.id = s.operator_id \
             WHERE s.customer_id = $1 ORDER BY s.id DESC",
            customer_id
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StateChange {
                id: r.i64("id")?,
                customer_id: r.i64("customer_id")?,
                kind: if r.text("kind")? == "former" { ChangeKind::Former } else { ChangeKind::State },
                from_value: r.i64("from_value")?,
                to_value: r.i64("to_value")?,
                operator_login: r.opt_text("operator_login")?,
                changed_at: r.ts("changed_at")?,
            })
        })
        .collect()
}

/// How many ledger operations a customer has, and how many customers name it as their parent.
pub async fn ties(db: &mut Db<'_>, id: i64) -> Result<(i64, i64)> {
    let ops = db.scalar_i64(q!("SELECT COUNT(*) FROM ledger WHERE customer_id = $1", id)).await?;
    let children = db.scalar_i64(q!("SELECT COUNT(*) FROM customers WHERE parent_id = $1", id)).await?;
    Ok((ops, children))
}

/// Deletes the customer; its addresses, marks, scheduled changes and state history go with it.
pub async fn delete(db: &mut Db<'_>, id: i64) -> Result<()> {
    db.execute(q!("DELETE FROM customers WHERE id = $1", id)).await?;
    Ok(())
}

pub async fn merge_counts(db: &mut Db<'_>, id: i64) -> Result<MergeCounts> {
    let n = |table: &'static str, column: &'static str| {
        format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1")
    };
    Ok(MergeCounts {
        addresses: db.scalar_i64(q!(n("customer_ips", "customer_id"), id)).await?,
        mac_changes: db.scalar_i64(q!(n("mac_history", "customer_id"), id)).await?,
        marks: db.scalar_i64(q!(n("customer_marks", "customer_id"), id)).await?,
        messages: db.scalar_i64(q!(n("customer_messages", "customer_id"), id)).await?,
        state_changes: db.scalar_i64(q!(n("customer_state_history", "customer_id"), id)).await?,
        promised_payments: db.scalar_i64(q!(n("promised_payments", "customer_id"), id)).await?,
        services: db.scalar_i64(q!(n("customer_services", "customer_id"), id)).await?,
        children: db.scalar_i64(q!(n("customers", "parent_id"), id)).await?,
        port: db.scalar_i64(q!(n("switch_ports", "customer_id"), id)).await? > 0,
    })
}

/// Moves everything of `from` that belongs to a customer to `to`: addresses, MAC history,
/// marks (those `to` has already stay once), messages, state history, promised payments,
/// extra services and children. The port moves only when `to` has none (the caller decides).
pub async fn move_belongings(db: &mut Db<'_>, from: i64, to: i64, port: bool) -> Result<()> {
    for (table, column) in [
        ("customer_ips", "customer_id"),
        ("mac_history", "customer_id"),
        ("customer_messages", "customer_id"),
        ("customer_state_history", "customer_id"),
        ("promised_payments", "customer_id"),
        ("customer_services", "customer_id"),
        ("customers", "parent_id"),
    ] {
        let sql = format!("UPDATE {table} SET {column} = $1 WHERE {column} = $2");
        db.execute(q!(sql, to, from)).await?;
    }
    db.execute(q!(
        "INSERT INTO customer_marks (customer_id, mark_id) SELECT $1, mark_id FROM customer_marks \
         WHERE customer_id = $2 ON CONFLICT DO NOTHING",
        to,
        from
    ))
    .await?;
    db.execute(q!("DELETE FROM customer_marks WHERE customer_id = $1", from)).await?;
    if port {
        db.execute(q!("UPDATE switch_ports SET customer_id = $1 WHERE customer_id = $2", to, from)).await?;
    } else {
        db.execute(q!("DELETE FROM switch_ports WHERE customer_id = $1", from)).await?;
    }
    Ok(())
}
