//! 认定计划: when a plan takes registrations and whether it has seats left. Seats are counted
//! atomically in the database; this module only says what state a plan is in at an instant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod terms;

/// Where a plan stands for a candidate looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    NotOpen,
    Open,
    Closed,
    Full,
}

impl PlanState {
    pub const ALL: [PlanState; 4] = [
        PlanState::NotOpen,
        PlanState::Open,
        PlanState::Closed,
        PlanState::Full,
    ];

    pub fn label(&self) -> &'static str {
        match self {
            PlanState::NotOpen => "未开始",
            PlanState::Open => "报名中",
            PlanState::Closed => "已截止",
            PlanState::Full => "已满",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            PlanState::NotOpen => "not_open",
            PlanState::Open => "open",
            PlanState::Closed => "closed",
            PlanState::Full => "full",
        }
    }

    pub fn parse(raw: &str) -> Option<PlanState> {
        PlanState::ALL.into_iter().find(|s| s.code() == raw)
    }

    /// Whether the 报名 button works.
    pub fn accepts_applications(&self) -> bool {
        *self == PlanState::Open
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("报名开始时间必须早于报名截止时间")]
    RegistrationWindow,
    #[error("考试开始时间必须早于考试结束时间")]
    ExamWindow,
    #[error("考试开始时间不能早于报名截止时间")]
    ExamBeforeRegistrationCloses,
    #[error(
        "计划编号应为 7 位数字：年份 4 位、月份 2 位、级别 1 位（如 2022121），同月再开一批可在后面加 -2 至 -99"
    )]
    CodeFormat,
    #[error("计划编号的最后一位应为级别 {level}")]
    CodeLevel { level: u8 },
    #[error("该计划编号已被其他计划使用")]
    CodeTaken,
    #[error("请填写计划名称（不超过 {max} 个字）")]
    Name { max: usize },
    #[error("请选择职业")]
    Occupation,
    #[error("请选择级别")]
    Level,
    #[error("已有考生报名，不能再更改职业和级别")]
    LevelFixed,
    #[error("请按 YYYY-MM-DD HH:MM 填写北京时间")]
    TimeFormat,
    #[error("考试费用应为不少于 0 的金额（元），最多两位小数")]
    Fee,
    #[error("名额应为 1 至 {max} 的整数")]
    Capacity { max: u32 },
    #[error("名额不能少于已报名人数（已报名 {taken} 人）")]
    CapacityBelowTaken { taken: u32 },
    #[error("请至少选择一个考点")]
    NoSites,
    #[error("所选考点不存在")]
    UnknownSite,
    #[error("“{0}”不能作为计划要求的材料")]
    Document(String),
    #[error("报名截止时间应晚于现在")]
    WindowInPast,
    #[error("报名已经截止")]
    AlreadyClosed,
    #[error("报名尚未开始；如需调整，请修改报名时间")]
    NotOpenYet,
    #[error("缴费截止时间须在报名开始之后、考试开始之前")]
    PaymentDeadline,
}

impl PlanError {
    pub fn code(&self) -> &'static str {
        match self {
            PlanError::RegistrationWindow => "plan_registration_window",
            PlanError::ExamWindow => "plan_exam_window",
            PlanError::ExamBeforeRegistrationCloses => "plan_exam_before_registration_closes",
            PlanError::CodeFormat => "plan_code_format",
            PlanError::CodeLevel { .. } => "plan_code_level",
            PlanError::CodeTaken => "plan_code_taken",
            PlanError::Name { .. } => "plan_name",
            PlanError::Occupation => "plan_occupation",
            PlanError::Level => "plan_level",
            PlanError::LevelFixed => "plan_level_fixed",
            PlanError::TimeFormat => "plan_time_format",
            PlanError::Fee => "plan_fee",
            PlanError::Capacity { .. } => "plan_capacity",
            // The same code as `seats::BelowTaken`, whichever layer notices it first.
            PlanError::CapacityBelowTaken { .. } => "capacity_below_taken",
            PlanError::NoSites => "plan_sites_missing",
            PlanError::UnknownSite => "plan_site_unknown",
            PlanError::Document(_) => "plan_document_invalid",
            PlanError::WindowInPast => "plan_window_in_past",
            PlanError::AlreadyClosed => "plan_already_closed",
            PlanError::NotOpenYet => "plan_not_open_yet",
            PlanError::PaymentDeadline => "plan_payment_deadline",
        }
    }
}

/// 报名时间: registrations are taken from `opens_at` (inclusive) to `closes_at` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegistrationWindow {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

impl RegistrationWindow {
    pub fn new(
        opens_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
    ) -> Result<RegistrationWindow, PlanError> {
        if opens_at < closes_at {
            Ok(RegistrationWindow {
                opens_at,
                closes_at,
            })
        } else {
            Err(PlanError::RegistrationWindow)
        }
    }

    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        self.opens_at <= now && now < self.closes_at
    }
}

/// 考试时间.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExamWindow {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl ExamWindow {
    pub fn new(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Result<ExamWindow, PlanError> {
        if starts_at < ends_at {
            Ok(ExamWindow { starts_at, ends_at })
        } else {
            Err(PlanError::ExamWindow)
        }
    }
}

