//! `/api/v1/code-tables/{kind}` and `/api/v1/divisions`: the national code lists that forms pick
//! from (the application wizard's cascading province/city/district pickers use the latter).

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use crate::error::{ApiResult, AppError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeItemView {
    pub code: String,
    pub name: String,
}

/// One code list: `ethnic_group`, `political_status`, `education`, `id_type`,
/// `candidate_source`, `assessment_category` or `enterprise_type`.
#[utoipa::path(get, path = "/api/v1/code-tables/{kind}", tag = "code tables",
    params(("kind" = String, Path)),
    responses((status = 200, body = Vec<CodeItemView>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Path(kind): Path<String>,
) -> ApiResult<Json<Vec<CodeItemView>>> {
    if !store::code_tables::CODE_LISTS
        .iter()
        .any(|(k, _)| *k == kind)
    {
        return Err(AppError::not_found());
    }
    let items = store::code_tables::items(&state.db, &kind).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| CodeItemView {
                code: i.code,
                name: i.name,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DivisionParams {
    /// A 6-digit division code; absent for the provinces.
    pub parent: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DivisionView {
    pub code: String,
    pub name: String,
    /// `province`, `city` or `district`.
    pub kind: String,
}

/// GB/T 2260 divisions: the provinces, or the children of one division.
#[utoipa::path(get, path = "/api/v1/divisions", tag = "code tables", params(DivisionParams),
    responses((status = 200, body = Vec<DivisionView>), (status = 422, body = ErrorBody)))]
pub async fn divisions(
    State(state): State<AppState>,
    Query(q): Query<DivisionParams>,
) -> ApiResult<Json<Vec<DivisionView>>> {
    let parent = q.parent.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if let Some(p) = parent
        && (p.len() != 6 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(AppError::field(
            "parent",
            "division_code_invalid",
            "行政区划代码应为 6 位数字",
        ));
    }
    let found = store::code_tables::divisions(state.db.reader(), parent).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|d| DivisionView {
                code: d.code,
                name: d.name,
                kind: d.kind,
            })
            .collect(),
    ))
}
