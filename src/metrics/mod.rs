//! Metrics: windowed aggregates maintained incrementally from signals.
//!
//! Every window is a ring of [`WINDOW_BUCKETS`] buckets, every baseline a ring of
//! [`BASELINE_BUCKETS`] buckets, or of days for the detectors (`spike` and `anomaly`). A bucket
//! leaving a window enters its baseline, so the baseline always covers the stretch of time just
//! before the window. `docs/semantics.md` gives each formula, `docs/detection.md` the
//! detectors' design.

pub(crate) mod distinct;
pub(crate) mod loudest;
pub(crate) mod repeats;
pub(crate) mod window;

use serde::{Deserialize, Serialize};

use crate::model::{Feed, MAX_BASELINE_DAYS, Metric, MetricKind};
use crate::{Duration, Timestamp};
use distinct::DistinctCount;
use loudest::LoudestShare;
use repeats::RepeatShare;
use window::{Accumulate, Extremes, Moments, Ring, Total};

/// Buckets per window: a 1 h window has 5 min buckets.
///
/// ```
/// // A 1 h window is kept as 12 buckets of 5 minutes.
/// assert_eq!(crisis_playbook::WINDOW_BUCKETS, 12);
/// ```
pub const WINDOW_BUCKETS: usize = 12;
/// Buckets per baseline: a 12 h baseline has 30 min buckets.
///
/// ```
/// // A 7 d baseline is kept as 24 buckets of 7 hours.
/// assert_eq!(crisis_playbook::BASELINE_BUCKETS, 24);
/// ```
pub const BASELINE_BUCKETS: usize = 24;

/// One day: the period of the detectors' baselines, whose buckets are UTC days.
const DAY_MS: i64 = 86_400_000;

/// An anomaly's tolerance against the long-term range (the baseline's days): a value is
/// unusual 5 % of that range beyond it, a new extreme. Chosen on the NAB gauge groups with one
/// value for all of them (`docs/detection.md`).
const LONG_TOLERANCE: f64 = 0.05;

/// An anomaly's tolerance against the last day's range: a value is unusual twice that range
/// beyond it, a sudden jump for the time of day. Chosen with `LONG_TOLERANCE`.
const SHORT_TOLERANCE: f64 = 2.0;

/// The days a detector keeps: today and the baseline's whole days before it. (The loader
/// accepts whole days only; mutants may halve them.)
fn day_slots(baseline: Duration) -> usize {
    let days = baseline.as_millis().div_ceil(DAY_MS as u64);
    days.clamp(1, MAX_BASELINE_DAYS).saturating_add(1) as usize
}

fn bucket_width(length: Duration, buckets: usize) -> i64 {
    let millis = i64::try_from(length.as_millis()).unwrap_or(i64::MAX);
    let buckets = (buckets as i64).max(1);
    millis
        .saturating_add(buckets.saturating_sub(1))
        .checked_div(buckets)
        .unwrap_or(millis)
        .max(1)
}

/// The live state of one metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MetricState {
    Total(Ring<Total>),
    Moments(Ring<Moments>),
    Extremes(Ring<Extremes>),
    Share {
        part: Ring<Total>,
        whole: Ring<Total>,
    },
    Spike {
        window: Ring<Total>,
        /// The window just before `window`: after each bucket that leaves the window, its
        /// total is the count of the window that ended with that bucket.
        #[serde(default)]
        previous: Ring<Total>,
        /// Per UTC day, the largest of those counts: today and the baseline's days.
        #[serde(default)]
        peaks: Ring<Extremes>,
        /// Since when the peaks cover every day: the run's start, or when a version 2
        /// snapshot, which had no peaks, was restored.
        #[serde(default)]
        since: i64,
        /// The typical peak of the days before today ([`typical_peak`]), kept up to date as
        /// the peaks change so that reading the metric does not sort them. A restored
        /// snapshot's is checked against its peaks.
        #[serde(default)]
        typical: f64,
    },
    Anomaly {
        window: Ring<Extremes>,
        /// When the metric began observing.
        since: i64,
        latest: Option<Latest>,
        /// Per UTC day, the range of the values before the window: today and the baseline's days.
        days: Ring<Extremes>,
        /// Per window length, the range of the values of the last day before the window.
        hours: Ring<Extremes>,
    },
    Baselined {
        window: Ring<Moments>,
        baseline: Ring<Moments>,
    },
    Since,
    Distinct(DistinctCount),
    Loudest(LoudestShare),
    Repeats(RepeatShare),
}

