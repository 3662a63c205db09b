//! Runs: one live instance of a playbook for one subject, advanced by signals and by the clock.
//!
//! This file holds the [`Run`] and what it stores ([`Live`], exactly what a snapshot holds),
//! starting a run and its read-only accessors. Each concern of advancing a run has one file,
//! with its part of `impl Run`:
//!
//! | file | owns |
//! |---|---|
//! | `error.rs` | [`RunError`]: everything a run refuses, with predicates to branch on |
//! | `observation.rs` | [`Observation`], its checks before anything changes, applying it |
//! | `settings.rs` | [`RunSettings`] and their checks |
//! | `timer.rs` | the next wake-up, moving the clock, [`Run::advance_to`], what one instant fires |
//! | `action.rs` | recommending actions and recurrences, deadline clocks, breaches, [`Run::complete`] |
//! | `ladder.rs` | escalation ladders, their steps and cycles, acknowledgements that stop them |
//! | `cooldown.rs` | cool-downs: when re-entering a state sends nothing again, or waits |
//! | `transition.rs` | guard evaluation, `for` holds and `after` timers, taking a transition, entering a state |
//! | `event.rs` | the [`Event`]s a call returns, with their [`Cause`] |
//! | `explain.rs` | [`Run::explain`], and conditions described as their author wrote them |
//! | `snapshot.rs` | [`Snapshot`], and the checks [`Run::restore`] makes before trusting one |
// For every file of the run: ids and positions index the playbook's vectors and the run's own.
#![expect(
    clippy::indexing_slicing,
    reason = "ids and positions come from the compiled playbook, or from a snapshot that `Run::restore` checked against it"
)]

mod action;
mod cooldown;
mod error;
mod event;
mod explain;
mod inhibition;
mod ladder;
mod observation;
mod render;
mod settings;
mod snapshot;
mod timer;
mod transition;

use serde::{Deserialize, Serialize};

use crate::metrics::{Horizon, MetricState};
use crate::model::{MetricId, Playbook, StateId};
use crate::{Duration, Timestamp};
pub use action::OpenActionView;
use action::{OpenAction, Recurrence};
pub use error::RunError;
pub use event::{Cause, Event, EventKind, Quieted, Term};
pub use explain::{Explanation, TransitionExplanation};
use ladder::LadderPosition;
pub use ladder::PendingEscalation;
use observation::SignalError;
pub(crate) use observation::attribute_error;
pub use observation::{AttributeValue, MAX_SIGNAL_VALUE, Observation};
pub use settings::{DEFAULT_LATE_TOLERANCE, RunSettings};
pub use snapshot::Snapshot;
pub(crate) use snapshot::SnapshotError;
pub use timer::MAX_INSTANTS_PER_CALL;

/// The target of the run's `tracing` events and spans, whichever file emits them: `RUST_LOG`
/// filters and log lines name the run, not how its code is laid out.
const LOG_TARGET: &str = "crisis_playbook::run";

/// When a signal was last seen, and its sequence number: "since entering the state" compares
/// sequence numbers, so the signal that caused a transition is not fresh in the state it led to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Seen {
    at: Option<Timestamp>,
    seq: u64,
}

/// One live instance of a playbook for one subject.
///
/// A run is advanced only by [`observe`](Run::observe) and [`advance_to`](Run::advance_to);
/// it never reads the wall clock. Each call returns the events it caused. A refused input
/// returns a [`RunError`] and leaves the run exactly as it was.
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
    /// For each inhibition rule, the current severity of the playbook (or track) it names, as
    /// the [`RunSet`](crate::RunSet) holding the run last told it; empty for a run alone. An
    /// input like a signal, not part of the snapshot: the set gives it again before each step.
    sources: Vec<Option<i64>>,
    /// The calendars the run counts working time in, when its settings replace the
    /// playbook's or move them to another time zone; `None` for the playbook's own.
    calendars: settings::RunCalendars,
}

