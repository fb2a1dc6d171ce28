//! What the review pages and the review API both do: load an application with everything a
//! reviewer needs beside it, claim it, decide it, approve a batch.

use chrono::{DateTime, Utc};
use domain::applications::state::ApplicationStatus;
use domain::review::{Rejection, check_rejection};
use store::accounts::Account;
use store::applications::{Application, Event};
use store::files::StoredFile;
use store::review::{Decision, DecisionRecord, Holder, ReviewError, Reviewer};

use crate::applications::actions::{self, Context, Review};
use crate::error::{AppError, FieldError};
use crate::staff::Staff;
use crate::state::AppState;
use axum::http::StatusCode;

/// One application as the reviewer sees it.
pub struct Loaded {
    pub application: Application,
    pub candidate: Account,
    pub ctx: Context,
    pub review: Review,
    pub files: Vec<StoredFile>,
    pub decisions: Vec<DecisionRecord>,
    pub events: Vec<Event>,
}

impl Loaded {
    /// Every automatic check passed without even a warning, an alternative is met and the
    /// candidate did not have to acknowledge anything: the batch approval's condition.
    pub fn is_clean(&self) -> bool {
        self.application.status == ApplicationStatus::UnderReview
            && self.review.issues.is_empty()
            && self.review.any_met()
            && !self.application.eligibility_acknowledged
    }
}

pub async fn load(state: &AppState, id: i64) -> Result<Loaded, AppError> {
    let application = store::review::get(&state.db, id)
        .await?
        .filter(|a| a.status != ApplicationStatus::Draft)
        .ok_or_else(AppError::not_found)?;
    let candidate = store::accounts::get(&state.db, &state.pii, application.account_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("application {id} has no account")))?;
    let ctx = actions::context(state, &application, &candidate).await?;
    let review = actions::review(state, &ctx, &application.draft).await?;
    Ok(Loaded {
        files: store::files::current(&state.db, id).await?,
        decisions: store::review::decisions(&state.db, id).await?,
        events: store::applications::events(&state.db, id).await?,
        application,
        candidate,
        ctx,
        review,
    })
}

pub fn reviewer(staff: &Staff, client_address: &str) -> Reviewer {
    let account = &staff.account;
    Reviewer {
        account_id: account.id,
        name: account.real_name.clone(),
        login: account
            .login_name
            .clone()
            .unwrap_or_else(|| account.real_name.clone()),
        client_address: Some(client_address.to_owned()),
    }
}

pub fn review_error(e: ReviewError) -> AppError {
    match e {
        ReviewError::NotFound => AppError::not_found(),
        ReviewError::Held(h) => held(&h),
        ReviewError::Changed => AppError::new(
            StatusCode::CONFLICT,
            "application_changed",
            "考生刚刚修改了报名信息，或已有其他审核结果：请刷新后重新审核",
        ),
        ReviewError::Transition(t) => AppError::new(StatusCode::CONFLICT, t.code(), t.to_string()),
    }
}

fn held(h: &Holder) -> AppError {
    AppError::new(
        StatusCode::CONFLICT,
        "review_claimed",
        format!(
            "{} 正在审核此报名（至 {}），请审核其他报名",
            h.reviewer_name,
            domain::time::format_instant(h.expires_at)
        ),
    )
}

/// Claims the application for the reviewer (or renews their claim).
pub async fn claim(
    state: &AppState,
    staff: &Staff,
    address: &str,
    id: i64,
) -> Result<DateTime<Utc>, AppError> {
    store::review::claim(&state.db, id, &reviewer(staff, address), Utc::now())
        .await?
        .map_err(review_error)
}

pub async fn approve(
    state: &AppState,
    staff: &Staff,
    address: &str,
    id: i64,
    seen: DateTime<Utc>,
) -> Result<Application, AppError> {
    store::review::decide(
        &state.db,
        id,
        &reviewer(staff, address),
        seen,
        &Decision::Approve,
        Utc::now(),
    )
    .await?
    .map_err(review_error)
}

/// The rejection as posted, checked: every problem beside its input.
pub fn rejection(
    templates: &[String],
    text: &str,
    marks: &[(String, String)],
) -> Result<Rejection, AppError> {
    check_rejection(templates, text, marks).map_err(|errors| {
        let fields = errors
            .iter()
            .map(|e| FieldError {
                field: e.field(),
                code: e.code().to_owned(),
                message: e.to_string(),
            })
            .collect();
        let mut e = AppError::fields(fields);
        e.code = errors[0].code();
        e
    })
}

pub async fn reject(
    state: &AppState,
    staff: &Staff,
    address: &str,
    id: i64,
    seen: DateTime<Utc>,
    rejection: Rejection,
) -> Result<Application, AppError> {
    store::review::decide(
        &state.db,
        id,
        &reviewer(staff, address),
        seen,
        &Decision::Reject(rejection),
        Utc::now(),
    )
    .await?
    .map_err(review_error)
}

/// What a batch approval did with each application asked for.
pub struct BatchOutcome {
    pub approved: Vec<i64>,
    /// Left for a reviewer to look at, with why.
    pub skipped: Vec<(i64, String)>,
}

/// Approves each application whose checks are all clean, as it is now (each one loaded,
/// checked again, claimed and decided on its own: one that is not clean, held by someone else
/// or changed meanwhile is skipped with the reason, never approved).
pub async fn batch_approve(
    state: &AppState,
    staff: &Staff,
    address: &str,
    ids: &[i64],
) -> Result<BatchOutcome, AppError> {
    let mut outcome = BatchOutcome {
        approved: Vec::new(),
        skipped: Vec::new(),
    };
    for &id in ids {
        let loaded = match load(state, id).await {
            Ok(l) => l,
            Err(e) if e.status == StatusCode::NOT_FOUND => {
                outcome.skipped.push((id, "报名不存在".to_owned()));
                continue;
            }
            Err(e) => return Err(e),
        };
        if !loaded.is_clean() {
            outcome
                .skipped
                .push((id, "自动核验有提示或不符合申报条件，需逐份审核".to_owned()));
            continue;
        }
        let step = async {
            claim(state, staff, address, id).await?;
            approve(state, staff, address, id, loaded.application.updated_at).await
        };
        match step.await {
            Ok(_) => outcome.approved.push(id),
            Err(e) if e.is_input() => outcome.skipped.push((id, e.message)),
            Err(e) => return Err(e),
        }
    }
    Ok(outcome)
}

/// The `seen` version as forms and API calls carry it.
pub fn parse_seen(raw: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::field(
                "seen",
                "seen_invalid",
                "缺少审核时看到的版本，请刷新页面后重新审核",
            )
        })
}

pub fn format_seen(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
