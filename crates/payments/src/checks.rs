//! Asking the provider about an order, and closing one at the provider before here.

use chrono::{DateTime, Duration, Utc};
use domain::payments::OrderState;
use integrations::payments::{PaymentError, TradeState};
use store::payments::{self as books, Order};

use crate::{PayError, Payments};

/// How often the candidate's 我已支付，刷新状态 reaches the provider, at most.
const CANDIDATE_CHECK_SECONDS: i64 = 5;

impl Payments {
    /// Asks the provider about an order and records what it says: money taken is applied
    /// (once), an order closed there is closed here, an unpaid order past its expiry is closed
    /// at the provider and then here. Returns the order as it now stands.
    pub async fn check(
        &self,
        order: &Order,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<Order, PayError> {
        if order.provider != self.provider.name() {
            // Offline payments, or an order of a provider no longer configured.
            return Ok(order.clone());
        }
        let answer = self.provider.query(&order.out_trade_no).await;
        books::mark_checked(&self.db, order.id, now).await?;
        match answer {
            Ok(remote) => match (remote.trade_state, &remote.payment) {
                (state, Some(payment)) if state.money_taken() => {
                    self.apply(&order.out_trade_no, payment, source, now)
                        .await
                        .map_err(|e| match e {
                            crate::CallbackError::Store(e) => PayError::Store(e),
                            other => {
                                PayError::Provider(PaymentError::Unavailable(other.to_string()))
                            }
                        })?;
                }
                (TradeState::Closed | TradeState::Revoked, _) => {
                    books::mark_closed(&self.db, order.id, source, now).await?;
                }
                _ if order.state == OrderState::Pending && order.expires_at <= now => {
                    self.close_then_mark(order, source, now).await?;
                }
                _ => {}
            },
            // The provider never took the order (its create call failed): once it can no
            // longer be created, it is closed here.
            Err(PaymentError::NotFound)
                if order.state == OrderState::Pending
                    && (order.expires_at <= now
                        || order.created_at <= now - Duration::minutes(10)) =>
            {
                books::mark_closed(&self.db, order.id, source, now).await?;
            }
            Err(PaymentError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(books::get(&self.db, order.id)
            .await?
            .unwrap_or_else(|| order.clone()))
    }

    /// Closes an open order at the provider, then here. If the provider says it was paid, the
    /// payment is recorded instead: a candidate who pays in the last second keeps their money's
    /// worth.
    pub(crate) async fn close_then_mark(
        &self,
        order: &Order,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<(), PayError> {
        match self.provider.close(&order.out_trade_no).await {
            Ok(()) | Err(PaymentError::NotFound) => {
                books::mark_closed(&self.db, order.id, source, now).await?;
                Ok(())
            }
            Err(PaymentError::AlreadyPaid) => {
                let remote = self.provider.query(&order.out_trade_no).await?;
                if let Some(payment) = &remote.payment {
                    self.apply(&order.out_trade_no, payment, source, now)
                        .await
                        .map_err(|e| {
                            PayError::Provider(PaymentError::Unavailable(e.to_string()))
                        })?;
                }
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The candidate pressed 我已支付，刷新状态: the provider is asked now (and the sweep asks
    /// again if it cannot answer now).
    pub async fn candidate_check(
        &self,
        application_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Order>, PayError> {
        let Some(open) = books::open_order_of(&self.db, application_id).await? else {
            return Ok(None);
        };
        // A button pressed again and again asks the provider at most every few seconds (its
        // rate limits are the merchant's, shared by every candidate).
        if open
            .last_checked_at
            .is_some_and(|at| at > now - Duration::seconds(CANDIDATE_CHECK_SECONDS))
        {
            return Ok(Some(open));
        }
        books::note_check_requested(&self.db, open.id, now).await?;
        self.check(&open, "candidate", now).await.map(Some)
    }

    /// Settles an open order before another step needs it gone: asks the provider (recording a
    /// payment it reports) and, if it is still unpaid, closes it there and then here.
    pub(crate) async fn settle_and_close(
        &self,
        open: &Order,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<(), PayError> {
        let settled = self.check(open, source, now).await?;
        if settled.state == OrderState::Pending {
            self.close_then_mark(&settled, source, now).await?;
        }
        Ok(())
    }

    /// Closes the application's open order at the provider and here, if there is one (after
    /// the candidate withdrew before paying, so the QR code they still hold cannot be paid).
    /// Best effort: an order left open is closed by the sweep at its expiry, and money that
    /// lands meanwhile is refunded automatically.
    pub async fn close_open_order(&self, application_id: i64, now: DateTime<Utc>) {
        let closed = match books::open_order_of(&self.db, application_id).await {
            Ok(Some(open)) => self.settle_and_close(&open, "candidate", now).await,
            Ok(None) => return,
            Err(e) => Err(e.into()),
        };
        if let Err(e) = closed {
            tracing::warn!(application_id, error = %e, "open order could not be closed");
        }
    }
}
