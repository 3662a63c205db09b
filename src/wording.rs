//! Text as matching sees it: case and accents folded, punctuation as word breaks; phrase sets
//! compiled once; the fingerprints that tell near-identical messages apart.
//!
//! French authors write "remboursé" and "rembourse", "Remboursement" and "REMBOURSEMENT" alike,
//! so every comparison of words goes through [`fold_into`]: lower case, accents removed (the
//! canonical decomposition without its combining marks), and every run of characters that are
//! neither letters nor digits turned into one space. The folded text starts and ends with a
//! space, so a whole word is a substring with a space on each side: one automaton search
//! answers both `contains` and `matches_word`.

use aho_corasick::AhoCorasick;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Appends `text`, folded, to `out` (which it clears first): ` word word `, lower case, without
/// accents, one space between words and one at each end. A text with no letter or digit folds
/// to a single space.
pub(crate) fn fold_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len().saturating_add(2));
    out.push(' ');
    let mut rest = text;
    // Most texts are mostly ASCII: a byte loop handles it, and hands each other character to
    // the slow path.
    while let Some(at) = fold_ascii(rest, out) {
        let (_, other) = rest.split_at(at);
        let mut chars = other.chars();
        let Some(c) = chars.next() else {
            break;
        };
        rest = chars.as_str();
        if c.is_alphanumeric() {
            decompose_canonical(c, |part| {
                if !is_combining_mark(part) {
                    out.extend(part.to_lowercase());
                }
            });
        } else if !is_combining_mark(c) {
            separate(out);
        }
    }
    separate(out);
}

/// Folds the ASCII start of `text` into `out`; returns where the first other character is.
fn fold_ascii(text: &str, out: &mut String) -> Option<usize> {
    let mut space = out.ends_with(' ');
    for (at, byte) in text.bytes().enumerate() {
        if byte.is_ascii_alphanumeric() {
            out.push(char::from(byte.to_ascii_lowercase()));
            space = false;
        } else if byte.is_ascii() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            return Some(at);
        }
    }
    None
}

/// Ends the current word, if any: runs of separators make one space.
fn separate(out: &mut String) {
    if !out.ends_with(' ') {
        out.push(' ');
    }
}

thread_local! {
    /// The buffer events' texts are folded into: one per thread, kept between events, so
    /// matching allocates only when a text is longer than any before it.
    static BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs `f` with this thread's folding buffer (a fresh one if it is already in use).
pub(crate) fn with_buffer<R>(f: impl FnOnce(&mut String) -> R) -> R {
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => f(&mut buffer),
        Err(_) => f(&mut String::new()),
    })
}

/// A set of phrases searched in folded texts: any of them as a substring (`contains`) or as
/// whole words (`matches_word`). Compiled once, when the playbook loads.
#[derive(Clone, Debug)]
pub(crate) struct PhraseSet {
    /// The phrases as the author wrote them, for explanations and fingerprints.
    written: Vec<String>,
    whole_words: bool,
    automaton: AhoCorasick,
}

/// Why a phrase cannot be searched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PhraseError {
    /// A phrase with no letter or digit: it would match every text, or none.
    #[error(
        "\"{0}\" has no letter or digit: matching ignores case, accents and punctuation, so it would match nothing"
    )]
    NoWord(String),
    /// No phrase at all.
    #[error("the list of phrases is empty: give at least one, such as `[refund]`")]
    Empty,
    /// The automaton could not be built (far beyond the loader's size limits).
    #[error("the phrases could not be compiled: {0}")]
    Build(String),
}

impl PhraseSet {
    /// Compiles `phrases`, folded, for substring (`whole_words` false) or whole-word search.
    pub(crate) fn new(phrases: &[String], whole_words: bool) -> Result<PhraseSet, PhraseError> {
        if phrases.is_empty() {
            return Err(PhraseError::Empty);
        }
        let mut folded = Vec::with_capacity(phrases.len());
        let mut buffer = String::new();
        for phrase in phrases {
            fold_into(phrase, &mut buffer);
            let core = buffer.trim();
            if core.is_empty() {
                return Err(PhraseError::NoWord(phrase.clone()));
            }
            folded.push(if whole_words {
                format!(" {core} ")
            } else {
                core.to_string()
            });
        }
        let automaton =
            AhoCorasick::new(&folded).map_err(|error| PhraseError::Build(error.to_string()))?;
        Ok(PhraseSet {
            written: phrases.to_vec(),
            whole_words,
            automaton,
        })
    }

