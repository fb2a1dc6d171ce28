//! The whole life of an application as one pure state machine: who may do what in which state,
//! whether the application holds one of the plan's seats, and what the candidate should do now.
//!
//! The store applies a transition and its seat change (see [`seat_delta`]) in one conditional
//! update, so that the capacity count and the status never disagree.

use serde::{Deserialize, Serialize};

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// 草稿: the wizard is being filled in.
    Draft,
    /// 审核中: submitted; the candidate may still edit or withdraw.
    UnderReview,
    /// 审核不通过: the reviewer gave a reason; the candidate fixes and resubmits.
    Rejected,
    /// 待缴费: approved, awaiting payment.
    Approved,
    /// 缴费成功: awaiting room and seat allocation.
    Paid,
    /// 已分配考场: the admission ticket can be printed.
    SeatAllocated,
    /// 已考试: sat the exam, awaiting results.
    Examined,
    /// 合格: awaiting the certificate.
    Passed,
    /// 不合格.
    Failed,
    /// 已发证.
    Certified,
    /// 已撤回 by the candidate.
    Withdrawn,
    /// 已过期: not paid by the payment deadline.
    Expired,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 12] = [
        ApplicationStatus::Draft,
        ApplicationStatus::UnderReview,
        ApplicationStatus::Rejected,
        ApplicationStatus::Approved,
        ApplicationStatus::Paid,
        ApplicationStatus::SeatAllocated,
        ApplicationStatus::Examined,
        ApplicationStatus::Passed,
        ApplicationStatus::Failed,
        ApplicationStatus::Certified,
        ApplicationStatus::Withdrawn,
        ApplicationStatus::Expired,
    ];

    /// The steps a successful application passes after submission, for the status page's
    /// timeline.
    pub const TIMELINE: [ApplicationStatus; 7] = [
        ApplicationStatus::UnderReview,
        ApplicationStatus::Approved,
        ApplicationStatus::Paid,
        ApplicationStatus::SeatAllocated,
        ApplicationStatus::Examined,
        ApplicationStatus::Passed,
        ApplicationStatus::Certified,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::UnderReview => "under_review",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Paid => "paid",
            ApplicationStatus::SeatAllocated => "seat_allocated",
            ApplicationStatus::Examined => "examined",
            ApplicationStatus::Passed => "passed",
            ApplicationStatus::Failed => "failed",
            ApplicationStatus::Certified => "certified",
            ApplicationStatus::Withdrawn => "withdrawn",
            ApplicationStatus::Expired => "expired",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "草稿",
            ApplicationStatus::UnderReview => "审核中",
            ApplicationStatus::Rejected => "审核不通过",
            ApplicationStatus::Approved => "待缴费",
            ApplicationStatus::Paid => "缴费成功",
            ApplicationStatus::SeatAllocated => "已分配考场",
            ApplicationStatus::Examined => "已考试",
            ApplicationStatus::Passed => "合格",
            ApplicationStatus::Failed => "不合格",
            ApplicationStatus::Certified => "已发证",
            ApplicationStatus::Withdrawn => "已撤回",
            ApplicationStatus::Expired => "已过期",
        }
    }

    pub fn parse(raw: &str) -> Option<ApplicationStatus> {
        ApplicationStatus::ALL.into_iter().find(|s| s.code() == raw)
    }

    /// Whether the application counts against the plan's capacity: from submission until it is
    /// withdrawn or expires. A rejected application keeps its seat so that the fixed one can be
    /// resubmitted without racing other candidates; a failed or certified one keeps it because
    /// the seat was used.
    pub fn holds_seat(&self) -> bool {
        !matches!(
            self,
            ApplicationStatus::Draft | ApplicationStatus::Withdrawn | ApplicationStatus::Expired
        )
    }

    /// No event changes a final status.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            ApplicationStatus::Certified
                | ApplicationStatus::Failed
                | ApplicationStatus::Withdrawn
                | ApplicationStatus::Expired
        )
    }

    /// Whether the exam fee stands confirmed: 缴费成功 and every step after it. A withdrawn
    /// application's fee, even if it was paid, is being or has been refunded.
    pub fn fee_confirmed(&self) -> bool {
        matches!(
            self,
            ApplicationStatus::Paid
                | ApplicationStatus::SeatAllocated
                | ApplicationStatus::Examined
                | ApplicationStatus::Passed
                | ApplicationStatus::Failed
                | ApplicationStatus::Certified
        )
    }

    /// Whether the candidate may change the form: while drafting, under review (the seed allows
    /// it, every edit recorded) and after a rejection, to fix it before resubmitting.
    pub fn candidate_may_edit(&self) -> bool {
        matches!(
            self,
            ApplicationStatus::Draft | ApplicationStatus::UnderReview | ApplicationStatus::Rejected
        )
    }

    /// Whether the candidate may withdraw: until paid, and once paid until rooms are allocated
    /// (then with a refund, and only before the plan's refund cut-off, which
    /// `payments::withdrawal_refund_cutoff` decides).
    pub fn candidate_may_withdraw(&self) -> bool {
        matches!(
            self,
            ApplicationStatus::Draft
                | ApplicationStatus::UnderReview
                | ApplicationStatus::Rejected
                | ApplicationStatus::Approved
                | ApplicationStatus::Paid
        )
    }

    /// What the candidate should do now, for the status page.
    pub fn next_step_text(&self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "报名尚未提交：请完成各步骤，确认申请人承诺后提交报名",
            ApplicationStatus::UnderReview => {
                "正在审核，约需 2 个工作日，结果会短信通知；审核期间仍可修改或撤回报名"
            }
            ApplicationStatus::Rejected => "审核不通过：请查看原因，修改报名信息后重新提交",
            ApplicationStatus::Approved => "审核已通过：请在缴费截止前完成缴费，逾期报名将失效",
            ApplicationStatus::Paid => "缴费成功：请等待考场分配，分配后会短信通知",
            ApplicationStatus::SeatAllocated => "考场已分配：请打印准考证，按时参加考试",
            ApplicationStatus::Examined => "已参加考试：请等待成绩公布",
            ApplicationStatus::Passed => "考试合格：请等待发证，发证后可在“我的证书”中查看",
            ApplicationStatus::Failed => "考试不合格：可关注后续认定计划再次报名",
            ApplicationStatus::Certified => "证书已发放：可在“我的证书”中查看和下载",
            ApplicationStatus::Withdrawn => "报名已撤回，名额已释放；撤回的报名不能恢复",
            ApplicationStatus::Expired => "逾期未缴费，报名已失效：可关注后续认定计划再次报名",
        }
    }
}

