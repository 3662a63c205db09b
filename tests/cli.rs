//! The `crisis-playbook` command as users run it: output, formats and exit codes.
#![cfg(feature = "cli")]

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crisis-playbook"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in:\n{text}");
}

#[test]
fn lint_of_the_bundled_playbooks_and_their_scenarios_is_clean() {
    let output = run(&["lint", "playbooks/"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "10 playbooks and 27 scenario files checked: 0 errors, 0 warnings\n"
    );
}

#[test]
fn lint_reports_errors_with_positions_and_exits_1() {
    let output = run(&["lint", "tests/playbooks/invalid/unknown-state-target.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "tests/playbooks/invalid/unknown-state-target.yaml:20:15: error: states.calm.on[0].to: unknown state `strom`; did you mean `storm`?\n"
    );
    assert_eq!(stderr(&output), "1 playbook checked: 1 error, 0 warnings\n");
}

#[test]
fn lint_warnings_alone_exit_0() {
    let output = run(&["lint", "tests/playbooks/warning/unreachable-state.yaml"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains(": warning: states.limbo: state `limbo` cannot be reached"));
}

#[test]
fn lint_of_a_folder_finds_every_playbook() {
    let output = run(&["lint", "tests/playbooks/invalid"]);
    assert_eq!(output.status.code(), Some(1));
    let checked = stderr(&output);
    let count = std::fs::read_dir("tests/playbooks/invalid")
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert!(
        checked.starts_with(&format!("{count} playbooks checked: ")),
        "{checked}"
    );
}

#[test]
fn lint_json_lists_every_diagnostic() {
    let output = run(&[
        "lint",
        "--format",
        "json",
        "tests/playbooks/invalid/unknown-state-target.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["errors"], 1);
    assert_eq!(report["warnings"], 0);
    let first = &report["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "unknown-reference");
    assert_eq!(first["line"], 20);
    assert_eq!(first["column"], 15);
    assert_eq!(first["path"], "states.calm.on[0].to");
    assert_eq!(
        first["message"],
        "unknown state `strom`; did you mean `storm`?"
    );
}

#[test]
fn usage_errors_exit_2() {
    let output = run(&["lint", "no/such/path.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: no/such/path.yaml: no such file or folder\n"
    );
    assert_eq!(run(&["lint"]).status.code(), Some(2));
    assert_eq!(
        run(&[
            "graph",
            "--format",
            "png",
            "playbooks/failing-campaign.yaml"
        ])
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn graph_prints_mermaid_by_default() {
    let output = run(&["graph", "playbooks/failing-campaign.yaml"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(
        text.starts_with("stateDiagram-v2\n    [*] --> st_learning\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "    st_learning --> st_live : learning_progress #gt;= learning_events | after learning_period\n"
        ),
        "{text}"
    );
}

/// check-jsonschema (YAML 1.2, as editors read it) accepts every bundled playbook and scenario
/// file against the committed schemas, and refuses each invalid test playbook whose error a
/// schema can express: `tests/playbooks/invalid/schema-verdicts.txt` lists the verdicts, and
/// why a schema cannot catch the others. Skips without check-jsonschema, unless `CI` is set.
#[test]
fn the_schema_refuses_what_it_can_express() {
    let validates = |schema: &str, files: &[String]| {
        Command::new("check-jsonschema")
            .args(["--schemafile", schema])
            .args(files)
            .output()
            .map(|o| o.status.success())
    };
    let yaml_in = |folder: &str| -> Vec<String> {
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| p.display().to_string())
            .collect();
        files.sort();
        files
    };
    let Ok(bundled) = validates("schema/playbook.schema.json", &yaml_in("playbooks")) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "check-jsonschema is required in CI"
        );
        eprintln!("skipped: check-jsonschema is not installed (pip install check-jsonschema)");
        return;
    };
    assert!(bundled, "a bundled playbook fails its schema");
    let scenarios: Vec<String> = yaml_in("playbooks")
        .iter()
        .flat_map(|playbook| yaml_in(playbook.trim_end_matches(".yaml")))
        .collect();
    assert!(
        validates("schema/scenario.schema.json", &scenarios).unwrap(),
        "a bundled scenario file fails its schema"
    );
    let verdicts = std::fs::read_to_string("tests/playbooks/invalid/schema-verdicts.txt").unwrap();
    let listed: Vec<(&str, &str)> = verdicts
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split_once(' ').unwrap())
        .collect();
    let invalid = yaml_in("tests/playbooks/invalid");
    let names: Vec<&str> = invalid
        .iter()
        .map(|p| p.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        listed.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        names,
        "schema-verdicts.txt lists every invalid playbook, in order"
    );
    // One run for all: its JSON report names each file it refuses.
    let report = Command::new("check-jsonschema")
        .args([
            "--output-format",
            "json",
            "--schemafile",
            "schema/playbook.schema.json",
        ])
        .args(&invalid)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let refused: std::collections::BTreeSet<&str> = ["errors", "parse_errors"]
        .iter()
        .flat_map(|key| report[*key].as_array().into_iter().flatten())
        .filter_map(|error| error["filename"].as_str())
        .collect();
    for ((file, verdict), path) in listed.into_iter().zip(&invalid) {
        let expected = verdict.starts_with("accepted");
        assert_eq!(
            !refused.contains(path.as_str()),
            expected,
            "{file}: the schema's verdict changed"
        );
    }
}

/// Graphviz must accept the DOT output of every bundled playbook. Skips without `dot`, unless
/// `CI` is set, where `.ci/run` installs it.
#[test]
fn graphviz_accepts_the_dot_output() {
    if Command::new("dot").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "graphviz `dot` is required in CI"
        );
        eprintln!("skipped: graphviz `dot` is not installed (apt-get install graphviz)");
        return;
    }
    for entry in std::fs::read_dir("playbooks").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let output = run(&["graph", "--format", "dot", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0));
        let mut dot = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        dot.stdin.take().unwrap().write_all(&output.stdout).unwrap();
        let rendered = dot.wait_with_output().unwrap();
        assert!(
            rendered.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&rendered.stderr)
        );
        assert!(String::from_utf8_lossy(&rendered.stdout).contains("<svg"));
    }
}

#[test]
fn schema_is_draft_07_and_matches_the_committed_copy() {
    for (kind, key) in [("playbook", "states"), ("scenario", "expect")] {
        let output = run(&["schema", kind]);
        assert_eq!(output.status.code(), Some(0));
        let schema: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        let committed = std::fs::read_to_string(format!("schema/{kind}.schema.json")).unwrap();
        assert_eq!(
            stdout(&output),
            committed,
            "run `cargo run -- schema {kind} > schema/{kind}.schema.json`"
        );
        assert!(
            committed.contains(&format!("\"{key}\"")) && !committed.contains("```"),
            "{kind}: no Rust example in a description"
        );
    }
}

#[test]
fn bundled_playbooks_point_editors_at_the_schema() {
    for entry in std::fs::read_dir("playbooks").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.starts_with(
                    "# yaml-language-server: $schema=../schema/playbook.schema.json\n"
                ),
                "{}",
                path.display()
            );
        }
    }
}

