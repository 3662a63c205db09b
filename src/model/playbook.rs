//! The compiled playbook: an immutable, validated graph of states, cheap to share.
#![expect(
    clippy::indexing_slicing,
    reason = "ids are handed out by the compiled playbook and index its own vectors"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::condition::{Condition, EventPredicate};
use super::links::{HandOver, Inhibition};
use super::plan::Plan;
use super::template::Template;
use crate::diagnostic::Diagnostic;
use crate::{Calendar, Duration, LocalizedText};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub(crate) u32);

        impl $name {
            /// Position in the playbook's list, from 0.
            ///
            /// ```
            /// # use crisis_playbook::Playbook;
            /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
            /// let ack = playbook.signal_named("ack").unwrap();
            /// assert_eq!(playbook.signals()[ack.index()].name, "ack");
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub fn index(self) -> usize {
                self.0 as usize
            }

            pub(crate) fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).unwrap_or(u32::MAX))
            }
        }
    };
}

id_type!(
    /// Identifies a state of one playbook; see [`Playbook::state`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let id = playbook.state_named("crisis").unwrap();
    /// assert_eq!(playbook.state(id).name, "crisis");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    StateId
);
/// Identifies a signal of one playbook; see [`Playbook::signal`].
///
/// An id carries a tag of the playbook it came from (a hash of the playbook's id and its
/// signals' names and kinds), so that a run refuses an observation with an id taken from
/// another playbook instead of counting it as whatever signal has the same position. The same
/// playbook loaded twice, or edited without touching its signals, gives the same ids.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let id = playbook.signal_named("ack").unwrap();
/// assert_eq!(playbook.signal(id).name, "ack");
/// let other = Playbook::from_path("playbooks/tone-deaf-post.yaml")?;
/// assert_ne!(other.signal_named("ack"), Some(id));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SignalId {
    index: u32,
    table: u32,
}

impl SignalId {
    /// Position in the playbook's list, from 0.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let ack = playbook.signal_named("ack").unwrap();
    /// assert_eq!(playbook.signals()[ack.index()].name, "ack");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn index(self) -> usize {
        self.index as usize
    }

    pub(crate) fn new(index: usize, table: SignalTable) -> Self {
        SignalId {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            table: table.0,
        }
    }

    /// Whether the id was made for this signal table.
    pub(crate) fn belongs_to(self, table: SignalTable) -> bool {
        self.table == table.0
    }
}

/// The fingerprint hashes the model with ids as positions: the tag is derived from the model.
impl Serialize for SignalId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.index)
    }
}

/// The tag that signal ids of one playbook carry: FNV-1a over the playbook's id and its
/// signals' names and kinds, in order. Not cryptographic: it catches mistakes, not attacks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SignalTable(u32);

impl SignalTable {
    pub(crate) fn of<'s>(
        playbook: &str,
        signals: impl IntoIterator<Item = (&'s str, SignalKind)>,
    ) -> SignalTable {
        const PRIME: u32 = 0x0100_0193;
        let mut hash: u32 = 0x811c_9dc5;
        let mut feed = |bytes: &[u8]| {
            for byte in bytes {
                hash = (hash ^ u32::from(*byte)).wrapping_mul(PRIME);
            }
            // A separator, so that `ab` + `c` and `a` + `bc` differ.
            hash = (hash ^ 0xff).wrapping_mul(PRIME);
        };
        feed(playbook.as_bytes());
        for (name, kind) in signals {
            feed(name.as_bytes());
            feed(kind.name().as_bytes());
        }
        SignalTable(hash)
    }
}
id_type!(
    /// Identifies a metric of one playbook; see [`Playbook::metric`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let id = playbook.metric_named("volume_ratio").unwrap();
    /// assert_eq!(playbook.metric(id).name, "volume_ratio");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    MetricId
);
id_type!(
    /// Identifies a parameter of one playbook; see [`Playbook::parameter`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let id = playbook.parameter_named("watch_ratio").unwrap();
    /// assert_eq!(playbook.parameter(id).name, "watch_ratio");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ParameterId
);
id_type!(
    /// Identifies a group of states of one playbook; see [`Playbook::group`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let id = playbook.group_named("before_crisis").unwrap();
    /// assert_eq!(playbook.group(id).name, "before_crisis");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    GroupId
);
id_type!(
    /// Identifies a track of one playbook; see [`Playbook::track`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
    /// let id = playbook.track_named("legal").unwrap();
    /// assert_eq!(playbook.track(id).name, "legal");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    TrackId
);
id_type!(
    /// Identifies a calendar of one playbook; see [`Playbook::calendar`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let office = playbook.calendar_named("office").unwrap();
    /// assert_eq!(playbook.calendar_name(office), "office");
    /// assert_eq!(playbook.calendar(office).time_zone(), "Europe/Paris");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    CalendarId
);
id_type!(
    /// Identifies a role of one playbook; see [`Playbook::role`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let id = playbook.role_named("legal").unwrap();
    /// assert_eq!(playbook.role(id), "legal");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    RoleId
);

/// A stable hash of a playbook's normalized content.
///
/// Comments, key order, layout and spelling (`30%` or `0.3`) do not change it; any change to
/// what the playbook does, does. Snapshots carry it so that a run is never restored against
/// another playbook.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let other = Playbook::from_path("playbooks/tone-deaf-post.yaml")?;
/// assert_ne!(playbook.fingerprint(), other.fingerprint());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct Fingerprint([u8; 16]);

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl From<Fingerprint> for String {
    fn from(fingerprint: Fingerprint) -> String {
        fingerprint.to_string()
    }
}

/// The kind of a signal.
///
/// ```
/// # use crisis_playbook::{Playbook, SignalKind};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let kinds: Vec<SignalKind> = ["mentions", "sentiment", "journalist", "ack"]
///     .iter()
///     .map(|name| playbook.signal(playbook.signal_named(name).unwrap()).kind)
///     .collect();
/// assert_eq!(kinds, [SignalKind::Count, SignalKind::Gauge, SignalKind::Event, SignalKind::Manual]);
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignalKind {
    /// A non-negative number of things in a batch (comments, mentions).
    Count,
    /// A sampled level (a sentiment score, a KPI ratio).
    Gauge,
    /// Something that happened, with typed attributes.
    Event,
    /// An input from a person (ack, approve, resolve), recorded with who gave it.
    Manual,
}

