//! What a run emits: typed events, each with its time and its cause.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::{Duration, InhibitionMode, ParameterValue, Timestamp};

/// One entry of a run's timeline.
///
/// Serialized (as in `simulate --format jsonl`), an event is one flat JSON object with `at`
/// (RFC 3339) and `kind`, then the fields of its kind:
///
/// ```
/// use crisis_playbook::{Event, EventKind, Timestamp};
///
/// let event = Event {
///     at: "2026-03-02T08:00:00Z".parse()?,
///     kind: EventKind::Resolved { state: "closed".into() },
/// };
/// assert_eq!(
///     serde_json::to_string(&event).unwrap(),
///     r#"{"at":"2026-03-02T08:00:00Z","kind":"resolved","state":"closed"}"#
/// );
/// # Ok::<(), crisis_playbook::TimestampError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// When it happened, on the run's clock.
    pub at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// let events = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// let kinds: Vec<&str> = events.iter().map(|e| e.kind.name()).collect();
/// assert_eq!(kinds[0], "transition");
/// assert!(kinds[1..].iter().all(|k| *k == "action"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// The run moved to another state.
    Transition {
        /// The state left.
        from: String,
        /// The state entered.
        to: String,
        /// Which transition fired: its position, from 0, in the `on` list it is written in:
        /// the state's, or its group's.
        transition: usize,
        /// The group the transition is written in, when it is shared.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        /// The run's severity once the state is entered: the highest of the states it is then
        /// in (in a playbook without tracks, the severity of the state entered).
        severity: i64,
        /// Why: the guard and the values that made it hold.
        cause: Cause,
    },
    /// An action is recommended.
    Action {
        /// The state that recommends it.
        state: String,
        /// The action's id.
        action: String,
        /// The role that owns it.
        owner: String,
        /// Its deadline, if it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<Timestamp>,
        /// What to do, in the run's locale.
        text: String,
        /// 1 for the first emission in this state entry, then 2, 3… for recurring actions.
        occurrence: u32,
        /// Occurrences before this one that were not emitted, because one call caught up
        /// more instants than [`MAX_INSTANTS_PER_CALL`](crate::MAX_INSTANTS_PER_CALL): this
        /// event stands for them too. Usually 0, and then not serialized.
        #[serde(default, skip_serializing_if = "is_zero")]
        missed: u32,
    },
    /// A step of an escalation ladder: notify a role or a level.
    Escalation {
        /// The state whose ladder it is.
        state: String,
        /// The step's index in the ladder, from 0.
        step: usize,
        /// The repeat cycle, from 0.
        cycle: u32,
        /// The role notified.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
        /// The level notified.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<u32>,
        /// The message, in the run's locale.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// An open action passed its deadline.
    Breach {
        /// The state that recommended it.
        state: String,
        /// The action's id.
        action: String,
        /// Its owner.
        owner: String,
        /// The deadline that passed.
        due: Timestamp,
    },
    /// An open action's deadline moved: it counts from a signal (`from:`) that arrived after
    /// the action was recommended, so the clock started then.
    DeadlineMoved {
        /// The state that recommended it.
        state: String,
        /// The action's id.
        action: String,
        /// Its owner.
        owner: String,
        /// The new deadline.
        due: Timestamp,
        /// The signal whose arrival started the clock.
        signal: String,
    },
    /// A person's input (ack, approve, resolve…).
    Input {
        /// The manual signal.
        signal: String,
        /// Who gave it.
        by: String,
        /// Whether it stopped the current escalation ladder.
        stopped_escalation: bool,
    },
    /// An open action was marked done.
    Done {
        /// The action's id.
        action: String,
        /// Who marked it.
        by: String,
    },
    /// An open action closed because its state was left.
    Closed {
        /// The state left.
        state: String,
        /// The action's id.
        action: String,
    },
    /// The run reached a final state and ended.
    Resolved {
        /// The final state.
        state: String,
    },
    /// The run entered a state again during the state's cool-down: its actions and ladder
    /// were not sent again.
    Cooldown {
        /// The state entered.
        state: String,
        /// When its cool-down ends.
        until: Timestamp,
    },
    /// Entering a state with tracks started one of them, in its initial state.
    TrackStarted {
        /// The track.
        track: String,
        /// Its initial state, named `track.state`.
        state: String,
    },
    /// A track ended: it reached one of its final states, or the run left the state that
    /// holds it.
    TrackEnded {
        /// The track.
        track: String,
        /// The state it ended in, named `track.state`.
        state: String,
        /// `true` when it reached a final state; `false` when the run left the state that
        /// holds it first.
        finished: bool,
    },
    /// Entering a state started another playbook for the same subject (the state's
    /// `hand_over`). A [`RunSet`](crate::RunSet) starts it; a run alone only announces it.
    HandOver {
        /// The state entered.
        state: String,
        /// The id of the playbook to start. (Not `playbook`: a run set's event names the
        /// playbook that emitted it so.)
        starts: String,
        /// The state its run starts in, when not its initial state.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        starts_in: Option<String>,
        /// Its parameter overrides, by name.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        parameters: BTreeMap<String, ParameterValue>,
    },
    /// The run started in a state other than its playbook's initial one: a hand-over named
    /// it. Always the run's first event, so that a reader of its timeline knows where it began.
    StartedIn {
        /// The state it started in.
        state: String,
        /// That state's severity.
        severity: i64,
    },
    /// An inhibition rule began to apply: the playbook it names reached its severity.
    Inhibited {
        /// The playbook whose severity counts.
        by: String,
        /// Its track, when the rule counts only that track.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        track: Option<String>,
        /// That playbook's (or track's) severity now.
        severity: i64,
        /// This run's states below this severity are quieted.
        below: i64,
        /// `mute` or `defer`.
        mode: InhibitionMode,
    },
    /// An inhibition rule stopped applying.
    InhibitionLifted {
        /// The playbook whose severity counted.
        by: String,
        /// Its track, when the rule counted only that track.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        track: Option<String>,
    },
    /// An action or escalation step was not sent, because an inhibition mutes it.
    Muted(Quieted),
    /// An action or escalation step is held back until the inhibition lifts.
    Deferred(Quieted),
}

