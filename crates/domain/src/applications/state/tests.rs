use super::*;
use proptest::prelude::*;

use ApplicationEvent as E;
use ApplicationStatus as S;

fn apply(from: S, steps: &[(E, Actor)]) -> S {
    steps.iter().fold(from, |status, (event, actor)| {
        transition(status, event, *actor)
            .unwrap_or_else(|e| panic!("{event:?} from {status:?}: {e}"))
    })
}

const HAPPY_PATH: [(E, Actor); 7] = [
    (E::Submit, Actor::Candidate),
    (E::Approve, Actor::Staff),
    (E::ConfirmPayment, Actor::System),
    (E::AllocateSeat, Actor::System),
    (E::RecordExam, Actor::Staff),
    (E::PublishResult { passed: true }, Actor::Staff),
    (E::IssueCertificate, Actor::Staff),
];

#[test]
fn a_successful_application_goes_from_draft_to_certified() {
    let mut status = S::Draft;
    let mut seen = vec![];
    for (event, actor) in HAPPY_PATH {
        status = transition(status, &event, actor).unwrap();
        seen.push(status);
    }
    assert_eq!(seen, S::TIMELINE);
}

#[test]
fn a_failed_exam_ends_the_application() {
    let examined = apply(S::Draft, &HAPPY_PATH[..5]);
    assert_eq!(examined, S::Examined);
    let failed = transition(examined, &E::PublishResult { passed: false }, Actor::Staff);
    assert_eq!(failed, Ok(S::Failed));
    assert!(S::Failed.is_final());
}

#[test]
fn a_rejected_application_is_fixed_and_resubmitted() {
    let rejected = apply(
        S::Draft,
        &[(E::Submit, Actor::Candidate), (E::Reject, Actor::Staff)],
    );
    assert_eq!(rejected, S::Rejected);
    assert_eq!(
        transition(rejected, &E::Edit, Actor::Candidate),
        Ok(S::Rejected)
    );
    assert_eq!(
        transition(rejected, &E::Resubmit, Actor::Candidate),
        Ok(S::UnderReview)
    );
}

#[test]
fn the_candidate_may_edit_while_under_review() {
    assert_eq!(
        transition(S::Draft, &E::Edit, Actor::Candidate),
        Ok(S::Draft)
    );
    assert_eq!(
        transition(S::UnderReview, &E::Edit, Actor::Candidate),
        Ok(S::UnderReview)
    );
    let err = transition(S::Approved, &E::Edit, Actor::Candidate).unwrap_err();
    assert_eq!(err.code(), "application_transition_not_allowed");
    assert_eq!(err.to_string(), "当前状态为“待缴费”，不能修改报名信息");
}

#[test]
fn the_candidate_may_withdraw_until_rooms_are_allocated() {
    // A paid application is withdrawn with a refund (`payments` checks the cut-off).
    for from in [S::Draft, S::UnderReview, S::Rejected, S::Approved, S::Paid] {
        assert_eq!(
            transition(from, &E::Withdraw, Actor::Candidate),
            Ok(S::Withdrawn)
        );
        assert!(from.candidate_may_withdraw());
    }
    assert_eq!(
        transition(S::Paid, &E::Withdraw, Actor::Staff),
        Ok(S::Withdrawn)
    );
    assert!(transition(S::UnderReview, &E::Withdraw, Actor::Staff).is_err());
    for from in [S::SeatAllocated, S::Examined, S::Passed] {
        assert!(transition(from, &E::Withdraw, Actor::Candidate).is_err());
        assert!(!from.candidate_may_withdraw());
    }
}

#[test]
fn an_unpaid_approval_expires_at_the_deadline() {
    assert_eq!(
        transition(S::Approved, &E::Expire, Actor::System),
        Ok(S::Expired)
    );
    assert!(transition(S::UnderReview, &E::Expire, Actor::System).is_err());
    assert!(transition(S::Expired, &E::ConfirmPayment, Actor::System).is_err());
}

#[test]
fn only_staff_can_approve_or_reject() {
    for actor in [Actor::Candidate, Actor::System] {
        for event in [E::Approve, E::Reject] {
            let err = transition(S::UnderReview, &event, actor).unwrap_err();
            assert_eq!(err.code(), "application_forbidden");
        }
    }
    let err = transition(S::UnderReview, &E::Approve, Actor::Candidate).unwrap_err();
    assert_eq!(err.to_string(), "无权审核通过：只有工作人员可以操作");
}

