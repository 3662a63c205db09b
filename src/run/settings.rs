//! A run's settings: its subject, locale, parameter overrides and late tolerance, checked
//! against the playbook when the run starts.

use crate::Duration;
use crate::model::{ParameterValue, Playbook, QuantityKind};

/// A parameter override that does not fit the playbook; callers see it as a
/// [`RunError`](super::RunError).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub(crate) enum SettingsError {
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
                let hint = crate::diagnostic::suggestion(name, names).unwrap_or_default();
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
