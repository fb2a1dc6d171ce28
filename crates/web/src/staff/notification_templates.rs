//! 通知模板: staff edit the SMS and in-app texts sent on each status change, with a preview
//! rendered from sample data (and the SMS's length and parts), or reset one to its default.
//! Every save is checked by `domain::notifications::Template::parse` and audited
//! (`store::notifications::save_template`). Pages and the API; both need
//! `Permission::EditNotificationTemplates`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Router, http::StatusCode};
use chrono::Utc;
use domain::notifications::{Template, TemplateError, TemplateKey, Values, sms_length};
use domain::permissions::Permission;
use serde::{Deserialize, Serialize};
use store::notifications::{Editor, StoredTemplate};

use super::{ConsoleLayout, ConsoleSection, Staff};
use crate::client::ClientAddress;
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody, FieldError, PageResult};
use crate::pages::{FormErrors, render};
use crate::session::CsrfForm;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/notification-templates", get(list_page))
        .route(
            "/staff/notification-templates/{key}",
            get(edit_page).post(edit_submit),
        )
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/staff/notification-templates", get(api_list))
        .route(
            "/staff/notification-templates/{key}",
            axum::routing::put(api_save).delete(api_reset),
        )
        .route(
            "/staff/notification-templates/{key}/preview",
            post(api_preview),
        )
}

fn key_of(raw: &str) -> Result<TemplateKey, AppError> {
    TemplateKey::parse(raw).ok_or_else(AppError::not_found)
}

fn template_errors(errors: Vec<TemplateError>) -> AppError {
    AppError::fields(
        errors
            .iter()
            .map(|e| FieldError {
                field: e.field().code().to_owned(),
                code: e.code().to_owned(),
                message: e.to_string(),
            })
            .collect(),
    )
}

fn editor<'a>(staff: &'a Staff, address: &str, name: &'a str) -> Editor<'a> {
    Editor {
        account_id: staff.account.id,
        name,
        client_address: Some(address.to_owned()),
    }
}

fn login_of(staff: &Staff) -> String {
    staff
        .account
        .login_name
        .clone()
        .unwrap_or_else(|| staff.account.real_name.clone())
}

/// A template rendered with sample data, as the preview and the API show it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    pub sms_text: String,
    /// Characters of the SMS (without the provider's signature).
    pub sms_chars: usize,
    /// Messages it is billed as: one up to 70 characters, else parts of 67.
    pub sms_parts: usize,
    pub title: String,
    pub body: String,
}

fn preview(key: TemplateKey, template: &Template) -> Result<PreviewView, AppError> {
    let rendered = template
        .render(key, &Values::sample())
        .map_err(|e| template_errors(vec![e]))?;
    let length = sms_length(&rendered.sms_text);
    Ok(PreviewView {
        sms_chars: length.chars,
        sms_parts: length.parts,
        sms_text: rendered.sms_text,
        title: rendered.title,
        body: rendered.body,
    })
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    /// submitted, resubmitted, rejected, approved, withdrawn, …
    pub key: String,
    pub label: String,
    pub sms_text: String,
    pub title: String,
    pub body: String,
    /// The placeholders this template may use, e.g. `{姓名}`.
    pub placeholders: Vec<String>,
    /// Whether staff changed it (otherwise it is the default).
    pub edited: bool,
    pub updated_at: Option<chrono::DateTime<Utc>>,
    pub preview: PreviewView,
}

fn view(stored: StoredTemplate) -> Result<TemplateView, AppError> {
    let key = stored.key;
    Ok(TemplateView {
        key: key.code().to_owned(),
        label: key.label().to_owned(),
        placeholders: key.placeholders().iter().map(|p| p.token()).collect(),
        edited: stored.updated_at.is_some(),
        updated_at: stored.updated_at,
        preview: preview(key, &stored.template)?,
        sms_text: stored.template.sms_text,
        title: stored.template.title,
        body: stored.template.body,
    })
}

// --- pages -----------------------------------------------------------------------------------

#[derive(askama::Template)]
#[template(path = "staff/notification_templates.html")]
struct ListPage {
    layout: ConsoleLayout,
    templates: Vec<TemplateView>,
}

async fn list_page(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Permission::EditNotificationTemplates)?;
    let templates = store::notifications::templates(&state.db)
        .await?
        .into_iter()
        .map(view)
        .collect::<Result<_, _>>()?;
    Ok(render(&ListPage {
        layout: staff.layout(ConsoleSection::NotificationTemplates),
        templates,
    })?
    .into_response())
}

#[derive(askama::Template)]
#[template(path = "staff/notification_template_edit.html")]
struct EditPage {
    layout: ConsoleLayout,
    csrf: String,
    key: String,
    label: String,
    placeholders: Vec<String>,
    edited: bool,
    sms_text: String,
    title: String,
    body: String,
    preview: Option<PreviewView>,
    notice: Option<&'static str>,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct Notice {
    saved: Option<String>,
}

async fn edit_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(key): Path<String>,
    Query(notice): Query<Notice>,
) -> PageResult {
    staff.require(Permission::EditNotificationTemplates)?;
    let key = key_of(&key)?;
    let stored = store::notifications::template(&state.db, key).await?;
    let page = edit_page_for(
        &staff,
        key,
        &stored.template,
        stored.updated_at.is_some(),
        FormErrors::none(),
    )
    .await?;
    let notice = match notice.saved.as_deref() {
        Some("reset") => Some("已恢复默认模板"),
        Some(_) => Some("模板已保存，之后的通知将使用新内容"),
        None => None,
    };
    Ok(render(&EditPage { notice, ..page })?.into_response())
}

