//! 申报条件: the alternatives under which a candidate may apply for a level of an occupation.
//!
//! Each alternative is a [`RuleFields`] row that staff edit as data (the rules differ between
//! certification bodies and years). [`EligibilityRule::parse`] refuses rows that do not make
//! sense, and [`EligibilityRule::sentence`] words a valid row the way the national occupational
//! skill standards (国家职业技能标准) do, so the printed registration form reads as expected.

use serde::{Deserialize, Serialize};

use super::Level;

/// The main ground of an alternative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKind {
    /// Years of work alone.
    Experience,
    /// A certificate of a lower level (and years since, or a school).
    Certificate,
    /// A diploma (possibly with a certificate and years).
    Education,
    /// A completed apprenticeship.
    Apprenticeship,
    /// A 预备技师 certificate from a technician college, then years.
    PreparatoryTechnician,
}

impl ConditionKind {
    pub const ALL: [ConditionKind; 5] = [
        ConditionKind::Experience,
        ConditionKind::Certificate,
        ConditionKind::Education,
        ConditionKind::Apprenticeship,
        ConditionKind::PreparatoryTechnician,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            ConditionKind::Experience => "experience",
            ConditionKind::Certificate => "certificate",
            ConditionKind::Education => "education",
            ConditionKind::Apprenticeship => "apprenticeship",
            ConditionKind::PreparatoryTechnician => "preparatory_technician",
        }
    }

    pub fn parse(raw: &str) -> Option<ConditionKind> {
        ConditionKind::ALL.into_iter().find(|k| k.code() == raw)
    }

    pub fn label(&self) -> &'static str {
        match self {
            ConditionKind::Experience => "工作年限",
            ConditionKind::Certificate => "上一级证书",
            ConditionKind::Education => "学历",
            ConditionKind::Apprenticeship => "学徒期满",
            ConditionKind::PreparatoryTechnician => "预备技师证书",
        }
    }
}

/// From when the required years of work are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum YearsCountedFrom {
    /// All work in the occupation, whenever it was.
    Total,
    /// Work after obtaining the required certificate.
    Certificate,
    /// Work after graduating.
    Graduation,
}

impl YearsCountedFrom {
    pub const ALL: [YearsCountedFrom; 3] = [
        YearsCountedFrom::Total,
        YearsCountedFrom::Certificate,
        YearsCountedFrom::Graduation,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            YearsCountedFrom::Total => "total",
            YearsCountedFrom::Certificate => "certificate",
            YearsCountedFrom::Graduation => "graduation",
        }
    }

    pub fn parse(raw: &str) -> Option<YearsCountedFrom> {
        YearsCountedFrom::ALL.into_iter().find(|y| y.code() == raw)
    }

    pub fn label(&self) -> &'static str {
        match self {
            YearsCountedFrom::Total => "累计",
            YearsCountedFrom::Certificate => "取得证书后",
            YearsCountedFrom::Graduation => "毕业后",
        }
    }
}

/// Which diplomas satisfy an alternative.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EducationRequirement {
    /// Codes of the education code table (GB/T 4658 where it has one); any one suffices.
    pub codes: Vec<String>,
    /// "及以上": a higher diploma counts too.
    pub or_above: bool,
    /// "本专业或相关专业": the major must be this one or a related one.
    pub related_major: bool,
}

/// One alternative as stored and edited; see [`EligibilityRule::parse`] for what makes it valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleFields {
    pub kind: ConditionKind,
    /// Level of the previous certificate required (Certificate kind; optional for Education
    /// kind, as in "大专 + 四级 certificate + 2 years").
    pub required_level: Option<u8>,
    pub years_of_work: Option<u8>,
    pub years_counted_from: YearsCountedFrom,
    pub education: Option<EducationRequirement>,
    /// Certificates and work in a related occupation (相关职业) count too.
    pub related_occupation: bool,
}

