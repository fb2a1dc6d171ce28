//! The WeChat Pay client against the fake WeChat Pay (`integrations::payments::wechat::fake`),
//! which checks every request's signature with the merchant public key and signs its answers
//! with a platform key of its own, both made at run time.
//!
//! Run with `cargo test -p integrations --features fake-wechat-pay`.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::{DateTime, FixedOffset, Utc};
use domain::money::Fen;
use integrations::payments::wechat::fake::{
    APIV3_KEY, AnswerFault, CallbackFault, FakeWechatPay, PlatformKey, TestKey, VerifierMode,
    signed_callback,
};
use integrations::payments::wechat::{WechatPay, WechatPayConfig};
use integrations::payments::{
    BillLineKind, IncomingNotification, NativeOrder, Notification, NotificationError, PaymentError,
    PaymentProvider, RefundRequest, RefundStatus, TradeState,
};
use serde_json::json;

fn client(fake: &FakeWechatPay) -> WechatPay {
    WechatPay::new(fake.config()).unwrap()
}

fn order(out_trade_no: &str, fen: i64) -> NativeOrder {
    NativeOrder {
        out_trade_no: out_trade_no.into(),
        description: "电工（四级）报名费".into(),
        amount: Fen(fen),
        time_expire: Utc::now() + chrono::Duration::minutes(30),
        notify_url: "https://skillcert.example/payments/wechat/notify".into(),
    }
}

fn refund(out_trade_no: &str, out_refund_no: &str, refund: i64, total: i64) -> RefundRequest {
    RefundRequest {
        out_trade_no: out_trade_no.into(),
        out_refund_no: out_refund_no.into(),
        reason: "报名取消".into(),
        refund: Fen(refund),
        total: Fen(total),
        notify_url: "https://skillcert.example/payments/wechat/refund-notify".into(),
    }
}

/// A fake with one order paid by the candidate.
async fn paid_order(out_trade_no: &str, fen: i64) -> (FakeWechatPay, WechatPay) {
    let fake = FakeWechatPay::start().await;
    let wechat = client(&fake);
    wechat
        .create_native(&order(out_trade_no, fen))
        .await
        .unwrap();
    fake.pay(out_trade_no).unwrap();
    (fake, wechat)
}

