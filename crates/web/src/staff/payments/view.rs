//! What staff see of orders, refunds, trails and reconciliation reports: one set of views for
//! the API (instants in RFC 3339, amounts in fen) and the pages (which call the `*_text`
//! methods for Beijing time and yuan).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use store::payments::{Order, PaymentEvent, Reconciliation, Refund};

use super::actions::{ApplicationDetail, OrderDetail};

fn beijing(t: DateTime<Utc>) -> String {
    domain::time::format_instant(t)
}

fn beijing_opt(t: Option<DateTime<Utc>>) -> String {
    t.map(beijing).unwrap_or_default()
}

/// 微信支付, 线下缴费（银行转账）…, as the order was paid.
pub fn method_label(order: &Order) -> String {
    match order.provider.as_str() {
        "wechat" => "微信支付".into(),
        "simulated" => "模拟支付（演示）".into(),
        "free" => "无需缴费".into(),
        _ => match order.offline_method {
            Some(m) => format!("线下缴费（{}）", m.label()),
            None => "线下缴费".into(),
        },
    }
}

/// One order, as staff see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffOrderView {
    pub id: i64,
    pub application_id: i64,
    pub out_trade_no: String,
    /// simulated | wechat | offline | free
    pub provider: String,
    /// 微信支付, 线下缴费（银行转账）, 模拟支付（演示）, 无需缴费.
    pub method: String,
    /// pending | paid | closed | refunding | refunded
    pub state: &'static str,
    pub state_label: &'static str,
    pub amount_fen: i64,
    pub amount_text: String,
    /// What refunds that succeeded gave back.
    pub refunded_fen: i64,
    pub refunded_text: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The provider's transaction id (微信支付订单号).
    pub transaction_id: Option<String>,
    /// bank_transfer | cash (offline payments).
    pub offline_method: Option<&'static str>,
    pub offline_reference: Option<String>,
    pub offline_note: Option<String>,
}

impl StaffOrderView {
    pub fn created_text(&self) -> String {
        beijing(self.created_at)
    }

    pub fn paid_text(&self) -> String {
        beijing_opt(self.paid_at)
    }

    pub fn expires_text(&self) -> String {
        beijing(self.expires_at)
    }

    pub fn closed_text(&self) -> String {
        beijing_opt(self.closed_at)
    }

    /// The badge's colour, borrowed from the application states'.
    pub fn state_class(&self) -> &'static str {
        match self.state {
            "pending" => "state-app-approved",
            "paid" => "state-app-paid",
            "refunding" => "state-not_open",
            "refunded" => "state-app-withdrawn",
            _ => "state-closed",
        }
    }
}

pub fn order_view(order: &Order) -> StaffOrderView {
    StaffOrderView {
        id: order.id,
        application_id: order.application_id,
        out_trade_no: order.out_trade_no.clone(),
        provider: order.provider.clone(),
        method: method_label(order),
        state: order.state.code(),
        state_label: order.state.label(),
        amount_fen: order.amount.0,
        amount_text: order.amount.to_string(),
        refunded_fen: order.refunded.0,
        refunded_text: order.refunded.to_string(),
        created_at: order.created_at,
        expires_at: order.expires_at,
        paid_at: order.paid_at,
        closed_at: order.closed_at,
        transaction_id: order.transaction_id.clone(),
        offline_method: order.offline_method.map(|m| m.code()),
        offline_reference: order.offline_reference.clone(),
        offline_note: order.offline_note.clone(),
    }
}

/// One refund of an order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffRefundView {
    pub id: i64,
    pub order_id: i64,
    pub out_refund_no: String,
    pub amount_fen: i64,
    pub amount_text: String,
    /// requested | processing | succeeded | closed | abnormal
    pub state: &'static str,
    pub state_label: &'static str,
    /// withdrawal | staff | duplicate | late
    pub cause: &'static str,
    pub cause_label: &'static str,
    pub reason: String,
    /// The provider's refund id.
    pub refund_id: Option<String>,
    /// The account that asked for it (staff or the candidate); none for automatic refunds.
    pub requested_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub succeeded_at: Option<DateTime<Utc>>,
    /// The provider's last refusal, kept while the sweep tries again.
    pub last_error: Option<String>,
}

impl StaffRefundView {
    pub fn created_text(&self) -> String {
        beijing(self.created_at)
    }

    pub fn succeeded_text(&self) -> String {
        beijing_opt(self.succeeded_at)
    }
}

pub fn refund_view(refund: &Refund) -> StaffRefundView {
    StaffRefundView {
        id: refund.id,
        order_id: refund.order_id,
        out_refund_no: refund.out_refund_no.clone(),
        amount_fen: refund.amount.0,
        amount_text: refund.amount.to_string(),
        state: refund.state.code(),
        state_label: refund.state.label(),
        cause: refund.cause.code(),
        cause_label: refund.cause.label(),
        reason: refund.reason.clone(),
        refund_id: refund.refund_id.clone(),
        requested_by: refund.requested_by,
        created_at: refund.created_at,
        succeeded_at: refund.succeeded_at,
        last_error: refund.last_error.clone(),
    }
}

