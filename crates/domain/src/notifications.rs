//! What a candidate is told when their application changes status (通知): one template per kind
//! of change, each with an SMS text and an in-app title and body. Templates hold placeholders
//! such as `{姓名}` or `{原因}`; the defaults are here in code, and staff may override them
//! (stored by `store::notifications`), so every text staff save is checked by
//! [`Template::parse`] and rendered strictly: a placeholder we do not know, or one this kind of
//! change has no value for, is an error with a stable code, never printed as it stands.
//!
//! SMS length is counted in characters, as Chinese providers bill it: up to 70 characters is one
//! message; a longer text is split into parts of 67 (the rest carries the part header).

use crate::applications::state::ApplicationStatus;

/// The kinds of status change a candidate is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateKey {
    /// 审核中: first submission.
    Submitted,
    /// 审核中 again, after a rejection was fixed.
    Resubmitted,
    /// 审核不通过, with the reviewer's reason.
    Rejected,
    /// 审核通过 / 待缴费, with the fee and the payment deadline when known.
    Approved,
    Withdrawn,
    Paid,
    SeatAllocated,
    Examined,
    Passed,
    Failed,
    Certified,
    Expired,
}

impl TemplateKey {
    pub const ALL: [TemplateKey; 12] = [
        TemplateKey::Submitted,
        TemplateKey::Resubmitted,
        TemplateKey::Rejected,
        TemplateKey::Approved,
        TemplateKey::Withdrawn,
        TemplateKey::Paid,
        TemplateKey::SeatAllocated,
        TemplateKey::Examined,
        TemplateKey::Passed,
        TemplateKey::Failed,
        TemplateKey::Certified,
        TemplateKey::Expired,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            TemplateKey::Submitted => "submitted",
            TemplateKey::Resubmitted => "resubmitted",
            TemplateKey::Rejected => "rejected",
            TemplateKey::Approved => "approved",
            TemplateKey::Withdrawn => "withdrawn",
            TemplateKey::Paid => "paid",
            TemplateKey::SeatAllocated => "seat_allocated",
            TemplateKey::Examined => "examined",
            TemplateKey::Passed => "passed",
            TemplateKey::Failed => "failed",
            TemplateKey::Certified => "certified",
            TemplateKey::Expired => "expired",
        }
    }

    /// For staff: which change the template announces.
    pub fn label(&self) -> &'static str {
        match self {
            TemplateKey::Submitted => "提交报名（审核中）",
            TemplateKey::Resubmitted => "重新提交（审核中）",
            TemplateKey::Rejected => "审核不通过",
            TemplateKey::Approved => "审核通过（待缴费）",
            TemplateKey::Withdrawn => "已撤回",
            TemplateKey::Paid => "缴费成功",
            TemplateKey::SeatAllocated => "已分配考场",
            TemplateKey::Examined => "已考试",
            TemplateKey::Passed => "合格",
            TemplateKey::Failed => "不合格",
            TemplateKey::Certified => "已发证",
            TemplateKey::Expired => "逾期未缴费失效",
        }
    }

    pub fn parse(raw: &str) -> Option<TemplateKey> {
        TemplateKey::ALL.into_iter().find(|k| k.code() == raw)
    }

    /// The template for a change from `from` to `to`; `None` when nothing changed (an edit) or
    /// the change is not one a candidate is told about (back to a draft).
    pub fn for_change(from: ApplicationStatus, to: ApplicationStatus) -> Option<TemplateKey> {
        use ApplicationStatus as S;
        if from == to {
            return None;
        }
        Some(match to {
            S::Draft => return None,
            S::UnderReview if from == S::Rejected => TemplateKey::Resubmitted,
            S::UnderReview => TemplateKey::Submitted,
            S::Rejected => TemplateKey::Rejected,
            S::Approved => TemplateKey::Approved,
            S::Paid => TemplateKey::Paid,
            S::SeatAllocated => TemplateKey::SeatAllocated,
            S::Examined => TemplateKey::Examined,
            S::Passed => TemplateKey::Passed,
            S::Failed => TemplateKey::Failed,
            S::Certified => TemplateKey::Certified,
            S::Withdrawn => TemplateKey::Withdrawn,
            S::Expired => TemplateKey::Expired,
        })
    }

    /// The status the application is in after this change, for `{状态}`.
    pub fn status(&self) -> ApplicationStatus {
        match self {
            TemplateKey::Submitted | TemplateKey::Resubmitted => ApplicationStatus::UnderReview,
            TemplateKey::Rejected => ApplicationStatus::Rejected,
            TemplateKey::Approved => ApplicationStatus::Approved,
            TemplateKey::Withdrawn => ApplicationStatus::Withdrawn,
            TemplateKey::Paid => ApplicationStatus::Paid,
            TemplateKey::SeatAllocated => ApplicationStatus::SeatAllocated,
            TemplateKey::Examined => ApplicationStatus::Examined,
            TemplateKey::Passed => ApplicationStatus::Passed,
            TemplateKey::Failed => ApplicationStatus::Failed,
            TemplateKey::Certified => ApplicationStatus::Certified,
            TemplateKey::Expired => ApplicationStatus::Expired,
        }
    }

    /// The placeholders this kind of change has values for: the common ones, plus the reason
    /// of a rejection and the fee and deadline of an approval.
    pub fn placeholders(&self) -> Vec<Placeholder> {
        let mut all = Placeholder::COMMON.to_vec();
        match self {
            TemplateKey::Rejected => all.push(Placeholder::Reason),
            TemplateKey::Approved => all.extend([Placeholder::Fee, Placeholder::Deadline]),
            _ => {}
        }
        all
    }

    /// The text used until staff change it.
    pub fn default_template(&self) -> Template {
        let (sms, title, body) = match self {
            TemplateKey::Submitted => (
                "{姓名}您好，您报名的{计划}已提交，正在审核，约需2个工作日，结果将短信通知。",
                "报名已提交，正在审核",
                "您报名的{计划}（{职业}）已提交，当前状态：{状态}。审核约需 2 个工作日，审核期间仍可修改或撤回报名。",
            ),
            TemplateKey::Resubmitted => (
                "{姓名}您好，您修改后的{计划}报名已重新提交，正在审核，结果将短信通知。",
                "报名已重新提交，正在审核",
                "您修改后的{计划}（{职业}）报名已重新提交，当前状态：{状态}。",
            ),
            TemplateKey::Rejected => (
                "{姓名}您好，您报名的{计划}审核不通过，原因：{原因}。请登录平台修改后重新提交。",
                "审核不通过，请修改后重新提交",
                "您报名的{计划}（{职业}）审核不通过。原因：{原因}。请查看原因，修改报名信息后重新提交。",
            ),
            TemplateKey::Approved => (
                "{姓名}您好，您报名的{计划}已审核通过，请于{截止}缴纳报名费{费用}元，逾期报名将失效。",
                "审核通过，请按时缴费",
                "您报名的{计划}（{职业}）已审核通过，当前状态：{状态}。请于{截止}缴纳报名费 {费用} 元，逾期报名将失效。",
            ),
            TemplateKey::Withdrawn => (
                "{姓名}您好，您报名的{计划}已撤回，名额已释放。如非本人操作，请及时联系我们。",
                "报名已撤回",
                "您报名的{计划}（{职业}）已撤回，名额已释放；撤回的报名不能恢复。",
            ),
            TemplateKey::Paid => (
                "{姓名}您好，您报名的{计划}已缴费成功，考场分配后将短信通知。",
                "缴费成功",
                "您报名的{计划}（{职业}）已缴费成功，请等待考场分配。",
            ),
            TemplateKey::SeatAllocated => (
                "{姓名}您好，您报名的{计划}考场已分配，请登录平台打印准考证，按时参加考试。",
                "考场已分配，请打印准考证",
                "您报名的{计划}（{职业}）考场已分配，请打印准考证，按时参加考试。",
            ),
            TemplateKey::Examined => (
                "{姓名}您好，您已参加{计划}考试，成绩公布后将短信通知。",
                "已参加考试",
                "您已参加{计划}（{职业}）考试，请等待成绩公布。",
            ),
            TemplateKey::Passed => (
                "{姓名}您好，您参加的{计划}考试合格，证书发放后将短信通知。",
                "考试合格",
                "您参加的{计划}（{职业}）考试合格，请等待发证。",
            ),
            TemplateKey::Failed => (
                "{姓名}您好，您参加的{计划}考试不合格，可关注后续认定计划再次报名。",
                "考试不合格",
                "您参加的{计划}（{职业}）考试不合格，可关注后续认定计划再次报名。",
            ),
            TemplateKey::Certified => (
                "{姓名}您好，您的{职业}职业技能等级证书已发放，可登录平台查看和下载。",
                "证书已发放",
                "您报名的{计划}（{职业}）证书已发放，可在“我的证书”中查看和下载。",
            ),
            TemplateKey::Expired => (
                "{姓名}您好，您报名的{计划}逾期未缴费，报名已失效。",
                "逾期未缴费，报名已失效",
                "您报名的{计划}（{职业}）逾期未缴费，报名已失效，可关注后续认定计划再次报名。",
            ),
        };
        Template {
            sms_text: sms.to_owned(),
            title: title.to_owned(),
            body: body.to_owned(),
        }
    }
}

