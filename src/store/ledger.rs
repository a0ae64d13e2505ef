//! The ledger table: append-only; the cached balance on the customer moves in the same
//! transaction as every row appended here.

use chrono::{DateTime, Utc};

use super::{Db, Q, Result, Row};
use crate::domain::ledger::{Operation, OperationKind, PaymentMethod};
use crate::domain::money::Money;
use crate::q;

const SELECT: &str = "SELECT l.id, l.customer_id, l.kind, l.amount_minor, l.balance_before_minor, \
    l.balance_after_minor, l.method, l.receipt_number, l.comment, l.operator_id, o.login AS operator_login, \
    l.created_at, l.reverses_id, l.idempotency_key, l.desk, l.shift_id, l.received_minor, \
    l.paid_on, l.document_number, l.document_date, l.payer, \
    (SELECT r.id FROM ledger r WHERE r.reverses_id = l.id) AS reversed_by, \
    CASE WHEN l.method IS NOT NULL THEN COALESCE(l.method_code, l.method) END AS method_code, pm.name AS method_name, \
    l.refund_of, l.rko_number, \
    CASE WHEN l.kind = 'payment' THEN (SELECT CAST(COALESCE(SUM(-r.amount_minor), 0) AS BIGINT) FROM ledger r \
      WHERE r.refund_of = l.id) ELSE 0 END AS refunded_minor \
    FROM ledger l LEFT JOIN operators o ON o.id = l.operator_id \
    LEFT JOIN payment_methods pm ON pm.code = COALESCE(l.method_code, l.method)";

fn from_row(r: &Row) -> Result<Operation> {
    let method = match r.opt_text("method")? {
        Some(m) => Some(
            m.parse::<PaymentMethod>()
                .map_err(|_| super::StoreError::Corrupt { column: "method".into(), value: m })?,
        ),
        None => None,
    };
    Ok(Operation {
        id: r.i64("id")?,
        customer_id: r.i64("customer_id")?,
        kind: r.parsed::<OperationKind>("kind")?,
        amount: Money::from_minor(r.i64("amount_minor")?),
        balance_before: Money::from_minor(r.i64("balance_before_minor")?),
        balance_after: Money::from_minor(r.i64("balance_after_minor")?),
        method,
        receipt_number: r.opt_text("receipt_number")?,
        comment: r.opt_text("comment")?,
        operator_id: r.opt_i64("operator_id")?,
        operator_login: r.opt_text("operator_login")?,
        created_at: r.ts("created_at")?,
        reverses_id: r.opt_i64("reverses_id")?,
        idempotency_key: r.opt_text("idempotency_key")?,
        desk: r.opt_text("desk")?,
        shift_id: r.opt_i64("shift_id")?,
        received: r.opt_i64("received_minor")?.map(Money::from_minor),
        bank: Some(crate::domain::ledger::BankDetails {
            paid_on: r.opt_date("paid_on")?,
            document_number: r.opt_text("document_number")?,
            document_date: r.opt_date("document_date")?,
            payer: r.opt_text("payer")?,
        })
        .filter(|b| !b.is_empty()),
        reversed_by: r.opt_i64("reversed_by")?,
        method_code: r.opt_text("method_code")?,
        method_name: r.opt_text("method_name")?,
        refund_of: r.opt_i64("refund_of")?,
        rko_number: r.opt_i64("rko_number")?,
        refunded: Money::from_minor(r.i64("refunded_minor")?),
    })
}

/// What a new ledger row says; balances are computed by the caller from the locked customer.
#[derive(Debug, Clone)]
pub struct NewOperation {
    pub customer_id: i64,
    pub kind: OperationKind,
    pub amount: Money,
    pub balance_before: Money,
    pub method: Option<PaymentMethod>,
    pub receipt_number: Option<String>,
    pub comment: Option<String>,
    pub operator_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub reverses_id: Option<i64>,
    pub idempotency_key: Option<String>,
    /// The operation this one is the other half of (a merge's two operations).
    pub linked_id: Option<i64>,
    /// The desk it was taken at (payments and their reversals).
    pub desk: Option<String>,
    /// The cash desk's shift it belongs to.
    pub shift_id: Option<i64>,
    /// Cash handed over by the customer, when more than the amount (the change is the rest).
    pub received: Option<Money>,
    /// A bank payment's own day, document and payer.
    pub bank: Option<crate::domain::ledger::BankDetails>,
    /// The payment method's catalogue entry, when it is not the one whose code is the kind.
    pub method_code: Option<String>,
    /// The entry's name, for the operation handed back (not a column: the catalogue has it).
    pub method_name: Option<String>,
    /// A partial refund: the payment it gives part of back, and its РКО number.
    pub refund_of: Option<i64>,
    pub rko_number: Option<i64>,
}

