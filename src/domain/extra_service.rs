//! Extra services: the catalogue and each customer's (`CLN_USR_USLUGA_EDIT`).

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::money::Money;
use crate::domain::tariff::Period;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtraService {
    pub id: i64,
    pub name: String,
    pub price: Money,
    pub period: Period,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerService {
    pub id: i64,
    pub customer_id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub period: Period,
    /// The customer's own price, if any.
    pub own_price: Option<Money>,
    /// What the customer pays per period for one: the own price or the catalogue's.
    pub price: Money,
    pub quantity: i64,
    pub comment: Option<String>,
    pub enabled: bool,
    pub next_charge_on: Option<NaiveDate>,
}
