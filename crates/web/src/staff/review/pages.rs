//! The review pages: the queue with its filters and batch approval, and one application with
//! its documents and checks beside the form, approve, and reject with reasons and marks.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use domain::applications::state::ApplicationStatus;
use domain::catalogue::Level;
use domain::permissions::Permission;
use domain::review::{ClaimState, ReasonTemplate, claim_state};
use serde::Deserialize;
use store::review::{AgeFilter, ChecksFilter, QueueFilter};

use super::actions::{self, format_seen, parse_seen};
use super::view::{self, CheckNote, DocumentRow, PartRow};
use crate::applications::actions::VerdictView;
use crate::applications::view::{TimelineEntry, timeline};
use crate::client::ClientAddress;
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, render};
use crate::session::CsrfForm;
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

// --- the queue ---------------------------------------------------------------------------------

/// The queue's filters as the query string carries them (all optional, all text so that a bad
/// value is ignored rather than refused: the filter form only offers valid ones).
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    pub plan: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub age: String,
    #[serde(default)]
    pub checks: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub page: Option<usize>,
}

impl QueueQuery {
    pub fn filter(&self) -> QueueFilter {
        QueueFilter {
            statuses: ApplicationStatus::parse(&self.status).into_iter().collect(),
            plan_id: self.plan.parse().ok(),
            level: self.level.parse::<u8>().ok().and_then(Level::new),
            checks: match self.checks.as_str() {
                "clean" => Some(ChecksFilter::Clean),
                "flagged" => Some(ChecksFilter::Flagged),
                _ => None,
            },
            organization: Some(self.org.clone()).filter(|o| !o.trim().is_empty()),
            age: match self.age.as_str() {
                "not_due" => Some(AgeFilter::NotDue),
                "due" => Some(AgeFilter::DueToday),
                "overdue" => Some(AgeFilter::Overdue),
                _ => None,
            },
        }
    }

