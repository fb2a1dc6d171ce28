//! The review page's rows: each markable part of the form with its value, the automatic checks
//! that concern it, and whether the last rejection marked it.

use domain::applications::documents::DocumentKind;
use domain::applications::form::ApplicationDraft;
use domain::review::{FORM_FIELDS, Rejection, part_label};
use store::code_tables::CodeSnapshot;
use store::files::StoredFile;

use crate::applications::actions::Review;

pub struct CheckNote {
    pub message: String,
    pub warning: bool,
}

pub struct PartRow {
    pub key: String,
    pub label: String,
    pub value: String,
    pub checks: Vec<CheckNote>,
    /// The reviewer's note if the last rejection marked this part.
    pub last_mark: Option<String>,
    /// Ticked (and its note) in a reject form being shown again.
    pub marked: bool,
    pub note: String,
}

pub struct DocumentRow {
    pub key: String,
    pub label: String,
    pub href: Option<String>,
    pub is_pdf: bool,
    pub original_name: String,
    pub checks: Vec<CheckNote>,
    pub last_mark: Option<String>,
    pub marked: bool,
    pub note: String,
}

/// The markable part an automatic check's field belongs to (`work_history[2].end` to
/// `work_history`, `hukou_city` to `hukou_province`, `photo` to `document:photo`).
pub fn part_of_field(field: &str) -> Option<String> {
    let head = field.split(['[', '.']).next().unwrap_or_default();
    if DocumentKind::parse(head).is_some() {
        return Some(format!("document:{head}"));
    }
    let key = match head {
        h if FORM_FIELDS.iter().any(|p| p.key == h) => h,
        "id_type" => "id_number",
        h if h.starts_with("hukou_") => "hukou_province",
        h if h.starts_with("residence_") => "residence_address",
        h if h.starts_with("employer_") => "employer",
        "previous_occupation" | "previous_level" | "previous_issued_on" | "kind" => {
            "previous_certificate_number"
        }
        "related_major" => "major",
        _ => return None,
    };
    Some(key.to_owned())
}

fn value_of(key: &str, d: &ApplicationDraft, codes: &CodeSnapshot, claimed: &str) -> String {
    let name = |kind: &str, code: &str| codes.name(kind, code).unwrap_or(code).to_owned();
    let b = &d.basic;
    let r = &d.registration;
    let e = &d.education;
    match key {
        "name" => b.name.clone(),
        "gender" => match b.gender.as_str() {
            "male" => "男".into(),
            "female" => "女".into(),
            other => other.into(),
        },
        "birth_date" => b.birth_date.clone(),
        "ethnicity" => name("ethnic_group", &b.ethnicity),
        "political_status" => name("political_status", &b.political_status),
        "education" => name("education", &b.education),
        "mobile" => b.mobile.clone(),
        "identity" => domain::accounts::Identity::parse(&d.identity.identity)
            .map_or_else(|| d.identity.identity.clone(), |i| i.label().to_owned()),
        "id_number" => r.id_number.clone(),
        "organization" => r.organization.clone(),
        "employer" => r.employer.clone(),
        "years_of_work" => r.years_of_work.clone(),
        "hukou_province" => [&r.hukou_province, &r.hukou_city, &r.hukou_district]
            .iter()
            .filter(|c| !c.is_empty())
            .map(|c| {
                codes
                    .division(c)
                    .map_or(c.as_str(), |d| d.name.as_str())
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join(" "),
        "residence_address" => r.residence_address.clone(),
        "school" => e.school.clone(),
        "degree" => name("education", &e.degree),
        "major" => e.major.clone(),
        "diploma_number" => e.diploma_number.clone(),
        "graduation_date" => e.graduation_date.clone(),
        "work_history" => format!("{} 段（见下表）", d.work_history.len()),
        "claimed_rule" => claimed.to_owned(),
        "track" => d.declaration.track.clone(),
        "previous_certificate_number" => d.declaration.previous_certificate_number.clone(),
        _ => String::new(),
    }
}

fn checks_for(review: &Review, key: &str) -> Vec<CheckNote> {
    review
        .issues
        .iter()
        .filter(|(_, i)| part_of_field(&i.field).as_deref() == Some(key))
        .map(|(_, i)| CheckNote {
            message: i.message.clone(),
            warning: !i.is_error(),
        })
        .collect()
}

fn mark_of(last: Option<&Rejection>, key: &str) -> Option<String> {
    last.and_then(|r| r.marks.iter().find(|m| m.part == key))
        .map(|m| m.note.clone())
}

pub fn part_rows(
    draft: &ApplicationDraft,
    codes: &CodeSnapshot,
    review: &Review,
    last: Option<&Rejection>,
) -> Vec<PartRow> {
    let claimed = review
        .verdicts
        .iter()
        .find(|v| v.claimed)
        .map(|v| {
            format!(
                "{}（{}）",
                v.sentence,
                if v.met { "符合" } else { "不符合" }
            )
        })
        .unwrap_or_else(|| "未选择".to_owned());
    FORM_FIELDS
        .iter()
        .map(|p| PartRow {
            key: p.key.to_owned(),
            label: p.label.to_owned(),
            value: value_of(p.key, draft, codes, &claimed),
            checks: checks_for(review, p.key),
            last_mark: mark_of(last, p.key),
            marked: false,
            note: String::new(),
        })
        .collect()
}

pub fn document_rows(
    application_id: i64,
    files: &[StoredFile],
    review: &Review,
    last: Option<&Rejection>,
) -> Vec<DocumentRow> {
    DocumentKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let key = format!("document:{}", kind.code());
            let file = files.iter().find(|f| f.kind == kind);
            let checks = checks_for(review, &key);
            // A kind neither uploaded nor required (nothing to check) is not shown.
            if file.is_none() && checks.is_empty() {
                return None;
            }
            Some(DocumentRow {
                label: part_label(&key).unwrap_or_default(),
                href: file.map(|f| format!("/staff/review/{application_id}/files/{}", f.id)),
                is_pdf: file.is_some_and(|f| f.file_type.extension() == "pdf"),
                original_name: file.map(|f| f.original_name.clone()).unwrap_or_default(),
                last_mark: mark_of(last, &key),
                marked: false,
                note: String::new(),
                checks,
                key,
            })
        })
        .collect()
}

/// Checks whose field belongs to no markable part, shown above the form.
pub fn other_checks(review: &Review) -> Vec<CheckNote> {
    review
        .issues
        .iter()
        .filter(|(_, i)| part_of_field(&i.field).is_none())
        .map(|(_, i)| CheckNote {
            message: i.message.clone(),
            warning: !i.is_error(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::part_of_field;

    #[test]
    fn every_check_field_finds_its_part() {
        assert_eq!(
            part_of_field("work_history[2].end").as_deref(),
            Some("work_history")
        );
        assert_eq!(
            part_of_field("hukou_city").as_deref(),
            Some("hukou_province")
        );
        assert_eq!(part_of_field("photo").as_deref(), Some("document:photo"));
        assert_eq!(part_of_field("id_type").as_deref(), Some("id_number"));
        assert_eq!(part_of_field("name").as_deref(), Some("name"));
        assert_eq!(part_of_field("accept_commitment"), None);
    }
}
