//! `crisis-playbook test`: runs scenario files, with coverage and mutation testing.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use crisis_playbook::testing::{self, coverage, mutants};

/// The arguments of `test`.
#[derive(Args)]
pub struct Options {
    /// Scenario files, or folders searched for them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Run only the scenarios whose name contains this.
    #[arg(long)]
    filter: Option<String>,
    /// Also write the results as JUnit XML to this file.
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

pub fn run(options: Options) -> ExitCode {
    let scenarios = match testing::load_paths(&options.paths) {
        Ok(scenarios) => scenarios,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
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
    match options.format {
        TestFormat::Text => {
            print!("{}", report.text());
            if let Some(coverage) = &coverage {
                print!("{}", coverage_text(coverage));
            }
            if let Some(mutation) = &mutation {
                print!("{}", mutants::describe(mutation));
            }
        }
        TestFormat::Json => {
            let (passed, failed) = report.counts();
            let json = serde_json::json!({
                "passed": passed,
                "failed": failed,
                "scenarios": report.results,
                "coverage": coverage,
                "mutants": mutation,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
    }
    if let Some(path) = &options.junit
        && let Err(e) = std::fs::write(path, testing::junit(&report))
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
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
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
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

fn write_timelines(scenarios: &[testing::Scenario]) -> ExitCode {
    for scenario in scenarios {
        match scenario.write_timeline() {
            Ok(Some(path)) => eprintln!("wrote {}", path.display()),
            Ok(None) => {}
            Err(e) => {
                eprintln!("error: {}: {e}", scenario.name);
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
