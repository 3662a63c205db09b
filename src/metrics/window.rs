//! Bucketed sliding windows with a fixed number of buckets: O(1) amortized per value and
//! constant memory, whatever the signal volume.
//!
//! Buckets are aligned to multiples of their width since the epoch, so two runs fed the same
//! signals have the same buckets, whenever they started.
#![expect(
    clippy::indexing_slicing,
    reason = "slots are indexed by `slot()`, a remainder modulo their length"
)]
// Plain arithmetic on the hot path: bucket indices are times divided by a width of at least
// 1 ms, so they stay within the Timestamp range, which is far from i64's limits; `has_shape`
// refuses a restored ring whose newest bucket lies outside it. (Saturating every step here
// cost 15 % more instructions per signal.)
#![expect(
    clippy::arithmetic_side_effects,
    reason = "bucket indices stay within the Timestamp range (checked on restore)"
)]

use serde::{Deserialize, Serialize};

/// The largest magnitude a restored bucket may hold. Signal values are at most
/// [`MAX_SIGNAL_VALUE`](crate::MAX_SIGNAL_VALUE) (1e15), their squares 1e30, and a run sees
/// fewer than 2^64 signals, so a real bucket stays below 2e49; a tampered one beyond this could
/// overflow to infinity when merged, and infinity does not survive a snapshot.
const MAX_BUCKET_MAGNITUDE: f64 = 1e60;

/// What a bucket accumulates.
pub(crate) trait Accumulate: Copy + Default + PartialEq {
    fn add(&mut self, value: f64);
    fn merge(&mut self, other: &Self);
    /// Whether a restored bucket holds what adding values could have made.
    fn is_possible(&self) -> bool;
    /// Whether a ring's running total agrees with the merge of its slots. Sums are kept
    /// incrementally and recomputed on each roll, so they may differ in the last places.
    fn agrees_with(&self, merged: &Self) -> bool;
}

pub(crate) fn storable(value: f64) -> bool {
    value.is_finite() && value.abs() <= MAX_BUCKET_MAGNITUDE
}

/// Two sums of the same values, added in another order: equal up to rounding.
fn same_sum(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// A sum of values (or of occurrences, each counting 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Total(pub f64);

impl Accumulate for Total {
    fn add(&mut self, value: f64) {
        self.0 += value;
    }

    fn merge(&mut self, other: &Self) {
        self.0 += other.0;
    }

    fn is_possible(&self) -> bool {
        storable(self.0)
    }

    fn agrees_with(&self, merged: &Self) -> bool {
        same_sum(self.0, merged.0)
    }
}

/// Count, sum and sum of squares: enough for the mean and the variance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Moments {
    pub n: f64,
    pub sum: f64,
    pub squares: f64,
}

impl Moments {
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0.0).then(|| self.sum / self.n)
    }

    /// Population standard deviation.
    pub fn deviation(&self) -> Option<f64> {
        let mean = self.mean()?;
        Some((self.squares / self.n - mean * mean).max(0.0).sqrt())
    }
}

impl Accumulate for Moments {
    fn add(&mut self, value: f64) {
        self.n += 1.0;
        self.sum += value;
        self.squares += value * value;
    }

    fn merge(&mut self, other: &Self) {
        self.n += other.n;
        self.sum += other.sum;
        self.squares += other.squares;
    }

    fn is_possible(&self) -> bool {
        storable(self.n)
            && storable(self.sum)
            && storable(self.squares)
            && self.n >= 0.0
            && self.n.fract() == 0.0
            && self.squares >= 0.0
    }

    fn agrees_with(&self, merged: &Self) -> bool {
        self.n == merged.n
            && same_sum(self.sum, merged.sum)
            && same_sum(self.squares, merged.squares)
    }
}

/// Smallest and largest value, if any. An empty bucket holds zeros rather than the infinities
/// that would make `min` and `max` branch-free: JSON has no infinity, and a snapshot must
/// restore.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Extremes {
    pub n: u32,
    pub min: f64,
    pub max: f64,
}

impl Accumulate for Extremes {
    fn add(&mut self, value: f64) {
        self.merge(&Extremes {
            n: 1,
            min: value,
            max: value,
        });
    }

    fn merge(&mut self, other: &Self) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        self.n = self.n.saturating_add(other.n);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    fn is_possible(&self) -> bool {
        if self.n == 0 {
            *self == Extremes::default()
        } else {
            storable(self.min) && storable(self.max) && self.min <= self.max
        }
    }

