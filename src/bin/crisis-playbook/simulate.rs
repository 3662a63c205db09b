//! `crisis-playbook simulate`: replays a signal trace through a playbook, streaming the
//! timeline.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crisis_playbook::files;
use crisis_playbook::timeline::{format_event, format_event_local};
use crisis_playbook::trace::{Record, TraceError, TraceReader};
use crisis_playbook::{
    Event, ParameterValue, Playbook, Run, RunSet, RunSetEvent, RunSettings, TimeZone, Timestamp,
};

use clap::{Args, ValueEnum};

use crate::output::Output;
use crate::{FINDINGS, INPUT, Outcome};

/// The arguments of `simulate`.
#[derive(Args)]
pub struct Options {
    /// The playbook file.
    playbook: PathBuf,
    /// The trace: `.jsonl`, or `.csv` with a `timestamp` column.
    #[arg(long)]
    signals: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    format: SimulateFormat,
    /// The subject the run is about.
    #[arg(long, default_value = "demo")]
    subject: String,
    /// Locale of the texts (default: the playbook's).
    #[arg(long)]
    locale: Option<String>,
    /// Override a parameter, as `name=value`: `ratio=3`, `share=30%`, `grace=1h`; repeatable.
    #[arg(long = "param", value_parser = parse_parameter)]
    parameters: Vec<(String, ParameterValue)>,
    /// The subject's time zone (IANA, such as `America/Toronto`): the playbook's calendars
    /// count their hours there. Text lines show local times in it, or in the playbook's
    /// first calendar's zone.
    #[arg(long)]
    time_zone: Option<String>,
    /// The subject's own hours for one of the playbook's calendars, as `NAME=FILE`: a file
    /// holding one calendar written as under `calendars:` (`office=montreal.yaml`); repeatable.
    #[arg(long = "calendar", value_name = "NAME=FILE", value_parser = crate::parse_calendar_arg)]
    calendars: Vec<(String, PathBuf)>,
    /// After the trace, advance the clock to this time (RFC 3339).
    #[arg(long)]
    until: Option<Timestamp>,
    /// Another playbook to run beside it for the same subject, on the same trace: one it hands
    /// over to, or one whose severity inhibits it; repeatable. Each event line then names its
    /// playbook.
    #[arg(long = "with")]
    with: Vec<PathBuf>,
}

/// How `simulate` prints the timeline.
#[derive(Clone, Copy, ValueEnum)]
enum SimulateFormat {
    /// Aligned lines for people.
    Text,
    /// One JSON event per line.
    Jsonl,
}

fn parse_parameter(text: &str) -> Result<(String, ParameterValue), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not `name=value`"))?;
    let value = value.parse::<ParameterValue>().map_err(|e| e.to_string())?;
    Ok((name.trim().to_string(), value))
}

pub fn run(options: Options) -> Outcome {
    let playbook = crate::load(&options.playbook)?;
    // As `lint` would: a weak detector makes the replay alert on ordinary days.
    for warning in playbook.warnings() {
        say!("{warning}");
    }
    let file = files::open(&options.signals).map_err(|e| {
        say!("error: {e}");
        ExitCode::from(INPUT)
    })?;
    let records: Box<dyn Iterator<Item = Result<Record, TraceError>>> = if is_csv(&options.signals)
    {
        Box::new(TraceReader::csv(file).map_err(|e| fail(&options.signals, &e))?)
    } else {
        Box::new(TraceReader::jsonl(file))
    };
    let mut settings = RunSettings::new(options.subject.clone());
    if let Some(locale) = &options.locale {
        settings = settings.locale(locale.clone());
    }
    for (name, value) in &options.parameters {
        settings = settings.parameter(name.clone(), *value);
    }
    if let Some(zone) = &options.time_zone {
        settings = settings.time_zone(zone.clone());
    }
    for (name, calendar) in crate::read_calendars(&options.calendars)? {
        settings = settings.calendar(name, calendar);
    }
    let mut out = Output::stdout();
    if !options.with.is_empty() {
        return beside(&options, playbook, settings, records, out);
    }
    let mut run: Option<Run> = None;
    // Where the run's people are: text lines show their local time beside UTC.
    let mut zone: Option<TimeZone> = None;
    let mut count = 0usize;
    for record in records {
        let record = record.map_err(|e| fail(&options.signals, &e))?;
        let live = match &mut run {
            Some(run) => run,
            None => {
                let started =
                    Run::with_settings(&playbook, settings.clone(), record.at).map_err(|e| {
                        say!("error: {e}");
                        ExitCode::from(INPUT)
                    })?;
                let started = run.insert(started);
                zone = started.time_zone().and_then(|z| TimeZone::named(z).ok());
                print(&mut out, options.format, zone.as_ref(), started.events())?;
                started
            }
        };
        match record.apply(live) {
            Ok(events) => print(&mut out, options.format, zone.as_ref(), events)?,
            Err(e) => {
                // The timeline up to the bad record is still worth having.
                out.finish()?;
                return Err(fail(&options.signals, &e));
            }
        }
        count += 1;
    }
    let Some(mut run) = run else {
        say!("error: {} holds no signals", options.signals.display());
        return Err(ExitCode::from(FINDINGS));
    };
    if let Some(until) = options.until {
        let events = run.advance_to(until).to_vec();
        print(&mut out, options.format, zone.as_ref(), &events)?;
    }
    out.finish()?;
    say!(
        "{count} signals replayed; `{}` ends in `{}` (severity {}) at {}",
        options.subject,
        run.state_name(),
        run.severity(),
        run.now()
    );
    Ok(ExitCode::SUCCESS)
}