impl MetricState {
    pub fn new(metric: &Metric, now: Timestamp) -> MetricState {
        let now = now.as_millis();
        let window = metric.window.unwrap_or_default();
        let width = bucket_width(window, WINDOW_BUCKETS);
        let base = |baseline: Duration| bucket_width(baseline, BASELINE_BUCKETS);
        match &metric.kind {
            MetricKind::Count(_) | MetricKind::Rate { .. } | MetricKind::Sum(_) => {
                MetricState::Total(Ring::new(width, WINDOW_BUCKETS, now))
            }
            MetricKind::Mean(_) => MetricState::Moments(Ring::new(width, WINDOW_BUCKETS, now)),
            MetricKind::Min(_) | MetricKind::Max(_) => {
                MetricState::Extremes(Ring::new(width, WINDOW_BUCKETS, now))
            }
            MetricKind::Share { .. } | MetricKind::ShareWhere { .. } => MetricState::Share {
                part: Ring::new(width, WINDOW_BUCKETS, now),
                whole: Ring::new(width, WINDOW_BUCKETS, now),
            },
            MetricKind::Spike { baseline, .. } => MetricState::Spike {
                window: Ring::new(width, WINDOW_BUCKETS, now),
                previous: Ring::new(width, WINDOW_BUCKETS, now),
                peaks: Ring::new(DAY_MS, day_slots(*baseline), now),
                since: now,
                typical: 0.0,
            },
            MetricKind::Anomaly { baseline, .. } => MetricState::Anomaly {
                window: Ring::new(width, WINDOW_BUCKETS, now),
                since: now,
                latest: None,
                days: Ring::new(DAY_MS, day_slots(*baseline), now),
                hours: Ring::new(
                    width.saturating_mul(WINDOW_BUCKETS as i64),
                    DAY_WINDOWS,
                    now,
                ),
            },
            MetricKind::Drop { baseline, .. } | MetricKind::ZScore { baseline, .. } => {
                MetricState::Baselined {
                    window: Ring::new(width, WINDOW_BUCKETS, now),
                    baseline: Ring::new(base(*baseline), BASELINE_BUCKETS, now),
                }
            }
            MetricKind::Since(_) => MetricState::Since,
            MetricKind::Distinct { .. } => {
                MetricState::Distinct(DistinctCount::new(width, WINDOW_BUCKETS, now))
            }
            MetricKind::TopShare { .. } => MetricState::Loudest(LoudestShare::new(width, now)),
            MetricKind::NearDuplicates { .. } => MetricState::Repeats(RepeatShare::new(width, now)),
        }
    }

    /// Upgrades a metric restored from a version 2 snapshot, which kept a spike's baseline as
    /// a total rather than daily peaks: the window stays, the peaks start afresh at `now`.
    pub fn upgrade_from_version_2(&mut self, metric: &Metric, now: Timestamp) {
        if let (
            MetricState::Spike {
                previous,
                peaks,
                since,
                typical,
                ..
            },
            MetricState::Spike {
                previous: fresh_previous,
                peaks: fresh_peaks,
                since: fresh_since,
                typical: fresh_typical,
                ..
            },
        ) = (&mut *self, MetricState::new(metric, now))
        {
            *previous = fresh_previous;
            *peaks = fresh_peaks;
            *since = fresh_since;
            *typical = fresh_typical;
        }
    }