impl RuleFields {
    /// A row of `kind` with nothing else set, related occupations counting: the start of a
    /// struct-update expression (`RuleFields { years_of_work: Some(1), ..RuleFields::new(kind) }`).
    pub fn new(kind: ConditionKind) -> RuleFields {
        RuleFields {
            kind,
            required_level: None,
            years_of_work: None,
            years_counted_from: YearsCountedFrom::Total,
            education: None,
            related_occupation: true,
        }
    }
}

/// The most years any alternative asks for; more is a typing mistake.
pub const MAX_YEARS_OF_WORK: u8 = 30;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("该申报条件需要填写工作年限")]
    YearsMissing,
    #[error("该申报条件不涉及工作年限")]
    YearsNotAllowed,
    #[error("工作年限需在 1–30 年之间")]
    YearsOutOfRange,
    #[error("工作年限的起算方式与申报条件不符")]
    CountedFrom,
    #[error("该申报条件需要指定所需证书的等级")]
    RequiredLevelMissing,
    #[error("该申报条件不要求证书等级")]
    RequiredLevelNotAllowed,
    #[error("证书等级必须在一级到五级之间")]
    RequiredLevelInvalid,
    #[error("所需证书的等级必须低于申报等级")]
    RequiredLevelNotLower,
    #[error("五级/初级工没有更低等级的证书可以要求")]
    NoLowerLevel,
    #[error("该申报条件需要指定学历")]
    EducationMissing,
    #[error("该申报条件不涉及学历")]
    EducationNotAllowed,
    #[error("请至少选择一种学历，且学历代码不能为空")]
    EducationCodes,
    #[error("凭证书申报时需同时要求工作年限或学历")]
    CertificateNeedsYearsOrEducation,
    #[error("学历代码无效：每个代码为 1–8 位字母或数字，最多 16 种")]
    EducationCodeInvalid,
}

impl RuleError {
    pub fn code(&self) -> &'static str {
        match self {
            RuleError::YearsMissing => "rule_years_missing",
            RuleError::YearsNotAllowed => "rule_years_not_allowed",
            RuleError::YearsOutOfRange => "rule_years_out_of_range",
            RuleError::CountedFrom => "rule_counted_from",
            RuleError::RequiredLevelMissing => "rule_required_level_missing",
            RuleError::RequiredLevelNotAllowed => "rule_required_level_not_allowed",
            RuleError::RequiredLevelInvalid => "rule_required_level_invalid",
            RuleError::RequiredLevelNotLower => "rule_required_level_not_lower",
            RuleError::NoLowerLevel => "rule_no_lower_level",
            RuleError::EducationMissing => "rule_education_missing",
            RuleError::EducationNotAllowed => "rule_education_not_allowed",
            RuleError::EducationCodes => "rule_education_codes",
            RuleError::CertificateNeedsYearsOrEducation => {
                "rule_certificate_needs_years_or_education"
            }
            RuleError::EducationCodeInvalid => "rule_education_code_invalid",
        }
    }

    /// The input of the rule form (`rule_form::RuleInput`) the error concerns.
    pub fn field(&self) -> &'static str {
        match self {
            RuleError::YearsMissing
            | RuleError::YearsNotAllowed
            | RuleError::YearsOutOfRange
            | RuleError::CertificateNeedsYearsOrEducation => "years_of_work",
            RuleError::CountedFrom => "years_counted_from",
            RuleError::RequiredLevelMissing
            | RuleError::RequiredLevelNotAllowed
            | RuleError::RequiredLevelInvalid
            | RuleError::RequiredLevelNotLower
            | RuleError::NoLowerLevel => "required_level",
            RuleError::EducationMissing
            | RuleError::EducationNotAllowed
            | RuleError::EducationCodes
            | RuleError::EducationCodeInvalid => "education_codes",
        }
    }
}

/// The most education codes one alternative lists (they are stored comma-joined in a column of
/// 255 characters).
pub const MAX_EDUCATION_CODES: usize = 16;

