//! What staff set when they create or change a plan in the console, and the rules that keep a
//! plan consistent: the plan code's format, windows in order, no exam before registration
//! closes, a fee of at least nothing, a capacity never below the seats already taken, the
//! occupation and level fixed once anyone holds a seat, and a payment deadline (缴费截止), when
//! one is set, after registration opens and no later than the exam starts.
//!
//! [`check_plan`] reports every problem at once, each with the input field it concerns, so that
//! the console shows them all beside the form. Opening and closing registration are their own
//! small rules ([`open_registration`], [`close_registration`]): they change the registration
//! window only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ExamWindow, PlanError, RegistrationWindow, check_plan_schedule};
use crate::applications::documents::DocumentKind;
use crate::catalogue::Level;
use crate::money::Fen;

/// A plan name's length limit, in characters (the column holds 128).
pub const NAME_MAX_CHARS: usize = 60;
/// More candidates than any one certification round has seen; a typo guard, not a policy.
pub const CAPACITY_MAX: u32 = 100_000;

/// 计划编号, as the seed's 2022121: the year, the month (two digits) and the level, so that a
/// code read aloud says which round it is. A second round of the same level in the same month
/// adds `-2` … `-99`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanCode(String);

impl PlanCode {
    /// Reads a code for a plan of `level`: the format first, then its last digit against the level.
    pub fn parse(raw: &str, level: Level) -> Result<PlanCode, PlanError> {
        let code = raw.trim();
        let (round, batch) = match code.split_once('-') {
            Some((round, batch)) => (round, Some(batch)),
            None => (code, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if round.len() != 7 || !digits(round) {
            return Err(PlanError::CodeFormat);
        }
        let number = |range: std::ops::Range<usize>| round[range].parse::<u32>().unwrap_or(0);
        let (year, month, code_level) = (number(0..4), number(4..6), number(6..7));
        let batch_ok = batch.is_none_or(|b| {
            digits(b) && b.len() <= 2 && !b.starts_with('0') && b.parse::<u32>().unwrap_or(0) >= 2
        });
        if !(2000..=2099).contains(&year)
            || !(1..=12).contains(&month)
            || !(1..=5).contains(&code_level)
            || !batch_ok
        {
            return Err(PlanError::CodeFormat);
        }
        if code_level != u32::from(level.get()) {
            return Err(PlanError::CodeLevel { level: level.get() });
        }
        Ok(PlanCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PlanCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The documents a plan may ask for on top of what every application needs (the ID card's two
/// sides and the photo, always) and what the claimed eligibility alternative needs. The signed
/// registration form is not among them: it exists only after submission.
pub const PLAN_DOCUMENTS: [DocumentKind; 5] = [
    DocumentKind::PreviousCertificate,
    DocumentKind::Diploma,
    DocumentKind::ApprenticeshipProof,
    DocumentKind::PreparatoryTechnicianCertificate,
    DocumentKind::Other,
];

/// The documents an application needs: `base` (from the alternative claimed) and the plan's own,
/// each once, in the order of [`DocumentKind::ALL`].
pub fn with_plan_documents(
    mut base: Vec<DocumentKind>,
    plan: &[DocumentKind],
) -> Vec<DocumentKind> {
    base.extend_from_slice(plan);
    base.sort_unstable();
    base.dedup();
    base
}

/// A time staff may leave blank, as submitted: blank (the default rule applies), a value that
/// could not be read, or an instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OptionalTime {
    #[default]
    Blank,
    Unreadable,
    At(DateTime<Utc>),
}

impl OptionalTime {
    /// Reads a form's text with `parse`: only whitespace is blank.
    pub fn read(raw: &str, parse: impl FnOnce(&str) -> Option<DateTime<Utc>>) -> OptionalTime {
        if raw.trim().is_empty() {
            OptionalTime::Blank
        } else {
            parse(raw).map_or(OptionalTime::Unreadable, OptionalTime::At)
        }
    }
}

impl From<Option<DateTime<Utc>>> for OptionalTime {
    fn from(value: Option<DateTime<Utc>>) -> OptionalTime {
        value.map_or(OptionalTime::Blank, OptionalTime::At)
    }
}

/// A plan as staff submitted it, each value read but not yet judged. `None` is a value that
/// was missing or could not be read (the form's text was not a time, an amount, a number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanInput {
    pub code: String,
    pub name: String,
    pub occupation_id: Option<i64>,
    pub level: Option<u8>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub exam_starts_at: Option<DateTime<Utc>>,
    pub exam_ends_at: Option<DateTime<Utc>>,
    pub fee: Option<Fen>,
    pub capacity: Option<i64>,
    pub site_ids: Vec<i64>,
    /// Document kind codes (`diploma`, …).
    pub documents: Vec<String>,
    /// 缴费截止; blank means the default rule (`domain::payments::payment_due_at`).
    pub payment_closes_at: OptionalTime,
}

/// A plan as it is, when it is being changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Existing {
    pub occupation_id: i64,
    pub level: Level,
    pub seats_taken: u32,
}

/// What the rules need besides the input: what exists to choose from, and for a change, the
/// plan as it is.
#[derive(Debug, Clone, Copy)]
pub struct PlanContext<'a> {
    pub occupations: &'a [i64],
    pub sites: &'a [i64],
    pub existing: Option<Existing>,
}

/// One problem, with the input field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanIssue {
    pub field: &'static str,
    pub error: PlanError,
}

impl PlanIssue {
    fn new(field: &'static str, error: PlanError) -> PlanIssue {
        PlanIssue { field, error }
    }
}

/// A plan that keeps every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanTerms {
    pub code: PlanCode,
    pub name: String,
    pub occupation_id: i64,
    pub level: Level,
    pub registration: RegistrationWindow,
    pub exam: ExamWindow,
    pub fee: Fen,
    pub capacity: u32,
    /// Sorted, each once.
    pub site_ids: Vec<i64>,
    /// In the order of [`DocumentKind::ALL`], each once.
    pub documents: Vec<DocumentKind>,
    /// 缴费截止: after registration opens, no later than the exam starts; `None` for the default
    /// rule (`domain::payments::payment_due_at`).
    pub payment_closes_at: Option<DateTime<Utc>>,
}

