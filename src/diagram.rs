//! State diagrams of a playbook, for Mermaid (Markdown pages) and Graphviz.
//!
//! Each state shows its severity; each edge its guard, `for` and `after`. Final states are
//! drawn as double circles in DOT and lead to the end marker in Mermaid.

use std::fmt::Write;

use crate::playbook::{Playbook, Transition};

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
/// assert!(mermaid.contains("monitoring --> watch"));
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
pub fn render(playbook: &Playbook, format: DiagramFormat) -> String {
    match format {
        DiagramFormat::Mermaid => mermaid(playbook),
        DiagramFormat::Dot => dot(playbook),
    }
}

/// The label of an edge: guard, then timing.
fn edge_label(transition: &Transition) -> String {
    let mut parts = Vec::new();
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
        parts.push(format!("for {hold}"));
    }
    if let Some(after) = transition.after {
        parts.push(format!("after {after}"));
    }
    parts.join(" ")
}

fn mermaid(playbook: &Playbook) -> String {
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
    let mut out = String::from("stateDiagram-v2\n");
    let _ = writeln!(
        out,
        "    [*] --> {}",
        playbook.state(playbook.initial()).name
    );
    for state in playbook.states() {
        let _ = writeln!(
            out,
            "    {0} : {0} (severity {1})",
            state.name, state.severity
        );
    }
    for state in playbook.states() {
        for transition in &state.transitions {
            let target = &playbook.state(transition.target).name;
            let _ = writeln!(
                out,
                "    {} --> {} : {}",
                state.name,
                target,
                escape(&edge_label(transition))
            );
        }
        if state.is_final {
            let _ = writeln!(out, "    {} --> [*]", state.name);
        }
    }
    out
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
    for state in playbook.states() {
        let shape = if state.is_final {
            ", shape=doublecircle"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    {} [label={}{shape}];",
            quote(&state.name),
            quote(&format!("{}\nseverity {}", state.name, state.severity))
        );
    }
    for state in playbook.states() {
        for transition in &state.transitions {
            let _ = writeln!(
                out,
                "    {} -> {} [label={}];",
                quote(&state.name),
                quote(&playbook.state(transition.target).name),
                quote(&wrap(&edge_label(transition), 40))
            );
        }
    }
    out.push_str("}\n");
    out
}

/// Breaks a long guard into lines of about `width` characters, so that Graphviz lays out
/// compact edges.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.len().saturating_add(1).saturating_add(word.len()) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}
