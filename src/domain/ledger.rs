//! The ledger: every movement of a customer's money is one appended operation.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    /// Money received from the customer (positive).
    Payment,
    /// Money taken for a service: tariff, extra service (negative).
    Charge,
    /// A manual fix by an administrator (either sign).
    Correction,
    /// A payment cancelled: points at the payment it reverses (negative).
    Reversal,
}

impl OperationKind {
    pub const ALL: [OperationKind; 4] =
        [OperationKind::Payment, OperationKind::Charge, OperationKind::Correction, OperationKind::Reversal];

    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Payment => "payment",
            OperationKind::Charge => "charge",
            OperationKind::Correction => "correction",
            OperationKind::Reversal => "reversal",
        }
    }
}

impl fmt::Display for OperationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OperationKind {
    type Err = crate::domain::problem::Problem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OperationKind::ALL.into_iter().find(|k| k.as_str() == s.trim().to_lowercase()).ok_or_else(|| {
            crate::domain::problem::Problem::NotOneOf {
                value: s.to_string(),
                allowed: &["payment", "charge", "correction", "reversal"],
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Card,
    Bank,
    Terminal,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 4] =
        [PaymentMethod::Cash, PaymentMethod::Card, PaymentMethod::Bank, PaymentMethod::Terminal];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Bank => "bank",
            PaymentMethod::Terminal => "terminal",
        }
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaymentMethod {
    type Err = crate::domain::problem::Problem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PaymentMethod::ALL.into_iter().find(|k| k.as_str() == s.trim().to_lowercase()).ok_or_else(|| {
            crate::domain::problem::Problem::NotOneOf {
                value: s.to_string(),
                allowed: &["cash", "card", "bank", "terminal"],
            }
        })
    }
}

/// A way to pay as the administrator keeps it in the catalogue (Ubilling's cashtype): a short
/// code, the name printed on receipts and in reports, and its kind, which decides what kassa
/// does with the money (cash: the drawer and the change; cash and card: the fiscal receipt;
/// bank: the bank's document). The four kinds are the catalogue's first four entries, with
/// the kind as their code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayMethod {
    pub code: String,
    pub name: String,
    pub kind: PaymentMethod,
    pub active: bool,
    pub position: i64,
}

impl PayMethod {
    /// One of the four entries every catalogue starts with (they cannot be removed).
    pub fn is_builtin(&self) -> bool {
        self.code == self.kind.as_str()
    }
}

/// A method's code: 1–32 of a–z, 0–9, `_` and `-`, starting with a letter (what a script types
/// after `--method`).
pub fn valid_method_code(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// The cash receipt order (ПКО) number printed for a payment: 1–32 visible characters.
pub fn valid_receipt_number(s: &str) -> bool {
    let n = s.chars().count();
    (1..=32).contains(&n) && s.chars().all(|c| !c.is_control() && !c.is_whitespace() && !is_invisible(c))
}

/// Characters that take no room on paper or screen (zero-width spaces and joiners, direction
/// marks, soft hyphen, variation selectors, byte order mark, tags): two receipt numbers that
/// differ only by one of them would look the same.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
        | '\u{1bca0}'..='\u{1bca3}' | '\u{e0000}'..='\u{e0fff}')
}

/// A typed receipt number as it is stored and compared: compatibility-normalised (NFKC: a
/// full-width `７７７` is `777`), invisible characters removed, trimmed. `None` when nothing
/// is left.
pub fn normalise_receipt_number(s: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let n: String = s.nfkc().filter(|c| !is_invisible(*c)).collect();
    let n = n.trim();
    (!n.is_empty()).then(|| n.to_string())
}

