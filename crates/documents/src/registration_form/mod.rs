//! 职业技能等级认定登记表: the registration form candidates print, sign and hand in, and reviewers
//! read, laid out like the seed's table.
//!
//! [`RegistrationForm`] holds every string the form prints, already worded: the caller maps an
//! application onto it (code tables to names, the claimed alternative to its sentence, the work
//! total to 年/个月). This crate decides only where things go on the page. The fields the
//! certification body fills in by hand (审核意见, 成绩, 盖章) are printed blank.

pub(crate) mod labels;
mod layout;

#[cfg(test)]
mod tests;

pub(crate) use layout::{PHOTO_PATH, markup};

/// The applicant's commitment as the seed's form words it (申请人承诺).
pub const SEED_COMMITMENT: [&str; 2] = [
    "以上信息均为本人亲自填报，且准确无误，真实有效。",
    "如所填报信息虚假，本人愿意承担以下后果：本次申报所取得职业资格（专项职业能力、职业技能等级）无效，撤销相关证书，按相关规定承担相应责任，并接受相关造假行为对社会公布。",
];

/// Everything the registration form prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationForm {
    /// 认定计划 name, e.g. "2026 年第 3 批电子商务师一级认定".
    pub plan_name: String,
    /// 计划编号, also used for the download's file name.
    pub plan_code: String,
    /// 职业(工种): the occupation, with the track where the level has tracks.
    pub occupation: String,
    /// 申报级别, e.g. "一级/高级技师".
    pub level: String,
    pub applicant: Applicant,
    pub declaration: DeclarationFacts,
    /// 符合学历条件: usually one diploma; none prints the rows blank.
    pub education: Vec<EducationRow>,
    /// 符合本职业(工种)工作年限条件: each period of work, oldest first as the candidate listed them.
    pub work_history: Vec<WorkRow>,
    /// 合计, worded by the caller (e.g. "4年3个月").
    pub work_total: String,
    /// The numbered paragraphs of 申请人承诺; usually [`SEED_COMMITMENT`].
    pub commitment: Vec<String>,
    /// The applicant's photo (JPEG or PNG), printed in the top-right box; `None` leaves the box
    /// for a glued-on photo as the seed asks.
    pub photo: Option<Vec<u8>>,
    /// 提交时间 as it should print, in Beijing time (e.g. "2026-11-29 10:05").
    pub submitted_at: String,
}

/// 申请人基本信息.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applicant {
    pub name: String,
    /// 男 or 女.
    pub gender: String,
    /// e.g. "1990-03-07".
    pub birth_date: String,
    /// 证件类型 (居民身份证, 护照…): the label reads 身份证号码 for a resident ID card (or when
    /// empty), 证件号码（护照）otherwise.
    pub id_type: String,
    pub id_number: String,
    /// 民族, by name.
    pub ethnicity: String,
    /// 政治面貌, by name.
    pub political_status: String,
    /// 文化程度, by name.
    pub education: String,
    /// 联系电话.
    pub phone: String,
    /// 通信地址, in full.
    pub address: String,
    /// 现工作单位, in full.
    pub employer: String,
    /// 身份 (在校学生, 教师, 企业职工…).
    pub identity: String,
}

/// 申报情况: how the candidate qualifies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclarationFacts {
    /// 申报条件填写: the sentence of the eligibility alternative claimed, in full.
    pub eligibility: String,
    /// 鉴定情况: `None` for 初次鉴定, or 晋级鉴定 with the previous certificate's number.
    pub promotion_from: Option<String>,
}

/// One diploma (符合学历条件).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EducationRow {
    /// 学历, by name.
    pub degree: String,
    /// 毕业(在读)学校.
    pub school: String,
    /// 所学专业.
    pub major: String,
    /// 毕业证编号.
    pub diploma_number: String,
    /// 毕业时间 (or 入学时间 while still studying), e.g. "2012-07"; printed beside the number.
    pub date: String,
}

/// One period of work (简历).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkRow {
    /// 起止时间 as the seed writes it: "2015-07—2019-06" or "2019-07—至今".
    pub period: String,
    pub employer: String,
    /// 岗位.
    pub post: String,
    /// 证明人.
    pub referee: String,
    /// 证明人联系电话.
    pub referee_phone: String,
}

impl RegistrationForm {
    /// Every string a person typed or chose, named as the form labels it, for the coverage check.
    /// Labels and fixed wording are the crate's own and are tested against the fonts once.
    pub fn user_text(&self) -> Vec<(String, &str)> {
        let a = &self.applicant;
        let mut fields: Vec<(String, &str)> = vec![
            ("认定计划".to_owned(), self.plan_name.as_str()),
            ("计划编号".to_owned(), &self.plan_code),
            ("职业（工种）".to_owned(), &self.occupation),
            ("申报级别".to_owned(), &self.level),
            ("姓名".to_owned(), &a.name),
            ("性别".to_owned(), &a.gender),
            ("出生日期".to_owned(), &a.birth_date),
            ("民族".to_owned(), &a.ethnicity),
            ("政治面貌".to_owned(), &a.political_status),
            ("文化程度".to_owned(), &a.education),
            ("身份".to_owned(), &a.identity),
            ("证件类型".to_owned(), &a.id_type),
            ("身份证号码".to_owned(), &a.id_number),
            ("现工作单位".to_owned(), &a.employer),
            ("通信地址".to_owned(), &a.address),
            ("联系电话".to_owned(), &a.phone),
            ("申报条件".to_owned(), &self.declaration.eligibility),
        ];
        if let Some(number) = &self.declaration.promotion_from {
            fields.push(("上一级别证书编号".to_owned(), number));
        }
        let several = self.education.len() > 1;
        for (i, e) in self.education.iter().enumerate() {
            let n = |label: &str| {
                if several {
                    format!("{label}（第 {} 项）", i + 1)
                } else {
                    label.to_owned()
                }
            };
            fields.push((n("学历"), &e.degree));
            fields.push((n("毕业（在读）学校"), &e.school));
            fields.push((n("所学专业"), &e.major));
            fields.push((n("毕业证编号"), &e.diploma_number));
            fields.push((n("毕业时间"), &e.date));
        }
        for (i, w) in self.work_history.iter().enumerate() {
            let n = |label: &str| format!("{label}（第 {} 段工作经历）", i + 1);
            fields.push((n("起止时间"), &w.period));
            fields.push((n("工作单位"), &w.employer));
            fields.push((n("岗位"), &w.post));
            fields.push((n("证明人"), &w.referee));
            fields.push((n("证明人联系电话"), &w.referee_phone));
        }
        fields.push(("合计".to_owned(), &self.work_total));
        for c in &self.commitment {
            fields.push(("申请人承诺".to_owned(), c));
        }
        fields.push(("提交时间".to_owned(), &self.submitted_at));
        fields
    }
}