    /// Whether the state has the ring sizes the metric needs: guards restored snapshots.
    pub fn fits(&self, metric: &Metric) -> bool {
        let fresh = MetricState::new(metric, Timestamp::EPOCH);
        match (self, &fresh) {
            (MetricState::Total(a), MetricState::Total(b)) => same_shape(a, b),
            (MetricState::Moments(a), MetricState::Moments(b)) => same_shape(a, b),
            (MetricState::Extremes(a), MetricState::Extremes(b)) => same_shape(a, b),
            (MetricState::Share { part, whole }, MetricState::Share { part: p, whole: w }) => {
                same_shape(part, p) && same_shape(whole, w)
            }
            (
                MetricState::Spike {
                    window,
                    previous,
                    peaks,
                    ..
                },
                MetricState::Spike {
                    window: w,
                    previous: p,
                    peaks: d,
                    ..
                },
            ) => same_shape(window, w) && same_shape(previous, p) && same_shape(peaks, d),
            (
                MetricState::Anomaly {
                    window,
                    days,
                    hours,
                    ..
                },
                MetricState::Anomaly {
                    window: w,
                    days: d,
                    hours: h,
                    ..
                },
            ) => same_shape(window, w) && same_shape(days, d) && same_shape(hours, h),
            (
                MetricState::Baselined { window, baseline },
                MetricState::Baselined {
                    window: w,
                    baseline: b,
                },
            ) => same_shape(window, w) && same_shape(baseline, b),
            (MetricState::Since, MetricState::Since) => true,
            (MetricState::Distinct(a), MetricState::Distinct(b)) => {
                same_shape(a.clock(), b.clock())
            }
            (MetricState::Loudest(a), MetricState::Loudest(b)) => {
                same_shape(a.events(), b.events())
            }
            (MetricState::Repeats(a), MetricState::Repeats(b)) => a
                .rings()
                .iter()
                .zip(b.rings())
                .all(|(a, b)| same_shape(a, b)),
            _ => false,
        }
    }

    /// Whether restored rings hold what a run could have made by `now`: possible buckets,
    /// totals that agree with them, newest buckets where the clock puts them, and a typical
    /// peak that agrees with the peaks. Call after `fits`.
    pub fn is_consistent(&self, metric: &Metric, now: Timestamp) -> bool {
        let now = now.as_millis();
        match self {
            MetricState::Total(ring) => at_clock(ring, now),
            MetricState::Moments(ring) => at_clock(ring, now),
            MetricState::Extremes(ring) => at_clock(ring, now),
            MetricState::Share { part, whole } => at_clock(part, now) && at_clock(whole, now),
            MetricState::Spike {
                window,
                previous,
                peaks,
                since,
                typical,
            } => {
                *since <= now
                    && at_clock(window, now)
                    && baseline_at_clock(window, previous, now)
                    && at_clock(peaks, now)
                    && typical.to_bits()
                        == typical_peak(peaks, quantile_of(metric), first_whole_day(*since))
                            .to_bits()
            }
            MetricState::Anomaly {
                window,
                since,
                latest,
                days,
                hours,
            } => {
                *since <= now
                    && at_clock(window, now)
                    && latest.is_none_or(|latest| latest.is_possible(now))
                    && at_clock(days, now)
                    && baseline_at_clock(window, hours, now)
            }
            MetricState::Baselined { window, baseline } => {
                at_clock(window, now) && baseline_at_clock(window, baseline, now)
            }
            MetricState::Since => true,
            MetricState::Distinct(count) => {
                let clock = count.clock();
                count.is_consistent(clock.width(), clock.len() as usize, now)
            }
            MetricState::Loudest(loudest) => {
                at_clock(loudest.events(), now) && loudest.is_consistent()
            }
            MetricState::Repeats(repeats) => {
                repeats.rings().iter().all(|ring| at_clock(ring, now)) && repeats.is_consistent()
            }
        }
    }

