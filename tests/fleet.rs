//! Fleets route signals by subject, start runs when configured to, apply per-subject
//! settings, evict finished runs, and snapshot and restore them all.

mod support;

use crisis_playbook::{Fleet, Observation, RunSettings, SignalError};
use support::*;

const PLAYBOOK: &str = include_str!("playbooks/base.yaml");

#[test]
fn unknown_subjects_are_refused_unless_started_on_first_sight() {
    let playbook = playbook(PLAYBOOK);
    let mentions = playbook.signal_named("mentions").unwrap();
    let mut fleet = Fleet::new(&playbook);
    let err = fleet
        .observe("brand", Observation::count(mentions, at(0), 1.0))
        .unwrap_err();
    assert_eq!(err, SignalError::UnknownSubject("brand".into()));
    assert_eq!(err.to_string(), "unknown subject `brand`");
    fleet.start("brand", at(0)).unwrap();
    assert!(
        fleet
            .observe("brand", Observation::count(mentions, at(1), 1.0))
            .is_ok()
    );
    let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    fleet
        .observe("a", Observation::count(mentions, at(3), 1.0))
        .unwrap();
    assert_eq!(fleet.get("a").unwrap().now(), at(3));
}

#[test]
fn a_refused_first_signal_starts_no_run() {
    let playbook = playbook(PLAYBOOK);
    let mentions = playbook.signal_named("mentions").unwrap();
    let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    assert!(
        fleet
            .observe("a", Observation::count(mentions, at(0), -1.0))
            .is_err()
    );
    assert!(fleet.is_empty());
}

#[test]
fn per_subject_parameters_change_when_a_run_escalates() {
    let playbook = playbook(PLAYBOOK);
    let mentions = playbook.signal_named("mentions").unwrap();
    let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    fleet
        .configure(RunSettings::new("touchy").parameter("threshold", 1.5))
        .unwrap();
    assert_eq!(
        fleet
            .configure(RunSettings::new("x").parameter("threshold", 99.0))
            .unwrap_err()
            .to_string(),
        "parameter `threshold` = 99 is outside its bounds [1, 10]"
    );
    // Same traffic for both: a day at 10 a batch, then an hour at 18 (1.8 times the baseline).
    for minute in (0..=25 * 60).step_by(5) {
        let value = if minute >= 24 * 60 { 18.0 } else { 10.0 };
        for subject in ["touchy", "default"] {
            fleet
                .observe(subject, Observation::count(mentions, at(minute), value))
                .unwrap();
        }
    }
    assert_eq!(fleet.get("touchy").unwrap().state_name(), "storm");
    assert_eq!(fleet.get("default").unwrap().state_name(), "calm");
}

#[test]
fn ended_runs_are_evicted_and_snapshots_restore_every_run() {
    let playbook = playbook(PLAYBOOK);
    let mentions = playbook.signal_named("mentions").unwrap();
    let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    for subject in ["b", "a", "c"] {
        fleet
            .observe(subject, Observation::count(mentions, at(0), 1.0))
            .unwrap();
    }
    let snapshot = fleet.snapshot();
    let json = serde_json::to_string(&snapshot).unwrap();
    let restored = Fleet::restore(&playbook, serde_json::from_str(&json).unwrap()).unwrap();
    assert_eq!(restored.subjects(), ["a", "b", "c"]);
    assert_eq!(restored.snapshot(), snapshot);
    assert!(fleet.evict_ended().is_empty());
    assert_eq!(fleet.len(), 3);
    let events = fleet.advance_to(at(100));
    assert!(events.is_empty());
}
