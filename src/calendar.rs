//! Calendars: the hours a team works in its own time zone, its holidays and exceptional days,
//! and time counted in those hours (`within: 2h office`).
//!
//! Time zones come from the IANA database that jiff compiles into the crate: no file of the
//! machine is read, so a run gives the same result everywhere. `docs/semantics.md`
//! ("Calendars") states every rule this module implements.
#![expect(
    clippy::arithmetic_side_effects,
    reason = "instants are milliseconds within the years 0 to 9999 and minutes lie within a day, far from the bounds of their types; a length is added to an instant only once it fits before a closing time"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use jiff::civil::{Date, DateTime};
use jiff::tz::{self, AmbiguousOffset, TimeZoneDatabase};

use crate::text::WallTime;
use crate::time::MAX_MILLIS;
use crate::{Duration, Timestamp};

/// The time-zone database compiled into the crate, never the system's.
static ZONES: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// Minutes in a day: `24:00` closes a day's hours at the next midnight.
const DAY_MINUTES: u16 = 24 * 60;

/// The days of the week as written, Monday first.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One stretch of opening hours in a day, in minutes from local midnight: `start` included,
/// `end` excluded, `end` up to 24:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hours {
    start: u16,
    end: u16,
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", clock(self.start), clock(self.end))
    }
}

/// Minutes from midnight as a clock shows them: `09:30`.
fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Why a calendar, or a part of one, cannot be used. The loader adds the position in the
/// playbook; a run's settings report it as it is.
///
/// ```
/// use crisis_playbook::Calendar;
///
/// let error = Calendar::always_open("Europe/Pari").unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "unknown time zone `Europe/Pari`; did you mean `Europe/Paris`?"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// A time-zone name the database does not know.
    #[error("unknown time zone `{name}`{}", if hint.is_empty() { ": write an IANA name such as `Europe/Paris`, `America/Toronto` or `UTC`" } else { hint })]
    UnknownTimeZone {
        /// The name given.
        name: String,
        /// A suggestion, or the empty string.
        hint: String,
    },
    /// A stretch of hours that is not two clock times from 00:00 to 24:00.
    #[error(
        "`{0}` is not a stretch of hours: write it as `09:00-18:00`, with times from 00:00 to 24:00; give several separated by commas, or `closed`"
    )]
    Hours(String),
    /// A stretch of hours that ends when it starts.
    #[error("`{0}` is empty: a stretch of hours ends after it starts")]
    EmptyHours(String),
    /// A stretch of hours that ends before it starts: one that would cross midnight.
    #[error(
        "`{stretch}` crosses midnight: a day's hours stay within it, so write `{start}-24:00` on one day and `00:00-{end}` on the next"
    )]
    AcrossMidnight {
        /// The stretch as written.
        stretch: String,
        /// Its start.
        start: String,
        /// Its end.
        end: String,
    },
    /// Two stretches of one day's hours that overlap.
    #[error("`{first}` and `{second}` overlap: write each hour of the day once")]
    Overlap {
        /// The earlier stretch.
        first: String,
        /// The stretch that overlaps it.
        second: String,
    },
    /// A key of `hours` that is not a day or a range of days.
    #[error(
        "`{0}` is not a day of the week: write `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`, or a range such as `mon-fri`"
    )]
    Day(String),
    /// A day of the week given hours under two keys.
    #[error(
        "`{day}` has hours under two keys (`{first}` and `{second}`): give each day its hours once"
    )]
    DayTwice {
        /// The day.
        day: String,
        /// The first key that covers it.
        first: String,
        /// The second.
        second: String,
    },
    /// Text that is not a date.
    #[error("`{0}` is not a date: write it as `2026-05-01`")]
    Date(String),
    /// A date listed both as a holiday and with exceptional hours.
    #[error("{0} is both a holiday and an exception: keep one")]
    HolidayAndException(String),
    /// A calendar with no opening hours at all.
    #[error(
        "the calendar is never open: give `hours` for at least one day, or an exception with hours"
    )]
    NeverOpen,
}

/// Opening hours in a time zone: hours per day of the week, holidays, and exceptional days
/// whose hours replace the week's (a product launch on a Saturday).
///
/// Playbooks declare calendars under `calendars:` (`docs/playbook-format.md`); a run can replace
/// one per subject ([`RunSettings::calendar`](crate::RunSettings::calendar)) or move them all
/// to the subject's time zone ([`RunSettings::time_zone`](crate::RunSettings::time_zone)).
///
/// ```
/// use crisis_playbook::{Calendar, Duration, Timestamp};
///
/// let office = Calendar::from_yaml_str(r#"
/// time_zone: Europe/Paris
/// hours: { mon-fri: "09:00-18:00" }
/// "#)?;
/// // Friday 17:30 in Paris, plus two working hours: Monday 10:30.
/// let asked: Timestamp = "2026-03-06T17:30:00+01:00".parse()?;
/// let due = office.after_working_time(asked, Duration::from_secs(2 * 3600)).unwrap();
/// assert_eq!(office.local_time(due), "2026-03-09T10:30:00+01:00");
/// assert!(!office.is_open(asked + Duration::from_secs(3600)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Calendar {
    zone_name: String,
    zone: tz::TimeZone,
    /// Monday first.
    week: [Vec<Hours>; 7],
    holidays: BTreeSet<Date>,
    exceptions: BTreeMap<Date, Vec<Hours>>,
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Calendar) -> bool {
        // The name determines the zone: comparing names compares zones.
        self.zone_name == other.zone_name
            && self.week == other.week
            && self.holidays == other.holidays
            && self.exceptions == other.exceptions
    }
}

/// The time zone named `name` in the bundled database, with its canonical name.
pub(crate) fn time_zone(name: &str) -> Result<(String, tz::TimeZone), CalendarError> {
    match ZONES.get(name.trim()) {
        Ok(zone) => {
            let canonical = zone.iana_name().unwrap_or(name.trim()).to_string();
            Ok((canonical, zone))
        }
        Err(_) => Err(CalendarError::UnknownTimeZone {
            name: name.to_string(),
            hint: zone_hint(name.trim()),
        }),
    }
}

/// What to write instead of an unknown zone name: the zone of a city named alone (`Tokyo`,
/// `new york`), advice for an abbreviation (`JST` is a typo away from `EST`, a different
/// zone), or the closest spelling.
fn zone_hint(name: &str) -> String {
    let names: Vec<String> = ZONES.available().map(|n| n.as_str().to_string()).collect();
    let city = name.replace(' ', "_");
    if let Some(zone) = names.iter().find(|zone| {
        zone.rsplit_once('/')
            .is_some_and(|(_, place)| place.eq_ignore_ascii_case(&city))
    }) {
        return format!("; did you mean `{zone}`?");
    }
    let abbreviation =
        (2..=5).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_uppercase());
    if abbreviation {
        return ": abbreviations name no zone (they are ambiguous and do not follow daylight saving): write the IANA name of a place in it, such as `Asia/Tokyo` or `Europe/Paris`".to_string();
    }
    crate::diagnostic::suggestion(name, names.iter().map(String::as_str)).unwrap_or_default()
}

/// A day of the week's name as written, Monday = 0.
pub(crate) fn weekday_name(day: usize) -> &'static str {
    WEEKDAYS.get(day).copied().unwrap_or("?")
}