fn assert_unavailable<T: std::fmt::Debug>(result: Result<T, PaymentError>, what: &str) -> String {
    match result {
        Err(PaymentError::Unavailable(text)) => text,
        other => panic!("{what}: expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn an_order_is_created_waits_for_the_candidate_and_then_reads_as_paid() {
    let fake = FakeWechatPay::start().await;
    let wechat = client(&fake);
    assert_eq!(wechat.name(), "wechat");

    let code_url = wechat
        .create_native(&order("T20261128001", 12000))
        .await
        .unwrap();
    assert!(
        code_url.starts_with("weixin://wxpay/bizpayurl?pr="),
        "{code_url}"
    );
    let held = fake.order("T20261128001").unwrap();
    assert_eq!(
        (held.total, held.description.as_str()),
        (12000, "电工（四级）报名费")
    );
    assert!(held.time_expire.ends_with("+08:00"), "{}", held.time_expire);
    // Asking again for the same order is the same QR code.
    assert_eq!(
        wechat
            .create_native(&order("T20261128001", 12000))
            .await
            .unwrap(),
        code_url
    );

    let waiting = wechat.query("T20261128001").await.unwrap();
    assert_eq!(
        (waiting.trade_state, waiting.payment),
        (TradeState::NotPaid, None)
    );

    let paid = fake.pay("T20261128001").unwrap();
    let order = wechat.query("T20261128001").await.unwrap();
    assert_eq!(order.trade_state, TradeState::Paid);
    let payment = order.payment.unwrap();
    assert_eq!(Some(payment.transaction_id), paid.transaction_id);
    assert_eq!(payment.amount, Fen(12000));
    assert_eq!(Some(payment.paid_at), paid.success_time);

    assert_eq!(
        wechat.create_native(&order_again("T20261128001")).await,
        Err(PaymentError::AlreadyPaid)
    );
    assert!(fake.refused_requests().is_empty());
}

fn order_again(out_trade_no: &str) -> NativeOrder {
    order(out_trade_no, 12000)
}

#[tokio::test]
async fn closing_an_unpaid_order_closes_it_once_and_a_paid_one_is_already_paid() {
    let fake = FakeWechatPay::start().await;
    let wechat = client(&fake);
    wechat
        .create_native(&order("T20261128002", 12000))
        .await
        .unwrap();
    wechat.close("T20261128002").await.unwrap();
    assert_eq!(
        wechat.query("T20261128002").await.unwrap().trade_state,
        TradeState::Closed
    );
    // Closing a closed order is done already.
    wechat.close("T20261128002").await.unwrap();

    wechat
        .create_native(&order("T20261128003", 12000))
        .await
        .unwrap();
    fake.pay("T20261128003").unwrap();
    assert_eq!(
        wechat.close("T20261128003").await,
        Err(PaymentError::AlreadyPaid)
    );
    assert_eq!(fake.order("T20261128003").unwrap().trade_state, "SUCCESS");
}

#[tokio::test]
async fn an_order_the_provider_never_saw_is_not_found() {
    let fake = FakeWechatPay::start().await;
    let wechat = client(&fake);
    assert_eq!(
        wechat.query("T20269999999").await,
        Err(PaymentError::NotFound)
    );
    assert_eq!(
        wechat.close("T20269999999").await,
        Err(PaymentError::NotFound)
    );
    assert_eq!(
        wechat.query_refund("R20269999999").await,
        Err(PaymentError::NotFound)
    );
}

#[tokio::test]
async fn numbers_that_would_change_the_signed_path_are_refused_before_sending() {
    let fake = FakeWechatPay::start().await;
    let wechat = client(&fake);
    let err = wechat
        .query("../../v3/refund/domestic/refunds/R1")
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentError::Refused(_)), "{err:?}");
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

#[tokio::test]
async fn a_paid_order_is_refunded_in_two_parts_and_a_repeated_refund_is_the_same_one() {
    let (fake, wechat) = paid_order("T20261128010", 12000).await;

    let first = wechat
        .refund(&refund("T20261128010", "R20261128010A", 4000, 12000))
        .await
        .unwrap();
    assert_eq!(
        (
            first.status,
            first.amount,
            first.out_trade_no.as_str(),
            first.succeeded_at
        ),
        (RefundStatus::Processing, Fen(4000), "T20261128010", None)
    );
    // The same refund number again (a retry after a lost answer) is the same refund.
    let again = wechat
        .refund(&refund("T20261128010", "R20261128010A", 4000, 12000))
        .await
        .unwrap();
    assert_eq!(again.refund_id, first.refund_id);
    assert_eq!(fake.refunds_of("T20261128010").len(), 1);

    let rest = wechat
        .refund(&refund("T20261128010", "R20261128010B", 8000, 12000))
        .await
        .unwrap();
    assert_ne!(rest.refund_id, first.refund_id);
    assert_eq!(fake.refunds_of("T20261128010").len(), 2);

    // Nothing is left to give back.
    let over = wechat
        .refund(&refund("T20261128010", "R20261128010C", 1, 12000))
        .await;
    assert!(
        matches!(&over, Err(PaymentError::Refused(text)) if text.contains("INVALID_REQUEST")),
        "{over:?}"
    );

    fake.complete_refund("R20261128010A").unwrap();
    let done = wechat.query_refund("R20261128010A").await.unwrap();
    assert_eq!(
        (done.status, done.amount),
        (RefundStatus::Success, Fen(4000))
    );
    assert!(done.succeeded_at.is_some());
    assert_eq!(
        wechat.query_refund("R20261128010B").await.unwrap().status,
        RefundStatus::Processing
    );
    assert_eq!(
        wechat.query("T20261128010").await.unwrap().trade_state,
        TradeState::Refunded
    );
}

#[tokio::test]
async fn a_request_signed_with_another_merchant_key_is_refused_by_wechat_pay() {
    let fake = FakeWechatPay::start().await;
    let config = WechatPayConfig {
        merchant_private_key_pem: TestKey::shared(3).private_key_pem().to_owned(),
        ..fake.config()
    };
    let wechat = WechatPay::new(config).unwrap();
    let err = wechat
        .create_native(&order("T20261128020", 12000))
        .await
        .unwrap_err();
    // A final refusal: retrying with the same key cannot help; the text names the cause.
    assert!(
        matches!(&err, PaymentError::Refused(text) if text.contains("SIGN_ERROR")),
        "{err:?}"
    );
    let refused = fake.refused_requests();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].code, "SIGN_ERROR");
    assert_eq!(refused[0].path_and_query, "/v3/pay/transactions/native");
    assert!(refused[0].reason.contains("signature"), "{:?}", refused[0]);
    assert!(fake.order("T20261128020").is_none());
}

