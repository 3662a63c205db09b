//! The hand-written yardstick in `benches/yardstick/` and the engine take the same
//! transitions at the same times on a signal stream with several crises, so that comparing
//! their speed compares equal work.

#[path = "../benches/yardstick/mod.rs"]
mod yardstick;

use crisis_playbook::{AttributeValue, EventKind, Observation, Playbook, Run, Timestamp};
use yardstick::{Signal, State, Storm};

/// Two weeks of 5-minute batches: ordinary traffic with a daily rhythm and storms of different
/// shapes (a volume storm acknowledged, relapses during recovery, a national-press crisis that
/// goes major, small rises), and the sign-off that closes the run at the end.
pub fn stream() -> Vec<(i64, Signal)> {
    let mut out = Vec::new();
    let mut noise: u64 = 7;
    let mut next = || {
        noise = noise
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((noise >> 33) as f64) / ((1u64 << 31) as f64)
    };
    let start = 1_772_409_600_000i64;
    for step in 0..(14 * 288) {
        let at = start + step * 300_000;
        let hours = step as f64 / 12.0;
        let factor = match hours {
            h if (60.0..63.0).contains(&h) => 6.0,
            h if (100.0..101.5).contains(&h) => 3.5,
            h if (150.0..152.0).contains(&h) => 11.0,
            h if (200.0..201.0).contains(&h) => 2.4,
            h if (240.0..242.0).contains(&h) => 8.0,
            _ => 1.0,
        };
        let daily = 1.0 + 0.3 * (std::f64::consts::TAU * (hours - 14.0) / 24.0).cos();
        let mentions = (20.0 * daily * factor * (0.85 + 0.3 * next())).round();
        let share = if factor > 1.0 { 0.45 } else { 0.08 };
        let negative = (mentions * share * (0.8 + 0.4 * next())).round();
        out.push((at, Signal::Mentions(mentions)));
        out.push((at, Signal::Negative(negative)));
        out.push((at, Signal::Sentiment((0.25 - share * 0.5).clamp(-1.0, 1.0))));
        out.push((
            at,
            Signal::BoycottHits(if factor > 6.0 { 2.0 } else { 0.0 }),
        ));
        match step {
            s if s == 60 * 12 + 5 => out.push((at, Signal::Ack)),
            s if s == 151 * 12 + 9 => out.push((at, Signal::Journalist { national: true })),
            s if s == 100 * 12 + 20 => out.push((at, Signal::Journalist { national: false })),
            s if s == 300 * 12 => out.push((at, Signal::Resolve)),
            _ => {}
        }
    }
    out
}

fn name(state: State) -> &'static str {
    match state {
        State::Monitoring => "monitoring",
        State::Watch => "watch",
        State::Issue => "issue",
        State::Crisis => "crisis",
        State::Major => "major",
        State::Recovering => "recovering",
        State::Closed => "closed",
    }
}

#[test]
fn the_yardstick_and_the_engine_take_the_same_transitions_at_the_same_times() {
    let signals = stream();
    let start = signals[0].0;
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let id = |name: &str| playbook.signal_named(name).unwrap();
    let (mentions, negative, sentiment, boycott) = (
        id("mentions"),
        id("negative"),
        id("sentiment"),
        id("boycott_hits"),
    );
    let (journalist, ack, resolve) = (id("journalist"), id("ack"), id("resolve"));
    let mut run = Run::start(&playbook, Timestamp::from_millis(start).unwrap());
    let mut storm = Storm::new(start);
    let mut engine = Vec::new();
    let mut hand = Vec::new();
    let national = [("tier", AttributeValue::Text("national"))];
    let local = [("tier", AttributeValue::Text("local"))];
    for (at, signal) in &signals {
        let time = Timestamp::from_millis(*at).unwrap();
        let observation = match signal {
            Signal::Mentions(v) => Observation::count(mentions, time, *v),
            Signal::Negative(v) => Observation::count(negative, time, *v),
            Signal::Sentiment(v) => Observation::gauge(sentiment, time, *v),
            Signal::BoycottHits(v) => Observation::count(boycott, time, *v),
            Signal::Journalist { national: true } => {
                Observation::event(journalist, time, &national)
            }
            Signal::Journalist { national: false } => Observation::event(journalist, time, &local),
            Signal::Ack => Observation::manual(ack, time, "lead"),
            Signal::Resolve => Observation::manual(resolve, time, "lead"),
        };
        for event in run.observe(observation).unwrap() {
            if let EventKind::Transition { from, to, .. } = &event.kind {
                engine.push(format!("{} {from} -> {to}", event.at.as_millis() - start));
            }
        }
        for output in storm.observe(*at, *signal).unwrap() {
            if let yardstick::Output::Transition { at, from, to } = output {
                hand.push(format!("{} {} -> {}", at - start, name(*from), name(*to)));
            }
        }
    }
    assert!(
        engine.len() >= 8,
        "the stream must hold several crises: {engine:?}"
    );
    assert!(
        engine.iter().any(|t| t.ends_with("crisis -> major")),
        "{engine:?}"
    );
    assert!(
        engine.iter().any(|t| t.ends_with("-> closed")),
        "{engine:?}"
    );
    assert_eq!(hand, engine);
}

#[test]
fn the_yardstick_refuses_what_the_engine_refuses() {
    let mut storm = Storm::new(0);
    assert_eq!(
        storm.observe(0, Signal::Mentions(f64::NAN)).unwrap_err(),
        yardstick::Refused::NotFinite
    );
    assert_eq!(
        storm.observe(0, Signal::Mentions(-1.0)).unwrap_err(),
        yardstick::Refused::Negative
    );
    assert_eq!(
        storm.observe(0, Signal::Sentiment(2.0)).unwrap_err(),
        yardstick::Refused::OutOfRange
    );
    storm.observe(600_000, Signal::Mentions(1.0)).unwrap();
    assert_eq!(
        storm.observe(0, Signal::Mentions(1.0)).unwrap_err(),
        yardstick::Refused::TooLate
    );
}
