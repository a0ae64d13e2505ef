//! The catalogues of customer groups and marks (`get_customer_group`, `mark_add`,
//! `mark_delete`), and which customer carries which mark.

use super::{Db, Result};
use crate::q;

pub use crate::domain::catalogue::{Group, Mark};

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
