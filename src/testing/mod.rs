//! Scenario tests: replay signals on a simulated clock and assert what a playbook does.
//!
//! A scenario file names a playbook, feeds it series, events and people's inputs, and lists
//! expectations: states at given times, transitions, actions (owner, deadline, text),
//! escalations and breaches within intervals, things that must never happen, and the final
//! state. `docs/scenario-format.md` documents the format.
//!
//! A team's whole suite is one test, such as `tests/crisis_playbooks.rs` holding this function
//! marked `#[test]`:
//!
//! ```
//! fn crisis_playbooks_behave() {
//!     crisis_playbook::testing::assert_scenarios("playbooks/");
//! }
//! # crisis_playbooks_behave();
//! ```
//!
//! It panics with the report of every failed expectation: what was expected, what happened,
//! and the timeline around it.

mod check;
pub mod coverage;
pub(crate) mod format;
pub mod mutants;
mod report;
pub(crate) mod series;

use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic, LoadError, Severity, suggestion};
use crate::load::format::QuantityDoc;
use crate::model::{ParameterValue, Playbook, SignalKind, StateId};
use crate::run::{Run, RunError, RunSettings};
use crate::trace::TraceError;
use crate::trace::{OwnedAttributeValue, Record, RecordValue};
use crate::yaml::{Entries, Located, Position, Source};
use crate::{Duration, Event, InhibitionMode, RunSet, RunSetError, RunSetEvent, Timestamp};
use crate::{Limits, Loader};
pub use check::{Check, Failure};
use format::{ExpectDoc, ScenarioDoc};
pub use report::{ScenarioResult, SuiteFinding, SuiteReport, junit, junit_with};

/// One scenario, loaded and checked against its playbook.
///
/// ```
/// # use crisis_playbook::testing;
/// # use std::path::{Path, PathBuf};
/// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
/// let scenario = &scenarios[0];
/// assert_eq!(scenario.name, "a rise opens a watch that closes by itself");
/// assert_eq!(scenario.playbook.id(), "negative-comment-storm");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Its name.
    pub name: String,
    /// The file it comes from, as given.
    pub file: String,
    /// Its line in the file.
    pub line: u32,
    /// The playbook under test.
    pub playbook: Playbook,
    /// The playbook's file.
    pub playbook_path: PathBuf,
    /// The playbooks run beside it for the same subject (`with:`), which it hands over to or
    /// is inhibited by; empty for most scenarios.
    pub with: Vec<Playbook>,
    settings: RunSettings,
    start: Timestamp,
    end: Option<Timestamp>,
    records: Vec<Record>,
    /// What the playbook must do.
    pub checks: Vec<Check>,
    timeline: Option<(PathBuf, String)>,
}

/// The events of one replay, with what the checks need to know about it.
///
/// ```
/// # use crisis_playbook::testing;
/// # use std::path::{Path, PathBuf};
/// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
/// let scenario = &scenarios[0];
/// let timeline = scenario.replay_on(&scenario.playbook)?;
/// assert_eq!(timeline.initial, "monitoring");
/// assert!(timeline.events.iter().any(|e| e.kind.name() == "transition"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Replay {
    /// The initial state's name.
    pub initial: String,
    /// When the replay started.
    pub start: Timestamp,
    /// When it ended.
    pub end: Timestamp,
    /// Every event, in order.
    pub events: Vec<Event>,
}

impl Replay {
    /// The top-level state at `at`, after everything that happened at `at`.
    ///
    /// ```
    /// # use crisis_playbook::testing;
    /// # use std::path::{Path, PathBuf};
    /// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
    /// let scenario = &scenarios[0];
    /// let timeline = scenario.replay_on(&scenario.playbook)?;
    /// assert_eq!(timeline.state_at(timeline.start), "monitoring");
    /// assert_eq!(timeline.state_at(timeline.end), "monitoring");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state_at(&self, at: Timestamp) -> &str {
        self.active_at(at).top()
    }

    /// Every state the run is in at `at`, after everything that happened at `at`: the
    /// top-level state, then each running track's, in the order the tracks started.
    ///
    /// ```
    /// # use crisis_playbook::testing;
    /// # use std::path::{Path, PathBuf};
    /// let scenarios = testing::load_file(Path::new("playbooks/data-breach-or-recall/breach.yaml"))?;
    /// let scenario = &scenarios[0];
    /// let timeline = scenario.replay_on(&scenario.playbook)?;
    /// let during = timeline.start + crisis_playbook::Duration::from_secs(25 * 3600);
    /// assert_eq!(timeline.states_at(during), ["breach", "legal.notifying", "comms.holding", "care.answering"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn states_at(&self, at: Timestamp) -> Vec<&str> {
        self.active_at(at).states().collect()
    }

    fn active_at(&self, at: Timestamp) -> crate::timeline::ActiveStates<'_> {
        let mut active = crate::timeline::ActiveStates::new(&self.initial);
        for event in self.events.iter().take_while(|e| e.at <= at) {
            active.follow(event);
        }
        active
    }
}

/// Why a scenario could not be replayed to the end, or its timeline not written.
///
/// A replay that fails is not a failed check: the playbook refused the scenario's settings or
/// one of its signals (a mutant can have other bounds than the playbook the scenario was
/// written for), or the timeline file could not be written.
///
/// ```
/// # use crisis_playbook::testing;
/// # use std::path::Path;
/// let text = "scenario: x\nplaybook: negative-comment-storm.yaml\nstart: 2026-03-02T00:00:00Z\nstep: 5m\nsignals: { mentions: 20x3 }\nexpect: [{ final: monitoring }]\n";
/// let scenario = &testing::load_text(text, "x.yaml", Path::new("playbooks"))?[0];
/// let tone_deaf = crisis_playbook::Playbook::from_path("playbooks/tone-deaf-post.yaml")?;
/// let err = scenario.replay_on(&tone_deaf).unwrap_err();
/// assert!(err.is_refused());
/// assert_eq!(err.line(), Some(5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[error(transparent)]
pub struct ScenarioError(ScenarioErrorKind);

