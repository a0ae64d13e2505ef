//! Domain types and parsing: money, addresses, phones, roles, the ledger. No I/O here.

pub mod customer;
pub mod dates;
pub mod ledger;
pub mod money;
pub mod network;
pub mod phone;
pub mod role;
pub mod search;
pub mod text;
pub mod typed_input;

pub use customer::{Customer, CustomerState, LookupKind};
pub use ledger::{Operation, OperationKind, PaymentMethod};
pub use money::{Money, MoneyError};
pub use network::{Ip, Mac};
pub use phone::Phone;
pub use role::{Permission, Role};
pub use search::SearchQuery;
