//! Reading the catalogue's forms: a body with repeated fields (ticked levels, ticked education
//! codes), its CSRF token checked, and the rule form turned into a `RuleInput`.

use domain::catalogue::rule_form::{RuleFieldError, RuleInput, parse_number};

use crate::error::AppError;
use crate::staff::Staff;

/// A form body as its name/value pairs, CSRF checked.
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    pub fn read(staff: &Staff, body: &[u8]) -> Result<Pairs, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| {
            AppError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "bad_request",
                "表单内容无法识别",
            )
        })?;
        let pairs = Pairs(pairs);
        staff
            .session
            .check_csrf(pairs.get(crate::session::CSRF_FIELD))?;
        Ok(pairs)
    }

    /// The first value of `name`, empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A ticked checkbox.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }
}

/// The rule form's inputs (named as `RuleInput`'s fields), and the numbers that are not numbers.
pub fn rule_input(pairs: &Pairs) -> (RuleInput, Vec<RuleFieldError>) {
    let mut errors = Vec::new();
    let mut number = |field: &'static str| match parse_number(field, pairs.get(field)) {
        Ok(n) => n,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let input = RuleInput {
        level: number("level"),
        required_level: number("required_level"),
        years_of_work: number("years_of_work"),
        kind: pairs.get("kind").to_owned(),
        years_counted_from: pairs.get("years_counted_from").to_owned(),
        education_codes: pairs.all("education_codes"),
        education_or_above: pairs.ticked("education_or_above"),
        related_major: pairs.ticked("related_major"),
        related_occupation: pairs.ticked("related_occupation"),
    };
    (input, errors)
}
