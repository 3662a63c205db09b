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

#[test]
fn lint_of_the_bundled_playbooks_is_clean() {
    let output = run(&["lint", "playbooks/"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        "3 playbooks checked: 0 errors, 0 warnings\n"
    );
}

#[test]
fn lint_reports_errors_with_positions_and_exits_1() {
    let output = run(&["lint", "tests/playbooks/invalid/unknown-state-target.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "tests/playbooks/invalid/unknown-state-target.yaml:20:15: error: states.calm.on[0].to: unknown state `strom`: did you mean `storm`?\n"
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
        "unknown state `strom`: did you mean `storm`?"
    );
}

#[test]
fn usage_errors_exit_2() {
    let output = run(&["lint", "no/such/path.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: no such file or folder: no/such/path.yaml\n"
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
        text.starts_with("stateDiagram-v2\n    [*] --> learning\n"),
        "{text}"
    );
    assert!(
        text.contains("    learning --> live : after 7d\n"),
        "{text}"
    );
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
    let output = run(&["schema"]);
    assert_eq!(output.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(schema["properties"]["states"].is_object());
    let committed = std::fs::read_to_string("schema/playbook.schema.json").unwrap();
    assert_eq!(
        stdout(&output),
        committed,
        "run `cargo run -- schema > schema/playbook.schema.json`"
    );
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
