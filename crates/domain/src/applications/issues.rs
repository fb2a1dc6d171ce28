//! The one finding type every check of the application form returns: which input, what is
//! wrong in Chinese, a stable code, and whether it blocks submission.
//!
//! Checks return lists rather than the first error, so that the wizard can mark every field
//! at once and the server (the authority) can give the same list the page's script gave.

use serde::{Deserialize, Serialize};

/// Whether a finding blocks submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed before the application can be submitted.
    Error,
    /// Shown to the candidate (and the reviewer), but the candidate may go on: e.g. a unified
    /// social credit code whose check character fails, as some early codes do.
    Warning,
}

impl Severity {
    pub fn code(&self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding about one input of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    /// The form's input name: "mobile", "work_history[2].end".
    pub field: String,
    /// Stable snake_case code for the API and tests.
    pub code: &'static str,
    /// What is wrong and what to do, in Chinese, for the candidate.
    pub message: String,
    pub severity: Severity,
}

impl FieldIssue {
    pub fn error(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        FieldIssue {
            field: field.into(),
            code,
            message: message.into(),
            severity: Severity::Error,
        }
    }

    pub fn warning(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        FieldIssue {
            field: field.into(),
            code,
            message: message.into(),
            severity: Severity::Warning,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether any finding blocks submission.
pub fn has_errors(issues: &[FieldIssue]) -> bool {
    issues.iter().any(FieldIssue::is_error)
}

/// The findings about one input, in order.
pub fn issues_for<'a>(issues: &'a [FieldIssue], field: &str) -> Vec<&'a FieldIssue> {
    issues.iter().filter(|i| i.field == field).collect()
}

/// A required free-text input: "请填写{what}" when empty (code `required`), "{what}不能超过 N 个字"
/// when too long (code `too_long`). The field tells which input; the codes are shared.
pub(crate) fn required_text(
    issues: &mut Vec<FieldIssue>,
    field: String,
    value: &str,
    what: &str,
    max_chars: usize,
) {
    let value = value.trim();
    if value.is_empty() {
        issues.push(FieldIssue::error(
            field,
            "required",
            format!("请填写{what}"),
        ));
    } else {
        optional_text(issues, field, value, what, max_chars);
    }
}

/// An optional free-text input: only its length is checked.
pub(crate) fn optional_text(
    issues: &mut Vec<FieldIssue>,
    field: String,
    value: &str,
    what: &str,
    max_chars: usize,
) {
    if value.trim().chars().count() > max_chars {
        issues.push(FieldIssue::error(
            field,
            "too_long",
            format!("{what}不能超过 {max_chars} 个字"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_block_and_warnings_do_not() {
        let warning = FieldIssue::warning("employer_uscc", "uscc_check_digit", "校验位不符");
        let error = FieldIssue::error("mobile", "phone_format", "请输入正确的 11 位手机号");
        assert!(!warning.is_error());
        assert!(error.is_error());
        assert!(!has_errors(std::slice::from_ref(&warning)));
        assert!(has_errors(&[warning.clone(), error.clone()]));
        assert_eq!(
            issues_for(&[warning, error.clone()], "mobile"),
            vec![&error]
        );
        assert_eq!(Severity::Warning.code(), "warning");
    }

    #[test]
    fn required_text_is_asked_for_and_kept_short() {
        let mut issues = vec![];
        required_text(&mut issues, "post".into(), "  ", "岗位", 5);
        required_text(&mut issues, "post".into(), "一二三四五六", "岗位", 5);
        required_text(&mut issues, "post".into(), "一二三四五", "岗位", 5);
        optional_text(&mut issues, "major".into(), "", "专业", 5);
        let found: Vec<(&str, &str)> = issues
            .iter()
            .map(|i| (i.code, i.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("required", "请填写岗位"),
                ("too_long", "岗位不能超过 5 个字")
            ]
        );
    }
}
