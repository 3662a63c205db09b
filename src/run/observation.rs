//! Observations: what a run is fed, the checks each passes before anything changes, and what
//! applying one does (metric buckets, last values, event tests, manual inputs).

use crate::model::{AttributeKind, CompareOp, EventRoute, Feed, Signal, SignalId, SignalKind};
use crate::{Duration, Timestamp};

use super::{Event, LOG_TARGET, Run, RunError, Seen};
use crate::diagnostic::suggestion;

/// The value of an event attribute.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// let influencer = playbook.signal_named("influencer").unwrap();
/// let mut run = Run::start(&playbook, start);
/// let wrong = [("followers", AttributeValue::Text("many"))];
/// let err = run.observe(Observation::event(influencer, start, &wrong)).unwrap_err();
/// assert_eq!(err.to_string(), "event `influencer`: attribute `followers` must be a finite number");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttributeValue<'a> {
    /// A number, such as a follower count.
    Number(f64),
    /// A string, such as an outlet tier.
    Text(&'a str),
    /// True or false.
    Bool(bool),
    /// A time, such as when an author's account was created. A `time` attribute also takes
    /// its RFC 3339 text, as traces give it.
    Time(Timestamp),
}

/// `"national".into()`, `true.into()` and `12_000.0.into()` make attribute values.
///
/// ```
/// use crisis_playbook::AttributeValue;
/// let attributes: [(&str, AttributeValue); 3] =
///     [("tier", "national".into()), ("verified", true.into()), ("followers", 12_000.0.into())];
/// assert_eq!(attributes[0].1, AttributeValue::Text("national"));
/// ```
impl<'a> From<&'a str> for AttributeValue<'a> {
    fn from(text: &'a str) -> Self {
        AttributeValue::Text(text)
    }
}

impl From<bool> for AttributeValue<'_> {
    fn from(value: bool) -> Self {
        AttributeValue::Bool(value)
    }
}

impl From<f64> for AttributeValue<'_> {
    fn from(value: f64) -> Self {
        AttributeValue::Number(value)
    }
}

impl From<Timestamp> for AttributeValue<'_> {
    fn from(value: Timestamp) -> Self {
        AttributeValue::Time(value)
    }
}

/// One event as its tests and metrics read it: its attributes by name, its time, and its
/// texts folded for matching, each at most once per event.
pub(crate) struct EventView<'e, 'a> {
    attributes: &'e [(&'a str, AttributeValue<'a>)],
    at: Timestamp,
    folded: &'e mut String,
    /// The attribute (by its place in `attributes`) whose text `folded` holds.
    folded_from: Option<usize>,
}

impl<'e, 'a> EventView<'e, 'a> {
    pub(crate) fn new(
        attributes: &'e [(&'a str, AttributeValue<'a>)],
        at: Timestamp,
        folded: &'e mut String,
    ) -> Self {
        EventView {
            attributes,
            at,
            folded,
            folded_from: None,
        }
    }

    /// When the event happened.
    pub(crate) fn at(&self) -> Timestamp {
        self.at
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.attributes.iter().position(|(a, _)| *a == name)
    }

