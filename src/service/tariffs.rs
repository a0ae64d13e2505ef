//! Tariffs: the catalogue, what a customer may switch to, and switching now or from the next
//! period (`TarifList`, `list_tarif_available`, `tarif_change`).

use super::Entity;
use super::{Conflict, Problem};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Actor, Result, Service, ServiceError, audit, now, unique_to_conflict};
use crate::domain::money::Money;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::customers;
use crate::store::tariffs::{self, Period, ScheduledChange, Tariff};

/// A tariff as an administrator enters it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TariffInput {
    pub name: String,
    pub price: Money,
    pub period: Period,
    pub active: bool,
    /// Offered to every customer (unless their tariff lists its own transitions).
    pub public: bool,
    /// Charged per period while a customer is paused; none: a pause costs nothing.
    #[serde(default)]
    pub pause_price: Option<Money>,
    /// When given: the only tariffs customers of this one may switch to.
    pub transitions: Option<Vec<i64>>,
}

impl TariffInput {
    /// The one reading of a typed list of transitions, for the console and the command line:
    /// absent keeps the tariff's list, empty (or blank) clears it, otherwise tariff ids
    /// separated by commas, semicolons or spaces.
    pub fn parse_transitions(text: Option<&str>) -> Result<Option<Vec<i64>>> {
        let Some(text) = text else { return Ok(None) };
        text.split([',', ' ', ';'])
            .filter(|t| !t.trim().is_empty())
            .map(|t| {
                let t = t.trim();
                t.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| ServiceError::invalid("transitions", Problem::NotANumber(t.to_string())))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Now,
    NextPeriod,
}

#[derive(Debug, Clone, Serialize)]
pub struct TariffChangeOutcome {
    pub customer_id: i64,
    pub from: Option<Tariff>,
    pub to: Tariff,
    /// The day the change takes effect; today when applied now.
    pub effective_on: NaiveDate,
    pub applied: bool,
}

/// The first day of the period after `today` for a tariff charged per `period`, monthly
/// periods beginning on the ISP's billing day.
pub fn next_period_start(today: NaiveDate, period: Period, billing_day: u32) -> NaiveDate {
    crate::domain::billing::span_of(period, billing_day, today).to + Duration::days(1)
}

fn validate(input: &TariffInput) -> Result<String> {
    let name = text::clean(&input.name);
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::invalid("name", Problem::Length(1, 100)));
    }
    if input.price.is_negative() {
        return Err(ServiceError::invalid("price", Problem::Negative));
    }
    if input.pause_price.is_some_and(Money::is_negative) {
        return Err(ServiceError::invalid("pause_price", Problem::Negative));
    }
    Ok(name)
}

impl Service {
    pub async fn create_tariff(&self, actor: &Actor, input: &TariffInput) -> Result<Tariff> {
        self.require(actor, Permission::TariffManage).await?;
        let name = validate(input)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let mut t = Tariff {
            id: 0,
            name,
            price: input.price,
            period: input.period,
            active: input.active,
            public: input.public,
            pause_price: input.pause_price,
        };
        t.id = tariffs::insert(&mut db, &t, now()).await.map_err(unique_to_conflict)?;
        if let Some(to) = &input.transitions {
            set_transitions(&mut db, t.id, to).await?;
        }
        audit::<(), _>(&mut db, Some(actor), "tariff.create", "tariff", Some(t.id), None, Some(&t)).await?;
        tx.commit().await?;
        Ok(t)
    }

