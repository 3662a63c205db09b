//! `crisis-playbook test`: runs scenario files, with coverage and mutation testing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use crisis_playbook::testing::{self, coverage, mutants};

use crate::output::Output;
use crate::{FINDINGS, INPUT, Outcome};

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
    /// Print which states, transitions, actions and escalation steps the scenarios exercised.
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

pub fn run(options: Options) -> Outcome {
    let scenarios = testing::load_paths(&options.paths).map_err(|err| crate::refused(&err))?;
    let selected: Vec<testing::Scenario> = scenarios
        .into_iter()
        .filter(|s| options.filter.as_deref().is_none_or(|f| s.name.contains(f)))
        .collect();
    if options.write_timelines {
        return write_timelines(&selected);
    }
    let report = testing::SuiteReport {
        results: selected.iter().map(testing::Scenario::run).collect(),
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
    eprintln!("{}", report.summary());
    if let Some(path) = &options.junit {
        let mut junit = Output::create(path)?;
        junit.text(&testing::junit(&report))?;
        junit.finish()?;
    }
    let mut ok = report.passed();
    if let (Some(minimum), Some(coverage)) = (options.min_coverage, &coverage) {
        for playbook in coverage {
            for (what, measure) in [
                ("state", playbook.states),
                ("transition", playbook.transitions),
            ] {
                if measure.percent() < minimum {
                    eprintln!(
                        "{}: {what} coverage {:.1}% is below the minimum of {minimum}%",
                        playbook.playbook,
                        measure.percent()
                    );
                    ok = false;
                }
            }
        }
    }
    if let Some(mutation) = &mutation {
        let survivors: usize = mutation.iter().map(|m| m.survivors.len()).sum();
        if survivors > options.max_survivors {
            eprintln!(
                "{survivors} mutants survived, more than --max-survivors {}",
                options.max_survivors
            );
            ok = false;
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FINDINGS)
    })
}

fn coverage_text(coverage: &[coverage::PlaybookCoverage]) -> String {
    let mut out = String::from("coverage:\n");
    for playbook in coverage {
        let cell =
            |m: coverage::Measure| format!("{:>5.1}% ({}/{})", m.percent(), m.covered, m.total);
        out.push_str(&format!(
            "  {}: states {}, transitions {}, actions {}, escalation steps {}\n",
            playbook.playbook,
            cell(playbook.states),
            cell(playbook.transitions),
            cell(playbook.actions),
            cell(playbook.escalation_steps)
        ));
        for missed in &playbook.missed {
            out.push_str(&format!("    not exercised: {missed}\n"));
        }
    }
    out
}

fn write_timelines(scenarios: &[testing::Scenario]) -> Outcome {
    for scenario in scenarios {
        let written = scenario.write_timeline().map_err(|e| {
            eprintln!("error: {}: {e}", scenario.name);
            ExitCode::from(INPUT)
        })?;
        if let Some(path) = written {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
