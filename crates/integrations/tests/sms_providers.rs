//! The Aliyun and Tencent SMS clients against local fake servers that check every request the
//! way the real gateways do (signature recomputed from what arrived, with the shared secret)
//! and answer in the real APIs' shapes: sent, throttled, bad template, signature mismatch.

// The fakes live beside this file, in `sms_providers/` (cargo builds only top-level files).
#[path = "sms_providers/common.rs"]
mod common;
#[path = "sms_providers/fake_aliyun.rs"]
mod fake_aliyun;
#[path = "sms_providers/fake_tencent.rs"]
mod fake_tencent;

use std::collections::BTreeMap;
use std::time::Duration;

use integrations::sms::aliyun::{AliyunSms, AliyunSmsConfig};
use integrations::sms::tencent::{TencentSms, TencentSmsConfig, TencentTemplate};
use integrations::sms::{SmsError, SmsSender};
use integrations::sms_signing::Secret;

use common::{PHONE, TIMEOUT, code_message};
use fake_aliyun::FakeAliyun;
use fake_tencent::FakeTencent;

fn aliyun_config(endpoint: &str, secret: &str, template_code: &str) -> AliyunSmsConfig {
    AliyunSmsConfig {
        access_key_id: fake_aliyun::ACCESS_KEY_ID.into(),
        access_key_secret: Secret::new(secret),
        sign_name: fake_aliyun::SIGN_NAME.into(),
        endpoint: endpoint.into(),
        timeout: TIMEOUT,
        templates: BTreeMap::from([("verification_code".to_owned(), template_code.to_owned())]),
    }
}

fn aliyun(endpoint: &str) -> AliyunSms {
    AliyunSms::new(aliyun_config(
        endpoint,
        fake_aliyun::ACCESS_KEY_SECRET,
        fake_aliyun::APPROVED_TEMPLATE,
    ))
    .unwrap()
}

fn tencent_config(endpoint: &str, secret: &str, template_id: &str) -> TencentSmsConfig {
    TencentSmsConfig {
        secret_id: fake_tencent::SECRET_ID.into(),
        secret_key: Secret::new(secret),
        sdk_app_id: fake_tencent::SDK_APP_ID.into(),
        region: fake_tencent::REGION.into(),
        sign_name: fake_tencent::SIGN_NAME.into(),
        endpoint: endpoint.into(),
        timeout: TIMEOUT,
        templates: BTreeMap::from([(
            "verification_code".to_owned(),
            TencentTemplate {
                id: template_id.into(),
                params: vec!["code".into(), "minutes".into()],
            },
        )]),
    }
}

fn tencent(endpoint: &str) -> TencentSms {
    TencentSms::new(tencent_config(
        endpoint,
        fake_tencent::SECRET_KEY,
        fake_tencent::APPROVED_TEMPLATE,
    ))
    .unwrap()
}

fn assert_permanent(result: Result<(), SmsError>, expected_code: &str) -> String {
    let err = result.expect_err("the message must be refused");
    assert!(matches!(err, SmsError::Refused(_)), "{err:?}");
    assert!(!err.retryable());
    let shown = err.to_string();
    assert!(shown.contains(expected_code), "{shown}");
    assert!(!shown.contains(PHONE), "the number leaks: {shown}");
    shown
}

// ---- Aliyun ----

#[tokio::test]
async fn aliyun_sends_a_request_whose_signature_and_fields_the_server_accepts() {
    let server = FakeAliyun::start().await;
    let sms = aliyun(&server.url);

    sms.send(&code_message(PHONE, "123456", Some("job-42")))
        .await
        .expect("sent");

    let accepted = server.accepted();
    assert_eq!(accepted.len(), 1);
    let params = &accepted[0];
    assert_eq!(params["PhoneNumbers"], PHONE);
    assert_eq!(params["SignName"], fake_aliyun::SIGN_NAME);
    assert_eq!(params["TemplateCode"], fake_aliyun::APPROVED_TEMPLATE);
    let template_param: serde_json::Value = serde_json::from_str(&params["TemplateParam"]).unwrap();
    // Aliyun takes string values: the number 5 travels as "5".
    assert_eq!(
        template_param,
        serde_json::json!({"code": "123456", "minutes": "5"})
    );
    assert_eq!(params["OutId"], "job-42");
}

