//! `crisis-playbook report`: an after-action review from a stored timeline.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use crisis_playbook::Event;
use crisis_playbook::report::Report;

/// The arguments of `report`.
#[derive(Args)]
pub struct Options {
    /// The timeline, as `simulate --format jsonl` writes it.
    timeline: PathBuf,
    /// The playbook the timeline comes from.
    #[arg(long)]
    playbook: PathBuf,
    /// Locale of the report (default: the playbook's).
    #[arg(long)]
    locale: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    format: ReportFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// A Markdown document for people.
    Markdown,
    /// One JSON document.
    Json,
}

pub fn run(options: Options) -> ExitCode {
    let playbook = match crate::load(&options.playbook) {
        Ok(playbook) => playbook,
        Err(code) => return code,
    };
    let file = match std::fs::File::open(&options.timeline) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("error: cannot open {}: {e}", options.timeline.display());
            return ExitCode::from(2);
        }
    };
    let mut events: Vec<Event> = Vec::new();
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = match line {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => line,
            Err(e) => {
                eprintln!("error: {}: {e}", options.timeline.display());
                return ExitCode::from(1);
            }
        };
        match serde_json::from_str(&line) {
            Ok(event) => events.push(event),
            Err(e) => {
                eprintln!(
                    "error: {}: line {}: not an event: {e}",
                    options.timeline.display(),
                    index + 1
                );
                return ExitCode::from(1);
            }
        }
    }
    let locale = options
        .locale
        .unwrap_or_else(|| playbook.locale().to_string());
    let report = Report::from_timeline(&playbook, &events, &locale);
    match options.format {
        ReportFormat::Markdown => print!("{}", report.markdown()),
        ReportFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    }
    ExitCode::SUCCESS
}
