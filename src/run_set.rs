//! Several playbooks for one subject: a hand-over starts one from another, and an inhibition
//! quiets one while another is at a high severity.
//!
//! The runs of a set keep one clock. Every instant at which any of them has something due is
//! an instant for all of them, visited in one order: each playbook after the playbooks whose
//! severity quiets it. So a breach that reaches its top severity mutes the storm's actions at
//! that very instant, and the same input always gives the same output.
#![expect(
    clippy::indexing_slicing,
    reason = "positions come from the set's own playbooks, which never change after it is built"
)]

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Diagnostic, Severity, suggestion};
use crate::trace::{Record, RecordValue};
use crate::{
    AttributeValue, Event, EventKind, MAX_INSTANTS_PER_CALL, Observation, Playbook, Run, RunError,
    RunSettings, Snapshot, State, StateId, Timestamp,
};

/// One event of one of the subject's runs, with the playbook it comes from. Serialized as the
/// event with a `playbook` field first.
///
/// ```
/// # use crisis_playbook::{EventKind, RunSetEvent};
/// let event: RunSetEvent = serde_json::from_str(
///     r#"{"playbook":"negative-comment-storm","at":"2026-03-02T08:00:00Z","kind":"resolved","state":"closed"}"#,
/// )?;
/// assert_eq!(event.playbook, "negative-comment-storm");
/// assert!(matches!(event.event.kind, EventKind::Resolved { .. }));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSetEvent {
    /// The id of the playbook whose run emitted it.
    pub playbook: String,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
}

/// The event as one line, after the playbook's id, as `simulate --with` prints it. A width
/// pads the id, so that the lines of playbooks with ids of different lengths align.
///
/// ```
/// # use crisis_playbook::RunSetEvent;
/// let event: RunSetEvent = serde_json::from_str(
///     r#"{"playbook":"tone-deaf-post","at":"2026-03-02T08:00:00Z","kind":"resolved","state":"closed"}"#,
/// )?;
/// assert_eq!(event.to_string(), "tone-deaf-post  2026-03-02T08:00:00Z  resolved    run ended in closed");
/// assert_eq!(format!("{event:16}"), "tone-deaf-post    2026-03-02T08:00:00Z  resolved    run ended in closed");
/// # Ok::<(), serde_json::Error>(())
/// ```
impl std::fmt::Display for RunSetEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<width$}  {}",
            self.playbook,
            crate::timeline::format_event(&self.event),
            width = f.width().unwrap_or(0)
        )
    }
}

/// Why a run set refused to be built, or refused an input. The set is left as it was.
///
/// ```
/// # use crisis_playbook::{Playbook, RunSet};
/// let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let err = RunSet::new("brand-x", &[storm.clone(), storm]).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "playbook `negative-comment-storm` is in the set twice: give each playbook once"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(transparent)]
pub struct RunSetError(RunSetErrorKind);

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
enum RunSetErrorKind {
    #[error("playbook `{0}` is in the set twice: give each playbook once")]
    Twice(String),
    #[error("the playbooks do not fit together:\n{}", list(.0))]
    Links(Vec<Diagnostic>),
    #[error(
        "playbooks {} inhibit one another in a circle: remove one of their `inhibited_by` rules",
        .0.join(" -> ")
    )]
    Circle(Vec<String>),
    #[error("playbook `{0}` is not in this set: add it to the playbooks the set is built from")]
    UnknownPlaybook(String),
    #[error("line {line}: no playbook of the set declares signal `{name}`")]
    UnknownSignal { line: usize, name: String },
    #[error("line {line}: no run of the set has an open action `{action}`")]
    UnknownAction { line: usize, action: String },
    #[error("playbook `{playbook}`: {error}")]
    Run { playbook: String, error: RunError },
}

