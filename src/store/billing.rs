//! Charging runs: the periods decided for each customer (`charges`), and the customers a run
//! walks through.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Db, Result};
use crate::domain::billing::Span;
use crate::q;

/// The counter holding the first day charging ever ran (days from the common era): periods
/// before it are never charged.
pub const EPOCH: &str = "billing_epoch";

/// The counter holding the billing day an administrator set (0: the config's `[billing] day`).
pub const BILLING_DAY: &str = "billing_day";

/// Customers whose ids follow `after`, in id order, with a tariff period or an extra service
/// due by `through` (those whose decided periods reach it already are left out by the query:
/// a run with nothing due reads the indexes and stops).
pub async fn customers_due(db: &mut Db<'_>, after: i64, through: NaiveDate, limit: i64) -> Result<Vec<i64>> {
    // two scans in id order, each stopping at `limit`, merged: a tariff not yet decided
    // through the day (read off the customer's row; on SQLite off the index holding just
    // that, see migration 0023), or a service whose date has come (off its own index alone:
    // joined to the customers to leave former ones out, PostgreSQL walked the whole customers
    // table for every batch; a former customer's services are left out by the batch instead)
    let walk = match db.backend() {
        super::Backend::Sqlite => "customers c INDEXED BY customers_charging",
        super::Backend::Postgres => "customers c",
    };
    let sql = format!(
        "SELECT id FROM (SELECT c.id FROM {walk} WHERE c.id > $1 AND NOT c.is_former \
             AND c.tariff_id IS NOT NULL AND (c.charged_through IS NULL OR c.charged_through < $2) \
             ORDER BY c.id LIMIT $3) AS t \
         UNION \
         SELECT id FROM (SELECT DISTINCT s.customer_id AS id FROM customer_services s \
             WHERE s.customer_id > $1 AND s.enabled AND s.next_charge_on <= $2 \
             ORDER BY s.customer_id LIMIT $3) AS s \
         ORDER BY id LIMIT $3"
    );
    db.fetch_all(q!(sql, after, through, limit)).await?.iter().map(|r| r.i64("id")).collect()
}

/// Customers after `after` whose block for debt disagrees with their money at `at` (owing and
/// not blocked, or blocked and not owing), in id order.
pub async fn block_mismatches(
    db: &mut Db<'_>,
    after: i64,
    at: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<i64>> {
    // two scans merged: owing and not blocked (the balance tested first, so the promise and
    // the block are looked up only for the few below zero), and blocked and not owing (from
    // the open blocks, a small index)
    const PROMISED: &str = "COALESCE((SELECT p.amount_minor FROM promised_payments p WHERE p.customer_id = c.id \
         AND p.ended_at IS NULL AND p.expires_at > $2 LIMIT 1), 0)";
    let sql = format!(
        "SELECT id FROM (SELECT c.id FROM customers c WHERE c.id > $1 AND NOT c.is_former \
             AND c.balance_minor + c.credit_limit_minor < 0 \
             AND c.balance_minor + c.credit_limit_minor + {PROMISED} < 0 \
             AND NOT EXISTS (SELECT 1 FROM debt_blocks b WHERE b.customer_id = c.id AND b.unblocked_at IS NULL) \
             ORDER BY c.id LIMIT $3) AS owing \
         UNION \
         SELECT id FROM (SELECT c.id FROM debt_blocks b JOIN customers c ON c.id = b.customer_id \
             WHERE b.unblocked_at IS NULL AND b.customer_id > $1 \
               AND (c.is_former OR c.balance_minor + c.credit_limit_minor + {PROMISED} >= 0) \
             ORDER BY c.id LIMIT $3) AS lifted \
         ORDER BY id LIMIT $3"
    );
    db.fetch_all(q!(sql, after, at, limit)).await?.iter().map(|r| r.i64("id")).collect()
}

/// The last day of the last tariff period decided for the customer.
pub async fn tariff_decided_until(db: &mut Db<'_>, customer_id: i64) -> Result<Option<NaiveDate>> {
    let row = db
        .fetch_optional(q!(
            "SELECT period_to FROM charges WHERE customer_id = $1 AND item = 'tariff' AND item_id = 0 \
             ORDER BY period_from DESC LIMIT 1",
            customer_id
        ))
        .await?;
    row.map(|r| r.opt_date("period_to")).transpose().map(Option::flatten)
}

/// What a run decided for one period.
pub struct Decision<'a> {
    pub customer_id: i64,
    pub span: Span,
    /// What is charged: the price less the discount.
    pub amount_minor: i64,
    /// The price before the discount.
    pub price_minor: i64,
    /// The discount it got (id) and what it took off.
    pub discount: Option<(i64, i64)>,
    /// The rate of tax included and the tax, when a rule is kept for the item.
    pub tax: Option<(i64, i64)>,
    /// The customer's state when it was not active (`pause`, `stop`): a stopped customer is
    /// never charged, a paused one only a tariff's fee for a pause.
    pub passed: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// What a period is charged for: the tariff (one item, whichever tariff it is), or one of the
/// customer's extra services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Tariff(i64),
    /// The customer's service (`customer_services.id`).
    Service(i64),
}

