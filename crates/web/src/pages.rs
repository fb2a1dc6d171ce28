//! What every page shares: the layout (navigation, the signed-in person, the CSRF token for the
//! logout button), form error lookup, and the plain message page used for errors and for
//! features that are not built yet.

use askama::Template;
use axum::response::Html;

use crate::error::{AppError, FieldError};
use crate::session::Session;

/// The top navigation of the seed, by the path it links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Plans,
    Applications,
    Scores,
    Certificates,
    Feedback,
    Exam,
    Account,
    None,
}

pub struct NavUser {
    pub name: String,
    /// The avatar shows the first character of the name.
    pub initial: String,
}

pub struct Layout {
    pub user: Option<NavUser>,
    pub csrf: Option<String>,
    pub section: Section,
    /// Unread notifications, for the bell's badge.
    pub unread: u32,
}

impl Layout {
    pub fn new(session: &Session, section: Section) -> Layout {
        let user = session.account().map(|a| NavUser {
            initial: a
                .real_name
                .chars()
                .next()
                .map(String::from)
                .unwrap_or_default(),
            name: a.real_name,
        });
        Layout {
            csrf: session.existing_csrf(),
            user,
            section,
            unread: session.unread_notifications(),
        }
    }

    /// For pages rendered without a session at hand (error pages).
    pub fn anonymous() -> Layout {
        Layout {
            user: None,
            csrf: None,
            section: Section::None,
            unread: 0,
        }
    }

    /// `class="active"` for the current section's link.
    pub fn active(&self, name: &str) -> &'static str {
        let current = match self.section {
            Section::Home => "home",
            Section::Plans => "plans",
            Section::Applications => "applications",
            Section::Scores => "scores",
            Section::Certificates => "certificates",
            Section::Feedback => "feedback",
            Section::Exam => "exam",
            Section::Account => "account",
            Section::None => "",
        };
        if current == name { "active" } else { "" }
    }
}

/// Field messages of a form that failed, and the form-level message.
#[derive(Default)]
pub struct FormErrors {
    pub message: Option<String>,
    pub fields: Vec<FieldError>,
}

impl FormErrors {
    pub fn none() -> FormErrors {
        FormErrors::default()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }

    /// `aria-invalid="true"` and the error class for a failing field.
    pub fn class(&self, field: &str) -> &'static str {
        if self.get(field).is_some() {
            "invalid"
        } else {
            ""
        }
    }
}

impl From<AppError> for FormErrors {
    fn from(e: AppError) -> Self {
        // A single-field error already shows beside its field; repeat it above only when there is
        // no field to show it at.
        let message = if e.fields.is_empty() || e.fields.len() > 1 {
            Some(e.message)
        } else {
            None
        };
        FormErrors {
            message,
            fields: e.fields,
        }
    }
}

pub fn render<T: Template>(page: &T) -> Result<Html<String>, AppError> {
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub layout: Layout,
    pub title: String,
    pub message: String,
    pub code: Option<String>,
    pub links: Vec<(String, String)>,
}

impl MessagePage {
    pub fn error(e: &AppError) -> MessagePage {
        MessagePage {
            layout: Layout::anonymous(),
            title: match e.status.as_u16() {
                404 => "页面不存在".into(),
                403 => "无法完成操作".into(),
                429 => "请稍后再试".into(),
                500..=599 => "出错了".into(),
                _ => "请求有误".into(),
            },
            message: e.message.clone(),
            code: Some(e.code.to_owned()),
            links: vec![("/".into(), "返回首页".into())],
        }
    }

    pub fn into_html(self) -> Html<String> {
        match self.render() {
            Ok(html) => Html(html),
            Err(e) => {
                tracing::error!(error = %e, "message page failed to render");
                Html(format!(
                    "<!doctype html><meta charset=utf-8><p>{}</p>",
                    "服务器出了点问题，请稍后再试"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[test]
    fn a_single_field_error_shows_beside_its_field_only() {
        let errors = FormErrors::from(AppError::field("phone", "phone_format", "手机号格式不正确"));
        assert_eq!(errors.get("phone"), Some("手机号格式不正确"));
        assert_eq!(errors.class("phone"), "invalid");
        assert_eq!(errors.class("code"), "");
        assert!(errors.message.is_none());
    }

    #[test]
    fn an_error_without_fields_shows_above_the_form() {
        let errors = FormErrors::from(AppError::too_many(
            "sms_phone_limited",
            "验证码发送过于频繁",
            42,
        ));
        assert_eq!(errors.message.as_deref(), Some("验证码发送过于频繁"));
        assert!(errors.get("phone").is_none());
    }

    #[test]
    fn error_pages_have_chinese_titles_by_status() {
        let page = MessagePage::error(&AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "页面不存在",
        ));
        assert_eq!(page.title, "页面不存在");
        assert!(page.into_html().0.contains("页面不存在"));
    }
}