#[tokio::test]
async fn answers_that_do_not_verify_are_never_trusted() {
    let (fake, wechat) = paid_order("T20261128030", 12000).await;
    for fault in [
        AnswerFault::UnknownSerial,
        AnswerFault::BadSignature,
        AnswerFault::SkewedTimestamp(600),
        AnswerFault::SkewedTimestamp(-600),
        AnswerFault::Unsigned,
    ] {
        fake.set_fault(Some(fault));
        let text = assert_unavailable(wechat.query("T20261128030").await, &format!("{fault:?}"));
        assert!(text.contains("T20261128030"), "{text}");
        // An error answer that cannot be verified cannot say "not found" either.
        assert_unavailable(
            wechat.query("T20269999999").await,
            &format!("{fault:?} on a 404"),
        );
    }
    fake.set_fault(None);
    assert_eq!(
        wechat.query("T20261128030").await.unwrap().trade_state,
        TradeState::Paid
    );
}

#[tokio::test]
async fn server_errors_throttling_timeouts_and_refused_connections_are_retryable() {
    let fake = FakeWechatPay::start().await;
    let wechat = client(&fake);
    fake.set_fault(Some(AnswerFault::ServerError));
    let text = assert_unavailable(
        wechat.create_native(&order("T20261128040", 100)).await,
        "500",
    );
    assert!(text.contains("SYSTEM_ERROR"), "{text}");
    fake.set_fault(Some(AnswerFault::Throttled));
    assert_unavailable(wechat.query("T20261128040").await, "429");

    let impatient = WechatPay::new(WechatPayConfig {
        timeout: Duration::from_millis(300),
        ..fake.config()
    })
    .unwrap();
    fake.set_fault(Some(AnswerFault::Delay(Duration::from_secs(3))));
    let err = impatient.query("T20261128040").await.unwrap_err();
    assert!(err.retryable(), "{err:?}");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let unreachable = WechatPay::new(WechatPayConfig {
        endpoint: nowhere,
        ..fake.config()
    })
    .unwrap();
    assert_unavailable(
        unreachable.query("T20261128040").await,
        "connection refused",
    );
}

/// A callback's headers, as our HTTP layer reads them.
fn incoming(headers: &HeaderMap, body: Bytes) -> IncomingNotification {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    IncomingNotification {
        timestamp: header("Wechatpay-Timestamp"),
        nonce: header("Wechatpay-Nonce"),
        signature: header("Wechatpay-Signature"),
        serial: header("Wechatpay-Serial"),
        body: body.to_vec(),
    }
}