/// Records the decision for a period; `None` when that period was decided before (by an
/// earlier run, or a run at the same time): the caller then charges nothing.
pub async fn decide(db: &mut Db<'_>, item: Item, d: &Decision<'_>) -> Result<Option<i64>> {
    let (kind, item_id, tariff_id) = match item {
        Item::Tariff(t) => ("tariff", 0, Some(t)),
        Item::Service(s) => ("service", s, None),
    };
    let row = db
        .fetch_optional(q!(
            "INSERT INTO charges (customer_id, item, item_id, period_from, period_to, tariff_id, amount_minor, passed, \
               created_at, price_minor, discount_id, discount_minor, tax_rate_bp, tax_minor) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (customer_id, item, item_id, period_from) DO NOTHING RETURNING id",
            d.customer_id,
            kind,
            item_id,
            d.span.from,
            d.span.to,
            tariff_id,
            d.amount_minor,
            d.passed,
            d.at,
            d.price_minor,
            d.discount.map(|x| x.0),
            d.discount.map_or(0, |x| x.1),
            d.tax.map(|x| x.0),
            d.tax.map_or(0, |x| x.1)
        ))
        .await?;
    row.map(|r| r.i64("id")).transpose()
}

/// The tariff period decided for the customer that holds `day`: id, span, what was charged
/// and its ledger operation, the rate of tax it carried.
pub struct Decided {
    pub id: i64,
    pub span: Span,
    pub amount_minor: i64,
    pub ledger_id: Option<i64>,
    pub tax_rate_bp: Option<i64>,
    pub tariff_id: Option<i64>,
}

pub async fn tariff_charge_on(db: &mut Db<'_>, customer_id: i64, day: NaiveDate) -> Result<Option<Decided>> {
    let row = db
        .fetch_optional(q!(
            "SELECT id, period_from, period_to, amount_minor, ledger_id, tax_rate_bp, tariff_id FROM charges \
             WHERE customer_id = $1 AND item = 'tariff' AND item_id = 0 AND period_from <= $2 AND period_to >= $2",
            customer_id,
            day
        ))
        .await?;
    row.map(|r| {
        Ok(Decided {
            id: r.i64("id")?,
            span: Span { from: r.date("period_from")?, to: r.date("period_to")? },
            amount_minor: r.i64("amount_minor")?,
            ledger_id: r.opt_i64("ledger_id")?,
            tax_rate_bp: r.opt_i64("tax_rate_bp")?,
            tariff_id: r.opt_i64("tariff_id")?,
        })
    })
    .transpose()
}

/// Ends a decided period early: through `to`, for what is left of its amount and tax, the
/// rest (`credited_minor`) given back.
pub async fn shorten(
    db: &mut Db<'_>,
    id: i64,
    to: NaiveDate,
    amount_minor: i64,
    tax_minor: i64,
    credited_minor: i64,
) -> Result<()> {
    db.execute(q!(
        "UPDATE charges SET period_to = $1, amount_minor = $2, tax_minor = $3, credited_minor = credited_minor + $4 \
         WHERE id = $5",
        to,
        amount_minor,
        tax_minor,
        credited_minor,
        id
    ))
    .await?;
    Ok(())
}

/// Forgets a decided period (a change of tariff on its first day: it is decided again).
pub async fn forget(db: &mut Db<'_>, id: i64) -> Result<()> {
    db.execute(q!("DELETE FROM charges WHERE id = $1", id)).await?;
    Ok(())
}

/// Sets the customer's `charged_through` from the periods decided (after one was shortened
/// or forgotten).
pub async fn refresh_reach(db: &mut Db<'_>, customer_id: i64) -> Result<()> {
    db.execute(q!(
        "UPDATE customers SET charged_through = (SELECT MAX(ch.period_to) FROM charges ch \
           WHERE ch.customer_id = $1 AND ch.item = 'tariff' AND ch.item_id = 0) WHERE id = $1",
        customer_id
    ))
    .await?;
    Ok(())
}