/// The days of the week a key of `hours` names, Monday = 0: `mon`, or a range `mon-fri` (which
/// may wrap, as `fri-mon`).
pub(crate) fn parse_days(key: &str) -> Result<Vec<usize>, CalendarError> {
    let day = |text: &str| {
        WEEKDAYS
            .iter()
            .position(|d| d.eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| CalendarError::Day(key.to_string()))
    };
    match key.split_once('-') {
        None => Ok(vec![day(key)?]),
        Some((first, last)) => {
            let (first, last) = (day(first)?, day(last)?);
            let count = (last + 7 - first) % 7 + 1;
            Ok((0..count).map(|i| (first + i) % 7).collect())
        }
    }
}

/// One day's hours: `09:00-12:30, 13:30-18:00`, or `closed` for none. Stretches must not
/// overlap; they are returned in order.
pub(crate) fn parse_hours(text: &str) -> Result<Vec<Hours>, CalendarError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let minute = |clock: &str| -> Option<u16> {
        let (h, m) = clock.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    };
    let mut hours = Vec::new();
    for stretch in text.split(',') {
        let (start, end) = stretch
            .split_once('-')
            .and_then(|(a, b)| Some((minute(a)?, minute(b)?)))
            .ok_or_else(|| CalendarError::Hours(stretch.trim().to_string()))?;
        match start.cmp(&end) {
            std::cmp::Ordering::Less => hours.push(Hours { start, end }),
            std::cmp::Ordering::Equal => {
                return Err(CalendarError::EmptyHours(stretch.trim().to_string()));
            }
            std::cmp::Ordering::Greater => {
                return Err(CalendarError::AcrossMidnight {
                    stretch: stretch.trim().to_string(),
                    start: clock(start),
                    end: clock(end),
                });
            }
        }
    }
    hours.sort_unstable();
    for pair in hours.windows(2) {
        if let [first, second] = pair
            && second.start < first.end
        {
            return Err(CalendarError::Overlap {
                first: first.to_string(),
                second: second.to_string(),
            });
        }
    }
    Ok(hours)
}

/// A date written `2026-05-01`.
pub(crate) fn parse_date(text: &str) -> Result<Date, CalendarError> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let well_formed =
        bytes.len() == 10 && bytes.get(4) == Some(&b'-') && bytes.get(7) == Some(&b'-');
    well_formed
        .then(|| text.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| CalendarError::Date(text.to_string()))
}

/// The instant a local date and time means in `zone`: the first instant at which a wall clock
/// there shows that time or a later one. A time the clock skips (02:30 when it jumps from
/// 02:00 to 03:00) is the instant of the jump; a time it shows twice (02:30 when it goes back
/// from 03:00 to 02:00) is the first of the two. `None` beyond the years the crate covers.
pub(crate) fn local_instant(zone: &tz::TimeZone, local: DateTime) -> Option<Timestamp> {
    let instant = match zone.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(local).ok()?,
        // `before` is the offset before the clock goes back, the larger one: the first time.
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(local).ok()?,
        AmbiguousOffset::Gap { before, .. } => {
            // Read with the offset before the jump, the time lies past the jump; the jump is
            // the latest transition at or before it.
            let past = before.to_timestamp(local).ok()?;
            let just_after = past.checked_add(jiff::SignedDuration::from_nanos(1)).ok()?;
            zone.preceding(just_after)
                .next()
                .map_or(past, |transition| transition.timestamp())
        }
    };
    Timestamp::from_millis(instant.as_millisecond())
}

/// A time as a person writes it: RFC 3339 with its offset (`2026-03-02T08:00:00Z`), or a local
/// date and time followed by its time zone (`2026-03-29T01:30 Europe/Paris`), or without a zone
/// in `default_zone`. A local time means what [`local_instant`] says; with no zone at all, a
/// time without an offset is UTC.
pub(crate) fn parse_time(text: &str, default_zone: Option<&str>) -> Result<Timestamp, String> {
    let text = text.trim();
    let (time, zone) = match text.rsplit_once(char::is_whitespace) {
        Some((time, zone)) if zone.starts_with(|c: char| c.is_ascii_alphabetic()) => {
            (time.trim(), Some(zone))
        }
        _ => (text, None),
    };
    if zone.is_none()
        && (chrono::DateTime::parse_from_rfc3339(time).is_ok() || default_zone.is_none())
    {
        return time.parse::<Timestamp>().map_err(|e| {
            if time.replacen(' ', "T", 1).parse::<DateTime>().is_ok() {
                format!(
                    "`{time}` is a local time with no time zone: write its zone after it (`{time} Europe/Paris`), give the scenario a `time_zone`, or write UTC as RFC 3339 (`2026-03-29T01:30:00Z`)"
                )
            } else {
                e.to_string()
            }
        });
    }
    let zone = zone.or(default_zone).unwrap_or("UTC");
    let (_, tz) = time_zone(zone).map_err(|e| e.to_string())?;
    let local: DateTime = time.replacen(' ', "T", 1).parse().map_err(|_| {
        format!("`{time}` is not a local date and time: write it as `2026-03-29T01:30`, then its time zone")
    })?;
    local_instant(&tz, local)
        .ok_or_else(|| format!("`{text}` is outside the years 0 to 9999 that timestamps cover"))
}

/// The local date and time of `at` in `zone`; `None` past the last instant jiff represents.
fn local_datetime(zone: &tz::TimeZone, at: Timestamp) -> Option<DateTime> {
    jiff::Timestamp::from_millisecond(at.as_millis())
        .ok()
        .map(|t| zone.to_datetime(t))
}

/// `at` in `zone` as `pattern` (strftime) shows it, then its offset: `+02:00`; the UTC time
/// past the last instant jiff represents.
fn format_with_offset(zone: &tz::TimeZone, at: Timestamp, pattern: &str) -> String {
    let Ok(t) = jiff::Timestamp::from_millisecond(at.as_millis()) else {
        return at.to_string();
    };
    let seconds = zone.to_offset(t).seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let (hours, minutes) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
    format!(
        "{}{sign}{hours:02}:{minutes:02}",
        zone.to_datetime(t).strftime(pattern)
    )
}

/// `at` as a wall clock in `zone` shows it.
fn wall_time(zone: &tz::TimeZone, at: Timestamp) -> WallTime {
    let Ok(t) = jiff::Timestamp::from_millisecond(at.as_millis()) else {
        return WallTime {
            year: 0,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
        };
    };
    let local = zone.to_datetime(t);
    // Months, days, hours and minutes are small and positive.
    let small = |n: i8| u8::try_from(n).unwrap_or(0);
    WallTime {
        year: i32::from(local.year()),
        month: small(local.month()),
        day: small(local.day()),
        hour: small(local.hour()),
        minute: small(local.minute()),
    }
}

/// `at` as its local time in `zone`, with the offset: `2026-03-29T03:30:00+02:00`, and its
/// milliseconds when it has some.
pub(crate) fn format_local(zone: &tz::TimeZone, at: Timestamp) -> String {
    let pattern = if at.as_millis() % 1000 == 0 {
        "%Y-%m-%dT%H:%M:%S"
    } else {
        "%Y-%m-%dT%H:%M:%S%.3f"
    };
    format_with_offset(zone, at, pattern)
}

