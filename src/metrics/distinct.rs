//! `distinct`: how many different values of an attribute (authors) the window holds, exact
//! while few, then estimated by an UltraLogLog sketch that slides with the window.
//!
//! **Exact part.** While at most [`EXACT_LIMIT`] different values have been in the window since
//! it was last empty, the metric keeps each value's hash with the bucket it was last seen in,
//! and counts them: no estimate at all.
//!
//! **Sketch.** Past that, it keeps [`REGISTERS`] registers of an UltraLogLog sketch (Ertl,
//! "UltraLogLog: a practical and more space-efficient alternative to HyperLogLog", 2023). A
//! value's hash picks a register (its top 11 bits) and a level (one more than the number of
//! leading zeros of the rest); a register keeps the highest level its values reached and
//! whether the two levels below it were reached too, and the estimate reads all registers. To
//! slide, a register also keeps, for each of those three levels, the sixth of the window in
//! which it was last reached (3 bits each, 16 bits a register, 4 KiB in all). When a sixth
//! leaves the window, a level last reached in it is forgotten; when the highest one goes, the
//! next one still held takes its place. A register whose three levels all left the window is
//! emptied, although a value of a lower level may remain: the estimate is then low, and the
//! property tests measure by how much.
//!
//! The estimate is the "GRA" estimator of that paper: with m registers, a register at level
//! u (counted as u + 9 for m = 2048) with flags f contributes 2^-(u+9) × w(f) (w = 7/4, 3/4,
//! 5/4, 1/4 for none, the lower, the higher, both levels below seen); registers at the two
//! lowest levels and empty ones go into a correction for small counts. Its relative standard
//! error is √(0.634 / m), 1.8 % for m = 2048: within 5 % 99 % of the time at any count.
//!
//! Every sum is kept in integers, so the estimate after a snapshot is restored is the one the
//! run would have read.

#![expect(
    clippy::indexing_slicing,
    reason = "a register is picked by the top 11 bits of a hash among 2^11, a stamp is 3 bits among 8 slots, a weight by 2 bits among 4; a restored sketch of another length is refused before use"
)]
#![expect(
    clippy::arithmetic_side_effects,
    reason = "bucket indices stay within the Timestamp range (as in `window`), and the sums count at most 2^11 registers of weight below 2^55"
)]

use serde::{Deserialize, Serialize};

use super::window::{Nothing, Ring};

/// Values the exact part holds before the sketch takes over.
pub(crate) const EXACT_LIMIT: usize = 64;

/// Registers of the sketch: 2^11.
pub(crate) const REGISTERS: usize = 1 << PRECISION;
const PRECISION: u32 = 11;

/// Sixths of the window: a stamp names one (as its index modulo 7, plus 1); 0 is no stamp.
const SIXTHS: i64 = 6;
const STAMPS: i64 = 7;
const NO_STAMP: u16 = 0;

/// The distinct values of an attribute over a window of buckets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) struct DistinctCount {
    /// The window's buckets: where times fall, and when a bucket leaves.
    clock: Ring<Nothing>,
    values: Values,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Values {
    /// Each value's hash and the last bucket it was seen in, at most [`EXACT_LIMIT`].
    Exact(Vec<(u64, i64)>),
    Sketch(Sketch),
}

impl DistinctCount {
    /// An empty count over a window of `buckets` buckets of `width` ms, at `now`.
    pub fn new(width: i64, buckets: usize, now: i64) -> DistinctCount {
        DistinctCount {
            clock: Ring::new(width, buckets, now),
            values: Values::Exact(Vec::new()),
        }
    }

    pub fn clock(&self) -> &Ring<Nothing> {
        &self.clock
    }

    /// Moves the window to `now`, forgetting what left it.
    pub fn roll_to(&mut self, now: i64) {
        if now < self.clock.next_roll() {
            return;
        }
        let before = self.clock.newest();
        self.clock.roll_to(now, |_, _| {});
        let newest = self.clock.newest();
        if newest == before {
            return;
        }
        let oldest = newest - self.clock.len() + 1;
        match &mut self.values {
            Values::Exact(values) => values.retain(|(_, bucket)| *bucket >= oldest),
            Values::Sketch(sketch) => {
                sketch.expire(sixth(before), sixth(newest));
                if sketch.is_empty() {
                    self.values = Values::Exact(Vec::new());
                }
            }
        }
    }

