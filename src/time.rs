//! Instants on the run's clock: milliseconds since the Unix epoch, UTC.
//!
//! The engine never reads the wall clock. Time comes from signal timestamps and from
//! [`Run::advance_to`](crate::Run::advance_to).

use std::fmt;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::Duration;

/// An instant, with millisecond resolution.
///
/// ```
/// use crisis_playbook::{Duration, Timestamp};
///
/// let t: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// let later = t + Duration::from_secs(90);
/// assert_eq!(later.to_string(), "2026-03-02T08:01:30Z");
/// assert_eq!(later - t, Duration::from_secs(90));
/// # Ok::<(), crisis_playbook::TimestampError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Timestamp(i64);

/// A timestamp that could not be read or is out of range.
///
/// ```
/// let err = "2026-13-01T00:00:00Z".parse::<crisis_playbook::Timestamp>().unwrap_err();
/// assert!(err.to_string().contains("2026-13-01T00:00:00Z"), "{err}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TimestampError(String);

/// The latest supported instant: the year 9999. Later ones would overflow date arithmetic.
pub(crate) const MAX_MILLIS: i64 = 253_402_300_799_999;
/// The earliest supported instant: the year 0.
pub(crate) const MIN_MILLIS: i64 = -62_167_219_200_000;

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::Timestamp::EPOCH.as_millis(), 0);
    /// ```
    pub const EPOCH: Timestamp = Timestamp(0);

    /// An instant from milliseconds since the epoch, if it lies within the years 0 to 9999.
    ///
    /// ```
    /// assert!(crisis_playbook::Timestamp::from_millis(0).is_some());
    /// assert!(crisis_playbook::Timestamp::from_millis(i64::MAX).is_none());
    /// ```
    pub fn from_millis(millis: i64) -> Option<Timestamp> {
        (MIN_MILLIS..=MAX_MILLIS)
            .contains(&millis)
            .then_some(Timestamp(millis))
    }

    /// Milliseconds since the epoch.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::Timestamp::from_millis(42).unwrap().as_millis(), 42);
    /// ```
    pub fn as_millis(self) -> i64 {
        self.0
    }

    /// The instant as a chrono date-time.
    ///
    /// ```
    /// let t = crisis_playbook::Timestamp::from_millis(0).unwrap();
    /// assert_eq!(t.to_datetime().to_rfc3339(), "1970-01-01T00:00:00+00:00");
    /// ```
    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// This instant plus `duration`, saturating at the latest supported instant.
    pub(crate) fn plus(self, duration: Duration) -> Timestamp {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(millis).min(MAX_MILLIS))
    }

    /// This instant minus `duration`, saturating at the earliest supported instant.
    pub(crate) fn minus(self, duration: Duration) -> Timestamp {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_sub(millis).max(MIN_MILLIS))
    }

    /// Time from `earlier` to this instant, zero if `earlier` is later.
    pub(crate) fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }
}

/// A chrono date-time within the years 0 to 9999; later or earlier ones are refused, not
/// clamped, since a clamped time would silently move a signal by centuries.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use crisis_playbook::Timestamp;
///
/// let t = Timestamp::try_from(Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap())?;
/// assert_eq!(t.to_string(), "2026-03-02T08:00:00Z");
/// assert!(Timestamp::try_from(Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap()).is_err());
/// # Ok::<(), crisis_playbook::TimestampError>(())
/// ```
impl TryFrom<DateTime<Utc>> for Timestamp {
    type Error = TimestampError;

    fn try_from(time: DateTime<Utc>) -> Result<Self, Self::Error> {
        Timestamp::from_millis(time.timestamp_millis()).ok_or_else(|| {
            TimestampError(format!(
                "`{}` is outside the years 0 to 9999 that timestamps cover",
                time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
            ))
        })
    }
}

impl std::ops::Add<Duration> for Timestamp {
    type Output = Timestamp;

    fn add(self, duration: Duration) -> Timestamp {
        self.plus(duration)
    }
}

impl std::ops::Sub<Duration> for Timestamp {
    type Output = Timestamp;

    /// This instant minus `duration`, saturating at the year 0.
    ///
    /// ```
    /// use crisis_playbook::{Duration, Timestamp};
    /// let t: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// assert_eq!((t - Duration::from_secs(3600)).to_string(), "2026-03-02T07:00:00Z");
    /// # Ok::<(), crisis_playbook::TimestampError>(())
    /// ```
    fn sub(self, duration: Duration) -> Timestamp {
        self.minus(duration)
    }
}

impl std::ops::Sub for Timestamp {
    type Output = Duration;

    fn sub(self, earlier: Timestamp) -> Duration {
        self.since(earlier)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;

    /// Reads RFC 3339 (`2026-03-02T08:00:00Z`, `2026-03-02T09:00:00+01:00`), or a date and time
    /// with no zone (`2026-03-02 08:00:00`), taken as UTC.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let outside = || {
            TimestampError(format!(
                "`{text}` is outside the years 0 to 9999 that timestamps cover"
            ))
        };
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            return Timestamp::from_millis(time.timestamp_millis()).ok_or_else(outside);
        }
        for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
            if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(text, format) {
                return Timestamp::from_millis(naive.and_utc().timestamp_millis())
                    .ok_or_else(outside);
            }
        }
        Err(TimestampError(format!(
            "`{text}` is not a timestamp: use RFC 3339, such as `2026-03-02T08:00:00Z`"
        )))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            &self
                .to_datetime()
                .to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )
    }
}

impl From<Timestamp> for String {
    fn from(time: Timestamp) -> String {
        time.to_string()
    }
}

impl TryFrom<String> for Timestamp {
    type Error = TimestampError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_zones_and_naive_times_as_utc() {
        let utc: Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
        let paris: Timestamp = "2026-03-02T09:00:00+01:00".parse().unwrap();
        let naive: Timestamp = "2026-03-02 08:00:00".parse().unwrap();
        assert_eq!(utc, paris);
        assert_eq!(utc, naive);
        assert_eq!(utc.to_string(), "2026-03-02T08:00:00Z");
    }

    #[test]
    fn arithmetic_saturates_at_the_limits() {
        let last = Timestamp::from_millis(MAX_MILLIS).unwrap();
        assert_eq!(last + Duration::from_secs(10), last);
        let first = Timestamp::from_millis(MIN_MILLIS).unwrap();
        assert_eq!(first.minus(Duration::from_secs(10)), first);
        assert_eq!(first - last, Duration::ZERO);
        assert_eq!(last.to_string(), "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn timestamps_outside_the_years_0_to_9999_are_refused_not_clamped() {
        for text in [
            "+10000-01-01 00:00:00",
            "-5000-06-01T00:00:00",
            "-0001-12-31T23:59:59.999",
        ] {
            assert_eq!(
                text.parse::<Timestamp>().unwrap_err().to_string(),
                format!("`{text}` is outside the years 0 to 9999 that timestamps cover")
            );
        }
        assert!("0000-01-01T00:00:00Z".parse::<Timestamp>().is_ok());
        assert!("9999-12-31T23:59:59.999Z".parse::<Timestamp>().is_ok());
        // A zone can carry an instant across the limit.
        assert!("9999-12-31T23:30:00-01:00".parse::<Timestamp>().is_err());
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        let err = "yesterday".parse::<Timestamp>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`yesterday` is not a timestamp: use RFC 3339, such as `2026-03-02T08:00:00Z`"
        );
    }
}