    /// The value of attribute `name`, if the event carries it.
    pub(crate) fn value(&self, name: &str) -> Option<AttributeValue<'a>> {
        self.position(name).map(|i| self.attributes[i].1)
    }

    /// The text of attribute `name`, folded (`wording::fold_into`), if the event carries it as
    /// a text.
    pub(crate) fn folded(&mut self, name: &str) -> Option<&str> {
        let i = self.position(name)?;
        let AttributeValue::Text(text) = self.attributes[i].1 else {
            return None;
        };
        if self.folded_from != Some(i) {
            crate::wording::fold_into(text, self.folded);
            self.folded_from = Some(i);
        }
        Some(self.folded.as_str())
    }

    /// How old the time in attribute `name` was when the event happened (0 for a time after
    /// it), if the event carries it.
    fn age(&self, name: &str) -> Option<Duration> {
        let time = match self.value(name)? {
            AttributeValue::Time(time) => time,
            AttributeValue::Text(text) => text.parse().ok()?,
            _ => return None,
        };
        Some(self.at - time)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value<'a> {
    /// A number, and the kind of signal the caller meant it for (`None`: either).
    Number(f64, Option<SignalKind>),
    Event(&'a [(&'a str, AttributeValue<'a>)]),
    Manual(&'a str),
}

/// One observed signal: which, when, and its value.
///
/// Resolve signal names once with [`Playbook::signal_named`](crate::Playbook::signal_named); observations then carry ids, so
/// feeding a run compares no strings.
///
/// ```
/// use crisis_playbook::{AttributeValue, Observation, Playbook};
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let mentions = playbook.signal_named("mentions").unwrap();
/// let journalist = playbook.signal_named("journalist").unwrap();
/// let at = "2026-03-02T08:00:00Z".parse().unwrap();
/// let batch = Observation::count(mentions, at, 42.0);
/// let tier = [("tier", AttributeValue::Text("national"))];
/// let press = Observation::event(journalist, at, &tier);
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observation<'a> {
    pub(crate) signal: SignalId,
    pub(crate) at: Timestamp,
    pub(crate) value: Value<'a>,
}

impl<'a> Observation<'a> {
    /// A batch of a count signal: how many things arrived (non-negative).
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mentions = playbook.signal_named("mentions").unwrap();
    /// let observation = Observation::count(mentions, at, 42.0);
    /// assert_eq!(observation.value(), Some(42.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count(signal: SignalId, at: Timestamp, value: f64) -> Self {
        Observation {
            signal,
            at,
            value: Value::Number(value, Some(SignalKind::Count)),
        }
    }

    /// A sample of a gauge signal.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let sentiment = playbook.signal_named("sentiment").unwrap();
    /// assert_eq!(Observation::gauge(sentiment, at, -0.4).value(), Some(-0.4));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn gauge(signal: SignalId, at: Timestamp, value: f64) -> Self {
        Observation {
            signal,
            at,
            value: Value::Number(value, Some(SignalKind::Gauge)),
        }
    }

    /// A number for a count or a gauge signal, whichever the playbook declares: for code that
    /// feeds values it did not type itself, such as rows of a trace. Where the kind is known,
    /// [`count`](Observation::count) and [`gauge`](Observation::gauge) also check that the
    /// playbook agrees.
    ///
    /// ```
    /// # use crisis_playbook::{Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let sentiment = playbook.signal_named("sentiment").unwrap();
    /// let mut run = Run::start(&playbook, at);
    /// assert!(run.observe(Observation::number(sentiment, at, -0.4)).is_ok());
    /// // A count would be a mistake: sentiment is a level, not a number of things.
    /// assert!(run.observe(Observation::count(sentiment, at, 0.4)).unwrap_err().is_invalid_input());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn number(signal: SignalId, at: Timestamp, value: f64) -> Self {
        Observation {
            signal,
            at,
            value: Value::Number(value, None),
        }
    }

    /// An event with its attributes.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let influencer = playbook.signal_named("influencer").unwrap();
    /// let attributes = [("followers", AttributeValue::Number(250_000.0)), ("partner", AttributeValue::Bool(false))];
    /// let observation = Observation::event(influencer, at, &attributes);
    /// assert_eq!(observation.value(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn event(
        signal: SignalId,
        at: Timestamp,
        attributes: &'a [(&'a str, AttributeValue<'a>)],
    ) -> Self {
        Observation {
            signal,
            at,
            value: Value::Event(attributes),
        }
    }

    /// A manual input from a person.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let ack = playbook.signal_named("ack").unwrap();
    /// assert_eq!(Observation::manual(ack, at, "social_lead").signal(), ack);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn manual(signal: SignalId, at: Timestamp, by: &'a str) -> Self {
        Observation {
            signal,
            at,
            value: Value::Manual(by),
        }
    }

    /// The signal observed.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mentions = playbook.signal_named("mentions").unwrap();
    /// assert_eq!(Observation::count(mentions, at, 1.0).signal(), mentions);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signal(&self) -> SignalId {
        self.signal
    }

    /// When.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mentions = playbook.signal_named("mentions").unwrap();
    /// assert_eq!(Observation::count(mentions, at, 1.0).at(), at);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// The number carried by a count or gauge observation.
    ///
    /// ```
    /// # use crisis_playbook::{Observation, Playbook};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    /// # let mentions = playbook.signal_named("mentions").unwrap();
    /// let batch = Observation::count(mentions, crisis_playbook::Timestamp::EPOCH, 42.0);
    /// assert_eq!(batch.value(), Some(42.0));
    /// ```
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let ack = playbook.signal_named("ack").unwrap();
    /// assert_eq!(Observation::manual(ack, at, "me").value(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn value(&self) -> Option<f64> {
        match self.value {
            Value::Number(value, _) => Some(value),
            _ => None,
        }
    }
}