/// Moves a customer's service to its next charge date.
pub async fn set_next_charge(db: &mut Db<'_>, customer_service_id: i64, next: NaiveDate) -> Result<()> {
    db.execute(q!(
        "UPDATE customer_services SET next_charge_on = $1 WHERE id = $2",
        next,
        customer_service_id
    ))
    .await?;
    Ok(())
}

/// Links a charge to the ledger operation that took its money.
pub async fn set_operation(db: &mut Db<'_>, charge_id: i64, ledger_id: i64) -> Result<()> {
    db.execute(q!("UPDATE charges SET ledger_id = $1 WHERE id = $2", ledger_id, charge_id)).await?;
    Ok(())
}

/// How many tariff periods were decided for the customer, and their charged sum (tests, checks).
pub async fn totals(db: &mut Db<'_>, customer_id: i64) -> Result<(i64, i64)> {
    let r = db
        .fetch_one(q!(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN passed IS NULL THEN amount_minor ELSE 0 END), 0) AS s \
             FROM charges WHERE customer_id = $1",
            customer_id
        ))
        .await?;
    Ok((r.i64("n")?, r.i64("s")?))
}

// ---- blocks for debt ---------------------------------------------------------------------

pub use crate::domain::billing::DebtBlock;

const BLOCK_COLUMNS: &str =
    "id, customer_id, blocked_at, blocked_by, available_minor, unblocked_at, unblocked_by";

fn block_from(r: &super::Row) -> Result<DebtBlock> {
    Ok(DebtBlock {
        id: r.i64("id")?,
        customer_id: r.i64("customer_id")?,
        blocked_at: r.ts("blocked_at")?,
        blocked_by: r.opt_i64("blocked_by")?,
        available: crate::domain::money::Money::from_minor(r.i64("available_minor")?),
        unblocked_at: r.opt_ts("unblocked_at")?,
        unblocked_by: r.opt_i64("unblocked_by")?,
    })
}

/// The customer's block in force, if any.
pub async fn open_block(db: &mut Db<'_>, customer_id: i64) -> Result<Option<DebtBlock>> {
    let sql =
        format!("SELECT {BLOCK_COLUMNS} FROM debt_blocks WHERE customer_id = $1 AND unblocked_at IS NULL");
    db.fetch_optional(q!(sql, customer_id)).await?.as_ref().map(block_from).transpose()
}

/// The customer's blocks, newest first.
pub async fn blocks(db: &mut Db<'_>, customer_id: i64, limit: i64) -> Result<Vec<DebtBlock>> {
    let sql =
        format!("SELECT {BLOCK_COLUMNS} FROM debt_blocks WHERE customer_id = $1 ORDER BY id DESC LIMIT $2");
    db.fetch_all(q!(sql, customer_id, limit)).await?.iter().map(block_from).collect()
}

pub async fn block(
    db: &mut Db<'_>,
    customer_id: i64,
    at: DateTime<Utc>,
    by: Option<i64>,
    available_minor: i64,
) -> Result<()> {
    db.execute(q!(
        "INSERT INTO debt_blocks (customer_id, blocked_at, blocked_by, available_minor) VALUES ($1, $2, $3, $4)",
        customer_id,
        at,
        by,
        available_minor
    ))
    .await?;
    Ok(())
}

/// Blocks many customers for debt: (customer, the operation that caused it, available then).
pub async fn block_many(db: &mut Db<'_>, blocks: &[(i64, i64, i64)], at: DateTime<Utc>) -> Result<()> {
    for chunk in blocks.chunks(1000) {
        let mut q = super::Q::new("");
        let at = q.push_bind(at);
        let rows: Vec<String> = chunk
            .iter()
            .map(|(c, by, available)| {
                format!("({}, {at}, {}, {})", q.push_bind(*c), q.push_bind(*by), q.push_bind(*available))
            })
            .collect();
        q.sql = format!(
            "INSERT INTO debt_blocks (customer_id, blocked_at, blocked_by, available_minor) VALUES {}",
            rows.join(", ")
        )
        .into();
        db.execute(q).await?;
    }
    Ok(())
}

