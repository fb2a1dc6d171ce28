//! Whether a candidate meets an eligibility alternative (申报条件), and if not, exactly what is
//! missing. The wizard shows every alternative of the plan's level with its verdict, so that a
//! candidate sees which one is met before submitting rather than after days of review.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::facts::{ApplicantFacts, PreviousCertificate};
use super::work_history::{duration_text, months_since, total_months};
use crate::catalogue::{
    ConditionKind, EducationRequirement, EligibilityRule, YearsCountedFrom,
    standard_education_names,
};

/// The outcome for one alternative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Met,
    /// Every missing piece, in Chinese, e.g. "需取得本职业或相关职业二级/技师证书",
    /// "取得证书后的工作年限不足：需 4 年，目前 2 年 3 个月".
    NotMet {
        missing: Vec<String>,
    },
}

impl Verdict {
    pub fn is_met(&self) -> bool {
        matches!(self, Verdict::Met)
    }

    /// What is missing; empty when met.
    pub fn missing(&self) -> &[String] {
        match self {
            Verdict::Met => &[],
            Verdict::NotMet { missing } => missing,
        }
    }
}

/// [`evaluate_with_names`] naming diplomas from the standard education table.
pub fn evaluate(
    rule: &EligibilityRule,
    facts: &ApplicantFacts,
    education_rank: &dyn Fn(&str) -> Option<i32>,
    today: NaiveDate,
) -> Verdict {
    evaluate_with_names(
        rule,
        facts,
        education_rank,
        &standard_education_names,
        today,
    )
}

/// Every alternative's verdict, in the order given.
pub fn evaluate_all(
    rules: &[EligibilityRule],
    facts: &ApplicantFacts,
    education_rank: &dyn Fn(&str) -> Option<i32>,
    today: NaiveDate,
) -> Vec<Verdict> {
    rules
        .iter()
        .map(|rule| evaluate(rule, facts, education_rank, today))
        .collect()
}

/// Evaluates one alternative:
///
/// - a required certificate is met by a previous certificate of that level or a higher one,
///   of this occupation or a related one;
/// - years of work are counted in total, since the certificate's issue (the 预备技师
///   certificate's for that kind) or since graduation, and must reach the years required;
/// - a diploma is met by one of the rule's codes, or with 及以上 by any diploma ranked at least
///   as high as the best of them, and the major must be related when the rule says so;
/// - an apprenticeship or a 预备技师 certificate when the kind asks for it.
///
/// `education_rank` ranks the rule's codes (smaller is higher); `education_names` names codes
/// in the messages, unknown codes printed as they are.
pub fn evaluate_with_names(
    rule: &EligibilityRule,
    facts: &ApplicantFacts,
    education_rank: &dyn Fn(&str) -> Option<i32>,
    education_names: &dyn Fn(&str) -> Option<String>,
    today: NaiveDate,
) -> Verdict {
    let fields = rule.fields();
    let occupation = if fields.related_occupation {
        "本职业或相关职业"
    } else {
        "本职业"
    };
    let mut missing = Vec::new();

    let certificate =
        rule.required_level()
            .and_then(|required| match &facts.previous_certificate {
                Some(c) if c.level == required || c.level.is_higher_than(required) => {
                    if c.same_or_related_occupation {
                        Some(c)
                    } else {
                        missing.push(format!("上一级别证书需为{occupation}的证书"));
                        None
                    }
                }
                Some(c) => {
                    missing.push(format!(
                        "需取得{occupation}{}证书（已填写的为{}证书）",
                        required.full_name(),
                        c.level.full_name()
                    ));
                    None
                }
                None => {
                    missing.push(format!("需取得{occupation}{}证书", required.full_name()));
                    None
                }
            });

    match fields.kind {
        ConditionKind::Apprenticeship if !facts.apprenticeship_completed => {
            missing.push(format!("需经{occupation}学徒期满"));
        }
        ConditionKind::PreparatoryTechnician if facts.preparatory_technician_since.is_none() => {
            missing.push("需取得预备技师证书".to_owned());
        }
        _ => {}
    }

    if let Some(requirement) = &fields.education {
        missing.extend(education_missing(
            requirement,
            facts,
            education_rank,
            education_names,
        ));
    }

    if let Some(years) = fields.years_of_work {
        missing.extend(years_missing(rule, years, facts, certificate, today));
    }

    if missing.is_empty() {
        Verdict::Met
    } else {
        Verdict::NotMet { missing }
    }
}

fn education_missing(
    requirement: &EducationRequirement,
    facts: &ApplicantFacts,
    education_rank: &dyn Fn(&str) -> Option<i32>,
    education_names: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    let name = |code: &str| education_names(code).unwrap_or_else(|| code.to_owned());
    let names: Vec<String> = requirement.codes.iter().map(|c| name(c)).collect();
    let mut wanted = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}或{last}", rest.join("、")),
        _ => names.join(""),
    };
    if requirement.or_above {
        wanted.push_str("及以上");
    }

    let Some(education) = facts
        .education
        .as_ref()
        .filter(|e| !e.code.trim().is_empty())
    else {
        return vec![format!("需具有{wanted}学历")];
    };
    let mut missing = Vec::new();
    let best_required = requirement
        .codes
        .iter()
        .filter_map(|c| education_rank(c))
        .min();
    let rank = education.rank.or_else(|| education_rank(&education.code));
    let matches = requirement.codes.contains(&education.code)
        || (requirement.or_above
            && matches!((rank, best_required), (Some(r), Some(best)) if r <= best));
    if !matches {
        missing.push(format!(
            "需具有{wanted}学历（目前为{}）",
            name(&education.code)
        ));
    }
    if requirement.related_major && !education.related_major {
        missing.push("所学专业需为本专业或相关专业".to_owned());
    }
    missing
}

fn years_missing(
    rule: &EligibilityRule,
    years: u8,
    facts: &ApplicantFacts,
    certificate: Option<&PreviousCertificate>,
    today: NaiveDate,
) -> Vec<String> {
    let needed = u32::from(years) * 12;
    let shortfall = |what: &str, have: u32| {
        (have < needed).then(|| format!("{what}不足：需 {years} 年，目前 {}", duration_text(have)))
    };
    let since = |what: &str, date: Option<NaiveDate>, absent: String| match date {
        Some(date) => shortfall(what, months_since(&facts.work, date, today)),
        None => Some(absent),
    };
    let message = match rule.fields().years_counted_from {
        YearsCountedFrom::Total => shortfall("累计工作年限", total_months(&facts.work, today)),
        YearsCountedFrom::Certificate if rule.kind() == ConditionKind::PreparatoryTechnician => {
            since(
                "取得预备技师证书后的工作年限",
                facts.preparatory_technician_since,
                format!("取得预备技师证书后需工作满 {years} 年"),
            )
        }
        YearsCountedFrom::Certificate => since(
            "取得证书后的工作年限",
            certificate.map(|c| c.issued_on),
            format!("取得证书后需工作满 {years} 年"),
        ),
        YearsCountedFrom::Graduation => since(
            "毕业后的工作年限",
            facts.education.as_ref().and_then(|e| e.graduated_on),
            format!("毕业后需工作满 {years} 年（未填写毕业时间或尚未毕业）"),
        ),
    };
    message.into_iter().collect()
}

#[cfg(test)]
mod tests;