/// What a template may say in braces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placeholder {
    Name,
    Plan,
    Occupation,
    Status,
    Link,
    Reason,
    Fee,
    Deadline,
}

impl Placeholder {
    pub const ALL: [Placeholder; 8] = [
        Placeholder::Name,
        Placeholder::Plan,
        Placeholder::Occupation,
        Placeholder::Status,
        Placeholder::Link,
        Placeholder::Reason,
        Placeholder::Fee,
        Placeholder::Deadline,
    ];
    const COMMON: [Placeholder; 5] = [
        Placeholder::Name,
        Placeholder::Plan,
        Placeholder::Occupation,
        Placeholder::Status,
        Placeholder::Link,
    ];

    /// The word between the braces.
    pub fn word(&self) -> &'static str {
        match self {
            Placeholder::Name => "姓名",
            Placeholder::Plan => "计划",
            Placeholder::Occupation => "职业",
            Placeholder::Status => "状态",
            Placeholder::Link => "链接",
            Placeholder::Reason => "原因",
            Placeholder::Fee => "费用",
            Placeholder::Deadline => "截止",
        }
    }

    pub fn parse(word: &str) -> Option<Placeholder> {
        Placeholder::ALL.into_iter().find(|p| p.word() == word)
    }

    /// `{姓名}`.
    pub fn token(&self) -> String {
        format!("{{{}}}", self.word())
    }
}

