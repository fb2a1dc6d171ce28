//! 缴费管理 through the real router: an administrator records an offline payment (the candidate
//! sees it paid, the audit log has it), refunds part of it and is refused more than is left,
//! extends a deadline (and is refused an earlier one), runs the daily reconciliation against the
//! simulated provider (balanced, then with a difference); the pages render and keep what was
//! typed when refused; every route refuses whoever is not an administrator.

use chrono::{Duration, Utc};
use domain::accounts::StaffRole;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::staff::{StaffUser, Submitted, approved_application};
use crate::support::{ApiError, Backend, TestApp};

async fn get(app: &TestApp, s: &StaffUser, path: &str) -> Value {
    let response = s.client.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn post(app: &TestApp, s: &StaffUser, path: &str, body: Value) -> reqwest::Response {
    s.client
        .post(app.url(path))
        .header("X-CSRF-Token", &s.csrf)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn post_ok(app: &TestApp, s: &StaffUser, path: &str, body: Value) -> Value {
    let response = post(app, s, path, body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "POST {path}: {status} {text}");
    serde_json::from_str(&text).unwrap()
}

/// Posts a page's form (with the session's CSRF token); returns the status, the body and the
/// redirect target.
async fn form(
    app: &TestApp,
    s: &StaffUser,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, Option<String>) {
    let mut all = vec![("csrf", s.csrf.as_str())];
    all.extend_from_slice(fields);
    let response = s
        .client
        .post(app.url(path))
        .form(&all)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, response.text().await.unwrap(), location)
}

async fn page(app: &TestApp, s: &StaffUser, path: &str) -> String {
    let response = s.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

async fn candidate_payment(app: &TestApp, submitted: &Submitted) -> Value {
    let c = &submitted.candidate;
    let response = c
        .client
        .get(app.url(&format!(
            "/api/v1/applications/{}/payment",
            submitted.application_id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn audit_lines(app: &TestApp, action: &str) -> Vec<store::audit::Entry> {
    let db = app.store_db().await;
    let found = store::audit::search(
        &db,
        &store::audit::Search {
            action: Some(action.into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    db.close().await;
    found.entries
}

/// Beijing wall-clock "YYYY-MM-DD HH:MM" of an RFC 3339 instant.
fn beijing_minutes(t: chrono::DateTime<Utc>) -> String {
    t.with_timezone(&domain::time::shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn instant(v: &Value) -> chrono::DateTime<Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().expect("an instant"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

async fn offline_payment_refunds_and_deadline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700006161", 61).await;
    let id = s.application_id;
    let admin = app
        .staff("caiwu", "财务", &[StaffRole::Administrator])
        .await;
    let path = format!("/api/v1/staff/payments/applications/{id}");

    let before = get(&app, &admin, &path).await;
    assert_eq!(before["status"], "approved", "{before:#}");
    let fee = before["fee_fen"].as_i64().unwrap();
    assert!(fee > 200, "the plan has a fee: {before:#}");
    assert_eq!(before["orders"], json!([]));
    let due = instant(&before["due_at"]);
    let exam = instant(&before["exam_starts_at"]);
    assert!(due < exam);

    // Extending the deadline: an earlier time and a time after the exam are refused, in Chinese.
    let deadline = format!("{path}/deadline");
    let earlier = beijing_minutes(due - Duration::hours(1));
    let e = ApiError::from(post(&app, &admin, &deadline, json!({ "until": earlier })).await).await;
    assert_eq!((e.status, e.code.as_str()), (422, "deadline_not_later"));
    assert_eq!(e.field("until").code, "deadline_not_later");
    let late = beijing_minutes(exam + Duration::days(1));
    let e = ApiError::from(post(&app, &admin, &deadline, json!({ "until": late })).await).await;
    assert_eq!((e.status, e.code.as_str()), (422, "deadline_after_exam"));
    assert!(e.message.contains("考试开始时间"), "{}", e.message);
    let e = ApiError::from(post(&app, &admin, &deadline, json!({ "until": "下周" })).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("until").code, "deadline_invalid");
    // A later one within the exam's start is taken (Beijing time, to the minute).
    let until = beijing_minutes(due + (exam - due) / 2);
    let extended = post_ok(&app, &admin, &deadline, json!({ "until": until })).await;
    assert_eq!(beijing_minutes(instant(&extended["due_at"])), until);
    assert!(instant(&extended["due_at"]) > due);
    let lines = audit_lines(&app, "payment.extend_deadline").await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].actor, "caiwu");
    assert_eq!(lines[0].subject_id, id.to_string());

    // An offline payment: the method and the reference are required.
    let offline = format!("{path}/offline");
    let e = ApiError::from(post(&app, &admin, &offline, json!({ "note": "x" })).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("method").code, "offline_method_required");
    assert_eq!(e.field("reference").code, "offline_reference_required");
    let e = ApiError::from(
        post(
            &app,
            &admin,
            &offline,
            json!({ "method": "cash", "reference": "票".repeat(65) }),
        )
        .await,
    )
    .await;
    assert_eq!(e.field("reference").code, "offline_reference_too_long");
    assert_eq!(
        get(&app, &admin, &path).await["status"],
        "approved",
        "nothing recorded"
    );

    let paid = post_ok(
        &app,
        &admin,
        &offline,
        json!({ "method": "bank_transfer", "reference": "BANK20261129001", "note": "对公转账" }),
    )
    .await;
    assert_eq!(paid["status"], "paid", "{paid:#}");
    let order = &paid["orders"][0];
    assert_eq!(order["provider"], "offline");
    assert_eq!(order["state"], "paid");
    assert_eq!(order["amount_fen"], fee);
    assert_eq!(order["offline_method"], "bank_transfer");
    assert_eq!(order["offline_reference"], "BANK20261129001");
    let order_id = order["id"].as_i64().unwrap();
    let out_trade_no = order["out_trade_no"].as_str().unwrap().to_owned();

    // The candidate sees it paid; the audit log has it.
    let mine = candidate_payment(&app, &s).await;
    assert_eq!(mine["paid"], true, "{mine:#}");
    assert_eq!(mine["status"], "paid");
    let lines = audit_lines(&app, "payment.offline").await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].actor, "caiwu");
    assert_eq!(lines[0].subject_id, id.to_string());

    // Paid now: neither a second payment nor a deadline.
    let e = ApiError::from(
        post(
            &app,
            &admin,
            &offline,
            json!({ "method": "cash", "reference": "R2" }),
        )
        .await,
    )
    .await;
    assert_eq!((e.status, e.code.as_str()), (409, "payment_not_needed"));
    let e = ApiError::from(post(&app, &admin, &deadline, json!({ "until": until })).await).await;
    assert_eq!((e.status, e.code.as_str()), (409, "deadline_not_payable"));

    // The order list finds it by application id, order number and state.
    for query in [
        format!("q={id}"),
        format!("q={out_trade_no}"),
        "state=paid".to_owned(),
    ] {
        let list = get(
            &app,
            &admin,
            &format!("/api/v1/staff/payments/orders?{query}"),
        )
        .await;
        assert!(
            list["orders"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["id"] == order_id),
            "{query}: {list:#}"
        );
    }
    let pending = get(&app, &admin, "/api/v1/staff/payments/orders?state=pending").await;
    assert_eq!(pending["total"], 0);

    // A refund of part of it; then of more than is left.
    let refunds = format!("/api/v1/staff/payments/orders/{order_id}/refunds");
    let e = ApiError::from(
        post(
            &app,
            &admin,
            &refunds,
            json!({ "amount_fen": 100, "reason": " " }),
        )
        .await,
    )
    .await;
    assert_eq!((e.status, e.code.as_str()), (422, "refund_no_reason"));
    assert_eq!(e.field("reason").code, "refund_no_reason");
    let part = fee / 2;
    let refund = post(
        &app,
        &admin,
        &refunds,
        json!({ "amount_fen": part, "reason": "考生申请部分退费" }),
    )
    .await;
    assert_eq!(refund.status(), 201);
    let refund: Value = refund.json().await.unwrap();
    assert_eq!(refund["amount_fen"], part);
    // An offline payment's refund is paid back by hand: recorded as done at once.
    assert_eq!(refund["state"], "succeeded", "{refund:#}");
    let e = ApiError::from(
        post(
            &app,
            &admin,
            &refunds,
            json!({ "amount_fen": fee - part + 1, "reason": "再退一次" }),
        )
        .await,
    )
    .await;
    assert_eq!((e.status, e.code.as_str()), (422, "refund_too_much"));
    assert_eq!(e.field("amount").code, "refund_too_much");
    assert!(e.message.contains("可退金额"), "{}", e.message);

    let detail = get(
        &app,
        &admin,
        &format!("/api/v1/staff/payments/orders/{order_id}"),
    )
    .await;
    assert_eq!(detail["order"]["state"], "paid", "{detail:#}");
    assert_eq!(detail["order"]["refunded_fen"], part);
    assert_eq!(detail["refundable_fen"], fee - part);
    assert_eq!(detail["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(detail["refunds"][0]["state"], "succeeded");
    assert_eq!(detail["refunds"][0]["cause"], "staff");
    assert_eq!(detail["application_status"], "paid");
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"paid_offline") && kinds.contains(&"refund_requested"),
        "{kinds:?}"
    );
    let lines = audit_lines(&app, "payment.refund").await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].subject_id, out_trade_no);
    // A part refunded without withdrawing: the candidate is still paid.
    assert_eq!(candidate_payment(&app, &s).await["status"], "paid");

    // The rest, withdrawing the application with it.
    let refund = post(
        &app,
        &admin,
        &refunds,
        json!({ "amount_fen": fee - part, "reason": "考生不再参加", "withdraw": true }),
    )
    .await;
    assert_eq!(refund.status(), 201, "{}", refund.text().await.unwrap());
    let after = get(&app, &admin, &path).await;
    assert_eq!(after["status"], "withdrawn", "{after:#}");
    assert_eq!(after["orders"][0]["state"], "refunded");
    assert_eq!(after["orders"][0]["refunded_fen"], fee);
}

async fn reconciliation_of_yesterday(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .staff("caiwu", "财务", &[StaffRole::Administrator])
        .await;
    let yesterday = domain::time::shanghai_date(Utc::now()) - Duration::days(1);
    let day = yesterday.format("%Y-%m-%d").to_string();
    let path = "/api/v1/staff/payments/reconciliations";

    // Nothing on either side: balanced (the date defaults to yesterday).
    let response = post(&app, &admin, path, json!({})).await;
    assert_eq!(response.status(), 201);
    let balanced: Value = response.json().await.unwrap();
    assert_eq!(balanced["bill_date"], day.as_str());
    assert_eq!(balanced["outcome"], "balanced", "{balanced:#}");
    assert_eq!(balanced["provider"], "simulated");
    assert_eq!(balanced["labels"], json!([]));
    // Asked by staff: audited with its outcome.
    let audited = audit_lines(&app, "payment.reconcile").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].after.as_ref().unwrap()["outcome"], "balanced");

    // The provider took money yesterday that our books do not have.
    let noon = format!("{day}T04:00:00.000+00:00");
    app.execute_sql(&format!(
        "INSERT INTO simulated_pay_orders (out_trade_no, description, amount_fen, expires_at, \
         trade_state, transaction_id, paid_at, notify_url, created_at) VALUES \
         ('SCRECONTEST0001', '测试', 12345, '{noon}', 'SUCCESS', 'SIMRECON0001', '{noon}', \
         'http://127.0.0.1/', '{noon}')"
    ))
    .await;
    let response = post(&app, &admin, path, json!({ "date": day })).await;
    assert_eq!(response.status(), 201);
    let differences: Value = response.json().await.unwrap();
    assert_eq!(differences["outcome"], "differences", "{differences:#}");
    let label = differences["labels"][0].as_str().unwrap().to_owned();
    assert!(
        label.contains("SCRECONTEST0001") && label.contains("本系统未记为已支付"),
        "{label}"
    );
    assert_eq!(differences["theirs"]["payments_fen"], 12345);
    assert_eq!(differences["ours"]["count"], 0);

    // Both are saved and listed, newest first.
    let listed = get(&app, &admin, &format!("{path}?date={day}")).await;
    let ids: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert!(ids.contains(&&balanced["id"]) && ids.contains(&&differences["id"]));
    let html = page(&app, &admin, "/staff/payments/reconciliation").await;
    assert!(html.contains("每日对账") && html.contains("有差异") && html.contains("账目一致"));
    assert!(html.contains(&label), "every difference is shown");

    // Today's bill is not ready; a date that is not one is refused.
    let today = domain::time::shanghai_date(Utc::now())
        .format("%Y-%m-%d")
        .to_string();
    let e = ApiError::from(post(&app, &admin, path, json!({ "date": today })).await).await;
    assert_eq!((e.status, e.code.as_str()), (409, "bill_not_ready"));
    assert!(e.message.contains("对账单尚未生成"), "{}", e.message);
    let e = ApiError::from(post(&app, &admin, path, json!({ "date": "昨天" })).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("date").code, "reconcile_date_invalid");

    // The page's form: yesterday by default; a refusal shows what was typed and why.
    assert!(
        html.contains(&format!("value=\"{day}\"")),
        "yesterday by default"
    );
    let (status, html, _) = form(
        &app,
        &admin,
        "/staff/payments/reconciliation",
        &[("date", &today)],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("对账单尚未生成") && html.contains(&format!("value=\"{today}\"")));
    let (status, _, location) = form(
        &app,
        &admin,
        "/staff/payments/reconciliation",
        &[("date", &day)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some("/staff/payments/reconciliation?done=reconcile")
    );
    let after = get(&app, &admin, &format!("{path}?date={day}")).await;
    assert_eq!(
        after.as_array().unwrap().len(),
        listed.as_array().unwrap().len() + 1
    );
}

async fn the_pages_render_and_keep_what_was_typed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700006363", 63).await;
    let id = s.application_id;
    let admin = app
        .staff("caiwu", "财务", &[StaffRole::Administrator])
        .await;

    // The console shows the area to administrators only.
    let home = page(&app, &admin, "/staff").await;
    assert!(home.contains("/staff/payments") && home.contains("缴费管理"));
    let list = page(&app, &admin, "/staff/payments").await;
    assert!(list.contains("缴费管理") && list.contains("订单状态") && list.contains("每日对账"));
    let found = admin
        .client
        .get(app.url(&format!("/staff/payments/applications?id={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), 303);
    assert_eq!(
        found.headers()["location"],
        format!("/staff/payments/applications/{id}").as_str()
    );

    let app_page = format!("/staff/payments/applications/{id}");
    let html = page(&app, &admin, &app_page).await;
    assert!(
        html.contains("登记线下缴费")
            && html.contains("延长缴费期限")
            && html.contains("待缴费")
            && html.contains("银行转账")
            && html.contains("现金"),
        "{html}"
    );

    // Refused forms come back with what was typed and the reason beside the field.
    let (status, html, _) = form(
        &app,
        &admin,
        &format!("{app_page}/offline"),
        &[
            ("method", "cash"),
            ("reference", ""),
            ("note", "收据稍后补交"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("请填写凭证号"), "{html}");
    assert!(html.contains("value=\"收据稍后补交\""));
    assert!(html.contains("value=\"cash\" checked"));
    let (status, html, _) = form(
        &app,
        &admin,
        &format!("{app_page}/deadline"),
        &[("until", "2020-01-01 10:00")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("新的截止时间须晚于"), "{html}");
    assert!(html.contains("value=\"2020-01-01 10:00\""));

    // Recorded: back to the page with the notice.
    let (status, _, location) = form(
        &app,
        &admin,
        &format!("{app_page}/offline"),
        &[("method", "cash"), ("reference", "SJ-0063"), ("note", "")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("{app_page}?done=offline").as_str())
    );
    let html = page(&app, &admin, &format!("{app_page}?done=offline")).await;
    assert!(html.contains("已登记线下缴费") && html.contains("缴费成功"));
    // A form left open elsewhere: refused with the reason, though the forms are gone.
    let (status, html, _) = form(
        &app,
        &admin,
        &format!("{app_page}/offline"),
        &[("method", "cash"), ("reference", "SJ-0064")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("无需缴费") && !html.contains("name=\"reference\""));
    let detail = get(
        &app,
        &admin,
        &format!("/api/v1/staff/payments/applications/{id}"),
    )
    .await;
    let order_id = detail["orders"][0]["id"].as_i64().unwrap();
    let fee = detail["fee_fen"].as_i64().unwrap();
    let out_trade_no = detail["orders"][0]["out_trade_no"].as_str().unwrap();
    let list = page(&app, &admin, &format!("/staff/payments?q={id}")).await;
    assert!(list.contains(out_trade_no) && list.contains("线下缴费（现金）"));

    // The order's page: facts, trail, the refund form.
    let order_page = format!("/staff/payments/orders/{order_id}");
    let html = page(&app, &admin, &order_page).await;
    assert!(
        html.contains("发起退款")
            && html.contains("同时撤销报名（释放名额）")
            && html.contains("登记线下缴费")
            && html.contains("SJ-0063"),
        "{html}"
    );
    let (status, html, _) = form(
        &app,
        &admin,
        &format!("{order_page}/refund"),
        &[("amount", "十元"), ("reason", "多收了")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("请填写退款金额") && html.contains("value=\"十元\""));
    assert!(html.contains("value=\"多收了\""));
    let too_much = domain::money::Fen(fee + 100).yuan_text();
    let (status, html, _) = form(
        &app,
        &admin,
        &format!("{order_page}/refund"),
        &[
            ("amount", too_much.as_str()),
            ("reason", "多收了"),
            ("withdraw", "1"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("退款金额不能超过可退金额"), "{html}");
    assert!(html.contains(&format!("value=\"{too_much}\"")));
    assert!(html.contains("name=\"withdraw\" value=\"1\" checked"));

    // The whole fee, withdrawing the application: the seat goes back.
    let all = domain::money::Fen(fee).yuan_text();
    let (status, _, location) = form(
        &app,
        &admin,
        &format!("{order_page}/refund"),
        &[
            ("amount", &all),
            ("reason", "考生因病不能参加"),
            ("withdraw", "1"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("{order_page}?done=refund").as_str())
    );
    let html = page(&app, &admin, &format!("{order_page}?done=refund")).await;
    assert!(html.contains("退款已提交") && html.contains("已退款") && html.contains("已撤回"));
    let mine = candidate_payment(&app, &s).await;
    assert_eq!(mine["status"], "withdrawn", "{mine:#}");
    // Nothing left to pay or refund: the forms are gone.
    let html = page(&app, &admin, &app_page).await;
    assert!(!html.contains("name=\"reference\"") && !html.contains("name=\"until\""));
    let html = page(&app, &admin, &order_page).await;
    assert!(!html.contains("name=\"amount\""));
}

async fn every_payment_route_refuses_whoever_is_not_an_administrator(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700006565", 65).await;
    let id = s.application_id;
    let reviewer = app.staff("shenhe", "审核乙", &[StaffRole::Reviewer]).await;
    let exam = app
        .staff("kaowu", "考务甲", &[StaffRole::ExamAdministrator])
        .await;
    let org = app
        .staff("danwei", "单位联系人", &[StaffRole::OrganizationContact])
        .await;
    let admin = app
        .staff("caiwu", "财务", &[StaffRole::Administrator])
        .await;
    let order = 1;
    let api_gets = [
        "/api/v1/staff/payments/orders".to_owned(),
        format!("/api/v1/staff/payments/orders/{order}"),
        format!("/api/v1/staff/payments/applications/{id}"),
        "/api/v1/staff/payments/reconciliations".to_owned(),
    ];
    let api_posts = [
        (
            format!("/api/v1/staff/payments/orders/{order}/refunds"),
            json!({ "amount_fen": 100, "reason": "x" }),
        ),
        (
            format!("/api/v1/staff/payments/applications/{id}/offline"),
            json!({ "method": "cash", "reference": "R1" }),
        ),
        (
            format!("/api/v1/staff/payments/applications/{id}/deadline"),
            json!({ "until": "2030-01-01 10:00" }),
        ),
        (
            "/api/v1/staff/payments/reconciliations".to_owned(),
            json!({}),
        ),
    ];
    let pages = [
        "/staff/payments".to_owned(),
        format!("/staff/payments/orders/{order}"),
        format!("/staff/payments/applications/{id}"),
        format!("/staff/payments/applications?id={id}"),
        "/staff/payments/reconciliation".to_owned(),
    ];
    let page_posts = [
        (
            format!("/staff/payments/orders/{order}/refund"),
            vec![("amount", "1"), ("reason", "x")],
        ),
        (
            format!("/staff/payments/applications/{id}/offline"),
            vec![("method", "cash"), ("reference", "R1")],
        ),
        (
            format!("/staff/payments/applications/{id}/deadline"),
            vec![("until", "2030-01-01 10:00")],
        ),
        (
            "/staff/payments/reconciliation".to_owned(),
            vec![("date", "2026-01-01")],
        ),
    ];

    let anonymous = app.client();
    for path in &api_gets {
        let r = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "anonymous GET {path}");
    }
    for (path, body) in &api_posts {
        let r = anonymous
            .post(app.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "anonymous POST {path}");
    }
    for path in &pages {
        let r = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous page {path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/staff/login?next=")
        );
    }
    for (path, fields) in &page_posts {
        let r = anonymous
            .post(app.url(path))
            .form(fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "anonymous form {path}");
    }

    let candidate = &s.candidate;
    for (who, client, csrf) in [
        ("candidate", &candidate.client, &candidate.csrf),
        ("reviewer", &reviewer.client, &reviewer.csrf),
        ("exam administrator", &exam.client, &exam.csrf),
        ("organization contact", &org.client, &org.csrf),
    ] {
        for path in &api_gets {
            let e = ApiError::from(client.get(app.url(path)).send().await.unwrap()).await;
            assert_eq!(e.status, 403, "{who} GET {path}");
        }
        for (path, body) in &api_posts {
            let r = client
                .post(app.url(path))
                .header("X-CSRF-Token", csrf.as_str())
                .json(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{who} POST {path}");
        }
        for path in &pages {
            let r = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 403, "{who} page {path}");
            let text = r.text().await.unwrap();
            assert!(
                text.contains("管理缴费与退款") || who == "candidate",
                "{who} {path}: {text}"
            );
        }
        for (path, fields) in &page_posts {
            let mut all = vec![("csrf", csrf.as_str())];
            all.extend(fields.iter().copied());
            let r = client.post(app.url(path)).form(&all).send().await.unwrap();
            assert_eq!(r.status(), 403, "{who} form {path}");
        }
    }
    // The navigation does not offer it to them.
    let home = reviewer
        .client
        .get(app.url("/staff"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!home.contains("/staff/payments"), "{home}");

    // Nothing the refused calls tried changed anything.
    let view = get(
        &app,
        &admin,
        &format!("/api/v1/staff/payments/applications/{id}"),
    )
    .await;
    assert_eq!(view["status"], "approved");
    assert_eq!(view["orders"], json!([]));
    for action in [
        "payment.offline",
        "payment.extend_deadline",
        "payment.refund",
    ] {
        assert!(audit_lines(&app, action).await.is_empty(), "{action}");
    }
    let reports = get(&app, &admin, "/api/v1/staff/payments/reconciliations").await;
    assert!(
        reports
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["bill_date"] != "2026-01-01"),
        "{reports:#}"
    );
}

on_both_backends!(
    offline_payment_refunds_and_deadline,
    reconciliation_of_yesterday,
    the_pages_render_and_keep_what_was_typed,
    every_payment_route_refuses_whoever_is_not_an_administrator,
);
