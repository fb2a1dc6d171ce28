//! `/api/v1/staff/employers`: the employer registry, and its import in two calls: upload a
//! file and get its report (the rows that passed are staged), then confirm the staged import.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use chrono::NaiveDate;
use domain::applications::employer_import::Severity;
use domain::permissions::Permission;
use serde::{Deserialize, Serialize};

use super::actions::{self, Checked, column_label};
use crate::client::ClientAddress;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::staff::Staff;
use crate::staff::catalogue::actions::parse_id;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmployerItem {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码.
    pub uscc: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub deregistered_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmployerList {
    pub employers: Vec<EmployerItem>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

#[derive(Debug, Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: Option<u64>,
}

/// The registry by name; `q` matches part of the name or a whole credit code.
#[utoipa::path(get, path = "/api/v1/staff/employers", tag = "employers",
    params(("q" = Option<String>, Query), ("page" = Option<u64>, Query)),
    responses((status = 200, body = EmployerList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<EmployerList>> {
    staff.require(Permission::ManageReferenceData)?;
    let found = store::employers::search(&state.db, Some(&q.q), q.page.unwrap_or(1)).await?;
    Ok(Json(EmployerList {
        employers: found
            .rows
            .into_iter()
            .map(|r| EmployerItem {
                id: r.id,
                name: r.record.name,
                uscc: r.record.uscc,
                founded_on: r.record.founded_on,
                deregistered_on: r.record.deregistered_on,
            })
            .collect(),
        total: found.total,
        page: found.page,
        pages: found.pages,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssueView {
    /// The spreadsheet row (the header is row 1).
    pub row: usize,
    /// The column's Chinese header, or 整个文件.
    pub column: String,
    /// error (the row is not imported) | warning (imported; look at it)
    pub severity: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReportView {
    /// Confirm this to import the accepted rows; none when no row passed.
    pub import_id: Option<i64>,
    pub file_name: String,
    pub accepted_rows: usize,
    /// The spreadsheet rows refused.
    pub refused_rows: Vec<usize>,
    pub issues: Vec<IssueView>,
}

pub fn report_view(checked: &Checked) -> ImportReportView {
    ImportReportView {
        import_id: checked.import_id,
        file_name: checked.file_name.clone(),
        accepted_rows: checked.report.records.len(),
        refused_rows: checked.refused_rows(),
        issues: checked
            .report
            .issues
            .iter()
            .map(|i| IssueView {
                row: i.row,
                column: column_label(i).to_owned(),
                severity: match i.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                }
                .to_owned(),
                code: i.code.to_owned(),
                message: i.message.clone(),
            })
            .collect(),
    }
}

/// Checks an employer file (multipart field `file`: CSV in UTF-8 or GBK, or XLSX; at most 5 MB)
/// and reports every problem by row and column. Nothing is imported until the import is
/// confirmed.
#[utoipa::path(post, path = "/api/v1/staff/employers/imports", tag = "employers",
    request_body(content_type = "multipart/form-data", description = "`file`: the CSV or XLSX file"),
    responses((status = 200, body = ImportReportView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Json<ImportReportView>> {
    staff.require(Permission::ManageReferenceData)?;
    let multipart = multipart.map_err(|_| {
        AppError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "bad_request",
            "请以 multipart/form-data 上传文件（字段名 file）",
        )
    })?;
    let upload = actions::read_upload(multipart).await?;
    let checked = actions::check(&state, &staff, upload.file).await?;
    Ok(Json(report_view(&checked)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub inserted: usize,
    pub updated: usize,
    /// Rows already in the registry as in the file.
    pub unchanged: usize,
}

/// Imports the accepted rows of a checked file, all or none, once (by unified social credit
/// code, else by name: importing a file twice adds nothing).
#[utoipa::path(post, path = "/api/v1/staff/employers/imports/{id}/confirm", tag = "employers",
    params(("id" = i64, Path)),
    responses((status = 200, body = ImportResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
) -> ApiResult<Json<ImportResult>> {
    staff.require(Permission::ManageReferenceData)?;
    let counts = actions::confirm(&state, &staff, &address, parse_id(&id)?).await?;
    Ok(Json(ImportResult {
        inserted: counts.inserted,
        updated: counts.updated,
        unchanged: counts.unchanged,
    }))
}
