//! Fleets route signals by subject, start runs when configured to, apply per-subject
//! settings, evict finished runs, and snapshot and restore them all.

mod support;

use crisis_playbook::{Duration, Fleet, Observation, RunSettings};
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
    assert!(err.is_unknown_subject());
    assert_eq!(
        err.to_string(),
        "unknown subject `brand`: start its run with `Fleet::start`, or build the fleet with \
         `start_on_first_sight(true)`"
    );
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
        "parameter `threshold` = 99 is outside its bounds [1.5, 10]"
    );
    // Same traffic for both: two days at 10 a batch, then an hour at 18 (1.8 times the busiest
    // hour of a day).
    for minute in (0..=49 * 60).step_by(5) {
        let value = if minute >= 48 * 60 { 18.0 } else { 10.0 };
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

/// A surge that takes `subject` into `storm`, where `reply` is due within the hour.
fn into_storm(fleet: &mut Fleet, subject: &str) {
    let mentions = fleet.playbook().signal_named("mentions").unwrap();
    for minute in (0..48 * 60).step_by(5) {
        fleet
            .observe(subject, Observation::count(mentions, at(minute), 10.0))
            .unwrap();
    }
    for minute in (48 * 60..49 * 60).step_by(5) {
        fleet
            .observe(subject, Observation::count(mentions, at(minute), 200.0))
            .unwrap();
    }
    assert_eq!(fleet.get(subject).unwrap().state_name(), "storm");
}

#[test]
fn a_fleet_marks_actions_done_so_they_do_not_breach() {
    let playbook = playbook(PLAYBOOK);
    let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    into_storm(&mut fleet, "brand");
    let done = fleet
        .complete("brand", "reply", "ana", at(49 * 60))
        .unwrap()
        .to_vec();
    assert_eq!(describe(&done), ["done:reply"]);
    let later = fleet.advance_to(at(51 * 60));
    assert!(
        later
            .iter()
            .all(|(_, events)| !describe(events).contains(&"breach:reply".to_string())),
        "{later:?}"
    );
    let err = fleet
        .complete("nobody", "reply", "ana", at(51 * 60))
        .unwrap_err();
    assert!(err.is_unknown_subject());
    let err = fleet
        .complete("brand", "nap", "ana", at(51 * 60))
        .unwrap_err();
    assert_eq!(err.to_string(), "no action `nap` in this playbook");
}

#[test]
fn a_restored_fleet_keeps_its_settings_and_starts_on_first_sight() {
    let playbook = playbook(PLAYBOOK);
    let mentions = playbook.signal_named("mentions").unwrap();
    let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    fleet
        .configure(RunSettings::new("small").parameter("threshold", 1.5))
        .unwrap();
    let json = serde_json::to_string(&fleet.snapshot()).unwrap();
    let mut restored = Fleet::restore(&playbook, serde_json::from_str(&json).unwrap()).unwrap();
    restored
        .observe("new", Observation::count(mentions, at(0), 1.0))
        .unwrap();
    restored
        .observe("small", Observation::count(mentions, at(0), 1.0))
        .unwrap();
    assert_eq!(serde_json::to_string(&restored.snapshot()).unwrap(), {
        fleet
            .observe("new", Observation::count(mentions, at(0), 1.0))
            .unwrap();
        fleet
            .observe("small", Observation::count(mentions, at(0), 1.0))
            .unwrap();
        serde_json::to_string(&fleet.snapshot()).unwrap()
    });
}

/// Found in a fresh-eyes trial: a fleet snapshot refused for one of its runs did not say which.
#[test]
fn a_refused_fleet_snapshot_names_the_subject_at_fault() {
    let playbook = playbook(PLAYBOOK);
    let mut fleet = Fleet::new(&playbook);
    fleet.start("brand-x", at(0)).unwrap();
    let other = crisis_playbook::Playbook::from_yaml_str(
        &PLAYBOOK.replace("playbook: test-storm", "playbook: other"),
    )
    .unwrap();
    let err = Fleet::restore(&other, fleet.snapshot()).unwrap_err();
    assert!(err.run_error().is_some_and(|e| e.is_other_playbook()));
    assert!(!err.is_unknown_subject());
    assert!(
        err.to_string()
            .starts_with("subject `brand-x`: snapshot belongs to playbook `test-storm`"),
        "{err}"
    );
}

#[test]
fn timestamps_subtract_durations() {
    assert_eq!(at(90) - Duration::from_secs(60 * 60), at(30));
}