async fn notification_checks(mode: VerifierMode) {
    let fake = FakeWechatPay::start_with(mode).await;
    let wechat = client(&fake);
    wechat
        .create_native(&order("T20261128050", 12000))
        .await
        .unwrap();
    let paid = fake.pay("T20261128050").unwrap();
    let now = Utc::now();

    let callback = fake.callback_for_order("T20261128050", None).unwrap();
    if mode == VerifierMode::PublicKey {
        assert!(
            callback.headers.serial.starts_with("PUB_KEY_ID_"),
            "{:?}",
            callback.headers
        );
    }
    let Notification::Transaction(order) = wechat
        .verify_notification(&callback.incoming(), now)
        .await
        .unwrap()
    else {
        panic!("not a transaction");
    };
    assert_eq!(
        (order.out_trade_no.as_str(), order.trade_state),
        ("T20261128050", TradeState::Paid)
    );
    let payment = order.payment.unwrap();
    assert_eq!(
        (Some(payment.transaction_id), payment.amount),
        (paid.transaction_id, Fen(12000))
    );

    wechat
        .refund(&refund("T20261128050", "R20261128050", 12000, 12000))
        .await
        .unwrap();
    fake.complete_refund("R20261128050").unwrap();
    let callback = fake.callback_for_refund("R20261128050", None).unwrap();
    let Notification::Refund(refunded) = wechat
        .verify_notification(&callback.incoming(), now)
        .await
        .unwrap()
    else {
        panic!("not a refund");
    };
    assert_eq!(
        (
            refunded.out_refund_no.as_str(),
            refunded.status,
            refunded.amount
        ),
        ("R20261128050", RefundStatus::Success, Fen(12000))
    );

    let faulty = |fault| {
        fake.callback_for_order("T20261128050", Some(fault))
            .unwrap()
            .incoming()
    };
    assert_eq!(
        wechat
            .verify_notification(&faulty(CallbackFault::BadSignature), now)
            .await,
        Err(NotificationError::BadSignature)
    );
    assert!(matches!(
        wechat
            .verify_notification(&faulty(CallbackFault::UnknownSerial), now)
            .await,
        Err(NotificationError::UnknownSerial(_))
    ));
    let skewed = wechat
        .verify_notification(&faulty(CallbackFault::SkewedTimestamp(360)), now)
        .await;
    assert!(
        matches!(skewed, Err(NotificationError::ClockSkew(s)) if (-362..=-358).contains(&s)),
        "{skewed:?}"
    );
    assert_eq!(
        wechat
            .verify_notification(&faulty(CallbackFault::WrongApiV3Key), now)
            .await,
        Err(NotificationError::Decrypt)
    );
    // A well-signed callback with another amount verifies: comparing the amount with our order
    // is the payments crate's business.
    let Ok(Notification::Transaction(wrong)) = wechat
        .verify_notification(&faulty(CallbackFault::WrongAmount), now)
        .await
    else {
        panic!("the wrong-amount callback must verify");
    };
    assert_eq!(wrong.payment.unwrap().amount, Fen(12001));

    // Our own clock decides: the same callback read 6 minutes later is stale.
    let later = now + chrono::Duration::minutes(6);
    assert!(matches!(
        wechat
            .verify_notification(&callback.incoming(), later)
            .await,
        Err(NotificationError::ClockSkew(_))
    ));

    for (missing, strip) in [
        ("Wechatpay-Timestamp", 0),
        ("Wechatpay-Nonce", 1),
        ("Wechatpay-Signature", 2),
        ("Wechatpay-Serial", 3),
    ] {
        let mut bare = callback.incoming();
        match strip {
            0 => bare.timestamp = None,
            1 => bare.nonce = None,
            2 => bare.signature = Some(String::new()),
            _ => bare.serial = None,
        }
        assert_eq!(
            wechat.verify_notification(&bare, now).await,
            Err(NotificationError::MissingHeader(missing))
        );
    }
}

#[tokio::test]
async fn callbacks_signed_under_a_platform_certificate_verify_and_faulty_ones_are_refused() {
    notification_checks(VerifierMode::Certificate).await;
}

#[tokio::test]
async fn callbacks_signed_under_a_wechat_pay_public_key_verify_and_faulty_ones_are_refused() {
    notification_checks(VerifierMode::PublicKey).await;
}

