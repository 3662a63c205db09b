//! The cost of one raw mention: a 280-character text matched against 200 keywords, and four
//! metrics over its attributes (distinct authors, the loudest author's share, the share of new
//! accounts, near-duplicate texts), in steady state (no transition).
//!
//! Run with `cargo bench --bench mentions`. The bar (issue 19): at most 1 µs median.

use std::hint::black_box;

use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A playbook with 200 keywords and the four attribute metrics, whose guard reads them all.
fn playbook() -> Playbook {
    let keywords: Vec<String> = (0..200).map(|i| format!("keyword{i}")).collect();
    let yaml = format!(
        r#"
playbook: raw-mentions
version: 1
title: Raw mentions
signals:
  mention:
    kind: event
    attributes: {{ author: string, account_created: time, text: string }}
  flagged: {{ kind: count, counts: "mention where text contains any [{keywords}]" }}
metrics:
  authors: {{ distinct: mention.author, window: 1h }}
  loudest: {{ top_share: mention.author, window: 1h }}
  new_accounts: {{ share: mention where account_created within 30d, window: 1h }}
  copies: {{ near_duplicates: mention.text, window: 1h }}
  flagged_count: {{ count: flagged, window: 1h }}
roles: [community_manager]
initial: calm
states:
  calm:
    on:
      - to: raid
        when: authors < 2 and loudest > 2 and new_accounts > 2 and copies > 2 and flagged_count > 1000000
  raid:
    final: true
    enter:
      - {{ do: look, owner: community_manager, say: Look }}
"#,
        keywords = keywords.join(", ")
    );
    Playbook::from_yaml_str(&yaml).unwrap()
}

/// 1,000 mentions from 300 authors, each a different 280-character text.
fn texts() -> Vec<(String, String)> {
    let words = [
        "the",
        "update",
        "deleted",
        "my",
        "photos",
        "and",
        "support",
        "never",
        "answered",
        "this",
        "brand",
        "is",
        "a",
        "joke",
        "refund",
        "please",
        "order",
        "late",
        "again",
        "remboursement",
        "service",
        "client",
        "honte",
        "vraiment",
    ];
    (0..1_000u64)
        .map(|i| {
            let mut text = String::new();
            let mut k = i;
            while text.len() < 280 {
                k = k
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.push_str(words[(k >> 33) as usize % words.len()]);
                text.push(' ');
            }
            text.truncate(280);
            (format!("author{}", i % 300), text)
        })
        .collect()
}

fn mentions(c: &mut Criterion) {
    let playbook = playbook();
    let mention = playbook.signal_named("mention").unwrap();
    let texts = texts();
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let mut run = Run::start(&playbook, start);
    // Warm up: an hour of mentions, so that every window is full and every buffer grown.
    let mut step = 0u64;
    let observe = |run: &mut Run, step: u64| {
        let (author, text) = &texts[(step % 1_000) as usize];
        let attributes = [
            ("author", AttributeValue::Text(author)),
            (
                "account_created",
                AttributeValue::Time(start - Duration::from_secs(86_400 * (step % 90))),
            ),
            ("text", AttributeValue::Text(text)),
        ];
        let at = start + Duration::from_millis(step * 500);
        black_box(
            run.observe(Observation::event(mention, at, &attributes))
                .unwrap()
                .len(),
        );
    };
    for _ in 0..20_000 {
        observe(&mut run, step);
        step += 1;
    }
    let mut group = c.benchmark_group("mentions");
    group.throughput(Throughput::Elements(1));
    group.bench_function("observe one raw mention", |b| {
        b.iter(|| {
            observe(&mut run, step);
            step += 1;
        })
    });
    group.finish();
}

criterion_group!(benches, mentions);
criterion_main!(benches);
