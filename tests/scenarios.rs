//! Scenario testing: the runner, its reports, its refusals of invalid input, JUnit output,
//! coverage and mutants.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crisis_playbook::testing::{self, coverage, mutants};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crisis-playbook"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn the_bundled_suite_passes_from_a_test() {
    testing::assert_scenarios("playbooks/");
}

#[test]
fn shared_keys_and_several_scenarios_per_file() {
    let report = testing::run_paths(&[PathBuf::from("tests/scenarios/passing")], None).unwrap();
    let names: Vec<&str> = report.results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "quiet traffic stays calm",
            "a surge after the quiet day storms",
            "the ladder climbs without an ack"
        ]
    );
    assert!(report.passed(), "{}", report.text());
    let only =
        testing::run_paths(&[PathBuf::from("tests/scenarios/passing")], Some("ladder")).unwrap();
    assert_eq!(only.results.len(), 1);
}

#[test]
fn a_failing_scenario_shows_expected_actual_and_the_timeline_around() {
    let output = cli(&["test", "tests/scenarios/failing"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(text(&output.stdout));
}

#[test]
#[should_panic(expected = "expected: never state `crisis` during the run")]
fn assert_scenarios_panics_with_the_report() {
    testing::assert_scenarios("tests/scenarios/failing");
}

#[test]
fn invalid_scenarios_are_refused_with_every_problem_and_exit_1() {
    let output = cli(&["test", "tests/scenarios/invalid"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "");
    insta::assert_snapshot!(text(&output.stderr));
}

#[test]
fn junit_output_is_valid_xml_with_one_case_per_scenario() {
    let dir = std::env::temp_dir().join(format!("crisis-playbook-junit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("junit.xml");
    let output = cli(&[
        "test",
        "tests/scenarios/passing",
        "tests/scenarios/failing",
        "--junit",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let xml = std::fs::read_to_string(&file).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2);
    let failure = document
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("expected state `issue` at 2026-03-04T00:30:00Z (+2d30m)")
    );
    assert!(
        failure
            .text()
            .unwrap()
            .contains("actual:   state `monitoring`")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_output_lists_scenarios_failures_and_coverage() {
    let output = cli(&[
        "test",
        "tests/scenarios/failing",
        "--format",
        "json",
        "--coverage",
    ]);
    let report: serde_json::Value = serde_json::from_str(&text(&output.stdout)).unwrap();
    assert_eq!(report["passed"], 0);
    assert_eq!(report["failed"], 1);
    assert_eq!(
        report["scenarios"][0]["failures"].as_array().unwrap().len(),
        4
    );
    assert_eq!(report["scenarios"][0]["failures"][0]["line"], 9);
    assert_eq!(report["coverage"][0]["playbook"], "negative-comment-storm");
}

#[test]
fn coverage_counts_what_the_scenarios_exercised() {
    let paths = [PathBuf::from("tests/scenarios/passing")];
    let scenarios = testing::load_paths(&paths).unwrap();
    let report = testing::SuiteReport {
        results: scenarios.iter().map(testing::Scenario::run).collect(),
    };
    let covered = coverage::coverage(&scenarios, &report);
    assert_eq!(covered.len(), 1);
    let base = &covered[0];
    assert_eq!((base.states.covered, base.states.total), (2, 3));
    assert_eq!((base.transitions.covered, base.transitions.total), (1, 2));
    assert_eq!(
        (base.escalation_steps.covered, base.escalation_steps.total),
        (1, 1)
    );
    assert_eq!(base.missed, ["closed", "states.storm.on[0] (-> closed)"]);
    let output = cli(&["test", "tests/scenarios/passing", "--min-coverage", "100"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr)
            .contains("test-storm: state coverage 66.7% is below the minimum of 100%")
    );
}

#[test]
fn mutants_that_no_scenario_catches_are_listed() {
    let paths = [PathBuf::from("tests/scenarios/passing")];
    let scenarios = testing::load_paths(&paths).unwrap();
    let reports = mutants::test_mutants(&scenarios);
    let survivors = &reports[0].survivors;
    // Nothing checks `closed`, so a change to the storm's exit survives.
    assert!(
        survivors
            .iter()
            .any(|s| s == "states.storm.on[0] (-> closed) for removed"),
        "{survivors:?}"
    );
    // The ladder test catches its step being dropped.
    assert!(
        !survivors
            .iter()
            .any(|s| s == "states.storm.escalate.steps[0] dropped"),
        "{survivors:?}"
    );
    let output = cli(&["test", "tests/scenarios/passing", "--mutants"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).ends_with(&format!(
        "{} mutants survived, more than --max-survivors 0\n",
        survivors.len()
    )));
    let allowed = survivors.len().to_string();
    let output = cli(&[
        "test",
        "tests/scenarios/passing",
        "--mutants",
        "--max-survivors",
        &allowed,
    ]);
    assert_eq!(output.status.code(), Some(0));
    let listed = mutants::describe(&reports);
    assert!(listed.starts_with(&format!(
        "test-storm: {} of {} mutants caught\n",
        reports[0].mutants - survivors.len(),
        reports[0].mutants
    )));
}

#[test]
fn stored_timelines_are_compared_and_written_on_request() {
    let dir = std::env::temp_dir().join(format!("crisis-playbook-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/playbooks/base.yaml");
    let scenario = dir.join("golden.yaml");
    std::fs::write(
        &scenario,
        format!(
            "scenario: golden\nplaybook: {}\nstart: 2026-03-02T00:00:00Z\nsignals:\n  mentions: \"10x300 50x24\"\ntimeline: golden.jsonl\n",
            base.display()
        ),
    )
    .unwrap();
    let path = scenario.to_str().unwrap();
    let missing = cli(&["test", path]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stdout).contains("write it with `crisis-playbook test --write-timelines`")
    );
    assert_eq!(
        cli(&["test", path, "--write-timelines"]).status.code(),
        Some(0)
    );
    assert_eq!(cli(&["test", path]).status.code(), Some(0));
    let stored = std::fs::read_to_string(dir.join("golden.jsonl")).unwrap();
    std::fs::write(
        dir.join("golden.jsonl"),
        stored.replace("\"storm\"", "\"closed\""),
    )
    .unwrap();
    let changed = cli(&["test", path]);
    assert_eq!(changed.status.code(), Some(1));
    assert!(
        text(&changed.stdout).contains("expected: line 1 of `golden.jsonl`"),
        "{}",
        text(&changed.stdout)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_path_is_invalid_input() {
    let output = cli(&["test", "no/such/folder"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "no/such/folder: error: no such file or folder\n"
    );
}

/// A scenario on negative-comment-storm: calm for an hour, then a national outlet at 1h.
fn press_at_one_hour(expect: &str) -> testing::ScenarioResult {
    let text = format!(
        "scenario: press at one hour\n\
         playbook: negative-comment-storm.yaml\n\
         start: 2026-03-02T00:00:00Z\n\
         step: 5m\n\
         until: 3h\n\
         signals:\n  mentions: \"20x36\"\n\
         events:\n  - {{ at: 1h, signal: journalist, attrs: {{ tier: national }} }}\n\
         expect:\n{expect}"
    );
    let scenarios = testing::load_text(&text, "press.yaml", Path::new("playbooks")).unwrap();
    scenarios[0].run()
}

#[test]
fn never_honours_its_own_time_window() {
    let inside = press_at_one_hour("  - { never: { between: [0s, 50m], state: crisis } }\n");
    assert!(inside.passed(), "{:?} {:?}", inside.error, inside.failures);
    let outside = press_at_one_hour("  - { never: { between: [0s, 2h], state: crisis } }\n");
    assert!(!outside.passed());
    let both = testing::load_text(
        "scenario: s\nplaybook: negative-comment-storm.yaml\nstart: 2026-03-02T00:00:00Z\n\
         step: 5m\nuntil: 1h\nsignals: { mentions: \"20x12\" }\n\
         expect:\n  - { between: [0s, 1h], never: { at: 10m, state: crisis } }\n",
        "both.yaml",
        Path::new("playbooks"),
    )
    .unwrap_err();
    assert_eq!(
        both.to_string(),
        "both.yaml:8:33: error: expect[0].never: give the time once, outside `never` or inside it"
    );
}

/// An expected action with the wrong owner or deadline shows the action that did happen.
#[test]
fn a_near_miss_shows_the_actual_action() {
    let result = press_at_one_hour(
        "  - { between: [1h, 1h], action: holding_statement, owner: legal, due: 5m }\n",
    );
    let failure = &result.failures[0];
    assert!(
        failure
            .expected
            .starts_with("action `holding_statement` owned by `legal` due 5m later between"),
        "{}",
        failure.expected
    );
    assert!(
        failure.actual.starts_with("none like it; nearest: ")
            && failure.actual.contains("holding_statement -> on_call"),
        "{}",
        failure.actual
    );
}

/// A mutant that lint would refuse is no playbook anyone could write, so no scenario need
/// catch it: none is made.
#[test]
fn mutants_are_playbooks_that_lint_accepts() {
    let text = r#"
playbook: ladder
version: 1
title: Ladder
parameters:
  ratio: { default: 2, min: 1, max: 3 }
signals:
  level: { kind: gauge }
  ack: { kind: manual }
roles: [cm, lead, director]
initial: calm
states:
  calm:
    on: [{ to: alert, when: level >= ratio, for: 1ms }]
  alert:
    enter: [{ do: update, owner: cm, every: 1m, say: Update }]
    escalate:
      unless: ack
      steps: [{ to: lead, after: 30m }, { to: director, after: 45m }]
      repeat: { every: 1h, times: 1 }
    on: [{ to: done, when: ack }]
  done: { final: true }
"#;
    let playbook = crisis_playbook::Playbook::from_yaml_str(text).unwrap();
    let changes: Vec<String> = mutants::mutants(&playbook)
        .into_iter()
        .map(|m| m.change)
        .collect();
    for refused in [
        "parameters.ratio.default doubled: 2 -> 4",
        "states.alert.escalate.repeat.every halved: 1h -> 30m",
        "states.alert.escalate.steps[0].after doubled: 30m -> 1h",
        "states.alert.escalate.steps[1].after halved: 45m -> 22m30s",
        "states.alert.enter.update.every halved: 1m -> 30s",
        "states.calm.on[0] (-> alert) for halved: 1ms -> 0s",
    ] {
        assert!(
            !changes.iter().any(|c| c == refused),
            "{refused} in {changes:#?}"
        );
    }
    for kept in [
        "parameters.ratio.default halved: 2 -> 1",
        "states.alert.escalate.repeat.every doubled: 1h -> 2h",
        "states.alert.escalate.steps[0].after halved: 30m -> 15m",
        "states.alert.enter.update.every doubled: 1m -> 2m",
    ] {
        assert!(
            changes.iter().any(|c| c == kept),
            "{kept} not in {changes:#?}"
        );
    }
}
