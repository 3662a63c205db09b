//! `crisis-playbook test`: runs scenario files, with coverage and mutation testing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};
use crisis_playbook::Diagnostic;
use crisis_playbook::testing::{self, SuiteFinding, coverage, mutants};

use crate::output::Output;
use crate::{FINDINGS, INPUT, Outcome, plural};

/// The arguments of `test`.
#[derive(Args)]
pub struct Options {
    /// Scenario files, or folders searched for them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Run only the scenarios whose name contains this.
    #[arg(long)]
    filter: Option<String>,
    /// Also write the results as JUnit XML to this file; `-` writes it on standard output, and
    /// the report for people on standard error.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    format: TestFormat,
    /// Print which states, transitions, actions, escalation steps and calendar branches (an
    /// out-of-hours route taken or not) the scenarios exercised.
    #[arg(long)]
    coverage: bool,
    /// Fail when any playbook's state or transition coverage is below this percentage.
    #[arg(long, value_name = "PERCENT")]
    min_coverage: Option<f64>,
    /// Change each playbook one thing at a time and list the changes no scenario catches;
    /// fail when more than `--max-survivors` survive.
    #[arg(long)]
    mutants: bool,
    /// With `--mutants`: how many surviving mutants to accept (equivalent ones you have
    /// reviewed).
    #[arg(long, default_value_t = 0, value_name = "N")]
    max_survivors: usize,
    /// Fail (exit code 1) when a playbook the scenarios use has warnings, as CI may want.
    #[arg(long)]
    deny_warnings: bool,
    /// Write the stored timelines that scenarios name with `timeline:`, instead of comparing.
    #[arg(long)]
    write_timelines: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum TestFormat {
    /// A line per scenario, and details of each failure.
    Text,
    /// One JSON document.
    Json,
}

/// Set to `0` to write every JUnit `time` as 0, so that the XML is byte for byte the same
/// from run to run (for tests of the XML, or golden files).
const PIN_TIME: &str = "CRISIS_PLAYBOOK_JUNIT_TIME";

pub fn run(options: Options) -> Outcome {
    let loaded = testing::load_each(&options.paths).map_err(|err| crate::refused(&err))?;
    // Nothing to test is a mistake in the command or the files, never a pass.
    if loaded.is_empty() {
        let paths: Vec<String> = options
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        say!(
            "error: no scenario file in {}: a scenario file has a top-level `scenario:` key (docs/scenario-format.md)",
            paths.join(", ")
        );
        return Err(ExitCode::from(crate::INPUT));
    }
    let mut scenarios = Vec::new();
    // Invalid files are reported, and the valid ones still run: a CI report then shows both.
    let mut invalid = Vec::new();
    let mut invalid_code = None;
    for (file, scenarios_or_error) in loaded {
        match scenarios_or_error {
            Ok(found) => scenarios.extend(found),
            Err(err) => {
                invalid_code = Some(crate::refused(&err));
                let errors = err.errors().count();
                invalid.push(SuiteFinding {
                    suite: file.display().to_string(),
                    error: true,
                    message: format!(
                        "the scenario file is invalid: {errors} error{}",
                        plural(errors)
                    ),
                    details: err.to_string(),
                });
            }
        }
    }
    let selected: Vec<testing::Scenario> = scenarios
        .into_iter()
        .filter(|s| options.filter.as_deref().is_none_or(|f| s.name.contains(f)))
        .collect();
    if options.write_timelines {
        // Half a suite's timelines rewritten would look like a reviewed change.
        if let Some(code) = invalid_code {
            return Err(code);
        }
        return write_timelines(&selected);
    }
    let pinned = std::env::var_os(PIN_TIME).is_some_and(|v| v == "0");
    let report = testing::SuiteReport {
        results: selected
            .iter()
            .map(|scenario| {
                let started = Instant::now();
                let mut result = scenario.run();
                if !pinned {
                    result.duration = started.elapsed();
                }
                result
            })
            .collect(),
    };
    let coverage = (options.coverage || options.min_coverage.is_some())
        .then(|| coverage::coverage(&selected, &report));
    let mutation = options.mutants.then(|| mutants::test_mutants(&selected));
    let mut out = if options.junit.as_deref() == Some(Path::new("-")) {
        Output::stderr()
    } else {
        Output::stdout()
    };
    match options.format {
        TestFormat::Text => {
            out.text(&report.details())?;
            if let Some(coverage) = &coverage {
                out.text(&coverage_text(coverage))?;
            }
            if let Some(mutation) = &mutation {
                out.text(&mutants::describe(mutation))?;
            }
        }
        TestFormat::Json => {
            let (passed, failed) = report.counts();
            out.json(&serde_json::json!({
                "passed": passed,
                "failed": failed,
                "scenarios": report.results,
                "coverage": coverage,
                "mutants": mutation,
            }))?;
        }
    }
    out.finish()?;
    let warnings = playbook_warnings(&selected);
    for warning in &warnings {
        say!("{warning}");
    }
    let mut summary = report.summary();
    if !invalid.is_empty() {
        summary.push_str(&format!(
            ", {} file{} invalid",
            invalid.len(),
            plural(invalid.len())
        ));
    }
    if !warnings.is_empty() {
        summary.push_str(&format!(
            "; {}",
            crate::warnings(warnings.len(), options.deny_warnings)
        ));
    }
    say!("{summary}");
    let mut findings = invalid;
    if options.deny_warnings && !warnings.is_empty() {
        findings.push(SuiteFinding {
            suite: "warnings".to_string(),
            error: false,
            message: crate::warnings(warnings.len(), true),
            details: warnings.iter().map(|w| format!("{w}\n")).collect(),
        });
    }
    if let (Some(minimum), Some(coverage)) = (options.min_coverage, &coverage) {
        findings.extend(below_minimum(coverage, minimum));
    }
    if let Some(mutation) = &mutation {
        let survivors: usize = mutation.iter().map(|m| m.survivors.len()).sum();
        if survivors > options.max_survivors {
            findings.push(SuiteFinding {
                suite: "mutants".to_string(),
                error: false,
                message: format!(
                    "{survivors} mutants survived, more than --max-survivors {}",
                    options.max_survivors
                ),
                details: mutants::describe(mutation),
            });
        }
    }
    // Invalid files and warnings are on standard error already.
    for finding in findings
        .iter()
        .filter(|f| !f.error && f.suite != "warnings")
    {
        say!("{}", finding.message);
    }
    if let Some(path) = &options.junit {
        let mut junit = Output::create(path)?;
        junit.text(&testing::junit_with(&report, &findings))?;
        junit.finish()?;
    }
    Ok(match invalid_code {
        Some(code) => code,
        None if report.passed() && findings.is_empty() => ExitCode::SUCCESS,
        None => ExitCode::from(FINDINGS),
    })
}

/// The warnings of the playbooks that `scenarios` use, each playbook once.
fn playbook_warnings(scenarios: &[testing::Scenario]) -> Vec<Diagnostic> {
    let mut seen = std::collections::BTreeSet::new();
    scenarios
        .iter()
        .filter(|s| seen.insert(&s.playbook_path))
        .flat_map(|s| s.playbook.warnings().iter().cloned())
        .collect()
}

/// A finding for each playbook whose state or transition coverage is below `minimum` percent.
fn below_minimum(coverage: &[coverage::PlaybookCoverage], minimum: f64) -> Vec<SuiteFinding> {
    let mut findings = Vec::new();
    for playbook in coverage {
        for (what, measure) in [
            ("state", playbook.states),
            ("transition", playbook.transitions),
        ] {
            if measure.percent() < minimum {
                findings.push(SuiteFinding {
                    suite: "coverage".to_string(),
                    error: false,
                    message: format!(
                        "{}: {what} coverage {:.1}% is below the minimum of {minimum}%",
                        playbook.playbook,
                        measure.percent()
                    ),
                    details: coverage_text(std::slice::from_ref(playbook)),
                });
            }
        }
    }
    findings
}

fn coverage_text(coverage: &[coverage::PlaybookCoverage]) -> String {
    let mut out = String::from("coverage:\n");
    for playbook in coverage {
        let cell =
            |m: coverage::Measure| format!("{:>5.1}% ({}/{})", m.percent(), m.covered, m.total);
        // Only playbooks with out-of-hours routes have calendar branches to show.
        let branches = if playbook.calendar_branches.is_empty() {
            String::new()
        } else {
            format!(", calendar branches {}", cell(playbook.calendar_branches))
        };
        out.push_str(&format!(
            "  {}: states {}, transitions {}, actions {}, escalation steps {}{branches}\n",
            playbook.playbook,
            cell(playbook.states),
            cell(playbook.transitions),
            cell(playbook.actions),
            cell(playbook.escalation_steps)
        ));
        for track in &playbook.tracks {
            let m = &track.measures;
            out.push_str(&format!(
                "    track {}: states {}, transitions {}, actions {}, escalation steps {}\n",
                track.track,
                cell(m.states),
                cell(m.transitions),
                cell(m.actions),
                cell(m.escalation_steps)
            ));
        }
        for missed in &playbook.missed {
            out.push_str(&format!("    not exercised: {missed}\n"));
        }
    }
    out
}

fn write_timelines(scenarios: &[testing::Scenario]) -> Outcome {
    for scenario in scenarios {
        let written = scenario.write_timeline().map_err(|e| {
            say!("error: {}: {e}", scenario.name);
            ExitCode::from(INPUT)
        })?;
        if let Some(path) = written {
            say!("wrote {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
