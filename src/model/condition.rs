//! The compiled condition tree, which refers to metrics, parameters and signals by id. The
//! loader builds it (`load::condition`), the run plan flattens it into guards, and explanations
//! walk it.

use serde::Serialize;

use super::playbook::{CalendarId, MetricId, ParameterId, SignalId, StateId};
use crate::Duration;
use crate::wording::PhraseSet;

/// A compiled guard: its source text and the tree the runtime evaluates.
///
/// ```
/// use crisis_playbook::Playbook;
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let monitoring = playbook.state(playbook.initial());
/// let guard = monitoring.transitions[0].condition.as_ref().unwrap();
/// assert!(guard.source().contains("volume_ratio"));
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct Condition {
    #[serde(skip)]
    source: String,
    root: Bool,
}

impl Condition {
    /// The condition as the author wrote it.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/service-outage-complaints.yaml")?;
    /// let restored = playbook.state(playbook.state_named("restored").unwrap());
    /// let guard = restored.transitions[1].condition.as_ref().unwrap();
    /// assert_eq!(guard.source(), "not (complaint_spike >= calm_ratio)");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A condition compiled from `source`.
    pub(crate) fn new(source: &str, root: Bool) -> Condition {
        Condition {
            source: source.to_string(),
            root,
        }
    }

    pub(crate) fn root(&self) -> &Bool {
        &self.root
    }

    /// For mutation testing, which edits compiled conditions.
    pub(crate) fn root_mut(&mut self) -> &mut Bool {
        &mut self.root
    }

    /// Whether the condition is the constant `true`.
    pub(crate) fn is_always_true(&self) -> bool {
        self.root == Bool::Const(true)
    }
}

/// A boolean node of a compiled condition.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Bool {
    Const(bool),
    Not(Box<Bool>),
    All(Vec<Bool>),
    Any(Vec<Bool>),
    Compare {
        op: CompareOp,
        left: Number,
        right: Number,
    },
    /// An event or manual input occurred since entering the state, or within the window.
    Occurred {
        signal: SignalId,
        within: Option<Duration>,
    },
    /// An event matching a predicate occurred since entering the state, or within the window.
    Matched {
        predicate: usize,
        within: Option<Duration>,
    },
    /// The run is in this state: its top-level state, or a track's current state.
    InState(StateId),
    /// The calendar is open now, in the run's calendars (`during office`); `outside office` is
    /// its negation.
    Open(CalendarId),
}

/// A numeric node; durations are in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Number {
    Const(f64),
    Metric(MetricId),
    Parameter(ParameterId),
    /// The last value observed of a count or gauge signal.
    Latest(SignalId),
    Negate(Box<Number>),
    Arith(ArithKind, Box<Number>, Box<Number>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ArithKind {
    Add,
    Sub,
    Mul,
    Div,
}

/// Tests on the attributes of one event, all of which it must pass; evaluated when the event
/// is observed. `journalist.tier == "national"` is one test, `journalist where tier ==
/// "national" and verified` two.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EventPredicate {
    pub signal: SignalId,
    pub tests: Vec<AttributeTest>,
}

impl Serialize for EventPredicate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A single test keeps the flat form that fingerprints and run layouts hashed before
        // `where` existed, so that stored runs of those playbooks still restore.
        #[derive(Serialize)]
        struct Single<'a> {
            signal: SignalId,
            attribute: usize,
            op: CompareOp,
            value: &'a AttributeLiteral,
        }
        #[derive(Serialize)]
        struct Several<'a> {
            signal: SignalId,
            tests: &'a [AttributeTest],
        }
        match self.tests.as_slice() {
            [test] => Single {
                signal: self.signal,
                attribute: test.attribute,
                op: test.op,
                value: &test.value,
            }
            .serialize(serializer),
            tests => Several {
                signal: self.signal,
                tests,
            }
            .serialize(serializer),
        }
    }
}

/// A test on one attribute: its index in the signal's attributes, the operator and the value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct AttributeTest {
    pub attribute: usize,
    pub op: CompareOp,
    pub value: AttributeLiteral,
}

/// The literal an attribute is compared with.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AttributeLiteral {
    Number(f64),
    Parameter(ParameterId),
    Text(String),
    Bool(bool),
    /// Phrases a text holds (`contains`, `matches_word`), compared case and accents aside;
    /// `==` holds when it holds one, `!=` when none.
    Phrases(PhraseSet),
    /// A time no older than this at the event's time (`created within 30d`); `==` holds when
    /// it is, `!=` when it is older.
    NewerThan(Duration),
}

/// A comparison operator.
///
/// ```
/// use crisis_playbook::CompareOp;
/// assert!(CompareOp::GreaterEqual.holds(2.0, 2.0));
/// assert_eq!(CompareOp::NotEqual.symbol(), "!=");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum CompareOp {
    /// `<`
    Less,
    /// `<=`
    LessEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterEqual,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
}

impl CompareOp {
    /// The operator as written in conditions.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::CompareOp::GreaterEqual.symbol(), ">=");
    /// ```
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Less => "<",
            CompareOp::LessEqual => "<=",
            CompareOp::Greater => ">",
            CompareOp::GreaterEqual => ">=",
            CompareOp::Equal => "==",
            CompareOp::NotEqual => "!=",
        }
    }

    /// Applies the operator to two numbers.
    ///
    /// ```
    /// use crisis_playbook::CompareOp;
    /// assert!(CompareOp::Less.holds(1.0, 2.0));
    /// ```
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            CompareOp::Less => left < right,
            CompareOp::LessEqual => left <= right,
            CompareOp::Greater => left > right,
            CompareOp::GreaterEqual => left >= right,
            CompareOp::Equal => left == right,
            CompareOp::NotEqual => left != right,
        }
    }
}
