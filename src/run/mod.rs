//! Runs: one live instance of a playbook for one subject, advanced by signals and by the clock.
#![expect(
    clippy::indexing_slicing,
    reason = "ids and positions come from the compiled playbook, or from a snapshot that `Run::restore` checked against it"
)]

mod eval;
mod event;
mod explain;
mod guard;
mod input;
mod snapshot;

use serde::{Deserialize, Serialize};

use crate::metrics::{Horizon, MetricState};
use crate::model::{EscalationTarget, MetricId, Playbook, SignalKind, StateId};
use crate::{AttributeKind, Duration, Timestamp};
pub use event::{Cause, Event, EventKind, Term};
pub use explain::{Explanation, TransitionExplanation};
use input::Value;
pub use input::{
    AttributeValue, DEFAULT_LATE_TOLERANCE, MAX_SIGNAL_VALUE, Observation, RunSettings,
    SettingsError, SignalError,
};
pub use snapshot::{Snapshot, SnapshotError};

/// When a signal was last seen, and its sequence number: "since entering the state" compares
/// sequence numbers, so the signal that caused a transition is not fresh in the state it led to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Seen {
    at: Option<Timestamp>,
    seq: u64,
}

/// An action recommended and not yet done or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OpenAction {
    state: StateId,
    action: u32,
    due: Option<Timestamp>,
    breached: bool,
    /// The deadline counts from a signal not seen yet: it starts when the signal arrives.
    awaiting_clock: bool,
}

/// The next emission of a recurring action of the current state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Recurrence {
    next: Option<Timestamp>,
    occurrence: u32,
}

/// The next step of the current state's escalation ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LadderPosition {
    cycle: u32,
    step: u32,
}

/// An open action, as [`Run::open_actions`] lists it.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// let events = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// for action in run.open_actions() {
///     println!("{} ({}) due {:?}", action.action, action.owner, action.due);
/// }
/// assert!(run.open_actions().any(|a| a.state == "crisis"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenActionView<'r> {
    /// The state that recommended it.
    pub state: &'r str,
    /// The action's id.
    pub action: &'r str,
    /// Its owner.
    pub owner: &'r str,
    /// Its deadline, if any.
    pub due: Option<Timestamp>,
    /// Whether the deadline has passed.
    pub breached: bool,
}

/// The next escalation step that will fire if nobody acknowledges.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// let events = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// let next = run.pending_escalation().unwrap();
/// assert_eq!((next.step, next.cycle), (0, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingEscalation {
    /// When it fires.
    pub due: Timestamp,
    /// Who it notifies.
    pub target: EscalationTarget,
    /// Its index in the ladder.
    pub step: usize,
    /// Its repeat cycle.
    pub cycle: u32,
}

/// The most instants at which something is due (a timer, a deadline, a recurrence, a window
/// rolling) that one call to [`Run::observe`], [`Run::advance_to`] or [`Run::complete`]
/// processes one by one. A call whose gap holds more (a subject silent for years, a recurrence
/// every few seconds) processes the rest at once at its own time: each recurring action is
/// emitted once with the number of occurrences it stands for
/// ([`EventKind::Action`]'s `missed`), each open deadline breaches once, and transitions are
/// taken at that time. This bounds the work and the events of one call whatever the gap.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// let mut run = Run::start(&playbook, start);
/// run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("national"))]))?;
/// // A hundred years without a signal: a bounded number of events.
/// let events = run.advance_to("2126-03-02T08:00:00Z".parse()?);
/// assert!(events.len() < 10 * crisis_playbook::MAX_INSTANTS_PER_CALL);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_INSTANTS_PER_CALL: usize = 1_000;

/// One live instance of a playbook for one subject.
///
/// A run is advanced only by [`observe`](Run::observe) and [`advance_to`](Run::advance_to);
/// it never reads the wall clock. Each call returns the events it caused. A refused input
/// returns a [`SignalError`] and leaves the run exactly as it was.
///
/// ```
/// use crisis_playbook::{EventKind, Observation, Playbook, Run};
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let mentions = playbook.signal_named("mentions").unwrap();
/// let start: crisis_playbook::Timestamp = "2026-03-02T00:00:00Z".parse()?;
/// let mut run = Run::start(&playbook, start);
///
/// // Two quiet days build the baseline, then a surge.
/// for minute in (0..48 * 60).step_by(5) {
///     let at = start + crisis_playbook::Duration::from_secs(minute * 60);
///     run.observe(Observation::count(mentions, at, 10.0))?;
/// }
/// let surge = start + crisis_playbook::Duration::from_secs(48 * 3600);
/// for minute in (0..60).step_by(5) {
///     let at = surge + crisis_playbook::Duration::from_secs(minute * 60);
///     for event in run.observe(Observation::count(mentions, at, 60.0))? {
///         if let EventKind::Transition { to, .. } = &event.kind {
///             println!("{} -> {to}", event.at);
///         }
///     }
/// }
/// assert_eq!(run.state_name(), "crisis");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Run {
    playbook: Playbook,
    live: Live,
    /// Derived from `live.metrics`, and kept current with it.
    horizon: Horizon,
    events: Vec<Event>,
}

