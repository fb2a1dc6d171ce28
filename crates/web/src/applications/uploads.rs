//! 证件信息上传: uploading the documents an application needs, for pages (one multipart form per
//! document, works without JavaScript) and the API alike; serving a file back to its owner only.
//!
//! Every upload is judged by its content (`domain::applications::documents::check_upload`:
//! type by magic bytes, size per kind, truncated files refused); images must also decode, and
//! the photo's pixels are measured ([`super::photo`]) and judged by `check_photo`. An accepted
//! file's bytes go to the file storage under a fresh random key, and its row is recorded as the
//! application's current file of that kind (a re-upload replaces the previous one).

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::applications::documents::{
    DocumentKind, FileType, check_photo, check_upload, required_documents, size_text,
};
use domain::applications::form::ApplicationDraft;
use domain::applications::issues::FieldIssue;
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::accounts::Account;
use store::applications::Application;
use store::files::{NewFile, RecordError, StoredFile};

use super::actions::{self, Context};
use super::photo;
use crate::error::{ApiResult, AppError, ErrorBody, FieldError, PageResult};
use crate::session::{CSRF_FIELD, CSRF_HEADER, Session};
use crate::state::AppState;

/// The request body limit of the upload routes: the largest document (5 MB) plus the multipart
/// envelope. Every other route keeps the small global limit.
pub const UPLOAD_BODY_LIMIT: usize = 6 * 1024 * 1024;

/// The documents the application needs, from the claimed eligibility alternative, the
/// declaration kind and the plan's own list (set in the console).
pub fn required(ctx: &Context, draft: &ApplicationDraft) -> Vec<DocumentKind> {
    let claimed = ctx
        .rules
        .iter()
        .find(|(id, _)| draft.declaration.claimed_rule == Some(*id))
        .map(|(_, rule)| rule);
    domain::plans::terms::with_plan_documents(
        required_documents(claimed, draft.declaration.kind == "promotion"),
        &ctx.plan.documents,
    )
}

/// Each required document with its current file, if uploaded.
pub async fn documents(
    state: &AppState,
    ctx: &Context,
    draft: &ApplicationDraft,
) -> Result<Vec<(DocumentKind, Option<StoredFile>)>, AppError> {
    let mut files = store::files::current(&state.db, ctx.application_id).await?;
    Ok(required(ctx, draft)
        .into_iter()
        .map(|kind| {
            let file = files
                .iter()
                .position(|f| f.kind == kind)
                .map(|i| files.remove(i));
            (kind, file)
        })
        .collect())
}

/// One error per required document not uploaded yet (field: the document's code).
pub async fn missing_documents(
    state: &AppState,
    ctx: &Context,
    draft: &ApplicationDraft,
) -> Result<Vec<FieldIssue>, AppError> {
    Ok(documents(state, ctx, draft)
        .await?
        .into_iter()
        .filter(|(_, file)| file.is_none())
        .map(|(kind, _)| {
            FieldIssue::error(
                kind.code(),
                "document_missing",
                format!("请上传{}", kind.label()),
            )
        })
        .collect())
}

/// The name shown for an upload: the last path component the browser sent, without control
/// characters, at most 100 characters; the document's label when there is none.
fn display_name(raw: Option<&str>, kind: DocumentKind, file_type: FileType) -> String {
    let last = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        format!("{}.{}", kind.label(), file_type.extension())
    } else {
        clean.to_owned()
    }
}

