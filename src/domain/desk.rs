//! The cash desk: a cashier's shift at one desk, the cash moved in and out of its drawer,
//! and what the drawer should hold (the X report during the shift, the Z report at its close).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ledger::PaymentMethod;
use super::money::Money;
use super::problem::Problem;

/// The longest name a desk may have (from the config or the SSH origin).
pub const DESK_NAME_MAX: usize = 64;

/// A desk's name as configured: 1–64 visible characters, no control characters.
pub fn valid_desk_name(s: &str) -> bool {
    let n = s.chars().count();
    (1..=DESK_NAME_MAX).contains(&n) && s.trim() == s && s.chars().all(|c| !c.is_control())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shift {
    pub id: i64,
    pub desk: String,
    pub operator_id: i64,
    pub operator_login: String,
    pub opened_at: DateTime<Utc>,
    pub opening_cash: Money,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by_login: Option<String>,
    /// The cash the cashier counted at the close, typed before the expected sum was shown.
    pub counted_cash: Option<Money>,
    /// What the drawer should have held at the close.
    pub expected_cash: Option<Money>,
}

impl Shift {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    /// Counted less expected: short below zero, over above it; `None` while open.
    pub fn difference(&self) -> Option<Money> {
        Some(Money::from_minor(self.counted_cash?.minor() - self.expected_cash?.minor()))
    }
}

/// Cash put into the drawer (внесение) or taken out of it (изъятие) during a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CashMoveKind {
    In,
    Out,
}

impl CashMoveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CashMoveKind::In => "in",
            CashMoveKind::Out => "out",
        }
    }
}

impl fmt::Display for CashMoveKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CashMoveKind {
    type Err = Problem;
    fn from_str(s: &str) -> Result<Self, Problem> {
        match s.trim().to_lowercase().as_str() {
            "in" => Ok(CashMoveKind::In),
            "out" => Ok(CashMoveKind::Out),
            _ => Err(Problem::NotOneOf { value: s.to_string(), allowed: &["in", "out"] }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashMove {
    pub id: i64,
    pub shift_id: i64,
    pub kind: CashMoveKind,
    pub amount: Money,
    pub reason: String,
    pub operator_login: String,
    pub created_at: DateTime<Utc>,
}

/// How the payments report groups: by local day, desk, cashier or method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportBy {
    Day,
    Desk,
    Operator,
    Method,
}

impl FromStr for ReportBy {
    type Err = Problem;
    fn from_str(s: &str) -> Result<Self, Problem> {
        match s.trim().to_lowercase().as_str() {
            "day" => Ok(ReportBy::Day),
            "desk" => Ok(ReportBy::Desk),
            "operator" => Ok(ReportBy::Operator),
            "method" => Ok(ReportBy::Method),
            _ => Err(Problem::NotOneOf {
                value: s.to_string(),
                allowed: &["day", "desk", "operator", "method"],
            }),
        }
    }
}

/// One line of the payments report: what was taken and given back under one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportLine {
    /// The day (DD.MM.YYYY), the desk, the cashier's login or the method; empty when the
    /// operations had none (posted before desks were kept, or by the system).
    pub key: String,
    pub payments: i64,
    pub paid: Money,
    pub reversals: i64,
    pub reversed: Money,
}

impl ReportLine {
    pub fn net(&self) -> Money {
        Money::from_minor(self.paid.minor() - self.reversed.minor())
    }
}

/// A payment (or its cancellation) taken at a desk, with whom it was for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskPayment {
    pub operation: super::ledger::Operation,
    pub agreement: Option<String>,
    pub name: String,
}

impl DeskPayment {
    /// Whether `typed` names this payment: a part of the agreement number, of the name (any
    /// case, ё as е), of the receipt or РКО number, or the amount (500, 500,00, 1 234,50).
    pub fn matches(&self, typed: &str) -> bool {
        // the search's own comparison form: lower case, ё as е, punctuation as spaces
        let fold = super::text::normalise;
        let t = fold(typed);
        if t.is_empty() {
            return true;
        }
        let o = &self.operation;
        if let Ok(m) = Money::parse(typed.trim())
            && m.abs() == o.amount.abs()
        {
            return true;
        }
        self.agreement.as_deref().is_some_and(|a| a.contains(&t))
            || fold(&self.name).contains(&t)
            || o.receipt_number.as_deref().is_some_and(|r| fold(r).contains(&t))
            || o.rko_number.is_some_and(|n| n.to_string() == t)
    }
}

/// What the cash desk screen shows: the desk, its open shift and that shift's payments, and
/// when none is open the last shift closed there (its Z report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskView {
    pub desk: String,
    pub shift: Option<Shift>,
    pub payments: Vec<DeskPayment>,
    pub last_closed: Option<ShiftReport>,
}