impl NewOperation {
    /// An operation of `kind` for `amount` with nothing else on it (no method, receipt, desk,
    /// bank details…): the rest set by struct update where it applies.
    pub fn bare(
        customer_id: i64,
        kind: OperationKind,
        amount: Money,
        balance_before: Money,
        created_at: DateTime<Utc>,
    ) -> NewOperation {
        NewOperation {
            customer_id,
            kind,
            amount,
            balance_before,
            method: None,
            receipt_number: None,
            comment: None,
            operator_id: None,
            created_at,
            reverses_id: None,
            idempotency_key: None,
            linked_id: None,
            desk: None,
            shift_id: None,
            received: None,
            bank: None,
            method_code: None,
            method_name: None,
            refund_of: None,
            rko_number: None,
        }
    }
}

/// The operation `op` became once written with `id` and `receipt_number`.
fn operation(
    op: &NewOperation,
    id: i64,
    receipt_number: Option<String>,
    operator_login: Option<&str>,
) -> Operation {
    Operation {
        id,
        customer_id: op.customer_id,
        kind: op.kind,
        amount: op.amount,
        balance_before: op.balance_before,
        balance_after: Money::from_minor(op.balance_before.minor() + op.amount.minor()),
        method: op.method,
        receipt_number,
        comment: op.comment.clone(),
        operator_id: op.operator_id,
        operator_login: operator_login.map(str::to_string),
        created_at: op.created_at,
        reverses_id: op.reverses_id,
        idempotency_key: op.idempotency_key.clone(),
        desk: op.desk.clone(),
        shift_id: op.shift_id,
        received: op.received,
        bank: op.bank.clone(),
        reversed_by: None,
        method_code: op.method.map(|m| op.method_code.clone().unwrap_or_else(|| m.as_str().to_string())),
        method_name: op.method_name.clone(),
        refund_of: op.refund_of,
        rko_number: op.rko_number,
        refunded: Money::ZERO,
    }
}

/// Appends `op` with the next receipt (ПКО) number from the counter; `None` when that number
/// was already used (typed by hand) — the counter has moved past it, and the caller asks again.
/// On PostgreSQL the counter's row stays locked until the commit; the usual post takes its
/// number in `post_at_once`, where that lock is held only while PostgreSQL commits.
pub async fn insert_numbered(
    db: &mut Db<'_>,
    op: &NewOperation,
    operator_login: Option<&str>,
) -> Result<Option<Operation>> {
    let n = super::counters::next(db, super::counters::RECEIPT).await?;
    insert(db, &NewOperation { receipt_number: Some(n.to_string()), ..op.clone() }, operator_login).await
}

/// The columns of a ledger insert and, as `$1`–`$21` of `bind_operation`, what `op` says of
/// them; the two balances (`balance_before_minor`, `balance_after_minor`) come last, from the
/// statement.
const INSERT_INTO: &str = "INSERT INTO ledger (customer_id, kind, amount_minor, method, receipt_number, comment, \
    operator_id, created_at, reverses_id, idempotency_key, linked_id, desk, shift_id, received_minor, \
    paid_on, document_number, document_date, payer, method_code, refund_of, rko_number, \
    balance_before_minor, balance_after_minor)";