#[tokio::test]
async fn a_merchant_moving_to_the_public_key_trusts_both_keys() {
    let fake = FakeWechatPay::start_with(VerifierMode::PublicKey).await;
    let old = PlatformKey::certificate(TestKey::shared(2));
    let config = WechatPayConfig {
        platform_certificates_pem: old.trusted().0,
        ..fake.config()
    };
    assert!(config.wechatpay_public_key.is_some());
    let wechat = WechatPay::new(config).unwrap();
    let resource = json!({
        "mchid": "1900000109", "out_trade_no": "T20261128060", "transaction_id": "4200000000000001",
        "trade_state": "SUCCESS", "success_time": "2026-11-28T10:00:00+08:00", "amount": {"total": 100},
    });
    for signer in [&old, fake.platform()] {
        let callback = signed_callback(
            signer,
            APIV3_KEY,
            "TRANSACTION.SUCCESS",
            &resource,
            Utc::now(),
        );
        let notification = wechat
            .verify_notification(&callback.incoming(), Utc::now())
            .await;
        assert!(
            matches!(notification, Ok(Notification::Transaction(_))),
            "{notification:?}"
        );
    }
}

#[tokio::test]
async fn a_callback_posted_to_our_endpoint_is_verified_there() {
    let fake = FakeWechatPay::start().await;
    let wechat = std::sync::Arc::new(client(&fake));
    async fn notify(
        State(wechat): State<std::sync::Arc<WechatPay>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        match wechat
            .verify_notification(&incoming(&headers, body), Utc::now())
            .await
        {
            Ok(_) => StatusCode::NO_CONTENT,
            Err(_) => StatusCode::BAD_REQUEST,
        }
    }
    let app = Router::new()
        .route("/notify", post(notify))
        .with_state(wechat.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    wechat
        .create_native(&order("T20261128070", 12000))
        .await
        .unwrap();
    fake.pay("T20261128070").unwrap();
    let good = fake.callback_for_order("T20261128070", None).unwrap();
    assert_eq!(good.post(&url).await.unwrap().0, 204);
    for fault in [
        CallbackFault::BadSignature,
        CallbackFault::SkewedTimestamp(-360),
        CallbackFault::UnknownSerial,
        CallbackFault::WrongApiV3Key,
    ] {
        let answered = fake
            .send_payment_callback("T20261128070", &url, Some(fault))
            .await
            .unwrap();
        assert_eq!(answered.0, 400, "{fault:?}");
    }
}

fn beijing_today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
}

#[tokio::test]
async fn the_days_bill_lists_payments_and_refunds_once_its_hash_matches() {
    let (fake, wechat) = paid_order("T20261128080", 12000).await;
    wechat
        .create_native(&order("T20261128081", 8050))
        .await
        .unwrap();
    fake.pay("T20261128081").unwrap();
    wechat
        .create_native(&order("T20261128082", 100))
        .await
        .unwrap(); // never paid
    wechat
        .refund(&refund("T20261128080", "R20261128080", 2050, 12000))
        .await
        .unwrap();

    let today = beijing_today();
    let lines = wechat.bill(today).await.unwrap();
    let kinds: Vec<_> = lines
        .iter()
        .map(|l| (l.out_trade_no.as_str(), l.kind.clone()))
        .collect();
    assert!(
        kinds.contains(&("T20261128080", BillLineKind::Payment { amount: Fen(12000) })),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("T20261128081", BillLineKind::Payment { amount: Fen(8050) })),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(
            "T20261128080",
            BillLineKind::Refund {
                out_refund_no: "R20261128080".into(),
                amount: Fen(2050)
            }
        )),
        "{kinds:?}"
    );
    assert_eq!(lines.len(), 3, "{kinds:?}");
    let paid = fake.order("T20261128081").unwrap();
    let line = lines
        .iter()
        .find(|l| l.out_trade_no == "T20261128081")
        .unwrap();
    assert_eq!(
        (Some(&line.transaction_id), Some(line.at)),
        (paid.transaction_id.as_ref(), paid.success_time)
    );
    // The download is signed like any request, though its answer is not.
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.starts_with("GET /v3/billdownload/file?token="))
    );
    assert!(fake.refused_requests().is_empty());

    fake.set_fault(Some(AnswerFault::TamperedBill));
    let text = assert_unavailable(wechat.bill(today).await, "tampered bill");
    assert!(text.contains("SHA-1"), "{text}");

    fake.set_fault(None);
    assert_eq!(
        wechat.bill(today - chrono::Duration::days(3)).await,
        Err(PaymentError::NoBill)
    );
}

