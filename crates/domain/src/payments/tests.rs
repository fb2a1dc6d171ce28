use chrono::TimeZone;
use proptest::prelude::*;

use super::*;

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() + Duration::hours(h)
}

#[test]
fn the_plan_deadline_holds_unless_approval_comes_too_late() {
    let exam = at(24 * 30);
    assert_eq!(payment_due_at(Some(at(24 * 10)), exam, at(0)), at(24 * 10));
    // No deadline on the plan: three days before the exam.
    assert_eq!(payment_due_at(None, exam, at(0)), at(24 * 27));
    // Approved a day before the deadline: two days from approval instead.
    assert_eq!(
        payment_due_at(Some(at(24 * 10)), exam, at(24 * 9)),
        at(24 * 11)
    );
    // Approved the day before the exam: the exam's start, not beyond.
    assert_eq!(payment_due_at(Some(at(24 * 10)), exam, at(24 * 29)), exam);
}

#[test]
fn an_order_lasts_half_an_hour_or_until_the_deadline() {
    assert_eq!(
        order_expires_at(at(0), at(10)),
        Some(at(0) + Duration::minutes(30))
    );
    let due = at(0) + Duration::minutes(10);
    assert_eq!(order_expires_at(at(0), due), Some(due));
    assert_eq!(order_expires_at(at(10), at(10)), None);
}

#[test]
fn order_numbers_name_their_application_and_fit_wechat_pay() {
    let no = order_number(123, 2, 0xDEAD_BEEF);
    assert!(no.starts_with("SC123-2-"), "{no}");
    assert_eq!(application_of_order_number(&no), Some(123));
    assert_eq!(application_of_order_number("XX1-1-A"), None);
    assert_eq!(refund_number(&no, 1), format!("{no}-R1"));
}

#[test]
fn confirmed_money_is_applied_once_and_never_kept_when_it_cannot_be_used() {
    use ApplicationStatus as S;
    assert_eq!(
        disposition(OrderState::Pending, S::Approved, false),
        Disposition::Confirm
    );
    // Closed here while the money landed: still this application's payment.
    assert_eq!(
        disposition(OrderState::Closed, S::Approved, false),
        Disposition::Confirm
    );
    for state in [
        OrderState::Paid,
        OrderState::Refunding,
        OrderState::Refunded,
    ] {
        assert_eq!(
            disposition(state, S::Approved, false),
            Disposition::AlreadyRecorded
        );
        assert_eq!(
            disposition(state, S::Withdrawn, true),
            Disposition::AlreadyRecorded
        );
    }
    assert_eq!(
        disposition(OrderState::Pending, S::Paid, true),
        Disposition::RecordAndRefund
    );
    assert_eq!(
        disposition(OrderState::Pending, S::Approved, true),
        Disposition::RecordAndRefund
    );
    for status in [S::Expired, S::Withdrawn, S::SeatAllocated] {
        assert_eq!(
            disposition(OrderState::Closed, status, false),
            Disposition::RecordAndRefund
        );
    }
}

#[test]
fn refunds_are_checked_against_what_is_left() {
    let fee = Fen(12_000);
    assert_eq!(
        check_refund(OrderState::Paid, fee, Fen(0), fee, "撤回"),
        Ok(fee)
    );
    assert_eq!(
        check_refund(OrderState::Paid, fee, Fen(2_000), Fen(10_000), "x"),
        Ok(Fen(10_000))
    );
    assert_eq!(
        check_refund(OrderState::Paid, fee, Fen(2_000), Fen(10_001), "x"),
        Err(RefundError::TooMuch {
            refundable: Fen(10_000)
        })
    );
    assert_eq!(
        check_refund(OrderState::Pending, fee, Fen(0), fee, "x"),
        Err(RefundError::NotPaid)
    );
    assert_eq!(
        check_refund(OrderState::Paid, fee, Fen(0), Fen(0), "x"),
        Err(RefundError::NotPositive)
    );
    assert_eq!(
        check_refund(OrderState::Paid, fee, Fen(0), fee, "  "),
        Err(RefundError::NoReason)
    );
}

