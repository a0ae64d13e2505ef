//! Charging runs (BILLmanager's daily expense run, Carbon's AUTO_ACCOUNT): for every customer
//! with a tariff, each tariff period that has come due — and each extra service on its own
//! date — is decided once: charged as one ledger operation of kind `charge` named for what it
//! is for («Оптима 200» 01.12–31.12.2026, скидка 10 %), or passed over when the customer is
//! stopped (or paused, unless the tariff has a fee for a pause). The decision is kept in
//! `charges` under a unique key, with its price, discount and tax, in the same transaction as
//! the money. So a run killed at any moment and run again, or two runs at once on two desks,
//! never charge twice and never skip, and a run after downtime catches up every missed period
//! in order.
//!
//! A batch of customers is planned in memory (`plan`: no database, the same answer whichever
//! run works it out) and written in a few statements. What kassa chose where the seeds are
//! silent is in README "Billing": periods due on their first day and charged whole in advance,
//! a first period charged for its days (half up), the tariff's current price, the best
//! discount only, the tax included and recorded, a change of tariff credited and charged for
//! the days left.

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

/// On PostgreSQL a batch locks only its own customers' rows (a payment to anyone else never
/// waits for it), and fewer, larger statements cost less: 1 000 customers a transaction.
const BATCH_POSTGRES: i64 = 1000;

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

impl BillingReport {
    fn empty(date: NaiveDate, dry_run: bool) -> BillingReport {
        BillingReport {
            date,
            dry_run,
            customers: 0,
            charged: 0,
            sum: Money::ZERO,
            passed: 0,
            blocks_settled: 0,
            tariff_changes: 0,
        }
    }
}

impl Service {
    /// Charges every period due up to and including `date` (the ISP's local day).
    pub async fn run_billing(&self, actor: &Actor, date: NaiveDate, dry_run: bool) -> Result<BillingReport> {
        self.require(actor, Permission::Maintenance).await?;
        self.charging_run(Some(actor), date, None, dry_run).await
    }

    /// A charging run up to `date`. `stamp` is the time written on its charges and blocks
    /// when it is not now: the demo runs the engine over its past months with each month's
    /// own time (and no operator, so no audit row of the run). Without `actor` no scheduled
    /// change of tariff is applied (only an operator's run does that).
    pub(crate) async fn charging_run(
        &self,
        actor: Option<&Actor>,
        date: NaiveDate,
        stamp: Option<DateTime<Utc>>,
        dry_run: bool,
    ) -> Result<BillingReport> {
        let epoch = self.billing_epoch(date, dry_run).await?;
        let run = {
            let mut tx = self.store.read().await?;
            let mut db = tx.db();
            let discounts = charges::discounts(&mut db, true, date).await?;
            RunContext::load(&mut db, self.config.billing_day, epoch, discounts).await?
        };
        let mut report = BillingReport::empty(date, dry_run);
        if !dry_run && let Some(actor) = actor {
            report.tariff_changes = self.apply_due_tariff_changes(actor, date).await?.len() as i64;
        }
        self.charge_all(date, stamp, &run, &mut report).await?;
        if !dry_run {
            report.blocks_settled = self.settle_all_blocks(stamp).await?;
        }
        if !dry_run && actor.is_some() {
            let mut tx = self.store.write().await?;
            audit::<(), _>(&mut tx.db(), actor, "billing.run", "billing", None, None, Some(&report)).await?;
            tx.commit().await?;
        }
        let operator = actor.map_or("", |a| a.login.as_str());
        tracing::info!(operator, %date, dry_run, customers = report.customers,
            charged = report.charged, sum = %report.sum, passed = report.passed, "charging run");
        Ok(report)
    }