impl SignalKind {
    /// The kind's name as written in playbooks.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::SignalKind::Gauge.name(), "gauge");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            SignalKind::Count => "count",
            SignalKind::Gauge => "gauge",
            SignalKind::Event => "event",
            SignalKind::Manual => "manual",
        }
    }

    /// The name with its article, for messages: "a count", "an event".
    ///
    /// ```
    /// assert_eq!(crisis_playbook::SignalKind::Event.with_article(), "an event");
    /// ```
    pub fn with_article(self) -> &'static str {
        match self {
            SignalKind::Count => "a count",
            SignalKind::Gauge => "a gauge",
            SignalKind::Event => "an event",
            SignalKind::Manual => "a manual",
        }
    }
}

/// A declared signal.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let journalist = &playbook.signals()[playbook.signal_named("journalist").unwrap().index()];
/// assert_eq!((journalist.kind.name(), journalist.attributes[0].name.as_str()), ("event", "tier"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Signal {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: SignalKind,
    /// For a gauge: the valid range, inclusive.
    pub range: Option<(f64, f64)>,
    /// For an event: its attributes.
    pub attributes: Vec<Attribute>,
    /// For a count: the events it counts one of each, as they arrive (`counts: mention where
    /// sentiment < 0`), besides the batches it is fed. Left out of the fingerprint when
    /// absent, so that playbooks without it keep theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<EventTest>,
    /// What it measures.
    pub description: Option<LocalizedText>,
}

/// A test on one event, as a metric or a count signal names it: every event of a signal
/// (`mention`), or those that pass tests on its attributes (`mention where account_created
/// within 30d`).
///
/// ```
/// use crisis_playbook::{MetricKind, Playbook};
///
/// let playbook = Playbook::from_yaml_str(r#"
/// playbook: raids
/// version: 1
/// title: Raids
/// signals:
///   mention:
///     kind: event
///     attributes: { author: string, account_created: time }
///   mentions: { kind: count, counts: mention }
/// metrics:
///   volume: { count: mentions, window: 1h }
///   new_accounts: { share: mention where account_created within 30d, window: 1h }
/// roles: [community_manager]
/// initial: calm
/// states:
///   calm:
///     on: [{ to: raid, when: new_accounts >= 50% and volume >= 20 }]
///   raid: { final: true }
/// "#)?;
/// let new_accounts = playbook.metric(playbook.metric_named("new_accounts").unwrap());
/// let MetricKind::ShareWhere { test } = &new_accounts.kind else { unreachable!() };
/// assert_eq!(test.source(), "mention where account_created within 30d");
/// let mentions = playbook.signal(playbook.signal_named("mentions").unwrap());
/// assert_eq!(mentions.counts.as_ref().map(|t| t.source()), Some("mention"));
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventTest {
    /// The event signal.
    pub signal: SignalId,
    source: String,
    /// The compiled tests, by their place in the playbook's event tests; `None` for every
    /// event of the signal.
    pub(crate) predicate: Option<usize>,
}

impl EventTest {
    pub(crate) fn new(signal: SignalId, source: &str, predicate: Option<usize>) -> EventTest {
        EventTest {
            signal,
            source: source.trim().to_string(),
            predicate,
        }
    }

    /// The test as its author wrote it (see [`EventTest`] for an example).
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// An event attribute and its type.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// use crisis_playbook::AttributeKind;
/// let influencer = playbook.signal(playbook.signal_named("influencer").unwrap());
/// assert!(influencer.attributes.iter().any(|a| a.name == "followers" && a.kind == AttributeKind::Number));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Attribute {
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: AttributeKind,
}

/// The type of an event attribute.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// use crisis_playbook::AttributeKind;
/// let journalist = playbook.signal(playbook.signal_named("journalist").unwrap());
/// assert!(matches!(&journalist.attributes[0].kind, AttributeKind::OneOf(values) if values.len() == 3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeKind {
    /// A number, such as a follower count.
    Number,
    /// Any string.
    String,
    /// True or false.
    Bool,
    /// One of the listed strings, such as an outlet tier.
    OneOf(Vec<String>),
    /// A time (RFC 3339 in traces), such as when an author's account was created; conditions
    /// test its age at the event's time (`created within 30d`).
    Time,
}

/// A windowed aggregate over signals.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let ratio = playbook.metric(playbook.metric_named("volume_ratio").unwrap());
/// assert_eq!(ratio.window.map(|w| w.to_string()).as_deref(), Some("1h"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Metric {
    /// Its name.
    pub name: String,
    /// What it computes, over which signals.
    pub kind: MetricKind,
    /// The window it aggregates over (absent for `since`).
    pub window: Option<Duration>,
    /// What it means.
    pub description: Option<LocalizedText>,
}

/// The longest baseline of a detector (`spike`, `anomaly`), in days: 91 days of ranges stay
/// well under the 4 KiB a detector may cost.
pub(crate) const MAX_BASELINE_DAYS: u64 = 90;

/// What a metric computes. `docs/semantics.md` gives each formula.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// use crisis_playbook::MetricKind;
/// let drop = playbook.metric(playbook.metric_named("mood_drop").unwrap());
/// assert!(matches!(drop.kind, MetricKind::Drop { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum MetricKind {
    /// Sum of a count signal's values, or number of events, over the window.
    Count(SignalId),
    /// `Count` divided by the window, per `per`.
    Rate {
        /// The signal.
        signal: SignalId,
        /// The time unit of the rate.
        per: Duration,
    },
    /// Sum of the values.
    Sum(SignalId),
    /// Mean of the values.
    Mean(SignalId),
    /// Smallest value.
    Min(SignalId),
    /// Largest value.
    Max(SignalId),
    /// Total of `part` over total of `whole`.
    Share {
        /// The numerator's signal.
        part: SignalId,
        /// The denominator's signal.
        whole: SignalId,
    },
    /// The window's count over a typical day's busiest window: the `quantile` of the daily
    /// peaks of the window's count over the whole days of the baseline.
    Spike {
        /// The signal.
        signal: SignalId,
        /// How far back the daily peaks go: a whole number of days before today.
        baseline: Duration,
        /// Which of the daily peaks is typical: 0.5 is the median, 1 the highest.
        quantile: f64,
        /// Least count in the window for the ratio to exceed 1.
        min_count: f64,
    },
    /// How far a gauge's latest value lies outside its usual range, in tolerances: 0 inside,
    /// positive above, negative below, beyond ±1 when unusual.
    Anomaly {
        /// The signal.
        signal: SignalId,
        /// How far back the long-term range goes: a whole number of days before today.
        baseline: Duration,
    },
    /// Baseline mean minus window mean.
    Drop {
        /// The signal.
        signal: SignalId,
        /// Length of the baseline window.
        baseline: Duration,
    },
    /// Distance of the window's mean from the baseline's mean, in baseline standard deviations.
    ZScore {
        /// The signal.
        signal: SignalId,
        /// Length of the baseline window.
        baseline: Duration,
    },
    /// Time since the signal was last seen, in seconds.
    Since(SignalId),
    /// How many different values of an event's attribute the window holds (authors): exact
    /// up to 64, then estimated within 1.8 % (one standard error).
    Distinct {
        /// The event signal.
        signal: SignalId,
        /// The attribute, by its place in the signal's attributes.
        attribute: usize,
    },
    /// The share of the window's events, among those that carry the attribute, that carry
    /// its most frequent value (the loudest author).
    TopShare {
        /// The event signal.
        signal: SignalId,
        /// The attribute, by its place in the signal's attributes.
        attribute: usize,
    },
    /// The share of the window's texts that nearly repeat an earlier text of the window.
    NearDuplicates {
        /// The event signal.
        signal: SignalId,
        /// The text attribute, by its place in the signal's attributes.
        attribute: usize,
    },
    /// The share of the window's events that pass a test, among those that carry every
    /// attribute it tests.
    ShareWhere {
        /// The events and the test.
        test: EventTest,
    },
}