/// One line of an order's trail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaymentEventView {
    pub at: DateTime<Utc>,
    /// callback | query | candidate | staff | sweep
    pub source: String,
    pub source_label: &'static str,
    /// created | paid | paid_offline | paid_unwanted | closed | amount_mismatch |
    /// refund_requested | refund_updated | …
    pub kind: String,
    pub kind_label: String,
    #[schema(value_type = Object)]
    pub detail: Value,
}

impl PaymentEventView {
    pub fn at_text(&self) -> String {
        beijing(self.at)
    }

    /// The detail's fields in Chinese (`金额：¥120.00；凭证号：…`), for the page.
    pub fn detail_text(&self) -> String {
        match &self.detail {
            Value::Object(map) => map
                .iter()
                .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
                .map(|(k, v)| detail_line(k, v))
                .collect::<Vec<_>>()
                .join("；"),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

/// One field of a trail line's detail: the name and the value as people read them.
fn detail_line(key: &str, value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let yuan = || {
        value
            .as_i64()
            .map_or_else(|| text.clone(), |f| domain::money::Fen(f).to_string())
    };
    let instant = || {
        DateTime::parse_from_rfc3339(&text)
            .map_or_else(|_| text.clone(), |t| beijing(t.with_timezone(&Utc)))
    };
    let (label, shown) = match key {
        "amount_fen" => ("金额", yuan()),
        "ours_fen" => ("本系统金额", yuan()),
        "theirs_fen" => ("支付平台金额", yuan()),
        "method" => (
            "方式",
            domain::payments::OfflineMethod::parse(&text)
                .map_or(text.clone(), |m| m.label().into()),
        ),
        "reference" => ("凭证号", text.clone()),
        "note" => ("备注", text.clone()),
        "out_refund_no" => ("退款单号", text.clone()),
        "reason" => ("原因", text.clone()),
        "cause" => (
            "类型",
            domain::payments::RefundCause::parse(&text).map_or(text.clone(), |c| c.label().into()),
        ),
        "state" => (
            "状态",
            domain::payments::RefundState::parse(&text).map_or(text.clone(), |r| r.label().into()),
        ),
        "was" => (
            "原状态",
            domain::payments::OrderState::parse(&text).map_or(text.clone(), |o| o.label().into()),
        ),
        "transaction_id" => ("交易单号", text.clone()),
        "refund_id" => ("退款交易单号", text.clone()),
        "paid_at" => ("支付时间", instant()),
        "expires_at" => ("有效至", instant()),
        "succeeded_at" => ("退款成功时间", instant()),
        other => return format!("{other}：{text}"),
    };
    format!("{label}：{shown}")
}

fn source_label(source: &str) -> &'static str {
    match source {
        "callback" => "支付平台通知",
        "query" => "主动查询",
        "candidate" => "考生",
        "staff" => "工作人员",
        "sweep" => "系统巡检",
        _ => "其他",
    }
}

fn kind_label(kind: &str) -> String {
    match kind {
        "created" => "创建订单",
        "paid" => "支付成功",
        "paid_offline" => "登记线下缴费",
        "paid_unwanted" => "收到无法使用的付款（将自动退款）",
        "closed" => "订单关闭",
        "amount_mismatch" => "金额不一致",
        "refund_requested" => "申请退款",
        "refund_updated" => "退款状态更新",
        other => return other.to_owned(),
    }
    .to_owned()
}

pub fn event_view(event: &PaymentEvent) -> PaymentEventView {
    PaymentEventView {
        at: event.at,
        source: event.source.clone(),
        source_label: source_label(&event.source),
        kind: event.kind.clone(),
        kind_label: kind_label(&event.kind),
        detail: event.detail.clone(),
    }
}

/// An order with its application, its trail, its refunds and what is left to refund.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffOrderDetail {
    pub order: StaffOrderView,
    pub application_status: &'static str,
    pub application_status_label: &'static str,
    pub candidate_name: String,
    pub plan_name: String,
    pub events: Vec<PaymentEventView>,
    pub refunds: Vec<StaffRefundView>,
    /// What may still be refunded (0 when nothing was paid).
    pub refundable_fen: i64,
    pub refundable_text: String,
}

pub fn order_detail_view(d: &OrderDetail) -> StaffOrderDetail {
    StaffOrderDetail {
        order: order_view(&d.order),
        application_status: d.application.ctx.status.code(),
        application_status_label: d.application.ctx.status.label(),
        candidate_name: d.application.candidate_name.clone(),
        plan_name: d.application.ctx.plan_name.clone(),
        events: d.events.iter().map(event_view).collect(),
        refunds: d.refunds.iter().map(refund_view).collect(),
        refundable_fen: d.refundable.0,
        refundable_text: d.refundable.to_string(),
    }
}

/// An application's payment: status, fee, deadline, every order and refund.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffApplicationPayment {
    pub application_id: i64,
    pub candidate_name: String,
    pub plan_id: i64,
    pub plan_name: String,
    /// The application's status code (`approved` = 待缴费, `paid` = 缴费成功, …).
    pub status: &'static str,
    pub status_label: &'static str,
    pub fee_fen: i64,
    pub fee_text: String,
    /// The payment deadline (while 待缴费 it decides when the application expires).
    pub due_at: Option<DateTime<Utc>>,
    pub exam_starts_at: DateTime<Utc>,
    /// Newest first.
    pub orders: Vec<StaffOrderView>,
    pub refunds: Vec<StaffRefundView>,
}

