//! Plans as pages and the API show them: every figure already formatted for people.

use chrono::{DateTime, Utc};
use domain::time::{format_instant, format_window};
use serde::Serialize;
use store::plans::Plan;

use super::cache::PlanFacts;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanCard {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub occupation: String,
    pub level: u8,
    pub level_name: String,
    /// `not_open`, `open`, `closed` or `full`.
    pub state: String,
    /// 未开始, 报名中, 已截止 or 已满.
    pub state_label: String,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub exam_starts_at: DateTime<Utc>,
    pub exam_ends_at: DateTime<Utc>,
    /// As the seed shows them, in Beijing time: "2021-06-10 10:00:00 - 2021-06-12 12:00:00".
    pub registration_window: String,
    pub exam_window: String,
    pub fee_fen: i64,
    pub fee_text: String,
    pub capacity: u32,
    pub seats_left: u32,
}

impl PlanCard {
    pub fn new(plan: &Plan, now: DateTime<Utc>) -> PlanCard {
        let state = plan.state(now);
        PlanCard {
            id: plan.id,
            code: plan.code.clone(),
            name: plan.name.clone(),
            occupation: plan.occupation_name.clone(),
            level: plan.level.get(),
            level_name: plan.level.full_name().to_owned(),
            state: state.code().to_owned(),
            state_label: state.label().to_owned(),
            registration_opens_at: plan.registration.opens_at,
            registration_closes_at: plan.registration.closes_at,
            exam_starts_at: plan.exam.starts_at,
            exam_ends_at: plan.exam.ends_at,
            registration_window: format_window(
                plan.registration.opens_at,
                plan.registration.closes_at,
            ),
            exam_window: format_window(plan.exam.starts_at, plan.exam.ends_at),
            fee_fen: plan.fee.0,
            fee_text: plan.fee.to_string(),
            capacity: plan.capacity,
            seats_left: plan.seats_left(),
        }
    }

    pub fn is_open(&self) -> bool {
        self.state == "open"
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SiteView {
    pub name: String,
    pub address: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanDetailView {
    #[serde(flatten)]
    pub card: PlanCard,
    pub occupation_code: String,
    /// Any one alternative suffices; each in plain Chinese.
    pub eligibility: Vec<String>,
    /// Tracks the candidate chooses from at this level (empty when the level has none).
    pub tracks: Vec<String>,
    pub related_occupations: Vec<String>,
    pub sites: Vec<SiteView>,
    pub registration_closes_text: String,
    /// 缴费截止 set on the plan; `null` when the default applies (3 days before the exam).
    pub payment_closes_at: Option<DateTime<Utc>>,
    /// 缴费截止 for people: the time in Beijing, or "考试前 3 天".
    pub payment_closes_text: String,
}

/// The plan's page from its cached facts and its seats now.
pub fn detail(plan: &Plan, facts: &PlanFacts, now: DateTime<Utc>) -> PlanDetailView {
    PlanDetailView {
        card: PlanCard::new(plan, now),
        occupation_code: facts.occupation_code.clone(),
        eligibility: facts.eligibility.clone(),
        tracks: facts.tracks.clone(),
        related_occupations: facts.related_occupations.clone(),
        sites: facts
            .sites
            .iter()
            .map(|s| SiteView {
                name: s.name.clone(),
                address: s.address.clone(),
            })
            .collect(),
        registration_closes_text: format_instant(plan.registration.closes_at),
        payment_closes_at: plan.payment_closes_at,
        payment_closes_text: match plan.payment_closes_at {
            Some(t) => format_instant(t),
            None => format!(
                "考试前 {} 天",
                domain::payments::DEFAULT_DEADLINE_DAYS_BEFORE_EXAM
            ),
        },
    }
}