impl MetricKind {
    /// The key that declares this kind in YAML.
    ///
    /// ```
    /// use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_yaml_str(include_str!("../../playbooks/negative-comment-storm.yaml"))?;
    /// let ratio = playbook.metric_named("volume_ratio").unwrap();
    /// assert_eq!(playbook.metric(ratio).kind.keyword(), "spike");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn keyword(&self) -> &'static str {
        match self {
            MetricKind::Count(_) => "count",
            MetricKind::Rate { .. } => "rate",
            MetricKind::Sum(_) => "sum",
            MetricKind::Mean(_) => "mean",
            MetricKind::Min(_) => "min",
            MetricKind::Max(_) => "max",
            MetricKind::Share { .. } => "share",
            MetricKind::Spike { .. } => "spike",
            MetricKind::Anomaly { .. } => "anomaly",
            MetricKind::Drop { .. } => "drop",
            MetricKind::ZScore { .. } => "zscore",
            MetricKind::Since(_) => "since",
            MetricKind::Distinct { .. } => "distinct",
            MetricKind::TopShare { .. } => "top_share",
            MetricKind::NearDuplicates { .. } => "near_duplicates",
            MetricKind::ShareWhere { .. } => "share",
        }
    }
}

/// Whether a parameter holds a plain number or a duration.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// use crisis_playbook::QuantityKind;
/// let ratio = playbook.parameter(playbook.parameter_named("watch_ratio").unwrap());
/// assert_eq!(ratio.kind, QuantityKind::Number);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuantityKind {
    /// A number or percentage.
    Number,
    /// A duration, in seconds.
    Duration,
}

/// A tunable threshold.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let share = playbook.parameter(playbook.parameter_named("watch_negative_share").unwrap());
/// assert_eq!(share.default, 0.3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Number or duration.
    pub kind: QuantityKind,
    /// The default value (durations in seconds, percentages as fractions).
    pub default: f64,
    /// The smallest allowed override.
    pub min: Option<f64>,
    /// The largest allowed override.
    pub max: Option<f64>,
    /// What it means.
    pub description: Option<LocalizedText>,
}

impl Parameter {
    /// The lowest and highest value a run may give it.
    pub(crate) fn bounds(&self) -> (f64, f64) {
        (
            self.min.unwrap_or(f64::NEG_INFINITY),
            self.max.unwrap_or(f64::INFINITY),
        )
    }

    /// Whether a run may give it this value; a duration is never negative.
    pub(crate) fn allows(&self, value: f64) -> bool {
        let (min, max) = self.bounds();
        value.is_finite()
            && (min..=max).contains(&value)
            && (self.kind == QuantityKind::Number || value >= 0.0)
    }

    /// Its bounds as a reader writes them: `[10m, 2h]`, `[1, 10]`, `[1, any]`.
    pub(crate) fn bounds_text(&self) -> String {
        let bound = |value: Option<f64>| {
            value.map_or("any".to_string(), |v| {
                ParameterValue::from_f64(self.kind, v).to_string()
            })
        };
        format!("[{}, {}]", bound(self.min), bound(self.max))
    }
}

/// A parameter's value as a run gives it: a number (`2`, `30%`) or a duration (`1h`).
///
/// [`RunSettings::parameter`](crate::RunSettings::parameter) takes either, and a run refuses a
/// number for a duration parameter and a duration for a number parameter, so that `grace=2`
/// is never read as two seconds. Text parses as it does in a playbook:
///
/// ```
/// use crisis_playbook::{Duration, ParameterValue};
///
/// assert_eq!("30%".parse::<ParameterValue>()?, ParameterValue::Number(0.3));
/// assert_eq!("1h30m".parse::<ParameterValue>()?, ParameterValue::Duration(Duration::from_secs(5400)));
/// assert_eq!(
///     "1.5h".parse::<ParameterValue>().unwrap_err().to_string(),
///     "`1.5h` is not a number, a percentage or a duration: decimals are not read: write whole units, as `1h30m`"
/// );
/// # Ok::<(), crisis_playbook::ParameterValueError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParameterValue {
    /// A number; a percentage is its fraction.
    Number(f64),
    /// A duration.
    Duration(Duration),
}

impl ParameterValue {
    /// Whether it is a number or a duration.
    pub fn kind(self) -> QuantityKind {
        match self {
            ParameterValue::Number(_) => QuantityKind::Number,
            ParameterValue::Duration(_) => QuantityKind::Duration,
        }
    }

    /// The value as conditions compare it: durations in seconds.
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            ParameterValue::Number(n) => n,
            ParameterValue::Duration(d) => d.as_millis() as f64 / 1000.0,
        }
    }

    /// The value of this kind that conditions compare as `value`.
    pub(crate) fn from_f64(kind: QuantityKind, value: f64) -> ParameterValue {
        match kind {
            QuantityKind::Number => ParameterValue::Number(value),
            QuantityKind::Duration => ParameterValue::Duration(seconds(value)),
        }
    }
}

/// The duration of `value` seconds, rounded to the millisecond; negative is zero and too
/// long saturates.
fn seconds(value: f64) -> Duration {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a float-to-int cast saturates, which is the documented meaning"
    )]
    Duration::from_millis((value * 1000.0).round() as u64)
}