/// Everything about a run that changes: exactly what a snapshot stores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Live {
    subject: String,
    locale: String,
    parameters: Vec<f64>,
    tolerance: Duration,
    started: Timestamp,
    now: Timestamp,
    seq: u64,
    state: StateId,
    entered_at: Timestamp,
    entered_seq: u64,
    ended: bool,
    pending: Vec<Option<Timestamp>>,
    metrics: Vec<MetricState>,
    latest: Vec<Option<f64>>,
    seen: Vec<Seen>,
    matched: Vec<Seen>,
    open: Vec<OpenAction>,
    recurrences: Vec<Recurrence>,
    ladder: Option<LadderPosition>,
}

impl Run {
    /// Starts a run in the playbook's initial state at `at`, with default settings.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = Run::start(&playbook, start);
    /// assert_eq!((run.state_name(), run.now()), ("monitoring", start));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(playbook: &Playbook, at: Timestamp) -> Run {
        let parameters = playbook.parameters().iter().map(|p| p.default).collect();
        Run::begin(playbook, RunSettings::default(), parameters, at)
    }

    /// Starts a run with a subject, a locale, parameter overrides and a late-signal tolerance.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// use crisis_playbook::RunSettings;
    /// let settings = RunSettings::new("brand-x").locale("fr").parameter("watch_ratio", 3.0);
    /// let run = Run::with_settings(&playbook, settings, start)?;
    /// assert_eq!((run.subject(), run.locale()), ("brand-x", "fr"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_settings(
        playbook: &Playbook,
        settings: RunSettings,
        at: Timestamp,
    ) -> Result<Run, SettingsError> {
        let parameters = settings.parameter_values(playbook)?;
        Ok(Run::begin(playbook, settings, parameters, at))
    }

    fn begin(
        playbook: &Playbook,
        settings: RunSettings,
        parameters: Vec<f64>,
        at: Timestamp,
    ) -> Run {
        let plan = playbook.plan();
        let live = Live {
            locale: settings
                .locale
                .unwrap_or_else(|| playbook.locale().to_string()),
            subject: settings.subject,
            parameters,
            tolerance: settings.late_tolerance.unwrap_or(DEFAULT_LATE_TOLERANCE),
            started: at,
            now: at,
            seq: 0,
            state: playbook.initial(),
            entered_at: at,
            entered_seq: 0,
            ended: false,
            pending: vec![None; plan.max_transitions],
            metrics: playbook
                .metrics()
                .iter()
                .map(|m| MetricState::new(m, at))
                .collect(),
            latest: vec![None; playbook.signals().len()],
            seen: vec![Seen::default(); playbook.signals().len()],
            matched: vec![Seen::default(); playbook.model().predicates.len()],
            open: Vec::with_capacity(plan.total_actions),
            recurrences: vec![Recurrence::default(); plan.max_actions],
            ladder: None,
        };
        let mut run = Run {
            playbook: playbook.clone(),
            horizon: Horizon::of(&live.metrics),
            live,
            events: Vec::new(),
        };
        run.enter_state();
        run.evaluate();
        run
    }

    /// The playbook this run follows.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = Run::start(&playbook, start);
    /// assert_eq!(run.playbook().id(), "negative-comment-storm");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn playbook(&self) -> &Playbook {
        &self.playbook
    }

    /// The subject (brand, account, post…) this run is about.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = Run::start(&playbook, start);
    /// assert_eq!(run.subject(), "", "Run::start leaves the subject empty");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn subject(&self) -> &str {
        &self.live.subject
    }

    /// The locale of the texts in its events.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = Run::start(&playbook, start);
    /// assert_eq!(run.locale(), playbook.locale());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn locale(&self) -> &str {
        &self.live.locale
    }

    /// The run's clock: the latest time it has processed.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut run = Run::start(&playbook, start);
    /// run.advance_to(start + Duration::from_secs(3600));
    /// assert_eq!(run.now().to_string(), "2026-03-02T09:00:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn now(&self) -> Timestamp {
        self.live.now
    }

    /// The current state.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = Run::start(&playbook, start);
    /// assert_eq!(playbook.state(run.state()).name, "monitoring");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state(&self) -> StateId {
        self.live.state
    }

    /// The current state's name.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// assert_eq!(run.state_name(), "crisis");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state_name(&self) -> &str {
        &self.playbook.state(self.live.state).name
    }

    /// The current state's severity.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// assert_eq!(run.severity(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn severity(&self) -> i64 {
        self.playbook.state(self.live.state).severity
    }

    /// How long the run has been in its current state.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// run.advance_to(start + Duration::from_secs(600));
    /// assert_eq!(run.time_in_state().to_string(), "10m");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time_in_state(&self) -> Duration {
        self.live.now - self.live.entered_at
    }

    /// Whether the run reached a final state. An ended run accepts signals and ignores them.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = Run::start(&playbook, start);
    /// assert!(!run.is_ended());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_ended(&self) -> bool {
        self.live.ended
    }

    /// The events of the last call that changed the run.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// // A new run's events are those of entering its initial state: monitoring has none.
    /// let run = Run::start(&playbook, start);
    /// assert!(run.events().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The value of a metric now; `None` when undefined (an empty window, a baseline not yet
    /// observed in full…).
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut run = Run::start(&playbook, start);
    /// let negative_share = playbook.metric_named("negative_share").unwrap();
    /// assert_eq!(run.metric_value(negative_share), None, "no mentions yet");
    /// run.observe(Observation::count(playbook.signal_named("mentions").unwrap(), start, 40.0))?;
    /// run.observe(Observation::count(playbook.signal_named("negative").unwrap(), start, 10.0))?;
    /// assert_eq!(run.metric_value(negative_share), Some(0.25));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn metric_value(&self, metric: MetricId) -> Option<f64> {
        self.metric_value_at(metric.index())
    }

    fn metric_value_at(&self, index: usize) -> Option<f64> {
        let metric = self.playbook.metrics().get(index)?;
        let last_seen = match metric.kind {
            crate::MetricKind::Since(signal) => self.live.seen[signal.index()]
                .at
                .map(|at| self.live.now - at),
            _ => None,
        };
        self.live.metrics[index].value(metric, self.live.now - self.live.started, last_seen)
    }

    /// Reads the run's own fields and the start of every array it owns, and returns a value
    /// that depends on all of them so that the reads happen. With [`Run::warm_windows`], this
    /// lets a fleet bring the runs of its next signals into cache together: for a run out of
    /// cache each part is a trip to memory, and trips for different runs can overlap where the
    /// trips of one signal's processing queue one behind the other.
    pub(crate) fn warm_arrays(&self) -> bool {
        let live = &self.live;
        live.ended
            ^ live.parameters.first().is_some_and(|p| *p > 0.0)
            ^ live.pending.first().is_some_and(Option::is_some)
            ^ live
                .metrics
                .first()
                .is_some_and(|m| m.next_change().is_some())
            ^ live.latest.first().is_some_and(Option::is_some)
            ^ live.seen.first().is_some_and(|seen| seen.at.is_some())
            ^ live.matched.first().is_some_and(|seen| seen.at.is_some())
            ^ live.open.first().is_some_and(|open| open.breached)
            ^ live.recurrences.first().is_some_and(|r| r.next.is_some())
    }

    /// Reads every metric's window and the bucket a new value would land in; the second step
    /// after [`Run::warm_arrays`], whose reads bring in the arrays this one goes through.
    pub(crate) fn warm_windows(&self) -> bool {
        self.live
            .metrics
            .iter()
            .fold(false, |warm, metric| warm ^ metric.warm())
    }

    /// Actions recommended and not yet done or closed, in the order they were recommended.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// let holding = run.open_actions().find(|a| a.action == "holding_statement").unwrap();
    /// assert_eq!(holding.owner, "comms_director");
    /// assert!(!holding.breached);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_actions(&self) -> impl Iterator<Item = OpenActionView<'_>> {
        self.live.open.iter().map(|open| {
            let state = self.playbook.state(open.state);
            let action = &state.actions[open.action as usize];
            OpenActionView {
                state: &state.name,
                action: &action.id,
                owner: self.playbook.role(action.owner),
                due: open.due,
                breached: open.breached,
            }
        })
    }

    /// The next escalation step, if a ladder is running.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// let next = run.pending_escalation().unwrap();
    /// assert!(next.due > start);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pending_escalation(&self) -> Option<PendingEscalation> {
        let position = self.live.ladder?;
        let ladder = self.playbook.state(self.live.state).escalation.as_ref()?;
        let step = ladder.steps.get(position.step as usize)?;
        Some(PendingEscalation {
            due: self.ladder_due(position)?,
            target: step.target,
            step: position.step as usize,
            cycle: position.cycle,
        })
    }

    /// Feeds one signal. Timers due before it fire first; it is then applied, and the
    /// conditions are evaluated at its time (or at the run's clock, for a late signal within the
    /// tolerance). Returns the events it caused.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mentions = playbook.signal_named("mentions").unwrap();
    /// let mut run = Run::start(&playbook, start);
    /// assert!(run.observe(Observation::count(mentions, start, 20.0))?.is_empty());
    /// let err = run.observe(Observation::count(mentions, start, -1.0)).unwrap_err();
    /// assert_eq!(err.to_string(), "`mentions`: a count cannot be negative (-1)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn observe(&mut self, observation: Observation<'_>) -> Result<&[Event], SignalError> {
        self.check(&observation)?;
        self.events.clear();
        if self.live.ended {
            return Ok(&self.events);
        }
        let span = tracing::debug_span!("observe", subject = %self.live.subject, playbook = %self.playbook.id());
        let _entered = span.enter();
        if observation.at > self.live.now {
            self.run_timers_until(observation.at, false);
            if self.live.ended {
                return Ok(&self.events);
            }
            self.set_clock(observation.at);
        }
        self.apply(&observation);
        self.instant();
        Ok(&self.events)
    }

    /// Marks every open action with this id as done.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// let events = run.complete("holding_statement", "comms_director", start)?;
    /// assert_eq!(events.len(), 1);
    /// assert!(run.complete("no_such_action", "me", start).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn complete(
        &mut self,
        action: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<&[Event], SignalError> {
        let known = self
            .playbook
            .states()
            .iter()
            .any(|s| s.actions.iter().any(|a| a.id == action));
        if !known {
            return Err(SignalError::UnknownAction(action.to_string()));
        }
        self.check_time("done", at)?;
        self.events.clear();
        if self.live.ended {
            return Ok(&self.events);
        }
        if at > self.live.now {
            self.run_timers_until(at, false);
            if self.live.ended {
                return Ok(&self.events);
            }
            self.set_clock(at);
        }
        let playbook = self.playbook.clone();
        let mut closed = false;
        self.live.open.retain(|open| {
            let matches = playbook.state(open.state).actions[open.action as usize].id == action;
            closed |= matches;
            !matches
        });
        if closed {
            self.live.seq = self.live.seq.saturating_add(1);
            self.push(EventKind::Done {
                action: action.to_string(),
                by: by.to_string(),
            });
        }
        self.instant();
        Ok(&self.events)
    }

    /// Moves the clock to `at`, firing every timer, `for` window, deadline, recurrence and
    /// window roll-over due by then, in time order. Earlier times change nothing.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// // Nobody acknowledges: the ladder fires as the clock moves.
    /// let events = run.advance_to(start + Duration::from_secs(3600));
    /// assert!(events.iter().any(|e| matches!(e.kind, crisis_playbook::EventKind::Escalation { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance_to(&mut self, at: Timestamp) -> &[Event] {
        self.events.clear();
        if self.live.ended || at <= self.live.now {
            return &self.events;
        }
        let span = tracing::debug_span!("advance", subject = %self.live.subject, playbook = %self.playbook.id());
        let _entered = span.enter();
        self.run_timers_until(at, true);
        if !self.live.ended && at > self.live.now {
            self.set_clock(at);
            self.instant();
        }
        &self.events
    }

    /// Processes every instant at which something is due, up to `until` (inclusive or not),
    /// one by one up to [`MAX_INSTANTS_PER_CALL`]. Past that, the caller's instant at `until`
    /// catches up the rest at once: each recurrence emits once for all its missed occurrences,
    /// each deadline breaches once, and transitions are taken at `until`.
    fn run_timers_until(&mut self, until: Timestamp, inclusive: bool) {
        for _ in 0..MAX_INSTANTS_PER_CALL {
            let Some(next) = self.next_wake() else {
                return;
            };
            if next > until || (!inclusive && next == until) || self.live.ended {
                return;
            }
            self.set_clock(next);
            self.instant();
        }
        tracing::debug!(subject = %self.live.subject, playbook = %self.playbook.id(), %until, "wake-up budget spent: catching up at once");
    }

    fn set_clock(&mut self, at: Timestamp) {
        self.live.now = at;
        if at.as_millis() >= self.horizon.roll {
            for metric in &mut self.live.metrics {
                metric.roll_to(at);
            }
            self.horizon = Horizon::of(&self.live.metrics);
        }
    }

    /// The next instant after now at which something can change with no signal.
    fn next_wake(&self) -> Option<Timestamp> {
        let mut earliest: Option<Timestamp> = None;
        let mut consider = |at: Option<Timestamp>| {
            if let Some(at) = at
                && at > self.live.now
                && earliest.is_none_or(|e| at < e)
            {
                earliest = Some(at);
            }
        };
        debug_assert_eq!(self.horizon, Horizon::of(&self.live.metrics));
        consider(self.horizon.change.and_then(Timestamp::from_millis));
        let state = self.playbook.state(self.live.state);
        for (i, transition) in state.transitions.iter().enumerate() {
            if let (Some(hold), Some(since)) = (transition.hold, self.live.pending[i]) {
                consider(Some(since.plus(hold.resolve(&self.live.parameters))));
            }
            if let Some(after) = transition.after {
                consider(Some(
                    self.live
                        .entered_at
                        .plus(after.resolve(&self.live.parameters)),
                ));
            }
        }
        for open in &self.live.open {
            if !open.breached {
                consider(open.due);
            }
        }
        for recurrence in &self.live.recurrences[..state.actions.len()] {
            consider(recurrence.next);
        }
        if let Some(position) = self.live.ladder {
            consider(self.ladder_due(position));
        }
        consider(self.next_expiry());
        earliest
    }

    /// Everything due at the current instant, then the transitions.
    fn instant(&mut self) {
        self.fire_breaches();
        self.fire_ladder();
        self.fire_recurrences();
        self.evaluate();
    }

    fn push(&mut self, kind: EventKind) {
        self.events.push(Event {
            at: self.live.now,
            kind,
        });
    }

    fn check_time(&self, signal: &str, at: Timestamp) -> Result<(), SignalError> {
        let late = self.live.now - at;
        if late > self.live.tolerance {
            return Err(SignalError::TooLate {
                signal: signal.to_string(),
                at,
                now: self.live.now,
                late,
                tolerance: self.live.tolerance,
            });
        }
        Ok(())
    }

    /// Every check, before anything changes.
    fn check(&self, observation: &Observation<'_>) -> Result<(), SignalError> {
        let signal = match self.playbook.signals().get(observation.signal.index()) {
            Some(signal)
                if observation
                    .signal
                    .belongs_to(self.playbook.model().signal_table) =>
            {
                signal
            }
            _ => return Err(SignalError::ForeignSignal(observation.signal.index())),
        };
        let name = || signal.name.clone();
        let wrong = |expected| SignalError::WrongKind {
            signal: name(),
            kind: signal.kind.with_article(),
            expected,
        };
        match (signal.kind, observation.value) {
            (SignalKind::Count | SignalKind::Gauge, Value::Number(value)) => {
                if !value.is_finite() {
                    return Err(SignalError::NotFinite { signal: name() });
                }
                if value.abs() > MAX_SIGNAL_VALUE {
                    return Err(SignalError::TooLarge {
                        signal: name(),
                        value,
                    });
                }
                if signal.kind == SignalKind::Count && value < 0.0 {
                    return Err(SignalError::Negative {
                        signal: name(),
                        value,
                    });
                }
                if let Some((low, high)) = signal.range
                    && !(low..=high).contains(&value)
                {
                    return Err(SignalError::OutOfRange {
                        signal: name(),
                        value,
                        low,
                        high,
                    });
                }
            }
            (SignalKind::Event, Value::Event(attributes)) => {
                if let Some(error) = attributes
                    .iter()
                    .find_map(|(attribute, value)| attribute_error(signal, attribute, value))
                {
                    return Err(error);
                }
            }
            (SignalKind::Manual, Value::Manual(_)) => {}
            (SignalKind::Count, _) => return Err(wrong("send a non-negative number")),
            (SignalKind::Gauge, _) => return Err(wrong("send a number")),
            (SignalKind::Event, _) => return Err(wrong("send an event with its attributes")),
            (SignalKind::Manual, _) => return Err(wrong("send who gave the input")),
        }
        self.check_time(&signal.name, observation.at)
    }

    /// Records a checked observation.
    fn apply(&mut self, observation: &Observation<'_>) {
        self.live.seq = self.live.seq.saturating_add(1);
        let index = observation.signal.index();
        let at = observation.at;
        let previous = self.live.seen[index];
        let newest = previous.at.is_none_or(|p| at >= p);
        self.live.seen[index] = Seen {
            at: Some(if newest {
                at
            } else {
                previous.at.unwrap_or(at)
            }),
            seq: self.live.seq,
        };
        let amount = match observation.value {
            Value::Number(value) => {
                if newest {
                    self.live.latest[index] = Some(value);
                }
                value
            }
            _ => 1.0,
        };
        let plan = self.playbook.plan();
        for (metric, input) in &plan.routes[index] {
            let metric = &mut self.live.metrics[*metric];
            metric.add(*input, at, amount);
            self.horizon.added(metric);
        }
        match observation.value {
            Value::Event(attributes) => {
                for predicate in &plan.predicates_of[index] {
                    if self.predicate_holds(*predicate, attributes) {
                        let seen = self.live.matched[*predicate];
                        self.live.matched[*predicate] = Seen {
                            at: Some(seen.at.map_or(at, |p| p.max(at))),
                            seq: self.live.seq,
                        };
                    }
                }
            }
            Value::Manual(by) => self.manual(observation.signal, by),
            // `from:` names only events and manual inputs: counts and gauges start no clock.
            Value::Number(_) => return,
        }
        self.start_clocks(observation.signal, at);
    }

    /// Whether the event with `attributes` passes every test of predicate `index`; an event
    /// that lacks a tested attribute does not.
    fn predicate_holds(&self, index: usize, attributes: &[(&str, AttributeValue<'_>)]) -> bool {
        let model = self.playbook.model();
        let predicate = &model.predicates[index];
        let declared = &model.signals[predicate.signal.index()].attributes;
        predicate.tests.iter().all(|test| {
            let name = &declared[test.attribute].name;
            let Some((_, value)) = attributes.iter().find(|(a, _)| a == name) else {
                return false;
            };
            use crate::model::AttributeValue as Literal;
            match (value, &test.value) {
                (AttributeValue::Number(n), Literal::Number(t)) => test.op.holds(*n, *t),
                (AttributeValue::Number(n), Literal::Parameter(id)) => {
                    test.op.holds(*n, self.live.parameters[id.index()])
                }
                (AttributeValue::Text(text), Literal::Text(t)) => equality(test.op, *text == t),
                (AttributeValue::Bool(b), Literal::Bool(t)) => equality(test.op, b == t),
                _ => false,
            }
        })
    }

    /// Starts the deadline clocks that wait for `signal`, which arrived at `at`.
    fn start_clocks(&mut self, signal: crate::SignalId, at: Timestamp) {
        let playbook = self.playbook.clone();
        for index in 0..self.live.open.len() {
            let open = self.live.open[index];
            let state = playbook.state(open.state);
            let action = &state.actions[open.action as usize];
            if !open.awaiting_clock || action.from != Some(signal) {
                continue;
            }
            let due = action
                .within
                .map(|within| at.plus(within.resolve(&self.live.parameters)));
            self.live.open[index].awaiting_clock = false;
            self.live.open[index].due = due;
            if let Some(due) = due {
                self.push(EventKind::DeadlineMoved {
                    state: state.name.clone(),
                    action: action.id.clone(),
                    owner: playbook.role(action.owner).to_string(),
                    due,
                    signal: playbook.signal(signal).name.clone(),
                });
            }
        }
    }

    fn manual(&mut self, signal: crate::SignalId, by: &str) {
        let state = self.playbook.state(self.live.state);
        let stops = self.live.ladder.is_some()
            && state
                .escalation
                .as_ref()
                .is_some_and(|ladder| ladder.unless.contains(&signal));
        if stops {
            self.live.ladder = None;
        }
        self.push(EventKind::Input {
            signal: self.playbook.signal(signal).name.clone(),
            by: by.to_string(),
            stopped_escalation: stops,
        });
        if stops {
            tracing::info!(subject = %self.live.subject, playbook = %self.playbook.id(), by, "escalation acknowledged");
        }
    }

    fn fire_breaches(&mut self) {
        for index in 0..self.live.open.len() {
            let open = self.live.open[index];
            if open.breached || open.due.is_none_or(|due| due > self.live.now) {
                continue;
            }
            self.live.open[index].breached = true;
            let state = self.playbook.state(open.state);
            let action = &state.actions[open.action as usize];
            tracing::info!(subject = %self.live.subject, playbook = %self.playbook.id(), state = %state.name, action = %action.id, owner = %self.playbook.role(action.owner), "breach");
            let kind = EventKind::Breach {
                state: state.name.clone(),
                action: action.id.clone(),
                owner: self.playbook.role(action.owner).to_string(),
                due: open.due.unwrap_or(self.live.now),
            };
            self.push(kind);
        }
    }

    fn ladder_due(&self, position: LadderPosition) -> Option<Timestamp> {
        let ladder = self.playbook.state(self.live.state).escalation.as_ref()?;
        let step = ladder.steps.get(position.step as usize)?;
        let cycle_start = match ladder.repeat {
            Some(repeat) => self.live.entered_at.plus(Duration::from_millis(
                repeat
                    .every
                    .resolve(&self.live.parameters)
                    .as_millis()
                    .saturating_mul(u64::from(position.cycle)),
            )),
            None => self.live.entered_at,
        };
        Some(cycle_start.plus(step.after.resolve(&self.live.parameters)))
    }

    fn fire_ladder(&mut self) {
        while let Some(position) = self.live.ladder {
            if self
                .ladder_due(position)
                .is_none_or(|due| due > self.live.now)
            {
                return;
            }
            let state = self.playbook.state(self.live.state);
            let Some(ladder) = state.escalation.as_ref() else {
                self.live.ladder = None;
                return;
            };
            let step = &ladder.steps[position.step as usize];
            let (to, level) = match step.target {
                EscalationTarget::Role(role) => (Some(self.playbook.role(role).to_string()), None),
                EscalationTarget::Level(level) => (None, Some(level)),
            };
            let kind = EventKind::Escalation {
                state: state.name.clone(),
                step: position.step as usize,
                cycle: position.cycle,
                to,
                level,
                text: step
                    .text
                    .as_ref()
                    .map(|t| t.get(&self.live.locale, self.playbook.locale()).to_string()),
            };
            let next_step = position.step.saturating_add(1);
            self.live.ladder = if (next_step as usize) < ladder.steps.len() {
                Some(LadderPosition {
                    cycle: position.cycle,
                    step: next_step,
                })
            } else {
                match ladder.repeat {
                    Some(repeat) if position.cycle < repeat.times => Some(LadderPosition {
                        cycle: position.cycle.saturating_add(1),
                        step: 0,
                    }),
                    _ => None,
                }
            };
            tracing::info!(subject = %self.live.subject, playbook = %self.playbook.id(), state = %state.name, step = position.step, cycle = position.cycle, "escalation");
            self.push(kind);
        }
    }

    /// Emits each recurring action due by now once. Instants are processed one by one, so one
    /// occurrence is due at a time, unless a call spent its wake-up budget: then the
    /// occurrences missed since are counted, not emitted one by one.
    fn fire_recurrences(&mut self) {
        let count = self.playbook.state(self.live.state).actions.len();
        for index in 0..count {
            let Some(next) = self.live.recurrences[index].next else {
                continue;
            };
            if next > self.live.now {
                continue;
            }
            let every = self.playbook.state(self.live.state).actions[index]
                .every
                .map(|e| e.resolve(&self.live.parameters));
            let period = every.map_or(0, Duration::as_millis).max(1);
            // Occurrences due after `next` and by now, besides `next` itself.
            let later = (self.live.now - next)
                .as_millis()
                .checked_div(period)
                .unwrap_or(0);
            let last = next.plus(Duration::from_millis(period.saturating_mul(later)));
            let missed = u32::try_from(later).unwrap_or(u32::MAX);
            let occurrence = self.live.recurrences[index]
                .occurrence
                .saturating_add(missed)
                .saturating_add(1);
            self.live.recurrences[index] = Recurrence {
                // At the last representable instant, time stops moving: so does the
                // recurrence, or it would repeat forever at that instant.
                next: every
                    .map(|e| last.plus(e))
                    .filter(|following| *following > last),
                occurrence,
            };
            self.recommend(index, occurrence, missed);
        }
    }

    /// Emits action `index` of the current state, replacing any open instance of it;
    /// `missed` occurrences before this one were caught up without being emitted.
    fn recommend(&mut self, index: usize, occurrence: u32, missed: u32) {
        let state = self.playbook.state(self.live.state);
        let action = &state.actions[index];
        let within = action.within.map(|w| w.resolve(&self.live.parameters));
        let (due, awaiting_clock) = match (within, action.from) {
            (None, _) => (None, false),
            (Some(within), None) => (Some(self.live.now.plus(within)), false),
            (Some(within), Some(signal)) => match self.live.seen[signal.index()].at {
                Some(at) => (Some(at.plus(within)), false),
                None => (Some(self.live.now.plus(within)), true),
            },
        };
        let open = OpenAction {
            state: self.live.state,
            action: index as u32,
            due,
            breached: false,
            awaiting_clock,
        };
        self.live
            .open
            .retain(|o| !(o.state == open.state && o.action == open.action));
        self.live.open.push(open);
        tracing::info!(subject = %self.live.subject, playbook = %self.playbook.id(), state = %state.name, action = %action.id, owner = %self.playbook.role(action.owner), "action");
        let kind = EventKind::Action {
            state: state.name.clone(),
            action: action.id.clone(),
            owner: self.playbook.role(action.owner).to_string(),
            due,
            text: action
                .text
                .get(&self.live.locale, self.playbook.locale())
                .to_string(),
            occurrence,
            missed,
        };
        self.push(kind);
        // A deadline counted from a signal seen long ago may already have passed.
        self.fire_breaches();
    }

    /// Entry into the current state: its actions, recurrences and ladder.
    fn enter_state(&mut self) {
        let state = self.playbook.state(self.live.state);
        let count = state.actions.len();
        for index in 0..count {
            let every = self.playbook.state(self.live.state).actions[index].every;
            self.live.recurrences[index] = Recurrence {
                next: every.map(|e| self.live.now.plus(e.resolve(&self.live.parameters))),
                occurrence: 1,
            };
            self.recommend(index, 1, 0);
        }
        let state = self.playbook.state(self.live.state);
        self.live.ladder = state
            .escalation
            .as_ref()
            .map(|_| LadderPosition { cycle: 0, step: 0 });
        if state.is_final {
            self.live.ended = true;
            self.live.ladder = None;
            let name = state.name.clone();
            tracing::info!(subject = %self.live.subject, playbook = %self.playbook.id(), state = %name, "resolved");
            self.push(EventKind::Resolved { state: name });
        } else {
            self.fire_ladder();
        }
    }

    /// Evaluates the current state's transitions, in order, and follows those that fire. A
    /// chain of transitions at one instant stops after visiting as many states as the playbook
    /// has, so a loop the validator could not rule out cannot hang the run.
    fn evaluate(&mut self) {
        let limit = self.playbook.states().len().saturating_add(1);
        for _ in 0..limit {
            if self.live.ended {
                return;
            }
            match self.firing_transition() {
                Some(index) => self.take_transition(index),
                None => return,
            }
        }
        tracing::warn!(subject = %self.live.subject, playbook = %self.playbook.id(), "transition chain stopped by the loop guard");
    }

    fn firing_transition(&mut self) -> Option<usize> {
        let state = self.playbook.state(self.live.state);
        let guards = &self.playbook.plan().guards[self.live.state.index()];
        let mut readings = guard::Readings::new();
        for ((index, transition), guard) in state.transitions.iter().enumerate().zip(guards) {
            let holds = self.passes(guard, &mut readings);
            debug_assert_eq!(
                holds,
                transition
                    .condition
                    .as_ref()
                    .is_none_or(|c| self.holds(c.root())),
                "the compiled guard of transition {index} disagrees with its condition"
            );
            if transition.hold.is_some() {
                if holds {
                    self.live.pending[index].get_or_insert(self.live.now);
                } else {
                    self.live.pending[index] = None;
                }
            }
            let timer = transition.after.is_none_or(|after| {
                self.live.now
                    >= self
                        .live
                        .entered_at
                        .plus(after.resolve(&self.live.parameters))
            });
            let held = match (transition.hold, self.live.pending[index]) {
                (None, _) => true,
                (Some(hold), Some(since)) => {
                    self.live.now >= since.plus(hold.resolve(&self.live.parameters))
                }
                (Some(_), None) => false,
            };
            if holds && timer && held {
                return Some(index);
            }
        }
        None
    }

    fn take_transition(&mut self, index: usize) {
        let playbook = self.playbook.clone();
        let from = playbook.state(self.live.state);
        let transition = &from.transitions[index];
        let mut terms = Vec::new();
        if let Some(condition) = &transition.condition {
            self.reasons(condition.root(), &mut terms);
        }
        let cause = Cause {
            condition: transition
                .condition
                .as_ref()
                .map(|c| c.source().to_string()),
            hold: transition.hold.map(|t| t.resolve(&self.live.parameters)),
            after: transition.after.map(|t| t.resolve(&self.live.parameters)),
            terms,
        };
        let mut closed = Vec::new();
        self.live.open.retain(|open| {
            let closes =
                open.state == self.live.state && from.actions[open.action as usize].closes_on_exit;
            if closes {
                closed.push(open.action);
            }
            !closes
        });
        for action in closed {
            self.push(EventKind::Closed {
                state: from.name.clone(),
                action: from.actions[action as usize].id.clone(),
            });
        }
        let to = playbook.state(transition.target);
        tracing::info!(subject = %self.live.subject, playbook = %self.playbook.id(), from = %from.name, to = %to.name, "transition");
        self.push(EventKind::Transition {
            from: from.name.clone(),
            to: to.name.clone(),
            transition: index,
            severity: to.severity,
            cause,
        });
        self.live.state = transition.target;
        self.live.entered_at = self.live.now;
        self.live.entered_seq = self.live.seq;
        self.live.pending.iter_mut().for_each(|p| *p = None);
        self.live
            .recurrences
            .iter_mut()
            .for_each(|r| *r = Recurrence::default());
        self.enter_state();
    }

    /// Bytes this run owns on the heap, besides the shared playbook.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = Run::start(&playbook, start);
    /// assert!(run.heap_bytes() + std::mem::size_of::<Run>() < 8 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[expect(
        clippy::arithmetic_side_effects,
        reason = "a sum of the sizes of live allocations, far below usize::MAX"
    )]
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.live.subject.capacity()
            + self.live.locale.capacity()
            + self.live.parameters.capacity() * size_of::<f64>()
            + self.live.pending.capacity() * size_of::<Option<Timestamp>>()
            + self.live.metrics.capacity() * size_of::<MetricState>()
            + self
                .live
                .metrics
                .iter()
                .map(MetricState::heap_bytes)
                .sum::<usize>()
            + self.live.latest.capacity() * size_of::<Option<f64>>()
            + (self.live.seen.capacity() + self.live.matched.capacity()) * size_of::<Seen>()
            + self.live.open.capacity() * size_of::<OpenAction>()
            + self.live.recurrences.capacity() * size_of::<Recurrence>()
            + self.events.capacity() * size_of::<Event>()
    }
}

