//! The catalogues of marks and customer groups.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub id: i64,
    pub name: String,
    pub color: String,
    /// How many customers carry it.
    pub customers: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: i64,
    pub name: String,
    /// How many customers are in it.
    pub customers: i64,
}
