//! Per-signal cost of a run, on negative-comment-storm: steady state (no transition), a full
//! crisis (transitions, actions, escalations), `advance_to` across many timers and to the year
//! 9999, and a JSON snapshot round trip.
//!
//! Run with `cargo bench --bench observe`.

use std::hint::black_box;

mod pairs;
mod yardstick;

use crisis_playbook::{Duration, Observation, Playbook, Run, SignalId, Snapshot, Timestamp};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

struct Storm {
    playbook: Playbook,
    mentions: SignalId,
    negative: SignalId,
    start: Timestamp,
}

impl Storm {
    fn new() -> Storm {
        let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
        Storm {
            mentions: playbook.signal_named("mentions").unwrap(),
            negative: playbook.signal_named("negative").unwrap(),
            start: "2026-03-02T00:00:00Z".parse().unwrap(),
            playbook,
        }
    }

    fn at(&self, step: u64) -> Timestamp {
        self.start + Duration::from_secs(step * 150)
    }

    /// Ordinary traffic, alternating mentions and negative counts every 150 s, multiplied by
    /// `surge` from `from` on.
    fn traffic(
        &self,
        steps: std::ops::Range<u64>,
        surge: f64,
        from: u64,
    ) -> Vec<Observation<'static>> {
        steps
            .map(|step| {
                let factor = if step >= from { surge } else { 1.0 };
                if step % 2 == 0 {
                    Observation::count(
                        self.mentions,
                        self.at(step),
                        (20 + step % 7) as f64 * factor,
                    )
                } else {
                    Observation::count(self.negative, self.at(step), 2.0 * factor * factor)
                }
            })
            .collect()
    }

    /// A run after nine days of ordinary traffic: every window and baseline full.
    fn warm_run(&self) -> (Run, u64) {
        let mut run = Run::start(&self.playbook, self.start);
        let warm = 9 * 576;
        for observation in self.traffic(0..warm, 1.0, 0) {
            run.observe(observation).unwrap();
        }
        (run, warm)
    }
}

fn observe(c: &mut Criterion) {
    let storm = Storm::new();
    let (warm, next) = storm.warm_run();
    let mut group = c.benchmark_group("observe");

    let steady = storm.traffic(next..next + 10_000, 1.0, 0);
    group.throughput(Throughput::Elements(steady.len() as u64));
    group.bench_function("steady_state", |b| {
        b.iter_batched_ref(
            || warm.clone(),
            |run| {
                for observation in &steady {
                    black_box(run.observe(*observation).unwrap());
                }
            },
            BatchSize::LargeInput,
        )
    });

    // The same signals through the hand-written yardstick, in the same run of the bench.
    let to_hand = |observation: &Observation<'_>| {
        let at = observation.at().as_millis();
        let value = match observation.signal() {
            s if s == storm.mentions => yardstick::Signal::Mentions,
            _ => yardstick::Signal::Negative,
        };
        (at, value)
    };
    let mut hand = yardstick::Storm::new(storm.start.as_millis());
    let warm_traffic = storm.traffic(0..next, 1.0, 0);
    for observation in &warm_traffic {
        let (at, make) = to_hand(observation);
        hand.observe(at, make(count(observation))).unwrap();
    }
    let steady_hand: Vec<(i64, yardstick::Signal)> = steady
        .iter()
        .map(|o| {
            let (at, make) = to_hand(o);
            (at, make(count(o)))
        })
        .collect();
    group.bench_function("steady_state_yardstick", |b| {
        b.iter_batched_ref(
            || hand.clone(),
            |storm| {
                for (at, signal) in &steady_hand {
                    black_box(storm.observe(*at, *signal).unwrap());
                }
            },
            BatchSize::LargeInput,
        )
    });

    interleaved_ratio(&warm, &steady, &hand, &steady_hand);

    // Volume climbs to 8x: watch, issue, crisis, major, with their actions and ladders.
    let crisis = storm.traffic(next..next + 10_000, 8.0, next + 200);
    let mut check = warm.clone();
    let mut transitions = 0;
    for observation in &crisis {
        transitions += check
            .observe(*observation)
            .unwrap()
            .iter()
            .filter(|e| e.kind.name() == "transition")
            .count();
    }
    assert!(
        transitions >= 3,
        "the crisis bench must escalate ({transitions} transitions)"
    );
    group.throughput(Throughput::Elements(crisis.len() as u64));
    group.bench_function("full_crisis", |b| {
        b.iter_batched_ref(
            || warm.clone(),
            |run| {
                for observation in &crisis {
                    black_box(run.observe(*observation).unwrap());
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("advance");
    // In crisis with ladders, recurrences and deadlines pending: advance a week, hour by hour.
    let mut in_crisis = warm.clone();
    for observation in &crisis[..1_000] {
        in_crisis.observe(*observation).unwrap();
    }
    let from = in_crisis.now();
    group.throughput(Throughput::Elements(24 * 7));
    group.bench_function("week_hour_by_hour", |b| {
        b.iter_batched_ref(
            || in_crisis.clone(),
            |run| {
                for hour in 1..=24 * 7 {
                    black_box(run.advance_to(from + Duration::from_secs(hour * 3600)));
                }
            },
            BatchSize::SmallInput,
        )
    });
    // The same run, silent until the year 9999: one call, bounded by MAX_INSTANTS_PER_CALL
    // (a 100-year jump took 3.9 s and 806 MB before the bound).
    let end: Timestamp = "9999-12-31T23:59:59.999Z".parse().unwrap();
    group.throughput(Throughput::Elements(1));
    group.bench_function("jump_to_year_9999", |b| {
        b.iter_batched_ref(
            || in_crisis.clone(),
            |run| black_box(run.advance_to(end).len()),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("snapshot");
    group.bench_function("json_round_trip", |b| {
        b.iter(|| {
            let json = serde_json::to_string(&warm.snapshot()).unwrap();
            let snapshot: Snapshot = serde_json::from_str(&json).unwrap();
            black_box(Run::restore(&storm.playbook, snapshot).unwrap())
        })
    });
    group.finish();
}

/// The engine's steady-state time over the yardstick's, in alternating pairs.
fn interleaved_ratio(
    warm: &Run,
    steady: &[Observation<'_>],
    hand: &yardstick::Storm,
    steady_hand: &[(i64, yardstick::Signal)],
) {
    let ratio = pairs::Ratio::measure(
        41,
        || {
            let mut run = warm.clone();
            for observation in steady {
                black_box(run.observe(*observation).unwrap());
            }
        },
        || {
            let mut storm = hand.clone();
            for (at, signal) in steady_hand {
                black_box(storm.observe(*at, *signal).unwrap());
            }
        },
    );
    println!("observe/steady_state ÷ yardstick, {ratio}");
}

/// The value of a count observation built by `Storm::traffic`.
fn count(observation: &Observation<'_>) -> f64 {
    observation.value().unwrap_or(0.0)
}

criterion_group!(benches, observe);
criterion_main!(benches);
