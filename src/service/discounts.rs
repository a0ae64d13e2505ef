//! Discounts and tax rules (BILLmanager `account.discount`, `account.taxrule`): kept by those
//! who keep the tariffs; a charging run reads them and every charge records what it got, so a
//! later change never rewrites a charge that was made.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Actor, Conflict, Entity, Problem, Result, Service, ServiceError, audit, customer_exists, now};
use crate::domain::billing::{Applies, Discount, Percent, TaxItem, TaxRule, Whom};
use crate::domain::dates::PeriodError;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::billing::{self as store, ChargeLine};
use crate::store::{Db, catalogue, services, tariffs};

/// A discount as an administrator gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountInput {
    pub whom: Whom,
    pub percent: Percent,
    pub applies: Applies,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub priority: i64,
    pub comment: String,
}

/// How far a priority goes either way.
pub const PRIORITY: i64 = 1000;

impl Service {
    /// Gives a discount to a customer or a group.
    pub async fn add_discount(&self, actor: &Actor, input: &DiscountInput) -> Result<Discount> {
        self.require(actor, Permission::TariffManage).await?;
        if input.percent.0 <= 0 || input.percent > Percent::HUNDRED {
            return Err(ServiceError::invalid("percent", Problem::Range(0, 100)));
        }
        if let Some(to) = input.to.filter(|to| *to < input.from) {
            return Err(ServiceError::invalid("to", Problem::Period(PeriodError { from: input.from, to })));
        }
        if !(-PRIORITY..=PRIORITY).contains(&input.priority) {
            return Err(ServiceError::invalid("priority", Problem::Range(-PRIORITY, PRIORITY)));
        }
        let comment = text::clean(&input.comment);
        if comment.chars().count() > 200 {
            return Err(ServiceError::invalid("comment", Problem::TooLong(200)));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        whom_exists(&mut db, input.whom).await?;
        item_exists(&mut db, input.applies).await?;
        let mut d = Discount {
            id: 0,
            whom: input.whom,
            percent: input.percent,
            applies: input.applies,
            from: input.from,
            to: input.to,
            priority: input.priority,
            comment,
        };
        d.id = store::insert_discount(&mut db, &d, now(), Some(actor.operator_id)).await?;
        audit::<(), _>(&mut db, Some(actor), "discount.add", "discount", Some(d.id), None, Some(&d)).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Ends a discount: `last_day` is the last day it applies (charges for periods that begin
    /// later do not get it). A discount ended before it began is removed (`None`), unless a
    /// charge got it; one that ended earlier already stays as it is.
    pub async fn end_discount(
        &self,
        actor: &Actor,
        id: i64,
        last_day: NaiveDate,
    ) -> Result<Option<Discount>> {
        self.require(actor, Permission::TariffManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = store::discount(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Discount, format!("{id}")))?;
        if last_day < before.from {
            if store::delete_unused_discount(&mut db, id).await? == 0 {
                return Err(ServiceError::Conflict(Conflict::DiscountUsed(id)));
            }
            audit::<_, ()>(
                &mut db,
                Some(actor),
                "discount.delete",
                "discount",
                Some(id),
                Some(&before),
                None,
            )
            .await?;
            tx.commit().await?;
            return Ok(None);
        }
        let to = last_day;
        if before.to.is_some_and(|t| t <= to) {
            return Ok(Some(before));
        }
        store::end_discount(&mut db, id, to).await?;
        let after = Discount { to: Some(to), ..before.clone() };
        audit(&mut db, Some(actor), "discount.end", "discount", Some(id), Some(&before), Some(&after))
            .await?;
        tx.commit().await?;
        Ok(Some(after))
    }

    /// Every discount still in force on `today` or later (with `ended`, every one), newest first.
    pub async fn discounts(&self, actor: &Actor, ended: bool, today: NaiveDate) -> Result<Vec<Discount>> {
        self.require(actor, Permission::TariffRead).await?;
        Ok(store::discounts(&mut self.store.read().await?.db(), ended, today).await?)
    }

    /// The discounts a customer gets on `today` or later: their own and their group's.
    pub async fn customer_discounts(
        &self,
        actor: &Actor,
        customer_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<Discount>> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let c = crate::store::customers::get(&mut db, customer_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("#{customer_id}")))?;
        let mut all = store::discounts_of(&mut db, customer_id, c.group_id).await?;
        all.retain(|d| d.to.is_none_or(|to| to >= today));
        Ok(all)
    }

    /// The customer's newest charges: what each was for, its discount and its tax.
    pub async fn customer_charges(
        &self,
        actor: &Actor,
        customer_id: i64,
        limit: i64,
    ) -> Result<Vec<ChargeLine>> {
        self.require(actor, Permission::HistoryRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        customer_exists(&mut db, customer_id).await?;
        Ok(store::charge_lines(&mut db, customer_id, limit.clamp(1, 1000)).await?)
    }

    pub async fn tax_rules(&self, actor: &Actor) -> Result<Vec<TaxRule>> {
        self.require(actor, Permission::TariffRead).await?;
        Ok(store::tax_rules(&mut self.store.read().await?.db()).await?)
    }

    /// Sets the rate of tax included in the charges of one kind of item (from the next charge on).
    pub async fn set_tax_rule(
        &self,
        actor: &Actor,
        item: TaxItem,
        name: &str,
        rate: Percent,
    ) -> Result<TaxRule> {
        self.require(actor, Permission::TariffManage).await?;
        let name = text::clean(name);
        if name.is_empty() || name.chars().count() > 64 {
            return Err(ServiceError::invalid("name", Problem::Length(1, 64)));
        }
        if rate.0 < 0 || rate > Percent::HUNDRED {
            return Err(ServiceError::invalid("rate", Problem::Range(0, 100)));
        }
        let rule = TaxRule { item, name, rate };
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = store::tax_rules(&mut db).await?.into_iter().find(|r| r.item == item);
        store::set_tax_rule(&mut db, &rule, now(), Some(actor.operator_id)).await?;
        audit(&mut db, Some(actor), "tax_rule.set", "tax_rule", None, before.as_ref(), Some(&rule)).await?;
        tx.commit().await?;
        Ok(rule)
    }

    /// Stops recording tax on one kind of item; true when there was a rule.
    pub async fn delete_tax_rule(&self, actor: &Actor, item: TaxItem) -> Result<bool> {
        self.require(actor, Permission::TariffManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = store::tax_rules(&mut db).await?.into_iter().find(|r| r.item == item);
        if before.is_none() {
            return Ok(false);
        }
        store::delete_tax_rule(&mut db, item).await?;
        audit::<_, ()>(&mut db, Some(actor), "tax_rule.delete", "tax_rule", None, before.as_ref(), None)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

async fn whom_exists(db: &mut Db<'_>, whom: Whom) -> Result<()> {
    match whom {
        Whom::Customer(id) => customer_exists(db, id).await,
        Whom::Group(id) => match catalogue::group(db, id).await? {
            Some(_) => Ok(()),
            None => Err(ServiceError::invalid(
                "whom",
                Problem::NoSuch { what: Entity::Group, key: id.to_string() },
            )),
        },
    }
}

async fn item_exists(db: &mut Db<'_>, applies: Applies) -> Result<()> {
    match applies {
        Applies::Tariff(Some(id)) if tariffs::get(db, id).await?.is_none() => Err(ServiceError::invalid(
            "applies",
            Problem::NoSuch { what: Entity::Tariff, key: id.to_string() },
        )),
        Applies::Service(Some(id)) if services::service(db, id).await?.is_none() => Err(
            ServiceError::invalid("applies", Problem::NoSuch { what: Entity::Service, key: id.to_string() }),
        ),
        _ => Ok(()),
    }
}