/// An IANA time zone from the database compiled into the crate: where people read local
/// times. A run's time zone ([`Run::time_zone`](crate::Run::time_zone)) names one.
///
/// ```
/// use crisis_playbook::TimeZone;
///
/// let paris = TimeZone::named("europe/paris")?;
/// let t = "2026-03-06T16:30:00Z".parse()?;
/// assert_eq!(paris.name(), "Europe/Paris");
/// assert_eq!(paris.local_time(t), "2026-03-06T17:30:00+01:00");
/// assert_eq!(paris.wall_clock(t), "Fri 17:30 +01:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct TimeZone {
    name: String,
    zone: tz::TimeZone,
}

impl PartialEq for TimeZone {
    fn eq(&self, other: &TimeZone) -> bool {
        self.name == other.name
    }
}

impl TimeZone {
    /// The zone with this IANA name (`Europe/Paris`, `America/Toronto`, `UTC`), in any case.
    ///
    /// ```
    /// let error = crisis_playbook::TimeZone::named("Mars/Olympus").unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "unknown time zone `Mars/Olympus`: write an IANA name such as `Europe/Paris`, `America/Toronto` or `UTC`"
    /// );
    /// ```
    pub fn named(name: &str) -> Result<TimeZone, CalendarError> {
        let (name, zone) = time_zone(name)?;
        Ok(TimeZone { name, zone })
    }

    /// Its IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `at` as local time with its offset: `2026-03-29T03:30:00+02:00`.
    pub fn local_time(&self, at: Timestamp) -> String {
        format_local(&self.zone, at)
    }

    /// `at` as a wall clock there shows it, with the day of the week and the offset:
    /// `Fri 17:30 +01:00`. Timelines print it beside the UTC time.
    pub fn wall_clock(&self, at: Timestamp) -> String {
        format_with_offset(&self.zone, at, "%a %H:%M ")
    }

    /// `at` as a wall clock there shows it, in parts.
    pub(crate) fn wall_time(&self, at: Timestamp) -> WallTime {
        wall_time(&self.zone, at)
    }
}

impl Calendar {
    /// A calendar from its parts; checks that it is open at some time.
    pub(crate) fn new(
        zone: &str,
        week: [Vec<Hours>; 7],
        holidays: BTreeSet<Date>,
        exceptions: BTreeMap<Date, Vec<Hours>>,
    ) -> Result<Calendar, CalendarError> {
        let (zone_name, zone) = time_zone(zone)?;
        if let Some(date) = holidays.iter().find(|d| exceptions.contains_key(d)) {
            return Err(CalendarError::HolidayAndException(date.to_string()));
        }
        if week.iter().chain(exceptions.values()).all(Vec::is_empty) {
            return Err(CalendarError::NeverOpen);
        }
        Ok(Calendar {
            zone_name,
            zone,
            week,
            holidays,
            exceptions,
        })
    }

