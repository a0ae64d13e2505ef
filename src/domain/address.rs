//! A customer's address records (an IP, a subnet or a MAC alone) and the MAC history.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One IP/MAC record of a customer: an address, a subnet (`prefix` set) or a MAC alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressRecord {
    pub id: i64,
    pub customer_id: i64,
    pub ip: Option<String>,
    pub prefix: Option<i64>,
    pub mac: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl AddressRecord {
    /// `10.0.3.14`, `10.0.3.8/29` or `—` for a MAC-only record.
    pub fn address(&self) -> String {
        match (&self.ip, self.prefix) {
            (Some(ip), Some(p)) => format!("{ip}/{p}"),
            (Some(ip), None) => ip.clone(),
            (None, _) => "—".to_string(),
        }
    }
}

/// One line of a customer's MAC history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MacChange {
    pub id: i64,
    pub ip: Option<String>,
    pub mac_before: Option<String>,
    pub mac_after: Option<String>,
    pub operator_login: Option<String>,
    pub changed_at: DateTime<Utc>,
}
