//! Loading: from text, a reader or a file, within limits, into a validated [`Playbook`].

pub(crate) mod condition;
pub(crate) mod format;
mod syntax;
mod template;
pub(crate) mod validate;

use std::io::Read;
use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, LoadError, Severity};
use crate::files::{self, FileProblem};
use crate::model::Playbook;
use crate::yaml::{self, Limits, Position};

/// Loads playbooks with a chosen file name and limits.
///
/// ```
/// use crisis_playbook::Loader;
///
/// let text = std::fs::read_to_string("playbooks/failing-campaign.yaml").unwrap();
/// let playbook = Loader::new().file_name("failing-campaign.yaml").load_str(&text)?;
/// assert_eq!(playbook.id(), "failing-campaign");
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Loader {
    limits: Limits,
    file_name: String,
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new()
    }
}

/// Most unknown keys one load reports, each found by reading the document once more.
const MAX_UNKNOWN_KEYS: usize = 50;

impl Loader {
    /// A loader with default limits, naming text sources `<string>`.
    ///
    /// ```
    /// use crisis_playbook::Loader;
    /// let playbook = Loader::new().load_path("playbooks/tone-deaf-post.yaml")?;
    /// assert_eq!(playbook.id(), "tone-deaf-post");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn new() -> Self {
        Loader {
            limits: Limits::default(),
            file_name: "<string>".to_string(),
        }
    }

    /// Uses these limits.
    ///
    /// ```
    /// use crisis_playbook::{Limits, Loader};
    /// let mut limits = Limits::default();
    /// limits.max_states = 5;
    /// let err = Loader::new().limits(limits).load_path("playbooks/negative-comment-storm.yaml").unwrap_err();
    /// assert!(err.to_string().ends_with("states: 7 states, over the limit of 5 (Limits::max_states)"));
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Names the source in diagnostics.
    ///
    /// ```
    /// use crisis_playbook::Loader;
    /// # let bad = "playbook: x\nversion: 1\ntitle: x\nsignals: {}\nroles: [a]\ninitial: s\nstates:\n  s:\n    on: [{ to: t, after: 1h }]\n";
    /// let err = Loader::new().file_name("mine.yaml").load_str(bad).unwrap_err();
    /// assert!(err.to_string().starts_with("mine.yaml:9:16: error: "), "{err}");
    /// ```
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    fn fail(&self, code: Code, at: Position, message: impl Into<String>) -> LoadError {
        LoadError::new(vec![Diagnostic::at(
            Severity::Error,
            code,
            &self.file_name,
            at,
            "",
            message,
        )])
    }

    /// The text is over `max_bytes`: `size` is its length.
    fn too_large(&self, size: usize) -> LoadError {
        self.fail(
            Code::Limit,
            Position::default(),
            format!(
                "the file is {size} bytes, larger than the limit of {} bytes (Limits::max_bytes)",
                self.limits.max_bytes
            ),
        )
    }

    /// Loads a playbook from YAML text.
    ///
    /// ```
    /// use crisis_playbook::Loader;
    /// let text = std::fs::read_to_string("playbooks/failing-campaign.yaml")?;
    /// assert_eq!(Loader::new().load_str(&text)?.id(), "failing-campaign");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_str(&self, text: &str) -> Result<Playbook, LoadError> {
        if text.len() > self.limits.max_bytes {
            return Err(self.too_large(text.len()));
        }
        // The YAML layer stops at the first shape error. An unknown key is the common one (a
        // typo), and hiding every other error behind it breaks "every problem at once": so
        // blank the entry out, keeping every other position, and read on.
        let mut text = std::borrow::Cow::Borrowed(text);
        let mut shape = Vec::new();
        // Shape errors come in reading order, so one before a syntax error would hide it.
        // Only a file with a shape error needs the second reading that finds it.
        let original = text.clone();
        let syntax = std::cell::OnceCell::new();
        let syntax = || syntax.get_or_init(|| yaml::syntax_error(&original, &self.limits));
        let doc = loop {
            match yaml::parse::<format::PlaybookDoc>(&text, &self.limits) {
                Ok(doc) => break Some(doc),
                // A syntax error after a repair comes from the repair, not from the author.
                Err(e) if e.code == Code::Syntax && !shape.is_empty() => break None,
                Err(mut e) => {
                    // A key written as an alias (`*k : 2`) is reported where its anchor is.
                    if let Some(alias) = yaml::alias_of_anchor_at(&text, e.at) {
                        e.at = alias;
                    }
                    let repaired = (e.code == Code::UnknownKey && shape.len() < MAX_UNKNOWN_KEYS)
                        .then(|| yaml::without_entry(&text, e.at))
                        .flatten();
                    // Paths come from reading the text up to its syntax error, if any.
                    let readable = match syntax() {
                        Some(syntax) => yaml::lines_before(&text, syntax.at.line),
                        None => &text,
                    };
                    shape.push(e.into_diagnostic(readable, &self.limits, &self.file_name));
                    match repaired {
                        Some(repaired) => text = std::borrow::Cow::Owned(repaired),
                        None => break None,
                    }
                }
            }
        };
        // A misspelt required key is also missing: its "did you mean" says so already.
        let suggested: Vec<String> = shape
            .iter()
            .filter(|d| d.code == Code::UnknownKey)
            .filter_map(|d| d.message.split("did you mean ").nth(1))
            .map(|key| format!("missing key {}", key.trim_end_matches('?')))
            .collect();
        shape.retain(|d| d.code != Code::MissingKey || !suggested.contains(&d.message));
        if !shape.is_empty()
            && let Some(syntax) = syntax()
            && !shape.iter().any(|d| d.code == Code::Syntax)
        {
            shape.push(
                syntax
                    .clone()
                    .into_diagnostic(&text, &self.limits, &self.file_name),
            );
        }
        let Some(doc) = doc else {
            return Err(LoadError::new(shape));
        };
        match validate::compile(doc, &text, &self.file_name, &self.limits) {
            Ok(playbook) if shape.is_empty() => Ok(playbook),
            Ok(_) => Err(LoadError::new(shape)),
            Err(err) => {
                shape.extend(err.into_diagnostics());
                Err(LoadError::new(shape))
            }
        }
    }

    /// Reads a playbook from a reader, refusing more than `max_bytes`.
    ///
    /// ```
    /// use crisis_playbook::Loader;
    /// let err = Loader::new().load_reader(&b"playbook: \xff"[..]).unwrap_err();
    /// assert_eq!(err.to_string(), "<string>:1:11: error: the file is not valid UTF-8: save it as UTF-8");
    /// ```
    pub fn load_reader(&self, reader: impl Read) -> Result<Playbook, LoadError> {
        let text = files::read_limited(reader, self.limits.max_bytes)
            .and_then(files::utf8)
            .map_err(|problem| file_error(&self.file_name, problem))?;
        self.load_str(&text)
    }

    /// Reads and loads a playbook file. Unless [`file_name`](Self::file_name) was set,
    /// diagnostics name the file by `path`.
    ///
    /// ```
    /// use crisis_playbook::Loader;
    /// let playbook = Loader::new().load_path("playbooks/employee-misconduct.yaml")?;
    /// assert_eq!(playbook.id(), "employee-misconduct");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn load_path(&self, path: impl AsRef<Path>) -> Result<Playbook, LoadError> {
        let path = path.as_ref();
        let loader = if self.file_name == "<string>" {
            self.clone().file_name(path.display().to_string())
        } else {
            self.clone()
        };
        let file = files::open(path).map_err(|e| file_error(&loader.file_name, e.problem))?;
        loader.load_reader(file)
    }
}