fn list(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl RunSetError {
    fn run(playbook: &Playbook, error: RunError) -> RunSetError {
        RunSetError(RunSetErrorKind::Run {
            playbook: playbook.id().to_string(),
            error,
        })
    }

    /// What a run of the set refused, when a run was the problem.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSet, trace::Record};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut set = RunSet::new("brand-x", &[storm])?;
    /// set.start("negative-comment-storm", "2026-03-02T08:00:00Z".parse()?)?;
    /// let record = Record::from_json(1, r#"{"at": "2026-03-02T08:00:00Z", "signal": "mentions", "value": -1}"#)?;
    /// let err = set.apply(&record).unwrap_err();
    /// assert!(err.run_error().is_some_and(|e| e.is_invalid_input()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_error(&self) -> Option<&RunError> {
        match &self.0 {
            RunSetErrorKind::Run { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The playbooks do not fit together: a hand-over's parameters the other playbook refuses,
    /// an inhibition naming a track or severity it does not have, or rules in a circle.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSet};
    /// let rumour = Playbook::from_path("playbooks/misinformation-rumour.yaml")?;
    /// let breach = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
    /// assert!(RunSet::new("brand-x", &[rumour, breach]).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_mismatch(&self) -> bool {
        matches!(
            self.0,
            RunSetErrorKind::Links(_) | RunSetErrorKind::Circle(_)
        )
    }
}

/// Where a rule of one playbook reads its severity: the playbook at `source`, or one of its
/// tracks.
#[derive(Clone, Copy, Debug)]
struct Source {
    playbook: usize,
    track: Option<crate::TrackId>,
}

/// Which runs an instant moves, besides those its record feeds. A run whose sources changed at
/// the instant always takes it, so that an inhibition applies then.
#[derive(Clone, Copy, Debug)]
enum Clocks {
    /// Every run: the caller moves the set's clock to the instant.
    Every,
    /// The runs with something due at the instant: one of them is why it is an instant.
    Due,
    /// No other run: at a record's instant, a run the record does not feed waits, as it would
    /// alone, so that a record for it at the same time comes before what falls due then.
    Changed,
}

/// A hand-over to a playbook of the set: the run to start, and how.
struct Handed {
    target: usize,
    settings: RunSettings,
    at: Timestamp,
    state: Option<StateId>,
}

/// The runs of several playbooks for one subject.
///
/// Signals go, by name, to every running playbook that declares them. A state with a
/// `hand_over` starts the playbook it names, if the set holds it and it is not already
/// running; a playbook's `inhibited_by` rules quiet it while the playbook they name is severe
/// enough.
///
/// ```
/// use crisis_playbook::{EventKind, Playbook, RunSet, trace::Record};
///
/// let rumour = Playbook::from_path("playbooks/misinformation-rumour.yaml")?;
/// let breach = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
/// let mut set = RunSet::new("brand-x", &[rumour, breach])?;
/// set.start("misinformation-rumour", "2026-03-02T08:00:00Z".parse()?)?;
/// let flagged = Record::from_json(1, r#"{"at": "2026-03-02T08:30:00Z", "signal": "flagged", "by": "social_lead"}"#)?;
/// set.apply(&flagged)?;
/// // The claim of a leak turns out to be true: the rumour hands over to the breach playbook,
/// // which starts by checking it.
/// let confirmed = Record::from_json(2, r#"{"at": "2026-03-02T09:00:00Z", "signal": "defect_confirmed", "by": "quality_lead"}"#)?;
/// let events = set.apply(&confirmed)?;
/// assert!(events.iter().any(|e| matches!(&e.event.kind, EventKind::HandOver { starts, .. } if starts == "data-breach-or-recall")));
/// assert_eq!(set.run("data-breach-or-recall").unwrap().state_name(), "assessing");
/// assert!(set.run("misinformation-rumour").unwrap().is_ended());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RunSet {
    subject: String,
    /// The playbooks, each after those whose severity quiets it.
    playbooks: Vec<Playbook>,
    settings: Vec<RunSettings>,
    runs: Vec<Option<Run>>,
    /// For each playbook, where each of its inhibition rules reads its severity; `None` for a
    /// playbook the set does not hold.
    sources: Vec<Vec<Option<Source>>>,
    events: Vec<RunSetEvent>,
}

/// A serializable copy of a run set: its subject, each run and the settings given to
/// [`RunSet::configure`].
///
/// ```
/// # use crisis_playbook::{Playbook, RunSet};
/// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let mut set = RunSet::new("brand-x", &[storm.clone()])?;
/// set.start("negative-comment-storm", "2026-03-02T08:00:00Z".parse()?)?;
/// let json = serde_json::to_string(&set.snapshot())?;
/// let restored = RunSet::restore(&[storm], serde_json::from_str(&json)?)?;
/// assert_eq!(restored.run("negative-comment-storm").unwrap().state_name(), "monitoring");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSetSnapshot {
    /// The subject.
    pub subject: String,
    /// Each live run, by playbook id, in the set's order.
    pub runs: Vec<(String, Snapshot)>,
    /// The settings given to [`RunSet::configure`], by playbook id.
    #[serde(default)]
    pub settings: Vec<(String, RunSettings)>,
}

