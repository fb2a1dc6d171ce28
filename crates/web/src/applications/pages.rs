//! The wizard's pages: 报名 on a plan, each step, the review with the commitment, submission.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::applications::documents::{DocumentKind, size_text};
use domain::applications::form::{ApplicationDraft, IdType};
use domain::applications::issues::FieldIssue;
use domain::applications::state::ApplicationStatus;
use domain::applications::work_history::WorkPeriodInput;
use serde::Deserialize;
use store::accounts::Account;
use store::applications::Application;

use super::actions::{self, Context, VerdictView};
use super::form_input::{self, Posted};
use super::sections::Section;
use super::uploads;
use super::view::{self, AddressChoices, AddressValues, Choice, Issues, StepMark};
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, Layout, Section as NavSection, render};
use crate::session::{CsrfForm, Session};
use crate::state::AppState;

pub(super) fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// 报名 on a plan: log in first, then continue where the candidate left off.
pub async fn apply(
    State(state): State<AppState>,
    session: Session,
    Path(plan_id): Path<String>,
) -> PageResult {
    let plan_id = parse_id(&plan_id)?;
    // A plan that does not exist is not found, before anyone is asked to log in for it.
    if store::plans::get(&state.db, plan_id).await?.is_none() {
        return Err(AppError::not_found().into());
    }
    let Some(account) = session.account() else {
        return Ok(Redirect::to(&format!("/login?next=/plans/{plan_id}/apply")).into_response());
    };
    let application = actions::open(&state, &account, plan_id).await?;
    Ok(Redirect::to(&view::resume_path(&application)).into_response())
}

pub struct PlanHeading {
    pub title: String,
    pub registration_window: String,
    pub exam_window: String,
}

pub(super) fn heading(ctx: &Context) -> PlanHeading {
    PlanHeading {
        title: format!("{} {}", ctx.plan.code, ctx.plan.name),
        registration_window: domain::time::format_window(
            ctx.plan.registration.opens_at,
            ctx.plan.registration.closes_at,
        ),
        exam_window: domain::time::format_window(ctx.plan.exam.starts_at, ctx.plan.exam.ends_at),
    }
}

pub struct WorkRow {
    pub index: usize,
    pub names: WorkRowNames,
    pub row: WorkPeriodInput,
}

/// The input names of one work history row: `work_history[i].field`.
pub struct WorkRowNames {
    pub start: String,
    pub end: String,
    pub employer: String,
    pub employer_uscc: String,
    pub post: String,
    pub referee: String,
    pub referee_phone: String,
}

impl WorkRowNames {
    fn new(index: usize) -> WorkRowNames {
        let name = |field: &str| format!("work_history[{index}].{field}");
        WorkRowNames {
            start: name("start"),
            end: name("end"),
            employer: name("employer"),
            employer_uscc: name("employer_uscc"),
            post: name("post"),
            referee: name("referee"),
            referee_phone: name("referee_phone"),
        }
    }
}

pub struct RuleOption {
    pub id: i64,
    pub sentence: String,
    pub claimed: bool,
}

/// One required document on the documents page: what it must be, its current file, and its
/// upload form.
pub struct DocumentLine {
    pub code: &'static str,
    pub label: &'static str,
    pub requirement: &'static str,
    /// The file input's `accept`: a hint for the picker; the server reads the content.
    pub accept: &'static str,
    pub is_photo: bool,
    pub file: Option<FileLine>,
}

pub struct FileLine {
    pub href: String,
    pub name: String,
    pub size: String,
    pub is_image: bool,
    pub uploaded_at: String,
}

