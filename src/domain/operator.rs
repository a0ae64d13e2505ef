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
