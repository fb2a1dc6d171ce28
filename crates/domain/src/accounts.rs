//! Who may sign in and as what: a candidate's identity (学生 / 教师 / 职工, chosen at sign-up),
//! staff roles, and the one login field that takes a phone, an ID number or a login name.

use serde::{Deserialize, Serialize};

use crate::identity::{IdNumber, Phone};

/// A candidate's 用户角色 as chosen at sign-up (the seed's 学生 / 教师 / 职工). It decides
/// which fields step 2 of the application wizard asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Identity {
    Student,
    Teacher,
    Worker,
}

impl Identity {
    pub const ALL: [Identity; 3] = [Identity::Student, Identity::Teacher, Identity::Worker];

    pub fn code(&self) -> &'static str {
        match self {
            Identity::Student => "student",
            Identity::Teacher => "teacher",
            Identity::Worker => "worker",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Identity::Student => "学生",
            Identity::Teacher => "教师",
            Identity::Worker => "职工",
        }
    }

    pub fn parse(raw: &str) -> Option<Identity> {
        Identity::ALL.into_iter().find(|i| i.code() == raw)
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What a staff account may do. One account may hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StaffRole {
    #[serde(rename = "admin")]
    Administrator,
    #[serde(rename = "reviewer")]
    Reviewer,
    #[serde(rename = "exam_admin")]
    ExamAdministrator,
    #[serde(rename = "org_contact")]
    OrganizationContact,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [
        StaffRole::Administrator,
        StaffRole::Reviewer,
        StaffRole::ExamAdministrator,
        StaffRole::OrganizationContact,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            StaffRole::Administrator => "admin",
            StaffRole::Reviewer => "reviewer",
            StaffRole::ExamAdministrator => "exam_admin",
            StaffRole::OrganizationContact => "org_contact",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            StaffRole::Administrator => "系统管理员",
            StaffRole::Reviewer => "审核员",
            StaffRole::ExamAdministrator => "考务",
            StaffRole::OrganizationContact => "报名单位联系人",
        }
    }

    pub fn parse(raw: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.code() == raw)
    }
}

impl std::fmt::Display for StaffRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What was typed into the login form's single account field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginIdentifier {
    Phone(Phone),
    IdNumber(IdNumber),
    /// Staff login names, stored lowercase.
    LoginName(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginIdentifierError {
    #[error("请输入账号")]
    Empty,
    #[error("请输入手机号、身份证号或用户名")]
    Unrecognised,
    #[error("用户名需为 3–32 位小写字母、数字、下划线、点或短横线，并以字母开头")]
    LoginName,
}

impl LoginIdentifierError {
    pub fn code(&self) -> &'static str {
        match self {
            LoginIdentifierError::Empty => "login_identifier_empty",
            LoginIdentifierError::Unrecognised => "login_identifier_unrecognised",
            LoginIdentifierError::LoginName => "login_name_format",
        }
    }
}

impl LoginIdentifier {
    /// Tries, in order, a mobile number, an 18-character ID number, a login name. The three
    /// cannot be confused: a login name starts with a letter, an ID number has 18 characters
    /// and a phone 11 digits.
    pub fn parse(raw: &str) -> Result<LoginIdentifier, LoginIdentifierError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(LoginIdentifierError::Empty);
        }
        if let Ok(phone) = Phone::parse(s) {
            return Ok(LoginIdentifier::Phone(phone));
        }
        if s.chars().count() == 18
            && let Ok(id) = IdNumber::parse(s)
        {
            return Ok(LoginIdentifier::IdNumber(id));
        }
        parse_login_name(s)
            .map(LoginIdentifier::LoginName)
            .map_err(|_| LoginIdentifierError::Unrecognised)
    }

    /// "phone", "id_number" or "login_name", for logs and metrics (never log the value).
    pub fn kind(&self) -> &'static str {
        match self {
            LoginIdentifier::Phone(_) => "phone",
            LoginIdentifier::IdNumber(_) => "id_number",
            LoginIdentifier::LoginName(_) => "login_name",
        }
    }
}

/// A staff login name: 3..=32 characters of `[a-z0-9_.-]` starting with a letter; typed in any
/// case, returned lowercase so that "Admin" and "admin" are one account.
pub fn parse_login_name(raw: &str) -> Result<String, LoginIdentifierError> {
    let s = raw.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err(LoginIdentifierError::Empty);
    }
    let valid = (3..=32).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
    if valid {
        Ok(s)
    } else {
        Err(LoginIdentifierError::LoginName)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_round_trip_through_their_codes() {
        for identity in Identity::ALL {
            assert_eq!(Identity::parse(identity.code()), Some(identity));
        }
        assert_eq!(Identity::Student.label(), "学生");
        assert_eq!(Identity::Teacher.label(), "教师");
        assert_eq!(Identity::Worker.label(), "职工");
        assert_eq!(Identity::parse("学生"), None);
    }

    #[test]
    fn staff_roles_round_trip_through_their_codes() {
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.code()), Some(role));
        }
        assert_eq!(StaffRole::ExamAdministrator.code(), "exam_admin");
        assert_eq!(StaffRole::OrganizationContact.label(), "报名单位联系人");
    }

    #[test]
    fn a_mobile_number_logs_in_as_phone() {
        let id = LoginIdentifier::parse(" 151 2345 1234 ").unwrap();
        assert_eq!(
            id,
            LoginIdentifier::Phone(Phone::parse("15123451234").unwrap())
        );
        assert_eq!(id.kind(), "phone");
    }

    #[test]
    fn an_id_number_logs_in_as_id_number_with_lowercase_x() {
        let id = LoginIdentifier::parse("11010519491231002x").unwrap();
        assert_eq!(
            id,
            LoginIdentifier::IdNumber(IdNumber::parse("11010519491231002X").unwrap())
        );
    }

    #[test]
    fn a_login_name_is_stored_lowercase() {
        assert_eq!(
            LoginIdentifier::parse("Admin.Li").unwrap(),
            LoginIdentifier::LoginName("admin.li".to_owned())
        );
    }

    #[test]
    fn anything_else_is_unrecognised() {
        assert_eq!(
            LoginIdentifier::parse("  "),
            Err(LoginIdentifierError::Empty)
        );
        for raw in ["110105194912310021", "12345", "1ab", "张三", "ab"] {
            assert_eq!(
                LoginIdentifier::parse(raw),
                Err(LoginIdentifierError::Unrecognised),
                "{raw}"
            );
        }
    }

    #[test]
    fn login_names_start_with_a_letter_and_use_few_symbols() {
        assert_eq!(parse_login_name("reviewer_01").unwrap(), "reviewer_01");
        assert_eq!(parse_login_name(" Kao-Wu.2 ").unwrap(), "kao-wu.2");
        assert_eq!(parse_login_name(""), Err(LoginIdentifierError::Empty));
        for raw in [
            "ab",
            "1abc",
            "_abc",
            "ab c",
            "abc@x",
            &"a".repeat(33),
            "审核员",
        ] {
            assert_eq!(
                parse_login_name(raw),
                Err(LoginIdentifierError::LoginName),
                "{raw}"
            );
        }
        assert!(parse_login_name(&"a".repeat(32)).is_ok());
    }
}
