//! The catalogue of what can be certified: skill levels and the eligibility conditions
//! (申报条件) of each level of an occupation, held as structured, editable data.

pub mod eligibility;
pub mod level;
pub mod occupation;
pub mod rule_form;

pub use eligibility::{
    ConditionKind, EducationRequirement, EligibilityRule, RuleError, RuleFields,
    STANDARD_EDUCATION_LEVELS, YearsCountedFrom, standard_education_names,
    standard_rules_for_e_commerce,
};
pub use level::Level;
pub use rule_form::{RuleFieldError, RuleInput, check_rule_input};
