//! The detectors behave as `docs/detection.md` says: a spike is the window's count against the
//! upper quartile of the daily peaks, an anomaly the latest gauge value against the ranges of
//! the last day and of the baseline's days. Scenario-level checks of each design choice, a
//! property test against a brute-force computation, and the upgrade of older snapshots.

mod support;

use crisis_playbook::{Observation, Playbook, Run, Snapshot};
use proptest::prelude::*;
use support::*;

const DETECTORS: &str = r#"
playbook: detectors
version: 1
title: Detectors
signals:
  mentions: { kind: count }
  cpc: { kind: gauge }
metrics:
  volume_ratio: { spike: mentions, window: 1h }
  unusual: { anomaly: cpc, window: 1h }
roles: [analyst]
initial: watch
states:
  watch:
    on:
      - { to: done, when: volume_ratio > 100 or unusual > 100 }
  done: { final: true }
"#;

const HOUR: u64 = 60;
const DAY: u64 = 24 * HOUR;

struct Detectors {
    run: Run,
    mentions: crisis_playbook::SignalId,
    cpc: crisis_playbook::SignalId,
    playbook: Playbook,
}

impl Detectors {
    fn new() -> Detectors {
        let playbook = playbook(DETECTORS);
        Detectors {
            run: Run::start(&playbook, at(0)),
            mentions: playbook.signal_named("mentions").unwrap(),
            cpc: playbook.signal_named("cpc").unwrap(),
            playbook,
        }
    }

    /// `value` mentions in each 5-minute batch from `from` (minutes) until before `to`.
    fn mentions(&mut self, from: u64, to: u64, value: f64) {
        for minute in (from..to).step_by(5) {
            self.run
                .observe(Observation::count(self.mentions, at(minute), value))
                .unwrap();
        }
    }

    fn cpc(&mut self, minute: u64, value: f64) {
        self.run
            .observe(Observation::gauge(self.cpc, at(minute), value))
            .unwrap();
    }

    fn value(&self, metric: &str) -> Option<f64> {
        self.run
            .metric_value(self.playbook.metric_named(metric).unwrap())
    }
}

/// A day at one mention a batch (12 an hour) with one busy hour, 10:00-11:00, at `busy` a
/// batch: its peak is `12 * busy`.
fn day_with_peak(detectors: &mut Detectors, day: u64, busy: f64) {
    let start = day * DAY;
    detectors.mentions(start, start + 10 * HOUR, 1.0);
    detectors.mentions(start + 10 * HOUR, start + 11 * HOUR, busy);
    detectors.mentions(start + 11 * HOUR, start + DAY, 1.0);
}

#[test]
fn a_spike_is_the_last_hour_against_the_upper_quartile_of_daily_peaks() {
    let mut d = Detectors::new();
    day_with_peak(&mut d, 0, 10.0);
    assert_eq!(
        d.value("volume_ratio"),
        None,
        "no whole day before today yet"
    );
    day_with_peak(&mut d, 1, 20.0);
    day_with_peak(&mut d, 2, 30.0);
    d.mentions(3 * DAY, 3 * DAY + 5 * HOUR, 1.0);
    // Peaks 120, 240, 360: the upper quartile by the lower nearest rank of three is the
    // middle one. The last hour holds 12.
    assert_eq!(d.value("volume_ratio"), Some(12.0 / 240.0));
    // An hour at 40 a batch is twice the typical peak.
    d.mentions(3 * DAY + 5 * HOUR, 3 * DAY + 6 * HOUR, 40.0);
    assert_eq!(d.value("volume_ratio"), Some(2.0));
}

#[test]
fn a_quantile_can_be_written_as_a_percentage() {
    let kind = |quantile: &str| {
        let text = DETECTORS.replace(
            "{ spike: mentions, window: 1h }",
            &format!("{{ spike: mentions, window: 1h, quantile: {quantile} }}"),
        );
        let playbook = playbook(&text);
        let metric = playbook.metric_named("volume_ratio").unwrap();
        playbook.metrics()[metric.index()].kind.clone()
    };
    assert_eq!(kind("90%"), kind("0.9"));
    assert_ne!(kind("90%"), kind("0.75"));
}

#[test]
fn the_first_day_counts_only_when_observed_whole() {
    // A run started in the evening: its first, quiet evening is not a day's peak, so the next
    // morning's ordinary rise is no spike; the ratio waits for a whole day.
    let playbook = playbook(DETECTORS);
    let mentions = playbook.signal_named("mentions").unwrap();
    let ratio = playbook.metric_named("volume_ratio").unwrap();
    let mut run = Run::start(&playbook, at(21 * HOUR));
    for minute in (21 * HOUR..3 * DAY).step_by(5) {
        let hour = (minute / HOUR) % 24;
        let value = if (9..18).contains(&hour) { 30.0 } else { 5.0 };
        run.observe(Observation::count(mentions, at(minute), value))
            .unwrap();
        if minute < 2 * DAY {
            assert_eq!(run.metric_value(ratio), None, "minute {minute}");
        } else {
            assert!(run.metric_value(ratio).unwrap() <= 1.0, "minute {minute}");
        }
    }
}

