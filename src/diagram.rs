//! State diagrams of a playbook, for Mermaid (Markdown pages) and Graphviz.
//!
//! Each state shows its severity; each edge its guard, `for` and `after`. Final states are
//! drawn as double circles in DOT and lead to the end marker in Mermaid.

use std::fmt::Write;

use crate::model::{Playbook, Transition};

/// The output format of [`render`].
///
/// ```
/// use crisis_playbook::{Playbook, diagram::{DiagramFormat, render}};
/// let playbook = Playbook::from_path("playbooks/account-compromise.yaml")?;
/// assert!(render(&playbook, DiagramFormat::Mermaid).starts_with("stateDiagram-v2"));
/// assert!(render(&playbook, DiagramFormat::Dot).starts_with("digraph"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagramFormat {
    /// A Mermaid `stateDiagram-v2`, as GitHub renders in Markdown.
    Mermaid,
    /// A Graphviz DOT digraph.
    Dot,
}

/// Draws the playbook's state graph.
///
/// ```
/// use crisis_playbook::{Playbook, diagram::{render, DiagramFormat}};
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let mermaid = render(&playbook, DiagramFormat::Mermaid);
/// assert!(mermaid.starts_with("stateDiagram-v2"));
/// assert!(mermaid.contains("st_monitoring --> st_watch"));
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
pub fn render(playbook: &Playbook, format: DiagramFormat) -> String {
    match format {
        DiagramFormat::Mermaid => mermaid(playbook),
        DiagramFormat::Dot => dot(playbook),
    }
}