/// Everything about a run that changes: exactly what a snapshot stores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "LiveRecord", into = "LiveRecord")]
pub(crate) struct Live {
    subject: String,
    locale: String,
    parameters: Vec<f64>,
    tolerance: Duration,
    started: Timestamp,
    now: Timestamp,
    seq: u64,
    /// Where the run is at the top level: place [`TOP`].
    top: Place,
    /// While the top-level state has tracks, where the run is in each, in the order written:
    /// places 1, 2…
    tracks: Vec<Place>,
    ended: bool,
    metrics: Vec<MetricState>,
    latest: Vec<Option<f64>>,
    seen: Vec<Seen>,
    matched: Vec<Seen>,
    open: Vec<OpenAction>,
    /// Per state, when the run last left it and how long its next cool-down lasts; empty when
    /// no state has a cool-down, so that other snapshots are unchanged.
    cooldowns: Vec<CooldownClock>,
    /// For each transition with a cool-down, when it last fired (`Plan::transition_clocks`).
    fired: Vec<Option<Timestamp>>,
    /// For each inhibition rule of the playbook, the severity of the playbook it names while
    /// the rule applies; empty for a playbook without rules.
    inhibitions: Vec<Option<i64>>,
    /// The actions a `defer` rule holds back, to send when it lifts.
    deferred: Vec<inhibition::Held>,
    /// The subject's time zone, when its settings give one: the playbook's calendars move to
    /// it.
    time_zone: Option<String>,
    /// The calendars the run's settings replace, by name.
    calendars: Vec<(String, crate::Calendar)>,
    /// The last value of each event attribute that texts name (`Model::kept_attributes`);
    /// empty for a playbook whose texts name none.
    kept: Vec<Option<render::Kept>>,
}

/// Where a run is at the top level or in one track: the current state, since when, and the
/// clocks that entering it started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Place {
    state: StateId,
    entered_at: Timestamp,
    entered_seq: u64,
    /// For each transition of the state with a `for`, since when its guard has held.
    pending: Vec<Option<Timestamp>>,
    /// For each action of the state, its next occurrence if it recurs.
    recurrences: Vec<Recurrence>,
    ladder: Option<LadderPosition>,
}

impl Place {
    fn new(playbook: &Playbook, state: StateId, at: Timestamp, seq: u64) -> Place {
        let plan = playbook.plan();
        Place {
            state,
            entered_at: at,
            entered_seq: seq,
            pending: vec![None; plan.max_transitions],
            recurrences: vec![Recurrence::default(); plan.max_actions],
            ladder: None,
        }
    }
}

/// A run as a snapshot writes it: the top-level place's fields where snapshots have always had
/// them, so that snapshots written before tracks existed restore, and the tracks' places after.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LiveRecord {
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cooldowns: Vec<CooldownClock>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    fired: Vec<Option<Timestamp>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tracks: Vec<Place>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    inhibitions: Vec<Option<i64>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    deferred: Vec<inhibition::Held>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    calendars: Vec<(String, crate::Calendar)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    kept: Vec<Option<render::Kept>>,
}

/// The run's top-level place, where every run starts; the places of tracks follow it.
const TOP: usize = 0;

impl Live {
    /// Where the run is at place `p`: [`TOP`], or a track's.
    fn place(&self, p: usize) -> &Place {
        match p.checked_sub(1) {
            None => &self.top,
            Some(track) => &self.tracks[track],
        }
    }

    fn place_mut(&mut self, p: usize) -> &mut Place {
        match p.checked_sub(1) {
            None => &mut self.top,
            Some(track) => &mut self.tracks[track],
        }
    }

    /// How many places the run is in: the top level and each running track.
    fn place_count(&self) -> usize {
        self.tracks.len().saturating_add(1)
    }

    /// Every place, the top level first.
    fn places(&self) -> impl Iterator<Item = &Place> {
        std::iter::once(&self.top).chain(&self.tracks)
    }
}

impl From<LiveRecord> for Live {
    fn from(record: LiveRecord) -> Live {
        let top = Place {
            state: record.state,
            entered_at: record.entered_at,
            entered_seq: record.entered_seq,
            pending: record.pending,
            recurrences: record.recurrences,
            ladder: record.ladder,
        };
        Live {
            subject: record.subject,
            locale: record.locale,
            parameters: record.parameters,
            tolerance: record.tolerance,
            started: record.started,
            now: record.now,
            seq: record.seq,
            top,
            tracks: record.tracks,
            ended: record.ended,
            metrics: record.metrics,
            latest: record.latest,
            seen: record.seen,
            matched: record.matched,
            open: record.open,
            cooldowns: record.cooldowns,
            fired: record.fired,
            inhibitions: record.inhibitions,
            deferred: record.deferred,
            time_zone: record.time_zone,
            calendars: record.calendars,
            kept: record.kept,
        }
    }
}

