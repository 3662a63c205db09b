//! Bytes per live run of each bundled playbook, measured with a counting allocator: what a run
//! and everything it owns (windows, timers, open actions, parameters) hold on the heap, plus the
//! `Run` value itself, after nine days of traffic so that every window and baseline is full and
//! a crisis has left open actions behind. The shared `Playbook` is not counted.
//!
//! Run with `cargo bench --bench memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use crisis_playbook::files::FileKind;
use crisis_playbook::{Duration, Observation, Playbook, Run, SignalKind, Timestamp};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Nine days of every count and gauge signal every 5 minutes, with a surge on day 8.
fn feed(run: &mut Run, playbook: &Playbook, start: Timestamp) {
    let numeric: Vec<_> = playbook
        .signals()
        .iter()
        .filter(|s| matches!(s.kind, SignalKind::Count | SignalKind::Gauge))
        .map(|s| (playbook.signal_named(&s.name).unwrap(), s.range))
        .collect();
    for step in 0..(9 * 288u64) {
        let at = start + Duration::from_secs(step * 300);
        let surge = if (8 * 288..8 * 288 + 24).contains(&step) {
            8.0
        } else {
            1.0
        };
        for (signal, range) in &numeric {
            let value = match range {
                Some((low, high)) => (low + high) / 2.0,
                None => 20.0 * surge,
            };
            let _ = run.observe(Observation::number(*signal, at, value));
        }
    }
}

fn main() {
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "playbook", "counted", "heap", "Run value"
    );
    let paths = crisis_playbook::files::select(&["playbooks".into()], FileKind::Playbook).unwrap();
    const RUNS: usize = 100;
    for path in paths {
        let playbook = Playbook::from_path(&path).unwrap();
        let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
        let before = LIVE.load(Ordering::Relaxed);
        let mut runs: Vec<Run> = Vec::with_capacity(RUNS);
        let vector = LIVE.load(Ordering::Relaxed) - before;
        for _ in 0..RUNS {
            let mut run = Run::start(&playbook, start);
            feed(&mut run, &playbook, start);
            runs.push(run);
        }
        let counted = (LIVE.load(Ordering::Relaxed) - before - vector) as usize / RUNS
            + std::mem::size_of::<Run>();
        let heap = runs[0].heap_bytes();
        println!(
            "{:<28} {:>8} B {:>8} B {:>8} B",
            playbook.id(),
            counted,
            heap,
            std::mem::size_of::<Run>()
        );
        drop(runs);
        if playbook.id() == "negative-comment-storm" {
            subject_with_own_calendar(&playbook, start);
        }
    }
}

/// The storm for a subject in Montréal with its own office hours and holidays: what a run
/// holds besides, for its zone and calendar.
fn subject_with_own_calendar(playbook: &Playbook, start: Timestamp) {
    const RUNS: usize = 100;
    let montreal = crisis_playbook::Calendar::from_yaml_str(
        "time_zone: America/Toronto\nhours: { mon-fri: \"08:30-12:00, 13:00-17:00\" }\n\
         holidays: [2026-01-01, 2026-04-03, 2026-05-18, 2026-06-24, 2026-07-01, 2026-09-07, 2026-10-12, 2026-12-25]\n\
         exceptions: { 2026-06-13: 10:00-16:00 }\n",
    )
    .unwrap();
    let before = LIVE.load(Ordering::Relaxed);
    let mut runs: Vec<Run> = Vec::with_capacity(RUNS);
    let vector = LIVE.load(Ordering::Relaxed) - before;
    for _ in 0..RUNS {
        let settings = crisis_playbook::RunSettings::new("brand-ca")
            .time_zone("America/Toronto")
            .calendar("office", montreal.clone());
        let mut run = Run::with_settings(playbook, settings, start).unwrap();
        feed(&mut run, playbook, start);
        runs.push(run);
    }
    let counted = (LIVE.load(Ordering::Relaxed) - before - vector) as usize / RUNS
        + std::mem::size_of::<Run>();
    println!(
        "{:<28} {:>8} B {:>8} B {:>8} B",
        "  with its own calendar",
        counted,
        runs[0].heap_bytes(),
        std::mem::size_of::<Run>()
    );
}