    fn agrees_with(&self, merged: &Self) -> bool {
        self == merged
    }
}

/// Nothing at all: a ring of it is a clock of buckets with no heap, for the windows that keep
/// their values in their own way (`distinct`, `top_share`, `near_duplicates`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Nothing;

impl Accumulate for Nothing {
    fn add(&mut self, _: f64) {}

    fn merge(&mut self, _: &Self) {}

    fn is_possible(&self) -> bool {
        true
    }

    fn agrees_with(&self, _: &Self) -> bool {
        true
    }
}

/// The last `slots.len()` buckets of `width` milliseconds, ending with bucket `newest`. The
/// default ring has no slots: it fits no metric, and stands for a ring a snapshot lacked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Ring<A> {
    width: i64,
    newest: i64,
    slots: Vec<A>,
    /// The merge of all slots, kept current on every add and recomputed on every roll, so
    /// reading the window is O(1) and rounding errors do not accumulate.
    total: A,
}

impl<A: Accumulate> Ring<A> {
    pub fn new(width: i64, buckets: usize, now: i64) -> Self {
        let width = width.max(1);
        Ring {
            width,
            newest: now.div_euclid(width),
            slots: vec![A::default(); buckets.max(1)],
            total: A::default(),
        }
    }

    pub fn width(&self) -> i64 {
        self.width
    }

    pub fn len(&self) -> i64 {
        self.slots.len() as i64
    }

    pub fn total(&self) -> &A {
        &self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == A::default()
    }

    /// The slot of bucket `index`. Rings have one of two lengths, and naming them lets the
    /// compiler replace the division by a multiplication.
    fn slot(&self, index: i64) -> usize {
        const WINDOW: i64 = super::WINDOW_BUCKETS as i64;
        const BASELINE: i64 = super::BASELINE_BUCKETS as i64;
        let slot = match self.len() {
            WINDOW => index.rem_euclid(WINDOW),
            BASELINE => index.rem_euclid(BASELINE),
            len => index.rem_euclid(len),
        };
        slot as usize
    }

    /// The bucket holding `time`. Most times fall in the newest bucket or the one after it,
    /// which two multiplications tell, where a division would cost several times more.
    pub fn bucket_of(&self, time: i64) -> i64 {
        let start = self.newest.saturating_mul(self.width);
        let next = start.saturating_add(self.width);
        if start <= time && time < next {
            self.newest
        } else if next <= time && time < next.saturating_add(self.width) {
            self.newest + 1
        } else {
            time.div_euclid(self.width)
        }
    }

    /// Moves the newest bucket to the one holding `time`, handing each non-empty bucket that
    /// falls out of the window to `expired` (oldest first). Does nothing for an earlier time.
    // Inlined into each caller: one call per ring and roll-over cost 2 % of a signal when LLVM
    // chose not to (it decides by code placement, so an unrelated change can flip it).
    #[inline]
    pub fn roll_to(&mut self, time: i64, mut expired: impl FnMut(i64, &A)) {
        // Most calls stay in the newest bucket: a multiplication tells, where a division would
        // cost several times more.
        if time < self.next_roll() {
            return;
        }
        let target = self.bucket_of(time);
        if target <= self.newest {
            return;
        }
        let first_kept = target - self.len() + 1;
        let oldest = self.newest - self.len() + 1;
        for index in oldest..first_kept.min(self.newest + 1) {
            let slot = self.slot(index);
            if self.slots[slot] != A::default() {
                expired(index, &self.slots[slot]);
                self.slots[slot] = A::default();
            }
        }
        // Buckets between the old newest and the target start empty.
        for index in (self.newest + 1).max(first_kept)..target {
            let slot = self.slot(index);
            self.slots[slot] = A::default();
        }
        let slot = self.slot(target);
        self.slots[slot] = A::default();
        self.newest = target;
        let mut total = A::default();
        for slot in &self.slots {
            total.merge(slot);
        }
        self.total = total;
    }

    /// Adds a value at `time`. Returns false, and changes nothing, when `time` is older than
    /// the window; the caller must have rolled to `time` or later first.
    pub fn add(&mut self, time: i64, value: f64) -> bool {
        self.merge_at(self.bucket_of(time), &{
            let mut one = A::default();
            one.add(value);
            one
        })
    }