/// The payments of one catalogue method in a shift and what was given back of them
/// (cancellations and refunds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MethodTotal {
    /// The method's kind (cash is what the drawer holds).
    pub method: PaymentMethod,
    /// The catalogue entry: its code and name.
    pub code: String,
    pub name: String,
    pub payments: i64,
    pub paid: Money,
    pub reversals: i64,
    /// The money given back, as a positive amount.
    pub reversed: Money,
}

impl MethodTotal {
    pub fn net(&self) -> Money {
        Money::from_minor(self.paid.minor() - self.reversed.minor())
    }
}

/// A shift's report: the X report while it is open, the Z report once it is closed (then the
/// shift carries the counted cash and the difference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShiftReport {
    pub shift: Shift,
    /// One line per method that had a payment or a reversal in the shift, in the catalogue's
    /// order (as the store reads them).
    pub by_method: Vec<MethodTotal>,
    pub cash_in: Money,
    pub cash_out: Money,
    pub moves: Vec<CashMove>,
    /// Opening cash + cash payments − cash given back + cash in − cash out.
    pub expected_cash: Money,
}

impl ShiftReport {
    pub fn new(shift: Shift, by_method: Vec<MethodTotal>, moves: Vec<CashMove>) -> ShiftReport {
        let sum =
            |k: CashMoveKind| moves.iter().filter(|m| m.kind == k).map(|m| m.amount.minor()).sum::<i64>();
        let (cash_in, cash_out) = (sum(CashMoveKind::In), sum(CashMoveKind::Out));
        let cash_net: i64 =
            by_method.iter().filter(|t| t.method == PaymentMethod::Cash).map(|t| t.net().minor()).sum();
        let expected = shift.opening_cash.minor() + cash_net + cash_in - cash_out;
        ShiftReport {
            shift,
            by_method,
            cash_in: Money::from_minor(cash_in),
            cash_out: Money::from_minor(cash_out),
            moves,
            expected_cash: Money::from_minor(expected),
        }
    }

    /// Everything taken in the shift, all methods, less what was given back.
    pub fn total(&self) -> Money {
        Money::from_minor(self.by_method.iter().map(|t| t.net().minor()).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(minor: i64) -> Money {
        Money::from_minor(minor)
    }

    #[test]
    fn expected_cash_counts_only_cash() {
        let shift = Shift {
            id: 1,
            desk: "Касса 1".into(),
            operator_id: 1,
            operator_login: "kassir".into(),
            opened_at: Utc::now(),
            opening_cash: m(100_000),
            closed_at: None,
            closed_by_login: None,
            counted_cash: None,
            expected_cash: None,
        };
        let cash = MethodTotal {
            method: PaymentMethod::Cash,
            code: "cash".into(),
            name: "Наличные".into(),
            payments: 3,
            paid: m(150_000),
            reversals: 1,
            reversed: m(50_000),
        };
        let card = MethodTotal {
            method: PaymentMethod::Card,
            code: "sbp".into(),
            name: "СБП".into(),
            payments: 2,
            paid: m(70_000),
            reversals: 0,
            reversed: m(0),
        };
        let mv = |kind, amount| CashMove {
            id: 1,
            shift_id: 1,
            kind,
            amount: m(amount),
            reason: "инкассация".into(),
            operator_login: "kassir".into(),
            created_at: Utc::now(),
        };
        let r = ShiftReport::new(
            shift.clone(),
            vec![card, cash],
            vec![mv(CashMoveKind::Out, 80_000), mv(CashMoveKind::In, 5_000)],
        );
        assert_eq!(r.by_method[1].method, PaymentMethod::Cash);
        assert_eq!(r.expected_cash, m(100_000 + 100_000 + 5_000 - 80_000));
        assert_eq!(r.total(), m(170_000));
        let closed = Shift {
            closed_at: Some(Utc::now()),
            counted_cash: Some(m(120_000)),
            expected_cash: Some(m(125_000)),
            ..shift
        };
        assert_eq!(closed.difference(), Some(m(-5_000)));
        assert!(valid_desk_name("Касса 1"));
        assert!(!valid_desk_name(" Касса"));
        assert!(!valid_desk_name(""));
        assert!(!valid_desk_name("a\u{7}"));
    }
}
