//! One error type for the run layer: whatever a run refuses (an observation, `complete`,
//! settings, a snapshot) is a [`RunError`], and callers branch on its predicates.
//!
//! The kinds stay private, as jiff's do: a caller that matched on twelve variants would break
//! each time a check is added, while a predicate states the question a caller has ("was it
//! late?", "is this snapshot from another playbook?") and keeps its answer as checks grow.

use super::observation::SignalError;
use super::settings::SettingsError;
use super::snapshot::SnapshotError;

/// Why a run refused an input, its settings or a snapshot. The run is left exactly as it was.
///
/// Its message names the signal, parameter or part at fault and says how to fix it. To decide
/// what to do, ask the predicates: each error answers `true` to exactly one of
/// [`is_too_late`](RunError::is_too_late), [`is_invalid_input`](RunError::is_invalid_input),
/// [`is_foreign_signal`](RunError::is_foreign_signal), [`is_settings`](RunError::is_settings),
/// [`is_other_playbook`](RunError::is_other_playbook) and
/// [`is_corrupt_snapshot`](RunError::is_corrupt_snapshot).
///
/// ```
/// # use crisis_playbook::{Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// let sentiment = playbook.signal_named("sentiment").unwrap();
/// let mut run = Run::start(&playbook, start);
/// let err = run.observe(Observation::gauge(sentiment, start, 3.0)).unwrap_err();
/// assert!(err.is_invalid_input());
/// assert_eq!(err.signal(), Some("sentiment"));
/// assert_eq!(err.to_string(), "`sentiment`: 3 is outside the range [-1, 1]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(transparent)]
// Boxed, so that `Result<&[Event], RunError>` stays two words: every observation returns one,
// and only a refused one needs the error's strings.
pub struct RunError(Box<Kind>);

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
enum Kind {
    #[error(transparent)]
    Signal(SignalError),
    #[error(transparent)]
    Settings(SettingsError),
    #[error(transparent)]
    Snapshot(SnapshotError),
}

impl From<SignalError> for RunError {
    fn from(error: SignalError) -> Self {
        RunError(Box::new(Kind::Signal(error)))
    }
}

impl From<SettingsError> for RunError {
    fn from(error: SettingsError) -> Self {
        RunError(Box::new(Kind::Settings(error)))
    }
}

impl From<SnapshotError> for RunError {
    fn from(error: SnapshotError) -> Self {
        RunError(Box::new(Kind::Snapshot(error)))
    }
}

