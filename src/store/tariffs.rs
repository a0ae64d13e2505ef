//! Tariffs, the rules for switching between them, and scheduled changes.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Db, Result, Row};
use crate::domain::money::Money;
use crate::q;

pub use crate::domain::tariff::{Period, ScheduledChange, Tariff};

fn from_row(r: &Row) -> Result<Tariff> {
    Ok(Tariff {
        id: r.i64("id")?,
        name: r.text("name")?,
        price: Money::from_minor(r.i64("price_minor")?),
        period: r.parsed("period")?,
        active: r.bool("active")?,
        public: r.bool("public")?,
        pause_price: r.opt_i64("pause_price_minor")?.map(Money::from_minor),
    })
}

const COLUMNS: &str = "id, name, price_minor, period, active, public, pause_price_minor";

pub async fn insert(db: &mut Db<'_>, t: &Tariff, now: DateTime<Utc>) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO tariffs (name, price_minor, period, active, public, created_at, pause_price_minor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &t.name,
        t.price.minor(),
        t.period.as_str(),
        t.active,
        t.public,
        now,
        t.pause_price.map(Money::minor)
    ))
    .await
}

pub async fn update(db: &mut Db<'_>, t: &Tariff) -> Result<()> {
    db.execute(q!(
        "UPDATE tariffs SET name = $1, price_minor = $2, period = $3, active = $4, public = $5, \
           pause_price_minor = $6 WHERE id = $7",
        &t.name,
        t.price.minor(),
        t.period.as_str(),
        t.active,
        t.public,
        t.pause_price.map(Money::minor),
        t.id
    ))
    .await?;
    Ok(())
}

pub async fn get(db: &mut Db<'_>, id: i64) -> Result<Option<Tariff>> {
    let sql = format!("SELECT {COLUMNS} FROM tariffs WHERE id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(from_row).transpose()
}

pub async fn by_name(db: &mut Db<'_>, name: &str) -> Result<Option<Tariff>> {
    let sql = format!("SELECT {COLUMNS} FROM tariffs WHERE name = $1");
    db.fetch_optional(q!(sql, name)).await?.as_ref().map(from_row).transpose()
}

pub async fn list(db: &mut Db<'_>, include_inactive: bool) -> Result<Vec<Tariff>> {
    let sql = format!("SELECT {COLUMNS} FROM tariffs WHERE ($1 OR active = TRUE) ORDER BY price_minor, name");
    db.fetch_all(q!(sql, include_inactive)).await?.iter().map(from_row).collect()
}

/// Which tariffs replace `current`: with transitions defined for it, only those; otherwise every
/// public tariff. Inactive tariffs and the current one never.
pub async fn available(db: &mut Db<'_>, current: Option<i64>) -> Result<Vec<Tariff>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tariffs t WHERE t.active = TRUE AND ($1 IS NULL OR t.id <> $1) AND ( \
           CASE WHEN EXISTS (SELECT 1 FROM tariff_transitions x WHERE x.from_tariff_id = $1) \
                THEN t.id IN (SELECT x.to_tariff_id FROM tariff_transitions x WHERE x.from_tariff_id = $1) \
                ELSE t.public = TRUE END) \
         ORDER BY t.price_minor, t.name"
    );
    db.fetch_all(q!(sql, current)).await?.iter().map(from_row).collect()
}

pub async fn set_transitions(db: &mut Db<'_>, from: i64, to: &[i64]) -> Result<()> {
    db.execute(q!("DELETE FROM tariff_transitions WHERE from_tariff_id = $1", from)).await?;
    for t in to {
        db.execute(q!(
            "INSERT INTO tariff_transitions (from_tariff_id, to_tariff_id) VALUES ($1, $2)",
            from,
            *t
        ))
        .await?;
    }
    Ok(())
}

pub async fn transitions(db: &mut Db<'_>, from: i64) -> Result<Vec<i64>> {
    db.fetch_all(q!(
        "SELECT to_tariff_id FROM tariff_transitions WHERE from_tariff_id = $1 ORDER BY to_tariff_id",
        from
    ))
    .await?
    .iter()
    .map(|r| r.i64("to_tariff_id"))
    .collect()
}

const SCHEDULED: &str = "SELECT s.id, s.customer_id, s.tariff_id, t.name AS tariff_name, s.effective_on \
    FROM scheduled_tariff_changes s JOIN tariffs t ON t.id = s.tariff_id";

fn scheduled_from_row(r: &Row) -> Result<ScheduledChange> {
    Ok(ScheduledChange {
        id: r.i64("id")?,
        customer_id: r.i64("customer_id")?,
        tariff_id: r.i64("tariff_id")?,
        tariff_name: r.text("tariff_name")?,
        effective_on: r.opt_date("effective_on")?.unwrap_or_default(),
    })
}

pub async fn pending_change(db: &mut Db<'_>, customer_id: i64) -> Result<Option<ScheduledChange>> {
    let sql = format!("{SCHEDULED} WHERE s.customer_id = $1 AND s.applied_at IS NULL");
    db.fetch_optional(q!(sql, customer_id)).await?.as_ref().map(scheduled_from_row).transpose()
}

pub async fn delete_pending(db: &mut Db<'_>, customer_id: i64) -> Result<u64> {
    db.execute(q!(
        "DELETE FROM scheduled_tariff_changes WHERE customer_id = $1 AND applied_at IS NULL",
        customer_id
    ))
    .await
}

pub async fn schedule(
    db: &mut Db<'_>,
    customer_id: i64,
    tariff_id: i64,
    effective_on: NaiveDate,
    created_by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO scheduled_tariff_changes (customer_id, tariff_id, effective_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        customer_id,
        tariff_id,
        effective_on,
        created_by,
        now
    ))
    .await
}

pub async fn due(db: &mut Db<'_>, today: NaiveDate) -> Result<Vec<ScheduledChange>> {
    let sql = format!("{SCHEDULED} WHERE s.applied_at IS NULL AND s.effective_on <= $1 ORDER BY s.id");
    db.fetch_all(q!(sql, today)).await?.iter().map(scheduled_from_row).collect()
}

pub async fn mark_applied(db: &mut Db<'_>, id: i64, now: DateTime<Utc>) -> Result<()> {
    db.execute(q!("UPDATE scheduled_tariff_changes SET applied_at = $1 WHERE id = $2", now, id)).await?;
    Ok(())
}

pub async fn count_customers(db: &mut Db<'_>, tariff_id: i64) -> Result<i64> {
    db.scalar_i64(q!("SELECT COUNT(*) FROM customers WHERE tariff_id = $1", tariff_id)).await
}