    /// Counts a value, by its hash, seen at `time`; the window must have been rolled to the
    /// run's clock. A value older than the window is dropped.
    pub fn add(&mut self, hash: u64, time: i64) {
        let bucket = self.clock.bucket_of(time);
        let newest = self.clock.newest();
        if bucket > newest || bucket <= newest - self.clock.len() {
            return;
        }
        match &mut self.values {
            Values::Exact(values) => {
                if let Some((_, seen)) = values.iter_mut().find(|(h, _)| *h == hash) {
                    *seen = (*seen).max(bucket);
                    return;
                }
                if values.len() < EXACT_LIMIT {
                    // All the room at once: growing later would allocate in the steady state.
                    values.reserve_exact(EXACT_LIMIT.saturating_sub(values.len()));
                    values.push((hash, bucket));
                    return;
                }
                let mut sketch = Sketch::new();
                for (hash, bucket) in values.iter() {
                    sketch.add(*hash, sixth(*bucket), sixth(newest));
                }
                sketch.add(hash, sixth(bucket), sixth(newest));
                self.values = Values::Sketch(sketch);
            }
            Values::Sketch(sketch) => sketch.add(hash, sixth(bucket), sixth(newest)),
        }
    }

    /// The number of distinct values, `None` when the window holds none.
    pub fn value(&self) -> Option<f64> {
        match &self.values {
            Values::Exact(values) if values.is_empty() => None,
            Values::Exact(values) => Some(values.len() as f64),
            Values::Sketch(sketch) => Some(sketch.estimate()),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(&self.values, Values::Exact(values) if values.is_empty())
    }

    pub fn heap_bytes(&self) -> usize {
        match &self.values {
            Values::Exact(values) => values.capacity() * std::mem::size_of::<(u64, i64)>(),
            Values::Sketch(sketch) => std::mem::size_of_val(&*sketch.registers),
        }
    }

    /// Whether a restored count is one a run could have made by `now`, for a window of
    /// `buckets` buckets of `width` ms.
    pub fn is_consistent(&self, width: i64, buckets: usize, now: i64) -> bool {
        if !self.clock.has_shape(width, buckets) || self.clock.newest() != now.div_euclid(width) {
            return false;
        }
        let newest = self.clock.newest();
        let oldest = newest - self.clock.len() + 1;
        match &self.values {
            Values::Exact(values) => {
                values.len() <= EXACT_LIMIT
                    && values
                        .iter()
                        .all(|(_, bucket)| (oldest..=newest).contains(bucket))
                    && values
                        .iter()
                        .enumerate()
                        .all(|(i, (h, _))| values[..i].iter().all(|(other, _)| other != h))
            }
            Values::Sketch(sketch) => !sketch.is_empty() && sketch.is_consistent(sixth(newest)),
        }
    }
}

/// The sixth of the window a bucket falls in: two buckets make a sixth.
fn sixth(bucket: i64) -> i64 {
    bucket.div_euclid(2)
}

/// The stamp of sixth `k`.
fn stamp(k: i64) -> u16 {
    k.rem_euclid(STAMPS) as u16 + 1
}

/// How many sixths before `current` the stamp was made (0 for the current one).
fn age(stamp: u16, current: i64) -> i64 {
    (current - (i64::from(stamp) - 1)).rem_euclid(STAMPS)
}

/// The newer of two stamps (either may be [`NO_STAMP`]), at sixth `current`.
fn newer(a: u16, b: u16, current: i64) -> u16 {
    match (a, b) {
        (NO_STAMP, other) | (other, NO_STAMP) => other,
        _ if age(a, current) <= age(b, current) => a,
        _ => b,
    }
}

/// One register: the highest level reached (6 bits), and the stamps of that level and of the
/// two below it (3 bits each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
struct Register(u16);

impl Register {
    fn new(level: u16, top: u16, below: u16, lowest: u16) -> Register {
        Register(level | top << 6 | below << 9 | lowest << 12)
    }

    fn level(self) -> u16 {
        self.0 & 0x3f
    }

    fn stamps(self) -> [u16; 3] {
        [(self.0 >> 6) & 7, (self.0 >> 9) & 7, (self.0 >> 12) & 7]
    }

