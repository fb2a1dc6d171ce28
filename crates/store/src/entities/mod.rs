//! sea-orm entities, one per table; rows only. Repositories turn them into domain types.

pub mod account;
pub mod account_role;
pub mod application;
pub mod application_event;
pub mod audit_entry;
pub mod code_item;
pub mod division;
pub mod eligibility_rule;
pub mod employer;
pub mod exam_site;
pub mod job;
pub mod occupation;
pub mod occupation_level;
pub mod plan;
pub mod plan_seat_stripe;
pub mod plan_site;
pub mod rate_limit_event;
pub mod rate_limit_key;
pub mod related_occupation;
pub mod session;
pub mod sms_code;
pub mod track;
pub mod track_level;
pub mod uploaded_file;
pub mod work_calendar_day;
