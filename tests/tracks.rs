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

#[test]
fn mutants_drop_a_track_move_its_start_and_retarget_only_inside_it() {
    let playbook = Playbook::from_path(BREACH).unwrap();
    let changes: Vec<String> = crisis_playbook::testing::mutants::mutants(&playbook)
        .into_iter()
        .map(|m| m.change)
        .collect();
    assert!(changes.contains(&"states.breach.tracks.legal dropped".to_string()));
    assert!(changes.contains(
        &"states.breach.tracks.legal.initial: legal.notifying -> legal.high_risk".to_string()
    ));
    let retargets: Vec<&String> = changes
        .iter()
        .filter(|c| c.starts_with("states.legal.notifying.on[0]") && c.contains(" to: "))
        .collect();
    // A track's transition can only lead to another state of its track.
    assert_eq!(retargets.len(), 2, "{retargets:?}");
    assert!(
        retargets
            .iter()
            .all(|c| c.ends_with("-> legal.notifying") || c.ends_with("-> legal.notified"))
    );
    // And a top-level one never into a track.
    assert!(
        !changes
            .iter()
            .any(|c| c.starts_with("states.monitoring.") && c.contains("-> legal."))
    );
}

#[test]
fn diagrams_draw_tracks_as_concurrent_regions_and_clusters() {
    use crisis_playbook::diagram::{DiagramFormat, render};
    let playbook = Playbook::from_path(BREACH).unwrap();
    let mermaid = render(&playbook, DiagramFormat::Mermaid);
    let block = mermaid
        .split("    state st_breach {\n")
        .nth(1)
        .and_then(|rest| rest.split("\n    }\n").next())
        .expect("a composite state");
    assert_eq!(
        block.matches("        --\n").count(),
        2,
        "three regions: {block}"
    );
    assert!(
        block.contains("        [*] --> st_legal__notifying\n"),
        "{block}"
    );
    assert!(
        block.contains("        st_legal__notified --> [*]\n"),
        "{block}"
    );
    let dot = render(&playbook, DiagramFormat::Dot);
    assert!(
        dot.contains("    subgraph \"cluster_breach\" {\n        label=\"breach\";"),
        "{dot}"
    );
    assert!(
        dot.contains(
            "        subgraph \"cluster_breach__legal\" {\n            label=\"track legal\";"
        ),
        "{dot}"
    );
    assert!(
        dot.contains("\"legal.notifying\" -> \"legal.high_risk\""),
        "{dot}"
    );
}

#[test]
fn in_needs_a_state_name_and_says_so() {
    let with = |when: &str| {
        errors(&format!(
            "  a:\n    on: [{{ to: z, when: \"{when}\" }}]\n    tracks:\n      t: {{ initial: x, states: {{ x: {{}} }} }}\n  z: {{ final: true }}\n"
        ))
    };
    assert_eq!(
        with("go and in 3"),
        [
            "condition-syntax states.a.on[0].when: expected a state's name after `in`, as in `in crisis` or `in legal.notified`"
        ]
    );
    assert_eq!(
        with("in t."),
        [
            "condition-syntax states.a.on[0].when: expected the name of a state of track `t` after `.`"
        ]
    );
    assert_eq!(
        with("in t.y"),
        ["condition-type states.a.on[0].when: unknown state `t.y`; did you mean `t.x`?"]
    );
}

#[test]
fn a_report_lists_the_top_level_path_then_each_track_s_own() {
    let playbook = Playbook::from_path(BREACH).unwrap();
    let text = std::fs::read_to_string("playbooks/data-breach-or-recall/high-risk.timeline.jsonl")
        .unwrap();
    let events: Vec<crisis_playbook::Event> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let markdown =
        crisis_playbook::report::Report::from_timeline(&playbook, &events, "fr").markdown();
    assert!(
        markdown.contains(
            "- Parcours\u{a0}: monitoring → breach → closed\n  \
             - `legal`\u{a0}: legal.notifying → legal.high_risk → legal.notified (terminé)\n  \
             - `comms`\u{a0}: comms.holding (arrêté à la sortie de l'état qui le contient)\n  \
             - `care`\u{a0}: care.answering → care.hotline (arrêté à la sortie de l'état qui le contient)\n"
        ),
        "{markdown}"
    );
}

#[test]
fn mutants_negate_each_in_test_and_never_lead_an_instant_transition_back_to_its_state() {
    let playbook = Playbook::from_path(BREACH).unwrap();
    let changes: Vec<String> = crisis_playbook::testing::mutants::mutants(&playbook)
        .into_iter()
        .map(|m| m.change)
        .collect();
    assert!(
        changes.contains(
            &"states.breach.on[0] (-> closed) when: `in legal.notified` negated".to_string()
        ),
        "{changes:?}"
    );
    // `monitoring -> assessing` fires on a rate the moment it holds: led back to `monitoring`
    // it would loop at one instant, which lint refuses.
    assert!(
        !changes
            .iter()
            .any(|c| c.starts_with("states.monitoring.on[2]") && c.ends_with("-> monitoring"))
    );
    // One that needs a fresh input since entering does not loop: it stays a mutant.
    assert!(changes.iter().any(
        |c| c.starts_with("states.monitoring.on[0]") && c.ends_with("to: breach -> monitoring")
    ));
}

#[test]
fn a_track_s_state_written_without_its_track_is_suggested_with_it() {
    assert_eq!(
        errors(
            "  a:\n    on: [{ to: z, when: \"in notified\" }]\n    tracks:\n      t: { initial: notified, states: { notified: {} } }\n  z: { final: true }\n"
        ),
        [
            "condition-type states.a.on[0].when: unknown state `notified`; did you mean `t.notified`?"
        ]
    );
}

#[test]
fn a_vocabulary_written_before_tracks_still_loads_and_says_it_in_english() {
    let english = std::fs::read_to_string("src/report/words/en.yaml").unwrap();
    let older: String = english
        .lines()
        .filter(|line| !line.starts_with("track_"))
        .map(|line| format!("{line}\n"))
        .collect();
    let words = crisis_playbook::report::Vocabulary::from_yaml_str(&older).unwrap();
    assert_eq!(words.track_finished, "finished");
    assert_eq!(
        words.track_stopped,
        "stopped when the run left the state that holds it"
    );
}

#[test]
fn coverage_counts_each_track_on_its_own() {
    use crisis_playbook::testing::{self, coverage};
    let text = "scenario: a breach nobody follows up\n\
                playbook: data-breach-or-recall.yaml\n\
                start: 2026-03-02T00:00:00Z\n\
                inputs: [{ at: 1h, signal: breach_aware, by: dpo }]\n\
                until: 2h\n\
                expect: [{ at: 1h, state: legal.notifying }]\n";
    let scenarios =
        testing::load_text(text, "partial.yaml", std::path::Path::new("playbooks")).unwrap();
    let report = testing::SuiteReport {
        results: vec![scenarios[0].run()],
    };
    let measured = &coverage::coverage(&scenarios, &report)[0];
    let cells: Vec<(&str, usize, usize, usize, usize)> = measured
        .tracks
        .iter()
        .map(|t| {
            let m = &t.measures;
            (
                t.track.as_str(),
                m.states.covered,
                m.states.total,
                m.transitions.covered,
                m.actions.covered,
            )
        })
        .collect();
    // Each track entered its initial state and took no transition.
    assert_eq!(
        cells,
        [
            ("legal", 1, 3, 0, 1),
            ("comms", 1, 2, 0, 3),
            ("care", 1, 2, 0, 1)
        ]
    );
}
