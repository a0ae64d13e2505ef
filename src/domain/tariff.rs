//! Tariffs (`TarifList`) and a customer's scheduled change of tariff.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Month,
    Day,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Day => "day",
        }
    }
}

impl std::str::FromStr for Period {
    type Err = crate::domain::problem::Problem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "month" | "monthly" | "m" => Ok(Period::Month),
            "day" | "daily" | "d" => Ok(Period::Day),
            other => Err(crate::domain::problem::Problem::NotOneOf {
                value: other.to_string(),
                allowed: &["month", "day"],
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tariff {
    pub id: i64,
    pub name: String,
    pub price: Money,
    pub period: Period,
    pub active: bool,
    pub public: bool,
    /// Charged per period while the customer is paused (Stargazer's PassiveCost); none: a
    /// pause costs nothing.
    pub pause_price: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledChange {
    pub id: i64,
    pub customer_id: i64,
    pub tariff_id: i64,
    pub tariff_name: String,
    pub effective_on: NaiveDate,
}