fn bind_operation(sql: String, op: &NewOperation) -> Q {
    q!(
        sql,
        op.customer_id,
        op.kind.as_str(),
        op.amount.minor(),
        op.method.map(|m| m.as_str()),
        &op.receipt_number,
        &op.comment,
        op.operator_id,
        op.created_at,
        op.reverses_id,
        &op.idempotency_key,
        op.linked_id,
        &op.desk,
        op.shift_id,
        op.received.map(|m| m.minor()),
        op.bank.as_ref().and_then(|b| b.paid_on),
        op.bank.as_ref().and_then(|b| b.document_number.clone()),
        op.bank.as_ref().and_then(|b| b.document_date),
        op.bank.as_ref().and_then(|b| b.payer.clone()),
        &op.method_code,
        op.refund_of,
        op.rko_number
    )
}

/// Appends `op`, unless its receipt number is already used: then nothing is written and the
/// answer is `None` (checked and written in one statement).
pub async fn insert(
    db: &mut Db<'_>,
    op: &NewOperation,
    operator_login: Option<&str>,
) -> Result<Option<Operation>> {
    let sql = format!(
        "{INSERT_INTO} SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23 \
         WHERE NOT EXISTS (SELECT 1 FROM ledger WHERE receipt_number = $5) RETURNING id"
    );
    let q = bind_operation(sql, op)
        .bind(op.balance_before.minor())
        .bind(op.balance_before.minor() + op.amount.minor());
    let Some(row) = db.fetch_optional(q).await? else { return Ok(None) };
    Ok(Some(operation(op, row.i64_at(0)?, op.receipt_number.clone(), operator_login)))
}

/// The audit row written with an operation by `post_at_once`.
#[derive(Debug, Clone)]
pub struct AuditOfPost<'a> {
    pub at: DateTime<Utc>,
    pub operator_id: Option<i64>,
    pub operator_login: &'a str,
    pub origin: &'a str,
    pub action: &'a str,
    /// The operation as JSON; `id`, `receipt_number` and the two balances are set by the
    /// statement (they are known only once it holds the customer's and the counter's locks).
    pub after_json: String,
}

/// Who posts, as the post must find them in the same statement: still active, in this role.
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    pub operator_id: i64,
    pub role: &'a str,
}

