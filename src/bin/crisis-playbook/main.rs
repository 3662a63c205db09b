//! The `crisis-playbook` command: a thin layer over the library.

#![forbid(unsafe_code)]

/// Writes a line on standard error, like `eprintln!` but without its panic when standard error
/// cannot be written (a full disk): there is nowhere left to report that, and the exit code
/// still tells the outcome.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod lint;
mod output;
mod report;
mod simulate;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::IsTerminal;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use crisis_playbook::diagram::{self, DiagramFormat};
use crisis_playbook::{Code, LoadError, Loader, Playbook};
use tracing_subscriber::EnvFilter;

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

/// The exit codes, in `--help` and the man page.
const EXIT_CODES: &str = "Exit codes: 0: done, nothing found (warnings alone do not fail, unless \
--deny-warnings); 1: findings (an error in a playbook or scenario file, a failing scenario, a bad \
trace or timeline line); 2: usage or input errors (a bad argument, a file that cannot be found, \
read or written); 141: standard output closed by its reader.

Results go to standard output; summaries, errors and logs (RUST_LOG=crisis_playbook=info shows \
each transition, action, escalation and breach) to standard error.";

/// Social-media crisis playbooks: lint, draw and describe them.
#[derive(Parser)]
#[command(name = "crisis-playbook", version, about, after_long_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check playbooks and report every error and warning.
    Lint {
        /// Playbook and scenario files, or folders searched for them (`*.yaml`); `-` reads
        /// standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LintFormat::Text)]
        format: LintFormat,
        /// Fail (exit code 1) on warnings too, as CI may want.
        #[arg(long)]
        deny_warnings: bool,
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
    /// Write the shell completion script on standard output, as in
    /// `crisis-playbook completions bash > /etc/bash_completion.d/crisis-playbook`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man page (roff) on standard output, as in
    /// `crisis-playbook man > /usr/local/share/man/man1/crisis-playbook.1`.
    Man,
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
    log_to_stderr();
    let outcome = match cli.command {
        Command::Lint {
            paths,
            format,
            deny_warnings,
        } => lint::run(&paths, format, deny_warnings),
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
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "crisis-playbook", &mut script);
            write(&String::from_utf8_lossy(&script))
        }
        Command::Man => {
            let mut page = Vec::new();
            // Rendering into memory cannot fail; the write of the page is checked below.
            let _ = clap_mangen::Man::new(Cli::command()).render(&mut page);
            write(&String::from_utf8_lossy(&page))
        }
    };
    outcome.unwrap_or_else(|code| code)
}

/// Sends the library's `tracing` events to standard error, filtered by `RUST_LOG`
/// (`crisis_playbook=info` shows each transition, action, escalation and breach); warnings only
/// when it is not set.
fn log_to_stderr() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|error| {
        if std::env::var_os(EnvFilter::DEFAULT_ENV).is_some() {
            say!(
                "warning: RUST_LOG: {error}: logging warnings only; write it as \
                 `crisis_playbook=info` or `debug`"
            );
        }
        EnvFilter::new("warn")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
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

/// `--calendar NAME=FILE`: the playbook's calendar `NAME`, replaced for the subject by the one
/// written in `FILE`.
fn parse_calendar_arg(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((name, file)) if !name.trim().is_empty() && !file.is_empty() => {
            Ok((name.trim().to_string(), PathBuf::from(file)))
        }
        _ => Err(format!(
            "`{text}` is not `NAME=FILE`: name the playbook's calendar, then the file of the subject's own, such as `office=montreal.yaml`"
        )),
    }
}

/// Reads the calendars that `--calendar` names, each checked with its file's positions.
fn read_calendars(
    given: &[(String, PathBuf)],
) -> Result<Vec<(String, crisis_playbook::Calendar)>, ExitCode> {
    given
        .iter()
        .map(|(name, path)| {
            let text = crisis_playbook::files::read_text(
                path,
                crisis_playbook::Limits::default().max_bytes,
            )
            .map_err(|e| {
                say!("error: --calendar {name}={}: {e}", path.display());
                ExitCode::from(INPUT)
            })?;
            let calendar = Loader::new()
                .file_name(path.display().to_string())
                .load_calendar_str(&text)
                .map_err(|err| refused(&err))?;
            Ok((name.clone(), calendar))
        })
        .collect()
}

/// Reports a playbook or scenario file that could not be loaded, and the exit code it calls
/// for: a file that cannot be found or read is an input error, anything wrong inside it a
/// finding, as `lint` counts them.
fn refused(err: &LoadError) -> ExitCode {
    say!("{err}");
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

/// How many warnings there were, and whether `--deny-warnings` made them fail the command.
fn warnings(count: usize, denied: bool) -> String {
    let fatal = if denied && count > 0 {
        ", denied by --deny-warnings"
    } else {
        ""
    };
    format!("{count} warning{}{fatal}", plural(count))
}
