//! Cool-downs (`docs/semantics.md`, "Cool-downs"): entering a state again soon after leaving it
//! sends nothing again, or waits; repeats stretch the next cool-down up to its `max`; the clocks
//! survive snapshots; scenarios and mutants see them.

mod support;

use crisis_playbook::testing::mutants::mutants;
use crisis_playbook::timeline::format_event;
use crisis_playbook::{EventKind, Run, Snapshot};
use support::*;

const COOL: &str = r#"
playbook: cool
version: 1
title: Cool
signals:
  alarm: { kind: manual }
  calm: { kind: manual }
  ack: { kind: manual }
  resolve: { kind: manual }
roles: [lead, boss]
initial: quiet
states:
  quiet:
    on:
      - { to: alert, when: alarm }
      - { to: closed, when: resolve }
  alert:
    severity: 1
    cooldown: { for: 1h, backoff: 2, max: 3h }
    enter:
      - { do: look, owner: lead, within: 30m, say: Look at it }
    escalate:
      unless: ack
      steps: [{ to: boss, after: 20m }]
    on:
      - { to: quiet, when: calm }
  closed: { final: true }
"#;

/// What the mutants of `playbook` change about cool-downs.
fn cooldown_mutants(playbook: &crisis_playbook::Playbook) -> Vec<String> {
    mutants(playbook)
        .into_iter()
        .map(|m| m.change)
        .filter(|c| c.contains("cooldown"))
        .collect()
}

fn refused() -> String {
    COOL.replace(
        "cooldown: { for: 1h, backoff: 2, max: 3h }",
        "cooldown: { for: 1h, reentry: refused }",
    )
}

#[test]
fn a_silent_reentry_sends_nothing_again_and_repeats_stretch_the_next_cool_down() {
    let playbook = playbook(COOL);
    assert!(playbook.warnings().is_empty(), "{:?}", playbook.warnings());
    let mut run = Run::start(&playbook, at(0));
    assert_eq!(
        describe(&manual(&mut run, "alarm", 0, "desk")),
        ["input:alarm", "transition:quiet->alert", "action:look"]
    );
    manual(&mut run, "calm", 5, "desk");
    // Back within the hour: the state is entered, nothing is sent, no ladder starts.
    let events = manual(&mut run, "alarm", 10, "desk");
    assert_eq!(
        describe(&events),
        ["input:alarm", "transition:quiet->alert", "cooldown"]
    );
    let EventKind::Cooldown { state, until } = &events[2].kind else {
        panic!("{events:?}")
    };
    assert_eq!((state.as_str(), *until), ("alert", at(65)));
    assert_eq!(
        format_event(&events[2]),
        "2026-03-02T00:10:00Z  cooldown    alert: entered again in its cool-down; actions and ladder not sent again (until 2026-03-02T01:05:00Z)"
    );
    assert!(run.pending_escalation().is_none(), "no ladder");
    // The first entry's action stays open and misses its deadline; nobody is escalated to.
    assert_eq!(describe(&advance(&mut run, 40)), ["breach:look"]);
    // That repeat doubled the next cool-down: two hours from leaving at 45.
    manual(&mut run, "calm", 45, "desk");
    let until = |events: &[crisis_playbook::Event]| {
        events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::Cooldown { until, .. } => Some(*until),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{events:?}"))
    };
    assert_eq!(until(&manual(&mut run, "alarm", 160, "desk")), at(165));
    // Doubled again it would be four hours: `max` keeps it at three.
    manual(&mut run, "calm", 170, "desk");
    assert_eq!(until(&manual(&mut run, "alarm", 349, "desk")), at(350));
    // An entry after a whole cool-down sends everything again, and the period starts over.
    manual(&mut run, "calm", 355, "desk");
    assert_eq!(
        describe(&manual(&mut run, "alarm", 536, "desk")),
        ["input:alarm", "transition:quiet->alert", "action:look"]
    );
    manual(&mut run, "calm", 540, "desk");
    assert_eq!(
        until(&manual(&mut run, "alarm", 599, "desk")),
        at(600),
        "one hour again"
    );
}

