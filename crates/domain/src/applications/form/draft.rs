//! The whole draft at submission: every section's checks, plus what only the sections together
//! can tell (the ID number of step 3 against the account's, the claimed alternative against
//! the sections it rests on, the declared years against the work history).

use chrono::NaiveDate;

use super::{
    ApplicationDraft, CodeBook, DeclarationKind, IdType, check_basic, check_declaration,
    check_education, check_identity, check_registration,
};
use crate::applications::employers::EmployerRecord;
use crate::applications::issues::FieldIssue;
use crate::applications::work_history::{check_work_history, duration_text, total_months};
use crate::catalogue::{ConditionKind, EligibilityRule, Level, YearsCountedFrom};
use crate::identity::IdNumber;

/// What the checks of a whole draft need to know about the candidate and the plan.
#[derive(Debug, Clone, Copy)]
pub struct DraftContext<'a> {
    /// The resident ID number the account was verified with, if any.
    pub account_id_number: Option<&'a IdNumber>,
    /// The plan's level.
    pub level: Level,
    pub has_tracks: bool,
    /// The eligibility alternatives of the plan's level, with their ids.
    pub rules: &'a [(i64, EligibilityRule)],
    pub today: NaiveDate,
}

/// Every finding about the draft: each section's, the work history's, and the cross-section
/// ones. Eligibility itself is not a finding (see
/// [`crate::applications::eligibility_check`]): a candidate who meets no alternative may still
/// submit after acknowledging it.
pub fn check_draft(
    draft: &ApplicationDraft,
    ctx: &DraftContext<'_>,
    codes: &dyn CodeBook,
    registry: &dyn Fn(&str, Option<&str>) -> Option<EmployerRecord>,
) -> Vec<FieldIssue> {
    let today = ctx.today;
    let r = &draft.registration;

    let is_resident =
        r.id_type.trim().is_empty() || IdType::parse(&r.id_type) == Some(IdType::ResidentIdCard);
    let registered_id = is_resident
        .then(|| IdNumber::parse_on(&r.id_number, today).ok())
        .flatten();
    let mut issues = Vec::new();
    if let (Some(account), Some(registered)) = (ctx.account_id_number, &registered_id)
        && account != registered
    {
        issues.push(FieldIssue::error(
            "id_number",
            "id_number_not_account",
            "证件号与账号实名登记的身份证号不一致，请填写本人身份证号",
        ));
    }
    let id = ctx.account_id_number.or(registered_id.as_ref());

    issues.extend(check_basic(&draft.basic, id, codes, today));
    issues.extend(check_identity(&draft.identity));
    issues.extend(check_registration(r, codes, today));
    issues.extend(check_education(&draft.education, codes, today));
    let (periods, work_issues) = check_work_history(&draft.work_history, today, registry);
    issues.extend(work_issues);
    let rule_ids: Vec<i64> = ctx.rules.iter().map(|(id, _)| *id).collect();
    issues.extend(check_declaration(
        &draft.declaration,
        ctx.level,
        ctx.has_tracks,
        &rule_ids,
        today,
    ));

    let claimed = draft
        .declaration
        .claimed_rule
        .and_then(|claimed| ctx.rules.iter().find(|(id, _)| *id == claimed))
        .map(|(_, rule)| rule);
    if let Some(rule) = claimed {
        issues.extend(claimed_rule_inputs(draft, rule));
    }

    let declared_years = r
        .years_of_work
        .trim()
        .trim_end_matches('年')
        .trim()
        .parse::<u32>();
    if let Ok(years) = declared_years
        && !periods.is_empty()
    {
        let counted = total_months(&periods, today);
        if (i64::from(years) * 12 - i64::from(counted)).abs() > 12 {
            issues.push(FieldIssue::warning(
                "years_of_work",
                "years_of_work_differs",
                format!(
                    "填写的工作年限（{years} 年）与工作经历合计（{}）相差一年以上，请核对",
                    duration_text(counted)
                ),
            ));
        }
    }
    issues
}

/// The inputs the claimed alternative rests on ("适用申报条件对应信息"): they must be filled in,
/// whether or not they turn out to meet it.
fn claimed_rule_inputs(draft: &ApplicationDraft, rule: &EligibilityRule) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let d = &draft.declaration;
    let e = &draft.education;

    if rule.required_level().is_some()
        && DeclarationKind::parse(&d.kind) == Some(DeclarationKind::FirstTime)
    {
        issues.push(FieldIssue::error(
            "kind",
            "claimed_rule_needs_promotion",
            "所选申报条件需要上一级别证书，请选择晋级鉴定并填写证书信息",
        ));
    }
    if rule.fields().education.is_some() {
        if e.degree.trim().is_empty() && draft.basic.education.trim().is_empty() {
            issues.push(FieldIssue::error(
                "degree",
                "claimed_rule_needs_education",
                "所选申报条件需要学历，请选择学历",
            ));
        }
        if e.school.trim().is_empty() {
            issues.push(FieldIssue::error(
                "school",
                "claimed_rule_needs_education",
                "所选申报条件需要学历，请填写毕业（在读）学校",
            ));
        }
    }
    if rule.years_of_work().is_some() && draft.work_history.iter().all(|r| r.is_blank()) {
        issues.push(FieldIssue::error(
            "work_history",
            "claimed_rule_needs_work_history",
            "所选申报条件需要工作年限，请填写工作经历",
        ));
    }
    if rule.years_of_work().is_some()
        && rule.fields().years_counted_from == YearsCountedFrom::Graduation
        && e.graduation_date.trim().is_empty()
    {
        issues.push(FieldIssue::error(
            "graduation_date",
            "claimed_rule_needs_graduation_date",
            "所选申报条件按毕业后的工作年限计算，请填写毕业时间",
        ));
    }
    if rule.kind() == ConditionKind::PreparatoryTechnician
        && d.preparatory_technician_since.trim().is_empty()
    {
        issues.push(FieldIssue::error(
            "preparatory_technician_since",
            "claimed_rule_needs_preparatory_technician",
            "所选申报条件需要预备技师证书，请填写取得时间",
        ));
    }
    issues
}

#[cfg(test)]
mod tests;
