//! What a candidate does with an application, for pages and API alike: open it from a plan,
//! save a section (always saved, then checked), see every check at once, submit, withdraw.
//! The checks themselves are `domain::applications`; this module gathers their inputs.

use chrono::{NaiveDate, Utc};
use domain::applications::eligibility_check::{Verdict, evaluate_all};
use domain::applications::employers::EmployerRecord;
use domain::applications::form::{
    ApplicationDraft, DraftContext, IdType, check_basic, check_declaration, check_draft,
    check_education, check_identity, check_registration, facts_of,
};
use domain::applications::issues::FieldIssue;
use domain::applications::state::ApplicationStatus;
use domain::applications::work_history::{check_work_history, total_months, years_text};
use domain::catalogue::eligibility::EligibilityRule;
use store::accounts::Account;
use store::applications::{Application, ChangeError, DraftSave};
use store::plans::Plan;

use super::sections::Section;
use crate::error::{AppError, FieldError};
use crate::state::AppState;
use axum::http::StatusCode;

/// What the checks of one application need to know besides the draft.
pub struct Context {
    /// The application checked (its uploaded files are part of the checks).
    pub application_id: i64,
    pub plan: Plan,
    pub rules: Vec<(i64, EligibilityRule)>,
    pub tracks: Vec<String>,
    pub id_number: Option<domain::identity::IdNumber>,
}

pub fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&domain::time::shanghai())
        .date_naive()
}

/// The checks' context, from the plan cache: the plan's level, alternatives and tracks change
/// only when staff edit the catalogue. What must be exact (the registration window, the seats) is
/// checked again by the store when the application is submitted.
pub async fn context(
    state: &AppState,
    application: &Application,
    account: &Account,
) -> Result<Context, AppError> {
    let (plan, facts) = state
        .plans
        .plan(&state.db, application.plan_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut rules = facts.rules.clone();
    // An alternative retired after the candidate claimed it still judges this application
    // (staff retire rather than delete alternatives for this reason); new claims cannot pick it.
    if let Some(claimed) = application.draft.declaration.claimed_rule
        && !rules.iter().any(|(id, _)| *id == claimed)
        && let Some(rule) =
            store::catalogue::retired_rule(&state.db, claimed, plan.occupation_id, plan.level)
                .await?
    {
        rules.push((claimed, rule));
    }
    Ok(Context {
        application_id: application.id,
        plan,
        rules,
        tracks: facts.tracks.clone(),
        id_number: account.id_number.clone(),
    })
}

/// A fresh draft, prefilled from the account: what the account already knows is not asked twice.
pub fn prefill(account: &Account) -> ApplicationDraft {
    let mut draft = ApplicationDraft::default();
    draft.basic.name = account.real_name.clone();
    draft.basic.email = account.email.clone().unwrap_or_default();
    if let Some(phone) = &account.phone {
        draft.basic.mobile = phone.as_str().to_owned();
    }
    if let Some(id) = &account.id_number {
        draft.basic.gender = id.gender().code().to_owned();
        draft.basic.birth_date = id.birth_date().format("%Y-%m-%d").to_string();
        draft.registration.id_type = IdType::ResidentIdCard.code().to_owned();
        draft.registration.id_number = id.as_str().to_owned();
    }
    if let Some(identity) = account.identity {
        draft.identity.identity = identity.code().to_owned();
    }
    draft
}

/// The candidate's application for a plan, made on first visit while registration is open.
pub async fn open(
    state: &AppState,
    account: &Account,
    plan_id: i64,
) -> Result<Application, AppError> {
    let (plan, _) = store::plans::get(&state.db, plan_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if let Some(existing) = store::applications::for_plan(&state.db, account.id, plan_id).await? {
        return Ok(existing);
    }
    let now = Utc::now();
    if !plan.registration.contains(now) {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "registration_closed",
            "该计划当前不在报名时间内",
        ));
    }
    Ok(
        store::applications::draft_for(&state.db, account.id, plan_id, &prefill(account), now)
            .await?,
    )
}

