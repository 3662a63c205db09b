//! `crisis-playbook lint`: every diagnostic of every playbook and scenario file given.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crisis_playbook::files::{self, FileKind};
use crisis_playbook::{
    Diagnostic, Limits, LoadError, Loader, Playbook, Severity, check_together, testing,
};

use crate::output::Output;
use crate::{FINDINGS, INPUT, LintFormat, Outcome, plural};

pub fn run(paths: &[PathBuf], format: LintFormat, deny_warnings: bool) -> Outcome {
    let input_error = |error: files::FileError| {
        say!("error: {error}");
        ExitCode::from(INPUT)
    };
    let found = files::select_kinds(paths, &[FileKind::Playbook, FileKind::Scenario])
        .map_err(input_error)?;
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let (mut playbooks, mut scenario_files) = (0usize, 0usize);
    // The playbooks that load, to check what each says of the others once all are read.
    let mut loaded_playbooks: Vec<(String, Playbook)> = Vec::new();
    for (file, kind) in &found {
        // Standard input can be read only once: read it whole to tell what it holds.
        let stdin = if files::is_stdin(file) {
            Some(files::read_text(file, Limits::default().max_bytes).map_err(input_error)?)
        } else {
            None
        };
        let kind = stdin.as_deref().map_or(*kind, files::kind_of);
        if kind == FileKind::Scenario {
            scenario_files += 1;
            // Loaded as `test` loads them (names checked against the playbook), not run.
            let loaded = match &stdin {
                Some(text) => testing::load_text(text, &file.display().to_string(), Path::new(".")),
                None => testing::load_file(file),
            };
            diagnostics.extend(loaded.err().iter().flat_map(|e| e.diagnostics()).cloned());
        } else {
            playbooks += 1;
            let loaded = match &stdin {
                Some(text) => Loader::new()
                    .file_name(file.display().to_string())
                    .load_str(text),
                None => Loader::new().load_path(file),
            };
            diagnostics.extend(found_in(&loaded).iter().cloned());
            if let Ok(playbook) = loaded {
                loaded_playbooks.push((file.display().to_string(), playbook));
            }
        }
    }
    diagnostics.extend(check_links(loaded_playbooks));
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let mut out = Output::stdout();
    match format {
        LintFormat::Text => {
            for diagnostic in &diagnostics {
                out.line(diagnostic)?;
            }
        }
        LintFormat::Json => out.json(&serde_json::json!({
            "files": found.iter().map(|(f, _)| f.display().to_string()).collect::<Vec<_>>(),
            "errors": errors,
            "warnings": warnings,
            "diagnostics": diagnostics,
        }))?,
    }
    out.finish()?;
    say!(
        "{} checked: {errors} error{}, {}",
        checked(playbooks, scenario_files),
        plural(errors),
        crate::warnings(warnings, deny_warnings)
    );
    Ok(if errors > 0 || (deny_warnings && warnings > 0) {
        ExitCode::from(FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// What the linted playbooks say of each other and of the playbooks they name. A named
/// playbook that was not linted is looked for beside the file that names it, as
/// `<id>.yaml`, the layout of a playbooks folder; only the linted files' findings are kept.
fn check_links(linted: Vec<(String, Playbook)>) -> Vec<Diagnostic> {
    let mut all = linted;
    let count = all.len();
    for index in 0..count {
        let (file, playbook) = &all[index];
        let folder = Path::new(file)
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let named: Vec<String> = playbook
            .hand_over_targets()
            .into_iter()
            .chain(playbook.inhibitions().iter().map(|r| r.playbook.as_str()))
            .map(str::to_string)
            .collect();
        for id in named {
            if all.iter().any(|(_, p)| p.id() == id) {
                continue;
            }
            let beside = folder.join(format!("{id}.yaml"));
            if let Ok(found) = Loader::new().load_path(&beside)
                && found.id() == id
            {
                all.push((beside.display().to_string(), found));
            }
        }
    }
    let (names, playbooks): (Vec<String>, Vec<Playbook>) = all.into_iter().unzip();
    let linted: Vec<&str> = names[..count].iter().map(String::as_str).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    check_together(&playbooks, &names)
        .into_iter()
        .filter(|d| linted.contains(&d.file.as_str()))
        .collect()
}

/// A playbook's warnings, or the errors that stopped it.
fn found_in(loaded: &Result<Playbook, LoadError>) -> &[Diagnostic] {
    match loaded {
        Ok(playbook) => playbook.warnings(),
        Err(err) => err.diagnostics(),
    }
}

/// What was checked, in words: `2 playbooks`, `1 scenario file`, or both.
fn checked(playbooks: usize, scenario_files: usize) -> String {
    let playbook_words = format!("{playbooks} playbook{}", plural(playbooks));
    let scenario_words = format!("{scenario_files} scenario file{}", plural(scenario_files));
    match (playbooks, scenario_files) {
        (_, 0) => playbook_words,
        (0, _) => scenario_words,
        _ => format!("{playbook_words} and {scenario_words}"),
    }
}
