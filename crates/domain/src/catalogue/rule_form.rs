//! The eligibility alternative as staff type it in the console (or send it to the API): loose
//! values, each checked beside its input, then [`EligibilityRule::parse`] for what makes the
//! parts fit together. Every refusal names the input it concerns, with a stable code and a
//! Chinese message, so the form shows it where the mistake is.

use serde::Deserialize;

use super::Level;
use super::eligibility::{
    ConditionKind, EducationRequirement, EligibilityRule, RuleError, RuleFields, YearsCountedFrom,
};

/// One alternative as typed. Numbers are `i64` so that any number typed reaches the range
/// checks here (and gets a message beside its input) rather than failing to convert earlier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RuleInput {
    /// The level the alternative admits to, 1 (一级) … 5 (五级).
    pub level: Option<i64>,
    /// A [`ConditionKind`] code.
    pub kind: String,
    pub required_level: Option<i64>,
    pub years_of_work: Option<i64>,
    /// A [`YearsCountedFrom`] code; empty means `total`.
    pub years_counted_from: String,
    /// Education codes (code table `education`); none means the alternative names no diploma.
    pub education_codes: Vec<String>,
    pub education_or_above: bool,
    pub related_major: bool,
    pub related_occupation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFieldError {
    /// The [`RuleInput`] field's name.
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl RuleFieldError {
    fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        RuleFieldError {
            field,
            code,
            message: message.into(),
        }
    }
}

impl From<RuleError> for RuleFieldError {
    fn from(e: RuleError) -> Self {
        RuleFieldError::new(e.field(), e.code(), e.to_string())
    }
}

/// A number typed into a form: empty is "not given"; anything else must be a whole number.
pub fn parse_number(field: &'static str, raw: &str) -> Result<Option<i64>, RuleFieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| RuleFieldError::new(field, "rule_number_invalid", "请填写整数（阿拉伯数字）"))
}

/// Checks a typed alternative: first each input on its own (every mistake reported at once),
/// then the alternative as a whole (the first mistake [`EligibilityRule::parse`] finds).
/// `education_known` says whether a code is in the education code table.
pub fn check_rule_input(
    input: &RuleInput,
    education_known: &dyn Fn(&str) -> bool,
) -> Result<EligibilityRule, Vec<RuleFieldError>> {
    let mut errors = Vec::new();

    let level = match input.level {
        None => {
            errors.push(RuleFieldError::new(
                "level",
                "rule_level_missing",
                "请选择申报等级",
            ));
            None
        }
        Some(n) => {
            let level = u8::try_from(n).ok().and_then(Level::new);
            if level.is_none() {
                errors.push(RuleFieldError::new(
                    "level",
                    "rule_level_invalid",
                    "申报等级必须在一级到五级之间",
                ));
            }
            level
        }
    };
    let kind = ConditionKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(RuleFieldError::new(
            "kind",
            "rule_kind_invalid",
            "请选择申报条件的类型",
        ));
    }
    let required_level = match input.required_level {
        None => None,
        // Out of range as a `u8` is out of range as a level: the same message.
        Some(n) => match u8::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(RuleError::RequiredLevelInvalid.into());
                None
            }
        },
    };
    let years_of_work = match input.years_of_work {
        None => None,
        Some(n) => match u8::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(RuleError::YearsOutOfRange.into());
                None
            }
        },
    };
    let counted = input.years_counted_from.trim();
    let years_counted_from = if counted.is_empty() {
        Some(YearsCountedFrom::Total)
    } else {
        YearsCountedFrom::parse(counted)
    };
    if years_counted_from.is_none() {
        errors.push(RuleFieldError::new(
            "years_counted_from",
            "rule_counted_from_invalid",
            "请选择工作年限的起算方式",
        ));
    }
    let codes: Vec<String> = input
        .education_codes
        .iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .fold(Vec::new(), |mut kept, c| {
            // A code ticked twice (a checkbox and a typed one) counts once.
            if !kept.contains(&c) {
                kept.push(c);
            }
            kept
        });
    let unknown: Vec<&str> = codes
        .iter()
        .map(String::as_str)
        .filter(|c| !education_known(c))
        .collect();
    if !unknown.is_empty() {
        errors.push(RuleFieldError::new(
            "education_codes",
            "rule_education_unknown",
            format!("学历代码表中没有：{}", unknown.join("、")),
        ));
    }

    let (Some(level), Some(kind), Some(years_counted_from), true) =
        (level, kind, years_counted_from, errors.is_empty())
    else {
        return Err(errors);
    };
    let fields = RuleFields {
        kind,
        required_level,
        years_of_work,
        years_counted_from,
        education: (!codes.is_empty()).then_some(EducationRequirement {
            codes,
            or_above: input.education_or_above,
            related_major: input.related_major,
        }),
        related_occupation: input.related_occupation,
    };
    EligibilityRule::parse(level, fields).map_err(|e| vec![e.into()])
}

/// A stored alternative as the form shows it for editing.
pub fn input_of(rule: &EligibilityRule) -> RuleInput {
    let f = rule.fields();
    RuleInput {
        level: Some(i64::from(rule.level().get())),
        kind: f.kind.code().to_owned(),
        required_level: f.required_level.map(i64::from),
        years_of_work: f.years_of_work.map(i64::from),
        years_counted_from: f.years_counted_from.code().to_owned(),
        education_codes: f
            .education
            .as_ref()
            .map(|e| e.codes.clone())
            .unwrap_or_default(),
        education_or_above: f.education.as_ref().is_some_and(|e| e.or_above),
        related_major: f.education.as_ref().is_some_and(|e| e.related_major),
        related_occupation: f.related_occupation,
    }
}

#[cfg(test)]
mod tests;
