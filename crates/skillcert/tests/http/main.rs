//! Black-box HTTP tests through the real router, each on SQLite and on PostgreSQL, each in its
//! own database. One test binary (with modules per feature) keeps link time down.

#[path = "../support/mod.rs"]
mod support;

mod api;
mod applications;
mod csrf;
mod dashboard;
mod feedback;
mod live_checks;
mod login;
mod notifications;
mod organization;
mod password_reset;
mod payments;
mod pii;
mod plans;
mod registration_form;
mod review;
mod signup;
mod smoke;
mod sms_limits;
mod staff_catalogue;
mod staff_console;
mod staff_payments;
mod uploads;
mod whole_form;
