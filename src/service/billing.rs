//! Charging runs (BILLmanager's daily expense run, Carbon's AUTO_ACCOUNT): for every customer
//! with a tariff, each tariff period that has come due is decided once — charged as one ledger
//! operation of kind `charge` named for what it is for («Оптима 200» 01.12–31.12.2026), or passed
//! over when the customer is paused or stopped — and the decision is kept in `charges` under a
//! unique key, in the same transaction as the money. So a run killed at any moment and run again,
//! or two runs at once on two desks, never charge twice and never skip, and a run after downtime
//! catches up every missed period in order.
//!
//! What kassa chose where the seeds are silent (README "Billing"): a period is due on its first
//! day and charged whole in advance; the first period of a customer (connected mid-period, or
//! when charging first ran) is charged for its days only, rounded to the kopeck half up; the
//! tariff's current price is charged; a paused or stopped customer is not charged and the
//! period is not owed later; former customers are not charged.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::{Actor, Result, Service, ServiceError, audit, now};
use crate::domain::billing::{self, Span, prorate};
use crate::domain::customer::{Customer, CustomerState};
use crate::domain::ledger::OperationKind;
use crate::domain::money::Money;
use crate::domain::role::Permission;
use crate::domain::tariff::Period;
use crate::store::billing::{self as charges, Decision, Item};
use crate::store::ledger::{self, NewOperation};
use crate::store::{Db, counters, customers, services, tariffs};

/// How many customers one transaction charges: small enough that a desk's payment waits for
/// at most one batch, large enough that a run over a million customers commits rarely.
const BATCH: i64 = 200;

/// What a charging run did (or, dry, would do).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BillingReport {
    pub date: NaiveDate,
    pub dry_run: bool,
    /// Customers with a tariff looked at.
    pub customers: i64,
    /// Periods charged, and their sum.
    pub charged: i64,
    pub sum: Money,
    /// Periods passed over (paused or stopped customers).
    pub passed: i64,
    /// Blocks for debt begun or lifted because the money said so (not by a charge of this run:
    /// a database from before blocking, a promise that ended).
    pub blocks_settled: i64,
}

/// A customer whose money runs out soon (`kassa billing due`): for the notification step.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DueCustomer {
    pub id: i64,
    pub agreement: Option<String>,
    pub name: String,
    pub balance: Money,
    /// Balance + credit limit + an active promised payment.
    pub available: Money,
    /// The last day the money pays for; none when it is below zero already.
    pub paid_until: Option<NaiveDate>,
}

impl Service {
    /// Charges every period due up to and including `date` (the ISP's local day).
    pub async fn run_billing(&self, actor: &Actor, date: NaiveDate, dry_run: bool) -> Result<BillingReport> {
        self.require(actor, Permission::Maintenance).await?;
        let epoch = self.billing_epoch(date, dry_run).await?;
        let mut report = BillingReport {
            date,
            dry_run,
            customers: 0,
            charged: 0,
            sum: Money::ZERO,
            passed: 0,
            blocks_settled: 0,
        };
        let mut after = 0;
        loop {
            let ids = {
                let mut tx = self.store.read().await?;
                charges::customers_due(&mut tx.db(), after, date, BATCH).await?
            };
            let Some(last) = ids.last() else { break };
            after = *last;
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            for id in ids {
                self.charge_customer(&mut db, id, date, epoch, dry_run, &mut report).await?;
            }
            if !dry_run {
                tx.commit().await?;
            }
        }
        if !dry_run {
            report.blocks_settled = self.settle_all_blocks().await?;
            let mut tx = self.store.write().await?;
            audit::<(), _>(&mut tx.db(), Some(actor), "billing.run", "billing", None, None, Some(&report))
                .await?;
            tx.commit().await?;
        }
        tracing::info!(operator = %actor.login, %date, dry_run, customers = report.customers,
            charged = report.charged, sum = %report.sum, passed = report.passed, "charging run");
        Ok(report)
    }