impl From<f64> for ParameterValue {
    fn from(value: f64) -> Self {
        ParameterValue::Number(value)
    }
}

impl From<Duration> for ParameterValue {
    fn from(value: Duration) -> Self {
        ParameterValue::Duration(value)
    }
}

impl fmt::Display for ParameterValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParameterValue::Number(n) => write!(f, "{n}"),
            ParameterValue::Duration(d) => write!(f, "{d}"),
        }
    }
}

impl std::str::FromStr for ParameterValue {
    type Err = ParameterValueError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Some(percent) = text.strip_suffix('%') {
            return match percent.trim().parse::<f64>() {
                Ok(p) if p.is_finite() => Ok(ParameterValue::Number(p / 100.0)),
                _ => Err(ParameterValueError::Percentage(text.to_string())),
            };
        }
        if let Ok(number) = text.parse::<f64>() {
            return if number.is_finite() {
                Ok(ParameterValue::Number(number))
            } else {
                Err(ParameterValueError::NotFinite(text.to_string()))
            };
        }
        text.parse::<Duration>()
            .map(ParameterValue::Duration)
            .map_err(|error| ParameterValueError::Neither {
                text: text.to_string(),
                error,
            })
    }
}

/// Why a text is not a [`ParameterValue`].
///
/// ```
/// use crisis_playbook::ParameterValue;
///
/// let error = "15 min".parse::<ParameterValue>().unwrap_err();
/// assert_eq!(error.offset(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParameterValueError {
    /// Ends in `%` but is not a number before it.
    #[error("`{0}` is not a percentage: write it like `30%`")]
    Percentage(String),
    /// A number too large to hold, or not a number.
    #[error("`{0}` is not a finite number")]
    NotFinite(String),
    /// Neither a number nor a duration.
    #[error("`{text}` is not a number, a percentage or a duration: {error}")]
    Neither {
        /// The text given.
        text: String,
        /// Why it is not a duration.
        error: crate::DurationError,
    },
}

impl ParameterValueError {
    /// The byte offset in the text where the problem is.
    pub fn offset(&self) -> usize {
        match self {
            ParameterValueError::Neither { error, .. } => error.offset(),
            _ => 0,
        }
    }
}

/// How long a timer lasts: a duration written in the playbook, or a duration parameter that
/// each run sets within its bounds.
///
/// `within`, `every`, a transition's `after` and `for`, and a ladder step's `after` and
/// `repeat.every` take either: `within: 2h` or `within: grace`.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// use crisis_playbook::TimerDuration;
/// let crisis = playbook.state(playbook.state_named("crisis").unwrap());
/// let holding = crisis.actions.iter().find(|a| a.id == "holding_statement").unwrap();
/// let within = holding.within.unwrap();
/// assert!(matches!(within.length, TimerDuration::Fixed(d) if d.to_string() == "1h"));
/// assert_eq!(playbook.timer_text(within), "1h");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TimerDuration {
    /// Written in the playbook.
    Fixed(Duration),
    /// The value of a duration parameter in each run.
    Parameter(ParameterId),
}

impl TimerDuration {
    /// Its length in a run whose parameter values are `parameters`.
    pub(crate) fn resolve(self, parameters: &[f64]) -> Duration {
        match self {
            TimerDuration::Fixed(d) => d,
            TimerDuration::Parameter(id) => seconds(parameters[id.index()]),
        }
    }

    /// Its length in a run that keeps every parameter's default.
    pub(crate) fn by_default(self, parameters: &[Parameter]) -> Duration {
        match self {
            TimerDuration::Fixed(d) => d,
            TimerDuration::Parameter(id) => seconds(parameters[id.index()].default),
        }
    }

    /// Whether it ends after `earlier` in every run, whatever values parameters take.
    pub(crate) fn always_after(self, earlier: TimerDuration, parameters: &[Parameter]) -> bool {
        let shortest = self.range(parameters).0;
        earlier
            .range(parameters)
            .1
            .is_some_and(|longest| shortest > longest)
    }

    /// The shortest and the longest it can be in any run; `None` for no upper bound.
    pub(crate) fn range(self, parameters: &[Parameter]) -> (Duration, Option<Duration>) {
        match self {
            TimerDuration::Fixed(d) => (d, Some(d)),
            TimerDuration::Parameter(id) => {
                let p = &parameters[id.index()];
                (p.min.map_or(Duration::ZERO, seconds), p.max.map(seconds))
            }
        }
    }
}

/// A timer as a playbook writes it: its length, and the calendar whose working time it counts
/// in, if any (`within: 2h office`). Without a calendar it counts calendar time, every hour of
/// every day.
///
/// ```
/// # use crisis_playbook::Playbook;
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let watch = playbook.state(playbook.state_named("watch").unwrap());
/// let tag = &watch.actions[0];
/// let within = tag.within.unwrap();
/// assert_eq!(within.calendar, playbook.calendar_named("office"));
/// assert_eq!(playbook.timer_text(within), "15m office");
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timer {
    /// How long it lasts.
    pub length: TimerDuration,
    /// The calendar whose open hours it counts; `None` for calendar time.
    pub calendar: Option<CalendarId>,
}

impl Timer {
    /// A timer counting `length` of the calendar `calendar`'s working time, or of calendar
    /// time.
    pub(crate) fn new(length: TimerDuration, calendar: Option<CalendarId>) -> Timer {
        Timer { length, calendar }
    }

    /// The shortest and the longest its length can be in any run.
    pub(crate) fn range(self, parameters: &[Parameter]) -> (Duration, Option<Duration>) {
        self.length.range(parameters)
    }
}

impl From<TimerDuration> for Timer {
    fn from(length: TimerDuration) -> Timer {
        Timer {
            length,
            calendar: None,
        }
    }
}

/// A timer in calendar time hashes as its length alone, so that playbooks written before
/// calendars keep their fingerprints.
impl Serialize for Timer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Counted {
            length: TimerDuration,
            calendar: CalendarId,
        }
        match self.calendar {
            None => self.length.serialize(serializer),
            Some(calendar) => Counted {
                length: self.length,
                calendar,
            }
            .serialize(serializer),
        }
    }
}

