//! Operators: the people who log in to kassa.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::role::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Operator {
    /// Why the operator may not log in at `at` (any way: password, token, key), if not.
    pub fn login_refusal(&self, at: DateTime<Utc>) -> Option<&'static str> {
        if self.locked_until.is_some_and(|until| until > at) {
            Some("locked after wrong passwords")
        } else if !self.active {
            Some("locked out by an administrator")
        } else {
            None
        }
    }
}
