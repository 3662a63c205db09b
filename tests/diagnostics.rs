//! Every invalid playbook under `tests/playbooks/` gives exactly the diagnostics a user sees,
//! pinned as insta snapshots: the message, the YAML path and the line:column.

use std::collections::BTreeSet;
use std::path::Path;

use crisis_playbook::{Code, Diagnostic, Loader, Severity};

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Loads one file as `lint` does: every diagnostic, errors and warnings.
fn diagnostics(path: &Path) -> (bool, Vec<Diagnostic>) {
    match Loader::new().file_name(relative(path)).load_path(path) {
        Ok(playbook) => (true, playbook.warnings().to_vec()),
        Err(err) => (false, err.diagnostics().to_vec()),
    }
}

fn lines(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{d}\n")).collect()
}

#[test]
fn invalid_playbooks_are_rejected_with_exact_messages() {
    insta::glob!("playbooks/invalid/*.yaml", |path| {
        let (loaded, found) = diagnostics(path);
        assert!(!loaded, "{} should be rejected", relative(path));
        assert!(found.iter().any(|d| d.severity == Severity::Error));
        insta::assert_snapshot!(lines(&found));
    });
}

#[test]
fn suspicious_playbooks_load_with_exact_warnings() {
    insta::glob!("playbooks/warning/*.yaml", |path| {
        let (loaded, found) = diagnostics(path);
        assert!(loaded, "{} should load", relative(path));
        assert!(!found.is_empty(), "{} should warn", relative(path));
        assert!(found.iter().all(|d| d.severity == Severity::Warning));
        insta::assert_snapshot!(lines(&found));
    });
}

#[test]
fn edge_cases_that_are_valid_load_cleanly() {
    insta::glob!("playbooks/valid/*.yaml", |path| {
        let (loaded, found) = diagnostics(path);
        assert!(
            loaded && found.is_empty(),
            "{}:\n{}",
            relative(path),
            lines(&found)
        );
    });
    let (loaded, found) =
        diagnostics(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/playbooks/base.yaml"));
    assert!(loaded && found.is_empty(), "{}", lines(&found));
}

#[test]
fn at_least_25_invalid_playbooks_cover_every_validation_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/playbooks");
    let mut files = 0;
    let mut seen = BTreeSet::new();
    for folder in ["invalid", "warning"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files += usize::from(folder == "invalid");
                seen.extend(diagnostics(&path).1.iter().map(|d| d.code));
            }
        }
    }
    assert!(files >= 25, "only {files} invalid playbooks");
    let every = [
        Code::Syntax,
        Code::UnknownKey,
        Code::MissingKey,
        Code::InvalidValue,
        Code::InvalidName,
        Code::DuplicateName,
        Code::UnknownReference,
        Code::InvalidDuration,
        Code::ConditionSyntax,
        Code::ConditionType,
        Code::InvalidMetric,
        Code::InvalidParameter,
        Code::InvalidEscalation,
        Code::InvalidTransition,
        Code::InvalidTrack,
        Code::UnreachableState,
        Code::NoPathToFinal,
        Code::ShadowedTransition,
        Code::InstantCycle,
        Code::MissingTranslation,
    ];
    let missing: Vec<_> = every.iter().filter(|c| !seen.contains(c)).collect();
    assert!(missing.is_empty(), "no test file produces {missing:?}");
}