    /// Merges a whole bucket into the bucket `index`, if that bucket is still in the window.
    pub fn merge_at(&mut self, index: i64, bucket: &A) -> bool {
        if index > self.newest || index <= self.newest - self.len() {
            return false;
        }
        let slot = self.slot(index);
        self.slots[slot].merge(bucket);
        self.total.merge(bucket);
        true
    }

    /// The index of the newest bucket.
    pub fn newest(&self) -> i64 {
        self.newest
    }

    /// Every bucket in the ring with its index, oldest first.
    pub fn buckets(&self) -> impl Iterator<Item = (i64, &A)> {
        (self.newest - self.len() + 1..=self.newest)
            .map(|index| (index, &self.slots[self.slot(index)]))
    }

    /// When the newest bucket ends: rolling to an earlier time does nothing.
    pub fn next_roll(&self) -> i64 {
        (self.newest + 1).saturating_mul(self.width)
    }

    /// Reads the header and the newest bucket, where a new value lands (see
    /// `Run::warm_windows`).
    pub fn warm(&self) -> bool {
        self.slots[self.slot(self.newest)] == self.total
    }

    /// Whether the sizes match what a playbook expects and the newest bucket lies within the
    /// Timestamp range: guards restored snapshots against tampering.
    pub fn has_shape(&self, width: i64, buckets: usize) -> bool {
        let first = crate::time::MIN_MILLIS.div_euclid(self.width.max(1)) - 1;
        let last = crate::time::MAX_MILLIS.div_euclid(self.width.max(1)) + 1;
        self.width == width && self.slots.len() == buckets && (first..=last).contains(&self.newest)
    }

    /// Whether a restored ring holds what adding values could have made: every bucket
    /// possible, the running total the merge of the buckets, and the newest bucket in `newest`
    /// (where the run's clock puts it). Call after `has_shape`.
    pub fn is_consistent(&self, newest: std::ops::RangeInclusive<i64>) -> bool {
        let mut merged = A::default();
        for slot in &self.slots {
            if !slot.is_possible() {
                return false;
            }
            merged.merge(slot);
        }
        newest.contains(&self.newest) && self.total.is_possible() && self.total.agrees_with(&merged)
    }

    /// Heap bytes owned by the ring.
    pub fn heap_bytes(&self) -> usize {
        self.slots
            .capacity()
            .saturating_mul(std::mem::size_of::<A>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    #[test]
    fn values_age_out_bucket_by_bucket() {
        let mut ring: Ring<Total> = Ring::new(5 * MINUTE, 12, 0);
        ring.add(0, 10.0);
        ring.roll_to(30 * MINUTE, |_, _| {});
        ring.add(30 * MINUTE, 5.0);
        assert_eq!(ring.total().0, 15.0);
        let mut expired = Vec::new();
        ring.roll_to(60 * MINUTE, |index, bucket| expired.push((index, bucket.0)));
        assert_eq!(expired, [(0, 10.0)]);
        assert_eq!(ring.total().0, 5.0);
        ring.roll_to(10_000 * MINUTE, |_, _| {});
        assert!(ring.is_empty());
        assert_eq!(
            ring.next_roll(),
            10_005 * MINUTE,
            "the end of its newest bucket"
        );
    }

    #[test]
    fn late_values_land_in_their_bucket_or_are_refused() {
        let mut ring: Ring<Moments> = Ring::new(MINUTE, 3, 10 * MINUTE);
        assert!(ring.add(9 * MINUTE, 2.0));
        assert!(ring.add(8 * MINUTE, 4.0));
        assert!(!ring.add(7 * MINUTE, 100.0));
        assert!(!ring.add(11 * MINUTE, 100.0));
        assert_eq!(ring.total().mean(), Some(3.0));
        assert_eq!(ring.total().deviation(), Some(1.0));
    }

    #[test]
    fn the_bucket_of_a_time_is_its_floor_division_by_the_width() {
        for newest_at in [-70, -7, 0, 6, 7, 64] {
            let ring: Ring<Total> = Ring::new(7, 12, newest_at);
            for time in -100..100 {
                assert_eq!(ring.bucket_of(time), time.div_euclid(7), "time {time}");
            }
        }
    }

    #[test]
    fn a_huge_gap_costs_one_pass_over_the_slots() {
        let mut ring: Ring<Extremes> = Ring::new(MINUTE, 4, 0);
        ring.add(0, 3.0);
        ring.add(0, -1.0);
        let mut calls = 0;
        ring.roll_to(i64::MAX / 2, |_, _| calls += 1);
        assert_eq!(calls, 1);
        assert_eq!(ring.total().n, 0);
    }
}
