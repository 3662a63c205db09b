//! Durations as playbook authors write them: `90s`, `15m`, `2h30m`, `7d`.
//!
//! chrono has no parser for this notation, and humantime's errors carry no position, so the
//! parser is ours: it reports the byte offset of the first bad character, which the loader turns
//! into a column inside the YAML value.
#![expect(
    clippy::arithmetic_side_effects,
    reason = "positions within the text, and whole units taken out of a remainder that holds them"
)]
#![expect(
    clippy::indexing_slicing,
    reason = "each scan stops at `bytes.len()` before indexing"
)]

use std::fmt;

use serde::{Deserialize, Serialize};

/// A non-negative length of time, with millisecond resolution.
///
/// ```
/// use crisis_playbook::Duration;
///
/// let d: Duration = "2h30m".parse()?;
/// assert_eq!(d.as_secs(), 9_000);
/// assert_eq!(d.to_string(), "2h30m");
/// # Ok::<(), crisis_playbook::DurationError>(())
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(into = "String", try_from = "String")]
pub struct Duration {
    millis: u64,
}

/// Why a duration string was rejected.
///
/// ```
/// use crisis_playbook::{Duration, DurationError};
///
/// let err = "15x".parse::<Duration>().unwrap_err();
/// assert_eq!(err.offset(), 2);
/// assert!(err.to_string().contains("unknown unit `x`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DurationError {
    message: String,
    offset: usize,
}

impl DurationError {
    fn new(message: impl Into<String>, offset: usize) -> Self {
        DurationError {
            message: message.into(),
            offset,
        }
    }

    /// Byte offset of the problem inside the duration text.
    ///
    /// ```
    /// let err = "2h30x".parse::<crisis_playbook::Duration>().unwrap_err();
    /// assert_eq!(err.offset(), 4);
    /// ```
    pub fn offset(&self) -> usize {
        self.offset
    }
}

/// Units from largest to smallest, the order they must be written in.
const UNITS: [(&str, u64); 6] = [
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

impl Duration {
    /// The zero duration.
    ///
    /// ```
    /// assert!(crisis_playbook::Duration::ZERO.is_zero());
    /// ```
    pub const ZERO: Duration = Duration { millis: 0 };

    /// A duration of `millis` milliseconds.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::Duration::from_millis(1_500).to_string(), "1s500ms");
    /// ```
    pub const fn from_millis(millis: u64) -> Self {
        Duration { millis }
    }

    /// A duration of `secs` seconds, saturating at the largest duration.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::Duration::from_secs(3_600).to_string(), "1h");
    /// ```
    pub const fn from_secs(secs: u64) -> Self {
        Duration {
            millis: secs.saturating_mul(1_000),
        }
    }

    /// Whole milliseconds.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::Duration::from_secs(2).as_millis(), 2_000);
    /// ```
    pub const fn as_millis(self) -> u64 {
        self.millis
    }

    /// Whole seconds, rounded down.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::Duration::from_millis(2_999).as_secs(), 2);
    /// ```
    pub const fn as_secs(self) -> u64 {
        self.millis / 1_000
    }

    /// True for the zero duration.
    ///
    /// ```
    /// assert!(!crisis_playbook::Duration::from_secs(1).is_zero());
    /// ```
    pub const fn is_zero(self) -> bool {
        self.millis == 0
    }

    /// Parses the author's notation: one or more `<digits><unit>` groups, units `w d h m s ms`,
    /// largest first, each at most once (`1h30m`, not `30m1h` or `1h1h`).
    fn parse_notation(text: &str) -> Result<Duration, DurationError> {
        if text.is_empty() {
            return Err(DurationError::new(
                "empty duration: write a number and a unit, such as `15m`",
                0,
            ));
        }
        let bytes = text.as_bytes();
        let mut pos = 0;
        let mut total: u64 = 0;
        let mut last_unit: Option<usize> = None;
        while pos < bytes.len() {
            let digits_start = pos;
            while pos < bytes.len() && bytes[pos].is_ascii_digit() {
                pos += 1;
            }
            if pos == digits_start {
                let found = text[pos..].chars().next().unwrap_or(' ');
                let hint = if found == '-' {
                    "a duration cannot be negative".to_string()
                } else {
                    format!("expected a number at `{found}`: write durations like `15m` or `2h30m`")
                };
                return Err(DurationError::new(hint, pos));
            }
            let number: u64 = text[digits_start..pos]
                .parse()
                .map_err(|_| DurationError::new("duration is too large", digits_start))?;
            let unit_start = pos;
            while pos < bytes.len() && bytes[pos].is_ascii_alphabetic() {
                pos += 1;
            }
            let unit = &text[unit_start..pos];
            if unit.is_empty() {
                if let Some(error) = decimal_or_spaced(text, digits_start, pos) {
                    return Err(error);
                }
                return Err(DurationError::new(
                    format!(
                        "missing unit after `{}`: add one of w, d, h, m, s, ms",
                        &text[digits_start..pos]
                    ),
                    pos,
                ));
            }
            let Some(index) = UNITS.iter().position(|(name, _)| *name == unit) else {
                let hint = match unit_for_word(unit) {
                    Some((name, symbol)) => format!("{name} are `{symbol}`; units are"),
                    None => "use one of".to_string(),
                };
                return Err(DurationError::new(
                    format!("unknown unit `{unit}`: {hint} w, d, h, m, s, ms"),
                    unit_start,
                ));
            };
            if last_unit.is_some_and(|last| index <= last) {
                return Err(DurationError::new(
                    format!(
                        "unit `{unit}` is out of order: write the largest unit first, each once"
                    ),
                    unit_start,
                ));
            }
            last_unit = Some(index);
            total = number
                .checked_mul(UNITS[index].1)
                .and_then(|part| total.checked_add(part))
                .ok_or_else(|| DurationError::new("duration is too large", digits_start))?;
        }
        Ok(Duration { millis: total })
    }
}

/// The unit an author meant by a word (`min`, `hours`…), with its name for the message.
fn unit_for_word(word: &str) -> Option<(&'static str, &'static str)> {
    let word = word.to_ascii_lowercase();
    let word = word.trim_end_matches('s');
    Some(match word {
        "w" | "wk" | "week" => ("weeks", "w"),
        "d" | "day" | "j" | "jour" => ("days", "d"),
        "h" | "hr" | "hour" | "heure" => ("hours", "h"),
        "m" | "min" | "mn" | "minute" => ("minutes", "m"),
        "" | "sec" | "second" | "seconde" => ("seconds", "s"),
        "msec" | "millisecond" | "milli" => ("milliseconds", "ms"),
        _ => return None,
    })
}

/// The error for a number with no unit glued to it, when the author wrote a decimal (`1.5h`)
/// or put a space or a word after it (`15 min`): say what to write instead.
fn decimal_or_spaced(text: &str, digits_start: usize, digits_end: usize) -> Option<DurationError> {
    let rest = &text[digits_end..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let decimals = fraction.len()
            - fraction
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        let unit = &fraction[decimals..];
        let value: f64 = text[digits_start..digits_end + 1 + decimals].parse().ok()?;
        let (_, millis) = UNITS.iter().find(|(name, _)| *name == unit)?;
        let exact = Duration::from_millis((value * *millis as f64).round() as u64);
        return Some(DurationError::new(
            format!("decimals are not read: write whole units, as `{exact}`"),
            digits_end,
        ));
    }
    let word = rest.trim_start();
    if word.len() < rest.len() && word.starts_with(|c: char| c.is_ascii_alphabetic()) {
        let (_, symbol) = unit_for_word(word)?;
        return Some(DurationError::new(
            format!(
                "write the unit right after the number, as `{}{symbol}`: units are w, d, h, m, s, ms",
                &text[digits_start..digits_end]
            ),
            digits_end,
        ));
    }
    None
}

impl std::str::FromStr for Duration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Duration::parse_notation(text)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.millis == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.millis;
        // Weeks are accepted but not written: authors think of `7d` and `14d`, not `1w` and `2w`.
        for (name, size) in UNITS.into_iter().skip(1) {
            let count = rest / size;
            if count > 0 {
                write!(f, "{count}{name}")?;
                rest -= count * size;
            }
        }
        Ok(())
    }
}

