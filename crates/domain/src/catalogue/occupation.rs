//! 职业: an occupation of the national occupational classification (职业分类大典), its tracks
//! (方向) and related occupations (相关职业), as staff type them in the console. The checks
//! here are on the names and codes; which levels exist is a set of [`Level`]s.

use super::Level;
use super::rule_form::RuleFieldError;

/// Longest name of an occupation, track or related occupation (the columns hold 64; the
/// national names are far shorter).
pub const MAX_NAME_CHARS: usize = 32;

/// An occupation code as the classification writes it: a major group digit, then two to four
/// two-digit groups, e.g. `4-01-02-02`.
pub fn is_occupation_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let major_ok = parts
        .next()
        .is_some_and(|p| p.len() == 1 && p.bytes().all(|b| b.is_ascii_digit()));
    let rest: Vec<&str> = parts.collect();
    major_ok
        && (2..=4).contains(&rest.len())
        && rest
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A name typed for an occupation, track or related occupation, trimmed; `field` names the
/// input for the error.
pub fn check_name(field: &'static str, raw: &str) -> Result<String, RuleFieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(field_error(field, "name_required", "请填写名称"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(field_error(
            field,
            "name_too_long",
            format!("名称不能超过 {MAX_NAME_CHARS} 个字"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(field_error(field, "name_invalid", "名称中有无法显示的字符"));
    }
    Ok(name.to_owned())
}

/// An occupation code typed: required (`optional` false) or optional, trimmed.
pub fn check_code(
    field: &'static str,
    raw: &str,
    optional: bool,
) -> Result<Option<String>, RuleFieldError> {
    let code = raw.trim();
    if code.is_empty() {
        return if optional {
            Ok(None)
        } else {
            Err(field_error(field, "code_required", "请填写职业编码"))
        };
    }
    if !is_occupation_code(code) {
        return Err(field_error(
            field,
            "code_invalid",
            "职业编码应如 4-01-02-02（大类一位数字，其后每段两位数字）",
        ));
    }
    Ok(Some(code.to_owned()))
}

/// Levels ticked in a form (`"1"` … `"5"`): at least one, each a level, in order.
pub fn check_levels(field: &'static str, raw: &[String]) -> Result<Vec<Level>, RuleFieldError> {
    let mut levels = Vec::new();
    for r in raw {
        let level = r
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(Level::new)
            .ok_or_else(|| field_error(field, "level_invalid", "等级必须在一级到五级之间"))?;
        if !levels.contains(&level) {
            levels.push(level);
        }
    }
    if levels.is_empty() {
        return Err(field_error(field, "levels_required", "请至少选择一个等级"));
    }
    levels.sort();
    Ok(levels)
}

fn field_error(
    field: &'static str,
    code: &'static str,
    message: impl Into<String>,
) -> RuleFieldError {
    RuleFieldError {
        field,
        code,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occupation_codes_look_like_the_classification() {
        for good in ["4-01-02-02", "6-29-03", "2-02-10-09-01"] {
            assert!(is_occupation_code(good), "{good}");
        }
        for bad in [
            "",
            "4",
            "4-1-02-02",
            "40-01-02",
            "4-01",
            "4-01-02-0a",
            "4—01—02",
        ] {
            assert!(!is_occupation_code(bad), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("name", " 网商 ").unwrap(), "网商");
        assert_eq!(check_name("name", "  ").unwrap_err().code, "name_required");
        let long = "长".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(check_name("name", &long).unwrap_err().code, "name_too_long");
    }

    #[test]
    fn codes_are_required_unless_optional() {
        assert_eq!(check_code("code", "", true), Ok(None));
        assert_eq!(
            check_code("code", "", false).unwrap_err().code,
            "code_required"
        );
        assert_eq!(check_code("code", "x", true).unwrap_err().field, "code");
    }

    #[test]
    fn levels_ticked_are_deduplicated_and_ordered() {
        let raw: Vec<String> = ["5", "2", "5"].map(str::to_owned).to_vec();
        let levels = check_levels("levels", &raw).unwrap();
        assert_eq!(levels.iter().map(|l| l.get()).collect::<Vec<_>>(), [2, 5]);
        assert_eq!(
            check_levels("levels", &[]).unwrap_err().code,
            "levels_required"
        );
        assert_eq!(
            check_levels("levels", &["6".to_owned()]).unwrap_err().code,
            "level_invalid"
        );
    }
}
