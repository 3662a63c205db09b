//! Signal traces: recorded or generated signals in JSONL or wide CSV, read as a stream.
//!
//! **JSONL**, one observation per line:
//!
//! ```text
//! {"at": "2026-03-02T08:00:00Z", "signal": "mentions", "value": 42}
//! {"at": "2026-03-02T08:05:00Z", "signal": "journalist", "attrs": {"tier": "national"}}
//! {"at": "2026-03-02T08:20:00Z", "signal": "ack", "by": "social_lead"}
//! {"at": "2026-03-02T09:00:00Z", "signal": "done", "action": "holding_statement", "by": "comms_director"}
//! ```
//!
//! `value` goes with count and gauge signals, `attrs` (optional) with events, `by` with manual
//! inputs. The reserved signal `done` marks an action done. Blank lines are skipped.
//!
//! **Wide CSV**: a header `timestamp,<signal>,<signal>…` naming count and gauge signals, then one
//! row per instant; an empty cell means no observation of that signal at that instant.
//!
//! ```text
//! timestamp,mentions,negative
//! 2026-03-02T08:00:00Z,42,5
//! 2026-03-02T08:05:00Z,51,
//! ```

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use serde::Deserialize;

use crate::files::LineLimit;
use crate::run::{AttributeValue, Observation};
use crate::{Event, Run, RunError, Timestamp};

/// One observation read from a trace, owning its data.
///
/// ```
/// use crisis_playbook::trace::Record;
/// let record = Record::from_json(3, r#"{"at": "2026-03-02T08:00:00Z", "signal": "mentions", "value": 42}"#)?;
/// assert_eq!((record.line, record.signal.as_str()), (3, "mentions"));
/// # Ok::<(), crisis_playbook::trace::TraceError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The line it came from, from 1.
    pub line: usize,
    /// When.
    pub at: Timestamp,
    /// The signal's name (`done` for an action marked done).
    pub signal: String,
    /// Its value.
    pub value: RecordValue,
}

/// The value of a [`Record`].
///
/// ```
/// use crisis_playbook::trace::{OwnedAttributeValue, Record, RecordValue};
/// let record = Record::from_json(1, r#"{"at": "2026-03-02T08:05:00Z", "signal": "journalist", "attrs": {"tier": "national"}}"#)?;
/// assert_eq!(record.value, RecordValue::Event(vec![("tier".into(), OwnedAttributeValue::Text("national".into()))]));
/// # Ok::<(), crisis_playbook::trace::TraceError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RecordValue {
    /// A count or gauge value.
    Number(f64),
    /// An event's attributes.
    Event(Vec<(String, OwnedAttributeValue)>),
    /// A manual input, with who gave it.
    Manual {
        /// Who.
        by: String,
    },
    /// An action marked done.
    Done {
        /// The action's id.
        action: String,
        /// Who.
        by: String,
    },
}

/// An owned event attribute.
///
/// ```
/// use crisis_playbook::trace::{OwnedAttributeValue, Record, RecordValue};
/// let record = Record::from_json(1, r#"{"at": "2026-03-02T08:05:00Z", "signal": "influencer", "attrs": {"followers": 120000, "partner": false}}"#)?;
/// let RecordValue::Event(attributes) = record.value else { unreachable!() };
/// assert!(attributes.contains(&("partner".into(), OwnedAttributeValue::Bool(false))));
/// # Ok::<(), crisis_playbook::trace::TraceError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
// The doc comment's example would otherwise become the schema's description.
#[schemars(description = "An event attribute: a number, true or false, or a text.")]
#[schemars(rename = "Attribute")]
pub enum OwnedAttributeValue {
    /// A number.
    Number(f64),
    /// True or false.
    Bool(bool),
    /// A string.
    Text(String),
}

impl OwnedAttributeValue {
    /// The value as an [`Observation`] carries it.
    ///
    /// ```
    /// use crisis_playbook::{AttributeValue, trace::OwnedAttributeValue};
    /// assert_eq!(OwnedAttributeValue::Text("national".into()).as_value(), AttributeValue::Text("national"));
    /// ```
    pub fn as_value(&self) -> AttributeValue<'_> {
        match self {
            OwnedAttributeValue::Number(n) => AttributeValue::Number(*n),
            OwnedAttributeValue::Bool(b) => AttributeValue::Bool(*b),
            OwnedAttributeValue::Text(t) => AttributeValue::Text(t),
        }
    }
}