fn equality(op: crate::CompareOp, equal: bool) -> bool {
    match op {
        crate::CompareOp::NotEqual => !equal,
        _ => equal,
    }
}

/// What is wrong with an event attribute, for `signal`'s declaration: a name it does not
/// declare, or a value of another type or outside its allowed values.
pub(crate) fn attribute_error(
    signal: &crate::model::Signal,
    attribute: &str,
    value: &AttributeValue<'_>,
) -> Option<SignalError> {
    let Some(declared) = signal.attributes.iter().find(|a| a.name == attribute) else {
        return Some(SignalError::UnknownAttribute {
            signal: signal.name.clone(),
            attribute: attribute.to_string(),
        });
    };
    let expected = match (&declared.kind, value) {
        (AttributeKind::Number, AttributeValue::Number(n)) if n.is_finite() => return None,
        (AttributeKind::Number, _) => "a finite number".to_string(),
        (AttributeKind::Bool, AttributeValue::Bool(_)) => return None,
        (AttributeKind::Bool, _) => "true or false".to_string(),
        (AttributeKind::String, AttributeValue::Text(_)) => return None,
        (AttributeKind::String, _) => "a string".to_string(),
        (AttributeKind::OneOf(allowed), AttributeValue::Text(text))
            if allowed.iter().any(|a| a == text) =>
        {
            return None;
        }
        (AttributeKind::OneOf(allowed), _) => format!("one of {}", allowed.join(", ")),
    };
    Some(SignalError::AttributeType {
        signal: signal.name.clone(),
        attribute: attribute.to_string(),
        expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validation rules out transitions that loop at one instant; the engine still guards
    /// against them, for a model that slipped past (or a future check with a gap).
    #[test]
    fn a_loop_at_one_instant_stops_at_the_guard() {
        let text = "playbook: loop\nversion: 1\ntitle: Loop\nsignals: { x: { kind: gauge } }\n\
                    roles: [cm]\ninitial: a\nstates:\n\
                    \x20 a: { on: [{ to: b, when: x >= 2 }, { to: z, after: 1d }] }\n\
                    \x20 b: { on: [{ to: a, when: x < 1 }] }\n  z: { final: true }\n";
        let playbook = Playbook::from_yaml_str(text).unwrap();
        let mut model = playbook.model().clone();
        model.states[1].transitions[0].condition = model.states[0].transitions[0].condition.clone();
        let broken = Playbook::new(model, Vec::new());
        let mut run = Run::start(&broken, Timestamp::EPOCH);
        let x = broken.signal_named("x").unwrap();
        let events = run
            .observe(Observation::gauge(x, Timestamp::EPOCH, 5.0))
            .unwrap();
        let transitions = events
            .iter()
            .filter(|e| e.kind.name() == "transition")
            .count();
        assert_eq!(transitions, broken.states().len() + 1);
    }
}
