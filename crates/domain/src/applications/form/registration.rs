//! Step 3 (报名信息) and the education section: the identity document by its type, the
//! registering organization and employer, hukou and residence with cascading
//! province/city/district choices, and the diploma.

use chrono::{Months, NaiveDate};

use super::{CodeBook, EducationInfo, IdType, RegistrationInfo, kinds, optional_code};
use crate::applications::issues::{FieldIssue, optional_text, required_text};
use crate::applications::month::{DateError, parse_date_or_month};
use crate::identity::{IdNumber, to_half_width};

const NAME_MAX_CHARS: usize = 100;
const ADDRESS_MAX_CHARS: usize = 200;
const MAX_YEARS_OF_WORK: u32 = 60;
/// A graduation date may lie ahead (在校应届生 give the expected one), but not this far.
const GRADUATION_MAX_MONTHS_AHEAD: u32 = 6 * 12;

/// Checks an identity document number by its type and returns it normalised (uppercase, no
/// spaces), or the finding for input "id_number".
///
/// - 居民身份证: GB 11643, birth date not after `today`;
/// - 港澳居民来往内地通行证: H or M, then 8 or 10 digits;
/// - 台湾居民来往大陆通行证: 8 or 10 digits;
/// - 护照: 5–17 letters or digits;
/// - 外国人永久居留身份证: 15 or 18 letters or digits.
pub fn parse_id_document(
    id_type: IdType,
    raw: &str,
    today: NaiveDate,
) -> Result<String, FieldIssue> {
    const FIELD: &str = "id_number";
    if id_type == IdType::ResidentIdCard {
        return IdNumber::parse_on(raw, today)
            .map(|id| id.as_str().to_owned())
            .map_err(|e| FieldIssue::error(FIELD, e.code(), e.to_string()));
    }
    let s: String = raw
        .chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if s.is_empty() {
        return Err(FieldIssue::error(FIELD, "required", "请填写证件号"));
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let alphanumeric = s.bytes().all(|b| b.is_ascii_alphanumeric());
    let (valid, rule) = match id_type {
        IdType::ResidentIdCard => unreachable!("handled above"),
        IdType::HongKongMacaoPermit => (
            (s.starts_with('H') || s.starts_with('M'))
                && matches!(s.len(), 9 | 11)
                && digits(&s[1..]),
            "港澳居民来往内地通行证号码应为 H 或 M 开头，后接 8 位或 10 位数字",
        ),
        IdType::TaiwanPermit => (
            matches!(s.len(), 8 | 10) && digits(&s),
            "台湾居民来往大陆通行证号码应为 8 位或 10 位数字",
        ),
        IdType::Passport => (
            (5..=17).contains(&s.len()) && alphanumeric,
            "护照号码应为 5–17 位字母或数字",
        ),
        IdType::ForeignPermanentResidentCard => (
            matches!(s.len(), 15 | 18) && alphanumeric,
            "外国人永久居留身份证号码应为 15 位或 18 位字母或数字",
        ),
    };
    if valid {
        Ok(s)
    } else {
        Err(FieldIssue::error(FIELD, "id_number_format", rule))
    }
}

/// Checks step 3. Required as the seed marks them: 证件号, 报名单位, 所在单位, 户籍, and the
/// residence's province, city, district and address. Each place's city must lie in its
/// province and its district in its city; optional places are checked when given.
pub fn check_registration(
    r: &RegistrationInfo,
    codes: &dyn CodeBook,
    today: NaiveDate,
) -> Vec<FieldIssue> {
    let mut issues = Vec::new();

    let id_type = if r.id_type.trim().is_empty() {
        Some(IdType::ResidentIdCard)
    } else {
        IdType::parse(&r.id_type)
    };
    match id_type {
        None => issues.push(FieldIssue::error(
            "id_type",
            "id_type_invalid",
            "请选择证件类型",
        )),
        Some(id_type) => {
            if let Err(issue) = parse_id_document(id_type, &r.id_number, today) {
                issues.push(issue);
            }
        }
    }

    required_text(
        &mut issues,
        "organization".into(),
        &r.organization,
        "报名单位",
        NAME_MAX_CHARS,
    );

    let years = r.years_of_work.trim();
    let years = years.strip_suffix('年').unwrap_or(years).trim();
    if !years.is_empty() && !years.parse::<u32>().is_ok_and(|y| y <= MAX_YEARS_OF_WORK) {
        issues.push(FieldIssue::error(
            "years_of_work",
            "years_of_work_invalid",
            "工作年限应为 0–60 之间的整数",
        ));
    }

    optional_code(
        &mut issues,
        codes,
        "enterprise_type",
        kinds::ENTERPRISE_TYPE,
        &r.enterprise_type,
        "企业类型",
    );

    let employer = r.employer.trim();
    if employer.is_empty() {
        issues.push(FieldIssue::error(
            "employer",
            "required",
            "请填写所在单位全称",
        ));
    } else if !(2..=NAME_MAX_CHARS).contains(&employer.chars().count()) {
        issues.push(FieldIssue::error(
            "employer",
            "too_long",
            "所在单位名称应为 2–100 个字，请填写全称",
        ));
    }

    required_text(&mut issues, "hukou_type".into(), &r.hukou_type, "户籍", 20);

    let place = |prefix, what, province, city, district, required| Place {
        prefix,
        what,
        province,
        city,
        district,
        required,
    };
    place(
        "hukou",
        "户口所在",
        &r.hukou_province,
        &r.hukou_city,
        &r.hukou_district,
        false,
    )
    .check(codes, &mut issues);
    place(
        "residence",
        "现居地所在",
        &r.residence_province,
        &r.residence_city,
        &r.residence_district,
        true,
    )
    .check(codes, &mut issues);
    required_text(
        &mut issues,
        "residence_address".into(),
        &r.residence_address,
        "现居地详细地址",
        ADDRESS_MAX_CHARS,
    );
    place(
        "employer",
        "工作单位所在",
        &r.employer_province,
        &r.employer_city,
        &r.employer_district,
        false,
    )
    .check(codes, &mut issues);
    optional_text(
        &mut issues,
        "employer_address".into(),
        &r.employer_address,
        "工作单位详细地址",
        ADDRESS_MAX_CHARS,
    );
    issues
}

/// A province/city/district triple of the form, inputs `{prefix}_province` and so on.
struct Place<'a> {
    prefix: &'static str,
    /// "现居地所在", to make "请选择现居地所在省".
    what: &'static str,
    province: &'a str,
    city: &'a str,
    district: &'a str,
    required: bool,
}