    /// Active customers whose money pays for less than `days` more days after `today` (or is
    /// below zero already), in id order.
    pub async fn billing_due(&self, actor: &Actor, today: NaiveDate, days: i64) -> Result<Vec<DueCustomer>> {
        self.require(actor, Permission::CustomerRead).await?;
        if !(0..=366).contains(&days) {
            return Err(ServiceError::invalid("days", crate::domain::problem::Problem::Range(0, 366)));
        }
        let horizon = today + chrono::Duration::days(days);
        let (mut out, mut after) = (Vec::new(), 0);
        loop {
            let lines = charges::money_lines(&mut self.store.read().await?.db(), after, now(), 1000).await?;
            let Some(last) = lines.last() else { return Ok(out) };
            after = last.id;
            for l in lines {
                let paid_until = billing::paid_until(
                    l.period,
                    self.config.billing_day,
                    Money::from_minor(l.price_minor),
                    Money::from_minor(l.available_minor),
                    l.charged_through,
                    today,
                );
                let runs_out = match paid_until {
                    Some(d) => d < horizon,
                    // a free tariff never runs out; money below zero already has
                    None => l.price_minor > 0,
                };
                if runs_out {
                    out.push(DueCustomer {
                        id: l.id,
                        agreement: l.agreement,
                        name: l.name,
                        balance: Money::from_minor(l.balance_minor),
                        available: Money::from_minor(l.available_minor),
                        paid_until,
                    });
                }
            }
        }
    }

    /// The customer's blocks for debt, newest first: when each began and ended, and by what.
    pub async fn debt_blocks(
        &self,
        actor: &Actor,
        customer_id: i64,
    ) -> Result<Vec<crate::domain::billing::DebtBlock>> {
        self.require(actor, Permission::HistoryRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        super::customer_exists(&mut db, customer_id).await?;
        Ok(charges::blocks(&mut db, customer_id, 100).await?)
    }

    /// Settles every block that disagrees with the customer's money (a database that had
    /// debtors before blocking existed gets its blocks on the first run); how many changed.
    async fn settle_all_blocks(&self) -> Result<i64> {
        let (mut after, mut settled) = (0, 0);
        loop {
            let at = now();
            let ids = charges::block_mismatches(&mut self.store.read().await?.db(), after, at, BATCH).await?;
            let Some(last) = ids.last() else { return Ok(settled) };
            after = *last;
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            for id in ids {
                // the customer's row locked first, as every other path that moves money does
                customers::get_for_update(&mut db, id).await?;
                settle_debt(&mut db, id, None, at).await?;
                settled += 1;
            }
            tx.commit().await?;
        }
    }

    /// The first day charging ever ran: set by the first real run, so periods before it are
    /// never charged (a database full of history is not billed for its past).
    async fn billing_epoch(&self, date: NaiveDate, dry_run: bool) -> Result<NaiveDate> {
        let days = i64::from(date.num_days_from_ce());
        let stored = {
            let mut tx = self.store.read().await?;
            counters::get(&mut tx.db(), charges::EPOCH).await?
        };
        if stored > 0 {
            return Ok(from_days(stored).unwrap_or(date));
        }
        if !dry_run {
            let mut tx = self.store.write().await?;
            counters::raise_to(&mut tx.db(), charges::EPOCH, days).await?;
            // a run at the same time may have set an earlier one
            let set = counters::get(&mut tx.db(), charges::EPOCH).await?;
            tx.commit().await?;
            return Ok(from_days(set).unwrap_or(date));
        }
        Ok(date)
    }

    async fn charge_customer(
        &self,
        db: &mut Db<'_>,
        id: i64,
        date: NaiveDate,
        epoch: NaiveDate,
        dry_run: bool,
        report: &mut BillingReport,
    ) -> Result<()> {
        let Some(c) = customers::get_for_update(db, id).await? else { return Ok(()) };
        if c.is_former {
            return Ok(());
        }
        report.customers += 1;
        let mut ch = Charger { customer: &c, balance: c.balance, last_operation: None, at: now(), dry_run };
        if let Some(tariff) = match c.tariff_id {
            Some(t) => tariffs::get(db, t).await?,
            None => None,
        } {
            let start = match charges::tariff_decided_until(db, id).await? {
                Some(until) => until + chrono::Duration::days(1),
                None => first_day(&c, epoch),
            };
            for span in billing::due(tariff.period, self.config.billing_day, start, date) {
                // the first period of a customer may start before the customer does: its days only
                let charged = Span { from: span.from.max(start), to: span.to };
                let price = prorate(tariff.price, charged.days(), span.days());
                let what = format!("«{}» {}", tariff.name, charged.short());
                ch.period(db, report, Item::Tariff(tariff.id), charged, price, what).await?;
            }
        }
        // extra services, each on its own next charge date, which then moves on
        for cs in services::of_customer(db, id).await? {
            let Some(mut next) = cs.next_charge_on.filter(|_| cs.enabled) else { continue };
            let price = Money::from_minor(cs.price.minor().saturating_mul(cs.quantity));
            while next <= date {
                let to = match cs.period {
                    Period::Month => next + chrono::Months::new(1) - chrono::Duration::days(1),
                    Period::Day => next,
                };
                let span = Span { from: next, to };
                let quantity = if cs.quantity > 1 { format!(" ×{}", cs.quantity) } else { String::new() };
                let what = format!("«{}»{quantity} {}", cs.service_name, span.short());
                ch.period(db, report, Item::Service(cs.id), span, price, what).await?;
                next = to + chrono::Duration::days(1);
                if !dry_run {
                    charges::set_next_charge(db, cs.id, next).await?;
                }
            }
        }
        if ch.last_operation.is_some() {
            settle_debt(db, id, ch.last_operation, ch.at).await?;
        }
        Ok(())
    }
}

/// Blocks the customer for debt, or lifts the block, as their money now stands (balance +
/// credit limit + an active promised payment below zero: blocked), in the caller's transaction
/// — the one that moved the money, so a payment that lifts a block lifts it as it commits.
/// `by` is the operation that moved it, when one did.
pub(crate) async fn settle_debt(
    db: &mut Db<'_>,
    customer_id: i64,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(c) = customers::get(db, customer_id).await? else { return Ok(()) };
    let promised = super::promises::active(db, customer_id, at).await?.map_or(0, |p| p.amount.minor());
    let available = c.balance.minor() + c.credit_limit.minor() + promised;
    // a former customer is not blocked: they are gone from every export already
    let owes = available < 0 && !c.is_former;
    match (owes, charges::open_block(db, customer_id).await?) {
        (true, None) => {
            charges::block(db, customer_id, at, by, available).await?;
            tracing::info!(customer = customer_id, available, "blocked for debt");
        }
        (false, Some(b)) => {
            charges::unblock(db, b.id, at, by).await?;
            tracing::info!(customer = customer_id, available, "debt block lifted");
        }
        _ => {}
    }
    Ok(())
}

/// One customer's charging within a run: the balance as it moves, the last operation written.
struct Charger<'c> {
    customer: &'c Customer,
    balance: Money,
    last_operation: Option<i64>,
    at: DateTime<Utc>,
    dry_run: bool,
}

