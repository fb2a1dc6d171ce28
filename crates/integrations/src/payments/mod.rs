//! Taking money through a payment provider, behind [`PaymentProvider`]:
//!
//! - `simulated` (the embedded default) lives in the `payments` crate, because its "remote"
//!   side is kept in our own database so that a demo survives a restart;
//! - [`wechat::WechatPay`]: WeChat Pay Native (QR code), API v3, requests signed
//!   SHA256-RSA2048, answers and callbacks verified by `Wechatpay-Serial`, callback resources
//!   decrypted with AEAD_AES_256_GCM.
//!
//! The interface is the provider's, not our business: it says what the provider holds (an
//! order's trade state, a refund's status, a day's bill), and the `payments` crate decides what
//! that means for an application. Every amount is in fen ([`Fen`]), as WeChat Pay counts.

pub mod wechat;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Fen;

/// One Native order to create: the QR code the candidate scans.
#[derive(Debug, Clone)]
pub struct NativeOrder {
    /// Our merchant order number (`out_trade_no`): 6–32 characters of `[0-9A-Za-z_-]`, unique
    /// per payment attempt.
    pub out_trade_no: String,
    /// What the candidate sees in WeChat (`description`, at most 127 bytes).
    pub description: String,
    pub amount: Fen,
    /// After this instant the provider refuses payment (`time_expire`).
    pub time_expire: DateTime<Utc>,
    /// Where the provider sends the payment callback.
    pub notify_url: String,
}

/// What the provider says about an order (`trade_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeState {
    /// `NOTPAY`: waiting for the candidate.
    NotPaid,
    /// `USERPAYING`: the candidate is entering the password.
    UserPaying,
    /// `SUCCESS`: paid.
    Paid,
    /// `REFUND`: paid, and some or all of it refunded since.
    Refunded,
    /// `CLOSED`: closed before payment; no money moved.
    Closed,
    /// `REVOKED`.
    Revoked,
    /// `PAYERROR`: the payment failed; no money moved.
    PayError,
}

impl TradeState {
    /// WeChat Pay's `trade_state` text.
    pub fn parse(raw: &str) -> Option<TradeState> {
        Some(match raw {
            "NOTPAY" => TradeState::NotPaid,
            "USERPAYING" => TradeState::UserPaying,
            "SUCCESS" => TradeState::Paid,
            "REFUND" => TradeState::Refunded,
            "CLOSED" => TradeState::Closed,
            "REVOKED" => TradeState::Revoked,
            "PAYERROR" => TradeState::PayError,
            _ => return None,
        })
    }

    pub fn code(&self) -> &'static str {
        match self {
            TradeState::NotPaid => "NOTPAY",
            TradeState::UserPaying => "USERPAYING",
            TradeState::Paid => "SUCCESS",
            TradeState::Refunded => "REFUND",
            TradeState::Closed => "CLOSED",
            TradeState::Revoked => "REVOKED",
            TradeState::PayError => "PAYERROR",
        }
    }

    /// Whether money was taken (and is, or was, ours).
    pub fn money_taken(&self) -> bool {
        matches!(self, TradeState::Paid | TradeState::Refunded)
    }
}

/// The money of a paid order, as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    /// The provider's own number (`transaction_id`).
    pub transaction_id: String,
    /// `amount.total`: what the order was for.
    pub amount: Fen,
    /// `success_time`.
    pub paid_at: DateTime<Utc>,
}

/// An order as the provider holds it (a query's answer or a payment callback's resource).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderOrder {
    pub out_trade_no: String,
    pub trade_state: TradeState,
    /// Present when money was taken ([`TradeState::money_taken`]).
    pub payment: Option<ProviderPayment>,
}

/// A refund to ask for: part or all of a paid order.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    pub out_trade_no: String,
    /// Our refund number (`out_refund_no`), unique per refund; asking again with the same
    /// number is the same refund, never a second one.
    pub out_refund_no: String,
    pub reason: String,
    /// How much to give back.
    pub refund: Fen,
    /// What the order was for (`amount.total`).
    pub total: Fen,
    pub notify_url: String,
}

/// A refund's state at the provider (`status` / `refund_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    /// `PROCESSING`.
    Processing,
    /// `SUCCESS`: the money is on its way back to the payer.
    Success,
    /// `CLOSED`: the refund was closed without paying back.
    Closed,
    /// `ABNORMAL`: the payer's account could not take it (staff must act).
    Abnormal,
}

impl RefundStatus {
    pub fn parse(raw: &str) -> Option<RefundStatus> {
        Some(match raw {
            "PROCESSING" => RefundStatus::Processing,
            "SUCCESS" => RefundStatus::Success,
            "CLOSED" => RefundStatus::Closed,
            "ABNORMAL" => RefundStatus::Abnormal,
            _ => return None,
        })
    }

