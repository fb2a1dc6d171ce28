//! What a candidate has declared that the eligibility rules look at: the previous certificate,
//! the diploma, the work history, an apprenticeship and a 预备技师 certificate. Built from the
//! form by [`super::form::facts_of`]; the reviewer checks them against the uploaded documents.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::work_history::WorkPeriod;
use crate::catalogue::Level;

/// The certificate a promotion (晋级鉴定) builds on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousCertificate {
    pub level: Level,
    pub issued_on: NaiveDate,
    /// Of this occupation or one of its related occupations (相关职业). The form cannot tell the
    /// two apart; the reviewer does, from the certificate.
    pub same_or_related_occupation: bool,
}

/// The candidate's diploma.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EducationFact {
    /// A code of the education code table.
    pub code: String,
    /// The code's rank in that table: smaller is higher (博士 before 本科). `None` when the
    /// table does not rank it.
    pub rank: Option<i32>,
    /// Studied this occupation's major or a related one (本专业或相关专业).
    pub related_major: bool,
    /// `None`: still studying (在读), e.g. a graduate of this year (应届).
    pub graduated_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantFacts {
    pub previous_certificate: Option<PreviousCertificate>,
    pub education: Option<EducationFact>,
    pub work: Vec<WorkPeriod>,
    pub apprenticeship_completed: bool,
    /// When the 预备技师 certificate was obtained.
    pub preparatory_technician_since: Option<NaiveDate>,
}
