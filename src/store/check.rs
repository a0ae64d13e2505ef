//! Invariant checks over the whole ledger (`kassa check`).

use super::{Backend, Db, Result};
use crate::q;

pub use crate::domain::check::Violation;

/// Every violation found (at most `limit` of each kind).
pub async fn run(db: &mut Db<'_>, limit: i64) -> Result<Vec<Violation>> {
    let mut out = Vec::new();
    let rows = db
        .fetch_all(q!(
            "SELECT c.id FROM customers c LEFT JOIN (SELECT customer_id, MAX(period_to) AS until FROM charges \
               WHERE item = 'tariff' AND item_id = 0 GROUP BY customer_id) ch ON ch.customer_id = c.id \
             WHERE (c.charged_through IS NULL) <> (ch.until IS NULL) OR c.charged_through <> ch.until \
             ORDER BY c.id LIMIT $1",
            limit
        ))
        .await?;
    for r in rows {
        out.push(Violation::ReachMismatch { customer_id: r.i64("id")? });
    }
    let rows = db
        .fetch_all(q!(
            "SELECT ch.id FROM charges ch JOIN ledger l ON l.id = ch.ledger_id \
             WHERE l.amount_minor <> -(ch.amount_minor + ch.credited_minor) OR l.customer_id <> ch.customer_id \
             ORDER BY ch.id LIMIT $1",
            limit
        ))
        .await?;
    for r in rows {
        out.push(Violation::ChargeMismatch { charge_id: r.i64("id")? });
    }
    // refunds never give back more than their payment, nor another customer's
    let rows = db
        .fetch_all(q!(
            "SELECT p.id FROM ledger p JOIN ledger r ON r.refund_of = p.id \
             GROUP BY p.id, p.amount_minor, p.kind, p.customer_id \
             HAVING SUM(-r.amount_minor) > p.amount_minor OR p.kind <> 'payment' \
               OR MIN(r.customer_id) <> p.customer_id OR MAX(r.customer_id) <> p.customer_id \
             ORDER BY p.id LIMIT $1",
            limit
        ))
        .await?;
    for r in rows {
        out.push(Violation::OverRefunded { payment_id: r.i64("id")? });
    }
    let r = db
        .fetch_one(q!("SELECT COUNT(*) AS n, CAST(COALESCE(MAX(rko_number), 0) AS BIGINT) AS top, \
               COUNT(DISTINCT rko_number) AS d FROM ledger WHERE rko_number IS NOT NULL"))
        .await?;
    let (count, highest, distinct) = (r.i64("n")?, r.i64("top")?, r.i64("d")?);
    if count != highest || distinct != count {
        out.push(Violation::RkoGap { count, highest });
    }
    // a closed shift's expected cash: opening + cash taken − cash given back + in − out
    let rows = db
        .fetch_all(q!(
            "SELECT id, expected_cash_minor, counted FROM (SELECT s.id, s.expected_cash_minor, CAST(s.opening_cash_minor \
               + COALESCE((SELECT SUM(l.amount_minor) FROM ledger l WHERE l.shift_id = s.id AND l.method = 'cash' \
                   AND l.kind IN ('payment', 'reversal')), 0) \
               + COALESCE((SELECT SUM(CASE WHEN m.kind = 'in' THEN m.amount_minor ELSE -m.amount_minor END) \
                   FROM cash_moves m WHERE m.shift_id = s.id), 0) AS BIGINT) AS counted \
             FROM shifts s WHERE s.closed_at IS NOT NULL) x WHERE expected_cash_minor <> counted ORDER BY id LIMIT $1",
            limit
        ))
        .await?;
    for r in rows {
        out.push(Violation::ShiftMismatch {
            shift_id: r.i64("id")?,
            kept_minor: r.i64("expected_cash_minor")?,
            ledger_minor: r.i64("counted")?,
        });
    }
    let rows = db
        .fetch_all(q!(
            "SELECT c.id, c.balance_minor, CAST(COALESCE(s.total, 0) AS BIGINT) AS total FROM customers c \
             LEFT JOIN (SELECT customer_id, SUM(amount_minor) AS total FROM ledger GROUP BY customer_id) s \
               ON s.customer_id = c.id \
             WHERE c.balance_minor <> COALESCE(s.total, 0) ORDER BY c.id LIMIT $1",
            limit
        ))
        .await?;
    for r in rows {
        out.push(Violation::BalanceMismatch {
            customer_id: r.i64("id")?,
            cached_minor: r.i64("balance_minor")?,
            ledger_minor: r.i64("total")?,
        });
    }
    let rows = db
        .fetch_all(q!(
            "SELECT id, customer_id, balance_before_minor, prev_after FROM ( \
               SELECT id, customer_id, balance_before_minor, \
                 COALESCE(LAG(balance_after_minor) OVER (PARTITION BY customer_id ORDER BY id), 0) AS prev_after \
               FROM ledger) x \
             WHERE balance_before_minor <> prev_after ORDER BY id LIMIT $1",
            limit
        ))
        .await?;
    for r in rows {
        out.push(Violation::BrokenChain {
            operation_id: r.i64("id")?,
            customer_id: r.i64("customer_id")?,
            before_minor: r.i64("balance_before_minor")?,
            expected_minor: r.i64("prev_after")?,
        });
    }
    let rows = db
        .fetch_all(q!(
            "SELECT r.id, r.reverses_id FROM ledger r JOIN ledger o ON o.id = r.reverses_id \
             WHERE r.amount_minor <> -o.amount_minor OR r.customer_id <> o.customer_id ORDER BY r.id LIMIT $1",
            limit
        ))
        .await?;
    for r in rows {
        out.push(Violation::BadReversal { operation_id: r.i64("id")?, reverses_id: r.i64("reverses_id")? });
    }
    let rows = db
        .fetch_all(q!(
            "SELECT r.id, r.linked_id FROM ledger r JOIN ledger o ON o.id = r.linked_id \
             WHERE r.amount_minor <> -o.amount_minor OR r.customer_id = o.customer_id ORDER BY r.id LIMIT $1",
            limit
        ))
        .await?;
    for r in rows {
        out.push(Violation::BadLink { operation_id: r.i64("id")?, linked_id: r.i64("linked_id")? });
    }
    let rows = db
        .fetch_all(q!(
            "SELECT r.id, r.reverses_id FROM ledger r JOIN ledger o ON o.id = r.reverses_id \
             WHERE o.linked_id IS NOT NULL OR EXISTS (SELECT 1 FROM ledger p WHERE p.linked_id = o.id) \
             ORDER BY r.id LIMIT $1",
            limit
        ))
        .await?;
    for r in rows {
        out.push(Violation::ReversedLinkHalf {
            operation_id: r.i64("id")?,
            reverses_id: r.i64("reverses_id")?,
        });
    }
    // the largest receipt number of digits only (what the counter counts); at most 18 digits
    let digits_only = match db.backend() {
        Backend::Sqlite => "receipt_number NOT GLOB '*[^0-9]*' AND receipt_number <> ''",
        Backend::Postgres => "receipt_number ~ '^[0-9]+$'",
    };
    let sql = format!(
        "SELECT CAST(COALESCE((SELECT value FROM counters WHERE name = $1), 0) AS BIGINT) AS counter, \
           (SELECT MAX(CAST(receipt_number AS BIGINT)) FROM ledger \
             WHERE receipt_number IS NOT NULL AND length(receipt_number) <= 18 AND {digits_only}) AS used"
    );
    let row = db.fetch_one(q!(sql, super::counters::RECEIPT)).await?;
    if let (counter, Some(used)) = (row.i64("counter")?, row.opt_i64("used")?)
        && used > counter
    {
        out.push(Violation::ReceiptCounterBehind { counter, used });
    }
    let back = match db.backend() {
        Backend::Sqlite => "julianday(prev_at) - julianday(created_at) > 1.0 / 1440",
        Backend::Postgres => "prev_at - created_at > INTERVAL '1 minute'",
    };
    let sql = format!(
        "SELECT id, prev_id FROM ( \
           SELECT id, created_at, LAG(id) OVER (PARTITION BY customer_id ORDER BY id) AS prev_id, \
             LAG(created_at) OVER (PARTITION BY customer_id ORDER BY id) AS prev_at FROM ledger) x \
         WHERE prev_id IS NOT NULL AND {back} ORDER BY id LIMIT $1"
    );
    for r in db.fetch_all(q!(sql, limit)).await? {
        out.push(Violation::TimeGoesBack { operation_id: r.i64("id")?, previous_id: r.i64("prev_id")? });
    }
    // every operation the audit log recorded is in the ledger, for the same customer and amount
    let (entry, customer, amount) = match db.backend() {
        Backend::Sqlite => (
            "CAST(json_extract(a.after_json, '$.id') AS INTEGER)",
            "CAST(json_extract(a.after_json, '$.customer_id') AS INTEGER)",
            "CAST(ROUND(CAST(json_extract(a.after_json, '$.amount') AS REAL) * 100) AS INTEGER)",
        ),
        Backend::Postgres => (
            "CAST(CAST(a.after_json AS JSONB)->>'id' AS BIGINT)",
            "CAST(CAST(a.after_json AS JSONB)->>'customer_id' AS BIGINT)",
            "CAST(ROUND(CAST(CAST(a.after_json AS JSONB)->>'amount' AS NUMERIC) * 100) AS BIGINT)",
        ),
    };
    let sql = format!(
        "SELECT audit_id, op_id FROM ( \
           SELECT a.id AS audit_id, {entry} AS op_id, {customer} AS customer_id, {amount} AS amount \
           FROM audit_log a WHERE a.action LIKE 'ledger.%' AND a.after_json IS NOT NULL) e \
         WHERE op_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ledger l \
           WHERE l.id = e.op_id AND l.customer_id = e.customer_id AND l.amount_minor = e.amount) \
         ORDER BY audit_id LIMIT $1"
    );
    for r in db.fetch_all(q!(sql, limit)).await? {
        out.push(Violation::MissingOperation { operation_id: r.i64("op_id")?, audit_id: r.i64("audit_id")? });
    }
    Ok(out)
}