impl From<Live> for LiveRecord {
    fn from(live: Live) -> LiveRecord {
        let top = live.top;
        LiveRecord {
            subject: live.subject,
            locale: live.locale,
            parameters: live.parameters,
            tolerance: live.tolerance,
            started: live.started,
            now: live.now,
            seq: live.seq,
            state: top.state,
            entered_at: top.entered_at,
            entered_seq: top.entered_seq,
            ended: live.ended,
            pending: top.pending,
            metrics: live.metrics,
            latest: live.latest,
            seen: live.seen,
            matched: live.matched,
            open: live.open,
            recurrences: top.recurrences,
            ladder: top.ladder,
            cooldowns: live.cooldowns,
            fired: live.fired,
            tracks: live.tracks,
            inhibitions: live.inhibitions,
            deferred: live.deferred,
            time_zone: live.time_zone,
            calendars: live.calendars,
            kept: live.kept,
        }
    }
}

/// A state's cool-down clock: when the run last left the state, and the period of its
/// cool-down once backoff has stretched it (`None`: the state's own `for`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CooldownClock {
    left: Option<Timestamp>,
    period: Option<Duration>,
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
        Run::begin(
            playbook,
            RunSettings::default(),
            (parameters, None),
            at,
            Vec::new(),
            playbook.initial(),
        )
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
    ) -> Result<Run, RunError> {
        let resolved = settings.resolve(playbook)?;
        Ok(Run::begin(
            playbook,
            settings,
            resolved,
            at,
            Vec::new(),
            playbook.initial(),
        ))
    }

    /// A run that a [`RunSet`](crate::RunSet) starts in `state` (a top-level state), told from
    /// the start how severe the playbooks its inhibition rules name are, so that its first
    /// actions are quieted too.
    pub(crate) fn begin_in_set(
        playbook: &Playbook,
        settings: RunSettings,
        at: Timestamp,
        sources: Vec<Option<i64>>,
        state: StateId,
    ) -> Result<Run, RunError> {
        let resolved = settings.resolve(playbook)?;
        Ok(Run::begin(playbook, settings, resolved, at, sources, state))
    }

    fn begin(
        playbook: &Playbook,
        settings: RunSettings,
        (parameters, calendars): (Vec<f64>, settings::RunCalendars),
        at: Timestamp,
        sources: Vec<Option<i64>>,
        state: StateId,
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
            top: Place::new(playbook, state, at, 0),
            tracks: Vec::new(),
            ended: false,
            metrics: playbook
                .metrics()
                .iter()
                .map(|m| MetricState::new(m, at))
                .collect(),
            latest: vec![None; playbook.signals().len()],
            seen: vec![Seen::default(); playbook.signals().len()],
            matched: vec![Seen::default(); playbook.model().predicates.len()],
            open: Vec::with_capacity(plan.total_actions),
            cooldowns: vec![CooldownClock::default(); cooldown::state_clock_count(playbook)],
            fired: vec![None; plan.transition_clock_count],
            inhibitions: vec![None; playbook.inhibitions().len()],
            deferred: Vec::new(),
            time_zone: settings.time_zone,
            calendars: settings.calendars,
            kept: vec![None; playbook.model().kept_attributes.len()],
        };
        let mut run = Run {
            playbook: playbook.clone(),
            horizon: Horizon::of(&live.metrics),
            live,
            events: Vec::new(),
            sources,
            calendars,
        };
        run.refresh_inhibitions();
        if state != playbook.initial() {
            let state = playbook.state(state);
            run.push(EventKind::StartedIn {
                state: state.name.clone(),
                severity: state.severity,
            });
        }
        run.enter_state(TOP, false);
        run.evaluate();
        run
    }

    /// One of the calendars the run counts in: the playbook's, or the one its settings give
    /// (moved to the subject's time zone, if they give one). A report of the run tells office
    /// hours by it: [`Report::from_timeline_on`](crate::report::Report::from_timeline_on).
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, Run, RunSettings};
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let office = playbook.calendar_named("office").unwrap();
    /// let settings = RunSettings::new("brand-jp").time_zone("Asia/Tokyo");
    /// let run = Run::with_settings(&playbook, settings, "2026-03-02T00:00:00Z".parse()?)?;
    /// assert_eq!(run.calendar(office).time_zone(), "Asia/Tokyo");
    /// assert_eq!(playbook.calendar(office).time_zone(), "Europe/Paris");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn calendar(&self, id: crate::model::CalendarId) -> &crate::Calendar {
        match &self.calendars {
            Some(calendars) => &calendars[id.index()],
            None => self.playbook.calendar(id),
        }
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

    /// The subject's time zone: the one its settings give, else that of the playbook's first
    /// calendar; `None` for a playbook without calendars run without one.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, Run, RunSettings};
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let run = Run::start(&playbook, "2026-03-02T08:00:00Z".parse()?);
    /// assert_eq!(run.time_zone(), Some("Europe/Paris"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time_zone(&self) -> Option<&str> {
        match (&self.live.time_zone, self.playbook.calendars().is_empty()) {
            (Some(zone), _) => Some(zone),
            (None, false) => Some(
                self.calendar(crate::model::CalendarId::from_index(0))
                    .time_zone(),
            ),
            (None, true) => None,
        }
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
        self.live.top.state
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
        &self.playbook.state(self.live.top.state).name
    }

    /// Every state the run is in: its top-level state, then, if that state has tracks, the
    /// current state of each track, in the order the tracks are written.
    ///
    /// ```
    /// # use crisis_playbook::{Observation, Playbook, Run, Timestamp};
    /// let playbook = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
    /// let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut run = Run::start(&playbook, start);
    /// run.observe(Observation::manual(playbook.signal_named("breach_aware").unwrap(), start, "dpo"))?;
    /// let names: Vec<&str> = run.states().map(|s| playbook.state(s).name.as_str()).collect();
    /// assert_eq!(names, ["breach", "legal.notifying", "comms.holding", "care.answering"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn states(&self) -> impl Iterator<Item = StateId> + '_ {
        self.live.places().map(|place| place.state)
    }

    /// Whether the run is in `state`: its top-level state, or the current state of a track.
    ///
    /// ```
    /// # use crisis_playbook::{Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut run = Run::start(&playbook, start);
    /// run.observe(Observation::manual(playbook.signal_named("breach_aware").unwrap(), start, "dpo"))?;
    /// assert!(run.is_in(playbook.state_named("legal.notifying").unwrap()));
    /// assert!(!run.is_in(playbook.state_named("monitoring").unwrap()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_in(&self, state: StateId) -> bool {
        self.states().any(|s| s == state)
    }

    /// The run's severity: the highest of the states it is in (its top-level state and, in a
    /// state with tracks, each track's current state).
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
        self.states()
            .map(|state| self.playbook.state(state).severity)
            .max()
            .unwrap_or(0)
    }

    /// How long the run has been in its top-level state.
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
        self.live.now - self.live.top.entered_at
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
        self.live.metrics[index].value(metric, self.live.started, self.live.now, last_seen)
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
            ^ live.top.pending.first().is_some_and(Option::is_some)
            ^ live
                .metrics
                .first()
                .is_some_and(|m| m.next_change().is_some())
            ^ live.latest.first().is_some_and(Option::is_some)
            ^ live.seen.first().is_some_and(|seen| seen.at.is_some())
            ^ live.matched.first().is_some_and(|seen| seen.at.is_some())
            ^ live.open.first().is_some_and(|open| open.breached)
            ^ live
                .top
                .recurrences
                .first()
                .is_some_and(|r| r.next.is_some())
    }

    /// Reads every metric's window and the bucket a new value would land in; the second step
    /// after [`Run::warm_arrays`], whose reads bring in the arrays this one goes through.
    pub(crate) fn warm_windows(&self) -> bool {
        self.live
            .metrics
            .iter()
            .fold(false, |warm, metric| warm ^ metric.warm())
    }

    fn push(&mut self, kind: EventKind) {
        self.events.push(Event {
            at: self.live.now,
            kind,
        });
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
            + self.live.tracks.capacity() * size_of::<Place>()
            + self
                .live
                .places()
                .map(|place| {
                    place.pending.capacity() * size_of::<Option<Timestamp>>()
                        + place.recurrences.capacity() * size_of::<Recurrence>()
                })
                .sum::<usize>()
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
            + self.events.capacity() * size_of::<Event>()
            // A subject's own zone and calendars: as its settings gave them, and resolved.
            + self.live.time_zone.as_ref().map_or(0, String::capacity)
            + self.live.calendars.capacity() * size_of::<(String, crate::Calendar)>()
            + self
                .live
                .calendars
                .iter()
                .map(|(name, calendar)| name.capacity() + calendar.heap_bytes())
                .sum::<usize>()
            + self.calendars.as_ref().map_or(0, |calendars| {
                calendars
                    .iter()
                    .map(|c| size_of::<crate::Calendar>() + c.heap_bytes())
                    .sum::<usize>()
            })
    }
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
