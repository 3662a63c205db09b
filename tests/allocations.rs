//! Steady-state advancing allocates nothing: a counting allocator watches `observe` and
//! `advance_to` on a warmed-up negative-comment-storm run with ordinary traffic.

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

#[test]
fn steady_state_observe_and_advance_allocate_nothing() {
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