/// Judges and stores an upload. `Ok(Err(issues))` is a refusal to show beside the document
/// (field: the document's code); `Err` is a failure of the request itself.
pub async fn upload(
    state: &AppState,
    account: &Account,
    application: &Application,
    kind: DocumentKind,
    original_name: Option<&str>,
    bytes: Vec<u8>,
) -> Result<Result<StoredFile, Vec<FieldIssue>>, AppError> {
    if !application.status.candidate_may_edit() {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "not_editable",
            "该报名当前不能修改材料",
        ));
    }
    let field = kind.code();
    let file_type = match check_upload(kind, &bytes) {
        Ok(t) => t,
        Err(e) => return Ok(Err(vec![FieldIssue::error(field, e.code(), e.to_string())])),
    };
    if file_type.is_image() {
        let measured = tokio::task::spawn_blocking({
            let bytes = bytes.clone();
            move || {
                photo::decode(file_type, &bytes).map(|image| {
                    (kind == DocumentKind::Photo).then(|| photo::measure(&image, bytes.len()))
                })
            }
        })
        .await
        .map_err(AppError::internal)?;
        match measured {
            None => {
                return Ok(Err(vec![FieldIssue::error(
                    field,
                    "upload_undecodable",
                    "图片无法识别（文件已损坏或尺寸过大），请重新拍摄或导出后上传",
                )]));
            }
            Some(Some(facts)) => {
                let mut issues = check_photo(&facts);
                if !issues.is_empty() {
                    // check_photo names its field "photo", the document's code.
                    for i in &mut issues {
                        i.field = field.to_owned();
                    }
                    return Ok(Err(issues));
                }
            }
            Some(None) => {}
        }
    }
    let key = integrations::storage::new_key();
    state
        .files
        .put(&key, &bytes)
        .await
        .map_err(AppError::internal)?;
    let new = NewFile {
        application_id: application.id,
        account_id: account.id,
        kind,
        storage_key: key.clone(),
        file_type,
        byte_size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(&bytes)),
        original_name: display_name(original_name, kind, file_type),
    };
    let recorded = match store::files::record(&state.db, &new, Utc::now()).await {
        Ok(r) => r,
        Err(e) => {
            let _ = state.files.delete(&key).await;
            return Err(e.into());
        }
    };
    match recorded {
        Ok(file) => Ok(Ok(file)),
        Err(e) => {
            // Nothing refers to these bytes: remove them now rather than at a cleanup.
            let _ = state.files.delete(&key).await;
            Err(match e {
                RecordError::NotFound => AppError::not_found(),
                RecordError::Transition(t) => {
                    AppError::new(StatusCode::CONFLICT, t.code(), t.to_string())
                }
                RecordError::Conflict => AppError::new(
                    StatusCode::CONFLICT,
                    "application_changed",
                    "报名信息刚刚被修改，请刷新后重试",
                ),
            })
        }
    }
}

/// A refusal as an API error: 422, `code` the first finding's, every finding in `fields`.
fn refusal(issues: &[FieldIssue]) -> AppError {
    let mut e = AppError::fields(issues.iter().map(actions::field_error).collect());
    e.code = issues.first().map_or("invalid_input", |i| i.code);
    e.message = issues
        .first()
        .map_or_else(|| "文件未通过检查".to_owned(), |i| i.message.clone());
    e
}

/// The file `file_id` of application `application_id` if `account` owns it, with its bytes.
pub async fn readable_file(
    state: &AppState,
    account: &Account,
    application_id: i64,
    file_id: i64,
) -> Result<(StoredFile, Vec<u8>), AppError> {
    let file = store::files::get_owned(&state.db, application_id, file_id, account.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    with_bytes(state, file).await
}

/// Any applicant's file, with its bytes: only for handlers that have checked a staff
/// permission first (`staff::review`).
pub async fn staff_readable_file(
    state: &AppState,
    application_id: i64,
    file_id: i64,
) -> Result<(StoredFile, Vec<u8>), AppError> {
    let file = store::files::get_for_staff(&state.db, application_id, file_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    with_bytes(state, file).await
}

async fn with_bytes(state: &AppState, file: StoredFile) -> Result<(StoredFile, Vec<u8>), AppError> {
    let file_id = file.id;
    let bytes = match state.files.get(&file.storage_key).await {
        Ok(b) => b,
        Err(integrations::storage::StorageError::NotFound) => {
            tracing::error!(file_id, "stored bytes of an uploaded file are missing");
            return Err(AppError::not_found());
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    Ok((file, bytes))
}

pub(crate) fn file_response(file: &StoredFile, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "inline; filename=\"{}.{}\"; filename*=UTF-8''{}",
        file.kind.code(),
        file.file_type.extension(),
        crate::percent::encode(&file.original_name)
    );
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.file_type.mime()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A PDF opened inline runs nothing of ours; nothing it embeds may run either.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        ),
    );
    response
}

pub fn file_href(file: &StoredFile) -> String {
    format!("/applications/{}/files/{}", file.application_id, file.id)
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// What a multipart upload carried, and the error that stopped reading it (the fields read
/// before it are kept: the CSRF token comes first).
struct Posted {
    csrf: Option<String>,
    file: Option<(Option<String>, Vec<u8>)>,
    error: Option<AppError>,
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::field(
            "file",
            "upload_too_large",
            format!("文件太大：不能超过 {}", size_text(5 * 1024 * 1024)),
        )
    } else {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "上传内容无法读取，请重试",
        )
    }
}

