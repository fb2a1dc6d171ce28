//! The trade bill (交易账单) of a day, `bill_type=ALL`: a CSV file, downloaded from the address
//! `/v3/bill/tradebill` gives together with the file's SHA-1. The file itself is not signed:
//! its hash, from a signed answer, is what vouches for it.
//!
//! The first line names the columns (`交易时间,公众账号ID,…,微信订单号,商户订单号,…,交易状态,
//! …,应结订单金额,…,商户退款单号,退款金额,…,订单金额,…`); every field of a data line starts
//! with a backtick (so that spreadsheets keep long numbers as text); amounts are yuan with two
//! decimals; times are Beijing time. After the data lines come a summary header (`总交易单数,…`)
//! and its line, which are not payments.

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use domain::money::Fen;

use crate::payments::{BillLine, BillLineKind};

/// Checks the downloaded file against the hash the signed answer gave.
pub(super) fn check_hash(file: &[u8], hash_type: &str, hash_value: &str) -> Result<(), String> {
    if !hash_type.eq_ignore_ascii_case("SHA1") {
        return Err(format!("the bill's hash_type {hash_type:?} is not SHA1"));
    }
    let actual = hex::encode(digest(&SHA1_FOR_LEGACY_USE_ONLY, file));
    if actual.eq_ignore_ascii_case(hash_value.trim()) {
        Ok(())
    } else {
        Err(format!(
            "the bill file's SHA-1 {actual} is not the {hash_value:?} WeChat Pay announced"
        ))
    }
}

/// The payments and refunds of a bill file. A data line that cannot be read fails the whole
/// bill: reconciling against part of a day would report the rest as missing.
pub(super) fn parse(file: &[u8]) -> Result<Vec<BillLine>, String> {
    let text = std::str::from_utf8(file).map_err(|_| "the bill file is not UTF-8".to_owned())?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim_end_matches('\r')))
        .filter(|(_, line)| !line.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let columns = Columns::read(header.trim_start_matches('\u{feff}'))?;
    let mut bill = Vec::new();
    for (number, line) in lines {
        if line.starts_with("总交易单数") {
            break;
        }
        let fields = fields(line);
        if let Some(entry) = columns
            .entry(&fields)
            .map_err(|e| format!("bill line {number}: {e}"))?
        {
            bill.push(entry);
        }
    }
    Ok(bill)
}

/// A data line's fields without their backticks. Fields are separated by ",`", so that a comma
/// inside a field (a product name) does not split it.
fn fields(line: &str) -> Vec<&str> {
    let line = line.strip_prefix('`').unwrap_or(line);
    line.split(",`").map(str::trim).collect()
}

/// Where the columns we read are.
struct Columns {
    time: usize,
    transaction_id: usize,
    out_trade_no: usize,
    state: usize,
    order_amount: usize,
    out_refund_no: usize,
    refund_amount: usize,
}

impl Columns {
    fn read(header: &str) -> Result<Columns, String> {
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        let find = |name: &str| {
            names
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| format!("the bill has no column {name}"))
        };
        Ok(Columns {
            time: find("交易时间")?,
            transaction_id: find("微信订单号")?,
            out_trade_no: find("商户订单号")?,
            state: find("交易状态")?,
            // What the order was for (`amount.total`); older layouts have only 应结订单金额, which
            // is the same unless a voucher paid part.
            order_amount: find("订单金额").or_else(|_| find("应结订单金额"))?,
            out_refund_no: find("商户退款单号")?,
            refund_amount: find("退款金额")?,
        })
    }

    /// A payment or refund line; `None` for lines of other states (e.g. `REVOKED`).
    fn entry(&self, fields: &[&str]) -> Result<Option<BillLine>, String> {
        let field = |i: usize| {
            fields
                .get(i)
                .copied()
                .ok_or_else(|| format!("has {} fields, fewer than the header", fields.len()))
        };
        let kind = match field(self.state)? {
            "SUCCESS" => BillLineKind::Payment {
                amount: yuan(field(self.order_amount)?)?,
            },
            "REFUND" => BillLineKind::Refund {
                out_refund_no: field(self.out_refund_no)?.to_owned(),
                amount: yuan(field(self.refund_amount)?)?,
            },
            _ => return Ok(None),
        };
        Ok(Some(BillLine {
            out_trade_no: field(self.out_trade_no)?.to_owned(),
            transaction_id: field(self.transaction_id)?.to_owned(),
            at: beijing_time(field(self.time)?)?,
            kind,
        }))
    }
}

fn yuan(raw: &str) -> Result<Fen, String> {
    Fen::from_yuan_str(raw).ok_or_else(|| format!("{raw:?} is not an amount in yuan"))
}

/// `2026-11-28 10:00:00`, Beijing time (UTC+8, no daylight saving).
fn beijing_time(raw: &str) -> Result<DateTime<Utc>, String> {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|t| t.and_local_timezone(beijing).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("{raw:?} is not a time like 2026-11-28 10:00:00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";

    fn bill() -> String {
        [
            HEADER,
            "`2026-11-28 10:00:00,`wx8888888888888888,`1900000109,`0,`,`4200000001,`T1,`oUp,`NATIVE,`SUCCESS,`OTHERS,`CNY,`120.00,`0.00,`0,`0,`0.00,`0.00,`,`,`电工,四级 报名费,`,`0.72000,`0.60%,`120.00,`0.00,`",
            "`2026-11-28 11:30:05,`wx8888888888888888,`1900000109,`0,`,`4200000001,`T1,`oUp,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`5000001,`R1,`20.50,`0.00,`ORIGINAL,`SUCCESS,`电工,`,`-0.12000,`0.60%,`0.00,`20.50,`",
            "`2026-11-28 12:00:00,`wx8888888888888888,`1900000109,`0,`,`4200000002,`T2,`oUp,`NATIVE,`REVOKED,`OTHERS,`CNY,`0.00,`0.00,`0,`0,`0.00,`0.00,`,`,`电工,`,`0.00000,`0.60%,`0.00,`0.00,`",
            "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
            "`2,`120.00,`20.50,`0.00,`0.60000,`120.00,`20.50",
        ]
        .join("\r\n")
    }

    #[test]
    fn payments_and_refunds_are_read_in_fen_and_utc() {
        let lines = parse(bill().as_bytes()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].out_trade_no, "T1");
        assert_eq!(lines[0].transaction_id, "4200000001");
        assert_eq!(lines[0].kind, BillLineKind::Payment { amount: Fen(12000) });
        assert_eq!(lines[0].at.to_rfc3339(), "2026-11-28T02:00:00+00:00");
        assert_eq!(
            lines[1].kind,
            BillLineKind::Refund {
                out_refund_no: "R1".into(),
                amount: Fen(2050)
            }
        );
    }

    #[test]
    fn a_bad_amount_fails_the_bill_with_its_line_number() {
        let broken = bill().replace("`0.60%,`120.00,", "`0.60%,`12O.00,");
        let err = parse(broken.as_bytes()).unwrap_err();
        assert!(err.contains("bill line 2"), "{err}");
    }

    #[test]
    fn the_hash_is_sha1_hex_in_any_case() {
        let file = b"abc";
        check_hash(file, "SHA1", "a9993e364706816aba3e25717850c26c9cd0d89d").unwrap();
        check_hash(file, "sha1", "A9993E364706816ABA3E25717850C26C9CD0D89D").unwrap();
        assert!(check_hash(b"abd", "SHA1", "a9993e364706816aba3e25717850c26c9cd0d89d").is_err());
        assert!(check_hash(file, "SM3", "a9993e364706816aba3e25717850c26c9cd0d89d").is_err());
    }
}
