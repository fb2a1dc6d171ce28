//! What the wizard and status pages show, prepared for the templates.

use domain::applications::issues::FieldIssue;
use domain::applications::state::ApplicationStatus;
use store::applications::{Application, Event};
use store::code_tables::CodeSnapshot;

use super::sections::{STEP_NAMES, Section};

/// Messages by field for one page: errors first, warnings shown but not blocking.
#[derive(Default)]
pub struct Issues(pub Vec<FieldIssue>);

impl Issues {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|i| i.field == field)
            .map(|i| i.message.as_str())
    }

    pub fn class(&self, field: &str) -> &'static str {
        match self.0.iter().find(|i| i.field == field) {
            Some(i) if i.is_error() => "invalid",
            Some(_) => "warning",
            None => "",
        }
    }

    /// Every message for `field` (an upload refused for several reasons).
    pub fn all(&self, field: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|i| i.field == field)
            .map(|i| i.message.as_str())
            .collect()
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|i| i.is_error()).count()
    }
}

pub struct Choice {
    pub code: String,
    pub name: String,
}

pub fn choices(codes: &CodeSnapshot, kind: &str) -> Vec<Choice> {
    codes
        .items(kind)
        .iter()
        .map(|i| Choice {
            code: i.code.clone(),
            name: i.name.clone(),
        })
        .collect()
}

/// One address block of step 3 (户口所在地, 现居地, 工作单位所在地): its field names, current values,
/// the provinces, and the children of the chosen province and city.
pub struct AddressChoices {
    pub prefix: &'static str,
    pub legend: &'static str,
    pub required: bool,
    pub with_address: bool,
    pub province_name: String,
    pub city_name: String,
    pub district_name: String,
    pub address_name: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub address: String,
    pub provinces: Vec<Choice>,
    pub cities: Vec<Choice>,
    pub districts: Vec<Choice>,
}

/// The current values of one address block: (province, city, district, address).
pub struct AddressValues<'a> {
    pub province: &'a str,
    pub city: &'a str,
    pub district: &'a str,
    pub address: &'a str,
}

pub fn address_choices(
    codes: &CodeSnapshot,
    prefix: &'static str,
    values: AddressValues<'_>,
) -> AddressChoices {
    let AddressValues {
        province,
        city,
        district,
        address,
    } = values;
    let to_choices = |parent: Option<&str>| {
        codes
            .children(parent)
            .into_iter()
            .map(|d| Choice {
                code: d.code.clone(),
                name: d.name.clone(),
            })
            .collect::<Vec<_>>()
    };
    AddressChoices {
        prefix,
        legend: match prefix {
            "hukou" => "户口所在地",
            "residence" => "现居地",
            _ => "工作单位所在地",
        },
        required: prefix == "residence",
        with_address: prefix != "hukou",
        province_name: format!("{prefix}_province"),
        city_name: format!("{prefix}_city"),
        district_name: format!("{prefix}_district"),
        address_name: format!("{prefix}_address"),
        province: province.to_owned(),
        city: city.to_owned(),
        district: district.to_owned(),
        address: address.to_owned(),
        provinces: to_choices(None),
        cities: if province.is_empty() {
            Vec::new()
        } else {
            to_choices(Some(province))
        },
        districts: if city.is_empty() {
            Vec::new()
        } else {
            to_choices(Some(city))
        },
    }
}

pub struct StepMark {
    pub number: u8,
    pub name: &'static str,
    /// "done", "current" or "".
    pub state: &'static str,
}

pub fn step_marks(current: Section) -> Vec<StepMark> {
    STEP_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let number = i as u8 + 1;
            StepMark {
                number,
                name,
                state: match number.cmp(&current.step()) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "",
                },
            }
        })
        .collect()
}

/// One line of an application's timeline.
pub struct TimelineEntry {
    pub at: String,
    pub text: String,
}

pub fn timeline(events: &[Event]) -> Vec<TimelineEntry> {
    events
        .iter()
        .map(|e| TimelineEntry {
            at: domain::time::format_instant(e.at),
            text: match e.kind.as_str() {
                "created" => "开始填写报名信息".to_owned(),
                "submitted" => "已提交，进入审核".to_owned(),
                "resubmitted" => "已修改并重新提交，进入审核".to_owned(),
                "edited" => {
                    let n = e
                        .detail
                        .get("fields")
                        .and_then(|f| f.as_array())
                        .map_or(0, Vec::len);
                    format!("审核期间修改了报名信息（{n} 项）")
                }
                "withdrawn" => "已撤回报名，名额已释放".to_owned(),
                "approved" => "审核通过，请按时缴费".to_owned(),
                "rejected" => match e.detail.get("reason").and_then(|r| r.as_str()) {
                    Some(reason) => format!("审核不通过：{reason}"),
                    None => "审核不通过".to_owned(),
                },
                _ => e.to_status.label().to_owned(),
            },
        })
        .collect()
}

/// Where the candidate continues: the first page not yet completed, or the status page.
pub fn resume_path(application: &Application) -> String {
    if application.status != ApplicationStatus::Draft {
        return format!("/applications/{}", application.id);
    }
    let next = Section::ALL
        .get(usize::from(application.step_reached))
        .copied()
        .unwrap_or(Section::Review);
    format!("/applications/{}/{}", application.id, next.slug())
}