    /// Charges every customer with something due by `date`, a batch a transaction (dry: one
    /// transaction per batch, rolled back).
    async fn charge_all(
        &self,
        date: NaiveDate,
        stamp: Option<DateTime<Utc>>,
        run: &RunContext,
        report: &mut BillingReport,
    ) -> Result<()> {
        let (batch, walk) = self.batch_and_walk();
        let mut after = 0;
        loop {
            let due = {
                let mut tx = self.store.read().await?;
                charges::customers_due(&mut tx.db(), after, date, walk).await?
            };
            let Some(last) = due.last() else { return Ok(()) };
            after = *last;
            for ids in due.chunks(batch) {
                let mut tx = self.store.write().await?;
                let mut db = tx.db();
                self.charge_batch(&mut db, ids, run, stamp.unwrap_or_else(now), report).await?;
                if !report.dry_run {
                    tx.commit().await?;
                }
            }
        }
    }

    /// How many customers a transaction of a run takes, and how many of them one walk over
    /// the customers finds. SQLite walks in steps of a batch (its walk reads a small index,
    /// see migration 0023); PostgreSQL finds them all in one walk, a sequential scan — stepping
    /// through the primary key a batch at a time visited the rows a heap page at a time, which
    /// cost a run with nothing due seconds on a million customers.
    fn batch_and_walk(&self) -> (usize, i64) {
        match self.store.backend() {
            crate::store::Backend::Postgres => (BATCH_POSTGRES as usize, i64::MAX),
            crate::store::Backend::Sqlite => (BATCH as usize, BATCH),
        }
    }

    /// The ISP's billing day: monthly periods begin on it. Set by an administrator (kept in
    /// the database, so every desk and every run agrees), else the config's `[billing] day`.
    pub async fn billing_day(&self, actor: &Actor) -> Result<u32> {
        self.require(actor, Permission::TariffRead).await?;
        billing_day_in(&mut self.store.read().await?.db(), self.config.billing_day).await
    }