/// A phase of the response.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let major = playbook.state(playbook.state_named("major").unwrap());
/// assert_eq!(major.severity, 4);
/// assert!(!major.is_final && major.escalation.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct State {
    /// Its name.
    pub name: String,
    /// Severity level, 0 = normal.
    pub severity: i64,
    /// What it means.
    pub description: Option<LocalizedText>,
    /// Whether entering it ends the run.
    pub is_final: bool,
    /// Actions recommended on entry.
    pub actions: Vec<Action>,
    /// The escalation ladder that runs while the state lasts.
    pub escalation: Option<Ladder>,
    /// Outgoing transitions, in evaluation order.
    pub transitions: Vec<Transition>,
    /// How the state holds back a repeat after the run leaves it. Left out of the fingerprint
    /// when absent, so that states without one keep theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooldown: Option<Cooldown>,
    /// The track the state belongs to; `None` for a top-level state. A track's states are
    /// named `track.state`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<TrackId>,
    /// The tracks that run side by side while the run is in this state, in the order
    /// written; empty for most states.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<TrackId>,
    /// The playbooks that entering this state starts for the same subject, in the order
    /// written; empty for most states.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hand_over: Vec<HandOver>,
}

/// A track: states that run side by side with the other tracks of the state that holds them,
/// each with its own current state, actions, ladders and timers.
///
/// ```
/// # use crisis_playbook::Playbook;
/// let playbook = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
/// let legal = playbook.track(playbook.track_named("legal").unwrap());
/// assert_eq!(playbook.state(legal.parent).name, "breach");
/// assert_eq!(playbook.state(legal.initial).name, "legal.notifying");
/// assert_eq!(legal.states.len(), 3);
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Track {
    /// Its name, unique in the playbook.
    pub name: String,
    /// What it is for.
    pub description: Option<LocalizedText>,
    /// The state that holds it.
    pub parent: StateId,
    /// The state it starts in.
    pub initial: StateId,
    /// Its states, in the order written.
    pub states: Vec<StateId>,
}

/// A state's cool-down: for a period after the run leaves the state, entering it again does
/// not send its actions and ladder again, or does not happen at all.
///
/// ```
/// # use crisis_playbook::{Playbook, Reentry};
/// let playbook = Playbook::from_yaml_str(r#"
/// playbook: cool
/// version: 1
/// title: Cool
/// signals: { alarm: { kind: manual }, calm: { kind: manual } }
/// roles: [lead]
/// initial: quiet
/// states:
///   quiet:
///     on: [{ to: alert, when: alarm }]
///   alert:
///     severity: 1
///     cooldown: { for: 1h, backoff: 2, max: 8h }
///     enter: [{ do: look, owner: lead, say: Look }]
///     on: [{ to: quiet, when: calm }]
/// "#)?;
/// let alert = playbook.state(playbook.state_named("alert").unwrap());
/// let cooldown = alert.cooldown.unwrap();
/// assert_eq!((cooldown.reentry, cooldown.backoff), (Reentry::Silent, 2.0));
/// assert_eq!(cooldown.max.map(|m| playbook.timer_text(m)).as_deref(), Some("8h"));
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Copy, Debug, Serialize)]
#[non_exhaustive]
pub struct Cooldown {
    /// How long it lasts after the run leaves the state, before any backoff.
    pub period: TimerDuration,
    /// What entering the state during the cool-down does.
    pub reentry: Reentry,
    /// The factor each repeat multiplies the next period by: an entry before the cool-down is
    /// over, or at the moment it ends. 1 keeps the period.
    pub backoff: f64,
    /// The longest period backoff reaches; `None` for 16 times `period`.
    pub max: Option<TimerDuration>,
}

/// What entering a state during its cool-down does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reentry {
    /// The run enters the state, but its actions and ladder are not sent again.
    Silent,
    /// Transitions into the state wait until the cool-down is over.
    Refused,
}

/// A recommended step: who does what, by when.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let crisis = playbook.state(playbook.state_named("crisis").unwrap());
/// let holding = crisis.actions.iter().find(|a| a.id == "holding_statement").unwrap();
/// assert_eq!(playbook.role(holding.owner), "comms_director");
/// assert_eq!(holding.within.map(|d| playbook.timer_text(d)).as_deref(), Some("1h"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Action {
    /// Its identifier, unique within the state.
    pub id: String,
    /// The role that owns it.
    pub owner: RoleId,
    /// Deadline after entry (or after `from`).
    pub within: Option<Timer>,
    /// The event or manual signal whose last time starts the deadline clock.
    pub from: Option<SignalId>,
    /// Recurrence while the state lasts.
    pub every: Option<Timer>,
    /// Whether it closes when the state is left.
    pub closes_on_exit: bool,
    /// Whether its deadline is set by law or contract (`regulatory: true`), such as the GDPR's
    /// 72 hours: it then counts in calendar time, never in a calendar's working time.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub regulatory: bool,
    /// Who owns it instead when it is sent while a calendar is closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_hours: Option<OutOfHours>,
    /// What to do, as written: live values in braces (`{volume_ratio:.1}`) are filled in when
    /// it is sent.
    pub text: LocalizedText,
    /// The text's parts, compiled from `text`.
    #[serde(skip)]
    pub(crate) say: Template,
}

/// Who takes an action or an escalation step instead while a calendar is closed
/// (`out_of_hours: { office: on_call }`).
///
/// ```
/// # use crisis_playbook::Playbook;
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let crisis = playbook.state(playbook.state_named("crisis").unwrap());
/// let step = &crisis.escalation.as_ref().unwrap().steps[0];
/// let route = step.out_of_hours.unwrap();
/// assert_eq!((playbook.calendar_name(route.calendar), playbook.role(route.role)), ("office", "on_call"));
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct OutOfHours {
    /// The calendar whose closed hours it covers.
    pub calendar: CalendarId,
    /// The role that takes over.
    pub role: RoleId,
}

/// An escalation ladder.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let crisis = playbook.state(playbook.state_named("crisis").unwrap());
/// let ladder = crisis.escalation.as_ref().unwrap();
/// assert!(!ladder.unless.is_empty() && !ladder.steps.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Ladder {
    /// The manual signals that stop it, any one of them; none for a ladder nobody stops.
    pub unless: Vec<SignalId>,
    /// The steps, in increasing `after`.
    pub steps: Vec<Step>,
    /// How it repeats.
    pub repeat: Option<Repeat>,
}

/// Who an escalation step notifies.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// use crisis_playbook::EscalationTarget;
/// let watch = playbook.state(playbook.state_named("watch").unwrap());
/// let step = &watch.escalation.as_ref().unwrap().steps[0];
/// assert!(matches!(step.target, EscalationTarget::Role(role) if playbook.role(role) == "social_lead"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EscalationTarget {
    /// A role.
    Role(RoleId),
    /// A numbered escalation level.
    Level(u32),
}