#[test]
fn an_order_is_refunded_only_when_all_of_it_went_back() {
    assert_eq!(
        state_after_refunds(Fen(100), Fen(100), false),
        OrderState::Refunded
    );
    assert_eq!(
        state_after_refunds(Fen(100), Fen(40), false),
        OrderState::Paid
    );
    assert_eq!(
        state_after_refunds(Fen(100), Fen(40), true),
        OrderState::Refunding
    );
}

#[test]
fn a_final_refund_state_is_never_undone() {
    use RefundState as R;
    assert!(R::Requested.may_become(R::Processing));
    assert!(R::Processing.may_become(R::Succeeded));
    assert!(!R::Succeeded.may_become(R::Processing));
    assert!(!R::Closed.may_become(R::Succeeded));
    assert!(R::Abnormal.may_become(R::Succeeded));
    assert!(!R::Processing.may_become(R::Processing));
}

#[test]
fn the_bill_comparison_lists_every_difference() {
    let pay = |no: &str, fen| Entry::Payment {
        out_trade_no: no.into(),
        amount: Fen(fen),
    };
    let refund = |no: &str, fen| Entry::Refund {
        out_refund_no: no.into(),
        amount: Fen(fen),
    };
    let ours = [
        pay("A", 100),
        pay("B", 100),
        pay("C", 100),
        refund("A-R1", 50),
    ];
    let theirs = [
        pay("A", 100),
        pay("C", 90),
        pay("D", 100),
        refund("D-R1", 100),
    ];
    let found = compare(&ours, &theirs);
    assert_eq!(
        found,
        vec![
            Difference::MissingAtProvider {
                out_trade_no: "B".into(),
                amount: Fen(100)
            },
            Difference::AmountDiffers {
                out_trade_no: "C".into(),
                ours: Fen(100),
                theirs: Fen(90)
            },
            Difference::MissingHere {
                out_trade_no: "D".into(),
                amount: Fen(100)
            },
            Difference::RefundMissingAtProvider {
                out_refund_no: "A-R1".into(),
                amount: Fen(50)
            },
            Difference::RefundMissingHere {
                out_refund_no: "D-R1".into(),
                amount: Fen(100)
            },
        ]
    );
    assert!(found.iter().all(|d| !d.label().is_empty()));
    assert!(compare(&ours, &ours).is_empty());
}

proptest! {
    #[test]
    fn the_deadline_is_never_before_approval_nor_after_the_exam(
        plan in proptest::option::of(-2000i64..2000),
        exam in 0i64..2000,
        approved in -2000i64..2000,
    ) {
        let (exam, approved) = (at(exam), at(approved));
        let due = payment_due_at(plan.map(at), exam, approved);
        prop_assert!(due >= approved);
        if approved <= exam {
            prop_assert!(due <= exam);
        }
    }

    #[test]
    fn order_numbers_are_valid_out_trade_nos(id in 1i64..1_000_000_000_000, attempt in 1u32..1_000_000, entropy: u64) {
        let no = order_number(id, attempt, entropy);
        prop_assert!(no.len() >= 6 && no.len() <= 32, "{}", no);
        prop_assert!(no.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        prop_assert_eq!(application_of_order_number(&no), Some(id));
        prop_assert!(refund_number(&no, 99).len() <= 64);
    }

    #[test]
    fn refunds_never_exceed_the_payment(amount in 0i64..1_000_000, asks in proptest::collection::vec(-10i64..600_000, 0..12)) {
        let mut committed = Fen(0);
        for ask in asks {
            if let Ok(ok) = check_refund(OrderState::Paid, Fen(amount), committed, Fen(ask), "r") {
                committed.0 += ok.0;
            }
            prop_assert!(committed.0 <= amount);
        }
    }

    #[test]
    fn money_confirmed_twice_is_applied_at_most_once(
        status in proptest::sample::select(ApplicationStatus::ALL.to_vec()),
        other: bool,
    ) {
        let first = disposition(OrderState::Pending, status, other);
        let after = match first {
            Disposition::Confirm | Disposition::RecordAndRefund => OrderState::Paid,
            Disposition::AlreadyRecorded => OrderState::Pending,
        };
        prop_assert_eq!(disposition(after, status, other), Disposition::AlreadyRecorded);
        prop_assert!(first != Disposition::Confirm || status == ApplicationStatus::Approved);
    }
}
