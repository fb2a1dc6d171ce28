//! The fake's trade bill (`bill_type=ALL`) of a Beijing date, in the layout WeChat Pay
//! downloads: a header line, data lines whose every field starts with a backtick, then the
//! summary.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::{APPID, Ledger, MCHID};

/// The `ALL` bill of a Beijing date, or `None` when nothing happened that day.
pub(super) fn bill_file(ledger: &Ledger, date: NaiveDate) -> Option<Vec<u8>> {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let on_date = |at: &DateTime<Utc>| at.with_timezone(&beijing).date_naive() == date;
    let time = |at: &DateTime<Utc>| {
        at.with_timezone(&beijing)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let yuan = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
    let mut lines = Vec::new();
    let (mut paid_total, mut refunded_total) = (0, 0);
    for order in ledger.orders.values() {
        let (Some(at), Some(transaction_id)) = (&order.success_time, &order.transaction_id) else {
            continue;
        };
        if !on_date(at) {
            continue;
        }
        paid_total += order.total;
        let fields = [
            time(at),
            APPID.into(),
            MCHID.into(),
            "0".into(),
            String::new(),
            transaction_id.clone(),
            order.out_trade_no.clone(),
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
            "NATIVE".into(),
            "SUCCESS".into(),
            "OTHERS".into(),
            "CNY".into(),
            yuan(order.total),
            "0.00".into(),
            "0".into(),
            "0".into(),
            "0.00".into(),
            "0.00".into(),
            String::new(),
            String::new(),
            // A comma in the product name, as candidates' plan names may have.
            format!("{},报名费", order.description),
            String::new(),
            "0.00000".into(),
            "0.60%".into(),
            yuan(order.total),
            "0.00".into(),
            String::new(),
        ];
        lines.push(fields);
    }
    for refund in ledger.refunds.values() {
        if !on_date(&refund.created) {
            continue;
        }
        refunded_total += refund.refund;
        let fields = [
            time(&refund.created),
            APPID.into(),
            MCHID.into(),
            "0".into(),
            String::new(),
            refund.transaction_id.clone(),
            refund.out_trade_no.clone(),
            "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into(),
            "NATIVE".into(),
            "REFUND".into(),
            "OTHERS".into(),
            "CNY".into(),
            "0.00".into(),
            "0.00".into(),
            refund.refund_id.clone(),
            refund.out_refund_no.clone(),
            yuan(refund.refund),
            "0.00".into(),
            "ORIGINAL".into(),
            refund.status.clone(),
            "退款".into(),
            String::new(),
            "0.00000".into(),
            "0.60%".into(),
            "0.00".into(),
            yuan(refund.refund),
            String::new(),
        ];
        lines.push(fields);
    }
    if lines.is_empty() {
        return None;
    }
    let mut file = String::from(
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,\
         交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,\
         充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,\
         费率备注\r\n",
    );
    for fields in &lines {
        let line: Vec<String> = fields.iter().map(|f| format!("`{f}")).collect();
        file.push_str(&line.join(","));
        file.push_str("\r\n");
    }
    file.push_str("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n");
    file.push_str(&format!(
        "`{},`{},`{},`0.00,`0.00000,`{},`{}\r\n",
        lines.len(),
        yuan(paid_total),
        yuan(refunded_total),
        yuan(paid_total),
        yuan(refunded_total)
    ));
    Some(file.into_bytes())
}