/// One rung of a ladder.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let watch = playbook.state(playbook.state_named("watch").unwrap());
/// assert_eq!(playbook.timer_text(watch.escalation.as_ref().unwrap().steps[0].after), "30m");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Step {
    /// Delay from the start of the ladder's cycle.
    pub after: Timer,
    /// Who is notified.
    pub target: EscalationTarget,
    /// Who is notified instead while a calendar is closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_hours: Option<OutOfHours>,
    /// The message, as written: live values in braces are filled in when it is sent.
    pub text: Option<LocalizedText>,
    /// The message's parts, compiled from `text`.
    #[serde(skip)]
    pub(crate) say: Template,
}

/// How a ladder repeats.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let crisis = playbook.state(playbook.state_named("crisis").unwrap());
/// let repeat = crisis.escalation.as_ref().unwrap().repeat.unwrap();
/// assert_eq!(playbook.timer_text(repeat.every), "1h");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Serialize)]
#[non_exhaustive]
pub struct Repeat {
    /// Length of one cycle.
    pub every: Timer,
    /// Extra cycles after the first.
    pub times: u32,
}

/// An outgoing transition.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let issue = playbook.state(playbook.state_named("issue").unwrap());
/// let to_crisis = issue.transitions.iter().find(|t| playbook.state(t.target).name == "crisis").unwrap();
/// assert!(to_crisis.condition.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Transition {
    /// The target state.
    pub target: StateId,
    /// The guard; absent for a pure timer.
    pub condition: Option<Condition>,
    /// The guard must hold continuously this long (`for`).
    pub hold: Option<Timer>,
    /// Fire no earlier than this long after entering the state.
    pub after: Option<Timer>,
    /// The group it was written in, once for all the group's states; `None` when written in
    /// the state's own `on`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
    /// Its place in the `on` list it was written in: the group's, or the state's.
    #[serde(skip)]
    pub written_at: usize,
    /// Once it fires, it does not fire again for this long. A shared transition has one clock
    /// per member state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooldown: Option<TimerDuration>,
}

/// Named states that share transitions: each is written once in the group's `on`, and
/// applies in every member state except its own target, before the state's own transitions.
///
/// ```
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let group = playbook.group(playbook.group_named("before_crisis").unwrap());
/// let watch = playbook.state_named("watch").unwrap();
/// assert!(group.states.contains(&watch));
/// let first = &playbook.state(watch).transitions[0];
/// assert_eq!(first.group, playbook.group_named("before_crisis"));
/// assert_eq!(playbook.state(first.target).name, "crisis");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Group {
    /// Its name.
    pub name: String,
    /// What its states have in common.
    pub description: Option<LocalizedText>,
    /// Its member states, in the order written.
    pub states: Vec<StateId>,
    /// How many transitions its `on` holds.
    pub transitions: usize,
}

/// The content of a compiled playbook; what the fingerprint hashes.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Model {
    pub id: String,
    pub version: u32,
    pub locale: String,
    pub title: LocalizedText,
    pub description: Option<LocalizedText>,
    pub parameters: Vec<Parameter>,
    pub signals: Vec<Signal>,
    pub metrics: Vec<Metric>,
    pub roles: Vec<String>,
    pub initial: StateId,
    pub states: Vec<State>,
    /// Left out of the fingerprint when empty, so that playbooks without groups keep theirs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Left out of the fingerprint when empty, so that playbooks without tracks keep theirs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<Track>,
    /// Left out of the fingerprint when empty, so that playbooks without them keep theirs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inhibitions: Vec<Inhibition>,
    /// Left out of the fingerprint when empty, so that playbooks without them keep theirs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calendars: Vec<(String, Calendar)>,
    pub predicates: Vec<EventPredicate>,
    /// The event attributes that texts name, whose last values a run keeps. Left out of the
    /// fingerprint when empty, so that playbooks without them keep theirs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept_attributes: Vec<(SignalId, usize)>,
    /// The tag of this playbook's signal ids; derived from `id` and `signals`.
    #[serde(skip)]
    pub signal_table: SignalTable,
}

#[derive(Debug)]
struct Compiled {
    model: Model,
    plan: Plan,
    fingerprint: Fingerprint,
    layout: RunLayout,
    warnings: Vec<Diagnostic>,
}

/// A validated, compiled playbook.
///
/// Load it once, then share it: it is immutable, `Send + Sync`, and cloning it copies a
/// pointer. All names are resolved at load time, so runs work with ids only.
///
/// ```
/// use crisis_playbook::Playbook;
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// assert_eq!(playbook.id(), "negative-comment-storm");
/// let initial = playbook.state(playbook.initial());
/// assert_eq!(initial.name, "monitoring");
/// for transition in &initial.transitions {
///     let target = playbook.state(transition.target);
///     println!("{} -> {}", initial.name, target.name);
/// }
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Playbook {
    compiled: Arc<Compiled>,
}

impl Playbook {
    pub(crate) fn new(model: Model, warnings: Vec<Diagnostic>) -> Playbook {
        let fingerprint = fingerprint(&model);
        let layout = RunLayout::of(&model);
        let plan = Plan::new(&model);
        Playbook {
            compiled: Arc::new(Compiled {
                model,
                plan,
                fingerprint,
                layout,
                warnings,
            }),
        }
    }

    pub(crate) fn model(&self) -> &Model {
        &self.compiled.model
    }

    pub(crate) fn plan(&self) -> &Plan {
        &self.compiled.plan
    }

