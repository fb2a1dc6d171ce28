//! 职业目录 pages: the occupations, one occupation with its levels, tracks, related
//! occupations and eligibility alternatives, and the alternative's form with its sentence
//! previewed (by script as staff type, or by the 预览 button without one).

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use domain::catalogue::occupation::{check_code, check_levels, check_name};
use domain::catalogue::rule_form::{RuleFieldError, input_of};
use domain::catalogue::{Level, RuleInput};
use domain::permissions::Permission;
use serde::Deserialize;
use store::catalogue_edits::{self as edits, Related};

use super::actions::{self, check_rule, edit_error, editor, field_errors, parse_id, sentence};
use super::form::{Pairs, rule_input};
use super::view::{Choice, LevelRules, RuleFormView, level_boxes, rule_form, rules_by_level};
use crate::client::ClientAddress;
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, render};
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

fn one(e: RuleFieldError) -> AppError {
    field_errors(&[e])
}

/// The refusal beside `field` of the form that was posted (the store names its own fields).
fn beside(mut e: AppError, field: &str) -> AppError {
    for f in &mut e.fields {
        f.field = field.to_owned();
    }
    e
}

/// The refusal above the page: the form posted has no place for messages of its own (one of
/// several forms of the same kind on the page).
fn above(mut e: AppError) -> AppError {
    e.fields.clear();
    e
}

/// A refusal a form shows beside its inputs (422, 409) re-renders the page; anything else is an
/// error page.
fn is_form_error(e: &AppError) -> bool {
    matches!(
        e.status,
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
    )
}

// --- the occupations ---------------------------------------------------------------------------

pub struct OccupationLine {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "staff/catalogue.html")]
struct ListPage {
    layout: ConsoleLayout,
    csrf: String,
    occupations: Vec<OccupationLine>,
    code: String,
    name: String,
    levels: Vec<Choice>,
    errors: FormErrors,
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    posted: Option<&Pairs>,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let ticked: Vec<Level> = match posted {
        Some(p) => check_levels("levels", &p.all("levels")).unwrap_or_default(),
        None => Level::ALL.to_vec(),
    };
    Ok(ListPage {
        csrf: staff.session.csrf_token().await?,
        layout: staff.layout(ConsoleSection::Catalogue),
        occupations: store::catalogue::occupations(&state.db)
            .await?
            .into_iter()
            .map(|(id, code, name)| OccupationLine { id, code, name })
            .collect(),
        code: posted.map(|p| p.get("code").to_owned()).unwrap_or_default(),
        name: posted.map(|p| p.get("name").to_owned()).unwrap_or_default(),
        levels: level_boxes(&ticked),
        errors,
    })
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let page = list_page(&state, &staff, None, FormErrors::none()).await?;
    Ok(render(&page)?.into_response())
}