    /// Brings every ring of `metric`'s state up to `now`, moving expired window buckets into
    /// baselines.
    pub fn roll_to(&mut self, metric: &Metric, now: Timestamp) {
        let now = now.as_millis();
        match self {
            MetricState::Total(ring) => ring.roll_to(now, |_, _| {}),
            MetricState::Moments(ring) => ring.roll_to(now, |_, _| {}),
            MetricState::Extremes(ring) => ring.roll_to(now, |_, _| {}),
            MetricState::Share { part, whole } => {
                part.roll_to(now, |_, _| {});
                whole.roll_to(now, |_, _| {});
            }
            MetricState::Spike {
                window,
                previous,
                peaks,
                since,
                typical,
            } => {
                let width = window.width();
                let window_start = window_start(window, now);
                let today = peaks.newest();
                // Whether a day before today got a new peak: the typical peak may change.
                let mut past_changed = false;
                window.roll_to(now, |index, bucket| {
                    // `previous` now ends with this bucket: its total is a window's count.
                    let start = index.saturating_mul(width);
                    previous.roll_to(start, |_, _| {});
                    previous.merge_at(index, bucket);
                    peaks.roll_to(start, |_, _| {});
                    peaks.add(start, previous.total().0);
                    past_changed |= start.div_euclid(DAY_MS) < now.div_euclid(DAY_MS);
                });
                previous.roll_to(window_start.saturating_sub(1), |_, _| {});
                peaks.roll_to(now, |_, _| {});
                if past_changed || peaks.newest() != today {
                    *typical = typical_peak(peaks, quantile_of(metric), first_whole_day(*since));
                }
            }
            MetricState::Anomaly {
                window,
                days,
                hours,
                ..
            } => {
                let width = window.width();
                let window_start = window_start(window, now);
                window.roll_to(now, |index, bucket| {
                    let start = index.saturating_mul(width);
                    days.roll_to(start, |_, _| {});
                    days.merge_at(days.bucket_of(start), bucket);
                    hours.roll_to(start, |_, _| {});
                    hours.merge_at(hours.bucket_of(start), bucket);
                });
                days.roll_to(now, |_, _| {});
                hours.roll_to(window_start.saturating_sub(1), |_, _| {});
            }
            MetricState::Baselined { window, baseline } => {
                roll_with_baseline(window, baseline, now)
            }
            MetricState::Since => {}
            MetricState::Distinct(count) => count.roll_to(now),
            MetricState::Loudest(loudest) => loudest.roll_to(now),
            MetricState::Repeats(repeats) => repeats.roll_to(now),
        }
    }

    /// Records a value at `time` (after rolling to the run's clock). A value older than its
    /// window goes to the baseline if that still covers it, and is otherwise dropped.
    pub fn add(&mut self, input: Feed, time: Timestamp, value: f64) {
        let time = time.as_millis();
        match self {
            MetricState::Total(ring) => {
                ring.add(time, value);
            }
            MetricState::Moments(ring) => {
                ring.add(time, value);
            }
            MetricState::Extremes(ring) => {
                ring.add(time, value);
            }
            MetricState::Share { part, whole } => {
                let ring = if input == Feed::Part { part } else { whole };
                ring.add(time, value);
            }
            // A value older than the window is dropped: the peaks are of whole windows.
            MetricState::Spike { window, .. } => {
                window.add(time, value);
            }
            MetricState::Anomaly { window, latest, .. } => {
                if window.add(time, value) && latest.is_none_or(|latest| time >= latest.at) {
                    *latest = Some(Latest { at: time, value });
                }
            }
            MetricState::Baselined { window, baseline } => {
                add_with_baseline(window, baseline, time, value)
            }
            MetricState::Since
            | MetricState::Distinct(_)
            | MetricState::Loudest(_)
            | MetricState::Repeats(_) => {}
        }
    }

