//! Review (审核): what a reviewer may say when rejecting an application (reason templates, free
//! text, marks on the parts of the form or documents that must change), the claim that keeps
//! two reviewers off the same application, and the 2-working-day promise.
//!
//! The candidate reads the rejection to fix the application, so every part it names must be a
//! real part of the form: [`check_rejection`] refuses anything else.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::applications::documents::DocumentKind;
use crate::calendar::{Deadline, WorkCalendar};

/// Review is promised within this many working days of submission.
pub const PROMISE_WORKING_DAYS: u32 = 2;

/// How long a claim keeps other reviewers off an application unless renewed.
pub fn claim_ttl() -> Duration {
    Duration::minutes(30)
}

pub const REASON_TEXT_MAX: usize = 500;
pub const MARK_NOTE_MAX: usize = 200;

/// The common reasons, each a sentence the candidate reads as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonTemplate {
    PhotoUnsuitable,
    IdDocumentUnclear,
    IdMismatch,
    EducationProofMissing,
    WorkYearsShort,
    WorkHistoryIncomplete,
    EmployerInfoWrong,
    EligibilityNotMet,
    PreviousCertificateMissing,
}

impl ReasonTemplate {
    pub const ALL: [ReasonTemplate; 9] = [
        ReasonTemplate::PhotoUnsuitable,
        ReasonTemplate::IdDocumentUnclear,
        ReasonTemplate::IdMismatch,
        ReasonTemplate::EducationProofMissing,
        ReasonTemplate::WorkYearsShort,
        ReasonTemplate::WorkHistoryIncomplete,
        ReasonTemplate::EmployerInfoWrong,
        ReasonTemplate::EligibilityNotMet,
        ReasonTemplate::PreviousCertificateMissing,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            ReasonTemplate::PhotoUnsuitable => "photo_unsuitable",
            ReasonTemplate::IdDocumentUnclear => "id_document_unclear",
            ReasonTemplate::IdMismatch => "id_mismatch",
            ReasonTemplate::EducationProofMissing => "education_proof_missing",
            ReasonTemplate::WorkYearsShort => "work_years_short",
            ReasonTemplate::WorkHistoryIncomplete => "work_history_incomplete",
            ReasonTemplate::EmployerInfoWrong => "employer_info_wrong",
            ReasonTemplate::EligibilityNotMet => "eligibility_not_met",
            ReasonTemplate::PreviousCertificateMissing => "previous_certificate_missing",
        }
    }

    pub fn parse(raw: &str) -> Option<ReasonTemplate> {
        ReasonTemplate::ALL.into_iter().find(|t| t.code() == raw)
    }

    /// The sentence the candidate reads.
    pub fn text(&self) -> &'static str {
        match self {
            ReasonTemplate::PhotoUnsuitable => {
                "证件照不符合要求：请上传近期免冠白底证件照，五官清晰、无美颜、无遮挡"
            }
            ReasonTemplate::IdDocumentUnclear => {
                "身份证照片不清晰或不完整：请重新拍摄身份证人像面和国徽面，四角完整、文字可辨"
            }
            ReasonTemplate::IdMismatch => "填写的身份信息与身份证件不一致：请核对姓名、证件号码",
            ReasonTemplate::EducationProofMissing => {
                "学历证明缺失或与填写的学历不符：请上传毕业证书，并核对学历信息"
            }
            ReasonTemplate::WorkYearsShort => {
                "从事本职业（工种）的工作年限不满足所选申报条件：请核对工作经历或改选申报条件"
            }
            ReasonTemplate::WorkHistoryIncomplete => {
                "工作经历填写不完整：请写明起止年月、工作单位、岗位和证明人"
            }
            ReasonTemplate::EmployerInfoWrong => {
                "工作单位信息有误：请核对单位全称和统一社会信用代码"
            }
            ReasonTemplate::EligibilityNotMet => "根据所填信息，不符合本级别任何一项申报条件",
            ReasonTemplate::PreviousCertificateMissing => {
                "缺少已取得的职业资格证书或职业技能等级证书：请上传证书，并核对证书编号"
            }
        }
    }
}

/// A part of the application a reviewer can mark: a field (by the form's input name, so the
/// wizard can find it) or an uploaded document (`document:<kind>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormPart {
    pub key: &'static str,
    pub label: &'static str,
}

/// The fields a reviewer can mark, in the order of the form.
pub const FORM_FIELDS: [FormPart; 23] = [
    FormPart {
        key: "name",
        label: "姓名",
    },
    FormPart {
        key: "gender",
        label: "性别",
    },
    FormPart {
        key: "birth_date",
        label: "出生日期",
    },
    FormPart {
        key: "ethnicity",
        label: "民族",
    },
    FormPart {
        key: "political_status",
        label: "政治面貌",
    },
    FormPart {
        key: "education",
        label: "文化程度",
    },
    FormPart {
        key: "mobile",
        label: "手机号码",
    },
    FormPart {
        key: "identity",
        label: "身份类别",
    },
    FormPart {
        key: "id_number",
        label: "证件号码",
    },
    FormPart {
        key: "organization",
        label: "报名单位",
    },
    FormPart {
        key: "employer",
        label: "所在单位",
    },
    FormPart {
        key: "years_of_work",
        label: "工作年限",
    },
    FormPart {
        key: "hukou_province",
        label: "户口所在地",
    },
    FormPart {
        key: "residence_address",
        label: "现居地址",
    },
    FormPart {
        key: "school",
        label: "毕业学校",
    },
    FormPart {
        key: "degree",
        label: "学历",
    },
    FormPart {
        key: "major",
        label: "所学专业",
    },
    FormPart {
        key: "diploma_number",
        label: "毕业证书编号",
    },
    FormPart {
        key: "graduation_date",
        label: "毕业时间",
    },
    FormPart {
        key: "work_history",
        label: "工作经历",
    },
    FormPart {
        key: "claimed_rule",
        label: "申报条件",
    },
    FormPart {
        key: "track",
        label: "方向",
    },
    FormPart {
        key: "previous_certificate_number",
        label: "原证书编号",
    },
];