impl StaffApplicationPayment {
    pub fn due_text(&self) -> String {
        beijing_opt(self.due_at)
    }

    pub fn exam_text(&self) -> String {
        beijing(self.exam_starts_at)
    }
}

pub fn application_view(d: &ApplicationDetail) -> StaffApplicationPayment {
    let ctx = &d.ctx;
    StaffApplicationPayment {
        application_id: ctx.application_id,
        candidate_name: d.candidate_name.clone(),
        plan_id: ctx.plan_id,
        plan_name: ctx.plan_name.clone(),
        status: ctx.status.code(),
        status_label: ctx.status.label(),
        fee_fen: ctx.fee.0,
        fee_text: ctx.fee.to_string(),
        due_at: ctx.due_at,
        exam_starts_at: ctx.exam_starts_at,
        orders: ctx.orders.iter().map(order_view).collect(),
        refunds: d.refunds.iter().map(refund_view).collect(),
    }
}

/// A page of orders.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffOrderList {
    pub orders: Vec<StaffOrderView>,
    pub total: u64,
    /// From 1.
    pub page: u64,
    pub pages: u64,
}

/// One side's totals in a reconciliation report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReconciliationTotals {
    pub payments_fen: i64,
    pub refunds_fen: i64,
    pub count: i64,
}

impl ReconciliationTotals {
    fn of(side: &Value) -> Option<ReconciliationTotals> {
        Some(ReconciliationTotals {
            payments_fen: side.get("payments")?.as_i64()?,
            refunds_fen: side.get("refunds")?.as_i64()?,
            count: side.get("count")?.as_i64()?,
        })
    }

    pub fn text(&self) -> String {
        format!(
            "{} 笔，收款 {}，退款 {}",
            self.count,
            domain::money::Fen(self.payments_fen),
            domain::money::Fen(self.refunds_fen)
        )
    }
}

/// A saved daily reconciliation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReconciliationView {
    pub id: i64,
    pub provider: String,
    /// The Beijing day compared.
    pub bill_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// balanced | differences | failed
    pub outcome: String,
    pub outcome_label: &'static str,
    /// Every difference, in Chinese (`report.labels`).
    pub labels: Vec<String>,
    /// Why the bill could not be had (outcome `failed`).
    pub error: Option<String>,
    pub ours: Option<ReconciliationTotals>,
    pub theirs: Option<ReconciliationTotals>,
    /// The report as saved: totals and every `domain::payments::Difference`.
    #[schema(value_type = Object)]
    pub report: Value,
}

impl ReconciliationView {
    pub fn created_text(&self) -> String {
        beijing(self.created_at)
    }

    pub fn date_text(&self) -> String {
        self.bill_date.format("%Y-%m-%d").to_string()
    }
}

fn outcome_label(outcome: &str) -> &'static str {
    match outcome {
        "balanced" => "账目一致",
        "differences" => "有差异",
        "failed" => "对账失败",
        _ => "未知",
    }
}

pub fn reconciliation_view(r: &Reconciliation) -> ReconciliationView {
    ReconciliationView {
        id: r.id,
        provider: r.provider.clone(),
        bill_date: r.bill_date,
        created_at: r.created_at,
        outcome: r.outcome.clone(),
        outcome_label: outcome_label(&r.outcome),
        labels: r.report["labels"]
            .as_array()
            .map(|labels| {
                labels
                    .iter()
                    .filter_map(|l| l.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        error: r.report["error"].as_str().map(str::to_owned),
        ours: ReconciliationTotals::of(&r.report["ours"]),
        theirs: ReconciliationTotals::of(&r.report["theirs"]),
        report: r.report.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(kind: &str, detail: Value) -> PaymentEventView {
        PaymentEventView {
            at: Utc::now(),
            source: "staff".into(),
            source_label: source_label("staff"),
            kind: kind.into(),
            kind_label: kind_label(kind),
            detail,
        }
    }

    #[test]
    fn a_trail_line_reads_in_chinese_with_amounts_in_yuan_and_beijing_time() {
        let e = line(
            "refund_requested",
            json!({ "amount_fen": 12050, "cause": "staff", "reason": "多收", "note": "" }),
        );
        assert_eq!(e.kind_label, "申请退款");
        assert_eq!(e.source_label, "工作人员");
        assert_eq!(
            e.detail_text(),
            "金额：¥120.50；类型：工作人员退款；原因：多收"
        );
        let e = line(
            "paid",
            json!({ "paid_at": "2026-11-29T02:00:00Z", "method": "bank_transfer", "x": 1 }),
        );
        assert_eq!(
            e.detail_text(),
            "方式：银行转账；支付时间：2026-11-29 10:00:00；x：1"
        );
        assert_eq!(
            line("something_new", Value::Null).kind_label,
            "something_new"
        );
    }
}
