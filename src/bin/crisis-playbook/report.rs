//! `crisis-playbook report`: an after-action review from a stored timeline.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use crisis_playbook::files;
use crisis_playbook::report::{Digest, Report, Vocabulary};
use crisis_playbook::{Calendar, Event, EventKind, Limits, Playbook, RunSettings, Timestamp};

use crate::output::Output;
use crate::{FINDINGS, INPUT, Outcome};

/// The arguments of `report`.
#[derive(Args)]
pub struct Options {
    /// The timeline, as `simulate --format jsonl` writes it.
    timeline: PathBuf,
    /// The playbook the timeline comes from.
    #[arg(long)]
    playbook: PathBuf,
    #[command(flatten)]
    shared: Shared,
}

/// What `report` and `digest` both take.
#[derive(Args)]
struct Shared {
    /// Locale of the output (default: the playbook's); English and French are built in.
    #[arg(long)]
    locale: Option<String>,
    /// The words of another language: a translation of `src/report/words/en.yaml`. Its
    /// `locale` replaces `--locale`.
    #[arg(long, value_name = "FILE")]
    words: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    format: ReportFormat,
    /// The subject's time zone (IANA, such as `America/Toronto`): the office hours of the
    /// playbook's first calendar count there, and times show in it.
    #[arg(long)]
    time_zone: Option<String>,
    /// The subject's own hours for a playbook's calendar, as `NAME=FILE` (`office=montreal.yaml`):
    /// replacing the first calendar changes the office hours the report counts in.
    #[arg(long = "calendar", value_name = "NAME=FILE", value_parser = crate::parse_calendar_arg)]
    calendars: Vec<(String, PathBuf)>,
}

impl Shared {
    /// The words to write with: the `--words` file, or the built-in words of `--locale` or of
    /// the playbook's locale.
    fn vocabulary(&self, playbook: &Playbook) -> Result<Vocabulary, ExitCode> {
        let Some(path) = &self.words else {
            let locale = self.locale.as_deref().unwrap_or(playbook.locale());
            let mut words = Vocabulary::builtin(locale).clone();
            words.locale = locale.to_string();
            return Ok(words);
        };
        let text = files::read_text(path, Limits::default().max_bytes).map_err(|e| {
            say!("error: {e}");
            ExitCode::from(INPUT)
        })?;
        Vocabulary::from_yaml_str(&text).map_err(|e| {
            say!("{}:{e}", path.display());
            ExitCode::from(FINDINGS)
        })
    }

    /// The office hours each report tells in from out of: the first calendar of each playbook,
    /// replaced by `--calendar` and moved to `--time-zone` when given; `None` for a playbook
    /// without calendars. A zone given for playbooks that have no calendar at all is refused,
    /// as is a calendar that none of them declares.
    fn offices(&self, playbooks: &[Playbook]) -> Result<Vec<Option<Calendar>>, ExitCode> {
        let refuse = |option: &str, message: String| {
            say!("error: {option}: {message}");
            ExitCode::from(INPUT)
        };
        let replaced = crate::read_calendars(&self.calendars)?;
        for (name, calendar) in &replaced {
            // Known to one playbook is enough: a digest reads several.
            let settings = RunSettings::new("").calendar(name.clone(), calendar.clone());
            let checks: Vec<_> = playbooks.iter().map(|p| settings.check(p)).collect();
            if checks.iter().all(Result::is_err)
                && let Some(Err(error)) = checks.into_iter().next()
            {
                return Err(refuse("--calendar", error.to_string()));
            }
        }
        if let Some(zone) = &self.time_zone
            && playbooks.iter().all(|p| p.calendars().is_empty())
        {
            return Err(refuse(
                "--time-zone",
                format!(
                    "no playbook given declares a calendar, so there are no office hours to count in `{zone}`: add `calendars:` to the playbook"
                ),
            ));
        }
        playbooks
            .iter()
            .map(|p| {
                let Some((name, calendar)) = p.calendars().first() else {
                    return Ok(None);
                };
                let calendar = replaced
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(calendar, |(_, c)| c);
                match &self.time_zone {
                    Some(zone) => calendar
                        .in_time_zone(zone)
                        .map(Some)
                        .map_err(|e| refuse("--time-zone", e.to_string())),
                    None => Ok(Some(calendar.clone())),
                }
            })
            .collect()
    }