    /// What the estimator reads: the level, and whether the two levels below it were
    /// reached in the window.
    fn reading(self) -> (u16, u16) {
        let [_, below, lowest] = self.stamps();
        (
            self.level(),
            u16::from(below != NO_STAMP) << 1 | u16::from(lowest != NO_STAMP),
        )
    }
}

/// The sliding UltraLogLog registers, with the sums the estimate reads kept up to date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "SketchState", into = "SketchState")]
struct Sketch {
    registers: Box<[Register]>,
    /// Σ w(f) × 2^(64 − u) over registers above the small levels: the large-count sum in
    /// units of 2^-66, exact.
    large: u128,
    /// Registers at the small levels, by what they saw of levels 1 and 2: none (empty), 1
    /// only, 2 only, both.
    small: [u32; 4],
}

/// What a snapshot holds of a sketch: its registers; the sums are recomputed.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct SketchState(Box<[Register]>);

impl From<SketchState> for Sketch {
    fn from(state: SketchState) -> Sketch {
        let mut sketch = Sketch {
            registers: state.0,
            large: 0,
            small: [0; 4],
        };
        for index in 0..sketch.registers.len() {
            sketch.count(sketch.registers[index], true);
        }
        sketch
    }
}

impl From<Sketch> for SketchState {
    fn from(sketch: Sketch) -> SketchState {
        SketchState(sketch.registers)
    }
}

/// A level's weight by the flags of the two below it, in quarters: none, the lower one only,
/// the higher one only, both.
const WEIGHT: [u128; 4] = [7, 3, 5, 1];

impl Sketch {
    fn new() -> Sketch {
        Sketch {
            registers: vec![Register::default(); REGISTERS].into_boxed_slice(),
            large: 0,
            small: [REGISTERS as u32, 0, 0, 0],
        }
    }

    fn is_empty(&self) -> bool {
        self.small[0] as usize == REGISTERS
    }

    /// Adds (`add` true) or removes a register's part of the sums.
    fn count(&mut self, register: Register, add: bool) {
        let (level, flags) = register.reading();
        // Levels 0 (empty), 1 and 2 make the small-count correction, by what they saw of
        // levels 1 and 2.
        if level <= 2 {
            let seen = match level {
                0 => 0,
                1 => 1,
                _ => 2 | usize::from(flags & 2 != 0),
            };
            if add {
                self.small[seen] += 1;
            } else {
                self.small[seen] -= 1;
            }
            return;
        }
        // In the paper's scale a level u is u + p − 2; its contribution 2^-(u+p-2) × w/4 is
        // w × 2^(66 − u − p) in units of 2^-66, with 3 ≤ u ≤ 54 and p = 11.
        // A level past the highest possible (a tampered snapshot, which `is_consistent` then
        // refuses) counts nothing rather than overflowing.
        let Some(shift) = (66 - PRECISION).checked_sub(u32::from(level)) else {
            return;
        };
        let part = WEIGHT[usize::from(flags)] << shift;
        if add {
            self.large += part;
        } else {
            self.large -= part;
        }
    }

    fn set(&mut self, index: usize, register: Register) {
        let old = self.registers[index];
        if old.reading() != register.reading() {
            self.count(old, false);
            self.count(register, true);
        }
        self.registers[index] = register;
    }

    /// Adds a hash seen in sixth `at`, the window's newest sixth being `current`.
    fn add(&mut self, hash: u64, at: i64, current: i64) {
        // A bucket at the window's far edge may lie in a sixth that already left the sketch.
        if at > current || at <= current - SIXTHS {
            return;
        }
        let index = (hash >> (64 - PRECISION)) as usize;
        // The rest of the hash, with a guard bit that caps the level at 64 − p + 1 = 54.
        let rest = (hash << PRECISION) | (1 << (PRECISION - 1));
        let level = rest.leading_zeros() as u16 + 1;
        let t = stamp(at);
        let register = self.registers[index];
        let [top, below, lowest] = register.stamps();
        let u = register.level();
        let updated = if u == 0 {
            Register::new(level, t, NO_STAMP, NO_STAMP)
        } else if level > u {
            // The old levels move down under the new highest one, as far as they reach.
            match level - u {
                1 => Register::new(level, t, top, below),
                2 => Register::new(level, t, NO_STAMP, top),
                _ => Register::new(level, t, NO_STAMP, NO_STAMP),
            }
        } else if level == u {
            Register::new(u, newer(top, t, current), below, lowest)
        } else if level + 1 == u {
            Register::new(u, top, newer(below, t, current), lowest)
        } else if level + 2 == u {
            Register::new(u, top, below, newer(lowest, t, current))
        } else {
            return;
        };
        self.set(index, updated);
    }

