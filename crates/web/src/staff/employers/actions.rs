//! What the employer pages and API share: reading an uploaded file, checking its rows,
//! staging the rows that passed for confirmation, and applying a staged import.
//!
//! Between the report and the confirmation the rows wait in the database
//! (`store::employer_imports`), not in the page: the file is read once, the confirmation applies
//! exactly what the report showed, it works from any instance, and a page cannot be altered to
//! import rows that were never checked.

use axum::extract::Multipart;
use axum::http::StatusCode;
use chrono::Utc;
use domain::applications::employer_import::{ImportReport, RowIssue, Severity, check_rows};
use store::employer_imports::{ApplyError, StagedRow};
use store::employers::ImportCounts;

use super::read::read_rows;
use crate::error::AppError;
use crate::staff::Staff;
use crate::staff::catalogue::actions::editor;
use crate::state::AppState;

/// The request body limit of the upload routes: the largest file plus the multipart envelope.
pub const IMPORT_BODY_LIMIT: usize = 6 * 1024 * 1024;
/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// What a multipart upload carried.
pub struct Upload {
    pub csrf: Option<String>,
    pub file: Option<(String, Vec<u8>)>,
}

/// A refusal of the file, beside the file input; its code is the specific one.
fn file_error(code: &'static str, message: impl Into<String>) -> AppError {
    let mut e = AppError::field("file", code, message);
    e.code = code;
    e
}

fn too_large() -> AppError {
    file_error("upload_too_large", "文件太大：不能超过 5 MB")
}

/// Reads the `csrf` and `file` fields (the first file only).
pub async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "上传内容无法读取，请重试",
            )
        }
    };
    let mut upload = Upload {
        csrf: None,
        file: None,
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some(crate::session::CSRF_FIELD) => {
                upload.csrf = Some(field.text().await.map_err(unreadable)?);
            }
            Some("file") if upload.file.is_none() => {
                let name = field
                    .file_name()
                    .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
                    .map(|n| n.chars().filter(|c| !c.is_control()).take(100).collect())
                    .unwrap_or_default();
                let bytes = field.bytes().await.map_err(unreadable)?;
                if bytes.len() > MAX_FILE_BYTES {
                    return Err(too_large());
                }
                upload.file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// A checked file: the report, and the staged import to confirm when any row passed.
pub struct Checked {
    pub file_name: String,
    pub report: ImportReport,
    pub import_id: Option<i64>,
}

impl Checked {
    /// The rows refused (each once, however many problems it has).
    pub fn refused_rows(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = self
            .report
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| i.row)
            .collect();
        rows.dedup();
        rows
    }
}

/// Reads and checks an uploaded file and stages what passed.
pub async fn check(
    state: &AppState,
    staff: &Staff,
    file: Option<(String, Vec<u8>)>,
) -> Result<Checked, AppError> {
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(file_error(
            "upload_empty",
            "请选择要导入的 CSV 或 Excel（.xlsx）文件",
        ));
    };
    // Decoding and checking tens of thousands of cells is CPU work: off the async threads.
    let report =
        tokio::task::spawn_blocking(move || read_rows(&bytes).map(|rows| check_rows(&rows)))
            .await
            .map_err(AppError::internal)?
            .map_err(|e| file_error(e.code(), e.to_string()))?;
    let mut checked = Checked {
        file_name: if file_name.is_empty() {
            "单位名录".to_owned()
        } else {
            file_name
        },
        report,
        import_id: None,
    };
    if !checked.report.records.is_empty() {
        let rows: Vec<StagedRow> = checked
            .report
            .records
            .iter()
            .map(|(row, record)| StagedRow {
                row: *row,
                record: record.clone(),
            })
            .collect();
        checked.import_id = Some(
            store::employer_imports::stage(
                &state.db,
                staff.account.id,
                &checked.file_name,
                &rows,
                checked.refused_rows().len(),
                Utc::now(),
            )
            .await?,
        );
    }
    Ok(checked)
}

/// Applies a staged import of this member of staff.
pub async fn confirm(
    state: &AppState,
    staff: &Staff,
    address: &str,
    import_id: i64,
) -> Result<ImportCounts, AppError> {
    store::employer_imports::apply(&state.db, import_id, &editor(staff, address), Utc::now())
        .await?
        .map_err(|e| match e {
            ApplyError::NotFound => AppError::not_found(),
            ApplyError::AlreadyApplied => AppError::new(
                StatusCode::CONFLICT,
                "import_already_applied",
                "该文件已经导入过了",
            ),
            ApplyError::Expired => AppError::new(
                StatusCode::CONFLICT,
                "import_expired",
                "检查结果已过期（超过 24 小时），请重新上传文件",
            ),
        })
}

/// An issue's column in Chinese, or "整个文件".
pub fn column_label(issue: &RowIssue) -> &'static str {
    issue.column.map_or("整个文件", |c| c.label())
}