/// The three texts of one template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub sms_text: String,
    pub title: String,
    pub body: String,
}

/// Which of a template's texts an error concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateField {
    SmsText,
    Title,
    Body,
}

impl TemplateField {
    pub fn code(&self) -> &'static str {
        match self {
            TemplateField::SmsText => "sms_text",
            TemplateField::Title => "title",
            TemplateField::Body => "body",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            TemplateField::SmsText => "短信内容",
            TemplateField::Title => "通知标题",
            TemplateField::Body => "通知正文",
        }
    }

    /// The longest text staff may save: an SMS of at most 7 parts (providers refuse longer
    /// ones), a title that fits one line of the notification list.
    pub fn max_chars(&self) -> usize {
        match self {
            TemplateField::SmsText => 469,
            TemplateField::Title => 40,
            TemplateField::Body => 500,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("{}不能为空", .field.label())]
    Empty { field: TemplateField },
    #[error("{}过长：最多 {} 字，现有 {} 字", .field.label(), .field.max_chars(), .chars)]
    TooLong { field: TemplateField, chars: usize },
    #[error("{}中的“{{{}}}”不是可用的占位符；可用的有：{}", .field.label(), .word, .available)]
    UnknownPlaceholder {
        field: TemplateField,
        word: String,
        available: String,
    },
    #[error("{}中的“{{{}}}”在这类通知中没有内容；可用的有：{}", .field.label(), .word, .available)]
    PlaceholderNotAvailable {
        field: TemplateField,
        word: String,
        available: String,
    },
    #[error("{}中的“{{”没有对应的“}}”", .field.label())]
    UnclosedBrace { field: TemplateField },
    #[error("{}中的“}}”没有对应的“{{”", .field.label())]
    StrayBrace { field: TemplateField },
}

