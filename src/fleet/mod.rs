//! Fleets: many runs of one playbook, or many run sets of several playbooks, keyed by subject
//! (brand, account, campaign, post).

mod roster;
mod sets;

use serde::{Deserialize, Serialize};

use roster::{Roster, Subjects};
pub use sets::{RunSetFleet, RunSetFleetSnapshot};

use crate::run::SnapshotError;
use crate::{
    Event, Observation, Playbook, Run, RunError, RunSetError, RunSettings, Snapshot, Timestamp,
};

/// Why a fleet ([`Fleet`] or [`RunSetFleet`]) refused a signal, an action done, settings, a
/// subject or a snapshot. The fleet is left exactly as it was.
///
/// Ask [`is_unknown_subject`](FleetError::is_unknown_subject) whether the subject was the
/// problem; anything else is the refusal of the subject's run, which
/// [`run_error`](FleetError::run_error) gives with its own predicates, or of its run set
/// ([`run_set_error`](FleetError::run_set_error)).
///
/// ```
/// # use crisis_playbook::{Fleet, FleetError, Observation, Playbook};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let mentions = playbook.signal_named("mentions").unwrap();
/// let mut fleet = Fleet::new(&playbook);
/// let at = "2026-03-02T08:00:00Z".parse()?;
/// let err = fleet.observe("brand-x", Observation::count(mentions, at, 1.0)).unwrap_err();
/// assert!(err.is_unknown_subject());
/// fleet.start("brand-x", at)?;
/// let err = fleet.observe("brand-x", Observation::count(mentions, at, -1.0)).unwrap_err();
/// assert!(err.run_error().is_some_and(|e| e.is_invalid_input()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(transparent)]
pub struct FleetError(FleetErrorKind);

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
enum FleetErrorKind {
    #[error(
        "unknown subject `{0}`: start its run with `Fleet::start`, or build the fleet with `start_on_first_sight(true)`"
    )]
    UnknownSubject(String),
    #[error(
        "unknown subject `{0}`: start a playbook for it with `RunSetFleet::start`, or name the playbooks to start with `start_on_first_sight`"
    )]
    UnknownSetSubject(String),
    #[error(transparent)]
    Run(RunError),
    /// A run of a fleet snapshot, or its settings, refused on restore.
    #[error("subject `{subject}`: {error}")]
    Restore { subject: String, error: RunError },
    /// A subject's run set refused an input, or the playbooks of a [`RunSetFleet`] do not fit
    /// together. `subject` is empty when no subject was concerned.
    #[error("{}{error}", if subject.is_empty() { String::new() } else { format!("subject `{subject}`: ") })]
    RunSet { subject: String, error: RunSetError },
}

impl From<RunError> for FleetError {
    fn from(error: RunError) -> Self {
        FleetError(FleetErrorKind::Run(error))
    }
}

impl FleetError {
    fn unknown_subject(subject: &str) -> FleetError {
        FleetError(FleetErrorKind::UnknownSubject(subject.to_string()))
    }

    /// The fleet has no run for the subject and is not set to start one: start it with
    /// [`Fleet::start`], or build the fleet with
    /// [`start_on_first_sight(true)`](Fleet::start_on_first_sight).
    ///
    /// ```
    /// # use crisis_playbook::{Fleet, Playbook};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut fleet = Fleet::new(&playbook);
    /// let err = fleet.complete("nobody", "holding_statement", "me", "2026-03-02T08:00:00Z".parse()?).unwrap_err();
    /// assert!(err.is_unknown_subject());
    /// assert!(err.run_error().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_unknown_subject(&self) -> bool {
        matches!(
            self.0,
            FleetErrorKind::UnknownSubject(_) | FleetErrorKind::UnknownSetSubject(_)
        )
    }

    /// What the subject's run refused, when the subject was not the problem.
    ///
    /// ```
    /// # use crisis_playbook::{Fleet, Playbook, RunSettings};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut fleet = Fleet::new(&playbook);
    /// let err = fleet.configure(RunSettings::new("x").parameter("no_such", 1.0)).unwrap_err();
    /// assert!(err.run_error().is_some_and(|e| e.is_settings()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_error(&self) -> Option<&RunError> {
        match &self.0 {
            FleetErrorKind::Run(error) | FleetErrorKind::Restore { error, .. } => Some(error),
            FleetErrorKind::RunSet { error, .. } => error.run_error(),
            FleetErrorKind::UnknownSubject(_) | FleetErrorKind::UnknownSetSubject(_) => None,
        }
    }

    /// What a subject's run set refused, in a [`RunSetFleet`]: a record no playbook of the set
    /// declares, an unknown playbook, or, through [`RunSetError::run_error`], a run's refusal.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet};
    /// let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut fleet = RunSetFleet::new(&[storm])?;
    /// let err = fleet.start("brand-x", "no-such-playbook", "2026-03-02T08:00:00Z".parse()?).unwrap_err();
    /// assert!(err.run_set_error().is_some());
    /// assert_eq!(
    ///     err.to_string(),
    ///     "subject `brand-x`: playbook `no-such-playbook` is not in this set: add it to the playbooks the set is built from"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_set_error(&self) -> Option<&RunSetError> {
        match &self.0 {
            FleetErrorKind::RunSet { error, .. } => Some(error),
            _ => None,
        }
    }

    fn run_set(subject: &str, error: RunSetError) -> FleetError {
        FleetError(FleetErrorKind::RunSet {
            subject: subject.to_string(),
            error,
        })
    }
}

