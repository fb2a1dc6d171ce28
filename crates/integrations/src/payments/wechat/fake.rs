//! A local WeChat Pay (API v3, Native) for tests: feature `fake-wechat-pay`.
//!
//! It holds orders and refunds in memory, checks every request's `Authorization` as WeChat Pay
//! does (the signature recomputed from what arrived, with the merchant public key it was given;
//! 401 `SIGN_ERROR`, unsigned, otherwise), signs its answers with a platform key made at start
//! (a certificate, or a WeChat Pay public key), and can be told to get its answers wrong
//! ([`AnswerFault`]). What a candidate does in WeChat is a method: [`FakeWechatPay::pay`].
//! Callbacks are built with [`signed_callback`] (usable without the server) or
//! [`FakeWechatPay::callback_for_order`], and sent with [`SignedCallback::post`].
//!
//! ```text
//! let wechat = FakeWechatPay::start().await;
//! let client = WechatPay::new(wechat.config())?;
//! let code_url = client.create_native(&order).await?;
//! wechat.pay(&order.out_trade_no)?;
//! wechat.callback_for_order(&order.out_trade_no, None)?.post(&our_notify_url).await?;
//! ```

mod bill_file;
mod callbacks;
mod keys;
mod server;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::money::Fen;

pub use callbacks::{
    CallbackFault, RefundResource, SignedCallback, faulty_callback, signed_callback,
    transaction_resource,
};
pub use keys::{PlatformKey, SignatureHeaders, TestKey, VerifierMode};

use super::WechatPayConfig;
use crate::payments::RefundStatus;

/// The merchant the fake serves.
pub const MCHID: &str = "1900000109";
pub const APPID: &str = "wx8888888888888888";
pub const MERCHANT_SERIAL_NO: &str = "3775B6A45ACD588826D15E583A95F5DD3A7A2B51";
/// 32 bytes, as the APIv3 key must be.
pub const APIV3_KEY: &str = "fakeApiV3Key0123456789abcdefABCD";

/// What to get wrong in every answer from now on (until cleared).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerFault {
    /// Signed by a key under a serial the merchant does not know.
    UnknownSerial,
    /// The signature does not match the body.
    BadSignature,
    /// Signed (correctly) with a timestamp this many seconds off.
    SkewedTimestamp(i64),
    /// No signature headers at all.
    Unsigned,
    /// 500 `SYSTEM_ERROR` (signed), whatever was asked.
    ServerError,
    /// 429 `FREQUENCY_LIMITED` (signed).
    Throttled,
    /// Wait this long before answering.
    Delay(Duration),
    /// The bill file differs from the hash announced for it.
    TamperedBill,
}

/// A request the fake refused (its `Authorization` did not check out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRequest {
    pub method: String,
    pub path_and_query: String,
    /// The error code answered: `SIGN_ERROR`.
    pub code: String,
    /// What was wrong, for the test's eyes.
    pub reason: String,
}

/// An order as the fake holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeOrder {
    pub out_trade_no: String,
    pub description: String,
    pub total: i64,
    pub notify_url: String,
    pub time_expire: String,
    pub code_url: String,
    /// `NOTPAY`, `SUCCESS`, `REFUND` or `CLOSED`.
    pub trade_state: String,
    pub transaction_id: Option<String>,
    pub success_time: Option<DateTime<Utc>>,
}

/// A refund as the fake holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeRefund {
    pub out_trade_no: String,
    pub transaction_id: String,
    pub out_refund_no: String,
    pub refund_id: String,
    pub refund: i64,
    pub total: i64,
    pub reason: String,
    /// `PROCESSING` until [`FakeWechatPay::complete_refund`], then `SUCCESS`.
    pub status: String,
    pub created: DateTime<Utc>,
    pub success_time: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Ledger {
    orders: BTreeMap<String, FakeOrder>,
    refunds: BTreeMap<String, FakeRefund>,
    refused: Vec<RefusedRequest>,
    fault: Option<AnswerFault>,
    /// Download token → the bill file it stands for.
    bill_files: BTreeMap<String, Vec<u8>>,
    /// Every request that reached the server, as `METHOD path?query`.
    seen: Vec<String>,
    next_number: u64,
}

