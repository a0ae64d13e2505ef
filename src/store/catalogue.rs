//! The catalogues of customer groups and marks (`get_customer_group`, `mark_add`,
//! `mark_delete`), and which customer carries which mark.

use super::{Db, Result};
use crate::q;

pub use crate::domain::catalogue::{Group, Mark};
use crate::domain::ledger::PayMethod;

pub async fn marks(db: &mut Db<'_>) -> Result<Vec<Mark>> {
    db.fetch_all(q!(
        "SELECT m.id, m.name, m.color, (SELECT COUNT(*) FROM customer_marks cm WHERE cm.mark_id = m.id) AS n \
         FROM marks m ORDER BY m.name"
    ))
    .await?
    .iter()
    .map(|r| {
        Ok(Mark { id: r.i64("id")?, name: r.text("name")?, color: r.text("color")?, customers: r.i64("n")? })
    })
    .collect()
}

pub async fn mark(db: &mut Db<'_>, id: i64) -> Result<Option<Mark>> {
    Ok(marks(db).await?.into_iter().find(|m| m.id == id))
}

pub async fn update_mark(db: &mut Db<'_>, id: i64, name: &str, color: &str) -> Result<()> {
    db.execute(q!("UPDATE marks SET name = $1, color = $2 WHERE id = $3", name, color, id)).await?;
    Ok(())
}

pub async fn delete_mark(db: &mut Db<'_>, id: i64) -> Result<u64> {
    db.execute(q!("DELETE FROM marks WHERE id = $1", id)).await
}

pub async fn groups(db: &mut Db<'_>) -> Result<Vec<Group>> {
    db.fetch_all(q!("SELECT g.id, g.name, (SELECT COUNT(*) FROM customers c WHERE c.group_id = g.id) AS n \
         FROM customer_groups g ORDER BY g.name"))
        .await?
        .iter()
        .map(|r| Ok(Group { id: r.i64("id")?, name: r.text("name")?, customers: r.i64("n")? }))
        .collect()
}

pub async fn group(db: &mut Db<'_>, id: i64) -> Result<Option<Group>> {
    Ok(groups(db).await?.into_iter().find(|g| g.id == id))
}

pub async fn rename_group(db: &mut Db<'_>, id: i64, name: &str) -> Result<()> {
    db.execute(q!("UPDATE customer_groups SET name = $1 WHERE id = $2", name, id)).await?;
    Ok(())
}

pub async fn delete_group(db: &mut Db<'_>, id: i64) -> Result<u64> {
    db.execute(q!("DELETE FROM customer_groups WHERE id = $1", id)).await
}

/// Gives a customer a mark; `false` when they carry it already.
pub async fn put_mark(db: &mut Db<'_>, customer_id: i64, mark_id: i64) -> Result<bool> {
    Ok(db
        .execute(q!(
            "INSERT INTO customer_marks (customer_id, mark_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            customer_id,
            mark_id
        ))
        .await?
        == 1)
}

/// Takes a mark off a customer; `false` when they did not carry it.
pub async fn take_mark(db: &mut Db<'_>, customer_id: i64, mark_id: i64) -> Result<bool> {
    Ok(db
        .execute(q!(
            "DELETE FROM customer_marks WHERE customer_id = $1 AND mark_id = $2",
            customer_id,
            mark_id
        ))
        .await?
        == 1)
}

const METHOD_COLUMNS: &str = "code, name, kind, active, position";

fn pay_method(r: &super::Row) -> Result<PayMethod> {
    Ok(PayMethod {
        code: r.text("code")?,
        name: r.text("name")?,
        kind: r.parsed("kind")?,
        active: r.bool("active")?,
        position: r.i64("position")?,
    })
}

/// The payment methods in the catalogue's order; the switched-off ones only when `all`.
pub async fn pay_methods(db: &mut Db<'_>, all: bool) -> Result<Vec<PayMethod>> {
    let sql = format!(
        "SELECT {METHOD_COLUMNS} FROM payment_methods {} ORDER BY position, code",
        if all { "" } else { "WHERE active" }
    );
    db.fetch_all(q!(sql)).await?.iter().map(pay_method).collect()
}

pub async fn get_pay_method(db: &mut Db<'_>, code: &str) -> Result<Option<PayMethod>> {
    let sql = format!("SELECT {METHOD_COLUMNS} FROM payment_methods WHERE code = $1");
    db.fetch_optional(q!(sql, code)).await?.as_ref().map(pay_method).transpose()
}

/// Adds a method at the end of the catalogue.
pub async fn insert_pay_method(db: &mut Db<'_>, m: &PayMethod) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO payment_methods (code, name, kind, active, position) \
         SELECT $1, $2, $3, $4, COALESCE(MAX(position), 0) + 1 FROM payment_methods RETURNING position",
        &m.code,
        &m.name,
        m.kind.as_str(),
        m.active
    ))
    .await
}

pub async fn update_pay_method(db: &mut Db<'_>, m: &PayMethod) -> Result<()> {
    db.execute(q!(
        "UPDATE payment_methods SET name = $2, active = $3, position = $4 WHERE code = $1",
        &m.code,
        &m.name,
        m.active,
        m.position
    ))
    .await?;
    Ok(())
}