#[derive(Clone, Debug, thiserror::Error)]
enum ScenarioErrorKind {
    #[error(transparent)]
    Settings(RunError),
    #[error(transparent)]
    Record(TraceError),
    /// The run set of a scenario with `with:` playbooks refused a record or a start.
    #[error(transparent)]
    Set(RunSetError),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::sync::Arc<std::io::Error>,
    },
}

impl ScenarioError {
    /// The playbook refused the scenario's settings or one of its signals.
    pub fn is_refused(&self) -> bool {
        !self.is_write()
    }

    /// The timeline file could not be written.
    pub fn is_write(&self) -> bool {
        matches!(self.0, ScenarioErrorKind::Write { .. })
    }

    /// What the run refused, with its own predicates.
    pub fn run_error(&self) -> Option<&RunError> {
        match &self.0 {
            ScenarioErrorKind::Settings(error) => Some(error),
            ScenarioErrorKind::Record(error) => error.run_error(),
            ScenarioErrorKind::Set(error) => error.run_error(),
            ScenarioErrorKind::Write { .. } => None,
        }
    }

    /// The line of the scenario file whose signal was refused.
    pub fn line(&self) -> Option<usize> {
        match &self.0 {
            ScenarioErrorKind::Record(error) => error.line(),
            ScenarioErrorKind::Settings(_)
            | ScenarioErrorKind::Set(_)
            | ScenarioErrorKind::Write { .. } => None,
        }
    }
}

impl Scenario {
    /// Replays the scenario on `playbook` (its own, or a mutant of it) and returns the timeline.
    ///
    /// ```
    /// # use crisis_playbook::testing;
    /// # use std::path::{Path, PathBuf};
    /// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
    /// let scenario = &scenarios[0];
    /// // The same signals on another version of the playbook: a mutant, or next week's draft.
    /// let stricter = scenario.playbook.clone();
    /// let timeline = scenario.replay_on(&stricter)?;
    /// assert!(timeline.end > timeline.start);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replay_on(&self, playbook: &Playbook) -> Result<Replay, ScenarioError> {
        if !self.with.is_empty() {
            return self.replay_with_others(playbook);
        }
        let mut run = Run::with_settings(playbook, self.settings.clone(), self.start)
            .map_err(|e| ScenarioError(ScenarioErrorKind::Settings(e)))?;
        let mut events = run.events().to_vec();
        for record in &self.records {
            let new = record
                .apply(&mut run)
                .map_err(|e| ScenarioError(ScenarioErrorKind::Record(e)))?;
            events.extend_from_slice(new);
        }
        let end = self.end.unwrap_or_else(|| run.now());
        events.extend_from_slice(run.advance_to(end));
        Ok(Replay {
            initial: playbook.state(playbook.initial()).name.clone(),
            start: self.start,
            end: end.max(run.now()),
            events,
        })
    }

    /// The replay of a scenario with `with:` playbooks: a [`RunSet`] of all of them, of which
    /// the timeline keeps the events of the playbook under test.
    fn replay_with_others(&self, playbook: &Playbook) -> Result<Replay, ScenarioError> {
        let refused = |e: RunSetError| ScenarioError(ScenarioErrorKind::Set(e));
        let mut all = vec![playbook.clone()];
        all.extend(self.with.iter().cloned());
        let mut set = RunSet::new(&self.settings.subject, &all).map_err(refused)?;
        set.configure(playbook.id(), self.settings.clone())
            .map_err(refused)?;
        let mut events: Vec<Event> = Vec::new();
        // The timeline is the first run of the playbook under test: a hand-over that starts it
        // again after it ended begins another run, which the expectations are not about.
        let mut keep = |new: &[RunSetEvent]| {
            for event in new.iter().filter(|e| e.playbook == playbook.id()) {
                let ended = events
                    .last()
                    .is_some_and(|e| matches!(e.kind, crate::EventKind::Resolved { .. }));
                if !ended {
                    events.push(event.event.clone());
                }
            }
        };
        // Those it hands over to start when it does.
        let handed = playbook.hand_over_targets();
        for other in self.with.iter().filter(|p| !handed.contains(&p.id())) {
            keep(set.start(other.id(), self.start).map_err(refused)?);
        }
        keep(set.start(playbook.id(), self.start).map_err(refused)?);
        for record in &self.records {
            keep(set.apply(record).map_err(refused)?);
        }
        let now = set.run(playbook.id()).map_or(self.start, Run::now);
        let end = self.end.unwrap_or(now);
        keep(set.advance_to(end));
        let now = set.run(playbook.id()).map_or(end, Run::now);
        Ok(Replay {
            initial: playbook.state(playbook.initial()).name.clone(),
            start: self.start,
            end: end.max(now),
            events,
        })
    }

    /// Replays the scenario and writes its timeline to the file its `timeline:` key names;
    /// returns that file, or `None` when the scenario stores no timeline.
    ///
    /// ```
    /// # use crisis_playbook::testing;
    /// # use std::path::Path;
    /// let text = "scenario: x\nplaybook: negative-comment-storm.yaml\nstart: 2026-03-02T00:00:00Z\nstep: 5m\nsignals: { mentions: 20x3 }\nexpect: [{ final: monitoring }]\n";
    /// let scenarios = testing::load_text(text, "x.yaml", Path::new("playbooks"))?;
    /// assert_eq!(scenarios[0].write_timeline()?, None, "no `timeline:` key, nothing written");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_timeline(&self) -> Result<Option<PathBuf>, ScenarioError> {
        let Some((path, _)) = &self.timeline else {
            return Ok(None);
        };
        let timeline = self.replay_on(&self.playbook)?;
        std::fs::write(path, report::jsonl(&timeline)).map_err(|source| {
            ScenarioError(ScenarioErrorKind::Write {
                path: path.clone(),
                source: std::sync::Arc::new(source),
            })
        })?;
        Ok(Some(path.clone()))
    }

    /// Replays the scenario and checks every expectation.
    ///
    /// ```
    /// # use crisis_playbook::testing;
    /// # use std::path::{Path, PathBuf};
    /// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
    /// let scenario = &scenarios[0];
    /// let result = scenario.run();
    /// assert!(result.passed(), "{:?}", result.failures);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(&self) -> ScenarioResult {
        let outcome = self.replay_on(&self.playbook);
        report::result(self, outcome)
    }
}