#[test]
fn a_refused_reentry_waits_for_the_end_of_the_cool_down_with_no_signal() {
    let playbook = playbook(&refused());
    let mut run = Run::start(&playbook, at(0));
    manual(&mut run, "alarm", 0, "desk");
    manual(&mut run, "calm", 5, "desk");
    assert_eq!(
        describe(&manual(&mut run, "alarm", 10, "desk")),
        ["input:alarm"]
    );
    assert_eq!(run.state_name(), "quiet");
    let explanation = run.explain();
    assert_eq!(explanation.transitions[0].cooldown_until, Some(at(65)));
    assert!(
        explanation
            .to_string()
            .contains("held back by a cool-down until 2026-03-02T01:05:00Z"),
        "{explanation}"
    );
    // The alarm is still fresh in `quiet` when the cool-down ends: the run enters `alert` then,
    // and sends everything, since it waited.
    let events = advance(&mut run, 90);
    assert_eq!(
        timeline(&events),
        [
            "30m breach:look",
            "65m transition:quiet->alert",
            "65m action:look",
            "85m escalation:boss"
        ]
    );
}

#[test]
fn a_transition_with_a_cool_down_does_not_fire_again_until_it_ends() {
    let text = COOL
        .replace("    cooldown: { for: 1h, backoff: 2, max: 3h }\n", "")
        .replace(
            "      - { to: alert, when: alarm }",
            "      - { to: alert, when: alarm, cooldown: 30m }",
        );
    let playbook = playbook(&text);
    let mut run = Run::start(&playbook, at(0));
    manual(&mut run, "alarm", 0, "desk");
    manual(&mut run, "calm", 5, "desk");
    assert_eq!(
        describe(&manual(&mut run, "alarm", 10, "desk")),
        ["input:alarm"]
    );
    assert_eq!(run.explain().transitions[0].cooldown_until, Some(at(30)));
    // It fires when its cool-down ends, with no signal, and starts a new one.
    let events = advance(&mut run, 31);
    assert_eq!(
        timeline(&events),
        [
            "30m breach:look",
            "30m transition:quiet->alert",
            "30m action:look"
        ]
    );
    manual(&mut run, "calm", 35, "desk");
    manual(&mut run, "alarm", 40, "desk");
    assert_eq!(run.explain().transitions[0].cooldown_until, Some(at(60)));
    assert_eq!(
        cooldown_mutants(&playbook),
        [
            "states.quiet.on[0] (-> alert) cooldown halved: 30m -> 15m",
            "states.quiet.on[0] (-> alert) cooldown doubled: 30m -> 1h",
            "states.quiet.on[0] (-> alert) cooldown removed",
        ]
    );
}

#[test]
fn a_run_stopped_in_a_cool_down_continues_identically_after_a_restore() {
    let playbook = playbook(COOL);
    let mut run = Run::start(&playbook, at(0));
    manual(&mut run, "alarm", 0, "desk");
    manual(&mut run, "calm", 5, "desk");
    manual(&mut run, "alarm", 10, "desk");
    manual(&mut run, "calm", 15, "desk");
    let json = serde_json::to_string(&run.snapshot()).unwrap();
    let mut restored =
        Run::restore(&playbook, serde_json::from_str::<Snapshot>(&json).unwrap()).unwrap();
    for (minute, signal) in [(130, "alarm"), (140, "calm"), (400, "alarm")] {
        assert_eq!(
            manual(&mut restored, signal, minute, "desk"),
            manual(&mut run, signal, minute, "desk")
        );
    }
    // A snapshot whose clocks do not match the playbook's states is refused.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["run"]["cooldowns"].as_array_mut().unwrap().pop();
    let err = Run::restore(&playbook, serde_json::from_value(value).unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "snapshot is inconsistent: the cool-down clocks do not match the playbook's states"
    );
}

#[test]
fn snapshots_of_playbooks_without_cool_downs_do_not_mention_them() {
    let playbook = playbook(&COOL.replace("    cooldown: { for: 1h, backoff: 2, max: 3h }\n", ""));
    let run = Run::start(&playbook, at(0));
    let json = serde_json::to_string(&run.snapshot()).unwrap();
    assert!(!json.contains("cooldowns"), "{json}");
}