    pub async fn edit_tariff(&self, actor: &Actor, id: i64, input: &TariffInput) -> Result<Tariff> {
        self.require(actor, Permission::TariffManage).await?;
        let name = validate(input)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = tariffs::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Tariff, format!("{id}")))?;
        let t = Tariff {
            id,
            name,
            price: input.price,
            period: input.period,
            active: input.active,
            public: input.public,
            pause_price: input.pause_price,
        };
        tariffs::update(&mut db, &t).await.map_err(unique_to_conflict)?;
        if let Some(to) = &input.transitions {
            set_transitions(&mut db, id, to).await?;
        }
        audit(&mut db, Some(actor), "tariff.edit", "tariff", Some(id), Some(&before), Some(&t)).await?;
        tx.commit().await?;
        Ok(t)
    }

    pub async fn tariff(&self, actor: &Actor, id: i64) -> Result<(Tariff, Vec<i64>)> {
        self.require(actor, Permission::TariffRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let t = tariffs::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Tariff, format!("{id}")))?;
        let transitions = tariffs::transitions(&mut db, id).await?;
        Ok((t, transitions))
    }

    /// The catalogue (`TarifList`): name, price, monthly or daily.
    pub async fn list_tariffs(&self, actor: &Actor, include_inactive: bool) -> Result<Vec<Tariff>> {
        self.require(actor, Permission::TariffRead).await?;
        let mut tx = self.store.read().await?;
        Ok(tariffs::list(&mut tx.db(), include_inactive).await?)
    }

    /// The tariffs a customer may switch to (`list_tarif_available`).
    pub async fn available_tariffs(&self, actor: &Actor, customer_id: i64) -> Result<Vec<Tariff>> {
        self.require(actor, Permission::TariffRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let c = customers::get(&mut db, customer_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("#{customer_id}")))?;
        Ok(tariffs::available(&mut db, c.tariff_id).await?)
    }

    /// Switches a customer's tariff now, or from the start of the next period of the current
    /// tariff (`tarif_change`). A later request replaces a scheduled one; a change now cancels it.
    pub async fn change_tariff(
        &self,
        actor: &Actor,
        customer_id: i64,
        tariff_id: i64,
        when: When,
        today: NaiveDate,
    ) -> Result<TariffChangeOutcome> {
        self.require(actor, Permission::TariffAssign).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let c = customers::get_for_update(&mut db, customer_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("#{customer_id}")))?;
        let from = match c.tariff_id {
            Some(t) => tariffs::get(&mut db, t).await?,
            None => None,
        };
        let available = tariffs::available(&mut db, c.tariff_id).await?;
        let Some(to) = available.into_iter().find(|t| t.id == tariff_id) else {
            return Err(match tariffs::get(&mut db, tariff_id).await? {
                None => ServiceError::NotFound(Entity::Tariff, format!("{tariff_id}")),
                Some(t) if Some(t.id) == c.tariff_id => ServiceError::Conflict(Conflict::SameTariff(t.name)),
                Some(t) => ServiceError::Conflict(Conflict::TariffNotAllowed(t.name)),
            });
        };
        let before_pending = tariffs::pending_change(&mut db, customer_id).await?;
        tariffs::delete_pending(&mut db, customer_id).await?;
        let outcome = match when {
            When::Now => {
                customers::set_tariff(&mut db, customer_id, to.id).await?;
                // the rest of a period charged at the old price credited, charged at the new
                self.reprice_from(&mut db, customer_id, today).await?;
                TariffChangeOutcome {
                    customer_id,
                    from: from.clone(),
                    to,
                    effective_on: today,
                    applied: true,
                }
            }
            When::NextPeriod => {
                let period = from.as_ref().map(|t| t.period).unwrap_or(Period::Month);
                let billing_day = super::billing::billing_day_in(&mut db, self.config.billing_day).await?;
                let effective_on = next_period_start(today, period, billing_day);
                tariffs::schedule(&mut db, customer_id, to.id, effective_on, actor.operator_id, now())
                    .await?;
                TariffChangeOutcome { customer_id, from: from.clone(), to, effective_on, applied: false }
            }
        };
        #[derive(Serialize)]
        struct Before<'a> {
            tariff: Option<&'a Tariff>,
            scheduled: Option<&'a ScheduledChange>,
        }
        let before = Before { tariff: from.as_ref(), scheduled: before_pending.as_ref() };
        audit(
            &mut db,
            Some(actor),
            "customer.tariff_change",
            "customer",
            Some(customer_id),
            Some(&before),
            Some(&outcome),
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Applies every scheduled tariff change due on or before `today`; returns what it applied.
    pub async fn apply_due_tariff_changes(
        &self,
        actor: &Actor,
        today: NaiveDate,
    ) -> Result<Vec<ScheduledChange>> {
        self.require(actor, Permission::Maintenance).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let due = tariffs::due(&mut db, today).await?;
        for change in &due {
            let before = customers::get_for_update(&mut db, change.customer_id).await?;
            customers::set_tariff(&mut db, change.customer_id, change.tariff_id).await?;
            tariffs::mark_applied(&mut db, change.id, now()).await?;
            audit(
                &mut db,
                Some(actor),
                "customer.tariff_change_applied",
                "customer",
                Some(change.customer_id),
                Some(&before.map(|c| c.tariff_id)),
                Some(change),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(due)
    }
}

async fn set_transitions(db: &mut crate::store::Db<'_>, from: i64, to: &[i64]) -> Result<()> {
    for t in to {
        if *t == from {
            return Err(ServiceError::invalid("transitions", Problem::ListsItself));
        }
        if tariffs::get(db, *t).await?.is_none() {
            return Err(ServiceError::invalid(
                "transitions",
                Problem::NoSuch { what: Entity::Tariff, key: t.to_string() },
            ));
        }
    }
    tariffs::set_transitions(db, from, to).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_read_one_way_everywhere() {
        assert_eq!(TariffInput::parse_transitions(None).ok(), Some(None));
        assert_eq!(TariffInput::parse_transitions(Some("")).ok(), Some(Some(vec![])));
        assert_eq!(TariffInput::parse_transitions(Some("  ")).ok(), Some(Some(vec![])));
        assert_eq!(TariffInput::parse_transitions(Some("2, 3;4 5")).ok(), Some(Some(vec![2, 3, 4, 5])));
        assert!(TariffInput::parse_transitions(Some("2,x")).is_err());
        assert!(TariffInput::parse_transitions(Some("-1")).is_err());
    }

    #[test]
    fn next_period_starts() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(next_period_start(d(2026, 11, 22), Period::Month, 1), d(2026, 12, 1));
        assert_eq!(next_period_start(d(2026, 12, 31), Period::Month, 1), d(2027, 1, 1));
        assert_eq!(next_period_start(d(2026, 2, 28), Period::Day, 1), d(2026, 3, 1));
        assert_eq!(next_period_start(d(2026, 11, 22), Period::Month, 15), d(2026, 12, 15));
        assert_eq!(next_period_start(d(2026, 11, 10), Period::Month, 15), d(2026, 11, 15));
    }
}