pub async fn unblock(db: &mut Db<'_>, block_id: i64, at: DateTime<Utc>, by: Option<i64>) -> Result<()> {
    db.execute(q!(
        "UPDATE debt_blocks SET unblocked_at = $1, unblocked_by = $2 WHERE id = $3",
        at,
        by,
        block_id
    ))
    .await?;
    Ok(())
}

/// One customer's money as "paid until" is worked out from (`kassa billing due`).
pub struct MoneyLine {
    pub id: i64,
    pub agreement: Option<String>,
    pub name: String,
    pub balance_minor: i64,
    /// Balance + credit limit + an active promised payment.
    pub available_minor: i64,
    pub price_minor: i64,
    pub period: crate::domain::tariff::Period,
    pub charged_through: Option<NaiveDate>,
}

/// Active customers with a tariff after `after`, in id order, with their money at `at`.
pub async fn money_lines(
    db: &mut Db<'_>,
    after: i64,
    at: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<MoneyLine>> {
    let rows = db
        .fetch_all(q!(
            "SELECT c.id, c.agreement_number, c.name, c.balance_minor, \
               c.balance_minor + c.credit_limit_minor + COALESCE(p.amount_minor, 0) AS available_minor, \
               t.price_minor, t.period, \
               (SELECT MAX(ch.period_to) FROM charges ch WHERE ch.customer_id = c.id AND ch.item = 'tariff' \
                  AND ch.item_id = 0) AS charged_through \
             FROM customers c JOIN tariffs t ON t.id = c.tariff_id \
             LEFT JOIN promised_payments p ON p.customer_id = c.id AND p.ended_at IS NULL AND p.expires_at > $2 \
             WHERE c.id > $1 AND NOT c.is_former AND c.state = 2 \
             ORDER BY c.id LIMIT $3",
            after,
            at,
            limit
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let period_text = r.text("period")?;
            Ok(MoneyLine {
                id: r.i64("id")?,
                agreement: r.opt_text("agreement_number")?,
                name: r.text("name")?,
                balance_minor: r.i64("balance_minor")?,
                available_minor: r.i64("available_minor")?,
                price_minor: r.i64("price_minor")?,
                period: period_text.parse().map_err(|_| super::StoreError::Corrupt {
                    column: "period".into(),
                    value: period_text,
                })?,
                charged_through: r.opt_date("charged_through")?,
            })
        })
        .collect()
}

// ---- discounts and tax rules -------------------------------------------------------------

pub use crate::domain::billing::{Applies, Discount, Percent, TaxItem, TaxRule, Whom};

const DISCOUNT_COLUMNS: &str =
    "id, customer_id, group_id, percent_bp, applies_to, item_id, valid_from, valid_to, priority, comment";

fn discount_from(r: &super::Row) -> Result<Discount> {
    let whom = match (r.opt_i64("customer_id")?, r.opt_i64("group_id")?) {
        (Some(c), _) => Whom::Customer(c),
        (None, Some(g)) => Whom::Group(g),
        (None, None) => {
            return Err(super::StoreError::Corrupt { column: "customer_id".into(), value: "NULL".into() });
        }
    };
    let kind = r.text("applies_to")?;
    let applies = Applies::from_parts(&kind, r.opt_i64("item_id")?)
        .map_err(|_| super::StoreError::Corrupt { column: "applies_to".into(), value: kind })?;
    Ok(Discount {
        id: r.i64("id")?,
        whom,
        percent: Percent(r.i64("percent_bp")?),
        applies,
        from: r.date("valid_from")?,
        to: r.opt_date("valid_to")?,
        priority: r.i64("priority")?,
        comment: r.text("comment")?,
    })
}

pub async fn insert_discount(
    db: &mut Db<'_>,
    d: &Discount,
    at: DateTime<Utc>,
    by: Option<i64>,
) -> Result<i64> {
    let (customer_id, group_id) = match d.whom {
        Whom::Customer(c) => (Some(c), None),
        Whom::Group(g) => (None, Some(g)),
    };
    db.scalar_i64(q!(
        "INSERT INTO discounts (customer_id, group_id, percent_bp, applies_to, item_id, valid_from, valid_to, \
           priority, comment, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        customer_id,
        group_id,
        d.percent.0,
        d.applies.kind(),
        d.applies.item_id(),
        d.from,
        d.to,
        d.priority,
        &d.comment,
        at,
        by
    ))
    .await
}

pub async fn discount(db: &mut Db<'_>, id: i64) -> Result<Option<Discount>> {
    let sql = format!("SELECT {DISCOUNT_COLUMNS} FROM discounts WHERE id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(discount_from).transpose()
}

/// Every discount (ended ones too when `ended`; otherwise those still in force on `today` or
/// later), newest first.
pub async fn discounts(db: &mut Db<'_>, ended: bool, today: NaiveDate) -> Result<Vec<Discount>> {
    let sql = format!(
        "SELECT {DISCOUNT_COLUMNS} FROM discounts WHERE $1 OR valid_to IS NULL OR valid_to >= $2 ORDER BY id DESC"
    );
    db.fetch_all(q!(sql, ended, today)).await?.iter().map(discount_from).collect()
}

/// The discounts of one customer and of their group, ended ones too.
pub async fn discounts_of(db: &mut Db<'_>, customer_id: i64, group_id: Option<i64>) -> Result<Vec<Discount>> {
    let sql = format!(
        "SELECT {DISCOUNT_COLUMNS} FROM discounts WHERE customer_id = $1 OR ($2 IS NOT NULL AND group_id = $2) \
         ORDER BY id"
    );
    db.fetch_all(q!(sql, customer_id, group_id)).await?.iter().map(discount_from).collect()
}

/// Ends a discount on `to` (its last day).
pub async fn end_discount(db: &mut Db<'_>, id: i64, to: NaiveDate) -> Result<()> {
    db.execute(q!("UPDATE discounts SET valid_to = $1 WHERE id = $2", to, id)).await?;
    Ok(())
}

/// Removes a discount no charge got; how many rows went (0: a charge names it).
pub async fn delete_unused_discount(db: &mut Db<'_>, id: i64) -> Result<u64> {
    db.execute(q!(
        "DELETE FROM discounts WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM charges WHERE discount_id = $1)",
        id
    ))
    .await
}

/// Whether a group has discounts (it is then kept).
pub async fn group_has_discounts(db: &mut Db<'_>, group_id: i64) -> Result<bool> {
    Ok(db
        .fetch_optional(q!("SELECT 1 AS x FROM discounts WHERE group_id = $1 LIMIT 1", group_id))
        .await?
        .is_some())
}

pub async fn tax_rules(db: &mut Db<'_>) -> Result<Vec<TaxRule>> {
    db.fetch_all(q!("SELECT item, name, rate_bp FROM tax_rules ORDER BY item DESC"))
        .await?
        .iter()
        .map(|r| {
            Ok(TaxRule { item: r.parsed("item")?, name: r.text("name")?, rate: Percent(r.i64("rate_bp")?) })
        })
        .collect()
}

pub async fn set_tax_rule(db: &mut Db<'_>, rule: &TaxRule, at: DateTime<Utc>, by: Option<i64>) -> Result<()> {
    db.execute(q!(
        "INSERT INTO tax_rules (item, name, rate_bp, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (item) DO UPDATE SET name = excluded.name, rate_bp = excluded.rate_bp, \
           updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        rule.item.as_str(),
        &rule.name,
        rule.rate.0,
        at,
        by
    ))
    .await?;
    Ok(())
}

pub async fn delete_tax_rule(db: &mut Db<'_>, item: TaxItem) -> Result<u64> {
    db.execute(q!("DELETE FROM tax_rules WHERE item = $1", item.as_str())).await
}

/// One charge as the card shows it: what it was for, the discount it got, the tax it carried.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChargeLine {
    pub id: i64,
    pub item: String,
    pub span: Span,
    pub price: crate::domain::money::Money,
    pub amount: crate::domain::money::Money,
    pub discount_id: Option<i64>,
    pub discount: crate::domain::money::Money,
    pub tax_rate: Option<Percent>,
    pub tax: crate::domain::money::Money,
    /// Given back when a change of tariff cut the period short.
    pub credited: crate::domain::money::Money,
    pub passed: Option<String>,
    pub ledger_id: Option<i64>,
    /// What the history calls it.
    pub what: Option<String>,
}

/// The customer's newest charges.
pub async fn charge_lines(db: &mut Db<'_>, customer_id: i64, limit: i64) -> Result<Vec<ChargeLine>> {
    let rows = db
        .fetch_all(q!(
            "SELECT ch.id, ch.item, ch.period_from, ch.period_to, ch.amount_minor, ch.price_minor, ch.discount_id, \
               ch.discount_minor, ch.tax_rate_bp, ch.tax_minor, ch.credited_minor, ch.passed, ch.ledger_id, l.comment \
             FROM charges ch LEFT JOIN ledger l ON l.id = ch.ledger_id \
             WHERE ch.customer_id = $1 ORDER BY ch.period_from DESC, ch.id DESC LIMIT $2",
            customer_id,
            limit
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let amount = r.i64("amount_minor")?;
            let m = crate::domain::money::Money::from_minor;
            Ok(ChargeLine {
                id: r.i64("id")?,
                item: r.text("item")?,
                span: Span { from: r.date("period_from")?, to: r.date("period_to")? },
                price: m(r.opt_i64("price_minor")?.unwrap_or(amount)),
                amount: m(amount),
                discount_id: r.opt_i64("discount_id")?,
                discount: m(r.i64("discount_minor")?),
                tax_rate: r.opt_i64("tax_rate_bp")?.map(Percent),
                tax: m(r.i64("tax_minor")?),
                credited: m(r.i64("credited_minor")?),
                passed: r.opt_text("passed")?,
                ledger_id: r.opt_i64("ledger_id")?,
                what: r.opt_text("comment")?,
            })
        })
        .collect()
}

// ---- a charging run's batch: a few statements for many customers --------------------------

/// The last day of the last tariff period decided, for each of `ids` that has one: the
/// customer's `charged_through`, which every write of a tariff period keeps (and `kassa
/// check` holds equal to the periods in `charges`).
pub async fn decided_until_many(
    db: &mut Db<'_>,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, NaiveDate>> {
    let mut q = super::Q::new("");
    let list = q.push_ids(ids);
    q.sql = format!(
        "SELECT id, charged_through FROM customers WHERE id IN ({list}) AND charged_through IS NOT NULL"
    )
    .into();
    let mut out = std::collections::HashMap::new();
    for r in db.fetch_all(q).await? {
        if let Some(d) = r.opt_date("charged_through")? {
            out.insert(r.i64("id")?, d);
        }
    }
    Ok(out)
}

/// One period as a batch records it: the customer's, what for, its span and money, and the
/// ledger row that took the money (none for a period passed over or of no money).
pub struct BatchDecision<'a> {
    pub customer_id: i64,
    pub item: Item,
    pub decision: &'a Decision<'a>,
    pub ledger_id: Option<i64>,
}

