//! The application wizard's sections as the candidate types them, and their checks.
//!
//! Every section is a struct of strings (and a few flags) with `Default`, so that a half-filled
//! draft always saves and resumes on another device; the `check_*` functions read a section and
//! return every [`FieldIssue`] at once, named by the form's input names. Codes (ethnicity,
//! education, administrative divisions…) are looked up through [`CodeBook`], which the store
//! implements over its code tables.

mod basic;
mod declaration;
mod draft;
mod registration;

pub use basic::{check_basic, check_identity};
pub use declaration::{check_declaration, facts_of, facts_of_with, parse_level};
pub use draft::{DraftContext, check_draft};
pub use registration::{check_education, check_registration, parse_id_document};

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::issues::FieldIssue;
use super::work_history::WorkPeriodInput;

/// Step 1, 基础信息.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BasicInfo {
    pub name: String,
    /// "male"/"female" or "男"/"女".
    pub gender: String,
    pub birth_date: String,
    /// Code of the ethnicity table (GB 3304).
    pub ethnicity: String,
    /// Code of the political status table (GB/T 4762).
    pub political_status: String,
    /// 文化程度: code of the education table.
    pub education: String,
    pub mobile: String,
    /// 联系电话: mobile or landline.
    pub phone: String,
    pub email: String,
    pub postcode: String,
    /// 鉴定分类 (考核鉴定, 补考).
    pub assessment_category: String,
    /// 考生来源 (社会人员, 在校学生, 企业职工).
    pub candidate_source: String,
}

/// Step 2, 身份选择: "student", "teacher" or "worker".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentityChoice {
    pub identity: String,
}

/// Step 3, 报名信息.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegistrationInfo {
    /// An [`IdType`] code or label; empty means 居民身份证, the seed's default.
    pub id_type: String,
    pub id_number: String,
    /// 报名单位: the registering organization.
    pub organization: String,
    pub years_of_work: String,
    pub enterprise_type: String,
    /// 所在单位.
    pub employer: String,
    /// 户籍, as text (城镇, 农村…).
    pub hukou_type: String,
    pub hukou_province: String,
    pub hukou_city: String,
    pub hukou_district: String,
    pub residence_province: String,
    pub residence_city: String,
    pub residence_district: String,
    pub residence_address: String,
    pub employer_province: String,
    pub employer_city: String,
    pub employer_district: String,
    pub employer_address: String,
}

/// 符合学历条件: the diploma the claimed alternative may rest on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EducationInfo {
    /// Code of the education table.
    pub degree: String,
    pub school: String,
    pub major: String,
    pub diploma_number: String,
    /// A date, or a month ("2019-07"); empty while still studying.
    pub graduation_date: String,
    /// 本专业或相关专业.
    pub related_major: bool,
}

/// 申报情况: first-time or promotion, the claimed alternative and the track.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Declaration {
    /// "first_time" (初次鉴定) or "promotion" (晋级鉴定).
    pub kind: String,
    pub previous_certificate_number: String,
    pub previous_occupation: String,
    /// "2", "二级", "二级/技师" or "技师".
    pub previous_level: String,
    pub previous_issued_on: String,
    /// The id of the eligibility rule claimed.
    pub claimed_rule: Option<i64>,
    /// 工种 where the level has tracks.
    pub track: String,
    pub apprenticeship_completed: bool,
    /// When the 预备技师 certificate was obtained.
    pub preparatory_technician_since: String,
}

/// The whole draft, as saved between steps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationDraft {
    pub basic: BasicInfo,
    pub identity: IdentityChoice,
    pub registration: RegistrationInfo,
    pub education: EducationInfo,
    pub work_history: Vec<WorkPeriodInput>,
    pub declaration: Declaration,
}

/// 证件类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    ResidentIdCard,
    HongKongMacaoPermit,
    TaiwanPermit,
    Passport,
    ForeignPermanentResidentCard,
}

impl IdType {
    pub const ALL: [IdType; 5] = [
        IdType::ResidentIdCard,
        IdType::HongKongMacaoPermit,
        IdType::TaiwanPermit,
        IdType::Passport,
        IdType::ForeignPermanentResidentCard,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            IdType::ResidentIdCard => "resident_id_card",
            IdType::HongKongMacaoPermit => "hk_macao_permit",
            IdType::TaiwanPermit => "taiwan_permit",
            IdType::Passport => "passport",
            IdType::ForeignPermanentResidentCard => "foreign_permanent_resident_card",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            IdType::ResidentIdCard => "居民身份证",
            IdType::HongKongMacaoPermit => "港澳居民来往内地通行证",
            IdType::TaiwanPermit => "台湾居民来往大陆通行证",
            IdType::Passport => "护照",
            IdType::ForeignPermanentResidentCard => "外国人永久居留身份证",
        }
    }

    /// Accepts the code or the label.
    pub fn parse(raw: &str) -> Option<IdType> {
        let raw = raw.trim();
        IdType::ALL
            .into_iter()
            .find(|t| t.code() == raw || t.label() == raw)
    }
}