/// Checks a plan as submitted; every problem is reported, beside its field.
pub fn check_plan(input: &PlanInput, ctx: &PlanContext<'_>) -> Result<PlanTerms, Vec<PlanIssue>> {
    let mut issues = Vec::new();

    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        let max = NAME_MAX_CHARS;
        issues.push(PlanIssue::new("name", PlanError::Name { max }));
    }
    let occupation_id = input
        .occupation_id
        .filter(|id| ctx.occupations.contains(id));
    if occupation_id.is_none() {
        issues.push(PlanIssue::new("occupation_id", PlanError::Occupation));
    }
    let level = input.level.and_then(Level::new);
    if level.is_none() {
        issues.push(PlanIssue::new("level", PlanError::Level));
    }
    // Applications already holding seats were checked against this occupation and level.
    if let (Some(existing), Some(occupation_id), Some(level)) = (ctx.existing, occupation_id, level)
        && existing.seats_taken > 0
        && (existing.occupation_id != occupation_id || existing.level != level)
    {
        issues.push(PlanIssue::new("level", PlanError::LevelFixed));
    }
    let code = match level {
        Some(level) => match PlanCode::parse(&input.code, level) {
            Ok(code) => Some(code),
            Err(e) => {
                issues.push(PlanIssue::new("code", e));
                None
            }
        },
        // Without a level only the format can be judged.
        None => {
            if PlanCode::parse(&input.code, Level::ALL[0]) == Err(PlanError::CodeFormat) {
                issues.push(PlanIssue::new("code", PlanError::CodeFormat));
            }
            None
        }
    };

    let times = [
        ("registration_opens_at", input.registration_opens_at),
        ("registration_closes_at", input.registration_closes_at),
        ("exam_starts_at", input.exam_starts_at),
        ("exam_ends_at", input.exam_ends_at),
    ];
    for (field, value) in times {
        if value.is_none() {
            issues.push(PlanIssue::new(field, PlanError::TimeFormat));
        }
    }
    let registration = match (input.registration_opens_at, input.registration_closes_at) {
        (Some(a), Some(b)) => RegistrationWindow::new(a, b)
            .map_err(|e| issues.push(PlanIssue::new("registration_closes_at", e)))
            .ok(),
        _ => None,
    };
    let exam = match (input.exam_starts_at, input.exam_ends_at) {
        (Some(a), Some(b)) => ExamWindow::new(a, b)
            .map_err(|e| issues.push(PlanIssue::new("exam_ends_at", e)))
            .ok(),
        _ => None,
    };
    if let (Some(reg), Some(exam)) = (&registration, &exam)
        && let Err(e) = check_plan_schedule(reg, exam)
    {
        issues.push(PlanIssue::new("exam_starts_at", e));
    }

    let payment_closes_at = match input.payment_closes_at {
        OptionalTime::Blank => None,
        OptionalTime::Unreadable => {
            issues.push(PlanIssue::new("payment_closes_at", PlanError::TimeFormat));
            None
        }
        OptionalTime::At(t) => {
            if let (Some(reg), Some(exam)) = (&registration, &exam)
                && !payment_deadline_fits(t, reg, exam)
            {
                issues.push(PlanIssue::new(
                    "payment_closes_at",
                    PlanError::PaymentDeadline,
                ));
            }
            Some(t)
        }
    };

    let fee = input.fee.filter(|f| *f >= Fen::ZERO);
    if fee.is_none() {
        issues.push(PlanIssue::new("fee", PlanError::Fee));
    }
    let capacity = input
        .capacity
        .and_then(|c| u32::try_from(c).ok())
        .filter(|c| (1..=CAPACITY_MAX).contains(c));
    match capacity {
        None => {
            let max = CAPACITY_MAX;
            issues.push(PlanIssue::new("capacity", PlanError::Capacity { max }));
        }
        Some(c) => {
            let taken = ctx.existing.map_or(0, |e| e.seats_taken);
            if c < taken {
                let error = PlanError::CapacityBelowTaken { taken };
                issues.push(PlanIssue::new("capacity", error));
            }
        }
    }

    let mut site_ids = input.site_ids.clone();
    site_ids.sort_unstable();
    site_ids.dedup();
    if site_ids.is_empty() {
        issues.push(PlanIssue::new("site_ids", PlanError::NoSites));
    } else if site_ids.iter().any(|id| !ctx.sites.contains(id)) {
        issues.push(PlanIssue::new("site_ids", PlanError::UnknownSite));
    }
    let mut documents = Vec::new();
    for raw in &input.documents {
        match DocumentKind::parse(raw.trim()).filter(|k| PLAN_DOCUMENTS.contains(k)) {
            Some(kind) => documents.push(kind),
            None => {
                let error = PlanError::Document(raw.trim().to_owned());
                issues.push(PlanIssue::new("documents", error));
            }
        }
    }
    documents.sort_unstable();
    documents.dedup();

    match (
        code,
        occupation_id,
        level,
        registration,
        exam,
        fee,
        capacity,
    ) {
        (
            Some(code),
            Some(occupation_id),
            Some(level),
            Some(registration),
            Some(exam),
            Some(fee),
            Some(capacity),
        ) if issues.is_empty() => Ok(PlanTerms {
            code,
            name,
            occupation_id,
            level,
            registration,
            exam,
            fee,
            capacity,
            site_ids,
            documents,
            payment_closes_at,
        }),
        _ => Err(issues),
    }
}

