//! A live negative-comment-storm run, windows full and a crisis behind it, stays within 8 KiB.

use crisis_playbook::{Duration, Observation, Playbook, Run, Timestamp};

#[test]
fn a_storm_run_fits_in_8_kib() {
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let negative = playbook.signal_named("negative").unwrap();
    let sentiment = playbook.signal_named("sentiment").unwrap();
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let mut run = Run::start(&playbook, start);
    for step in 0..(9 * 288u64) {
        let at = start + Duration::from_secs(step * 300);
        let surge = if (8 * 288..8 * 288 + 24).contains(&step) {
            8.0
        } else {
            1.0
        };
        run.observe(Observation::count(mentions, at, 20.0 * surge))
            .unwrap();
        run.observe(Observation::count(negative, at, 2.0 * surge * surge))
            .unwrap();
        run.observe(Observation::gauge(sentiment, at, 0.2)).unwrap();
    }
    assert!(
        run.open_actions().count() > 0,
        "the crisis left open actions"
    );
    let bytes = run.heap_bytes() + std::mem::size_of::<Run>();
    assert!(bytes <= 8 * 1024, "{bytes} bytes");
}