#[test]
fn payment_is_confirmed_by_the_system_or_staff_and_seats_allocated_by_system_or_staff() {
    // The provider's callback, or an administrator recording an offline payment; never the
    // candidate's word.
    assert_eq!(
        transition(S::Approved, &E::ConfirmPayment, Actor::Staff),
        Ok(S::Paid)
    );
    let err = transition(S::Approved, &E::ConfirmPayment, Actor::Candidate).unwrap_err();
    assert_eq!(err.code(), "application_forbidden");
    assert_eq!(
        transition(S::Paid, &E::AllocateSeat, Actor::Staff),
        Ok(S::SeatAllocated)
    );
    let err = transition(S::Paid, &E::AllocateSeat, Actor::Candidate).unwrap_err();
    assert_eq!(err.to_string(), "无权分配考场：只有系统或工作人员可以操作");
}

#[test]
fn a_final_status_refuses_with_its_own_message() {
    let err = transition(S::Withdrawn, &E::Resubmit, Actor::Candidate).unwrap_err();
    assert_eq!(err.code(), "application_final");
    assert_eq!(err.to_string(), "报名已结束（已撤回），不能再重新提交");
}

#[test]
fn statuses_have_labels_and_round_trip_through_their_codes() {
    let labels: Vec<&str> = S::ALL.iter().map(S::label).collect();
    assert_eq!(
        labels,
        [
            "草稿",
            "审核中",
            "审核不通过",
            "待缴费",
            "缴费成功",
            "已分配考场",
            "已考试",
            "合格",
            "不合格",
            "已发证",
            "已撤回",
            "已过期"
        ]
    );
    for s in S::ALL {
        assert_eq!(S::parse(s.code()), Some(s));
        assert!(!s.next_step_text().is_empty());
    }
    assert_eq!(S::UnderReview.code(), "under_review");
    assert_eq!(S::parse("pending"), None);
    for a in Actor::ALL {
        assert_eq!(Actor::parse(a.code()), Some(a));
    }
}

#[test]
fn seats_are_held_from_submission_until_withdrawal_or_expiry() {
    let holding: Vec<S> = S::ALL.into_iter().filter(S::holds_seat).collect();
    assert_eq!(
        holding,
        [
            S::UnderReview,
            S::Rejected,
            S::Approved,
            S::Paid,
            S::SeatAllocated,
            S::Examined,
            S::Passed,
            S::Failed,
            S::Certified
        ]
    );
    assert_eq!(seat_delta(S::Draft, S::UnderReview), 1);
    assert_eq!(seat_delta(S::Approved, S::Expired), -1);
    assert_eq!(seat_delta(S::Draft, S::Withdrawn), 0);
}

#[test]
fn the_buttons_to_show_are_the_events_that_would_succeed() {
    assert_eq!(
        available_events(S::UnderReview, Actor::Candidate),
        [E::Edit, E::Withdraw]
    );
    assert_eq!(
        available_events(S::UnderReview, Actor::Staff),
        [E::Reject, E::Approve]
    );
    assert_eq!(
        available_events(S::Examined, Actor::Staff),
        [
            E::PublishResult { passed: true },
            E::PublishResult { passed: false }
        ]
    );
    assert!(available_events(S::Certified, Actor::Staff).is_empty());
}

/// A random step: mostly one that is valid now (to reach deep states), otherwise any event by
/// any actor (to exercise refusals).
#[derive(Debug, Clone, Copy)]
struct Step {
    guided: bool,
    pick: usize,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (prop::bool::weighted(0.75), 0usize..1000).prop_map(|(guided, pick)| Step { guided, pick }),
        0..60,
    )
}

fn all_moves() -> Vec<(E, Actor)> {
    E::ALL
        .into_iter()
        .flat_map(|e| Actor::ALL.into_iter().map(move |a| (e, a)))
        .collect()
}

/// Runs the steps from Draft; returns the successful moves with the status before each.
fn run(steps: &[Step]) -> (S, Vec<(S, E, Actor, S)>) {
    let moves = all_moves();
    let mut status = S::Draft;
    let mut done = vec![];
    for step in steps {
        let candidates: Vec<(E, Actor)> = if step.guided {
            moves
                .iter()
                .copied()
                .filter(|(e, a)| transition(status, e, *a).is_ok())
                .collect()
        } else {
            moves.clone()
        };
        if candidates.is_empty() {
            continue;
        }
        let (event, actor) = candidates[step.pick % candidates.len()];
        if let Ok(to) = transition(status, &event, actor) {
            done.push((status, event, actor, to));
            status = to;
        }
    }
    (status, done)
}

