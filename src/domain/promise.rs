//! Promised payments (`WEB_USER_PROMISE_PAY`).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromisedPayment {
    pub id: i64,
    pub customer_id: i64,
    pub amount: Money,
    pub days: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub operator_login: Option<String>,
}

impl PromisedPayment {
    /// Whether it still counts at `now`.
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.ended_at.is_none() && self.expires_at > now
    }
}
