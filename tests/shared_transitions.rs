//! Groups of states that share transitions (`docs/semantics.md`, "Shared transitions"): a
//! group's transition applies in every member state but its own target, before the state's
//! own; events, explanations, timelines, coverage and mutants name the group; and moving
//! copies into a group keeps stored runs restorable.

mod support;

use crisis_playbook::testing::mutants::mutants;
use crisis_playbook::timeline::format_event;
use crisis_playbook::{EventKind, Run};
use support::*;

/// A press call from anywhere before `storm` goes to `storm`, written once for three states.
const GROUPED: &str = r#"
playbook: grouped
version: 1
title: Grouped
signals:
  press: { kind: manual }
  rise: { kind: manual }
  calm: { kind: manual }
roles: [lead]
initial: quiet
states:
  quiet:
    on:
      - { to: watch, when: rise or press }
  watch:
    severity: 1
    on:
      - { to: quiet, when: calm }
  storm:
    severity: 2
    enter:
      - { do: call_back, owner: lead, say: Call the press back }
    on:
      - { to: closed, when: calm }
  closed: { final: true }
groups:
  before_storm:
    states: [quiet, watch, storm]
    description: Anything short of a storm
    on:
      - { to: storm, when: press }
"#;

/// The same playbook with the press transition copied into each state, as written before
/// groups existed.
fn copied() -> String {
    let (states, _) = GROUPED.split_once("groups:").unwrap();
    let press = "      - { to: storm, when: press }\n";
    states
        .replace(
            "  quiet:\n    on:\n",
            &format!("  quiet:\n    on:\n{press}"),
        )
        .replace(
            "    severity: 1\n    on:\n",
            &format!("    severity: 1\n    on:\n{press}"),
        )
}

#[test]
fn a_shared_transition_comes_before_the_states_own_and_names_its_group() {
    let playbook = playbook(GROUPED);
    assert!(playbook.warnings().is_empty(), "{:?}", playbook.warnings());
    let mut run = Run::start(&playbook, at(0));
    // `press` also satisfies quiet's own transition to watch: the group's is tried first.
    let events = manual(&mut run, "press", 5, "desk");
    let EventKind::Transition {
        from,
        to,
        transition,
        group,
        ..
    } = &events[1].kind
    else {
        panic!("{events:?}")
    };
    assert_eq!(
        (from.as_str(), to.as_str(), *transition, group.as_deref()),
        ("quiet", "storm", 0, Some("before_storm"))
    );
    assert_eq!(
        format_event(&events[1]),
        "2026-03-02T00:05:00Z  transition  quiet -> storm (severity 2) by group `before_storm`: press"
    );
    // A state's own transitions keep their place in its own `on` list.
    let mut run = Run::start(&playbook, at(0));
    let events = manual(&mut run, "rise", 5, "desk");
    let EventKind::Transition {
        transition, group, ..
    } = &events[1].kind
    else {
        panic!("{events:?}")
    };
    assert_eq!((*transition, group.as_deref()), (0, None));
}

#[test]
fn a_shared_transition_does_not_apply_in_its_own_target() {
    let playbook = playbook(GROUPED);
    let storm = playbook.state(playbook.state_named("storm").unwrap());
    assert_eq!(storm.transitions.len(), 1, "storm keeps only its own");
    let mut run = Run::start(&playbook, at(0));
    manual(&mut run, "press", 5, "desk");
    assert_eq!(run.state_name(), "storm");
    // A second press call does not re-enter storm: no event at all.
    assert_eq!(
        describe(&manual(&mut run, "press", 10, "desk")),
        ["input:press"]
    );
    let explanation = run.explain();
    assert_eq!(explanation.transitions.len(), 1);
    assert_eq!(explanation.transitions[0].group, None);
}

#[test]
fn explain_names_the_group_of_each_shared_transition() {
    let playbook = playbook(GROUPED);
    let run = Run::start(&playbook, at(0));
    let explanation = run.explain();
    let groups: Vec<(&str, Option<&str>)> = explanation
        .transitions
        .iter()
        .map(|t| (t.to.as_str(), t.group.as_deref()))
        .collect();
    assert_eq!(groups, [("storm", Some("before_storm")), ("watch", None)]);
    assert!(
        explanation
            .to_string()
            .contains("  -> storm (group `before_storm`): press is false"),
        "{explanation}"
    );
}

#[test]
fn writing_copies_as_a_group_changes_no_behaviour_and_keeps_stored_runs() {
    assert_eq!(copied().matches("{ to: storm, when: press }").count(), 2);
    let (grouped, copied) = (playbook(GROUPED), playbook(&copied()));
    let script = |run: &mut Run| {
        let mut seen = Vec::new();
        for (minute, signal) in [(5, "rise"), (10, "calm"), (15, "rise"), (20, "press")] {
            seen.extend(describe(&manual(run, signal, minute, "desk")));
        }
        seen
    };
    let (mut a, mut b) = (Run::start(&grouped, at(0)), Run::start(&copied, at(0)));
    assert_eq!(script(&mut a), script(&mut b));
    // A run stored under the copies restores under the group, and goes on the same way.
    let mut stored = Run::start(&copied, at(0));
    manual(&mut stored, "rise", 5, "desk");
    let restored = Run::restore(&grouped, stored.snapshot());
    let mut restored = restored.expect("same states, same transitions, in the same order");
    assert_eq!(
        describe(&manual(&mut restored, "press", 20, "desk")),
        describe(&manual(&mut stored, "press", 20, "desk"))
    );
    assert_eq!(restored.state_name(), "storm");
}

#[test]
fn a_mutant_of_a_shared_transition_changes_it_in_every_state() {
    let playbook = playbook(GROUPED);
    let all = mutants(&playbook);
    let retarget = all
        .iter()
        .find(|m| m.change == "groups.before_storm.on[0] (-> storm) to: storm -> closed")
        .expect("the shared transition is mutated as written");
    let mutated = &retarget.playbook;
    for state in ["quiet", "watch"] {
        let first = &mutated
            .state(mutated.state_named(state).unwrap())
            .transitions[0];
        assert_eq!(mutated.state(first.target).name, "closed", "in {state}");
    }
    // One mutant per written change, not one per copy.
    let shared = all
        .iter()
        .filter(|m| m.change.starts_with("groups.before_storm.on[0]"))
        .count();
    assert_eq!(shared, 3, "retargeted to quiet, watch and closed");
}

#[test]
fn the_copies_of_shared_transitions_count_against_the_transition_limit() {
    let mut limits = crisis_playbook::Limits::default();
    limits.max_transitions = 3;
    let err = crisis_playbook::Loader::new()
        .limits(limits)
        .load_str(GROUPED)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "<string>: error: groups: the states would have over 3 transitions with each group's copied into its member states: put fewer states in large groups, or raise Limits::max_transitions"
    );
}