/// PostgreSQL: posts `op` the usual way in one statement, outside any transaction: moves the
/// customer's balance, takes the next receipt number when `numbered`, appends the row and
/// its audit row, and commits. One round trip: the receipt counter's row is locked only
/// while PostgreSQL commits, not while the answers of several statements travel to the poster
/// and back (with four posters that wait was the payment rate's limit, see BENCHMARKS.md).
///
/// The usual way only: when the customer does not exist or was merged into another, the key
/// was used before, the balance would pass `balance_limit`, or the operator is no longer
/// active in the role of `standing`, nothing is written and the answer is `None`; a receipt
/// number or key taken by a concurrent post fails on its unique index, also with nothing
/// written. A cash payment is written only into the shift open at its desk, which it holds
/// (`FOR SHARE`) until the commit so the shift cannot close under it; without an open shift
/// nothing is written either. The caller then takes the general path, which explains each of
/// these. A payment to a customer blocked for debt lifts the block in the same statement when
/// the money now covers the debt (balance + credit limit + an active promised payment ≥ 0), as
/// the general path's `settle_debt` does.
pub async fn post_at_once(
    db: &mut Db<'_>,
    op: &NewOperation,
    numbered: bool,
    balance_limit: i64,
    audit: &AuditOfPost<'_>,
    standing: &Standing<'_>,
) -> Result<Option<Operation>> {
    // Money as `Money::format_plain` writes it: "-1234.05"
    const MONEY: &str = "CASE WHEN {m} < 0 THEN '-' ELSE '' END || CAST(abs({m}) / 100 AS TEXT) || '.' || \
         lpad(CAST(abs({m}) % 100 AS TEXT), 2, '0')";
    let before = MONEY.replace("{m}", "l.balance_before_minor");
    let after = MONEY.replace("{m}", "l.balance_after_minor");
    // the number only when asked for, and only for a customer the balance moved for
    let counter = super::counters::increment("$23", "FROM c WHERE $24");
    let sql = format!(
        "WITH s AS (SELECT id FROM shifts WHERE desk = $12 AND closed_at IS NULL FOR SHARE), \
         c AS (UPDATE customers SET balance_minor = balance_minor + $3 \
           WHERE id = $1 AND abs(balance_minor + $3) <= $22 AND merged_into IS NULL \
             AND $3 > 0 \
             AND NOT EXISTS (SELECT 1 FROM ledger WHERE idempotency_key = $10) \
             AND EXISTS (SELECT 1 FROM operators o WHERE o.id = $31 AND o.active AND o.role = $32) \
             AND ($4 IS DISTINCT FROM 'cash' OR EXISTS (SELECT 1 FROM s)) \
             AND ($4 IS NULL OR EXISTS (SELECT 1 FROM payment_methods pm \
               WHERE pm.code = COALESCE($19, $4) AND pm.active AND pm.kind = $4)) \
           RETURNING balance_minor - $3 AS before, balance_minor + credit_limit_minor + COALESCE((\
             SELECT p.amount_minor FROM promised_payments p WHERE p.customer_id = $1 AND p.ended_at IS NULL \
               AND p.expires_at > $8 LIMIT 1), 0) AS available, is_former), \
         n AS ({counter}), \
         l AS ({INSERT_INTO} SELECT $1, $2, $3, $4, COALESCE((SELECT CAST(value AS TEXT) FROM n), $5), $6, $7, $8, \
             $9, $10, $11, $12, COALESCE($13, (SELECT id FROM s)), $14, $15, $16, $17, $18, $19, $20, $21, c.before, c.before + $3 FROM c \
           RETURNING id, receipt_number, balance_before_minor, balance_after_minor, shift_id), \
         a AS (INSERT INTO audit_log (at, operator_id, operator_login, origin, action, entity, entity_id, \
           before_json, after_json) \
           SELECT $25, $26, $27, $28, $29, 'customer', $1, NULL, CAST(CAST($30 AS JSONB) || jsonb_build_object(\
             'id', l.id, 'receipt_number', l.receipt_number, 'balance_before', {before}, 'balance_after', {after}, \
             'shift_id', l.shift_id) \
             AS TEXT) FROM l), \
         u AS (UPDATE debt_blocks SET unblocked_at = $8, unblocked_by = (SELECT id FROM l) \
           WHERE customer_id = $1 AND unblocked_at IS NULL AND EXISTS (SELECT 1 FROM l) \
             AND EXISTS (SELECT 1 FROM c WHERE c.available >= 0 OR c.is_former) RETURNING id) \
         SELECT id, receipt_number, balance_before_minor, shift_id, (SELECT count(*) FROM u) AS lifted, \
           (SELECT pm.name FROM payment_methods pm WHERE pm.code = COALESCE($19, $4)) AS method_name FROM l"
    );
    let q = bind_operation(sql, op)
        .bind(balance_limit)
        .bind(super::counters::RECEIPT)
        .bind(numbered)
        .bind(audit.at)
        .bind(audit.operator_id)
        .bind(audit.operator_login)
        .bind(audit.origin)
        .bind(audit.action)
        .bind(audit.after_json.as_str())
        .bind(standing.operator_id)
        .bind(standing.role);
    let Some(row) = db.fetch_optional(q).await? else { return Ok(None) };
    if row.i64("lifted")? > 0 {
        tracing::info!(customer = op.customer_id, "debt block lifted");
    }
    let posted = NewOperation {
        balance_before: Money::from_minor(row.i64("balance_before_minor")?),
        shift_id: row.opt_i64("shift_id")?,
        method_name: row.opt_text("method_name")?,
        ..op.clone()
    };
    Ok(Some(operation(&posted, row.i64("id")?, row.opt_text("receipt_number")?, Some(audit.operator_login))))
}

/// `op` as the operation it becomes, before the store has given it an id and a receipt number.
pub fn unwritten(op: &NewOperation, operator_login: &str) -> Operation {
    operation(op, 0, op.receipt_number.clone(), Some(operator_login))
}

