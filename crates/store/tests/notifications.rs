//! Notifications on both backends: every status change enqueues exactly one job; however often
//! the job runs (again after a crash, again after a provider failure), the candidate gets one
//! notification and one SMS; a worker stopped mid-job leaves its job to the next worker, which
//! finishes it once; a provider's permanent refusal is recorded for staff and not retried; staff
//! templates override the defaults and every edit is audited.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use domain::accounts::Identity;
use domain::applications::form::ApplicationDraft;
use domain::identity::{IdNumber, Phone, RealName};
use domain::notifications::{Template, TemplateKey};
use store::jobs::{self, ClaimedJob, JobState};
use store::notifications::{self as notes, Delivery, OutgoingSms, SendOutcome, SmsStatus};
use store::{Db, Pii};

mod common;
use common::with_plan;

const LEASE: Duration = Duration::seconds(60);

fn pii() -> Pii {
    Pii::new(&[7; 32])
}

/// Every SMS handed to the provider, and what the provider answers next.
#[derive(Clone, Default)]
struct CountingSender {
    sent: Arc<Mutex<Vec<OutgoingSms>>>,
}

impl CountingSender {
    fn send(
        &self,
        answer: SendOutcome,
    ) -> impl FnOnce(OutgoingSms) -> std::future::Ready<SendOutcome> {
        let sent = self.sent.clone();
        move |sms| {
            sent.lock().unwrap().push(sms);
            std::future::ready(answer)
        }
    }

    fn count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }
}

