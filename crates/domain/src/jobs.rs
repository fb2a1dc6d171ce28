//! Background jobs (notifications first): when a failed attempt is tried again, and when to give
//! up. The queue itself is `store::jobs`.

use chrono::Duration;

/// The delay before attempt `attempt + 1` after attempt `attempt` (from 1) failed: 30 seconds,
/// doubling each time, never more than an hour, so that a provider that is down for a while is
/// not hammered and a short outage costs little.
pub fn retry_delay(attempt: u32) -> Duration {
    const FIRST_SECONDS: i64 = 30;
    const MAX_SECONDS: i64 = 3600;
    let doublings = attempt.saturating_sub(1).min(20);
    Duration::seconds((FIRST_SECONDS << doublings).min(MAX_SECONDS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn delays_double_from_thirty_seconds_to_an_hour() {
        let delays: Vec<i64> = (1..=9).map(|a| retry_delay(a).num_seconds()).collect();
        assert_eq!(delays, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(0).num_seconds(), 30);
    }

    proptest! {
        #[test]
        fn delays_never_shrink_and_never_pass_an_hour(a in 0u32..10_000) {
            prop_assert!(retry_delay(a) <= retry_delay(a + 1));
            prop_assert!(retry_delay(a) <= Duration::hours(1));
            prop_assert!(retry_delay(a) >= Duration::seconds(30));
        }
    }
}