/// The payments and reversals of a cash desk's shift, newest first, with whom each was for
/// (agreement number, name).
pub async fn of_shift(
    db: &mut Db<'_>,
    shift_id: i64,
    limit: i64,
) -> Result<Vec<(Operation, Option<String>, String)>> {
    let sql = format!(
        "SELECT x.*, c.agreement_number, c.name AS customer_name FROM ({SELECT} \
           WHERE l.shift_id = $1 ORDER BY l.id DESC LIMIT $2) x JOIN customers c ON c.id = x.customer_id \
         ORDER BY x.id DESC"
    );
    let rows = db.fetch_all(q!(sql, shift_id, limit)).await?;
    rows.iter()
        .map(|r| Ok((from_row(r)?, r.opt_text("agreement_number")?, r.text("customer_name")?)))
        .collect()
}

pub async fn get(db: &mut Db<'_>, id: i64) -> Result<Option<Operation>> {
    let sql = format!("{SELECT} WHERE l.id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(from_row).transpose()
}

pub async fn by_key(db: &mut Db<'_>, key: &str) -> Result<Option<Operation>> {
    let sql = format!("{SELECT} WHERE l.idempotency_key = $1");
    db.fetch_optional(q!(sql, key)).await?.as_ref().map(from_row).transpose()
}

pub async fn receipt_taken(db: &mut Db<'_>, receipt: &str) -> Result<Option<i64>> {
    db.fetch_optional(q!("SELECT id FROM ledger WHERE receipt_number = $1", receipt))
        .await?
        .map(|r| r.i64("id"))
        .transpose()
}

/// The other half of a merge's transfer when `id` is one half.
pub async fn link_partner(db: &mut Db<'_>, id: i64) -> Result<Option<i64>> {
    db.fetch_optional(q!(
        "SELECT id FROM ledger WHERE linked_id = $1 \
         UNION ALL SELECT linked_id FROM ledger WHERE id = $1 AND linked_id IS NOT NULL",
        id
    ))
    .await?
    .map(|r| r.i64_at(0))
    .transpose()
}

/// What the partial refunds of payment `id` gave back, as a positive amount.
pub async fn refunded(db: &mut Db<'_>, id: i64) -> Result<Money> {
    let n = db
        .scalar_i64(q!(
            "SELECT CAST(COALESCE(SUM(-amount_minor), 0) AS BIGINT) FROM ledger WHERE refund_of = $1",
            id
        ))
        .await?;
    Ok(Money::from_minor(n))
}

/// The partial refunds of payment `id`, oldest first.
pub async fn refunds_of(db: &mut Db<'_>, id: i64) -> Result<Vec<Operation>> {
    let sql = format!("{SELECT} WHERE l.refund_of = $1 ORDER BY l.id");
    db.fetch_all(q!(sql, id)).await?.iter().map(from_row).collect()
}

pub async fn reversal_of(db: &mut Db<'_>, id: i64) -> Result<Option<i64>> {
    db.fetch_optional(q!("SELECT id FROM ledger WHERE reverses_id = $1", id))
        .await?
        .map(|r| r.i64("id"))
        .transpose()
}

/// Filters for the history of one customer (`abon_hist`, `CLN_FIN_OPER`).
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub until: Option<DateTime<Utc>>,
    pub kinds: Vec<OperationKind>,
}

fn history_where(q: &mut Q, customer_id: i64, f: &HistoryFilter) -> String {
    let mut conds = vec![format!("l.customer_id = {}", q.push_bind(customer_id))];
    if let Some(from) = f.from {
        conds.push(format!("l.created_at >= {}", q.push_bind(from)));
    }
    if let Some(until) = f.until {
        conds.push(format!("l.created_at < {}", q.push_bind(until)));
    }
    if !f.kinds.is_empty() {
        let ph: Vec<String> = f.kinds.iter().map(|k| q.push_bind(k.as_str())).collect();
        conds.push(format!("l.kind IN ({})", ph.join(", ")));
    }
    conds.join(" AND ")
}