impl RunError {
    /// A signal, or a `done`, older than the run's clock by more than the run's tolerance
    /// ([`RunSettings::late_tolerance`](crate::RunSettings::late_tolerance)). The data may be
    /// right but came too late to count: a service can drop it and go on.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mentions = playbook.signal_named("mentions").unwrap();
    /// let mut run = Run::start(&playbook, start);
    /// run.observe(Observation::count(mentions, start + Duration::from_secs(3600), 1.0))?;
    /// let err = run.observe(Observation::count(mentions, start, 1.0)).unwrap_err();
    /// assert!(err.is_too_late());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_too_late(&self) -> bool {
        matches!(
            *self.0,
            Kind::Signal(SignalError::TooLate { .. } | SignalError::DoneTooLate { .. })
        )
    }

    /// The input does not fit the playbook's declaration: a value of the wrong kind, not
    /// finite, negative for a count, beyond ±1e15 or outside a gauge's range; an event attribute
    /// the signal does not declare, of the wrong type, or given twice; `done` for an action no
    /// state has.
    /// The sender's data is wrong, and the same data will be refused again.
    ///
    /// ```
    /// # use crisis_playbook::{Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mut run = Run::start(&playbook, start);
    /// let err = run.complete("no_such_action", "me", start).unwrap_err();
    /// assert!(err.is_invalid_input());
    /// assert_eq!(err.to_string(), "no action `no_such_action` in this playbook");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_invalid_input(&self) -> bool {
        matches!(&*self.0, Kind::Signal(e) if !matches!(e, SignalError::TooLate { .. } | SignalError::DoneTooLate { .. } | SignalError::ForeignSignal(_)))
    }

    /// The observation carries a signal id taken from another playbook: a mistake in the
    /// program, not in the data. Take ids from the run's own playbook.
    ///
    /// ```
    /// # use crisis_playbook::{Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let other = Playbook::from_path("playbooks/tone-deaf-post.yaml")?;
    /// let mut run = Run::start(&playbook, start);
    /// let foreign = other.signal_named("replies").unwrap();
    /// assert!(run.observe(Observation::count(foreign, start, 1.0)).unwrap_err().is_foreign_signal());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_foreign_signal(&self) -> bool {
        matches!(*self.0, Kind::Signal(SignalError::ForeignSignal(_)))
    }

    /// [`RunSettings`](crate::RunSettings) that do not fit the playbook: an unknown
    /// parameter, a value outside its bounds, a number for a duration or the reverse.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, Run, RunSettings, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let err = Run::with_settings(&playbook, RunSettings::new("x").parameter("watch_rato", 2.0), start).unwrap_err();
    /// assert!(err.is_settings());
    /// assert_eq!(err.to_string(), "unknown parameter `watch_rato`; did you mean `watch_ratio`?");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_settings(&self) -> bool {
        matches!(*self.0, Kind::Settings(_))
    }

    /// A snapshot taken under another playbook, or under a version of this one that changed
    /// what a stored run depends on (states, signals, metrics, conditions, timers). Restore it
    /// with the playbook it was taken under, or start the subject afresh.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let other = Playbook::from_path("playbooks/tone-deaf-post.yaml")?;
    /// let run = Run::start(&playbook, start);
    /// assert!(Run::restore(&other, run.snapshot()).unwrap_err().is_other_playbook());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_other_playbook(&self) -> bool {
        matches!(
            *self.0,
            Kind::Snapshot(SnapshotError::OtherPlaybook { .. } | SnapshotError::Changed { .. })
        )
    }

    /// A snapshot that cannot be trusted: written by an unsupported format version, or
    /// edited or corrupted so that its contents do not fit its playbook.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, Run, Snapshot, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let json = serde_json::to_string(&Run::start(&playbook, start).snapshot())?;
    /// let edited: Snapshot = serde_json::from_str(&json.replace("\"version\":3", "\"version\":9"))?;
    /// assert!(Run::restore(&playbook, edited).unwrap_err().is_corrupt_snapshot());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_corrupt_snapshot(&self) -> bool {
        matches!(
            *self.0,
            Kind::Snapshot(SnapshotError::Version { .. } | SnapshotError::Inconsistent(_))
        )
    }

    /// The name of the signal the error is about, when it is about one signal.
    ///
    /// ```
    /// # use crisis_playbook::{Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let mentions = playbook.signal_named("mentions").unwrap();
    /// let err = Run::start(&playbook, start).observe(Observation::count(mentions, start, -1.0)).unwrap_err();
    /// assert_eq!(err.signal(), Some("mentions"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn signal(&self) -> Option<&str> {
        match &*self.0 {
            Kind::Signal(error) => error.signal(),
            Kind::Settings(_) | Kind::Snapshot(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QuantityKind;
    use crate::{Duration, ParameterValue, Timestamp};

    /// Every kind of refusal, one of each.
    fn every_kind() -> Vec<RunError> {
        let signal = || "s".to_string();
        let signals = vec![
            SignalError::ForeignSignal(1),
            SignalError::WrongKind {
                signal: signal(),
                kind: "a count",
                expected: "send a number",
            },
            SignalError::NotFinite { signal: signal() },
            SignalError::Negative {
                signal: signal(),
                value: -1.0,
            },
            SignalError::TooLarge {
                signal: signal(),
                value: 1e16,
            },
            SignalError::OutOfRange {
                signal: signal(),
                value: 2.0,
                low: 0.0,
                high: 1.0,
            },
            SignalError::TooLate {
                signal: signal(),
                at: Timestamp::EPOCH,
                now: Timestamp::EPOCH,
                late: Duration::ZERO,
                tolerance: Duration::ZERO,
            },
            SignalError::UnknownAttribute {
                signal: signal(),
                attribute: "a".into(),
                hint: String::new(),
            },
            SignalError::AttributeType {
                signal: signal(),
                attribute: "a".into(),
                expected: "a string".into(),
            },
            SignalError::UnknownAction("x".into()),
            SignalError::RepeatedAttribute {
                signal: signal(),
                attribute: "a".into(),
            },
            SignalError::DoneTooLate {
                action: "x".into(),
                at: Timestamp::EPOCH,
                now: Timestamp::EPOCH,
                late: Duration::ZERO,
                tolerance: Duration::ZERO,
            },
        ];
        // A new kind of refusal must join the list above: this match stops compiling until it
        // is named here, and the count below fails until the list has one of each.
        let kinds = |e: &SignalError| match e {
            SignalError::ForeignSignal(_)
            | SignalError::WrongKind { .. }
            | SignalError::NotFinite { .. }
            | SignalError::Negative { .. }
            | SignalError::TooLarge { .. }
            | SignalError::OutOfRange { .. }
            | SignalError::TooLate { .. }
            | SignalError::UnknownAttribute { .. }
            | SignalError::AttributeType { .. }
            | SignalError::UnknownAction(_)
            | SignalError::RepeatedAttribute { .. }
            | SignalError::DoneTooLate { .. } => 12,
        };
        assert!(signals.iter().all(|e| kinds(e) == signals.len()));
        let settings = vec![
            SettingsError::UnknownParameter {
                name: "p".into(),
                hint: String::new(),
            },
            SettingsError::OutOfBounds {
                name: "p".into(),
                value: ParameterValue::Number(1.0),
                bounds: "[2, 3]".into(),
            },
            SettingsError::WrongKind {
                name: "p".into(),
                expected: QuantityKind::Duration,
            },
        ];
        let snapshots = vec![
            SnapshotError::Version { found: 9 },
            SnapshotError::OtherPlaybook {
                playbook: "a".into(),
                found: "1".into(),
                expected_playbook: "b".into(),
                expected: "2".into(),
            },
            SnapshotError::Changed {
                playbook: "a".into(),
                changed: vec!["signals".into()],
            },
            SnapshotError::Inconsistent("x".into()),
        ];
        signals
            .into_iter()
            .map(RunError::from)
            .chain(settings.into_iter().map(RunError::from))
            .chain(snapshots.into_iter().map(RunError::from))
            .collect()
    }

    #[test]
    fn every_error_answers_exactly_one_predicate() {
        for error in every_kind() {
            let answers = [
                error.is_too_late(),
                error.is_invalid_input(),
                error.is_foreign_signal(),
                error.is_settings(),
                error.is_other_playbook(),
                error.is_corrupt_snapshot(),
            ];
            assert_eq!(
                answers.iter().filter(|a| **a).count(),
                1,
                "{error}: {answers:?}"
            );
        }
    }

    #[test]
    fn an_error_about_one_signal_names_it() {
        // Every kind built with the signal `s` names it; the others (another playbook's id, an
        // action, settings, snapshots) name none.
        for error in every_kind() {
            let about_s = error.to_string().contains("`s`");
            assert_eq!(error.signal(), about_s.then_some("s"), "{error}");
        }
    }
}
