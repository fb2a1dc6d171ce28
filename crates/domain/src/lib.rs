//! skillcert's domain: the pure types and rules of vocational skill level certification
//! (职业技能等级认定).
//!
//! Everything here is a value or a function of values: no I/O, no async, no SQL, no clock
//! reads (callers pass `now` / `today` in). Constructors are `parse` functions that refuse
//! invalid input, so the rest of the code cannot hold an invalid ID number, phone, level or
//! eligibility rule. Every error carries a short Chinese message for the candidate (its
//! `Display`) and a stable snake_case `code()` for the API and for tests.

pub mod accounts;
pub mod applications;
pub mod calendar;
pub mod catalogue;
pub mod feedback;
pub mod identity;
pub mod jobs;
pub mod money;
pub mod notifications;
pub mod payments;
pub mod permissions;
pub mod plans;
pub mod review;
pub mod seats;
pub mod time;