/// 鉴定情况.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclarationKind {
    /// 初次鉴定.
    FirstTime,
    /// 晋级鉴定: names the previous certificate.
    Promotion,
}

impl DeclarationKind {
    pub const ALL: [DeclarationKind; 2] = [DeclarationKind::FirstTime, DeclarationKind::Promotion];

    pub fn code(&self) -> &'static str {
        match self {
            DeclarationKind::FirstTime => "first_time",
            DeclarationKind::Promotion => "promotion",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            DeclarationKind::FirstTime => "初次鉴定",
            DeclarationKind::Promotion => "晋级鉴定",
        }
    }

    /// Accepts the code or the label.
    pub fn parse(raw: &str) -> Option<DeclarationKind> {
        let raw = raw.trim();
        DeclarationKind::ALL
            .into_iter()
            .find(|k| k.code() == raw || k.label() == raw)
    }
}

/// The code tables' kinds as [`CodeBook::has`] names them.
pub mod kinds {
    pub const ETHNICITY: &str = "ethnic_group";
    pub const POLITICAL_STATUS: &str = "political_status";
    pub const EDUCATION: &str = "education";
    pub const ASSESSMENT_CATEGORY: &str = "assessment_category";
    pub const CANDIDATE_SOURCE: &str = "candidate_source";
    pub const ENTERPRISE_TYPE: &str = "enterprise_type";
}

/// The code tables, without I/O: the store loads them and implements this.
pub trait CodeBook {
    /// Whether `code` is in the table `kind` (see [`kinds`]).
    fn has(&self, kind: &str, code: &str) -> bool;
    /// The administrative division (GB/T 2260) containing `code`: a city's province, a
    /// district's city; `None` for a province or an unknown code.
    fn division_parent(&self, code: &str) -> Option<String>;
    fn is_division(&self, code: &str) -> bool;
    /// Whether a division has divisions under it to pick from. Some cities (东莞, 中山, 儋州,
    /// 嘉峪关) have no county-level divisions, so their district cannot be required.
    fn has_children(&self, code: &str) -> bool {
        let _ = code;
        true
    }
}

/// A [`CodeBook`] in memory, for tests and for callers that hold the tables already.
#[derive(Debug, Clone, Default)]
pub struct MemoryCodeBook {
    codes: HashSet<(String, String)>,
    /// Division code → parent code.
    divisions: HashMap<String, Option<String>>,
}

impl MemoryCodeBook {
    pub fn new() -> MemoryCodeBook {
        MemoryCodeBook::default()
    }

    pub fn with_codes(mut self, kind: &str, codes: &[&str]) -> MemoryCodeBook {
        self.codes
            .extend(codes.iter().map(|c| (kind.to_owned(), (*c).to_owned())));
        self
    }

    pub fn with_division(mut self, code: &str, parent: Option<&str>) -> MemoryCodeBook {
        self.divisions
            .insert(code.to_owned(), parent.map(str::to_owned));
        self
    }
}

impl CodeBook for MemoryCodeBook {
    fn has(&self, kind: &str, code: &str) -> bool {
        self.codes.contains(&(kind.to_owned(), code.to_owned()))
    }

    fn division_parent(&self, code: &str) -> Option<String> {
        self.divisions.get(code).cloned().flatten()
    }

    fn is_division(&self, code: &str) -> bool {
        self.divisions.contains_key(code)
    }

    fn has_children(&self, code: &str) -> bool {
        self.divisions
            .values()
            .any(|parent| parent.as_deref() == Some(code))
    }
}

/// A required choice from a code table: "请选择{what}" when empty, "{what}不在可选范围内" when
/// the table does not have it.
pub(crate) fn required_code(
    issues: &mut Vec<FieldIssue>,
    codes: &dyn CodeBook,
    field: &str,
    kind: &str,
    value: &str,
    what: &str,
) {
    if value.trim().is_empty() {
        issues.push(FieldIssue::error(
            field,
            "required",
            format!("请选择{what}"),
        ));
    } else {
        optional_code(issues, codes, field, kind, value, what);
    }
}

/// An optional choice from a code table: checked only when given.
pub(crate) fn optional_code(
    issues: &mut Vec<FieldIssue>,
    codes: &dyn CodeBook,
    field: &str,
    kind: &str,
    value: &str,
    what: &str,
) {
    let value = value.trim();
    if !value.is_empty() && !codes.has(kind, value) {
        issues.push(FieldIssue::error(
            field,
            "code_unknown",
            format!("{what}不在可选范围内，请从列表中选择"),
        ));
    }
}

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