fn item_parts(item: Item) -> (&'static str, i64, Option<i64>) {
    match item {
        Item::Tariff(t) => ("tariff", 0, Some(t)),
        Item::Service(s) => ("service", s, None),
    }
}

/// Records many decisions, a statement per thousand; the answer is how many were new (the
/// unique key leaves out a period decided before, or by a run at the same time).
pub async fn decide_many(db: &mut Db<'_>, rows: &[BatchDecision<'_>]) -> Result<u64> {
    let mut made = 0;
    if db.backend() == super::Backend::Postgres {
        // PostgreSQL: the rows as one JSON parameter, not fifteen parameters a row — a
        // statement of thousands of parameters costs more to parse and bind than to run
        for chunk in rows.chunks(5000) {
            let rows = json_rows(chunk.iter().map(|r| {
                let d = r.decision;
                let (kind, item_id, tariff_id) = item_parts(r.item);
                serde_json::json!({
                    "customer_id": r.customer_id, "item": kind, "item_id": item_id,
                    "period_from": d.span.from, "period_to": d.span.to, "tariff_id": tariff_id,
                    "amount_minor": d.amount_minor, "passed": d.passed, "created_at": d.at,
                    "price_minor": d.price_minor, "discount_id": d.discount.map(|x| x.0),
                    "discount_minor": d.discount.map_or(0, |x| x.1), "tax_rate_bp": d.tax.map(|x| x.0),
                    "tax_minor": d.tax.map_or(0, |x| x.1), "ledger_id": r.ledger_id,
                })
            }));
            made += db
                .execute(q!(
                    "INSERT INTO charges (customer_id, item, item_id, period_from, period_to, tariff_id, amount_minor, \
                       passed, created_at, price_minor, discount_id, discount_minor, tax_rate_bp, tax_minor, ledger_id) \
                     SELECT customer_id, item, item_id, period_from, period_to, tariff_id, amount_minor, passed, \
                       created_at, price_minor, discount_id, discount_minor, tax_rate_bp, tax_minor, ledger_id \
                     FROM jsonb_to_recordset(CAST($1 AS JSONB)) AS x(customer_id BIGINT, item TEXT, item_id BIGINT, \
                       period_from DATE, period_to DATE, tariff_id BIGINT, amount_minor BIGINT, passed TEXT, \
                       created_at TIMESTAMPTZ, price_minor BIGINT, discount_id BIGINT, discount_minor BIGINT, \
                       tax_rate_bp BIGINT, tax_minor BIGINT, ledger_id BIGINT) \
                     ON CONFLICT (customer_id, item, item_id, period_from) DO NOTHING",
                    rows
                ))
                .await?;
        }
        return Ok(made);
    }
    for chunk in rows.chunks(1000) {
        let mut q = super::Q::new("");
        let mut groups = Vec::with_capacity(chunk.len());
        for r in chunk {
            let d = r.decision;
            let (kind, item_id, tariff_id) = item_parts(r.item);
            let g = [
                q.push_bind(r.customer_id),
                q.push_bind(kind),
                q.push_bind(item_id),
                q.push_bind(d.span.from),
                q.push_bind(d.span.to),
                q.push_bind(tariff_id),
                q.push_bind(d.amount_minor),
                q.push_bind(d.passed),
                q.push_bind(d.at),
                q.push_bind(d.price_minor),
                q.push_bind(d.discount.map(|x| x.0)),
                q.push_bind(d.discount.map_or(0, |x| x.1)),
                q.push_bind(d.tax.map(|x| x.0)),
                q.push_bind(d.tax.map_or(0, |x| x.1)),
                q.push_bind(r.ledger_id),
            ];
            groups.push(format!("({})", g.join(", ")));
        }
        q.sql = format!(
            "INSERT INTO charges (customer_id, item, item_id, period_from, period_to, tariff_id, amount_minor, passed, \
               created_at, price_minor, discount_id, discount_minor, tax_rate_bp, tax_minor, ledger_id) VALUES {} \
             ON CONFLICT (customer_id, item, item_id, period_from) DO NOTHING",
            groups.join(", ")
        )
        .into();
        made += db.execute(q).await?;
    }
    Ok(made)
}

