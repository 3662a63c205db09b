//! Loading from every source, within limits, and what the compiled playbook exposes.

use crisis_playbook::diagram::{DiagramFormat, render};
use crisis_playbook::{Code, Limits, Loader, Playbook, SignalKind};

const STORM: &str = include_str!("../playbooks/negative-comment-storm.yaml");
const BASE: &str = include_str!("playbooks/base.yaml");

#[test]
fn loads_from_text_reader_and_path_alike() {
    let from_text = Playbook::from_yaml_str(STORM).unwrap();
    let from_reader = Playbook::from_reader(STORM.as_bytes()).unwrap();
    let from_path = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    assert_eq!(from_text.fingerprint(), from_reader.fingerprint());
    assert_eq!(from_text.fingerprint(), from_path.fingerprint());
}

#[test]
fn missing_file_names_the_path() {
    let err = Playbook::from_path("playbooks/no-such.yaml").unwrap_err();
    let first = &err.diagnostics()[0];
    assert_eq!(first.code, Code::Io);
    assert!(
        first
            .to_string()
            .starts_with("playbooks/no-such.yaml: error: cannot open: "),
        "{first}"
    );
}

#[test]
fn fingerprint_ignores_layout_and_spelling_but_not_meaning() {
    let original = Playbook::from_yaml_str(BASE).unwrap().fingerprint();
    let reformatted = BASE
        .replace("# A small valid playbook", "# Another comment")
        .replace("default: 2, min: 1, max: 10", "max: 10, min: 1, default: 2")
        .replace("ratio < 1.5, for: 6h", "ratio<1.5, for: 360m");
    assert_eq!(
        Playbook::from_yaml_str(&reformatted).unwrap().fingerprint(),
        original
    );
    let changed = BASE.replace("ratio < 1.5", "ratio < 1.4");
    assert_ne!(
        Playbook::from_yaml_str(&changed).unwrap().fingerprint(),
        original
    );
    assert_eq!(original.to_string().len(), 32);
}

#[test]
fn introspection_exposes_the_resolved_graph() {
    let playbook = Playbook::from_yaml_str(STORM).unwrap();
    assert_eq!(playbook.id(), "negative-comment-storm");
    assert_eq!(playbook.locale(), "en");
    let crisis = playbook.state_named("crisis").unwrap();
    let state = playbook.state(crisis);
    assert_eq!(state.severity, 3);
    let ladder = state.escalation.as_ref().unwrap();
    assert_eq!(playbook.signal(ladder.unless[0]).kind, SignalKind::Manual);
    assert_eq!(ladder.repeat.unwrap().times, 3);
    let update = state
        .actions
        .iter()
        .find(|a| a.id == "status_update")
        .unwrap();
    assert_eq!(playbook.role(update.owner), "comms_director");
    assert_eq!(playbook.timer_text(update.every.unwrap()), "2h office");
    assert!(update.closes_on_exit);
    assert_eq!(
        update.text.get("fr", playbook.locale()),
        "Publiez un point de situation, même si rien n'a changé"
    );
    let targets: Vec<&str> = state
        .transitions
        .iter()
        .map(|t| playbook.state(t.target).name.as_str())
        .collect();
    assert_eq!(targets, ["major", "recovering"]);
    assert!(
        playbook
            .state(playbook.state_named("closed").unwrap())
            .is_final
    );
    assert_eq!(
        playbook
            .parameter(playbook.parameter_named("watch_negative_share").unwrap())
            .default,
        0.3
    );
}

#[test]
fn input_over_the_byte_limit_is_refused_before_parsing() {
    let mut limits = Limits::default();
    limits.max_bytes = 1_000;
    let loader = Loader::new().limits(limits);
    for err in [
        loader.load_str(STORM).unwrap_err(),
        loader.load_reader(STORM.as_bytes()).unwrap_err(),
    ] {
        assert_eq!(err.diagnostics()[0].code, Code::Limit);
    }
    assert_eq!(
        loader.load_str(STORM).unwrap_err().to_string(),
        format!(
            "<string>: error: the file is {} bytes, larger than the limit of 1000 bytes (Limits::max_bytes)",
            STORM.len()
        )
    );
}

#[test]
fn too_many_states_is_refused() {
    let mut limits = Limits::default();
    limits.max_states = 2;
    let err = Loader::new().limits(limits).load_str(BASE).unwrap_err();
    assert_eq!(
        err.to_string(),
        "<string>: error: states: 3 states, over the limit of 2 (Limits::max_states)"
    );
}

#[test]
fn all_errors_are_reported_at_once() {
    let text = BASE
        .replace("owner: community_manager", "owner: nobody")
        .replace("{ to: storm,", "{ to: nowhere,")
        .replace("after: 30m", "after: 30 m");
    let err = Playbook::from_yaml_str(&text).unwrap_err();
    let codes: Vec<Code> = err.errors().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            Code::UnknownReference,
            Code::UnknownReference,
            Code::InvalidDuration
        ]
    );
}

#[test]
fn diagrams_show_severity_guards_and_timers() {
    let playbook = Playbook::from_yaml_str(BASE).unwrap();
    let mermaid = render(&playbook, DiagramFormat::Mermaid);
    assert_eq!(
        mermaid,
        "stateDiagram-v2
    [*] --> st_calm
    st_calm : calm (severity 0)
    st_storm : storm (severity 2)
    st_closed : closed (severity 0)
    st_calm --> st_storm : ratio #gt;= threshold or mood #lt; -0.5 and journalist for 10m
    st_storm --> st_closed : ratio #lt; 1.5 for 6h
    st_closed --> [*]
"
    );
    let dot = render(&playbook, DiagramFormat::Dot);
    assert!(
        dot.contains(
            "\"calm\" -> \"storm\" [label=\"ratio >= threshold or mood < -0.5\\nand journalist for 10m\"];"
        ),
        "{dot}"
    );
    assert!(
        dot.contains("\"closed\" [label=\"closed\\nseverity 0\", shape=doublecircle];"),
        "{dot}"
    );
}

/// States named like Mermaid keywords, two transitions between the same states, and a long
/// guard: ids are prefixed, the two guards share one edge, and DOT breaks lines between
/// comparisons, never inside one.
#[test]
fn diagrams_survive_keyword_names_parallel_edges_and_long_guards() {
    let text = BASE
        .replace("calm", "note")
        .replace("storm", "state")
        .replace(
            "      - { to: closed, when: ratio < 1.5, for: 6h }",
            "      - { to: closed, when: ratio < 1.5, for: 6h }\n      - { to: closed, when: mood_of_the_day < -0.75 and ratio >= 0.35 }",
        )
        .replace(
            "  mood: { mean: sentiment, window: 1h }",
            "  mood: { mean: sentiment, window: 1h }\n  mood_of_the_day: { mean: sentiment, window: 1d }",
        );
    let playbook = Playbook::from_yaml_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let mermaid = render(&playbook, DiagramFormat::Mermaid);
    assert!(
        mermaid.contains("    st_note : note (severity 0)\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains(
            "    st_state --> st_closed : ratio #lt; 1.5 for 6h | mood_of_the_day #lt; -0.75 and ratio #gt;= 0.35\n"
        ),
        "{mermaid}"
    );
    let dot = render(&playbook, DiagramFormat::Dot);
    assert!(
        dot.contains("[label=\"mood_of_the_day < -0.75\\nand ratio >= 0.35\"]"),
        "{dot}"
    );
}