    /// Writes a report or a digest in the chosen format on standard output.
    fn print(&self, markdown: String, value: &impl serde::Serialize) -> Outcome {
        let mut out = Output::stdout();
        match self.format {
            ReportFormat::Markdown => out.text(&markdown)?,
            ReportFormat::Json => out.json(value)?,
        }
        out.finish()?;
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// A Markdown document for people.
    Markdown,
    /// One JSON document.
    Json,
}

pub fn run(options: Options) -> Outcome {
    let playbook = crate::load(&options.playbook)?;
    let words = options.shared.vocabulary(&playbook)?;
    let lines = read_timeline(&options.timeline)?;
    let refuse = |message: String| {
        say!("error: {}: {message}", options.timeline.display());
        ExitCode::from(FINDINGS)
    };
    let mut runs = by_playbook(lines);
    let events = match runs
        .iter()
        .position(|(id, _)| id.as_deref().is_none_or(|id| id == playbook.id()))
    {
        Some(found) => runs.swap_remove(found).1,
        None => {
            let ids: Vec<String> = runs.into_iter().filter_map(|(id, _)| id).collect();
            return Err(refuse(format!(
                "holds the events of {}, not of `{}`: give one of them with --playbook",
                ids.join(", "),
                playbook.id()
            )));
        }
    };
    source(std::slice::from_ref(&playbook), &events).map_err(refuse)?;
    let office = options
        .shared
        .offices(std::slice::from_ref(&playbook))?
        .pop()
        .flatten();
    let report = Report::from_timeline_on(&playbook, &events, &words, office.as_ref());
    options.shared.print(report.markdown_in(&words), &report)
}

/// A line of a stored timeline: an event, and the playbook that emitted it when the timeline
/// comes from several (`simulate --with`).
#[derive(serde::Deserialize)]
struct Line {
    #[serde(default)]
    playbook: Option<String>,
    #[serde(flatten)]
    event: Event,
}

/// The events of a timeline, one list per playbook named, in the order first seen; a
/// timeline of one playbook gives one list, named `None`.
fn by_playbook(lines: Vec<Line>) -> Vec<(Option<String>, Vec<Event>)> {
    let mut runs: Vec<(Option<String>, Vec<Event>)> = Vec::new();
    for line in lines {
        match runs.iter_mut().find(|(id, _)| *id == line.playbook) {
            Some((_, events)) => events.push(line.event),
            None => runs.push((line.playbook, vec![line.event])),
        }
    }
    runs
}

/// Reads a stored timeline: one JSON event per line.
fn read_timeline(path: &Path) -> Result<Vec<Line>, ExitCode> {
    let stop = |code: u8, message: String| {
        say!("error: {message}");
        ExitCode::from(code)
    };
    let file = files::open(path).map_err(|e| stop(INPUT, e.to_string()))?;
    let mut events = Vec::new();
    for line in files::lines(file) {
        let (number, line) =
            line.map_err(|e| stop(FINDINGS, format!("{}: {e}", path.display())))?;
        if line.trim().is_empty() {
            continue;
        }
        let event: Line = serde_json::from_str(&line).map_err(|e| {
            stop(
                FINDINGS,
                format!("{}: line {number}: not an event: {e}", path.display()),
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
    /// The playbooks the timelines come from; give it once per playbook. Each timeline goes to
    /// the one playbook whose states and actions it names.
    #[arg(long, required = true)]
    playbook: Vec<PathBuf>,
    /// Only incidents that started at or after this time (RFC 3339).
    #[arg(long, requires = "until")]
    since: Option<Timestamp>,
    /// Only incidents that started before this time (RFC 3339).
    #[arg(long, requires = "since")]
    until: Option<Timestamp>,
    #[command(flatten)]
    shared: Shared,
}

pub fn digest(options: DigestOptions) -> Outcome {
    let playbooks = options
        .playbook
        .iter()
        .map(crate::load)
        .collect::<Result<Vec<Playbook>, ExitCode>>()?;
    let words = options.shared.vocabulary(&playbooks[0])?;
    let offices = options.shared.offices(&playbooks)?;
    let mut timelines = Vec::new();
    for path in &options.timelines {
        if path.is_dir() {
            let found = files::walk(path, 1).map_err(|e| {
                say!("error: {e}");
                ExitCode::from(INPUT)
            })?;
            timelines.extend(
                found
                    .into_iter()
                    .filter(|p| p.to_string_lossy().ends_with(".timeline.jsonl")),
            );
        } else {
            timelines.push(path.clone());
        }
    }
    let mut reports = Vec::new();
    for file in timelines {
        let name = file
            .file_name()
            .map_or(String::new(), |s| s.to_string_lossy().into_owned());
        let subject = name
            .trim_end_matches(".jsonl")
            .trim_end_matches(".timeline")
            .to_string();
        let refuse = |message: String| {
            say!("error: {}: {message}", file.display());
            ExitCode::from(FINDINGS)
        };
        // A timeline of several playbooks (`simulate --with`) is one incident per playbook.
        for (id, events) in by_playbook(read_timeline(&file)?) {
            let candidates: Vec<Playbook> = match &id {
                Some(id) => playbooks.iter().filter(|p| p.id() == id).cloned().collect(),
                None => playbooks.clone(),
            };
            if candidates.is_empty() {
                return Err(refuse(format!(
                    "holds the events of playbook `{}`: pass its file with --playbook",
                    id.unwrap_or_default()
                )));
            }
            let playbook = source(&candidates, &events).map_err(refuse)?;
            let office = playbooks
                .iter()
                .position(|p| p.id() == playbook.id())
                .and_then(|index| offices.get(index)?.as_ref());
            reports.push((
                subject.clone(),
                Report::from_timeline_on(playbook, &events, &words, office),
            ));
        }
    }
    let digest = match (options.since, options.until) {
        (Some(since), Some(until)) => {
            Digest::from_reports_between(&reports, &words.locale, since, until)
        }
        _ => Digest::from_reports(&reports, &words.locale),
    };
    options.shared.print(digest.markdown_in(&words), &digest)
}

/// The playbook a timeline comes from: the only one with every state and action it names. A
/// timeline that names none (a quiet run) is no incident, whichever playbook reads it.
fn source<'p>(playbooks: &'p [Playbook], events: &[Event]) -> Result<&'p Playbook, String> {
    let fits = |playbook: &Playbook| {
        let state = |name: &str| playbook.state_named(name).is_some();
        events.iter().all(|e| match &e.kind {
            EventKind::Transition { from, to, .. } => state(from) && state(to),
            EventKind::Action {
                state: s, action, ..
            } => playbook
                .state_named(s)
                .is_some_and(|id| playbook.state(id).actions.iter().any(|a| a.id == *action)),
            _ => true,
        })
    };
    let fitting: Vec<&Playbook> = playbooks.iter().filter(|p| fits(p)).collect();
    match fitting.as_slice() {
        [one] => Ok(one),
        [] => Err(
            "names states or actions that none of the playbooks given has; pass the \
                   playbook it comes from with --playbook"
                .to_string(),
        ),
        _ if events
            .iter()
            .all(|e| !matches!(e.kind, EventKind::Transition { .. })) =>
        {
            Ok(fitting[0])
        }
        several => Err(format!(
            "fits several playbooks ({}): digest them in separate calls",
            several
                .iter()
                .map(|p| p.id())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