/// Many runs of one playbook, routed by subject. (For several playbooks per subject, see
/// [`RunSetFleet`].)
///
/// ```
/// use crisis_playbook::{Fleet, Observation, Playbook, RunSettings};
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let mentions = playbook.signal_named("mentions").unwrap();
/// let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
/// // A small brand reacts to smaller surges.
/// fleet.configure(RunSettings::new("small-brand").parameter("watch_ratio", 1.5))?;
/// let at = "2026-03-02T08:00:00Z".parse()?;
/// fleet.observe("small-brand", Observation::count(mentions, at, 3.0))?;
/// fleet.observe("big-brand", Observation::count(mentions, at, 900.0))?;
/// assert_eq!(fleet.subjects(), ["big-brand", "small-brand"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Fleet {
    playbook: Playbook,
    runs: Roster<Run>,
    settings: Subjects<RunSettings>,
    start_on_first_sight: bool,
    events: Vec<Event>,
}

/// A serializable copy of a fleet: every run, the settings configured for subjects, and
/// whether it starts runs on first sight, so that a restored fleet behaves as the original.
///
/// ```
/// # use crisis_playbook::{Fleet, Playbook};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let mut fleet = Fleet::new(&playbook);
/// fleet.start("brand-b", "2026-03-02T08:00:00Z".parse()?)?;
/// fleet.start("brand-a", "2026-03-02T08:00:00Z".parse()?)?;
/// let snapshot = fleet.snapshot();
/// let subjects: Vec<&str> = snapshot.runs.iter().map(|(s, _)| s.as_str()).collect();
/// assert_eq!(subjects, ["brand-a", "brand-b"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FleetSnapshot {
    /// Each subject's run, in subject order.
    pub runs: Vec<(String, Snapshot)>,
    /// The settings given to [`Fleet::configure`], in subject order.
    #[serde(default)]
    pub settings: Vec<RunSettings>,
    /// Whether the fleet starts a run for a subject it has not seen.
    #[serde(default)]
    pub start_on_first_sight: bool,
}

