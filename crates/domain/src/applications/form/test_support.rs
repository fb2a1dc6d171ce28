//! Fixtures shared by the form's tests: a small code book and a complete, valid draft.

use chrono::NaiveDate;

use super::*;
use crate::applications::work_history::WorkPeriodInput;
use crate::catalogue::STANDARD_EDUCATION_LEVELS;
use crate::identity::IdNumber;
use crate::identity::id_number::check_digit;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn today() -> NaiveDate {
    date(2025, 6, 15)
}

/// A valid resident ID number: Nanning, born 1996-06-29, male.
pub fn id_raw() -> String {
    let first17 = "45010319960629123";
    format!("{first17}{}", check_digit(first17).unwrap())
}

pub fn id() -> IdNumber {
    IdNumber::parse(&id_raw()).unwrap()
}

pub fn codes() -> MemoryCodeBook {
    let education: Vec<&str> = STANDARD_EDUCATION_LEVELS.iter().map(|(c, _)| *c).collect();
    MemoryCodeBook::new()
        .with_codes(kinds::ETHNICITY, &["01", "02"])
        .with_codes(kinds::POLITICAL_STATUS, &["01", "13"])
        .with_codes(kinds::EDUCATION, &education)
        .with_codes(kinds::ASSESSMENT_CATEGORY, &["考核鉴定", "补考"])
        .with_codes(
            kinds::CANDIDATE_SOURCE,
            &["社会人员", "在校学生", "企业职工"],
        )
        .with_codes(kinds::ENTERPRISE_TYPE, &["民营企业", "国有企业"])
        .with_division("37", None)
        .with_division("3707", Some("37"))
        .with_division("370702", Some("3707"))
        .with_division("45", None)
        .with_division("4501", Some("45"))
        .with_division("450103", Some("4501"))
        .with_division("44", None)
        .with_division("4419", Some("44"))
}

pub fn basic() -> BasicInfo {
    BasicInfo {
        name: "王小明".into(),
        gender: "male".into(),
        birth_date: "1996-06-29".into(),
        ethnicity: "01".into(),
        political_status: "13".into(),
        education: "21".into(),
        mobile: "15123451234".into(),
        phone: "0771-1234567".into(),
        email: "wang@example.com".into(),
        postcode: "530000".into(),
        assessment_category: "考核鉴定".into(),
        candidate_source: "社会人员".into(),
    }
}

pub fn registration() -> RegistrationInfo {
    RegistrationInfo {
        id_type: "居民身份证".into(),
        id_number: id_raw(),
        organization: "南宁市职业技能培训中心".into(),
        years_of_work: "10".into(),
        enterprise_type: "民营企业".into(),
        employer: "南宁市某某电子商务有限公司".into(),
        hukou_type: "城镇".into(),
        hukou_province: "45".into(),
        hukou_city: "4501".into(),
        hukou_district: "450103".into(),
        residence_province: "37".into(),
        residence_city: "3707".into(),
        residence_district: "370702".into(),
        residence_address: "潍城区某某路 1 号".into(),
        employer_province: "45".into(),
        employer_city: "4501".into(),
        employer_district: "450103".into(),
        employer_address: "青秀区某某大道 2 号".into(),
    }
}

pub fn education() -> EducationInfo {
    EducationInfo {
        degree: "21".into(),
        school: "广西大学".into(),
        major: "电子商务".into(),
        diploma_number: "105931201805001234".into(),
        graduation_date: "2018-07-01".into(),
        related_major: true,
    }
}

pub fn declaration() -> Declaration {
    Declaration {
        kind: "promotion".into(),
        previous_certificate_number: "S000045000001192000001".into(),
        previous_occupation: "电子商务师".into(),
        previous_level: "2".into(),
        previous_issued_on: "2019-03-01".into(),
        claimed_rule: Some(12),
        track: String::new(),
        apprenticeship_completed: false,
        preparatory_technician_since: String::new(),
    }
}

pub fn work_row(start: &str, end: &str) -> WorkPeriodInput {
    WorkPeriodInput {
        start: start.into(),
        end: end.into(),
        employer: "南宁市某某电子商务有限公司".into(),
        employer_uscc: "91350100M000100Y43".into(),
        post: "运营主管".into(),
        referee: "李四".into(),
        referee_phone: "13912345678".into(),
    }
}

/// A level-1 promotion draft that passes every check.
pub fn draft() -> ApplicationDraft {
    ApplicationDraft {
        basic: basic(),
        identity: IdentityChoice {
            identity: "worker".into(),
        },
        registration: registration(),
        education: education(),
        work_history: vec![work_row("2015-07", "2018-12"), work_row("2019-01", "至今")],
        declaration: declaration(),
    }
}

pub fn fields(issues: &[FieldIssue]) -> Vec<(&str, &'static str)> {
    issues.iter().map(|i| (i.field.as_str(), i.code)).collect()
}

pub fn messages(issues: &[FieldIssue]) -> Vec<&str> {
    issues.iter().map(|i| i.message.as_str()).collect()
}
