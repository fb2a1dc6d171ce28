//! The calls. Every request is signed; every answer is verified before anything in it is
//! believed (`outcome`), except the bill file, which is checked against its SHA-1.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::answers::{BillAddress, CodeUrl, Refund, Transaction};
use super::bill;
use super::callback::{self, ApiV3Key};
use super::config::{Endpoint, WechatPayConfig, WechatPayConfigError, http_client};
use super::outcome::{RawAnswer, Rejection, Verified, transport_error, verified};
use super::signing::{self, MerchantSigner};
use super::verify::{Signed, Verifiers};
use crate::payments::{
    BillLine, IncomingNotification, NativeOrder, Notification, NotificationError, PaymentError,
    PaymentProvider, ProviderOrder, ProviderRefund, RefundRequest,
};

/// WeChat Pay Native through API v3. Build once and share: it holds a connection pool.
pub struct WechatPay {
    mchid: String,
    appid: String,
    endpoint: Endpoint,
    signer: MerchantSigner,
    verifiers: Verifiers,
    apiv3_key: ApiV3Key,
    client: reqwest::Client,
}

impl fmt::Debug for WechatPay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatPay")
            .field("mchid", &self.mchid)
            .field("appid", &self.appid)
            .field("endpoint", &self.endpoint)
            .field("verifiers", &self.verifiers)
            .finish_non_exhaustive()
    }
}

impl WechatPay {
    pub fn new(config: WechatPayConfig) -> Result<WechatPay, WechatPayConfigError> {
        let required = |name: &str, value: &str| {
            if value.trim().is_empty() {
                Err(WechatPayConfigError::new(format!("{name} is empty")))
            } else {
                Ok(())
            }
        };
        required("mchid", &config.mchid)?;
        required("appid", &config.appid)?;
        required("merchant_serial_no", &config.merchant_serial_no)?;
        // Both are quoted into `Authorization`: a stray quote or space would break the header.
        if !config.mchid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WechatPayConfigError::new("mchid must be digits only"));
        }
        if !config
            .merchant_serial_no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric())
        {
            return Err(WechatPayConfigError::new(
                "merchant_serial_no must be the certificate serial in hex",
            ));
        }
        let endpoint = Endpoint::parse(&config.endpoint)?;
        let client = http_client(config.timeout)?;
        let apiv3_key = ApiV3Key::new(&config.apiv3_key)?;
        let signer = MerchantSigner::new(
            &config.mchid,
            &config.merchant_serial_no,
            &config.merchant_private_key_pem,
        )?;
        let verifiers = Verifiers::new(
            &config.platform_certificates_pem,
            config.wechatpay_public_key.as_ref(),
        )?;
        Ok(WechatPay {
            mchid: config.mchid,
            appid: config.appid,
            endpoint,
            signer,
            verifiers,
            apiv3_key,
            client,
        })
    }

    /// Sends a signed request to `url` (on our endpoint, or the bill's download address) and
    /// returns the answer's status, headers and body, unverified.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        body: Option<Vec<u8>>,
    ) -> Result<RawAnswer, PaymentError> {
        let path_and_query = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let body = body.unwrap_or_default();
        let authorization = self
            .signer
            .authorization(
                method.as_str(),
                &path_and_query,
                &body,
                Utc::now().timestamp(),
                &signing::nonce(),
            )
            .map_err(|e| PaymentError::Refused(format!("wechat: {e}")))?;
        let mut request = self
            .client
            .request(method, url.clone())
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(reqwest::header::ACCEPT, "application/json");
        if !body.is_empty() {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        Ok(RawAnswer {
            status,
            headers,
            body,
            path: url.path().to_owned(),
        })
    }

    /// A call to our endpoint whose answer must be signed. `Ok` is a verified 2xx answer; a
    /// verified or unverified error answer is sorted into a [`PaymentError`].
    async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Verified, Rejection> {
        let url = Url::parse(&self.endpoint.url(path_and_query))
            .map_err(|e| PaymentError::Refused(format!("wechat: bad request URL: {e}")))?;
        let answer = self.send(method, &url, body).await?;
        verified(&self.verifiers, answer)
    }

    fn json<T: DeserializeOwned>(answer: &Verified) -> Result<T, PaymentError> {
        serde_json::from_slice(&answer.0.body).map_err(|e| {
            PaymentError::Unavailable(format!(
                "wechat: the answer to {} is not what the API sends: {e}",
                answer.0.path
            ))
        })
    }

    /// The order in a verified answer, which must be the one we asked about.
    fn order(&self, answer: &Verified, out_trade_no: &str) -> Result<ProviderOrder, PaymentError> {
        let transaction: Transaction = Self::json(answer)?;
        if let Some(other) = transaction.mchid.as_deref().filter(|m| *m != self.mchid) {
            return Err(PaymentError::Unavailable(format!(
                "wechat: asked about order {out_trade_no}, answered for merchant {other}"
            )));
        }
        let order = transaction
            .into_order()
            .map_err(|e| PaymentError::Unavailable(format!("wechat: query {out_trade_no}: {e}")))?;
        if order.out_trade_no != out_trade_no {
            return Err(PaymentError::Unavailable(format!(
                "wechat: asked for order {out_trade_no}, answered about {}",
                order.out_trade_no
            )));
        }
        Ok(order)
    }

    fn refund_of(answer: &Verified, out_refund_no: &str) -> Result<ProviderRefund, PaymentError> {
        let refund: Refund = Self::json(answer)?;
        let refund = refund.into_refund().map_err(|e| {
            PaymentError::Unavailable(format!("wechat: refund {out_refund_no}: {e}"))
        })?;
        if refund.out_refund_no != out_refund_no {
            return Err(PaymentError::Unavailable(format!(
                "wechat: asked for refund {out_refund_no}, answered about {}",
                refund.out_refund_no
            )));
        }
        Ok(refund)
    }
}