    /// Records an event's value of an attribute, by its hash (`distinct`, `top_share`).
    pub fn add_value(&mut self, time: Timestamp, hash: u64) {
        match self {
            MetricState::Distinct(count) => count.add(hash, time.as_millis()),
            MetricState::Loudest(loudest) => loudest.add(hash, time.as_millis()),
            _ => {}
        }
    }

    /// Records an event's text, by its fingerprint (`near_duplicates`).
    pub fn add_text(&mut self, time: Timestamp, fingerprint: Option<u64>) {
        if let MetricState::Repeats(repeats) = self {
            repeats.add(fingerprint, time.as_millis());
        }
    }

    /// Reads the memory a new value would touch (see `Run::warm_windows`).
    pub fn warm(&self) -> bool {
        match self {
            MetricState::Total(ring) => ring.warm(),
            MetricState::Moments(ring) => ring.warm(),
            MetricState::Extremes(ring) => ring.warm(),
            MetricState::Share {
                part: first,
                whole: second,
            } => first.warm() ^ second.warm(),
            // A value lands in the window only (and, for an anomaly, in `latest`).
            MetricState::Spike { window, .. } => window.warm(),
            MetricState::Anomaly { window, latest, .. } => window.warm() ^ latest.is_some(),
            MetricState::Baselined { window, baseline } => window.warm() ^ baseline.warm(),
            MetricState::Since => false,
            MetricState::Distinct(count) => count.clock().warm(),
            MetricState::Loudest(loudest) => loudest.events().warm(),
            MetricState::Repeats(repeats) => {
                repeats.rings().iter().fold(false, |w, r| w ^ r.warm())
            }
        }
    }

    /// Brings `horizon` in to this metric's rings. (A baseline is rolled only to the start of
    /// its window, before now, so its next roll can come early, never late. A detector's
    /// `previous` and `hours` change only when its window rolls, and are left out: with small
    /// buckets, their next roll is nearly always past.)
    pub fn horizon(&self, horizon: Horizon) -> Horizon {
        match self {
            MetricState::Total(ring) => horizon.ring(ring),
            MetricState::Moments(ring) => horizon.ring(ring),
            MetricState::Extremes(ring) => horizon.ring(ring),
            MetricState::Share { part, whole } => horizon.ring(part).ring(whole),
            MetricState::Spike { window, peaks, .. } => horizon.ring(window).ring(peaks),
            MetricState::Anomaly { window, days, .. } => horizon.ring(window).ring(days),
            MetricState::Baselined { window, baseline } => horizon.ring(window).ring(baseline),
            MetricState::Since => horizon,
            MetricState::Distinct(count) => {
                horizon.window(count.clock().next_roll(), count.is_empty())
            }
            MetricState::Loudest(loudest) => horizon.ring(loudest.events()),
            MetricState::Repeats(repeats) => {
                let [texts, repeats] = repeats.rings();
                horizon.ring(texts).ring(repeats)
            }
        }
    }

    /// The next instant at which rolling would change a value, if any.
    pub fn next_change(&self) -> Option<i64> {
        self.horizon(Horizon::NONE).change
    }

