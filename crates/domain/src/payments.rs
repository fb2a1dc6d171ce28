//! Paying the exam fee: the rules that keep money from being lost or taken twice, as pure
//! functions the `payments` crate applies.
//!
//! - An application in 待缴费 has at most one open order (待支付) at a time; a new payment
//!   attempt gets a new merchant order number only after the old order is closed at the
//!   provider, so the candidate can never pay two live QR codes.
//! - Money the provider confirms is always recorded, whatever we thought of the order. If the
//!   application cannot take it (already paid by another order, withdrawn, expired), the money
//!   is refunded in full automatically ([`disposition`]).
//! - Refunds never exceed what was paid ([`check_refund`]).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::applications::state::ApplicationStatus;
use crate::money::Fen;

#[cfg(test)]
mod tests;

/// Where an order stands on our side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// 待支付: the QR code can be paid until the order's expiry.
    Pending,
    /// 已支付: the provider confirmed the money (or staff recorded an offline payment).
    Paid,
    /// 已关闭: closed at the provider before any money moved.
    Closed,
    /// 退款中: a refund of some or all of it is under way.
    Refunding,
    /// 已退款: refunds finished; [`OrderState::Paid`] again instead when only part was refunded.
    Refunded,
}

impl OrderState {
    pub const ALL: [OrderState; 5] = [
        OrderState::Pending,
        OrderState::Paid,
        OrderState::Closed,
        OrderState::Refunding,
        OrderState::Refunded,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            OrderState::Pending => "pending",
            OrderState::Paid => "paid",
            OrderState::Closed => "closed",
            OrderState::Refunding => "refunding",
            OrderState::Refunded => "refunded",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            OrderState::Pending => "待支付",
            OrderState::Paid => "已支付",
            OrderState::Closed => "已关闭",
            OrderState::Refunding => "退款中",
            OrderState::Refunded => "已退款",
        }
    }

    pub fn parse(raw: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|s| s.code() == raw)
    }

    /// Whether money was taken on this order (it may have been given back since).
    pub fn money_taken(&self) -> bool {
        matches!(
            self,
            OrderState::Paid | OrderState::Refunding | OrderState::Refunded
        )
    }
}

/// How a payment is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfflineMethod {
    /// 银行转账.
    BankTransfer,
    /// 现金.
    Cash,
}

impl OfflineMethod {
    pub const ALL: [OfflineMethod; 2] = [OfflineMethod::BankTransfer, OfflineMethod::Cash];

    pub fn code(&self) -> &'static str {
        match self {
            OfflineMethod::BankTransfer => "bank_transfer",
            OfflineMethod::Cash => "cash",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            OfflineMethod::BankTransfer => "银行转账",
            OfflineMethod::Cash => "现金",
        }
    }

    pub fn parse(raw: &str) -> Option<OfflineMethod> {
        OfflineMethod::ALL.into_iter().find(|m| m.code() == raw)
    }
}

/// How long one QR code can be paid, unless the payment deadline comes first.
pub const ORDER_MINUTES: i64 = 30;

/// An open order not confirmed after this long is queried at the provider by the sweep: a lost
/// callback costs the candidate a few minutes, never their payment.
pub const QUERY_AFTER_MINUTES: i64 = 3;

/// If the reviewer approves so late that the plan's deadline is near or past, the candidate
/// still gets this long to pay (but never beyond the exam's start).
pub const PAYMENT_GRACE_HOURS: i64 = 48;

/// Without a deadline set on the plan, payment closes this many days before the exam starts.
pub const DEFAULT_DEADLINE_DAYS_BEFORE_EXAM: i64 = 3;

/// A paid candidate may withdraw with a full refund until this many days before the exam.
pub const WITHDRAWAL_REFUND_DAYS_BEFORE_EXAM: i64 = 7;

/// The payment deadline of an application approved at `approved_at`: the plan's deadline (or
/// [`DEFAULT_DEADLINE_DAYS_BEFORE_EXAM`] before the exam), at least [`PAYMENT_GRACE_HOURS`]
/// after approval, and never after the exam starts (nor before the approval itself).
pub fn payment_due_at(
    plan_deadline: Option<DateTime<Utc>>,
    exam_starts_at: DateTime<Utc>,
    approved_at: DateTime<Utc>,
) -> DateTime<Utc> {
    let base =
        plan_deadline.unwrap_or(exam_starts_at - Duration::days(DEFAULT_DEADLINE_DAYS_BEFORE_EXAM));
    let with_grace = base.max(approved_at + Duration::hours(PAYMENT_GRACE_HOURS));
    with_grace.min(exam_starts_at).max(approved_at)
}