    /// A calendar open at every hour of every day, in the time zone `zone`: business time on it
    /// is calendar time, and only local times in outputs change.
    ///
    /// ```
    /// use crisis_playbook::{Calendar, Duration, Timestamp};
    ///
    /// let always = Calendar::always_open("Asia/Kolkata")?;
    /// let t: Timestamp = "2026-03-07T23:00:00Z".parse()?;
    /// assert_eq!(always.after_working_time(t, Duration::from_secs(7200)), Some(t + Duration::from_secs(7200)));
    /// assert_eq!(always.local_time(t), "2026-03-08T04:30:00+05:30");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn always_open(zone: &str) -> Result<Calendar, CalendarError> {
        let all_day = vec![Hours {
            start: 0,
            end: DAY_MINUTES,
        }];
        Calendar::new(
            zone,
            std::array::from_fn(|_| all_day.clone()),
            BTreeSet::new(),
            BTreeMap::new(),
        )
    }

    /// The same calendar with every stretch of hours moved by `minutes`, for mutation
    /// testing; `None` if a stretch would leave its day.
    pub(crate) fn shifted(&self, minutes: i32) -> Option<Calendar> {
        let shift = |hours: &[Hours]| -> Option<Vec<Hours>> {
            hours
                .iter()
                .map(|h| {
                    let moved = |m: u16| {
                        u16::try_from(i32::from(m) + minutes)
                            .ok()
                            .filter(|m| *m <= DAY_MINUTES)
                    };
                    Some(Hours {
                        start: moved(h.start)?,
                        end: moved(h.end)?,
                    })
                })
                .collect()
        };
        let mut week: [Vec<Hours>; 7] = Default::default();
        for (day, hours) in week.iter_mut().zip(&self.week) {
            *day = shift(hours)?;
        }
        let exceptions = self
            .exceptions
            .iter()
            .map(|(date, hours)| Some((*date, shift(hours)?)))
            .collect::<Option<_>>()?;
        Some(Calendar {
            week,
            exceptions,
            ..self.clone()
        })
    }

    /// The same calendar without its holidays, for mutation testing; `None` if it has none.
    pub(crate) fn without_holidays(&self) -> Option<Calendar> {
        (!self.holidays.is_empty()).then(|| Calendar {
            holidays: BTreeSet::new(),
            ..self.clone()
        })
    }

    /// The same hours, holidays and exceptional days in another time zone: the subject's,
    /// when a run sets one.
    ///
    /// ```
    /// use crisis_playbook::Calendar;
    /// let paris = Calendar::from_yaml_str("{ time_zone: Europe/Paris, hours: { mon-fri: '09:00-18:00' } }")?;
    /// let montreal = paris.in_time_zone("America/Montreal")?;
    /// // 09:30 in Montréal is 15:30 in Paris: open in both.
    /// let t = "2026-03-02T09:30:00-05:00".parse()?;
    /// assert!(montreal.is_open(t) && paris.is_open(t));
    /// // 17:30 in Montréal is past midnight in Paris.
    /// let t = "2026-03-02T17:30:00-05:00".parse()?;
    /// assert!(montreal.is_open(t) && !paris.is_open(t));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_time_zone(&self, zone: &str) -> Result<Calendar, CalendarError> {
        let (zone_name, zone) = time_zone(zone)?;
        Ok(Calendar {
            zone_name,
            zone,
            ..self.clone()
        })
    }

    /// Bytes it holds on the heap, besides the zone's rules that the bundled database shares:
    /// its hours and its listed days, counted by entry (a tree's nodes add a little).
    pub(crate) fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let hours = |h: &Vec<Hours>| h.capacity() * size_of::<Hours>();
        self.zone_name.capacity()
            + self.week.iter().map(hours).sum::<usize>()
            + self.holidays.len() * size_of::<Date>()
            + self
                .exceptions
                .values()
                .map(|h| size_of::<(Date, Vec<Hours>)>() + hours(h))
                .sum::<usize>()
    }

    /// The IANA name of its time zone.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::Calendar::always_open("europe/paris")?.time_zone(), "Europe/Paris");
    /// # Ok::<(), crisis_playbook::CalendarError>(())
    /// ```
    pub fn time_zone(&self) -> &str {
        &self.zone_name
    }

    /// `at` in the calendar's local time, with its offset: `2026-03-29T03:30:00+02:00`.
    ///
    /// ```
    /// let paris = crisis_playbook::Calendar::always_open("Europe/Paris")?;
    /// assert_eq!(paris.local_time("2026-07-01T12:00:00Z".parse()?), "2026-07-01T14:00:00+02:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn local_time(&self, at: Timestamp) -> String {
        format_local(&self.zone, at)
    }

    /// Whether the calendar is open at `at`: its opening time included, its closing time
    /// excluded.
    ///
    /// ```
    /// let office = crisis_playbook::Calendar::from_yaml_str("{ time_zone: UTC, hours: { mon-fri: '09:00-18:00' } }")?;
    /// assert!(office.is_open("2026-03-02T17:59:59.999Z".parse()?));
    /// assert!(!office.is_open("2026-03-02T18:00:00Z".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_open(&self, at: Timestamp) -> bool {
        let Some(date) = local_datetime(&self.zone, at).map(|t| t.date()) else {
            return false;
        };
        let t = at.as_millis();
        // A stretch of the day before ends by this day's first instant, which is not after t.
        self.intervals_on(date)
            .any(|(open, close)| open <= t && t < close)
    }

    /// The instant at which `length` of working time has passed since `from`: time counts only
    /// while the calendar is open. Zero is `from` itself; a length that ends exactly at a
    /// closing time ends there. `None` if the calendar never again opens long enough.
    ///
    /// ```
    /// use crisis_playbook::{Calendar, Duration};
    /// let office = Calendar::from_yaml_str("{ time_zone: UTC, hours: { mon-fri: '09:00-18:00' } }")?;
    /// // One minute before Monday's close, plus two hours: Tuesday 10:59.
    /// let due = office.after_working_time("2026-03-02T17:59:00Z".parse()?, Duration::from_secs(7200));
    /// assert_eq!(due.unwrap().to_string(), "2026-03-03T10:59:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn after_working_time(&self, from: Timestamp, length: Duration) -> Option<Timestamp> {
        let mut remaining = i64::try_from(length.as_millis()).unwrap_or(i64::MAX);
        if remaining == 0 {
            return Some(from);
        }
        let mut cursor = from.as_millis();
        self.walk(from, |stretch| match stretch {
            Stretch::Open(open, close) => {
                let begin = open.max(cursor);
                if remaining <= close - begin {
                    return Walk::Done(Timestamp::from_millis(begin + remaining));
                }
                remaining -= close - begin;
                cursor = close;
                Walk::Next
            }
            Stretch::Weeks(weeks) => {
                let all = self.working_weeks(&weeks, weeks.count);
                if remaining > all {
                    remaining -= all;
                    return Walk::Skip(weeks.count);
                }
                match weeks.hours {
                    // Open at all hours: working time is time.
                    WeekHours::Always => {
                        Walk::Done(Timestamp::from_millis(weeks.start + remaining))
                    }
                    // Whole weeks that leave some time to count; the last is walked.
                    WeekHours::Some(week) => {
                        let whole = (remaining - 1) / week;
                        remaining -= whole * week;
                        Walk::Skip(whole)
                    }
                    WeekHours::Never => Walk::Skip(weeks.count),
                }
            }
        })
        .flatten()
    }

    /// The working time between `from` and `to`: how long the calendar is open in between.
    ///
    /// ```
    /// use crisis_playbook::{Calendar, Duration};
    /// let office = Calendar::from_yaml_str("{ time_zone: UTC, hours: { mon-fri: '09:00-18:00' } }")?;
    /// let week = office.working_time_between("2026-03-02T00:00:00Z".parse()?, "2026-03-09T00:00:00Z".parse()?);
    /// assert_eq!(week, Duration::from_secs(5 * 9 * 3600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn working_time_between(&self, from: Timestamp, to: Timestamp) -> Duration {
        let (start, end) = (from.as_millis(), to.as_millis());
        let mut total: i64 = 0;
        self.walk(from, |stretch| match stretch {
            // Past the end, whether an opening or a run of weeks comes next (found by the
            // property test below: a run offered after the end subtracted a day).
            Stretch::Open(open, _) if open >= end => Walk::Done(()),
            Stretch::Weeks(weeks) if weeks.start >= end => Walk::Done(()),
            Stretch::Open(open, close) => {
                total += close.min(end) - open.max(start);
                Walk::Next
            }
            Stretch::Weeks(weeks) => {
                let whole = match weeks.hours {
                    WeekHours::Always if self.weeks_end(&weeks, weeks.count) > end => {
                        total += end - weeks.start;
                        return Walk::Done(());
                    }
                    WeekHours::Always | WeekHours::Never => weeks.count,
                    // No clock change inside: every week is a week long.
                    WeekHours::Some(_) => ((end - weeks.start) / WEEK_MILLIS).min(weeks.count),
                };
                total += self.working_weeks(&weeks, whole);
                Walk::Skip(whole)
            }
        });
        Duration::from_millis(u64::try_from(total).unwrap_or(0))
    }

    /// The first instant after `after` at which the calendar opens or closes; `None` if it
    /// never changes again (open at all hours, or never open again).
    ///
    /// ```
    /// let office = crisis_playbook::Calendar::from_yaml_str("{ time_zone: UTC, hours: { mon-fri: '09:00-18:00' } }")?;
    /// let friday_noon = "2026-03-06T12:00:00Z".parse()?;
    /// assert_eq!(office.next_change(friday_noon).unwrap().to_string(), "2026-03-06T18:00:00Z");
    /// assert_eq!(office.next_change("2026-03-06T18:00:00Z".parse()?).unwrap().to_string(), "2026-03-09T09:00:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_change(&self, after: Timestamp) -> Option<Timestamp> {
        let t = after.as_millis();
        // The end of the opening that holds `after`, once one does.
        let mut open_until: Option<i64> = None;
        let change = self.walk(after, |stretch| match (stretch, open_until) {
            (Stretch::Open(open, _), None) if open > t => Walk::Done(Some(open)),
            (Stretch::Open(_, close), None) => {
                open_until = Some(close);
                Walk::Next
            }
            (Stretch::Open(open, close), Some(end)) if open <= end => {
                open_until = Some(end.max(close));
                Walk::Next
            }
            (Stretch::Open(..), Some(end)) => Walk::Done(Some(end)),
            // With no holiday or exceptional day ahead, the weeks repeat to the end of time.
            (Stretch::Weeks(weeks), None) => match weeks.hours {
                WeekHours::Never if !weeks.listed_after => Walk::Done(None),
                WeekHours::Never => Walk::Skip(weeks.count),
                WeekHours::Always => Walk::Done(Some(weeks.start)),
                WeekHours::Some(_) => Walk::Skip(0),
            },
            (Stretch::Weeks(weeks), Some(end)) => match weeks.hours {
                WeekHours::Always if end >= weeks.start && !weeks.listed_after => Walk::Done(None),
                WeekHours::Always if end >= weeks.start => {
                    open_until = Some(self.weeks_end(&weeks, weeks.count));
                    Walk::Skip(weeks.count)
                }
                WeekHours::Never => Walk::Done(Some(end)),
                _ => Walk::Skip(0),
            },
        });
        // A walk that runs out of openings changes last when the one it is in closes.
        change
            .unwrap_or(open_until)
            .and_then(Timestamp::from_millis)
    }

    /// Calls `visit` with the calendar's openings from `from` on, in time order, until it is
    /// done or the calendar opens no more: `None` then. A walk that has gone a week offers runs
    /// of plain weeks to skip whole, so a length of years, or a holiday centuries away, costs
    /// a step per clock change or listed day, not one per day.
    fn walk<B>(&self, from: Timestamp, mut visit: impl FnMut(Stretch) -> Walk<B>) -> Option<B> {
        let t = from.as_millis();
        let mut date = local_datetime(&self.zone, from)?.date();
        let weekly = self.week.iter().any(|day| !day.is_empty());
        let mut walked = 0;
        loop {
            if !weekly && self.last_listed().is_none_or(|last| date > last) {
                return None;
            }
            walked += 1;
            // Short walks, such as a deadline across a weekend, never ask.
            if walked > 7
                && let Some(weeks) = self.plain_weeks(date)
            {
                match visit(Stretch::Weeks(weeks)) {
                    Walk::Done(found) => return Some(found),
                    Walk::Skip(count) if count > 0 => {
                        date = date.checked_add(jiff::Span::new().weeks(count)).ok()?;
                        walked = 0;
                        continue;
                    }
                    _ => {}
                }
            }
            // The day before ends by the first instant of `from`'s day: none of its stretches
            // reaches past `from`.
            for (open, close) in self.intervals_on(date) {
                if close > t
                    && let Walk::Done(found) = visit(Stretch::Open(open, close))
                {
                    return Some(found);
                }
            }
            date = date.tomorrow().ok()?;
        }
    }

    /// The run of whole weeks from `date` that open exactly as the weekly hours say: no
    /// holiday or exceptional day, and, unless the calendar is always or never open, no clock
    /// change. `None` if not one week is plain.
    fn plain_weeks(&self, date: Date) -> Option<Weeks> {
        let start = local_instant(&self.zone, date.at(0, 0, 0, 0))?.as_millis();
        let minutes: u32 = self
            .week
            .iter()
            .flatten()
            .map(|h| u32::from(h.end - h.start))
            .sum();
        let hours = match minutes {
            0 => WeekHours::Never,
            m if m == 7 * u32::from(DAY_MINUTES) => WeekHours::Always,
            m => WeekHours::Some(i64::from(m) * 60_000),
        };
        // Stop a week short of the last date, whose midnight closes no day.
        let mut limit = Date::MAX
            .checked_sub(jiff::Span::new().days(8))
            .ok()
            .and_then(|last| local_instant(&self.zone, last.at(0, 0, 0, 0)))?
            .as_millis();
        let listed = self.next_listed(date);
        if let Some(listed) = listed {
            let listed = local_instant(&self.zone, listed.at(0, 0, 0, 0))?.as_millis();
            limit = limit.min(listed);
        }
        // Across a clock change a week is not a week long, nor its hours as long as written.
        if let WeekHours::Some(_) = hours
            && let Some(change) = jiff::Timestamp::from_millisecond(start)
                .ok()
                .and_then(|t| self.zone.following(t).next())
        {
            limit = limit.min(change.timestamp().as_millisecond());
        }
        let count = (limit - start).div_euclid(WEEK_MILLIS);
        (count > 0).then_some(Weeks {
            date,
            start,
            count,
            hours,
            listed_after: listed.is_some(),
        })
    }

    /// The first instant of the week `count` weeks into `weeks`.
    fn weeks_end(&self, weeks: &Weeks, count: i64) -> i64 {
        weeks
            .date
            .checked_add(jiff::Span::new().weeks(count))
            .ok()
            .and_then(|date| local_instant(&self.zone, date.at(0, 0, 0, 0)))
            .map_or(MAX_MILLIS, Timestamp::as_millis)
    }

    /// The working time of the first `count` weeks of `weeks`.
    fn working_weeks(&self, weeks: &Weeks, count: i64) -> i64 {
        match weeks.hours {
            WeekHours::Never => 0,
            WeekHours::Always => self.weeks_end(weeks, count) - weeks.start,
            WeekHours::Some(week) => week * count,
        }
    }

    /// The latest holiday or exceptional day, if any.
    fn last_listed(&self) -> Option<Date> {
        let holiday = self.holidays.last().copied();
        let exception = self.exceptions.keys().next_back().copied();
        holiday.max(exception)
    }

    /// The first holiday or exceptional day on or after `date`, if any.
    fn next_listed(&self, date: Date) -> Option<Date> {
        let holiday = self.holidays.range(date..).next().copied();
        let exception = self.exceptions.range(date..).next().map(|(d, _)| *d);
        match (holiday, exception) {
            (Some(h), Some(e)) => Some(h.min(e)),
            (h, e) => h.or(e),
        }
    }

    /// The hours of one local date.
    fn hours_on(&self, date: Date) -> &[Hours] {
        if let Some(hours) = self.exceptions.get(&date) {
            return hours;
        }
        if self.holidays.contains(&date) {
            return &[];
        }
        let weekday = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
        self.week.get(weekday).map_or(&[], Vec::as_slice)
    }

    /// The opening intervals of one local date, as instants in milliseconds; a stretch that a
    /// clock change empties (hours inside the skipped hour) is left out.
    fn intervals_on(&self, date: Date) -> impl Iterator<Item = (i64, i64)> + '_ {
        let at = move |minute: u16| -> Option<i64> {
            let local = if minute >= DAY_MINUTES {
                date.tomorrow().ok()?.at(0, 0, 0, 0)
            } else {
                let (h, m) = (minute / 60, minute % 60);
                date.at(i8::try_from(h).ok()?, i8::try_from(m).ok()?, 0, 0)
            };
            local_instant(&self.zone, local).map(Timestamp::as_millis)
        };
        self.hours_on(date)
            .iter()
            .filter_map(move |hours| Some((at(hours.start)?, at(hours.end)?)))
            .filter(|(open, close)| open < close)
    }
}

