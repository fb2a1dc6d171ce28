//! skillcert's money flows, between the provider (`integrations::payments`) and our books
//! (`store::payments`), by the rules of `domain::payments`:
//!
//! - [`Payments::open_order`]: the QR code for an application in 待缴费 — the open order if it
//!   can still be paid, else a new attempt once the old one is closed at the provider;
//! - [`Payments::receive`]: a provider's callback, verified, applied once however often it
//!   comes;
//! - [`Payments::check`]: asking the provider about an order (the candidate's 我已支付，刷新状态,
//!   and the sweep for callbacks that never came);
//! - [`Payments::sweep`]: the background round — lost callbacks, expired orders (closed at the
//!   provider before here, so money landing in between is recorded, not lost), overdue
//!   applications (expired, seat given back), refunds followed to completion, and the daily
//!   reconciliation against the provider's bill;
//! - refunds on withdrawal and by staff, offline payments recorded by staff.
//!
//! The provider is never called inside a database transaction, and every fact it reports is
//! written by a conditional change, so any step may be repeated or raced.

mod checks;
mod reconcile;
mod refunds;
pub mod simulated;
mod sweep;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::applications::state::ApplicationStatus;
use domain::money::Fen;
use domain::payments::{OfflineMethod, order_expires_at, order_number};
use integrations::payments::{
    IncomingNotification, NativeOrder, Notification, NotificationError, PaymentError,
    PaymentProvider, RefundStatus,
};
use rand::Rng;
use store::Db;
use store::payments::{self as books, Applied, OpenError, Order, PaymentFacts};

pub use reconcile::ReconcileError;
pub use refunds::RefundRequestError;
pub use simulated::Simulated;
pub use sweep::SweepReport;

/// Why paying could not go on.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("报名不存在")]
    NotFound,
    #[error("当前状态为“{}”，无需缴费", .0.label())]
    NotPayable(ApplicationStatus),
    #[error("缴费截止时间已过，报名已失效")]
    PastDeadline,
    #[error("支付服务暂时不可用，请稍后再试")]
    Provider(#[from] PaymentError),
    #[error("该报名有待支付的订单，请先关闭后再登记线下缴费")]
    OrderOpen,
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

impl PayError {
    pub fn code(&self) -> &'static str {
        match self {
            PayError::NotFound => "application_not_found",
            PayError::NotPayable(_) => "payment_not_needed",
            PayError::PastDeadline => "payment_deadline_passed",
            PayError::Provider(_) => "payment_provider_unavailable",
            PayError::OrderOpen => "payment_order_open",
            PayError::Store(_) => "internal",
        }
    }
}

impl From<OpenError> for PayError {
    fn from(e: OpenError) -> PayError {
        match e {
            OpenError::NotFound => PayError::NotFound,
            OpenError::NotPayable(status) => PayError::NotPayable(status),
            OpenError::PastDeadline => PayError::PastDeadline,
            OpenError::AlreadyOpen(_) => PayError::OrderOpen,
        }
    }
}