/// A new occupation: `code`, `name`, `levels` (repeated).
pub async fn create_occupation(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let pairs = Pairs::read(&staff, &body)?;
    let outcome = async {
        let (code, name, levels) = occupation_fields(&pairs)?;
        edits::create_occupation(
            &state.db,
            &code,
            &name,
            &levels,
            &editor(&staff, &address),
            Utc::now(),
        )
        .await?
        .map_err(edit_error)
    };
    match outcome.await {
        Ok(id) => Ok(Redirect::to(&format!("/staff/catalogue/{id}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let page = list_page(&state, &staff, Some(&pairs), e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn occupation_fields(pairs: &Pairs) -> Result<(String, String, Vec<Level>), AppError> {
    let mut errors = Vec::new();
    let code = check_code("code", pairs.get("code"), false)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let name = check_name("name", pairs.get("name"))
        .map_err(|e| errors.push(e))
        .ok();
    let levels = check_levels("levels", &pairs.all("levels"))
        .map_err(|e| errors.push(e))
        .ok();
    match (code, name, levels) {
        (Some(code), Some(name), Some(levels)) if errors.is_empty() => Ok((code, name, levels)),
        _ => Err(field_errors(&errors)),
    }
}

// --- one occupation ----------------------------------------------------------------------------

pub struct TrackView {
    pub id: i64,
    pub name: String,
    pub levels: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "staff/catalogue_occupation.html")]
struct OccupationPage {
    layout: ConsoleLayout,
    csrf: String,
    id: i64,
    code: String,
    name: String,
    levels: Vec<Choice>,
    tracks: Vec<TrackView>,
    new_track_levels: Vec<Choice>,
    related: Vec<Related>,
    rule_levels: Vec<LevelRules>,
    errors: FormErrors,
}

async fn occupation_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    errors: FormErrors,
) -> Result<OccupationPage, AppError> {
    let occupation = store::catalogue::occupation(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let levels: Vec<Level> = occupation.levels.iter().map(|(l, _)| *l).collect();
    let rules = store::catalogue::all_rules(&state.db, id).await?;
    Ok(OccupationPage {
        csrf: staff.session.csrf_token().await?,
        layout: staff.layout(ConsoleSection::Catalogue),
        id,
        code: occupation.code.clone(),
        name: occupation.name.clone(),
        levels: level_boxes(&levels),
        tracks: occupation
            .tracks
            .iter()
            .map(|t| TrackView {
                id: t.id,
                name: t.name.clone(),
                levels: level_boxes(&t.levels)
                    .into_iter()
                    .filter(|c| levels.iter().any(|l| l.get().to_string() == c.value))
                    .collect(),
            })
            .collect(),
        new_track_levels: level_boxes(&[])
            .into_iter()
            .filter(|c| levels.iter().any(|l| l.get().to_string() == c.value))
            .collect(),
        related: edits::related(&state.db, id).await?,
        rule_levels: rules_by_level(state, &levels, &rules),
        errors,
    })
}

pub async fn occupation(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let page = occupation_page(&state, &staff, parse_id(&id)?, FormErrors::none()).await?;
    Ok(render(&page)?.into_response())
}

/// After an edit of the occupation page: back to it, or the page again with the refusal.
async fn after_edit(
    state: &AppState,
    staff: &Staff,
    occupation_id: i64,
    outcome: Result<(), AppError>,
    anchor: &str,
) -> PageResult {
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/staff/catalogue/{occupation_id}#{anchor}")).into_response())
        }
        Err(e) if is_form_error(&e) => {
            let status = e.status;
            let page = occupation_page(state, staff, occupation_id, e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update_occupation(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let id = parse_id(&id)?;
    let pairs = Pairs::read(&staff, &body)?;
    let outcome = async {
        let (code, name, levels) = occupation_fields(&pairs)?;
        let editor = editor(&staff, &address);
        edits::update_occupation(&state.db, id, &code, &name, &levels, &editor, Utc::now())
            .await?
            .map_err(edit_error)
    };
    after_edit(&state, &staff, id, outcome.await, "occupation").await
}

pub async fn add_track(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let id = parse_id(&id)?;
    let pairs = Pairs::read(&staff, &body)?;
    let outcome = async {
        let name = check_name("track_name", pairs.get("track_name")).map_err(one)?;
        let levels = check_levels("track_levels", &pairs.all("track_levels")).map_err(one)?;
        let editor = editor(&staff, &address);
        edits::add_track(&state.db, id, &name, &levels, &editor, Utc::now())
            .await?
            .map_err(|e| beside(edit_error(e), "track_levels"))
            .map(|_| ())
    };
    after_edit(&state, &staff, id, outcome.await, "tracks").await
}

/// Renames a track and sets its levels; `remove` set removes it instead.
pub async fn update_track(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(track_id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let track_id = parse_id(&track_id)?;
    let pairs = Pairs::read(&staff, &body)?;
    let occupation_id = parse_id(pairs.get("occupation_id"))?;
    let editor = editor(&staff, &address);
    let outcome = async {
        if pairs.ticked("remove") {
            edits::remove_track(&state.db, track_id, &editor, Utc::now())
                .await?
                .map_err(edit_error)?;
            return Ok(());
        }
        let name = check_name("track_name", pairs.get("name")).map_err(one)?;
        let levels = check_levels("track_levels", &pairs.all("levels")).map_err(one)?;
        edits::update_track(&state.db, track_id, &name, &levels, &editor, Utc::now())
            .await?
            .map_err(edit_error)
    };
    let outcome = outcome.await.map_err(above);
    after_edit(&state, &staff, occupation_id, outcome, "tracks").await
}

pub async fn add_related(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let id = parse_id(&id)?;
    let pairs = Pairs::read(&staff, &body)?;
    let outcome = async {
        let name = check_name("related_name", pairs.get("related_name")).map_err(one)?;
        let code = check_code("related_code", pairs.get("related_code"), true).map_err(one)?;
        let editor = editor(&staff, &address);
        edits::add_related(&state.db, id, &name, code.as_deref(), &editor, Utc::now())
            .await?
            .map_err(edit_error)
            .map(|_| ())
    };
    after_edit(&state, &staff, id, outcome.await, "related").await
}

pub async fn remove_related(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(related_id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let related_id = parse_id(&related_id)?;
    Pairs::read(&staff, &body)?;
    let occupation_id =
        edits::remove_related(&state.db, related_id, &editor(&staff, &address), Utc::now())
            .await?
            .map_err(edit_error)?;
    Ok(Redirect::to(&format!("/staff/catalogue/{occupation_id}#related")).into_response())
}

// --- an eligibility alternative ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "staff/catalogue_rule.html")]
struct RulePage {
    layout: ConsoleLayout,
    csrf: String,
    occupation_id: i64,
    occupation_name: String,
    /// The rule being changed (`None`: a new one).
    rule_id: Option<i64>,
    retired: bool,
    action: String,
    form: RuleFormView,
    /// The sentence of the rule as typed, when it is valid.
    preview: Option<String>,
    /// The sentence of the rule being changed, as it is stored.
    current: Option<String>,
    errors: FormErrors,
}

struct RuleTarget {
    occupation_id: i64,
    occupation_name: String,
    levels: Vec<Level>,
    rule: Option<store::catalogue::RuleRecord>,
}

async fn target_of_occupation(state: &AppState, id: i64) -> Result<RuleTarget, AppError> {
    let occupation = store::catalogue::occupation(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(RuleTarget {
        occupation_id: id,
        occupation_name: occupation.name,
        levels: occupation.levels.iter().map(|(l, _)| *l).collect(),
        rule: None,
    })
}

async fn target_of_rule(state: &AppState, rule_id: i64) -> Result<RuleTarget, AppError> {
    let rule = store::catalogue::rule_record(state.db.reader(), rule_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut target = target_of_occupation(state, rule.occupation_id).await?;
    // A rule's level is fixed: its replacement is for the same level.
    target.levels = vec![rule.rule.level()];
    target.rule = Some(rule);
    Ok(target)
}

fn rule_page(
    state: &AppState,
    staff: &Staff,
    csrf: String,
    target: &RuleTarget,
    input: &RuleInput,
    years_raw: Option<&str>,
    errors: FormErrors,
) -> RulePage {
    let preview = if errors.fields.is_empty() && errors.message.is_none() {
        check_rule(state, input).ok().map(|r| sentence(state, &r))
    } else {
        None
    };
    RulePage {
        csrf,
        layout: staff.layout(ConsoleSection::Catalogue),
        occupation_id: target.occupation_id,
        occupation_name: target.occupation_name.clone(),
        rule_id: target.rule.as_ref().map(|r| r.id),
        retired: target.rule.as_ref().is_some_and(|r| r.retired),
        action: match &target.rule {
            Some(r) => format!("/staff/catalogue/rules/{}", r.id),
            None => format!("/staff/catalogue/{}/rules", target.occupation_id),
        },
        form: rule_form(state, input, &target.levels, years_raw),
        preview,
        current: target.rule.as_ref().map(|r| sentence(state, &r.rule)),
        errors,
    }
}

#[derive(Deserialize, Default)]
pub struct NewRuleQuery {
    #[serde(default)]
    level: String,
}

pub async fn new_rule(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<NewRuleQuery>,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let target = target_of_occupation(&state, parse_id(&id)?).await?;
    let input = RuleInput {
        level: q.level.parse().ok(),
        kind: "experience".into(),
        related_occupation: true,
        ..RuleInput::default()
    };
    let csrf = staff.session.csrf_token().await?;
    // A blank form has nothing to refuse yet: no preview, no errors.
    let mut page = rule_page(
        &state,
        &staff,
        csrf,
        &target,
        &input,
        None,
        FormErrors::none(),
    );
    page.preview = None;
    Ok(render(&page)?.into_response())
}

pub async fn edit_rule(
    State(state): State<AppState>,
    staff: Staff,
    Path(rule_id): Path<String>,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let target = target_of_rule(&state, parse_id(&rule_id)?).await?;
    let input = target
        .rule
        .as_ref()
        .map(|r| input_of(&r.rule))
        .unwrap_or_default();
    let csrf = staff.session.csrf_token().await?;
    let page = rule_page(
        &state,
        &staff,
        csrf,
        &target,
        &input,
        None,
        FormErrors::none(),
    );
    Ok(render(&page)?.into_response())
}

/// The rule form posted: 预览 (`preview` set) shows the sentence or the errors; 保存 creates or
/// replaces the rule and goes back to the occupation.
async fn submit_rule(
    state: &AppState,
    staff: &Staff,
    address: &str,
    target: RuleTarget,
    pairs: Pairs,
) -> PageResult {
    let (input, number_errors) = rule_input(&pairs);
    let years_raw = pairs.get("years_of_work");
    let checked = if number_errors.is_empty() {
        check_rule(state, &input)
    } else {
        Err(field_errors(&number_errors))
    };
    let csrf = staff.session.csrf_token().await?;
    let refuse = |e: AppError| -> PageResult {
        let status = e.status;
        let page = rule_page(
            state,
            staff,
            csrf.clone(),
            &target,
            &input,
            Some(years_raw),
            e.into(),
        );
        Ok((status, render(&page)?).into_response())
    };
    let rule = match checked {
        Ok(rule) => rule,
        Err(e) => return refuse(e),
    };
    if pairs.ticked("preview") {
        let page = rule_page(
            state,
            staff,
            csrf.clone(),
            &target,
            &input,
            Some(years_raw),
            FormErrors::none(),
        );
        return Ok(render(&page)?.into_response());
    }
    let editor = editor(staff, address);
    let words = |r: &domain::catalogue::EligibilityRule| sentence(state, r);
    let saved = match &target.rule {
        None => {
            edits::create_rule(
                &state.db,
                target.occupation_id,
                &rule,
                &words(&rule),
                &editor,
                Utc::now(),
            )
            .await?
        }
        Some(old) => {
            edits::replace_rule(&state.db, old.id, &rule, &words, &editor, Utc::now()).await?
        }
    };
    match saved.map_err(edit_error) {
        Ok(_) => Ok(Redirect::to(&format!(
            "/staff/catalogue/{}#level-{}",
            target.occupation_id,
            rule.level().get()
        ))
        .into_response()),
        Err(e) if is_form_error(&e) => refuse(e),
        Err(e) => Err(e.into()),
    }
}

pub async fn create_rule(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let pairs = Pairs::read(&staff, &body)?;
    let target = target_of_occupation(&state, parse_id(&id)?).await?;
    submit_rule(&state, &staff, &address, target, pairs).await
}

pub async fn update_rule(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(rule_id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    let pairs = Pairs::read(&staff, &body)?;
    let target = target_of_rule(&state, parse_id(&rule_id)?).await?;
    submit_rule(&state, &staff, &address, target, pairs).await
}

pub async fn retire_rule(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(rule_id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageCatalogue)?;
    Pairs::read(&staff, &body)?;
    let words = |r: &domain::catalogue::EligibilityRule| actions::sentence(&state, r);
    let occupation_id = edits::retire_rule(
        &state.db,
        parse_id(&rule_id)?,
        &words,
        &editor(&staff, &address),
        Utc::now(),
    )
    .await?
    .map_err(edit_error)?;
    Ok(Redirect::to(&format!("/staff/catalogue/{occupation_id}#rules")).into_response())
}
