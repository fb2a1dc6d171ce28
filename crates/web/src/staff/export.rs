//! Exports of queues to XLSX: the review queue with the same filters as `/staff/review`, and
//! the feedback list with the filters of `/staff/feedback`. Each export needs
//! `Permission::ViewDashboard` and the permission of the queue it exports, and is written to
//! the audit log (who exported what, with which filter).

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use chrono::Utc;
use domain::applications::state::ApplicationStatus;
use domain::permissions::Permission;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::json;

use crate::client::ClientAddress;
use crate::error::{AppError, PageResult};
use crate::staff::Staff;
use crate::staff::feedback::ListQuery;
use crate::staff::review::pages::QueueQuery;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/export/review.xlsx", get(review))
        .route("/staff/export/feedback.xlsx", get(feedback))
}

/// One cell of an exported sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    // Ids and counts of a certification body stay far below 2^53: exact as f64.
    #[allow(clippy::cast_precision_loss)]
    fn from(n: i64) -> Cell {
        Cell::Number(n as f64)
    }
}

/// A sheet: a bold, frozen header row with its column widths, then the rows.
pub struct Sheet {
    pub name: &'static str,
    pub columns: &'static [(&'static str, f64)],
    pub rows: Vec<Vec<Cell>>,
}

/// The workbook's bytes. Text is written as text (never as a formula), so a value that
/// starts with `=` stays a value.
pub fn workbook(sheet: &Sheet) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet();
    ws.set_name(sheet.name)?;
    for (col, (title, width)) in (0u16..).zip(sheet.columns) {
        ws.write_string_with_format(0, col, *title, &bold)?;
        ws.set_column_width(col, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (row, cells) in (1u32..).zip(&sheet.rows) {
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Text(t) => ws.write_string(row, col, t.as_str())?,
                Cell::Number(n) => ws.write_number(row, col, *n)?,
            };
        }
    }
    book.save_to_buffer()
}

/// The Content-Disposition of a download: an ASCII name for old clients, the Chinese one for
/// the rest.
pub fn disposition(ascii_name: &str, name: &str) -> String {
    format!(
        "attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}",
        crate::percent::encode(name)
    )
}