    pub fn code(&self) -> &'static str {
        match self {
            RefundStatus::Processing => "PROCESSING",
            RefundStatus::Success => "SUCCESS",
            RefundStatus::Closed => "CLOSED",
            RefundStatus::Abnormal => "ABNORMAL",
        }
    }
}

/// A refund as the provider holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRefund {
    pub out_trade_no: String,
    pub out_refund_no: String,
    /// The provider's own number (`refund_id`).
    pub refund_id: String,
    pub status: RefundStatus,
    /// `amount.refund`.
    pub amount: Fen,
    /// `success_time`, when it succeeded.
    pub succeeded_at: Option<DateTime<Utc>>,
}

/// A verified, decrypted callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// `TRANSACTION.SUCCESS`: an order was paid.
    Transaction(ProviderOrder),
    /// `REFUND.SUCCESS` / `REFUND.ABNORMAL` / `REFUND.CLOSED`.
    Refund(ProviderRefund),
}

/// A callback as it arrived: the headers the provider signs with, and the body as bytes.
#[derive(Debug, Clone, Default)]
pub struct IncomingNotification {
    /// `Wechatpay-Timestamp` (seconds).
    pub timestamp: Option<String>,
    /// `Wechatpay-Nonce`.
    pub nonce: Option<String>,
    /// `Wechatpay-Signature` (base64).
    pub signature: Option<String>,
    /// `Wechatpay-Serial`: which certificate or public key signed it.
    pub serial: Option<String>,
    pub body: Vec<u8>,
}

/// Why a callback was refused. The provider is answered with a failure and sends it again
/// later, so nothing is lost by refusing one we cannot trust.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("the callback lacks the header {0}")]
    MissingHeader(&'static str),
    #[error("the callback is signed by an unknown certificate or key: {0}")]
    UnknownSerial(String),
    #[error("the callback's signature does not verify")]
    BadSignature,
    #[error("the callback's timestamp is {0} s from our clock (at most 300 s allowed)")]
    ClockSkew(i64),
    #[error("the callback's resource cannot be decrypted")]
    Decrypt,
    #[error("the callback is malformed: {0}")]
    Malformed(String),
}

/// One line of the provider's bill for a day: a payment, or a refund of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillLine {
    pub out_trade_no: String,
    pub transaction_id: String,
    /// When the payment (or refund) happened.
    pub at: DateTime<Utc>,
    pub kind: BillLineKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillLineKind {
    /// A payment of this amount.
    Payment { amount: Fen },
    /// A refund of this amount, with our refund number.
    Refund { out_refund_no: String, amount: Fen },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The provider does not know the order (`ORDER_NOT_EXIST`) or refund
    /// (`RESOURCE_NOT_EXISTS`).
    #[error("the payment provider does not know this order or refund")]
    NotFound,
    /// The order is already paid (`ORDERPAID`), so it cannot be closed: query it and record the
    /// payment.
    #[error("the order is already paid")]
    AlreadyPaid,
    /// No bill for the day (`NO_STATEMENT_EXIST`, or the day is not over yet).
    #[error("the payment provider has no bill for that day yet")]
    NoBill,
    /// The provider refused the request for good (bad parameters, not enough balance for a
    /// refund, …): retrying as is will not help.
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
    /// The provider could not be reached, answered with a server error, or its answer could not
    /// be verified: try again later.
    #[error("the payment provider could not be reached: {0}")]
    Unavailable(String),
}

impl PaymentError {
    pub fn retryable(&self) -> bool {
        matches!(self, PaymentError::Unavailable(_))
    }
}

/// A payment provider. Every call may be repeated: creating with the same `out_trade_no`,
/// closing a closed order and refunding with the same `out_refund_no` do nothing new.
#[async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    /// `simulated` or `wechat`, stored with each order.
    fn name(&self) -> &'static str;

    /// Creates a Native order and returns its `code_url` (the text of the QR code).
    async fn create_native(&self, order: &NativeOrder) -> Result<String, PaymentError>;

    /// What the provider holds for the order.
    async fn query(&self, out_trade_no: &str) -> Result<ProviderOrder, PaymentError>;

    /// Closes an unpaid order so that it can no longer be paid. Closing a closed order is `Ok`;
    /// a paid one is [`PaymentError::AlreadyPaid`].
    async fn close(&self, out_trade_no: &str) -> Result<(), PaymentError>;

    /// Asks for a refund (or repeats the request with the same `out_refund_no`).
    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund, PaymentError>;

    /// What the provider holds for a refund.
    async fn query_refund(&self, out_refund_no: &str) -> Result<ProviderRefund, PaymentError>;

    /// Verifies and reads a callback; `now` is our clock, for the 5-minute skew check.
    async fn verify_notification(
        &self,
        incoming: &IncomingNotification,
        now: DateTime<Utc>,
    ) -> Result<Notification, NotificationError>;

    /// The provider's bill for a day (Beijing date): every payment and refund it recorded.
    async fn bill(&self, date: NaiveDate) -> Result<Vec<BillLine>, PaymentError>;
}
