//! Promised payments (Carbon `WEB_USER_PROMISE_PAY`) and the credit limit (BILLmanager
//! `subaccount` `creditlimit`): what a customer may spend beyond the balance. Neither moves the
//! balance nor writes a ledger row; both count in the card's "available".

use super::Entity;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::{Actor, Conflict, Problem, Result, Service, ServiceError, audit, customer_exists, now};
use crate::domain::customer::Customer;
use crate::domain::money::Money;
use crate::domain::role::Permission;
use crate::store::promises::{self, PromisedPayment};
use crate::store::{Db, customers};

/// The rules a promised payment must pass (the `[service]` config section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseRules {
    /// The largest amount one promise may have.
    pub max_amount: Money,
    /// The longest a promise may last, in days.
    pub max_days: i64,
    /// How many promises a customer may get in one calendar month (UTC).
    pub per_month: i64,
    /// A promise is given only while the balance is above this.
    pub balance_floor: Money,
}

impl Default for PromiseRules {
    fn default() -> Self {
        PromiseRules {
            max_amount: Money::from_minor(100_000),
            max_days: 5,
            per_month: 1,
            balance_floor: Money::from_minor(-50_000),
        }
    }
}

/// Which rule refused a promised payment (in the order they are checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseRule {
    MaxAmount = 0,
    MaxDays,
    OneAtATime,
    PerMonth,
    BalanceFloor,
}

impl PromiseRule {
    pub fn as_str(self) -> &'static str {
        match self {
            PromiseRule::MaxAmount => "max_amount",
            PromiseRule::MaxDays => "max_days",
            PromiseRule::OneAtATime => "one_at_a_time",
            PromiseRule::PerMonth => "per_month",
            PromiseRule::BalanceFloor => "balance_floor",
        }
    }
}

/// Why a promised payment was refused: the rule, with the figures it was checked against.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromiseRefusal {
    #[error("a promised payment is at most {max} (asked {asked})")]
    MaxAmount { max: Money, asked: Money },
    #[error("a promised payment lasts at most {max} day(s) (asked {asked})")]
    MaxDays { max: i64, asked: i64 },
    #[error("a promised payment of {amount} is active until {}: one at a time", crate::domain::dates::local(*.until).format("%d.%m.%Y %H:%M"))]
    OneAtATime { amount: Money, until: DateTime<Utc> },
    #[error("{count} promised payment(s) this month already: at most {max} a month")]
    PerMonth { count: i64, max: i64 },
    #[error("the balance {balance} is not above {floor}: a promised payment is given only above it")]
    BalanceFloor { balance: Money, floor: Money },
}

impl PromiseRefusal {
    pub fn rule(&self) -> PromiseRule {
        match self {
            PromiseRefusal::MaxAmount { .. } => PromiseRule::MaxAmount,
            PromiseRefusal::MaxDays { .. } => PromiseRule::MaxDays,
            PromiseRefusal::OneAtATime { .. } => PromiseRule::OneAtATime,
            PromiseRefusal::PerMonth { .. } => PromiseRule::PerMonth,
            PromiseRefusal::BalanceFloor { .. } => PromiseRule::BalanceFloor,
        }
    }
}

fn refused(r: PromiseRefusal) -> ServiceError {
    ServiceError::PromiseRefused(r)
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(Entity::Customer, format!("#{id}"))
}

/// The first moment of `now`'s calendar month, on the local calendar.
fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = crate::domain::dates::local(now).date_naive();
    crate::domain::dates::day_start(NaiveDate::from_ymd_opt(local.year(), local.month(), 1).unwrap_or(local))
}

/// Ends the customer's promise if its time is up (in the caller's transaction).
async fn end_if_due(db: &mut Db<'_>, customer_id: i64, at: DateTime<Utc>) -> Result<()> {
    if let Some(p) = promises::open_one(db, customer_id).await?
        && p.expires_at <= at
    {
        promises::end(db, p.id).await?;
        let after = promises::get(db, p.id).await?;
        audit(db, None, "promise.end", "customer", Some(customer_id), Some(&p), after.as_ref()).await?;
        super::billing::settle_debt(db, customer_id, None, at).await?;
    }
    Ok(())
}

/// The promise counting now, for the card.
pub(crate) async fn active(
    db: &mut Db<'_>,
    customer_id: i64,
    at: DateTime<Utc>,
) -> Result<Option<PromisedPayment>> {
    Ok(promises::open_one(db, customer_id).await?.filter(|p| p.active_at(at)))
}

impl Service {
    /// The rules a promised payment must keep (the promise form says them).
    pub async fn promise_rules(&self, actor: &Actor) -> Result<PromiseRules> {
        self.require(actor, Permission::PromisePayment).await?;
        Ok(self.config.promise.clone())
    }