    /// Forgets the sixths that left the window as the newest sixth moved from `from` to `to`.
    fn expire(&mut self, from: i64, to: i64) {
        if to <= from {
            return;
        }
        // The stamps of the sixths now out of the window: at most all seven.
        let mut gone = [false; STAMPS as usize + 1];
        for k in ((from - SIXTHS + 1)..=(to - SIXTHS))
            .rev()
            .take(STAMPS as usize)
        {
            gone[usize::from(stamp(k))] = true;
        }
        let live = |s: u16| s != NO_STAMP && !gone[usize::from(s)];
        for index in 0..self.registers.len() {
            let register = self.registers[index];
            if register.level() == 0 {
                continue;
            }
            let [top, below, lowest] = register.stamps();
            if live(top)
                && (below == NO_STAMP || live(below))
                && (lowest == NO_STAMP || live(lowest))
            {
                continue;
            }
            let keep = |s: u16| if live(s) { s } else { NO_STAMP };
            let (top, below, lowest) = (keep(top), keep(below), keep(lowest));
            let u = register.level();
            let updated = if top != NO_STAMP {
                Register::new(u, top, below, lowest)
            } else if below != NO_STAMP {
                // The level below becomes the highest; the one under it was not followed.
                Register::new(u - 1, below, lowest, NO_STAMP)
            } else if lowest != NO_STAMP && u > 2 {
                Register::new(u - 2, lowest, NO_STAMP, NO_STAMP)
            } else {
                Register::default()
            };
            self.set(index, updated);
        }
    }

    /// The GRA estimate of the number of distinct values.
    fn estimate(&self) -> f64 {
        let m = REGISTERS as f64;
        let mut sum = self.large as f64 / (1u128 << 66) as f64 * m;
        let [h0, h1, h2, h3] = self.small.map(f64::from);
        let alpha = h0 + h1;
        let beta = alpha + h2 + h3;
        if beta > 0.0 {
            let gamma = beta + alpha + 2.0 * (h0 + h2);
            let x = small_count_root(m, alpha, beta, gamma);
            sum += 0.25 * gamma + beta * x;
            if alpha > 0.0 {
                sum += 2.0 * alpha * x * x;
                if h0 > 0.0 {
                    sum += 4.0 * h0 * xi(x.powi(5)) / x;
                }
            }
        }
        if sum.is_infinite() {
            return 0.0;
        }
        m * m / (1.25 * std::f64::consts::LN_2) / sum
    }