/// Loading from the playbook itself, for the common case of default limits. These are defined
/// here, above the model, because loading is what the loader knows; the model below knows
/// nothing of YAML.
impl Playbook {
    /// Loads a playbook from YAML text with the default [`Limits`].
    ///
    /// For a file name in messages, or other limits, use [`Loader`].
    ///
    /// ```
    /// use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_yaml_str(include_str!("../../playbooks/tone-deaf-post.yaml"))?;
    /// assert_eq!(playbook.id(), "tone-deaf-post");
    /// assert!(Playbook::from_yaml_str("playbook: [").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_yaml_str(text: &str) -> Result<Playbook, LoadError> {
        Loader::new().load_str(text)
    }

    /// Reads and loads a playbook file with the default limits.
    ///
    /// ```
    /// use crisis_playbook::Playbook;
    /// let playbook = Playbook::from_path("playbooks/account-compromise.yaml")?;
    /// assert_eq!(playbook.title().get("fr", "en"), "Compte piraté");
    /// let err = Playbook::from_path("playbooks/nowhere.yaml").unwrap_err();
    /// assert!(err.to_string().starts_with("playbooks/nowhere.yaml: error: cannot open: "));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Playbook, LoadError> {
        Loader::new().load_path(path)
    }

    /// Reads and loads a playbook from a reader with the default limits.
    ///
    /// ```
    /// use crisis_playbook::Playbook;
    /// let file = std::fs::File::open("playbooks/misinformation-rumour.yaml")?;
    /// assert_eq!(Playbook::from_reader(file)?.id(), "misinformation-rumour");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_reader(reader: impl std::io::Read) -> Result<Playbook, LoadError> {
        Loader::new().load_reader(reader)
    }
}