/// The simulation of several playbooks for one subject: a run set, started at the first
/// record, the `--with` playbooks first.
fn beside(
    options: &Options,
    playbook: Playbook,
    settings: RunSettings,
    records: Box<dyn Iterator<Item = Result<Record, TraceError>>>,
    mut out: Output,
) -> Outcome {
    let refused = |e: &dyn std::fmt::Display| {
        say!("error: {e}");
        ExitCode::from(INPUT)
    };
    let mut playbooks = vec![playbook.clone()];
    for path in &options.with {
        playbooks.push(crate::load(path)?);
    }
    let mut set = RunSet::new(&options.subject, &playbooks).map_err(|e| refused(&e))?;
    // The time column starts at one place on every line, whichever playbook speaks.
    let width = playbooks.iter().map(|p| p.id().len()).max().unwrap_or(0);
    set.configure(playbook.id(), settings)
        .map_err(|e| refused(&e))?;
    let mut started = false;
    let mut count = 0usize;
    for record in records {
        let record = record.map_err(|e| fail(&options.signals, &e))?;
        if !started {
            started = true;
            // Those the first playbook hands over to start when it does.
            let handed = playbook.hand_over_targets();
            let others = playbooks
                .iter()
                .skip(1)
                .filter(|p| !handed.contains(&p.id()));
            for other in others.chain([&playbook]) {
                let events = set.start(other.id(), record.at).map_err(|e| refused(&e))?;
                print_set(&mut out, options.format, events, width)?;
            }
        }
        match set.apply(&record) {
            Ok(events) => print_set(&mut out, options.format, events, width)?,
            Err(e) => {
                out.finish()?;
                say!("error: {}: {e}", options.signals.display());
                return Err(ExitCode::from(FINDINGS));
            }
        }
        count += 1;
    }
    if !started {
        say!("error: {} holds no signals", options.signals.display());
        return Err(ExitCode::from(FINDINGS));
    }
    if let Some(until) = options.until {
        let events = set.advance_to(until).to_vec();
        print_set(&mut out, options.format, &events, width)?;
    }
    out.finish()?;
    let ends: Vec<String> = set
        .playbooks()
        .filter_map(|p| set.run(p.id()))
        .map(|run| {
            format!(
                "`{}` in `{}` (severity {})",
                run.playbook().id(),
                run.state_name(),
                run.severity()
            )
        })
        .collect();
    say!(
        "{count} signals replayed; `{}` ends with {}",
        options.subject,
        ends.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints a set's events; in text, each after its playbook's id padded to `width`.
fn print_set(
    out: &mut Output,
    format: SimulateFormat,
    events: &[RunSetEvent],
    width: usize,
) -> Result<(), ExitCode> {
    for event in events {
        match format {
            SimulateFormat::Text => out.line(format!("{event:width$}"))?,
            SimulateFormat::Jsonl => out.line(serde_json::to_string(event).unwrap_or_default())?,
        }
    }
    Ok(())
}

fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "csv")
}

fn fail(path: &Path, error: &TraceError) -> ExitCode {
    say!("error: {}: {error}", path.display());
    ExitCode::from(FINDINGS)
}

fn print(
    out: &mut Output,
    format: SimulateFormat,
    zone: Option<&TimeZone>,
    events: &[Event],
) -> Result<(), ExitCode> {
    for event in events {
        match (format, zone) {
            (SimulateFormat::Text, Some(zone)) => out.line(format_event_local(event, zone))?,
            (SimulateFormat::Text, None) => out.line(format_event(event))?,
            (SimulateFormat::Jsonl, _) => {
                out.line(serde_json::to_string(event).unwrap_or_default())?;
            }
        }
    }
    Ok(())
}
