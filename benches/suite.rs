//! The bundled scenario suite, loaded and run in-process (the CLI figure, process start
//! included, is in `docs/performance.md`).
//!
//! Run with `cargo bench --bench suite`.

use std::hint::black_box;
use std::path::PathBuf;

use crisis_playbook::testing;
use criterion::{Criterion, criterion_group, criterion_main};

fn suite(c: &mut Criterion) {
    let paths = [PathBuf::from("playbooks")];
    let report = testing::run_paths(&paths, None).unwrap();
    assert!(report.passed(), "{}", report.text());
    let mut group = c.benchmark_group("scenarios");
    group.sample_size(20);
    group.bench_function("bundled_suite", |b| {
        b.iter(|| black_box(testing::run_paths(&paths, None).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, suite);
criterion_main!(benches);
