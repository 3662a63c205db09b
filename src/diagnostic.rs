//! Errors and warnings about a playbook, each pointing at its place.

use std::fmt;

use serde::Serialize;

/// A line and column in the source text, both counted from 1. Zero means unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub fn is_known(self) -> bool {
        self.line > 0
    }
}

/// Whether a finding stops the playbook from loading.
///
/// ```
/// use crisis_playbook::{Playbook, Severity};
/// let text = r#"
/// playbook: tiny
/// version: 1
/// title: { en: Tiny }
/// signals:
///   ack: { kind: manual }
/// roles: [social_lead]
/// initial: calm
/// states:
///   calm:
///     on:
///       - { to: closed, when: ack }
///   limbo:
///     on:
///       - { to: closed, after: 1h }
///   closed:
///     final: true
/// "#;
/// // `limbo` cannot be reached: a warning, and the playbook still loads.
/// let playbook = Playbook::from_yaml_str(text)?;
/// assert_eq!(playbook.warnings()[0].severity, Severity::Warning);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The playbook is rejected.
    Error,
    /// The playbook loads, but something is probably not what the author meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// What kind of problem a diagnostic reports: stable names for tools and for the docs.
///
/// ```
/// use crisis_playbook::{Code, Playbook};
/// let err = Playbook::from_yaml_str("playbook: [").unwrap_err();
/// assert_eq!(err.diagnostics()[0].code, Code::InvalidValue);
/// assert_eq!(Code::Syntax.as_str(), "syntax");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Code {
    /// The file could not be read.
    Io,
    /// The input exceeds a configured limit.
    Limit,
    /// The text is not valid YAML, or not UTF-8.
    Syntax,
    /// A key that the format does not have.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value of the wrong type or form.
    InvalidValue,
    /// A name that breaks the naming rules.
    InvalidName,
    /// The same name defined twice.
    DuplicateName,
    /// A reference to a state, signal, metric, role or parameter that does not exist.
    UnknownReference,
    /// A malformed duration, a zero one where time must pass, or one out of range.
    InvalidDuration,
    /// A condition that does not parse.
    ConditionSyntax,
    /// A condition that parses but mixes types (an event compared with a number…).
    ConditionType,
    /// A metric over a signal of the wrong kind, or with missing or extra settings.
    InvalidMetric,
    /// A parameter whose default lies outside its bounds, or with inconsistent types.
    InvalidParameter,
    /// An escalation ladder that cannot work as written.
    InvalidEscalation,
    /// A final state with outgoing transitions, or a transition with nothing to wait for.
    InvalidTransition,
    /// A track that cannot work as written: in a final state or in another track, with no
    /// states, or a transition that leaves its track.
    InvalidTrack,
    /// A hand-over that names this playbook itself, names one playbook twice in a state, or
    /// gives parameters that the playbook it starts refuses.
    InvalidHandOver,
    /// An inhibition that names this playbook itself or one playbook twice, quiets no state,
    /// or names a track or a severity that the other playbook does not have.
    InvalidInhibition,
    /// A calendar that cannot work as written: an unknown time zone, a day or date that is not
    /// one, hours that are empty or overlap, a calendar never open; or a timer or a route that
    /// misuses one, such as a regulatory deadline counted in working time.
    InvalidCalendar,
    /// A `say:` text whose live values cannot be filled in: an unknown name, a style that does
    /// not fit the value, a brace left open, a deadline where there is none.
    InvalidTemplate,
    /// A state that no path from the initial state reaches.
    UnreachableState,
    /// A state from which no final state can be reached.
    NoPathToFinal,
    /// A transition that can never fire because an earlier one always fires first.
    ShadowedTransition,
    /// Transitions that could cycle forever without time passing.
    InstantCycle,
    /// A text missing the default locale or a translation.
    MissingTranslation,
    /// A metric, signal or role declared and never used.
    Unused,
    /// A detector setting that makes ordinary days alert: a short spike baseline, a low
    /// quantile, a spike compared with 1 or less.
    WeakDetector,
}

impl Code {
    /// The code's stable kebab-case name, as printed in JSON output.
    ///
    /// ```
    /// assert_eq!(crisis_playbook::Code::UnknownKey.as_str(), "unknown-key");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::Limit => "limit",
            Code::Syntax => "syntax",
            Code::UnknownKey => "unknown-key",
            Code::MissingKey => "missing-key",
            Code::InvalidValue => "invalid-value",
            Code::InvalidName => "invalid-name",
            Code::DuplicateName => "duplicate-name",
            Code::UnknownReference => "unknown-reference",
            Code::InvalidDuration => "invalid-duration",
            Code::ConditionSyntax => "condition-syntax",
            Code::ConditionType => "condition-type",
            Code::InvalidMetric => "invalid-metric",
            Code::InvalidParameter => "invalid-parameter",
            Code::InvalidEscalation => "invalid-escalation",
            Code::InvalidTransition => "invalid-transition",
            Code::InvalidTrack => "invalid-track",
            Code::InvalidHandOver => "invalid-hand-over",
            Code::InvalidInhibition => "invalid-inhibition",
            Code::InvalidCalendar => "invalid-calendar",
            Code::InvalidTemplate => "invalid-template",
            Code::UnreachableState => "unreachable-state",
            Code::NoPathToFinal => "no-path-to-final",
            Code::ShadowedTransition => "shadowed-transition",
            Code::InstantCycle => "instant-cycle",
            Code::MissingTranslation => "missing-translation",
            Code::Unused => "unused",
            Code::WeakDetector => "weak-detector",
        }
    }
}