    /// The same filters as a query string, for the pager and the export link.
    pub fn query_string(&self) -> String {
        let pairs = [
            ("plan", &self.plan),
            ("level", &self.level),
            ("status", &self.status),
            ("age", &self.age),
            ("checks", &self.checks),
            ("org", &self.org),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::percent::encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(current: &str, options: Vec<(String, String)>) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

pub struct QueueLine {
    pub id: i64,
    pub plan: String,
    pub level: &'static str,
    pub name: String,
    pub organization: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub submitted_at: String,
    pub round: i32,
    pub due: String,
    pub overdue: bool,
    pub eligibility_met: bool,
    pub held_by: Option<String>,
    /// Offered for batch approval (the checks are re-run on approval).
    pub batchable: bool,
}

#[derive(Template)]
#[template(path = "staff/review_queue.html")]
struct QueuePage {
    layout: ConsoleLayout,
    csrf: String,
    q: QueueQuery,
    plans: Vec<Choice>,
    levels: Vec<Choice>,
    statuses: Vec<Choice>,
    ages: Vec<Choice>,
    checks: Vec<Choice>,
    lines: Vec<QueueLine>,
    total: usize,
    page: usize,
    pages: usize,
    query: String,
    notice: Option<String>,
    can_export: bool,
}

#[derive(Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    approved: Option<usize>,
    #[serde(default)]
    skipped: Option<usize>,
}

pub async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<QueueQuery>,
    Query(notice): Query<Notice>,
) -> PageResult {
    staff.require(Permission::ReviewApplications)?;
    let now = Utc::now();
    let calendar = store::calendar::load(&state.db).await?;
    let today = domain::time::shanghai_date(now);
    let found = store::review::queue(
        &state.db,
        &q.filter(),
        &calendar,
        today,
        q.page.unwrap_or(1),
    )
    .await?;
    let lines = found
        .rows
        .into_iter()
        .map(|r| {
            let a = &r.application;
            let held_by = r
                .holder
                .as_ref()
                .map(|h| {
                    (
                        h.reviewer_account_id,
                        h.reviewer_name.as_str(),
                        h.expires_at,
                    )
                })
                .map(|h| claim_state(Some(h), staff.account.id, now))
                .and_then(|c| match c {
                    ClaimState::Held { by, .. } => Some(by),
                    ClaimState::Mine { .. } => Some("我".to_owned()),
                    ClaimState::Free => None,
                });
            QueueLine {
                id: a.id,
                plan: format!("{} {}", r.plan_code, r.plan_name),
                level: r.level.short_name(),
                name: a.draft.basic.name.clone(),
                organization: a.draft.registration.employer.clone(),
                status: a.status.code(),
                status_label: a.status.label(),
                submitted_at: a
                    .submitted_at
                    .map(domain::time::format_instant)
                    .unwrap_or_default(),
                round: a.round,
                due: if a.status == ApplicationStatus::UnderReview {
                    r.deadline.map(|d| d.label()).unwrap_or_default()
                } else {
                    String::new()
                },
                overdue: a.status == ApplicationStatus::UnderReview
                    && r.deadline.is_some_and(|d| d.is_overdue()),
                eligibility_met: a.eligibility_met,
                batchable: a.status == ApplicationStatus::UnderReview
                    && a.eligibility_met
                    && !a.eligibility_acknowledged
                    && held_by.is_none(),
                held_by,
            }
        })
        .collect();
    let plan_options = store::review::plan_choices(&state.db)
        .await?
        .into_iter()
        .map(|(id, title)| (id.to_string(), title))
        .collect();
    let page = QueuePage {
        csrf: staff.session.csrf_token().await?,
        layout: staff.layout(ConsoleSection::Review),
        plans: choices(&q.plan, plan_options),
        levels: choices(
            &q.level,
            Level::ALL
                .iter()
                .map(|l| (l.get().to_string(), l.short_name().to_owned()))
                .collect(),
        ),
        statuses: choices(
            &q.status,
            [
                ApplicationStatus::UnderReview,
                ApplicationStatus::Rejected,
                ApplicationStatus::Approved,
            ]
            .iter()
            .map(|s| (s.code().to_owned(), s.label().to_owned()))
            .collect(),
        ),
        ages: choices(
            &q.age,
            vec![
                ("not_due".into(), "未到期".into()),
                ("due".into(), "今日到期".into()),
                ("overdue".into(), "已逾期".into()),
            ],
        ),
        checks: choices(
            &q.checks,
            vec![
                ("clean".into(), "符合申报条件".into()),
                ("flagged".into(), "不符合（考生已确认）".into()),
            ],
        ),
        lines,
        total: found.total,
        page: found.page,
        pages: found.pages,
        query: q.query_string(),
        notice: notice.approved.map(|n| {
            format!(
                "已批量通过 {n} 份{}",
                notice
                    .skipped
                    .filter(|s| *s > 0)
                    .map(|s| format!("；{s} 份需逐份审核，未通过批量处理"))
                    .unwrap_or_default()
            )
        }),
        can_export: staff.may(Permission::ViewDashboard),
        q,
    };
    Ok(render(&page)?.into_response())
}

/// Batch approval: the ids ticked in the queue (`ids=1&ids=2…`).
pub async fn batch_approve(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ReviewApplications)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::field("ids", "invalid_input", "请求内容无法读取"))?;
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == crate::session::CSRF_FIELD)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    staff.session.check_csrf(csrf)?;
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if ids.is_empty() || ids.len() > 200 {
        let mut e = AppError::field("ids", "batch_size", "请勾选 1 至 200 份要批量通过的报名");
        e.code = "batch_size";
        return Err(e.into());
    }
    let outcome = actions::batch_approve(&state, &staff, &address, &ids).await?;
    Ok(Redirect::to(&format!(
        "/staff/review?approved={}&skipped={}",
        outcome.approved.len(),
        outcome.skipped.len()
    ))
    .into_response())
}

// --- one application ---------------------------------------------------------------------------

pub struct TemplateChoice {
    pub code: &'static str,
    pub text: &'static str,
    pub checked: bool,
}

pub struct RoundView {
    pub round: i32,
    pub at: String,
    pub reviewer: String,
    pub approved: bool,
    pub reasons: Vec<String>,
    pub marks: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "staff/review.html")]
