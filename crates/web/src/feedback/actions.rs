//! What the feedback pages and API both do: read a multipart submission, judge it, store the
//! screenshot and the feedback; serve a screenshot.

use axum::body::Body;
use axum::extract::Multipart;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::Utc;
use domain::applications::documents::FileType;
use domain::feedback::{FeedbackCategory, FeedbackText, SEND_LIMIT, check_screenshot};
use domain::identity::retry_after_text;
use sha2::{Digest, Sha256};
use store::accounts::Account;
use store::feedback::{Feedback, NewFeedback, Screenshot, SendError};

use crate::error::{AppError, FieldError};
use crate::session::CSRF_FIELD;
use crate::state::AppState;

/// What a feedback form posted (all text as typed, so that a refused form shows it again).
#[derive(Debug, Default)]
pub struct Posted {
    pub csrf: Option<String>,
    pub category: String,
    pub text: String,
    pub application_id: String,
    /// The screenshot's bytes; a file input left empty sends an empty part, read as none.
    pub screenshot: Option<Vec<u8>>,
}

fn multipart_error(e: &axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::field(
            "screenshot",
            "screenshot_too_large",
            "截图太大：不能超过 5 MB",
        )
    } else {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "提交内容无法读取，请重试",
        )
    }
}

/// Reads the whole form (a response sent while the client is still sending would cost it the
/// connection). Fields read before a failure are kept: the CSRF token comes first.
pub async fn read(mut multipart: Multipart) -> (Posted, Option<AppError>) {
    let mut posted = Posted::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return (posted, None),
            Err(e) => return (posted, Some(multipart_error(&e))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let read = match name.as_str() {
            CSRF_FIELD => field.text().await.map(|t| posted.csrf = Some(t)),
            "category" => field.text().await.map(|t| posted.category = t),
            "text" => field.text().await.map(|t| posted.text = t),
            "application_id" => field.text().await.map(|t| posted.application_id = t),
            "screenshot" if posted.screenshot.is_none() => field.bytes().await.map(|b| {
                posted.screenshot = Some(b.to_vec()).filter(|b| !b.is_empty());
            }),
            _ => Ok(()),
        };
        if let Err(e) = read {
            return (posted, Some(multipart_error(&e)));
        }
    }
}

/// Every problem with the form at once, each beside its field.
struct Checked {
    category: FeedbackCategory,
    text: FeedbackText,
    application_id: Option<i64>,
    screenshot: Option<(FileType, Vec<u8>)>,
}

fn check(posted: Posted) -> Result<Checked, AppError> {
    let mut errors = Vec::new();
    let mut error = |field: &str, code: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        })
    };
    let category = FeedbackCategory::parse(&posted.category);
    if category.is_none() {
        error("category", "category_required", "请选择问题类型".into());
    }
    let text = FeedbackText::parse(&posted.text)
        .map_err(|e| error("text", e.code(), e.to_string()))
        .ok();
    let application_id = match posted.application_id.trim() {
        "" => Some(None),
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(Some(id)),
            Err(_) => {
                error(
                    "application_id",
                    "application_not_found",
                    "所选报名不存在".into(),
                );
                None
            }
        },
    };
    let screenshot = match posted.screenshot {
        None => Some(None),
        Some(bytes) => match check_screenshot(&bytes) {
            Ok(t) => Some(Some((t, bytes))),
            Err(e) => {
                error("screenshot", e.code(), e.to_string());
                None
            }
        },
    };
    match (category, text, application_id, screenshot) {
        (Some(category), Some(text), Some(application_id), Some(screenshot)) => Ok(Checked {
            category,
            text,
            application_id,
            screenshot,
        }),
        _ => Err(refusal(errors)),
    }
}

/// 422 with every field's message; `code` the first problem's.
fn refusal(fields: Vec<FieldError>) -> AppError {
    let code = match fields.first().map(|f| f.code.as_str()) {
        Some("category_required") => "category_required",
        Some("text_required") => "text_required",
        Some("text_too_long") => "text_too_long",
        Some("application_not_found") => "application_not_found",
        Some("screenshot_empty") => "screenshot_empty",
        Some("screenshot_too_large") => "screenshot_too_large",
        Some("screenshot_not_image") => "screenshot_not_image",
        Some("screenshot_truncated") => "screenshot_truncated",
        _ => "invalid_input",
    };
    let mut e = AppError::fields(fields);
    e.code = code;
    e
}

