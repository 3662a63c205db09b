//! The `crisis-playbook` command: a thin layer over the library.

#![forbid(unsafe_code)]

mod lint;
mod output;
mod report;
mod simulate;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use crisis_playbook::diagram::{self, DiagramFormat};
use crisis_playbook::{Code, LoadError, Loader, Playbook};

use output::Output;

/// Exit code for findings: errors in a playbook, failing scenarios.
const FINDINGS: u8 = 1;
/// Exit code for a usage or input error: a bad argument, a file that cannot be read or written.
const INPUT: u8 = 2;
/// Exit code when the reader of standard output has gone (`| head`): 128 + SIGPIPE, what a
/// shell reports for a command that the signal stopped.
const CLOSED_PIPE: u8 = 141;

/// What a command ends with: `Err` when it stopped early, its reason already on standard
/// error, so that `?` can stop it.
type Outcome = Result<ExitCode, ExitCode>;

/// Social-media crisis playbooks: lint, draw and describe them.
#[derive(Parser)]
#[command(name = "crisis-playbook", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check playbooks and report every error and warning.
    Lint {
        /// Playbook files, or folders searched for `*.yaml` playbooks.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LintFormat::Text)]
        format: LintFormat,
    },
    /// Draw a playbook's state graph.
    Graph {
        /// The playbook file.
        file: PathBuf,
        /// Diagram language.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
    /// Print the JSON Schema of playbooks, or of scenario files.
    Schema {
        /// Which format.
        #[arg(value_enum, default_value_t = SchemaKind::Playbook)]
        kind: SchemaKind,
    },
    /// Replay a signal trace (JSONL or wide CSV) through a playbook and print the timeline.
    Simulate(simulate::Options),
    /// Run scenario files: replay signals and check what the playbook does.
    Test(test::Options),
    /// Write an after-action review from a stored timeline.
    Report(report::Options),
    /// Review many stored timelines: incidents, breaches, acknowledgement times, false alarms.
    Digest(report::DigestOptions),
}

/// How `lint` prints its findings.
#[derive(Clone, Copy, ValueEnum)]
enum LintFormat {
    /// `file:line:col: error: message`, one per line.
    Text,
    /// One JSON document with every diagnostic.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaKind {
    Playbook,
    Scenario,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Lint { paths, format } => lint::run(&paths, format),
        Command::Graph { file, format } => graph(&file, format),
        Command::Simulate(options) => simulate::run(options),
        Command::Test(options) => test::run(options),
        Command::Report(options) => report::run(options),
        Command::Digest(options) => report::digest(options),
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Playbook => crisis_playbook::schema::playbook_schema(),
                SchemaKind::Scenario => crisis_playbook::schema::scenario_schema(),
            };
            write(&schema)
        }
    };
    outcome.unwrap_or_else(|code| code)
}

/// Writes a whole result on standard output.
fn write(text: &str) -> Outcome {
    let mut out = Output::stdout();
    out.text(text)?;
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

fn load(file: &PathBuf) -> Result<Playbook, ExitCode> {
    Loader::new().load_path(file).map_err(|err| refused(&err))
}

/// Reports a playbook or scenario file that could not be loaded, and the exit code it calls
/// for: a file that cannot be found or read is an input error, anything wrong inside it a
/// finding, as `lint` counts them.
fn refused(err: &LoadError) -> ExitCode {
    eprintln!("{err}");
    if err.diagnostics().iter().any(|d| d.code == Code::Io) {
        ExitCode::from(INPUT)
    } else {
        ExitCode::from(FINDINGS)
    }
}

fn graph(file: &PathBuf, format: GraphFormat) -> Outcome {
    let playbook = load(file)?;
    let format = match format {
        GraphFormat::Mermaid => DiagramFormat::Mermaid,
        GraphFormat::Dot => DiagramFormat::Dot,
    };
    write(&diagram::render(&playbook, format))
}

/// The `s` of a plural noun, for `count` of it.
fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
