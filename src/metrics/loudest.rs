//! `top_share`: the share of a window's events that come from its most frequent value of an
//! attribute (the loudest author), by a Space-Saving sketch whose counters slide with the
//! window's buckets.
//!
//! The sketch keeps at most [`COUNTERS`] values, each with its count per bucket. An event
//! whose value has a counter adds one to it; one whose value has none takes a free counter,
//! or else the counter with the smallest count in the window, whose counts it inherits before
//! adding its own (Metwally, Agrawal and El Abbadi, "Efficient computation of frequent and
//! top-k elements in data streams", 2005). Every event is thus counted by exactly one counter,
//! and:
//!
//! - while at most [`COUNTERS`] values are in the window, every count is exact;
//! - a count is never below the true count of its value, and exceeds it by at most the
//!   smallest count when it was inherited, at most the window's events ÷ [`COUNTERS`] at that
//!   time; a value with more than that share always has a counter.
//!
//! The metric is the largest count over the events in the window that carry the attribute:
//! over by at most 1/32 (3.1 points of share).

#![expect(
    clippy::indexing_slicing,
    reason = "a slot is a bucket index modulo the window's 12 buckets, and counters are indexed by positions found in them"
)]
#![expect(
    clippy::arithmetic_side_effects,
    reason = "bucket indices stay within the Timestamp range (as in `window`), and counts are at most 12 × 2^32"
)]

use serde::{Deserialize, Serialize};

use super::WINDOW_BUCKETS;
use super::window::{Ring, Total};

/// The values the sketch follows at once.
pub(crate) const COUNTERS: usize = 32;

/// The share of a window's events from its most frequent value of an attribute.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LoudestShare {
    /// Events that carried the attribute, per bucket.
    events: Ring<Total>,
    counters: Vec<Counter>,
}

/// One value followed, with its count per bucket (by the bucket's slot in the window).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Counter {
    hash: u64,
    counts: [u32; WINDOW_BUCKETS],
}

impl Counter {
    fn total(&self) -> u64 {
        self.counts.iter().map(|c| u64::from(*c)).sum()
    }
}

impl LoudestShare {
    pub fn new(width: i64, now: i64) -> LoudestShare {
        LoudestShare {
            events: Ring::new(width, WINDOW_BUCKETS, now),
            counters: Vec::new(),
        }
    }

    pub fn events(&self) -> &Ring<Total> {
        &self.events
    }

    fn slot(bucket: i64) -> usize {
        bucket.rem_euclid(WINDOW_BUCKETS as i64) as usize
    }

    /// Moves the window to `now`: the counts of buckets that left it are dropped.
    pub fn roll_to(&mut self, now: i64) {
        if now < self.events.next_roll() {
            return;
        }
        let before = self.events.newest();
        self.events.roll_to(now, |_, _| {});
        let newest = self.events.newest();
        // Slots reused by the buckets after `before`, up to the new newest, start empty.
        for bucket in (before + 1)..=newest.min(before + WINDOW_BUCKETS as i64) {
            let slot = Self::slot(bucket);
            for counter in &mut self.counters {
                counter.counts[slot] = 0;
            }
        }
        self.counters.retain(|counter| counter.total() > 0);
    }

    /// Counts an event whose value hashes to `hash`, at `time`; the window must have been
    /// rolled to the run's clock. An event older than the window is dropped.
    pub fn add(&mut self, hash: u64, time: i64) {
        let bucket = self.events.bucket_of(time);
        if !self.events.add(time, 1.0) {
            return;
        }
        let slot = Self::slot(bucket);
        let index = match self.counters.iter().position(|c| c.hash == hash) {
            Some(index) => index,
            None if self.counters.len() < COUNTERS => {
                // All the room at once, when the first value comes: growing later would
                // allocate in the steady state.
                self.counters
                    .reserve_exact(COUNTERS.saturating_sub(self.counters.len()));
                self.counters.push(Counter {
                    hash,
                    counts: [0; WINDOW_BUCKETS],
                });
                self.counters.len() - 1
            }
            None => {
                // The first of the smallest counters takes the new value, counts and all.
                let mut smallest = 0;
                let mut least = u64::MAX;
                for (index, counter) in self.counters.iter().enumerate() {
                    let total = counter.total();
                    if total < least {
                        least = total;
                        smallest = index;
                    }
                }
                self.counters[smallest].hash = hash;
                smallest
            }
        };
        let count = &mut self.counters[index].counts[slot];
        *count = count.saturating_add(1);
    }

    /// The largest count's share of the events, `None` when the window holds none.
    pub fn value(&self) -> Option<f64> {
        let events = self.events.total().0;
        if events <= 0.0 {
            return None;
        }
        let loudest = self.counters.iter().map(Counter::total).max().unwrap_or(0);
        Some(loudest as f64 / events)
    }

