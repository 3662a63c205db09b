//! What a run is fed, and the typed errors for input it refuses.
#![expect(
    clippy::indexing_slicing,
    reason = "ids and positions come from the compiled playbook, or from a snapshot that `Run::restore` checked against it"
)]

use crate::model::{ParameterValue, Playbook, QuantityKind, SignalId};
use crate::{Duration, Timestamp};

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

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value<'a> {
    Number(f64),
    Event(&'a [(&'a str, AttributeValue<'a>)]),
    Manual(&'a str),
}

/// One observed signal: which, when, and its value.
///
/// Resolve signal names once with [`Playbook::signal_named`]; observations then carry ids, so
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
            value: Value::Number(value),
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
        Observation::count(signal, at, value)
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
            Value::Number(value) => Some(value),
            _ => None,
        }
    }
}

/// Why a run refused an input. The run is left exactly as it was.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// use crisis_playbook::SignalError;
/// let sentiment = playbook.signal_named("sentiment").unwrap();
/// let mut run = Run::start(&playbook, start);
/// let err = run.observe(Observation::gauge(sentiment, start, 3.0)).unwrap_err();
/// assert!(matches!(err, SignalError::OutOfRange { .. }));
/// assert_eq!(err.to_string(), "`sentiment`: 3 is outside the range [-1, 1]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SignalError {
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
    #[error("event `{signal}` has no attribute `{attribute}`")]
    UnknownAttribute {
        /// The signal.
        signal: String,
        /// The attribute given.
        attribute: String,
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

/// The largest magnitude a count or gauge may have: 1e15.
///
/// Every whole number up to it is exact in an `f64`, and windows can sum values and their
/// squares for longer than any run lasts without overflowing to infinity, which a snapshot could
/// not store. Larger values are refused with [`SignalError::TooLarge`].
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

/// A parameter override that does not fit the playbook.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// use crisis_playbook::{RunSettings, SettingsError};
/// let err = Run::with_settings(&playbook, RunSettings::new("x").parameter("watch_rato", 2.0), start).unwrap_err();
/// assert!(matches!(err, SettingsError::UnknownParameter { .. }));
/// assert_eq!(err.to_string(), "unknown parameter `watch_rato`; did you mean `watch_ratio`?");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// No parameter by that name.
    #[error("unknown parameter `{name}`{hint}")]
    UnknownParameter {
        /// The name given.
        name: String,
        /// A suggestion, or the empty string.
        hint: String,
    },
    /// A value outside the declared bounds.
    #[error("parameter `{name}` = {value} is outside its bounds {bounds}")]
    OutOfBounds {
        /// The parameter.
        name: String,
        /// The value given.
        value: ParameterValue,
        /// The bounds as the playbook writes them: `[1.2, 10]`, `[10m, 2h]`, `[1, any]`.
        bounds: String,
    },
    /// A number for a duration parameter, or a duration for a number parameter.
    #[error("parameter `{name}` is {}", match expected {
        QuantityKind::Duration => "a duration: give it with a unit, such as `2h`",
        QuantityKind::Number => "a number, not a duration: give it without a unit, such as `2` or `30%`",
    })]
    WrongKind {
        /// The parameter.
        name: String,
        /// What the parameter is.
        expected: QuantityKind,
    },
}

/// How to start a run: subject, locale, parameter overrides and late-signal tolerance.
///
/// ```
/// use crisis_playbook::{Duration, Playbook, Run, RunSettings};
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let settings = RunSettings::new("brand-x")
///     .locale("fr")
///     .parameter("watch_ratio", 3.0)
///     .late_tolerance(Duration::from_secs(60));
/// let run = Run::with_settings(&playbook, settings, "2026-03-02T08:00:00Z".parse()?)?;
/// assert_eq!(run.subject(), "brand-x");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    pub(crate) subject: String,
    pub(crate) locale: Option<String>,
    pub(crate) parameters: Vec<(String, ParameterValue)>,
    pub(crate) late_tolerance: Option<Duration>,
}

/// Signals up to this much older than the run's clock are accepted by default.
///
/// ```
/// assert_eq!(crisis_playbook::DEFAULT_LATE_TOLERANCE.to_string(), "5m");
/// ```
pub const DEFAULT_LATE_TOLERANCE: Duration = Duration::from_secs(300);

impl RunSettings {
    /// Settings for a run about `subject` (a brand, an account, a post…).
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = crisis_playbook::Run::with_settings(&playbook, RunSettings::new("brand-x"), at)?;
    /// assert_eq!(run.subject(), "brand-x");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(subject: impl Into<String>) -> Self {
        RunSettings {
            subject: subject.into(),
            ..RunSettings::default()
        }
    }

    /// Emit texts in this locale (default: the playbook's).
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = crisis_playbook::Run::with_settings(&playbook, RunSettings::new("x").locale("fr"), at)?;
    /// assert_eq!(run.locale(), "fr");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = Some(locale.into());
        self
    }

    /// Override a parameter, within its declared bounds: a number (`3.0`) for a number
    /// parameter, a [`Duration`] for a duration parameter.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let settings = RunSettings::new("x").parameter("watch_ratio", 50.0);
    /// let err = crisis_playbook::Run::with_settings(&playbook, settings, at).unwrap_err();
    /// assert_eq!(err.to_string(), "parameter `watch_ratio` = 50 is outside its bounds [1.2, 10]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<ParameterValue>) -> Self {
        self.parameters.push((name.into(), value.into()));
        self
    }

    /// Accept signals up to this much older than the run's clock (default 5 minutes).
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mentions = playbook.signal_named("mentions").unwrap();
    /// let settings = RunSettings::new("x").late_tolerance(Duration::from_secs(3600));
    /// let mut run = crisis_playbook::Run::with_settings(&playbook, settings, at)?;
    /// run.advance_to(at + Duration::from_secs(1800));
    /// run.observe(Observation::count(mentions, at, 5.0))?; // half an hour late: accepted
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn late_tolerance(mut self, tolerance: Duration) -> Self {
        self.late_tolerance = Some(tolerance);
        self
    }

    /// Resolves the overrides against the playbook: the value of every parameter.
    pub(crate) fn parameter_values(&self, playbook: &Playbook) -> Result<Vec<f64>, SettingsError> {
        let mut values: Vec<f64> = playbook.parameters().iter().map(|p| p.default).collect();
        for (name, value) in &self.parameters {
            let Some(id) = playbook.parameter_named(name) else {
                let names = playbook.parameters().iter().map(|p| p.name.as_str());
                let hint = crate::diagnostic::did_you_mean(name, names)
                    .map(|close| format!("; did you mean `{close}`?"))
                    .unwrap_or_default();
                return Err(SettingsError::UnknownParameter {
                    name: name.clone(),
                    hint,
                });
            };
            let parameter = playbook.parameter(id);
            if value.kind() != parameter.kind {
                return Err(SettingsError::WrongKind {
                    name: name.clone(),
                    expected: parameter.kind,
                });
            }
            if !parameter.allows(value.as_f64()) {
                return Err(SettingsError::OutOfBounds {
                    name: name.clone(),
                    value: *value,
                    bounds: parameter.bounds_text(),
                });
            }
            values[id.index()] = value.as_f64();
        }
        Ok(values)
    }
}
