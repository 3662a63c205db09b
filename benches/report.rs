//! After-action reports from long timelines: 10,000, 100,000 and 1,000,000 events, to show that
//! building a report grows linearly with its timeline.
//!
//! Run with `cargo bench --bench report` (the million takes a few minutes; `cargo bench --bench
//! report -- 10000` runs the smallest alone). The timeline is the hostile kind that made reports
//! quadratic: every action different and never done, every transition testing something new, so
//! no lookup can stop early. The bar: each tenfold size at most about 15 times the time.

use std::hint::black_box;

use crisis_playbook::report::Report;
use crisis_playbook::{Event, Playbook};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// `events` events as `simulate --format jsonl` would write them, read back.
fn timeline(events: usize) -> Vec<Event> {
    (0..events)
        .map(|i| {
            let at = format!("2026-03-02T{:02}:{:02}:{:02}Z", i / 3600 % 24, i / 60 % 60, i % 60);
            let line = if i % 2 == 0 {
                format!(
                    r#"{{"at":"{at}","kind":"action","state":"crisis","action":"act_{i}","owner":"lead","due":"{at}","text":"","occurrence":1}}"#
                )
            } else {
                format!(
                    r#"{{"at":"{at}","kind":"transition","from":"crisis","to":"crisis","transition":0,"severity":3,"cause":{{"terms":[{{"test":"metric_{i} > 1","value":{i},"threshold":1,"holds":true}}]}}}}"#
                )
            };
            serde_json::from_str(&line).unwrap()
        })
        .collect()
}

fn long_timelines(c: &mut Criterion) {
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let mut group = c.benchmark_group("report/timeline");
    for events in [10_000, 100_000, 1_000_000] {
        let timeline = timeline(events);
        group.throughput(Throughput::Elements(events as u64));
        group.sample_size(10);
        group.bench_with_input(
            BenchmarkId::from_parameter(events),
            &timeline,
            |b, timeline| b.iter(|| Report::from_timeline(&playbook, black_box(timeline), "en")),
        );
    }
    group.finish();
}

criterion_group!(benches, long_timelines);
criterion_main!(benches);