/// A trace that could not be read, a bad line, or a record the run refused.
///
/// Its message starts with the line at fault. Ask [`is_io`](TraceError::is_io),
/// [`is_malformed`](TraceError::is_malformed) and
/// [`is_unknown_signal`](TraceError::is_unknown_signal) about the trace itself;
/// [`run_error`](TraceError::run_error) gives what a run refused, with its own predicates.
///
/// ```
/// use crisis_playbook::trace::TraceReader;
/// let text = "{\"at\": \"2026-03-02T08:00:00Z\", \"signal\": \"mentions\", \"value\": 4, \"by\": \"me\"}\n";
/// let err = TraceReader::jsonl(text.as_bytes()).next().unwrap().unwrap_err();
/// assert!(err.is_malformed());
/// assert_eq!(err.line(), Some(1));
/// assert_eq!(err.to_string(), "line 1: give `value` (count, gauge), `attrs` (event) or `by` (manual), not several");
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[error(transparent)]
pub struct TraceError(TraceErrorKind);

#[derive(Clone, Debug, thiserror::Error)]
enum TraceErrorKind {
    /// Shared, so that the error can be cloned with the result that holds it.
    #[error("cannot read the trace: {0}")]
    Io(Arc<std::io::Error>),
    #[error("line {line}{}: {message}", column.map(|c| format!(", column {c}")).unwrap_or_default())]
    Malformed {
        line: usize,
        column: Option<usize>,
        message: String,
    },
    #[error("line {line}: unknown signal `{name}`{hint}")]
    UnknownSignal {
        line: usize,
        name: String,
        /// A suggestion, or the empty string.
        hint: String,
    },
    #[error("line {line}: {source}")]
    Run { line: usize, source: RunError },
}

impl TraceError {
    /// The trace could not be read: a failing disk or pipe, not a bad line (a line that is not
    /// UTF-8 or too long is [malformed](TraceError::is_malformed)).
    ///
    /// ```
    /// use crisis_playbook::trace::TraceReader;
    /// use std::io::{Error, ErrorKind, Read};
    ///
    /// struct Unplugged;
    /// impl Read for Unplugged {
    ///     fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
    ///         Err(Error::new(ErrorKind::BrokenPipe, "the disk went away"))
    ///     }
    /// }
    /// let err = TraceReader::jsonl(Unplugged).next().unwrap().unwrap_err();
    /// assert!(err.is_io());
    /// assert_eq!(err.line(), None);
    /// // A line that is not UTF-8 is a bad line, not a failure to read.
    /// let err = TraceReader::jsonl(&[0xff, b'\n'][..]).next().unwrap().unwrap_err();
    /// assert!(err.is_malformed());
    /// assert_eq!(err.line(), Some(1));
    /// ```
    pub fn is_io(&self) -> bool {
        matches!(self.0, TraceErrorKind::Io(_))
    }

    /// A line that is not a valid record: not UTF-8, too long, bad JSON or CSV, a time that
    /// does not parse, a value that is not a number, or keys that do not go together. The
    /// reader goes on with the next line, except after a line too long.
    ///
    /// ```
    /// # use crisis_playbook::trace::Record;
    /// let err = Record::from_json(7, r#"{"at": "soon", "signal": "ack", "by": "lead"}"#).unwrap_err();
    /// assert!(err.is_malformed());
    /// ```
    pub fn is_malformed(&self) -> bool {
        matches!(self.0, TraceErrorKind::Malformed { .. })
    }

