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
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OperationKind::ALL.into_iter().find(|k| k.as_str() == s.trim().to_lowercase()).ok_or_else(|| {
            format!("unknown operation kind '{s}': use payment, charge, correction or reversal")
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
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PaymentMethod::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim().to_lowercase())
            .ok_or_else(|| format!("unknown payment method '{s}': use cash, card, bank or terminal"))
    }
}

/// The cash receipt order (ПКО) number printed for a payment: 1–32 visible characters.
pub fn valid_receipt_number(s: &str) -> bool {
    let n = s.chars().count();
    (1..=32).contains(&n) && s.chars().all(|c| !c.is_control() && !c.is_whitespace())
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
    }
}
