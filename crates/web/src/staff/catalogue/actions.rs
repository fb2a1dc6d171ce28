//! What the catalogue pages and API share: the editor for the audit line, the rule checks with
//! their field errors, the wording of a rule with the education names of the code table, and
//! the refusals of the store as errors.

use axum::http::StatusCode;
use domain::catalogue::EligibilityRule;
use domain::catalogue::rule_form::{RuleFieldError, RuleInput, check_rule_input};
use store::catalogue_edits::{EditError, Editor};

use crate::error::{AppError, FieldError};
use crate::staff::Staff;
use crate::state::AppState;

pub fn editor<'a>(staff: &'a Staff, client_address: &str) -> Editor<'a> {
    let account = &staff.account;
    Editor {
        account_id: account.id,
        login: account
            .login_name
            .as_deref()
            .unwrap_or(account.real_name.as_str()),
        client_address: Some(client_address.to_owned()),
    }
}

/// Field errors as one 422 whose code is the first error's.
pub fn field_errors(errors: &[RuleFieldError]) -> AppError {
    let mut e = AppError::fields(
        errors
            .iter()
            .map(|f| FieldError {
                field: f.field.to_owned(),
                code: f.code.to_owned(),
                message: f.message.clone(),
            })
            .collect(),
    );
    if let Some(first) = errors.first() {
        e.code = first.code;
    }
    e
}

/// The typed alternative checked against the code table in memory.
pub fn check_rule(state: &AppState, input: &RuleInput) -> Result<EligibilityRule, AppError> {
    let codes = state.codes.clone();
    check_rule_input(input, &|code: &str| codes.name("education", code).is_some())
        .map_err(|errors| field_errors(&errors))
}

/// The rule in plain Chinese, with the education names of the code table.
pub fn sentence(state: &AppState, rule: &EligibilityRule) -> String {
    rule.sentence(&|code: &str| state.codes.name("education", code).map(str::to_owned))
}

pub fn edit_error(e: EditError) -> AppError {
    match e {
        EditError::NotFound => AppError::not_found(),
        EditError::CodeTaken => {
            AppError::conflict("code", "occupation_code_taken", "已有使用该职业编码的职业")
        }
        EditError::LevelMissing(level) => AppError::field(
            "level",
            "occupation_level_missing",
            format!(
                "该职业没有{}，请先在职业信息中勾选该等级",
                level.full_name()
            ),
        ),
        EditError::LevelInUse(level) => AppError::conflict(
            "levels",
            "occupation_level_in_use",
            format!("{}已有认定计划，不能从职业中去掉", level.full_name()),
        ),
        EditError::Retired => AppError::new(
            StatusCode::CONFLICT,
            "rule_retired",
            "该申报条件已停用，不能再修改；如需要请新增一条",
        ),
        EditError::LevelChanged => AppError::field(
            "level",
            "rule_level_changed",
            "修改申报条件时不能改变申报等级；请在其他等级下新增",
        ),
    }
}

/// A path id; anything else is "not found".
pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}
