//! Loading and validating playbooks: generated ones of 10 to 10,000 states, to show linear
//! scaling, and each bundled playbook.
//!
//! Run with `cargo bench --bench load`. The bars: 10,000 states at most 12× the 1,000-state
//! time, and every bundled playbook under 2 ms (medians, release).

use std::fmt::Write;
use std::hint::black_box;

mod pairs;

use crisis_playbook::Playbook;
use crisis_playbook::files::FileKind;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// A chain of `states` states with realistic content: each has an action, a step up and a
/// hysteresis step down; every tenth has an escalation ladder; the last is final.
fn generated(states: usize) -> String {
    let mut text = String::from(
        "playbook: generated\nversion: 1\ntitle: { en: Generated, fr: Généré }\n\
         parameters:\n  up: { default: 2, min: 1, max: 10 }\n  down: { default: 1.5, min: 1, max: 5 }\n\
         signals:\n  mentions: { kind: count }\n  negative: { kind: count }\n  ack: { kind: manual }\n\
         \x20 journalist: { kind: event, attributes: { tier: [local, national] } }\n\
         metrics:\n  ratio: { spike: mentions, window: 1h, baseline: 14d, min_count: 20 }\n\
         \x20 share: { share: [negative, mentions], window: 2h }\n\
         roles: [community_manager, social_lead, comms_director]\ninitial: s0\nstates:\n",
    );
    for i in 0..states {
        let _ = writeln!(text, "  s{i}:\n    severity: {}", i % 5);
        text.push_str(
            "    enter:\n      - do: act\n        owner: community_manager\n        within: 30m\n\
             \x20       say: { en: Do the thing, fr: Faites la chose }\n",
        );
        if i + 1 == states {
            text.push_str("    final: true\n");
            continue;
        }
        if i % 10 == 0 {
            text.push_str(
                "    escalate:\n      unless: ack\n      steps:\n        - { to: social_lead, after: 30m }\n\
                 \x20       - { to: comms_director, after: 1h }\n",
            );
        }
        let _ = writeln!(
            text,
            "    on:\n      - {{ to: s{}, when: ratio >= up or journalist.tier == \"national\", for: 10m }}",
            i + 1
        );
        if i > 0 {
            let _ = writeln!(
                text,
                "      - {{ to: s{}, when: ratio < down and share < 20%, for: 1h }}",
                i - 1
            );
        }
    }
    text
}

fn generated_sizes(c: &mut Criterion) {
    let mut group = c.benchmark_group("load/generated");
    for states in [10, 100, 1_000, 10_000] {
        let text = generated(states);
        assert!(Playbook::from_yaml_str(&text).is_ok());
        group.throughput(Throughput::Elements(states as u64));
        if states >= 1_000 {
            group.sample_size(20);
        }
        group.bench_with_input(BenchmarkId::from_parameter(states), &text, |b, text| {
            b.iter(|| Playbook::from_yaml_str(black_box(text)).unwrap())
        });
    }
    group.finish();
    let (small, large) = (generated(1_000), generated(10_000));
    let ratio = pairs::Ratio::measure(
        11,
        || drop(black_box(Playbook::from_yaml_str(&large).unwrap())),
        || drop(black_box(Playbook::from_yaml_str(&small).unwrap())),
    );
    println!("load/generated/10000 ÷ load/generated/1000, {ratio}");
}

fn bundled(c: &mut Criterion) {
    let mut group = c.benchmark_group("load/bundled");
    let paths = crisis_playbook::files::select(&["playbooks".into()], FileKind::Playbook).unwrap();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        group.bench_with_input(BenchmarkId::from_parameter(name), &text, |b, text| {
            b.iter(|| Playbook::from_yaml_str(black_box(text)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, generated_sizes, bundled);
criterion_main!(benches);
