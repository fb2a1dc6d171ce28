//! 报名: a candidate's application for one plan, from the wizard's draft to the certificate.
//!
//! The module owns the rules of the application form and its life:
//!
//! - [`form`]: the wizard's sections as typed (strings, so a half-filled draft always saves) and
//!   the checks of each section, returning every [`issues::FieldIssue`] at once;
//! - [`work_history`], [`employers`], [`month`], [`contact`]: the work history rows, unified
//!   social credit codes, months and phone numbers those checks use;
//! - [`facts`] and [`eligibility_check`]: what the candidate declared, evaluated against every
//!   eligibility alternative of the plan's level;
//! - [`documents`]: which uploads an application needs and what makes an upload acceptable;
//! - [`state`]: the state machine of an application's whole life.

pub mod contact;
pub mod documents;
pub mod eligibility_check;
pub mod employer_import;
pub mod employers;
pub mod facts;
pub mod form;
pub mod issues;
pub mod month;
pub mod state;
pub mod work_history;

pub use documents::{DocumentKind, FileType, PhotoFacts, check_photo, sniff};
pub use eligibility_check::{Verdict, evaluate, evaluate_all};
pub use employers::{EmployerRecord, UsccCheck, check_uscc};
pub use facts::{ApplicantFacts, EducationFact, PreviousCertificate};
pub use issues::{FieldIssue, Severity};
pub use month::YearMonth;
pub use state::{Actor, ApplicationEvent, ApplicationStatus, TransitionError, transition};
pub use work_history::{
    WorkPeriod, WorkPeriodInput, check_work_history, months_since, total_months,
};
