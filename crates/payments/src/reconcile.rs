//! The daily reconciliation: our payments and refunds of a Beijing day against the provider's
//! bill, every difference listed and the report kept.

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Fen;
use domain::payments::{Entry, compare};
use integrations::payments::{BillLineKind, PaymentError};
use serde_json::json;
use store::payments as books;

use crate::Payments;
use crate::simulated::beijing_day;

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("对账单尚未生成（{0}），请稍后再试")]
    NoBill(NaiveDate),
    #[error("无法下载对账单：{0}")]
    Provider(PaymentError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

impl ReconcileError {
    pub fn code(&self) -> &'static str {
        match self {
            ReconcileError::NoBill(_) => "bill_not_ready",
            ReconcileError::Provider(_) => "payment_provider_unavailable",
            ReconcileError::Store(_) => "internal",
        }
    }
}

fn total(entries: &[Entry], payments: bool) -> Fen {
    Fen(entries
        .iter()
        .map(|e| match (e, payments) {
            (Entry::Payment { amount, .. }, true) | (Entry::Refund { amount, .. }, false) => {
                amount.0
            }
            _ => 0,
        })
        .sum())
}

impl Payments {
    /// Compares `date`'s books with the provider's bill and saves the report (a failure to get
    /// the bill is saved too, so staff see it). Returns the saved report's id.
    pub async fn reconcile(
        &self,
        date: NaiveDate,
        requested_by: Option<(i64, &str)>,
        now: DateTime<Utc>,
    ) -> Result<i64, ReconcileError> {
        let provider = self.provider.name();
        let bill = match self.provider.bill(date).await {
            Ok(bill) => bill,
            Err(PaymentError::NoBill) => return Err(ReconcileError::NoBill(date)),
            Err(e) => {
                books::save_reconciliation(
                    &self.db,
                    provider,
                    date,
                    "failed",
                    &json!({ "error": e.to_string() }),
                    requested_by,
                    now,
                )
                .await?;
                return Err(ReconcileError::Provider(e));
            }
        };
        let theirs: Vec<Entry> = bill
            .into_iter()
            .map(|line| match line.kind {
                BillLineKind::Payment { amount } => Entry::Payment {
                    out_trade_no: line.out_trade_no,
                    amount,
                },
                BillLineKind::Refund {
                    out_refund_no,
                    amount,
                } => Entry::Refund {
                    out_refund_no,
                    amount,
                },
            })
            .collect();
        let (from, to) = beijing_day(date);
        let ours = books::entries_for_day(&self.db, provider, from, to).await?;
        let differences = compare(&ours, &theirs);
        let outcome = if differences.is_empty() {
            "balanced"
        } else {
            "differences"
        };
        let report = json!({
            "ours": { "payments": total(&ours, true), "refunds": total(&ours, false),
                      "count": ours.len() },
            "theirs": { "payments": total(&theirs, true), "refunds": total(&theirs, false),
                        "count": theirs.len() },
            "differences": differences,
            "labels": differences.iter().map(|d| d.label()).collect::<Vec<_>>(),
        });
        if !differences.is_empty() {
            tracing::warn!(%date, count = differences.len(), "reconciliation found differences");
        }
        Ok(books::save_reconciliation(
            &self.db,
            provider,
            date,
            outcome,
            &report,
            requested_by,
            now,
        )
        .await?)
    }
}