async fn read_multipart(mut multipart: Multipart) -> Posted {
    let mut posted = Posted {
        csrf: None,
        file: None,
        error: None,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                posted.error = Some(multipart_error(e));
                break;
            }
        };
        let read = match field.name() {
            Some(CSRF_FIELD) => field.text().await.map(|t| posted.csrf = Some(t)),
            Some("file") if posted.file.is_none() => {
                let name = field.file_name().map(str::to_owned);
                field
                    .bytes()
                    .await
                    .map(|bytes| posted.file = Some((name, bytes.to_vec())))
            }
            _ => Ok(()),
        };
        if let Err(e) = read {
            posted.error = Some(multipart_error(e));
            break;
        }
    }
    posted
}

fn no_file(kind: DocumentKind) -> Vec<FieldIssue> {
    vec![FieldIssue::error(
        kind.code(),
        "upload_empty",
        "请选择要上传的文件",
    )]
}

// --- pages ---------------------------------------------------------------------------------

/// POST /applications/{id}/documents/{kind}: the upload form of one document (multipart, with
/// the `csrf` field or the `X-CSRF-Token` header). Accepted: back to the documents page;
/// refused: the documents page again with the message beside the document.
pub async fn upload_page(
    State(state): State<AppState>,
    session: Session,
    Path((id, kind)): Path<(String, String)>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let account = session.require_account()?;
    let multipart = multipart.map_err(|_| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "上传内容无法读取，请重试",
        )
    })?;
    let posted = read_multipart(multipart).await;
    // The token is checked before anything else is looked at, even when the body failed.
    let header_token = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let token = posted.csrf.clone().or(header_token).unwrap_or_default();
    session.check_csrf(&token)?;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    let kind = DocumentKind::parse(&kind).ok_or_else(AppError::not_found)?;
    let ctx = actions::context(&state, &application, &account).await?;
    let outcome = match (posted.error, posted.file) {
        (Some(e), _) if e.is_input() => Err(e
            .fields
            .iter()
            .map(|f| FieldIssue::error(kind.code(), "upload_too_large", f.message.clone()))
            .collect()),
        (Some(e), _) => return Err(e.into()),
        (None, None) => Err(no_file(kind)),
        (None, Some((name, bytes))) => {
            upload(&state, &account, &application, kind, name.as_deref(), bytes).await?
        }
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!(
            "/applications/{}/documents#doc-{}",
            application.id,
            kind.code()
        ))
        .into_response()),
        Err(issues) => {
            super::pages::documents_page(
                &state,
                &session,
                &application,
                &ctx,
                issues,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// GET /applications/{id}/files/{file_id}: the file itself, to its owner only (anyone else: 404;
/// a visitor not logged in: the login page).
pub async fn serve_file(
    State(state): State<AppState>,
    session: Session,
    Path((id, file_id)): Path<(String, String)>,
) -> PageResult {
    let account = session.require_account()?;
    let (file, bytes) =
        readable_file(&state, &account, parse_id(&id)?, parse_id(&file_id)?).await?;
    Ok(file_response(&file, bytes))
}

// --- API -----------------------------------------------------------------------------------

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FileView {
    pub id: i64,
    /// The document kind's code (`photo`, `id_card_front`, …).
    pub kind: String,
    /// `jpeg`, `png` or `pdf`, read from the content.
    pub file_type: String,
    pub byte_size: i64,
    /// As uploaded; for display only.
    pub original_name: String,
    /// Where the owner reads it (`GET`, with the session).
    pub url: String,
    pub uploaded_at: chrono::DateTime<Utc>,
}

impl From<&StoredFile> for FileView {
    fn from(f: &StoredFile) -> Self {
        FileView {
            id: f.id,
            kind: f.kind.code().to_owned(),
            file_type: match f.file_type {
                FileType::Jpeg => "jpeg",
                FileType::Png => "png",
                FileType::Pdf => "pdf",
            }
            .to_owned(),
            byte_size: f.byte_size,
            original_name: f.original_name.clone(),
            url: file_href(f),
            uploaded_at: f.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadedView {
    pub file: FileView,
    /// Findings that do not block (none today; refusals are 422).
    pub issues: Vec<FieldError>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub kind: String,
    pub label: String,
    /// What the upload must be, in words.
    pub requirement: String,
    pub max_bytes: usize,
    /// MIME types accepted (by content).
    pub accepts: Vec<String>,
    /// The current file, if uploaded.
    pub file: Option<FileView>,
}

/// Uploads one document (multipart, field `file`); a re-upload replaces the previous file of
/// that kind. The type is read from the content; the photo must be a JPEG of 40–80 KB, portrait,
/// at least 295×413, on a white background.
#[utoipa::path(post, path = "/api/v1/applications/{id}/documents/{kind}", tag = "applications",
    params(("id" = i64, Path), ("kind" = String, Path, description = "id_card_front, id_card_back, photo, previous_certificate, diploma, apprenticeship_proof, preparatory_technician_certificate, registration_form, other")),
    request_body(content_type = "multipart/form-data", content = String, description = "field `file`: the file"),
    responses((status = 201, body = UploadedView),
              (status = 422, body = ErrorBody, description = "refused: upload_empty, upload_too_large, upload_unknown_type, upload_type_not_accepted, upload_truncated, upload_undecodable, photo_*"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn api_upload(
    State(state): State<AppState>,
    session: Session,
    Path((id, kind)): Path<(String, String)>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<UploadedView>)> {
    let account = session.require_account()?;
    let multipart = multipart.map_err(|_| {
        AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求内容须为 multipart/form-data，文件放在 file 字段",
        )
    })?;
    // The body is read before anything is answered (a response sent while the client is still
    // sending would cost it the connection), up to the route's limit.
    let posted = read_multipart(multipart).await;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    let kind = DocumentKind::parse(&kind).ok_or_else(AppError::not_found)?;
    if let Some(mut e) = posted.error {
        for f in &mut e.fields {
            f.field = kind.code().to_owned();
        }
        if e.is_input() {
            e.code = "upload_too_large";
        }
        return Err(e);
    }
    let Some((name, bytes)) = posted.file else {
        return Err(refusal(&no_file(kind)));
    };
    match upload(&state, &account, &application, kind, name.as_deref(), bytes).await? {
        Ok(file) => Ok((
            StatusCode::CREATED,
            Json(UploadedView {
                file: FileView::from(&file),
                issues: Vec::new(),
            }),
        )),
        Err(issues) => Err(refusal(&issues)),
    }
}

/// The documents the application needs (from the claimed eligibility alternative), each with
/// its requirement and current file.
#[utoipa::path(get, path = "/api/v1/applications/{id}/documents", tag = "applications",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DocumentView>), (status = 404, body = ErrorBody)))]
pub async fn api_documents(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DocumentView>>> {
    let account = session.require_account()?;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    let ctx = actions::context(&state, &application, &account).await?;
    let docs = documents(&state, &ctx, &application.draft).await?;
    Ok(Json(
        docs.iter()
            .map(|(kind, file)| DocumentView {
                kind: kind.code().to_owned(),
                label: kind.label().to_owned(),
                requirement: kind.requirement().to_owned(),
                max_bytes: kind.max_bytes(),
                accepts: [FileType::Jpeg, FileType::Png, FileType::Pdf]
                    .into_iter()
                    .filter(|t| kind.accepts(*t))
                    .map(|t| t.mime().to_owned())
                    .collect(),
                file: file.as_ref().map(FileView::from),
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_names_lose_paths_and_control_characters() {
        let k = DocumentKind::Photo;
        let t = FileType::Jpeg;
        assert_eq!(
            display_name(Some("C:\\fakepath\\照片.jpg"), k, t),
            "照片.jpg"
        );
        assert_eq!(display_name(Some("../../etc/passwd"), k, t), "passwd");
        assert_eq!(display_name(Some("a\u{0}b\nc.jpg"), k, t), "abc.jpg");
        assert_eq!(display_name(None, k, t), "白底证件照.jpg");
        assert_eq!(display_name(Some(".."), k, t), "白底证件照.jpg");
    }

    #[test]
    fn file_names_are_percent_encoded_for_the_header() {
        assert_eq!(crate::percent::encode("a b.jpg"), "a%20b.jpg");
        assert_eq!(crate::percent::encode("照"), "%E7%85%A7");
        assert!(HeaderValue::from_str(&crate::percent::encode("\"x\r\n.jpg")).is_ok());
    }
}
