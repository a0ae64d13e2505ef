//! Shifts and cash moves of the cash desk; the shift's totals are read off the ledger rows
//! that carry its id.

use chrono::{DateTime, Utc};

use super::{Backend, Db, Result, Row};
use crate::domain::desk::{CashMove, CashMoveKind, MethodTotal, Shift};
use crate::domain::ledger::PaymentMethod;
use crate::domain::money::Money;
use crate::q;

const SELECT: &str = "SELECT s.id, s.desk, s.operator_id, o.login AS operator_login, s.opened_at, \
    s.opening_cash_minor, s.closed_at, c.login AS closed_by_login, s.counted_cash_minor, s.expected_cash_minor \
    FROM shifts s JOIN operators o ON o.id = s.operator_id LEFT JOIN operators c ON c.id = s.closed_by";

fn shift(r: &Row) -> Result<Shift> {
    Ok(Shift {
        id: r.i64("id")?,
        desk: r.text("desk")?,
        operator_id: r.i64("operator_id")?,
        operator_login: r.text("operator_login")?,
        opened_at: r.ts("opened_at")?,
        opening_cash: Money::from_minor(r.i64("opening_cash_minor")?),
        closed_at: r.opt_ts("closed_at")?,
        closed_by_login: r.opt_text("closed_by_login")?,
        counted_cash: r.opt_i64("counted_cash_minor")?.map(Money::from_minor),
        expected_cash: r.opt_i64("expected_cash_minor")?.map(Money::from_minor),
    })
}

/// Opens a shift at `desk`; `None` when one is open there already (one statement: two
/// cashiers opening the same desk at once get one shift between them).
pub async fn open(
    db: &mut Db<'_>,
    desk: &str,
    operator_id: i64,
    at: DateTime<Utc>,
    opening: Money,
) -> Result<Option<i64>> {
    db.fetch_optional(q!(
        "INSERT INTO shifts (desk, operator_id, opened_at, opening_cash_minor) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (desk) WHERE closed_at IS NULL DO NOTHING RETURNING id",
        desk,
        operator_id,
        at,
        opening.minor()
    ))
    .await?
    .map(|r| r.i64_at(0))
    .transpose()
}

pub async fn get(db: &mut Db<'_>, id: i64) -> Result<Option<Shift>> {
    let sql = format!("{SELECT} WHERE s.id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(shift).transpose()
}

/// The shift open at `desk`, if any.
pub async fn current(db: &mut Db<'_>, desk: &str) -> Result<Option<Shift>> {
    let sql = format!("{SELECT} WHERE s.desk = $1 AND s.closed_at IS NULL");
    db.fetch_optional(q!(sql, desk)).await?.as_ref().map(shift).transpose()
}

/// The id of the open shift `column` = `value` names, locked as `lock` says on PostgreSQL
/// (SQLite has one writer: nothing to lock).
async fn open_id(db: &mut Db<'_>, column: &str, value: super::Value, lock: &str) -> Result<Option<i64>> {
    let lock = if db.backend() == Backend::Postgres { lock } else { "" };
    let sql = format!("SELECT id FROM shifts WHERE {column} = $1 AND closed_at IS NULL {lock}");
    db.fetch_optional(q!(sql, value)).await?.map(|r| r.i64_at(0)).transpose()
}

/// The id of the shift open at `desk`, held for the transaction so that it cannot close
/// under a payment being posted into it (`FOR SHARE`).
pub async fn current_held(db: &mut Db<'_>, desk: &str) -> Result<Option<i64>> {
    open_id(db, "desk", desk.into(), "FOR SHARE").await
}

/// Whether shift `id` is still open, held for the transaction as `current_held` holds it.
pub async fn held_open(db: &mut Db<'_>, id: i64) -> Result<bool> {
    Ok(open_id(db, "id", id.into(), "FOR SHARE").await?.is_some())
}

/// Locks an open shift for its close (`FOR UPDATE`): a payment still being posted into it
/// commits first, one that comes later finds it closed. `false` when it is not open.
pub async fn hold_for_close(db: &mut Db<'_>, id: i64) -> Result<bool> {
    Ok(open_id(db, "id", id.into(), "FOR UPDATE").await?.is_some())
}

pub async fn close(
    db: &mut Db<'_>,
    id: i64,
    by: i64,
    at: DateTime<Utc>,
    counted: Money,
    expected: Money,
) -> Result<bool> {
    let n = db
        .execute(q!(
            "UPDATE shifts SET closed_at = $2, closed_by = $3, counted_cash_minor = $4, expected_cash_minor = $5 \
             WHERE id = $1 AND closed_at IS NULL",
            id,
            at,
            by,
            counted.minor(),
            expected.minor()
        ))
        .await?;
    Ok(n == 1)
}

/// Shifts newest first, of one desk or of all.
pub async fn list(db: &mut Db<'_>, desk: Option<&str>, limit: i64) -> Result<Vec<Shift>> {
    let rows = match desk {
        Some(d) => {
            db.fetch_all(q!(format!("{SELECT} WHERE s.desk = $1 ORDER BY s.id DESC LIMIT $2"), d, limit))
                .await?
        }
        None => db.fetch_all(q!(format!("{SELECT} ORDER BY s.id DESC LIMIT $1"), limit)).await?,
    };
    rows.iter().map(shift).collect()
}

pub async fn add_move(
    db: &mut Db<'_>,
    shift_id: i64,
    kind: CashMoveKind,
    amount: Money,
    reason: &str,
    operator_id: i64,
    at: DateTime<Utc>,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO cash_moves (shift_id, kind, amount_minor, reason, operator_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        shift_id,
        kind.as_str(),
        amount.minor(),
        reason,
        operator_id,
        at
    ))
    .await
}

