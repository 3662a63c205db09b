//! A fleet of 100,000 subjects, with signals routed by subject key in a skewed pattern: a few
//! hot subjects and a long tail, as an agency watching many brands sees.
//!
//! Two paces: `peak`, two million signals a minute (one every 30 µs, the agency at the
//! height of a crisis), where most signals find their run's windows current; and `sparse`, a
//! hundred a second (one every 10 ms), where a tail subject's windows have moved on between two
//! of its signals and every signal rolls them. Each pace measures the engine signal by signal
//! (`Fleet::observe`), the engine in batches (`Fleet::observe_batch`), and the hand-written
//! yardstick behind the map from subject to run that a careful engineer would write.
//!
//! Run with `cargo bench --bench fleet`.

use std::collections::HashMap;
use std::hint::black_box;

mod yardstick;

use crisis_playbook::{Duration, Fleet, Observation, Playbook, Timestamp};
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main,
};

const SUBJECTS: usize = 100_000;
const SIGNALS: usize = 200_000;

/// The subject of each signal: the cube of a uniform draw sends most signals to the first
/// subjects (a fifth of them to the first 1,000) and the rest across the whole tail.
fn routing() -> Vec<usize> {
    let mut state: u64 = 42;
    (0..SIGNALS)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let uniform = (state >> 11) as f64 / (1u64 << 53) as f64;
            ((uniform.powi(3) * SUBJECTS as f64) as usize).min(SUBJECTS - 1)
        })
        .collect()
}

/// The engine fed signal by signal, each iteration on a fresh copy of `engine`.
fn bench_observe(
    group: &mut BenchmarkGroup<'_, WallTime>,
    engine: &Fleet,
    signals: &[(&str, Observation<'_>)],
) {
    group.bench_function("observe", |b| {
        b.iter_batched_ref(
            || engine.clone(),
            |fleet| {
                for (subject, observation) in signals {
                    black_box(fleet.observe(subject, *observation).unwrap());
                }
            },
            BatchSize::PerIteration,
        )
    });
}

fn fleet(c: &mut Criterion) {
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let subjects: Vec<String> = (0..SUBJECTS).map(|i| format!("brand-{i:06}")).collect();
    let mut engine = Fleet::new(&playbook);
    let mut index: HashMap<String, usize, rustc_hash::FxBuildHasher> = HashMap::default();
    let mut storms = Vec::with_capacity(SUBJECTS);
    for subject in &subjects {
        engine.start(subject, start).unwrap();
        index.insert(subject.clone(), storms.len());
        storms.push(yardstick::Storm::new(start.as_millis()));
    }
    let routed = routing();

    // Microseconds between two signals; times are kept to the millisecond.
    for (pace, gap) in [("peak", 30), ("sparse", 10_000)] {
        let signals: Vec<(&str, Observation<'static>)> = routed
            .iter()
            .enumerate()
            .map(|(k, &subject)| {
                let at = start + Duration::from_millis(k as u64 * gap / 1000);
                (
                    subjects[subject].as_str(),
                    Observation::count(mentions, at, 3.0),
                )
            })
            .collect();
        let mut group = c.benchmark_group(format!("fleet_{pace}"));
        group.sample_size(10);
        group.throughput(Throughput::Elements(SIGNALS as u64));
        bench_observe(&mut group, &engine, &signals);
        group.bench_function("observe_batch", |b| {
            b.iter_batched_ref(
                || engine.clone(),
                |fleet| {
                    fleet.observe_batch(&signals, |_, events| {
                        black_box(events.unwrap());
                    })
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_function("yardstick", |b| {
            b.iter_batched_ref(
                || storms.clone(),
                |storms| {
                    for (subject, observation) in &signals {
                        let storm = &mut storms[index[*subject]];
                        let at = observation.at().as_millis();
                        black_box(storm.observe(at, yardstick::Signal::Mentions(3.0)).unwrap());
                    }
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

/// The same signals to 1,000 subjects, whose runs all stay in cache: what the engine costs
/// when memory does not wait.
fn cached(c: &mut Criterion) {
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let subjects: Vec<String> = (0..1_000).map(|i| format!("brand-{i:06}")).collect();
    let mut engine = Fleet::new(&playbook);
    for subject in &subjects {
        engine.start(subject, start).unwrap();
    }
    let signals: Vec<(&str, Observation<'static>)> = routing()
        .iter()
        .enumerate()
        .map(|(k, &subject)| {
            let at = start + Duration::from_millis(k as u64 * 30 / 1000);
            let subject = subjects[subject * 1_000 / SUBJECTS].as_str();
            (subject, Observation::count(mentions, at, 3.0))
        })
        .collect();
    let mut group = c.benchmark_group("fleet_1000_subjects");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SIGNALS as u64));
    bench_observe(&mut group, &engine, &signals);
    group.finish();
}

/// The floor of this machine: reading and writing the first `lines` cache lines of a 2 KiB
/// block per subject, 100,000 subjects, the same routing. Nothing else is done, so the reads
/// for successive signals overlap as far as the processor allows: what a run laid out in one
/// block could cost at best.
fn memory_floor(c: &mut Criterion) {
    const WORDS: usize = 2048 / 8;
    let routed = routing();
    let mut blocks = vec![1u64; SUBJECTS * WORDS];
    let mut group = c.benchmark_group("memory_floor");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SIGNALS as u64));
    for lines in [4, 12, 24] {
        group.bench_function(format!("{lines}_lines"), |b| {
            b.iter(|| {
                let mut sum = 0u64;
                for &subject in &routed {
                    let block = &mut blocks[subject * WORDS..][..WORDS];
                    for line in 0..lines {
                        let word = &mut block[line * 8];
                        *word = word.wrapping_add(sum & 1);
                        sum = sum.wrapping_add(*word);
                    }
                }
                black_box(sum)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, fleet, cached, memory_floor);
criterion_main!(benches);