async fn edit_page_for(
    staff: &Staff,
    key: TemplateKey,
    template: &Template,
    edited: bool,
    errors: FormErrors,
) -> Result<EditPage, AppError> {
    let preview = if errors.fields.is_empty() {
        preview(key, template).ok()
    } else {
        None
    };
    Ok(EditPage {
        layout: staff.layout(ConsoleSection::NotificationTemplates),
        csrf: staff.session.csrf_token().await?,
        key: key.code().to_owned(),
        label: key.label().to_owned(),
        placeholders: key.placeholders().iter().map(|p| p.token()).collect(),
        edited,
        sms_text: template.sms_text.clone(),
        title: template.title.clone(),
        body: template.body.clone(),
        preview,
        notice: None,
        errors,
    })
}

#[derive(Deserialize)]
struct EditForm {
    sms_text: String,
    title: String,
    body: String,
    /// `preview`, `save` or `reset`.
    action: String,
}

async fn edit_submit(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(key): Path<String>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> PageResult {
    staff.require(Permission::EditNotificationTemplates)?;
    let key = key_of(&key)?;
    let login = login_of(&staff);
    let path = format!("/staff/notification-templates/{}", key.code());
    if form.action == "reset" {
        store::notifications::save_template(
            &state.db,
            key,
            None,
            &editor(&staff, &address, &login),
            Utc::now(),
        )
        .await?;
        return Ok(Redirect::to(&format!("{path}?saved=reset")).into_response());
    }
    let typed = Template {
        sms_text: form.sms_text.clone(),
        title: form.title.clone(),
        body: form.body.clone(),
    };
    let edited = store::notifications::template(&state.db, key)
        .await?
        .updated_at
        .is_some();
    match Template::parse(key, &form.sms_text, &form.title, &form.body) {
        Err(errors) => {
            let e = template_errors(errors);
            let page = edit_page_for(&staff, key, &typed, edited, e.into()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Ok(checked) if form.action == "save" => {
            store::notifications::save_template(
                &state.db,
                key,
                Some(&checked),
                &editor(&staff, &address, &login),
                Utc::now(),
            )
            .await?;
            Ok(Redirect::to(&format!("{path}?saved=1")).into_response())
        }
        // A preview: the text as typed, rendered, nothing saved.
        Ok(checked) => {
            let page = edit_page_for(&staff, key, &checked, edited, FormErrors::none()).await?;
            Ok(render(&page)?.into_response())
        }
    }
}

// --- API -------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TemplateInput {
    pub sms_text: String,
    pub title: String,
    pub body: String,
}

/// Every notification template in force, with its preview.
#[utoipa::path(get, path = "/api/v1/staff/notification-templates", tag = "staff",
    responses((status = 200, body = Vec<TemplateView>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    staff: Staff,
) -> ApiResult<Json<Vec<TemplateView>>> {
    staff.require(Permission::EditNotificationTemplates)?;
    let templates = store::notifications::templates(&state.db)
        .await?
        .into_iter()
        .map(view)
        .collect::<Result<_, _>>()?;
    Ok(Json(templates))
}

/// Renders a template as typed with sample data, without saving it.
#[utoipa::path(post, path = "/api/v1/staff/notification-templates/{key}/preview", tag = "staff",
    params(("key" = String, Path, description = "template key, e.g. rejected")),
    request_body = TemplateInput,
    responses((status = 200, body = PreviewView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_preview(
    staff: Staff,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<PreviewView>> {
    staff.require(Permission::EditNotificationTemplates)?;
    let key = key_of(&key)?;
    let checked = Template::parse(key, &input.sms_text, &input.title, &input.body)
        .map_err(template_errors)?;
    Ok(Json(preview(key, &checked)?))
}

/// Saves staff's version of a template (audited).
#[utoipa::path(put, path = "/api/v1/staff/notification-templates/{key}", tag = "staff",
    params(("key" = String, Path, description = "template key, e.g. rejected")),
    request_body = TemplateInput,
    responses((status = 200, body = TemplateView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_save(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<TemplateView>> {
    staff.require(Permission::EditNotificationTemplates)?;
    let key = key_of(&key)?;
    let checked = Template::parse(key, &input.sms_text, &input.title, &input.body)
        .map_err(template_errors)?;
    let login = login_of(&staff);
    store::notifications::save_template(
        &state.db,
        key,
        Some(&checked),
        &editor(&staff, &address, &login),
        Utc::now(),
    )
    .await?;
    Ok(Json(view(
        store::notifications::template(&state.db, key).await?,
    )?))
}

/// Puts the default text back (audited).
#[utoipa::path(delete, path = "/api/v1/staff/notification-templates/{key}", tag = "staff",
    params(("key" = String, Path, description = "template key, e.g. rejected")),
    responses((status = 200, body = TemplateView), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn api_reset(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(key): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    staff.require(Permission::EditNotificationTemplates)?;
    let key = key_of(&key)?;
    let login = login_of(&staff);
    store::notifications::save_template(
        &state.db,
        key,
        None,
        &editor(&staff, &address, &login),
        Utc::now(),
    )
    .await?;
    Ok(Json(view(
        store::notifications::template(&state.db, key).await?,
    )?))
}
