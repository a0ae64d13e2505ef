//! Extra services (Carbon `CLN_USR_USLUGA_EDIT`, UserSide `service_add`, `service_remove`):
//! the catalogue an administrator keeps, and each customer's services with their own price,
//! quantity, comment, enabled flag and next charge date.

use super::Entity;
use super::{Conflict, Problem};
use serde::{Deserialize, Serialize};

use super::{Actor, Result, Service, ServiceError, audit, customer_exists, now, unique_to_conflict};
use crate::domain::dates::parse_date;
use crate::domain::money::Money;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::services::{self, CustomerService, ExtraService};
use crate::store::tariffs::Period;

/// A catalogue entry as typed; `None` keeps a field when editing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServiceInput {
    pub name: Option<String>,
    pub price: Option<String>,
    /// month or day
    pub period: Option<String>,
    /// yes or no
    pub active: Option<String>,
}

/// A customer's service as typed; `None` keeps a field when editing, an empty text clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CustomerServiceInput {
    /// The customer's own price; empty for the catalogue's.
    pub price: Option<String>,
    pub quantity: Option<String>,
    pub comment: Option<String>,
    /// yes or no
    pub enabled: Option<String>,
    /// A date; empty for none.
    pub next_charge_on: Option<String>,
}

fn yes_no(field: &'static str, v: &str) -> Result<bool> {
    match v.trim().to_lowercase().as_str() {
        "1" | "yes" | "true" | "да" | "y" => Ok(true),
        "0" | "no" | "false" | "нет" | "n" => Ok(false),
        other => Err(ServiceError::invalid(field, Problem::NotYesNo(other.to_string()))),
    }
}

fn price(field: &'static str, v: &str) -> Result<Money> {
    let m = Money::parse(v).map_err(|e| ServiceError::invalid(field, e))?;
    if m.is_negative() {
        return Err(ServiceError::invalid(field, Problem::Negative));
    }
    Ok(m)
}

fn apply_service(s: &mut ExtraService, input: &ServiceInput) -> Result<()> {
    if let Some(n) = &input.name {
        let n = text::clean(n);
        if n.is_empty() || n.chars().count() > 128 {
            return Err(ServiceError::invalid("name", Problem::Length(1, 128)));
        }
        s.name = n;
    }
    if let Some(p) = &input.price {
        s.price = price("price", p)?;
    }
    if let Some(p) = &input.period {
        s.period = p.parse::<Period>().map_err(|e| ServiceError::invalid("period", e))?;
    }
    if let Some(a) = &input.active {
        s.active = yes_no("active", a)?;
    }
    if s.name.is_empty() {
        return Err(ServiceError::invalid("name", Problem::Missing));
    }
    Ok(())
}

fn apply_customer_service(c: &mut CustomerService, input: &CustomerServiceInput) -> Result<()> {
    if let Some(p) = &input.price {
        c.own_price = if p.trim().is_empty() { None } else { Some(price("price", p)?) };
    }
    if let Some(q) = &input.quantity {
        c.quantity = q
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| ServiceError::invalid("quantity", Problem::Range(1, 10_000)))?;
    }
    if let Some(t) = &input.comment {
        let t = text::clean(t);
        if t.chars().count() > 500 {
            return Err(ServiceError::invalid("comment", Problem::TooLong(500)));
        }
        c.comment = Some(t).filter(|t| !t.is_empty());
    }
    if let Some(e) = &input.enabled {
        c.enabled = yes_no("enabled", e)?;
    }
    if let Some(d) = &input.next_charge_on {
        c.next_charge_on = if d.trim().is_empty() {
            None
        } else {
            Some(parse_date(d).map_err(|e| ServiceError::invalid("next_charge_on", e))?)
        };
    }
    Ok(())
}

impl Service {
    pub async fn list_services(&self, actor: &Actor, all: bool) -> Result<Vec<ExtraService>> {
        self.require(actor, Permission::TariffRead).await?;
        let mut tx = self.store.read().await?;
        Ok(services::services(&mut tx.db(), all).await?)
    }