impl Charger<'_> {
    /// Decides one period of `item`: charged `price` (named `what` in the history), or passed
    /// over when the customer is paused or stopped; nothing when another run decided it.
    async fn period(
        &mut self,
        db: &mut Db<'_>,
        report: &mut BillingReport,
        item: Item,
        span: Span,
        price: Money,
        what: String,
    ) -> Result<()> {
        let passed = match self.customer.state {
            CustomerState::Active => None,
            CustomerState::Pause => Some("pause"),
            CustomerState::Stop => Some("stop"),
        };
        let amount = if passed.is_some() { Money::ZERO } else { price };
        if self.dry_run {
            count(report, passed, amount);
            return Ok(());
        }
        let customer_id = self.customer.id;
        let decision = Decision { customer_id, span, amount_minor: amount.minor(), passed, at: self.at };
        let Some(charge_id) = charges::decide(db, item, &decision).await? else { return Ok(()) };
        count(report, passed, amount);
        if passed.is_some() || amount == Money::ZERO {
            return Ok(());
        }
        let op = NewOperation {
            customer_id,
            kind: OperationKind::Charge,
            amount: Money::from_minor(-amount.minor()),
            balance_before: self.balance,
            method: None,
            receipt_number: None,
            comment: Some(what),
            operator_id: None,
            created_at: self.at,
            reverses_id: None,
            idempotency_key: None,
            linked_id: None,
        };
        let written = ledger::insert(db, &op, None)
            .await?
            .ok_or_else(|| ServiceError::Store(crate::store::StoreError::NotFound))?;
        self.balance = Money::from_minor(self.balance.minor() - amount.minor());
        customers::set_balance(db, customer_id, self.balance).await?;
        charges::set_operation(db, charge_id, written.id).await?;
        self.last_operation = Some(written.id);
        Ok(())
    }
}

fn count(report: &mut BillingReport, passed: Option<&str>, amount: Money) {
    if passed.is_some() {
        report.passed += 1;
    } else {
        report.charged += 1;
        report.sum = Money::from_minor(report.sum.minor() + amount.minor());
    }
}

/// Where charging begins for a customer nothing was charged for yet: the day they were
/// connected (or added), but never before charging first ran.
fn first_day(c: &Customer, epoch: NaiveDate) -> NaiveDate {
    let joined = c.date_connect.unwrap_or_else(|| crate::domain::dates::local(c.created_at).date_naive());
    joined.max(epoch)
}

fn from_days(days: i64) -> Option<NaiveDate> {
    i32::try_from(days).ok().and_then(NaiveDate::from_num_days_from_ce_opt)
}