/// When an order opened at `now` stops taking payment: [`ORDER_MINUTES`] later, or at the
/// payment deadline if that comes first. `None` when the deadline has passed.
pub fn order_expires_at(now: DateTime<Utc>, due_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if now >= due_at {
        return None;
    }
    Some((now + Duration::minutes(ORDER_MINUTES)).min(due_at))
}

/// The last instant a paid candidate may withdraw and get the fee back.
pub fn withdrawal_refund_cutoff(exam_starts_at: DateTime<Utc>) -> DateTime<Utc> {
    exam_starts_at - Duration::days(WITHDRAWAL_REFUND_DAYS_BEFORE_EXAM)
}

/// Our merchant order number for an application's `attempt`-th order (1-based), e.g.
/// `SC123-2-K7Q4M9`: readable back to the application by staff, unique per attempt, and with a
/// random tail so that a second installation (a test database, a demo reset) sharing the
/// merchant account never reuses a number WeChat Pay has seen. At most 32 characters of
/// `[0-9A-Z-]`, as `out_trade_no` requires, for application ids below 10¹² and attempts below
/// 10⁶ (28 at most).
pub fn order_number(application_id: i64, attempt: u32, entropy: u64) -> String {
    format!("SC{application_id}-{attempt}-{}", base32_tail(entropy))
}

/// The refund number for the `n`-th refund of an order (`out_refund_no`, at most 64 chars).
pub fn refund_number(out_trade_no: &str, n: u32) -> String {
    format!("{out_trade_no}-R{n}")
}

/// The application id an order number names, for staff searching by number.
pub fn application_of_order_number(raw: &str) -> Option<i64> {
    let rest = raw.trim().strip_prefix("SC")?;
    let (id, _) = rest.split_once('-')?;
    id.parse().ok().filter(|id| *id > 0)
}