impl Fleet {
    /// An empty fleet. Runs start only through [`Fleet::start`] unless
    /// [`start_on_first_sight`](Fleet::start_on_first_sight) is set.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let fleet = Fleet::new(&playbook);
    /// assert!(fleet.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(playbook: &Playbook) -> Fleet {
        Fleet {
            playbook: playbook.clone(),
            runs: Roster::default(),
            settings: Subjects::default(),
            start_on_first_sight: false,
            events: Vec::new(),
        }
    }

    /// Start a run for an unknown subject when its first signal arrives, at that signal's time.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut strict = Fleet::new(&playbook);
    /// let err = strict.observe("brand-x", Observation::count(mentions, at, 3.0)).unwrap_err();
    /// assert!(err.to_string().starts_with("unknown subject `brand-x`"));
    /// let mut open = Fleet::new(&playbook).start_on_first_sight(true);
    /// open.observe("brand-x", Observation::count(mentions, at, 3.0))?;
    /// assert_eq!(open.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start_on_first_sight(mut self, yes: bool) -> Fleet {
        self.start_on_first_sight = yes;
        self
    }

    /// Remembers settings (locale, parameter overrides, time zone, calendars…) for a subject's
    /// future run, after checking them against the playbook.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut fleet = Fleet::new(&playbook);
    /// fleet.configure(RunSettings::new("brand-x").parameter("watch_ratio", 4.0))?;
    /// assert!(fleet.configure(RunSettings::new("brand-y").parameter("no_such", 1.0)).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn configure(&mut self, settings: RunSettings) -> Result<(), FleetError> {
        settings.resolve(&self.playbook).map_err(RunError::from)?;
        self.settings.insert(settings.subject.clone(), settings);
        Ok(())
    }

    /// Starts (or restarts) the run of `subject` at `at`, with its configured settings.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut fleet = Fleet::new(&playbook);
    /// let run = fleet.start("brand-x", at)?;
    /// assert_eq!(run.subject(), "brand-x");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(&mut self, subject: &str, at: Timestamp) -> Result<&mut Run, FleetError> {
        let settings = self
            .settings
            .get(subject)
            .cloned()
            .unwrap_or_else(|| RunSettings::new(subject));
        let run = Run::with_settings(&self.playbook, settings, at)?;
        Ok(self.runs.put(subject, run))
    }

    /// Routes a signal to the subject's run. Returns the events it caused (for a run started
    /// now, its initial actions first).
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    /// let events = fleet.observe("brand-x", Observation::count(mentions, at, 20.0))?;
    /// assert!(events.is_empty(), "a quiet first signal");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn observe(
        &mut self,
        subject: &str,
        observation: Observation<'_>,
    ) -> Result<&[Event], FleetError> {
        // By position: a borrow returned from inside `if let` would outlive the branch.
        if let Some(position) = self.runs.position(subject) {
            return Ok(self.runs.at_mut(position).observe(observation)?);
        }
        if !self.start_on_first_sight {
            return Err(FleetError::unknown_subject(subject));
        }
        // Settings were checked by `configure`, so starting cannot fail.
        let run = self
            .start(subject, observation.at())
            .map_err(|_| FleetError::unknown_subject(subject))?;
        let mut events = run.events().to_vec();
        match run.observe(observation) {
            Ok(more) => events.extend_from_slice(more),
            Err(error) => {
                self.runs.remove(subject);
                return Err(error.into());
            }
        }
        self.events = events;
        Ok(&self.events)
    }

    /// Feeds many signals, each to its subject's run, in order, and hands `each` the position
    /// of every signal in `signals` with what [`Fleet::observe`] returns for it. The outcome is
    /// exactly that of calling `observe` for each signal in turn: a refused signal changes
    /// nothing and the others still apply.
    ///
    /// It is faster for a large fleet. A signal to a run that is not in the CPU's cache waits
    /// for that run's memory, part after part; here the runs of the next few signals are read
    /// together first, so that their waits overlap.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut fleet = Fleet::new(&playbook);
    /// fleet.start("brand-a", at)?;
    /// let batch = [
    ///     ("brand-a", Observation::count(mentions, at, 12.0)),
    ///     ("brand-z", Observation::count(mentions, at, 3.0)),
    ///     ("brand-a", Observation::count(mentions, at, -1.0)),
    /// ];
    /// let mut refused = Vec::new();
    /// fleet.observe_batch(&batch, |position, outcome| {
    ///     if let Err(error) = outcome {
    ///         refused.push((position, error.to_string()));
    ///     }
    /// });
    /// assert_eq!(refused, [
    ///     (1, "unknown subject `brand-z`: start its run with `Fleet::start`, or build the fleet with `start_on_first_sight(true)`".to_string()),
    ///     (2, "`mentions`: a count cannot be negative (-1)".to_string()),
    /// ]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn observe_batch<S: AsRef<str>>(
        &mut self,
        signals: &[(S, Observation<'_>)],
        mut each: impl FnMut(usize, Result<&[Event], FleetError>),
    ) {
        // Enough runs to keep the memory system busy, few enough to stay in cache until used.
        const AHEAD: usize = 16;
        let mut positions = 0..signals.len();
        for chunk in signals.chunks(AHEAD) {
            let mut runs = [usize::MAX; AHEAD];
            for (run, (subject, _)) in runs.iter_mut().zip(chunk) {
                if let Some(found) = self.runs.position(subject.as_ref()) {
                    *run = found;
                }
            }
            // One step for all the runs, then the next: the reads of a step go through what
            // the step before brought in, and only the reads of different runs can overlap.
            let runs = runs.map(|run| self.runs.at(run));
            let arrays = runs
                .iter()
                .flatten()
                .fold(false, |w, run| w ^ run.warm_arrays());
            let windows = runs
                .iter()
                .flatten()
                .fold(false, |w, run| w ^ run.warm_windows());
            std::hint::black_box(arrays ^ windows);
            for ((subject, observation), position) in chunk.iter().zip(&mut positions) {
                each(position, self.observe(subject.as_ref(), *observation));
            }
        }
    }

    /// Marks the subject's open actions with this id as done (see [`Run::complete`]).
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Fleet, Observation, Playbook, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let journalist = playbook.signal_named("journalist").unwrap();
    /// let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    /// fleet.observe("brand-x", Observation::event(journalist, at, &[("tier", AttributeValue::Text("local"))]))?;
    /// let done = fleet.complete("brand-x", "holding_statement", "comms_director", at)?;
    /// assert_eq!(done[0].kind.name(), "done");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn complete(
        &mut self,
        subject: &str,
        action: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<&[Event], FleetError> {
        let run = self
            .runs
            .get_mut(subject)
            .ok_or_else(|| FleetError::unknown_subject(subject))?;
        Ok(run.complete(action, by, at)?)
    }

    /// The playbook every run follows.
    ///
    /// ```
    /// # use crisis_playbook::{Fleet, Playbook};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert_eq!(Fleet::new(&playbook).playbook().id(), "negative-comment-storm");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn playbook(&self) -> &Playbook {
        &self.playbook
    }

    /// Advances every run to `at`; returns each subject's events, in subject order.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # use crisis_playbook::AttributeValue;
    /// let journalist = playbook.signal_named("journalist").unwrap();
    /// let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    /// fleet.observe("brand-x", Observation::event(journalist, at, &[("tier", AttributeValue::Text("local"))]))?;
    /// let later = fleet.advance_to(at + Duration::from_secs(3600));
    /// assert_eq!(later[0].0, "brand-x", "the unacknowledged ladder fired");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance_to(&mut self, at: Timestamp) -> Vec<(String, Vec<Event>)> {
        self.runs.each_in_order(|run| run.advance_to(at).to_vec())
    }

    /// The run of `subject`.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut fleet = Fleet::new(&playbook);
    /// fleet.start("brand-x", at)?;
    /// assert_eq!(fleet.get("brand-x").map(|r| r.state_name()), Some("monitoring"));
    /// assert!(fleet.get("brand-y").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, subject: &str) -> Option<&Run> {
        self.runs.get(subject)
    }

    /// The subjects with a run, in order.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut fleet = Fleet::new(&playbook);
    /// fleet.start("b", at)?;
    /// fleet.start("a", at)?;
    /// assert_eq!(fleet.subjects(), ["a", "b"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn subjects(&self) -> Vec<&str> {
        self.runs.subjects()
    }

    /// How many runs the fleet holds.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut fleet = Fleet::new(&playbook);
    /// fleet.start("brand-x", at)?;
    /// assert_eq!(fleet.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// Whether the fleet holds no run.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// assert!(Fleet::new(&playbook).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.runs.len() == 0
    }

    /// Removes the runs that reached a final state; returns their subjects, in order.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut fleet = Fleet::new(&playbook);
    /// fleet.start("brand-x", at)?;
    /// assert!(fleet.evict_ended().is_empty(), "monitoring is not final");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evict_ended(&mut self) -> Vec<String> {
        self.runs.evict(Run::is_ended)
    }

    /// Snapshots every run.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut fleet = Fleet::new(&playbook);
    /// fleet.start("brand-x", at)?;
    /// let json = serde_json::to_string(&fleet.snapshot())?;
    /// let restored = Fleet::restore(&playbook, serde_json::from_str(&json)?)?;
    /// assert_eq!(restored.subjects(), ["brand-x"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn snapshot(&self) -> FleetSnapshot {
        FleetSnapshot {
            runs: self
                .runs
                .in_order()
                .map(|(subject, run)| (subject.to_string(), run.snapshot()))
                .collect(),
            settings: {
                let mut settings: Vec<RunSettings> = self.settings.values().cloned().collect();
                settings.sort_by(|a, b| a.subject.cmp(&b.subject));
                settings
            },
            start_on_first_sight: self.start_on_first_sight,
        }
    }

    /// Restores every run of a fleet snapshot, its subjects' settings (checked again against
    /// the playbook) and whether it starts runs on first sight.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let other = Playbook::from_path("playbooks/tone-deaf-post.yaml")?;
    /// let mut fleet = Fleet::new(&playbook);
    /// fleet.start("brand-x", at)?;
    /// let err = Fleet::restore(&other, fleet.snapshot()).unwrap_err();
    /// assert!(err.run_error().is_some_and(|e| e.is_other_playbook()));
    /// assert!(err.to_string().starts_with("subject `brand-x`: snapshot belongs to playbook `negative-comment-storm`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn restore(playbook: &Playbook, snapshot: FleetSnapshot) -> Result<Fleet, FleetError> {
        let mut fleet = Fleet::new(playbook).start_on_first_sight(snapshot.start_on_first_sight);
        let refused = |subject: &str, error: RunError| {
            FleetError(FleetErrorKind::Restore {
                subject: subject.to_string(),
                error,
            })
        };
        for settings in snapshot.settings {
            settings.resolve(playbook).map_err(|error| {
                let error = SnapshotError::Inconsistent(format!("its settings: {error}"));
                refused(&settings.subject, error.into())
            })?;
            fleet.settings.insert(settings.subject.clone(), settings);
        }
        for (subject, run) in snapshot.runs {
            let run = Run::restore(playbook, run).map_err(|error| refused(&subject, error))?;
            fleet.runs.put(&subject, run);
        }
        Ok(fleet)
    }
}
