//! A customer's changes of state and of being a former customer, and what a merge moves.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::customer::CustomerState;

/// What changed: the working state, or the former-customer flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    State,
    Former,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::State => "state",
            ChangeKind::Former => "former",
        }
    }
}

/// One line of a customer's state history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateChange {
    pub id: i64,
    pub customer_id: i64,
    pub kind: ChangeKind,
    /// For `State`: 0 stop, 1 pause, 2 active; for `Former`: 0 or 1.
    pub from_value: i64,
    pub to_value: i64,
    pub operator_login: Option<String>,
    pub changed_at: DateTime<Utc>,
}

impl StateChange {
    /// "active → pause", "→ former", "former → back".
    pub fn describe(&self) -> String {
        match self.kind {
            ChangeKind::State => {
                let name = |v: i64| CustomerState::from_id(v).map(|s| s.as_str()).unwrap_or("?");
                format!("{} → {}", name(self.from_value), name(self.to_value))
            }
            ChangeKind::Former if self.to_value == 1 => "moved to the former customers".into(),
            ChangeKind::Former => "back from the former customers".into(),
        }
    }
}

/// What moves in a merge, counted before it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeCounts {
    pub addresses: i64,
    pub mac_changes: i64,
    pub marks: i64,
    pub messages: i64,
    pub state_changes: i64,
    pub promised_payments: i64,
    pub services: i64,
    pub children: i64,
    pub port: bool,
}