pub async fn moves(db: &mut Db<'_>, shift_id: i64) -> Result<Vec<CashMove>> {
    let rows = db
        .fetch_all(q!(
            "SELECT m.id, m.shift_id, m.kind, m.amount_minor, m.reason, o.login, m.created_at \
             FROM cash_moves m JOIN operators o ON o.id = m.operator_id WHERE m.shift_id = $1 ORDER BY m.id",
            shift_id
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CashMove {
                id: r.i64("id")?,
                shift_id: r.i64("shift_id")?,
                kind: r.parsed("kind")?,
                amount: Money::from_minor(r.i64("amount_minor")?),
                reason: r.text("reason")?,
                operator_login: r.text("login")?,
                created_at: r.ts("created_at")?,
            })
        })
        .collect()
}

/// The payments and reversals of the local days `days` (made in [`from`, `until`), or, for a
/// bank payment given its own day, paid on one of them) grouped by `key` (an SQL expression
/// over `ledger l` and `operators o`), in the key's order.
pub async fn report(
    db: &mut Db<'_>,
    key: &str,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    days: (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<crate::domain::desk::ReportLine>> {
    // the operators only when the key names them: the rest is read off the covering indexes
    let join = if key.contains("o.") { "LEFT JOIN operators o ON o.id = l.operator_id" } else { "" };
    let sql = format!(
        "SELECT k, kind, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(total) AS BIGINT) AS total FROM ( \
           SELECT {key} AS k, l.kind, COUNT(*) AS n, SUM(l.amount_minor) AS total FROM ledger l {join} \
           WHERE l.kind IN ('payment', 'reversal') AND l.created_at >= $1 AND l.created_at < $2 \
             AND l.paid_on IS NULL GROUP BY 1, 2 \
           UNION ALL \
           SELECT {key} AS k, l.kind, COUNT(*) AS n, SUM(l.amount_minor) AS total FROM ledger l {join} \
           WHERE l.paid_on >= $3 AND l.paid_on <= $4 AND l.kind IN ('payment', 'reversal') GROUP BY 1, 2 \
         ) t GROUP BY k, kind ORDER BY k, kind"
    );
    let rows = db.fetch_all(q!(sql, from, until, days.0, days.1)).await?;
    let mut out: Vec<crate::domain::desk::ReportLine> = Vec::new();
    for r in &rows {
        let k = r.text("k")?;
        if out.last().map(|l| l.key != k).unwrap_or(true) {
            out.push(crate::domain::desk::ReportLine {
                key: k,
                payments: 0,
                paid: Money::ZERO,
                reversals: 0,
                reversed: Money::ZERO,
            });
        }
        let (n, total) = (r.i64("n")?, r.i64("total")?);
        if let Some(line) = out.last_mut() {
            if r.text("kind")? == "payment" {
                line.payments = n;
                line.paid = Money::from_minor(total);
            } else {
                line.reversals = n;
                line.reversed = Money::from_minor(-total);
            }
        }
    }
    Ok(out)
}

/// The shift's payments and reversals by catalogue method, in the catalogue's order (one
/// indexed range of the ledger).
pub async fn method_totals(db: &mut Db<'_>, shift_id: i64) -> Result<Vec<MethodTotal>> {
    let rows = db
        .fetch_all(q!(
            "SELECT t.method, t.code, COALESCE(pm.name, t.code) AS name, t.kind, t.n, t.total FROM \
               (SELECT method, COALESCE(method_code, method) AS code, kind, COUNT(*) AS n, \
                  CAST(SUM(amount_minor) AS BIGINT) AS total FROM ledger \
                WHERE shift_id = $1 AND kind IN ('payment', 'reversal') AND method IS NOT NULL \
                GROUP BY method, COALESCE(method_code, method), kind) t \
             LEFT JOIN payment_methods pm ON pm.code = t.code ORDER BY pm.position, t.code, t.kind",
            shift_id
        ))
        .await?;
    let mut out: Vec<MethodTotal> = Vec::new();
    for r in &rows {
        let method: PaymentMethod = r.parsed("method")?;
        let code = r.text("code")?;
        let idx = match out.iter().position(|t| t.code == code) {
            Some(i) => i,
            None => {
                out.push(MethodTotal {
                    method,
                    code,
                    name: r.text("name")?,
                    payments: 0,
                    paid: Money::ZERO,
                    reversals: 0,
                    reversed: Money::ZERO,
                });
                out.len() - 1
            }
        };
        let (n, total) = (r.i64("n")?, r.i64("total")?);
        let t = &mut out[idx];
        if r.text("kind")? == "payment" {
            t.payments = n;
            t.paid = Money::from_minor(total);
        } else {
            t.reversals = n;
            t.reversed = Money::from_minor(-total);
        }
    }
    Ok(out)
}