struct Shared {
    ledger: Mutex<Ledger>,
    merchant: TestKey,
    platform: PlatformKey,
    base_url: String,
}

impl Shared {
    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running fake WeChat Pay; it serves until the test's runtime ends.
#[derive(Clone)]
pub struct FakeWechatPay {
    /// `http://127.0.0.1:port`.
    pub url: String,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FakeWechatPay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeWechatPay")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl FakeWechatPay {
    /// Starts on `127.0.0.1:0`, signing with a platform certificate.
    pub async fn start() -> FakeWechatPay {
        FakeWechatPay::start_with(VerifierMode::Certificate).await
    }

    /// Starts on `127.0.0.1:0`, signing under a certificate serial or a `PUB_KEY_ID_…`.
    pub async fn start_with(mode: VerifierMode) -> FakeWechatPay {
        let platform = PlatformKey::new(TestKey::shared(1), mode);
        FakeWechatPay::start_with_keys(TestKey::shared(0), platform).await
    }

    /// Starts with the given merchant key (whose public half it checks requests with) and
    /// platform key (which signs its answers).
    pub async fn start_with_keys(merchant: TestKey, platform: PlatformKey) -> FakeWechatPay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let shared = Arc::new(Shared {
            ledger: Mutex::new(Ledger::default()),
            merchant,
            platform,
            base_url: url.clone(),
        });
        let router = server::router(Arc::clone(&shared));
        tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("fake WeChat Pay");
        });
        FakeWechatPay { url, shared }
    }

    /// A client configuration that matches this server: its merchant key, its platform key.
    pub fn config(&self) -> WechatPayConfig {
        let (platform_certificates_pem, wechatpay_public_key) = self.shared.platform.trusted();
        WechatPayConfig {
            endpoint: self.url.clone(),
            mchid: MCHID.into(),
            appid: APPID.into(),
            merchant_serial_no: MERCHANT_SERIAL_NO.into(),
            merchant_private_key_pem: self.shared.merchant.private_key_pem().to_owned(),
            apiv3_key: APIV3_KEY.into(),
            platform_certificates_pem,
            wechatpay_public_key,
            timeout: Duration::from_secs(5),
        }
    }

    /// The key that signs this server's answers (and the callbacks it builds).
    pub fn platform(&self) -> &PlatformKey {
        &self.shared.platform
    }

    /// The candidate scanned and paid: `NOTPAY` → `SUCCESS`, with a transaction id and now as
    /// the payment time.
    pub fn pay(&self, out_trade_no: &str) -> Result<FakeOrder, String> {
        let mut ledger = self.shared.ledger();
        ledger.next_number += 1;
        let number = ledger.next_number;
        let order = ledger
            .orders
            .get_mut(out_trade_no)
            .ok_or_else(|| format!("no order {out_trade_no}"))?;
        if order.trade_state != "NOTPAY" {
            return Err(format!("order {out_trade_no} is {}", order.trade_state));
        }
        order.trade_state = "SUCCESS".into();
        order.transaction_id = Some(format!("42000{number:023}"));
        order.success_time = Some(now_seconds());
        Ok(order.clone())
    }

    /// WeChat Pay finished a refund: `PROCESSING` → `SUCCESS`.
    pub fn complete_refund(&self, out_refund_no: &str) -> Result<FakeRefund, String> {
        let mut ledger = self.shared.ledger();
        let refund = ledger
            .refunds
            .get_mut(out_refund_no)
            .ok_or_else(|| format!("no refund {out_refund_no}"))?;
        refund.status = "SUCCESS".into();
        refund.success_time = Some(now_seconds());
        Ok(refund.clone())
    }

    pub fn order(&self, out_trade_no: &str) -> Option<FakeOrder> {
        self.shared.ledger().orders.get(out_trade_no).cloned()
    }

    /// The refunds of an order, oldest first.
    pub fn refunds_of(&self, out_trade_no: &str) -> Vec<FakeRefund> {
        let ledger = self.shared.ledger();
        let mut refunds: Vec<_> = ledger
            .refunds
            .values()
            .filter(|r| r.out_trade_no == out_trade_no)
            .cloned()
            .collect();
        refunds.sort_by_key(|r| r.created);
        refunds
    }

    /// The requests whose signature did not check out.
    pub fn refused_requests(&self) -> Vec<RefusedRequest> {
        self.shared.ledger().refused.clone()
    }

    /// Every request that reached the server, as `METHOD path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.shared.ledger().seen.clone()
    }

    /// Gets every answer wrong this way from now on (`None`: answer properly again).
    pub fn set_fault(&self, fault: Option<AnswerFault>) {
        self.shared.ledger().fault = fault;
    }

    /// The `TRANSACTION.SUCCESS` callback of a paid order, signed by the platform key and
    /// encrypted with [`APIV3_KEY`], with `fault` applied.
    pub fn callback_for_order(
        &self,
        out_trade_no: &str,
        fault: Option<CallbackFault>,
    ) -> Result<SignedCallback, String> {
        let order = self
            .order(out_trade_no)
            .ok_or_else(|| format!("no order {out_trade_no}"))?;
        let (Some(transaction_id), Some(paid_at)) = (&order.transaction_id, order.success_time)
        else {
            return Err(format!("order {out_trade_no} is not paid"));
        };
        let resource =
            transaction_resource(out_trade_no, transaction_id, Fen(order.total), paid_at);
        Ok(faulty_callback(
            self.platform(),
            APIV3_KEY,
            "TRANSACTION.SUCCESS",
            &resource,
            Utc::now(),
            fault,
        ))
    }

    /// POSTs the payment callback of a paid order to `url` (our notify endpoint), as WeChat
    /// Pay would after [`FakeWechatPay::pay`]; returns the status and body we answered.
    pub async fn send_payment_callback(
        &self,
        out_trade_no: &str,
        url: &str,
        fault: Option<CallbackFault>,
    ) -> Result<(u16, String), String> {
        let callback = self.callback_for_order(out_trade_no, fault)?;
        callback.post(url).await.map_err(|e| e.to_string())
    }

    /// The `REFUND.SUCCESS` (or `REFUND.ABNORMAL`/`REFUND.CLOSED`, after the refund's status)
    /// callback of a refund.
    pub fn callback_for_refund(
        &self,
        out_refund_no: &str,
        fault: Option<CallbackFault>,
    ) -> Result<SignedCallback, String> {
        let refund = self
            .shared
            .ledger()
            .refunds
            .get(out_refund_no)
            .cloned()
            .ok_or_else(|| format!("no refund {out_refund_no}"))?;
        let status = RefundStatus::parse(&refund.status).expect("the fake's own status");
        let (event_type, resource) = RefundResource {
            out_trade_no: &refund.out_trade_no,
            transaction_id: &refund.transaction_id,
            out_refund_no: &refund.out_refund_no,
            refund_id: &refund.refund_id,
            status,
            refund: Fen(refund.refund),
            total: Fen(refund.total),
            at: refund.success_time.unwrap_or(refund.created),
        }
        .event()
        .ok_or_else(|| {
            format!(
                "refund {out_refund_no} is {}: no callback yet",
                refund.status
            )
        })?;
        Ok(faulty_callback(
            self.platform(),
            APIV3_KEY,
            event_type,
            &resource,
            Utc::now(),
            fault,
        ))
    }
}

/// Now, to the second (WeChat Pay's times have no fractions).
fn now_seconds() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).expect("now is representable")
}