impl RunSet {
    /// A set of `playbooks` for `subject`, with no run started yet. Refused when a playbook
    /// is given twice, when what one says of another does not fit it, or when inhibitions
    /// form a circle.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSet};
    /// let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let breach = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
    /// let set = RunSet::new("brand-x", &[storm, breach])?;
    /// // The breach comes first: its severity quiets the storm.
    /// assert_eq!(set.playbooks().map(|p| p.id()).collect::<Vec<_>>(), ["data-breach-or-recall", "negative-comment-storm"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(subject: &str, playbooks: &[Playbook]) -> Result<RunSet, RunSetError> {
        for (index, playbook) in playbooks.iter().enumerate() {
            if playbooks[..index].iter().any(|p| p.id() == playbook.id()) {
                return Err(RunSetError(RunSetErrorKind::Twice(
                    playbook.id().to_string(),
                )));
            }
        }
        let files: Vec<String> = playbooks.iter().map(|p| p.id().to_string()).collect();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let errors: Vec<Diagnostic> = check_together(playbooks, &files)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(RunSetError(RunSetErrorKind::Links(errors)));
        }
        let playbooks = in_inhibition_order(playbooks)?;
        let sources = playbooks
            .iter()
            .map(|playbook| {
                playbook
                    .inhibitions()
                    .iter()
                    .map(|rule| {
                        let source = playbooks.iter().position(|p| p.id() == rule.playbook)?;
                        let track = match &rule.track {
                            Some(name) => Some(playbooks[source].track_named(name)?),
                            None => None,
                        };
                        Some(Source {
                            playbook: source,
                            track,
                        })
                    })
                    .collect()
            })
            .collect();
        Ok(RunSet::empty(subject, playbooks, sources))
    }

    fn empty(subject: &str, playbooks: Vec<Playbook>, sources: Vec<Vec<Option<Source>>>) -> RunSet {
        RunSet {
            subject: subject.to_string(),
            settings: playbooks
                .iter()
                .map(|_| RunSettings::new(subject))
                .collect(),
            runs: vec![None; playbooks.len()],
            playbooks,
            sources,
            events: Vec::new(),
        }
    }

    /// The set's playbooks, each after those whose severity quiets it.
    pub fn playbooks(&self) -> impl Iterator<Item = &Playbook> {
        self.playbooks.iter()
    }

    /// The subject.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub(crate) fn position(&self, playbook: &str) -> Result<usize, RunSetError> {
        self.playbooks
            .iter()
            .position(|p| p.id() == playbook)
            .ok_or_else(|| RunSetError(RunSetErrorKind::UnknownPlaybook(playbook.to_string())))
    }

    /// Settings (locale, parameters, late tolerance) for the runs of `playbook` that start
    /// from now on, checked against it. Their subject is the set's. A hand-over's parameters
    /// override these.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSet, RunSettings};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut set = RunSet::new("brand-x", &[storm])?;
    /// set.configure("negative-comment-storm", RunSettings::new("brand-x").locale("fr"))?;
    /// let err = set.configure("negative-comment-storm", RunSettings::new("brand-x").parameter("nope", 1.0)).unwrap_err();
    /// assert!(err.run_error().is_some_and(|e| e.is_settings()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn configure(
        &mut self,
        playbook: &str,
        mut settings: RunSettings,
    ) -> Result<(), RunSetError> {
        let index = self.position(playbook)?;
        settings
            .resolve(&self.playbooks[index])
            .map_err(|e| RunSetError::run(&self.playbooks[index], RunError::from(e)))?;
        settings.subject.clone_from(&self.subject);
        self.settings[index] = settings;
        Ok(())
    }

    /// Starts (or restarts) the run of `playbook` at `at`, and returns its first events. The
    /// other runs are first brought to `at`.
    pub fn start(&mut self, playbook: &str, at: Timestamp) -> Result<&[RunSetEvent], RunSetError> {
        let index = self.position(playbook)?;
        let settings = self.settings[index].clone();
        self.events.clear();
        self.settle(at, false);
        self.begin(index, settings, at, None)?;
        Ok(&self.events)
    }

    fn begin(
        &mut self,
        index: usize,
        settings: RunSettings,
        at: Timestamp,
        starts_in: Option<StateId>,
    ) -> Result<(), RunSetError> {
        let sources = self.severities(index);
        let playbook = &self.playbooks[index];
        let state = starts_in.unwrap_or_else(|| playbook.initial());
        let run = Run::begin_in_set(playbook, settings, at, sources, state)
            .map_err(|e| RunSetError::run(playbook, e))?;
        let first = run.events().to_vec();
        self.runs[index] = Some(run);
        self.record(index, &first);
        Ok(())
    }

    /// The run of `playbook`, if it has started.
    pub fn run(&self, playbook: &str) -> Option<&Run> {
        let index = self.playbooks.iter().position(|p| p.id() == playbook)?;
        self.runs[index].as_ref()
    }

    /// The events of the last call.
    pub fn events(&self) -> &[RunSetEvent] {
        &self.events
    }

    /// Feeds a record to every running playbook that declares its signal, or marks an action
    /// done in every run where it is open. Each run checks the record before any is fed, so a
    /// record one refuses changes none.
    pub fn apply(&mut self, record: &Record) -> Result<&[RunSetEvent], RunSetError> {
        self.events.clear();
        let targets = self.targets(record)?;
        self.settle(record.at, false);
        self.instant(record.at, Some((record, &targets)), Clocks::Changed)?;
        Ok(&self.events)
    }

    /// Which runs take `record`, once every one of them has checked it.
    fn targets(&self, record: &Record) -> Result<Vec<usize>, RunSetError> {
        let mut targets = Vec::new();
        let live = self
            .runs
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i, r.as_ref()?)));
        if let RecordValue::Done { action, .. } = &record.value {
            targets.extend(
                live.filter(|(_, run)| run.open_actions().any(|o| o.action == action.as_str()))
                    .map(|(i, _)| i),
            );
            if targets.is_empty() {
                return Err(RunSetError(RunSetErrorKind::UnknownAction {
                    line: record.line,
                    action: action.clone(),
                }));
            }
            return Ok(targets);
        }
        if !self
            .playbooks
            .iter()
            .any(|p| p.signal_named(&record.signal).is_some())
        {
            return Err(RunSetError(RunSetErrorKind::UnknownSignal {
                line: record.line,
                name: record.signal.clone(),
            }));
        }
        for (index, run) in live {
            let Some(signal) = run.playbook().signal_named(&record.signal) else {
                continue;
            };
            with_observation(record, signal, |observation| {
                run.check_observation(&observation)
            })
            .map_err(|e| RunSetError::run(run.playbook(), e))?;
            targets.push(index);
        }
        Ok(targets)
    }

    /// One instant at `at`, in the set's order: with a record, its targets take it, and the
    /// runs `clocks` names take the time. The playbooks handed over to start at the end of it;
    /// then the runs whose rules read a playbook that just started see its severity at that
    /// same instant, as they would a source's step; and so on while hand-overs start runs, for
    /// at most as many rounds as the set has playbooks.
    fn instant(
        &mut self,
        at: Timestamp,
        record: Option<(&Record, &[usize])>,
        clocks: Clocks,
    ) -> Result<(), RunSetError> {
        let mut handed = self.visit(at, record, clocks)?;
        for _ in 0..self.playbooks.len() {
            if !self.hand_over(handed)? {
                break;
            }
            handed = self.visit(at, None, Clocks::Changed)?;
        }
        Ok(())
    }

    /// Visits every run at `at` (see [`RunSet::instant`]); returns the hand-overs asked.
    fn visit(
        &mut self,
        at: Timestamp,
        record: Option<(&Record, &[usize])>,
        clocks: Clocks,
    ) -> Result<Vec<Handed>, RunSetError> {
        let mut handed = Vec::new();
        for index in 0..self.runs.len() {
            let sources = self.severities(index);
            let Some(run) = self.runs[index].as_mut() else {
                continue;
            };
            let changed = run.set_sources(sources);
            let playbook = &self.playbooks[index];
            let refused = |e| RunSetError::run(playbook, e);
            let events = match record {
                Some((record, targets)) if targets.contains(&index) => match &record.value {
                    RecordValue::Done { action, by } => run
                        .complete(action, by, at)
                        .map(<[Event]>::to_vec)
                        .map_err(refused)?,
                    _ => {
                        let signal =
                            run.playbook().signal_named(&record.signal).ok_or_else(|| {
                                RunSetError(RunSetErrorKind::UnknownSignal {
                                    line: record.line,
                                    name: record.signal.clone(),
                                })
                            })?;
                        with_observation(record, signal, |observation| {
                            run.observe(observation).map(<[Event]>::to_vec)
                        })
                        .map_err(refused)?
                    }
                },
                // Nothing new, and nothing due that this instant may fire: the run catches up
                // on its clock at its next instant, as it would alone.
                _ if !changed
                    && match clocks {
                        Clocks::Every => false,
                        Clocks::Due => run.next_wake().is_none_or(|wake| wake > at),
                        Clocks::Changed => true,
                    } =>
                {
                    continue;
                }
                _ => at_instant(run, at),
            };
            handed.extend(self.record(index, &events));
        }
        Ok(handed)
    }

    /// Moves every run to `at`, instant by instant in step: each instant at which one run has
    /// something due is an instant for all. (A record, or an instant of another run, moves only
    /// the clocks of the runs it concerns; the others catch up at their next instant, which
    /// changes nothing they do.)
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Playbook, RunSet};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut set = RunSet::new("brand-x", &[storm])?;
    /// let start = "2026-03-02T08:00:00Z".parse()?;
    /// set.start("negative-comment-storm", start)?;
    /// set.advance_to(start + Duration::from_secs(3600));
    /// assert_eq!(set.run("negative-comment-storm").unwrap().now(), start + Duration::from_secs(3600));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance_to(&mut self, at: Timestamp) -> &[RunSetEvent] {
        self.events.clear();
        self.settle(at, true);
        self.step(at, Clocks::Every);
        &self.events
    }

    /// Takes every instant before `until` (and at it, if `inclusive`) at which a run has
    /// something due, up to [`MAX_INSTANTS_PER_CALL`]; past that, the runs catch up on their
    /// own at the caller's instant.
    fn settle(&mut self, until: Timestamp, inclusive: bool) {
        for _ in 0..MAX_INSTANTS_PER_CALL {
            let next = self
                .runs
                .iter()
                .flatten()
                .filter(|run| !run.is_ended())
                .filter_map(Run::next_wake)
                .min();
            match next {
                Some(next) if next < until || (inclusive && next == until) => {
                    self.step(next, Clocks::Due);
                }
                _ => return,
            }
        }
    }

    /// One instant at `at` with no record, for the runs `clocks` names.
    fn step(&mut self, at: Timestamp, clocks: Clocks) {
        // A hand-over's parameters were checked when the set was built; a run that refuses
        // them anyway is left unstarted, and the hand-over event says what was asked.
        let _ = self.instant(at, None, clocks);
    }

    /// Keeps a run's events, and returns the hand-overs among them to playbooks the set holds.
    fn record(&mut self, index: usize, events: &[Event]) -> Vec<Handed> {
        let mut handed = Vec::new();
        for event in events {
            if let EventKind::HandOver {
                starts: playbook,
                starts_in,
                parameters,
                ..
            } = &event.kind
                && let Some(target) = self.playbooks.iter().position(|p| p.id() == *playbook)
            {
                let mut settings = self.settings[target].clone();
                for (name, value) in parameters {
                    settings = settings.parameter(name.clone(), *value);
                }
                let state = starts_in
                    .as_ref()
                    .and_then(|name| self.playbooks[target].state_named(name));
                handed.push(Handed {
                    target,
                    settings,
                    at: event.at,
                    state,
                });
            }
            self.events.push(RunSetEvent {
                playbook: self.playbooks[index].id().to_string(),
                event: event.clone(),
            });
        }
        handed
    }

    /// Starts each playbook handed over to that is not running, in the order asked; returns
    /// whether one started.
    fn hand_over(&mut self, handed: Vec<Handed>) -> Result<bool, RunSetError> {
        let mut started = false;
        for handed in handed {
            if self.runs[handed.target]
                .as_ref()
                .is_some_and(|r| !r.is_ended())
            {
                continue;
            }
            self.begin(handed.target, handed.settings, handed.at, handed.state)?;
            started = true;
        }
        Ok(started)
    }

    /// The severity each rule of playbook `index` reads now: its playbook's run, or that run's
    /// track; `None` where there is no live run or the track is not running.
    fn severities(&self, index: usize) -> Vec<Option<i64>> {
        self.sources[index]
            .iter()
            .map(|source| {
                let source = (*source)?;
                let run = self.runs[source.playbook]
                    .as_ref()
                    .filter(|r| !r.is_ended())?;
                match source.track {
                    None => Some(run.severity()),
                    Some(track) => run
                        .states()
                        .map(|s| run.playbook().state(s))
                        .filter(|s| s.track == Some(track))
                        .map(|s| s.severity)
                        .max(),
                }
            })
            .collect()
    }

    /// A copy of the set to restore later with [`RunSet::restore`].
    pub fn snapshot(&self) -> RunSetSnapshot {
        RunSetSnapshot {
            subject: self.subject.clone(),
            runs: self
                .runs
                .iter()
                .flatten()
                .map(|run| (run.playbook().id().to_string(), run.snapshot()))
                .collect(),
            settings: self
                .playbooks
                .iter()
                .zip(&self.settings)
                .map(|(p, s)| (p.id().to_string(), s.clone()))
                .collect(),
        }
    }

    /// The set a snapshot was taken of, over the same playbooks (or versions of them that its
    /// runs restore on).
    pub fn restore(
        playbooks: &[Playbook],
        snapshot: RunSetSnapshot,
    ) -> Result<RunSet, RunSetError> {
        RunSet::new(&snapshot.subject, playbooks)?.restored(snapshot)
    }

    /// This set (with no run yet) holding what `snapshot` holds.
    pub(crate) fn restored(mut self, snapshot: RunSetSnapshot) -> Result<RunSet, RunSetError> {
        let set = &mut self;
        for (id, settings) in snapshot.settings {
            set.configure(&id, settings)?;
        }
        for (id, stored) in snapshot.runs {
            let index = set.position(&id)?;
            let run = Run::restore(&set.playbooks[index], stored)
                .map_err(|e| RunSetError::run(&set.playbooks[index], e))?;
            set.runs[index] = Some(run);
        }
        Ok(self)
    }

    /// An empty set of the same playbooks for another subject, without checking again that
    /// they fit together.
    pub(crate) fn for_subject(&self, subject: &str) -> RunSet {
        RunSet::empty(subject, self.playbooks.clone(), self.sources.clone())
    }

    /// Whether the set has started a run and every run it started has ended: nothing it holds
    /// will act again until a playbook is started anew.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSet};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut set = RunSet::new("brand-x", &[storm])?;
    /// assert!(!set.is_ended(), "nothing started yet");
    /// set.start("negative-comment-storm", "2026-03-02T08:00:00Z".parse()?)?;
    /// assert!(!set.is_ended());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_ended(&self) -> bool {
        self.runs.iter().any(Option::is_some) && self.runs.iter().flatten().all(Run::is_ended)
    }
}

