//! Black-box HTTP tests through the real router, each on SQLite and on PostgreSQL, each in its
//! own database. One test binary (with modules per feature) keeps link time down.

#[path = "../support/mod.rs"]
mod support;

mod smoke;
