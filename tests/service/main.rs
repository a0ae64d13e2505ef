//! Service scenarios: every body runs on SQLite and on PostgreSQL (see `both_backends!`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod access;
mod billing;
mod catalogue;
mod check;
mod customers;
mod desk;
mod helpers;
mod houses;
mod imports;
mod merge;
mod money;
mod network;
mod operators;
mod permissions;
mod pricing;
mod promises;
mod refunds;
mod search;
mod tariffs;
