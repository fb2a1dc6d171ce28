//! Alibaba Cloud (Aliyun) OpenAPI request signature V3, `ACS3-HMAC-SHA256`, as used by the
//! Dysmsapi `SendSms` operation (RPC style, version `2017-05-25`, host `dysmsapi.aliyuncs.com`).
//!
//! Algorithm, from "Request syntax and signature method V3" (V3版本请求体&签名机制):
//! <https://alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature>
//! (Chinese original: <https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature>).
//!
//! 1. **Canonical request** = method `\n` canonical URI `\n` canonical query string `\n`
//!    canonical headers `\n` signed headers `\n` hashed payload.
//!    - canonical URI: the path, each `/`-separated segment percent-encoded; `/` for RPC APIs;
//!    - canonical query string: parameters sorted by name, names and values percent-encoded
//!      (RFC 3986: only `A-Z a-z 0-9 - _ . ~` left as is, so space is `%20`, `*` is `%2A`,
//!      `~` stays `~`), joined as `name=value` with `&`; empty if there are none;
//!    - canonical headers: every header that is `host`, `content-type` or starts with `x-acs-`,
//!      name lowercased, value trimmed, `name:value\n`, sorted by name;
//!    - signed headers: those names, `;`-joined;
//!    - hashed payload: lowercase hex SHA-256 of the body (of `""` when there is none), which is
//!      also the value of the `x-acs-content-sha256` header.
//! 2. **String to sign** = `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
//! 3. **Signature** = lowercase hex HMAC-SHA256 of the string to sign, keyed by the AccessKey
//!    secret itself (no derived key, unlike Tencent).
//! 4. **Authorization** = `ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<signed
//!    headers>,Signature=<signature>` (commas, no spaces).
//!
//! The unit tests reproduce the document's "fixed parameter values" example byte for byte.

use chrono::{DateTime, Utc};

use super::{Secret, SigningError, check_header, hmac_sha256, sha256_hex};

/// The only algorithm V3 defines.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";
/// Dysmsapi endpoint (the service is served from this one global host).
pub const SMS_HOST: &str = "dysmsapi.aliyuncs.com";
/// Dysmsapi API version.
pub const SMS_VERSION: &str = "2017-05-25";
/// The operation that sends a templated SMS.
pub const SMS_ACTION_SEND_SMS: &str = "SendSms";

/// Headers the signer computes; a caller may not supply them.
const RESERVED_HEADERS: [&str; 8] = [
    "authorization",
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
    "x-acs-security-token",
];

/// An AccessKey pair, optionally with an STS security token (sent and signed as
/// `x-acs-security-token`). `Debug` shows the key id but never the secret or the token.
#[derive(Debug, Clone)]
pub struct AliyunCredentials {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
}

impl AliyunCredentials {
    pub fn new(access_key_id: impl Into<String>, access_key_secret: Secret) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret,
            security_token: None,
        }
    }
}

/// The parameters of Dysmsapi `SendSms`; for an RPC API they travel in the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendSmsParams {
    /// One number, or several separated by commas.
    pub phone_numbers: String,
    /// The approved signature name (签名名称), e.g. `阿里云短信测试`.
    pub sign_name: String,
    /// The approved template code, e.g. `SMS_154950909`.
    pub template_code: String,
    /// The template variables as a JSON object string, e.g. `{"code":"1234"}`.
    pub template_param: Option<String>,
    /// An id of the caller's, echoed back in delivery receipts.
    pub out_id: Option<String>,
}

impl SendSmsParams {
    /// The parameters as unencoded `(name, value)` pairs, in the API's parameter names.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut query = vec![
            ("PhoneNumbers".to_owned(), self.phone_numbers.clone()),
            ("SignName".to_owned(), self.sign_name.clone()),
            ("TemplateCode".to_owned(), self.template_code.clone()),
        ];
        if let Some(param) = &self.template_param {
            query.push(("TemplateParam".to_owned(), param.clone()));
        }
        if let Some(out_id) = &self.out_id {
            query.push(("OutId".to_owned(), out_id.clone()));
        }
        query
    }
}

