//! `near_duplicates`: the share of a window's texts that nearly repeat an earlier text of the
//! window, as a raid's copied messages do.
//!
//! Two texts are near-identical when the SimHash fingerprints of their words and pairs of
//! adjacent words, case, accents and punctuation aside, differ in at most
//! [`NEAR_BITS`](crate::wording::NEAR_BITS) of their 64 bits (`wording::fingerprint`). A text
//! is a *repeat* when, as it arrives, a text near it was seen in the window: the first of a
//! copied message is not a repeat, each copy after it is. A text without a word is never one.
//!
//! The metric keeps the fingerprints of at most [`RECENT`] texts with the bucket each was last
//! seen in and how often it was seen or matched. While the window holds no more different
//! fingerprints than that, it is exact; past it, a new fingerprint replaces one that left the
//! window, or else the one matched least (the oldest of them), so a text copied again and again
//! keeps its place while one-off texts come and go.

#![expect(
    clippy::indexing_slicing,
    reason = "fingerprints are indexed by positions found in them"
)]
#![expect(
    clippy::arithmetic_side_effects,
    reason = "bucket indices stay within the Timestamp range (as in `window`)"
)]

use serde::{Deserialize, Serialize};

use super::WINDOW_BUCKETS;
use super::window::{Ring, Total};
use crate::wording::near;

/// The fingerprints the metric keeps.
pub(crate) const RECENT: usize = 64;

/// The share of a window's texts that nearly repeat an earlier one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RepeatShare {
    /// Events that carried the text, per bucket.
    texts: Ring<Total>,
    /// Those that were repeats.
    repeats: Ring<Total>,
    recent: Vec<Fingerprint>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
struct Fingerprint {
    bits: u64,
    /// The last bucket it was seen in.
    bucket: i64,
    /// How often it was seen or matched.
    hits: u32,
}

impl RepeatShare {
    pub fn new(width: i64, now: i64) -> RepeatShare {
        RepeatShare {
            texts: Ring::new(width, WINDOW_BUCKETS, now),
            repeats: Ring::new(width, WINDOW_BUCKETS, now),
            recent: Vec::new(),
        }
    }

    pub fn rings(&self) -> [&Ring<Total>; 2] {
        [&self.texts, &self.repeats]
    }

    fn oldest(&self) -> i64 {
        self.texts.newest() - self.texts.len() + 1
    }

    /// Moves the window to `now`, forgetting the fingerprints that left it.
    pub fn roll_to(&mut self, now: i64) {
        if now < self.texts.next_roll() {
            return;
        }
        self.texts.roll_to(now, |_, _| {});
        self.repeats.roll_to(now, |_, _| {});
        let oldest = self.oldest();
        self.recent.retain(|f| f.bucket >= oldest);
    }

    /// Counts a text at `time`, by its fingerprint (`None` for a text without words); the
    /// window must have been rolled to the run's clock. A text older than the window is
    /// dropped.
    pub fn add(&mut self, fingerprint: Option<u64>, time: i64) {
        let bucket = self.texts.bucket_of(time);
        if !self.texts.add(time, 1.0) {
            return;
        }
        let Some(bits) = fingerprint else {
            return;
        };
        let oldest = self.oldest();
        let mut repeat = false;
        let mut same = None;
        for (index, seen) in self.recent.iter_mut().enumerate() {
            if seen.bucket >= oldest && near(seen.bits, bits) {
                repeat = true;
                seen.hits = seen.hits.saturating_add(1);
                // Only the same text is seen again: a text near it may not be near the next.
                if seen.bits == bits {
                    seen.bucket = seen.bucket.max(bucket);
                    same = Some(index);
                }
            }
        }
        if repeat {
            self.repeats.add(time, 1.0);
        }
        if same.is_some() {
            return;
        }
        let new = Fingerprint {
            bits,
            bucket,
            hits: 1,
        };
        if self.recent.len() < RECENT {
            // All the room at once, when the first text comes: growing later would allocate in
            // the steady state.
            self.recent
                .reserve_exact(RECENT.saturating_sub(self.recent.len()));
            self.recent.push(new);
            return;
        }
        // One that left the window, or else the least matched, the oldest of those.
        let replaced = self
            .recent
            .iter()
            .enumerate()
            .min_by_key(|(_, f)| (f.bucket >= oldest, f.hits, f.bucket))
            .map_or(0, |(index, _)| index);
        self.recent[replaced] = new;
    }