#[async_trait]
impl PaymentProvider for WechatPay {
    fn name(&self) -> &'static str {
        "wechat"
    }

    async fn create_native(&self, order: &NativeOrder) -> Result<String, PaymentError> {
        check_number("out_trade_no", &order.out_trade_no, 6, 32)?;
        if order.description.is_empty() || order.description.len() > 127 {
            return Err(PaymentError::Refused(
                "wechat: description must be 1 to 127 bytes".into(),
            ));
        }
        if order.amount.0 <= 0 {
            return Err(PaymentError::Refused(format!(
                "wechat: order {} is for {}, not a positive amount",
                order.out_trade_no, order.amount
            )));
        }
        let body = CreateBody {
            appid: &self.appid,
            mchid: &self.mchid,
            description: &order.description,
            out_trade_no: &order.out_trade_no,
            time_expire: beijing_rfc3339(order.time_expire),
            notify_url: &order.notify_url,
            amount: Amount {
                total: order.amount.0,
                currency: "CNY",
            },
        };
        let answer = self
            .call(
                Method::POST,
                "/v3/pay/transactions/native",
                Some(to_json(&body)?),
            )
            .await?;
        let CodeUrl { code_url } = Self::json(&answer)?;
        if code_url.is_empty() {
            return Err(PaymentError::Unavailable(
                "wechat: the answer has an empty code_url".into(),
            ));
        }
        Ok(code_url)
    }

    async fn query(&self, out_trade_no: &str) -> Result<ProviderOrder, PaymentError> {
        check_number("out_trade_no", out_trade_no, 6, 32)?;
        let path = format!(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={}",
            self.mchid
        );
        let answer = self.call(Method::GET, &path, None).await?;
        self.order(&answer, out_trade_no)
    }

    async fn close(&self, out_trade_no: &str) -> Result<(), PaymentError> {
        check_number("out_trade_no", out_trade_no, 6, 32)?;
        let path = format!("/v3/pay/transactions/out-trade-no/{out_trade_no}/close");
        let body = to_json(&serde_json::json!({ "mchid": self.mchid }))?;
        match self.call(Method::POST, &path, Some(body)).await {
            Ok(_) => Ok(()),
            // Closing a closed order is done, when WeChat Pay itself says so.
            Err(rejection)
                if rejection.trusted && rejection.code.as_deref() == Some("ORDER_CLOSED") =>
            {
                Ok(())
            }
            Err(rejection) => Err(rejection.error),
        }
    }

    async fn refund(&self, request: &RefundRequest) -> Result<ProviderRefund, PaymentError> {
        check_number("out_trade_no", &request.out_trade_no, 6, 32)?;
        check_number("out_refund_no", &request.out_refund_no, 1, 64)?;
        if request.refund.0 <= 0 || request.refund > request.total {
            return Err(PaymentError::Refused(format!(
                "wechat: refund {} of {} from an order of {} is not possible",
                request.out_refund_no, request.refund, request.total
            )));
        }
        let body = RefundBody {
            out_trade_no: &request.out_trade_no,
            out_refund_no: &request.out_refund_no,
            reason: (!request.reason.is_empty()).then_some(request.reason.as_str()),
            notify_url: &request.notify_url,
            amount: RefundAmount {
                refund: request.refund.0,
                total: request.total.0,
                currency: "CNY",
            },
        };
        let answer = self
            .call(
                Method::POST,
                "/v3/refund/domestic/refunds",
                Some(to_json(&body)?),
            )
            .await?;
        Self::refund_of(&answer, &request.out_refund_no)
    }

    async fn query_refund(&self, out_refund_no: &str) -> Result<ProviderRefund, PaymentError> {
        check_number("out_refund_no", out_refund_no, 1, 64)?;
        let path = format!("/v3/refund/domestic/refunds/{out_refund_no}");
        let answer = self.call(Method::GET, &path, None).await?;
        Self::refund_of(&answer, out_refund_no)
    }

    async fn verify_notification(
        &self,
        incoming: &IncomingNotification,
        now: DateTime<Utc>,
    ) -> Result<Notification, NotificationError> {
        let signed = Signed {
            timestamp: header(&incoming.timestamp, "Wechatpay-Timestamp")?,
            nonce: header(&incoming.nonce, "Wechatpay-Nonce")?,
            signature: header(&incoming.signature, "Wechatpay-Signature")?,
            serial: header(&incoming.serial, "Wechatpay-Serial")?,
            body: &incoming.body,
        };
        self.verifiers.verify(&signed, now)?;
        callback::read(&incoming.body, &self.apiv3_key, &self.mchid)
    }

    async fn bill(&self, date: NaiveDate) -> Result<Vec<BillLine>, PaymentError> {
        let path = format!(
            "/v3/bill/tradebill?bill_date={}&bill_type=ALL",
            date.format("%Y-%m-%d")
        );
        let answer = self.call(Method::GET, &path, None).await?;
        let address: BillAddress = Self::json(&answer)?;
        let url = Url::parse(&address.download_url).map_err(|e| {
            PaymentError::Unavailable(format!("wechat: the bill's download_url is not a URL: {e}"))
        })?;
        if !self.endpoint.serves(&url) && !is_wechat_pay_host(&url) {
            return Err(PaymentError::Unavailable(format!(
                "wechat: the bill's download_url is on {}, not WeChat Pay",
                url.host_str().unwrap_or("no host")
            )));
        }
        let file = self.send(Method::GET, &url, None).await?;
        if !file.status.is_success() {
            // An error from the download is JSON like any other; the file itself never is
            // signed, so only its error can be.
            return Err(match verified(&self.verifiers, file) {
                Ok(_) => unreachable!("an error status is never Ok"),
                Err(rejection) => rejection.error,
            });
        }
        bill::check_hash(&file.body, &address.hash_type, &address.hash_value)
            .map_err(|e| PaymentError::Unavailable(format!("wechat: {e}")))?;
        bill::parse(&file.body).map_err(|e| PaymentError::Unavailable(format!("wechat: {e}")))
    }
}