impl TemplateError {
    pub fn code(&self) -> &'static str {
        match self {
            TemplateError::Empty { .. } => "template_empty",
            TemplateError::TooLong { .. } => "template_too_long",
            TemplateError::UnknownPlaceholder { .. } => "template_unknown_placeholder",
            TemplateError::PlaceholderNotAvailable { .. } => "template_placeholder_not_available",
            TemplateError::UnclosedBrace { .. } => "template_unclosed_brace",
            TemplateError::StrayBrace { .. } => "template_stray_brace",
        }
    }

    pub fn field(&self) -> TemplateField {
        match self {
            TemplateError::Empty { field }
            | TemplateError::TooLong { field, .. }
            | TemplateError::UnknownPlaceholder { field, .. }
            | TemplateError::PlaceholderNotAvailable { field, .. }
            | TemplateError::UnclosedBrace { field }
            | TemplateError::StrayBrace { field } => *field,
        }
    }
}

/// A piece of a template's text.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Slot(Placeholder),
}

/// Splits `text` into literal text and placeholders that `key` has values for.
fn pieces(
    key: TemplateKey,
    field: TemplateField,
    text: &str,
) -> Result<Vec<Piece<'_>>, TemplateError> {
    let available = key.placeholders();
    let available_text = || {
        available
            .iter()
            .map(Placeholder::token)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let open = rest.find('{');
        let close = rest.find('}');
        match (open, close) {
            (None, None) => {
                out.push(Piece::Text(rest));
                break;
            }
            (None, Some(_)) => return Err(TemplateError::StrayBrace { field }),
            (Some(o), Some(c)) if c < o => return Err(TemplateError::StrayBrace { field }),
            (Some(_), None) => return Err(TemplateError::UnclosedBrace { field }),
            (Some(o), Some(c)) => {
                let word = &rest[o + 1..c];
                if word.contains('{') {
                    return Err(TemplateError::UnclosedBrace { field });
                }
                if o > 0 {
                    out.push(Piece::Text(&rest[..o]));
                }
                let placeholder = Placeholder::parse(word.trim()).ok_or_else(|| {
                    TemplateError::UnknownPlaceholder {
                        field,
                        word: word.to_owned(),
                        available: available_text(),
                    }
                })?;
                if !available.contains(&placeholder) {
                    return Err(TemplateError::PlaceholderNotAvailable {
                        field,
                        word: word.to_owned(),
                        available: available_text(),
                    });
                }
                out.push(Piece::Slot(placeholder));
                rest = &rest[c + 1..];
            }
        }
    }
    Ok(out)
}