/// One charge's ledger operation as a batch writes it.
pub struct ChargeOperation {
    pub customer_id: i64,
    /// Below zero: money taken.
    pub amount_minor: i64,
    pub balance_before_minor: i64,
    pub comment: String,
}

/// Writes the operations, a statement per thousand (PostgreSQL: per five thousand, as one JSON
/// parameter, see `decide_many`); the answer: their ids, in the order of `ops`.
pub async fn write_charges(db: &mut Db<'_>, ops: &[ChargeOperation], at: DateTime<Utc>) -> Result<Vec<i64>> {
    use std::collections::HashMap;
    let postgres = db.backend() == super::Backend::Postgres;
    let mut out = Vec::with_capacity(ops.len());
    for chunk in ops.chunks(if postgres { 5000 } else { 1000 }) {
        let q = if postgres { charges_from_json(chunk, at) } else { charges_as_values(chunk, at) };
        // a customer's balance only falls within a batch of charges: (customer, balance
        // before) names one operation
        let mut ids: HashMap<(i64, i64), i64> = HashMap::new();
        for r in db.fetch_all(q).await? {
            ids.insert((r.i64("customer_id")?, r.i64("balance_before_minor")?), r.i64("id")?);
        }
        for op in chunk {
            let Some(id) = ids.get(&(op.customer_id, op.balance_before_minor)) else {
                return Err(super::StoreError::NotFound);
            };
            out.push(*id);
        }
    }
    Ok(out)
}

