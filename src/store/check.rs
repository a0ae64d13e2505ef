//! Invariant checks over the whole ledger (`kassa check`).

use serde::Serialize;

use super::{Db, Result};
use crate::q;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "violation", rename_all = "snake_case")]
pub enum Violation {
    /// The cached balance is not the sum of the customer's operations.
    BalanceMismatch { customer_id: i64, cached_minor: i64, ledger_minor: i64 },
    /// An operation's balance-before is not the previous operation's balance-after.
    BrokenChain { operation_id: i64, customer_id: i64, before_minor: i64, expected_minor: i64 },
    /// A reversal whose amount does not cancel the operation it reverses.
    BadReversal { operation_id: i64, reverses_id: i64 },
    /// One half of a merge's pair that does not cancel the other.
    BadLink { operation_id: i64, linked_id: i64 },
}

/// Every violation found (at most `limit` of each kind).
pub async fn run(db: &mut Db<'_>, limit: i64) -> Result<Vec<Violation>> {
    let mut out = Vec::new();
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
    Ok(out)
}