/// The number a receipt number is when it is only digits (what the receipt counter counts).
pub fn receipt_sequence_number(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The change for `amount` paid by `method` when `received` was handed over: only cash takes
/// it, and never less than the amount. The one rule the service posts by and the payment form
/// shows the change by.
pub fn change_for(
    method: PaymentMethod,
    amount: Money,
    received: Money,
) -> Result<Money, crate::domain::problem::Problem> {
    use crate::domain::problem::Problem;
    if method != PaymentMethod::Cash {
        return Err(Problem::ReceivedNotCash);
    }
    if received.minor() < amount.minor() {
        return Err(Problem::ReceivedShort);
    }
    Ok(Money::from_minor(received.minor() - amount.minor()))
}

impl Operation {
    /// The change given back for a cash payment: what was received less the amount.
    pub fn change(&self) -> Option<Money> {
        self.received.map(|r| Money::from_minor(r.minor() - self.amount.minor()))
    }
}

/// A bank payment as the bank tells it: the day it was paid, the bank document's number and
/// date, and who paid (`payment.edit` paymentdate, documentnumber, documentdate, sender).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankDetails {
    /// The payment's own day when it is not the day it was posted (never ahead of it).
    pub paid_on: Option<chrono::NaiveDate>,
    pub document_number: Option<String>,
    pub document_date: Option<chrono::NaiveDate>,
    pub payer: Option<String>,
}

impl BankDetails {
    pub fn is_empty(&self) -> bool {
        *self == BankDetails::default()
    }
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operation {
    pub id: i64,
    pub customer_id: i64,
    pub kind: OperationKind,
    pub amount: Money,
    pub balance_before: Money,
    pub balance_after: Money,
    pub method: Option<PaymentMethod>,
    pub receipt_number: Option<String>,
    pub comment: Option<String>,
    pub operator_id: Option<i64>,
    pub operator_login: Option<String>,
    pub created_at: DateTime<Utc>,
    pub reverses_id: Option<i64>,
    pub idempotency_key: Option<String>,
    /// The desk it was taken at (payments and reversals posted by a person).
    pub desk: Option<String>,
    /// The cash desk's shift it belongs to.
    pub shift_id: Option<i64>,
    /// Cash the customer handed over, when it was typed (the change is what exceeds the amount).
    pub received: Option<Money>,
    /// A bank payment's own day, document and payer, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank: Option<BankDetails>,
    /// The reversal that cancelled this operation, when one did (read with the history).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reversed_by: Option<i64>,
    /// The payment method's catalogue entry (its code and name); the kind is `method`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method_code: Option<String>,
    /// (Not in the JSON: a name the administrator may change since is not part of the record.)
    #[serde(skip_serializing)]
    pub method_name: Option<String>,
    /// A partial refund: the payment it gives part of back, and its cash-out order (РКО) number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_of: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rko_number: Option<i64>,
    /// A payment: what its partial refunds gave back so far (zero when none).
    #[serde(skip_serializing_if = "Money::is_zero")]
    pub refunded: Money,
}

impl Operation {
    /// What of a payment may still be refunded: the amount less the refunds, nothing once it
    /// was cancelled whole.
    pub fn refundable(&self) -> Money {
        if self.kind != OperationKind::Payment || self.reversed_by.is_some() {
            return Money::ZERO;
        }
        Money::from_minor(self.amount.minor() - self.refunded.minor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_methods_parse() {
        assert_eq!("Cash".parse::<PaymentMethod>(), Ok(PaymentMethod::Cash));
        assert!("cheque".parse::<PaymentMethod>().is_err());
        assert_eq!("charge".parse::<OperationKind>(), Ok(OperationKind::Charge));
        assert!(valid_receipt_number("ПКО-000123"));
        assert!(!valid_receipt_number("12 34"));
        assert!(!valid_receipt_number(""));
        assert!(!valid_receipt_number("777\u{200b}"));
        assert_eq!(normalise_receipt_number("777\u{200b}").as_deref(), Some("777"));
        assert_eq!(normalise_receipt_number("７７７").as_deref(), Some("777"));
        assert_eq!(normalise_receipt_number(" \u{feff}777 ").as_deref(), Some("777"));
        assert_eq!(normalise_receipt_number("\u{200b} "), None);
        assert_eq!(receipt_sequence_number("00123"), Some(123));
        assert_eq!(receipt_sequence_number("А-1"), None);
        assert_eq!(receipt_sequence_number("9999999999999999999"), None);
    }
}