/// Runs every scenario under `path` (a file or a folder) and panics with a readable report
/// if any fails or cannot be loaded: the one line a team's `#[test]` needs.
///
/// ```
/// crisis_playbook::testing::assert_scenarios("playbooks/tone-deaf-post/");
/// ```
pub fn assert_scenarios(path: impl AsRef<Path>) {
    let paths = [path.as_ref().to_path_buf()];
    match run_paths(&paths, None) {
        Ok(report) if report.passed() => {}
        Ok(report) => panic!("\n{}", report.text()),
        Err(err) => panic!("\ninvalid scenarios:\n{err}"),
    }
}

/// Loads and runs every scenario found under `paths` whose name contains `filter`.
///
/// ```
/// # use std::path::PathBuf;
/// let report = crisis_playbook::testing::run_paths(&[PathBuf::from("playbooks/")], Some("change nothing"))?;
/// assert_eq!(report.counts(), (3, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_paths(paths: &[PathBuf], filter: Option<&str>) -> Result<SuiteReport, LoadError> {
    let scenarios = load_paths(paths)?;
    let results = scenarios
        .iter()
        .filter(|s| filter.is_none_or(|f| s.name.contains(f)))
        .map(Scenario::run)
        .collect();
    Ok(SuiteReport { results })
}

/// Loads every scenario file under `paths`: files named directly, and the YAML files whose
/// top-level key is `scenario` or `scenarios` in the folders named. All load errors are
/// collected.
///
/// ```
/// # use std::path::PathBuf;
/// let scenarios = crisis_playbook::testing::load_paths(&[PathBuf::from("playbooks/account-compromise")])?;
/// assert_eq!(scenarios.len(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_paths(paths: &[PathBuf]) -> Result<Vec<Scenario>, LoadError> {
    let mut scenarios = Vec::new();
    let mut diagnostics = Vec::new();
    for (_, loaded) in load_each(paths)? {
        match loaded {
            Ok(found) => scenarios.extend(found),
            Err(err) => diagnostics.extend(err.diagnostics().iter().cloned()),
        }
    }
    if diagnostics.is_empty() {
        Ok(scenarios)
    } else {
        Err(LoadError::new(diagnostics))
    }
}

/// Loads the scenario files under `paths` one by one, as [`load_paths`] finds them: each file
/// with its scenarios or why they could not be loaded, so that a caller can run the valid files
/// and report the others. A path that cannot be found or read fails the whole.
///
/// ```
/// # use std::path::PathBuf;
/// let bad = std::env::temp_dir().join(format!("bad-step-{}.yaml", std::process::id()));
/// std::fs::write(&bad, "scenario: a step of zero\nplaybook: storm.yaml\nstep: 0m\n")?;
/// let paths = [PathBuf::from("playbooks/tone-deaf-post"), bad.clone()];
/// let loaded = crisis_playbook::testing::load_each(&paths)?;
/// # std::fs::remove_file(&bad)?;
/// assert_eq!(loaded.len(), 2);
/// assert_eq!(loaded[0].1.as_ref().map(Vec::len).ok(), Some(5));
/// assert!(loaded[1].1.is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_each(paths: &[PathBuf]) -> Result<Vec<ScenarioFile>, LoadError> {
    let files = crate::files::select(paths, crate::files::FileKind::Scenario)
        .map_err(|e| crate::load::file_error(&e.path.display().to_string(), e.problem))?;
    Ok(files
        .into_iter()
        .map(|file| {
            let loaded = load_file(&file);
            (file, loaded)
        })
        .collect())
}

/// A parameter value as a scenario writes it: a number, or text such as `30m` or `40%`.
fn quantity(value: &QuantityDoc) -> Result<ParameterValue, crate::ParameterValueError> {
    match value {
        QuantityDoc::Number(n) => Ok(ParameterValue::Number(*n)),
        QuantityDoc::Text(text) => text.parse(),
    }
}

/// A scenario file, with its scenarios or why they could not be loaded.
pub type ScenarioFile = (PathBuf, Result<Vec<Scenario>, LoadError>);

fn diagnostic(file: &str, at: Position, path: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::at(Severity::Error, Code::InvalidValue, file, at, path, message)
}

/// Loads one scenario file, with the playbooks it names.
///
/// ```
/// # use std::path::Path;
/// let scenarios = crisis_playbook::testing::load_file(Path::new("playbooks/data-breach-or-recall/recall.yaml"))?;
/// assert_eq!(scenarios.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_file(path: &Path) -> Result<Vec<Scenario>, LoadError> {
    let file = path.display().to_string();
    let text = crate::files::read_text(path, Limits::default().max_bytes)
        .map_err(|e| crate::load::file_error(&file, e.problem))?;
    load_text(&text, &file, path.parent().unwrap_or(Path::new(".")))
}