fn base32_tail(entropy: u64) -> String {
    // Crockford's alphabet: no I, L, O, U to misread when a number is read out on the phone.
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    (0..6)
        .map(|i| ALPHABET[((entropy >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// What to do with money the provider confirms for an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// The order was open (or closed here by mistake while the money landed) and the
    /// application is waiting for it: record the payment and move the application to 缴费成功.
    Confirm,
    /// Already recorded (a repeated callback, or a query after the callback): change nothing.
    AlreadyRecorded,
    /// Record the money and give it all back: the application is already paid by another
    /// order, or is no longer waiting for payment (withdrawn, expired).
    RecordAndRefund,
}

/// How to treat confirmed money, from the order's state, the application's status, and whether
/// another order of the application already holds its payment.
pub fn disposition(
    order: OrderState,
    application: ApplicationStatus,
    paid_by_another_order: bool,
) -> Disposition {
    if order.money_taken() {
        return Disposition::AlreadyRecorded;
    }
    if application == ApplicationStatus::Approved && !paid_by_another_order {
        Disposition::Confirm
    } else {
        Disposition::RecordAndRefund
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("退款金额必须大于 0")]
    NotPositive,
    #[error("退款金额不能超过可退金额 {}", .refundable)]
    TooMuch { refundable: Fen },
    #[error("该订单未支付，不能退款")]
    NotPaid,
    #[error("请填写退款原因")]
    NoReason,
}

impl RefundError {
    pub fn code(&self) -> &'static str {
        match self {
            RefundError::NotPositive => "refund_not_positive",
            RefundError::TooMuch { .. } => "refund_too_much",
            RefundError::NotPaid => "refund_not_paid",
            RefundError::NoReason => "refund_no_reason",
        }
    }
}

/// What is still refundable on an order of `amount`, of which `committed` is already refunded
/// or being refunded.
pub fn refundable(amount: Fen, committed: Fen) -> Fen {
    Fen((amount.0 - committed.0).max(0))
}

/// Checks a refund of `requested` against an order of `amount` with `committed` already
/// refunded or under way.
pub fn check_refund(
    state: OrderState,
    amount: Fen,
    committed: Fen,
    requested: Fen,
    reason: &str,
) -> Result<Fen, RefundError> {
    if !state.money_taken() {
        return Err(RefundError::NotPaid);
    }
    if reason.trim().is_empty() {
        return Err(RefundError::NoReason);
    }
    if requested.0 <= 0 {
        return Err(RefundError::NotPositive);
    }
    let left = refundable(amount, committed);
    if requested > left {
        return Err(RefundError::TooMuch { refundable: left });
    }
    Ok(requested)
}

/// The order's state once its refunds have settled: 已退款 when all of it went back,
/// 已支付 again when only part did, 退款中 while any is under way.
pub fn state_after_refunds(amount: Fen, refunded: Fen, in_flight: bool) -> OrderState {
    if in_flight {
        OrderState::Refunding
    } else if refunded >= amount && amount.0 > 0 {
        OrderState::Refunded
    } else {
        OrderState::Paid
    }
}

/// A refund's state on our side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    /// Recorded here; the provider has not yet accepted it (the sweep asks again).
    Requested,
    /// The provider accepted it and is paying back.
    Processing,
    /// 退款成功.
    Succeeded,
    /// Closed by the provider without paying back (staff may refund again).
    Closed,
    /// The payer's account could not take it; staff must act (offline refund).
    Abnormal,
}

impl RefundState {
    pub const ALL: [RefundState; 5] = [
        RefundState::Requested,
        RefundState::Processing,
        RefundState::Succeeded,
        RefundState::Closed,
        RefundState::Abnormal,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            RefundState::Requested => "requested",
            RefundState::Processing => "processing",
            RefundState::Succeeded => "succeeded",
            RefundState::Closed => "closed",
            RefundState::Abnormal => "abnormal",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            RefundState::Requested => "已申请",
            RefundState::Processing => "退款处理中",
            RefundState::Succeeded => "退款成功",
            RefundState::Closed => "退款已关闭",
            RefundState::Abnormal => "退款异常，请联系工作人员",
        }
    }

    pub fn parse(raw: &str) -> Option<RefundState> {
        RefundState::ALL.into_iter().find(|s| s.code() == raw)
    }

    /// Still moving: the sweep follows it up.
    pub fn in_flight(&self) -> bool {
        matches!(self, RefundState::Requested | RefundState::Processing)
    }

    /// Counts against what may still be refunded (the money is gone or going).
    pub fn commits_money(&self) -> bool {
        matches!(
            self,
            RefundState::Requested
                | RefundState::Processing
                | RefundState::Succeeded
                | RefundState::Abnormal
        )
    }

    /// Whether a provider's report may move a refund from `self` to `to` (never backwards from
    /// a final state, so a late PROCESSING answer cannot undo a SUCCESS).
    pub fn may_become(&self, to: RefundState) -> bool {
        match self {
            RefundState::Requested => to != RefundState::Requested,
            RefundState::Processing => {
                !matches!(to, RefundState::Requested | RefundState::Processing)
            }
            RefundState::Succeeded | RefundState::Closed => false,
            // An abnormal refund can still succeed once the payer's account is fixed.
            RefundState::Abnormal => to == RefundState::Succeeded,
        }
    }
}

/// Why a refund was made, for the candidate and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundCause {
    /// The candidate withdrew before the cut-off.
    Withdrawal,
    /// A staff member refunded (all or part).
    Staff,
    /// Money that arrived for an application already paid by another order.
    Duplicate,
    /// Money that arrived after the application stopped waiting for it.
    Late,
}

impl RefundCause {
    pub const ALL: [RefundCause; 4] = [
        RefundCause::Withdrawal,
        RefundCause::Staff,
        RefundCause::Duplicate,
        RefundCause::Late,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            RefundCause::Withdrawal => "withdrawal",
            RefundCause::Staff => "staff",
            RefundCause::Duplicate => "duplicate",
            RefundCause::Late => "late",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            RefundCause::Withdrawal => "撤回报名退款",
            RefundCause::Staff => "工作人员退款",
            RefundCause::Duplicate => "重复支付自动退款",
            RefundCause::Late => "报名已失效，支付自动退回",
        }
    }

    pub fn parse(raw: &str) -> Option<RefundCause> {
        RefundCause::ALL.into_iter().find(|c| c.code() == raw)
    }
}