impl From<Duration> for String {
    fn from(duration: Duration) -> String {
        duration.to_string()
    }
}

impl TryFrom<String> for Duration {
    type Error = DurationError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Duration> for std::time::Duration {
    fn from(duration: Duration) -> Self {
        std::time::Duration::from_millis(duration.millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_compound_durations() {
        let cases = [
            ("90s", 90_000),
            ("15m", 900_000),
            ("2h30m", 9_000_000),
            ("7d", 604_800_000),
            ("1w1d", 691_200_000),
            ("2w", 1_209_600_000),
            ("250ms", 250),
            ("0s", 0),
        ];
        for (text, millis) in cases {
            assert_eq!(
                text.parse::<Duration>().unwrap().as_millis(),
                millis,
                "{text}"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for text in ["2h30m", "14d", "1d12h", "1s500ms", "0s"] {
            assert_eq!(text.parse::<Duration>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn rejects_bad_notation_with_offsets() {
        let cases = [
            (
                "",
                0,
                "empty duration: write a number and a unit, such as `15m`",
            ),
            (
                "15",
                2,
                "missing unit after `15`: add one of w, d, h, m, s, ms",
            ),
            ("15x", 2, "unknown unit `x`: use one of w, d, h, m, s, ms"),
            (
                "1.5h",
                1,
                "decimals are not read: write whole units, as `1h30m`",
            ),
            (
                "0.25d",
                1,
                "decimals are not read: write whole units, as `6h`",
            ),
            (
                "15 min",
                2,
                "write the unit right after the number, as `15m`: units are w, d, h, m, s, ms",
            ),
            (
                "15min",
                2,
                "unknown unit `min`: minutes are `m`; units are w, d, h, m, s, ms",
            ),
            (
                "2 hours",
                1,
                "write the unit right after the number, as `2h`: units are w, d, h, m, s, ms",
            ),
            ("-5m", 0, "a duration cannot be negative"),
            (
                "30m1h",
                4,
                "unit `h` is out of order: write the largest unit first, each once",
            ),
            (
                "1h1h",
                3,
                "unit `h` is out of order: write the largest unit first, each once",
            ),
            ("99999999999999999999d", 0, "duration is too large"),
            ("999999999999w", 0, "duration is too large"),
            (
                "1h 30m",
                2,
                "expected a number at ` `: write durations like `15m` or `2h30m`",
            ),
        ];
        for (text, offset, message) in cases {
            let err = text.parse::<Duration>().unwrap_err();
            assert_eq!(
                (err.offset(), err.to_string().as_str()),
                (offset, message),
                "{text}"
            );
        }
    }
}