/// The insert of charge operations with a VALUES list, each value its own parameter.
fn charges_as_values(chunk: &[ChargeOperation], at: DateTime<Utc>) -> super::Q {
    let mut q = super::Q::new("");
    let groups: Vec<String> = chunk
        .iter()
        .map(|op| {
            let g = [
                q.push_bind(op.customer_id),
                q.push_bind(op.amount_minor),
                q.push_bind(op.balance_before_minor),
                q.push_bind(op.balance_before_minor + op.amount_minor),
                q.push_bind(op.comment.as_str()),
                q.push_bind(at),
            ];
            format!("({}, 'charge', {}, {}, {}, {}, {})", g[0], g[1], g[2], g[3], g[4], g[5])
        })
        .collect();
    q.sql = format!(
        "INSERT INTO ledger (customer_id, kind, amount_minor, balance_before_minor, balance_after_minor, \
           comment, created_at) VALUES {} RETURNING id, customer_id, balance_before_minor",
        groups.join(", ")
    )
    .into();
    q
}

/// PostgreSQL: the insert of charge operations from one JSON parameter.
fn charges_from_json(chunk: &[ChargeOperation], at: DateTime<Utc>) -> super::Q {
    let rows = json_rows(chunk.iter().map(|op| {
        serde_json::json!({"customer_id": op.customer_id, "amount_minor": op.amount_minor,
            "balance_before_minor": op.balance_before_minor, "comment": op.comment})
    }));
    q!(
        "INSERT INTO ledger (customer_id, kind, amount_minor, balance_before_minor, balance_after_minor, \
           comment, created_at) \
         SELECT customer_id, 'charge', amount_minor, balance_before_minor, balance_before_minor + amount_minor, \
           comment, $2 \
         FROM jsonb_to_recordset(CAST($1 AS JSONB)) \
           AS x(customer_id BIGINT, amount_minor BIGINT, balance_before_minor BIGINT, comment TEXT) \
         RETURNING id, customer_id, balance_before_minor",
        rows,
        at
    )
}