/// Takes the instant `at` in `run`: the run's own, or, if the run has taken it already, the
/// sources' changes alone.
fn at_instant(run: &mut Run, at: Timestamp) -> Vec<Event> {
    if at > run.now() {
        run.advance_to(at).to_vec()
    } else {
        run.reconsider().to_vec()
    }
}

/// Calls `f` with the observation `record` makes for `signal`.
fn with_observation<T>(
    record: &Record,
    signal: crate::SignalId,
    f: impl FnOnce(Observation<'_>) -> Result<T, RunError>,
) -> Result<T, RunError> {
    let attributes: Vec<(&str, AttributeValue<'_>)> = match &record.value {
        RecordValue::Event(attrs) => attrs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_value()))
            .collect(),
        _ => Vec::new(),
    };
    let observation = match &record.value {
        RecordValue::Number(value) => Observation::number(signal, record.at, *value),
        RecordValue::Manual { by } => Observation::manual(signal, record.at, by),
        _ => Observation::event(signal, record.at, &attributes),
    };
    f(observation)
}

/// The playbooks in an order where each comes after the playbooks its rules name, and
/// otherwise as given.
fn in_inhibition_order(playbooks: &[Playbook]) -> Result<Vec<Playbook>, RunSetError> {
    let mut ordered: Vec<Playbook> = Vec::with_capacity(playbooks.len());
    let mut left: Vec<&Playbook> = playbooks.iter().collect();
    while !left.is_empty() {
        let ready = left.iter().position(|playbook| {
            playbook.inhibitions().iter().all(|rule| {
                ordered.iter().any(|p| p.id() == rule.playbook)
                    || !left.iter().any(|p| p.id() == rule.playbook)
            })
        });
        match ready {
            Some(index) => ordered.push(left.remove(index).clone()),
            None => {
                return Err(RunSetError(RunSetErrorKind::Circle(
                    left.iter().map(|p| p.id().to_string()).collect(),
                )));
            }
        }
    }
    Ok(ordered)
}