#[tokio::test]
async fn a_configuration_that_cannot_work_is_refused_and_names_the_setting() {
    let fake = FakeWechatPay::start().await;
    let good = fake.config();
    let cases: Vec<(WechatPayConfig, &str)> = vec![
        (
            WechatPayConfig {
                merchant_private_key_pem:
                    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".into(),
                ..good.clone()
            },
            "merchant_private_key_pem",
        ),
        (
            WechatPayConfig {
                merchant_private_key_pem: TestKey::shared(0).public_key_pem().into(),
                ..good.clone()
            },
            "merchant_private_key_pem",
        ),
        (
            WechatPayConfig {
                apiv3_key: "too-short".into(),
                ..good.clone()
            },
            "apiv3_key",
        ),
        (
            WechatPayConfig {
                platform_certificates_pem: vec![],
                wechatpay_public_key: None,
                ..good.clone()
            },
            "platform_certificates_pem",
        ),
        (
            WechatPayConfig {
                platform_certificates_pem: vec!["junk".into()],
                ..good.clone()
            },
            "platform_certificates_pem[0]",
        ),
        (
            WechatPayConfig {
                endpoint: "api.mch.weixin.qq.com".into(),
                ..good.clone()
            },
            "endpoint",
        ),
        (
            WechatPayConfig {
                endpoint: "https://api.mch.weixin.qq.com/v3".into(),
                ..good.clone()
            },
            "endpoint",
        ),
        (
            WechatPayConfig {
                timeout: Duration::ZERO,
                ..good.clone()
            },
            "timeout",
        ),
        (
            WechatPayConfig {
                mchid: " ".into(),
                ..good.clone()
            },
            "mchid",
        ),
    ];
    for (config, setting) in cases {
        let err = WechatPay::new(config).unwrap_err().to_string();
        assert!(err.contains(setting), "{setting}: {err}");
        assert!(
            !err.contains(APIV3_KEY) && !err.contains("BEGIN PRIVATE KEY"),
            "{err}"
        );
    }
    // Neither the configuration nor the client shows a key when printed.
    let shown = format!("{good:?} {:?}", WechatPay::new(good.clone()).unwrap());
    assert!(!shown.contains(APIV3_KEY), "{shown}");
    assert!(
        !shown.contains("PRIVATE KEY") && !shown.contains(&good.merchant_private_key_pem[30..80]),
        "{shown}"
    );
}

#[tokio::test]
async fn callbacks_can_be_made_without_a_server_for_other_crates_tests() {
    let platform = PlatformKey::public_key(TestKey::shared(2));
    let resource = json!({
        "mchid": "1900000109", "out_trade_no": "T1", "transaction_id": "42", "out_refund_no": "R1",
        "refund_id": "50", "refund_status": "ABNORMAL", "amount": {"total": 100, "refund": 100},
    });
    let at = DateTime::parse_from_rfc3339("2026-11-28T10:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    let callback = signed_callback(&platform, APIV3_KEY, "REFUND.ABNORMAL", &resource, at);
    let fake = FakeWechatPay::start().await;
    let (certificates, public_key) = platform.trusted();
    let wechat = WechatPay::new(WechatPayConfig {
        platform_certificates_pem: certificates,
        wechatpay_public_key: public_key,
        ..fake.config()
    })
    .unwrap();
    let notification = wechat
        .verify_notification(&callback.incoming(), at)
        .await
        .unwrap();
    assert!(matches!(notification, Notification::Refund(r) if r.status == RefundStatus::Abnormal));
}
