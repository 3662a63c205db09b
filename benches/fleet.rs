//! A fleet of 100,000 subjects, with signals routed by subject key in a skewed pattern: a few
//! hot subjects and a long tail, as an agency watching many brands sees.
//!
//! Run with `cargo bench --bench fleet`.

use std::hint::black_box;

use crisis_playbook::{Duration, Fleet, Observation, Playbook, Timestamp};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

const SUBJECTS: usize = 100_000;
const SIGNALS: usize = 200_000;

fn fleet(c: &mut Criterion) {
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let subjects: Vec<String> = (0..SUBJECTS).map(|i| format!("brand-{i:06}")).collect();
    let mut fleet = Fleet::new(&playbook);
    for subject in &subjects {
        fleet.start(subject, start).unwrap();
    }
    // Skewed routing: the cube of a uniform draw sends most signals to the first subjects.
    let mut state: u64 = 42;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let routed: Vec<(usize, Timestamp)> = (0..SIGNALS)
        .map(|k| {
            let subject = ((uniform().powi(3)) * SUBJECTS as f64) as usize;
            (
                subject.min(SUBJECTS - 1),
                start + Duration::from_millis(k as u64 * 10),
            )
        })
        .collect();
    let mut group = c.benchmark_group("fleet");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SIGNALS as u64));
    group.bench_function("100k_subjects_skewed", |b| {
        b.iter_batched_ref(
            || fleet.clone(),
            |fleet| {
                for (subject, at) in &routed {
                    black_box(
                        fleet
                            .observe(&subjects[*subject], Observation::count(mentions, *at, 3.0))
                            .unwrap(),
                    );
                }
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, fleet);
criterion_main!(benches);