    /// A record names a signal the run's playbook does not declare; the message suggests the
    /// nearest name.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, Run, trace::Record};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let record = Record::from_json(3, r#"{"at": "2026-03-02T08:00:00Z", "signal": "mention", "value": 4}"#)?;
    /// let err = record.apply(&mut Run::start(&playbook, record.at)).unwrap_err();
    /// assert!(err.is_unknown_signal());
    /// assert_eq!(err.to_string(), "line 3: unknown signal `mention`; did you mean `mentions`?");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_unknown_signal(&self) -> bool {
        matches!(self.0, TraceErrorKind::UnknownSignal { .. })
    }

    /// What the run refused, for a record that was read but not accepted.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, Run, trace::Record};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let record = Record::from_json(2, r#"{"at": "2026-03-02T08:00:00Z", "signal": "mentions", "value": -4}"#)?;
    /// let err = record.apply(&mut Run::start(&playbook, record.at)).unwrap_err();
    /// assert!(err.run_error().is_some_and(|e| e.is_invalid_input()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_error(&self) -> Option<&RunError> {
        match &self.0 {
            TraceErrorKind::Run { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The line at fault, from 1; `None` when the trace could not be read at all.
    pub fn line(&self) -> Option<usize> {
        match &self.0 {
            TraceErrorKind::Io(_) => None,
            TraceErrorKind::Malformed { line, .. }
            | TraceErrorKind::UnknownSignal { line, .. }
            | TraceErrorKind::Run { line, .. } => Some(*line),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonLine {
    at: String,
    signal: String,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    attrs: Option<BTreeMap<String, OwnedAttributeValue>>,
    #[serde(default)]
    action: Option<String>,
}

fn line_error(line: usize, message: impl Into<String>) -> TraceError {
    TraceError(TraceErrorKind::Malformed {
        line,
        column: None,
        message: message.into(),
    })
}

/// A line that could not be read: one that is not UTF-8 or too long is a bad line, anything
/// else a failure to read the trace.
fn unreadable(error: std::io::Error) -> TraceError {
    let inner = error.get_ref();
    if let Some(bad) = inner.and_then(|e| e.downcast_ref::<crate::files::LineNotUtf8>()) {
        return line_error(bad.line, "not valid UTF-8: save the trace as UTF-8");
    }
    if let Some(long) = inner.and_then(|e| e.downcast_ref::<crate::files::LineTooLong>()) {
        return line_error(
            long.line,
            format!(
                "longer than the limit of {} bytes (files::MAX_LINE_BYTES): check that it is \
                 the right file; a record must fit on one line",
                long.limit
            ),
        );
    }
    TraceError(TraceErrorKind::Io(Arc::new(error)))
}

/// A line that is not a JSON record, at the line and column serde_json found, without the
/// position serde_json writes itself (which counts lines of the one record, always line 1).
fn not_json(line: usize, error: &serde_json::Error) -> TraceError {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    TraceError(TraceErrorKind::Malformed {
        line,
        column: (error.column() > 0).then_some(error.column()),
        message: format!("not a valid record: {message}"),
    })
}

fn parse_json(line: usize, text: &str) -> Result<Record, TraceError> {
    let parsed: JsonLine = serde_json::from_str(text).map_err(|e| not_json(line, &e))?;
    let at: Timestamp = parsed
        .at
        .parse()
        .map_err(|e| line_error(line, format!("{e}")))?;
    let value = match (parsed.value, parsed.attrs, parsed.by, parsed.action) {
        (Some(value), None, None, None) => RecordValue::Number(value),
        (None, attrs, None, None) if parsed.signal != "done" => {
            RecordValue::Event(attrs.unwrap_or_default().into_iter().collect())
        }
        (None, None, Some(by), None) if parsed.signal != "done" => RecordValue::Manual { by },
        (None, None, by, Some(action)) if parsed.signal == "done" => RecordValue::Done {
            action,
            by: by.unwrap_or_default(),
        },
        _ if parsed.signal == "done" => {
            return Err(line_error(line, "`done` takes `action` and `by`"));
        }
        _ => {
            return Err(line_error(
                line,
                "give `value` (count, gauge), `attrs` (event) or `by` (manual), not several",
            ));
        }
    };
    Ok(Record {
        line,
        at,
        signal: parsed.signal,
        value,
    })
}

/// Reads a trace as a stream of records, in constant memory: a line (or CSV row) longer than
/// [`MAX_LINE_BYTES`](crate::files::MAX_LINE_BYTES) ends it with an error naming the line.
///
/// ```
/// use crisis_playbook::trace::TraceReader;
/// let trace = std::fs::File::open("playbooks/negative-comment-storm/demo.jsonl")?;
/// let records = TraceReader::jsonl(trace).collect::<Result<Vec<_>, _>>()?;
/// assert!(records.len() > 1000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TraceReader<R: Read> {
    source: Source<R>,
    /// Records of the current CSV row not yet returned.
    queued: std::collections::VecDeque<Record>,
}

enum Source<R: Read> {
    Json {
        lines: crate::files::Lines<R>,
    },
    Csv {
        rows: csv::StringRecordsIntoIter<LineLimit<R>>,
        header: Vec<String>,
    },
}

impl<R: Read> TraceReader<R> {
    /// A JSONL trace.
    ///
    /// ```
    /// use crisis_playbook::trace::TraceReader;
    /// let text = "{\"at\": \"2026-03-02T08:20:00Z\", \"signal\": \"ack\", \"by\": \"lead\"}\n\n";
    /// assert_eq!(TraceReader::jsonl(text.as_bytes()).count(), 1, "blank lines are skipped");
    /// ```
    pub fn jsonl(reader: R) -> Self {
        TraceReader {
            source: Source::Json {
                lines: crate::files::lines(reader),
            },
            queued: Default::default(),
        }
    }

    /// A wide CSV trace; reads its header now.
    ///
    /// ```
    /// use crisis_playbook::trace::TraceReader;
    /// let text = "timestamp,mentions,negative\n2026-03-02T08:00:00Z,42,5\n2026-03-02T08:05:00Z,51,\n";
    /// let records = TraceReader::csv(text.as_bytes())?.collect::<Result<Vec<_>, _>>()?;
    /// assert_eq!(records.len(), 3, "an empty cell is no observation");
    /// # Ok::<(), crisis_playbook::trace::TraceError>(())
    /// ```
    pub fn csv(reader: R) -> Result<Self, TraceError> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(LineLimit::new(reader));
        let header: Vec<String> = csv
            .headers()
            .map_err(|e| line_error(1, format!("bad CSV header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        if header.first().map(String::as_str) != Some("timestamp") {
            return Err(line_error(1, "the first CSV column must be `timestamp`"));
        }
        Ok(TraceReader {
            source: Source::Csv {
                rows: csv.into_records(),
                header,
            },
            queued: Default::default(),
        })
    }
}

impl<R: Read> Iterator for TraceReader<R> {
    type Item = Result<Record, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(record) = self.queued.pop_front() {
            return Some(Ok(record));
        }
        match &mut self.source {
            Source::Json { lines } => loop {
                let (line, text) = match lines.next()? {
                    Ok(line) => line,
                    Err(e) => return Some(Err(unreadable(e))),
                };
                if !text.trim().is_empty() {
                    return Some(parse_json(line, &text));
                }
            },
            Source::Csv { rows, header } => loop {
                let row = match rows.next()? {
                    Ok(row) => row,
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line() as usize);
                        return Some(Err(line_error(line, format!("bad CSV row: {e}"))));
                    }
                };
                let line = row.position().map_or(0, |p| p.line() as usize);
                let at = match row.get(0).unwrap_or("").parse::<Timestamp>() {
                    Ok(at) => at,
                    Err(e) => return Some(Err(line_error(line, e.to_string()))),
                };
                for (cell, signal) in row.iter().zip(header.iter()).skip(1) {
                    if cell.is_empty() {
                        continue;
                    }
                    let Ok(value) = cell.parse::<f64>() else {
                        return Some(Err(line_error(
                            line,
                            format!("`{cell}` in column `{signal}` is not a number"),
                        )));
                    };
                    self.queued.push_back(Record {
                        line,
                        at,
                        signal: signal.clone(),
                        value: RecordValue::Number(value),
                    });
                }
                if let Some(record) = self.queued.pop_front() {
                    return Some(Ok(record));
                }
            },
        }
    }
}

impl Record {
    /// Reads one JSONL record, such as a signal in a request body; `line` names it in errors.
    ///
    /// ```
    /// use crisis_playbook::trace::{Record, RecordValue};
    ///
    /// let record = Record::from_json(1, r#"{"at": "2026-03-02T08:20:00Z", "signal": "ack", "by": "lead"}"#)?;
    /// assert_eq!(record.value, RecordValue::Manual { by: "lead".into() });
    /// let err = Record::from_json(7, r#"{"at": "soon", "signal": "ack", "by": "lead"}"#).unwrap_err();
    /// assert!(err.to_string().starts_with("line 7: "));
    /// # Ok::<(), crisis_playbook::trace::TraceError>(())
    /// ```
    pub fn from_json(line: usize, text: &str) -> Result<Record, TraceError> {
        parse_json(line, text)
    }

    /// Feeds this record to a run.
    ///
    /// ```
    /// use crisis_playbook::{Playbook, Run, trace::Record};
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let record = Record::from_json(1, r#"{"at": "2026-03-02T08:00:00Z", "signal": "journalist", "attrs": {"tier": "local"}}"#)?;
    /// let mut run = Run::start(&playbook, record.at);
    /// assert!(!record.apply(&mut run)?.is_empty());
    /// assert_eq!(run.state_name(), "crisis");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply<'r>(&self, run: &'r mut Run) -> Result<&'r [Event], TraceError> {
        let wrap = |source| {
            TraceError(TraceErrorKind::Run {
                line: self.line,
                source,
            })
        };
        let attributes: Vec<(&str, AttributeValue<'_>)> = match &self.value {
            RecordValue::Done { action, by } => {
                return run.complete(action, by, self.at).map_err(wrap);
            }
            RecordValue::Event(attrs) => attrs
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_value()))
                .collect(),
            _ => Vec::new(),
        };
        let playbook = run.playbook();
        let Some(signal) = playbook.signal_named(&self.signal) else {
            let names = playbook.signals().iter().map(|s| s.name.as_str());
            let hint = crate::diagnostic::suggestion(&self.signal, names).unwrap_or_default();
            return Err(TraceError(TraceErrorKind::UnknownSignal {
                line: self.line,
                name: self.signal.clone(),
                hint,
            }));
        };
        let observation = match &self.value {
            RecordValue::Number(value) => Observation::number(signal, self.at, *value),
            RecordValue::Manual { by } => Observation::manual(signal, self.at, by),
            _ => Observation::event(signal, self.at, &attributes),
        };
        run.observe(observation).map_err(wrap)
    }
}
