//! Tracks: a state whose tracks run side by side. Entry and exit order, evaluation order,
//! finished tracks, severity, acknowledgements, snapshots, and the loader's refusals.

use crisis_playbook::{EventKind, Observation, Playbook, Run, Snapshot, Timestamp};

const BREACH: &str = "playbooks/data-breach-or-recall.yaml";

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn kinds(events: &[crisis_playbook::Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Transition { from, to, .. } => format!("transition {from} -> {to}"),
            EventKind::Action { state, action, .. } => format!("action {state}.{action}"),
            EventKind::Escalation { state, step, .. } => format!("escalation {state} {step}"),
            EventKind::TrackStarted { state, .. } => format!("started {state}"),
            EventKind::TrackEnded {
                state, finished, ..
            } => format!("ended {state} finished={finished}"),
            EventKind::Closed { state, action } => format!("closed {state}.{action}"),
            other => other.name().to_string(),
        })
        .collect()
}

fn breach_run() -> (Playbook, Run) {
    let playbook = Playbook::from_path(BREACH).unwrap();
    let mut run = Run::start(&playbook, at("2026-03-02T08:00:00Z"));
    let aware = playbook.signal_named("breach_aware").unwrap();
    run.observe(Observation::manual(
        aware,
        at("2026-03-02T08:00:00Z"),
        "dpo",
    ))
    .unwrap();
    (playbook, run)
}

/// The events of the signal's own instant: ladders and deadlines due before it are not the
/// point of these tests.
fn manual(playbook: &Playbook, run: &mut Run, signal: &str, time: &str) -> Vec<String> {
    let signal = playbook.signal_named(signal).unwrap();
    let events = run
        .observe(Observation::manual(signal, at(time), "dpo"))
        .unwrap();
    let own: Vec<_> = events
        .iter()
        .filter(|e| e.at == at(time))
        .cloned()
        .collect();
    kinds(&own)
}

#[test]
fn entering_starts_the_state_then_each_track_in_written_order() {
    let playbook = Playbook::from_path(BREACH).unwrap();
    let mut run = Run::start(&playbook, at("2026-03-02T08:00:00Z"));
    let events = manual(&playbook, &mut run, "breach_aware", "2026-03-02T08:00:00Z");
    assert_eq!(
        events,
        [
            "input",
            "transition monitoring -> breach",
            "action breach.pause_marketing",
            "escalation breach 0",
            "started legal.notifying",
            "action legal.notifying.notify_authority",
            "started comms.holding",
            "action comms.holding.holding_statement",
            "action comms.holding.phishing_warning",
            "action comms.holding.faq_page",
            "started care.answering",
            "action care.answering.support_answers",
        ]
    );
    let states: Vec<&str> = run
        .states()
        .map(|s| playbook.state(s).name.as_str())
        .collect();
    assert_eq!(
        states,
        [
            "breach",
            "legal.notifying",
            "comms.holding",
            "care.answering"
        ]
    );
    assert_eq!(run.severity(), 3, "the highest of the states the run is in");
}

#[test]
fn one_signal_steps_several_tracks_at_one_instant_in_written_order() {
    let (playbook, mut run) = breach_run();
    let events = manual(&playbook, &mut run, "high_risk", "2026-03-02T09:00:00Z");
    assert_eq!(
        events,
        [
            "input",
            "closed legal.notifying.notify_authority",
            "transition legal.notifying -> legal.high_risk",
            "action legal.high_risk.notify_subjects",
            "action legal.high_risk.notify_authority",
            "escalation legal.high_risk 0",
            "transition care.answering -> care.hotline",
            "action care.hotline.support_line",
        ]
    );
    assert_eq!(run.severity(), 4);
    let Some(EventKind::Transition { severity, .. }) = run
        .events()
        .iter()
        .map(|e| &e.kind)
        .find(|k| k.name() == "transition")
    else {
        panic!("no transition")
    };
    assert_eq!(
        *severity, 4,
        "a transition event carries the run's severity"
    );
}

