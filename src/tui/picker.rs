//! Picking something by searching for it: a house for a customer's address, a customer as the
//! parent of another or as the one to merge in. One box, results as you type (after the same
//! pause as the main search), Enter takes the chosen row.

use crate::service::{Actor, Service, ServiceError};

pub use super::screens::picker::PickerScreen;

/// What is being picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickKind {
    House,
    Customer,
}

/// What the pick is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    /// The field at this index of the form under the picker.
    Field(usize),
    /// The customer to merge into this main customer.
    Merge(i64),
    /// The customer an imported bank line is for (asked before it is accepted).
    BankLine(i64),
}

/// One row of what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub id: i64,
    /// What the picked field shows afterwards.
    pub text: String,
    /// More to tell rows apart (a customer's address and balance).
    pub detail: String,
}

/// How many rows a pick search asks for.
pub const PICK_LIMIT: i64 = 50;

/// Finds the rows for a pick search.
pub async fn search(
    svc: &Service,
    a: &Actor,
    kind: PickKind,
    text: &str,
) -> Result<Vec<PickItem>, ServiceError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(match kind {
        PickKind::House => svc
            .search_houses(a, text, PICK_LIMIT)
            .await?
            .into_iter()
            .map(|h| PickItem {
                id: h.id,
                text: format!("{}, {}", h.city, h.short_address()),
                detail: h.postcode.clone(),
            })
            .collect(),
        PickKind::Customer => svc
            .search_customers(a, text, false, PICK_LIMIT)
            .await?
            .customers
            .into_iter()
            .map(|c| PickItem {
                id: c.id,
                text: format!("{} {}", c.agreement_number.as_deref().unwrap_or("—"), c.name),
                detail: format!("{}  {}", c.address(), c.balance.format_ru()),
            })
            .collect(),
    })
}