#[test]
fn one_storm_day_is_not_typical_even_in_a_young_run() {
    let mut d = Detectors::new();
    day_with_peak(&mut d, 0, 20.0);
    day_with_peak(&mut d, 1, 120.0);
    day_with_peak(&mut d, 2, 20.0);
    // Peaks 240, 1440, 240: the storm's day is the highest, not the typical one.
    d.mentions(3 * DAY, 3 * DAY + HOUR, 120.0);
    assert_eq!(d.value("volume_ratio"), Some(6.0));
}

#[test]
fn a_new_normal_stops_reading_as_a_spike_within_four_days() {
    let mut d = Detectors::new();
    for day in 0..7 {
        day_with_peak(&mut d, day, 20.0);
    }
    let mut busy_hour_ratio = Vec::new();
    for day in 7..12 {
        // Twice the traffic from now on.
        d.mentions(day * DAY, day * DAY + 10 * HOUR, 2.0);
        d.mentions(day * DAY + 10 * HOUR, day * DAY + 11 * HOUR, 40.0);
        busy_hour_ratio.push(d.value("volume_ratio").unwrap());
        d.mentions(day * DAY + 11 * HOUR, (day + 1) * DAY, 2.0);
    }
    // Seven old days and n new ones: the upper quartile is a new day once n reaches 4.
    assert_eq!(busy_hour_ratio, [2.0, 2.0, 2.0, 2.0, 1.0]);
}

#[test]
fn silent_days_count_and_the_gate_keeps_a_handful_of_mentions_calm() {
    let mut d = Detectors::new();
    d.mentions(0, 5, 1.0);
    d.mentions(3 * DAY, 3 * DAY + HOUR, 0.0);
    // Three silent days: the typical peak is 0, taken as 1. Four mentions in the hour are under
    // the gate of 5, so the ratio stays at most 1; six read as six times the usual.
    d.mentions(3 * DAY + HOUR, 3 * DAY + HOUR + 20, 1.0);
    assert_eq!(d.value("volume_ratio"), Some(1.0));
    d.mentions(3 * DAY + HOUR + 20, 3 * DAY + HOUR + 30, 1.0);
    assert_eq!(d.value("volume_ratio"), Some(6.0));
}

#[test]
fn an_anomaly_is_the_latest_value_against_the_month_and_the_day() {
    let mut d = Detectors::new();
    // Three days between 1.0 at night and 2.0 by day.
    for hour in 0..72 {
        let value = if (9..18).contains(&(hour % 24)) {
            2.0
        } else {
            1.0
        };
        d.cpc(hour * HOUR, value);
    }
    assert_eq!(d.value("unusual"), Some(0.0), "inside the usual range");
    // 5 % of the range above it is one tolerance of the long-term range.
    d.cpc(72 * HOUR, 2.05);
    assert!((d.value("unusual").unwrap() - 1.0).abs() < 1e-9);
    // Below, the sign turns.
    d.cpc(72 * HOUR + 5, 0.8);
    assert!((d.value("unusual").unwrap() + 4.0).abs() < 1e-9);
}

#[test]
fn an_anomaly_sees_a_jump_that_the_month_has_seen_but_the_day_has_not() {
    let mut d = Detectors::new();
    // A first day between 0 and 10, then two calm days between 4.9 and 5.1.
    for hour in 0..24 {
        d.cpc(hour * HOUR, if hour % 2 == 0 { 0.0 } else { 10.0 });
    }
    for hour in 24..72 {
        d.cpc(hour * HOUR, if hour % 2 == 0 { 4.9 } else { 5.1 });
    }
    // 6.0 is within the month's range, but 4.5 widths of the last day's above it: 2.25
    // tolerances of 2 widths.
    d.cpc(72 * HOUR, 6.0);
    assert!((d.value("unusual").unwrap() - 2.25).abs() < 1e-9);
}

