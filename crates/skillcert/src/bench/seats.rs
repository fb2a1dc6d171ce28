//! After each phase: were more seats given than the plans have? A plan's seats are held by its
//! applications whose status holds one; the phase's plans were made for the phase, so its
//! candidates' applications are all of them. The seats the plan reports (`store::plans::get`)
//! must agree with that count: a counter that drifts from the applications is a bug even when
//! nothing is overbooked.

use std::collections::HashMap;

use serde::Serialize;

use super::prepare::ReadyCandidate;

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct SeatCheck {
    /// Σ over the plans of max(0, held − capacity). Must be 0.
    pub overbooked: u64,
    /// Plans whose reported seats taken differ from the applications holding a seat.
    pub mismatched_plans: u64,
}

pub async fn check(
    db: &store::Db,
    plans: &[i64],
    candidates: &[ReadyCandidate],
) -> anyhow::Result<SeatCheck> {
    let mut held: HashMap<i64, u64> = plans.iter().map(|p| (*p, 0)).collect();
    for c in candidates {
        let application = store::applications::get_owned(db, c.application_id, c.account_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("application {} vanished", c.application_id))?;
        if application.status.holds_seat() {
            *held.entry(application.plan_id).or_default() += 1;
        }
    }
    let mut result = SeatCheck::default();
    for plan_id in plans {
        let (plan, _) = store::plans::get(db, *plan_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("plan {plan_id} vanished"))?;
        let held = held[plan_id];
        result.overbooked += held.saturating_sub(u64::from(plan.capacity));
        if u64::from(plan.seats_taken) != held {
            result.mismatched_plans += 1;
            eprintln!(
                "bench: ERROR: plan {plan_id} reports {} seats taken but {held} applications hold a seat (capacity {})",
                plan.seats_taken, plan.capacity
            );
        }
    }
    if result.overbooked > 0 {
        eprintln!(
            "bench: ERROR: OVERBOOKED by {} seats on this phase's plans",
            result.overbooked
        );
    }
    Ok(result)
}