#[test]
fn a_finished_track_is_reported_and_lets_the_state_leave_when_it_waits_for_it() {
    let (playbook, mut run) = breach_run();
    let early = manual(&playbook, &mut run, "resolved", "2026-03-02T10:00:00Z");
    assert_eq!(
        early,
        ["input", "breach"],
        "`in legal.notified` holds the case open; only a deadline passes"
    );
    let events = manual(
        &playbook,
        &mut run,
        "authority_notified",
        "2026-03-03T07:00:00Z",
    );
    assert_eq!(
        events,
        [
            "input",
            "closed legal.notifying.notify_authority",
            "transition legal.notifying -> legal.notified",
            "action legal.notified.breach_register",
            "ended legal.notified finished=true",
            // The state's own transition goes first; the tracks end, the last one first.
            "ended care.answering finished=false",
            "ended comms.holding finished=false",
            "transition breach -> closed",
            "action closed.review",
            "resolved",
        ]
    );
    assert_eq!(run.states().count(), 1);
    assert!(run.is_ended());
}

#[test]
fn an_acknowledgement_stops_the_ladders_that_list_it_in_every_track() {
    let (playbook, mut run) = breach_run();
    manual(&playbook, &mut run, "high_risk", "2026-03-02T08:05:00Z");
    assert!(run.pending_escalation().is_some());
    let ack = playbook.signal_named("ack").unwrap();
    let events = run
        .observe(Observation::manual(ack, at("2026-03-02T08:06:00Z"), "dpo"))
        .unwrap();
    assert!(matches!(
        events[0].kind,
        EventKind::Input {
            stopped_escalation: true,
            ..
        }
    ));
    assert_eq!(run.pending_escalation(), None, "both ladders stopped");
}

#[test]
fn a_run_in_tracks_restores_from_its_snapshot_and_goes_on_identically() {
    let (playbook, mut run) = breach_run();
    manual(&playbook, &mut run, "high_risk", "2026-03-02T09:00:00Z");
    let json = serde_json::to_string(&run.snapshot()).unwrap();
    assert!(json.contains("\"tracks\":["), "{json}");
    let mut restored =
        Run::restore(&playbook, serde_json::from_str::<Snapshot>(&json).unwrap()).unwrap();
    let later = at("2026-03-06T00:00:00Z");
    let original: Vec<_> = run.advance_to(later).to_vec();
    assert!(!original.is_empty());
    assert_eq!(restored.advance_to(later), original.as_slice());
    assert_eq!(restored.snapshot(), run.snapshot());
}

#[test]
fn snapshots_whose_tracks_do_not_fit_the_state_are_refused() {
    let (playbook, run) = breach_run();
    let json = serde_json::to_value(run.snapshot()).unwrap();
    let refuse = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut edited = json.clone();
        edit(&mut edited["run"]);
        let snapshot: Snapshot = serde_json::from_value(edited).unwrap();
        Run::restore(&playbook, snapshot).unwrap_err().to_string()
    };
    assert_eq!(
        refuse(&|run| {
            run["tracks"].as_array_mut().unwrap().pop();
        }),
        "snapshot is inconsistent: the tracks' states are not one state of each track of `breach`"
    );
    let closed = playbook.state_named("closed").unwrap().index();
    assert_eq!(
        refuse(&|run| run["tracks"][0]["state"] = closed.into()),
        "snapshot is inconsistent: the tracks' states are not one state of each track of `breach`"
    );
    let legal = playbook.state_named("legal.notifying").unwrap().index();
    assert_eq!(
        refuse(&|run| run["state"] = legal.into()),
        "snapshot is inconsistent: `legal.notifying` is a track's state, not a top-level one"
    );
}

