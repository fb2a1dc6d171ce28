//! The simulated provider, the embedded default: it behaves as WeChat Pay does towards us
//! (orders, NOTPAY → SUCCESS, close, refunds that are PROCESSING until asked about, a daily
//! bill), but its QR code opens a confirm page on the platform itself, so a demo can pay with a
//! phone or a second browser tab.
//!
//! Confirming there pays the order on the simulated side and produces a callback signed like
//! WeChat Pay's (the same `Wechatpay-*` headers, HMAC-SHA256 with a key of this process instead
//! of RSA), which goes through the same callback path as a real one: verified, then applied.

use async_trait::async_trait;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use integrations::payments::{
    BillLine, BillLineKind, IncomingNotification, NativeOrder, Notification, NotificationError,
    PaymentError, PaymentProvider, ProviderOrder, ProviderPayment, ProviderRefund, RefundRequest,
    RefundStatus, TradeState,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use store::Db;
use store::payments::simulated::{self as books, Closed, RefundRefused, SimOrder, SimRefund};

/// The `Wechatpay-Serial` the simulated provider signs with.
pub const SERIAL: &str = "SIMULATED";

/// The path of the confirm page, after the site's origin; the QR code holds
/// `{origin}{CONFIRM_PATH}{out_trade_no}`.
pub const CONFIRM_PATH: &str = "/pay/simulated/";

pub struct Simulated {
    db: Db,
    key: [u8; 32],
}

impl Simulated {
    /// A simulated provider keeping its books in `db`, signing with a key of this process
    /// (callbacks are made and checked by the same process).
    pub fn new(db: Db) -> Simulated {
        Simulated {
            db,
            key: rand::rng().random(),
        }
    }

    /// The order as the simulated provider holds it (for the confirm page).
    pub async fn order(&self, out_trade_no: &str) -> Result<Option<SimOrder>, PaymentError> {
        books::get(&self.db, out_trade_no)
            .await
            .map_err(unavailable)
    }

    /// The payer confirms on the simulated page: the order is paid (if it still can be) and the
    /// callback the provider would send is returned, signed. `None` when the order cannot be
    /// paid (unknown, closed, expired).
    pub async fn confirm(
        &self,
        out_trade_no: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IncomingNotification>, PaymentError> {
        let transaction_id = format!(
            "SIM{}{:06}",
            now.format("%Y%m%d%H%M%S"),
            rand::rng().random_range(0..1_000_000)
        );
        let Some(order) = books::pay(&self.db, out_trade_no, &transaction_id, now)
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        if order.trade_state != "SUCCESS" {
            return Ok(None);
        }
        let body = serde_json::to_vec(&Callback {
            event_type: "TRANSACTION.SUCCESS".into(),
            out_trade_no: order.out_trade_no.clone(),
            transaction_id: order.transaction_id.clone(),
            trade_state: order.trade_state.clone(),
            amount_fen: order.amount.0,
            success_time: order.paid_at,
        })
        .map_err(|e| PaymentError::Unavailable(e.to_string()))?;
        Ok(Some(self.sign(body, now)))
    }

    /// A callback as the simulated provider would send it: for the confirm page, and for tests
    /// that need one (repeated, or tampered with).
    pub fn sign(&self, body: Vec<u8>, now: DateTime<Utc>) -> IncomingNotification {
        let timestamp = now.timestamp().to_string();
        let nonce = hex::encode(rand::rng().random::<[u8; 16]>());
        let signature = self.signature(&timestamp, &nonce, &body);
        IncomingNotification {
            timestamp: Some(timestamp),
            nonce: Some(nonce),
            signature: Some(signature),
            serial: Some(SERIAL.into()),
            body,
        }
    }

    fn signature(&self, timestamp: &str, nonce: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(format!("{timestamp}\n{nonce}\n").as_bytes());
        mac.update(body);
        mac.update(b"\n");
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }
}

/// The simulated callback's body (plain JSON: there is nothing to hide from ourselves).
#[derive(Debug, Serialize, Deserialize)]
pub struct Callback {
    pub event_type: String,
    pub out_trade_no: String,
    pub transaction_id: Option<String>,
    pub trade_state: String,
    pub amount_fen: i64,
    pub success_time: Option<DateTime<Utc>>,
}

fn unavailable(e: store::StoreError) -> PaymentError {
    PaymentError::Unavailable(format!("simulated provider: {e}"))
}

fn provider_order(order: &SimOrder) -> ProviderOrder {
    let trade_state = TradeState::parse(&order.trade_state).unwrap_or(TradeState::NotPaid);
    let payment = match (&order.transaction_id, order.paid_at) {
        (Some(transaction_id), Some(paid_at)) if trade_state.money_taken() => {
            Some(ProviderPayment {
                transaction_id: transaction_id.clone(),
                amount: order.amount,
                paid_at,
            })
        }
        _ => None,
    };
    ProviderOrder {
        out_trade_no: order.out_trade_no.clone(),
        trade_state,
        payment,
    }
}

fn provider_refund(refund: &SimRefund) -> ProviderRefund {
    ProviderRefund {
        out_trade_no: refund.out_trade_no.clone(),
        out_refund_no: refund.out_refund_no.clone(),
        refund_id: refund.refund_id.clone(),
        status: RefundStatus::parse(&refund.status).unwrap_or(RefundStatus::Processing),
        amount: refund.amount,
        succeeded_at: refund.succeeded_at,
    }
}

/// The origin (`scheme://host[:port]`) of a notify URL.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

#[async_trait]
impl PaymentProvider for Simulated {
    fn name(&self) -> &'static str {
        "simulated"
    }

    async fn create_native(&self, order: &NativeOrder) -> Result<String, PaymentError> {
        let now = Utc::now();
        books::create(
            &self.db,
            SimOrder {
                out_trade_no: order.out_trade_no.clone(),
                description: order.description.clone(),
                amount: order.amount,
                expires_at: order.time_expire,
                trade_state: "NOTPAY".into(),
                transaction_id: None,
                paid_at: None,
                notify_url: order.notify_url.clone(),
            },
            now,
        )
        .await
        .map_err(unavailable)?;
        Ok(format!(
            "{}{CONFIRM_PATH}{}",
            origin_of(&order.notify_url),
            order.out_trade_no
        ))
    }

    async fn query(&self, out_trade_no: &str) -> Result<ProviderOrder, PaymentError> {
        let order = books::get(&self.db, out_trade_no)
            .await
            .map_err(unavailable)?
            .ok_or(PaymentError::NotFound)?;
        Ok(provider_order(&order))
    }

    async fn close(&self, out_trade_no: &str) -> Result<(), PaymentError> {
        match books::close(&self.db, out_trade_no)
            .await
            .map_err(unavailable)?
        {
            Closed::Closed => Ok(()),
            Closed::AlreadyPaid => Err(PaymentError::AlreadyPaid),
            Closed::NotFound => Err(PaymentError::NotFound),
        }
    }

    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund, PaymentError> {
        let taken = books::refund(
            &self.db,
            &request.out_refund_no,
            &request.out_trade_no,
            request.refund,
            Utc::now(),
        )
        .await
        .map_err(unavailable)?;
        match taken {
            Ok(refund) => Ok(provider_refund(&refund)),
            Err(RefundRefused::NoSuchOrder) => Err(PaymentError::NotFound),
            Err(RefundRefused::NotPaid) => Err(PaymentError::Refused("订单未支付".into())),
            Err(RefundRefused::TooMuch) => {
                Err(PaymentError::Refused("退款金额超过可退金额".into()))
            }
        }
    }

    async fn query_refund(&self, out_refund_no: &str) -> Result<ProviderRefund, PaymentError> {
        let refund = books::query_refund(&self.db, out_refund_no, Utc::now())
            .await
            .map_err(unavailable)?
            .ok_or(PaymentError::NotFound)?;
        Ok(provider_refund(&refund))
    }

    async fn verify_notification(
        &self,
        incoming: &IncomingNotification,
        now: DateTime<Utc>,
    ) -> Result<Notification, NotificationError> {
        let timestamp = incoming
            .timestamp
            .as_deref()
            .ok_or(NotificationError::MissingHeader("Wechatpay-Timestamp"))?;
        let nonce = incoming
            .nonce
            .as_deref()
            .ok_or(NotificationError::MissingHeader("Wechatpay-Nonce"))?;
        let signature = incoming
            .signature
            .as_deref()
            .ok_or(NotificationError::MissingHeader("Wechatpay-Signature"))?;
        let serial = incoming
            .serial
            .as_deref()
            .ok_or(NotificationError::MissingHeader("Wechatpay-Serial"))?;
        if serial != SERIAL {
            return Err(NotificationError::UnknownSerial(serial.to_owned()));
        }
        let expected = self.signature(timestamp, nonce, &incoming.body);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            signature.as_bytes(),
        )) {
            return Err(NotificationError::BadSignature);
        }
        let sent: i64 = timestamp
            .parse()
            .map_err(|_| NotificationError::Malformed("timestamp".into()))?;
        let skew = now.timestamp() - sent;
        if skew.abs() > 300 {
            return Err(NotificationError::ClockSkew(skew));
        }
        let callback: Callback = serde_json::from_slice(&incoming.body)
            .map_err(|e| NotificationError::Malformed(e.to_string()))?;
        if callback.event_type != "TRANSACTION.SUCCESS" {
            return Err(NotificationError::Malformed(format!(
                "event type {}",
                callback.event_type
            )));
        }
        let trade_state = TradeState::parse(&callback.trade_state)
            .ok_or_else(|| NotificationError::Malformed("trade_state".into()))?;
        let payment = match (callback.transaction_id, callback.success_time) {
            (Some(transaction_id), Some(paid_at)) => Some(ProviderPayment {
                transaction_id,
                amount: domain::money::Fen(callback.amount_fen),
                paid_at,
            }),
            _ => None,
        };
        Ok(Notification::Transaction(ProviderOrder {
            out_trade_no: callback.out_trade_no,
            trade_state,
            payment,
        }))
    }

    async fn bill(&self, date: NaiveDate) -> Result<Vec<BillLine>, PaymentError> {
        let (from, to) = beijing_day(date);
        if Utc::now() < to {
            return Err(PaymentError::NoBill);
        }
        let (paid, refunds) = books::bill(&self.db, from, to).await.map_err(unavailable)?;
        let mut lines: Vec<BillLine> = paid
            .into_iter()
            .filter_map(|o| {
                Some(BillLine {
                    at: o.paid_at?,
                    transaction_id: o.transaction_id.clone()?,
                    out_trade_no: o.out_trade_no,
                    kind: BillLineKind::Payment { amount: o.amount },
                })
            })
            .collect();
        for r in refunds {
            lines.push(BillLine {
                out_trade_no: r.out_trade_no.clone(),
                transaction_id: String::new(),
                at: r.succeeded_at.unwrap_or(r.created_at),
                kind: BillLineKind::Refund {
                    out_refund_no: r.out_refund_no,
                    amount: r.amount,
                },
            });
        }
        Ok(lines)
    }
}

/// A Beijing calendar day as the UTC instants `[start, end)`.
pub fn beijing_day(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = domain::time::shanghai_start_of(date);
    (start, start + chrono::Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirm_page_lives_on_the_notify_urls_site() {
        assert_eq!(
            origin_of("http://192.168.1.5:8080/api/v1/payments/notify/simulated"),
            "http://192.168.1.5:8080"
        );
        assert_eq!(
            origin_of("https://pay.example.cn"),
            "https://pay.example.cn"
        );
    }

    #[test]
    fn a_beijing_day_starts_at_four_pm_utc_the_day_before() {
        let (from, to) = beijing_day(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
        assert_eq!(from.to_rfc3339(), "2026-11-27T16:00:00+00:00");
        assert_eq!((to - from).num_hours(), 24);
    }
}
