//! Houses: the buildings customers live in (`CLN_HOME_EDIT`, `CLN_HOME_LIST`).

use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct House {
    pub id: i64,
    pub country: String,
    pub region: String,
    pub city: String,
    pub street: String,
    pub number: i64,
    pub letter: String,
    pub postcode: String,
    pub connect_date: Option<NaiveDate>,
    pub ip_pool_id: Option<i64>,
}

impl House {
    /// `Ленина 5а`
    pub fn short_address(&self) -> String {
        format!("{} {}{}", self.street, self.number, self.letter)
    }
}

/// A house with how many customers live in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseLine {
    #[serde(flatten)]
    pub house: House,
    pub customers: i64,
    pub switches: i64,
}