    /// The metric's value at `now`, `None` when undefined. A run that `started` observing
    /// recently has baselines that are undefined: until a quarter of it has been observed
    /// (drop, zscore), or until a window and a day after the detector began (spike, anomaly).
    pub fn value(
        &self,
        metric: &Metric,
        started: Timestamp,
        now: Timestamp,
        last_seen: Option<Duration>,
    ) -> Option<f64> {
        let since_start = now - started;
        let window = metric.window.unwrap_or_default();
        let window_ms = window.as_millis() as f64;
        // How much of the baseline the run has observed, if enough to be meaningful.
        let observed = |baseline: &Duration| {
            let seen = since_start.as_millis().saturating_sub(window.as_millis());
            (seen.saturating_mul(4) >= baseline.as_millis())
                .then(|| seen.min(baseline.as_millis()) as f64)
        };
        match (self, &metric.kind) {
            (MetricState::Total(ring), MetricKind::Rate { per, .. }) => {
                Some(ring.total().0 / (window_ms / per.as_millis() as f64))
            }
            (MetricState::Total(ring), _) => Some(ring.total().0),
            (MetricState::Moments(ring), _) => ring.total().mean(),
            (MetricState::Extremes(ring), MetricKind::Min(_)) => {
                let e = ring.total();
                (e.n > 0).then_some(e.min)
            }
            (MetricState::Extremes(ring), _) => {
                let e = ring.total();
                (e.n > 0).then_some(e.max)
            }
            (MetricState::Share { part, whole }, _) => {
                let whole = whole.total().0;
                (whole > 0.0).then(|| part.total().0 / whole)
            }
            (
                MetricState::Spike {
                    window: w,
                    since,
                    typical,
                    ..
                },
                MetricKind::Spike { min_count, .. },
            ) => {
                if !warmed_up(*since, now) {
                    return None;
                }
                let in_window = w.total().0;
                let ratio = in_window / typical.max(1.0);
                Some(if in_window < *min_count {
                    ratio.min(1.0)
                } else {
                    ratio
                })
            }
            (
                MetricState::Anomaly {
                    since,
                    latest,
                    days,
                    hours,
                    ..
                },
                MetricKind::Anomaly { .. },
            ) => {
                if !warmed_up(*since, now) {
                    return None;
                }
                // A gauge keeps its last value (`docs/semantics.md`), however old.
                let latest = latest.as_ref().filter(|_| !days.is_empty())?;
                let long = outside(latest.value, days.total(), LONG_TOLERANCE);
                let short = outside(latest.value, hours.total(), SHORT_TOLERANCE);
                Some(if short.abs() > long.abs() {
                    short
                } else {
                    long
                })
            }
            (
                MetricState::Baselined {
                    window: w,
                    baseline: b,
                },
                MetricKind::Drop { baseline, .. },
            ) => {
                observed(baseline)?;
                Some(b.total().mean()? - w.total().mean()?)
            }
            (
                MetricState::Baselined {
                    window: w,
                    baseline: b,
                },
                MetricKind::ZScore { baseline, .. },
            ) => {
                observed(baseline)?;
                let (mean_w, mean_b) = (w.total().mean()?, b.total().mean()?);
                let deviation = b.total().deviation()?;
                if deviation > 0.0 {
                    Some((mean_w - mean_b) / deviation)
                } else {
                    (mean_w == mean_b).then_some(0.0)
                }
            }
            (MetricState::Since, _) => last_seen.map(|d| d.as_millis() as f64 / 1000.0),
            (MetricState::Distinct(count), _) => count.value(),
            (MetricState::Loudest(loudest), _) => loudest.value(),
            (MetricState::Repeats(repeats), _) => repeats.value(),
            _ => None,
        }
    }

    /// Heap bytes owned by the metric's rings.
    pub fn heap_bytes(&self) -> usize {
        match self {
            MetricState::Total(ring) => ring.heap_bytes(),
            MetricState::Moments(ring) => ring.heap_bytes(),
            MetricState::Extremes(ring) => ring.heap_bytes(),
            MetricState::Share { part, whole } => {
                part.heap_bytes().saturating_add(whole.heap_bytes())
            }
            MetricState::Spike {
                window,
                previous,
                peaks,
                ..
            } => window
                .heap_bytes()
                .saturating_add(previous.heap_bytes())
                .saturating_add(peaks.heap_bytes()),
            MetricState::Anomaly {
                window,
                days,
                hours,
                ..
            } => window
                .heap_bytes()
                .saturating_add(days.heap_bytes())
                .saturating_add(hours.heap_bytes()),
            MetricState::Baselined { window, baseline } => {
                window.heap_bytes().saturating_add(baseline.heap_bytes())
            }
            MetricState::Since => 0,
            MetricState::Distinct(count) => count.heap_bytes(),
            MetricState::Loudest(loudest) => loudest.heap_bytes(),
            MetricState::Repeats(repeats) => repeats.heap_bytes(),
        }
    }
}