/// Before the window: not open; from its close on: closed (even if seats remain); inside it:
/// full when every seat is taken, open otherwise.
pub fn plan_state(
    now: DateTime<Utc>,
    window: &RegistrationWindow,
    capacity: u32,
    seats_taken: u32,
) -> PlanState {
    if now < window.opens_at {
        PlanState::NotOpen
    } else if now >= window.closes_at {
        PlanState::Closed
    } else if seats_taken >= capacity {
        PlanState::Full
    } else {
        PlanState::Open
    }
}

/// Seats still free; never negative, even if an import over-filled a plan.
pub fn seats_left(capacity: u32, taken: u32) -> u32 {
    capacity.saturating_sub(taken)
}

/// The exam may not start before registration has closed: review and room allocation happen
/// in between.
pub fn check_plan_schedule(reg: &RegistrationWindow, exam: &ExamWindow) -> Result<(), PlanError> {
    if exam.starts_at >= reg.closes_at {
        Ok(())
    } else {
        Err(PlanError::ExamBeforeRegistrationCloses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2021, 6, 10, h, 0, 0).unwrap()
    }

    fn window() -> RegistrationWindow {
        RegistrationWindow::new(at(2), at(10)).unwrap()
    }

    #[test]
    fn a_plan_is_not_open_before_its_window_and_closed_from_its_end() {
        let w = window();
        assert_eq!(plan_state(at(1), &w, 10, 0), PlanState::NotOpen);
        assert_eq!(plan_state(at(2), &w, 10, 0), PlanState::Open);
        assert_eq!(plan_state(at(9), &w, 10, 9), PlanState::Open);
        assert_eq!(plan_state(at(10), &w, 10, 0), PlanState::Closed);
        assert_eq!(plan_state(at(11), &w, 10, 10), PlanState::Closed);
    }

    #[test]
    fn an_open_plan_with_every_seat_taken_is_full() {
        assert_eq!(plan_state(at(5), &window(), 10, 10), PlanState::Full);
        assert_eq!(plan_state(at(5), &window(), 10, 12), PlanState::Full);
        assert_eq!(plan_state(at(5), &window(), 0, 0), PlanState::Full);
    }

    #[test]
    fn seats_left_never_goes_below_zero() {
        assert_eq!(seats_left(10, 3), 7);
        assert_eq!(seats_left(10, 12), 0);
    }

    #[test]
    fn windows_must_start_before_they_end() {
        assert_eq!(
            RegistrationWindow::new(at(3), at(3)),
            Err(PlanError::RegistrationWindow)
        );
        assert_eq!(ExamWindow::new(at(5), at(4)), Err(PlanError::ExamWindow));
    }

    #[test]
    fn the_exam_starts_no_earlier_than_registration_closes() {
        let reg = window();
        assert_eq!(
            check_plan_schedule(&reg, &ExamWindow::new(at(10), at(12)).unwrap()),
            Ok(())
        );
        assert_eq!(
            check_plan_schedule(&reg, &ExamWindow::new(at(9), at(12)).unwrap()),
            Err(PlanError::ExamBeforeRegistrationCloses)
        );
    }

    #[test]
    fn states_have_labels_and_stable_codes() {
        assert_eq!(PlanState::Open.label(), "报名中");
        assert_eq!(PlanState::Full.code(), "full");
        for s in PlanState::ALL {
            assert_eq!(PlanState::parse(s.code()), Some(s));
        }
        assert!(PlanState::Open.accepts_applications());
        assert!(!PlanState::Full.accepts_applications());
    }

    fn rank(state: PlanState) -> u8 {
        match state {
            PlanState::NotOpen => 0,
            PlanState::Open | PlanState::Full => 1,
            PlanState::Closed => 2,
        }
    }

    proptest! {
        #[test]
        fn a_plan_never_reopens_as_time_passes(
            open_offset in -1_000i64..1_000,
            length in 1i64..1_000,
            t1 in -3_000i64..3_000,
            step in 0i64..3_000,
            capacity in 0u32..5,
            taken in 0u32..7,
        ) {
            let base = at(0);
            let w = RegistrationWindow::new(
                base + Duration::seconds(open_offset),
                base + Duration::seconds(open_offset + length),
            ).unwrap();
            let earlier = plan_state(base + Duration::seconds(t1), &w, capacity, taken);
            let later = plan_state(base + Duration::seconds(t1 + step), &w, capacity, taken);
            prop_assert!(rank(earlier) <= rank(later), "{:?} then {:?}", earlier, later);
            prop_assert!(!(earlier == PlanState::Closed && later == PlanState::Open));
        }

        #[test]
        fn exactly_one_state_holds_at_any_instant(
            t in -3_000i64..3_000,
            capacity in 0u32..5,
            taken in 0u32..7,
        ) {
            let w = window();
            let now = at(0) + Duration::seconds(t * 30);
            let state = plan_state(now, &w, capacity, taken);
            let conditions = [
                now < w.opens_at,
                w.contains(now) && taken < capacity,
                now >= w.closes_at,
                w.contains(now) && taken >= capacity,
            ];
            prop_assert_eq!(conditions.iter().filter(|c| **c).count(), 1);
            let index = PlanState::ALL.iter().position(|s| *s == state).unwrap();
            prop_assert!(conditions[index]);
            prop_assert_eq!(state.accepts_applications(), seats_left(capacity, taken) > 0 && w.contains(now));
        }
    }
}
