//! 申报情况: first-time or promotion with the previous certificate, the eligibility alternative
//! claimed, the track; and the facts the eligibility rules read off the whole draft.

use chrono::NaiveDate;

use super::{ApplicationDraft, Declaration, DeclarationKind};
use crate::applications::facts::{ApplicantFacts, EducationFact, PreviousCertificate};
use crate::applications::issues::{FieldIssue, required_text};
use crate::applications::month::{DateError, parse_date, parse_date_or_month};
use crate::applications::work_history::check_work_history;
use crate::catalogue::Level;
use crate::identity::to_half_width;

/// Reads a level as the form or a candidate writes it: "2", "二级", "二", "二级/技师", "技师".
pub fn parse_level(raw: &str) -> Option<Level> {
    let raw = raw.trim();
    Level::ALL.into_iter().find(|l| {
        raw == l.get().to_string()
            || raw == l.numeral()
            || raw == l.short_name()
            || raw == l.full_name()
            || raw == l.title()
    })
}

/// The new-format certificate number (PRODUCT.md): a letter and 21 digits, the 14th–15th the
/// issue year, the 16th the level.
fn new_format_parts(number: &str) -> Option<(u32, u8)> {
    let b = number.as_bytes();
    let well_formed =
        b.len() == 22 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit);
    well_formed.then(|| {
        let year = u32::from(b[13] - b'0') * 10 + u32::from(b[14] - b'0');
        (year, b[15] - b'0')
    })
}

/// Checks the declaration against the plan: `level` applied for, whether the occupation has
/// tracks at this level, and the ids of this level's eligibility rules.
///
/// A promotion names the previous certificate (number, occupation, level, issue date); its
/// level must be lower than the one applied for, normally the next lower (otherwise a warning).
pub fn check_declaration(
    d: &Declaration,
    level: Level,
    has_tracks: bool,
    rule_ids: &[i64],
    today: NaiveDate,
) -> Vec<FieldIssue> {
    let mut issues = Vec::new();

    let kind = match d.kind.trim() {
        "" => {
            issues.push(FieldIssue::error(
                "kind",
                "required",
                "请选择鉴定情况：初次鉴定或晋级鉴定",
            ));
            None
        }
        raw => {
            let kind = DeclarationKind::parse(raw);
            if kind.is_none() {
                issues.push(FieldIssue::error(
                    "kind",
                    "declaration_kind_invalid",
                    "鉴定情况只能是初次鉴定或晋级鉴定",
                ));
            }
            kind
        }
    };

    if kind == Some(DeclarationKind::Promotion) {
        if level.next_lower().is_none() {
            issues.push(FieldIssue::error(
                "kind",
                "promotion_to_entry_level",
                "五级/初级工没有上一级别证书，请选择初次鉴定",
            ));
        } else {
            issues.extend(check_previous_certificate(d, level, today));
        }
    }

    match d.claimed_rule {
        None if !rule_ids.is_empty() => issues.push(FieldIssue::error(
            "claimed_rule",
            "required",
            "请选择您符合的申报条件",
        )),
        Some(id) if !rule_ids.contains(&id) => issues.push(FieldIssue::error(
            "claimed_rule",
            "claimed_rule_unknown",
            "所选申报条件不属于本计划的等级，请重新选择",
        )),
        _ => {}
    }

    if has_tracks {
        if d.track.trim().is_empty() {
            issues.push(FieldIssue::error("track", "required", "请选择工种（方向）"));
        }
    } else if !d.track.trim().is_empty() {
        issues.push(FieldIssue::error(
            "track",
            "track_not_offered",
            "本等级不分工种（方向），无需选择",
        ));
    }

    match parse_date_or_month(&d.preparatory_technician_since) {
        Err(DateError::Empty) => {}
        Err(e) => issues.push(FieldIssue::error(
            "preparatory_technician_since",
            e.code(),
            format!("预备技师证书取得时间格式不正确：{e}"),
        )),
        Ok(date) if date > today => issues.push(FieldIssue::error(
            "preparatory_technician_since",
            "date_future",
            "预备技师证书取得时间不能晚于今天",
        )),
        Ok(_) => {}
    }
    issues
}