fn throttled(wait: store::rate_limits::RetryAfter) -> AppError {
    AppError::too_many(
        "feedback_throttled",
        format!(
            "反馈提交过于频繁（{}），{}",
            SEND_LIMIT.describe_with("次"),
            retry_after_text(wait.0)
        ),
        wait.0,
    )
}

/// Judges and records feedback from `account`. The screenshot's bytes are stored first (under
/// a fresh random key) and removed again if the feedback is not recorded.
pub async fn send(
    state: &AppState,
    account: &Account,
    posted: Posted,
) -> Result<Feedback, AppError> {
    let checked = check(posted)?;
    let now = Utc::now();
    if let Some(wait) = store::feedback::throttled(&state.db, account.id, SEND_LIMIT, now).await? {
        return Err(throttled(wait));
    }
    let screenshot = match &checked.screenshot {
        None => None,
        Some((file_type, bytes)) => {
            let key = integrations::storage::new_key();
            state
                .files
                .put(&key, bytes)
                .await
                .map_err(AppError::internal)?;
            Some(Screenshot {
                storage_key: key,
                file_type: *file_type,
                byte_size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                sha256: hex::encode(Sha256::digest(bytes)),
            })
        }
    };
    let key = screenshot.as_ref().map(|s| s.storage_key.clone());
    let sent = store::feedback::send(
        &state.db,
        NewFeedback {
            account_id: account.id,
            category: checked.category,
            text: checked.text,
            application_id: checked.application_id,
            screenshot,
        },
        SEND_LIMIT,
        now,
    )
    .await;
    let refused = match sent {
        Ok(Ok(feedback)) => return Ok(feedback),
        Ok(Err(SendError::ApplicationNotFound)) => refusal(vec![FieldError {
            field: "application_id".into(),
            code: "application_not_found".into(),
            message: "所选报名不存在".into(),
        }]),
        Ok(Err(SendError::Throttled(wait))) => throttled(wait),
        Err(e) => e.into(),
    };
    // Nothing refers to these bytes: remove them now rather than at a cleanup.
    if let Some(key) = key {
        let _ = state.files.delete(&key).await;
    }
    Err(refused)
}

/// A feedback's screenshot as an image response (callers have checked who may see it).
pub async fn screenshot_response(
    state: &AppState,
    feedback: &Feedback,
) -> Result<Response, AppError> {
    let shot = feedback
        .screenshot
        .as_ref()
        .ok_or_else(AppError::not_found)?;
    let bytes = match state.files.get(&shot.storage_key).await {
        Ok(b) => b,
        Err(integrations::storage::StorageError::NotFound) => {
            tracing::error!(feedback_id = feedback.id, "stored screenshot is missing");
            return Err(AppError::not_found());
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(shot.file_type.mime()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename=\"feedback-{}.{}\"",
        feedback.id,
        shot.file_type.extension()
    )) {
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
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// Where the owner reads a screenshot.
pub fn screenshot_href(feedback: &Feedback) -> Option<String> {
    feedback
        .screenshot
        .as_ref()
        .map(|_| format!("/feedback/{}/screenshot", feedback.id))
}

pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(category: &str, text: &str) -> Posted {
        Posted {
            category: category.into(),
            text: text.into(),
            ..Posted::default()
        }
    }

    #[test]
    fn every_mistake_is_reported_beside_its_field() {
        let mut p = posted("nope", "");
        p.application_id = "x".into();
        p.screenshot = Some(b"not an image".to_vec());
        let e = check(p).err().expect("refused");
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.code, "category_required");
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["category", "text", "application_id", "screenshot"]);
        assert_eq!(e.fields[3].code, "screenshot_not_image");
    }

    #[test]
    fn a_plain_text_feedback_is_accepted() {
        let c = check(posted("exam", " 考场在哪里？ ")).expect("accepted");
        assert_eq!(c.category, FeedbackCategory::Exam);
        assert_eq!(c.text.as_str(), "考场在哪里？");
        assert_eq!(c.application_id, None);
        assert!(c.screenshot.is_none());
    }
}