/// A code the rule can store: 1–8 ASCII letters or digits (so never a comma, the separator in
/// storage, nor a space that storage would trim away).
fn is_storable_code(code: &str) -> bool {
    (1..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A valid alternative for one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityRule {
    level: Level,
    fields: RuleFields,
}

const IN_SCHOOL: &str = "（含尚未取得毕业证书的在校应届毕业生）";

impl EligibilityRule {
    /// Checks that the row describes something a standard could say:
    ///
    /// - Experience: years (counted in total), nothing else.
    /// - Certificate: a lower level's certificate, and years since it or a school (or both).
    /// - Education: a diploma; optionally a lower certificate and years.
    /// - Apprenticeship: nothing else.
    /// - PreparatoryTechnician: years since the certificate, nothing else.
    ///
    /// Years are 1..=30 and years "since the certificate" need a certificate. With no years,
    /// `years_counted_from` means nothing and is stored as `Total`, so that a form which left
    /// another choice selected is not refused for it.
    pub fn parse(level: Level, mut fields: RuleFields) -> Result<EligibilityRule, RuleError> {
        use ConditionKind as K;
        use YearsCountedFrom as From;

        let years = fields.years_of_work;
        let has_level = fields.required_level.is_some();
        let has_education = fields.education.is_some();
        let counted = fields.years_counted_from;

        // What each kind must and must not have.
        match fields.kind {
            K::Experience | K::PreparatoryTechnician | K::Apprenticeship => {
                if has_level {
                    return Err(RuleError::RequiredLevelNotAllowed);
                }
                if has_education {
                    return Err(RuleError::EducationNotAllowed);
                }
                match (fields.kind, years) {
                    (K::Apprenticeship, Some(_)) => return Err(RuleError::YearsNotAllowed),
                    (K::Experience | K::PreparatoryTechnician, None) => {
                        return Err(RuleError::YearsMissing);
                    }
                    _ => {}
                }
            }
            K::Certificate => {
                if !has_level {
                    return Err(RuleError::RequiredLevelMissing);
                }
                if years.is_none() && !has_education {
                    return Err(RuleError::CertificateNeedsYearsOrEducation);
                }
            }
            K::Education => {
                if !has_education {
                    return Err(RuleError::EducationMissing);
                }
            }
        }

        // The values themselves.
        if let Some(y) = years
            && !(1..=MAX_YEARS_OF_WORK).contains(&y)
        {
            return Err(RuleError::YearsOutOfRange);
        }
        if let Some(required) = fields.required_level {
            if level.next_lower().is_none() {
                return Err(RuleError::NoLowerLevel);
            }
            let required = Level::new(required).ok_or(RuleError::RequiredLevelInvalid)?;
            if !level.is_higher_than(required) {
                return Err(RuleError::RequiredLevelNotLower);
            }
        }
        if let Some(education) = &fields.education
            && (education.codes.is_empty() || education.codes.iter().any(|c| c.trim().is_empty()))
        {
            return Err(RuleError::EducationCodes);
        }
        if let Some(education) = &fields.education
            && (education.codes.len() > MAX_EDUCATION_CODES
                || !education.codes.iter().all(|c| is_storable_code(c)))
        {
            return Err(RuleError::EducationCodeInvalid);
        }

        // From when the years count.
        let counted_ok = match (fields.kind, years) {
            (_, None) => {
                fields.years_counted_from = From::Total;
                true
            }
            (K::Experience, Some(_)) => counted == From::Total,
            (K::Certificate | K::PreparatoryTechnician, Some(_)) => counted == From::Certificate,
            (K::Education, Some(_)) => counted != From::Certificate || has_level,
            (K::Apprenticeship, Some(_)) => false,
        };
        if !counted_ok {
            return Err(RuleError::CountedFrom);
        }

        Ok(EligibilityRule { level, fields })
    }

    /// The level this alternative admits to.
    pub fn level(&self) -> Level {
        self.level
    }

    pub fn fields(&self) -> &RuleFields {
        &self.fields
    }

    pub fn kind(&self) -> ConditionKind {
        self.fields.kind
    }

    /// The certificate level required, if any.
    pub fn required_level(&self) -> Option<Level> {
        self.fields.required_level.and_then(Level::new)
    }

    pub fn years_of_work(&self) -> Option<u8> {
        self.fields.years_of_work
    }

    /// The alternative in the wording of the national standards, e.g. "取得本职业或相关职业
    /// 二级/技师职业资格证书（技能等级证书）后，累计从事本职业或相关职业工作满 4 年（含）以上。"
    ///
    /// `education_names` maps an education code to its name; unknown codes are printed as is.
    pub fn sentence(&self, education_names: &dyn Fn(&str) -> Option<String>) -> String {
        use ConditionKind as K;
        use YearsCountedFrom as From;

        let f = &self.fields;
        let occupation = if f.related_occupation {
            "本职业或相关职业"
        } else {
            "本职业"
        };
        let certificate = self.required_level().map(|l| {
            format!(
                "取得{occupation}{}职业资格证书（技能等级证书）",
                l.full_name()
            )
        });
        let work = f
            .years_of_work
            .map(|y| format!("累计从事{occupation}工作满 {y} 年（含）以上"));
        let school = |joiner: Joiner| {
            f.education
                .as_ref()
                .map(|e| education_phrase(e, education_names, joiner))
                .unwrap_or_default()
        };

        match (f.kind, certificate, work) {
            (K::Experience, _, Some(work)) => format!("{work}。"),
            (K::Apprenticeship, _, _) => format!("经{occupation}学徒期满。"),
            (K::PreparatoryTechnician, _, Some(work)) => {
                format!("取得预备技师证书的技师学院毕业生，{work}。")
            }
            (K::Certificate, Some(cert), Some(work)) if f.education.is_some() => {
                format!("{cert}的{}毕业生，{work}。", school(Joiner::List))
            }
            (K::Certificate, Some(cert), Some(work)) => format!("{cert}后，{work}。"),
            (K::Certificate, Some(cert), None) => {
                format!("{cert}，并具有{}毕业证书{IN_SCHOOL}。", school(Joiner::Or))
            }
            (K::Education, None, None) => {
                format!("取得{}毕业证书{IN_SCHOOL}。", school(Joiner::Or))
            }
            (K::Education, Some(cert), None) => {
                format!("具有{}毕业证书{IN_SCHOOL}，并{cert}。", school(Joiner::Or))
            }
            (K::Education, None, Some(work)) => match f.years_counted_from {
                From::Graduation => format!("取得{}毕业证书后，{work}。", school(Joiner::Or)),
                _ => format!("具有{}毕业证书，{work}。", school(Joiner::Or)),
            },
            (K::Education, Some(cert), Some(work)) => {
                let diploma = school(Joiner::Or);
                match f.years_counted_from {
                    From::Certificate => format!("具有{diploma}毕业证书，并{cert}后，{work}。"),
                    From::Graduation => {
                        format!("具有{diploma}毕业证书，并{cert}，毕业后{work}。")
                    }
                    From::Total => format!("具有{diploma}毕业证书，并{cert}，{work}。"),
                }
            }
            // Unreachable for a parsed rule; worded generically rather than panicking.
            (kind, _, _) => format!("符合{}条件。", kind.label()),
        }
    }

    /// The documents a candidate uploads to prove this alternative, beyond those every
    /// application needs (ID card, photo, registration form). Work years are proved by the
    /// work history on the registration form.
    pub fn required_documents(&self) -> Vec<&'static str> {
        const CERTIFICATE: &str = "上一级别证书";
        const DIPLOMA: &str = "毕业证书";
        let f = &self.fields;
        match f.kind {
            ConditionKind::Experience => vec![],
            ConditionKind::Apprenticeship => vec!["学徒期满证明"],
            ConditionKind::PreparatoryTechnician => vec!["预备技师证书"],
            ConditionKind::Certificate => {
                let mut docs = vec![CERTIFICATE];
                if f.education.is_some() {
                    docs.push(DIPLOMA);
                }
                docs
            }
            ConditionKind::Education => {
                let mut docs = vec![DIPLOMA];
                if f.required_level.is_some() {
                    docs.push(CERTIFICATE);
                }
                docs
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Joiner {
    /// "A、B或C": any one of them (毕业证书 of A, B or C).
    Or,
    /// "A、B": the graduates of A and B, as in "高级技工学校、技师学院毕业生".
    List,
}

fn education_phrase(
    education: &EducationRequirement,
    names: &dyn Fn(&str) -> Option<String>,
    joiner: Joiner,
) -> String {
    let names: Vec<String> = education
        .codes
        .iter()
        .map(|code| names(code).unwrap_or_else(|| code.clone()))
        .collect();
    let mut phrase = match (joiner, names.split_last()) {
        (_, None) => String::new(),
        (Joiner::List, _) | (Joiner::Or, Some((_, []))) => names.join("、"),
        (Joiner::Or, Some((last, rest))) => format!("{}或{last}", rest.join("、")),
    };
    if education.or_above {
        phrase.push_str("及以上");
    }
    if education.related_major {
        phrase.push_str("本专业或相关专业");
    }
    phrase
}

/// The education code table the rules refer to: GB/T 4658 codes, and `T`-codes for the
/// vocational schools GB/T 4658 does not distinguish. Staff can extend the table in the
/// database; this is its seed.
pub const STANDARD_EDUCATION_LEVELS: [(&str, &str); 14] = [
    ("11", "博士研究生"),
    ("14", "硕士研究生"),
    ("21", "大学本科"),
    ("31", "大学专科"),
    ("41", "中等专业学校"),
    ("47", "技工学校"),
    ("44", "职业高中"),
    ("61", "普通高中"),
    ("71", "初中"),
    ("81", "小学"),
    ("90", "其他"),
    ("T1", "技师学院"),
    ("T2", "高级技工学校"),
    ("T3", "高等职业学校"),
];

/// The name of a code of [`STANDARD_EDUCATION_LEVELS`]; for tests and the seed (the running
/// application reads the table from the database).
pub fn standard_education_names(code: &str) -> Option<String> {
    STANDARD_EDUCATION_LEVELS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| (*name).to_owned())
}

/// The alternatives of 电子商务师 (4-01-02-02) per its national standard, levels 5 to 1.
pub fn standard_rules_for_e_commerce() -> Vec<(Level, RuleFields)> {
    use ConditionKind as K;
    use YearsCountedFrom as From;

    let level = |n| Level::new(n).expect("1..=5");
    let education = |codes: &[&str], or_above, related_major| {
        Some(EducationRequirement {
            codes: codes.iter().map(|c| (*c).to_owned()).collect(),
            or_above,
            related_major,
        })
    };
    let certificate_then_years = |required: u8, years: u8| RuleFields {
        required_level: Some(required),
        years_of_work: Some(years),
        years_counted_from: From::Certificate,
        ..RuleFields::new(K::Certificate)
    };

    vec![
        (
            level(5),
            RuleFields {
                years_of_work: Some(1),
                ..RuleFields::new(K::Experience)
            },
        ),
        (level(5), RuleFields::new(K::Apprenticeship)),
        (level(4), certificate_then_years(5, 4)),
        (
            level(4),
            RuleFields {
                years_of_work: Some(6),
                ..RuleFields::new(K::Experience)
            },
        ),
        (
            level(4),
            RuleFields {
                education: education(&["47", "41", "44"], false, true),
                ..RuleFields::new(K::Education)
            },
        ),
        (level(3), certificate_then_years(4, 5)),
        (
            level(3),
            RuleFields {
                required_level: Some(4),
                education: education(&["T2", "T1", "T3"], false, true),
                ..RuleFields::new(K::Certificate)
            },
        ),
        (
            level(3),
            RuleFields {
                required_level: Some(4),
                years_of_work: Some(2),
                years_counted_from: From::Certificate,
                education: education(&["31"], true, true),
                ..RuleFields::new(K::Education)
            },
        ),
        (level(2), certificate_then_years(3, 4)),
        (
            level(2),
            RuleFields {
                education: education(&["T2", "T1"], false, false),
                ..certificate_then_years(3, 3)
            },
        ),
        (
            level(2),
            RuleFields {
                years_of_work: Some(2),
                years_counted_from: From::Certificate,
                ..RuleFields::new(K::PreparatoryTechnician)
            },
        ),
        (level(1), certificate_then_years(2, 4)),
    ]
}

#[cfg(test)]
mod tests;
