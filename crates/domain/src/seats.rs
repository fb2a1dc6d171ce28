//! A plan's seats, counted in stripes.
//!
//! When registration opens, every submission of a plan takes one of its seats. Counting them on
//! one row makes every submission wait for the one before it to commit (on PostgreSQL the row
//! lock is held until commit). So a plan's capacity is split into [`STRIPES`] stripes, each with
//! its own capacity and count; a submission takes a seat from any stripe that has one left, with
//! a conditional update (`taken < capacity`), so racing submissions wait only when they pick the
//! same stripe. The stripes' capacities always add up to the plan's capacity and no stripe ever
//! counts more than its capacity, so the plan is never overbooked; the seats taken are the sum of
//! the stripes' counts.
//!
//! This module holds the arithmetic: how a capacity is split, and how the stripes are resized
//! when staff change a plan's capacity without losing a seat already taken.

/// Stripes per plan: enough that a few dozen concurrent submissions rarely meet on one, few
/// enough that summing them for a page costs nothing.
pub const STRIPES: u16 = 16;

/// One stripe's capacity and the seats taken from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stripe {
    pub capacity: u32,
    pub taken: u32,
}

/// `capacity` split over `stripes` stripes as evenly as possible (the first ones get the
/// remainder), so that every stripe offers seats for as long as possible.
pub fn split_capacity(capacity: u32, stripes: u16) -> Vec<u32> {
    let n = u32::from(stripes.max(1));
    (0..n)
        .map(|i| capacity / n + u32::from(i < capacity % n))
        .collect()
}

/// The stripes of a plan that already has `taken` seats taken (a plan counted on one row before
/// stripes): `capacity` split as [`split_capacity`] does, the taken seats filling the stripes in
/// order. A plan over-filled by hand keeps its seats: the capacity grows to hold them.
pub fn stripes_with_taken(capacity: u32, taken: u32, stripes: u16) -> Vec<Stripe> {
    let mut left = taken;
    split_capacity(capacity.max(taken), stripes)
        .into_iter()
        .map(|capacity| {
            let here = left.min(capacity);
            left -= here;
            Stripe {
                capacity,
                taken: here,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("名额不能少于已报名人数（已报名 {taken} 人）")]
pub struct BelowTaken {
    pub taken: u32,
}

impl BelowTaken {
    pub fn code(&self) -> &'static str {
        "capacity_below_taken"
    }
}

/// New capacities for `stripes` so that they add up to `capacity`, no stripe below the seats
/// already taken from it, and the free seats spread as evenly as possible. Refused when the plan
/// already has more seats taken than `capacity`.
pub fn resize(stripes: &[Stripe], capacity: u32) -> Result<Vec<u32>, BelowTaken> {
    let taken: u64 = stripes.iter().map(|s| u64::from(s.taken)).sum();
    if u64::from(capacity) < taken || stripes.is_empty() {
        return Err(BelowTaken {
            taken: u32::try_from(taken).unwrap_or(u32::MAX),
        });
    }
    // Water-filling: the highest level L such that raising every stripe to at least L fits in
    // the capacity; what is left (fewer seats than stripes at the level) goes one each.
    let at_level = |l: u64| -> u64 { stripes.iter().map(|s| u64::from(s.taken).max(l)).sum() };
    let (mut low, mut high) = (0u64, u64::from(capacity));
    while low < high {
        let mid = (low + high).div_ceil(2);
        if at_level(mid) <= u64::from(capacity) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let mut left = u64::from(capacity) - at_level(low);
    let mut capacities = Vec::with_capacity(stripes.len());
    for s in stripes {
        let mut c = u64::from(s.taken).max(low);
        if u64::from(s.taken) <= low && left > 0 {
            c += 1;
            left -= 1;
        }
        capacities.push(u32::try_from(c).unwrap_or(u32::MAX));
    }
    Ok(capacities)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_capacity_is_split_evenly_with_the_remainder_first() {
        assert_eq!(split_capacity(35, 4), vec![9, 9, 9, 8]);
        assert_eq!(split_capacity(3, 5), vec![1, 1, 1, 0, 0]);
        assert_eq!(split_capacity(0, 3), vec![0, 0, 0]);
    }

    #[test]
    fn resizing_keeps_every_seat_taken_and_levels_the_free_ones() {
        let stripes = [
            Stripe {
                capacity: 5,
                taken: 5,
            },
            Stripe {
                capacity: 5,
                taken: 1,
            },
            Stripe {
                capacity: 5,
                taken: 0,
            },
        ];
        assert_eq!(resize(&stripes, 9).unwrap(), vec![5, 2, 2]);
        assert_eq!(resize(&stripes, 6).unwrap(), vec![5, 1, 0]);
        assert_eq!(resize(&stripes, 20).unwrap(), vec![7, 7, 6]);
        let e = resize(&stripes, 5).unwrap_err();
        assert_eq!(e, BelowTaken { taken: 6 });
        assert_eq!(e.code(), "capacity_below_taken");
        assert!(e.to_string().contains("6"));
    }

    #[test]
    fn seats_taken_before_stripes_fill_them_in_order() {
        let s = stripes_with_taken(10, 7, 3);
        let pairs: Vec<(u32, u32)> = s.iter().map(|s| (s.capacity, s.taken)).collect();
        assert_eq!(pairs, vec![(4, 4), (3, 3), (3, 0)]);
        let over = stripes_with_taken(2, 5, 2);
        assert_eq!(over.iter().map(|s| s.taken).sum::<u32>(), 5);
        assert!(over.iter().all(|s| s.taken <= s.capacity));
    }

    fn stripes() -> impl Strategy<Value = Vec<Stripe>> {
        prop::collection::vec((0u32..50, 0u32..50), 1..20).prop_map(|v| {
            v.into_iter()
                .map(|(a, b)| Stripe {
                    capacity: a.max(b),
                    taken: a.min(b),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn split_adds_up_and_differs_by_at_most_one(capacity in 0u32..100_000, n in 1u16..64) {
            let parts = split_capacity(capacity, n);
            prop_assert_eq!(parts.len(), usize::from(n));
            prop_assert_eq!(parts.iter().map(|&p| u64::from(p)).sum::<u64>(), u64::from(capacity));
            let (min, max) = (parts.iter().min().unwrap(), parts.iter().max().unwrap());
            prop_assert!(max - min <= 1);
        }

        #[test]
        fn resize_never_drops_a_taken_seat_and_adds_up(stripes in stripes(), extra in 0u32..500) {
            let taken: u32 = stripes.iter().map(|s| s.taken).sum();
            let capacity = taken + extra;
            let new = resize(&stripes, capacity).unwrap();
            prop_assert_eq!(new.len(), stripes.len());
            prop_assert_eq!(new.iter().map(|&c| u64::from(c)).sum::<u64>(), u64::from(capacity));
            for (c, s) in new.iter().zip(&stripes) {
                prop_assert!(*c >= s.taken);
            }
            // Level: a stripe given free seats is at most one above any other stripe, or one
            // of its seats would have gone to the lower one.
            for (c, s) in new.iter().zip(&stripes) {
                if *c > s.taken {
                    for other in &new {
                        prop_assert!(*c <= other + 1, "{:?} -> {:?}", stripes, new);
                    }
                }
            }
        }

        #[test]
        fn resize_below_the_seats_taken_is_refused(stripes in stripes()) {
            let taken: u32 = stripes.iter().map(|s| s.taken).sum();
            prop_assume!(taken > 0);
            prop_assert_eq!(resize(&stripes, taken - 1), Err(BelowTaken { taken }));
        }
    }
}