/// Windows in a day, for an anomaly's short-term range (one day of window-long buckets).
const DAY_WINDOWS: usize = 24;

/// A gauge's latest value and when it was observed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Latest {
    at: i64,
    value: f64,
}

impl Latest {
    /// Whether a restored value is one a run could have observed by `now`.
    fn is_possible(&self, now: i64) -> bool {
        self.at <= now && window::storable(self.value)
    }
}

/// Whether a detector that began at `since` has warmed up: a whole UTC day it observed lies
/// before today. A day observed in part would have a biased peak: a run started in the
/// evening would take the next morning for a spike.
fn warmed_up(since: i64, now: Timestamp) -> bool {
    now.as_millis().div_euclid(DAY_MS) > first_whole_day(since)
}

/// The index of the first whole UTC day from `since`: the first a detector observed in full.
fn first_whole_day(since: i64) -> i64 {
    since
        .div_euclid(DAY_MS)
        .saturating_add(i64::from(since.rem_euclid(DAY_MS) != 0))
}

/// A spike's quantile; other metrics have none.
fn quantile_of(metric: &Metric) -> f64 {
    match metric.kind {
        MetricKind::Spike { quantile, .. } => quantile,
        _ => 0.0,
    }
}

/// The `quantile` of the daily peaks of the whole days before today that the run observed
/// (from `first_day`); a day with no peak recorded counts 0. The lower nearest rank: the value
/// is one a day really had, and one storm day is never the typical one, even in a run's first
/// days (with three days, the upper quartile is the middle one, not the storm).
fn typical_peak(peaks: &Ring<Extremes>, quantile: f64, first_day: i64) -> f64 {
    let mut values = [0.0; MAX_BASELINE_DAYS as usize];
    let before_today = peaks
        .buckets()
        .filter(|(index, _)| *index >= first_day && *index != peaks.newest());
    let n = values
        .iter_mut()
        .zip(before_today)
        .map(|(value, (_, day))| *value = if day.n > 0 { day.max } else { 0.0 })
        .count();
    let Some(values) = values.get_mut(..n).filter(|v| !v.is_empty()) else {
        return 0.0;
    };
    // n ≤ 90 and a quantile in [0, 1]: the rank indexes `values`.
    let last = values.len().saturating_sub(1);
    let rank = (last as f64 * quantile.clamp(0.0, 1.0)).floor() as usize;
    let (_, typical, _) = values.select_nth_unstable_by(rank.min(last), f64::total_cmp);
    *typical
}

/// How far `value` lies outside `range`, in tolerances of its width: 0 inside, positive above,
/// negative below. A range of one value takes the value's size as its width, or 1 for 0.
fn outside(value: f64, range: &Extremes, tolerance: f64) -> f64 {
    if range.n == 0 {
        return 0.0;
    }
    let spread = range.max - range.min;
    let width = if spread > 0.0 {
        spread
    } else if range.max != 0.0 {
        range.max.abs()
    } else {
        1.0
    };
    let excess = if value > range.max {
        value - range.max
    } else if value < range.min {
        value - range.min
    } else {
        0.0
    };
    excess / (width * tolerance)
}

/// When a run's metrics next need its clock, kept with the run so that a signal visits every
/// ring only when one of them has a bucket to close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Horizon {
    /// The earliest end of a ring's newest bucket: rolling to an earlier time does nothing.
    pub roll: i64,
    /// The earliest [`MetricState::next_change`]: the next time a value changes with no signal.
    pub change: Option<i64>,
}

impl Horizon {
    /// No ring: nothing to roll, ever.
    pub const NONE: Horizon = Horizon {
        roll: i64::MAX,
        change: None,
    };

    pub fn of(metrics: &[MetricState]) -> Horizon {
        metrics
            .iter()
            .fold(Horizon::NONE, |horizon, metric| metric.horizon(horizon))
    }

