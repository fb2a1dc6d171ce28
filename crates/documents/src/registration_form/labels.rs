//! The form's own wording, as the seed's 登记表 prints it. Kept in one place so that a test can
//! check every character against both embedded faces (the bold face is a small subset).

pub const TITLE: &str = "职业技能等级认定登记表";
pub const PLAN: &str = "认定计划：";
pub const PLAN_CODE: &str = "计划编号：";
pub const SUBMITTED_AT: &str = "提交时间：";
pub const PHOTO: &str = "照片";
pub const PHOTO_HINT: &str = "（粘贴处）";

pub const APPLICANT: &str = "申请人基本信息";
pub const NAME: &str = "姓名";
pub const GENDER: &str = "性别";
pub const ETHNICITY: &str = "民族";
pub const BIRTH_DATE: &str = "出生日期";
pub const POLITICAL_STATUS: &str = "政治面貌";
pub const EDUCATION: &str = "文化程度";
pub const IDENTITY: &str = "身份";
pub const ID_NUMBER: &str = "身份证号码";
pub const OTHER_ID_NUMBER: &str = "证件号码";
pub const RESIDENT_ID_CARD: &str = "居民身份证";
pub const EMPLOYER: &str = "现工作单位";
pub const ADDRESS: &str = "通信地址";
pub const PHONE: &str = "联系电话";

pub const DECLARATION: &str = "申报信息";
pub const DECLARATION_SITUATION: &str = "申报情况";
pub const OCCUPATION: &str = "职业(工种)";
pub const LEVEL: &str = "申报级别";
pub const ELIGIBILITY: &str = "申报条件填写";
pub const ASSESSMENT: &str = "鉴定情况";
pub const FIRST_TIME: &str = "初次鉴定";
pub const PROMOTION: &str = "晋级鉴定(上一级别证书编号)：";

pub const CONDITIONS: &str = "适用申报条件对应信息";
pub const CONDITIONS_HINT: &str =
    "(请根据本人申报所符合的职业(工种)国家职业标准规定的条件选择填报)";
pub const EDUCATION_CONDITION: &str = "符合学历条件";
pub const DEGREE: &str = "学历";
pub const SCHOOL: &str = "毕业(在读)学校";
pub const MAJOR: &str = "所学专业";
pub const DIPLOMA: &str = "毕业证编号(入学时间)";
pub const WORK_CONDITION: &str = "符合本职业(工种)工作年限条件";
pub const RESUME: &str = "简历";
pub const PERIOD: &str = "起止时间";
pub const WORK_EMPLOYER: &str = "工作单位";
pub const POST: &str = "岗位";
pub const REFEREE: &str = "证明人";
pub const TOTAL: &str = "合计";

pub const COMMITMENT: &str = "申请人承诺";
pub const COMMITMENT_LEAD: &str = "本人承诺：";
pub const SIGNATURE: &str = "申请人（签字）：";
pub const DATE_BLANK: &str = "年　　月　　日";

pub const REVIEW: &str = "认定机构审核意见";
pub const REVIEWER: &str = "认定机构负责人(或经办人)：";
pub const SCORE: &str = "申请人＿＿＿＿＿＿于＿＿＿＿年＿＿月＿＿日参加＿＿＿＿＿＿＿＿职业技能鉴定，理论成绩＿＿＿＿分，操作成绩＿＿＿＿分，综合成绩＿＿＿＿分。评定成绩＿＿＿＿＿＿。＿＿＿＿年＿＿月＿＿日核发证书，证书编号：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿。";
pub const SEAL: &str = "认定机构(盖章)";
pub const NOTE: &str =
    "备注：本表适用于考生个人现场申请参加职业技能等级认定用(现场需提交同底彩色电子版照片一张)。";

/// Every fixed text above, for the font test.
#[cfg(test)]
pub const ALL: &[&str] = &[
    TITLE,
    PLAN,
    PLAN_CODE,
    SUBMITTED_AT,
    PHOTO,
    PHOTO_HINT,
    APPLICANT,
    NAME,
    GENDER,
    ETHNICITY,
    BIRTH_DATE,
    POLITICAL_STATUS,
    EDUCATION,
    IDENTITY,
    ID_NUMBER,
    OTHER_ID_NUMBER,
    RESIDENT_ID_CARD,
    EMPLOYER,
    ADDRESS,
    PHONE,
    DECLARATION,
    DECLARATION_SITUATION,
    OCCUPATION,
    LEVEL,
    ELIGIBILITY,
    ASSESSMENT,
    FIRST_TIME,
    PROMOTION,
    CONDITIONS,
    CONDITIONS_HINT,
    EDUCATION_CONDITION,
    DEGREE,
    SCHOOL,
    MAJOR,
    DIPLOMA,
    WORK_CONDITION,
    RESUME,
    PERIOD,
    WORK_EMPLOYER,
    POST,
    REFEREE,
    TOTAL,
    COMMITMENT,
    COMMITMENT_LEAD,
    SIGNATURE,
    DATE_BLANK,
    REVIEW,
    REVIEWER,
    SCORE,
    SEAL,
    NOTE,
];
