//! What the catalogue's templates show: choices for selects and checkboxes, the rule form's
//! values, an occupation's rules by level.

use domain::catalogue::eligibility::{ConditionKind, YearsCountedFrom};
use domain::catalogue::{Level, RuleInput};
use store::catalogue::RuleRecord;

use super::actions;
use crate::state::AppState;

/// An option of a select, a radio or a checkbox.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    fn new(value: impl ToString, label: impl Into<String>, selected: bool) -> Choice {
        Choice {
            value: value.to_string(),
            label: label.into(),
            selected,
        }
    }
}

/// The five levels as checkboxes, `ticked` ticked.
pub fn level_boxes(ticked: &[Level]) -> Vec<Choice> {
    Level::ALL
        .iter()
        .map(|l| Choice::new(l.get(), l.full_name(), ticked.contains(l)))
        .collect()
}

/// The rule form's values as the template shows them.
pub struct RuleFormView {
    pub levels: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub required_levels: Vec<Choice>,
    pub years_of_work: String,
    pub counted_from: Vec<Choice>,
    pub education: Vec<Choice>,
    pub education_or_above: bool,
    pub related_major: bool,
    pub related_occupation: bool,
}

/// `input` in the form; `years_raw` is what was typed when it was not a number (shown again).
pub fn rule_form(
    state: &AppState,
    input: &RuleInput,
    levels_offered: &[Level],
    years_raw: Option<&str>,
) -> RuleFormView {
    let is = |n: Option<i64>, l: Level| n == Some(i64::from(l.get()));
    RuleFormView {
        levels: levels_offered
            .iter()
            .map(|l| Choice::new(l.get(), l.full_name(), is(input.level, *l)))
            .collect(),
        kinds: ConditionKind::ALL
            .iter()
            .map(|k| Choice::new(k.code(), k.label(), input.kind == k.code()))
            .collect(),
        required_levels: Level::ALL
            .iter()
            .map(|l| Choice::new(l.get(), l.full_name(), is(input.required_level, *l)))
            .collect(),
        years_of_work: years_raw
            .map(str::to_owned)
            .or_else(|| input.years_of_work.map(|y| y.to_string()))
            .unwrap_or_default(),
        counted_from: YearsCountedFrom::ALL
            .iter()
            .map(|c| {
                let selected = input.years_counted_from == c.code()
                    || (input.years_counted_from.is_empty() && *c == YearsCountedFrom::Total);
                Choice::new(c.code(), c.label(), selected)
            })
            .collect(),
        education: state
            .codes
            .items("education")
            .iter()
            .map(|i| {
                Choice::new(
                    &i.code,
                    format!("{}（{}）", i.name, i.code),
                    input.education_codes.iter().any(|c| c.trim() == i.code),
                )
            })
            .collect(),
        education_or_above: input.education_or_above,
        related_major: input.related_major,
        related_occupation: input.related_occupation,
    }
}

pub struct RuleLine {
    pub id: i64,
    pub kind: &'static str,
    pub sentence: String,
    pub retired: bool,
}

pub struct LevelRules {
    pub level: u8,
    pub label: &'static str,
    pub rules: Vec<RuleLine>,
}

/// The occupation's rules under each of its levels, live ones first.
pub fn rules_by_level(state: &AppState, levels: &[Level], rules: &[RuleRecord]) -> Vec<LevelRules> {
    levels
        .iter()
        .map(|level| LevelRules {
            level: level.get(),
            label: level.full_name(),
            rules: rules
                .iter()
                .filter(|r| r.rule.level() == *level)
                .map(|r| RuleLine {
                    id: r.id,
                    kind: r.rule.kind().label(),
                    sentence: actions::sentence(state, &r.rule),
                    retired: r.retired,
                })
                .collect(),
        })
        .collect()
}