    /// Whether a folded text holds any of the phrases.
    pub(crate) fn is_in(&self, folded: &str) -> bool {
        self.automaton.is_match(folded)
    }

    /// The phrases as written.
    pub(crate) fn written(&self) -> &[String] {
        &self.written
    }

    /// Whether phrases must be whole words.
    pub(crate) fn whole_words(&self) -> bool {
        self.whole_words
    }
}

/// A phrase set is part of its playbook's fingerprint as its phrases and its kind of match.
impl serde::Serialize for PhraseSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut fields = serializer.serialize_struct("PhraseSet", 2)?;
        fields.serialize_field("phrases", &self.written)?;
        fields.serialize_field("whole_words", &self.whole_words)?;
        fields.end()
    }
}

impl PartialEq for PhraseSet {
    fn eq(&self, other: &Self) -> bool {
        self.written == other.written && self.whole_words == other.whole_words
    }
}

/// A 64-bit hash that is the same on every platform and in every version of the crate, for
/// values kept in snapshots (authors, text fingerprints).
pub(crate) fn stable_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Two texts are near-identical when their fingerprints differ in at most this many of their
/// 64 bits. Unrelated texts differ in 32 bits on average, and in 10 or fewer about once in
/// 10,000 pairs even when they share a third of their words; one word changed in a message of
/// twenty words stays within 10 bits 86 % of the time (`one_word_edits_stay_near` measures
/// both; `docs/semantics.md` gives the figures).
pub(crate) const NEAR_BITS: u32 = 10;

/// The SimHash of a folded text over its words and its pairs of adjacent words, each weighing
/// one: bit i is set when more than half of those features have bit i set in their hash.
/// `None` for a text without words, which is never near another.
pub(crate) fn fingerprint(folded: &str) -> Option<u64> {
    // 64 counters kept as bit planes: adding a feature's hash to all of them at once is a
    // ripple-carry addition of one word per plane, a few operations instead of 64.
    let mut planes = [0u64; 32];
    let mut features: u64 = 0;
    let mut add = |mut carry: u64| {
        for plane in planes.iter_mut() {
            if carry == 0 {
                break;
            }
            let next = *plane & carry;
            *plane ^= carry;
            carry = next;
        }
        features = features.saturating_add(1);
    };
    let mut previous: Option<u64> = None;
    // The folded text is words separated by single spaces: split on the byte directly.
    for word in folded.as_bytes().split(|b| *b == b' ') {
        if word.is_empty() {
            continue;
        }
        let hash = stable_hash(word);
        add(hash);
        if let Some(before) = previous {
            add(pair(before, hash));
        }
        previous = Some(hash);
    }
    if features == 0 {
        return None;
    }
    // Lanes whose count exceeds half the features, compared plane by plane from the top.
    let half = features / 2;
    let mut greater = 0u64;
    let mut equal = u64::MAX;
    for (j, plane) in planes.iter().enumerate().rev() {
        if (half >> j) & 1 == 0 {
            greater |= equal & plane;
            equal &= !plane;
        } else {
            equal &= plane;
        }
    }
    Some(greater)
}

