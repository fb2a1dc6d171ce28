//! Tencent Cloud API 3.0 request signature v3, `TC3-HMAC-SHA256`, as used by the SMS
//! `SendSms` operation (service `sms`, version `2021-01-11`, host `sms.tencentcloudapi.com`).
//!
//! Algorithm, from "Signature v3" (签名方法 v3), e.g. the SMS product's copy:
//! <https://www.tencentcloud.com/document/product/382/40467>
//! (same text for every product: <https://tencentcloud.com/document/api/1021/34193>,
//! Chinese: <https://www.tencentcloud.com/zh/document/api/1021/34193>).
//!
//! Requests are `POST /` with a JSON body, so the canonical query string is always empty.
//!
//! 1. **Canonical request** = `POST\n/\n\n` + canonical headers + `\n` + signed headers +
//!    `\n` + lowercase hex SHA-256 of the body. Canonical headers are at least `content-type` and
//!    `host`, key and value lowercased and trimmed, `key:value\n`, sorted by key; signed headers
//!    are the same keys `;`-joined.
//! 2. **Credential scope** = `<UTC date of the timestamp, yyyy-mm-dd>/<service>/tc3_request`.
//!    **String to sign** = `TC3-HMAC-SHA256\n<timestamp>\n<credential scope>\n` + hex SHA-256 of
//!    the canonical request.
//! 3. **Derived key**: `SecretDate = HMAC("TC3" + SecretKey, date)`,
//!    `SecretService = HMAC(SecretDate, service)`, `SecretSigning = HMAC(SecretService,
//!    "tc3_request")`; **signature** = lowercase hex `HMAC(SecretSigning, string to sign)`.
//! 4. **Authorization** = `TC3-HMAC-SHA256 Credential=<SecretId>/<credential scope>,
//!    SignedHeaders=<signed headers>, Signature=<signature>` (comma *and space*, unlike Aliyun).
//!
//! Besides `Authorization`, `Content-Type` and `Host`, the API needs the common parameters as
//! headers: `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp` (the same timestamp as signed),
//! `X-TC-Region` (required by SMS) and, with temporary credentials, `X-TC-Token`. They are not
//! signed unless listed in [`TencentRequest::also_sign`]; [`sign`] returns them all.
//!
//! The unit tests reproduce the document's worked example (CVM `DescribeInstances`, timestamp
//! `1551113065`) byte for byte.

use chrono::DateTime;

use super::{Secret, SigningError, check_header, hmac_sha256, sha256_hex};

/// The only algorithm signature v3 defines.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// SMS endpoint (the nearest region is picked by DNS; `X-TC-Region` still names one).
pub const SMS_HOST: &str = "sms.tencentcloudapi.com";
/// Service name in the credential scope; must match the host's first label.
pub const SMS_SERVICE: &str = "sms";
/// SMS API version.
pub const SMS_VERSION: &str = "2021-01-11";
/// The operation that sends a templated SMS.
pub const SMS_ACTION_SEND_SMS: &str = "SendSms";
/// The content type to send with a JSON body. It is signed, so it must be sent exactly so.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// The terminator of the credential scope and the last step of the key chain.
const TERMINATOR: &str = "tc3_request";

/// A SecretId/SecretKey pair, optionally with a temporary-credential token (sent as
/// `X-TC-Token`). `Debug` shows the SecretId but never the key or the token.
#[derive(Debug, Clone)]
pub struct TencentCredentials {
    pub secret_id: String,
    pub secret_key: Secret,
    pub token: Option<Secret>,
}

impl TencentCredentials {
    pub fn new(secret_id: impl Into<String>, secret_key: Secret) -> Self {
        Self {
            secret_id: secret_id.into(),
            secret_key,
            token: None,
        }
    }
}

