//! The words reports and digests are written with, one YAML file per locale.
//!
//! English and French are built in, from `src/report/words/en.yaml` and `fr.yaml`. Another
//! language needs no code: translate one of those files and pass it with `--words`, or load it
//! with [`Vocabulary::from_yaml_str`].

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::Limits;
use crate::yaml;

/// The words of an after-action report and a digest in one locale.
///
/// ```
/// use crisis_playbook::report::Vocabulary;
///
/// assert_eq!(Vocabulary::builtin("fr-CA").title, "Revue après incident");
/// // A locale without built-in words gets English.
/// assert_eq!(Vocabulary::builtin("de").title, "After-action review");
///
/// let german = include_str!("words/en.yaml")
///     .replace("locale: en", "locale: de")
///     .replace("title: After-action review", "title: Nachbetrachtung");
/// let german = Vocabulary::from_yaml_str(&german)?;
/// assert_eq!((german.locale.as_str(), german.title.as_str()), ("de", "Nachbetrachtung"));
/// # Ok::<(), crisis_playbook::report::VocabularyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Vocabulary {
    /// The locale these words are in, such as `de` or `pt-BR`.
    pub locale: String,
    /// What separates a label from its value: French puts a no-break space before the colon.
    pub colon: String,
    /// The report's title.
    pub title: String,
    /// Heading of the summary.
    pub summary: String,
    /// Label of the start time.
    pub started: String,
    /// Label of the end time.
    pub ended: String,
    /// Said of a run that reached a final state.
    pub resolved: String,
    /// Said of a run that did not.
    pub unresolved: String,
    /// Label of the highest severity.
    pub max_severity: String,
    /// Label of the states entered.
    pub path: String,
    /// Label of the time to the first action done.
    pub first_action: String,
    /// Label of the time to acknowledgement.
    pub acknowledgement: String,
    /// Label of the time spent at the highest severity.
    pub at_peak: String,
    /// Said of a track that reached one of its final states. Vocabularies written before
    /// tracks existed may leave it out: English is used.
    #[serde(default = "english_track_finished")]
    pub track_finished: String,
    /// Said of a track that was still running when the run left the state that holds it.
    /// Vocabularies written before tracks existed may leave it out: English is used.
    #[serde(default = "english_track_stopped")]
    pub track_stopped: String,
    /// Heading of the section on other playbooks run for the same subject: hand-overs and
    /// inhibitions. Vocabularies written before run sets existed may leave it out: English
    /// is used.
    #[serde(default = "english_other_playbooks")]
    pub other_playbooks: String,
    /// How many actions and escalation steps inhibitions held back, with `{muted}` and
    /// `{deferred}`. Vocabularies written before run sets existed may leave it out: English
    /// is used.
    #[serde(default = "english_quieted")]
    pub quieted: String,
    /// In the digest, after an incident's line: how many actions and steps inhibitions held
    /// back, with `{count}`, and the punctuation that joins it to the line. Vocabularies written before run sets existed may leave it out: English
    /// is used.
    #[serde(default = "english_quieted_count")]
    pub quieted_count: String,
    /// Said of an incident that began while the office was open. Vocabularies written before
    /// calendars existed may leave it out: English is used.
    #[serde(default = "english_in_office_hours")]
    pub in_office_hours: String,
    /// Said of an incident that began, or a breach that fell due, while the office was closed.
    /// Vocabularies written before calendars existed may leave it out: English is used.
    #[serde(default = "english_out_of_hours")]
    pub out_of_hours: String,
    /// Said where there is nothing to show.
    pub none: String,
    /// Heading of the deadlines table.
    pub deadlines: String,
    /// The deadline table's columns: action, owner, due, done, outcome.
    pub columns: [String; 5],
    /// A deadline met.
    pub met: String,
    /// A deadline breached by an action done late.
    pub breached: String,
    /// A deadline breached by an action never done.
    pub never_done: String,
    /// An action closed with its state.
    pub closed: String,
    /// An action still open.
    pub open: String,
    /// Follows the margin of a deadline met.
    pub early: String,
    /// Follows the margin of a deadline breached.
    pub late: String,
    /// Heading of the values that triggered each step.
    pub peaks: String,
    /// Heading of the escalations.
    pub escalations: String,
    /// Heading of the timeline.
    pub timeline: String,
    /// Heading of the review questions.
    pub review: String,
    /// The review questions.
    pub questions: Vec<String>,
    /// Heading of the follow-ups.
    pub follow_ups: String,
    /// Follow-up for a breached deadline; `{action}` and `{owner}` are filled in.
    pub breach_follow_up: String,
    /// Follow-up for an action still open; `{action}` and `{owner}` are filled in.
    pub open_follow_up: String,
    /// Follow-up when escalations went unacknowledged.
    pub unacknowledged: String,
    /// Said when the timeline calls for no follow-up.
    pub nothing: String,
    /// The words of the digest.
    pub digest: DigestWords,
}