/// Checks what each playbook says about the others: that a hand-over's parameters fit the
/// playbook it starts, and that an inhibition's track and severity exist in the playbook it
/// names. `files` gives each playbook's file, for the messages. A playbook named but absent is
/// a warning: the hand-over then only announces itself, and the inhibition never applies.
///
/// ```
/// # use crisis_playbook::{Playbook, check_together};
/// let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let alone = check_together(&[storm], &["negative-comment-storm.yaml"]);
/// assert_eq!(alone[0].path, "inhibited_by[0].playbook");
/// assert_eq!(
///     alone[0].message,
///     "playbook `data-breach-or-recall` is not among the playbooks checked together: the rule never applies; check it with the playbook it names"
/// );
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
pub fn check_together(playbooks: &[Playbook], files: &[&str]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let find = |id: &str| playbooks.iter().find(|p| p.id() == id);
    for (playbook, file) in playbooks.iter().zip(files) {
        let mut report = |severity, code, at, path: String, message: String| {
            diagnostics.push(Diagnostic::at(severity, code, file, at, path, message));
        };
        for state in playbook.states() {
            for (index, hand_over) in state.hand_over.iter().enumerate() {
                let path = format!("{}.hand_over[{index}]", state_path(playbook, state));
                let Some(target) = find(&hand_over.playbook) else {
                    let (severity, message) = absent(
                        &hand_over.playbook,
                        playbooks,
                        "the hand-over only announces itself",
                    );
                    let at = hand_over.at;
                    report(
                        severity,
                        Code::UnknownReference,
                        at,
                        format!("{path}.playbook"),
                        message,
                    );
                    continue;
                };
                if let Some(name) = &hand_over.state {
                    let fits = target
                        .state_named(name)
                        .map(|id| target.state(id))
                        .is_some_and(|s| s.track.is_none() && !s.is_final);
                    if !fits {
                        let names = target
                            .states()
                            .iter()
                            .filter(|s| s.track.is_none() && !s.is_final)
                            .map(|s| s.name.as_str());
                        report(
                            Severity::Error,
                            Code::InvalidHandOver,
                            hand_over.state_at,
                            format!("{path}.state"),
                            format!(
                                "playbook `{}` has no top-level state `{name}` that is not final{}",
                                target.id(),
                                suggestion(name, names).unwrap_or_else(|| ": name the state its run starts in, or leave `state` out to start in its `initial`".to_string())
                            ),
                        );
                    }
                }
                // Each override on its own, so that every bad one is reported.
                let places = hand_over.parameters_at.iter();
                for ((name, value), at) in hand_over.parameters.iter().zip(places) {
                    let checked = RunSettings::new("check")
                        .parameter(name.clone(), *value)
                        .parameter_values(target);
                    if let Err(error) = checked {
                        report(
                            Severity::Error,
                            Code::InvalidHandOver,
                            *at,
                            format!("{path}.parameters.{name}"),
                            format!("for playbook `{}`: {error}", target.id()),
                        );
                    }
                }
            }
        }
        for (index, rule) in playbook.inhibitions().iter().enumerate() {
            let path = format!("inhibited_by[{index}]");
            let Some(source) = find(&rule.playbook) else {
                let (severity, message) =
                    absent(&rule.playbook, playbooks, "the rule never applies");
                report(
                    severity,
                    Code::UnknownReference,
                    rule.at,
                    format!("{path}.playbook"),
                    message,
                );
                continue;
            };
            let states: Vec<&State> = match &rule.track {
                Some(track) => match source.track_named(track) {
                    Some(id) => source
                        .track(id)
                        .states
                        .iter()
                        .map(|s| source.state(*s))
                        .collect(),
                    None => {
                        let names = source.tracks().iter().map(|t| t.name.as_str());
                        report(
                            Severity::Error,
                            Code::InvalidInhibition,
                            rule.track_at,
                            format!("{path}.track"),
                            format!(
                                "playbook `{}` has no track `{track}`{}",
                                source.id(),
                                suggestion(track, names).unwrap_or_else(|| {
                                    ": name one of its tracks, or leave `track` out to count the whole playbook"
                                        .to_string()
                                })
                            ),
                        );
                        continue;
                    }
                },
                None => source.states().iter().collect(),
            };
            let highest = states.iter().map(|s| s.severity).max().unwrap_or(0);
            if rule.at_least > highest {
                report(
                    Severity::Error,
                    Code::InvalidInhibition,
                    rule.at_least_at,
                    format!("{path}.at_least"),
                    format!(
                        "`{}`{} never reaches severity {}: its highest is {highest}",
                        source.id(),
                        rule.track
                            .as_ref()
                            .map(|t| format!(" track `{t}`"))
                            .unwrap_or_default(),
                        rule.at_least
                    ),
                );
            }
        }
    }
    diagnostics
}

/// Where a state is written: `states.x`, or `states.parent.tracks.t.states.x` for a track's.
fn state_path(playbook: &Playbook, state: &State) -> String {
    match state.track {
        None => format!("states.{}", state.name),
        Some(track) => {
            let track = playbook.track(track);
            let short = state.name.rsplit('.').next().unwrap_or(&state.name);
            format!(
                "states.{}.tracks.{}.states.{short}",
                playbook.state(track.parent).name,
                track.name
            )
        }
    }
}

/// What to say of a playbook named but not given. An id close to one given is a typo: an
/// error that suggests it. Otherwise a warning: the playbook may simply not be part of this
/// check.
fn absent(id: &str, given: &[Playbook], consequence: &str) -> (Severity, String) {
    match suggestion(id, given.iter().map(Playbook::id)) {
        Some(hint) => (Severity::Error, format!("unknown playbook `{id}`{hint}")),
        None => (
            Severity::Warning,
            format!(
                "playbook `{id}` is not among the playbooks checked together: {consequence}; check it with the playbook it names"
            ),
        ),
    }
}