fn check_previous_certificate(d: &Declaration, level: Level, today: NaiveDate) -> Vec<FieldIssue> {
    let mut issues = Vec::new();

    let previous = match d.previous_level.trim() {
        "" => {
            issues.push(FieldIssue::error(
                "previous_level",
                "required",
                "请选择上一级别证书的等级",
            ));
            None
        }
        raw => match parse_level(raw) {
            None => {
                issues.push(FieldIssue::error(
                    "previous_level",
                    "previous_level_invalid",
                    "上一级别证书的等级应为一级到五级",
                ));
                None
            }
            Some(previous) if !level.is_higher_than(previous) => {
                issues.push(FieldIssue::error(
                    "previous_level",
                    "previous_level_not_lower",
                    format!(
                        "上一级别证书的等级应低于申报等级（本次申报{}）",
                        level.full_name()
                    ),
                ));
                None
            }
            Some(previous) => {
                if let Some(expected) = level.next_lower()
                    && previous != expected
                {
                    issues.push(FieldIssue::warning(
                        "previous_level",
                        "previous_level_gap",
                        format!(
                            "晋级鉴定通常需持有{}证书，所填为{}证书；请确认所选申报条件允许",
                            expected.full_name(),
                            previous.full_name()
                        ),
                    ));
                }
                Some(previous)
            }
        },
    };

    let issued_on = match parse_date(&d.previous_issued_on) {
        Err(DateError::Empty) => {
            issues.push(FieldIssue::error(
                "previous_issued_on",
                "required",
                "请填写上一级别证书的发证日期",
            ));
            None
        }
        Err(e) => {
            issues.push(FieldIssue::error(
                "previous_issued_on",
                e.code(),
                format!("发证日期格式不正确：{e}"),
            ));
            None
        }
        Ok(date) if date > today => {
            issues.push(FieldIssue::error(
                "previous_issued_on",
                "date_future",
                "发证日期不能晚于今天",
            ));
            None
        }
        Ok(date) => Some(date),
    };

    let number: String = d
        .previous_certificate_number
        .chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if number.is_empty() {
        issues.push(FieldIssue::error(
            "previous_certificate_number",
            "required",
            "请填写上一级别证书编号",
        ));
    } else if !(6..=30).contains(&number.len())
        || !number.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        issues.push(FieldIssue::error(
            "previous_certificate_number",
            "certificate_number_format",
            "证书编号应为 6–30 位字母或数字，请按证书填写",
        ));
    } else if let Some((year, level_digit)) = new_format_parts(&number) {
        // New-format numbers carry the level and issue year: a mismatch is usually a typo in one
        // of the two inputs, but the reviewer decides.
        if let Some(previous) = previous
            && level_digit != previous.get()
        {
            issues.push(FieldIssue::warning(
                "previous_certificate_number",
                "certificate_number_level",
                format!(
                    "证书编号第 16 位（等级）为 {level_digit}，与所填等级“{}”不一致，请核对",
                    previous.short_name()
                ),
            ));
        }
        if let Some(date) = issued_on
            && year != (chrono::Datelike::year(&date) % 100) as u32
        {
            issues.push(FieldIssue::warning(
                "previous_certificate_number",
                "certificate_number_year",
                "证书编号第 14–15 位（发证年份）与所填发证日期不一致，请核对",
            ));
        }
    }

    required_text(
        &mut issues,
        "previous_occupation".into(),
        &d.previous_occupation,
        "上一级别证书的职业（工种）",
        50,
    );
    issues
}

/// [`facts_of_with`], taking any named occupation as this one or a related one (the form
/// cannot tell; the reviewer does).
pub fn facts_of(
    draft: &ApplicationDraft,
    education_rank: &dyn Fn(&str) -> Option<i32>,
    today: NaiveDate,
) -> ApplicantFacts {
    facts_of_with(
        draft,
        education_rank,
        &|occupation: &str| !occupation.trim().is_empty(),
        today,
    )
}

/// What the eligibility rules read off a draft, as far as it is filled in: unusable inputs
/// simply contribute nothing (the checks report them).
///
/// - the previous certificate, for a promotion whose level and issue date are usable;
///   `occupation_counts` says whether its occupation is this one or a related one;
/// - the diploma from the education section, or the 文化程度 of step 1 when the section is
///   empty; a graduation date after `today` means still studying;
/// - the work periods whose dates are usable.
pub fn facts_of_with(
    draft: &ApplicationDraft,
    education_rank: &dyn Fn(&str) -> Option<i32>,
    occupation_counts: &dyn Fn(&str) -> bool,
    today: NaiveDate,
) -> ApplicantFacts {
    let d = &draft.declaration;
    let previous_certificate = (DeclarationKind::parse(&d.kind)
        == Some(DeclarationKind::Promotion))
    .then(|| {
        Some(PreviousCertificate {
            level: parse_level(&d.previous_level)?,
            issued_on: parse_date(&d.previous_issued_on)
                .ok()
                .filter(|date| *date <= today)?,
            same_or_related_occupation: occupation_counts(d.previous_occupation.trim()),
        })
    })
    .flatten();

    let e = &draft.education;
    let code = [e.degree.trim(), draft.basic.education.trim()]
        .into_iter()
        .find(|c| !c.is_empty());
    let education = code.map(|code| EducationFact {
        code: code.to_owned(),
        rank: education_rank(code),
        related_major: e.related_major,
        graduated_on: parse_date_or_month(&e.graduation_date)
            .ok()
            .filter(|date| *date <= today),
    });

    let (work, _) = check_work_history(&draft.work_history, today, &|_, _| None);

    ApplicantFacts {
        previous_certificate,
        education,
        work,
        apprenticeship_completed: d.apprenticeship_completed,
        preparatory_technician_since: parse_date_or_month(&d.preparatory_technician_since)
            .ok()
            .filter(|date| *date <= today),
    }
}

#[cfg(test)]
mod tests;
