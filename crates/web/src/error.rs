//! The one error type. Each error carries an HTTP status, a stable `code` for API clients, a
//! Chinese message for people and, for bad input, the fields it concerns. The API renders it as
//! `{code, message, fields}`; pages render it as a message page (see [`PageError`]), or a form
//! handler re-renders its form with the field messages. A 500 says nothing specific: its cause
//! goes to the log only.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<i64>,
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable, snake_case.
    pub code: String,
    /// For people, in Chinese.
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// Bad input in one field; `code` is the domain error's stable code.
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError {
            fields: vec![FieldError {
                field: field.to_owned(),
                code: code.to_owned(),
                message: message.clone(),
            }],
            ..AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
        }
    }

    /// Several field errors at once (a form with more than one mistake).
    pub fn fields(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => one.message.clone(),
            _ => "请修改标出的内容后再提交".to_owned(),
        };
        AppError {
            fields,
            ..AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
        }
    }

    pub fn conflict(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        let mut e = AppError::field(field, code, message);
        e.status = StatusCode::CONFLICT;
        e.code = code;
        e
    }

    pub fn too_many(code: &'static str, message: impl Into<String>, retry_after: i64) -> Self {
        AppError {
            retry_after: Some(retry_after),
            ..AppError::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    pub fn not_found() -> Self {
        AppError::new(StatusCode::NOT_FOUND, "not_found", "页面不存在或已被删除")
    }

    /// The person is signed in but lacks what the action needs.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        AppError::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn unauthenticated() -> Self {
        AppError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录")
    }

    pub fn csrf() -> Self {
        AppError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "页面已过期，请刷新后重试",
        )
    }

    /// Logs the cause and hides it from the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器出了点问题，请稍后再试",
        )
    }

    /// Bad input a form can show beside its fields (as opposed to a failure of the request).
    pub fn is_input(&self) -> bool {
        matches!(
            self.status,
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::TOO_MANY_REQUESTS
        )
    }

    /// The message for one field, if this error concerns it.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }

    fn retry_after_header(&self, response: &mut Response) {
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
}

impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        AppError::internal(e)
    }
}

/// A request body the API cannot read (not JSON, not the expected shape, wrong content type)
/// is refused like every other API error, as `{code, message, fields}`.
impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection as R;
        let (code, message) = match &rejection {
            R::JsonDataError(_) => ("invalid_input", "请求内容缺少必填项或格式不正确"),
            R::JsonSyntaxError(_) => ("bad_request", "请求内容不是有效的 JSON"),
            R::MissingJsonContentType(_) => (
                "unsupported_media_type",
                "请求内容须为 JSON（Content-Type: application/json）",
            ),
            _ => ("bad_request", "请求内容无法读取"),
        };
        AppError::new(rejection.status(), code, message)
    }
}

/// `Json<T>` for API request bodies, whose rejection is an [`AppError`].
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal(format!("template: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_owned(),
            message: self.message.clone(),
            fields: self.fields.clone(),
        };
        let mut response = (self.status, Json(body)).into_response();
        self.retry_after_header(&mut response);
        response
    }
}

/// An [`AppError`] shown to a browser as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl From<store::StoreError> for PageError {
    fn from(e: store::StoreError) -> Self {
        PageError(e.into())
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        let page = crate::pages::MessagePage::error(&e);
        let mut response = (e.status, page.into_html()).into_response();
        e.retry_after_header(&mut response);
        response
    }
}

pub type ApiResult<T> = Result<T, AppError>;
pub type PageResult<T = Response> = Result<T, PageError>;