/// A file that could not be read, as the diagnostic of `file`: over the byte limit, not UTF-8
/// (with the place of the first bad byte), or not readable at all.
pub(crate) fn file_error(file: &str, problem: FileProblem) -> LoadError {
    let (code, at) = match &problem {
        FileProblem::TooLarge { .. } => (Code::Limit, Position::default()),
        FileProblem::NotUtf8 { line, column } => (
            Code::Syntax,
            Position {
                line: u32::try_from(*line).unwrap_or(u32::MAX),
                column: u32::try_from(*column).unwrap_or(u32::MAX),
            },
        ),
        _ => (Code::Io, Position::default()),
    };
    LoadError::new(vec![Diagnostic::at(
        Severity::Error,
        code,
        file,
        at,
        "",
        problem.to_string(),
    )])
}

impl crate::Calendar {
    /// Reads a calendar written as under a playbook's `calendars:` (`docs/playbook-format.md`),
    /// for a run's settings: every problem, with its line and column.
    ///
    /// ```
    /// use crisis_playbook::Calendar;
    ///
    /// let office = Calendar::from_yaml_str("
    /// time_zone: America/Toronto
    /// hours:
    ///   mon-fri: 09:00-12:00, 13:00-17:00
    /// holidays: [2026-07-01]
    /// exceptions: { 2026-06-13: 10:00-16:00 }
    /// ")?;
    /// assert_eq!(office.time_zone(), "America/Toronto");
    /// let error = Calendar::from_yaml_str("{ time_zone: UTC, hours: { mon-fri: '09:00-12:00, 11:00-17:00' } }").unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "<string>:1:37: error: hours.mon-fri: `09:00-12:00` and `11:00-17:00` overlap: write each hour of the day once"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_yaml_str(text: &str) -> Result<crate::Calendar, LoadError> {
        Loader::new().load_calendar_str(text)
    }
}

impl Loader {
    /// Reads a calendar written as under a playbook's `calendars:`, with this loader's limits
    /// and file name in its diagnostics: a subject's own calendar, read from a file.
    ///
    /// ```
    /// use crisis_playbook::Loader;
    /// let error = Loader::new()
    ///     .file_name("montreal.yaml")
    ///     .load_calendar_str("time_zone: America/Toronto\nhours: { mon-fri: 08:30-17:60 }")
    ///     .unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "montreal.yaml:2:19: error: hours.mon-fri: `08:30-17:60` is not a stretch of hours: write it as `09:00-18:00`, with times from 00:00 to 24:00; give several separated by commas, or `closed`"
    /// );
    /// ```
    pub fn load_calendar_str(&self, text: &str) -> Result<crate::Calendar, LoadError> {
        if text.len() > self.limits.max_bytes {
            return Err(self.too_large(text.len()));
        }
        match yaml::parse::<format::CalendarDoc>(text, &self.limits) {
            Ok(doc) => {
                let written = yaml::Located {
                    value: doc,
                    at: Position::default(),
                };
                validate::compile_calendar(&written, text, &self.file_name, &self.limits, "")
                    .map_err(LoadError::new)
            }
            Err(error) => Err(LoadError::new(vec![error.into_diagnostic(
                text,
                &self.limits,
                &self.file_name,
            )])),
        }
    }
}
