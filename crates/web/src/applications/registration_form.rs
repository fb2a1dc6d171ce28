//! 登记表 (the registration form) as a PDF: the candidate downloads it to print and sign;
//! reviewers see the same document through [`render_for`].
//!
//! This is where an application becomes a [`RegistrationForm`]: code tables to names, the claimed
//! alternative to its sentence, the work history to rows and a total. The `documents` crate only
//! lays the strings out, so the wording rules stay here with the rest of the application's.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::NaiveDate;
use documents::registration_form::{
    Applicant, DeclarationFacts, EducationRow, SEED_COMMITMENT, WorkRow,
};
use documents::{RegistrationForm, RenderError};
use domain::accounts::Identity;
use domain::applications::documents::DocumentKind;
use domain::applications::form::{ApplicationDraft, DeclarationKind, IdType, facts_of};
use domain::applications::work_history::{duration_text, is_ongoing, total_months};
use domain::identity::Gender;
use store::accounts::Account;
use store::applications::Application;

use super::actions::{self, Context};
use super::pages::parse_id;
use crate::error::{AppError, FieldError, PageResult};
use crate::session::Session;
use crate::state::AppState;

/// `GET /applications/{id}/registration-form.pdf`: the owner's form, once submitted.
pub async fn download(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let account = session.require_account()?;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    let plan_code = state
        .plans
        .plan(&state.db, application.plan_id)
        .await?
        .map(|(plan, _)| plan.code)
        .unwrap_or_default();
    let pdf = render_for(&state, &application, &account).await?;
    Ok(pdf_response(pdf, &plan_code))
}

/// The registration form of `application` (whose applicant is `account`) as PDF bytes.
///
/// For the candidate's download and for staff pages alike: the caller has checked that the
/// reader may see this application. A draft has no form yet (409); characters the fonts cannot
/// print are a 422 naming each field and character.
pub async fn render_for(
    state: &AppState,
    application: &Application,
    account: &Account,
) -> Result<Vec<u8>, AppError> {
    let Some(submitted_at) = application.submitted_at else {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "registration_form_not_ready",
            "报名提交后才能下载登记表",
        ));
    };
    let ctx = actions::context(state, application, account).await?;
    let photo = photo_bytes(state, application.id).await?;
    let on = domain::time::shanghai_date(submitted_at);
    let mut form = form_of(state, &ctx, &application.draft, on);
    form.photo = photo;
    form.submitted_at = domain::time::format_instant(submitted_at);
    let renderer = state.documents.clone();
    // typst's layout is CPU work: off the async threads. Its cache is trimmed after each render
    // so that a long-running server does not keep every form it ever laid out.
    let rendered = tokio::task::spawn_blocking(move || {
        let result = renderer.render_registration_form(&form);
        documents::evict_cache(10);
        result
    })
    .await
    .map_err(AppError::internal)?;
    match rendered {
        Ok(pdf) => Ok(pdf.into_bytes()),
        Err(RenderError::Unprintable { fields }) => Err(unprintable(&fields)),
        Err(e) => Err(AppError::internal(format!(
            "registration form of application {}: {e}",
            application.id
        ))),
    }
}

/// The candidate's current photo, if uploaded (the form then leaves the box to glue one on).
async fn photo_bytes(state: &AppState, application_id: i64) -> Result<Option<Vec<u8>>, AppError> {
    let files = store::files::current(&state.db, application_id).await?;
    let Some(photo) = files.into_iter().find(|f| f.kind == DocumentKind::Photo) else {
        return Ok(None);
    };
    match state.files.get(&photo.storage_key).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(integrations::storage::StorageError::NotFound) => {
            tracing::error!(file_id = photo.id, "stored bytes of the photo are missing");
            Ok(None)
        }
        Err(e) => Err(AppError::internal(e)),
    }
}