    /// The playbook's identifier.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert_eq!(playbook.id(), "negative-comment-storm");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.model().id
    }

    /// The playbook's version.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert_eq!(playbook.version(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn version(&self) -> u32 {
        self.model().version
    }

    /// The default locale of its texts.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert_eq!(playbook.locale(), "en");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn locale(&self) -> &str {
        &self.model().locale
    }

    /// Its title.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert_eq!(playbook.title().get("fr", playbook.locale()), "Tempête de commentaires négatifs");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn title(&self) -> &LocalizedText {
        &self.model().title
    }

    /// When to use it.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.description().is_some_and(|d| d.get("en", "en").starts_with("Use when")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn description(&self) -> Option<&LocalizedText> {
        self.model().description.as_ref()
    }

    /// The hash of its normalized content.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let again = Playbook::from_yaml_str(&std::fs::read_to_string("playbooks/negative-comment-storm.yaml")?)?;
    /// assert_eq!(playbook.fingerprint(), again.fingerprint());
    /// assert_eq!(playbook.fingerprint().to_string().len(), 32);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fingerprint(&self) -> Fingerprint {
        self.compiled.fingerprint
    }

    /// What a stored run depends on, part by part (see [`RunLayout`]).
    pub(crate) fn layout(&self) -> &RunLayout {
        &self.compiled.layout
    }

    /// Warnings found while loading (errors prevent loading).
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.warnings().is_empty(), "the bundled playbooks lint clean");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.compiled.warnings
    }

    /// The state a run starts in.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert_eq!(playbook.state(playbook.initial()).name, "monitoring");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn initial(&self) -> StateId {
        self.model().initial
    }

    /// All states, indexed by [`StateId::index`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let names: Vec<&str> = playbook.states().iter().map(|s| s.name.as_str()).collect();
    /// assert_eq!(names, ["monitoring", "watch", "issue", "crisis", "major", "recovering", "closed"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn states(&self) -> &[State] {
        &self.model().states
    }

    /// One state. Panics if `id` comes from another playbook with fewer states.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let crisis = playbook.state_named("crisis").unwrap();
    /// assert_eq!(playbook.state(crisis).severity, 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state(&self, id: StateId) -> &State {
        &self.model().states[id.index()]
    }

    /// The state with this name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.state_named("crisis").is_some());
    /// assert!(playbook.state_named("panic").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn state_named(&self, name: &str) -> Option<StateId> {
        position(self.states(), |s| s.name == name).map(StateId::from_index)
    }

    /// All groups of states, indexed by [`GroupId::index`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.groups().iter().any(|g| g.name == "before_crisis"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn groups(&self) -> &[Group] {
        &self.model().groups
    }

    /// One group. Panics if `id` comes from another playbook with fewer groups.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let group = playbook.group_named("before_crisis").unwrap();
    /// assert_eq!(playbook.group(group).states.len(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn group(&self, id: GroupId) -> &Group {
        &self.model().groups[id.index()]
    }

    /// The group with this name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.group_named("before_crisis").is_some());
    /// assert!(playbook.group_named("crisis").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn group_named(&self, name: &str) -> Option<GroupId> {
        position(self.groups(), |g| g.name == name).map(GroupId::from_index)
    }

    /// All tracks, indexed by [`TrackId::index`]: those of each state with tracks, in the
    /// order written.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
    /// let names: Vec<&str> = playbook.tracks().iter().map(|t| t.name.as_str()).collect();
    /// assert_eq!(names, ["legal", "comms", "care"]);
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn tracks(&self) -> &[Track] {
        &self.model().tracks
    }

    /// One track. Panics if `id` comes from another playbook with fewer tracks.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
    /// let comms = playbook.track(playbook.track_named("comms").unwrap());
    /// assert_eq!(playbook.state(comms.initial).name, "comms.holding");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn track(&self, id: TrackId) -> &Track {
        &self.model().tracks[id.index()]
    }

    /// The track with this name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
    /// assert!(playbook.track_named("legal").is_some());
    /// assert!(playbook.track_named("breach").is_none(), "a state, not a track");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn track_named(&self, name: &str) -> Option<TrackId> {
        position(self.tracks(), |t| t.name == name).map(TrackId::from_index)
    }

    /// The ids of the playbooks its states hand over to, each once, in the order first written.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/misinformation-rumour.yaml")?;
    /// assert_eq!(playbook.hand_over_targets(), ["negative-comment-storm", "data-breach-or-recall"]);
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn hand_over_targets(&self) -> Vec<&str> {
        let mut targets: Vec<&str> = Vec::new();
        for hand_over in self.states().iter().flat_map(|s| &s.hand_over) {
            if !targets.contains(&hand_over.playbook.as_str()) {
                targets.push(&hand_over.playbook);
            }
        }
        targets
    }

    /// The rules that quiet this playbook while another, run for the same subject, is at a
    /// high severity, in the order written.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert_eq!(playbook.inhibitions()[0].playbook, "data-breach-or-recall");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn inhibitions(&self) -> &[Inhibition] {
        &self.model().inhibitions
    }

    /// All signals, indexed by [`SignalId::index`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.signals().iter().any(|s| s.name == "journalist"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signals(&self) -> &[Signal] {
        &self.model().signals
    }

    /// One signal.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// use crisis_playbook::SignalKind;
    /// let sentiment = playbook.signal_named("sentiment").unwrap();
    /// assert_eq!(playbook.signal(sentiment).kind, SignalKind::Gauge);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signal(&self, id: SignalId) -> &Signal {
        &self.model().signals[id.index()]
    }

    /// The signal with this name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.signal_named("mentions").is_some());
    /// assert!(playbook.signal_named("mentionz").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signal_named(&self, name: &str) -> Option<SignalId> {
        position(self.signals(), |s| s.name == name)
            .map(|index| SignalId::new(index, self.model().signal_table))
    }

    /// All metrics, indexed by [`MetricId::index`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.metrics().iter().any(|m| m.name == "volume_ratio"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn metrics(&self) -> &[Metric] {
        &self.model().metrics
    }

    /// One metric.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let share = playbook.metric_named("negative_share").unwrap();
    /// assert_eq!(playbook.metric(share).kind.keyword(), "share");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn metric(&self, id: MetricId) -> &Metric {
        &self.model().metrics[id.index()]
    }

    /// The metric with this name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.metric_named("mood_drop").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn metric_named(&self, name: &str) -> Option<MetricId> {
        position(self.metrics(), |m| m.name == name).map(MetricId::from_index)
    }

    /// All parameters, indexed by [`ParameterId::index`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let watch = playbook.parameters().iter().find(|p| p.name == "watch_ratio").unwrap();
    /// assert_eq!((watch.default, watch.min, watch.max), (2.0, Some(1.2), Some(10.0)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parameters(&self) -> &[Parameter] {
        &self.model().parameters
    }

    /// One parameter.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let id = playbook.parameter_named("calm_ratio").unwrap();
    /// assert_eq!(playbook.parameter(id).default, 1.5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parameter(&self, id: ParameterId) -> &Parameter {
        &self.model().parameters[id.index()]
    }

    /// The parameter with this name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.parameter_named("watch_ratio").is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parameter_named(&self, name: &str) -> Option<ParameterId> {
        position(self.parameters(), |p| p.name == name).map(ParameterId::from_index)
    }

    /// A timer as the playbook writes it: `2h`, or the parameter's name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let watch = playbook.state(playbook.state_named("watch").unwrap());
    /// let step = &watch.escalation.as_ref().unwrap().steps[0];
    /// assert_eq!(playbook.timer_text(step.after), "30m");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn timer_text(&self, timer: impl Into<Timer>) -> String {
        let timer = timer.into();
        let length = match timer.length {
            TimerDuration::Fixed(d) => d.to_string(),
            TimerDuration::Parameter(id) => self.parameter(id).name.clone(),
        };
        match timer.calendar {
            Some(calendar) => format!("{length} {}", self.calendar_name(calendar)),
            None => length,
        }
    }

    /// The calendars it declares, in the order written; a run may replace each per subject.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert_eq!(playbook.calendars().len(), 1);
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn calendars(&self) -> &[(String, Calendar)] {
        &self.model().calendars
    }

    /// One calendar, as the playbook declares it. Panics if `id` comes from another playbook
    /// with fewer calendars.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let office = playbook.calendar(playbook.calendar_named("office").unwrap());
    /// assert!(office.is_open("2026-03-02T10:00:00+01:00".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn calendar(&self, id: CalendarId) -> &Calendar {
        &self.model().calendars[id.index()].1
    }

    /// One calendar's name. Panics if `id` comes from another playbook with fewer calendars.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert_eq!(playbook.calendar_name(playbook.calendar_named("office").unwrap()), "office");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn calendar_name(&self, id: CalendarId) -> &str {
        &self.model().calendars[id.index()].0
    }

    /// The calendar with this name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.calendar_named("office").is_some());
    /// assert!(playbook.calendar_named("holidays").is_none());
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn calendar_named(&self, name: &str) -> Option<CalendarId> {
        position(self.calendars(), |(n, _)| n == name).map(CalendarId::from_index)
    }

    /// All role names, indexed by [`RoleId::index`].
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.roles().iter().any(|r| r == "comms_director"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn roles(&self) -> &[String] {
        &self.model().roles
    }

    /// One role's name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let legal = playbook.role_named("legal").unwrap();
    /// assert_eq!(playbook.role(legal), "legal");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn role(&self, id: RoleId) -> &str {
        &self.model().roles[id.index()]
    }

    /// The role with this name.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// assert!(playbook.role_named("intern").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn role_named(&self, name: &str) -> Option<RoleId> {
        position(self.roles(), |r| r == name).map(RoleId::from_index)
    }
}

