//! 单位名录 pages: the registry with its search, the upload of a file, its report (rows
//! accepted; rows refused with row, column and reason) and the confirmation that imports it.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use domain::applications::employer_import::Severity;
use domain::permissions::Permission;
use serde::Deserialize;
use store::employers::EmployerRow;

use super::actions::{self, Checked, column_label};
use crate::client::ClientAddress;
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, render};
use crate::session::{CSRF_HEADER, CsrfForm};
use crate::staff::catalogue::actions::parse_id;
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<u64>,
    /// The import just confirmed, for the notice.
    #[serde(default)]
    imported: Option<i64>,
}

#[derive(Template)]
#[template(path = "staff/employers.html")]
struct ListPage {
    layout: ConsoleLayout,
    csrf: String,
    q: String,
    rows: Vec<EmployerRow>,
    total: u64,
    page: u64,
    pages: u64,
    query: String,
    notice: Option<String>,
    errors: FormErrors,
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    q: &ListQuery,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let found = store::employers::search(&state.db, Some(&q.q), q.page.unwrap_or(1)).await?;
    let notice = match q.imported {
        Some(id) => store::employer_imports::get(&state.db, id, staff.account.id)
            .await?
            .and_then(|s| s.counts.map(|c| (s.file_name, c)))
            .map(|(file, c)| {
                format!(
                    "已导入“{file}”：新增 {} 家，更新 {} 家，其余与名录一致",
                    c.inserted, c.updated
                )
            }),
        None => None,
    };
    Ok(ListPage {
        csrf: staff.session.csrf_token().await?,
        layout: staff.layout(ConsoleSection::ReferenceData),
        query: if q.q.trim().is_empty() {
            String::new()
        } else {
            format!("q={}&", crate::percent::encode(q.q.trim()))
        },
        q: q.q.clone(),
        rows: found.rows,
        total: found.total,
        page: found.page,
        pages: found.pages,
        notice,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> PageResult {
    staff.require(Permission::ManageReferenceData)?;
    let page = list_page(&state, &staff, &q, FormErrors::none()).await?;
    Ok(render(&page)?.into_response())
}

pub struct IssueLine {
    pub column: &'static str,
    pub message: String,
}

pub struct RowLine {
    pub row: usize,
    pub issues: Vec<IssueLine>,
}

#[derive(Template)]
#[template(path = "staff/employers_report.html")]
struct ReportPage {
    layout: ConsoleLayout,
    csrf: String,
    file_name: String,
    import_id: Option<i64>,
    accepted: usize,
    refused: Vec<RowLine>,
    warnings: Vec<RowLine>,
    /// Problems of the whole file (no header, empty): nothing can be imported.
    file_problems: Vec<String>,
}

fn lines(checked: &Checked, severity: Severity) -> Vec<RowLine> {
    let mut out: Vec<RowLine> = Vec::new();
    for i in checked
        .report
        .issues
        .iter()
        .filter(|i| i.severity == severity && i.column.is_some())
    {
        let line = IssueLine {
            column: column_label(i),
            message: i.message.clone(),
        };
        match out.last_mut() {
            Some(last) if last.row == i.row => last.issues.push(line),
            _ => out.push(RowLine {
                row: i.row,
                issues: vec![line],
            }),
        }
    }
    out
}

/// POST /staff/employers/import (multipart: `csrf`, `file`): the report of the file.
pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    staff.require(Permission::ManageReferenceData)?;
    let multipart = multipart.map_err(|_| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "上传内容无法读取，请重试",
        )
    })?;
    let upload = actions::read_upload(multipart).await;
    // The token is checked before anything else, even when the body could not be read whole.
    let header_token = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let token = match &upload {
        Ok(u) => u.csrf.clone().or(header_token),
        Err(_) => header_token,
    };
    let checked = match upload {
        Ok(u) => {
            staff
                .session
                .check_csrf(token.as_deref().unwrap_or_default())?;
            actions::check(&state, &staff, u.file).await
        }
        Err(e) => Err(e),
    };
    let checked = match checked {
        Ok(c) => c,
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let page = list_page(&state, &staff, &ListQuery::default(), e.into()).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let page = ReportPage {
        csrf: staff.session.csrf_token().await?,
        layout: staff.layout(ConsoleSection::ReferenceData),
        file_name: checked.file_name.clone(),
        import_id: checked.import_id,
        accepted: checked.report.records.len(),
        refused: lines(&checked, Severity::Error),
        warnings: lines(&checked, Severity::Warning),
        file_problems: checked
            .report
            .issues
            .iter()
            .filter(|i| i.column.is_none())
            .map(|i| i.message.clone())
            .collect(),
    };
    Ok(render(&page)?.into_response())
}

/// 确认导入: applies the staged import, then back to the registry with the counts.
pub async fn confirm(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<crate::accounts::pages::EmptyForm>,
) -> PageResult {
    staff.require(Permission::ManageReferenceData)?;
    let id = parse_id(&id)?;
    actions::confirm(&state, &staff, &address, id).await?;
    Ok(Redirect::to(&format!("/staff/employers?imported={id}")).into_response())
}