#[test]
fn explain_lists_each_track_with_its_transitions() {
    let (_, run) = breach_run();
    let text = run.explain().to_string();
    assert!(
        text.contains("  track `legal`: in `legal.notifying` (severity 3) since"),
        "{text}"
    );
    assert!(
        text.contains("    -> legal.high_risk: high_risk is false"),
        "{text}"
    );
    assert!(
        text.contains("  -> closed: resolved and in legal.notified is false"),
        "{text}"
    );
    assert!(
        text.contains("       in legal.notified:  -> does not hold"),
        "{text}"
    );
}

const TEMPLATE: &str = "playbook: t\nversion: 1\ntitle: T\nsignals: { go: { kind: manual } }\n\
roles: [lead]\ninitial: a\nstates:\n";

fn errors(states: &str) -> Vec<String> {
    let text = format!("{TEMPLATE}{states}");
    Playbook::from_yaml_str(&text)
        .unwrap_err()
        .diagnostics()
        .iter()
        .map(|d| format!("{} {}: {}", d.code.as_str(), d.path, d.message))
        .collect()
}

#[test]
fn the_loader_refuses_tracks_that_cannot_work_with_a_message_that_says_how_to_fix_them() {
    assert_eq!(
        errors(
            "  a:\n    on: [{ to: z, when: go }]\n    tracks:\n      t:\n        initial: x\n        states:\n          x: { on: [{ to: z, when: go }] }\n  z: { final: true }\n"
        ),
        [
            "invalid-track states.a.tracks.t.states.x.on[0].to: `z` is outside track `t`, and a track's transitions stay inside it: to leave `a` and every track in it, write this transition in the `on` of `a`"
        ]
    );
    assert_eq!(
        errors(
            "  a:\n    on: [{ to: z, when: go }]\n    tracks:\n      t:\n        initial: y\n        states:\n          x: {}\n  z: { final: true }\n"
        ),
        ["unknown-reference states.a.tracks.t.initial: unknown state `y`; did you mean `x`?"]
    );
    assert_eq!(
        errors(
            "  a:\n    on: [{ to: z, when: go }]\n  z:\n    final: true\n    tracks:\n      t: { initial: x, states: { x: {} } }\n"
        ),
        [
            "invalid-track states.z.tracks: `z` is final, so its tracks would never run: remove `tracks` or `final: true`"
        ]
    );
    assert_eq!(
        errors(
            "  a:\n    on: [{ to: z, when: go }]\n    tracks:\n      t:\n        initial: x\n        states:\n          x:\n            tracks: { u: { initial: y, states: { y: {} } } }\n  z: { final: true }\n"
        ),
        [
            "invalid-track states.a.tracks.t.states.x.tracks: `t.x` is a state of a track, and a track's states hold no tracks: put track `u` beside the others, in the state that holds `t.x`"
        ]
    );
    assert_eq!(
        errors(
            "  a:\n    on: [{ to: z, when: go and in t.nowhere }]\n    tracks:\n      t: { initial: x, states: { x: {}, y: {} } }\n  z: { final: true }\n"
        )
        .len(),
        1
    );
}

#[test]
fn the_same_signals_give_the_same_events_byte_for_byte() {
    let run_once = || {
        let (playbook, mut run) = breach_run();
        let mut all = Vec::new();
        for (signal, time) in [
            ("high_risk", "2026-03-02T09:00:00Z"),
            ("faq_published", "2026-03-02T10:00:00Z"),
            ("subjects_notified", "2026-03-03T10:00:00Z"),
            ("authority_notified", "2026-03-04T10:00:00Z"),
            ("resolved", "2026-03-05T10:00:00Z"),
        ] {
            let signal = playbook.signal_named(signal).unwrap();
            all.extend(
                run.observe(Observation::manual(signal, at(time), "x"))
                    .unwrap()
                    .to_vec(),
            );
        }
        serde_json::to_string(&all).unwrap()
    };
    assert_eq!(run_once(), run_once());
}
