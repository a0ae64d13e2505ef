//! kassa: the billing desk of an Internet service provider.
//!
//! Layers, each in its own module: `domain` (types and parsing, no I/O), `store` (SQL on SQLite
//! or PostgreSQL), `service` (every operation: permission, validation, transaction, audit),
//! `cli` (the command line) and `tui` (the console). Nothing reaches the store except through `service`.

pub mod cli;
pub mod config;
pub mod domain;
pub mod serve;
pub mod service;
pub mod store;
pub mod tui;
