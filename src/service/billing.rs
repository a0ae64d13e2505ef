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
use std::collections::HashMap;

use crate::domain::billing::{self, Charged, Discount, Percent, Span, TaxRule, Whom, prorate};
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
    /// Periods passed over (stopped customers, paused ones whose tariff has no fee for a pause).
    pub passed: i64,
    /// Blocks for debt begun or lifted because the money said so (not by a charge of this run:
    /// a database from before blocking, a promise that ended).
    pub blocks_settled: i64,
    /// Scheduled changes of tariff ("from the next period") applied before charging, so the new
    /// period is charged at the new tariff.
    pub tariff_changes: i64,
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
        let pricing = {
            let mut tx = self.store.read().await?;
            let mut db = tx.db();
            Pricing::new(charges::discounts(&mut db, true, date).await?, charges::tax_rules(&mut db).await?)
        };
        let mut report = BillingReport {
            date,
            dry_run,
            customers: 0,
            charged: 0,
            sum: Money::ZERO,
            passed: 0,
            blocks_settled: 0,
            tariff_changes: 0,
        };
        if !dry_run {
            report.tariff_changes = self.apply_due_tariff_changes(actor, date).await?.len() as i64;
        }
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
                self.charge_customer(&mut db, id, epoch, &pricing, &mut report).await?;
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

    /// The ISP's billing day (`[billing] day`): monthly periods begin on it.
    pub fn billing_day(&self) -> u32 {
        self.config.billing_day
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

    /// After a change of tariff now (in its transaction, the customer's row locked): the rest
    /// of the period charged at the old tariff, from `today` on, is credited — the same share
    /// of what was charged as the days left are of the period's, so the part kept and the part
    /// credited add up to the charge — and the new tariff is charged for those days, as a
    /// charging run would. Nothing when no period holding today was charged yet (the next run
    /// charges the new tariff).
    pub(crate) async fn reprice_from(
        &self,
        db: &mut Db<'_>,
        customer_id: i64,
        today: NaiveDate,
    ) -> Result<()> {
        let Some(old) = charges::tariff_charge_on(db, customer_id, today).await? else { return Ok(()) };
        let Some(c) = customers::get(db, customer_id).await? else { return Ok(()) };
        let at = now();
        let left = Span { from: today, to: old.span.to };
        let credit = prorate(Money::from_minor(old.amount_minor), left.days(), old.span.days());
        let mut last_operation = None;
        if credit.minor() > 0 {
            let name = match old.tariff_id {
                Some(t) => tariffs::get(db, t).await?.map(|t| t.name).unwrap_or_default(),
                None => String::new(),
            };
            let comment = format!("Возврат за «{name}» {}: смена тарифа", left.short());
            let written = write_charge(db, customer_id, credit, c.balance, comment, at).await?;
            last_operation = Some(written.id);
        }
        if today == old.span.from {
            charges::forget(db, old.id).await?;
        } else {
            let kept = Money::from_minor(old.amount_minor - credit.minor());
            let tax = old.tax_rate_bp.map_or(0, |r| billing::tax_included(kept, Percent(r)).minor());
            charges::shorten(db, old.id, today - chrono::Duration::days(1), kept.minor(), tax).await?;
        }
        let epoch = match counters::get(db, charges::EPOCH).await? {
            0 => today,
            days => from_days(days).unwrap_or(today),
        };
        let pricing = Pricing::new(
            charges::discounts_of(db, customer_id, c.group_id).await?,
            charges::tax_rules(db).await?,
        );
        let mut report = BillingReport {
            date: today,
            dry_run: false,
            customers: 0,
            charged: 0,
            sum: Money::ZERO,
            passed: 0,
            blocks_settled: 0,
            tariff_changes: 0,
        };
        self.charge_customer(db, customer_id, epoch, &pricing, &mut report).await?;
        // the credit may lift a block the new charge did not set again
        settle_debt(db, customer_id, last_operation, at).await?;
        Ok(())
    }

    /// Charges one customer every period due up to the report's day (or, dry, counts them).
    async fn charge_customer(
        &self,
        db: &mut Db<'_>,
        id: i64,
        epoch: NaiveDate,
        pricing: &Pricing,
        report: &mut BillingReport,
    ) -> Result<()> {
        let (date, dry_run) = (report.date, report.dry_run);
        let Some(c) = customers::get_for_update(db, id).await? else { return Ok(()) };
        if c.is_former {
            return Ok(());
        }
        report.customers += 1;
        let discounts = pricing.discounts_of(&c);
        let mut ch = Charger {
            customer: &c,
            balance: c.balance,
            last_operation: None,
            at: now(),
            dry_run,
            discounts: &discounts,
            pricing,
        };
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
                let pause = tariff.pause_price.map(|p| prorate(p, charged.days(), span.days()));
                let what = format!("«{}» {}", tariff.name, charged.short());
                let item = Item::Tariff(tariff.id);
                ch.period(db, report, (item, Charged::Tariff(tariff.id)), charged, (price, pause), what)
                    .await?;
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
                let item = (Item::Service(cs.id), Charged::Service(cs.service_id));
                ch.period(db, report, item, span, (price, None), what).await?;
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

/// The discounts and tax rules a run charges by, read once at its start.
struct Pricing {
    by_customer: HashMap<i64, Vec<Discount>>,
    by_group: HashMap<i64, Vec<Discount>>,
    taxes: Vec<TaxRule>,
}

impl Pricing {
    fn new(discounts: Vec<Discount>, taxes: Vec<TaxRule>) -> Pricing {
        let (mut by_customer, mut by_group) = (HashMap::new(), HashMap::new());
        for d in discounts {
            match d.whom {
                Whom::Customer(c) => by_customer.entry(c).or_insert_with(Vec::new).push(d),
                Whom::Group(g) => by_group.entry(g).or_insert_with(Vec::new).push(d),
            }
        }
        Pricing { by_customer, by_group, taxes }
    }

    /// The customer's own discounts and their group's.
    fn discounts_of(&self, c: &Customer) -> Vec<Discount> {
        let own = self.by_customer.get(&c.id).into_iter().flatten();
        let group = c.group_id.and_then(|g| self.by_group.get(&g)).into_iter().flatten();
        own.chain(group).cloned().collect()
    }

    fn tax(&self, item: Charged) -> Option<Percent> {
        self.taxes.iter().find(|t| t.item == item.kind()).map(|t| t.rate)
    }
}

/// One customer's charging within a run: the balance as it moves, the last operation written.
struct Charger<'c> {
    customer: &'c Customer,
    balance: Money,
    last_operation: Option<i64>,
    at: DateTime<Utc>,
    dry_run: bool,
    discounts: &'c [Discount],
    pricing: &'c Pricing,
}

impl Charger<'_> {
    /// Decides one period of `item`: charged its price (the first of `prices`; a paused
    /// customer the second, a tariff's fee for a pause, if any) less the best discount, with
    /// the tax rule's tax recorded, named `what` in the history; or passed over when the
    /// customer is stopped or paused without a fee. Nothing when another run decided it.
    async fn period(
        &mut self,
        db: &mut Db<'_>,
        report: &mut BillingReport,
        (item, charged): (Item, Charged),
        span: Span,
        (price, pause_price): (Money, Option<Money>),
        mut what: String,
    ) -> Result<()> {
        let (passed, price) = match self.customer.state {
            CustomerState::Active => (None, price),
            CustomerState::Pause => (Some("pause"), pause_price.unwrap_or(Money::ZERO)),
            CustomerState::Stop => (Some("stop"), Money::ZERO),
        };
        let discount =
            billing::best_discount(self.discounts, charged, span.from).filter(|_| price.minor() > 0);
        let (amount, off) = billing::discounted(price, discount.map(|d| d.percent));
        let rate = self.pricing.tax(charged);
        let tax = rate.map(|r| (r.0, billing::tax_included(amount, r).minor()));
        if self.dry_run {
            count(report, passed, amount);
            return Ok(());
        }
        let customer_id = self.customer.id;
        let decision = Decision {
            customer_id,
            span,
            amount_minor: amount.minor(),
            price_minor: price.minor(),
            discount: discount.map(|d| (d.id, off.minor())),
            tax,
            passed,
            at: self.at,
        };
        let Some(charge_id) = charges::decide(db, item, &decision).await? else { return Ok(()) };
        count(report, passed, amount);
        if amount == Money::ZERO {
            return Ok(());
        }
        if passed == Some("pause") {
            what.push_str(", пауза");
        }
        if let Some(d) = discount {
            what.push_str(&format!(", скидка {}", d.percent.format_ru()));
        }
        let written =
            write_charge(db, customer_id, Money::from_minor(-amount.minor()), self.balance, what, self.at)
                .await?;
        self.balance = written.balance_after;
        charges::set_operation(db, charge_id, written.id).await?;
        self.last_operation = Some(written.id);
        Ok(())
    }
}

/// Writes one ledger operation of kind charge — `amount` below zero takes money, above zero
/// gives it back — and moves the customer's balance with it.
async fn write_charge(
    db: &mut Db<'_>,
    customer_id: i64,
    amount: Money,
    balance_before: Money,
    comment: String,
    at: DateTime<Utc>,
) -> Result<crate::domain::ledger::Operation> {
    let op = NewOperation {
        customer_id,
        kind: OperationKind::Charge,
        amount,
        balance_before,
        method: None,
        receipt_number: None,
        comment: Some(comment),
        operator_id: None,
        created_at: at,
        reverses_id: None,
        idempotency_key: None,
        linked_id: None,
    };
    let written = ledger::insert(db, &op, None)
        .await?
        .ok_or_else(|| ServiceError::Store(crate::store::StoreError::NotFound))?;
    customers::set_balance(db, customer_id, written.balance_after).await?;
    Ok(written)
}

fn count(report: &mut BillingReport, passed: Option<&str>, amount: Money) {
    if passed.is_some() && amount == Money::ZERO {
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
