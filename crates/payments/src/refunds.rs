//! Refunds: a candidate withdrawing a paid application before the cut-off, staff refunding all
//! or part, and automatic refunds of money that arrived when it could not be used. Each is
//! recorded first (with the withdrawal, in one transaction), then asked of the provider here
//! and by every sweep until the provider has it.

use chrono::{DateTime, Utc};
use domain::applications::state::{Actor, ApplicationStatus};
use domain::money::Fen;
use domain::payments::{
    RefundCause, RefundError, RefundState, refundable, withdrawal_refund_cutoff,
};
use integrations::payments::RefundRequest;
use store::payments::{self as books, Order, Refund, RefundAsk, RefundOutcome, WithdrawWith};

use crate::{Payments, refund_facts};

#[derive(Debug, thiserror::Error)]
pub enum RefundRequestError {
    #[error("订单不存在")]
    NotFound,
    #[error("{0}")]
    Rule(RefundError),
    #[error("已过退费截止时间（{}），不能撤回并退费", .0.with_timezone(&domain::time::shanghai()).format("%Y-%m-%d %H:%M"))]
    PastCutoff(DateTime<Utc>),
    #[error("当前状态为“{}”，不能撤回", .0.label())]
    NotWithdrawable(ApplicationStatus),
    #[error("报名状态刚刚发生变化，请刷新后重试")]
    Changed,
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

impl RefundRequestError {
    pub fn code(&self) -> &'static str {
        match self {
            RefundRequestError::NotFound => "payment_order_not_found",
            RefundRequestError::Rule(e) => e.code(),
            RefundRequestError::PastCutoff(_) => "refund_cutoff_passed",
            RefundRequestError::NotWithdrawable(_) => "application_transition_not_allowed",
            RefundRequestError::Changed => "application_changed",
            RefundRequestError::Store(_) => "internal",
        }
    }
}

fn from_outcome(outcome: RefundOutcome) -> RefundRequestError {
    match outcome {
        RefundOutcome::NotFound => RefundRequestError::NotFound,
        RefundOutcome::Rule(e) => RefundRequestError::Rule(e),
        RefundOutcome::Application(store::applications::ChangeError::Transition(e)) => {
            RefundRequestError::NotWithdrawable(match e {
                domain::applications::state::TransitionError::Final { from, .. }
                | domain::applications::state::TransitionError::NotAllowed { from, .. } => from,
                domain::applications::state::TransitionError::Forbidden { .. } => {
                    ApplicationStatus::Paid
                }
            })
        }
        RefundOutcome::Application(_) => RefundRequestError::Changed,
    }
}