/// Rows as one JSON array, the text of a parameter `jsonb_to_recordset` reads on PostgreSQL.
fn json_rows(rows: impl Iterator<Item = serde_json::Value>) -> String {
    serde_json::Value::Array(rows.collect()).to_string()
}

/// Sets, for each customer a batch charged, the balance its charges left and how far its
/// tariff periods are now decided (`None`: as it was) — one statement per thousand.
pub async fn set_balances_and_reach(db: &mut Db<'_>, rows: &[(i64, i64, Option<NaiveDate>)]) -> Result<()> {
    if db.backend() == super::Backend::Postgres {
        // the rows as one JSON parameter (see `decide_many`)
        for chunk in rows.chunks(5000) {
            let rows = json_rows(
                chunk.iter().map(|(id, b, d)| serde_json::json!({"id": id, "balance": b, "through": d})),
            );
            db.execute(q!(
                "UPDATE customers SET balance_minor = v.balance, \
                   charged_through = COALESCE(v.through, customers.charged_through) \
                 FROM jsonb_to_recordset(CAST($1 AS JSONB)) AS v(id BIGINT, balance BIGINT, through DATE) \
                 WHERE customers.id = v.id",
                rows
            ))
            .await?;
        }
        return Ok(());
    }
    for chunk in rows.chunks(1000) {
        let mut q = super::Q::new("");
        let values: Vec<String> = chunk
            .iter()
            .map(|(id, b, d)| format!("({}, {}, {})", q.push_bind(*id), q.push_bind(*b), q.push_bind(*d)))
            .collect();
        q.sql = format!(
            "UPDATE customers SET balance_minor = v.column2, \
               charged_through = COALESCE(v.column3, customers.charged_through) \
             FROM (VALUES {}) AS v WHERE customers.id = v.column1",
            values.join(", ")
        )
        .into();
        db.execute(q).await?;
    }
    Ok(())
}

/// Moves many customers' services to their next charge dates.
pub async fn set_next_charges(db: &mut Db<'_>, next: &[(i64, NaiveDate)]) -> Result<()> {
    for chunk in next.chunks(1000) {
        let mut q = super::Q::new("");
        let rows: Vec<String> =
            chunk.iter().map(|(id, d)| format!("({}, {})", q.push_bind(*id), q.push_bind(*d))).collect();
        q.sql = format!(
            "UPDATE customer_services SET next_charge_on = v.column2 FROM (VALUES {}) AS v \
             WHERE customer_services.id = v.column1",
            rows.join(", ")
        )
        .into();
        db.execute(q).await?;
    }
    Ok(())
}

/// For each of `ids`: an active promised payment's amount at `at`, and whether a block for
/// debt is open.
pub async fn debt_standing(
    db: &mut Db<'_>,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<std::collections::HashMap<i64, (i64, Option<i64>)>> {
    let mut q = super::Q::new("");
    let at = q.push_bind(at);
    let list = q.push_ids(ids);
    q.sql = format!(
        "SELECT c.id, COALESCE((SELECT p.amount_minor FROM promised_payments p WHERE p.customer_id = c.id \
           AND p.ended_at IS NULL AND p.expires_at > {at} LIMIT 1), 0) AS promised, \
         (SELECT b.id FROM debt_blocks b WHERE b.customer_id = c.id AND b.unblocked_at IS NULL) AS block_id \
         FROM customers c WHERE c.id IN ({list})"
    )
    .into();
    let mut out = std::collections::HashMap::new();
    for r in db.fetch_all(q).await? {
        out.insert(r.i64("id")?, (r.i64("promised")?, r.opt_i64("block_id")?));
    }
    Ok(out)
}
