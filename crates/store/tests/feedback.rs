//! `store::feedback` on both backends: racing sends never pass the account's limit, racing
//! answers record one answer (with one audit line), and feedback cannot name another
//! account's application.

use chrono::Utc;
use domain::accounts::Identity;
use domain::feedback::{FeedbackCategory, FeedbackText, SEND_LIMIT};
use domain::identity::{IdNumber, Phone, RealName};
use store::feedback::{AnswerError, Answerer, NewFeedback, SendError};
use store::{Db, Pii};

mod common;
use common::with_plan;

async fn candidate(db: &Db, n: u16) -> i64 {
    let pii = Pii::new(&[7; 32]);
    let first17 = format!("45010319900101{n:03}");
    let check = domain::identity::id_number::check_digit(&first17).unwrap();
    store::accounts::register(
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
    .unwrap()
}

fn feedback(account_id: i64, text: &str) -> NewFeedback {
    NewFeedback {
        account_id,
        category: FeedbackCategory::System,
        text: FeedbackText::parse(text).unwrap(),
        application_id: None,
        screenshot: None,
    }
}

async fn racing_sends_never_pass_the_limit(db: Db) {
    with_plan(&db).await;
    let account = candidate(&db, 1).await;
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                store::feedback::send(
                    &db,
                    feedback(account, &format!("第 {i} 条")),
                    SEND_LIMIT,
                    Utc::now(),
                )
                .await
            })
        })
        .collect();
    let mut sent = 0;
    let mut throttled = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(Ok(_)) => sent += 1,
            Ok(Err(SendError::Throttled(_))) => throttled += 1,
            other => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!((sent, throttled), (SEND_LIMIT.max, 12 - SEND_LIMIT.max));
    let listed = store::feedback::list_for_account(&db, account)
        .await
        .unwrap();
    assert_eq!(listed.len(), SEND_LIMIT.max as usize);
    // Another account has its own limit.
    let other = candidate(&db, 2).await;
    let r = store::feedback::send(&db, feedback(other, "我的"), SEND_LIMIT, Utc::now())
        .await
        .unwrap();
    assert!(r.is_ok());
}

async fn racing_answers_record_one(db: Db) {
    with_plan(&db).await;
    let account = candidate(&db, 3).await;
    let sent = store::feedback::send(&db, feedback(account, "请问"), SEND_LIMIT, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let mut answerers = Vec::new();
    for i in 0..6 {
        let id = store::accounts::create_staff(
            &db,
            &format!("staff{i}"),
            &format!("工作人员{i}"),
            &[domain::accounts::StaffRole::Reviewer],
            "not used".into(),
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
        answerers.push(Answerer {
            account_id: id,
            name: format!("工作人员{i}"),
            login: format!("staff{i}"),
            client_address: None,
        });
    }
    let tasks: Vec<_> = answerers
        .into_iter()
        .map(|a| {
            let db = db.clone();
            tokio::spawn(async move {
                let text = FeedbackText::parse(&format!("{} 的回复", a.name)).unwrap();
                store::feedback::answer(&db, sent.id, &a, &text, Utc::now()).await
            })
        })
        .collect();
    let mut won = Vec::new();
    for t in tasks {
        match t.await.unwrap().unwrap() {
            Ok(f) => won.push(f),
            Err(AnswerError::AlreadyAnswered) => {}
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    assert_eq!(won.len(), 1);
    let stored = store::feedback::get_owned(&db, sent.id, account)
        .await
        .unwrap()
        .unwrap();
    // (PostgreSQL keeps microseconds: the instant is compared apart.)
    let (stored, winner) = (stored.answer.unwrap(), won[0].answer.clone().unwrap());
    assert_eq!(
        (&stored.text, stored.by_account_id),
        (&winner.text, winner.by_account_id)
    );
    assert!((stored.at - winner.at).num_milliseconds().abs() < 1);
    let audit = store::audit::search(
        &db,
        &store::audit::Search {
            action: Some("feedback.answer".into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(audit.total, 1);
    assert_eq!(
        store::feedback::answer(
            &db,
            sent.id + 1,
            &Answerer {
                account_id: 1,
                name: "x".into(),
                login: "x".into(),
                client_address: None,
            },
            &FeedbackText::parse("x").unwrap(),
            Utc::now(),
        )
        .await
        .unwrap(),
        Err(AnswerError::NotFound)
    );
}

async fn another_accounts_application_cannot_be_named(db: Db) {
    let plan = with_plan(&db).await;
    let owner = candidate(&db, 4).await;
    let other = candidate(&db, 5).await;
    let draft = store::applications::draft_for(
        &db,
        owner,
        plan,
        &domain::applications::form::ApplicationDraft::default(),
        Utc::now(),
    )
    .await
    .unwrap();
    let mut about = feedback(other, "这份报名");
    about.application_id = Some(draft.id);
    let r = store::feedback::send(&db, about.clone(), SEND_LIMIT, Utc::now())
        .await
        .unwrap();
    assert_eq!(r.err(), Some(SendError::ApplicationNotFound));
    // The refusal took no slot of the limit and recorded nothing.
    assert!(
        store::feedback::list_for_account(&db, other)
            .await
            .unwrap()
            .is_empty()
    );
    about.account_id = owner;
    let mine = store::feedback::send(&db, about, SEND_LIMIT, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mine.application_id, Some(draft.id));
}

on_both!(
    racing_sends_never_pass_the_limit,
    racing_answers_record_one,
    another_accounts_application_cannot_be_named
);