#[tokio::test]
async fn aliyun_leaves_out_out_id_when_the_message_has_no_dedupe_key() {
    let server = FakeAliyun::start().await;
    aliyun(&server.url)
        .send(&code_message(PHONE, "123456", None))
        .await
        .expect("sent");
    assert!(!server.accepted()[0].contains_key("OutId"));
}

#[tokio::test]
async fn aliyun_flow_control_on_a_second_code_within_a_minute_is_retryable() {
    let server = FakeAliyun::start().await;
    let sms = aliyun(&server.url);
    sms.send(&code_message(PHONE, "111111", None))
        .await
        .unwrap();

    let err = sms
        .send(&code_message(PHONE, "222222", None))
        .await
        .unwrap_err();

    assert!(matches!(err, SmsError::Throttled(_)), "{err:?}");
    assert!(err.retryable());
    assert!(err.to_string().contains("isv.BUSINESS_LIMIT_CONTROL"));
    assert_eq!(server.accepted().len(), 1);
    // Another number is not limited.
    sms.send(&code_message("13900139000", "333333", None))
        .await
        .unwrap();
}

#[tokio::test]
async fn aliyun_unapproved_template_is_refused_for_good() {
    let server = FakeAliyun::start().await;
    let sms = AliyunSms::new(aliyun_config(
        &server.url,
        fake_aliyun::ACCESS_KEY_SECRET,
        "SMS_000000001",
    ))
    .unwrap();

    let result = sms.send(&code_message(PHONE, "123456", None)).await;

    assert_permanent(result, "isv.SMS_TEMPLATE_ILLEGAL");
    assert!(server.accepted().is_empty());
}

#[tokio::test]
async fn aliyun_wrong_secret_is_a_signature_mismatch_refused_for_good() {
    let server = FakeAliyun::start().await;
    let sms = AliyunSms::new(aliyun_config(
        &server.url,
        "not-the-secret",
        fake_aliyun::APPROVED_TEMPLATE,
    ))
    .unwrap();

    let result = sms.send(&code_message(PHONE, "123456", None)).await;

    assert_permanent(result, "SignatureDoesNotMatch");
    assert_eq!(server.hits(), 1);
    assert!(server.accepted().is_empty());
}

