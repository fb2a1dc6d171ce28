//! The JSON WeChat Pay sends (an order, a refund, an error) and what it means in our types.
//! An order is the same shape in a query's answer and in a payment callback's resource; a refund
//! nearly so (`status` in answers, `refund_status` in callbacks).

use chrono::{DateTime, Utc};
use domain::money::Fen;
use serde::Deserialize;

use crate::payments::{ProviderOrder, ProviderPayment, ProviderRefund, RefundStatus, TradeState};

/// An order (`/v3/pay/transactions/out-trade-no/…` answer, `TRANSACTION.SUCCESS` resource).
#[derive(Debug, Deserialize)]
pub(super) struct Transaction {
    pub mchid: Option<String>,
    pub out_trade_no: String,
    pub trade_state: String,
    pub transaction_id: Option<String>,
    pub success_time: Option<String>,
    pub amount: Option<TransactionAmount>,
}

#[derive(Debug, Deserialize)]
pub(super) struct TransactionAmount {
    pub total: Option<i64>,
}

impl Transaction {
    /// The order as we model it. A paid order must say what, when and under which number.
    pub(super) fn into_order(self) -> Result<ProviderOrder, String> {
        let trade_state = TradeState::parse(&self.trade_state)
            .ok_or_else(|| format!("unknown trade_state {:?}", self.trade_state))?;
        let payment = if trade_state.money_taken() {
            let transaction_id = self
                .transaction_id
                .filter(|id| !id.is_empty())
                .ok_or("a paid order without transaction_id")?;
            let total = self
                .amount
                .and_then(|a| a.total)
                .ok_or("a paid order without amount.total")?;
            let paid_at = self
                .success_time
                .as_deref()
                .ok_or("a paid order without success_time")
                .and_then(|t| instant(t).ok_or("success_time is not RFC 3339"))?;
            Some(ProviderPayment {
                transaction_id,
                amount: Fen(total),
                paid_at,
            })
        } else {
            None
        };
        Ok(ProviderOrder {
            out_trade_no: self.out_trade_no,
            trade_state,
            payment,
        })
    }
}

/// A refund (`/v3/refund/domestic/refunds` answers, `REFUND.*` resources).
#[derive(Debug, Deserialize)]
pub(super) struct Refund {
    pub mchid: Option<String>,
    pub out_trade_no: String,
    pub out_refund_no: String,
    pub refund_id: String,
    /// In answers.
    pub status: Option<String>,
    /// In callbacks.
    pub refund_status: Option<String>,
    pub success_time: Option<String>,
    pub amount: RefundAmount,
}

#[derive(Debug, Deserialize)]
pub(super) struct RefundAmount {
    pub refund: i64,
}

impl Refund {
    pub(super) fn into_refund(self) -> Result<ProviderRefund, String> {
        let raw = self
            .status
            .or(self.refund_status)
            .ok_or("a refund without status")?;
        let status =
            RefundStatus::parse(&raw).ok_or_else(|| format!("unknown refund status {raw:?}"))?;
        let succeeded_at = match self.success_time.as_deref().filter(|t| !t.is_empty()) {
            Some(t) => Some(instant(t).ok_or("success_time is not RFC 3339")?),
            None => None,
        };
        Ok(ProviderRefund {
            out_trade_no: self.out_trade_no,
            out_refund_no: self.out_refund_no,
            refund_id: self.refund_id,
            status,
            amount: Fen(self.amount.refund),
            succeeded_at,
        })
    }
}

/// `{"code": "…", "message": "…"}`, WeChat Pay's error answer.
#[derive(Debug, Deserialize)]
pub(super) struct ApiError {
    pub code: String,
    #[serde(default)]
    pub message: String,
}

/// `/v3/pay/transactions/native`'s answer.
#[derive(Debug, Deserialize)]
pub(super) struct CodeUrl {
    pub code_url: String,
}

/// `/v3/bill/tradebill`'s answer.
#[derive(Debug, Deserialize)]
pub(super) struct BillAddress {
    pub download_url: String,
    pub hash_type: String,
    pub hash_value: String,
}

/// WeChat Pay writes instants in RFC 3339 with the Beijing offset (`2018-06-08T10:34:56+08:00`).
pub(super) fn instant(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paid_order_reads_its_payment() {
        let body = r#"{"appid":"wxd678efh567hg6787","mchid":"1230000109","out_trade_no":"1217752501201407033233368018",
            "transaction_id":"1217752501201407033233368018","trade_type":"NATIVE","trade_state":"SUCCESS",
            "trade_state_desc":"支付成功","bank_type":"CMC","success_time":"2018-06-08T10:34:56+08:00",
            "payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},"amount":{"total":100,"payer_total":100,"currency":"CNY","payer_currency":"CNY"}}"#;
        let order = serde_json::from_str::<Transaction>(body)
            .unwrap()
            .into_order()
            .unwrap();
        assert_eq!(order.trade_state, TradeState::Paid);
        let payment = order.payment.unwrap();
        assert_eq!(payment.amount, Fen(100));
        assert_eq!(payment.paid_at.to_rfc3339(), "2018-06-08T02:34:56+00:00");
    }

    #[test]
    fn an_unpaid_order_has_no_payment_and_a_paid_one_must_have_one() {
        let unpaid = r#"{"out_trade_no":"abc123","trade_state":"NOTPAY","amount":{"total":100}}"#;
        let order = serde_json::from_str::<Transaction>(unpaid)
            .unwrap()
            .into_order()
            .unwrap();
        assert_eq!(
            (order.trade_state, order.payment),
            (TradeState::NotPaid, None)
        );
        let bare = r#"{"out_trade_no":"abc123","trade_state":"SUCCESS"}"#;
        assert!(
            serde_json::from_str::<Transaction>(bare)
                .unwrap()
                .into_order()
                .is_err()
        );
    }

    #[test]
    fn a_refund_reads_status_from_either_field() {
        let answer = r#"{"refund_id":"50000000382019052709732678859","out_refund_no":"R1234567",
            "transaction_id":"1217752501201407033233368018","out_trade_no":"1217752501201407033233368018",
            "channel":"ORIGINAL","status":"PROCESSING","create_time":"2020-12-01T16:18:12+08:00",
            "amount":{"total":100,"refund":40,"payer_total":100,"payer_refund":40,"currency":"CNY"}}"#;
        let refund = serde_json::from_str::<Refund>(answer)
            .unwrap()
            .into_refund()
            .unwrap();
        assert_eq!(
            (refund.status, refund.amount, refund.succeeded_at),
            (RefundStatus::Processing, Fen(40), None)
        );
        let callback = r#"{"mchid":"1900000100","out_trade_no":"T1","transaction_id":"42","out_refund_no":"R1",
            "refund_id":"50","refund_status":"SUCCESS","success_time":"2018-06-08T10:34:56+08:00",
            "amount":{"total":999,"refund":999,"payer_total":999,"payer_refund":999}}"#;
        let refund = serde_json::from_str::<Refund>(callback)
            .unwrap()
            .into_refund()
            .unwrap();
        assert_eq!(refund.status, RefundStatus::Success);
        assert!(refund.succeeded_at.is_some());
    }
}
