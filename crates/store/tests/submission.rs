//! `store::applications::submit` on both backends: it submits exactly the application the caller
//! loaded and checked, answers each refusal plainly, and leaves nothing half made.

use chrono::Utc;
use domain::accounts::Identity;
use domain::applications::form::ApplicationDraft;
use domain::applications::state::ApplicationStatus;
use domain::identity::{IdNumber, Phone, RealName};
use store::applications::{ChangeError, DraftSave};
use store::{Db, Pii};

mod common;
use common::with_plan;

/// A candidate's draft application on `plan` (`n` keeps phones and ID numbers apart).
async fn draft(db: &Db, plan: i64, n: u16) -> store::applications::Application {
    let pii = Pii::new(&[7; 32]);
    let first17 = format!("45010319900101{n:03}");
    let check = domain::identity::id_number::check_digit(&first17).unwrap();
    let account = store::accounts::register(
        db,
        &pii,
        store::accounts::NewAccount {
            phone: Phone::parse(&format!("1380000{n:04}")).unwrap(),
            password_hash: "not used".into(),
            email: None,
            real_name: RealName::parse("张三").unwrap(),
            id_number: IdNumber::parse(&format!("{first17}{check}")).unwrap(),
            identity: Identity::Worker,
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    store::applications::draft_for(db, account, plan, &ApplicationDraft::default(), Utc::now())
        .await
        .unwrap()
}

async fn submitted_events(db: &Db, id: i64) -> usize {
    store::applications::events(db, id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == "submitted")
        .count()
}

async fn an_edit_after_loading_makes_the_submission_a_conflict(db: Db) {
    let plan = with_plan(&db).await;
    let loaded = draft(&db, plan, 1).await;
    // Another device saves the form after this one loaded (and checked) it.
    let mut edited = loaded.draft.clone();
    edited.basic.phone = "0771-7654321".into();
    store::applications::save_draft(
        &db,
        loaded.id,
        loaded.account_id,
        DraftSave {
            draft: &edited,
            step_reached: 1,
            changed_fields: &[],
            eligibility_met: None,
        },
        Utc::now() + chrono::Duration::milliseconds(1),
    )
    .await
    .unwrap()
    .unwrap();
    let refused = store::applications::submit(&db, &loaded, true, false, Utc::now())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused, ChangeError::Conflict);
    let now = store::applications::get_owned(&db, loaded.id, loaded.account_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.status, ApplicationStatus::Draft);
    assert_eq!(now.submitted_at, None);
    assert_eq!(submitted_events(&db, loaded.id).await, 0);
    let (p, _) = store::plans::get(&db, plan).await.unwrap().unwrap();
    assert_eq!(p.seats_taken, 0, "no seat taken by the refused submission");

    // Loaded again, it submits; what is returned is what is stored.
    let submitted = store::applications::submit(&db, &now, true, false, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let stored = store::applications::get_owned(&db, loaded.id, loaded.account_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(submitted.status, ApplicationStatus::UnderReview);
    assert_eq!(
        (stored.status, stored.round, stored.submitted_at.is_some()),
        (submitted.status, 1, true)
    );
    assert_eq!(stored.draft, edited);
    assert_eq!(submitted_events(&db, loaded.id).await, 1);

    // Pressing 提交 again (a retry after a lost answer) changes nothing.
    let again = store::applications::submit(&db, &stored, true, false, Utc::now())
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(again, ChangeError::Transition(_)), "{again:?}");
    assert_eq!(submitted_events(&db, loaded.id).await, 1);
    let (p, _) = store::plans::get(&db, plan).await.unwrap().unwrap();
    assert_eq!(p.seats_taken, 1);
}

async fn a_full_or_closed_plan_leaves_the_draft_untouched(db: Db) {
    let plan = with_plan(&db).await;
    store::seats::set_capacity(&db, plan, 1, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let first = draft(&db, plan, 2).await;
    let second = draft(&db, plan, 3).await;
    store::applications::submit(&db, &first, true, false, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let full = store::applications::submit(&db, &second, true, false, Utc::now())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(full, ChangeError::Full);

    let (p, _) = store::plans::get(&db, plan).await.unwrap().unwrap();
    store::seats::set_capacity(&db, plan, 2, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let after_close = p.registration.closes_at + chrono::Duration::seconds(1);
    let closed = store::applications::submit(&db, &second, true, false, after_close)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(closed, ChangeError::RegistrationClosed);

    let stored = store::applications::get_owned(&db, second.id, second.account_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            stored.status,
            stored.round,
            stored.submitted_at,
            stored.eligibility_met
        ),
        (ApplicationStatus::Draft, 0, None, false)
    );
    assert_eq!(submitted_events(&db, second.id).await, 0);
    let (p, _) = store::plans::get(&db, plan).await.unwrap().unwrap();
    assert_eq!(p.seats_taken, 1);
}

on_both!(
    an_edit_after_loading_makes_the_submission_a_conflict,
    a_full_or_closed_plan_leaves_the_draft_untouched
);