async fn xlsx_response(sheet: Sheet, ascii_stem: &str, stem: &str) -> Result<Response, AppError> {
    let bytes = tokio::task::spawn_blocking(move || workbook(&sheet))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let day = domain::time::shanghai_date(Utc::now()).format("%Y%m%d");
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    let value = disposition(
        &format!("{ascii_stem}-{day}.xlsx"),
        &format!("{stem}-{day}.xlsx"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&value).map_err(AppError::internal)?,
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

fn login_of(staff: &Staff) -> String {
    staff
        .account
        .login_name
        .clone()
        .unwrap_or_else(|| staff.account.real_name.clone())
}

const REVIEW_COLUMNS: &[(&str, f64)] = &[
    ("报名编号", 10.0),
    ("姓名", 10.0),
    ("认定计划", 30.0),
    ("级别", 6.0),
    ("所在单位", 30.0),
    ("状态", 10.0),
    ("提交时间", 18.0),
    ("轮次", 6.0),
    ("审核时限", 24.0),
    ("自动核验", 20.0),
];

/// GET /staff/export/review.xlsx?<the review queue's query string>: every matching
/// application (not only one page of them).
pub async fn review(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    staff.require(Permission::ViewDashboard)?;
    staff.require(Permission::ReviewApplications)?;
    let now = Utc::now();
    let calendar = store::calendar::load(&state.db).await?;
    let found = store::review::matching(
        &state.db,
        &q.filter(),
        &calendar,
        domain::time::shanghai_date(now),
    )
    .await?;
    let rows: Vec<Vec<Cell>> = found
        .iter()
        .map(|r| {
            let a = &r.application;
            let under_review = a.status == ApplicationStatus::UnderReview;
            vec![
                a.id.into(),
                a.draft.basic.name.as_str().into(),
                format!("{} {}", r.plan_code, r.plan_name).into(),
                r.level.short_name().into(),
                a.draft.registration.employer.as_str().into(),
                a.status.label().into(),
                a.submitted_at
                    .map(domain::time::format_instant)
                    .unwrap_or_default()
                    .into(),
                i64::from(a.round).into(),
                if under_review {
                    r.deadline.map(|d| d.label()).unwrap_or_default()
                } else {
                    String::new()
                }
                .into(),
                if a.eligibility_met {
                    "符合申报条件"
                } else {
                    "不符合（考生已确认）"
                }
                .into(),
            ]
        })
        .collect();
    store::dashboard::record_export(
        &state.db,
        store::dashboard::Export {
            actor_account_id: staff.account.id,
            actor: &login_of(&staff),
            what: "review_queue",
            filter: json!({
                "query": q.query_string(),
                "plan": q.plan, "level": q.level, "status": q.status,
                "age": q.age, "checks": q.checks, "org": q.org,
            }),
            rows: rows.len(),
            client_address: Some(address),
        },
        now,
    )
    .await?;
    let sheet = Sheet {
        name: "报名审核",
        columns: REVIEW_COLUMNS,
        rows,
    };
    Ok(xlsx_response(sheet, "review-queue", "报名审核").await?)
}

const FEEDBACK_COLUMNS: &[(&str, f64)] = &[
    ("编号", 8.0),
    ("提交人", 10.0),
    ("问题类型", 10.0),
    ("内容", 60.0),
    ("相关报名", 10.0),
    ("截图", 6.0),
    ("提交时间", 18.0),
    ("状态", 8.0),
    ("回复", 60.0),
    ("回复人", 10.0),
    ("回复时间", 18.0),
];

/// GET /staff/export/feedback.xlsx?status=&category=: the feedback list as filtered.
pub async fn feedback(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Query(q): Query<ListQuery>,
) -> PageResult {
    staff.require(Permission::ViewDashboard)?;
    staff.require(Permission::AnswerFeedback)?;
    let now = Utc::now();
    let found = store::feedback::list(&state.db, q.filter()).await?;
    let rows: Vec<Vec<Cell>> = found
        .iter()
        .map(|l| {
            let f = &l.feedback;
            let answer = f.answer.as_ref();
            vec![
                f.id.into(),
                l.sender_name.as_str().into(),
                f.category.label().into(),
                f.text.as_str().into(),
                f.application_id
                    .map_or(Cell::Text(String::new()), Cell::from),
                if f.screenshot.is_some() { "有" } else { "无" }.into(),
                domain::time::format_instant(f.created_at).into(),
                f.status().label().into(),
                answer.map(|a| a.text.clone()).unwrap_or_default().into(),
                answer.map(|a| a.by_name.clone()).unwrap_or_default().into(),
                answer
                    .map(|a| domain::time::format_instant(a.at))
                    .unwrap_or_default()
                    .into(),
            ]
        })
        .collect();
    store::dashboard::record_export(
        &state.db,
        store::dashboard::Export {
            actor_account_id: staff.account.id,
            actor: &login_of(&staff),
            what: "feedback",
            filter: json!({ "query": q.query_string(), "status": q.status, "category": q.category }),
            rows: rows.len(),
            client_address: Some(address),
        },
        now,
    )
    .await?;
    let sheet = Sheet {
        name: "意见反馈",
        columns: FEEDBACK_COLUMNS,
        rows,
    };
    Ok(xlsx_response(sheet, "feedback", "意见反馈").await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_download_name_is_ascii_with_the_chinese_name_encoded() {
        let d = disposition("review-queue-20261129.xlsx", "报名审核-20261129.xlsx");
        assert!(d.starts_with("attachment; filename=\"review-queue-20261129.xlsx\"; "));
        assert!(d.ends_with("filename*=UTF-8''%E6%8A%A5%E5%90%8D%E5%AE%A1%E6%A0%B8-20261129.xlsx"));
        assert!(HeaderValue::from_str(&d).is_ok());
    }

    #[test]
    fn a_workbook_is_a_zip_file() {
        let bytes = workbook(&Sheet {
            name: "测试",
            columns: &[("甲", 10.0), ("乙", 10.0)],
            rows: vec![vec!["=1+1".into(), 3i64.into()]],
        })
        .expect("workbook");
        assert!(bytes.starts_with(b"PK\x03\x04"));
    }
}