    /// Whether restored registers are ones adding and expiring could have made at sixth
    /// `current`: levels in range, stamps of sixths in the window, and a level below the
    /// highest only where the highest is high enough to have it.
    fn is_consistent(&self, current: i64) -> bool {
        self.registers.len() == REGISTERS
            && self.registers.iter().all(|register| {
                let u = register.level();
                let [top, below, lowest] = register.stamps();
                let in_window =
                    |s: u16| s == NO_STAMP || (s <= STAMPS as u16 && age(s, current) < SIXTHS);
                if u == 0 {
                    return register.0 == 0;
                }
                u <= 64 - PRECISION as u16 + 1
                    && top != NO_STAMP
                    && in_window(top)
                    && in_window(below)
                    && in_window(lowest)
                    && (below == NO_STAMP || u >= 2)
                    && (lowest == NO_STAMP || u >= 3)
                    && register.0 >> 15 == 0
            })
    }
}

/// The root x of the small-count correction's equation, raised to the fourth power.
fn small_count_root(m: f64, alpha: f64, beta: f64, gamma: f64) -> f64 {
    let a = m - alpha;
    let b = m + 3.0 * beta;
    let x = ((4.0 * gamma * b + a * a).sqrt() - a) / (2.0 * b);
    x.powi(4)
}

/// ξ(x) = Σ_{k ≥ 0} 2^k x^(2^k), for 0 ≤ x < 1.
fn xi(mut x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return f64::INFINITY;
    }
    let mut sum = x;
    let mut weight = 2.0;
    loop {
        x *= x;
        let next = sum + x * weight;
        if next == sum {
            return sum;
        }
        sum = next;
        weight *= 2.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wording::stable_hash;

    const MINUTE: i64 = 60_000;

    fn author(seed: u64, i: u64) -> u64 {
        stable_hash(&[seed.to_le_bytes(), i.to_le_bytes()].concat())
    }

    #[test]
    fn counts_exactly_while_few() {
        let mut count = DistinctCount::new(5 * MINUTE, 12, 0);
        assert_eq!(count.value(), None);
        for i in 0..63 {
            count.add(author(1, i % 40), i as i64 * 1000);
        }
        assert_eq!(count.value(), Some(40.0));
        for i in 0..64 {
            count.add(author(1, i), 70_000);
        }
        assert_eq!(count.value(), Some(64.0));
        // An hour later every value has left the window.
        count.roll_to(61 * MINUTE);
        assert_eq!(count.value(), None);
    }

    #[test]
    fn a_value_leaves_with_the_last_bucket_it_was_seen_in() {
        let mut count = DistinctCount::new(5 * MINUTE, 12, 0);
        count.add(author(2, 1), 0);
        count.add(author(2, 2), 0);
        count.roll_to(30 * MINUTE);
        count.add(author(2, 1), 30 * MINUTE);
        count.roll_to(60 * MINUTE);
        assert_eq!(count.value(), Some(1.0));
        count.roll_to(90 * MINUTE);
        assert_eq!(count.value(), None);
    }

    #[test]
    fn estimates_within_a_few_percent_past_the_exact_limit() {
        for n in [65u64, 200, 2_000, 20_000, 200_000] {
            let mut count = DistinctCount::new(5 * MINUTE, 12, 0);
            for i in 0..n {
                count.add(author(3, i), 0);
            }
            let estimate = count.value().unwrap();
            let error = (estimate - n as f64).abs() / n as f64;
            assert!(error < 0.06, "{n}: {estimate}");
        }
    }

    #[test]
    fn the_sketch_empties_with_its_window_and_counts_exactly_again() {
        let mut count = DistinctCount::new(5 * MINUTE, 12, 0);
        for i in 0..1_000 {
            count.add(author(4, i), 0);
        }
        assert_eq!(count.heap_bytes(), 4_096);
        count.roll_to(2 * 60 * MINUTE);
        assert_eq!(count.value(), None);
        count.add(author(4, 1), 2 * 60 * MINUTE);
        assert_eq!(count.value(), Some(1.0));
    }

    #[test]
    fn a_restored_sketch_reads_the_same() {
        let mut count = DistinctCount::new(5 * MINUTE, 12, 0);
        for i in 0..5_000 {
            count.add(author(5, i), i as i64 * 600);
        }
        count.roll_to(3_000_000);
        let json = serde_json::to_string(&count).unwrap();
        let restored: DistinctCount = serde_json::from_str(&json).unwrap();
        assert_eq!(restored, count);
        assert_eq!(restored.value(), count.value());
        assert!(restored.is_consistent(5 * MINUTE, 12, 3_000_000));
        assert!(!restored.is_consistent(5 * MINUTE, 12, 9_000_000));
    }

    /// The exact count the sketch stands for: values seen in the window's last six sixths
    /// (exact mode counts its 12 buckets).
    fn exact(seen: &[(u64, i64)], now_bucket: i64, sixths: bool) -> usize {
        let mut live: Vec<u64> = seen
            .iter()
            .filter(|(_, bucket)| {
                if sixths {
                    sixth(*bucket) > sixth(now_bucket) - SIXTHS
                } else {
                    *bucket > now_bucket - 12
                }
            })
            .map(|(hash, _)| *hash)
            .collect();
        live.sort_unstable();
        live.dedup();
        live.len()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

        /// While few values are in the window the count is exact; past 64 it stays within 6 %
        /// of the values in the sketch's window, however values come and go.
        #[test]
        fn the_count_follows_the_exact_count_of_a_sliding_window(
            pool in proptest::sample::select(vec![40u64, 300, 5_000]),
            steps in proptest::collection::vec((0u64..1_000_000, 0i64..20_000), 100..600),
            seed in 0u64..1_000,
        ) {
            let mut count = DistinctCount::new(5 * MINUTE, 12, 0);
            let mut seen: Vec<(u64, i64)> = Vec::new();
            let mut now = 0;
            for (k, (pick, gap)) in steps.iter().enumerate() {
                now += gap;
                count.roll_to(now);
                let hash = author(seed, pick % pool);
                // Bursts: several values at one instant.
                for extra in 0..(k as u64 % 7) {
                    let hash = author(seed, (pick + extra * 7919) % pool);
                    count.add(hash, now);
                    seen.push((hash, now.div_euclid(5 * MINUTE)));
                }
                count.add(hash, now);
                seen.push((hash, now.div_euclid(5 * MINUTE)));
                let bucket = now.div_euclid(5 * MINUTE);
                let value = count.value().unwrap_or(0.0);
                match &count.values {
                    Values::Exact(_) => {
                        proptest::prop_assert_eq!(value as usize, exact(&seen, bucket, false));
                    }
                    Values::Sketch(_) => {
                        // Never high by more than the sketch's error; low by what the
                        // registers forget as values leave (`docs/semantics.md`: up to a
                        // fifth while authors keep changing, the known limit of this sketch).
                        let truth = exact(&seen, bucket, true) as f64;
                        proptest::prop_assert!(
                            value <= 1.06 * truth + 2.0 && value >= 0.75 * truth - 2.0,
                            "{} against {}", value, truth
                        );
                    }
                }
            }
        }
    }

    /// The bar of `docs/semantics.md`: within 5 % in 99 % of 1,000 windows of 1 M authors.
    #[test]
    #[ignore = "1 G additions: run in release (`cargo test --release -- --ignored`)"]
    fn one_million_authors_are_counted_within_5_percent_in_99_of_1000_seeds() {
        let n = 1_000_000u64;
        let mut errors: Vec<f64> = (0..1_000u64)
            .map(|seed| {
                let mut count = DistinctCount::new(5 * MINUTE, 12, 0);
                for i in 0..n {
                    count.add(author(seed, i), 0);
                }
                (count.value().unwrap() - n as f64).abs() / n as f64
            })
            .collect();
        errors.sort_by(f64::total_cmp);
        let (median, p99) = (errors[499], errors[989]);
        println!(
            "1 M authors, 1,000 seeds: median error {median:.4}, p99 {p99:.4}, worst {:.4}",
            errors[999]
        );
        assert!(p99 <= 0.05, "p99 {p99}");
    }

    /// The figures of `docs/semantics.md` ("Known limit: churn"): at a steady state of
    /// authors arriving every bucket, what the sketch reads against the exact count of its
    /// sixths.
    #[test]
    #[ignore = "a measurement: run in release (`cargo test --release --lib churn -- --ignored --nocapture`)"]
    fn churn_makes_the_sketch_read_low() {
        for (per_bucket, pool, floor) in [
            (100u64, None, 0.9),
            (1_000, Some(5_000u64), 0.95),
            (1_000, None, 0.7),
            (10_000, None, 0.55),
        ] {
            let mut count = DistinctCount::new(5 * MINUTE, 12, 0);
            let mut seen: Vec<(u64, i64)> = Vec::new();
            let mut ratios = Vec::new();
            let mut i = 0u64;
            for bucket in 0..60i64 {
                count.roll_to(bucket * 5 * MINUTE);
                for _ in 0..per_bucket {
                    let id = pool.map_or(i, |pool| stable_hash(&i.to_le_bytes()) % pool);
                    i += 1;
                    count.add(author(6, id), bucket * 5 * MINUTE);
                    seen.push((author(6, id), bucket));
                }
                if bucket > 24 {
                    ratios.push(count.value().unwrap() / exact(&seen, bucket, true) as f64);
                }
            }
            let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
            println!("{per_bucket} a bucket from {pool:?} authors: reads {mean:.2} of the truth");
            assert!(mean >= floor, "{mean}");
        }
    }
}