/// The label of an edge: its group, guard, then timing and cool-down.
fn edge_label(playbook: &Playbook, transition: &Transition) -> String {
    let mut parts = Vec::new();
    // A shared transition is drawn from each member state, named by its group.
    if let Some(group) = transition.group {
        parts.push(format!("[{}]", playbook.group(group).name));
    }
    if let Some(condition) = &transition.condition {
        parts.push(
            condition
                .source()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    if let Some(hold) = transition.hold {
        parts.push(format!("for {}", playbook.timer_text(hold)));
    }
    if let Some(after) = transition.after {
        parts.push(format!("after {}", playbook.timer_text(after)));
    }
    if let Some(cooldown) = transition.cooldown {
        parts.push(format!("cooldown {}", playbook.timer_text(cooldown)));
    }
    parts.join(" ")
}

/// What a state's label says after its name: its severity, its cool-down and the playbooks it
/// hands over to (with the state each starts in), if it has them.
fn state_details(playbook: &Playbook, state: &crate::model::State) -> String {
    let mut details = format!("severity {}", state.severity);
    if let Some(cooldown) = state.cooldown {
        let _ = write!(
            details,
            ", cool-down {}",
            playbook.timer_text(cooldown.period)
        );
    }
    for hand_over in &state.hand_over {
        let _ = write!(details, ", hands over to {}", hand_over.playbook);
        if let Some(starts_in) = &hand_over.state {
            let _ = write!(details, " in {starts_in}");
        }
    }
    details
}

fn mermaid(playbook: &Playbook) -> String {
    // State names such as `note`, `state` or `default` are Mermaid keywords: every id gets a
    // prefix, and the name shows in the state's description. A track's `legal.notified`
    // becomes `st_legal__notified`: Mermaid ids hold no dot.
    let id = |name: &str| format!("st_{}", name.replace('.', "__"));
    let mut out = String::from("stateDiagram-v2\n");
    let _ = writeln!(
        out,
        "    [*] --> {}",
        id(&playbook.state(playbook.initial()).name)
    );
    let describe = |out: &mut String, indent: &str, state: &crate::model::State| {
        let _ = writeln!(
            out,
            "{indent}{} : {} ({})",
            id(&state.name),
            state.name,
            state_details(playbook, state)
        );
    };
    let top_level = || playbook.states().iter().filter(|s| s.track.is_none());
    for state in top_level() {
        describe(&mut out, "    ", state);
    }
    // A state with tracks is a composite state, its tracks concurrent regions split by `--`.
    for state in top_level().filter(|s| !s.tracks.is_empty()) {
        let _ = writeln!(out, "    state {} {{", id(&state.name));
        for (i, track) in state.tracks.iter().enumerate() {
            let track = playbook.track(*track);
            if i > 0 {
                out.push_str("        --\n");
            }
            let _ = writeln!(
                out,
                "        [*] --> {}",
                id(&playbook.state(track.initial).name)
            );
            for member in &track.states {
                describe(&mut out, "        ", playbook.state(*member));
            }
            for member in &track.states {
                mermaid_edges(&mut out, "        ", playbook, playbook.state(*member), &id);
            }
        }
        out.push_str("    }\n");
    }
    for state in top_level() {
        mermaid_edges(&mut out, "    ", playbook, state, &id);
    }
    out
}

/// The edges out of `state`, and its end if it is final, indented by `indent`.
fn mermaid_edges(
    out: &mut String,
    indent: &str,
    playbook: &Playbook,
    state: &crate::model::State,
    id: &dyn Fn(&str) -> String,
) {
    // Mermaid labels end at `:` and break on `;`, `#` and angle brackets in some renderers;
    // its own entity codes keep the guard readable.
    let escape = |text: &str| {
        text.replace('#', "#35;")
            .replace(';', "#59;")
            .replace(':', "#58;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
            .replace('"', "#quot;")
    };
    // Mermaid draws two edges between the same states on top of each other: one edge
    // carries every guard, in the order they are tried.
    let mut edges: Vec<(&str, Vec<String>)> = Vec::new();
    for transition in &state.transitions {
        let target = playbook.state(transition.target).name.as_str();
        let label = escape(&edge_label(playbook, transition));
        match edges.iter_mut().find(|(to, _)| *to == target) {
            Some((_, labels)) => labels.push(label),
            None => edges.push((target, vec![label])),
        }
    }
    for (target, labels) in edges {
        let _ = writeln!(
            out,
            "{indent}{} --> {} : {}",
            id(&state.name),
            id(target),
            labels.join(" | ")
        );
    }
    if state.is_final {
        let _ = writeln!(out, "{indent}{} --> [*]", id(&state.name));
    }
}

fn dot(playbook: &Playbook) -> String {
    let quote = |text: &str| {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        format!("\"{escaped}\"")
    };
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(playbook.id()));
    out.push_str("    rankdir=LR;\n    node [shape=box, style=rounded];\n");
    let _ = writeln!(out, "    __start [shape=point];");
    let _ = writeln!(
        out,
        "    __start -> {};",
        quote(&playbook.state(playbook.initial()).name)
    );
    let node = |out: &mut String, indent: &str, state: &crate::model::State| {
        // A track's final state ends its track, not the run: a double border, not the run's
        // double circle.
        let shape = match (state.is_final, state.track) {
            (true, None) => ", shape=doublecircle",
            (true, Some(_)) => ", peripheries=2",
            (false, _) => "",
        };
        let _ = writeln!(
            out,
            "{indent}{} [label={}{shape}];",
            quote(&state.name),
            quote(&format!(
                "{}\n{}",
                state.name,
                state_details(playbook, state)
            ))
        );
    };
    for state in playbook.states().iter().filter(|s| s.track.is_none()) {
        if state.tracks.is_empty() {
            node(&mut out, "    ", state);
            continue;
        }
        // A state with tracks is a cluster around its own node and one cluster per track.
        let _ = writeln!(
            out,
            "    subgraph {} {{",
            quote(&format!("cluster_{}", state.name))
        );
        let _ = writeln!(out, "        label={};", quote(&state.name));
        node(&mut out, "        ", state);
        for track in &state.tracks {
            let track = playbook.track(*track);
            let _ = writeln!(
                out,
                "        subgraph {} {{",
                quote(&format!("cluster_{}__{}", state.name, track.name))
            );
            let _ = writeln!(
                out,
                "            label={};",
                quote(&format!("track {}", track.name))
            );
            // Where the track starts, as the run's `__start` shows where the run does.
            let start = quote(&format!("__start_{}", track.name));
            let _ = writeln!(out, "            {start} [shape=point];");
            let _ = writeln!(
                out,
                "            {start} -> {};",
                quote(&playbook.state(track.initial).name)
            );
            for member in &track.states {
                node(&mut out, "            ", playbook.state(*member));
            }
            out.push_str("        }\n");
        }
        out.push_str("    }\n");
    }
    for state in playbook.states() {
        for transition in &state.transitions {
            let _ = writeln!(
                out,
                "    {} -> {} [label={}];",
                quote(&state.name),
                quote(&playbook.state(transition.target).name),
                quote(&wrap(&edge_label(playbook, transition), 40))
            );
        }
    }
    out.push_str("}\n");
    out
}

/// Breaks a long guard into lines of about `width` characters, so that Graphviz lays out
/// compact edges.
/// Breaks a label into lines of about `width` characters, only before `and`, `or`, `for` and
/// `after`, so that no comparison (`mood_drop >= 0.3`) is cut in two.
fn wrap(text: &str, width: usize) -> String {
    let mut chunks: Vec<String> = Vec::new();
    for word in text.split(' ') {
        let starts_chunk = matches!(word, "and" | "or" | "for" | "after");
        match chunks.last_mut() {
            Some(chunk) if !starts_chunk => {
                chunk.push(' ');
                chunk.push_str(word);
            }
            _ => chunks.push(word.to_string()),
        }
    }
    let mut lines: Vec<String> = Vec::new();
    for chunk in chunks {
        match lines.last_mut() {
            Some(line) if line.len().saturating_add(1).saturating_add(chunk.len()) <= width => {
                line.push(' ');
                line.push_str(&chunk);
            }
            _ => lines.push(chunk),
        }
    }
    lines.join("\n")
}