/// Loads scenarios from YAML text; playbook paths are relative to `base`.
///
/// ```
/// # use std::path::Path;
/// let text = "scenario: x\nplaybook: negative-comment-storm.yaml\nstart: 2026-03-02T00:00:00Z\nstep: 5m\nsignals: { mentionz: 20x3 }\nexpect: []\n";
/// let err = crisis_playbook::testing::load_text(text, "x.yaml", Path::new("playbooks")).unwrap_err();
/// assert!(err.to_string().contains("has no signal `mentionz`; did you mean `mentions`?"), "{err}");
/// ```
pub fn load_text(text: &str, file: &str, base: &Path) -> Result<Vec<Scenario>, LoadError> {
    let limits = Limits::default();
    let doc: ScenarioDoc = crate::yaml::parse(text, &limits)
        .map_err(|e| LoadError::new(vec![e.into_diagnostic(text, &limits, file)]))?;
    let mut compiler = Compiler {
        file,
        source: Source::new(text),
        base,
        diagnostics: Vec::new(),
        playbooks: Vec::new(),
        points: 0,
        time_zone: None,
    };
    let mut scenarios = Vec::new();
    match &doc.scenarios {
        Some(list) => {
            if let Some(name) = &doc.scenario {
                compiler.error(
                    name.at,
                    "scenario",
                    "give `scenario` (one) or `scenarios` (several), not both",
                );
            }
            for (index, item) in list.iter().enumerate() {
                let path = format!("scenarios[{index}]");
                if item.value.scenarios.is_some() {
                    compiler.error(item.at, &path, "scenarios cannot nest");
                    continue;
                }
                scenarios.extend(compiler.scenario(&item.value, &doc, item.at, &path));
            }
        }
        None => scenarios.extend(compiler.scenario(
            &doc,
            &ScenarioDoc::default(),
            Position { line: 1, column: 1 },
            "",
        )),
    }
    if compiler.diagnostics.is_empty() {
        Ok(scenarios)
    } else {
        Err(LoadError::new(compiler.diagnostics))
    }
}

struct Compiler<'a> {
    file: &'a str,
    source: Source<'a>,
    base: &'a Path,
    diagnostics: Vec<Diagnostic>,
    playbooks: Vec<(PathBuf, Playbook)>,
    /// The series points expanded so far, all scenarios of the file together.
    points: usize,
    /// The time zone of the scenario being read, in which times without a zone are local.
    time_zone: Option<String>,
}

/// The top level's entries that a scenario does not give itself, then the scenario's: its own
/// series or calendar replaces the top level's of the same name.
fn merged<'d, T>(
    shared: &'d Entries<T>,
    own: &'d Entries<T>,
) -> impl Iterator<Item = &'d (Located<String>, T)> {
    let inherited = shared
        .0
        .iter()
        .filter(|(name, _)| !own.0.iter().any(|(n, _)| n.value == name.value));
    inherited.chain(own.0.iter())
}

/// Whether a scenario writes a time here rather than a duration: a time starts with its
/// four-digit year (`2026-03-29T01:30`), a duration with a number and a unit (`49h30m`).
fn is_time(text: &str) -> bool {
    text.trim().as_bytes().get(4) == Some(&b'-')
}