/// Why a run refused an observation or a `done`; callers see it as a [`RunError`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub(crate) enum SignalError {
    /// The id does not belong to the run's playbook.
    #[error(
        "signal id {0} belongs to another playbook: take ids from this run's playbook, with `Playbook::signal_named`"
    )]
    ForeignSignal(usize),
    /// A value of the wrong kind for the signal.
    #[error("`{signal}` is {kind} signal: {expected}")]
    WrongKind {
        /// The signal.
        signal: String,
        /// Its kind, with its article ("an event").
        kind: &'static str,
        /// What to send instead.
        expected: &'static str,
    },
    /// NaN or an infinity.
    #[error("`{signal}`: the value is not a finite number")]
    NotFinite {
        /// The signal.
        signal: String,
    },
    /// A negative count.
    #[error("`{signal}`: a count cannot be negative ({value})")]
    Negative {
        /// The signal.
        signal: String,
        /// The value given.
        value: f64,
    },
    /// A count or gauge beyond [`MAX_SIGNAL_VALUE`]: windows sum values and their squares, and
    /// a sum that overflows to infinity could not be stored in a snapshot.
    #[error(
        "`{signal}`: {} is beyond ±1e15, the largest magnitude a signal may carry: send it in a smaller unit",
        readable(*.value)
    )]
    TooLarge {
        /// The signal.
        signal: String,
        /// The value given.
        value: f64,
    },
    /// A gauge value outside the declared range.
    #[error("`{signal}`: {value} is outside the range [{low}, {high}]")]
    OutOfRange {
        /// The signal.
        signal: String,
        /// The value given.
        value: f64,
        /// Lowest valid value.
        low: f64,
        /// Highest valid value.
        high: f64,
    },
    /// A signal older than the run's clock by more than the tolerance.
    #[error(
        "`{signal}` at {at} is {late} behind the run's clock ({now}), more than the tolerance of {tolerance}"
    )]
    TooLate {
        /// The signal.
        signal: String,
        /// Its timestamp.
        at: Timestamp,
        /// The run's clock.
        now: Timestamp,
        /// How far behind.
        late: Duration,
        /// The accepted lateness.
        tolerance: Duration,
    },
    /// An event attribute the signal does not declare.
    #[error("event `{signal}` has no attribute `{attribute}`{hint}")]
    UnknownAttribute {
        /// The signal.
        signal: String,
        /// The attribute given.
        attribute: String,
        /// A suggestion, or the empty string.
        hint: String,
    },
    /// The same attribute twice in one event.
    #[error("event `{signal}`: attribute `{attribute}` is given twice: give each attribute once")]
    RepeatedAttribute {
        /// The signal.
        signal: String,
        /// The attribute.
        attribute: String,
    },
    /// A `done` older than the run's clock by more than the tolerance.
    #[error(
        "`done` of `{action}` at {at} is {late} behind the run's clock ({now}), more than the tolerance of {tolerance}"
    )]
    DoneTooLate {
        /// The action.
        action: String,
        /// Its timestamp.
        at: Timestamp,
        /// The run's clock.
        now: Timestamp,
        /// How far behind.
        late: Duration,
        /// The accepted lateness.
        tolerance: Duration,
    },
    /// An attribute value of the wrong type, or not among the allowed values.
    #[error("event `{signal}`: attribute `{attribute}` must be {expected}")]
    AttributeType {
        /// The signal.
        signal: String,
        /// The attribute.
        attribute: String,
        /// What it must be.
        expected: String,
    },
    /// `done` named an action that no state of the playbook has.
    #[error("no action `{0}` in this playbook")]
    UnknownAction(String),
}

