//! A run's settings: its subject, locale, parameter overrides, late tolerance, time zone and
//! calendars, checked against the playbook when the run starts.

use std::sync::Arc;

use crate::model::{ParameterValue, Playbook, QuantityKind};
use crate::{Calendar, CalendarError, Duration};

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
    /// A calendar the playbook does not declare.
    #[error("unknown calendar `{name}`{}", if hint.is_empty() { ": the playbook declares none by that name, so the run would never read it" } else { hint })]
    UnknownCalendar {
        /// The name given.
        name: String,
        /// A suggestion, or the empty string.
        hint: String,
    },
    /// A time zone the bundled database does not know.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) calendars: Vec<(String, Calendar)>,
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

    /// The subject's time zone, an IANA name such as `America/Toronto`: the playbook's
    /// calendars keep their hours but count them there, so that one playbook serves brands in
    /// Paris, Montréal and Tokyo. A calendar given by [`calendar`](Self::calendar) keeps its own.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, Run, RunSettings};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at = "2026-03-02T08:00:00Z".parse()?;
    /// let settings = RunSettings::new("brand-jp").time_zone("Asia/Tokyo");
    /// let run = Run::with_settings(&playbook, settings, at)?;
    /// assert_eq!(run.time_zone(), Some("Asia/Tokyo"));
    /// let wrong = RunSettings::new("x").time_zone("Asia/Tokio");
    /// assert_eq!(
    ///     Run::with_settings(&playbook, wrong, at).unwrap_err().to_string(),
    ///     "unknown time zone `Asia/Tokio`; did you mean `Asia/Tokyo`?"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time_zone(mut self, zone: impl Into<String>) -> Self {
        self.time_zone = Some(zone.into());
        self
    }

    /// Replace the playbook's calendar `name` for this subject: its own hours, holidays and
    /// time zone (a brand with someone on call all weekend gives an office open at all hours).
    ///
    /// ```
    /// # use crisis_playbook::{Calendar, Playbook, Run, RunSettings};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let at = "2026-03-02T08:00:00Z".parse()?;
    /// let on_call = Calendar::always_open("Europe/Paris")?;
    /// let run = Run::with_settings(&playbook, RunSettings::new("x").calendar("office", on_call), at)?;
    /// let wrong = RunSettings::new("x").calendar("ofice", Calendar::always_open("UTC")?);
    /// assert_eq!(
    ///     Run::with_settings(&playbook, wrong, at).unwrap_err().to_string(),
    ///     "unknown calendar `ofice`; did you mean `office`?"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn calendar(mut self, name: impl Into<String>, calendar: Calendar) -> Self {
        let name = name.into();
        self.calendars.retain(|(n, _)| *n != name);
        self.calendars.push((name, calendar));
        self
    }

    /// Checks the settings against `playbook` without starting a run: every parameter known
    /// and within its bounds, every calendar replaced one the playbook declares, the time zone
    /// known. [`Run::with_settings`](crate::Run::with_settings) refuses the same.
    ///
    /// ```
    /// # use crisis_playbook::{Calendar, Playbook, RunSettings};
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let montreal = Calendar::from_yaml_str("{ time_zone: America/Toronto, hours: { mon-fri: 08:30-17:00 } }")?;
    /// assert!(RunSettings::new("brand-ca").calendar("office", montreal.clone()).check(&playbook).is_ok());
    /// let wrong = RunSettings::new("brand-ca").calendar("ofice", montreal);
    /// assert_eq!(wrong.check(&playbook).unwrap_err().to_string(), "unknown calendar `ofice`; did you mean `office`?");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&self, playbook: &Playbook) -> Result<(), crate::RunError> {
        self.resolve(playbook)?;
        Ok(())
    }

    /// Resolves the settings against the playbook: the value of every parameter, and the
    /// calendars the run counts in.
    pub(crate) fn resolve(
        &self,
        playbook: &Playbook,
    ) -> Result<(Vec<f64>, RunCalendars), SettingsError> {
        let parameters = self.parameter_values(playbook)?;
        let calendars = run_calendars(playbook, self.time_zone.as_deref(), &self.calendars)?;
        Ok((parameters, calendars))
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

/// The calendars a run counts in when its settings change the playbook's; `None` for the
/// playbook's own.
pub(crate) type RunCalendars = Option<Arc<[Calendar]>>;

/// The calendars a run counts in: the playbook's, moved to `time_zone` if given, with those
/// named in `replaced` replaced; `None` when that is the playbook's own.
pub(crate) fn run_calendars(
    playbook: &Playbook,
    time_zone: Option<&str>,
    replaced: &[(String, Calendar)],
) -> Result<RunCalendars, SettingsError> {
    for (name, _) in replaced {
        if playbook.calendar_named(name).is_none() {
            let names = playbook.calendars().iter().map(|(n, _)| n.as_str());
            let hint = crate::diagnostic::suggestion(name, names).unwrap_or_default();
            return Err(SettingsError::UnknownCalendar {
                name: name.clone(),
                hint,
            });
        }
    }
    if let Some(zone) = time_zone {
        // Checked even for a playbook without calendars: local times in outputs use it.
        crate::calendar::time_zone(zone)?;
    }
    if time_zone.is_none() && replaced.is_empty() {
        return Ok(None);
    }
    let calendars = playbook
        .calendars()
        .iter()
        .map(
            |(name, own)| match replaced.iter().find(|(n, _)| n == name) {
                Some((_, given)) => Ok(given.clone()),
                None => match time_zone {
                    Some(zone) => own.in_time_zone(zone),
                    None => Ok(own.clone()),
                },
            },
        )
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(calendars.into()))
}
