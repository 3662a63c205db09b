//! `crisis-playbook lint`: every diagnostic of every playbook given.

use std::path::PathBuf;
use std::process::ExitCode;

use crisis_playbook::files::{FileKind, select};
use crisis_playbook::{Diagnostic, Loader, Severity};

use crate::output::Output;
use crate::{FINDINGS, INPUT, LintFormat, Outcome};

pub fn run(paths: &[PathBuf], format: LintFormat) -> Outcome {
    let files = select(paths, FileKind::Playbook).map_err(|error| {
        eprintln!("error: {error}");
        ExitCode::from(INPUT)
    })?;
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
    let mut out = Output::stdout();
    match format {
        LintFormat::Text => {
            for diagnostic in &diagnostics {
                out.line(diagnostic)?;
            }
        }
        LintFormat::Json => out.json(&serde_json::json!({
            "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
            "errors": errors,
            "warnings": warnings,
            "diagnostics": diagnostics,
        }))?,
    }
    out.finish()?;
    eprintln!(
        "{} playbook{} checked: {errors} error{}, {warnings} warning{}",
        files.len(),
        plural(files.len()),
        plural(errors),
        plural(warnings)
    );
    Ok(if errors > 0 {
        ExitCode::from(FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