pub async fn load_owned(
    state: &AppState,
    account: &Account,
    id: i64,
) -> Result<Application, AppError> {
    // Another candidate's application is "not found", never "forbidden": its existence is private.
    store::applications::get_owned(&state.db, id, account.id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// The issues of one section of the draft.
pub async fn section_issues(
    state: &AppState,
    ctx: &Context,
    section: Section,
    draft: &ApplicationDraft,
) -> Result<Vec<FieldIssue>, AppError> {
    let codes = state.codes.as_ref();
    let today = today();
    Ok(match section {
        Section::Basic => check_basic(&draft.basic, ctx.id_number.as_ref(), codes, today),
        Section::Identity => check_identity(&draft.identity),
        Section::Registration => check_registration(&draft.registration, codes, today),
        Section::History => {
            let registry = employer_registry(state, draft).await?;
            let lookup = |name: &str, uscc: Option<&str>| find_employer(&registry, name, uscc);
            let mut issues = check_education(&draft.education, codes, today);
            issues.extend(check_work_history(&draft.work_history, today, &lookup).1);
            issues
        }
        Section::Declaration => {
            let rule_ids: Vec<i64> = ctx.rules.iter().map(|(id, _)| *id).collect();
            check_declaration(
                &draft.declaration,
                ctx.plan.level,
                !ctx.tracks.is_empty(),
                &rule_ids,
                today,
            )
        }
        Section::Documents => super::uploads::missing_documents(state, ctx, draft).await?,
        Section::Review => Vec::new(),
    })
}

/// The employer registry's rows for the employers the work history names.
async fn employer_registry(
    state: &AppState,
    draft: &ApplicationDraft,
) -> Result<Vec<EmployerRecord>, AppError> {
    let names: Vec<String> = draft
        .work_history
        .iter()
        .map(|r| r.employer.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let usccs: Vec<String> = draft
        .work_history
        .iter()
        .map(|r| r.employer_uscc.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    Ok(store::employers::records_for(&state.db, &names, &usccs).await?)
}

/// A registry row by credit code first, then by name.
fn find_employer(
    registry: &[EmployerRecord],
    name: &str,
    uscc: Option<&str>,
) -> Option<EmployerRecord> {
    registry
        .iter()
        .find(|r| uscc.is_some() && r.uscc.as_deref() == uscc)
        .or_else(|| registry.iter().find(|r| r.name == name))
        .cloned()
}

/// Saves a section as typed (nothing the candidate typed is lost) and returns its issues.
pub async fn save(
    state: &AppState,
    account: &Account,
    application: &Application,
    ctx: &Context,
    section: Section,
    draft: &ApplicationDraft,
) -> Result<(Application, Vec<FieldIssue>), AppError> {
    let issues = section_issues(state, ctx, section, draft).await?;
    refuse_mistakes_after_submission(application, issues.iter())?;
    let changed = changed_fields(&application.draft, draft);
    let reached = if issues.iter().any(FieldIssue::is_error) {
        section.position().saturating_sub(1)
    } else {
        section.position()
    };
    let saved = store::applications::save_draft(
        &state.db,
        application.id,
        account.id,
        DraftSave {
            draft,
            step_reached: reached,
            changed_fields: &changed,
            eligibility_met: eligibility_after_submission(state, ctx, application, draft),
        },
        Utc::now(),
    )
    .await?
    .map_err(change_error)?;
    Ok((saved, issues))
}

/// Once submitted, an edit re-judges eligibility, so that what the reviewer is told is the
/// edited form's truth (a draft's is judged at submission).
fn eligibility_after_submission(
    state: &AppState,
    ctx: &Context,
    application: &Application,
    draft: &ApplicationDraft,
) -> Option<bool> {
    (application.status != ApplicationStatus::Draft)
        .then(|| eligibility(state, ctx, draft).0.iter().any(|v| v.met))
}

/// A draft keeps whatever was typed; once submitted, the form is what the reviewer reads, so an
/// edit (under review, or after a rejection) is saved only when it passes the checks: otherwise
/// 422 with every error, and nothing saved.
fn refuse_mistakes_after_submission<'a>(
    application: &Application,
    issues: impl Iterator<Item = &'a FieldIssue>,
) -> Result<(), AppError> {
    if application.status == ApplicationStatus::Draft || !application.status.candidate_may_edit() {
        return Ok(());
    }
    let fields: Vec<FieldError> = issues.filter(|i| i.is_error()).map(field_error).collect();
    if fields.is_empty() {
        return Ok(());
    }
    let mut e = AppError::fields(fields);
    e.code = "edit_incomplete";
    e.message = "报名已提交，修改须通过全部检查才能保存，请按提示修改".into();
    Err(e)
}

/// Top-level keys of the draft's sections whose values differ, as `section.field`.
fn changed_fields(before: &ApplicationDraft, after: &ApplicationDraft) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    let mut changed = Vec::new();
    for (section, value) in &b {
        match (a.get(section), value) {
            (Some(serde_json::Value::Object(old)), serde_json::Value::Object(new)) => {
                for (field, v) in new {
                    if old.get(field) != Some(v) {
                        changed.push(format!("{section}.{field}"));
                    }
                }
            }
            (old, new) if old != Some(new) => changed.push(section.clone()),
            _ => {}
        }
    }
    changed
}

/// One eligibility alternative and how the form meets it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct VerdictView {
    pub rule_id: i64,
    pub sentence: String,
    pub met: bool,
    /// What is missing, in Chinese, when not met.
    pub missing: Vec<String>,
    /// The alternative the candidate claims.
    pub claimed: bool,
}

/// Every check of the whole form, as the review page and the API show them.
pub struct Review {
    pub issues: Vec<(Section, FieldIssue)>,
    pub verdicts: Vec<VerdictView>,
    pub work_total: String,
}

impl Review {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|(_, i)| i.is_error())
    }

    pub fn any_met(&self) -> bool {
        self.verdicts.iter().any(|v| v.met)
    }
}