    /// Takes in a value just added to `metric`. Adding never moves a ring's newest bucket, so
    /// it can only make a ring non-empty, bringing its next change in; no change can come
    /// before the next roll, and once it is that early (a run with steady traffic) there is
    /// nothing to look at.
    pub fn added(&mut self, metric: &MetricState) {
        if self.change != Some(self.roll) {
            self.change = earliest(self.change, metric.next_change());
        }
    }

    fn ring<A: Accumulate>(self, ring: &Ring<A>) -> Horizon {
        self.window(ring.next_roll(), ring.is_empty())
    }

    /// Takes in a window whose newest bucket ends at `roll`, and which holds nothing that
    /// could leave it when `empty`.
    fn window(self, roll: i64, empty: bool) -> Horizon {
        Horizon {
            roll: self.roll.min(roll),
            change: if empty {
                self.change
            } else {
                Some(self.change.map_or(roll, |change| change.min(roll)))
            },
        }
    }
}

fn same_shape<A: Accumulate>(a: &Ring<A>, b: &Ring<A>) -> bool {
    a.has_shape(b.width(), b.len() as usize)
}

fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A ring rolled with the clock: its newest bucket holds `now`.
fn at_clock<A: Accumulate>(ring: &Ring<A>, now: i64) -> bool {
    let newest = ring.bucket_of(now);
    ring.is_consistent(newest..=newest)
}

/// A baseline ends where its window begins (`roll_with_baseline`), unless it started later.
fn baseline_at_clock<A: Accumulate>(window: &Ring<A>, baseline: &Ring<A>, now: i64) -> bool {
    baseline.is_consistent(
        baseline.bucket_of(window_start(window, now).saturating_sub(1))..=baseline.bucket_of(now),
    )
}

/// Where the window that holds `now` begins.
fn window_start<A: Accumulate>(window: &Ring<A>, now: i64) -> i64 {
    // `now` is a Timestamp and `window.len()` at most a few dozen: no overflow.
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "a bucket index within the Timestamp range"
    )]
    let first = window.bucket_of(now) - window.len() + 1;
    first.saturating_mul(window.width())
}

fn roll_with_baseline<A: Accumulate>(window: &mut Ring<A>, baseline: &mut Ring<A>, now: i64) {
    let width = window.width();
    // The baseline ends where the window's oldest bucket begins.
    let window_start = window_start(window, now);
    baseline.roll_to(window_start.saturating_sub(1), |_, _| {});
    window.roll_to(now, |index, bucket| {
        let start = index.saturating_mul(width);
        baseline.merge_at(start.div_euclid(baseline.width()), bucket);
    });
    baseline.roll_to(window_start.saturating_sub(1), |_, _| {});
}

fn add_with_baseline<A: Accumulate>(
    window: &mut Ring<A>,
    baseline: &mut Ring<A>,
    time: i64,
    value: f64,
) {
    if !window.add(time, value) {
        let mut one = A::default();
        one.add(value);
        baseline.merge_at(time.div_euclid(baseline.width()), &one);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Playbook;

    #[test]
    fn the_horizon_has_a_change_only_once_a_ring_holds_a_value() {
        let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
        let volume_ratio = playbook.metric_named("volume_ratio").unwrap();
        let metric = playbook.metric(volume_ratio);
        let start = 7 * 3_600_000;
        let mut state = MetricState::new(metric, Timestamp::from_millis(start).unwrap());
        let mut horizon = Horizon::of(std::slice::from_ref(&state));
        // A 1 h window has 5 min buckets, a 7 d baseline 7 h ones: the window's bucket ends first.
        assert_eq!(horizon.roll, start + 5 * 60_000);
        assert_eq!(horizon.change, None);
        state.add(Feed::Main, Timestamp::from_millis(start).unwrap(), 3.0);
        horizon.added(&state);
        assert_eq!(horizon.change, Some(start + 5 * 60_000));
        assert_eq!(horizon, Horizon::of(std::slice::from_ref(&state)));
    }
}