impl Payments {
    /// The candidate withdraws a paid application before the cut-off: the application is
    /// withdrawn (seat given back) and all that is left of the fee refunded, in one
    /// transaction; then the provider is asked.
    pub async fn withdraw_paid(
        &self,
        application_id: i64,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Refund, RefundRequestError> {
        let ctx = books::context(&self.db, application_id)
            .await?
            .filter(|c| c.account_id == account_id)
            .ok_or(RefundRequestError::NotFound)?;
        if ctx.status != ApplicationStatus::Paid {
            return Err(RefundRequestError::NotWithdrawable(ctx.status));
        }
        let cutoff = withdrawal_refund_cutoff(ctx.exam_starts_at);
        if now > cutoff {
            return Err(RefundRequestError::PastCutoff(cutoff));
        }
        let order = ctx.paid_order().cloned().ok_or_else(|| {
            store::StoreError::Corrupt(format!(
                "application {application_id} is paid without a paid order"
            ))
        })?;
        let committed = self.committed(&order).await?;
        let refund = books::request_refund(
            &self.db,
            order.id,
            RefundAsk {
                amount: refundable(order.amount, committed),
                cause: RefundCause::Withdrawal,
                reason: "考生撤回报名".into(),
                requested_by: Some(account_id),
            },
            Some(WithdrawWith {
                actor: Actor::Candidate,
                account_id,
            }),
            None,
            now,
        )
        .await?
        .map_err(from_outcome)?;
        self.push_refund(&refund, &order, now).await;
        Ok(refund)
    }

    /// Staff refund part or all of an order; with `withdraw`, the application (still 缴费成功)
    /// is withdrawn with it. Audited.
    pub async fn staff_refund(
        &self,
        order_id: i64,
        amount: Fen,
        reason: &str,
        withdraw: bool,
        staff: (i64, &str),
        now: DateTime<Utc>,
    ) -> Result<Refund, RefundRequestError> {
        let order = books::get(&self.db, order_id)
            .await?
            .ok_or(RefundRequestError::NotFound)?;
        let refund = books::request_refund(
            &self.db,
            order.id,
            RefundAsk {
                amount,
                cause: RefundCause::Staff,
                reason: reason.trim().to_owned(),
                requested_by: Some(staff.0),
            },
            withdraw.then_some(WithdrawWith {
                actor: Actor::Staff,
                account_id: staff.0,
            }),
            Some(staff.1),
            now,
        )
        .await?
        .map_err(from_outcome)?;
        self.push_refund(&refund, &order, now).await;
        Ok(refund)
    }

    async fn committed(&self, order: &Order) -> Result<Fen, store::StoreError> {
        Ok(Fen(books::refunds_of(&self.db, &[order.id])
            .await?
            .iter()
            .filter(|r| r.state.commits_money())
            .map(|r| r.amount.0)
            .sum()))
    }

    /// Asks the provider for every refund of `order` still waiting to be asked.
    pub(crate) async fn push_refunds_of(&self, order: &Order, now: DateTime<Utc>) {
        match books::refunds_of(&self.db, &[order.id]).await {
            Ok(refunds) => {
                for refund in refunds.iter().filter(|r| r.state == RefundState::Requested) {
                    self.push_refund(refund, order, now).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "refunds of order could not be read"),
        }
    }

    /// Asks the provider for a recorded refund (again, with the same number, if it was asked
    /// before) or follows one under way. Failures are kept on the refund for staff; the sweep
    /// tries again. An offline payment's refund is paid back by staff by hand: it is recorded
    /// as done.
    pub(crate) async fn push_refund(&self, refund: &Refund, order: &Order, now: DateTime<Utc>) {
        let outcome = if order.provider != self.provider.name() {
            if matches!(order.provider.as_str(), "offline" | "free") {
                let facts = books::RefundFacts {
                    state: RefundState::Succeeded,
                    refund_id: None,
                    succeeded_at: Some(now),
                };
                books::update_refund(&self.db, &refund.out_refund_no, &facts, "staff", now)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            } else {
                Err(format!(
                    "order of provider {} not configured",
                    order.provider
                ))
            }
        } else {
            let answer = if refund.state == RefundState::Requested {
                self.provider
                    .refund(&RefundRequest {
                        out_trade_no: order.out_trade_no.clone(),
                        out_refund_no: refund.out_refund_no.clone(),
                        reason: refund.reason.clone(),
                        refund: refund.amount,
                        total: order.amount,
                        notify_url: self
                            .notify_url(self.settings.site_url.as_deref().unwrap_or("")),
                    })
                    .await
            } else {
                self.provider.query_refund(&refund.out_refund_no).await
            };
            match answer {
                Ok(remote) => books::update_refund(
                    &self.db,
                    &refund.out_refund_no,
                    &refund_facts(&remote),
                    "sweep",
                    now,
                )
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        };
        if let Err(error) = outcome {
            tracing::warn!(out_refund_no = %refund.out_refund_no, %error, "refund not advanced; the sweep tries again");
            if let Err(e) = books::refund_attempt_failed(&self.db, refund.id, &error, now).await {
                tracing::warn!(error = %e, "refund failure could not be recorded");
            }
        }
    }
}
