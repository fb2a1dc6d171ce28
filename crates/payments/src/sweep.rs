//! The background round, run by the worker every few seconds on every instance (each step is a
//! conditional change, so two instances sweeping at once do each thing once).

use chrono::{DateTime, Duration, Timelike, Utc};
use store::payments as books;

use crate::Payments;

/// What one sweep did, for the log and the tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Open orders asked about at the provider.
    pub checked: u32,
    /// Applications expired at their payment deadline.
    pub expired: u32,
    /// Refunds asked for or followed up.
    pub refunds: u32,
    /// The day reconciled, if the daily report was made.
    pub reconciled: Option<chrono::NaiveDate>,
    /// Steps that failed (the next sweep tries again).
    pub errors: u32,
}

/// How many of each thing one sweep handles; the rest wait for the next.
const BATCH: u64 = 200;

/// The provider's bill for a day is ready in the morning after (WeChat Pay: from 10:00).
const BILL_READY_HOUR: u32 = 10;

impl Payments {
    pub async fn sweep(&self, now: DateTime<Utc>) -> SweepReport {
        let mut report = SweepReport::default();
        // 1. Lost callbacks, the candidates' 我已支付, orders past their expiry, and orders
        // closed since the last round, asked once more (money at the instant of closing).
        let due = match books::orders_to_check(&self.db, now, BATCH).await {
            Ok(mut orders) => books::closed_to_recheck(&self.db, now, BATCH)
                .await
                .map(|closed| {
                    orders.extend(closed);
                    orders
                }),
            Err(e) => Err(e),
        };
        match due {
            Ok(orders) => {
                for order in orders.iter().filter(|o| o.provider == self.provider.name()) {
                    report.checked += 1;
                    if let Err(e) = self.check(order, "sweep", now).await {
                        report.errors += 1;
                        tracing::warn!(out_trade_no = %order.out_trade_no, error = %e, "order check failed");
                    }
                }
            }
            Err(e) => {
                report.errors += 1;
                tracing::warn!(error = %e, "orders to check could not be read");
            }
        }
        // 2. Applications past their payment deadline: close what is open, then expire.
        match books::overdue_applications(&self.db, now, BATCH).await {
            Ok(ids) => {
                for id in ids {
                    match self.expire_if_unpaid(id, now).await {
                        Ok(true) => report.expired += 1,
                        Ok(false) => {}
                        Err(e) => {
                            report.errors += 1;
                            tracing::warn!(application_id = id, error = %e, "expiry failed");
                        }
                    }
                }
            }
            Err(e) => {
                report.errors += 1;
                tracing::warn!(error = %e, "overdue applications could not be read");
            }
        }
        // 3. Refunds to ask for or to follow.
        match books::refunds_in_flight(&self.db, BATCH).await {
            Ok(refunds) => {
                for (refund, order) in refunds {
                    report.refunds += 1;
                    self.push_refund(&refund, &order, now).await;
                }
            }
            Err(e) => {
                report.errors += 1;
                tracing::warn!(error = %e, "refunds in flight could not be read");
            }
        }
        // 4. Yesterday's reconciliation, once the bill is ready.
        let beijing = now.with_timezone(&domain::time::shanghai());
        if beijing.hour() >= BILL_READY_HOUR {
            let yesterday = beijing.date_naive() - Duration::days(1);
            match books::reconciliations(&self.db, Some(yesterday), 20).await {
                Ok(done)
                    if done
                        .iter()
                        .any(|r| r.provider == self.provider.name() && r.outcome != "failed") => {}
                Ok(done)
                    if done
                        .iter()
                        .filter(|r| r.provider == self.provider.name())
                        .count()
                        >= 3 =>
                {
                    // Failed three times today: staff see the failures; no more automatic tries.
                }
                Ok(_) => match self.reconcile(yesterday, None, now).await {
                    Ok(_) => report.reconciled = Some(yesterday),
                    Err(e) => {
                        report.errors += 1;
                        tracing::warn!(error = %e, "daily reconciliation failed");
                    }
                },
                Err(e) => {
                    report.errors += 1;
                    tracing::warn!(error = %e, "reconciliations could not be read");
                }
            }
        }
        report
    }

    /// Expires an application past its payment deadline, after closing its open order at the
    /// provider (a payment that lands first is recorded and the application is paid instead).
    async fn expire_if_unpaid(
        &self,
        application_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, crate::PayError> {
        if let Some(open) = books::open_order_of(&self.db, application_id).await? {
            self.settle_and_close(&open, "sweep", now).await?;
        }
        Ok(books::expire_application(&self.db, application_id, now).await?)
    }
}