/// Why a callback was not applied; the provider is answered with a failure and sends it again.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("callback refused: {0}")]
    Verification(#[from] NotificationError),
    #[error("callback for an order we do not have: {0}")]
    UnknownOrder(String),
    #[error("callback for a refund we do not have: {0}")]
    UnknownRefund(String),
    #[error("callback amount {theirs} differs from the order's {ours}: {out_trade_no}")]
    AmountMismatch {
        out_trade_no: String,
        ours: Fen,
        theirs: Fen,
    },
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Where the provider reaches us.
#[derive(Debug, Clone, Default)]
pub struct PaymentSettings {
    /// The platform's public address (`https://skillcert.example.cn`), for the provider's
    /// callbacks and the simulated QR code. `None`: the address the candidate's browser used.
    pub site_url: Option<String>,
}

#[derive(Clone)]
pub struct Payments {
    db: Db,
    provider: Arc<dyn PaymentProvider>,
    /// The same provider when it is the simulated one (its confirm page).
    simulated: Option<Arc<Simulated>>,
    settings: PaymentSettings,
}

impl Payments {
    pub fn new(db: Db, provider: Arc<dyn PaymentProvider>, settings: PaymentSettings) -> Payments {
        Payments {
            db,
            provider,
            simulated: None,
            settings,
        }
    }

    /// With the simulated provider (the embedded default).
    pub fn simulated(db: Db, settings: PaymentSettings) -> Payments {
        let simulated = Arc::new(Simulated::new(db.clone()));
        Payments {
            db,
            provider: simulated.clone(),
            simulated: Some(simulated),
            settings,
        }
    }

    pub fn provider_name(&self) -> &'static str {
        self.provider.name()
    }

    /// The simulated provider, when it is the one in use (its confirm page exists only then).
    pub fn simulated_provider(&self) -> Option<&Simulated> {
        self.simulated.as_deref()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Where the provider sends callbacks: the configured site, else `request_origin`.
    pub fn notify_url(&self, request_origin: &str) -> String {
        let base = self
            .settings
            .site_url
            .as_deref()
            .unwrap_or(request_origin)
            .trim_end_matches('/');
        format!("{base}/api/v1/payments/notify/{}", self.provider.name())
    }

    /// The order the candidate pays now: the open one while it can still be paid for a minute
    /// more, else a new attempt (the old one closed at the provider first). A plan without a fee
    /// is confirmed at once, with nothing to pay.
    pub async fn open_order(
        &self,
        application_id: i64,
        request_origin: &str,
        now: DateTime<Utc>,
    ) -> Result<Order, PayError> {
        for _ in 0..3 {
            let ctx = books::context(&self.db, application_id)
                .await?
                .ok_or(PayError::NotFound)?;
            if ctx.status != ApplicationStatus::Approved {
                return Err(PayError::NotPayable(ctx.status));
            }
            if ctx.fee == Fen::ZERO {
                return self.confirm_free(application_id, now).await;
            }
            if let Some(open) = ctx.open_order() {
                if open.expires_at > now + Duration::minutes(1) {
                    if open.code_url.is_some() {
                        return Ok(open.clone());
                    }
                    // The provider was unreachable when it was opened: ask again, same number.
                    return self
                        .create_at_provider(open, &ctx.plan_name, request_origin)
                        .await;
                }
                self.settle_and_close(open, "candidate", now).await?;
                continue;
            }
            let due = ctx.due_at.unwrap_or(ctx.exam_starts_at);
            let expires_at = order_expires_at(now, due).ok_or(PayError::PastDeadline)?;
            let attempt = u32::try_from(ctx.orders.len() + 1).unwrap_or(u32::MAX);
            let out_trade_no = order_number(application_id, attempt, entropy());
            let opened = books::insert_open_order(
                &self.db,
                books::NewOrder {
                    application_id,
                    out_trade_no,
                    provider: self.provider.name(),
                    amount: ctx.fee,
                    expires_at,
                },
                now,
            )
            .await?;
            return match opened {
                Ok(order) => {
                    self.create_at_provider(&order, &ctx.plan_name, request_origin)
                        .await
                }
                // Opened by another request at this instant: that one is the candidate's.
                Err(OpenError::AlreadyOpen(order)) if order.code_url.is_some() => Ok(*order),
                Err(OpenError::AlreadyOpen(_)) => continue,
                Err(e) => Err(e.into()),
            };
        }
        Err(PayError::Provider(PaymentError::Unavailable(
            "the order kept changing; try again".into(),
        )))
    }

    async fn create_at_provider(
        &self,
        order: &Order,
        plan_name: &str,
        request_origin: &str,
    ) -> Result<Order, PayError> {
        let description = truncate_bytes(&format!("职业技能等级认定考试费-{plan_name}"), 127);
        let code_url = self
            .provider
            .create_native(&NativeOrder {
                out_trade_no: order.out_trade_no.clone(),
                description,
                amount: order.amount,
                time_expire: order.expires_at,
                notify_url: self.notify_url(request_origin),
            })
            .await?;
        books::set_code_url(&self.db, order.id, &code_url).await?;
        Ok(Order {
            code_url: Some(code_url),
            ..order.clone()
        })
    }

    async fn confirm_free(
        &self,
        application_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Order, PayError> {
        let out_trade_no = order_number(application_id, 0, entropy());
        let recorded = books::record_offline(
            &self.db,
            &books::OfflinePayment {
                application_id,
                method: None,
                reference: String::new(),
                note: "该计划无需缴费".into(),
                staff: None,
                out_trade_no,
            },
            now,
        )
        .await?;
        recorded.map_err(PayError::from)
    }

    /// An administrator records a payment made by bank transfer or in cash. An open online
    /// order is closed at the provider first; if it turns out paid, that payment stands and
    /// the offline one is refused.
    pub async fn record_offline(
        &self,
        application_id: i64,
        method: OfflineMethod,
        reference: &str,
        note: &str,
        staff: (i64, &str),
        now: DateTime<Utc>,
    ) -> Result<Order, PayError> {
        if let Some(open) = books::open_order_of(&self.db, application_id).await? {
            self.settle_and_close(&open, "staff", now).await?;
        }
        // OF…: an offline payment's number, never sent to a provider.
        let out_trade_no = order_number(application_id, 0, entropy()).replacen("SC", "OF", 1);
        let recorded = books::record_offline(
            &self.db,
            &books::OfflinePayment {
                application_id,
                method: Some(method),
                reference: reference.trim().to_owned(),
                note: note.trim().to_owned(),
                staff: Some((staff.0, staff.1.to_owned())),
                out_trade_no,
            },
            now,
        )
        .await?;
        recorded.map_err(PayError::from)
    }

    /// A callback from the provider: verified, then applied once. `Ok` tells the provider to
    /// stop sending it; an error asks it to send again later (and leaves a trace).
    pub async fn receive(
        &self,
        incoming: &IncomingNotification,
        now: DateTime<Utc>,
    ) -> Result<(), CallbackError> {
        let notification = self.provider.verify_notification(incoming, now).await?;
        match notification {
            Notification::Transaction(order) => {
                let Some(payment) = order.payment else {
                    // Not a payment (the provider only sends successes; nothing to record).
                    return Ok(());
                };
                self.apply(&order.out_trade_no, &payment, "callback", now)
                    .await
            }
            Notification::Refund(refund) => {
                let updated = books::update_refund(
                    &self.db,
                    &refund.out_refund_no,
                    &refund_facts(&refund),
                    "callback",
                    now,
                )
                .await?;
                match updated {
                    Some(_) => Ok(()),
                    None => Err(CallbackError::UnknownRefund(refund.out_refund_no)),
                }
            }
        }
    }

    async fn apply(
        &self,
        out_trade_no: &str,
        payment: &integrations::payments::ProviderPayment,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CallbackError> {
        let applied = books::apply_payment(
            &self.db,
            out_trade_no,
            &PaymentFacts {
                transaction_id: payment.transaction_id.clone(),
                amount: payment.amount,
                paid_at: payment.paid_at,
            },
            source,
            now,
        )
        .await?;
        match applied {
            Applied::UnknownOrder => Err(CallbackError::UnknownOrder(out_trade_no.to_owned())),
            Applied::AmountMismatch { ours, theirs } => {
                tracing::error!(out_trade_no, %ours, %theirs, "payment amount differs from the order's");
                Err(CallbackError::AmountMismatch {
                    out_trade_no: out_trade_no.to_owned(),
                    ours,
                    theirs,
                })
            }
            Applied::Confirmed(_) | Applied::AlreadyRecorded(_) => Ok(()),
            Applied::RecordedAndRefunding(order) => {
                tracing::warn!(
                    out_trade_no,
                    "money for an application that cannot take it: refunding"
                );
                self.push_refunds_of(&order, now).await;
                Ok(())
            }
        }
    }

    /// The simulated confirm page's 确认支付: pays at the simulated provider and delivers its
    /// callback through [`Payments::receive`], as a real provider's would arrive.
    pub async fn confirm_simulated(
        &self,
        out_trade_no: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, CallbackError> {
        let Some(simulated) = &self.simulated else {
            return Ok(false);
        };
        let callback = simulated
            .confirm(out_trade_no, now)
            .await
            .map_err(|e| CallbackError::Store(store::StoreError::Task(e.to_string())))?;
        match callback {
            Some(incoming) => self.receive(&incoming, now).await.map(|()| true),
            None => Ok(false),
        }
    }
}

fn refund_facts(refund: &integrations::payments::ProviderRefund) -> books::RefundFacts {
    books::RefundFacts {
        state: match refund.status {
            RefundStatus::Processing => domain::payments::RefundState::Processing,
            RefundStatus::Success => domain::payments::RefundState::Succeeded,
            RefundStatus::Closed => domain::payments::RefundState::Closed,
            RefundStatus::Abnormal => domain::payments::RefundState::Abnormal,
        },
        refund_id: Some(refund.refund_id.clone()).filter(|id| !id.is_empty()),
        succeeded_at: refund.succeeded_at,
    }
}

/// Randomness for an order number's tail (taken before any await: the thread's generator
/// cannot be held across one).
fn entropy() -> u64 {
    rand::rng().random()
}

/// `text` cut to at most `max` bytes on a character boundary (WeChat Pay counts bytes).
fn truncate_bytes(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_cut_on_a_character_boundary() {
        let long = "职".repeat(60);
        let cut = truncate_bytes(&long, 127);
        assert!(cut.len() <= 127);
        assert_eq!(cut.chars().count(), 42);
    }
}
