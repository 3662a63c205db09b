//! Instruction counts of the hot paths with gungraun (Callgrind): they do not vary with the
//! load of a noisy machine, for a fixed compiler (pinned in `rust-toolchain.toml`).
//!
//! Needs valgrind and the `gungraun-runner` of the same version as the gungraun crate. Run
//! `benches/gungraun.sh`, which compares with the committed baseline and fails when any
//! hot path costs more than 10 % more instructions.

use std::hint::black_box;

use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, SignalId, Timestamp};
use gungraun::{library_benchmark, library_benchmark_group, main};

const STORM: &str = include_str!("../playbooks/negative-comment-storm.yaml");

struct Warm {
    run: Run,
    mentions: SignalId,
    journalist: SignalId,
    at: Timestamp,
}

/// A storm run after nine days of ordinary traffic: every window and baseline full.
fn warm() -> Warm {
    let playbook = Playbook::from_yaml_str(STORM).unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let negative = playbook.signal_named("negative").unwrap();
    let journalist = playbook.signal_named("journalist").unwrap();
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let mut run = Run::start(&playbook, start);
    let steps = 9 * 288u64;
    for step in 0..steps {
        let at = start + Duration::from_secs(step * 300);
        run.observe(Observation::count(mentions, at, (20 + step % 7) as f64))
            .unwrap();
        run.observe(Observation::count(negative, at, 2.0)).unwrap();
    }
    // Warming up frees many small blocks, which glibc keeps in its fast bins and merges
    // (malloc_consolidate) at the next large request: in the measured call, that was 28,000
    // of a transition's 42,600 instructions, and it moved with unrelated changes to the heap.
    // A 64 KiB request here merges them first, so the count is the engine's own work.
    drop(black_box(vec![0u8; 64 * 1024]));
    Warm {
        run,
        mentions,
        journalist,
        at: start + Duration::from_secs(steps * 300),
    }
}

// 100 batches of ordinary traffic: no transition.
#[library_benchmark]
#[bench::hundred_signals(setup = warm)]
fn observe_steady_state(mut warm: Warm) -> Run {
    for step in 0..100u64 {
        let at = warm.at + Duration::from_secs(step * 150);
        black_box(
            warm.run
                .observe(Observation::count(warm.mentions, at, 21.0))
                .unwrap(),
        );
    }
    warm.run
}

// A national journalist: monitoring -> crisis, with its actions and ladder.
#[library_benchmark]
#[bench::journalist(setup = warm)]
fn observe_with_transition(mut warm: Warm) -> Run {
    let national = [("tier", AttributeValue::Text("national"))];
    black_box(
        warm.run
            .observe(Observation::event(warm.journalist, warm.at, &national))
            .unwrap(),
    );
    warm.run
}

// A day in crisis with no signal: roll-overs, ladder steps, recurrences, deadlines.
#[library_benchmark]
#[bench::day_in_crisis(setup = warm)]
fn advance(mut warm: Warm) -> Run {
    let local = [("tier", AttributeValue::Text("local"))];
    warm.run
        .observe(Observation::event(warm.journalist, warm.at, &local))
        .unwrap();
    black_box(warm.run.advance_to(warm.at + Duration::from_secs(86_400)));
    warm.run
}

// Loading and validating the bundled negative-comment-storm playbook.
#[library_benchmark]
#[bench::negative_comment_storm()]
fn load() -> Playbook {
    black_box(Playbook::from_yaml_str(black_box(STORM)).unwrap())
}

/// The signals and metric every tracks' playbook shares, before its states.
const TRACKS_HEAD: &str = "version: 1\ntitle: Tracks\nsignals:\n  n: { kind: count }\n  ack: { kind: manual }\nmetrics:\n  rate: { count: n, window: 30m }\nroles: [lead]\n";

/// The thresholds of three tracks that cross at different times of the same wave.
const THRESHOLDS: [u32; 3] = [8, 14, 20];

/// One track's states, indented by `indent`: quiet until the rate holds above `threshold`
/// for 10 minutes, then busy, with an hourly action and a two-step ladder, until it holds
/// below for 30.
fn track_states(threshold: u32, indent: &str) -> String {
    [
        "quiet:".to_string(),
        "  enter: [{ do: look, owner: lead, within: 30m, say: Look }]".to_string(),
        format!("  on: [{{ to: busy, when: rate >= {threshold}, for: 10m }}]"),
        "busy:".to_string(),
        "  enter: [{ do: act, owner: lead, within: 1h, every: 1h, closes_on_exit: true, say: Act }]".to_string(),
        "  escalate: { unless: ack, steps: [{ to: lead, after: 15m }, { to: lead, after: 45m }] }".to_string(),
        format!("  on: [{{ to: quiet, when: rate < {threshold}, for: 30m }}]"),
    ]
    .iter()
    .map(|line| format!("{indent}{line}\n"))
    .collect()
}

struct Week {
    run: Run,
    n: SignalId,
    start: Timestamp,
}

fn week(text: &str) -> Week {
    let playbook = Playbook::from_yaml_str(text).unwrap();
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    drop(black_box(vec![0u8; 64 * 1024]));
    Week {
        n: playbook.signal_named("n").unwrap(),
        run: Run::start(&playbook, start),
        start,
    }
}

/// A state holding the three tracks.
fn together() -> Week {
    let mut text = format!(
        "playbook: together\n{TRACKS_HEAD}initial: watching\nstates:\n  watching:\n    tracks:\n"
    );
    for (k, threshold) in THRESHOLDS.iter().enumerate() {
        text.push_str(&format!(
            "      t{k}:\n        initial: quiet\n        states:\n"
        ));
        text.push_str(&track_states(*threshold, "          "));
    }
    week(&text)
}

/// Track `k` as a playbook of its own.
fn alone(k: usize) -> Week {
    let states = track_states(THRESHOLDS[k], "  ");
    week(&format!(
        "playbook: alone\n{TRACKS_HEAD}initial: quiet\nstates:\n{states}"
    ))
}

// A week of counts every five minutes in a daily wave that each track crosses at its own
// threshold: `together` must cost at most the sum of the three `alone` plus 20 %
// (benches/instructions.sh checks it).
#[library_benchmark]
#[bench::together(setup = together)]
#[bench::alone_0(args = (0), setup = alone)]
#[bench::alone_1(args = (1), setup = alone)]
#[bench::alone_2(args = (2), setup = alone)]
fn tracks_week(mut week: Week) -> Run {
    for step in 0..7 * 288u64 {
        let at = week.start + Duration::from_secs(step * 300);
        let wave = (step % 288).abs_diff(144) as f64 / 24.0;
        black_box(
            week.run
                .observe(Observation::count(week.n, at, wave))
                .unwrap(),
        );
    }
    week.run
}

library_benchmark_group!(
    name = hot_paths;
    benchmarks = observe_steady_state, observe_with_transition, advance, load, tracks_week
);

main!(library_benchmark_groups = hot_paths);
