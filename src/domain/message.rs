//! Messages from and to customers (`msg`, `msg_add`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The customer wrote it (an employee took it down).
    Customer,
    /// An employee wrote it to the customer.
    Operator,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Customer => "customer",
            Direction::Operator => "operator",
        }
    }
}

impl std::str::FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "customer" => Ok(Direction::Customer),
            "operator" => Ok(Direction::Operator),
            other => Err(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    pub customer_id: i64,
    pub direction: Direction,
    pub body: String,
    pub operator_login: Option<String>,
    pub created_at: DateTime<Utc>,
    pub archived: bool,
}