const STORM: &str = "playbooks/negative-comment-storm.yaml";
const DEMO: &str = "playbooks/negative-comment-storm/demo.jsonl";

#[test]
fn the_main_command_replays_a_whole_crisis() {
    let output = run(&["simulate", STORM, "--signals", DEMO]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let transitions: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("  transition  "))
        .map(|l| {
            l.split("  transition  ")
                .nth(1)
                .unwrap()
                .split(" (")
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        transitions,
        [
            "monitoring -> watch",
            "watch -> issue",
            "issue -> crisis",
            "crisis -> recovering",
            "recovering -> closed"
        ]
    );
    for expected in [
        "  action      watch: capture_evidence -> community_manager",
        "  escalation  crisis: notify comms_director (step 1)",
        "  input       ack by comms_director: escalation stopped",
        "  done        holding_statement done by comms_director",
        "  breach      ",
        "  resolved    run ended in closed",
    ] {
        assert!(text.contains(expected), "missing {expected:?}");
    }
    assert!(
        stderr(&output).contains("`demo` ends in `closed` (severity 0)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn simulate_jsonl_is_one_event_per_line_with_at_and_kind() {
    let output = run(&["simulate", STORM, "--signals", DEMO, "--format", "jsonl"]);
    assert_eq!(output.status.code(), Some(0));
    let mut kinds = std::collections::BTreeSet::new();
    for line in stdout(&output).lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        let at = event["at"].as_str().unwrap();
        assert!(at.parse::<crisis_playbook::Timestamp>().is_ok(), "{at}");
        let kind = event["kind"].as_str().unwrap().to_string();
        if kind == "transition" {
            assert!(
                event["from"].is_string() && event["to"].is_string(),
                "{line}"
            );
        }
        kinds.insert(kind);
    }
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    assert_eq!(
        kinds,
        [
            "action",
            "breach",
            "closed",
            "done",
            "escalation",
            "input",
            "resolved",
            "transition"
        ]
    );
}

#[test]
fn simulate_with_another_playbook_runs_both_and_names_each_event_s_playbook() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("breach.jsonl");
    std::fs::write(
        &trace,
        "{\"at\": \"2026-03-02T08:00:00Z\", \"signal\": \"mentions\", \"value\": 20}\n\
         {\"at\": \"2026-03-02T09:00:00Z\", \"signal\": \"breach_aware\", \"by\": \"dpo\"}\n\
         {\"at\": \"2026-03-02T10:00:00Z\", \"signal\": \"high_risk\", \"by\": \"dpo\"}\n",
    )
    .unwrap();
    let trace = trace.to_str().unwrap();
    let args = [
        "simulate",
        STORM,
        "--with",
        "playbooks/data-breach-or-recall.yaml",
        "--signals",
        trace,
    ];
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains(
        "negative-comment-storm  2026-03-02T10:00:00Z  inhibited   data-breach-or-recall at severity 4: muting what states below severity 3 send\n"
    ), "{text}");
    // The shorter id is padded: every line's time starts in one column.
    assert!(
        text.contains("\ndata-breach-or-recall   2026-03-02T"),
        "{text}"
    );
    assert!(
        text.lines().all(|line| line.get(24..28) == Some("2026")),
        "{text}"
    );
    assert_eq!(
        stderr(&output),
        "3 signals replayed; `demo` ends with `data-breach-or-recall` in `breach` (severity 4), `negative-comment-storm` in `monitoring` (severity 0)\n"
    );
    let jsonl = run(&[&args[..], &["--format", "jsonl"]].concat());
    let last = stdout(&jsonl).lines().last().unwrap().to_string();
    assert_eq!(
        last,
        r#"{"playbook":"negative-comment-storm","at":"2026-03-02T10:00:00Z","kind":"inhibited","by":"data-breach-or-recall","severity":4,"below":3,"mode":"mute"}"#
    );
    // A report reads the events of its own playbook; a digest, one incident per playbook.
    let both = dir.path().join("both.jsonl");
    std::fs::write(&both, stdout(&jsonl)).unwrap();
    let both = both.to_str().unwrap();
    let report = run(&["report", both, "--playbook", STORM]);
    assert!(
        stdout(&report).contains("- Path: monitoring\n"),
        "{}",
        stdout(&report)
    );
    assert!(
        stdout(&report)
            .contains("- `2026-03-02T10:00:00Z  Mon 11:00 +01:00  inhibited   data-breach-or-recall at severity 4"),
        "{}",
        stdout(&report)
    );
    let report = run(&[
        "report",
        both,
        "--playbook",
        "playbooks/data-breach-or-recall.yaml",
    ]);
    assert!(
        stdout(&report).contains("- Highest severity: 4\n"),
        "{}",
        stdout(&report)
    );
    let report = run(&[
        "report",
        both,
        "--playbook",
        "playbooks/tone-deaf-post.yaml",
    ]);
    assert_eq!(report.status.code(), Some(1));
    assert_eq!(
        stderr(&report),
        format!(
            "error: {both}: holds the events of data-breach-or-recall, negative-comment-storm, not of `tone-deaf-post`: give one of them with --playbook\n"
        )
    );
    let digest = run(&[
        "digest",
        both,
        "--playbook",
        STORM,
        "--playbook",
        "playbooks/data-breach-or-recall.yaml",
    ]);
    assert!(
        stdout(&digest)
            .contains("- both (data-breach-or-recall): 2026-03-02T09:00:00Z, highest severity 4"),
        "{}",
        stdout(&digest)
    );
    // A signal that none of them declares is refused with its line.
    std::fs::write(
        dir.path().join("bad.jsonl"),
        "{\"at\": \"2026-03-02T08:00:00Z\", \"signal\": \"noise\", \"value\": 1}\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.jsonl");
    let output = run(&[
        "simulate",
        STORM,
        "--with",
        "playbooks/data-breach-or-recall.yaml",
        "--signals",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .ends_with("bad.jsonl: line 1: no playbook of the set declares signal `noise`\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn simulate_reads_wide_csv_and_speaks_french() {
    let dir = std::env::temp_dir().join(format!("crisis-playbook-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("trace.csv");
    let mut text = String::from("timestamp,mentions,negative\n");
    let start: crisis_playbook::Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    for step in 0..(60 * 12) {
        let at = start + crisis_playbook::Duration::from_secs(step * 300);
        let mentions = if step > 600 { 400 } else { 20 };
        text.push_str(&format!(
            "{at},{mentions},{}\n",
            if step % 2 == 0 { "2" } else { "" }
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let output = run(&[
        "simulate",
        STORM,
        "--signals",
        csv.to_str().unwrap(),
        "--locale",
        "fr",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("crisis: holding_statement -> on_call, due "),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("Publiez la déclaration d'attente validée"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_trace_line_stops_with_its_line_number() {
    let dir = std::env::temp_dir().join(format!("crisis-playbook-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("bad.jsonl");
    let cases = [
        (
            r#"{"at":"2026-03-02T00:05:00Z","signal":"mentions","value":-4}"#,
            "line 2: `mentions`: a count cannot be negative (-4)",
        ),
        (
            r#"{"at":"2026-03-02T00:05:00Z","signal":"mentons","value":4}"#,
            "line 2: unknown signal `mentons`; did you mean `mentions`?",
        ),
        (
            r#"{"at":"yesterday","signal":"mentions","value":4}"#,
            "line 2: `yesterday` is not a timestamp: use RFC 3339, such as `2026-03-02T08:00:00Z`",
        ),
        (
            r#"{"at":"2026-03-02T00:05:00Z","signal":"mentions"#,
            "line 2, column 47: not a valid record: EOF while parsing a string",
        ),
        (
            r#"{"at":"2026-03-02T00:05:00Z","signal":"mentions","value":4,"by":"x"}"#,
            "line 2: give `value` (count, gauge), `attrs` (event) or `by` (manual), not several",
        ),
    ];
    for (line, message) in cases {
        std::fs::write(
            &trace,
            format!(
                "{{\"at\":\"2026-03-02T00:00:00Z\",\"signal\":\"mentions\",\"value\":1}}\n{line}\n"
            ),
        )
        .unwrap();
        let output = run(&["simulate", STORM, "--signals", trace.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{line}");
        assert_eq!(
            stderr(&output),
            format!("error: {}: {message}\n", trace.display())
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn simulate_repeats_the_playbooks_warnings_on_standard_error() {
    let playbook = "tests/playbooks/warning/weak-detector.yaml";
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.jsonl");
    std::fs::write(
        &trace,
        "{\"at\":\"2026-03-02T00:00:00Z\",\"signal\":\"mentions\",\"value\":1}\n",
    )
    .unwrap();
    let output = run(&["simulate", playbook, "--signals", trace.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lint = run(&["lint", playbook]);
    let text = stdout(&lint);
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(warnings.len(), 7, "{text}");
    let simulated = stderr(&output);
    for warning in warnings {
        assert!(
            simulated.contains(warning),
            "{warning} missing from {simulated}"
        );
    }
}

#[test]
fn simulate_parameters_are_checked_against_their_bounds() {
    let output = run(&[
        "simulate",
        STORM,
        "--signals",
        DEMO,
        "--param",
        "watch_ratio=50",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: parameter `watch_ratio` = 50 is outside its bounds [1.2, 10]\n"
    );
    let output = run(&[
        "simulate",
        STORM,
        "--signals",
        DEMO,
        "--param",
        "watch_negative_share=95%",
    ]);
    assert_eq!(
        stderr(&output),
        "error: parameter `watch_negative_share` = 0.95 is outside its bounds [0.1, 0.9]\n"
    );
    let output = run(&[
        "simulate",
        STORM,
        "--signals",
        DEMO,
        "--param",
        "watch_ratio=2h",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: parameter `watch_ratio` is a number, not a duration: give it without a unit, such as `2` or `30%`\n"
    );
    // A lower watch threshold opens the watch earlier in the same storm.
    let output = run(&[
        "simulate",
        STORM,
        "--signals",
        DEMO,
        "--param",
        "watch_ratio=1.2",
    ]);
    let first = stdout(&output).lines().next().unwrap().to_string();
    assert!(first.contains("monitoring -> watch"), "{first}");
    assert!(first.as_str() < "2026-03-04T08:40:00Z", "{first}");
}

/// A duration parameter takes a duration on the command line, and moves the timer that names it.
#[test]
fn simulate_sets_a_duration_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("campaign.jsonl");
    std::fs::write(
        &trace,
        "{\"at\":\"2026-03-02T00:00:00Z\",\"signal\":\"kpi_ratio\",\"value\":1}\n\
         {\"at\":\"2026-03-06T00:00:00Z\",\"signal\":\"kpi_ratio\",\"value\":1}\n",
    )
    .unwrap();
    let campaign = "playbooks/failing-campaign.yaml";
    let simulate = |param: &str| {
        run(&[
            "simulate",
            campaign,
            "--signals",
            path_text(&trace),
            "--param",
            param,
        ])
    };
    let output = simulate("learning_period=3d");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let first = stdout(&output)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        first.starts_with("2026-03-05T00:00:00Z") && first.contains("learning -> live"),
        "{first}"
    );
    let output = simulate("learning_period=3");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: parameter `learning_period` is a duration: give it with a unit, such as `2h`\n"
    );
    let output = simulate("learning_period=3 days");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("invalid value 'learning_period=3 days' for '--param <PARAMETERS>': `3 days` is not a number, a percentage or a duration"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn report_reads_a_stored_timeline_in_each_language() {
    let timeline = "playbooks/negative-comment-storm/escalation.timeline.jsonl";
    // French is built in; German comes from a words file, with no code.
    for (language, title, severity) in [
        (
            ["--locale", "fr"],
            "# Revue après incident",
            "- Gravité maximale\u{a0}: 3\n",
        ),
        (
            ["--words", "docs/report-words/de.yaml"],
            "# Nachbetrachtung",
            "- Höchster Schweregrad: 3\n",
        ),
    ] {
        let mut args = vec!["report", timeline, "--playbook", STORM];
        args.extend(language);
        let output = run(&args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = stdout(&output);
        assert!(
            text.starts_with(&format!("{title} — negative-comment-storm\n")),
            "{text}"
        );
        assert!(text.contains(severity), "{text}");
    }
    let output = run(&["report", timeline, "--playbook", STORM, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["path"][3], "crisis");
    let german = "docs/report-words/de.yaml";
    let output = run(&[
        "report",
        timeline,
        "--playbook",
        STORM,
        "--words",
        german,
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["locale"], "de");
    assert_eq!(json["questions"][1], "Wer hat es zuerst bemerkt, und wie?");
    let output = run(&[
        "report",
        "playbooks/negative-comment-storm/escalation.yaml",
        "--playbook",
        STORM,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("escalation.yaml: line 1: not an event: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_broken_words_file_is_named_with_its_line() {
    let dir = std::env::temp_dir().join(format!("crisis-playbook-words-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let words = dir.join("de.yaml");
    let text = std::fs::read_to_string("docs/report-words/de.yaml").unwrap();
    std::fs::write(&words, text.replace("summary:", "sumary:")).unwrap();
    let timeline = "playbooks/negative-comment-storm/escalation.timeline.jsonl";
    let output = run(&[
        "report",
        timeline,
        "--playbook",
        STORM,
        "--words",
        words.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "{}:6:1: unknown key `sumary`; did you mean `summary`?\n",
            words.display()
        )
    );
    let output = run(&[
        "report",
        timeline,
        "--playbook",
        STORM,
        "--words",
        "no/such.yaml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).starts_with("error: no/such.yaml: cannot open: "));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn digest_sorts_timelines_to_their_playbooks_and_keeps_a_period() {
    let output = run(&[
        "digest",
        "playbooks/tone-deaf-post/",
        "playbooks/account-compromise/",
        "--playbook",
        "playbooks/tone-deaf-post.yaml",
        "--playbook",
        "playbooks/account-compromise.yaml",
        "--since",
        "2026-03-03T00:30:00Z",
        "--until",
        "2026-03-04T00:00:00Z",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(": 2026-03-03T00:30:00Z – 2026-03-04T00:00:00Z\n"),
        "{text}"
    );
    let incidents: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "## Incidents")
        .skip(2)
        .take_while(|l| !l.is_empty())
        .collect();
    // The other incidents of both folders started before 00:30 or, like offence-ack (tone-deaf-post,
    // 2026-03-04T00:45:00Z), at or after the end.
    assert_eq!(
        incidents,
        ["- relapse (account-compromise): 2026-03-03T00:35:00Z, highest severity 3, resolved"]
    );
    let output = run(&[
        "digest",
        "playbooks/tone-deaf-post/",
        "--playbook",
        "playbooks/negative-comment-storm.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: playbooks/tone-deaf-post/mourning.timeline.jsonl: names states or actions that \
         none of the playbooks given has; pass the playbook it comes from with --playbook\n"
    );
    let output = run(&[
        "digest",
        "playbooks/negative-comment-storm/false-alarm.timeline.jsonl",
        "--playbook",
        STORM,
        "--playbook",
        STORM,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).ends_with(
            "fits several playbooks (negative-comment-storm, negative-comment-storm): digest them \
             in separate calls\n"
        ),
        "{}",
        stderr(&output)
    );
}

// --- Files that never end, links that loop ----------------------------------------------------

/// Runs the command with `input` on its standard input; kills it and fails when it is still
/// running after 30 seconds, so that a hang is a failure.
fn run_within(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_crisis-playbook"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The command may stop reading early; a broken pipe is its answer, not a failure.
    let _ = stdin.write_all(input);
    drop(stdin);
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed().as_secs() >= 30 {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("`crisis-playbook {}` still ran after 30 s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

fn path_text(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

/// The command stopped with exit code 2, naming `fifo` as a FIFO it will not read.
fn assert_refused_as_a_fifo(output: &Output, fifo: &std::path::Path) {
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(output),
        format!(
            "error: {}: is a FIFO, not a regular file: give a regular file, or `-` to read \
             standard input\n",
            fifo.display()
        )
    );
}

#[test]
fn lint_checks_a_playbook_against_those_it_names_found_beside_it() {
    // Found beside it: the storm's rule on data-breach-or-recall is checked, and fits.
    let output = run(&["lint", STORM]);
    assert_eq!(
        stderr(&output),
        "1 playbook checked: 0 errors, 0 warnings\n"
    );
    // Alone in a folder, the rule can apply to nothing: a warning says so.
    let folder = tempfile::tempdir().unwrap();
    let copy = folder.path().join("negative-comment-storm.yaml");
    std::fs::copy(STORM, &copy).unwrap();
    let output = run(&["lint", path_text(&copy)]);
    assert_eq!(
        stdout(&output),
        format!(
            "{}:153:5: warning: inhibited_by[0].playbook: playbook `data-breach-or-recall` is not among the playbooks checked together: the rule never applies; check it with the playbook it names\n",
            copy.display()
        )
    );
    // Beside a version that never reaches severity 4, the rule is an error.
    let breach = std::fs::read_to_string("playbooks/data-breach-or-recall.yaml").unwrap();
    std::fs::write(
        folder.path().join("data-breach-or-recall.yaml"),
        breach.replace("severity: 4", "severity: 3"),
    )
    .unwrap();
    let output = run(&["lint", path_text(&copy)]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!(
            "{}:154:15: error: inhibited_by[0].at_least: `data-breach-or-recall` never reaches severity 4: its highest is 3\n",
            copy.display()
        )
    );
}

#[cfg(unix)]
#[test]
fn lint_refuses_a_fifo_given_by_name() {
    let folder = tempfile::tempdir().unwrap();
    let fifo = folder.path().join("stuck.yaml");
    mkfifo(&fifo);
    let output = run_within(&["lint", path_text(&fifo)], b"");
    assert_refused_as_a_fifo(&output, &fifo);
}

#[cfg(unix)]
#[test]
fn lint_skips_fifos_and_link_loops_in_a_folder() {
    let folder = tempfile::tempdir().unwrap();
    // A playbook that names no other, so that nothing beside it is looked for.
    std::fs::copy(
        "playbooks/tone-deaf-post.yaml",
        folder.path().join("post.yaml"),
    )
    .unwrap();
    mkfifo(&folder.path().join("stuck.yaml"));
    std::os::unix::fs::symlink(".", folder.path().join("again")).unwrap();
    std::os::unix::fs::symlink(".", folder.path().join("once_more")).unwrap();
    let output = run_within(&["lint", path_text(folder.path())], b"");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "1 playbook checked: 0 errors, 0 warnings\n"
    );
}

#[test]
fn lint_reads_a_playbook_from_standard_input_as_dash_or_dev_stdin() {
    let playbook = std::fs::read("playbooks/tone-deaf-post.yaml").unwrap();
    for stdin in ["-", "/dev/stdin"] {
        let output = run_within(&["lint", stdin], &playbook);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(
            stderr(&output),
            "1 playbook checked: 0 errors, 0 warnings\n"
        );
    }
}

#[cfg(unix)]
#[test]
fn test_skips_a_fifo_named_yaml_in_a_folder() {
    let folder = tempfile::tempdir().unwrap();
    let playbook = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(STORM);
    let scenario = format!(
        "scenario: quiet\nplaybook: {}\nstart: 2026-03-02T00:00:00Z\nsignals: {{ mentions: 20x3 }}\n\
         expect: [{{ final: monitoring }}]\n",
        playbook.display()
    );
    std::fs::write(folder.path().join("quiet.yaml"), scenario).unwrap();
    mkfifo(&folder.path().join("stuck.yaml"));
    let output = run_within(&["test", path_text(folder.path())], b"");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("quiet"), "{}", stdout(&output));
}

#[cfg(unix)]
#[test]
fn digest_skips_a_fifo_named_timeline_and_report_refuses_one() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(
        "playbooks/negative-comment-storm/escalation.timeline.jsonl",
        folder.path().join("brand.timeline.jsonl"),
    )
    .unwrap();
    let fifo = folder.path().join("stuck.timeline.jsonl");
    mkfifo(&fifo);
    let output = run_within(
        &["digest", path_text(folder.path()), "--playbook", STORM],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("- brand (negative-comment-storm)"));
    let output = run_within(&["report", path_text(&fifo), "--playbook", STORM], b"");
    assert_refused_as_a_fifo(&output, &fifo);
}

#[cfg(unix)]
#[test]
fn simulate_refuses_a_device_and_bounds_the_lines_of_standard_input() {
    let output = run_within(&["simulate", STORM, "--signals", "/dev/zero"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: /dev/zero: is a character device, not a regular file: give a regular file, or \
         `-` to read standard input\n"
    );
    let endless = vec![b'a'; 3 * 1024 * 1024];
    let output = run_within(&["simulate", STORM, "--signals", "-"], &endless);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: -: line 1: longer than the limit of 1048576 bytes (files::MAX_LINE_BYTES): check \
         that it is the right file; a record must fit on one line\n"
    );
}

#[test]
fn report_refuses_a_timeline_line_over_the_limit() {
    let folder = tempfile::tempdir().unwrap();
    let long = folder.path().join("long.timeline.jsonl");
    std::fs::write(&long, vec![b'a'; 2 * 1024 * 1024]).unwrap();
    let output = run_within(&["report", path_text(&long), "--playbook", STORM], b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {}: line 1 is longer than the limit of 1048576 bytes (files::MAX_LINE_BYTES): \
             check that it is the right file; a record must fit on one line\n",
            long.display()
        )
    );
}

// --- Write errors ------------------------------------------------------------------------------

/// One invocation of each command that writes a result on standard output.
const EVERY_OUTPUT: &[&[&str]] = &[
    &["lint", "tests/playbooks/invalid/unknown-state-target.yaml"],
    &["graph", STORM],
    &["schema"],
    &["simulate", STORM, "--signals", DEMO],
    &["test", "playbooks/tone-deaf-post"],
    &[
        "report",
        "playbooks/negative-comment-storm/escalation.timeline.jsonl",
        "--playbook",
        STORM,
    ],
    &[
        "digest",
        "playbooks/tone-deaf-post/",
        "--playbook",
        "playbooks/tone-deaf-post.yaml",
    ],
];

/// The command `args` exited with `code`.
fn assert_code(output: &Output, code: i32, args: &[&str]) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}: {}",
        stderr(output)
    );
}

/// Runs the command with its standard output on `stdout`, and its standard input empty.
fn run_with_stdout(args: &[&str], stdout: impl Into<std::process::Stdio>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crisis-playbook"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn every_command_reports_a_full_disk_and_exits_2() {
    for args in EVERY_OUTPUT {
        let full = std::fs::File::create("/dev/full").unwrap();
        let output = run_with_stdout(args, full);
        let message = stderr(&output);
        assert_code(&output, 2, args);
        assert!(
            message.ends_with(
                "error: cannot write to standard output: No space left on device (os error 28)\n"
            ),
            "{args:?}: {message}"
        );
    }
}

#[test]
fn every_command_ends_quietly_with_141_on_a_closed_pipe() {
    for args in EVERY_OUTPUT {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = run_with_stdout(args, writer);
        assert_code(&output, 141, args);
        assert!(
            !stderr(&output).contains("error"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[cfg(unix)]
#[test]
fn test_names_the_junit_file_it_cannot_write() {
    let output = run(&["test", "playbooks/tone-deaf-post", "--junit", "/dev/full"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "5 passed, 0 failed\nerror: cannot write to /dev/full: No space left on device (os error 28)\n"
    );
}

// --- Exit codes and streams: 0 ok, 1 findings, 2 usage or input errors ---------------------------

#[test]
fn every_command_exits_2_when_an_input_is_missing() {
    for args in [
        &["lint", "no/such.yaml"][..],
        &["graph", "no/such.yaml"],
        &["simulate", "no/such.yaml", "--signals", DEMO],
        &["simulate", STORM, "--signals", "no/such.jsonl"],
        &["test", "no/such"],
        &["report", "no/such.jsonl", "--playbook", STORM],
        &["report", DEMO, "--playbook", "no/such.yaml"],
        &["digest", "no/such.jsonl", "--playbook", STORM],
        &["digest", DEMO, "--playbook", "no/such.yaml"],
    ] {
        let output = run(args);
        assert_code(&output, 2, args);
        assert!(
            stderr(&output).contains("no/such"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(
        stderr(&run(&["graph", "no/such.yaml"])),
        "no/such.yaml: error: cannot open: No such file or directory (os error 2)\n"
    );
}

#[test]
fn every_command_exits_1_on_findings() {
    let invalid = "tests/playbooks/invalid/unknown-state-target.yaml";
    for args in [
        &["lint", invalid][..],
        &["graph", invalid],
        &["simulate", invalid, "--signals", DEMO],
        &["test", "tests/scenarios/failing"],
        &["test", "tests/scenarios/invalid/unknown-names.yaml"],
        &[
            "report",
            "playbooks/negative-comment-storm.yaml",
            "--playbook",
            STORM,
        ],
        &["digest", DEMO, "--playbook", invalid],
    ] {
        let output = run(args);
        assert_code(&output, 1, args);
    }
}

#[test]
fn results_go_to_standard_output_and_summaries_to_standard_error() {
    let output = run(&["test", "playbooks/tone-deaf-post"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("PASS "), "{}", stdout(&output));
    assert!(
        !stdout(&output).contains(" passed, "),
        "{}",
        stdout(&output)
    );
    assert_eq!(stderr(&output), "5 passed, 0 failed\n");
    let output = run(&["test", "playbooks/tone-deaf-post", "--format", "json"]);
    serde_json::from_str::<serde_json::Value>(&stdout(&output)).unwrap();
    assert_eq!(stderr(&output), "5 passed, 0 failed\n");
    let output = run(&["lint", "--format", "json", STORM]);
    serde_json::from_str::<serde_json::Value>(&stdout(&output)).unwrap();
    assert_eq!(
        stderr(&output),
        "1 playbook checked: 0 errors, 0 warnings\n"
    );
    let output = run(&["simulate", STORM, "--signals", DEMO, "--format", "jsonl"]);
    assert!(
        stderr(&output).ends_with("`demo` ends in `closed` (severity 0) at 2026-03-07T22:05:00Z\n"),
        "{}",
        stderr(&output)
    );
}

// --- Scenario files in lint; `-` for standard input and output ---------------------------------

#[test]
fn lint_checks_the_names_of_a_scenario_file_against_its_playbook() {
    let file = "tests/scenarios/invalid/unknown-names.yaml";
    let output = run(&["lint", file]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.starts_with(&format!(
            "{file}:4:15: error: parameters.treshold: playbook `test-storm` has no parameter \
             `treshold`; did you mean `threshold`?\n"
        )),
        "{text}"
    );
    let errors = text.lines().count();
    assert_eq!(
        stderr(&output),
        format!("1 scenario file checked: {errors} errors, 0 warnings\n")
    );
}

#[test]
fn lint_reads_a_scenario_file_from_standard_input() {
    let playbook = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(STORM);
    let scenario = format!(
        "scenario: quiet\nplaybook: {}\nstart: 2026-03-02T00:00:00Z\nsignals: {{ mentionz: 20x3 }}\n\
         expect: [{{ final: monitoring }}]\n",
        playbook.display()
    );
    let output = run_within(&["lint", "-"], scenario.as_bytes());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "-:4:12: error: signals.mentionz: playbook `negative-comment-storm` has no signal \
         `mentionz`; did you mean `mentions`?\n"
    );
    assert_eq!(
        stderr(&output),
        "1 scenario file checked: 1 error, 0 warnings\n"
    );
}

#[test]
fn graph_and_simulate_read_the_playbook_from_standard_input() {
    let playbook = std::fs::read(STORM).unwrap();
    let output = run_within(&["graph", "-"], &playbook);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("stateDiagram-v2\n"));
    let output = run_within(&["simulate", "-", "--signals", DEMO], &playbook);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("`demo` ends in `closed`"));
}

#[test]
fn report_and_digest_read_a_timeline_from_standard_input() {
    let timeline =
        std::fs::read("playbooks/negative-comment-storm/escalation.timeline.jsonl").unwrap();
    let output = run_within(&["report", "-", "--playbook", STORM], &timeline);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("# After-action review — negative-comment-storm\n"));
    let output = run_within(&["digest", "-", "--playbook", STORM], &timeline);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_contains(&stdout(&output), "\n- - (negative-comment-storm): ");
}

#[test]
fn test_writes_junit_on_standard_output_and_its_report_on_standard_error() {
    let output = run(&["test", "playbooks/tone-deaf-post", "--junit", "-"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let xml = stdout(&output);
    let document = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(document.root_element().tag_name().name(), "testsuites");
    assert!(stderr(&output).starts_with("PASS "), "{}", stderr(&output));
    assert!(stderr(&output).ends_with("\n5 passed, 0 failed\n"));
}

// --- JUnit ---------------------------------------------------------------------------------------

/// The first element named `tag` under `node`.
fn first<'a, 'i>(node: roxmltree::Node<'a, 'i>, tag: &str) -> roxmltree::Node<'a, 'i> {
    node.descendants().find(|n| n.has_tag_name(tag)).unwrap()
}

/// Runs `test` with `--junit -` and the time pinned to 0, so that the XML is reproducible.
fn junit(args: &[&str]) -> (Output, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_crisis-playbook"))
        .arg("test")
        .args(args)
        .args(["--junit", "-"])
        .env("CRISIS_PLAYBOOK_JUNIT_TIME", "0")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let xml = stdout(&output);
    (output, xml)
}

#[test]
fn junit_records_an_invalid_scenario_file_as_an_error_case_and_runs_the_rest() {
    let invalid = "tests/scenarios/invalid/unknown-names.yaml";
    let (output, xml) = junit(&["tests/scenarios/passing", invalid]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let document = roxmltree::Document::parse(&xml).unwrap();
    let root = document.root_element();
    assert_eq!(
        (root.attribute("tests"), root.attribute("errors")),
        (Some("4"), Some("1"))
    );
    let suite = root
        .children()
        .find(|n| n.attribute("name") == Some(invalid))
        .unwrap();
    let error = first(suite, "error");
    assert_eq!(
        error.attribute("message"),
        Some("the scenario file is invalid: 9 errors")
    );
    assert!(
        error.text().unwrap().starts_with(&format!(
            "{invalid}:4:15: error: parameters.treshold: playbook `test-storm` has no parameter"
        )),
        "{xml}"
    );
    assert_contains(&stderr(&output), "\n3 passed, 0 failed, 1 file invalid\n");
}

#[test]
fn junit_cases_carry_time_file_and_line() {
    let (output, xml) = junit(&["playbooks/tone-deaf-post"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let document = roxmltree::Document::parse(&xml).unwrap();
    let root = document.root_element();
    assert_eq!(root.attribute("time"), Some("0.000"));
    let case = first(document.root(), "testcase");
    assert_eq!(
        (
            case.attribute("file"),
            case.attribute("line"),
            case.attribute("time")
        ),
        (
            Some("playbooks/tone-deaf-post/scenarios.yaml"),
            Some("12"),
            Some("0.000")
        )
    );
    assert_eq!(
        junit(&["playbooks/tone-deaf-post"]).1,
        xml,
        "pinned time, same bytes"
    );
    // Measured, without the variable.
    let output = run(&["test", "playbooks/tone-deaf-post", "--junit", "-"]);
    let xml = stdout(&output);
    let document = roxmltree::Document::parse(&xml).unwrap();
    for node in document.descendants().filter(|n| n.is_element()) {
        if matches!(
            node.tag_name().name(),
            "testsuites" | "testsuite" | "testcase"
        ) {
            let time = node.attribute("time").unwrap();
            assert!(time.parse::<f64>().is_ok_and(|t| t >= 0.0), "{time}");
        }
    }
}

#[test]
fn junit_counts_a_failed_mutants_run_as_a_failure() {
    let (output, xml) = junit(&["tests/scenarios/passing", "--mutants"]);
    assert_eq!(output.status.code(), Some(1));
    let document = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(document.root_element().attribute("failures"), Some("1"));
    let failure = first(document.root(), "failure");
    assert_eq!(
        failure.attribute("message"),
        Some("21 mutants survived, more than --max-survivors 0")
    );
    assert!(failure.text().unwrap().starts_with("test-storm: "), "{xml}");
}

#[test]
fn junit_failures_hold_their_details_without_the_suite_counts() {
    let (_, xml) = junit(&["tests/scenarios/failing"]);
    let document = roxmltree::Document::parse(&xml).unwrap();
    let failure = first(document.root(), "failure");
    let text = failure.text().unwrap();
    assert!(
        text.starts_with("FAIL a storm the test gets wrong ("),
        "{text}"
    );
    assert!(!text.contains(" passed, "), "{text}");
}

/// Jenkins' xunit schema has no `skipped` on `<testsuites>`; `<testsuite>` keeps it.
#[test]
fn junit_has_skipped_on_each_testsuite_only() {
    let (_, xml) = junit(&["playbooks/tone-deaf-post"]);
    let document = roxmltree::Document::parse(&xml).unwrap();
    let root = document.root_element();
    assert_eq!(root.attribute("skipped"), None, "{xml}");
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        assert_eq!(suite.attribute("skipped"), Some("0"));
    }
}

/// junitparser (Python), which many CI tools build on, reads the XML with the same counts.
/// Skips without it, unless `CI` is set.
#[test]
fn junitparser_reads_the_junit_output() {
    let check = "import junitparser";
    if !Command::new("python3")
        .args(["-c", check])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "junitparser is required in CI"
        );
        eprintln!("skipped: junitparser is not installed (pip install junitparser)");
        return;
    }
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("junit.xml");
    let (_, xml) = junit(&[
        "tests/scenarios/passing",
        "tests/scenarios/failing",
        "tests/scenarios/invalid/bad-step.yaml",
    ]);
    std::fs::write(&file, xml).unwrap();
    let script = "import sys, junitparser\n\
        xml = junitparser.JUnitXml.fromfile(sys.argv[1])\n\
        cases = [c for s in xml for c in s]\n\
        kinds = sorted(type(r).__name__ for c in cases for r in c.result)\n\
        print(len(cases), kinds, sum(s.failures for s in xml), sum(s.errors for s in xml))\n";
    let parsed = Command::new("python3")
        .args(["-c", script, path_text(&file)])
        .output()
        .unwrap();
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    assert_eq!(stdout(&parsed), "5 ['Error', 'Failure'] 1 1\n");
}

// --- Completions, man page, RUST_LOG, --deny-warnings --------------------------------------------

#[test]
fn completions_are_written_for_each_shell() {
    for (shell, expected) in [
        ("bash", "_crisis__playbook() {"),
        ("zsh", "#compdef crisis-playbook"),
        ("fish", "complete -c crisis-playbook"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[crisis-playbook]"),
    ] {
        let output = run(&["completions", shell]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            stderr(&output)
        );
        assert_contains(&stdout(&output), expected);
        assert_contains(&stdout(&output), "simulate");
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_man_page_lists_every_command_and_the_exit_codes() {
    let output = run(&["man"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq\n"), "{page}");
    assert_contains(&page, ".TH crisis-playbook 1");
    for command in [
        "lint", "graph", "schema", "simulate", "test", "report", "digest",
    ] {
        assert_contains(&page, &format!("crisis\\-playbook\\-{command}(1)"));
    }
    assert_contains(&page, "2: usage or input errors");
}

#[test]
fn rust_log_shows_transitions_actions_and_breaches_on_standard_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_crisis-playbook"))
        .args(["simulate", STORM, "--signals", DEMO])
        .env("RUST_LOG", "crisis_playbook=info")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = stderr(&output);
    for expected in [
        "  INFO crisis_playbook::run: transition subject=demo playbook=negative-comment-storm \
         from=monitoring to=watch\n",
        "  INFO crisis_playbook::run: action subject=demo playbook=negative-comment-storm \
         state=watch action=capture_evidence owner=community_manager\n",
        "  INFO crisis_playbook::run: breach subject=demo playbook=negative-comment-storm \
         state=watch action=tag_and_assign owner=community_manager\n",
    ] {
        assert_contains(&log, expected);
    }
    // Without RUST_LOG, only warnings would show: there are none.
    assert!(!stderr(&run(&["simulate", STORM, "--signals", DEMO])).contains(" INFO "));
}

#[test]
fn deny_warnings_makes_warnings_fail_lint_and_test() {
    let warned = "tests/playbooks/warning/unreachable-state.yaml";
    let output = run(&["lint", "--deny-warnings", warned]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "1 playbook checked: 0 errors, 1 warning, denied by --deny-warnings\n"
    );
    let folder = tempfile::tempdir().unwrap();
    let playbook = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(warned);
    let scenario = folder.path().join("calm.yaml");
    std::fs::write(
        &scenario,
        format!(
            "scenario: calm\nplaybook: {}\nstart: 2026-03-02T00:00:00Z\n\
             signals: {{ mentions: 20x3 }}\nexpect: [{{ final: calm }}]\n",
            playbook.display()
        ),
    )
    .unwrap();
    let output = run(&["test", path_text(&scenario)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let warning = format!("{warned}:36:3: warning: states.limbo: state `limbo` cannot be reached");
    assert_contains(&stderr(&output), &warning);
    let output = run(&["test", "--deny-warnings", path_text(&scenario)]);
    assert_eq!(output.status.code(), Some(1));
    assert_contains(&stderr(&output), &warning);
    assert!(
        stderr(&output).ends_with("1 passed, 0 failed; 1 warning, denied by --deny-warnings\n"),
        "{}",
        stderr(&output)
    );
}

/// Nowhere is left to report a failed write on standard error: the command goes on, and its
/// exit code still tells the outcome.
#[cfg(unix)]
#[test]
fn a_full_standard_error_changes_no_exit_code() {
    for (args, code) in [
        (&["lint", "playbooks/"][..], 0),
        (
            &["lint", "tests/playbooks/invalid/unknown-state-target.yaml"],
            1,
        ),
        (&["graph", "no/such.yaml"], 2),
        (&["simulate", STORM, "--signals", DEMO], 0),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_crisis-playbook"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stderr(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_code(&output, code, args);
    }
}

#[test]
fn test_never_passes_silently_when_it_finds_no_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let storm = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("playbooks/negative-comment-storm.yaml");
    // A scenario that lost its `scenario:` line is still read as one, and refused.
    let nameless = dir.path().join("nameless.yaml");
    std::fs::write(
        &nameless,
        format!(
            "playbook: {}\nstart: 2026-03-02T00:00:00Z\nstep: 5m\nsignals: {{ mentions: 20x3 }}\nexpect: [{{ final: monitoring }}]\n",
            storm.display()
        ),
    )
    .unwrap();
    let output = run(&["test", nameless.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_contains(
        &stderr(&output),
        "nameless.yaml:1:1: error: missing key `scenario`: name the scenario",
    );
    // A folder with no scenario file at all is an input error.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = run(&["test", empty.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: no scenario file in {}: a scenario file has a top-level `scenario:` key (docs/scenario-format.md)\n",
            empty.display()
        )
    );
}

#[test]
fn report_and_digest_count_office_hours_where_the_subject_works() {
    let tuesday = "playbooks/negative-comment-storm/office-hours-tuesday.timeline.jsonl";
    // 09:10 UTC on a Tuesday: 10:10 in the Paris office, 18:10 for a team in Tokyo.
    let paris = run(&["report", tuesday, "--playbook", STORM]);
    assert!(
        stdout(&paris)
            .contains("- Started: 2026-03-10T09:10:00Z (Tue 10:10 +01:00), in office hours\n"),
        "{}",
        stdout(&paris)
    );
    let tokyo = run(&[
        "report",
        tuesday,
        "--playbook",
        STORM,
        "--time-zone",
        "Asia/Tokyo",
    ]);
    assert!(
        stdout(&tokyo)
            .contains("- Started: 2026-03-10T09:10:00Z (Tue 18:10 +09:00), out of office hours\n"),
        "{}",
        stdout(&tokyo)
    );
    let digest = run(&[
        "digest",
        tuesday,
        "--playbook",
        STORM,
        "--time-zone",
        "Asia/Tokyo",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&digest)).unwrap();
    assert_eq!(json["out_of_office_hours"]["incidents"], 1);
    assert_eq!(json["in_office_hours"]["incidents"], 0);
    let wrong = run(&[
        "report",
        tuesday,
        "--playbook",
        STORM,
        "--time-zone",
        "Europe/Pariss",
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    assert_eq!(
        stderr(&wrong),
        "error: --time-zone: unknown time zone `Europe/Pariss`; did you mean `Europe/Paris`?\n"
    );
    // A subject with its own hours: Montréal's office, 08:30-17:00 (found by a first-time
    // user, who could only move Paris hours to Toronto's clock).
    let dir = tempfile::tempdir().unwrap();
    let montreal = dir.path().join("montreal.yaml");
    std::fs::write(
        &montreal,
        "time_zone: America/Toronto\nhours: { mon-fri: 08:30-17:00 }\n",
    )
    .unwrap();
    let own = format!("office={}", montreal.display());
    let report = run(&["report", tuesday, "--playbook", STORM, "--calendar", &own]);
    assert!(
        stdout(&report)
            .contains("- Started: 2026-03-10T09:10:00Z (Tue 05:10 -04:00), out of office hours\n"),
        "{}",
        stdout(&report)
    );
    let simulate = run(&["simulate", STORM, "--signals", DEMO, "--calendar", &own]);
    assert!(
        stdout(&simulate).starts_with("2026-03-04T08:50:00Z  Wed 03:50 -05:00  transition"),
        "{}",
        stdout(&simulate)
    );
    let misnamed = format!("ofice={}", montreal.display());
    let wrong = run(&[
        "digest",
        tuesday,
        "--playbook",
        STORM,
        "--calendar",
        &misnamed,
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    assert_eq!(
        stderr(&wrong),
        "error: --calendar: unknown calendar `ofice`; did you mean `office`?\n"
    );
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "time_zone: America/Toronto\nhours: { mon-fri: 17:00-08:30 }\n",
    )
    .unwrap();
    let wrong = run(&[
        "report",
        tuesday,
        "--playbook",
        STORM,
        "--calendar",
        &format!("office={}", bad.display()),
    ]);
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(
        stderr(&wrong),
        format!(
            "{}:2:19: error: hours.mon-fri: `17:00-08:30` crosses midnight: a day's hours stay within it, so write `17:00-24:00` on one day and `00:00-08:30` on the next\n",
            bad.display()
        )
    );
    let customer = run(&[
        "report",
        "playbooks/troll-or-customer-triage/customer.timeline.jsonl",
        "--playbook",
        "playbooks/troll-or-customer-triage.yaml",
        "--time-zone",
        "Asia/Tokyo",
    ]);
    assert_eq!(customer.status.code(), Some(2));
    assert_eq!(
        stderr(&customer),
        "error: --time-zone: no playbook given declares a calendar, so there are no office hours to count in `Asia/Tokyo`: add `calendars:` to the playbook\n"
    );
}
