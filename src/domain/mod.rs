//! Domain types and parsing: money, addresses, phones, roles, the ledger. No I/O here.

pub mod address;
pub mod audit;
pub mod billing;
pub mod catalogue;
pub mod check;
pub mod customer;
pub mod dates;
pub mod desk;
pub mod extra_service;
pub mod house;
pub mod ledger;
pub mod lifecycle;
pub mod message;
pub mod money;
pub mod network;
pub mod operator;
pub mod phone;
pub mod problem;
pub mod promise;
pub mod receipt;
pub mod receipt_pdf;
pub mod role;
pub mod search;
pub mod switch;
pub mod tariff;
pub mod text;
pub mod typed_input;
pub mod words;

pub use customer::{Customer, CustomerState, LookupKind};
pub use ledger::{Operation, OperationKind, PayMethod, PaymentMethod};
pub use money::{Money, MoneyError};
pub use network::{Ip, Mac};
pub use phone::Phone;
pub use role::{Permission, Role};
pub use search::SearchQuery;
