//! skillcert's database: the connection ([`db`]), one migration set for SQLite and PostgreSQL
//! ([`migrations`]), the entities, and one repository module per feature. Repositories take
//! domain types (already parsed, so never invalid) and return domain or view types; they own every
//! SQL statement, and every state change they make is one transaction.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod calendar;
pub mod catalogue;
pub mod catalogue_edits;
pub mod code_tables;
pub mod dashboard;
pub mod db;
pub mod employer_imports;
pub mod employers;
pub mod entities;
mod error;
pub mod feedback;
pub mod files;
pub mod jobs;
pub mod migrations;
pub mod notifications;
pub mod organizations;
pub mod passwords;
pub mod payments;
pub mod pii;
pub mod plans;
pub mod rate_limits;
pub mod review;
pub mod seats;
pub mod seed;
pub mod sessions;
pub mod sms_codes;
mod sql;

pub use db::{Backend, Db, DbOptions};
pub use error::StoreError;
pub use pii::Pii;