#[tokio::test]
async fn aliyun_unknown_template_name_is_refused_without_a_request() {
    let server = FakeAliyun::start().await;
    let mut message = code_message(PHONE, "123456", None);
    message.template = "application_status".into();

    let shown = assert_permanent(
        aliyun(&server.url).send(&message).await,
        "application_status",
    );

    assert!(shown.contains("no aliyun template"), "{shown}");
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn aliyun_outage_and_unreachable_server_are_retryable() {
    let server = FakeAliyun::start().await;
    server.set_outage(true);
    let err = aliyun(&server.url)
        .send(&code_message(PHONE, "123456", None))
        .await
        .unwrap_err();
    assert!(matches!(err, SmsError::Unavailable(_)), "{err:?}");
    assert!(err.retryable());

    let nowhere = common::unreachable_endpoint().await;
    let err = aliyun(&nowhere)
        .send(&code_message(PHONE, "123456", None))
        .await
        .unwrap_err();
    assert!(matches!(err, SmsError::Unavailable(_)), "{err:?}");
    // The request URL holds the number in its query: the error must not.
    assert!(!err.to_string().contains(PHONE), "{err}");
}

#[tokio::test]
async fn the_fake_aliyun_server_refuses_a_request_changed_after_signing() {
    // Keeps the fake honest: its check must fail when what arrives is not what was signed.
    use integrations::sms_signing::aliyun::{
        AliyunCredentials, AliyunRequest, SendSmsParams, sign,
    };
    let server = FakeAliyun::start().await;
    let params = SendSmsParams {
        phone_numbers: PHONE.into(),
        sign_name: fake_aliyun::SIGN_NAME.into(),
        template_code: fake_aliyun::APPROVED_TEMPLATE.into(),
        template_param: Some(r#"{"code":"123456"}"#.into()),
        out_id: None,
    };
    let mut request = AliyunRequest::send_sms(&params, chrono::Utc::now(), "nonce-tamper");
    request.host = server.url.trim_start_matches("http://").to_owned();
    let credentials = AliyunCredentials::new(
        fake_aliyun::ACCESS_KEY_ID,
        Secret::new(fake_aliyun::ACCESS_KEY_SECRET),
    );
    let signed = sign(&credentials, &request).unwrap();
    let tampered = signed.canonical_query.replace(PHONE, "13900139000");
    let mut http = reqwest::Client::new().post(format!("{}/?{tampered}", server.url));
    for (name, value) in &signed.headers {
        http = http.header(name, value);
    }
    let answer = http.send().await.unwrap();
    assert_eq!(answer.status(), 400);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["Code"], "SignatureDoesNotMatch");
    assert!(server.accepted().is_empty());
}

// ---- Tencent ----

#[tokio::test]
async fn tencent_sends_a_request_whose_signature_and_fields_the_server_accepts() {
    let server = FakeTencent::start().await;
    let sms = tencent(&server.url);

    sms.send(&code_message(PHONE, "654321", Some("job-43")))
        .await
        .expect("sent");

    let accepted = server.accepted();
    assert_eq!(accepted.len(), 1);
    let body = &accepted[0];
    assert_eq!(
        body["PhoneNumberSet"],
        serde_json::json!(["+8613800138000"])
    );
    assert_eq!(body["SmsSdkAppId"], fake_tencent::SDK_APP_ID);
    assert_eq!(body["SignName"], fake_tencent::SIGN_NAME);
    assert_eq!(body["TemplateId"], fake_tencent::APPROVED_TEMPLATE);
    // The configured order, as strings: {1} is the code, {2} the minutes.
    assert_eq!(body["TemplateParamSet"], serde_json::json!(["654321", "5"]));
    assert_eq!(body["SessionContext"], "job-43");
}

#[tokio::test]
async fn tencent_per_number_limit_in_the_send_status_is_retryable() {
    let server = FakeTencent::start().await;
    let sms = tencent(&server.url);
    sms.send(&code_message(PHONE, "111111", None))
        .await
        .unwrap();

    let err = sms
        .send(&code_message(PHONE, "222222", None))
        .await
        .unwrap_err();

    assert!(matches!(err, SmsError::Throttled(_)), "{err:?}");
    assert!(err.retryable());
    assert!(
        err.to_string()
            .contains("LimitExceeded.PhoneNumberThirtySecondLimit")
    );
    assert_eq!(server.accepted().len(), 1);
}

#[tokio::test]
async fn tencent_unapproved_template_is_refused_for_good() {
    let server = FakeTencent::start().await;
    let sms = TencentSms::new(tencent_config(
        &server.url,
        fake_tencent::SECRET_KEY,
        "9999",
    ))
    .unwrap();

    let result = sms.send(&code_message(PHONE, "123456", None)).await;

    assert_permanent(result, "FailedOperation.TemplateIncorrectOrUnapproved");
    assert!(server.accepted().is_empty());
}

#[tokio::test]
async fn tencent_wrong_secret_is_a_signature_failure_refused_for_good() {
    let server = FakeTencent::start().await;
    let sms = TencentSms::new(tencent_config(
        &server.url,
        "not-the-key",
        fake_tencent::APPROVED_TEMPLATE,
    ))
    .unwrap();

    let result = sms.send(&code_message(PHONE, "123456", None)).await;

    assert_permanent(result, "AuthFailure.SignatureFailure");
    assert_eq!(server.hits(), 1);
    assert!(server.accepted().is_empty());
}

#[tokio::test]
async fn tencent_unknown_template_or_missing_parameter_is_refused_without_a_request() {
    let server = FakeTencent::start().await;
    let sms = tencent(&server.url);

    let mut unknown = code_message(PHONE, "123456", None);
    unknown.template = "application_status".into();
    let shown = assert_permanent(sms.send(&unknown).await, "application_status");
    assert!(shown.contains("no tencent template"), "{shown}");

    let mut lacking = code_message(PHONE, "123456", None);
    lacking.params.remove("minutes");
    let shown = assert_permanent(sms.send(&lacking).await, "`minutes`");
    assert!(shown.contains("verification_code"), "{shown}");

    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn tencent_timeout_is_retryable() {
    let server = FakeTencent::start().await;
    server.set_delay(Duration::from_secs(3));
    let mut config = tencent_config(
        &server.url,
        fake_tencent::SECRET_KEY,
        fake_tencent::APPROVED_TEMPLATE,
    );
    config.timeout = Duration::from_secs(1);

    let err = TencentSms::new(config)
        .unwrap()
        .send(&code_message(PHONE, "123456", None))
        .await
        .unwrap_err();

    assert!(matches!(err, SmsError::Unavailable(_)), "{err:?}");
    assert!(err.retryable());
}

// ---- Secrets and numbers stay out of logs ----

#[tokio::test]
async fn debug_output_never_shows_a_phone_number_or_a_secret() {
    let aliyun_secret = "aliyun-secret-never-printed";
    let tencent_secret = "tencent-key-never-printed";
    let a_config = aliyun_config("http://127.0.0.1:9", aliyun_secret, "SMS_1");
    let t_config = tencent_config("http://127.0.0.1:9", tencent_secret, "1110");
    let message = code_message(PHONE, "123456", Some("job-1"));

    let shown = [
        format!("{a_config:?}"),
        format!("{:?}", AliyunSms::new(a_config.clone()).unwrap()),
        format!("{t_config:?}"),
        format!("{:?}", TencentSms::new(t_config.clone()).unwrap()),
        format!("{message:?}"),
        format!("{message:#?}"),
    ];
    for text in &shown {
        assert!(!text.contains(aliyun_secret), "{text}");
        assert!(!text.contains(tencent_secret), "{text}");
        assert!(!text.contains(PHONE), "{text}");
    }
    // The configuration is still recognisable.
    assert!(shown[0].contains(fake_aliyun::ACCESS_KEY_ID) && shown[0].contains("redacted"));
    assert!(shown[2].contains(fake_tencent::SECRET_ID) && shown[2].contains("redacted"));
    assert!(shown[4].contains("138****8000"));
}

#[test]
fn incomplete_configurations_are_refused() {
    let mut config = aliyun_config("https://dysmsapi.aliyuncs.com", "s", "SMS_1");
    config.access_key_secret = Secret::new("");
    assert!(AliyunSms::new(config).is_err());
    let mut config = aliyun_config("https://dysmsapi.aliyuncs.com/path", "s", "SMS_1");
    assert!(AliyunSms::new(config.clone()).is_err());
    config.endpoint = "https://dysmsapi.aliyuncs.com".into();
    config.timeout = Duration::ZERO;
    assert!(AliyunSms::new(config).is_err());

    let mut config = tencent_config("https://sms.tencentcloudapi.com", "k", "1110");
    config.sdk_app_id = " ".into();
    assert!(TencentSms::new(config).is_err());
    let mut config = tencent_config("https://sms.tencentcloudapi.com", "k", "1110");
    config
        .templates
        .get_mut("verification_code")
        .unwrap()
        .params
        .push("code".into());
    let err = TencentSms::new(config).unwrap_err();
    assert!(err.to_string().contains("twice"), "{err}");
}