/// Milliseconds in a week without a clock change.
const WEEK_MILLIS: i64 = 7 * 24 * 3_600_000;

/// What a walk through a calendar's openings meets next.
enum Stretch {
    /// An opening, from and to instants in milliseconds.
    Open(i64, i64),
    /// A run of plain weeks, which the visitor may skip in part or whole.
    Weeks(Weeks),
}

/// What a walk's visitor asks for next.
enum Walk<B> {
    /// The next stretch.
    Next,
    /// Skip this many of the offered weeks (zero: walk them day by day).
    Skip(i64),
    /// Stop with this answer.
    Done(B),
}

/// Whole weeks, from the first instant of `date`, with no holiday or exceptional day.
struct Weeks {
    date: Date,
    start: i64,
    count: i64,
    hours: WeekHours,
    /// Whether a holiday or exceptional day comes after them.
    listed_after: bool,
}

/// How much of a plain week is open.
#[derive(Clone, Copy)]
enum WeekHours {
    /// Not at all.
    Never,
    /// At every hour, across clock changes too.
    Always,
    /// This many milliseconds, in a run with no clock change.
    Some(i64),
}

/// A calendar as written: what snapshots store and restore.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarSpec {
    time_zone: String,
    #[serde(default)]
    hours: BTreeMap<String, String>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    exceptions: BTreeMap<String, String>,
}