impl std::fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Who causes an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The candidate (or the registering organization acting for them).
    Candidate,
    /// A reviewer or exam administrator.
    Staff,
    /// The payment provider's callback or a scheduled job.
    System,
}

impl Actor {
    pub const ALL: [Actor; 3] = [Actor::Candidate, Actor::Staff, Actor::System];

    pub fn code(&self) -> &'static str {
        match self {
            Actor::Candidate => "candidate",
            Actor::Staff => "staff",
            Actor::System => "system",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Actor::Candidate => "考生",
            Actor::Staff => "工作人员",
            Actor::System => "系统",
        }
    }

    pub fn parse(raw: &str) -> Option<Actor> {
        Actor::ALL.into_iter().find(|a| a.code() == raw)
    }
}

/// Something that happens to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ApplicationEvent {
    Submit,
    Edit,
    Withdraw,
    Reject,
    Resubmit,
    Approve,
    ConfirmPayment,
    AllocateSeat,
    RecordExam,
    PublishResult { passed: bool },
    IssueCertificate,
    Expire,
}

impl ApplicationEvent {
    pub const ALL: [ApplicationEvent; 13] = [
        ApplicationEvent::Submit,
        ApplicationEvent::Edit,
        ApplicationEvent::Withdraw,
        ApplicationEvent::Reject,
        ApplicationEvent::Resubmit,
        ApplicationEvent::Approve,
        ApplicationEvent::ConfirmPayment,
        ApplicationEvent::AllocateSeat,
        ApplicationEvent::RecordExam,
        ApplicationEvent::PublishResult { passed: true },
        ApplicationEvent::PublishResult { passed: false },
        ApplicationEvent::IssueCertificate,
        ApplicationEvent::Expire,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            ApplicationEvent::Submit => "submit",
            ApplicationEvent::Edit => "edit",
            ApplicationEvent::Withdraw => "withdraw",
            ApplicationEvent::Reject => "reject",
            ApplicationEvent::Resubmit => "resubmit",
            ApplicationEvent::Approve => "approve",
            ApplicationEvent::ConfirmPayment => "confirm_payment",
            ApplicationEvent::AllocateSeat => "allocate_seat",
            ApplicationEvent::RecordExam => "record_exam",
            ApplicationEvent::PublishResult { .. } => "publish_result",
            ApplicationEvent::IssueCertificate => "issue_certificate",
            ApplicationEvent::Expire => "expire",
        }
    }

    /// The action in Chinese, for timelines and error messages.
    pub fn label(&self) -> &'static str {
        match self {
            ApplicationEvent::Submit => "提交报名",
            ApplicationEvent::Edit => "修改报名信息",
            ApplicationEvent::Withdraw => "撤回报名",
            ApplicationEvent::Reject => "审核不通过",
            ApplicationEvent::Resubmit => "重新提交",
            ApplicationEvent::Approve => "审核通过",
            ApplicationEvent::ConfirmPayment => "确认缴费",
            ApplicationEvent::AllocateSeat => "分配考场",
            ApplicationEvent::RecordExam => "登记考试",
            ApplicationEvent::PublishResult { .. } => "公布成绩",
            ApplicationEvent::IssueCertificate => "发放证书",
            ApplicationEvent::Expire => "逾期未缴费失效",
        }
    }

    /// Who may cause the event.
    pub fn allowed_actors(&self) -> &'static [Actor] {
        match self {
            ApplicationEvent::Submit | ApplicationEvent::Edit | ApplicationEvent::Resubmit => {
                &[Actor::Candidate]
            }
            // Staff withdraw a paid application when they refund all of its fee.
            ApplicationEvent::Withdraw => &[Actor::Candidate, Actor::Staff],
            ApplicationEvent::Reject
            | ApplicationEvent::Approve
            | ApplicationEvent::RecordExam
            | ApplicationEvent::PublishResult { .. }
            | ApplicationEvent::IssueCertificate => &[Actor::Staff],
            // Payment is confirmed by the provider's callback or reconciliation, never by the
            // candidate's word; an administrator records an offline payment (bank transfer,
            // cash) as staff.
            ApplicationEvent::ConfirmPayment => &[Actor::System, Actor::Staff],
            ApplicationEvent::Expire => &[Actor::System],
            ApplicationEvent::AllocateSeat => &[Actor::System, Actor::Staff],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("报名已结束（{}），不能再{}", .from.label(), .event.label())]
    Final {
        from: ApplicationStatus,
        event: ApplicationEvent,
    },
    #[error("无权{}：只有{}可以操作", .event.label(), actors_text(.event.allowed_actors()))]
    Forbidden {
        actor: Actor,
        event: ApplicationEvent,
    },
    #[error("当前状态为“{}”，不能{}", .from.label(), .event.label())]
    NotAllowed {
        from: ApplicationStatus,
        event: ApplicationEvent,
    },
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::Final { .. } => "application_final",
            TransitionError::Forbidden { .. } => "application_forbidden",
            TransitionError::NotAllowed { .. } => "application_transition_not_allowed",
        }
    }
}