impl Place<'_> {
    fn check(&self, codes: &dyn CodeBook, issues: &mut Vec<FieldIssue>) {
        let (p, c, d) = (self.province.trim(), self.city.trim(), self.district.trim());
        let what = self.what;
        let field = |level: &str| format!("{}_{level}", self.prefix);
        let missing = |level: &str, name: &str, verb: &str| {
            FieldIssue::error(
                field(level),
                "required",
                format!("请{verb}选择{what}{name}"),
            )
        };

        if self.required || !c.is_empty() || !d.is_empty() {
            let verb = if self.required { "" } else { "先" };
            if p.is_empty() {
                issues.push(missing("province", "省", verb));
            }
            if c.is_empty() && (self.required || !d.is_empty()) {
                issues.push(missing("city", "市", verb));
            }
        }
        if self.required && d.is_empty() && !c.is_empty() && codes.has_children(c) {
            issues.push(missing("district", "区县", ""));
        }

        let unknown = |level: &str, name: &str| {
            FieldIssue::error(
                field(level),
                "division_unknown",
                format!("{what}{name}不在列表中，请重新选择"),
            )
        };
        let mismatch = |level: &str, name: &str, parent: &str| {
            FieldIssue::error(
                field(level),
                "division_mismatch",
                format!("{what}{name}不属于所选{parent}，请重新选择"),
            )
        };
        let province_ok =
            !p.is_empty() && codes.is_division(p) && codes.division_parent(p).is_none();
        if !p.is_empty() && !province_ok {
            issues.push(unknown("province", "省"));
        }
        let city_ok = !c.is_empty() && codes.is_division(c);
        if !c.is_empty() && !city_ok {
            issues.push(unknown("city", "市"));
        } else if city_ok && province_ok && codes.division_parent(c).as_deref() != Some(p) {
            issues.push(mismatch("city", "市", "省份"));
        }
        if !d.is_empty() && !codes.is_division(d) {
            issues.push(unknown("district", "区县"));
        } else if !d.is_empty() && city_ok && codes.division_parent(d).as_deref() != Some(c) {
            issues.push(mismatch("district", "区县", "城市"));
        }
    }
}

/// Checks the education section: optional as a whole (only the claimed alternative may need
/// it), but once begun the degree and school are needed, and what is given must be well formed.
pub fn check_education(
    e: &EducationInfo,
    codes: &dyn CodeBook,
    today: NaiveDate,
) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let begun = [
        &e.degree,
        &e.school,
        &e.major,
        &e.diploma_number,
        &e.graduation_date,
    ]
    .iter()
    .any(|s| !s.trim().is_empty());
    if !begun {
        return issues;
    }

    if e.degree.trim().is_empty() {
        issues.push(FieldIssue::error("degree", "required", "请选择学历"));
    } else {
        optional_code(
            &mut issues,
            codes,
            "degree",
            kinds::EDUCATION,
            &e.degree,
            "学历",
        );
    }
    required_text(
        &mut issues,
        "school".into(),
        &e.school,
        "毕业（在读）学校",
        NAME_MAX_CHARS,
    );
    optional_text(&mut issues, "major".into(), &e.major, "所学专业", 50);

    let number = e.diploma_number.trim();
    if !number.is_empty()
        && (number.chars().count() > 40
            || !number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        issues.push(FieldIssue::error(
            "diploma_number",
            "diploma_number_format",
            "毕业证书编号只能包含字母、数字和“-”，最多 40 位",
        ));
    }

    match parse_date_or_month(&e.graduation_date) {
        Err(DateError::Empty) => {}
        Err(err) => issues.push(FieldIssue::error(
            "graduation_date",
            err.code(),
            format!("毕业时间格式不正确：{err}"),
        )),
        Ok(date) => {
            let latest = today
                .checked_add_months(Months::new(GRADUATION_MAX_MONTHS_AHEAD))
                .unwrap_or(today);
            if date > latest {
                issues.push(FieldIssue::error(
                    "graduation_date",
                    "graduation_date_too_late",
                    "毕业时间不正确：在读学生请填写预计毕业时间",
                ));
            }
        }
    }
    issues
}

#[cfg(test)]
mod tests;