    /// Sets the billing day (1–28). Periods already charged stay as they are; the next one
    /// runs from the day after them to the day before the new billing day, prorated, and
    /// whole months from the new day after it.
    pub async fn set_billing_day(&self, actor: &Actor, day: u32) -> Result<u32> {
        self.require(actor, Permission::TariffManage).await?;
        if !(1..=billing::MAX_BILLING_DAY).contains(&day) {
            return Err(ServiceError::invalid(
                "billing_day",
                crate::domain::problem::Problem::Range(1, i64::from(billing::MAX_BILLING_DAY)),
            ));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = billing_day_in(&mut db, self.config.billing_day).await?;
        counters::set(&mut db, charges::BILLING_DAY, i64::from(day)).await?;
        audit(&mut db, Some(actor), "billing.day", "billing", None, Some(&before), Some(&day)).await?;
        tx.commit().await?;
        Ok(day)
    }

    /// Active customers whose money pays for less than `days` more days after `today` (or is
    /// below zero already), in id order.
    pub async fn billing_due(&self, actor: &Actor, today: NaiveDate, days: i64) -> Result<Vec<DueCustomer>> {
        self.require(actor, Permission::CustomerRead).await?;
        if !(0..=366).contains(&days) {
            return Err(ServiceError::invalid("days", crate::domain::problem::Problem::Range(0, 366)));
        }
        let horizon = today + chrono::Duration::days(days);
        let billing_day = billing_day_in(&mut self.store.read().await?.db(), self.config.billing_day).await?;
        let (mut out, mut after) = (Vec::new(), 0);
        loop {
            let lines = charges::money_lines(&mut self.store.read().await?.db(), after, now(), 1000).await?;
            let Some(last) = lines.last() else { return Ok(out) };
            after = last.id;
            for l in lines {
                let paid_until = billing::paid_until(
                    l.period,
                    billing_day,
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
    async fn settle_all_blocks(&self, stamp: Option<DateTime<Utc>>) -> Result<i64> {
        let (mut after, mut settled) = (0, 0);
        let (batch, walk) = self.batch_and_walk();
        loop {
            let at = stamp.unwrap_or_else(now);
            let found =
                charges::block_mismatches(&mut self.store.read().await?.db(), after, at, walk).await?;
            let Some(last) = found.last() else { return Ok(settled) };
            after = *last;
            for ids in found.chunks(batch) {
                let mut tx = self.store.write().await?;
                let mut db = tx.db();
                for id in ids {
                    // the customer's row locked first, as every other path that moves money does
                    customers::get_for_update(&mut db, *id).await?;
                    settle_debt(&mut db, *id, None, at).await?;
                    settled += 1;
                }
                tx.commit().await?;
            }
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
            charges::shorten(
                db,
                old.id,
                today - chrono::Duration::days(1),
                kept.minor(),
                tax,
                credit.minor(),
            )
            .await?;
        }
        charges::refresh_reach(db, customer_id).await?;
        let epoch = match counters::get(db, charges::EPOCH).await? {
            0 => today,
            days => from_days(days).unwrap_or(today),
        };
        let discounts = charges::discounts_of(db, customer_id, c.group_id).await?;
        let run = RunContext::load(db, self.config.billing_day, epoch, discounts).await?;
        let mut report = BillingReport::empty(today, false);
        self.charge_batch(db, &[customer_id], &run, at, &mut report).await?;
        // the credit may lift a block the new charge did not set again
        settle_debt(db, customer_id, last_operation, at).await?;
        Ok(())
    }

    /// Charges the customers `ids` every period due up to the report's day (or, dry, counts
    /// them) in the caller's transaction: what each owes is planned in memory (`plan`), then
    /// written for the whole batch in a few statements — the decisions (the unique key keeps
    /// only those no run made before), the ledger rows of those with money, the balances,
    /// the services' next dates, the blocks for debt.
    async fn charge_batch(
        &self,
        db: &mut Db<'_>,
        ids: &[i64],
        run: &RunContext,
        at: DateTime<Utc>,
        report: &mut BillingReport,
    ) -> Result<()> {
        let (date, dry_run) = (report.date, report.dry_run);
        let list = customers::many_for_update(db, ids).await?;
        let decided = charges::decided_until_many(db, ids).await?;
        let mut services_of: HashMap<i64, Vec<crate::domain::extra_service::CustomerService>> =
            HashMap::new();
        for cs in services::due_of_many(db, ids, date).await? {
            services_of.entry(cs.customer_id).or_default().push(cs);
        }
        let plans: Vec<(&Customer, Plan)> = list
            .iter()
            .filter(|c| !c.is_former)
            .map(|c| {
                let tariff = c.tariff_id.and_then(|t| run.tariffs.get(&t));
                let start = match decided.get(&c.id) {
                    Some(until) => *until + chrono::Duration::days(1),
                    None => first_day(c, run.epoch),
                };
                let services = services_of.get(&c.id).map(Vec::as_slice).unwrap_or(&[]);
                let discounts = run.pricing.discounts_of(c);
                let plan = plan(c, tariff, start, services, &discounts, &run.pricing, run.billing_day, date);
                (c, plan)
            })
            .collect();
        report.customers += plans.len() as i64;
        if dry_run {
            for (_, p) in &plans {
                for x in &p.periods {
                    count(report, x.passed, x.amount);
                }
            }
            return Ok(());
        }
        // The money first: each period with an amount is one ledger row, the balance falling
        // from one to the next; then the decisions, each naming its row. The customers are
        // locked and what they had decided was read under that lock, so every decision planned
        // is new: one the unique key refuses means a writer that ignores the lock decided it
        // meanwhile, and the batch is undone whole (the next run charges it, once).
        let mut ops = Vec::new();
        // every period decided: its decision, and which of `ops` took its money
        let mut decisions: Vec<(Item, Decision, Option<usize>)> = Vec::new();
        // each customer charged: the balance left, and how far the tariff is now decided
        let mut reach: Vec<(i64, i64, Option<NaiveDate>)> = Vec::new();
        for (c, p) in &plans {
            let mut balance = c.balance.minor();
            let through =
                p.periods.iter().filter(|x| matches!(x.item, Item::Tariff(_))).map(|x| x.span.to).max();
            for x in &p.periods {
                count(report, x.passed, x.amount);
                let op = (x.amount.minor() > 0).then(|| {
                    ops.push(charges::ChargeOperation {
                        customer_id: c.id,
                        amount_minor: -x.amount.minor(),
                        balance_before_minor: balance,
                        comment: x.what.clone(),
                    });
                    balance -= x.amount.minor();
                    ops.len() - 1
                });
                let d = Decision {
                    customer_id: c.id,
                    span: x.span,
                    amount_minor: x.amount.minor(),
                    price_minor: x.price.minor(),
                    discount: x.discount,
                    tax: x.tax,
                    passed: x.passed,
                    at,
                };
                decisions.push((x.item, d, op));
            }
            if balance != c.balance.minor() || through.is_some() {
                reach.push((c.id, balance, through));
            }
        }
        let written = charges::write_charges(db, &ops, at).await?;
        // each customer's last operation: what a block for debt it comes to is caused by
        let last: HashMap<i64, i64> =
            ops.iter().zip(&written).map(|(op, id)| (op.customer_id, *id)).collect();
        let rows: Vec<charges::BatchDecision> = decisions
            .iter()
            .map(|(item, decision, op)| charges::BatchDecision {
                customer_id: decision.customer_id,
                item: *item,
                decision,
                ledger_id: op.map(|i| written[i]),
            })
            .collect();
        let made = charges::decide_many(db, &rows).await?;
        if made != rows.len() as u64 {
            tracing::warn!(
                planned = rows.len(),
                made,
                "periods decided by another writer meanwhile: batch undone"
            );
            return Err(ServiceError::Store(crate::store::StoreError::Busy));
        }
        charges::set_balances_and_reach(db, &reach).await?;
        let next: Vec<(i64, NaiveDate)> =
            plans.iter().flat_map(|(_, p)| p.next_charges.iter().copied()).collect();
        charges::set_next_charges(db, &next).await?;
        // blocks: only a customer whose money this batch moved can have come to owe
        let moved: Vec<i64> = last.keys().copied().collect();
        let balances: HashMap<i64, i64> = reach.iter().map(|r| (r.0, r.1)).collect();
        if !moved.is_empty() {
            let standing = charges::debt_standing(db, &moved, at).await?;
            let mut blocks = Vec::new();
            for (c, _) in &plans {
                let Some(by) = last.get(&c.id) else { continue };
                let (promised, block) = standing.get(&c.id).copied().unwrap_or((0, None));
                let balance = balances.get(&c.id).copied().unwrap_or(c.balance.minor());
                let available = balance + c.credit_limit.minor() + promised;
                match (available < 0, block) {
                    (true, None) => blocks.push((c.id, *by, available)),
                    (false, Some(b)) => charges::unblock(db, b, at, Some(*by)).await?,
                    _ => {}
                }
            }
            charges::block_many(db, &blocks, at).await?;
        }
        Ok(())
    }
}

/// The billing day in force: the one set in the database, else `configured`.
pub(crate) async fn billing_day_in(db: &mut Db<'_>, configured: u32) -> Result<u32> {
    let set = counters::get(db, charges::BILLING_DAY).await?;
    Ok(u32::try_from(set).ok().filter(|d| (1..=billing::MAX_BILLING_DAY).contains(d)).unwrap_or(configured))
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

/// What a run works with besides the customers: the first day charging ran, the tariffs by
/// id, the discounts and tax rules.
struct RunContext {
    billing_day: u32,
    epoch: NaiveDate,
    tariffs: HashMap<i64, crate::domain::tariff::Tariff>,
    pricing: Pricing,
}

impl RunContext {
    /// Reads the billing day in force, every tariff and the tax rules; `discounts` are those
    /// the run may give (all of them for a run, one customer's for a change of tariff).
    async fn load(
        db: &mut Db<'_>,
        configured_day: u32,
        epoch: NaiveDate,
        discounts: Vec<Discount>,
    ) -> Result<Self> {
        Ok(RunContext {
            billing_day: billing_day_in(db, configured_day).await?,
            epoch,
            tariffs: tariffs::list(db, true).await?.into_iter().map(|t| (t.id, t)).collect(),
            pricing: Pricing::new(discounts, charges::tax_rules(db).await?),
        })
    }
}

/// One period a run decides for a customer, worked out in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Planned {
    item: Item,
    span: Span,
    /// The price for the period (prorated; a paused customer's fee for a pause).
    price: Money,
    /// What is charged: the price less the discount.
    amount: Money,
    discount: Option<(i64, i64)>,
    tax: Option<(i64, i64)>,
    passed: Option<&'static str>,
    /// What the history calls the charge.
    what: String,
}

/// What a run decides for one customer: every period due, in order (the tariff's, then each
/// service's), and where each service's next charge date moves.
#[derive(Debug, Default)]
struct Plan {
    periods: Vec<Planned>,
    next_charges: Vec<(i64, NaiveDate)>,
}

/// Plans a customer's charges from `start` (the first tariff day not yet decided) up to
/// `date`: no database, the same answer for the same customer whichever run works it out.
#[allow(clippy::too_many_arguments)]
fn plan(
    c: &Customer,
    tariff: Option<&crate::domain::tariff::Tariff>,
    start: NaiveDate,
    services: &[crate::domain::extra_service::CustomerService],
    discounts: &[Discount],
    pricing: &Pricing,
    billing_day: u32,
    date: NaiveDate,
) -> Plan {
    let mut out = Plan::default();
    let price_of =
        |item: Item, charged: Charged, span: Span, (price, pause): (Money, Option<Money>), what: String| {
            let (passed, price) = match c.state {
                CustomerState::Active => (None, price),
                CustomerState::Pause => (Some("pause"), pause.unwrap_or(Money::ZERO)),
                CustomerState::Stop => (Some("stop"), Money::ZERO),
            };
            let discount =
                billing::best_discount(discounts, charged, span.from).filter(|_| price.minor() > 0);
            let (amount, off) = billing::discounted(price, discount.map(|d| d.percent));
            let tax = pricing.tax(charged).map(|r| (r.0, billing::tax_included(amount, r).minor()));
            let mut what = what;
            if amount.minor() > 0 && passed == Some("pause") {
                what.push_str(", пауза");
            }
            if let Some(d) = discount {
                what.push_str(&format!(", скидка {}", d.percent.format_ru()));
            }
            Planned {
                item,
                span,
                price,
                amount,
                discount: discount.map(|d| (d.id, off.minor())),
                tax,
                passed,
                what,
            }
        };
    if let Some(t) = tariff {
        for span in billing::due(t.period, billing_day, start, date) {
            // the first period of a customer may start before the customer does: its days only
            let charged = Span { from: span.from.max(start), to: span.to };
            let price = prorate(t.price, charged.days(), span.days());
            let pause = t.pause_price.map(|p| prorate(p, charged.days(), span.days()));
            let what = format!("«{}» {}", t.name, charged.short());
            out.periods.push(price_of(
                Item::Tariff(t.id),
                Charged::Tariff(t.id),
                charged,
                (price, pause),
                what,
            ));
        }
    }
    // extra services, each on its own next charge date, which then moves on
    for cs in services.iter().filter(|cs| cs.enabled) {
        let Some(mut next) = cs.next_charge_on else { continue };
        let price = Money::from_minor(cs.price.minor().saturating_mul(cs.quantity));
        let moved = next <= date;
        while next <= date {
            let to = match cs.period {
                Period::Month => next + chrono::Months::new(1) - chrono::Duration::days(1),
                Period::Day => next,
            };
            let span = Span { from: next, to };
            let quantity = if cs.quantity > 1 { format!(" ×{}", cs.quantity) } else { String::new() };
            let what = format!("«{}»{quantity} {}", cs.service_name, span.short());
            let item = Item::Service(cs.id);
            out.periods.push(price_of(item, Charged::Service(cs.service_id), span, (price, None), what));
            next = to + chrono::Duration::days(1);
        }
        if moved {
            out.next_charges.push((cs.id, next));
        }
    }
    out
}

/// Writes one ledger operation of kind charge — `amount` below zero takes money, above zero
/// gives it back (a change of tariff's credit) — and moves the customer's balance with it.
async fn write_charge(
    db: &mut Db<'_>,
    customer_id: i64,
    amount: Money,
    balance_before: Money,
    comment: String,
    at: DateTime<Utc>,
) -> Result<crate::domain::ledger::Operation> {
    let op = NewOperation {
        comment: Some(comment),
        ..NewOperation::bare(customer_id, OperationKind::Charge, amount, balance_before, at)
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