/// The parts of a request that enter the signature. Everything is given unencoded; the signer
/// encodes. The time and nonce are the caller's: the signer reads no clock and draws no random.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliyunRequest {
    /// HTTP method, e.g. `POST` (uppercased when signing).
    pub method: String,
    /// Endpoint host, e.g. [`SMS_HOST`]; sent as `host`.
    pub host: String,
    /// Resource path, unencoded; `/` for RPC APIs such as `SendSms`.
    pub path: String,
    /// `x-acs-action`, e.g. [`SMS_ACTION_SEND_SMS`].
    pub action: String,
    /// `x-acs-version`, e.g. [`SMS_VERSION`].
    pub version: String,
    /// Query parameters, unencoded; order does not matter.
    pub query: Vec<(String, String)>,
    /// Further headers. `content-type` and `x-acs-*` ones are signed; others are passed through
    /// unsigned. The headers in `RESERVED_HEADERS` are the signer's and refused here.
    pub headers: Vec<(String, String)>,
    /// Request body (empty for `SendSms`, whose parameters are in the query).
    pub body: Vec<u8>,
    /// Request time, sent as `x-acs-date` (`yyyy-MM-ddTHH:mm:ssZ`, UTC); the gateway accepts
    /// it within 15 minutes.
    pub date: DateTime<Utc>,
    /// `x-acs-signature-nonce`: unique per request, against replay.
    pub nonce: String,
}

impl AliyunRequest {
    /// A `SendSms` request: `POST https://dysmsapi.aliyuncs.com/?<query>`, empty body.
    pub fn send_sms(params: &SendSmsParams, date: DateTime<Utc>, nonce: impl Into<String>) -> Self {
        Self {
            method: "POST".to_owned(),
            host: SMS_HOST.to_owned(),
            path: "/".to_owned(),
            action: SMS_ACTION_SEND_SMS.to_owned(),
            version: SMS_VERSION.to_owned(),
            query: params.to_query(),
            headers: Vec::new(),
            body: Vec::new(),
            date,
            nonce: nonce.into(),
        }
    }
}

/// A signed request: what to send, and each intermediate step (for tests and for debugging a
/// `SignatureDoesNotMatch` reply against the provider's own tooling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliyunSigned {
    /// The encoded path to put in the URL.
    pub canonical_uri: String,
    /// The encoded query string; the URL is `https://{host}{canonical_uri}?{canonical_query}`
    /// (no `?` when empty). It must be sent exactly so, as it was signed.
    pub canonical_query: String,
    pub canonical_request: String,
    pub string_to_sign: String,
    /// Lowercase hex signature.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
    /// The headers to send (lowercase names): the signed ones, then the unsigned extras, then
    /// `authorization`. `host` is among them; it must equal the URL's host.
    pub headers: Vec<(String, String)>,
}

/// Percent-encodes as Aliyun specifies (RFC 3986 over UTF-8): `A-Z a-z 0-9 - _ . ~` are kept,
/// every other byte becomes `%XX` (uppercase hex). So space is `%20` (never `+`), `*` is `%2A`
/// and `~` is kept.
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for &b in input.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Canonical URI: each `/`-separated segment of the path percent-encoded, `/` kept; an empty
/// path is `/`.
pub fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    path.split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// Canonical query string: parameters sorted by name (then value, so that a repeated name is
/// deterministic), names and values percent-encoded, `name=value` joined with `&`. A parameter
/// without a value is `name=`.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether V3 signs a header of this (lowercase) name.
fn is_signed_header(name: &str) -> bool {
    name == "host" || name == "content-type" || name.starts_with("x-acs-")
}