#[derive(Template)]
#[template(path = "applications/step.html")]
pub struct StepPage {
    layout: Layout,
    csrf: String,
    app_id: i64,
    plan: PlanHeading,
    section: &'static str,
    title: &'static str,
    steps: Vec<StepMark>,
    previous: Option<&'static str>,
    draft: ApplicationDraft,
    issues: Issues,
    status_label: &'static str,
    under_review: bool,
    /// After a rejection: what the reviewer marked on this page, (label, note).
    reviewer_marks: Vec<(String, String)>,
    // Choices for the pickers.
    ethnic_groups: Vec<Choice>,
    political_statuses: Vec<Choice>,
    educations: Vec<Choice>,
    id_types: Vec<Choice>,
    candidate_sources: Vec<Choice>,
    assessment_categories: Vec<Choice>,
    enterprise_types: Vec<Choice>,
    addresses: Vec<AddressChoices>,
    work_rows: Vec<WorkRow>,
    rules: Vec<RuleOption>,
    tracks: Vec<String>,
    lower_levels: Vec<(u8, &'static str)>,
    documents: Vec<DocumentLine>,
}

/// What a step page shows of the form: the draft and its messages.
struct Shown {
    draft: ApplicationDraft,
    issues: Vec<FieldIssue>,
}

async fn step_view(
    state: &AppState,
    session: &Session,
    application: &Application,
    ctx: &Context,
    section: Section,
    shown: Shown,
) -> Result<StepPage, AppError> {
    let Shown { draft, issues } = shown;
    let codes = state.codes.as_ref();
    let r = &draft.registration;
    let addresses = vec![
        view::address_choices(
            codes,
            "hukou",
            AddressValues {
                province: &r.hukou_province,
                city: &r.hukou_city,
                district: &r.hukou_district,
                address: "",
            },
        ),
        view::address_choices(
            codes,
            "residence",
            AddressValues {
                province: &r.residence_province,
                city: &r.residence_city,
                district: &r.residence_district,
                address: &r.residence_address,
            },
        ),
        view::address_choices(
            codes,
            "employer",
            AddressValues {
                province: &r.employer_province,
                city: &r.employer_city,
                district: &r.employer_district,
                address: &r.employer_address,
            },
        ),
    ];
    let mut rows: Vec<WorkPeriodInput> = draft.work_history.clone();
    // One blank row is always there to fill; 添加一段工作经历 saves it and shows a new blank one.
    rows.push(WorkPeriodInput::default());
    let names = |code: &str| state.codes.name("education", code).map(str::to_owned);
    let documents = if section == Section::Documents {
        uploads::documents(state, ctx, &draft)
            .await?
            .into_iter()
            .map(|(kind, file)| DocumentLine {
                code: kind.code(),
                label: kind.label(),
                requirement: kind.requirement(),
                accept: if kind == DocumentKind::Photo {
                    "image/jpeg"
                } else {
                    "image/jpeg,image/png,application/pdf"
                },
                is_photo: kind == DocumentKind::Photo,
                file: file.map(|f| FileLine {
                    href: uploads::file_href(&f),
                    size: size_text(usize::try_from(f.byte_size).unwrap_or(0)),
                    is_image: f.file_type.is_image(),
                    uploaded_at: domain::time::format_instant(f.created_at),
                    name: f.original_name,
                }),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(StepPage {
        csrf: session.csrf_token().await?,
        layout: Layout::new(session, NavSection::Applications),
        app_id: application.id,
        plan: heading(ctx),
        section: section.slug(),
        title: section.title(),
        steps: view::step_marks(section),
        previous: section.previous().map(Section::slug),
        issues: Issues(issues),
        status_label: application.status.label(),
        under_review: application.status != ApplicationStatus::Draft,
        reviewer_marks: super::reasons::marks_on(state, application, section).await?,
        ethnic_groups: view::choices(codes, "ethnic_group"),
        political_statuses: view::choices(codes, "political_status"),
        educations: view::choices(codes, "education"),
        // The domain knows each document type's number format; its codes are what the form keeps.
        id_types: IdType::ALL
            .iter()
            .map(|t| Choice {
                code: t.code().to_owned(),
                name: t.label().to_owned(),
            })
            .collect(),
        candidate_sources: view::choices(codes, "candidate_source"),
        assessment_categories: view::choices(codes, "assessment_category"),
        enterprise_types: view::choices(codes, "enterprise_type"),
        addresses,
        work_rows: rows
            .into_iter()
            .enumerate()
            .map(|(index, row)| WorkRow {
                index,
                names: WorkRowNames::new(index),
                row,
            })
            .collect(),
        rules: ctx
            .rules
            .iter()
            .map(|(id, rule)| RuleOption {
                id: *id,
                sentence: rule.sentence(&names),
                claimed: draft.declaration.claimed_rule == Some(*id),
            })
            .collect(),
        tracks: ctx.tracks.clone(),
        lower_levels: domain::catalogue::Level::ALL
            .iter()
            .filter(|l| l.get() > ctx.plan.level.get())
            .map(|l| (l.get(), l.full_name()))
            .collect(),
        documents,
        draft,
    })
}

/// The documents page with findings beside the documents (an upload refused).
pub(super) async fn documents_page(
    state: &AppState,
    session: &Session,
    application: &Application,
    ctx: &Context,
    issues: Vec<FieldIssue>,
    status: StatusCode,
) -> PageResult {
    let page = step_view(
        state,
        session,
        application,
        ctx,
        Section::Documents,
        Shown {
            draft: application.draft.clone(),
            issues,
        },
    )
    .await?;
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn owned_with_context(
    state: &AppState,
    account: &Account,
    id: &str,
) -> Result<(Application, Context), AppError> {
    let application = actions::load_owned(state, account, parse_id(id)?).await?;
    let ctx = actions::context(state, &application, account).await?;
    Ok((application, ctx))
}

pub async fn step_page(
    State(state): State<AppState>,
    session: Session,
    Path((id, slug)): Path<(String, String)>,
) -> PageResult {
    let account = session.require_account()?;
    let section = Section::parse(&slug).ok_or_else(AppError::not_found)?;
    let (application, ctx) = owned_with_context(&state, &account, &id).await?;
    if !application.status.candidate_may_edit() {
        return Ok(Redirect::to(&format!("/applications/{}", application.id)).into_response());
    }
    if section == Section::Review {
        return review_response(
            &state,
            &session,
            &application,
            &ctx,
            FormErrors::none(),
            StatusCode::OK,
        )
        .await;
    }
    // A page already completed once shows its messages straight away when revisited (the
    // data may have changed elsewhere); a page not reached yet starts clean.
    let issues = if section.position() <= application.step_reached {
        actions::section_issues(&state, &ctx, section, &application.draft).await?
    } else {
        Vec::new()
    };
    let draft = application.draft.clone();
    let page = step_view(
        &state,
        &session,
        &application,
        &ctx,
        section,
        Shown { draft, issues },
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub async fn step_submit(
    State(state): State<AppState>,
    session: Session,
    Path((id, slug)): Path<(String, String)>,
    CsrfForm(posted): CsrfForm<Posted>,
) -> PageResult {
    let account = session.require_account()?;
    let section = Section::parse(&slug).ok_or_else(AppError::not_found)?;
    let (application, ctx) = owned_with_context(&state, &account, &id).await?;
    let draft = form_input::apply(&application.draft, section, &posted);
    let (saved, issues) =
        match actions::save(&state, &account, &application, &ctx, section, &draft).await {
            Ok(done) => done,
            // Once submitted, an edit with mistakes is not saved: the page shows what was typed
            // and what to fix.
            Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
                let issues = actions::section_issues(&state, &ctx, section, &draft).await?;
                let shown = Shown { draft, issues };
                let page = step_view(&state, &session, &application, &ctx, section, shown).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
            }
            Err(e) => return Err(e.into()),
        };
    let go = form_input::value(&posted, "_go").unwrap_or("next");
    let has_errors = issues.iter().any(FieldIssue::is_error);
    let target = |s: Section| format!("/applications/{}/{}", saved.id, s.slug());
    match go {
        "previous" => {
            let back = section.previous().unwrap_or(Section::Basic);
            Ok(Redirect::to(&target(back)).into_response())
        }
        // The page always ends with one blank work row, so "add a row" is saving what was
        // typed (the filled row keeps its place) and showing the page again.
        "refresh" | "add_row" => {
            let page = step_view(
                &state,
                &session,
                &saved,
                &ctx,
                section,
                Shown {
                    draft: saved.draft.clone(),
                    issues: Vec::new(),
                },
            )
            .await?;
            Ok(render(&page)?.into_response())
        }
        _ if has_errors => {
            let page = step_view(
                &state,
                &session,
                &saved,
                &ctx,
                section,
                Shown {
                    draft: saved.draft.clone(),
                    issues,
                },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        _ => {
            let next = section.next().unwrap_or(Section::Review);
            Ok(Redirect::to(&target(next)).into_response())
        }
    }
}

pub struct ReviewIssue {
    pub section_slug: &'static str,
    pub section_title: &'static str,
    pub message: String,
    pub warning: bool,
}

#[derive(Template)]
#[template(path = "applications/review.html")]
pub struct ReviewPage {
    layout: Layout,
    csrf: String,
    app_id: i64,
    plan: PlanHeading,
    steps: Vec<StepMark>,
    draft: ApplicationDraft,
    issues: Vec<ReviewIssue>,
    has_errors: bool,
    verdicts: Vec<VerdictView>,
    any_met: bool,
    work_total: String,
    errors: FormErrors,
    resubmission: bool,
    names: Vec<(&'static str, String)>,
}

async fn review_response(
    state: &AppState,
    session: &Session,
    application: &Application,
    ctx: &Context,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let review = actions::review(state, ctx, &application.draft).await?;
    let d = &application.draft;
    let codes = state.codes.as_ref();
    let name = |kind: &str, code: &str| codes.name(kind, code).unwrap_or(code).to_owned();
    let page = ReviewPage {
        csrf: session.csrf_token().await?,
        layout: Layout::new(session, NavSection::Applications),
        app_id: application.id,
        plan: heading(ctx),
        steps: view::step_marks(Section::Review),
        has_errors: review.has_errors(),
        any_met: review.any_met(),
        issues: review
            .issues
            .iter()
            .map(|(s, i)| ReviewIssue {
                section_slug: s.slug(),
                section_title: s.title(),
                message: i.message.clone(),
                warning: !i.is_error(),
            })
            .collect(),
        verdicts: review.verdicts,
        work_total: review.work_total,
        errors,
        resubmission: application.status == ApplicationStatus::Rejected,
        names: vec![
            ("ethnicity", name("ethnic_group", &d.basic.ethnicity)),
            (
                "political_status",
                name("political_status", &d.basic.political_status),
            ),
            ("education", name("education", &d.basic.education)),
            ("degree", name("education", &d.education.degree)),
        ],
        draft: d.clone(),
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    accept_commitment: Option<String>,
    #[serde(default)]
    acknowledge_ineligible: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<SubmitForm>,
) -> PageResult {
    let account = session.require_account()?;
    let (application, ctx) = owned_with_context(&state, &account, &id).await?;
    let result = actions::submit(
        &state,
        &account,
        &application,
        &ctx,
        form.accept_commitment.is_some(),
        form.acknowledge_ineligible.is_some(),
    )
    .await;
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/applications/{}", done.id)).into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            review_response(&state, &session, &application, &ctx, e.into(), status).await
        }
        Err(e) => Err(e.into()),
    }
}
