//! Extra services: the catalogue and each customer's services (Carbon `CLN_USR_USLUGA_EDIT`).

use chrono::{DateTime, NaiveDate, Utc};

use super::{Db, Result, Row};
use crate::domain::money::Money;
use crate::q;

pub use crate::domain::extra_service::{CustomerService, ExtraService};

fn service_from_row(r: &Row) -> Result<ExtraService> {
    Ok(ExtraService {
        id: r.i64("id")?,
        name: r.text("name")?,
        price: Money::from_minor(r.i64("price_minor")?),
        period: r.parsed("period")?,
        active: r.bool("active")?,
    })
}

pub async fn insert_service(db: &mut Db<'_>, s: &ExtraService, now: DateTime<Utc>) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO extra_services (name, price_minor, period, active, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        &s.name,
        s.price.minor(),
        s.period.as_str(),
        s.active,
        now
    ))
    .await
}

pub async fn update_service(db: &mut Db<'_>, s: &ExtraService) -> Result<()> {
    db.execute(q!(
        "UPDATE extra_services SET name = $1, price_minor = $2, period = $3, active = $4 WHERE id = $5",
        &s.name,
        s.price.minor(),
        s.period.as_str(),
        s.active,
        s.id
    ))
    .await?;
    Ok(())
}

pub async fn services(db: &mut Db<'_>, all: bool) -> Result<Vec<ExtraService>> {
    db.fetch_all(q!(
        "SELECT id, name, price_minor, period, active FROM extra_services WHERE $1 OR active = TRUE ORDER BY name",
        all
    ))
    .await?
    .iter()
    .map(service_from_row)
    .collect()
}

pub async fn service(db: &mut Db<'_>, id: i64) -> Result<Option<ExtraService>> {
    db.fetch_optional(q!(
        "SELECT id, name, price_minor, period, active FROM extra_services WHERE id = $1",
        id
    ))
    .await?
    .as_ref()
    .map(service_from_row)
    .transpose()
}

const CS_SELECT: &str = "SELECT cs.id, cs.customer_id, cs.service_id, s.name, s.period, s.price_minor AS list_price, \
                         cs.price_minor, cs.quantity, cs.comment, cs.enabled, cs.next_charge_on \
                         FROM customer_services cs JOIN extra_services s ON s.id = cs.service_id";

fn cs_from_row(r: &Row) -> Result<CustomerService> {
    let own = r.opt_i64("price_minor")?.map(Money::from_minor);
    Ok(CustomerService {
        id: r.i64("id")?,
        customer_id: r.i64("customer_id")?,
        service_id: r.i64("service_id")?,
        service_name: r.text("name")?,
        period: r.parsed("period")?,
        own_price: own,
        price: own.unwrap_or(Money::from_minor(r.i64("list_price")?)),
        quantity: r.i64("quantity")?,
        comment: r.opt_text("comment")?,
        enabled: r.bool("enabled")?,
        next_charge_on: r.opt_date("next_charge_on")?,
    })
}

pub async fn of_customer(db: &mut Db<'_>, customer_id: i64) -> Result<Vec<CustomerService>> {
    let sql = format!("{CS_SELECT} WHERE cs.customer_id = $1 ORDER BY cs.id");
    db.fetch_all(q!(sql, customer_id)).await?.iter().map(cs_from_row).collect()
}

/// The enabled services of customers `ids` with a charge due by `through`, by customer and id.
pub async fn due_of_many(db: &mut Db<'_>, ids: &[i64], through: NaiveDate) -> Result<Vec<CustomerService>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::store::Q::new("");
    let through = q.push_bind(through);
    let list = q.push_ids(ids);
    q.sql = format!(
        "{CS_SELECT} WHERE cs.customer_id IN ({list}) AND cs.enabled AND cs.next_charge_on <= {through}          ORDER BY cs.customer_id, cs.id"
    )
    .into();
    db.fetch_all(q).await?.iter().map(cs_from_row).collect()
}

pub async fn customer_service(db: &mut Db<'_>, id: i64) -> Result<Option<CustomerService>> {
    let sql = format!("{CS_SELECT} WHERE cs.id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(cs_from_row).transpose()
}

pub async fn insert_customer_service(
    db: &mut Db<'_>,
    c: &CustomerService,
    now: DateTime<Utc>,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO customer_services (customer_id, service_id, price_minor, quantity, comment, enabled, next_charge_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        c.customer_id,
        c.service_id,
        c.own_price.map(|m| m.minor()),
        c.quantity,
        &c.comment,
        c.enabled,
        c.next_charge_on,
        now
    ))
    .await
}

pub async fn update_customer_service(db: &mut Db<'_>, c: &CustomerService) -> Result<()> {
    db.execute(q!(
        "UPDATE customer_services SET price_minor = $1, quantity = $2, comment = $3, enabled = $4, next_charge_on = $5 WHERE id = $6",
        c.own_price.map(|m| m.minor()),
        c.quantity,
        &c.comment,
        c.enabled,
        c.next_charge_on,
        c.id
    ))
    .await?;
    Ok(())
}

pub async fn delete_customer_service(db: &mut Db<'_>, id: i64) -> Result<u64> {
    db.execute(q!("DELETE FROM customer_services WHERE id = $1", id)).await
}