/// The parts of a `POST /` request that enter the signature or its headers. The timestamp is
/// the caller's: the signer reads no clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentRequest {
    /// Endpoint host, e.g. [`SMS_HOST`].
    pub host: String,
    /// Service in the credential scope, e.g. [`SMS_SERVICE`].
    pub service: String,
    /// `X-TC-Action`, e.g. [`SMS_ACTION_SEND_SMS`].
    pub action: String,
    /// `X-TC-Version`, e.g. [`SMS_VERSION`].
    pub version: String,
    /// `X-TC-Region`, e.g. `ap-guangzhou`; required by SMS, omitted when `None`.
    pub region: Option<String>,
    /// `Content-Type`, normally [`JSON_CONTENT_TYPE`].
    pub content_type: String,
    /// The JSON body, e.g. for `SendSms` an object with `PhoneNumberSet`, `SmsSdkAppId`,
    /// `SignName`, `TemplateId`, `TemplateParamSet`. Signed as these exact bytes.
    pub payload: Vec<u8>,
    /// Unix time in seconds, sent as `X-TC-Timestamp`; the server accepts 5 minutes of skew.
    pub timestamp: i64,
    /// Further headers among those [`sign`] sends (e.g. `X-TC-Action`) to sign as well, by
    /// name in any case; `content-type` and `host` are always signed.
    pub also_sign: Vec<String>,
}

impl TencentRequest {
    /// A `SendSms` request to [`SMS_HOST`] in `region`, with `payload` as the JSON body.
    pub fn send_sms(
        region: impl Into<String>,
        payload: impl Into<Vec<u8>>,
        timestamp: i64,
    ) -> Self {
        Self {
            host: SMS_HOST.to_owned(),
            service: SMS_SERVICE.to_owned(),
            action: SMS_ACTION_SEND_SMS.to_owned(),
            version: SMS_VERSION.to_owned(),
            region: Some(region.into()),
            content_type: JSON_CONTENT_TYPE.to_owned(),
            payload: payload.into(),
            timestamp,
            also_sign: Vec::new(),
        }
    }
}

/// A signed request: what to send, and each intermediate step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentSigned {
    pub canonical_request: String,
    /// `date/service/tc3_request`.
    pub credential_scope: String,
    pub string_to_sign: String,
    /// Lowercase hex signature.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
    /// The headers to send, in the documentation's spelling: `Authorization`, `Content-Type`,
    /// `Host`, `X-TC-Action`, `X-TC-Timestamp`, `X-TC-Version`, then `X-TC-Region` and
    /// `X-TC-Token` when present. `Host` must equal the URL's host.
    pub headers: Vec<(String, String)>,
}

/// The key chain of step 3: `TC3`+secret → date → service → `tc3_request`.
pub fn derive_signing_key(secret_key: &Secret, date: &str, service: &str) -> [u8; 32] {
    let secret_date = hmac_sha256(
        format!("TC3{}", secret_key.expose()).as_bytes(),
        date.as_bytes(),
    );
    let secret_service = hmac_sha256(&secret_date, service.as_bytes());
    hmac_sha256(&secret_service, TERMINATOR.as_bytes())
}