/// Signs `request` with `credentials`.
pub fn sign(
    credentials: &AliyunCredentials,
    request: &AliyunRequest,
) -> Result<AliyunSigned, SigningError> {
    let hashed_payload = sha256_hex(&request.body);

    // The signer's own headers.
    let mut signed: Vec<(String, String)> = vec![
        ("host".to_owned(), request.host.clone()),
        ("x-acs-action".to_owned(), request.action.clone()),
        ("x-acs-version".to_owned(), request.version.clone()),
        (
            "x-acs-date".to_owned(),
            request.date.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
        ("x-acs-signature-nonce".to_owned(), request.nonce.clone()),
        ("x-acs-content-sha256".to_owned(), hashed_payload.clone()),
    ];
    if let Some(token) = &credentials.security_token {
        signed.push(("x-acs-security-token".to_owned(), token.expose().to_owned()));
    }
    for (name, value) in &signed {
        check_header(name, value)?;
    }

    // The caller's headers: signed if V3 says so, passed through otherwise.
    let mut unsigned: Vec<(String, String)> = Vec::new();
    for (name, value) in &request.headers {
        let lower = check_header(name, value)?;
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(SigningError::ReservedHeader(lower));
        }
        if signed.iter().chain(&unsigned).any(|(n, _)| *n == lower) {
            return Err(SigningError::DuplicateHeader(lower));
        }
        if is_signed_header(&lower) {
            signed.push((lower, value.trim().to_owned()));
        } else {
            unsigned.push((lower, value.clone()));
        }
    }
    signed.sort_unstable();

    // Step 1: canonical request.
    let canonical_uri = canonical_uri(&request.path);
    let canonical_query = canonical_query(&request.query);
    let canonical_headers: String = signed
        .iter()
        .map(|(n, v)| format!("{n}:{}\n", v.trim()))
        .collect();
    let signed_headers = signed
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}",
        request.method.to_ascii_uppercase()
    );

    // Step 2: string to sign.
    let string_to_sign = format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));

    // Step 3: signature, keyed by the AccessKey secret itself.
    let signature = hex::encode(hmac_sha256(
        credentials.access_key_secret.expose().as_bytes(),
        string_to_sign.as_bytes(),
    ));

    // Step 4: Authorization.
    let authorization = format!(
        "{ALGORITHM} Credential={},SignedHeaders={signed_headers},Signature={signature}",
        credentials.access_key_id
    );
    check_header("authorization", &authorization)?;

    let mut headers = signed;
    headers.extend(unsigned);
    headers.push(("authorization".to_owned(), authorization.clone()));

    Ok(AliyunSigned {
        canonical_uri,
        canonical_query,
        canonical_request,
        string_to_sign,
        signature,
        authorization,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    /// The "Fixed parameter values" example of the V3 signature document
    /// (<https://alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature>):
    /// AccessKey `YourAccessKeyId` / `YourAccessKeySecret`, ECS `RunInstances` `2014-05-26` on
    /// `ecs.cn-shanghai.aliyuncs.com`, `POST /`, two query parameters, empty body.
    fn doc_example() -> (AliyunCredentials, AliyunRequest) {
        let credentials =
            AliyunCredentials::new("YourAccessKeyId", Secret::new("YourAccessKeySecret"));
        let request = AliyunRequest {
            method: "POST".to_owned(),
            host: "ecs.cn-shanghai.aliyuncs.com".to_owned(),
            path: "/".to_owned(),
            action: "RunInstances".to_owned(),
            version: "2014-05-26".to_owned(),
            // Deliberately out of order: the signer sorts.
            query: vec![
                ("RegionId".to_owned(), "cn-shanghai".to_owned()),
                (
                    "ImageId".to_owned(),
                    "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd".to_owned(),
                ),
            ],
            headers: Vec::new(),
            body: Vec::new(),
            date: Utc.with_ymd_and_hms(2023, 10, 26, 10, 22, 32).unwrap(),
            nonce: "3156853299f313e23d1673dc12e1703d".to_owned(),
        };
        (credentials, request)
    }

    const DOC_CANONICAL_REQUEST: &str = "POST
/
ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai
host:ecs.cn-shanghai.aliyuncs.com
x-acs-action:RunInstances
x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
x-acs-date:2023-10-26T10:22:32Z
x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d
x-acs-version:2014-05-26

host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    const DOC_STRING_TO_SIGN: &str =
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259";

    const DOC_SIGNATURE: &str = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";

    const DOC_AUTHORIZATION: &str = "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,\
        SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;\
        x-acs-version,\
        Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0";

    #[test]
    fn doc_example_canonical_request_matches_byte_for_byte() {
        let (credentials, request) = doc_example();
        let signed = sign(&credentials, &request).unwrap();
        assert_eq!(signed.canonical_uri, "/");
        assert_eq!(
            signed.canonical_query,
            "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
        );
        assert_eq!(signed.canonical_request, DOC_CANONICAL_REQUEST);
    }

    #[test]
    fn doc_example_string_to_sign_matches() {
        let (credentials, request) = doc_example();
        let signed = sign(&credentials, &request).unwrap();
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
    fn doc_example_headers_to_send() {
        let (credentials, request) = doc_example();
        let signed = sign(&credentials, &request).unwrap();
        let names: Vec<&str> = signed.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "host",
                "x-acs-action",
                "x-acs-content-sha256",
                "x-acs-date",
                "x-acs-signature-nonce",
                "x-acs-version",
                "authorization"
            ]
        );
        assert_eq!(
            signed.headers.last().unwrap().1,
            DOC_AUTHORIZATION,
            "authorization is sent last"
        );
    }

    #[test]
    fn send_sms_request_targets_dysmsapi() {
        let params = SendSmsParams {
            phone_numbers: "13800138000".to_owned(),
            sign_name: "技能认证".to_owned(),
            template_code: "SMS_154950909".to_owned(),
            template_param: Some(r#"{"code":"123456"}"#.to_owned()),
            out_id: None,
        };
        let date = Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap();
        let request = AliyunRequest::send_sms(&params, date, "nonce-1");
        let credentials = AliyunCredentials::new("id", Secret::new("secret"));
        let signed = sign(&credentials, &request).unwrap();
        assert_eq!(
            signed.canonical_query,
            "PhoneNumbers=13800138000\
             &SignName=%E6%8A%80%E8%83%BD%E8%AE%A4%E8%AF%81\
             &TemplateCode=SMS_154950909\
             &TemplateParam=%7B%22code%22%3A%22123456%22%7D"
        );
        let header = |name: &str| {
            signed
                .headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("host"), Some("dysmsapi.aliyuncs.com"));
        assert_eq!(header("x-acs-action"), Some("SendSms"));
        assert_eq!(header("x-acs-version"), Some("2017-05-25"));
        assert_eq!(header("x-acs-date"), Some("2026-11-29T08:00:00Z"));
        assert_eq!(header("x-acs-signature-nonce"), Some("nonce-1"));
        // Hand-computed from the documented steps: the signature is the HMAC of the string to
        // sign, which carries the SHA-256 of the canonical request.
        assert_eq!(
            signed.string_to_sign,
            format!(
                "ACS3-HMAC-SHA256\n{}",
                sha256_hex(signed.canonical_request.as_bytes())
            )
        );
        assert_eq!(
            signed.signature,
            hex::encode(hmac_sha256(b"secret", signed.string_to_sign.as_bytes()))
        );
    }

    #[test]
    fn percent_encoding_follows_rfc3986_as_aliyun_specifies() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode(" "), "%20");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("+"), "%2B");
        assert_eq!(percent_encode("\""), "%22");
        assert_eq!(percent_encode("/?&=%"), "%2F%3F%26%3D%25");
        assert_eq!(percent_encode("短信"), "%E7%9F%AD%E4%BF%A1");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a b/c~d*"), "/a%20b/c~d%2A");
        assert_eq!(
            canonical_query(&[
                ("b".to_owned(), "x y".to_owned()),
                ("a".to_owned(), String::new()),
            ]),
            "a=&b=x%20y"
        );
    }

    #[test]
    fn security_token_is_sent_and_signed() {
        let (mut credentials, request) = doc_example();
        credentials.security_token = Some(Secret::new("sts-token"));
        let signed = sign(&credentials, &request).unwrap();
        assert!(
            signed
                .headers
                .contains(&("x-acs-security-token".to_owned(), "sts-token".to_owned()))
        );
        assert!(signed.authorization.contains(
            "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;\
             x-acs-security-token;x-acs-signature-nonce;x-acs-version,"
        ));
        assert_ne!(signed.signature, DOC_SIGNATURE);
        assert!(!format!("{credentials:?}").contains("sts-token"));
        assert!(!format!("{credentials:?}").contains("YourAccessKeySecret"));
    }

    #[test]
    fn content_type_is_signed_and_other_headers_pass_through_unsigned() {
        let (credentials, mut request) = doc_example();
        request.headers = vec![
            ("User-Agent".to_owned(), "skillcert".to_owned()),
            ("Content-Type".to_owned(), " application/json ".to_owned()),
        ];
        let signed = sign(&credentials, &request).unwrap();
        assert!(
            signed
                .canonical_request
                .contains("\ncontent-type:application/json\nhost:")
        );
        assert!(
            signed
                .authorization
                .contains("SignedHeaders=content-type;host;")
        );
        assert!(!signed.canonical_request.contains("user-agent"));
        assert!(
            signed
                .headers
                .contains(&("user-agent".to_owned(), "skillcert".to_owned()))
        );
    }

    #[test]
    fn refuses_reserved_duplicate_and_injected_headers() {
        let (credentials, mut request) = doc_example();
        request.headers = vec![("X-Acs-Date".to_owned(), "2020-01-01T00:00:00Z".to_owned())];
        assert_eq!(
            sign(&credentials, &request),
            Err(SigningError::ReservedHeader("x-acs-date".to_owned()))
        );
        request.headers = vec![
            ("x-acs-foo".to_owned(), "1".to_owned()),
            ("X-ACS-FOO".to_owned(), "2".to_owned()),
        ];
        assert_eq!(
            sign(&credentials, &request),
            Err(SigningError::DuplicateHeader("x-acs-foo".to_owned()))
        );
        request.headers = Vec::new();
        request.nonce = "n\r\nx-evil: 1".to_owned();
        assert!(matches!(
            sign(&credentials, &request),
            Err(SigningError::HeaderControlCharacter(_))
        ));
    }

    fn header_strategy() -> impl Strategy<Value = Vec<(String, String)>> {
        proptest::collection::btree_map("x-acs-[a-z]{1,8}", "[ -~]{0,16}", 0..4).prop_map(|m| {
            m.into_iter()
                .filter(|(k, _)| !RESERVED_HEADERS.contains(&k.as_str()))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn header_name_case_and_order_do_not_change_the_signature(
            headers in header_strategy(),
            upper in proptest::collection::vec(any::<bool>(), 4),
        ) {
            let (credentials, mut request) = doc_example();
            request.headers = headers.clone();
            let base = sign(&credentials, &request).unwrap();

            let mut shuffled: Vec<(String, String)> = headers
                .iter()
                .zip(upper.iter().cycle())
                .map(|((n, v), up)| (if *up { n.to_ascii_uppercase() } else { n.clone() }, v.clone()))
                .collect();
            shuffled.reverse();
            request.headers = shuffled;
            request.query.reverse();
            let again = sign(&credentials, &request).unwrap();
            prop_assert_eq!(base.signature, again.signature);
        }

        #[test]
        fn any_change_to_a_signed_part_changes_the_signature(
            which in 0usize..8,
            extra in "[a-z0-9]{1,8}",
        ) {
            let (credentials, request) = doc_example();
            let base = sign(&credentials, &request).unwrap();
            let mut changed = request.clone();
            match which {
                0 => changed.host.push_str(&extra),
                1 => changed.action.push_str(&extra),
                2 => changed.version.push_str(&extra),
                3 => changed.nonce.push_str(&extra),
                4 => changed.date += chrono::Duration::seconds(1 + extra.len() as i64),
                5 => changed.body.extend_from_slice(extra.as_bytes()),
                6 => changed.query[0].1.push_str(&extra),
                _ => changed.headers.push(("x-acs-extra".to_owned(), extra.clone())),
            }
            let after = sign(&credentials, &changed).unwrap();
            prop_assert_ne!(base.signature, after.signature);
        }

        #[test]
        fn percent_encoded_output_is_only_unreserved_or_escapes(input in ".{0,24}") {
            let encoded = percent_encode(&input);
            let bytes = encoded.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                let b = bytes[i];
                if b == b'%' {
                    prop_assert!(bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit());
                    prop_assert!(!bytes[i + 1].is_ascii_lowercase() && !bytes[i + 2].is_ascii_lowercase());
                    i += 3;
                } else {
                    prop_assert!(b.is_ascii_alphanumeric() || b"-_.~".contains(&b));
                    i += 1;
                }
            }
        }
    }
}
