//! The arithmetic of the figures: percentiles of latencies, medians over runs, rates. Pure, so
//! that it is tested on its own.

use std::time::Duration;

/// The `p`-th percentile (0–100) by the nearest-rank method: the smallest sample with at least
/// p% of the samples at or below it. `None` without samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// p50, p95 and p99 of some latencies, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Latencies {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

impl Latencies {
    pub fn of(mut samples: Vec<Duration>) -> Latencies {
        samples.sort_unstable();
        let ms = |p| percentile(&samples, p).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
        Latencies {
            p50_ms: ms(50.0),
            p95_ms: ms(95.0),
            p99_ms: ms(99.0),
        }
    }
}

/// The median; the mean of the middle two for an even count; NaN for none. NaNs sort last.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Events per second over `elapsed`.
pub fn rate(count: usize, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        count as f64 / secs
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|m| Duration::from_millis(*m)).collect()
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let samples = ms(&(1..=100).collect::<Vec<_>>());
        assert_eq!(percentile(&samples, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&samples, 95.0), Some(Duration::from_millis(95)));
        assert_eq!(percentile(&samples, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(
            percentile(&samples, 100.0),
            Some(Duration::from_millis(100))
        );
        assert_eq!(percentile(&samples, 0.0), Some(Duration::from_millis(1)));
    }

    #[test]
    fn a_few_samples_give_their_worst_for_the_high_percentiles() {
        let samples = ms(&[3, 7, 10]);
        assert_eq!(percentile(&samples, 50.0), Some(Duration::from_millis(7)));
        assert_eq!(percentile(&samples, 99.0), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn latencies_sort_their_samples() {
        let l = Latencies::of(ms(&[9, 1, 5, 3, 7]));
        assert_eq!(l.p50_ms, 5.0);
        assert_eq!(l.p99_ms, 9.0);
        assert!(Latencies::of(Vec::new()).p50_ms.is_nan());
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        assert_eq!(median(&[5.0]), 5.0);
    }

    #[test]
    fn rates_per_second() {
        assert_eq!(rate(500, Duration::from_millis(250)), 2000.0);
        assert!(rate(1, Duration::ZERO).is_nan());
    }
}
