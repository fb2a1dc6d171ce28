//! `/api/v1/staff/catalogue`: the occupations and their eligibility alternatives for API
//! clients, with the same checks, codes and audit lines as the pages; and the preview the rule
//! form's script calls as staff type.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use domain::catalogue::rule_form::input_of;
use domain::catalogue::{EligibilityRule, RuleInput};
use domain::permissions::Permission;
use serde::{Deserialize, Serialize};
use store::catalogue::RuleRecord;
use store::catalogue_edits as edits;

use super::actions::{check_rule, edit_error, editor, parse_id, sentence};
use crate::client::ClientAddress;
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody};
use crate::staff::Staff;
use crate::state::AppState;

/// An eligibility alternative's parts, as the rule form has them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RuleBody {
    /// 1 (一级) … 5 (五级).
    pub level: Option<i64>,
    /// experience | certificate | education | apprenticeship | preparatory_technician
    pub kind: String,
    /// The level of the certificate already held, 1 … 5.
    pub required_level: Option<i64>,
    /// Years of work in the occupation, 1 … 30.
    pub years_of_work: Option<i64>,
    /// total (default) | certificate | graduation
    pub years_counted_from: String,
    /// Codes of the `education` code table; empty: no diploma named.
    pub education_codes: Vec<String>,
    pub education_or_above: bool,
    pub related_major: bool,
    /// Certificates and work in a related occupation count too.
    pub related_occupation: bool,
}

impl From<RuleBody> for RuleInput {
    fn from(b: RuleBody) -> RuleInput {
        RuleInput {
            level: b.level,
            kind: b.kind,
            required_level: b.required_level,
            years_of_work: b.years_of_work,
            years_counted_from: b.years_counted_from,
            education_codes: b.education_codes,
            education_or_above: b.education_or_above,
            related_major: b.related_major,
            related_occupation: b.related_occupation,
        }
    }
}

impl From<RuleInput> for RuleBody {
    fn from(i: RuleInput) -> RuleBody {
        RuleBody {
            level: i.level,
            kind: i.kind,
            required_level: i.required_level,
            years_of_work: i.years_of_work,
            years_counted_from: i.years_counted_from,
            education_codes: i.education_codes,
            education_or_above: i.education_or_above,
            related_major: i.related_major,
            related_occupation: i.related_occupation,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleView {
    /// What an application's declaration names (`claimed_rule`).
    pub id: i64,
    pub occupation_id: i64,
    pub level: u8,
    /// No longer offered; applications that claim it keep it.
    pub retired: bool,
    pub rule: RuleBody,
    /// The alternative in plain Chinese, as candidates read it.
    pub sentence: String,
}

fn view(state: &AppState, r: &RuleRecord) -> RuleView {
    RuleView {
        id: r.id,
        occupation_id: r.occupation_id,
        level: r.rule.level().get(),
        retired: r.retired,
        rule: input_of(&r.rule).into(),
        sentence: sentence(state, &r.rule),
    }
}

async fn record(state: &AppState, id: i64) -> Result<RuleRecord, AppError> {
    store::catalogue::rule_record(state.db.reader(), id)
        .await?
        .ok_or_else(|| AppError::internal(format!("eligibility rule {id} vanished")))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OccupationItem {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// The occupations of the catalogue.
#[utoipa::path(get, path = "/api/v1/staff/catalogue/occupations", tag = "catalogue",
    responses((status = 200, body = [OccupationItem]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn occupations(
    State(state): State<AppState>,
    staff: Staff,
) -> ApiResult<Json<Vec<OccupationItem>>> {
    staff.require(Permission::ManageCatalogue)?;
    Ok(Json(
        store::catalogue::occupations(&state.db)
            .await?
            .into_iter()
            .map(|(id, code, name)| OccupationItem { id, code, name })
            .collect(),
    ))
}

/// Every eligibility alternative of an occupation, retired ones included, by level.
#[utoipa::path(get, path = "/api/v1/staff/catalogue/occupations/{id}/rules", tag = "catalogue",
    params(("id" = i64, Path)),
    responses((status = 200, body = [RuleView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rules(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RuleView>>> {
    staff.require(Permission::ManageCatalogue)?;
    let id = parse_id(&id)?;
    store::catalogue::occupation(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let all = store::catalogue::all_rules(&state.db, id).await?;
    Ok(Json(all.iter().map(|r| view(&state, r)).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    pub sentence: String,
}

/// The alternative's sentence, or 422 with an error beside each input that is wrong. Changes
/// nothing.
#[utoipa::path(post, path = "/api/v1/staff/catalogue/rules/preview", tag = "catalogue",
    request_body = RuleBody,
    responses((status = 200, body = PreviewView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(body): ApiJson<RuleBody>,
) -> ApiResult<Json<PreviewView>> {
    staff.require(Permission::ManageCatalogue)?;
    let rule = check_rule(&state, &body.into())?;
    Ok(Json(PreviewView {
        sentence: sentence(&state, &rule),
    }))
}

/// Adds an alternative to a level of the occupation (after its others).
#[utoipa::path(post, path = "/api/v1/staff/catalogue/occupations/{id}/rules", tag = "catalogue",
    params(("id" = i64, Path)), request_body = RuleBody,
    responses((status = 201, body = RuleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RuleBody>,
) -> ApiResult<(StatusCode, Json<RuleView>)> {
    staff.require(Permission::ManageCatalogue)?;
    let occupation_id = parse_id(&id)?;
    let rule = check_rule(&state, &body.into())?;
    let new_id = edits::create_rule(
        &state.db,
        occupation_id,
        &rule,
        &sentence(&state, &rule),
        &editor(&staff, &address),
        Utc::now(),
    )
    .await?
    .map_err(edit_error)?;
    Ok((
        StatusCode::CREATED,
        Json(view(&state, &record(&state, new_id).await?)),
    ))
}

/// Changes an alternative: a replacement (new id, same place and level) is added and this one
/// retired, so applications that claim it keep it. Returns the replacement.
#[utoipa::path(put, path = "/api/v1/staff/catalogue/rules/{id}", tag = "catalogue",
    params(("id" = i64, Path)), request_body = RuleBody,
    responses((status = 200, body = RuleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
               (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RuleBody>,
) -> ApiResult<Json<RuleView>> {
    staff.require(Permission::ManageCatalogue)?;
    let id = parse_id(&id)?;
    let rule = check_rule(&state, &body.into())?;
    let words = |r: &EligibilityRule| sentence(&state, r);
    let new_id = edits::replace_rule(
        &state.db,
        id,
        &rule,
        &words,
        &editor(&staff, &address),
        Utc::now(),
    )
    .await?
    .map_err(edit_error)?;
    Ok(Json(view(&state, &record(&state, new_id).await?)))
}

/// Retires an alternative: no longer offered; applications that claim it keep it.
#[utoipa::path(post, path = "/api/v1/staff/catalogue/rules/{id}/retire", tag = "catalogue",
    params(("id" = i64, Path)),
    responses((status = 200, body = RuleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn retire(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
) -> ApiResult<Json<RuleView>> {
    staff.require(Permission::ManageCatalogue)?;
    let id = parse_id(&id)?;
    let words = |r: &EligibilityRule| sentence(&state, r);
    edits::retire_rule(&state.db, id, &words, &editor(&staff, &address), Utc::now())
        .await?
        .map_err(edit_error)?;
    Ok(Json(view(&state, &record(&state, id).await?)))
}
