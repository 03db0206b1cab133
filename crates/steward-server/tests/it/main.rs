//! The server's integration tests: the real server on port 0, spoken to over HTTP, on every
//! backend under test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod calendar;
mod change;
mod compliance;
mod configuration;
mod conversation;
mod errors;
mod finance;
mod helpers;
mod incident;
mod knowledge;
mod openapi;
mod records;
mod security;
mod ui;