    /// Repeats over texts in the window, `None` when it holds no text.
    pub fn value(&self) -> Option<f64> {
        let texts = self.texts.total().0;
        (texts > 0.0).then(|| self.repeats.total().0 / texts)
    }

    pub fn heap_bytes(&self) -> usize {
        self.texts
            .heap_bytes()
            .saturating_add(self.repeats.heap_bytes())
            .saturating_add(self.recent.capacity() * std::mem::size_of::<Fingerprint>())
    }

    /// Whether restored fingerprints are ones counting could have made: at most [`RECENT`],
    /// in the window, seen at least once, and no more repeats than texts in any bucket. Call
    /// after the rings' own checks.
    pub fn is_consistent(&self) -> bool {
        let (oldest, newest) = (self.oldest(), self.texts.newest());
        self.recent.len() <= RECENT
            && self
                .recent
                .iter()
                .all(|f| (oldest..=newest).contains(&f.bucket) && f.hits > 0)
            && self
                .texts
                .buckets()
                .zip(self.repeats.buckets())
                .all(|((_, texts), (_, repeats))| repeats.0 <= texts.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wording::{fingerprint, fold_into};

    const MINUTE: i64 = 60_000;

    fn print(text: &str) -> Option<u64> {
        let mut folded = String::new();
        fold_into(text, &mut folded);
        fingerprint(&folded)
    }

    #[test]
    fn copies_after_the_first_are_repeats() {
        let mut share = RepeatShare::new(5 * MINUTE, 0);
        assert_eq!(share.value(), None);
        let raid = "Boycott this brand now, they lied to all of us about the recall #boycott";
        share.add(print(raid), 0);
        share.add(print(&raid.to_uppercase()), 1_000);
        share.add(print(&format!("{raid} !!!")), 2_000);
        share.add(print("I only wanted to know when my order ships"), 3_000);
        assert_eq!(share.value(), Some(0.5));
        share.add(print("🔥"), 4_000);
        assert_eq!(share.value(), Some(0.4));
    }

    #[test]
    fn a_text_is_a_repeat_only_of_one_still_in_the_window() {
        let mut share = RepeatShare::new(5 * MINUTE, 0);
        let text = "Same complaint, same words, posted again and again by the same accounts";
        share.add(print(text), 0);
        share.roll_to(61 * MINUTE);
        share.add(print(text), 61 * MINUTE);
        assert_eq!(share.value(), Some(0.0));
        share.add(print(text), 62 * MINUTE);
        assert_eq!(share.value(), Some(0.5));
        assert!(share.is_consistent());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Exact under its definition (a text near one seen in the window before it) while the
        /// window holds at most 64 different fingerprints.
        #[test]
        fn the_share_is_the_exact_share_of_repeats_while_few_texts(
            steps in proptest::collection::vec((0usize..40, 0usize..8, 0i64..120_000), 50..600),
        ) {
            // Forty messages; an edit changes one of their eight words.
            let words = ["refund", "now", "this", "brand", "lied", "about", "recall", "again", "order", "late"];
            let text = |message: usize, edit: usize| {
                let mut picked: Vec<&str> = (0..8).map(|k| words[(message * 7 + k * 3) % words.len()]).collect();
                if edit < 8 && message.is_multiple_of(2) {
                    picked[edit] = "changed";
                }
                format!("{} #{message}", picked.join(" "))
            };
            let mut share = RepeatShare::new(5 * MINUTE, 0);
            let mut seen: Vec<(u64, i64)> = Vec::new();
            let (mut texts, mut repeats) = (Vec::new(), Vec::new());
            let mut now = 0;
            for (message, edit, gap) in steps {
                now += gap;
                share.roll_to(now);
                let bits = print(&text(message, edit)).unwrap();
                let bucket = now.div_euclid(5 * MINUTE);
                let repeat = seen.iter().any(|(b, at)| *at > bucket - 12 && near(*b, bits));
                share.add(Some(bits), now);
                seen.push((bits, bucket));
                texts.push(bucket);
                if repeat {
                    repeats.push(bucket);
                }
                let in_window = |list: &Vec<i64>| list.iter().filter(|b| **b > bucket - 12).count() as f64;
                let mut distinct: Vec<u64> = seen.iter().filter(|(_, at)| *at > bucket - 12).map(|(b, _)| *b).collect();
                distinct.sort_unstable();
                distinct.dedup();
                if distinct.len() <= RECENT {
                    proptest::prop_assert_eq!(share.value(), Some(in_window(&repeats) / in_window(&texts)));
                }
                proptest::prop_assert!(share.is_consistent());
            }
        }
    }
}