/// The key of a scenario, or the top level's when the scenario leaves it out.
fn either<'d, T>(own: &'d Option<T>, shared: &'d Option<T>) -> Option<&'d T> {
    own.as_ref().or(shared.as_ref())
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Compiler<'_> {
    fn error(&mut self, at: Position, path: &str, message: impl Into<String>) {
        self.diagnostics
            .push(diagnostic(self.file, at, path, message));
    }

    fn error_code(&mut self, code: Code, at: Position, path: &str, message: impl Into<String>) {
        let mut found = diagnostic(self.file, at, path, message);
        found.code = code;
        self.diagnostics.push(found);
    }

    fn playbook(&mut self, name: &Located<String>, path: &str) -> Option<(PathBuf, Playbook)> {
        let file = self.base.join(&name.value);
        if let Some((_, found)) = self.playbooks.iter().find(|(p, _)| *p == file) {
            return Some((file, found.clone()));
        }
        match Loader::new().load_path(&file) {
            Ok(playbook) => {
                self.playbooks.push((file.clone(), playbook.clone()));
                Some((file, playbook))
            }
            Err(err) => {
                let first = err
                    .errors()
                    .next()
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                self.error_code(
                    Code::UnknownReference,
                    name.at,
                    path,
                    format!("the playbook `{}` does not load: {first}", name.value),
                );
                None
            }
        }
    }

    /// An offset from `start` (`49h30m`), or a time (`2026-03-29T01:30 Europe/Paris`).
    fn offset(
        &mut self,
        start: Timestamp,
        value: &Located<String>,
        path: &str,
    ) -> Option<Timestamp> {
        if is_time(&value.value) {
            return self.time(value, path);
        }
        match value.value.trim().parse::<Duration>() {
            Ok(offset) => Some(start + offset),
            Err(e) => {
                self.error_code(
                    Code::InvalidDuration,
                    value.at,
                    path,
                    format!("`{}` is not an offset from `start`: {e}", value.value),
                );
                None
            }
        }
    }

    /// A time: RFC 3339, or a local time with its zone or in the scenario's `time_zone`.
    fn time(&mut self, value: &Located<String>, path: &str) -> Option<Timestamp> {
        match crate::calendar::parse_time(&value.value, self.time_zone.as_deref()) {
            Ok(time) => Some(time),
            Err(message) => {
                self.error(value.at, path, message);
                None
            }
        }
    }

    fn state(
        &mut self,
        playbook: &Playbook,
        name: &Located<String>,
        path: &str,
    ) -> Option<StateId> {
        let names = playbook.states().iter().map(|s| s.name.as_str()).collect();
        if self.known("state", names, playbook, name, path) {
            playbook.state_named(&name.value)
        } else {
            None
        }
    }

    fn known(
        &mut self,
        what: &str,
        names: Vec<&str>,
        playbook: &Playbook,
        name: &Located<String>,
        path: &str,
    ) -> bool {
        if names.contains(&name.value.as_str()) {
            return true;
        }
        let hint = suggestion(&name.value, names.iter().copied()).unwrap_or_default();
        self.error_code(
            Code::UnknownReference,
            name.at,
            path,
            format!(
                "playbook `{}` has no {what} `{}`{hint}",
                playbook.id(),
                name.value
            ),
        );
        false
    }

    /// A duration, or an error at its place.
    fn duration(&mut self, value: &Located<String>, path: &str) -> Option<Duration> {
        match value.value.parse::<Duration>() {
            Ok(duration) => Some(duration),
            Err(e) => {
                let message = format!("bad duration `{}`: {e}", value.value);
                self.error_code(Code::InvalidDuration, value.at, path, message);
                None
            }
        }
    }

    /// `Some` when `given` is one of the playbook ids `named`; else an error saying `what`.
    fn named_in<'n>(
        &mut self,
        given: &Located<String>,
        named: impl Iterator<Item = &'n str>,
        what: &str,
        path: &str,
    ) -> Option<()> {
        let named: Vec<&str> = named.collect();
        if named.contains(&given.value.as_str()) {
            return Some(());
        }
        let hint = suggestion(&given.value, named).unwrap_or_default();
        self.error(given.at, path, format!("{what} `{}`{hint}", given.value));
        None
    }

    /// The parameters a `hand_over` expectation says are given: each one a hand-over of the
    /// playbook to `target` sets, with a value of its kind.
    fn handed_parameters(
        &mut self,
        playbook: &Playbook,
        target: &Located<String>,
        doc: &ExpectDoc,
        path: &str,
    ) -> Option<Vec<(String, ParameterValue)>> {
        let set: Vec<&str> = playbook
            .states()
            .iter()
            .flat_map(|s| &s.hand_over)
            .filter(|h| h.playbook == target.value)
            .flat_map(|h| h.parameters.iter().map(|(name, _)| name.as_str()))
            .collect();
        let mut parameters = Vec::new();
        let mut fine = true;
        for (name, value) in &doc.parameters.0 {
            let at = join(path, &format!("parameters.{}", name.value));
            let what = format!("no hand-over to `{}` sets parameter", target.value);
            if self
                .named_in(name, set.iter().copied(), &what, &at)
                .is_none()
            {
                fine = false;
                continue;
            }
            match quantity(&value.value) {
                Ok(parsed) => parameters.push((name.value.clone(), parsed)),
                Err(e) => {
                    self.error(value.at, &at, e.to_string());
                    fine = false;
                }
            }
        }
        fine.then_some(parameters)
    }

    fn known_action(&mut self, playbook: &Playbook, name: &Located<String>, path: &str) -> bool {
        self.known("action", action_names(playbook), playbook, name, path)
    }

    fn known_role(&mut self, playbook: &Playbook, name: &Located<String>, path: &str) -> bool {
        let roles = playbook.roles().iter().map(String::as_str).collect();
        self.known("role", roles, playbook, name, path)
    }

    fn signal(
        &mut self,
        playbook: &Playbook,
        name: &Located<String>,
        path: &str,
        kinds: &[SignalKind],
    ) -> bool {
        let names = playbook.signals().iter().map(|s| s.name.as_str()).collect();
        if !self.known("signal", names, playbook, name, path) {
            return false;
        }
        let kind = playbook
            .signals()
            .iter()
            .find(|s| s.name == name.value)
            .map(|s| s.kind);
        if kind.is_some_and(|k| !kinds.contains(&k)) {
            let wanted: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            self.error(
                name.at,
                path,
                format!(
                    "`{}` is {} signal; here it must be {}",
                    name.value,
                    kind.map_or("a", SignalKind::with_article),
                    wanted.join(" or ")
                ),
            );
            return false;
        }
        true
    }

    fn scenario(
        &mut self,
        own: &ScenarioDoc,
        shared: &ScenarioDoc,
        at: Position,
        path: &str,
    ) -> Option<Scenario> {
        let errors_before = self.diagnostics.len();
        let Some(name) = &own.scenario else {
            self.error_code(
                Code::MissingKey,
                at,
                path,
                "missing key `scenario`: name the scenario",
            );
            return None;
        };
        let Some(playbook_name) = either(&own.playbook, &shared.playbook) else {
            self.error_code(
                Code::MissingKey,
                at,
                path,
                "missing key `playbook`: the playbook file under test",
            );
            return None;
        };
        let (playbook_path, playbook) = self.playbook(playbook_name, &join(path, "playbook"))?;
        let with_docs = if own.with.is_empty() {
            &shared.with
        } else {
            &own.with
        };
        let mut with = Vec::new();
        for (index, other) in with_docs.iter().enumerate() {
            if let Some((_, other)) = self.playbook(other, &join(path, &format!("with[{index}]"))) {
                with.push(other);
            }
        }
        let mut all = vec![playbook.clone()];
        all.extend(with.iter().cloned());
        if let (Some(first), Err(error)) = (with_docs.first(), RunSet::new("scenario", &all)) {
            self.error(first.at, &join(path, "with"), error.to_string());
            return None;
        }
        let time_zone = either(&own.time_zone, &shared.time_zone);
        self.time_zone = match time_zone {
            Some(zone) => match crate::calendar::time_zone(&zone.value) {
                Ok((name, _)) => Some(name),
                Err(error) => {
                    self.error(zone.at, &join(path, "time_zone"), error.to_string());
                    return None;
                }
            },
            None => None,
        };
        let Some(start) = either(&own.start, &shared.start) else {
            self.error_code(
                Code::MissingKey,
                at,
                path,
                "missing key `start`: when the simulated clock starts",
            );
            return None;
        };
        let start = self.time(start, &join(path, "start"))?;
        let step = match either(&own.step, &shared.step) {
            Some(step) => match self.duration(step, &join(path, "step"))? {
                zero if zero.is_zero() => {
                    self.error_code(
                        Code::InvalidDuration,
                        step.at,
                        &join(path, "step"),
                        "`step` must be above zero",
                    );
                    return None;
                }
                step => step,
            },
            None => Duration::from_secs(300),
        };

        let mut settings = RunSettings::new(
            either(&own.subject, &shared.subject).map_or("scenario", |s| s.value.as_str()),
        );
        if let Some(locale) = either(&own.locale, &shared.locale) {
            settings = settings.locale(locale.value.clone());
        }
        if let Some(zone) = &self.time_zone {
            settings = settings.time_zone(zone.clone());
        }
        for (name, written) in merged(&shared.calendars, &own.calendars) {
            let calendar_path = join(path, &format!("calendars.{}", name.value));
            let names = playbook
                .calendars()
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            if !self.known("calendar", names, &playbook, name, &calendar_path) {
                continue;
            }
            let text = self.source.text();
            match crate::load::validate::compile_calendar(
                written,
                text,
                self.file,
                &crate::Limits::default(),
                &calendar_path,
            ) {
                Ok(calendar) => settings = settings.calendar(name.value.clone(), calendar),
                Err(problems) => self.diagnostics.extend(problems),
            }
        }
        let overrides = shared.parameters.0.iter().chain(own.parameters.0.iter());
        for (name, value) in overrides {
            let parameter_path = join(path, &format!("parameters.{}", name.value));
            let names = playbook
                .parameters()
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            if !self.known("parameter", names, &playbook, name, &parameter_path) {
                continue;
            }
            let parsed = quantity(&value.value);
            // Each override is checked on its own, so that every bad one is reported at its value.
            let checked = parsed.map_err(|e| e.to_string()).and_then(|parsed| {
                RunSettings::default()
                    .parameter(name.value.clone(), parsed)
                    .parameter_values(&playbook)
                    .map(|_| parsed)
                    .map_err(|e| e.to_string())
            });
            match checked {
                Ok(parsed) => settings = settings.parameter(name.value.clone(), parsed),
                Err(message) => self.error(value.at, &parameter_path, message),
            }
        }

        let mut records = Vec::new();
        for (signal, series) in merged(&shared.signals, &own.signals) {
            let series_path = join(path, &format!("signals.{}", signal.value));
            if !self.signal(
                declaring(&playbook, &with, &signal.value),
                signal,
                &series_path,
                &[SignalKind::Count, SignalKind::Gauge],
            ) {
                continue;
            }
            match series::expand(&series.value, self.points) {
                Ok(points) => {
                    self.points = self.points.saturating_add(points.len());
                    for (index, point) in points.into_iter().enumerate() {
                        if let Some(value) = point {
                            let offset = Duration::from_millis(
                                step.as_millis().saturating_mul(index as u64),
                            );
                            records.push((
                                0,
                                Record {
                                    line: series.at.line as usize,
                                    at: start + offset,
                                    signal: signal.value.clone(),
                                    value: RecordValue::Number(value),
                                },
                            ));
                        }
                    }
                }
                Err(e) => {
                    let column = self.source.inside(series.at, &series.value, e.offset);
                    self.error_code(e.code, column, &series_path, e.message);
                    if e.code == Code::Limit {
                        // Past the cap, each later series would repeat the same error.
                        break;
                    }
                }
            }
        }
        for (index, event) in shared.events.iter().chain(own.events.iter()).enumerate() {
            let event_path = join(path, &format!("events[{index}]"));
            let Some(time) = self.offset(start, &event.value.at, &join(&event_path, "at")) else {
                continue;
            };
            let owner = declaring(&playbook, &with, &event.value.signal.value);
            if self.signal(
                owner,
                &event.value.signal,
                &join(&event_path, "signal"),
                &[SignalKind::Event],
            ) {
                if let Some(signal) = owner.signal_named(&event.value.signal.value) {
                    let declared = owner.signal(signal);
                    for (name, value) in &event.value.attrs {
                        let Some(error) =
                            crate::run::attribute_error(declared, name, &value.as_value())
                        else {
                            continue;
                        };
                        self.error(
                            event.at,
                            &join(&event_path, &format!("attrs.{name}")),
                            error.to_string(),
                        );
                    }
                }
                let attrs: Vec<(String, OwnedAttributeValue)> =
                    event.value.attrs.clone().into_iter().collect();
                records.push((
                    1,
                    Record {
                        line: event.at.line as usize,
                        at: time,
                        signal: event.value.signal.value.clone(),
                        value: RecordValue::Event(attrs),
                    },
                ));
            }
        }
        for (index, input) in shared.inputs.iter().chain(own.inputs.iter()).enumerate() {
            let input_path = join(path, &format!("inputs[{index}]"));
            let Some(time) = self.offset(start, &input.value.at, &join(&input_path, "at")) else {
                continue;
            };
            let by = input.value.by.value.clone();
            match (&input.value.signal, &input.value.done) {
                (Some(signal), None) => {
                    if self.signal(
                        declaring(&playbook, &with, &signal.value),
                        signal,
                        &join(&input_path, "signal"),
                        &[SignalKind::Manual],
                    ) {
                        records.push((
                            2,
                            Record {
                                line: input.at.line as usize,
                                at: time,
                                signal: signal.value.clone(),
                                value: RecordValue::Manual { by },
                            },
                        ));
                    }
                }
                (None, Some(action)) => {
                    let owner = all
                        .iter()
                        .find(|p| action_names(p).contains(&action.value.as_str()))
                        .unwrap_or(&playbook);
                    if self.known_action(owner, action, &join(&input_path, "done")) {
                        records.push((
                            2,
                            Record {
                                line: input.at.line as usize,
                                at: time,
                                signal: "done".to_string(),
                                value: RecordValue::Done {
                                    action: action.value.clone(),
                                    by,
                                },
                            },
                        ));
                    }
                }
                _ => self.error(
                    input.at,
                    &input_path,
                    "give `signal` (a manual input) or `done` (an action), not both",
                ),
            }
        }
        // Time order; at one instant, series before events before inputs, each in file order.
        records.sort_by_key(|(rank, record)| (record.at, *rank));
        let records: Vec<Record> = records.into_iter().map(|(_, r)| r).collect();

        let end = match either(&own.until, &shared.until) {
            Some(until) => self.offset(start, until, &join(path, "until")),
            None => None,
        };
        let mut checks = Vec::new();
        for (index, expect) in shared.expect.iter().chain(own.expect.iter()).enumerate() {
            let expect_path = join(path, &format!("expect[{index}]"));
            if let Some(check) =
                self.check(&playbook, start, &expect.value, expect.at, &expect_path)
            {
                checks.push(check);
            }
        }
        let timeline = either(&own.timeline, &shared.timeline)
            .map(|t| (self.base.join(&t.value), t.value.clone()));
        if self.diagnostics.len() > errors_before {
            return None;
        }
        Some(Scenario {
            name: name.value.clone(),
            file: self.file.to_string(),
            line: at.line,
            playbook,
            playbook_path,
            with,
            settings,
            start,
            end,
            records,
            checks,
            timeline,
        })
    }

    fn check(
        &mut self,
        playbook: &Playbook,
        start: Timestamp,
        doc: &ExpectDoc,
        at: Position,
        path: &str,
    ) -> Option<Check> {
        let when = self.when(start, doc, path)?;
        if let Some(state) = &doc.final_state {
            self.state(playbook, state, &join(path, "final"))?;
            return Some(Check::new(
                at.line,
                check::Expect::Final(state.value.clone()),
                when,
            ));
        }
        if let Some(never) = &doc.never {
            if never.value.never.is_some() || never.value.final_state.is_some() {
                self.error(
                    never.at,
                    &join(path, "never"),
                    "`never` takes a state, transition, action, escalation, breach, cooldown, muted, deferred, hand_over, inhibited or inhibition_lifted",
                );
                return None;
            }
            let never_path = join(path, "never");
            // The time may be given outside `never` or inside it, as authors write both.
            let when = match (when, self.when(start, &never.value, &never_path)?) {
                (when, check::When::Always) | (check::When::Always, when) => when,
                _ => {
                    self.error(
                        never.at,
                        &never_path,
                        "give the time once, outside `never` or inside it",
                    );
                    return None;
                }
            };
            let inner = self.matcher(playbook, &never.value, never.at, &never_path, true)?;
            return Some(Check::new(at.line, check::Expect::Never(inner), when));
        }
        let matcher = self.matcher(playbook, doc, at, path, false)?;
        Some(Check::new(at.line, check::Expect::Occurs(matcher), when))
    }

    /// When an expectation holds: `at`, `between`, or the whole run.
    fn when(&mut self, start: Timestamp, doc: &ExpectDoc, path: &str) -> Option<check::When> {
        let when = match (&doc.at, &doc.between) {
            (Some(_), Some(between)) => {
                self.error(between.at, path, "give `at` or `between`, not both");
                return None;
            }
            (Some(time), None) => {
                let time = self.offset(start, time, &join(path, "at"))?;
                check::When::At(time)
            }
            (None, Some(between)) => match &between.value[..] {
                [from, to] => {
                    let from = self.offset(start, from, &join(path, "between[0]"));
                    let to = self.offset(start, to, &join(path, "between[1]"));
                    let (from, to) = (from?, to?);
                    if to < from {
                        self.error(
                            between.at,
                            &join(path, "between"),
                            "the interval ends before it starts",
                        );
                        return None;
                    }
                    check::When::Between(from, to)
                }
                _ => {
                    self.error(
                        between.at,
                        &join(path, "between"),
                        "`between` takes two offsets: `[48h, 50h]`",
                    );
                    return None;
                }
            },
            (None, None) => check::When::Always,
        };
        Some(when)
    }

    /// What an expectation looks for; `negated` inside `never`, where looking for what the
    /// playbook as written cannot do still catches a mutant that can.
    fn matcher(
        &mut self,
        playbook: &Playbook,
        doc: &ExpectDoc,
        at: Position,
        path: &str,
        negated: bool,
    ) -> Option<check::Matcher> {
        if let (Some(starts_in), None) = (&doc.starts_in, &doc.hand_over) {
            self.error(
                starts_in.at,
                &join(path, "starts_in"),
                "`starts_in` goes with `hand_over`: give the playbook handed over to",
            );
            return None;
        }
        if let (Some((name, _)), None) = (doc.parameters.0.first(), &doc.hand_over) {
            self.error(
                name.at,
                &join(path, "parameters"),
                "`parameters` goes with `hand_over`: give the playbook handed over to",
            );
            return None;
        }
        let given: Vec<&str> = [
            ("state", doc.state.is_some()),
            ("transition", doc.transition.is_some()),
            ("action", doc.action.is_some()),
            (
                "escalation",
                doc.escalation.is_some() || doc.level.is_some(),
            ),
            ("breach", doc.breach.is_some()),
            ("cooldown", doc.cooldown.is_some()),
            ("muted", doc.muted.is_some()),
            ("deferred", doc.deferred.is_some()),
            ("hand_over", doc.hand_over.is_some()),
            ("inhibited", doc.inhibited.is_some()),
            ("inhibition_lifted", doc.inhibition_lifted.is_some()),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(key, _)| key)
        .collect();
        if given.len() != 1 {
            self.error(
                at,
                path,
                "give exactly one of `state`, `transition`, `action`, `escalation` (or `level`), `breach`, `cooldown`, `muted`, `deferred`, `hand_over`, `inhibited`, `inhibition_lifted`, `never` or `final`",
            );
            return None;
        }
        let text = doc.text.as_ref().map(|t| t.value.clone());
        if let Some(state) = &doc.state {
            self.state(playbook, state, &join(path, "state"))?;
            return Some(check::Matcher::State(state.value.clone()));
        }
        if let Some(to) = &doc.transition {
            self.state(playbook, to, &join(path, "transition"))?;
            if let Some(from) = &doc.from {
                self.state(playbook, from, &join(path, "from"))?;
            }
            return Some(check::Matcher::Transition {
                to: to.value.clone(),
                from: doc.from.as_ref().map(|f| f.value.clone()),
            });
        }
        if let Some(action) = &doc.action {
            if !self.known_action(playbook, action, &join(path, "action")) {
                return None;
            }
            if let Some(owner) = &doc.owner
                && !self.known_role(playbook, owner, &join(path, "owner"))
            {
                return None;
            }
            let due = match &doc.due {
                Some(due) if is_time(&due.value) => {
                    Some(check::Due::At(self.time(due, &join(path, "due"))?))
                }
                Some(due) => Some(check::Due::After(self.duration(due, &join(path, "due"))?)),
                None => None,
            };
            return Some(check::Matcher::Action {
                id: action.value.clone(),
                owner: doc.owner.as_ref().map(|o| o.value.clone()),
                due,
                text,
            });
        }
        if let Some(state) = &doc.cooldown {
            let id = self.state(playbook, state, &join(path, "cooldown"))?;
            if playbook.state(id).cooldown.is_none() {
                self.error(
                    state.at,
                    &join(path, "cooldown"),
                    format!(
                        "state `{}` has no `cooldown`, so it is never entered silently: expect `transition: {}` instead, or give the state a cool-down",
                        state.value, state.value
                    ),
                );
                return None;
            }
            return Some(check::Matcher::Cooldown(state.value.clone()));
        }
        for (key, given, deferred, mode) in [
            ("muted", &doc.muted, false, InhibitionMode::Mute),
            ("deferred", &doc.deferred, true, InhibitionMode::Defer),
        ] {
            let Some(action) = given else { continue };
            if !self.known_action(playbook, action, &join(path, key)) {
                return None;
            }
            let word = match mode {
                InhibitionMode::Mute => "mute",
                InhibitionMode::Defer => "defer",
            };
            let moded = playbook.inhibitions().iter().any(|rule| rule.mode == mode);
            if playbook.inhibitions().is_empty() || !(moded || negated) {
                let message = if playbook.inhibitions().is_empty() {
                    format!(
                        "playbook `{}` has no `inhibited_by` rule, so nothing is ever {key}",
                        playbook.id()
                    )
                } else {
                    format!(
                        "no `inhibited_by` rule of `{}` has `mode: {word}`, so nothing is ever {key}",
                        playbook.id()
                    )
                };
                self.error(action.at, &join(path, key), message);
                return None;
            }
            return Some(if deferred {
                check::Matcher::Deferred(action.value.clone())
            } else {
                check::Matcher::Muted(action.value.clone())
            });
        }
        if let Some(target) = &doc.hand_over {
            let named = playbook.hand_over_targets().into_iter();
            let what = format!("no state of `{}` hands over to", playbook.id());
            self.named_in(target, named, &what, &join(path, "hand_over"))?;
            let starts_in = doc.starts_in.as_ref().map(|s| s.value.clone());
            let parameters = self.handed_parameters(playbook, target, doc, path)?;
            return Some(check::Matcher::HandOver {
                playbook: target.value.clone(),
                starts_in,
                parameters,
            });
        }
        for (key, given, lifted) in [
            ("inhibited", &doc.inhibited, false),
            ("inhibition_lifted", &doc.inhibition_lifted, true),
        ] {
            let Some(source) = given else { continue };
            let named = playbook.inhibitions().iter().map(|r| r.playbook.as_str());
            let what = format!("no `inhibited_by` rule of `{}` names", playbook.id());
            self.named_in(source, named, &what, &join(path, key))?;
            let source = source.value.clone();
            return Some(if lifted {
                check::Matcher::InhibitionLifted(source)
            } else {
                check::Matcher::Inhibited(source)
            });
        }
        if let Some(action) = &doc.breach {
            if !self.known_action(playbook, action, &join(path, "breach")) {
                return None;
            }
            return Some(check::Matcher::Breach(action.value.clone()));
        }
        if let Some(role) = &doc.escalation
            && !self.known_role(playbook, role, &join(path, "escalation"))
        {
            return None;
        }
        Some(check::Matcher::Escalation {
            role: doc.escalation.as_ref().map(|r| r.value.clone()),
            level: doc.level.as_ref().map(|l| l.value),
            text,
        })
    }
}

/// The playbook of a scenario that declares `signal`: the one under test, or else one of its
/// `with:` playbooks; the one under test if none does, so that the error names it.
fn declaring<'p>(playbook: &'p Playbook, with: &'p [Playbook], signal: &str) -> &'p Playbook {
    std::iter::once(playbook)
        .chain(with)
        .find(|p| p.signal_named(signal).is_some())
        .unwrap_or(playbook)
}

fn action_names(playbook: &Playbook) -> Vec<&str> {
    let mut names: Vec<&str> = playbook
        .states()
        .iter()
        .flat_map(|s| s.actions.iter().map(|a| a.id.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}