#[test]
fn mutants_change_the_cool_down_and_a_scenario_can_tell() {
    let playbook = playbook(COOL);
    assert_eq!(
        cooldown_mutants(&playbook),
        [
            "states.alert.cooldown removed",
            "states.alert.cooldown.for halved: 1h -> 30m",
            "states.alert.cooldown.for doubled: 1h -> 2h",
            "states.alert.cooldown.max halved: 3h -> 1h30m",
            "states.alert.cooldown.max doubled: 3h -> 6h",
            "states.alert.cooldown.reentry silent -> refused",
            "states.alert.cooldown.backoff removed: 2 -> 1",
        ]
    );
    let scenario = r#"
scenario: a second alarm soon after is silent
playbook: cool.yaml
start: 2026-03-02T00:00:00Z
inputs:
  - { at: 0m, signal: alarm, by: desk }
  - { at: 5m, signal: calm, by: desk }
  - { at: 10m, signal: alarm, by: desk }
expect:
  - { between: [10m, 10m], cooldown: alert }
  - { never: { escalation: boss }, between: [10m, 1h] }
"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cool.yaml"), COOL).unwrap();
    let loaded =
        crisis_playbook::testing::load_text(scenario, "cool-test.yaml", dir.path()).unwrap();
    assert!(loaded[0].run().passed(), "{:?}", loaded[0].run());
}

#[test]
fn a_transition_from_a_cooled_state_to_itself_sends_nothing_again_even_when_refused() {
    for reentry in ["silent", "refused"] {
        let text = COOL
            .replace(
                "cooldown: { for: 1h, backoff: 2, max: 3h }",
                &format!("cooldown: {{ for: 1h, reentry: {reentry} }}"),
            )
            .replace(
                "      - { to: quiet, when: calm }",
                "      - { to: quiet, when: calm }\n      - { to: alert, when: alarm }",
            );
        let playbook = playbook(&text);
        let mut run = Run::start(&playbook, at(0));
        manual(&mut run, "alarm", 0, "desk");
        // The run leaves `alert` and enters it at the same instant: within its cool-down.
        assert_eq!(
            describe(&manual(&mut run, "alarm", 5, "desk")),
            ["input:alarm", "transition:alert->alert", "cooldown"],
            "{reentry}"
        );
    }
}

#[test]
fn a_scenario_cannot_expect_a_silent_entry_into_a_state_without_a_cool_down() {
    let scenario = r#"
scenario: quiet is never cooled
playbook: cool.yaml
start: 2026-03-02T00:00:00Z
inputs:
  - { at: 0m, signal: alarm, by: desk }
expect:
  - { cooldown: quiet }
"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cool.yaml"), COOL).unwrap();
    let err =
        crisis_playbook::testing::load_text(scenario, "cool-test.yaml", dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cool-test.yaml:8:17: error: expect[0].cooldown: state `quiet` has no `cooldown`, so it is never entered silently: expect `transition: quiet` instead, or give the state a cool-down"
    );
}

#[test]
fn diagrams_show_cool_downs_on_states_and_transitions() {
    use crisis_playbook::diagram::{DiagramFormat, render};
    let text = COOL.replace(
        "      - { to: alert, when: alarm }",
        "      - { to: alert, when: alarm, cooldown: 30m }",
    );
    let playbook = playbook(&text);
    let mermaid = render(&playbook, DiagramFormat::Mermaid);
    assert!(
        mermaid.contains("st_alert : alert (severity 1, cool-down 1h)"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("st_quiet --> st_alert : alarm cooldown 30m"),
        "{mermaid}"
    );
    let dot = render(&playbook, DiagramFormat::Dot);
    assert!(
        dot.contains(r#"label="alert\nseverity 1, cool-down 1h""#),
        "{dot}"
    );
}

#[test]
fn a_cool_down_written_as_a_duration_alone_is_its_for() {
    let short = playbook(&COOL.replace("{ for: 1h, backoff: 2, max: 3h }", "1h"));
    let cooldown = short
        .state(short.state_named("alert").unwrap())
        .cooldown
        .unwrap();
    assert_eq!(short.timer_text(cooldown.period), "1h");
    assert_eq!((cooldown.backoff, cooldown.max.is_none()), (1.0, true));
}