impl SignalError {
    /// The signal at fault, when there is one.
    pub(crate) fn signal(&self) -> Option<&str> {
        match self {
            SignalError::ForeignSignal(_)
            | SignalError::UnknownAction(_)
            | SignalError::DoneTooLate { .. } => None,
            SignalError::WrongKind { signal, .. }
            | SignalError::NotFinite { signal }
            | SignalError::Negative { signal, .. }
            | SignalError::TooLarge { signal, .. }
            | SignalError::OutOfRange { signal, .. }
            | SignalError::TooLate { signal, .. }
            | SignalError::UnknownAttribute { signal, .. }
            | SignalError::RepeatedAttribute { signal, .. }
            | SignalError::AttributeType { signal, .. } => Some(signal),
        }
    }
}

/// The largest magnitude a count or gauge may have: 1e15.
///
/// Every whole number up to it is exact in an `f64`, and windows can sum values and their
/// squares for longer than any run lasts without overflowing to infinity, which a snapshot could
/// not store. Larger values are refused with a [`RunError`] that
/// [`is_invalid_input`](RunError::is_invalid_input).
///
/// ```
/// # use crisis_playbook::{Observation, Playbook, Run, Timestamp, MAX_SIGNAL_VALUE};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// let mentions = playbook.signal_named("mentions").unwrap();
/// let mut run = Run::start(&playbook, start);
/// assert!(run.observe(Observation::count(mentions, start, MAX_SIGNAL_VALUE)).is_ok());
/// assert!(run.observe(Observation::count(mentions, start, 2.0 * MAX_SIGNAL_VALUE)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_SIGNAL_VALUE: f64 = 1e15;