/// One difference between our books and the provider's bill for a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// The provider took money we have not recorded as paid.
    MissingHere { out_trade_no: String, amount: Fen },
    /// We recorded a payment the provider's bill does not have.
    MissingAtProvider { out_trade_no: String, amount: Fen },
    /// Both have it, for different amounts.
    AmountDiffers {
        out_trade_no: String,
        ours: Fen,
        theirs: Fen,
    },
    /// A refund the provider made that we have not recorded as succeeded.
    RefundMissingHere { out_refund_no: String, amount: Fen },
    /// A refund we recorded as succeeded that the bill does not have.
    RefundMissingAtProvider { out_refund_no: String, amount: Fen },
}

impl Difference {
    pub fn label(&self) -> String {
        match self {
            Difference::MissingHere {
                out_trade_no,
                amount,
            } => format!("{out_trade_no}：微信支付已收款 {amount}，本系统未记为已支付"),
            Difference::MissingAtProvider {
                out_trade_no,
                amount,
            } => format!("{out_trade_no}：本系统记为已支付 {amount}，对账单中没有"),
            Difference::AmountDiffers {
                out_trade_no,
                ours,
                theirs,
            } => format!("{out_trade_no}：金额不一致，本系统 {ours}，对账单 {theirs}"),
            Difference::RefundMissingHere {
                out_refund_no,
                amount,
            } => format!("{out_refund_no}：对账单有退款 {amount}，本系统未记为退款成功"),
            Difference::RefundMissingAtProvider {
                out_refund_no,
                amount,
            } => format!("{out_refund_no}：本系统记为退款成功 {amount}，对账单中没有"),
        }
    }
}

/// A payment or refund as one side recorded it for the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Payment { out_trade_no: String, amount: Fen },
    Refund { out_refund_no: String, amount: Fen },
}

/// Every difference between our entries and the provider's for one day, sorted by number.
/// Entries are matched by number; a number appearing twice on one side is summed (a bill may
/// list a payment once per line).
pub fn compare(ours: &[Entry], theirs: &[Entry]) -> Vec<Difference> {
    use std::collections::BTreeMap;
    fn totals(entries: &[Entry]) -> (BTreeMap<&str, Fen>, BTreeMap<&str, Fen>) {
        let mut payments = BTreeMap::new();
        let mut refunds = BTreeMap::new();
        for entry in entries {
            let (map, key, amount) = match entry {
                Entry::Payment {
                    out_trade_no,
                    amount,
                } => (&mut payments, out_trade_no.as_str(), amount),
                Entry::Refund {
                    out_refund_no,
                    amount,
                } => (&mut refunds, out_refund_no.as_str(), amount),
            };
            let sum: &mut Fen = map.entry(key).or_insert(Fen::ZERO);
            sum.0 += amount.0;
        }
        (payments, refunds)
    }
    let (our_pay, our_refund) = totals(ours);
    let (their_pay, their_refund) = totals(theirs);
    let mut out = Vec::new();
    for (no, ours) in &our_pay {
        match their_pay.get(no) {
            None => out.push(Difference::MissingAtProvider {
                out_trade_no: (*no).to_owned(),
                amount: *ours,
            }),
            Some(theirs) if theirs != ours => out.push(Difference::AmountDiffers {
                out_trade_no: (*no).to_owned(),
                ours: *ours,
                theirs: *theirs,
            }),
            Some(_) => {}
        }
    }
    for (no, theirs) in &their_pay {
        if !our_pay.contains_key(no) {
            out.push(Difference::MissingHere {
                out_trade_no: (*no).to_owned(),
                amount: *theirs,
            });
        }
    }
    for (no, ours) in &our_refund {
        if their_refund.get(no) != Some(ours) {
            out.push(Difference::RefundMissingAtProvider {
                out_refund_no: (*no).to_owned(),
                amount: *ours,
            });
        }
    }
    for (no, theirs) in &their_refund {
        if our_refund.get(no) != Some(theirs) {
            out.push(Difference::RefundMissingHere {
                out_refund_no: (*no).to_owned(),
                amount: *theirs,
            });
        }
    }
    out
}
