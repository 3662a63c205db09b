//! Finding playbooks and scenario files among paths given by a person.
//!
//! Playbooks and scenario files share folders (`playbooks/<id>.yaml` beside
//! `playbooks/<id>/…`), so a file is classified by its top-level keys, not by its name.
//!
//! ```
//! use crisis_playbook::files::{FileKind, select};
//!
//! let playbooks = select(&["playbooks".into()], FileKind::Playbook)?;
//! assert!(playbooks.iter().any(|p| p.ends_with("negative-comment-storm.yaml")));
//! let scenarios = select(&["playbooks".into()], FileKind::Scenario)?;
//! assert!(scenarios.iter().any(|p| p.ends_with("false-alarm.yaml")));
//! # Ok::<(), String>(())
//! ```

use std::path::{Path, PathBuf};

/// What a YAML file holds, judged by its top-level keys.
///
/// ```
/// use crisis_playbook::files::{FileKind, kind_of};
/// assert_eq!(kind_of("playbook: storm\nversion: 1\n"), FileKind::Playbook);
/// assert_eq!(kind_of("scenario: quiet\nplaybook: storm.yaml\n"), FileKind::Scenario);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A top-level `playbook:` key.
    Playbook,
    /// A top-level `scenario:` or `scenarios:` key.
    Scenario,
    /// Neither.
    Other,
}

/// Classifies a file's text.
///
/// ```
/// use crisis_playbook::files::{FileKind, kind_of};
/// assert_eq!(kind_of("playbook: x\n"), FileKind::Playbook);
/// assert_eq!(kind_of("scenario: y\nplaybook: x.yaml\n"), FileKind::Scenario);
/// ```
pub fn kind_of(text: &str) -> FileKind {
    // Scenario files name their playbook with a `playbook:` key too, so look for them first.
    if text
        .lines()
        .any(|line| line.starts_with("scenario:") || line.starts_with("scenarios:"))
    {
        FileKind::Scenario
    } else if text.lines().any(|line| line.starts_with("playbook:")) {
        FileKind::Playbook
    } else {
        FileKind::Other
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Every file under `path`, depth first, in name order, skipping hidden entries.
fn walk(path: &Path, found: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut children: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    children.sort();
    for child in children {
        if child.is_dir() {
            walk(&child, found)?;
        } else {
            found.push(child);
        }
    }
    Ok(())
}

/// The files to treat as `wanted`: those named directly that are not the other kind, and the
/// YAML files of that kind inside the folders named, in name order. A path that does not exist
/// is an error.
///
/// ```
/// use crisis_playbook::files::{FileKind, select};
/// let found = select(&["playbooks".into()], FileKind::Playbook)?;
/// assert_eq!(found.len(), 10);
/// let scenarios = select(&["playbooks/tone-deaf-post".into()], FileKind::Scenario)?;
/// assert_eq!(scenarios, [std::path::PathBuf::from("playbooks/tone-deaf-post/scenarios.yaml")]);
/// # Ok::<(), String>(())
/// ```
pub fn select(paths: &[PathBuf], wanted: FileKind) -> Result<Vec<PathBuf>, String> {
    let mut selected = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
            for file in found.into_iter().filter(|f| is_yaml(f)) {
                let text =
                    String::from_utf8_lossy(&std::fs::read(&file).unwrap_or_default()).into_owned();
                if kind_of(&text) == wanted {
                    selected.push(file);
                }
            }
        } else if path.is_file() {
            let text =
                String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
            let kind = kind_of(&text);
            if kind == wanted || kind == FileKind::Other {
                selected.push(path.clone());
            }
        } else {
            return Err(format!("no such file or folder: {}", path.display()));
        }
    }
    Ok(selected)
}