fn position<T>(items: &[T], found: impl Fn(&T) -> bool) -> Option<usize> {
    items.iter().position(found)
}

/// A hash of each part of a playbook that a stored run depends on: its signals, metrics,
/// parameter names, event tests, initial state, and each state with its actions, ladder,
/// conditions and timers. Texts, titles, descriptions, roles' order aside, and parameter values
/// and bounds are left out: they may change between a snapshot and its restore, so that a text
/// fix does not orphan every stored run. Parts are named for the message that refuses a
/// snapshot: `signals`, `metrics`, a state's name…
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct RunLayout(BTreeMap<String, String>);

impl RunLayout {
    fn of(model: &Model) -> RunLayout {
        fn hash<T: Serialize>(value: &T) -> String {
            use sha2::{Digest, Sha256};
            let value = without_presentation(serde_json::to_value(value).unwrap_or_default());
            let digest = Sha256::digest(serde_json::to_vec(&value).unwrap_or_default());
            digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
        }
        let parameters: Vec<(&str, QuantityKind)> = model
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.kind))
            .collect();
        let mut parts = BTreeMap::from([
            ("signals".to_string(), hash(&model.signals)),
            ("metrics".to_string(), hash(&model.metrics)),
            ("parameters".to_string(), hash(&parameters)),
            ("event tests".to_string(), hash(&model.predicates)),
            ("the initial state".to_string(), hash(&model.initial)),
        ]);
        // Only where texts name event attributes, so that other playbooks keep their layout.
        if !model.kept_attributes.is_empty() {
            parts.insert("kept values".to_string(), hash(&model.kept_attributes));
        }
        for state in &model.states {
            parts.insert(format!("state `{}`", state.name), hash(state));
        }
        for track in &model.tracks {
            parts.insert(format!("track `{}`", track.name), hash(track));
        }
        RunLayout(parts)
    }

    /// The parts that differ between two layouts, or that only one has.
    pub(crate) fn changes_from<'a>(&'a self, other: &'a RunLayout) -> Vec<&'a str> {
        let mut names: BTreeSet<&str> = BTreeSet::new();
        for (name, hash) in &self.0 {
            if other.0.get(name) != Some(hash) {
                names.insert(name);
            }
        }
        for name in other.0.keys() {
            if !self.0.contains_key(name) {
                names.insert(name);
            }
        }
        names.into_iter().collect()
    }
}

/// The value with the fields that only present a playbook removed, at every depth.
fn without_presentation(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        // A timer counted in a calendar keeps the layout of its length alone: a run counts it
        // under whatever calendar the playbook it is restored against says.
        Value::Object(mut fields)
            if fields.len() == 2
                && fields.contains_key("calendar")
                && fields.contains_key("length") =>
        {
            without_presentation(fields.remove("length").unwrap_or_default())
        }
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                // Which group a transition is written in is how it is written: a run depends on
                // each state's transitions, in order, wherever they are written.
                // Who an action or a step goes to out of hours, and whether a deadline is
                // regulatory, change nothing a stored run holds.
                .filter(|(key, _)| {
                    !matches!(
                        key.as_str(),
                        "description" | "text" | "title" | "group" | "out_of_hours" | "regulatory"
                    )
                })
                .map(|(key, value)| (key, without_presentation(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_presentation).collect()),
        other => other,
    }
}

fn fingerprint(model: &Model) -> Fingerprint {
    use sha2::{Digest, Sha256};
    // serde_json writes struct fields in declaration order and our maps are BTreeMaps, so the
    // bytes depend on the content only.
    let bytes = serde_json::to_vec(model).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    let mut short = [0u8; 16];
    short.copy_from_slice(&digest[..16]);
    Fingerprint(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playbook_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Playbook>();
        let playbook =
            Playbook::from_yaml_str(include_str!("../../playbooks/negative-comment-storm.yaml"))
                .unwrap();
        let copy = playbook.clone();
        assert!(Arc::ptr_eq(&playbook.compiled, &copy.compiled));
    }
}