pub async fn review(
    state: &AppState,
    ctx: &Context,
    draft: &ApplicationDraft,
) -> Result<Review, AppError> {
    // The whole draft, with the checks only the sections together can make (the ID number
    // against the account's, the claimed alternative against the form, declared years against
    // the work history), each issue filed under the page that shows its field.
    let registry = employer_registry(state, draft).await?;
    let lookup = |name: &str, uscc: Option<&str>| find_employer(&registry, name, uscc);
    let draft_context = DraftContext {
        account_id_number: ctx.id_number.as_ref(),
        level: ctx.plan.level,
        has_tracks: !ctx.tracks.is_empty(),
        rules: &ctx.rules,
        today: today(),
    };
    let mut issues: Vec<(Section, FieldIssue)> =
        check_draft(draft, &draft_context, state.codes.as_ref(), &lookup)
            .into_iter()
            .map(|issue| (Section::of_field(&issue.field), issue))
            .collect();
    for issue in section_issues(state, ctx, Section::Documents, draft).await? {
        issues.push((Section::Documents, issue));
    }
    let (verdicts, work_total) = eligibility(state, ctx, draft);
    Ok(Review {
        issues,
        verdicts,
        work_total,
    })
}

/// Every eligibility alternative of the plan's level judged against the draft, and the total
/// work (合计).
pub fn eligibility(
    state: &AppState,
    ctx: &Context,
    draft: &ApplicationDraft,
) -> (Vec<VerdictView>, String) {
    let today = today();
    let codes = state.codes.clone();
    let rank = move |code: &str| codes.rank("education", code);
    let facts = facts_of(draft, &rank, today);
    let rules: Vec<EligibilityRule> = ctx.rules.iter().map(|(_, r)| r.clone()).collect();
    let names = |code: &str| state.codes.name("education", code).map(str::to_owned);
    let verdicts = ctx
        .rules
        .iter()
        .zip(evaluate_all(&rules, &facts, &rank, today))
        .map(|((id, rule), verdict)| VerdictView {
            rule_id: *id,
            sentence: rule.sentence(&names),
            met: matches!(verdict, Verdict::Met),
            missing: match verdict {
                Verdict::Met => Vec::new(),
                Verdict::NotMet { missing } => missing,
            },
            claimed: draft.declaration.claimed_rule == Some(*id),
        })
        .collect();
    (verdicts, years_text(total_months(&facts.work, today)))
}