proptest! {
    #[test]
    fn random_event_sequences_from_draft_never_panic(steps in steps()) {
        let (status, done) = run(&steps);
        prop_assert!(S::ALL.contains(&status));
        for (from, _, _, to) in done {
            prop_assert!(!from.is_final());
            prop_assert!(S::ALL.contains(&to));
        }
    }

    #[test]
    fn a_final_status_accepts_nothing(steps in steps()) {
        let (status, _) = run(&steps);
        if status.is_final() {
            for (event, actor) in all_moves() {
                let refused = matches!(
                    transition(status, &event, actor),
                    Err(TransitionError::Final { .. })
                );
                prop_assert!(refused, "{:?} accepted {:?}", status, event);
            }
        }
    }

    #[test]
    fn the_seat_is_taken_on_submission_and_given_back_only_on_withdrawal_or_expiry(steps in steps()) {
        let (status, done) = run(&steps);
        let mut taken = 0i32;
        let mut given_back = 0i32;
        for (from, event, _, to) in &done {
            match seat_delta(*from, *to) {
                1 => {
                    prop_assert_eq!(*event, E::Submit);
                    prop_assert_eq!(*from, S::Draft);
                    taken += 1;
                }
                -1 => {
                    prop_assert!(matches!(event, E::Withdraw | E::Expire), "{:?}", event);
                    given_back += 1;
                }
                0 => prop_assert!(*event != E::Submit),
                other => prop_assert!(false, "seat delta {}", other),
            }
        }
        prop_assert_eq!(taken - given_back, i32::from(status.holds_seat()));
        prop_assert!(taken <= 1 && given_back <= 1);
    }

    #[test]
    fn passed_or_certified_is_reached_only_through_approval_payment_seat_exam_and_a_pass(
        steps in steps(),
    ) {
        let (status, done) = run(&steps);
        let events: Vec<E> = done.iter().map(|(_, e, _, _)| *e).collect();
        let required = [
            E::Approve,
            E::ConfirmPayment,
            E::AllocateSeat,
            E::RecordExam,
            E::PublishResult { passed: true },
        ];
        let reached = matches!(status, S::Passed | S::Certified);
        // The required events appear in order, each after the previous one.
        let mut rest = events.iter();
        let in_order = required.iter().all(|r| rest.any(|e| e == r));
        if reached {
            prop_assert!(in_order, "{:?}", events);
            let since_approval: Vec<E> = events
                .iter()
                .skip_while(|e| **e != E::Approve)
                .copied()
                .collect();
            prop_assert_eq!(&since_approval[..5], &required[..]);
        }
    }

    #[test]
    fn only_staff_ever_approve_or_reject(steps in steps()) {
        let (_, done) = run(&steps);
        for (_, event, actor, _) in done {
            if matches!(event, E::Approve | E::Reject) {
                prop_assert_eq!(actor, Actor::Staff);
            }
        }
    }

    #[test]
    fn the_candidate_may_edit_exactly_where_edit_succeeds(
        status in prop::sample::select(S::ALL.to_vec()),
    ) {
        prop_assert_eq!(
            transition(status, &E::Edit, Actor::Candidate).is_ok(),
            status.candidate_may_edit()
        );
        prop_assert_eq!(
            transition(status, &E::Withdraw, Actor::Candidate).is_ok(),
            status.candidate_may_withdraw()
        );
    }
}

#[test]
fn random_sequences_reach_every_status() {
    // The guided steps really explore: random guided walks reach all twelve statuses, so the
    // properties above are not vacuous about Passed and Certified.
    let mut reached = std::collections::HashSet::new();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        // xorshift64: deterministic, no dependency.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 1000) as usize
    };
    for _ in 0..400 {
        let steps: Vec<Step> = (0..30)
            .map(|_| Step {
                guided: true,
                pick: next(),
            })
            .collect();
        let (_, done) = run(&steps);
        reached.insert(S::Draft);
        reached.extend(done.iter().map(|(_, _, _, to)| *to));
    }
    assert_eq!(reached.len(), S::ALL.len(), "{reached:?}");
}

#[test]
fn the_fee_stands_confirmed_from_payment_on_but_not_once_withdrawn() {
    assert!(S::Paid.fee_confirmed() && S::Certified.fee_confirmed());
    for status in [S::Approved, S::Withdrawn, S::Expired, S::UnderReview] {
        assert!(!status.fee_confirmed(), "{status:?}");
    }
}