/// A callback header's value; an empty one is as good as missing.
fn header<'a>(value: &'a Option<String>, name: &'static str) -> Result<&'a str, NotificationError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or(NotificationError::MissingHeader(name))
}

/// Our order and refund numbers go into URL paths: only characters that need no escaping (and
/// that WeChat Pay allows) are sent, so a path is signed as it is sent.
fn check_number(what: &str, value: &str, min: usize, max: usize) -> Result<(), PaymentError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '*' | '@');
    if (min..=max).contains(&value.len()) && value.chars().all(allowed) {
        Ok(())
    } else {
        Err(PaymentError::Refused(format!(
            "wechat: {what} {value:?} must be {min} to {max} characters of 0-9 A-Z a-z _ - * @"
        )))
    }
}

/// `2026-11-28T18:00:00+08:00`: WeChat Pay reads instants in Beijing time.
fn beijing_rfc3339(at: DateTime<Utc>) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    at.with_timezone(&beijing)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The production hosts (`api.mch.weixin.qq.com`, `api2.mch.weixin.qq.com`), over HTTPS.
fn is_wechat_pay_host(url: &Url) -> bool {
    url.scheme() == "https"
        && url
            .host_str()
            .is_some_and(|host| host.ends_with(".mch.weixin.qq.com"))
}

fn to_json<T: Serialize>(body: &T) -> Result<Vec<u8>, PaymentError> {
    serde_json::to_vec(body).map_err(|e| PaymentError::Refused(format!("wechat: {e}")))
}

#[derive(Serialize)]
struct CreateBody<'a> {
    appid: &'a str,
    mchid: &'a str,
    description: &'a str,
    out_trade_no: &'a str,
    time_expire: String,
    notify_url: &'a str,
    amount: Amount,
}

#[derive(Serialize)]
struct Amount {
    total: i64,
    currency: &'static str,
}

#[derive(Serialize)]
struct RefundBody<'a> {
    out_trade_no: &'a str,
    out_refund_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    notify_url: &'a str,
    amount: RefundAmount,
}

#[derive(Serialize)]
struct RefundAmount {
    refund: i64,
    total: i64,
    currency: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_expire_is_written_in_beijing_time() {
        let at = DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(beijing_rfc3339(at), "2026-11-28T18:00:00+08:00");
    }

    #[test]
    fn numbers_that_would_need_escaping_in_a_path_are_refused() {
        assert!(check_number("out_trade_no", "T2026_11-28", 6, 32).is_ok());
        for bad in [
            "short",
            "../../v3/refund",
            "has space1",
            "T2026?mchid=1",
            &"9".repeat(33),
        ] {
            assert!(check_number("out_trade_no", bad, 6, 32).is_err(), "{bad}");
        }
    }
}