/// Hours as written: `09:00-12:30, 13:30-18:00`, or `closed`.
fn hours_text(hours: &[Hours]) -> String {
    if hours.is_empty() {
        return "closed".to_string();
    }
    hours
        .iter()
        .map(Hours::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl serde::Serialize for Calendar {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CalendarSpec {
            time_zone: self.zone_name.clone(),
            hours: WEEKDAYS
                .iter()
                .zip(&self.week)
                .filter(|(_, hours)| !hours.is_empty())
                .map(|(day, hours)| (day.to_string(), hours_text(hours)))
                .collect(),
            holidays: self.holidays.iter().map(Date::to_string).collect(),
            exceptions: self
                .exceptions
                .iter()
                .map(|(date, hours)| (date.to_string(), hours_text(hours)))
                .collect(),
        }
        .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Calendar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Calendar, D::Error> {
        let spec = CalendarSpec::deserialize(deserializer)?;
        spec.compile().map_err(serde::de::Error::custom)
    }
}

impl CalendarSpec {
    fn compile(self) -> Result<Calendar, CalendarError> {
        let mut week: [Vec<Hours>; 7] = Default::default();
        let mut owner: [Option<String>; 7] = Default::default();
        for (key, text) in &self.hours {
            let hours = parse_hours(text)?;
            for day in parse_days(key)? {
                if let Some(first) = owner.get_mut(day).and_then(|o| o.replace(key.clone())) {
                    return Err(CalendarError::DayTwice {
                        day: weekday_name(day).to_string(),
                        first,
                        second: key.clone(),
                    });
                }
                if let Some(slot) = week.get_mut(day) {
                    slot.clone_from(&hours);
                }
            }
        }
        let holidays = self
            .holidays
            .iter()
            .map(|d| parse_date(d))
            .collect::<Result<_, _>>()?;
        let exceptions = self
            .exceptions
            .iter()
            .map(|(d, h)| Ok((parse_date(d)?, parse_hours(h)?)))
            .collect::<Result<_, CalendarError>>()?;
        Calendar::new(&self.time_zone, week, holidays, exceptions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(zone: &str, hours: &str) -> Calendar {
        CalendarSpec {
            time_zone: zone.to_string(),
            hours: BTreeMap::from([("mon-fri".to_string(), hours.to_string())]),
            holidays: Vec::new(),
            exceptions: BTreeMap::new(),
        }
        .compile()
        .unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn local_times_the_clock_skips_or_repeats_mean_the_first_instant_the_clock_shows_them() {
        let (_, paris) = time_zone("Europe/Paris").unwrap();
        let local = |text: &str| {
            local_instant(&paris, text.parse().unwrap())
                .unwrap()
                .to_string()
        };
        // 2026-03-29: 02:00 jumps to 03:00; 02:30 never shows, the clock passes it at the jump.
        assert_eq!(local("2026-03-29T02:30"), "2026-03-29T01:00:00Z");
        assert_eq!(local("2026-03-29T02:00"), "2026-03-29T01:00:00Z");
        assert_eq!(local("2026-03-29T03:00"), "2026-03-29T01:00:00Z");
        assert_eq!(local("2026-03-29T01:59"), "2026-03-29T00:59:00Z");
        // 2026-10-25: 03:00 goes back to 02:00; 02:30 shows twice, first in summer time.
        assert_eq!(local("2026-10-25T02:30"), "2026-10-25T00:30:00Z");
        assert_eq!(local("2026-10-25T03:00"), "2026-10-25T02:00:00Z");
    }

    #[test]
    fn times_are_read_with_their_zone_or_offset() {
        let read = |text: &str, zone: Option<&str>| parse_time(text, zone).map(|t| t.to_string());
        assert_eq!(
            read("2026-03-29T01:30 Europe/Paris", None).unwrap(),
            "2026-03-29T00:30:00Z"
        );
        assert_eq!(
            read("2026-03-29 02:30 Europe/Paris", None).unwrap(),
            "2026-03-29T01:00:00Z"
        );
        assert_eq!(
            read("2026-10-25T02:30", Some("Europe/Paris")).unwrap(),
            "2026-10-25T00:30:00Z"
        );
        assert_eq!(
            read("2026-10-25T02:30:00Z", Some("Europe/Paris")).unwrap(),
            "2026-10-25T02:30:00Z"
        );
        assert_eq!(
            read("2026-10-25T02:30:00", None).unwrap(),
            "2026-10-25T02:30:00Z"
        );
        assert_eq!(
            read("2026-03-29T01:30 Europe/Pariss", None).unwrap_err(),
            "unknown time zone `Europe/Pariss`; did you mean `Europe/Paris`?"
        );
        // Found by a first-time user: `JST` was offered `EST`, and a city alone nothing.
        let unknown = |name: &str| time_zone(name).unwrap_err().to_string();
        assert_eq!(
            unknown("Tokyo"),
            "unknown time zone `Tokyo`; did you mean `Asia/Tokyo`?"
        );
        assert_eq!(
            unknown("new york"),
            "unknown time zone `new york`; did you mean `America/New_York`?"
        );
        assert_eq!(
            unknown("JST"),
            "unknown time zone `JST`: abbreviations name no zone (they are ambiguous and do not follow daylight saving): write the IANA name of a place in it, such as `Asia/Tokyo` or `Europe/Paris`"
        );
        // Found by a first-time user: a local time in a scenario without `time_zone` was
        // only "not a timestamp".
        assert_eq!(
            read("2026-04-24T10:00", None).unwrap_err(),
            "`2026-04-24T10:00` is a local time with no time zone: write its zone after it (`2026-04-24T10:00 Europe/Paris`), give the scenario a `time_zone`, or write UTC as RFC 3339 (`2026-03-29T01:30:00Z`)"
        );
        assert_eq!(
            read("tomorrow Europe/Paris", None).unwrap_err(),
            "`tomorrow` is not a local date and time: write it as `2026-03-29T01:30`, then its time zone"
        );
    }

    #[test]
    fn hours_parse_sort_and_refuse_overlaps_and_empty_stretches() {
        assert_eq!(
            hours_text(&parse_hours("13:30-18:00, 09:00-12:30").unwrap()),
            "09:00-12:30, 13:30-18:00"
        );
        assert_eq!(parse_hours("closed").unwrap(), []);
        assert_eq!(
            parse_hours("09:00-12:00, 11:00-14:00")
                .unwrap_err()
                .to_string(),
            "`09:00-12:00` and `11:00-14:00` overlap: write each hour of the day once"
        );
        // Found by a first-time user: the advice named 18:00 whatever the stretch, and gave it
        // for an empty one too.
        assert_eq!(
            parse_hours("22:00-06:00").unwrap_err().to_string(),
            "`22:00-06:00` crosses midnight: a day's hours stay within it, so write `22:00-24:00` on one day and `00:00-06:00` on the next"
        );
        assert_eq!(
            parse_hours("9:30-08:00").unwrap_err().to_string(),
            "`9:30-08:00` crosses midnight: a day's hours stay within it, so write `09:30-24:00` on one day and `00:00-08:00` on the next"
        );
        assert_eq!(
            parse_hours("09:00-09:00").unwrap_err().to_string(),
            "`09:00-09:00` is empty: a stretch of hours ends after it starts"
        );
        for bad in ["9-18", "09:00", "25:00-26:00", "09:60-10:00", "24:30-24:45"] {
            assert_eq!(
                parse_hours(bad).unwrap_err(),
                CalendarError::Hours(bad.to_string())
            );
        }
        // The stretch at fault, not the whole day's hours.
        assert_eq!(
            parse_hours("09:00-12:00, 13:00-24:30")
                .unwrap_err()
                .to_string(),
            "`13:00-24:30` is not a stretch of hours: write it as `09:00-18:00`, with times from 00:00 to 24:00; give several separated by commas, or `closed`"
        );
        assert!(parse_hours("00:00-24:00").is_ok());
    }

    #[test]
    fn day_keys_name_days_and_ranges_that_may_wrap() {
        assert_eq!(parse_days("mon-fri").unwrap(), [0, 1, 2, 3, 4]);
        assert_eq!(parse_days("fri-mon").unwrap(), [4, 5, 6, 0]);
        assert_eq!(parse_days("Sun").unwrap(), [6]);
        assert_eq!(
            parse_days("weekdays").unwrap_err().to_string(),
            "`weekdays` is not a day of the week: write `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`, or a range such as `mon-fri`"
        );
    }

    #[test]
    fn the_last_minute_of_a_working_day_counts_and_the_rest_carries_over() {
        let office = calendar("Europe/Paris", "09:00-18:00");
        // Monday 17:59 Paris (16:59Z) plus 1 minute: 18:00, the closing time itself.
        let due = office.after_working_time(at("2026-03-02T16:59:00Z"), Duration::from_secs(60));
        assert_eq!(office.local_time(due.unwrap()), "2026-03-02T18:00:00+01:00");
        let due = office.after_working_time(at("2026-03-02T16:59:00Z"), Duration::from_secs(61));
        assert_eq!(office.local_time(due.unwrap()), "2026-03-03T09:00:01+01:00");
        assert!(office.is_open(at("2026-03-02T16:59:59.999Z")));
        assert!(!office.is_open(at("2026-03-02T17:00:00Z")));
    }

    #[test]
    fn a_deadline_asked_on_friday_evening_crosses_the_weekend() {
        let office = calendar("Europe/Paris", "09:00-18:00");
        let due =
            office.after_working_time(at("2026-03-06T17:30:00+01:00"), Duration::from_secs(7200));
        assert_eq!(office.local_time(due.unwrap()), "2026-03-09T10:30:00+01:00");
        // Asked while closed: the clock starts at the opening.
        let due =
            office.after_working_time(at("2026-03-07T11:00:00+01:00"), Duration::from_secs(1800));
        assert_eq!(office.local_time(due.unwrap()), "2026-03-09T09:30:00+01:00");
    }

    #[test]
    fn holidays_close_and_exceptions_replace_the_weeks_hours() {
        let office = CalendarSpec {
            time_zone: "Europe/Paris".to_string(),
            hours: BTreeMap::from([("mon-fri".to_string(), "09:00-18:00".to_string())]),
            holidays: vec!["2026-04-06".to_string()],
            exceptions: BTreeMap::from([("2026-04-04".to_string(), "10:00-12:00".to_string())]),
        }
        .compile()
        .unwrap();
        // Friday 17:00 + 4h: 1h on Friday, 2h on the launch Saturday, Easter Monday closed,
        // 1h on Tuesday.
        let due = office.after_working_time(
            at("2026-04-03T17:00:00+02:00"),
            Duration::from_secs(4 * 3600),
        );
        assert_eq!(office.local_time(due.unwrap()), "2026-04-07T10:00:00+02:00");
        assert_eq!(
            office
                .next_change(at("2026-04-03T18:00:00+02:00"))
                .map(|t| office.local_time(t))
                .unwrap(),
            "2026-04-04T10:00:00+02:00"
        );
    }

    #[test]
    fn working_time_spans_both_clock_changes_as_a_wall_clock_reads_them() {
        let always = Calendar::always_open("Europe/Paris").unwrap();
        // A day with the jump lasts 23 hours, the day the clock goes back 25.
        let day = |d: &str| {
            let start = local_instant(&always.zone, format!("{d}T00:00").parse().unwrap()).unwrap();
            let end =
                local_instant(&always.zone, format!("{d}T23:59:59.999").parse().unwrap()).unwrap();
            always.working_time_between(start, end + Duration::from_millis(1))
        };
        assert_eq!(day("2026-03-29"), Duration::from_secs(23 * 3600));
        assert_eq!(day("2026-10-25"), Duration::from_secs(25 * 3600));
        // Office hours 01:00-04:00 on the morning of the jump hold two real hours.
        let sunday = CalendarSpec {
            time_zone: "Europe/Paris".to_string(),
            hours: BTreeMap::from([("sun".to_string(), "01:00-04:00".to_string())]),
            holidays: Vec::new(),
            exceptions: BTreeMap::new(),
        }
        .compile()
        .unwrap();
        let open =
            sunday.working_time_between(at("2026-03-29T00:00:00Z"), at("2026-03-30T00:00:00Z"));
        assert_eq!(open, Duration::from_secs(2 * 3600));
        let open =
            sunday.working_time_between(at("2026-10-24T22:00:00Z"), at("2026-10-26T00:00:00Z"));
        assert_eq!(open, Duration::from_secs(4 * 3600));
    }

    #[test]
    fn a_half_hour_offset_zone_opens_on_its_own_half_hour() {
        let office = calendar("Asia/Kolkata", "09:00-18:00");
        assert_eq!(
            office
                .next_change(at("2026-03-02T00:00:00Z"))
                .unwrap()
                .to_string(),
            "2026-03-02T03:30:00Z"
        );
        let due = office.after_working_time(at("2026-03-02T12:00:00Z"), Duration::from_secs(3600));
        assert_eq!(office.local_time(due.unwrap()), "2026-03-03T09:30:00+05:30");
    }

    #[test]
    fn a_calendar_that_never_changes_again_says_so() {
        let always = Calendar::always_open("UTC").unwrap();
        assert_eq!(always.next_change(at("2026-03-02T00:00:00Z")), None);
        let once = CalendarSpec {
            time_zone: "UTC".to_string(),
            hours: BTreeMap::new(),
            holidays: Vec::new(),
            exceptions: BTreeMap::from([("2026-06-13".to_string(), "10:00-16:00".to_string())]),
        }
        .compile()
        .unwrap();
        assert_eq!(
            once.after_working_time(at("2026-06-13T15:00:00Z"), Duration::from_secs(7200)),
            None
        );
        assert_eq!(once.next_change(at("2026-06-13T16:00:00Z")), None);
        let never = CalendarSpec {
            time_zone: "UTC".to_string(),
            hours: BTreeMap::from([("sat-sun".to_string(), "closed".to_string())]),
            holidays: Vec::new(),
            exceptions: BTreeMap::new(),
        };
        assert_eq!(never.compile().unwrap_err(), CalendarError::NeverOpen);
    }

    /// Found by the property test in CI: a walk that ended just after an opening was offered
    /// a run of weeks beyond its end, and subtracted the day between.
    #[test]
    fn working_time_stops_at_the_end_even_where_a_run_of_weeks_begins() {
        let office = written(
            "Australia/Lord_Howe",
            &[("mon-sun", "00:00-24:00")],
            &[],
            &[("2028-12-18", "10:00-16:00")],
        );
        let (from, to) = (at("2027-01-21T00:40:00Z"), at("2028-12-19T13:01:00Z"));
        // Open all the time but the exceptional day's 18 closed hours.
        let closed = Duration::from_secs(18 * 3600).as_millis();
        assert_eq!(
            office.working_time_between(from, to).as_millis(),
            (to - from).as_millis() - closed
        );
    }

    /// A calendar from its written parts.
    fn written(
        zone: &str,
        hours: &[(&str, &str)],
        holidays: &[&str],
        exceptions: &[(&str, &str)],
    ) -> Calendar {
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        CalendarSpec {
            time_zone: zone.to_string(),
            hours: pairs(hours),
            holidays: holidays.iter().map(|d| d.to_string()).collect(),
            exceptions: pairs(exceptions),
        }
        .compile()
        .unwrap()
    }

    /// Found in review: a calendar open at all hours with a holiday in 9999 made every
    /// `during` condition walk each day up to it, 0.85 s an observation; a length of
    /// centuries in working time walked as long.
    #[test]
    fn days_far_away_are_reached_in_strides_of_plain_weeks() {
        let day = 86_400_000_i64;
        for (zone, christmas) in [
            ("UTC", "9999-12-25T00:00:00Z"),
            ("Europe/Paris", "9999-12-24T23:00:00Z"),
        ] {
            let always = written(zone, &[("mon-sun", "00:00-24:00")], &["9999-12-25"], &[]);
            let t = at("2026-03-02T00:00:00Z");
            assert_eq!(always.next_change(t), Some(at(christmas)));
            let centuries = Duration::from_millis(5_000 * 365 * day as u64);
            let due = always.after_working_time(t, centuries).unwrap();
            assert_eq!(due, t.plus(centuries));
            assert_eq!(always.working_time_between(t, due), centuries);
        }
        let launch = written("Europe/Paris", &[], &[], &[("9000-06-13", "10:00-16:00")]);
        assert_eq!(
            launch.next_change(at("2026-03-02T00:00:00Z")),
            Some(at("9000-06-13T08:00:00Z"))
        );
        // 52,000 weeks of 45 working hours from a Monday's opening end on the last of
        // those weeks' Friday closing, across every clock change in Paris.
        for zone in ["UTC", "Europe/Paris"] {
            let office = written(zone, &[("mon-fri", "09:00-18:00")], &[], &[]);
            let monday: DateTime = "2026-03-02T09:00".parse().unwrap();
            let start = local_instant(&office.zone, monday).unwrap();
            let length = Duration::from_secs(52_000 * 45 * 3600);
            let due = office.after_working_time(start, length).unwrap();
            let friday = monday
                .date()
                .checked_add(jiff::Span::new().weeks(51_999).days(4))
                .unwrap()
                .at(18, 0, 0, 0);
            assert_eq!(Some(due), local_instant(&office.zone, friday), "{zone}");
            assert_eq!(office.working_time_between(start, due), length, "{zone}");
            assert_eq!(
                office.working_time_between(start, due.plus(Duration::from_secs(3600))),
                length,
                "{zone}"
            );
        }
    }

    /// Every opening from `from` on for `days` days, walked day by day: the reference the
    /// strided walk must match.
    fn day_by_day(calendar: &Calendar, from: Timestamp, days: usize) -> Vec<(i64, i64)> {
        let first = local_datetime(&calendar.zone, from).unwrap().date();
        std::iter::successors(Some(first), |d| d.tomorrow().ok())
            .take(days)
            .flat_map(|date| calendar.intervals_on(date).collect::<Vec<_>>())
            .filter(|&(_, close)| close > from.as_millis())
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn strides_count_what_a_day_by_day_walk_counts(
            zone in proptest::sample::select(vec!["UTC", "Europe/Paris", "America/St_Johns", "Australia/Lord_Howe"]),
            week in proptest::collection::vec(proptest::sample::select(vec![
                "closed", "09:00-18:00", "00:00-24:00", "00:00-02:30, 22:00-24:00", "01:00-04:00", "02:30-03:30",
            ]), 7),
            always in proptest::bool::weighted(0.2),
            holidays in proptest::collection::vec(0_i64..1500, 0..4),
            exception in proptest::option::of(0_i64..1500),
            from_minutes in 0_i64..(2 * 365 * 1440),
            length_minutes in 0_i64..(3 * 365 * 1440),
        ) {
            let week = if always { vec!["00:00-24:00"; 7] } else { week };
            let hours: Vec<(&str, &str)> = WEEKDAYS.iter().copied().zip(week.iter().copied()).collect();
            let day = |d: i64| Date::constant(2026, 1, 1).checked_add(jiff::Span::new().days(d)).unwrap().to_string();
            let exception: Vec<(String, &str)> = exception
                .iter()
                .filter(|d| !holidays.contains(d))
                .map(|d| (day(*d), "10:00-16:00"))
                .collect();
            let exception: Vec<(&str, &str)> = exception.iter().map(|(d, h)| (d.as_str(), *h)).collect();
            let holidays: Vec<String> = holidays.iter().map(|d| day(*d)).collect();
            let holidays: Vec<&str> = holidays.iter().map(String::as_str).collect();
            if week.iter().all(|hours| *hours == "closed") && exception.is_empty() {
                // Never open: refused when compiled.
                return Ok(());
            }
            let calendar = written(zone, &hours, &holidays, &exception);
            let from = at("2026-01-01T00:00:00Z").plus(Duration::from_secs(from_minutes as u64 * 60));
            let length = length_minutes * 60_000;
            let openings = day_by_day(&calendar, from, 6 * 366);
            // after_working_time: where the openings add up to `length`.
            let mut remaining = length;
            let mut expected = (length == 0).then_some(from.as_millis());
            for &(open, close) in &openings {
                if expected.is_some() {
                    break;
                }
                let begin = open.max(from.as_millis());
                if remaining <= close - begin {
                    expected = Some(begin + remaining);
                } else {
                    remaining -= close - begin;
                }
            }
            if let Some(expected) = expected {
                proptest::prop_assert_eq!(
                    calendar.after_working_time(from, Duration::from_millis(length as u64)).map(Timestamp::as_millis),
                    Some(expected)
                );
            }
            // working_time_between: the overlap of the openings with the span.
            let to = from.as_millis() + length;
            let between: i64 = openings
                .iter()
                .filter(|&&(open, _)| open < to)
                .map(|&(open, close)| close.min(to) - open.max(from.as_millis()))
                .sum();
            proptest::prop_assert_eq!(
                calendar.working_time_between(from, Timestamp::from_millis(to).unwrap()),
                Duration::from_millis(between as u64)
            );
            // next_change: the first opening after `from`, or the end of the one holding it.
            let mut end: Option<i64> = None;
            let mut change = None;
            for &(open, close) in &openings {
                match end {
                    None if open > from.as_millis() => { change = Some(open); break; }
                    Some(e) if open > e => { change = Some(e); break; }
                    _ => end = Some(end.map_or(close, |e| e.max(close))),
                }
            }
            let horizon = from.as_millis() + 5 * 365 * 86_400_000;
            match change.filter(|c| *c < horizon) {
                Some(c) => proptest::prop_assert_eq!(calendar.next_change(from).map(Timestamp::as_millis), Some(c)),
                None => proptest::prop_assert!(calendar.next_change(from).is_none_or(|c| c.as_millis() >= horizon)),
            }
        }
    }

    #[test]
    fn calendars_round_trip_through_their_written_form() {
        let office = CalendarSpec {
            time_zone: "america/montreal".to_string(),
            hours: BTreeMap::from([
                (
                    "mon-thu".to_string(),
                    "09:00-12:00, 13:00-17:00".to_string(),
                ),
                ("fri".to_string(), "09:00-12:00".to_string()),
            ]),
            holidays: vec!["2026-07-01".to_string()],
            exceptions: BTreeMap::from([("2026-06-13".to_string(), "10:00-16:00".to_string())]),
        }
        .compile()
        .unwrap();
        let json = serde_json::to_string(&office).unwrap();
        assert!(
            json.contains("\"time_zone\":\"America/Montreal\""),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Calendar>(&json).unwrap(), office);
    }
}