/// A candidate with a draft application on the seeded plan.
async fn candidate(db: &Db, n: u16) -> store::applications::Application {
    let plan = with_plan(db).await;
    let first17 = format!("45010319900101{n:03}");
    let check = domain::identity::id_number::check_digit(&first17).unwrap();
    let account = store::accounts::register(
        db,
        &pii(),
        store::accounts::NewAccount {
            phone: Phone::parse(&format!("1390000{n:04}")).unwrap(),
            password_hash: "not used".into(),
            email: None,
            real_name: RealName::parse("王小明").unwrap(),
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

async fn submit(
    db: &Db,
    draft: &store::applications::Application,
) -> store::applications::Application {
    store::applications::submit(db, draft, true, false, Utc::now())
        .await
        .unwrap()
        .unwrap()
}

/// Claims the next notification job as a worker would at `at`.
async fn claim(db: &Db, lease: Duration, at: DateTime<Utc>) -> Option<ClaimedJob> {
    jobs::claim(db, notes::QUEUE, lease, at).await.unwrap()
}

fn event_of(job: &ClaimedJob) -> i64 {
    notes::event_of_payload(&job.payload).expect("the payload names the event")
}

async fn a_status_change_enqueues_exactly_one_job(db: Db) {
    let draft = candidate(&db, 1).await;
    // Opening a draft is not a status change: nothing to tell.
    assert_eq!(claim(&db, LEASE, Utc::now()).await, None);
    let submitted = submit(&db, &draft).await;
    let job = claim(&db, LEASE, Utc::now()).await.expect("one job");
    assert_eq!(job.dedupe_key, notes::dedupe_key(event_of(&job)));
    assert_eq!(claim(&db, LEASE, Utc::now()).await, None, "exactly one");
    // An edit under review changes no status.
    store::applications::save_draft(
        &db,
        submitted.id,
        submitted.account_id,
        store::applications::DraftSave {
            draft: &submitted.draft,
            step_reached: 1,
            changed_fields: &["basic.phone".to_owned()],
            eligibility_met: None,
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(claim(&db, LEASE, Utc::now()).await, None);
    store::applications::withdraw(&db, submitted.id, submitted.account_id, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let withdrawn = claim(&db, LEASE, Utc::now())
        .await
        .expect("the withdrawal's job");
    assert_ne!(event_of(&withdrawn), event_of(&job));
    assert_eq!(claim(&db, LEASE, Utc::now()).await, None);
}

async fn running_the_handler_twice_notifies_once_and_sends_once(db: Db) {
    let draft = candidate(&db, 2).await;
    submit(&db, &draft).await;
    let job = claim(&db, LEASE, Utc::now()).await.unwrap();
    let sender = CountingSender::default();
    let mut runs = Vec::new();
    for _ in 0..2 {
        runs.push(
            notes::deliver(
                &db,
                &pii(),
                event_of(&job),
                Utc::now(),
                sender.send(SendOutcome::Sent),
            )
            .await
            .unwrap(),
        );
    }
    assert!(
        matches!(
            runs[0],
            Delivery::Done {
                sms: SmsStatus::Sent,
                ..
            }
        ),
        "{runs:?}"
    );
    assert_eq!(runs[0], runs[1]);
    assert_eq!(sender.count(), 1);
    let sms = sender.sent.lock().unwrap()[0].clone();
    assert_eq!(sms.phone.as_str(), "13900000002");
    assert_eq!(sms.dedupe_key, job.dedupe_key);
    assert_eq!(sms.template, "application_submitted");
    assert!(sms.text.starts_with("王小明您好"), "{}", sms.text);
    assert_eq!(sms.params["name"], "王小明");

    let listed = notes::list_for_account(&db, draft.account_id, 10)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].title, "报名已提交，正在审核");
    assert_eq!(listed[0].link, format!("/applications/{}", draft.id));
    assert_eq!(notes::unread_count(&db, draft.account_id).await.unwrap(), 1);

    // The bell's count comes with the session, in its query.
    let ttl = Duration::days(1);
    let (token, _) = store::sessions::create(&db, Some(draft.account_id), "{}", ttl, Utc::now())
        .await
        .unwrap();
    let unread = |db: Db, token: String| async move {
        let (session, _) = store::sessions::load_with_account(&db, &pii(), &token, ttl, Utc::now())
            .await
            .unwrap()
            .unwrap();
        session.unread_notifications
    };
    assert_eq!(unread(db.clone(), token.clone()).await, 1);

    // Another account cannot open it; its owner can, which clears the count.
    let other = candidate(&db, 3).await;
    assert_eq!(
        notes::open(&db, listed[0].id, other.account_id, Utc::now())
            .await
            .unwrap(),
        None
    );
    assert_eq!(notes::unread_count(&db, draft.account_id).await.unwrap(), 1);
    let opened = notes::open(&db, listed[0].id, draft.account_id, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(opened.read_at.is_some());
    assert_eq!(unread(db.clone(), token).await, 0);
    assert_eq!(
        notes::mark_all_read(&db, draft.account_id, Utc::now())
            .await
            .unwrap(),
        0
    );
}

async fn a_provider_failure_is_retried_with_backoff_then_sent_once(db: Db) {
    let draft = candidate(&db, 4).await;
    submit(&db, &draft).await;
    let t0 = Utc::now();
    let sender = CountingSender::default();
    let job = claim(&db, LEASE, t0).await.unwrap();
    let first = notes::deliver(
        &db,
        &pii(),
        event_of(&job),
        t0,
        sender.send(SendOutcome::Failed("provider timed out".into())),
    )
    .await
    .unwrap();
    let Delivery::Retry { error, .. } = first else {
        panic!("a failure that may pass asks for a retry: {first:?}")
    };
    assert!(jobs::fail(&db, &job, &error, t0).await.unwrap());
    let status = jobs::status(&db, job.id).await.unwrap().unwrap();
    assert_eq!(status.state, JobState::Pending);
    let due = t0 + domain::jobs::retry_delay(1);
    // PostgreSQL keeps microseconds.
    assert!(
        (status.run_at - due).num_milliseconds().abs() < 1,
        "{status:?}"
    );
    // Not before its backoff has passed.
    assert_eq!(claim(&db, LEASE, t0 + Duration::seconds(29)).await, None);
    let t1 = t0 + Duration::seconds(31);
    let again = claim(&db, LEASE, t1)
        .await
        .expect("retried after the backoff");
    assert_eq!(again.attempt, 2);
    let second = notes::deliver(
        &db,
        &pii(),
        event_of(&again),
        t1,
        sender.send(SendOutcome::Sent),
    )
    .await
    .unwrap();
    assert!(matches!(
        second,
        Delivery::Done {
            sms: SmsStatus::Sent,
            ..
        }
    ));
    assert!(jobs::complete(&db, &again, t1).await.unwrap());
    assert_eq!(sender.count(), 2, "one failed try, one send");
    let notes_of_event = notes::for_event(&db, event_of(&job)).await.unwrap();
    assert_eq!(notes_of_event.len(), 1);
    assert_eq!(notes_of_event[0].sms_status, SmsStatus::Sent);
}

/// A worker that is stopped while its job runs (the task aborted, as when the process dies)
/// holds the job only until its lease ends; the next worker then finishes it, once.
async fn a_worker_stopped_mid_job_loses_nothing_and_doubles_nothing(db: Db) {
    let draft = candidate(&db, 5).await;
    submit(&db, &draft).await;
    let lease = Duration::seconds(2);
    let t0 = Utc::now();
    let job = claim(&db, lease, t0).await.unwrap();
    let (entered_tx, entered) = tokio::sync::oneshot::channel();
    let stuck = {
        let (db, event) = (db.clone(), event_of(&job));
        tokio::spawn(async move {
            notes::deliver(&db, &pii(), event, t0, move |_sms| async move {
                // The worker stops here, before the provider has the message.
                let _ = entered_tx.send(());
                std::future::pending::<SendOutcome>().await
            })
            .await
        })
    };
    entered.await.unwrap();
    stuck.abort();
    assert!(stuck.await.unwrap_err().is_cancelled());

    // Within the lease nobody else takes it; after it, the next worker does.
    assert_eq!(claim(&db, lease, t0 + Duration::seconds(1)).await, None);
    let t1 = t0 + Duration::seconds(3);
    let next = claim(&db, lease, t1)
        .await
        .expect("taken over after the lease");
    assert_eq!((next.id, next.attempt), (job.id, 2));
    let sender = CountingSender::default();
    notes::deliver(
        &db,
        &pii(),
        event_of(&next),
        t1,
        sender.send(SendOutcome::Sent),
    )
    .await
    .unwrap();
    assert!(jobs::complete(&db, &next, t1).await.unwrap());
    // The stopped worker, had it come back, could not mark the job.
    assert!(!jobs::complete(&db, &job, t1).await.unwrap());
    assert_eq!(sender.count(), 1);
    assert_eq!(
        notes::for_event(&db, event_of(&job)).await.unwrap().len(),
        1
    );
    assert_eq!(
        notes::list_for_account(&db, draft.account_id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let status = jobs::status(&db, job.id).await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts), (JobState::Done, 2));
}

/// The one window left: the provider accepted the message and the worker stopped before
/// recording it. The next run sends again, the same text with the same dedupe key, so that the
/// repeat is traceable to the one event in the provider's records.
async fn a_worker_stopped_after_the_provider_accepted_resends_with_the_same_key(db: Db) {
    let draft = candidate(&db, 6).await;
    submit(&db, &draft).await;
    let t0 = Utc::now();
    let job = claim(&db, Duration::seconds(2), t0).await.unwrap();
    let accepted = CountingSender::default();
    let (entered_tx, entered) = tokio::sync::oneshot::channel();
    let stuck = {
        let (db, event, accepted) = (db.clone(), event_of(&job), accepted.clone());
        tokio::spawn(async move {
            notes::deliver(&db, &pii(), event, t0, move |sms| async move {
                accepted.sent.lock().unwrap().push(sms);
                let _ = entered_tx.send(());
                std::future::pending::<SendOutcome>().await
            })
            .await
        })
    };
    entered.await.unwrap();
    stuck.abort();
    let _ = stuck.await;
    let t1 = t0 + Duration::seconds(3);
    let next = claim(&db, Duration::seconds(2), t1).await.unwrap();
    notes::deliver(
        &db,
        &pii(),
        event_of(&next),
        t1,
        accepted.send(SendOutcome::Sent),
    )
    .await
    .unwrap();
    let sent = accepted.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].dedupe_key, sent[1].dedupe_key);
    assert_eq!(
        sent[0].text, sent[1].text,
        "the same message, rendered once"
    );
    assert_eq!(
        notes::for_event(&db, event_of(&job)).await.unwrap().len(),
        1
    );
}

async fn a_permanent_refusal_is_recorded_and_not_retried(db: Db) {
    let draft = candidate(&db, 7).await;
    submit(&db, &draft).await;
    let job = claim(&db, LEASE, Utc::now()).await.unwrap();
    let sender = CountingSender::default();
    let refused = notes::deliver(
        &db,
        &pii(),
        event_of(&job),
        Utc::now(),
        sender.send(SendOutcome::Refused("isv.MOBILE_NUMBER_ILLEGAL".into())),
    )
    .await
    .unwrap();
    assert!(
        matches!(
            refused,
            Delivery::Done {
                sms: SmsStatus::Refused,
                ..
            }
        ),
        "{refused:?}"
    );
    // Run again (a worker that stopped before completing the job): nothing is sent.
    notes::deliver(
        &db,
        &pii(),
        event_of(&job),
        Utc::now(),
        sender.send(SendOutcome::Sent),
    )
    .await
    .unwrap();
    assert_eq!(sender.count(), 1);
    let stored = notes::for_event(&db, event_of(&job)).await.unwrap();
    assert_eq!(stored[0].sms_status, SmsStatus::Refused);
    assert_eq!(
        stored[0].sms_error.as_deref(),
        Some("isv.MOBILE_NUMBER_ILLEGAL")
    );
    // The in-app notification is there all the same.
    assert_eq!(notes::unread_count(&db, draft.account_id).await.unwrap(), 1);
}

async fn staff_templates_override_the_default_and_every_edit_is_audited(db: Db) {
    let draft = candidate(&db, 8).await;
    let key = TemplateKey::Submitted;
    let edited = Template::parse(key, "{姓名}：{计划}已收到。", "已收到报名", "{状态}").unwrap();
    let editor = notes::Editor {
        account_id: draft.account_id,
        name: "reviewer1",
        client_address: None,
    };
    notes::save_template(&db, key, Some(&edited), &editor, Utc::now())
        .await
        .unwrap();
    assert_eq!(notes::template(&db, key).await.unwrap().template, edited);
    let all = notes::templates(&db).await.unwrap();
    assert_eq!(all.len(), TemplateKey::ALL.len());
    assert!(
        all.iter()
            .filter(|t| t.updated_at.is_some())
            .all(|t| t.key == key)
    );

    submit(&db, &draft).await;
    let job = claim(&db, LEASE, Utc::now()).await.unwrap();
    let sender = CountingSender::default();
    notes::deliver(
        &db,
        &pii(),
        event_of(&job),
        Utc::now(),
        sender.send(SendOutcome::Sent),
    )
    .await
    .unwrap();
    assert!(sender.sent.lock().unwrap()[0].text.starts_with("王小明："));
    let listed = notes::list_for_account(&db, draft.account_id, 10)
        .await
        .unwrap();
    assert_eq!(
        (listed[0].title.as_str(), listed[0].body.as_str()),
        ("已收到报名", "审核中")
    );

    notes::save_template(&db, key, None, &editor, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        notes::template(&db, key).await.unwrap().template,
        key.default_template()
    );
    let audit = store::audit::search(
        &db,
        &store::audit::Search {
            action: Some("notification_template.".into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(audit.total, 2);
    let update = audit
        .entries
        .iter()
        .find(|e| e.action == "notification_template.update")
        .unwrap();
    assert_eq!(
        update.before.as_ref().unwrap()["title"],
        "报名已提交，正在审核"
    );
    assert_eq!(update.after.as_ref().unwrap()["title"], "已收到报名");
    assert_eq!(update.subject_id, "submitted");
}

on_both!(
    a_status_change_enqueues_exactly_one_job,
    running_the_handler_twice_notifies_once_and_sends_once,
    a_provider_failure_is_retried_with_backoff_then_sent_once,
    a_worker_stopped_mid_job_loses_nothing_and_doubles_nothing,
    a_worker_stopped_after_the_provider_accepted_resends_with_the_same_key,
    a_permanent_refusal_is_recorded_and_not_retried,
    staff_templates_override_the_default_and_every_edit_is_audited
);