    pub fn heap_bytes(&self) -> usize {
        self.events
            .heap_bytes()
            .saturating_add(self.counters.capacity() * std::mem::size_of::<Counter>())
    }

    /// Whether restored counters are ones counting could have made: at most [`COUNTERS`],
    /// each value once, no count in a bucket the window does not hold, and the counts of
    /// each bucket adding up to its events. Call after the ring's own checks.
    pub fn is_consistent(&self) -> bool {
        let live: Vec<(usize, f64)> = self
            .events
            .buckets()
            .map(|(bucket, total)| (Self::slot(bucket), total.0))
            .collect();
        self.counters.len() <= COUNTERS
            && self
                .counters
                .iter()
                .enumerate()
                .all(|(i, c)| self.counters[..i].iter().all(|o| o.hash != c.hash))
            && live.iter().all(|(slot, events)| {
                let counted: u64 = self
                    .counters
                    .iter()
                    .map(|c| u64::from(c.counts[*slot]))
                    .sum();
                counted as f64 == *events
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    #[test]
    fn the_loudest_value_share_is_exact_while_few_values() {
        let mut loudest = LoudestShare::new(5 * MINUTE, 0);
        assert_eq!(loudest.value(), None);
        for i in 0..40u64 {
            loudest.add(if i % 4 == 0 { 7 } else { 100 + i % 5 }, i as i64 * 1_000);
        }
        // 10 of the 40 events come from value 7; the 30 others from five values, 6 each.
        assert_eq!(loudest.value(), Some(10.0 / 40.0));
    }

    #[test]
    fn counts_leave_with_their_buckets() {
        let mut loudest = LoudestShare::new(5 * MINUTE, 0);
        for _ in 0..9 {
            loudest.add(1, 0);
        }
        loudest.roll_to(30 * MINUTE);
        loudest.add(2, 30 * MINUTE);
        loudest.add(3, 30 * MINUTE);
        assert_eq!(loudest.value(), Some(9.0 / 11.0));
        loudest.roll_to(61 * MINUTE);
        assert_eq!(loudest.value(), Some(0.5));
        loudest.roll_to(120 * MINUTE);
        assert_eq!(loudest.value(), None);
    }

    #[test]
    fn a_heavy_value_keeps_its_counter_among_many_others() {
        let mut loudest = LoudestShare::new(5 * MINUTE, 0);
        for i in 0..3_000u64 {
            let value = if i % 3 == 0 { 42 } else { 1_000 + i };
            loudest.add(value, i as i64 * 1_000);
        }
        let share = loudest.value().unwrap();
        // The true share is 1/3; the estimate is over by at most 1/32.
        assert!(
            (1.0 / 3.0..=1.0 / 3.0 + 1.0 / 32.0).contains(&share),
            "{share}"
        );
        assert!(loudest.is_consistent());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Exact while at most 32 values are in the window; otherwise never under the loudest
        /// value's true share, and over it by at most 1/32.
        #[test]
        fn the_share_follows_the_exact_share_of_a_sliding_window(
            pool in proptest::sample::select(vec![10u64, 32, 200]),
            steps in proptest::collection::vec((0u64..1_000, 0i64..30_000, proptest::bool::ANY), 100..1_500),
        ) {
            let mut loudest = LoudestShare::new(5 * MINUTE, 0);
            let mut seen: Vec<(u64, i64)> = Vec::new();
            let mut now = 0;
            for (pick, gap, troll) in steps {
                now += gap;
                loudest.roll_to(now);
                // A troll posts often: value 0 takes a third of the events.
                let value = if troll && pick % 3 == 0 { 0 } else { 1 + pick % pool };
                loudest.add(value, now);
                let bucket = now.div_euclid(5 * MINUTE);
                seen.push((value, bucket));
                let live: Vec<u64> = seen.iter().filter(|(_, b)| *b > bucket - 12).map(|(v, _)| *v).collect();
                let mut counts = std::collections::BTreeMap::new();
                for v in &live {
                    *counts.entry(*v).or_insert(0u64) += 1;
                }
                let truth = *counts.values().max().unwrap() as f64 / live.len() as f64;
                let value = loudest.value().unwrap();
                if counts.len() <= COUNTERS {
                    proptest::prop_assert!((value - truth).abs() < 1e-12, "{} against {}", value, truth);
                } else {
                    proptest::prop_assert!(value >= truth - 1e-12 && value <= truth + 1.0 / 32.0 + 1e-12, "{} against {}", value, truth);
                }
                proptest::prop_assert!(loudest.is_consistent());
            }
        }
    }
}