#[test]
fn a_version_2_snapshot_restores_with_its_spike_peaks_started_afresh() {
    let mut d = Detectors::new();
    for day in 0..3 {
        day_with_peak(&mut d, day, 20.0);
    }
    assert!(d.value("volume_ratio").is_some());
    // What version 2 wrote: a spike kept `window` and `baseline` rings.
    let mut json = serde_json::to_value(d.run.snapshot()).unwrap();
    json["version"] = 2.into();
    let spike = &mut json["run"]["metrics"][0]["spike"];
    let window = spike["window"].clone();
    let object = spike.as_object_mut().unwrap();
    object.retain(|key, _| key == "window");
    object.insert("baseline".into(), window);
    let snapshot: Snapshot = serde_json::from_value(json).unwrap();
    let restored = Run::restore(&d.playbook, snapshot).unwrap();
    let ratio = d.playbook.metric_named("volume_ratio").unwrap();
    assert_eq!(restored.metric_value(ratio), None, "peaks start afresh");
    assert_eq!(restored.state_name(), d.run.state_name());
    let mut d = Detectors { run: restored, ..d };
    d.mentions(3 * DAY, 5 * DAY + HOUR, 1.0);
    assert_eq!(d.value("volume_ratio"), Some(1.0));
}

/// The spike's value computed from scratch from every batch: the definition in
/// `docs/semantics.md`, with none of the rings.
fn spike_from_scratch(batches: &[(u64, f64)], since: u64, now: u64) -> Option<f64> {
    const BUCKET: u64 = 5;
    let bucket = |minute: u64| minute / BUCKET;
    let newest = bucket(now);
    let count = |index: u64| -> f64 {
        batches
            .iter()
            .filter(|(minute, _)| bucket(*minute) == index)
            .map(|(_, value)| value)
            .sum()
    };
    let hour_ending = |index: u64| -> f64 { (index.saturating_sub(11)..=index).map(count).sum() };
    let day = |minute: u64| minute / DAY;
    let first_day = since.div_ceil(DAY);
    let today = day(now);
    if today <= first_day {
        return None;
    }
    // A bucket that held mentions and has left the window records the hour it ends.
    let peak = |d: u64| -> f64 {
        (0..=newest.saturating_sub(12))
            .filter(|index| newest >= 12 && day(index * BUCKET) == d && count(*index) != 0.0)
            .map(hour_ending)
            .fold(0.0, f64::max)
    };
    let mut peaks: Vec<f64> = (first_day.max(today.saturating_sub(14))..today)
        .map(peak)
        .collect();
    peaks.sort_by(f64::total_cmp);
    let typical = peaks[((peaks.len() - 1) as f64 * 0.75).floor() as usize];
    let in_window = hour_ending(newest);
    let ratio = in_window / typical.max(1.0);
    Some(if in_window < 5.0 {
        ratio.min(1.0)
    } else {
        ratio
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Whatever the gaps and counts, the streaming spike equals its definition.
    #[test]
    fn the_streaming_spike_equals_its_definition(
        start in 0u64..DAY,
        steps in proptest::collection::vec((0u64..240, 0u32..40), 50..200),
    ) {
        let playbook = playbook(DETECTORS);
        let mentions = playbook.signal_named("mentions").unwrap();
        let ratio = playbook.metric_named("volume_ratio").unwrap();
        let mut run = Run::start(&playbook, at(start));
        let mut batches = Vec::new();
        let mut minute = start;
        for (gap, value) in steps {
            minute += gap;
            let value = f64::from(value);
            run.observe(Observation::count(mentions, at(minute), value)).unwrap();
            batches.push((minute, value));
            prop_assert_eq!(
                run.metric_value(ratio),
                spike_from_scratch(&batches, start, minute),
                "minute {}", minute
            );
        }
    }
}

/// The heap bytes of a fresh run of a playbook with one metric, written `metric`.
fn bytes_with(metric: &str) -> usize {
    let text = format!(
        "playbook: one\nversion: 1\ntitle: One\nsignals:\n  mentions: {{ kind: count }}\n  \
         cpc: {{ kind: gauge }}\nmetrics:\n  m: {metric}\nroles: [analyst]\ninitial: watch\n\
         states:\n  watch:\n    on:\n      - {{ to: done, when: m > 1 }}\n  done: {{ final: true }}\n"
    );
    Run::start(&playbook(&text), at(0)).heap_bytes()
}

#[test]
fn a_detector_costs_at_most_4_kib_even_with_the_longest_baseline() {
    let plain = bytes_with("{ count: mentions, window: 1h }");
    for detector in [
        "{ spike: mentions, window: 1h, baseline: 90d }",
        "{ anomaly: cpc, window: 1h, baseline: 90d }",
    ] {
        let extra = bytes_with(detector) - plain;
        assert!(extra <= 4096, "{detector}: {extra} bytes");
    }
    // The defaults cost far less: 15 and 29 days.
    assert!(bytes_with("{ spike: mentions, window: 1h }") - plain <= 1024);
    assert!(bytes_with("{ anomaly: cpc, window: 1h }") - plain <= 2048);
}