    pub async fn add_service(&self, actor: &Actor, input: &ServiceInput) -> Result<ExtraService> {
        self.require(actor, Permission::TariffManage).await?;
        let mut s = ExtraService {
            id: 0,
            name: String::new(),
            price: Money::ZERO,
            period: Period::Month,
            active: true,
        };
        if input.price.is_none() {
            return Err(ServiceError::invalid("price", Problem::Missing));
        }
        apply_service(&mut s, input)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        s.id = services::insert_service(&mut db, &s, now()).await.map_err(unique_to_conflict)?;
        audit::<(), _>(&mut db, Some(actor), "service.add", "service", Some(s.id), None, Some(&s)).await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn edit_service(&self, actor: &Actor, id: i64, input: &ServiceInput) -> Result<ExtraService> {
        self.require(actor, Permission::TariffManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = services::service(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Service, format!("{id}")))?;
        let mut s = before.clone();
        apply_service(&mut s, input)?;
        services::update_service(&mut db, &s).await.map_err(unique_to_conflict)?;
        audit(&mut db, Some(actor), "service.edit", "service", Some(id), Some(&before), Some(&s)).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// A customer's services.
    pub async fn customer_services(&self, actor: &Actor, customer_id: i64) -> Result<Vec<CustomerService>> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        customer_exists(&mut db, customer_id).await?;
        Ok(services::of_customer(&mut db, customer_id).await?)
    }

    /// Gives a customer a service from the catalogue (`service_add`); only an active one.
    pub async fn add_customer_service(
        &self,
        actor: &Actor,
        customer_id: i64,
        service_id: i64,
        input: &CustomerServiceInput,
    ) -> Result<CustomerService> {
        self.require(actor, Permission::TariffAssign).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        customer_exists(&mut db, customer_id).await?;
        let s = services::service(&mut db, service_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Service, format!("{service_id}")))?;
        if !s.active {
            return Err(ServiceError::Conflict(Conflict::ServiceWithdrawn(s.name.clone())));
        }
        let mut c = CustomerService {
            id: 0,
            customer_id,
            service_id,
            service_name: s.name.clone(),
            period: s.period,
            own_price: None,
            price: s.price,
            quantity: 1,
            comment: None,
            enabled: true,
            next_charge_on: None,
        };
        apply_customer_service(&mut c, input)?;
        c.id = services::insert_customer_service(&mut db, &c, now()).await?;
        let c = services::customer_service(&mut db, c.id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Service, String::new()))?;
        audit::<(), _>(
            &mut db,
            Some(actor),
            "customer_service.add",
            "customer",
            Some(customer_id),
            None,
            Some(&c),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Changes a customer's service: own price, quantity, comment, enabled, next charge date.
    pub async fn edit_customer_service(
        &self,
        actor: &Actor,
        id: i64,
        input: &CustomerServiceInput,
    ) -> Result<CustomerService> {
        self.require(actor, Permission::TariffAssign).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = services::customer_service(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::CustomerService, format!("{id}")))?;
        let mut c = before.clone();
        apply_customer_service(&mut c, input)?;
        services::update_customer_service(&mut db, &c).await?;
        let c = services::customer_service(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Service, String::new()))?;
        audit(
            &mut db,
            Some(actor),
            "customer_service.edit",
            "customer",
            Some(c.customer_id),
            Some(&before),
            Some(&c),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Takes a service off a customer (`service_remove`).
    pub async fn remove_customer_service(&self, actor: &Actor, id: i64) -> Result<CustomerService> {
        self.require(actor, Permission::TariffAssign).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = services::customer_service(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::CustomerService, format!("{id}")))?;
        services::delete_customer_service(&mut db, id).await?;
        audit::<_, ()>(
            &mut db,
            Some(actor),
            "customer_service.remove",
            "customer",
            Some(before.customer_id),
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }
}