/// The label of a markable part, or `None` if there is no such part.
pub fn part_label(key: &str) -> Option<String> {
    if let Some(code) = key.strip_prefix("document:") {
        return DocumentKind::parse(code).map(|k| format!("{}（材料）", k.label()));
    }
    FORM_FIELDS
        .iter()
        .find(|p| p.key == key)
        .map(|p| p.label.to_owned())
}

/// One part the candidate must change, with the reviewer's note on it (may be empty when a
/// reason template already says what is wrong).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub part: String,
    pub note: String,
}

/// A checked rejection: at least one reason, every mark on a real part, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub templates: Vec<ReasonTemplate>,
    pub text: String,
    pub marks: Vec<Mark>,
}

impl Rejection {
    /// The reasons as the candidate reads them, templates first.
    pub fn reasons(&self) -> Vec<String> {
        let mut out: Vec<String> = self.templates.iter().map(|t| t.text().to_owned()).collect();
        if !self.text.is_empty() {
            out.push(self.text.clone());
        }
        out
    }

    /// One line for an SMS or a timeline: the reasons joined.
    pub fn summary(&self) -> String {
        self.reasons().join("；")
    }
}

/// What is wrong with a rejection as the reviewer filled it in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RejectionError {
    #[error("请选择至少一个原因，或填写原因说明")]
    NoReason,
    #[error("原因说明不能超过 {REASON_TEXT_MAX} 个字")]
    TextTooLong,
    #[error("未知的原因模板：{0}")]
    UnknownTemplate(String),
    #[error("标注的内容不存在：{0}")]
    UnknownPart(String),
    #[error("“{0}”的说明不能超过 {MARK_NOTE_MAX} 个字")]
    NoteTooLong(String),
}

impl RejectionError {
    pub fn code(&self) -> &'static str {
        match self {
            RejectionError::NoReason => "rejection_reason_required",
            RejectionError::TextTooLong => "rejection_text_too_long",
            RejectionError::UnknownTemplate(_) => "rejection_template_unknown",
            RejectionError::UnknownPart(_) => "rejection_mark_unknown",
            RejectionError::NoteTooLong(_) => "rejection_note_too_long",
        }
    }

    /// The form input the error belongs beside.
    pub fn field(&self) -> String {
        match self {
            RejectionError::NoReason | RejectionError::TextTooLong => "reason_text".into(),
            RejectionError::UnknownTemplate(_) => "templates".into(),
            RejectionError::UnknownPart(part) => format!("mark:{part}"),
            RejectionError::NoteTooLong(part) => format!("note:{part}"),
        }
    }
}

/// Checks a rejection as posted: template codes, free text, and (part, note) marks. Text and
/// notes are trimmed; a part marked twice keeps its first note; every error is reported.
pub fn check_rejection(
    templates: &[String],
    text: &str,
    marks: &[(String, String)],
) -> Result<Rejection, Vec<RejectionError>> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for raw in templates {
        match ReasonTemplate::parse(raw.trim()) {
            Some(t) if !parsed.contains(&t) => parsed.push(t),
            Some(_) => {}
            None => errors.push(RejectionError::UnknownTemplate(raw.clone())),
        }
    }
    let text = text.trim().to_owned();
    if text.chars().count() > REASON_TEXT_MAX {
        errors.push(RejectionError::TextTooLong);
    }
    let mut checked: Vec<Mark> = Vec::new();
    for (part, note) in marks {
        let part = part.trim();
        let note = note.trim();
        let Some(label) = part_label(part) else {
            errors.push(RejectionError::UnknownPart(part.to_owned()));
            continue;
        };
        if note.chars().count() > MARK_NOTE_MAX {
            errors.push(RejectionError::NoteTooLong(label));
            continue;
        }
        if !checked.iter().any(|m| m.part == part) {
            checked.push(Mark {
                part: part.to_owned(),
                note: note.to_owned(),
            });
        }
    }
    if parsed.is_empty() && text.is_empty() {
        errors.push(RejectionError::NoReason);
    }
    if errors.is_empty() {
        Ok(Rejection {
            templates: parsed,
            text,
            marks: checked,
        })
    } else {
        Err(errors)
    }
}

/// Who holds an application, as seen by `me`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimState {
    /// Nobody, or a claim that has run out.
    Free,
    Mine {
        until: DateTime<Utc>,
    },
    Held {
        by: String,
        until: DateTime<Utc>,
    },
}

/// The state of a claim row (`holder`, `until`) for reviewer `me` at `now`. A claim is held up
/// to but not including its expiry instant.
pub fn claim_state(
    holder: Option<(i64, &str, DateTime<Utc>)>,
    me: i64,
    now: DateTime<Utc>,
) -> ClaimState {
    match holder {
        Some((id, _, until)) if until > now && id == me => ClaimState::Mine { until },
        Some((_, name, until)) if until > now => ClaimState::Held {
            by: name.to_owned(),
            until,
        },
        _ => ClaimState::Free,
    }
}

/// When the review of an application submitted on `submitted_on` is due, against `today`.
pub fn review_deadline(
    calendar: &WorkCalendar,
    submitted_on: NaiveDate,
    today: NaiveDate,
) -> Deadline {
    calendar.deadline(submitted_on, PROMISE_WORKING_DAYS, today)
}

#[cfg(test)]
mod tests;
