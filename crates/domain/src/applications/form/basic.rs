//! Steps 1 and 2: 基础信息 and 身份选择. Name, gender and birth date must agree with the ID
//! number the account was verified with; required fields are those the seed marks with *.

use chrono::NaiveDate;

use super::{BasicInfo, CodeBook, IdentityChoice, kinds, optional_code, required_code};
use crate::accounts::Identity;
use crate::applications::contact::phone_issue;
use crate::applications::issues::FieldIssue;
use crate::applications::month::{DateError, parse_date};
use crate::identity::{Email, Gender, IdNumber, Phone, RealName};

/// Checks step 1. `id_number_of_account` is the resident ID number the candidate is known by
/// (from the account, or from step 3): birth date and gender must agree with it.
pub fn check_basic(
    b: &BasicInfo,
    id_number_of_account: Option<&IdNumber>,
    codes: &dyn CodeBook,
    today: NaiveDate,
) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let id = id_number_of_account;

    if let Err(e) = RealName::parse(&b.name) {
        issues.push(FieldIssue::error("name", e.code(), e.to_string()));
    }

    if !b.gender.trim().is_empty() {
        match Gender::parse(&b.gender) {
            None => issues.push(FieldIssue::error(
                "gender",
                "gender_invalid",
                "请选择性别：男或女",
            )),
            Some(gender) => {
                if let Some(id) = id
                    && id.gender() != gender
                {
                    issues.push(FieldIssue::error(
                        "gender",
                        "gender_mismatch",
                        format!(
                            "性别与身份证号不一致（身份证号显示为{}）",
                            id.gender().label()
                        ),
                    ));
                }
            }
        }
    }

    match parse_date(&b.birth_date) {
        Err(DateError::Empty) => {
            issues.push(FieldIssue::error(
                "birth_date",
                "required",
                "请填写出生日期",
            ));
        }
        Err(e) => issues.push(FieldIssue::error(
            "birth_date",
            e.code(),
            format!("出生日期格式不正确：{e}"),
        )),
        Ok(date) if date > today => issues.push(FieldIssue::error(
            "birth_date",
            "birth_date_future",
            "出生日期不能晚于今天",
        )),
        Ok(date) => {
            if let Some(id) = id
                && id.birth_date() != date
            {
                issues.push(FieldIssue::error(
                    "birth_date",
                    "birth_date_mismatch",
                    format!(
                        "出生日期与身份证号不一致（身份证号显示为 {}）",
                        id.birth_date().format("%Y-%m-%d")
                    ),
                ));
            }
        }
    }

    required_code(
        &mut issues,
        codes,
        "ethnicity",
        kinds::ETHNICITY,
        &b.ethnicity,
        "民族",
    );
    optional_code(
        &mut issues,
        codes,
        "political_status",
        kinds::POLITICAL_STATUS,
        &b.political_status,
        "政治面貌",
    );
    required_code(
        &mut issues,
        codes,
        "education",
        kinds::EDUCATION,
        &b.education,
        "文化程度",
    );

    if let Err(e) = Phone::parse(&b.mobile) {
        issues.push(FieldIssue::error("mobile", e.code(), e.to_string()));
    }
    issues.extend(phone_issue("phone".into(), &b.phone, "联系电话"));
    if let Err(e) = Email::parse(&b.email) {
        issues.push(FieldIssue::error("email", e.code(), e.to_string()));
    }

    let postcode = b.postcode.trim();
    let six_digits = postcode.len() == 6 && postcode.bytes().all(|c| c.is_ascii_digit());
    if !postcode.is_empty() && !six_digits {
        issues.push(FieldIssue::error(
            "postcode",
            "postcode_format",
            "邮政编码应为 6 位数字，不知道可留空",
        ));
    }

    optional_code(
        &mut issues,
        codes,
        "assessment_category",
        kinds::ASSESSMENT_CATEGORY,
        &b.assessment_category,
        "鉴定分类",
    );
    required_code(
        &mut issues,
        codes,
        "candidate_source",
        kinds::CANDIDATE_SOURCE,
        &b.candidate_source,
        "考生来源",
    );
    issues
}

/// Checks step 2: one of 教师, 学生, 职工.
pub fn check_identity(choice: &IdentityChoice) -> Vec<FieldIssue> {
    let raw = choice.identity.trim();
    if raw.is_empty() {
        vec![FieldIssue::error(
            "identity",
            "required",
            "请选择身份：教师、学生或职工",
        )]
    } else if Identity::parse(raw).is_none() {
        vec![FieldIssue::error(
            "identity",
            "identity_invalid",
            "身份只能是教师、学生或职工",
        )]
    } else {
        vec![]
    }
}

#[cfg(test)]
mod tests;
