//! The plan form as posted: text fields and repeated checkboxes (`site_ids`, `documents`), read
//! into a `PlanInput` for the rules, and kept as typed so that a refused form shows it again.

use chrono::{DateTime, Utc};
use domain::money::Fen;
use domain::plans::terms::{OptionalTime, PlanInput};
use store::plans::Plan;

use crate::error::AppError;
use crate::staff::Staff;

/// A form body with repeated fields, read once; the CSRF token is checked on reading.
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    pub fn read(staff: &Staff, body: &[u8]) -> Result<Pairs, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| {
            AppError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "bad_request",
                "请求内容无法读取",
            )
        })?;
        let pairs = Pairs(pairs);
        staff
            .session
            .check_csrf(&pairs.get(crate::session::CSRF_FIELD))?;
        Ok(pairs)
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// A Beijing time as a `datetime-local` input shows it.
pub fn local_input(t: DateTime<Utc>) -> String {
    t.with_timezone(&domain::time::shanghai())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct PlanFormValues {
    pub code: String,
    pub name: String,
    pub occupation_id: String,
    pub level: String,
    pub registration_opens_at: String,
    pub registration_closes_at: String,
    pub exam_starts_at: String,
    pub exam_ends_at: String,
    /// 元, as typed ("120", "120.50").
    pub fee: String,
    pub capacity: String,
    pub site_ids: Vec<String>,
    pub documents: Vec<String>,
    /// 缴费截止; blank for the default rule.
    pub payment_closes_at: String,
}

impl PlanFormValues {
    pub fn read(pairs: &Pairs) -> PlanFormValues {
        PlanFormValues {
            code: pairs.get("code"),
            name: pairs.get("name"),
            occupation_id: pairs.get("occupation_id"),
            level: pairs.get("level"),
            registration_opens_at: pairs.get("registration_opens_at"),
            registration_closes_at: pairs.get("registration_closes_at"),
            exam_starts_at: pairs.get("exam_starts_at"),
            exam_ends_at: pairs.get("exam_ends_at"),
            fee: pairs.get("fee"),
            capacity: pairs.get("capacity"),
            site_ids: pairs.all("site_ids"),
            documents: pairs.all("documents"),
            payment_closes_at: pairs.get("payment_closes_at"),
        }
    }

    /// The form filled with a plan as it is.
    pub fn of(plan: &Plan, site_ids: &[i64]) -> PlanFormValues {
        PlanFormValues {
            code: plan.code.clone(),
            name: plan.name.clone(),
            occupation_id: plan.occupation_id.to_string(),
            level: plan.level.get().to_string(),
            registration_opens_at: local_input(plan.registration.opens_at),
            registration_closes_at: local_input(plan.registration.closes_at),
            exam_starts_at: local_input(plan.exam.starts_at),
            exam_ends_at: local_input(plan.exam.ends_at),
            fee: plan.fee.yuan_text(),
            capacity: plan.capacity.to_string(),
            site_ids: site_ids.iter().map(i64::to_string).collect(),
            documents: plan.documents.iter().map(|d| d.code().to_owned()).collect(),
            payment_closes_at: plan.payment_closes_at.map(local_input).unwrap_or_default(),
        }
    }

    /// What the rules judge; a value that cannot be read is `None` (or left out, for a list).
    pub fn input(&self) -> PlanInput {
        let time = |raw: &str| domain::time::parse_shanghai_datetime(raw);
        PlanInput {
            code: self.code.clone(),
            name: self.name.clone(),
            occupation_id: self.occupation_id.trim().parse().ok(),
            level: self.level.trim().parse().ok(),
            registration_opens_at: time(&self.registration_opens_at),
            registration_closes_at: time(&self.registration_closes_at),
            exam_starts_at: time(&self.exam_starts_at),
            exam_ends_at: time(&self.exam_ends_at),
            fee: Fen::from_yuan_str(&self.fee),
            capacity: self.capacity.trim().parse().ok(),
            // A site id that is not a number cannot be one of the choices: kept as an unknown one.
            site_ids: self
                .site_ids
                .iter()
                .map(|s| s.trim().parse().unwrap_or(-1))
                .collect(),
            documents: self.documents.clone(),
            payment_closes_at: OptionalTime::read(&self.payment_closes_at, time),
        }
    }
}