impl Template {
    /// Checks the three texts staff typed for `key` (each trimmed): every error at once, so the
    /// form can show each beside its field.
    pub fn parse(
        key: TemplateKey,
        sms_text: &str,
        title: &str,
        body: &str,
    ) -> Result<Template, Vec<TemplateError>> {
        let mut errors = Vec::new();
        for (field, text) in [
            (TemplateField::SmsText, sms_text.trim()),
            (TemplateField::Title, title.trim()),
            (TemplateField::Body, body.trim()),
        ] {
            let chars = text.chars().count();
            if chars == 0 {
                errors.push(TemplateError::Empty { field });
            } else if chars > field.max_chars() {
                errors.push(TemplateError::TooLong { field, chars });
            } else if let Err(e) = pieces(key, field, text) {
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Template {
            sms_text: sms_text.trim().to_owned(),
            title: title.trim().to_owned(),
            body: body.trim().to_owned(),
        })
    }

    /// The texts with `values` in place of the placeholders. Strict: a stored text that no
    /// longer parses (for instance after a placeholder was retired) is an error, never sent.
    pub fn render(&self, key: TemplateKey, values: &Values) -> Result<Rendered, TemplateError> {
        let fill = |field: TemplateField, text: &str| -> Result<String, TemplateError> {
            let mut out = String::with_capacity(text.len() + 32);
            for piece in pieces(key, field, text)? {
                match piece {
                    Piece::Text(t) => out.push_str(t),
                    Piece::Slot(Placeholder::Reason) if field == TemplateField::SmsText => {
                        out.push_str(&sms_reason(&values.get(key, Placeholder::Reason)))
                    }
                    Piece::Slot(p) => out.push_str(&values.get(key, p)),
                }
            }
            Ok(out)
        };
        Ok(Rendered {
            sms_text: fill(TemplateField::SmsText, &self.sms_text)?,
            title: fill(TemplateField::Title, &self.title)?,
            body: fill(TemplateField::Body, &self.body)?,
        })
    }
}

/// The longest reason an SMS quotes: a reviewer may write 500 characters, which would make a
/// message of eight parts that providers refuse; the in-app notification keeps it whole.
pub const SMS_REASON_CHARS: usize = 60;

/// `reason` as an SMS quotes it (also the reason parameter given to providers).
pub fn sms_reason(reason: &str) -> String {
    if reason.chars().count() <= SMS_REASON_CHARS {
        return reason.to_owned();
    }
    let cut: String = reason.chars().take(SMS_REASON_CHARS).collect();
    format!("{cut}…（详见平台）")
}

/// What the placeholders stand for, for one notification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Values {
    /// The candidate's name.
    pub name: String,
    /// The plan as the candidate knows it (its name).
    pub plan: String,
    pub occupation: String,
    /// The application's page (`/applications/42`).
    pub link: String,
    /// The reviewer's reason (审核不通过).
    pub reason: Option<String>,
    /// The fee in yuan, as text ("150.00").
    pub fee: Option<String>,
    /// When payment is due, as text.
    pub deadline: Option<String>,
}

impl Values {
    /// The value of `p`; a value that is not known yet reads as a neutral phrase rather than an
    /// empty gap in the sentence.
    fn get(&self, key: TemplateKey, p: Placeholder) -> String {
        match p {
            Placeholder::Name => self.name.clone(),
            Placeholder::Plan => self.plan.clone(),
            Placeholder::Occupation => self.occupation.clone(),
            Placeholder::Status => key.status().label().to_owned(),
            Placeholder::Link => self.link.clone(),
            Placeholder::Reason => self
                .reason
                .clone()
                .filter(|r| !r.trim().is_empty())
                .unwrap_or_else(|| "详见报名详情".to_owned()),
            Placeholder::Fee => self
                .fee
                .clone()
                .unwrap_or_else(|| "（见计划公告）".to_owned()),
            Placeholder::Deadline => self
                .deadline
                .clone()
                .unwrap_or_else(|| "缴费截止前".to_owned()),
        }
    }

    /// Made-up values for the staff preview.
    pub fn sample() -> Values {
        Values {
            name: "张三".into(),
            plan: "2022121 电子商务师（四级/中级工）".into(),
            occupation: "电子商务师".into(),
            link: "/applications/1".into(),
            reason: Some("工作年限证明材料不清晰，请重新上传".into()),
            fee: Some("150.00".into()),
            deadline: Some("2022-12-20 17:00".into()),
        }
    }
}

/// A template with its values in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub sms_text: String,
    pub title: String,
    pub body: String,
}

/// How an SMS text is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsLength {
    pub chars: usize,
    /// Messages it is sent as: one up to 70 characters, else parts of 67.
    pub parts: usize,
}

pub const SMS_SINGLE_CHARS: usize = 70;
pub const SMS_PART_CHARS: usize = 67;

pub fn sms_length(text: &str) -> SmsLength {
    let chars = text.chars().count();
    let parts = if chars <= SMS_SINGLE_CHARS {
        usize::from(chars > 0)
    } else {
        chars.div_ceil(SMS_PART_CHARS)
    };
    SmsLength { chars, parts }
}

#[cfg(test)]
mod tests;