/// The UTC date (`yyyy-mm-dd`) of a Unix timestamp, as the credential scope needs it (UTC, not
/// local time: the date changes at 08:00 Beijing time).
pub fn utc_date(timestamp: i64) -> Result<String, SigningError> {
    DateTime::from_timestamp(timestamp, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .ok_or(SigningError::TimestampOutOfRange(timestamp))
}

/// Signs `request` with `credentials`.
pub fn sign(
    credentials: &TencentCredentials,
    request: &TencentRequest,
) -> Result<TencentSigned, SigningError> {
    // Every header to send, with the signer's values.
    let mut headers: Vec<(String, String)> = vec![
        ("Content-Type".to_owned(), request.content_type.clone()),
        ("Host".to_owned(), request.host.clone()),
        ("X-TC-Action".to_owned(), request.action.clone()),
        ("X-TC-Timestamp".to_owned(), request.timestamp.to_string()),
        ("X-TC-Version".to_owned(), request.version.clone()),
    ];
    if let Some(region) = &request.region {
        headers.push(("X-TC-Region".to_owned(), region.clone()));
    }
    if let Some(token) = &credentials.token {
        headers.push(("X-TC-Token".to_owned(), token.expose().to_owned()));
    }
    for (name, value) in &headers {
        check_header(name, value)?;
    }

    // Which of them are signed: content-type and host always, plus the requested ones.
    let mut signed_names: Vec<String> = vec!["content-type".to_owned(), "host".to_owned()];
    for name in &request.also_sign {
        let lower = name.to_ascii_lowercase();
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&lower)) {
            return Err(SigningError::InvalidHeaderName(name.clone()));
        }
        if !signed_names.contains(&lower) {
            signed_names.push(lower);
        }
    }
    signed_names.sort_unstable();

    // Step 1: canonical request.
    let canonical_headers: String = signed_names
        .iter()
        .map(|name| {
            let value = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_ascii_lowercase())
                .unwrap_or_default();
            format!("{name}:{value}\n")
        })
        .collect();
    let signed_headers = signed_names.join(";");
    let hashed_payload = sha256_hex(&request.payload);
    let canonical_request =
        format!("POST\n/\n\n{canonical_headers}\n{signed_headers}\n{hashed_payload}");

    // Step 2: credential scope and string to sign.
    let date = utc_date(request.timestamp)?;
    let credential_scope = format!("{date}/{}/{TERMINATOR}", request.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{credential_scope}\n{}",
        request.timestamp,
        sha256_hex(canonical_request.as_bytes())
    );

    // Step 3: derived key and signature.
    let signing_key = derive_signing_key(&credentials.secret_key, &date, &request.service);
    let signature = hex::encode(hmac_sha256(&signing_key, string_to_sign.as_bytes()));

    // Step 4: Authorization.
    let authorization = format!(
        "{ALGORITHM} Credential={}/{credential_scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.secret_id
    );
    check_header("Authorization", &authorization)?;
    headers.insert(0, ("Authorization".to_owned(), authorization.clone()));

    Ok(TencentSigned {
        canonical_request,
        credential_scope,
        string_to_sign,
        signature,
        authorization,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The worked example of "Signature v3" (e.g.
    /// <https://www.tencentcloud.com/document/product/382/40467>): CVM `DescribeInstances`
    /// `2017-03-12` in `ap-guangzhou`, timestamp 1551113065, SecretKey
    /// `Gu5t9xGARNpq86cd98joQYCN3EXAMPLE`, SecretId as the page prints it (masked; the
    /// SecretId only appears in the Authorization header, not in the signature).
    const DOC_SECRET_ID: &str = "AKID**********************0123456789EXAMPLE";
    const DOC_SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    const DOC_PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

    const DOC_HASHED_PAYLOAD: &str =
        "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064";
    const DOC_CANONICAL_REQUEST: &str = "POST
/

content-type:application/json; charset=utf-8
host:cvm.tencentcloudapi.com

content-type;host
35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064";
    const DOC_STRING_TO_SIGN: &str = "TC3-HMAC-SHA256
1551113065
2019-02-25/cvm/tc3_request
5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031";
    const DOC_SIGNATURE: &str = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";
    const DOC_AUTHORIZATION: &str = "TC3-HMAC-SHA256 \
        Credential=AKID**********************0123456789EXAMPLE/2019-02-25/cvm/tc3_request, \
        SignedHeaders=content-type;host, \
        Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";

    fn doc_example() -> (TencentCredentials, TencentRequest) {
        let credentials = TencentCredentials::new(DOC_SECRET_ID, Secret::new(DOC_SECRET_KEY));
        let request = TencentRequest {
            host: "cvm.tencentcloudapi.com".to_owned(),
            service: "cvm".to_owned(),
            action: "DescribeInstances".to_owned(),
            version: "2017-03-12".to_owned(),
            region: Some("ap-guangzhou".to_owned()),
            content_type: JSON_CONTENT_TYPE.to_owned(),
            payload: DOC_PAYLOAD.as_bytes().to_vec(),
            timestamp: 1551113065,
            also_sign: Vec::new(),
        };
        (credentials, request)
    }

    #[test]
    fn doc_example_hashed_payload_matches() {
        assert_eq!(sha256_hex(DOC_PAYLOAD.as_bytes()), DOC_HASHED_PAYLOAD);
    }

    #[test]
    fn doc_example_canonical_request_matches_byte_for_byte() {
        let (credentials, request) = doc_example();
        let signed = sign(&credentials, &request).unwrap();
        assert_eq!(signed.canonical_request, DOC_CANONICAL_REQUEST);
    }

    #[test]
    fn doc_example_credential_scope_uses_the_utc_date() {
        // 1551113065 is 2019-02-26 00:44:25 in Beijing but 2019-02-25 in UTC; the doc warns
        // that the UTC date is the right one.
        let (credentials, request) = doc_example();
        let signed = sign(&credentials, &request).unwrap();
        assert_eq!(signed.credential_scope, "2019-02-25/cvm/tc3_request");
        assert_eq!(signed.string_to_sign, DOC_STRING_TO_SIGN);
    }

    #[test]
    fn doc_example_signature_and_authorization_match() {
        let (credentials, request) = doc_example();
        let signed = sign(&credentials, &request).unwrap();
        assert_eq!(signed.signature, DOC_SIGNATURE);
        assert_eq!(signed.authorization, DOC_AUTHORIZATION);
    }

    #[test]
    fn doc_example_headers_to_send_match_the_final_request() {
        let (credentials, request) = doc_example();
        let signed = sign(&credentials, &request).unwrap();
        let expected: Vec<(String, String)> = [
            ("Authorization", DOC_AUTHORIZATION),
            ("Content-Type", "application/json; charset=utf-8"),
            ("Host", "cvm.tencentcloudapi.com"),
            ("X-TC-Action", "DescribeInstances"),
            ("X-TC-Timestamp", "1551113065"),
            ("X-TC-Version", "2017-03-12"),
            ("X-TC-Region", "ap-guangzhou"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        assert_eq!(signed.headers, expected);
    }

    #[test]
    fn key_chain_is_the_documented_one() {
        // Recomputed step by step with the HMAC primitive, per the doc's pseudocode.
        let secret_date = hmac_sha256(b"TC3Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", b"2019-02-25");
        let secret_service = hmac_sha256(&secret_date, b"cvm");
        let secret_signing = hmac_sha256(&secret_service, b"tc3_request");
        assert_eq!(
            derive_signing_key(&Secret::new(DOC_SECRET_KEY), "2019-02-25", "cvm"),
            secret_signing
        );
        assert_eq!(
            hex::encode(hmac_sha256(&secret_signing, DOC_STRING_TO_SIGN.as_bytes())),
            DOC_SIGNATURE
        );
    }

    #[test]
    fn send_sms_request_targets_the_sms_service() {
        let payload = r#"{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400000000","SignName":"技能认证","TemplateId":"100000","TemplateParamSet":["123456"]}"#;
        let mut credentials = TencentCredentials::new("AKIDtest", Secret::new("key"));
        credentials.token = Some(Secret::new("tmp-token"));
        let request = TencentRequest::send_sms("ap-guangzhou", payload, 1_796_000_000);
        let signed = sign(&credentials, &request).unwrap();
        assert_eq!(signed.credential_scope, "2026-11-30/sms/tc3_request");
        let header = |name: &str| {
            signed
                .headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("Host"), Some("sms.tencentcloudapi.com"));
        assert_eq!(header("X-TC-Action"), Some("SendSms"));
        assert_eq!(header("X-TC-Version"), Some("2021-01-11"));
        assert_eq!(header("X-TC-Region"), Some("ap-guangzhou"));
        assert_eq!(header("X-TC-Timestamp"), Some("1796000000"));
        assert_eq!(header("X-TC-Token"), Some("tmp-token"));
        assert!(signed.authorization.starts_with(
            "TC3-HMAC-SHA256 Credential=AKIDtest/2026-11-30/sms/tc3_request, \
             SignedHeaders=content-type;host, Signature="
        ));
        assert!(!format!("{credentials:?}").contains("tmp-token"));
        assert!(!format!("{credentials:?}").contains("\"key\""));
    }

    #[test]
    fn utc_date_of_the_timestamp() {
        assert_eq!(utc_date(0).unwrap(), "1970-01-01");
        assert_eq!(utc_date(1551113065).unwrap(), "2019-02-25");
        assert_eq!(
            utc_date(i64::MAX),
            Err(SigningError::TimestampOutOfRange(i64::MAX))
        );
    }

    #[test]
    fn also_sign_adds_headers_and_refuses_unknown_ones() {
        let (credentials, mut request) = doc_example();
        request.also_sign = vec!["X-TC-Action".to_owned()];
        let signed = sign(&credentials, &request).unwrap();
        assert!(signed.canonical_request.contains(
            "host:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n"
        ));
        assert!(
            signed
                .authorization
                .contains("SignedHeaders=content-type;host;x-tc-action, ")
        );
        assert_ne!(signed.signature, DOC_SIGNATURE);
        request.also_sign = vec!["X-Unknown".to_owned()];
        assert_eq!(
            sign(&credentials, &request),
            Err(SigningError::InvalidHeaderName("X-Unknown".to_owned()))
        );
    }

    #[test]
    fn refuses_header_injection() {
        let (credentials, mut request) = doc_example();
        request.region = Some("ap-guangzhou\r\nX-Evil: 1".to_owned());
        assert!(matches!(
            sign(&credentials, &request),
            Err(SigningError::HeaderControlCharacter(_))
        ));
    }

    proptest! {
        #[test]
        fn also_sign_case_and_order_do_not_change_the_signature(
            names in proptest::sample::subsequence(
                vec!["x-tc-action", "x-tc-timestamp", "x-tc-version", "x-tc-region"], 0..=4),
            upper in proptest::collection::vec(any::<bool>(), 4),
        ) {
            let (credentials, mut request) = doc_example();
            request.also_sign = names.iter().map(|n| n.to_string()).collect();
            let base = sign(&credentials, &request).unwrap();
            request.also_sign = names
                .iter()
                .rev()
                .zip(&upper)
                .map(|(n, up)| if *up { n.to_ascii_uppercase() } else { n.to_string() })
                .collect();
            let again = sign(&credentials, &request).unwrap();
            prop_assert_eq!(base.signature, again.signature);
        }

        #[test]
        fn any_change_to_a_signed_part_changes_the_signature(
            which in 0usize..6,
            extra in "[a-z0-9]{1,8}",
        ) {
            let (credentials, mut request) = doc_example();
            // Sign the action too, so that changing it must change the signature.
            request.also_sign = vec!["x-tc-action".to_owned()];
            let base = sign(&credentials, &request).unwrap();
            let mut changed = request.clone();
            match which {
                0 => changed.host.push_str(&extra),
                1 => changed.content_type.push_str(&extra),
                2 => changed.payload.extend_from_slice(extra.as_bytes()),
                3 => changed.service.push_str(&extra),
                4 => changed.timestamp += 1 + extra.len() as i64,
                _ => changed.action.push_str(&extra),
            }
            let after = sign(&credentials, &changed).unwrap();
            prop_assert_ne!(base.signature, after.signature);
        }

        #[test]
        fn a_different_secret_key_changes_the_signature(key in "[A-Za-z0-9]{8,40}") {
            prop_assume!(key != DOC_SECRET_KEY);
            let (mut credentials, request) = doc_example();
            credentials.secret_key = Secret::new(key);
            let signed = sign(&credentials, &request).unwrap();
            prop_assert_ne!(signed.signature, DOC_SIGNATURE);
        }
    }
}