/// One finding about a playbook: where, how bad, and what to do.
///
/// Its `Display` form is the line `lint` prints:
/// `file:line:column: error: yaml.path: message`.
///
/// ```
/// use crisis_playbook::{Playbook, Severity};
///
/// let err = Playbook::from_yaml_str("playbook: x\nversion: 0\n").unwrap_err();
/// let first = &err.diagnostics()[0];
/// assert_eq!(first.severity, Severity::Error);
/// assert!(first.to_string().starts_with("<string>:"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The kind of problem.
    pub code: Code,
    /// The file (or `<string>` for text given directly).
    pub file: String,
    /// Line of the problem, from 1; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Column of the problem, from 1; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Where in the document, such as `states.watch.on[1].to`; empty for the whole file.
    pub path: String,
    /// What is wrong and, where we can tell, how to fix it.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at `at` in `file`: the one place a diagnostic is assembled, so that an
    /// unknown position is always left out the same way.
    pub(crate) fn at(
        severity: Severity,
        code: Code,
        file: &str,
        at: Position,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            file: file.to_string(),
            line: at.is_known().then_some(at.line),
            column: at.is_known().then_some(at.column),
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.is_empty() {
            f.write_str(&self.file)?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
            f.write_str(": ")?;
        }
        write!(f, "{}: ", self.severity)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// A playbook that could not be loaded, with every problem found.
///
/// ```
/// use crisis_playbook::Playbook;
///
/// let err = Playbook::from_yaml_str("playbook: demo\n").unwrap_err();
/// assert!(err.errors().count() >= 1);
/// println!("{err}"); // one line per diagnostic
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    pub(crate) fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        sort(&mut diagnostics);
        LoadError { diagnostics }
    }

    /// The diagnostics, to merge with others.
    pub(crate) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// Every diagnostic, errors and warnings, in the order of the source.
    ///
    /// ```
    /// use crisis_playbook::Playbook;
    /// # let bad = "playbook: x\nversion: 1\ntitle: x\nsignals: {}\nroles: [a]\ninitial: s\nstates:\n  s:\n    on: [{ to: t, after: 1h }]\n";
    /// let err = Playbook::from_yaml_str(bad).unwrap_err();
    /// assert_eq!(err.diagnostics()[0].line, Some(9));
    /// ```
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The errors only.
    ///
    /// ```
    /// use crisis_playbook::Playbook;
    /// # let bad = "playbook: x\nversion: 1\ntitle: x\nsignals: {}\nroles: [a]\ninitial: s\nstates:\n  s:\n    on: [{ to: t, after: 1h }]\n";
    /// let err = Playbook::from_yaml_str(bad).unwrap_err();
    /// assert_eq!(err.errors().count(), 2);
    /// assert!(err.errors().any(|d| d.message.contains("unknown state `t`")));
    /// ```
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

/// Orders diagnostics as a reader meets them: by file, then position, unknown positions last.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        (
            d.file.clone(),
            d.line.is_none(),
            d.line,
            d.column,
            d.severity,
            d.path.clone(),
            d.message.clone(),
        )
    });
}

/// The one wording of a suggestion: "; did you mean `x`?" for the candidate nearest to `name`,
/// or `None` when none is near. It follows a message that names what was not found, such as
/// "unknown signal `mention`"; without a suggestion, such a message says how to fix it after a
/// colon instead.
pub(crate) fn suggestion<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    did_you_mean(name, candidates).map(|close| format!("; did you mean `{close}`?"))
}

/// The closest of `candidates` to a misspelt `name`, if one is close enough to be a typo. A
/// track's state written without its track (`done` for `safety.done`), or with another track
/// (`care.done` for `safety.done`), counts as close.
fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    let (track, short) = name.rsplit_once('.').unwrap_or(("", name));
    candidates
        .into_iter()
        .map(|candidate| {
            let same_state = candidate
                .rsplit_once('.')
                .is_some_and(|(_, other)| other == short);
            let spelt = strsim::damerau_levenshtein(name, candidate);
            let distance = match (same_state, track.is_empty()) {
                (true, true) => spelt.min(1),
                (true, false) => spelt.min(limit),
                (false, _) => spelt,
            };
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["evacuate", "monitoring", "watch"];
        assert_eq!(did_you_mean("evacuat", names), Some("evacuate"));
        assert_eq!(did_you_mean("wacth", names), Some("watch"));
        assert_eq!(did_you_mean("closed", names), None);
        let tracks = ["safety.done", "care.refunds", "done_soon"];
        assert_eq!(did_you_mean("done", tracks), Some("safety.done"));
        assert_eq!(did_you_mean("refunds", tracks), Some("care.refunds"));
        assert_eq!(
            did_you_mean("customer_care.done", tracks),
            Some("safety.done")
        );
        assert_eq!(did_you_mean("safty.done", tracks), Some("safety.done"));
    }
}