/// The hash of a pair of adjacent words, from theirs: order matters, so "refund now" and "now
/// refund" differ. The finalizer of MurmurHash3 spreads every input bit over every output bit,
/// which hashing the 16 bytes again would do at several times the cost.
fn pair(before: u64, word: u64) -> u64 {
    let mut h = before.rotate_left(31) ^ word;
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Whether two fingerprints are near-identical.
pub(crate) fn near(a: u64, b: u64) -> bool {
    (a ^ b).count_ones() <= NEAR_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> String {
        let mut out = String::new();
        fold_into(text, &mut out);
        out
    }

    #[test]
    fn folding_drops_case_accents_and_punctuation() {
        assert_eq!(folded("Remboursé ?!"), " rembourse ");
        assert_eq!(folded("REMBOURSEMENT, svp"), " remboursement svp ");
        assert_eq!(folded("l'Œuvre — ÇA  va…"), " l œuvre ca va ");
        assert_eq!(
            folded("#Boycott @Brand https://x.co/a"),
            " boycott brand https x co a "
        );
        // A combining accent written apart stays inside its word.
        assert_eq!(folded("e\u{301}te\u{301}"), " ete ");
        assert_eq!(folded("🔥🔥"), " ");
        assert_eq!(folded(""), " ");
    }

    #[test]
    fn contains_finds_substrings_and_matches_word_whole_words() {
        let phrases = [
            "refund".to_string(),
            "Remboursé".to_string(),
            "money back".to_string(),
        ];
        let contains = PhraseSet::new(&phrases, false).unwrap();
        let words = PhraseSet::new(&phrases, true).unwrap();
        for text in [
            "I want a REFUND",
            "toujours pas remboursé",
            "Money-back now",
            "refunds?",
        ] {
            assert!(contains.is_in(&folded(text)), "{text}");
        }
        assert!(words.is_in(&folded("Je veux être REMBOURSE.")));
        assert!(words.is_in(&folded("money... back")));
        assert!(!words.is_in(&folded("refunds please")));
        assert!(!words.is_in(&folded("remboursement")));
        assert!(!contains.is_in(&folded("nothing to see")));
    }

    #[test]
    fn phrases_without_words_are_refused() {
        assert_eq!(
            PhraseSet::new(&["!!".to_string()], false)
                .unwrap_err()
                .to_string(),
            "\"!!\" has no letter or digit: matching ignores case, accents and punctuation, so it would match nothing"
        );
        assert_eq!(PhraseSet::new(&[], true).unwrap_err(), PhraseError::Empty);
    }

    #[test]
    fn fingerprints_are_near_for_small_edits_and_far_for_other_texts() {
        let original = "Your new update deleted all my photos and support has not answered in three days, this is unacceptable";
        let fingerprint_of = |text: &str| fingerprint(&folded(text)).unwrap();
        let base = fingerprint_of(original);
        for edit in [
            "YOUR NEW UPDATE DELETED ALL MY PHOTOS AND SUPPORT HAS NOT ANSWERED IN THREE DAYS, THIS IS UNACCEPTABLE!!!",
            "your new update deleted all my photos and support has not answered in four days, this is unacceptable",
            "Your new update deleted all my photos and support has not answered in three days, this is unacceptable #fail",
        ] {
            let distance = (base ^ fingerprint_of(edit)).count_ones();
            assert!(near(base, fingerprint_of(edit)), "{distance} bits: {edit}");
        }
        let other = fingerprint_of(
            "Loved the new collection, the blue jacket fits perfectly and arrived early",
        );
        assert!(!near(base, other), "{} bits", (base ^ other).count_ones());
        assert_eq!(fingerprint(&folded("!!!")), None);
    }

    /// A small deterministic generator of messages over a vocabulary of 3,000 words.
    struct Messages(u64);

    impl Messages {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn word(&mut self) -> String {
            format!("w{}", self.next() % 3_000)
        }

        fn message(&mut self, words: usize) -> Vec<String> {
            (0..words).map(|_| self.word()).collect()
        }
    }

    #[test]
    fn one_word_edits_stay_near_and_unrelated_messages_do_not() {
        let fingerprint_of = |words: &[String]| fingerprint(&folded(&words.join(" "))).unwrap();
        let mut messages = Messages(42);
        // (words per message, least share of one-word edits that stay near)
        for (length, least) in [(12, 0.55), (20, 0.80), (40, 0.95)] {
            let (mut near_edits, mut near_others, mut near_overlapping) = (0, 0, 0);
            for _ in 0..2_000 {
                let text = messages.message(length);
                let mut edited = text.clone();
                let k = (messages.next() % length as u64) as usize;
                edited[k] = messages.word();
                // Another message that shares a third of its words with this one.
                let mut overlapping = messages.message(length);
                overlapping[..length / 3].clone_from_slice(&text[..length / 3]);
                let base = fingerprint_of(&text);
                near_edits += u32::from(near(base, fingerprint_of(&edited)));
                near_others += u32::from(near(base, fingerprint_of(&messages.message(length))));
                near_overlapping += u32::from(near(base, fingerprint_of(&overlapping)));
            }
            let share = f64::from(near_edits) / 2_000.0;
            assert!(share >= least, "{length} words: {share} of edits near");
            assert_eq!(near_others, 0, "{length} words");
            assert!(near_overlapping <= 1, "{length} words: {near_overlapping}");
        }
    }
}