/// A plan's own payment deadline must fall after registration opens and no later than the exam
/// starts.
pub fn payment_deadline_fits(
    deadline: DateTime<Utc>,
    registration: &RegistrationWindow,
    exam: &ExamWindow,
) -> bool {
    registration.opens_at < deadline && deadline <= exam.starts_at
}

/// 开放报名: a new registration window for a plan whose exam is `exam`. The window must end
/// after `now` (a window already past opens nothing) and no later than the exam starts.
pub fn open_registration(
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
    exam: &ExamWindow,
    now: DateTime<Utc>,
) -> Result<RegistrationWindow, Vec<PlanIssue>> {
    let mut issues = Vec::new();
    if opens_at.is_none() {
        issues.push(PlanIssue::new("opens_at", PlanError::TimeFormat));
    }
    if closes_at.is_none() {
        issues.push(PlanIssue::new("closes_at", PlanError::TimeFormat));
    }
    let (Some(opens_at), Some(closes_at)) = (opens_at, closes_at) else {
        return Err(issues);
    };
    let window = RegistrationWindow::new(opens_at, closes_at)
        .map_err(|e| vec![PlanIssue::new("closes_at", e)])?;
    if closes_at <= now {
        return Err(vec![PlanIssue::new("closes_at", PlanError::WindowInPast)]);
    }
    check_plan_schedule(&window, exam).map_err(|e| vec![PlanIssue::new("closes_at", e)])?;
    Ok(window)
}

/// 截止报名: registration closes now. Only an open window can be closed; one that has not begun
/// is changed by editing its times instead.
pub fn close_registration(
    window: &RegistrationWindow,
    now: DateTime<Utc>,
) -> Result<RegistrationWindow, PlanError> {
    if now >= window.closes_at {
        return Err(PlanError::AlreadyClosed);
    }
    RegistrationWindow::new(window.opens_at, now).map_err(|_| PlanError::NotOpenYet)
}

#[cfg(test)]
mod tests;