struct ReviewPage {
    layout: ConsoleLayout,
    csrf: String,
    id: i64,
    plan: String,
    name: String,
    status: &'static str,
    status_label: &'static str,
    round: i32,
    submitted_at: String,
    due: String,
    overdue: bool,
    seen: String,
    /// The reviewer holds the claim and the application is under review: the decision forms.
    can_decide: bool,
    claim_notice: Option<String>,
    photo_href: Option<String>,
    parts: Vec<PartRow>,
    documents: Vec<DocumentRow>,
    other_checks: Vec<CheckNote>,
    verdicts: Vec<VerdictView>,
    work: Vec<domain::applications::work_history::WorkPeriodInput>,
    work_total: String,
    eligibility_acknowledged: bool,
    templates: Vec<TemplateChoice>,
    reason_text: String,
    errors: FormErrors,
    rounds: Vec<RoundView>,
    timeline: Vec<TimelineEntry>,
    clean: bool,
}

/// What a reject form posted, to show again when it is refused.
#[derive(Default)]
struct Posted {
    templates: Vec<String>,
    text: String,
    marks: Vec<(String, String)>,
}

async fn review_page(
    state: &AppState,
    staff: &Staff,
    address: &str,
    id: i64,
    posted: Posted,
    errors: FormErrors,
) -> Result<ReviewPage, AppError> {
    let loaded = actions::load(state, id).await?;
    let now = Utc::now();
    let a = &loaded.application;
    // Opening an application under review claims it, so that nobody else works on it meanwhile.
    let (can_decide, claim_notice) = if a.status == ApplicationStatus::UnderReview {
        match actions::claim(state, staff, address, id).await {
            Ok(until) => (
                true,
                Some(format!(
                    "您正在审核此报名，其他审核员在 {} 前不能同时处理",
                    domain::time::format_instant(until)
                )),
            ),
            Err(e) if e.code == "review_claimed" => (false, Some(e.message)),
            Err(e) => return Err(e),
        }
    } else {
        (false, None)
    };
    let last_rejection = loaded
        .decisions
        .iter()
        .rev()
        .find_map(|d| d.rejection.as_ref());
    let calendar = store::calendar::load(&state.db).await?;
    let deadline = a.submitted_at.map(|at| {
        domain::review::review_deadline(
            &calendar,
            domain::time::shanghai_date(at),
            domain::time::shanghai_date(now),
        )
    });
    let under_review = a.status == ApplicationStatus::UnderReview;
    let photo_href = loaded
        .files
        .iter()
        .find(|f| f.kind == domain::applications::documents::DocumentKind::Photo)
        .map(|f| format!("/staff/review/{id}/files/{}", f.id));
    Ok(ReviewPage {
        csrf: staff.session.csrf_token().await?,
        layout: staff.layout(ConsoleSection::Review),
        id,
        plan: format!(
            "{} {}（{}）",
            loaded.ctx.plan.code,
            loaded.ctx.plan.name,
            loaded.ctx.plan.level.short_name()
        ),
        name: a.draft.basic.name.clone(),
        status: a.status.code(),
        status_label: a.status.label(),
        round: a.round,
        submitted_at: a
            .submitted_at
            .map(domain::time::format_instant)
            .unwrap_or_default(),
        due: if under_review {
            deadline.map(|d| d.label()).unwrap_or_default()
        } else {
            String::new()
        },
        overdue: under_review && deadline.is_some_and(|d| d.is_overdue()),
        seen: format_seen(a.updated_at),
        can_decide,
        claim_notice,
        photo_href,
        parts: view::part_rows(&a.draft, &state.codes, &loaded.review, last_rejection)
            .into_iter()
            .map(|mut p| {
                (p.marked, p.note) = posted_mark(&posted.marks, &p.key);
                p
            })
            .collect(),
        documents: view::document_rows(id, &loaded.files, &loaded.review, last_rejection)
            .into_iter()
            .map(|mut d| {
                (d.marked, d.note) = posted_mark(&posted.marks, &d.key);
                d
            })
            .collect(),
        other_checks: view::other_checks(&loaded.review),
        verdicts: loaded.review.verdicts.clone(),
        work: a.draft.work_history.clone(),
        work_total: loaded.review.work_total.clone(),
        eligibility_acknowledged: a.eligibility_acknowledged,
        templates: ReasonTemplate::ALL
            .iter()
            .map(|t| TemplateChoice {
                code: t.code(),
                text: t.text(),
                checked: posted.templates.iter().any(|c| c == t.code()),
            })
            .collect(),
        reason_text: posted.text,
        errors,
        rounds: loaded
            .decisions
            .iter()
            .map(|d| RoundView {
                round: d.round,
                at: domain::time::format_instant(d.decided_at),
                reviewer: d.reviewer_name.clone(),
                approved: d.rejection.is_none(),
                reasons: d
                    .rejection
                    .as_ref()
                    .map(|r| r.reasons())
                    .unwrap_or_default(),
                marks: d
                    .rejection
                    .as_ref()
                    .map(|r| {
                        r.marks
                            .iter()
                            .map(|m| {
                                (
                                    domain::review::part_label(&m.part).unwrap_or_default(),
                                    m.note.clone(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        timeline: timeline(&loaded.events),
        clean: loaded.is_clean(),
    })
}

fn posted_mark(marks: &[(String, String)], key: &str) -> (bool, String) {
    marks
        .iter()
        .find(|(k, _)| k == key)
        .map_or((false, String::new()), |(_, note)| (true, note.clone()))
}

pub async fn application(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(Permission::ReviewApplications)?;
    let page = review_page(
        &state,
        &staff,
        &address,
        parse_id(&id)?,
        Posted::default(),
        FormErrors::none(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    seen: String,
}

pub async fn approve(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ApproveForm>,
) -> PageResult {
    staff.require(Permission::ReviewApplications)?;
    let id = parse_id(&id)?;
    let seen = parse_seen(&form.seen)?;
    actions::approve(&state, &staff, &address, id, seen).await?;
    Ok(Redirect::to(&format!("/staff/review/{id}")).into_response())
}

/// The reject form: `templates` (repeated), `reason_text`, and for each marked part
/// `mark=<part>` with its note in `note:<part>`.
pub async fn reject(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ReviewApplications)?;
    let id = parse_id(&id)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::field("reason_text", "invalid_input", "请求内容无法读取"))?;
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    staff.session.check_csrf(&get(crate::session::CSRF_FIELD))?;
    let posted = Posted {
        templates: pairs
            .iter()
            .filter(|(k, _)| k == "templates")
            .map(|(_, v)| v.clone())
            .collect(),
        text: get("reason_text"),
        marks: pairs
            .iter()
            .filter(|(k, _)| k == "mark")
            .map(|(_, part)| (part.clone(), get(&format!("note:{part}"))))
            .collect(),
    };
    let outcome = async {
        let seen = parse_seen(&get("seen"))?;
        let rejection = actions::rejection(&posted.templates, &posted.text, &posted.marks)?;
        actions::reject(&state, &staff, &address, id, seen, rejection).await
    };
    match outcome.await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/review/{id}")).into_response()),
        Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            let status = e.status;
            let page = review_page(&state, &staff, &address, id, posted, e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Gives the claim back (the reviewer leaves the application for someone else).
pub async fn release(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<crate::accounts::pages::EmptyForm>,
) -> PageResult {
    staff.require(Permission::ReviewApplications)?;
    store::review::release(&state.db, parse_id(&id)?, staff.account.id).await?;
    Ok(Redirect::to("/staff/review").into_response())
}

/// An uploaded document, for reviewers only.
pub async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, file_id)): Path<(String, String)>,
) -> PageResult {
    staff.require(Permission::ReviewApplications)?;
    let (file, bytes) = crate::applications::uploads::staff_readable_file(
        &state,
        parse_id(&id)?,
        parse_id(&file_id)?,
    )
    .await?;
    Ok(crate::applications::uploads::file_response(&file, bytes))
}

/// The registration form (登记表) exactly as the candidate downloads it.
pub async fn registration_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(Permission::ReviewApplications)?;
    let application = store::review::get(&state.db, parse_id(&id)?)
        .await?
        .filter(|a| a.status != ApplicationStatus::Draft)
        .ok_or_else(AppError::not_found)?;
    let candidate = store::accounts::get(&state.db, &state.pii, application.account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (plan, _) = store::plans::get(&state.db, application.plan_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let pdf = crate::applications::registration_form::render_for(&state, &application, &candidate)
        .await?;
    Ok(crate::applications::registration_form::pdf_response(
        pdf, &plan.code,
    ))
}
