//! `crisis-playbook lint`: every diagnostic of every playbook given.

use std::path::PathBuf;
use std::process::ExitCode;

use crisis_playbook::files::{FileKind, select};
use crisis_playbook::{Diagnostic, Loader, Severity};

use crate::LintFormat;

/// Exit code for a usage error, such as a path that does not exist.
const USAGE: u8 = 2;

pub fn run(paths: &[PathBuf], format: LintFormat) -> ExitCode {
    let files = match select(paths, FileKind::Playbook) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(USAGE);
        }
    };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for file in &files {
        match Loader::new().load_path(file) {
            Ok(playbook) => diagnostics.extend(playbook.warnings().iter().cloned()),
            Err(err) => diagnostics.extend(err.diagnostics().iter().cloned()),
        }
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    match format {
        LintFormat::Text => {
            for diagnostic in &diagnostics {
                println!("{diagnostic}");
            }
            eprintln!(
                "{} playbook{} checked: {errors} error{}, {warnings} warning{}",
                files.len(),
                plural(files.len()),
                plural(errors),
                plural(warnings)
            );
        }
        LintFormat::Json => {
            let report = serde_json::json!({
                "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "errors": errors,
                "warnings": warnings,
                "diagnostics": diagnostics,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
    }
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