/// Submits after every check: errors block; meeting no alternative needs the candidate's
/// acknowledgement (the reviewer sees it); the commitment must be accepted.
pub async fn submit(
    state: &AppState,
    account: &Account,
    application: &Application,
    ctx: &Context,
    accept_commitment: bool,
    acknowledge_ineligible: bool,
) -> Result<Application, AppError> {
    // The store submits the application as loaded, for its owner; never another's.
    if application.account_id != account.id {
        return Err(AppError::not_found());
    }
    let review = review(state, ctx, &application.draft).await?;
    if review.has_errors() {
        let fields = review
            .issues
            .iter()
            .filter(|(_, i)| i.is_error())
            .map(|(_, i)| field_error(i))
            .collect();
        let mut e = AppError::fields(fields);
        e.message = "报名信息还有需要修改的地方，请按提示修改后再提交".into();
        e.code = "application_incomplete";
        return Err(e);
    }
    if !accept_commitment {
        return Err(AppError::field(
            "accept_commitment",
            "commitment_required",
            "请阅读并勾选申请人承诺",
        ));
    }
    let met = review.any_met();
    if !met && !acknowledge_ineligible {
        return Err(AppError::field(
            "acknowledge_ineligible",
            "eligibility_not_met",
            "根据您填写的信息，暂不符合任何一项申报条件。如确认信息无误仍要提交，请勾选确认，审核员将据实审核",
        ));
    }
    let submitted = store::applications::submit(
        &state.db,
        application,
        met,
        !met && acknowledge_ineligible,
        Utc::now(),
    )
    .await?
    .map_err(change_error)?;
    state.plans.seats_changed(submitted.plan_id);
    Ok(submitted)
}

pub async fn withdraw(
    state: &AppState,
    account: &Account,
    id: i64,
) -> Result<Application, AppError> {
    let current = load_owned(state, account, id).await?;
    let withdrawn = if current.status == ApplicationStatus::Paid {
        // Paid: withdrawn with a refund of the fee, before the cut-off (`payments`).
        state
            .payments
            .withdraw_paid(id, account.id, Utc::now())
            .await
            .map_err(crate::payments::refund_error)?;
        load_owned(state, account, id).await?
    } else {
        let withdrawn = store::applications::withdraw(&state.db, id, account.id, Utc::now())
            .await?
            .map_err(change_error)?;
        if current.status == ApplicationStatus::Approved {
            // The QR code the candidate may still hold must not take money any more.
            state.payments.close_open_order(id, Utc::now()).await;
        }
        withdrawn
    };
    state.plans.seats_changed(withdrawn.plan_id);
    Ok(withdrawn)
}

pub fn field_error(issue: &FieldIssue) -> FieldError {
    FieldError {
        field: issue.field.clone(),
        code: issue.code.to_owned(),
        message: issue.message.clone(),
    }
}

pub fn change_error(e: ChangeError) -> AppError {
    match e {
        ChangeError::NotFound => AppError::not_found(),
        ChangeError::Transition(t) => AppError::new(StatusCode::CONFLICT, t.code(), t.to_string()),
        ChangeError::Conflict => AppError::new(
            StatusCode::CONFLICT,
            "application_changed",
            "报名信息刚刚被修改，请刷新后重试",
        ),
        ChangeError::Full => AppError::new(
            StatusCode::CONFLICT,
            "plan_full",
            "很抱歉，该计划名额已满（已满）",
        ),
        ChangeError::RegistrationClosed => AppError::new(
            StatusCode::CONFLICT,
            "registration_closed",
            "该计划当前不在报名时间内",
        ),
    }
}

/// Saves the whole draft at once (the API's way) and returns every issue of the form.
pub async fn save_whole(
    state: &AppState,
    account: &Account,
    application: &Application,
    ctx: &Context,
    draft: &ApplicationDraft,
) -> Result<(Application, Review), AppError> {
    let review = review(state, ctx, draft).await?;
    refuse_mistakes_after_submission(application, review.issues.iter().map(|(_, i)| i))?;
    let first_with_errors = review
        .issues
        .iter()
        .filter(|(_, i)| i.is_error())
        .map(|(s, _)| s.position())
        .min();
    let reached = first_with_errors.map_or(Section::Declaration.position(), |p| p - 1);
    let changed = changed_fields(&application.draft, draft);
    let saved = store::applications::save_draft(
        &state.db,
        application.id,
        account.id,
        DraftSave {
            draft,
            step_reached: reached,
            changed_fields: &changed,
            eligibility_met: (application.status != ApplicationStatus::Draft)
                .then(|| review.any_met()),
        },
        Utc::now(),
    )
    .await?
    .map_err(change_error)?;
    Ok((saved, review))
}