/// The form's strings from the application, as on the day `on` (work still going on counts up
/// to that day, so the candidate's copy and the reviewer's agree).
fn form_of(
    state: &AppState,
    ctx: &Context,
    draft: &ApplicationDraft,
    on: NaiveDate,
) -> RegistrationForm {
    let codes = state.codes.as_ref();
    let name = |kind: &str, code: &str| codes.name(kind, code).unwrap_or(code).to_owned();
    let education_name = |code: &str| codes.name("education", code).map(str::to_owned);
    let b = &draft.basic;
    let r = &draft.registration;
    let d = &draft.declaration;

    let eligibility = d
        .claimed_rule
        .and_then(|id| ctx.rules.iter().find(|(rule_id, _)| *rule_id == id))
        .map(|(_, rule)| rule.sentence(&education_name))
        .unwrap_or_default();
    let occupation = if d.track.trim().is_empty() {
        ctx.plan.occupation_name.clone()
    } else {
        format!("{}（{}）", ctx.plan.occupation_name, d.track.trim())
    };
    let rank = |code: &str| codes.rank("education", code);
    let months = total_months(&facts_of(draft, &rank, on).work, on);

    RegistrationForm {
        plan_name: ctx.plan.name.clone(),
        plan_code: ctx.plan.code.clone(),
        occupation,
        level: ctx.plan.level.full_name().to_owned(),
        applicant: Applicant {
            name: b.name.trim().to_owned(),
            gender: Gender::parse(&b.gender)
                .map(|g| g.label().to_owned())
                .unwrap_or_else(|| b.gender.clone()),
            birth_date: b.birth_date.clone(),
            id_type: IdType::parse(&r.id_type)
                .unwrap_or(IdType::ResidentIdCard)
                .label()
                .to_owned(),
            id_number: r.id_number.trim().to_owned(),
            ethnicity: name("ethnic_group", &b.ethnicity),
            political_status: name("political_status", &b.political_status),
            education: name("education", &b.education),
            phone: if b.phone.trim().is_empty() {
                b.mobile.trim().to_owned()
            } else {
                b.phone.trim().to_owned()
            },
            address: address(state, draft),
            employer: r.employer.trim().to_owned(),
            identity: Identity::parse(&draft.identity.identity)
                .map(|i| i.label().to_owned())
                .unwrap_or_default(),
        },
        declaration: DeclarationFacts {
            eligibility,
            promotion_from: (d.kind == DeclarationKind::Promotion.code())
                .then(|| d.previous_certificate_number.trim().to_owned()),
        },
        education: education_rows(state, draft),
        work_history: draft
            .work_history
            .iter()
            .filter(|w| !w.is_blank())
            .map(|w| WorkRow {
                period: format!(
                    "{}—{}",
                    w.start.trim(),
                    if is_ongoing(&w.end) {
                        "至今"
                    } else {
                        w.end.trim()
                    }
                ),
                employer: w.employer.trim().to_owned(),
                post: w.post.trim().to_owned(),
                referee: w.referee.trim().to_owned(),
                referee_phone: w.referee_phone.trim().to_owned(),
            })
            .collect(),
        work_total: duration_text(months),
        commitment: SEED_COMMITMENT.iter().map(|s| (*s).to_owned()).collect(),
        photo: None,
        submitted_at: String::new(),
    }
}

/// 通信地址: the residence's province, city and district by name, then the street address.
fn address(state: &AppState, draft: &ApplicationDraft) -> String {
    let r = &draft.registration;
    let mut out = String::new();
    for code in [
        &r.residence_province,
        &r.residence_city,
        &r.residence_district,
    ] {
        if let Some(d) = state.codes.division(code)
            // A municipality's city level repeats its name (北京市 北京市): print it once.
            && !out.ends_with(d.name.as_str())
        {
            out.push_str(&d.name);
        }
    }
    out.push_str(r.residence_address.trim());
    out
}

fn education_rows(state: &AppState, draft: &ApplicationDraft) -> Vec<EducationRow> {
    let e = &draft.education;
    if e.degree.is_empty() && e.school.trim().is_empty() && e.diploma_number.trim().is_empty() {
        return Vec::new();
    }
    vec![EducationRow {
        degree: state
            .codes
            .name("education", &e.degree)
            .unwrap_or(&e.degree)
            .to_owned(),
        school: e.school.trim().to_owned(),
        major: e.major.trim().to_owned(),
        diploma_number: e.diploma_number.trim().to_owned(),
        date: e.graduation_date.trim().to_owned(),
    }]
}

/// 422 naming every field and character the fonts lack, for the page and the API alike.
fn unprintable(fields: &[documents::UnprintableText]) -> AppError {
    let list = fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("；");
    let mut e = AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "unprintable_characters",
        format!(
            "登记表中有字库无法打印的字符，为免打印成空白，暂不能生成：{list}。请修改报名信息中的这些字符（如用常用字代替），或联系工作人员。"
        ),
    );
    e.fields = fields
        .iter()
        .map(|f| FieldError {
            field: f.field.clone(),
            code: "unprintable_characters".to_owned(),
            message: format!("无法打印的字符：{}", f.characters_text()),
        })
        .collect();
    e
}

/// The PDF as a download named 登记表-<plan code>.pdf (for staff pages too).
pub fn pdf_response(pdf: Vec<u8>, plan_code: &str) -> Response {
    let file_name = format!("登记表-{plan_code}.pdf");
    // An ASCII fallback for old clients, then the real name (RFC 5987/8187).
    let ascii: String = format!("registration-form-{plan_code}.pdf")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::percent::encode(&file_name)
    );
    let mut response = Response::new(Body::from(pdf));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
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
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_is_percent_encoded_utf8_with_an_ascii_fallback() {
        let response = pdf_response(b"%PDF-".to_vec(), "GX 2026/3");
        let disposition = response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            disposition,
            "attachment; filename=\"registration-form-GX_2026_3.pdf\"; \
             filename*=UTF-8''%E7%99%BB%E8%AE%B0%E8%A1%A8-GX%202026%2F3.pdf"
        );
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    }

    #[test]
    fn unprintable_characters_are_named_with_their_code_points() {
        let e = unprintable(&[documents::UnprintableText {
            field: "姓名".to_owned(),
            characters: vec!['𠮷'],
        }]);
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.code, "unprintable_characters");
        assert!(e.message.contains("姓名：𠮷（U+20BB7）"), "{}", e.message);
        assert_eq!(e.fields[0].field, "姓名");
    }
}
