//! `crisis-playbook report`: an after-action review from a stored timeline.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use crisis_playbook::Event;
use crisis_playbook::report::{Digest, Report};

/// The arguments of `report`.
#[derive(Args)]
pub struct Options {
    /// The timeline, as `simulate --format jsonl` writes it.
    timeline: PathBuf,
    #[command(flatten)]
    shared: Shared,
}

/// What `report` and `digest` both take.
#[derive(Args)]
struct Shared {
    /// The playbook the timelines come from.
    #[arg(long)]
    playbook: PathBuf,
    /// Locale of the output (default: the playbook's).
    #[arg(long)]
    locale: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    format: ReportFormat,
}

impl Shared {
    /// The playbook, and the locale to write in.
    fn load(&self) -> Result<(crisis_playbook::Playbook, String), ExitCode> {
        let playbook = crate::load(&self.playbook)?;
        let locale = self
            .locale
            .clone()
            .unwrap_or_else(|| playbook.locale().to_string());
        Ok((playbook, locale))
    }

    /// Prints a report or a digest in the chosen format.
    fn print(&self, markdown: String, value: &impl serde::Serialize) {
        match self.format {
            ReportFormat::Markdown => print!("{markdown}"),
            ReportFormat::Json => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(value).unwrap_or_default()
                )
            }
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// A Markdown document for people.
    Markdown,
    /// One JSON document.
    Json,
}

pub fn run(options: Options) -> ExitCode {
    let (playbook, locale) = match options.shared.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let events = match read_timeline(&options.timeline) {
        Ok(events) => events,
        Err((code, message)) => {
            eprintln!("error: {message}");
            return ExitCode::from(code);
        }
    };
    let report = Report::from_timeline(&playbook, &events, &locale);
    options.shared.print(report.markdown(), &report);
    ExitCode::SUCCESS
}

/// Reads a stored timeline: one JSON event per line. On failure, the exit code and the message.
fn read_timeline(path: &Path) -> Result<Vec<Event>, (u8, String)> {
    let file = std::fs::File::open(path)
        .map_err(|e| (2, format!("cannot open {}: {e}", path.display())))?;
    let mut events = Vec::new();
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| (1, format!("{}: {e}", path.display())))?;
        if line.trim().is_empty() {
            continue;
        }
        let event = serde_json::from_str(&line).map_err(|e| {
            (
                1,
                format!("{}: line {}: not an event: {e}", path.display(), index + 1),
            )
        })?;
        events.push(event);
    }
    Ok(events)
}

/// The arguments of `digest`.
#[derive(Args)]
pub struct DigestOptions {
    /// Stored timelines (`.jsonl`), or folders holding them as `*.timeline.jsonl`; each file is
    /// one subject, named by the file.
    #[arg(required = true)]
    timelines: Vec<PathBuf>,
    #[command(flatten)]
    shared: Shared,
}

pub fn digest(options: DigestOptions) -> ExitCode {
    let (playbook, locale) = match options.shared.load() {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let mut files = Vec::new();
    for path in &options.timelines {
        if path.is_dir() {
            let Ok(entries) = std::fs::read_dir(path) else {
                eprintln!("error: cannot read {}", path.display());
                return ExitCode::from(2);
            };
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".timeline.jsonl"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut reports = Vec::new();
    for file in files {
        let events = match read_timeline(&file) {
            Ok(events) => events,
            Err((code, message)) => {
                eprintln!("error: {message}");
                return ExitCode::from(code);
            }
        };
        let name = file
            .file_name()
            .map_or(String::new(), |s| s.to_string_lossy().into_owned());
        let subject = name
            .trim_end_matches(".jsonl")
            .trim_end_matches(".timeline")
            .to_string();
        reports.push((subject, Report::from_timeline(&playbook, &events, &locale)));
    }
    let digest = Digest::from_reports(&reports, &locale);
    options.shared.print(digest.markdown(), &digest);
    ExitCode::SUCCESS
}
