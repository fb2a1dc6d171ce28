//! Percent-encoding for what we put into URLs and `Content-Disposition` headers: every byte
//! outside RFC 3986's unreserved set (which is also RFC 5987/8187's `filename*` attr-char set
//! minus nothing we need) becomes `%XX`.

/// A query value or a `filename*=UTF-8''…` name.
pub fn encode(raw: &str) -> String {
    encode_keeping(raw, b"")
}

/// A local path carried in a query (`?next=/staff/review`): its slashes stay readable.
pub fn encode_path(raw: &str) -> String {
    encode_keeping(raw, b"/")
}

fn encode_keeping(raw: &str, also: &[u8]) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b if also.contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_bytes_stay_and_the_rest_is_encoded() {
        assert_eq!(
            encode("登记表-2022121.pdf"),
            "%E7%99%BB%E8%AE%B0%E8%A1%A8-2022121.pdf"
        );
        assert_eq!(encode("a b&c/d"), "a%20b%26c%2Fd");
        assert_eq!(encode_path("/staff/review?x=1"), "/staff/review%3Fx%3D1");
    }
}