    /// Gives a customer a promised payment of `amount` for `days` days, if every rule allows;
    /// a refusal names the rule that stopped it.
    pub async fn promise_payment(
        &self,
        actor: &Actor,
        customer_id: i64,
        amount: Money,
        days: i64,
    ) -> Result<PromisedPayment> {
        self.require(actor, Permission::PromisePayment).await?;
        let rules = &self.config.promise;
        if !amount.is_positive() {
            return Err(ServiceError::invalid("amount", Problem::NotPositive));
        }
        if days < 1 {
            return Err(ServiceError::invalid("days", Problem::AtLeast(1)));
        }
        if amount > rules.max_amount {
            return Err(refused(PromiseRefusal::MaxAmount { max: rules.max_amount, asked: amount }));
        }
        if days > rules.max_days {
            return Err(refused(PromiseRefusal::MaxDays { max: rules.max_days, asked: days }));
        }
        let at = now();
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let c: Customer =
            customers::get_for_update(&mut db, customer_id).await?.ok_or_else(|| not_found(customer_id))?;
        end_if_due(&mut db, customer_id, at).await?;
        if let Some(p) = promises::open_one(&mut db, customer_id).await? {
            return Err(refused(PromiseRefusal::OneAtATime { amount: p.amount, until: p.expires_at }));
        }
        let this_month = promises::count_since(&mut db, customer_id, month_start(at)).await?;
        if this_month >= rules.per_month {
            return Err(refused(PromiseRefusal::PerMonth { count: this_month, max: rules.per_month }));
        }
        if c.balance <= rules.balance_floor {
            return Err(refused(PromiseRefusal::BalanceFloor {
                balance: c.balance,
                floor: rules.balance_floor,
            }));
        }
        let id = promises::insert(
            &mut db,
            customer_id,
            amount,
            days,
            at,
            at + Duration::days(days),
            actor.operator_id,
        )
        .await?;
        let p = promises::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Promise, format!("{id}")))?;
        audit::<(), _>(&mut db, Some(actor), "promise.add", "customer", Some(customer_id), None, Some(&p))
            .await?;
        super::billing::settle_debt(&mut db, customer_id, None, at).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// A customer's promised payments, newest first.
    pub async fn promises(&self, actor: &Actor, customer_id: i64) -> Result<Vec<PromisedPayment>> {
        self.require(actor, Permission::HistoryRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        customer_exists(&mut db, customer_id).await?;
        Ok(promises::list(&mut db, customer_id, None, None).await?)
    }

    /// Ends every promised payment whose time is up at `at` (`kassa promise expire`; also
    /// run by the system whenever the service starts). Returns those ended.
    pub async fn end_due_promises(
        &self,
        actor: Option<&Actor>,
        at: DateTime<Utc>,
    ) -> Result<Vec<PromisedPayment>> {
        if let Some(a) = actor {
            self.require(a, Permission::Maintenance).await?;
        }
        // a read first: a start with nothing due takes no write lock
        if promises::due(&mut self.store.read().await?.db(), at, 1).await?.is_empty() {
            return Ok(Vec::new());
        }
        let mut ended = Vec::new();
        loop {
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            let due = promises::due(&mut db, at, 500).await?;
            if due.is_empty() {
                return Ok(ended);
            }
            for p in due {
                if promises::end(&mut db, p.id).await? == 1 {
                    let after = promises::get(&mut db, p.id).await?;
                    audit(
                        &mut db,
                        actor,
                        "promise.end",
                        "customer",
                        Some(p.customer_id),
                        Some(&p),
                        after.as_ref(),
                    )
                    .await?;
                    super::billing::settle_debt(&mut db, p.customer_id, None, at).await?;
                    ended.extend(after);
                }
            }
            tx.commit().await?;
        }
    }

    /// Sets how far below zero a customer's balance may go (BILLmanager `creditlimit`).
    pub async fn set_credit_limit(&self, actor: &Actor, customer_id: i64, limit: Money) -> Result<Customer> {
        self.require(actor, Permission::CreditLimit).await?;
        if limit.is_negative() {
            return Err(ServiceError::invalid("credit_limit", Problem::Negative));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before =
            customers::get_for_update(&mut db, customer_id).await?.ok_or_else(|| not_found(customer_id))?;
        if before.credit_limit == limit {
            return Err(ServiceError::Conflict(Conflict::SameCreditLimit { customer: customer_id, limit }));
        }
        customers::set_credit_limit(&mut db, customer_id, limit).await?;
        super::billing::settle_debt(&mut db, customer_id, None, now()).await?;
        let after = customers::get(&mut db, customer_id).await?.ok_or_else(|| not_found(customer_id))?;
        audit(
            &mut db,
            Some(actor),
            "customer.credit_limit",
            "customer",
            Some(customer_id),
            Some(&before.credit_limit),
            Some(&after.credit_limit),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