fn actors_text(actors: &[Actor]) -> String {
    actors
        .iter()
        .map(Actor::label)
        .collect::<Vec<_>>()
        .join("或")
}

/// The status after `event` caused by `actor`, or why it cannot happen.
///
/// A final status accepts nothing; then the actor must be one the event allows; then the event
/// must make sense in the current status.
pub fn transition(
    from: ApplicationStatus,
    event: &ApplicationEvent,
    actor: Actor,
) -> Result<ApplicationStatus, TransitionError> {
    use ApplicationEvent as E;
    use ApplicationStatus as S;

    if from.is_final() {
        return Err(TransitionError::Final {
            from,
            event: *event,
        });
    }
    if !event.allowed_actors().contains(&actor) {
        return Err(TransitionError::Forbidden {
            actor,
            event: *event,
        });
    }
    let to = match (from, event) {
        (S::Draft, E::Submit) => S::UnderReview,
        (S::Draft | S::UnderReview | S::Rejected, E::Edit) => from,
        // Staff withdraw only a paid application, when they refund all of its fee.
        (S::Draft | S::UnderReview | S::Rejected | S::Approved, E::Withdraw)
            if actor == Actor::Candidate =>
        {
            S::Withdrawn
        }
        (S::Paid, E::Withdraw) => S::Withdrawn,
        (S::Rejected, E::Resubmit) => S::UnderReview,
        (S::UnderReview, E::Reject) => S::Rejected,
        (S::UnderReview, E::Approve) => S::Approved,
        (S::Approved, E::ConfirmPayment) => S::Paid,
        (S::Approved, E::Expire) => S::Expired,
        (S::Paid, E::AllocateSeat) => S::SeatAllocated,
        (S::SeatAllocated, E::RecordExam) => S::Examined,
        (S::Examined, E::PublishResult { passed: true }) => S::Passed,
        (S::Examined, E::PublishResult { passed: false }) => S::Failed,
        (S::Passed, E::IssueCertificate) => S::Certified,
        _ => {
            return Err(TransitionError::NotAllowed {
                from,
                event: *event,
            });
        }
    };
    Ok(to)
}

/// The change in seats taken when moving from `from` to `to`: +1 on submission, -1 when a
/// withdrawal or expiry gives the seat back, 0 otherwise.
pub fn seat_delta(from: ApplicationStatus, to: ApplicationStatus) -> i32 {
    i32::from(to.holds_seat()) - i32::from(from.holds_seat())
}

/// The events `actor` may cause now: the buttons to show.
pub fn available_events(status: ApplicationStatus, actor: Actor) -> Vec<ApplicationEvent> {
    ApplicationEvent::ALL
        .into_iter()
        .filter(|e| transition(status, e, actor).is_ok())
        .collect()
}

#[cfg(test)]
mod tests;