/// What an inhibition held back, and why: "muted by data-breach-or-recall at severity 4".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Quieted {
    /// The state that would have sent it.
    pub state: String,
    /// The action, when it is an action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The escalation step's index in the ladder, when it is a step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// The playbook whose severity quiets it.
    pub by: String,
    /// That playbook's (or track's) severity.
    pub severity: i64,
}

impl EventKind {
    /// The `kind` field of the serialized event.
    ///
    /// ```
    /// use crisis_playbook::EventKind;
    /// assert_eq!(EventKind::Resolved { state: "closed".into() }.name(), "resolved");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Transition { .. } => "transition",
            EventKind::Action { .. } => "action",
            EventKind::Escalation { .. } => "escalation",
            EventKind::Breach { .. } => "breach",
            EventKind::DeadlineMoved { .. } => "deadline_moved",
            EventKind::Input { .. } => "input",
            EventKind::Done { .. } => "done",
            EventKind::Closed { .. } => "closed",
            EventKind::Resolved { .. } => "resolved",
            EventKind::Cooldown { .. } => "cooldown",
            EventKind::TrackStarted { .. } => "track_started",
            EventKind::TrackEnded { .. } => "track_ended",
            EventKind::HandOver { .. } => "hand_over",
            EventKind::StartedIn { .. } => "started_in",
            EventKind::Inhibited { .. } => "inhibited",
            EventKind::InhibitionLifted { .. } => "inhibition_lifted",
            EventKind::Muted(_) => "muted",
            EventKind::Deferred(_) => "deferred",
        }
    }
}

/// Why a transition fired.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// let events = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// let EventKind::Transition { cause, .. } = &events[0].kind else { unreachable!() };
/// assert!(cause.condition.as_deref().unwrap().contains("journalist"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    /// The guard as written, if the transition has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// How long the guard had to hold (`for`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<Duration>,
    /// The timer since entering the state (`after`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Duration>,
    /// The comparisons and event tests that made the guard hold (all parts of an `and`, the
    /// holding parts of an `or`), with their live values.
    pub terms: Vec<Term>,
}

/// One comparison or event test of a guard, evaluated.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// let events = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// let EventKind::Transition { cause, .. } = &events[0].kind else { unreachable!() };
/// let term = cause.terms.iter().find(|t| t.holds).unwrap();
/// assert_eq!(term.test, "journalist");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The test, such as `volume_ratio >= crisis_ratio` or `journalist`.
    pub test: String,
    /// The left side's value; `None` when undefined or for an event test.
    pub value: Option<f64>,
    /// The right side's value, for a comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Whether the test holds.
    pub holds: bool,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
