//! Steady-state advancing allocates nothing: a counting allocator watches `observe` and
//! `advance_to` on a warmed-up negative-comment-storm run with ordinary traffic, and a run fed
//! raw mentions.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use crisis_playbook::{Duration, Observation, Playbook, Run, Timestamp};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The count is for the whole process: one test at a time, so that another's warm-up does not
/// count in this one's steady state.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn steady_state_observe_and_advance_allocate_nothing() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let negative = playbook.signal_named("negative").unwrap();
    let sentiment = playbook.signal_named("sentiment").unwrap();
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let mut run = Run::start(&playbook, start);
    let feed = |run: &mut Run, step: u64| {
        let at = start + Duration::from_secs(step * 300);
        let wobble = (step % 7) as f64;
        run.observe(Observation::count(mentions, at, 20.0 + wobble))
            .unwrap();
        run.observe(Observation::count(negative, at, 2.0)).unwrap();
        run.observe(Observation::gauge(sentiment, at, 0.2)).unwrap();
    };
    // Nine days of ordinary traffic: every window and baseline is full.
    let warm = 9 * 288;
    for step in 0..warm {
        feed(&mut run, step);
    }
    assert_eq!(run.state_name(), "monitoring");
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for step in warm..warm + 2_000 {
        feed(&mut run, step);
    }
    let end = start + Duration::from_secs((warm + 2_000 + 100) * 300);
    run.advance_to(end);
    let allocated = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(run.state_name(), "monitoring");
    assert_eq!(allocated, 0, "steady state allocated {allocated} times");
}

/// Raw mentions too: folding texts, matching phrases, the attribute sketches and a kept
/// attribute that a text names allocate nothing once warm; only a sent text may.
#[test]
fn steady_state_raw_mentions_allocate_nothing() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let playbook = Playbook::from_yaml_str(
        r#"
playbook: raw
version: 1
title: Raw mentions
signals:
  mention:
    kind: event
    attributes: { author: string, account_created: time, text: string }
  refunds: { kind: count, counts: "mention where text contains any [refund, remboursé, \"money back\"]" }
metrics:
  authors: { distinct: mention.author, window: 1h }
  loudest: { top_share: mention.author, window: 1h }
  new_accounts: { share: mention where account_created within 30d, window: 1h }
  copies: { near_duplicates: mention.text, window: 1h }
  refund_count: { count: refunds, window: 1h }
roles: [community_manager]
initial: calm
states:
  calm:
    on:
      - to: raid
        when: authors < 2 and loudest > 2 and new_accounts > 2 and copies > 2 and refund_count > 1000000
  raid:
    final: true
    enter:
      - { do: look, owner: community_manager, say: "Last from {mention.author}: {mention.text}" }
"#,
    )
    .unwrap();
    let mention = playbook.signal_named("mention").unwrap();
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let texts: Vec<String> = (0..500)
        .map(|i| {
            format!(
                "Message {i}: toujours pas remboursé, où est ma commande {} ?",
                i % 37
            )
        })
        .collect();
    let authors: Vec<String> = (0..500).map(|i| format!("author{}", i % 200)).collect();
    let mut run = Run::start(&playbook, start);
    let feed = |run: &mut Run, step: u64| {
        let i = (step % 500) as usize;
        let attributes = [
            ("author", authors[i].as_str().into()),
            ("account_created", "2026-01-15T00:00:00Z".into()),
            ("text", texts[i].as_str().into()),
        ];
        let at = start + Duration::from_secs(step * 10);
        run.observe(Observation::event(mention, at, &attributes))
            .unwrap();
    };
    // Two hours: every window full, every buffer grown.
    let warm = 720;
    for step in 0..warm {
        feed(&mut run, step);
    }
    assert_eq!(run.state_name(), "calm");
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for step in warm..warm + 2_000 {
        feed(&mut run, step);
    }
    let allocated = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(run.state_name(), "calm");
    assert_eq!(allocated, 0, "steady state allocated {allocated} times");
}