/// A number as a person reads it: with an exponent when long (Rust prints 1e308 in full).
fn readable(value: f64) -> String {
    if value.abs() >= 1e16 {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

impl Run {
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
    pub fn observe(&mut self, observation: Observation<'_>) -> Result<&[Event], RunError> {
        self.check_observation(&observation)?;
        self.events.clear();
        if self.live.ended {
            return Ok(&self.events);
        }
        let span = tracing::debug_span!(target: LOG_TARGET, "observe", subject = %self.live.subject, playbook = %self.playbook.id());
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

    /// How far `at` is behind the run's clock, when that is more than the run accepts.
    pub(super) fn too_late(&self, at: Timestamp) -> Option<Duration> {
        let late = self.live.now - at;
        (late > self.live.tolerance).then_some(late)
    }

    /// Every check [`observe`](Run::observe) makes before anything changes: a run set checks
    /// each of its runs before it feeds any.
    pub(crate) fn check_observation(&self, observation: &Observation<'_>) -> Result<(), RunError> {
        self.check(observation).map_err(RunError::from)
    }

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
            (SignalKind::Count | SignalKind::Gauge, Value::Number(value, meant)) => {
                if meant.is_some_and(|meant| meant != signal.kind) {
                    return Err(mistyped(signal));
                }
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
                // A test reads one value per attribute: two would leave which one counts to
                // the order of the list.
                if let Some((attribute, _)) =
                    attributes.iter().enumerate().find_map(|(i, (a, _))| {
                        attributes
                            .get(..i)?
                            .iter()
                            .find(|(earlier, _)| earlier == a)
                    })
                {
                    return Err(SignalError::RepeatedAttribute {
                        signal: name(),
                        attribute: (*attribute).to_string(),
                    });
                }
            }
            (SignalKind::Manual, Value::Manual(_)) => {}
            (SignalKind::Count, _) => return Err(wrong("send a non-negative number")),
            (SignalKind::Gauge, _) => return Err(wrong("send a number")),
            (SignalKind::Event, _) => return Err(wrong("send an event with its attributes")),
            (SignalKind::Manual, _) => return Err(wrong("send who gave the input")),
        }
        match self.too_late(observation.at) {
            Some(late) => Err(self.late(&signal.name, observation.at, late)),
            None => Ok(()),
        }
    }

    /// The refusal of a signal `late` behind the clock; out of the way of the checks that pass.
    #[cold]
    fn late(&self, signal: &str, at: Timestamp, late: Duration) -> SignalError {
        SignalError::TooLate {
            signal: signal.to_string(),
            at,
            now: self.live.now,
            late,
            tolerance: self.live.tolerance,
        }
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
            Value::Number(value, _) => {
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
                crate::wording::with_buffer(|buffer| {
                    let mut event = EventView::new(attributes, at, buffer);
                    self.apply_event(index, &mut event);
                });
            }
            Value::Manual(by) => self.manual(observation.signal, by),
            // `from:` names only events and manual inputs: counts and gauges start no clock.
            Value::Number(..) => return,
        }
        self.start_clocks(observation.signal, at);
    }

    /// Records what an event of signal `index` passes (its predicates), then what it feeds:
    /// attribute metrics, and the count signals that count it.
    fn apply_event(&mut self, index: usize, event: &mut EventView<'_, '_>) {
        self.keep_attributes(index, event);
        let plan = self.playbook.plan();
        let at = event.at;
        for predicate in &plan.predicates_of[index] {
            if self.predicate_holds(*predicate, event) {
                let seen = self.live.matched[*predicate];
                self.live.matched[*predicate] = Seen {
                    at: Some(seen.at.map_or(at, |p| p.max(at))),
                    seq: self.live.seq,
                };
            }
        }
        let attributes = &self.playbook.model().signals[index].attributes;
        let passed = |live: &super::Live, predicate: usize| live.matched[predicate].seq == live.seq;
        for route in &plan.event_routes[index] {
            match route {
                EventRoute::Value { metric, attribute } => {
                    if let Some(value) = event.value(&attributes[*attribute].name) {
                        let metric = &mut self.live.metrics[*metric];
                        metric.add_value(at, value_hash(value));
                        self.horizon.added(metric);
                    }
                }
                EventRoute::Text { metric, attribute } => {
                    if let Some(text) = event.folded(&attributes[*attribute].name) {
                        let fingerprint = crate::wording::fingerprint(text);
                        let metric = &mut self.live.metrics[*metric];
                        metric.add_text(at, fingerprint);
                        self.horizon.added(metric);
                    }
                }
                EventRoute::Test {
                    metric,
                    predicate,
                    tested,
                } => {
                    if tested
                        .iter()
                        .all(|a| event.value(&attributes[*a].name).is_some())
                    {
                        let part = passed(&self.live, *predicate);
                        let metric = &mut self.live.metrics[*metric];
                        metric.add(Feed::Whole, at, 1.0);
                        if part {
                            metric.add(Feed::Part, at, 1.0);
                        }
                        self.horizon.added(metric);
                    }
                }
                EventRoute::Count { signal, predicate } => {
                    if predicate.is_none_or(|p| passed(&self.live, p)) {
                        for (metric, input) in &plan.routes[*signal] {
                            let metric = &mut self.live.metrics[*metric];
                            metric.add(*input, at, 1.0);
                            self.horizon.added(metric);
                        }
                    }
                }
            }
        }
    }

    /// Whether the event passes every test of predicate `index`; an event that lacks a tested
    /// attribute does not.
    fn predicate_holds(&self, index: usize, event: &mut EventView<'_, '_>) -> bool {
        let model = self.playbook.model();
        let predicate = &model.predicates[index];
        let declared = &model.signals[predicate.signal.index()].attributes;
        predicate.tests.iter().all(|test| {
            let name = &declared[test.attribute].name;
            use crate::model::AttributeLiteral as Literal;
            match &test.value {
                Literal::Phrases(phrases) => event
                    .folded(name)
                    .is_some_and(|text| equality(test.op, phrases.is_in(text))),
                Literal::NewerThan(limit) => event
                    .age(name)
                    .is_some_and(|age| equality(test.op, age <= *limit)),
                literal => match (event.value(name), literal) {
                    (Some(AttributeValue::Number(n)), Literal::Number(t)) => test.op.holds(n, *t),
                    (Some(AttributeValue::Number(n)), Literal::Parameter(id)) => {
                        test.op.holds(n, self.live.parameters[id.index()])
                    }
                    (Some(AttributeValue::Text(text)), Literal::Text(t)) => {
                        equality(test.op, text == t)
                    }
                    (Some(AttributeValue::Bool(b)), Literal::Bool(t)) => equality(test.op, b == *t),
                    _ => false,
                },
            }
        })
    }
}