/// The words of a digest, the negative-performance review over many runs.
///
/// ```
/// use crisis_playbook::report::Vocabulary;
/// assert_eq!(Vocabulary::builtin("en").digest.title, "Negative-performance review");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DigestWords {
    /// The digest's title.
    pub title: String,
    /// Label of the period covered.
    pub period: String,
    /// Heading of the incidents.
    pub incidents: String,
    /// Heading of the breached deadlines.
    pub breaches: String,
    /// Label of the median time to acknowledgement.
    pub median_acknowledgement: String,
    /// Label of the worst time to acknowledgement.
    pub worst_acknowledgement: String,
    /// Heading of the playbooks that fired most.
    pub playbooks: String,
    /// Heading of the false alarms.
    pub false_alarms: String,
    /// Label of the figures of the incidents that began in office hours. Vocabularies written
    /// before calendars existed may leave it out, as the three keys after it: English is used.
    #[serde(default = "english_started_in_office_hours")]
    pub started_in_office_hours: String,
    /// Label of the figures of the incidents that began out of office hours.
    #[serde(default = "english_started_out_of_hours")]
    pub started_out_of_hours: String,
    /// Those figures, with `{incidents}`, `{acknowledged}`, `{median}` and `{worst}`.
    #[serde(default = "english_acknowledged")]
    pub acknowledged: String,
    /// How many breaches fell due out of office hours, with `{count}` and `{total}`.
    #[serde(default = "english_breaches_out_of_hours")]
    pub breaches_out_of_hours: String,
}

/// The English word for a finished track, for vocabularies that predate tracks.
fn english_track_finished() -> String {
    "finished".to_string()
}

/// The English heading for other playbooks, for vocabularies that predate run sets.
fn english_other_playbooks() -> String {
    "Other playbooks".to_string()
}

/// The English count of what inhibitions held back, for vocabularies that predate run sets.
fn english_quieted() -> String {
    "{muted} actions or escalation steps muted, {deferred} deferred".to_string()
}

/// The English count of what inhibitions held back in an incident, for vocabularies that
/// predate run sets.
fn english_quieted_count() -> String {
    "; {count} held back by an inhibition".to_string()
}

/// The English words for an incident begun in office hours, for vocabularies that predate
/// calendars; so the five after it.
fn english_in_office_hours() -> String {
    "in office hours".to_string()
}

fn english_out_of_hours() -> String {
    "out of office hours".to_string()
}

fn english_started_in_office_hours() -> String {
    "Incidents begun in office hours".to_string()
}

fn english_started_out_of_hours() -> String {
    "Incidents begun out of office hours".to_string()
}

fn english_acknowledged() -> String {
    "{incidents}, {acknowledged} acknowledged; median {median}, worst {worst}".to_string()
}

fn english_breaches_out_of_hours() -> String {
    "{count} of {total} fell due out of office hours.".to_string()
}

/// The English words for a stopped track, for vocabularies that predate tracks.
fn english_track_stopped() -> String {
    "stopped when the run left the state that holds it".to_string()
}

/// A vocabulary file that could not be read, with the place of the problem.
///
/// ```
/// use crisis_playbook::report::Vocabulary;
///
/// let err = Vocabulary::from_yaml_str("locale: de\ntitel: Nachbetrachtung\n").unwrap_err();
/// assert_eq!(err.to_string(), "2:1: unknown key `titel`; did you mean `title`?");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct VocabularyError {
    /// Line of the problem, from 1 (0 when unknown).
    pub line: u32,
    /// Column of the problem, from 1 (0 when unknown).
    pub column: u32,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Vocabulary {
    /// Reads a vocabulary from YAML; every key of `src/report/words/en.yaml` is required.
    ///
    /// ```
    /// use crisis_playbook::report::Vocabulary;
    /// let german = Vocabulary::from_yaml_str(&std::fs::read_to_string("docs/report-words/de.yaml")?)?;
    /// assert_eq!(german.summary, "Zusammenfassung");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_yaml_str(text: &str) -> Result<Vocabulary, VocabularyError> {
        yaml::parse(text, &Limits::default()).map_err(|e| VocabularyError {
            line: e.at.line,
            column: e.at.column,
            message: e.message,
        })
    }

    /// The built-in words for `locale`: French for `fr` and `fr-*`, English for anything else.
    ///
    /// ```
    /// use crisis_playbook::report::Vocabulary;
    /// assert_eq!(Vocabulary::builtin("fr").colon, "\u{a0}: ");
    /// ```
    pub fn builtin(locale: &str) -> &'static Vocabulary {
        static ENGLISH: OnceLock<Vocabulary> = OnceLock::new();
        static FRENCH: OnceLock<Vocabulary> = OnceLock::new();
        let (cell, text) = if locale == "fr" || locale.starts_with("fr-") {
            (&FRENCH, include_str!("words/fr.yaml"))
        } else {
            (&ENGLISH, include_str!("words/en.yaml"))
        };
        cell.get_or_init(|| {
            Vocabulary::from_yaml_str(text)
                .unwrap_or_else(|e| unreachable!("built-in words are checked by tests: {e}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_files_are_complete_and_in_their_locale() {
        for locale in ["en", "fr"] {
            let words = Vocabulary::builtin(locale);
            assert_eq!(words.locale, locale);
            assert_eq!(words.questions.len(), 7);
        }
        assert_eq!(Vocabulary::builtin("fr").colon, "\u{a0}: ");
        assert_eq!(Vocabulary::builtin("pt-BR").locale, "en");
    }

    #[test]
    fn a_missing_key_is_named() {
        let text = include_str!("words/en.yaml").replace("nothing: ", "nothing_: ");
        let err = Vocabulary::from_yaml_str(&text).unwrap_err();
        assert!(err.message.contains("unknown key `nothing_`"), "{err}");
        let text: String = include_str!("words/en.yaml")
            .lines()
            .filter(|line| !line.starts_with("nothing:"))
            .map(|line| format!("{line}\n"))
            .collect();
        let err = Vocabulary::from_yaml_str(&text).unwrap_err();
        assert_eq!(err.message, "missing key `nothing`");
    }
}