/// Newest first.
pub async fn history(
    db: &mut Db<'_>,
    customer_id: i64,
    f: &HistoryFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<Operation>> {
    let mut q = Q::new("");
    let w = history_where(&mut q, customer_id, f);
    let lim = q.push_bind(limit);
    let off = q.push_bind(offset);
    q.sql = format!("{SELECT} WHERE {w} ORDER BY l.id DESC LIMIT {lim} OFFSET {off}").into();
    db.fetch_all(q).await?.iter().map(from_row).collect()
}

/// One page of a customer's filtered history with the count and the money in and out over all
/// its pages, in one statement (one snapshot, one round trip); `None` when no customer has
/// `customer_id`.
pub async fn history_page(
    db: &mut Db<'_>,
    customer_id: i64,
    f: &HistoryFilter,
    limit: i64,
    offset: i64,
) -> Result<Option<HistoryPage>> {
    let mut q = Q::new("");
    let w = history_where(&mut q, customer_id, f);
    let customer = q.push_bind(customer_id);
    let lim = q.push_bind(limit);
    let off = q.push_bind(offset);
    // a reversed operation and its reversal cancel out: neither is money in or out; a partial
    // refund is money out
    let kept = "(l.kind <> 'reversal' OR l.refund_of IS NOT NULL) \
                AND NOT EXISTS (SELECT 1 FROM ledger x WHERE x.reverses_id = l.id)";
    q.sql = format!(
        "SELECT t.n, t.income, t.outcome, p.* FROM customers c \
         CROSS JOIN (SELECT COUNT(*) AS n, \
           CAST(COALESCE(SUM(CASE WHEN l.amount_minor > 0 AND {kept} THEN l.amount_minor ELSE 0 END), 0) AS BIGINT) AS income, \
           CAST(COALESCE(SUM(CASE WHEN l.amount_minor < 0 AND {kept} THEN l.amount_minor ELSE 0 END), 0) AS BIGINT) AS outcome \
           FROM ledger l WHERE {w}) t \
         LEFT JOIN ({SELECT} WHERE {w} ORDER BY l.id DESC LIMIT {lim} OFFSET {off}) p ON 1 = 1 \
         WHERE c.id = {customer} ORDER BY p.id DESC"
    )
    .into();
    let rows = db.fetch_all(q).await?;
    let Some(first) = rows.first() else { return Ok(None) };
    let mut page = HistoryPage {
        operations: Vec::with_capacity(rows.len()),
        total_count: first.i64("n")?,
        income: Money::from_minor(first.i64("income")?),
        outcome: Money::from_minor(first.i64("outcome")?),
    };
    for r in &rows {
        // a page past the end: the one row carries the totals alone
        if r.opt_i64("id")?.is_some() {
            page.operations.push(from_row(r)?);
        }
    }
    Ok(Some(page))
}

/// What `history_page` reads.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub operations: Vec<Operation>,
    pub total_count: i64,
    /// The positive amounts over all pages.
    pub income: Money,
    /// The negative amounts over all pages.
    pub outcome: Money,
}

/// Inserts many operations with their ids given (demo data and imports).
/// The highest operation id so far (0 for an empty ledger): a bulk insert with its own ids
/// (`insert_many`) continues from it.
pub async fn max_id(db: &mut Db<'_>) -> Result<i64> {
    db.scalar_i64(q!("SELECT COALESCE(MAX(id), 0) FROM ledger")).await
}

pub async fn insert_many(db: &mut Db<'_>, ops: &[(i64, NewOperation)]) -> Result<()> {
    for chunk in ops.chunks(1500) {
        let mut q = Q::new("");
        let mut groups = Vec::with_capacity(chunk.len());
        for (id, op) in chunk {
            let after = op.balance_before.minor() + op.amount.minor();
            let g = [
                q.push_bind(*id),
                q.push_bind(op.customer_id),
                q.push_bind(op.kind.as_str()),
                q.push_bind(op.amount.minor()),
                q.push_bind(op.balance_before.minor()),
                q.push_bind(after),
                q.push_bind(op.method.map(|m| m.as_str())),
                q.push_bind(op.receipt_number.clone()),
                q.push_bind(op.comment.clone()),
                q.push_bind(op.operator_id),
                q.push_bind(op.created_at),
            ];
            groups.push(format!("({})", g.join(", ")));
        }
        q.sql = format!(
            "INSERT INTO ledger (id, customer_id, kind, amount_minor, balance_before_minor, balance_after_minor, \
             method, receipt_number, comment, operator_id, created_at) VALUES {}",
            groups.join(", ")
        )
        .into();
        db.execute(q).await?;
    }
    Ok(())
}