/// The hash `distinct` and `top_share` count a value by: the same for the same value on every
/// platform, so that a restored run counts on.
fn value_hash(value: AttributeValue<'_>) -> u64 {
    use crate::wording::stable_hash;
    // A tag per type keeps `"1"`, `1` and `true` apart.
    match value {
        AttributeValue::Text(text) => stable_hash(text.as_bytes()),
        AttributeValue::Number(n) => {
            // -0 and 0 are one value.
            let n = if n == 0.0 { 0.0 } else { n };
            tagged(1, n.to_bits().to_le_bytes())
        }
        AttributeValue::Bool(b) => stable_hash(&[2, u8::from(b)]),
        AttributeValue::Time(t) => tagged(3, t.as_millis().to_le_bytes()),
    }
}

fn tagged(tag: u8, bytes: [u8; 8]) -> u64 {
    let mut tagged = [tag; 9];
    tagged[1..].copy_from_slice(&bytes);
    crate::wording::stable_hash(&tagged)
}

fn equality(op: CompareOp, equal: bool) -> bool {
    match op {
        CompareOp::NotEqual => !equal,
        _ => equal,
    }
}

/// The refusal of a count sent as a gauge, or the reverse.
#[cold]
fn mistyped(signal: &Signal) -> SignalError {
    SignalError::WrongKind {
        signal: signal.name.clone(),
        kind: signal.kind.with_article(),
        expected: if signal.kind == SignalKind::Count {
            "send it with `Observation::count`, or with `Observation::number`, which takes either kind"
        } else {
            "send it with `Observation::gauge`, or with `Observation::number`, which takes either kind"
        },
    }
}

/// What is wrong with an event attribute, for `signal`'s declaration: a name it does not
/// declare, or a value of another type or outside its allowed values.
pub(crate) fn attribute_error(
    signal: &Signal,
    attribute: &str,
    value: &AttributeValue<'_>,
) -> Option<SignalError> {
    let Some(declared) = signal.attributes.iter().find(|a| a.name == attribute) else {
        return Some(SignalError::UnknownAttribute {
            signal: signal.name.clone(),
            attribute: attribute.to_string(),
            hint: suggestion(attribute, signal.attributes.iter().map(|a| a.name.as_str()))
                .unwrap_or_default(),
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
        (AttributeKind::Time, AttributeValue::Time(_)) => return None,
        (AttributeKind::Time, AttributeValue::Text(text)) if text.parse::<Timestamp>().is_ok() => {
            return None;
        }
        (AttributeKind::Time, _) => {
            "a time in RFC 3339, such as \"2026-03-02T08:00:00Z\"".to_string()
        }
    };
    Some(SignalError::AttributeType {
        signal: signal.name.clone(),
        attribute: attribute.to_string(),
        expected,
    })
}
