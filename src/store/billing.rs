//! Charging runs: the periods decided for each customer (`charges`), and the customers a run
//! walks through.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Db, Result};
use crate::domain::billing::Span;
use crate::q;

/// The counter holding the first day charging ever ran (days from the common era): periods
/// before it are never charged.
pub const EPOCH: &str = "billing_epoch";

/// Customers whose ids follow `after`, in id order, with a tariff period or an extra service
/// due by `through` (those whose decided periods reach it already are left out by the query:
/// a run with nothing due reads the indexes and stops).
pub async fn customers_due(db: &mut Db<'_>, after: i64, through: NaiveDate, limit: i64) -> Result<Vec<i64>> {
    db.fetch_all(q!(
        "SELECT c.id FROM customers c WHERE c.id > $1 AND NOT c.is_former AND ( \
           (c.tariff_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM charges ch WHERE ch.customer_id = c.id \
             AND ch.item = 'tariff' AND ch.item_id = 0 AND ch.period_to >= $2)) \
           OR EXISTS (SELECT 1 FROM customer_services s WHERE s.customer_id = c.id AND s.enabled \
             AND s.next_charge_on <= $2)) \
         ORDER BY c.id LIMIT $3",
        after,
        through,
        limit
    ))
    .await?
    .iter()
    .map(|r| r.i64("id"))
    .collect()
}

/// Customers after `after` whose block for debt disagrees with their money at `at` (owing and
/// not blocked, or blocked and not owing), in id order.
pub async fn block_mismatches(
    db: &mut Db<'_>,
    after: i64,
    at: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<i64>> {
    db.fetch_all(q!(
        "SELECT c.id FROM customers c \
         LEFT JOIN promised_payments p ON p.customer_id = c.id AND p.ended_at IS NULL AND p.expires_at > $2 \
         WHERE c.id > $1 AND \
           (CASE WHEN NOT c.is_former AND c.balance_minor + c.credit_limit_minor + COALESCE(p.amount_minor, 0) < 0 \
             THEN 1 ELSE 0 END) <> \
           (CASE WHEN EXISTS (SELECT 1 FROM debt_blocks b WHERE b.customer_id = c.id AND b.unblocked_at IS NULL) \
             THEN 1 ELSE 0 END) \
         ORDER BY c.id LIMIT $3",
        after,
        at,
        limit
    ))
    .await?
    .iter()
    .map(|r| r.i64("id"))
    .collect()
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
    pub amount_minor: i64,
    /// Why nothing was charged (`pause`, `stop`), when nothing was.
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
            "INSERT INTO charges (customer_id, item, item_id, period_from, period_to, tariff_id, amount_minor, passed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (customer_id, item, item_id, period_from) DO NOTHING RETURNING id",
            d.customer_id,
            kind,
            item_id,
            d.span.from,
            d.span.to,
            tariff_id,
            d.amount_minor,
            d.passed,
            d.at
        ))
        .await?;
    row.map(|r| r.i64("id")).transpose()
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
