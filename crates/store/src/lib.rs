//! Sokoni's database: one SQL database, an embedded SQLite file by default or
//! PostgreSQL in production, chosen by the URL.
//!
//! Repository functions live in one module per table group. Every function
//! that reads or writes tenant data takes a [`domain::TenantId`], so a query
//! without tenant scope cannot be written by accident. Most SQL is one string
//! for both backends (`$1` placeholders, times bound from Rust); where the
//! backends differ there is an explicit `match`.

pub mod automation;
pub mod business;
pub mod chat;
pub mod customers;
pub mod dashboard;
mod db;
mod error;
pub mod inbox;
pub mod inventory;
pub mod invites;
pub mod jobs;
pub mod measurements;
pub mod onboarding;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod products;
pub mod savepoint;
pub mod schema;
pub mod staff;
pub mod templates;
pub mod tenants;
pub mod testing;
pub mod users;
pub mod wa;
pub mod web_sessions;
pub mod zones;

pub use db::{Db, Ex, Tx, now, select_in};
pub use error::{StoreError, StoreResult, UNIQUE_INDEXES};
