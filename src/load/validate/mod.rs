//! Validation: resolves every name of a parsed document, checks it, and builds the compiled
//! model. Every problem is collected, each with its file, YAML path and line:column.
#![expect(
    clippy::indexing_slicing,
    reason = "ids are resolved against the document being compiled"
)]

mod calendars;
pub(crate) use calendars::compile_calendar;
mod detectors;
mod graph;
mod links;
pub(crate) use graph::instant_loops;
mod places;
mod usage;

use std::collections::{BTreeMap, BTreeSet};

use crate::Limits;
use crate::diagnostic::{Code, Diagnostic, LoadError, Severity, suggestion};
use crate::load::condition::{self, Scope, Symbol};
use crate::load::format::{
    ActionDoc, AttributeTypeDoc, CooldownDoc, CooldownKeysDoc, GroupDoc, LadderDoc, MetricDoc,
    ParameterDoc, PlaybookDoc, QuantityDoc, ReentryDoc, ShareDoc, SignalDoc, SignalKindDoc,
    TextDoc, TransitionDoc,
};
use crate::load::template::{self, Allowed};
use crate::model::SignalTable;
use crate::model::{
    Action, Attribute, AttributeKind, Cooldown, EscalationTarget, EventTest, Group, GroupId,
    Ladder, MAX_BASELINE_DAYS, Metric, MetricId, MetricKind, Model, Parameter, ParameterId,
    ParameterValue, Playbook, QuantityKind, Reentry, Repeat, RoleId, Signal, SignalId, SignalKind,
    State, StateId, Step, Template, Timer, TimerDuration, Track, TrackId, Transition,
};
use crate::yaml::{Located, Position, Source};
use crate::{Duration, LocalizedText};
use places::{StatePlace, TrackPlace};

/// The longest window or baseline a metric may have: a bound on per-run memory.
const MAX_WINDOW: Duration = Duration::from_secs(400 * 86_400);
/// The baseline of drop and zscore metrics when none is given: a week holds every day of the
/// week once.
pub(crate) const DEFAULT_BASELINE: Duration = Duration::from_secs(7 * 86_400);
/// A spike's baseline when none is given: two weeks of daily peaks see each day of the week
/// twice, so one odd day moves the upper quartile little (`docs/detection.md`).
pub(crate) const DEFAULT_SPIKE_BASELINE: Duration = Duration::from_secs(14 * 86_400);
/// An anomaly's baseline when none is given: four weeks of daily ranges, so that a value
/// beyond them is new for a month (`docs/detection.md`).
pub(crate) const DEFAULT_ANOMALY_BASELINE: Duration = Duration::from_secs(28 * 86_400);
/// Which daily peak a spike takes as typical when none is given: the upper quartile, high
/// enough that a busy weekday is not a spike, robust to the few days a storm itself adds.
pub(crate) const DEFAULT_QUANTILE: f64 = 0.75;
/// A spike's volume gate when none is given: the count a window must hold before its ratio
/// may exceed 1. It keeps a quiet account's handful of mentions from reading as a storm;
/// busier series never come near it.
pub(crate) const DEFAULT_MIN_COUNT: f64 = 5.0;
/// The indefinite article before a metric keyword: "an `anomaly`", "a `spike`".
fn article(keyword: &str) -> &'static str {
    if keyword.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The shortest period of a recurring action: a person cannot act on more, and a shorter one
/// would fill timelines with copies.
/// The shortest period of a recurring action: shorter floods its owner.
pub(crate) const MIN_RECURRENCE: Duration = Duration::from_secs(60);

/// A timer as a message names its shortest value: `30m`, or `` `grace` (as short as 10m) ``.
fn at_least(timer: TimerDuration, parameters: &[Parameter]) -> String {
    match timer {
        TimerDuration::Fixed(d) => d.to_string(),
        TimerDuration::Parameter(id) => format!(
            "`{}` (as short as {})",
            parameters[id.index()].name,
            timer.range(parameters).0
        ),
    }
}

/// A timer as a message names its longest value: `30m`, or `` `grace` (as long as 2h) ``.
fn at_most(timer: TimerDuration, parameters: &[Parameter]) -> String {
    match (timer, timer.range(parameters).1) {
        (TimerDuration::Fixed(d), _) => d.to_string(),
        (TimerDuration::Parameter(id), Some(longest)) => {
            format!("`{}` (as long as {longest})", parameters[id.index()].name)
        }
        (TimerDuration::Parameter(id), None) => {
            format!("`{}` (which has no `max`)", parameters[id.index()].name)
        }
    }
}

/// How short a timer may be, in every run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shortest {
    /// Zero is allowed: a ladder step at once.
    Zero,
    /// Above zero: time must pass.
    AboveZero,
    /// At least [`MIN_RECURRENCE`]: a recurring action.
    Recurrence,
}

/// Most repeats of an escalation ladder.
const MAX_REPEATS: u32 = 100;

pub(crate) fn compile(
    doc: PlaybookDoc,
    text: &str,
    file: &str,
    limits: &Limits,
) -> Result<Playbook, LoadError> {
    let mut checker = Checker::new(text, file, limits);
    let model = checker.model(&doc);
    let has_errors = checker
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    match model {
        Some(model) if !has_errors => {
            let mut warnings = checker.diagnostics;
            crate::diagnostic::sort(&mut warnings);
            Ok(Playbook::new(model, warnings))
        }
        _ => Err(LoadError::new(checker.diagnostics)),
    }
}

pub(crate) struct Checker<'a> {
    source: Source<'a>,
    file: &'a str,
    limits: &'a Limits,
    diagnostics: Vec<Diagnostic>,
    /// Every text read, with its place, for the translation checks at the end.
    texts: Vec<(BTreeSet<String>, Position, String)>,
    /// The tag of the playbook's signal ids, once its signals are read.
    signal_table: SignalTable,
}

/// The names conditions can use: parameters, signals and metrics share one namespace; states
/// have their own, after `in`.
/// Event tests by the name of the metric or signal that declares them.
type NamedTests = Vec<(String, EventTest)>;

struct Names<'m> {
    symbols: BTreeMap<&'m str, Symbol<'m>>,
    states: BTreeMap<String, StateId>,
    /// The calendars, which timers, routes and `during`/`outside` name.
    calendars: BTreeMap<String, crate::model::CalendarId>,
}

impl Scope for Names<'_> {
    fn lookup(&self, name: &str) -> Option<Symbol<'_>> {
        self.symbols.get(name).cloned()
    }

    fn names(&self) -> Vec<&str> {
        self.symbols.keys().copied().collect()
    }

    fn state(&self, name: &str) -> Option<StateId> {
        self.states.get(name).copied()
    }

    fn state_names(&self) -> Vec<&str> {
        self.states.keys().map(String::as_str).collect()
    }

    fn calendar(&self, name: &str) -> Option<crate::model::CalendarId> {
        self.calendars.get(name).copied()
    }

    fn calendar_names(&self) -> Vec<&str> {
        self.calendars.keys().map(String::as_str).collect()
    }
}

/// Where a compiled transition of the state at `state` is written: its entry under `on`, and
/// its path (`states.watch.on[1]`, or `groups.before_crisis.on[0]` for a shared one).
fn written<'d>(
    doc: &'d PlaybookDoc,
    states: &[StatePlace<'d>],
    state: usize,
    transition: &Transition,
) -> (&'d Located<TransitionDoc>, String) {
    let at = transition.written_at;
    match transition.group {
        Some(group) => {
            let (name, group) = &doc.groups.0[group.index()];
            (&group.on[at], format!("groups.{}.on[{at}]", name.value))
        }
        None => {
            let place = &states[state];
            (&place.doc.on[at], format!("{}.on[{at}]", place.path))
        }
    }
}

fn is_locale(code: &str) -> bool {
    let mut parts = code.split('-');
    let language = parts.next().unwrap_or("");
    (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Checker<'a> {
    /// A checker of a document read from `text`, which positions point into.
    fn new(text: &'a str, file: &'a str, limits: &'a Limits) -> Checker<'a> {
        Checker {
            source: Source::new(text),
            file,
            limits,
            diagnostics: Vec::new(),
            texts: Vec::new(),
            signal_table: SignalTable::default(),
        }
    }

    pub(crate) fn report(
        &mut self,
        severity: Severity,
        code: Code,
        at: Position,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.diagnostics
            .push(Diagnostic::at(severity, code, self.file, at, path, message));
    }

    pub(crate) fn error(
        &mut self,
        code: Code,
        at: Position,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.report(Severity::Error, code, at, path, message);
    }

    pub(crate) fn warn(
        &mut self,
        code: Code,
        at: Position,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.report(Severity::Warning, code, at, path, message);
    }

    fn name(&mut self, name: &Located<String>, path: &str, what: &str) -> bool {
        if name.value.len() > self.limits.max_name_bytes {
            self.error(
                Code::Limit,
                name.at,
                path,
                format!(
                    "{what} name is {} bytes long, over the limit of {} (Limits::max_name_bytes)",
                    name.value.len(),
                    self.limits.max_name_bytes
                ),
            );
            return false;
        }
        if !crate::name::is_valid(&name.value) {
            self.error(
                Code::InvalidName,
                name.at,
                path,
                format!(
                    "{what} name `{}` must start with a lowercase letter and use only lowercase letters, digits and `_`",
                    name.value
                ),
            );
            return false;
        }
        true
    }

    fn duration(
        &mut self,
        value: &Located<String>,
        path: &str,
        allow_zero: bool,
    ) -> Option<Duration> {
        match value.value.trim().parse::<Duration>() {
            Ok(duration) if duration.is_zero() && !allow_zero => {
                self.error(
                    Code::InvalidDuration,
                    value.at,
                    path,
                    "duration must be above zero",
                );
                None
            }
            Ok(duration) => Some(duration),
            Err(e) => {
                let at = self.source.inside(value.at, &value.value, e.offset());
                self.error(
                    Code::InvalidDuration,
                    at,
                    path,
                    format!("bad duration `{}`: {e}", value.value),
                );
                None
            }
        }
    }

    /// A detector's baseline counts days of peaks or ranges: whole days, within a bound on
    /// its memory. Other baselines pass.
    fn detector_days(
        &mut self,
        keyword: &str,
        baseline: Duration,
        given: &Located<String>,
        path: &str,
    ) -> Option<Duration> {
        const DAY: u64 = 86_400_000;
        let days = baseline.as_millis() / DAY;
        if !matches!(keyword, "spike" | "anomaly")
            || (baseline.as_millis().is_multiple_of(DAY) && (1..=MAX_BASELINE_DAYS).contains(&days))
        {
            return Some(baseline);
        }
        self.error(
            Code::InvalidDuration,
            given.at,
            format!("{path}.baseline"),
            format!(
                "{} `{keyword}` baseline counts whole days, from `1d` to `{MAX_BASELINE_DAYS}d`: `{}` is not one, try `{}d`",
                article(keyword),
                given.value,
                baseline.as_millis().div_ceil(DAY).clamp(1, MAX_BASELINE_DAYS)
            ),
        );
        None
    }

    /// A timer's length: a duration, or a duration parameter.
    fn timer_length(
        &mut self,
        value: &Located<String>,
        path: &str,
        shortest: Shortest,
        context: &StateContext<'_, '_>,
    ) -> Option<TimerDuration> {
        let name = value.value.trim();
        // A duration starts with a digit; anything that starts with a letter names something.
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let duration = self.duration(value, path, shortest == Shortest::Zero)?;
            if shortest == Shortest::Recurrence && duration < MIN_RECURRENCE {
                self.error(
                    Code::InvalidValue,
                    value.at,
                    path,
                    format!(
                        "an action recurring every {duration} would flood its owner: repeat it at most once a minute (`every: {MIN_RECURRENCE}` or longer)"
                    ),
                );
                return None;
            }
            return Some(TimerDuration::Fixed(duration));
        }
        let what = match context.names.lookup(name) {
            Some(Symbol::Parameter(id, QuantityKind::Duration)) => {
                let parameter = &context.parameters[id.index()];
                let least = match shortest {
                    Shortest::Zero => return Some(TimerDuration::Parameter(id)),
                    Shortest::AboveZero => Duration::from_millis(1),
                    Shortest::Recurrence => MIN_RECURRENCE,
                };
                let lowest = TimerDuration::Parameter(id).range(context.parameters).0;
                let problem = match (parameter.min, shortest) {
                    _ if lowest >= least => return Some(TimerDuration::Parameter(id)),
                    (None, Shortest::Recurrence) => format!(
                        "parameter `{name}` has no `min`, so a run could set it below {MIN_RECURRENCE} and flood the action's owner: give it `min: {MIN_RECURRENCE}` or more"
                    ),
                    (Some(_), Shortest::Recurrence) => format!(
                        "parameter `{name}` may be as short as {lowest}, and an action recurring every {lowest} would flood its owner: give it `min: {MIN_RECURRENCE}` or more"
                    ),
                    (None, _) => format!(
                        "parameter `{name}` has no `min`, so a run could set it to 0s: give it a `min` above zero"
                    ),
                    (Some(_), _) => format!(
                        "parameter `{name}` may be 0s, and this timer must be above zero: give it a `min` above zero"
                    ),
                };
                self.error(Code::InvalidParameter, value.at, path, problem);
                return None;
            }
            Some(Symbol::Parameter(_, QuantityKind::Number)) => {
                self.error(
                    Code::InvalidParameter,
                    value.at,
                    path,
                    format!(
                        "parameter `{name}` is a number; a timer needs a duration parameter, such as `{name}: {{ default: 10m }}`"
                    ),
                );
                return None;
            }
            Some(Symbol::Invalid) => return None,
            Some(Symbol::Metric(..)) => "a metric",
            Some(Symbol::Signal(..)) => "a signal",
            None => {
                let parameters = context
                    .parameters
                    .iter()
                    .filter(|p| p.kind == QuantityKind::Duration)
                    .map(|p| p.name.as_str());
                let hint = suggestion(name, parameters).unwrap_or_default();
                self.error(
                    Code::UnknownReference,
                    value.at,
                    path,
                    format!(
                        "`{name}` is not a duration or a parameter: write a duration such as `2h`, or name a duration parameter{hint}"
                    ),
                );
                return None;
            }
        };
        self.error(
            Code::InvalidDuration,
            value.at,
            path,
            format!(
                "`{name}` is {what}; a timer takes a duration such as `2h` or the name of a duration parameter"
            ),
        );
        None
    }

    fn optional_timer(
        &mut self,
        value: &Option<Located<String>>,
        path: &str,
        shortest: Shortest,
        context: &StateContext<'_, '_>,
    ) -> Option<Timer> {
        value
            .as_ref()
            .and_then(|v| self.timer(v, path, shortest, context))
    }

    fn text(&mut self, doc: &Located<TextDoc>, path: &str, default_locale: &str) -> LocalizedText {
        let texts = match &doc.value {
            TextDoc::Plain(text) => BTreeMap::from([(default_locale.to_string(), text.clone())]),
            TextDoc::PerLocale(texts) => texts
                .iter()
                .map(|(locale, text)| (locale.clone(), text.value.clone()))
                .collect(),
        };
        for locale in texts.keys() {
            if !is_locale(locale) {
                self.error(
                    Code::InvalidValue,
                    doc.at,
                    path,
                    format!(
                        "`{locale}` is not a locale code: use codes such as `en`, `fr` or `fr-CA`"
                    ),
                );
            }
        }
        self.texts
            .push((texts.keys().cloned().collect(), doc.at, path.to_string()));
        LocalizedText::new(texts)
    }

    fn optional_text(
        &mut self,
        doc: &Option<Located<TextDoc>>,
        path: &str,
        locale: &str,
    ) -> Option<LocalizedText> {
        doc.as_ref().map(|d| self.text(d, path, locale))
    }

    fn model(&mut self, doc: &PlaybookDoc) -> Option<Model> {
        let id = &doc.playbook;
        if !crate::name::is_playbook_id(&id.value) {
            self.error(
                Code::InvalidName,
                id.at,
                "playbook",
                format!(
                    "playbook id `{}` must use lowercase letters, digits, `-` and `_`",
                    id.value
                ),
            );
        }
        if doc.version.value.0 == 0 {
            self.error(
                Code::InvalidValue,
                doc.version.at,
                "version",
                "version must be 1 or more",
            );
        }
        let locale_ok = doc.locale.as_ref().is_none_or(|l| is_locale(&l.value));
        let locale = match &doc.locale {
            Some(locale) if !locale_ok => {
                self.error(
                    Code::InvalidValue,
                    locale.at,
                    "locale",
                    format!(
                        "`{}` is not a locale code: use codes such as `en`, `fr` or `fr-CA`",
                        locale.value
                    ),
                );
                locale.value.clone()
            }
            Some(locale) => locale.value.clone(),
            None => "en".to_string(),
        };
        let title = self.text(&doc.title, "title", &locale);
        let description = self.optional_text(&doc.description, "description", &locale);

        let parameters = self.parameters(doc, &locale);
        let signals = self.signals(doc, &locale);
        self.signal_table =
            SignalTable::of(&id.value, signals.iter().map(|s| (s.name.as_str(), s.kind)));
        let metrics = self.metrics(doc, &signals, &locale);
        let mut names = self.names(doc, &parameters, &signals, &metrics);
        let calendars = self.calendars(doc);
        names.calendars = calendars
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.clone(), crate::model::CalendarId::from_index(i)))
            .collect();
        let roles = self.roles(doc);

        let (places, track_places) = places::places(doc);
        if places.len() > self.limits.max_states {
            self.error(
                Code::Limit,
                Position::default(),
                "states",
                format!(
                    "{} states, over the limit of {} (Limits::max_states)",
                    places.len(),
                    self.limits.max_states
                ),
            );
            return None;
        }
        let state_ids: BTreeMap<&str, StateId> = places
            .iter()
            .enumerate()
            .filter(|(_, place)| place.track.is_none())
            .map(|(i, place)| (place.written.value.as_str(), StateId::from_index(i)))
            .collect();
        for place in &places {
            self.name(place.written, &place.path, "state");
        }
        names.states = places
            .iter()
            .enumerate()
            .map(|(i, place)| (place.name.clone(), StateId::from_index(i)))
            .collect();
        if doc.states.0.is_empty() {
            self.error(
                Code::MissingKey,
                doc.initial.at,
                "states",
                "the playbook has no states: add at least the initial state",
            );
        }
        let initial = self.state_ref(&doc.initial, "initial", &state_ids);

        let mut predicates = Vec::new();
        let mut kept_attributes = Vec::new();
        let mut context = StateContext {
            locale: &locale,
            names: &names,
            parameters: &parameters,
            signals: &signals,
            roles: &roles,
            state_ids: &state_ids,
            top_level: &state_ids,
            track: None,
            predicates: &mut predicates,
            kept: &mut kept_attributes,
            own_id: &doc.playbook.value,
        };
        // Groups first: their event tests then come where they did when each state wrote its
        // own copy first, so that moving transitions into a group keeps stored runs restorable.
        let groups: Vec<_> = doc
            .groups
            .0
            .iter()
            .enumerate()
            .map(|(index, (name, group))| self.group(index, name, group, doc, &mut context))
            .collect();
        let mut states = Vec::new();
        for (index, place) in places.iter().enumerate().filter(|(_, p)| p.track.is_none()) {
            states.push(self.state(index, place, &track_places, &mut context));
        }
        let tracks = self.tracks(&places, &track_places, &mut states, &mut context);
        let (metric_tests, signal_tests) = self.event_tests(doc, &names, &mut predicates, &signals);
        let mut metrics = metrics;
        for (name, test) in metric_tests {
            if let Some(metric) = metrics.iter_mut().find(|m| m.name == name) {
                metric.kind = MetricKind::ShareWhere { test };
            }
        }
        let mut signals = signals;
        for (name, test) in signal_tests {
            if let Some(signal) = signals.iter_mut().find(|s| s.name == name) {
                signal.counts = Some(test);
            }
        }
        self.translations(&locale, locale_ok);

        let states: Option<Vec<State>> = states.into_iter().collect();
        let groups: Option<Vec<(Group, Vec<Transition>)>> = groups.into_iter().collect();
        let (mut states, groups, initial, tracks) = (states?, groups?, initial?, tracks?);
        self.share_transitions(&mut states, &groups)?;
        let groups = groups.into_iter().map(|(group, _)| group).collect();
        let inhibitions = self.inhibitions(&doc.inhibited_by, &id.value, &states);
        let calendars = calendars
            .into_iter()
            .map(|(name, calendar)| Some((name, calendar?)))
            .collect::<Option<Vec<_>>>()?;
        let role_names = roles.keys().map(|r| r.to_string()).collect::<Vec<_>>();
        let model = Model {
            id: id.value.clone(),
            version: doc.version.value.0,
            locale,
            title,
            description,
            parameters,
            signals,
            metrics,
            roles: doc
                .roles
                .iter()
                .map(|r| r.value.clone())
                .filter(|r| role_names.contains(r))
                .collect(),
            initial,
            states,
            groups,
            tracks,
            inhibitions,
            calendars,
            predicates,
            kept_attributes,
            signal_table: self.signal_table,
        };
        graph::check(self, doc, &places, &model);
        // A leftover declaration matters once the playbook loads; beside errors, it is noise.
        if !self
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            usage::check(self, doc, &model);
            detectors::check(self, doc, &places, &model);
        }
        Some(model)
    }

    fn quantity(
        &mut self,
        value: &Located<QuantityDoc>,
        path: &str,
    ) -> Option<(f64, QuantityKind)> {
        match &value.value {
            QuantityDoc::Number(n) if n.is_finite() => Some((*n, QuantityKind::Number)),
            QuantityDoc::Number(_) => {
                self.error(
                    Code::InvalidValue,
                    value.at,
                    path,
                    "value must be a finite number",
                );
                None
            }
            QuantityDoc::Text(text) => match text.parse::<ParameterValue>() {
                Ok(ParameterValue::Number(_)) if !text.trim().ends_with('%') => {
                    self.error(
                        Code::InvalidValue,
                        value.at,
                        path,
                        format!(
                            "expected a number, found the text `{}`: remove the quotes, which make it a text",
                            text.trim()
                        ),
                    );
                    None
                }
                Ok(parsed) => Some((parsed.as_f64(), parsed.kind())),
                Err(e) => {
                    let at = self.source.inside(value.at, text, e.offset());
                    self.error(Code::InvalidValue, at, path, e.to_string());
                    None
                }
            },
        }
    }

    /// A spike's quantile: a number from 0 to 1, or a percentage (`75%`).
    fn quantile(&mut self, value: &Located<QuantityDoc>, path: &str) -> Option<f64> {
        match self.quantity(value, path)? {
            (quantile, QuantityKind::Number) if (0.0..=1.0).contains(&quantile) => Some(quantile),
            _ => {
                self.error(
                    Code::InvalidMetric,
                    value.at,
                    path,
                    "quantile must be between 0 and 1, such as 0.75 or 75% for the upper quartile",
                );
                None
            }
        }
    }

    fn parameters(&mut self, doc: &PlaybookDoc, locale: &str) -> Vec<Parameter> {
        let mut parameters = Vec::new();
        for (name, parameter) in &doc.parameters.0 {
            let path = format!("parameters.{}", name.value);
            self.name(name, &path, "parameter");
            if let Some(compiled) = self.parameter(name, parameter, &path, locale) {
                parameters.push(compiled);
            }
        }
        parameters
    }

    fn parameter(
        &mut self,
        name: &Located<String>,
        doc: &ParameterDoc,
        path: &str,
        locale: &str,
    ) -> Option<Parameter> {
        let default = self.quantity(&doc.default, &format!("{path}.default"));
        let bound = |checker: &mut Self, key: &str, value: &Option<Located<QuantityDoc>>| {
            let value = value.as_ref()?;
            let (number, kind) = checker.quantity(value, &format!("{path}.{key}"))?;
            Some((number, kind, value.at))
        };
        let min = bound(self, "min", &doc.min);
        let max = bound(self, "max", &doc.max);
        let description =
            self.optional_text(&doc.description, &format!("{path}.description"), locale);
        let (default, kind) = default?;
        for (key, bound) in [("min", min), ("max", max)] {
            if let Some((_, bound_kind, at)) = bound
                && bound_kind != kind
            {
                let describe = |k| match k {
                    QuantityKind::Number => "a number",
                    QuantityKind::Duration => "a duration",
                };
                self.error(
                    Code::InvalidParameter,
                    at,
                    format!("{path}.{key}"),
                    format!(
                        "`{key}` is {} but `default` is {}: use the same kind",
                        describe(bound_kind),
                        describe(kind)
                    ),
                );
                return None;
            }
        }
        let (min, max) = (min.map(|b| b.0), max.map(|b| b.0));
        if let (Some(low), Some(high)) = (min, max)
            && low > high
        {
            self.error(
                Code::InvalidParameter,
                doc.default.at,
                path,
                "`min` is above `max`",
            );
            return None;
        }
        if min.is_some_and(|low| default < low) || max.is_some_and(|high| default > high) {
            self.error(
                Code::InvalidParameter,
                doc.default.at,
                format!("{path}.default"),
                format!(
                    "default of `{}` lies outside its bounds [{}, {}]",
                    name.value,
                    min.map_or("-inf".to_string(), |v| v.to_string()),
                    max.map_or("inf".to_string(), |v| v.to_string())
                ),
            );
            return None;
        }
        Some(Parameter {
            name: name.value.clone(),
            kind,
            default,
            min,
            max,
            description,
        })
    }

    fn signals(&mut self, doc: &PlaybookDoc, locale: &str) -> Vec<Signal> {
        let mut signals = Vec::new();
        for (name, signal) in &doc.signals.0 {
            let path = format!("signals.{}", name.value);
            self.name(name, &path, "signal");
            signals.push(self.signal(name, signal, &path, locale));
        }
        if doc.signals.0.is_empty() {
            self.error(
                Code::MissingKey,
                Position::default(),
                "signals",
                "the playbook declares no signals: add at least one",
            );
        }
        signals
    }

    fn signal(
        &mut self,
        name: &Located<String>,
        doc: &SignalDoc,
        path: &str,
        locale: &str,
    ) -> Signal {
        let kind = match doc.kind.value {
            SignalKindDoc::Count => SignalKind::Count,
            SignalKindDoc::Gauge => SignalKind::Gauge,
            SignalKindDoc::Event => SignalKind::Event,
            SignalKindDoc::Manual => SignalKind::Manual,
        };
        let range = match (&doc.range, kind) {
            (None, _) => None,
            (Some(range), SignalKind::Gauge) => match range.value[..] {
                [low, high] if low.is_finite() && high.is_finite() && low < high => {
                    Some((low, high))
                }
                _ => {
                    self.error(
                        Code::InvalidValue,
                        range.at,
                        format!("{path}.range"),
                        "range must be two finite numbers, lowest first, such as `[-1, 1]`",
                    );
                    None
                }
            },
            (Some(range), _) => {
                self.error(
                    Code::InvalidValue,
                    range.at,
                    format!("{path}.range"),
                    format!(
                        "only gauges have a range; `{}` is {} signal",
                        name.value,
                        kind.with_article()
                    ),
                );
                None
            }
        };
        let mut attributes = Vec::new();
        if kind != SignalKind::Event && !doc.attributes.0.is_empty() {
            self.error(
                Code::InvalidValue,
                doc.attributes.0[0].0.at,
                format!("{path}.attributes"),
                format!(
                    "only events have attributes; `{}` is {} signal",
                    name.value,
                    kind.with_article()
                ),
            );
        }
        for (attribute, ty) in &doc.attributes.0 {
            let attribute_path = format!("{path}.attributes.{}", attribute.value);
            self.name(attribute, &attribute_path, "attribute");
            let kind = match &ty.value {
                AttributeTypeDoc::Named(n) if n == "number" => AttributeKind::Number,
                AttributeTypeDoc::Named(n) if n == "string" => AttributeKind::String,
                AttributeTypeDoc::Named(n) if n == "bool" => AttributeKind::Bool,
                AttributeTypeDoc::Named(n) if n == "time" => AttributeKind::Time,
                AttributeTypeDoc::Named(n) => {
                    let types = ["number", "string", "bool", "time"];
                    let hint = suggestion(n, types).unwrap_or_else(|| {
                        ": use `number`, `string`, `bool`, `time`, or a list of allowed strings"
                            .into()
                    });
                    self.error(
                        Code::InvalidValue,
                        ty.at,
                        &attribute_path,
                        format!("unknown attribute type `{n}`{hint}"),
                    );
                    continue;
                }
                AttributeTypeDoc::OneOf(values) if values.is_empty() => {
                    self.error(
                        Code::InvalidValue,
                        ty.at,
                        &attribute_path,
                        "the list of allowed values is empty",
                    );
                    continue;
                }
                AttributeTypeDoc::OneOf(values) => AttributeKind::OneOf(values.clone()),
            };
            attributes.push(Attribute {
                name: attribute.value.clone(),
                kind,
            });
        }
        if let Some(counts) = &doc.counts
            && kind != SignalKind::Count
        {
            self.error(
                Code::InvalidValue,
                counts.at,
                format!("{path}.counts"),
                format!(
                    "only count signals count events; `{}` is {} signal",
                    name.value,
                    kind.with_article()
                ),
            );
        }
        Signal {
            name: name.value.clone(),
            kind,
            range,
            attributes,
            // Compiled once every name is known (`event_tests`).
            counts: None,
            description: self.optional_text(
                &doc.description,
                &format!("{path}.description"),
                locale,
            ),
        }
    }

    fn metrics(&mut self, doc: &PlaybookDoc, signals: &[Signal], locale: &str) -> Vec<Metric> {
        let mut metrics = Vec::new();
        for (name, metric) in &doc.metrics.0 {
            let path = format!("metrics.{}", name.value);
            self.name(name, &path, "metric");
            if let Some(compiled) = self.metric(name, metric, signals, &path, locale) {
                metrics.push(compiled);
            }
        }
        metrics
    }

    /// An event's attribute as a metric names it: `mention.author`.
    fn attribute_ref(
        &mut self,
        value: &Located<String>,
        path: &str,
        signals: &[Signal],
        keyword: &str,
    ) -> Option<(SignalId, usize)> {
        let Some((signal_name, attribute)) = value.value.split_once('.') else {
            self.error(
                Code::InvalidMetric,
                value.at,
                path,
                format!(
                    "`{keyword}` names an event's attribute, as in `{keyword}: mention.author`"
                ),
            );
            return None;
        };
        let located = Located {
            value: signal_name.to_string(),
            at: value.at,
        };
        let what = format!("{} `{keyword}` metric", article(keyword));
        let signal = self.signal_ref(&located, path, signals, &[SignalKind::Event], &what)?;
        let declared = &signals[signal.index()].attributes;
        let Some(index) = declared.iter().position(|a| a.name == attribute) else {
            let hint = suggestion(attribute, declared.iter().map(|a| a.name.as_str()))
                .unwrap_or_else(|| {
                    format!(": declare it under `signals.{signal_name}.attributes`")
                });
            self.error(
                Code::UnknownReference,
                value.at,
                path,
                format!("event `{signal_name}` has no attribute `{attribute}`{hint}"),
            );
            return None;
        };
        if keyword == "near_duplicates" && declared[index].kind != AttributeKind::String {
            self.error(
                Code::InvalidMetric,
                value.at,
                path,
                format!(
                    "`near_duplicates` compares texts, but `{}` is not a `string` attribute",
                    value.value
                ),
            );
            return None;
        }
        Some((signal, index))
    }

    /// Compiles the event tests of `share:` metrics and `counts:` signals, once every name is
    /// known: they go after the conditions' own tests, so adding one keeps stored runs'
    /// tests where they were.
    fn event_tests(
        &mut self,
        doc: &PlaybookDoc,
        names: &Names<'_>,
        predicates: &mut Vec<crate::model::EventPredicate>,
        signals: &[Signal],
    ) -> (NamedTests, NamedTests) {
        let mut metrics = Vec::new();
        for (name, metric) in &doc.metrics.0 {
            if let Some(Located {
                value: ShareDoc::Matching(source),
                at,
            }) = &metric.share
            {
                let located = Located {
                    value: source.clone(),
                    at: *at,
                };
                let path = format!("metrics.{}.share", name.value);
                if let Some(test) =
                    self.event_test(&located, &path, names, predicates, signals, false)
                {
                    metrics.push((name.value.clone(), test));
                }
            }
        }
        let mut counters = Vec::new();
        for (name, signal) in &doc.signals.0 {
            if let Some(counts) = &signal.counts
                && signal.kind.value == SignalKindDoc::Count
            {
                let path = format!("signals.{}.counts", name.value);
                if let Some(test) = self.event_test(counts, &path, names, predicates, signals, true)
                {
                    counters.push((name.value.clone(), test));
                }
            }
        }
        (metrics, counters)
    }

    /// A test on one event: an event's name (when `every` event may pass), or tests on its
    /// attributes.
    fn event_test(
        &mut self,
        source: &Located<String>,
        path: &str,
        names: &Names<'_>,
        predicates: &mut Vec<crate::model::EventPredicate>,
        signals: &[Signal],
        every: bool,
    ) -> Option<EventTest> {
        let condition = self.compile_condition(source, path, names, predicates)?;
        let (signal, predicate) = match condition.root() {
            crate::model::Bool::Occurred {
                signal,
                within: None,
            } if every && signals[signal.index()].kind == SignalKind::Event => (*signal, None),
            crate::model::Bool::Matched {
                predicate,
                within: None,
            } => (predicates[*predicate].signal, Some(*predicate)),
            _ => {
                let example = if every {
                    "an event, such as `mention`, or tests on one event, such as `mention where sentiment < 0`"
                } else {
                    "tests on one event, such as `mention where account_created within 30d`"
                };
                self.error(
                    Code::ConditionType,
                    source.at,
                    path,
                    format!(
                        "`{}` is not one event's test: write {example}",
                        source.value.trim()
                    ),
                );
                return None;
            }
        };
        Some(EventTest::new(signal, &source.value, predicate))
    }

    fn signal_ref(
        &mut self,
        name: &Located<String>,
        path: &str,
        signals: &[Signal],
        allowed: &[SignalKind],
        purpose: &str,
    ) -> Option<SignalId> {
        let Some(index) = signals.iter().position(|s| s.name == name.value) else {
            let declared = signals.iter().map(|s| s.name.as_str());
            self.unknown_reference("signal", name, path, declared, "declare it under `signals`");
            return None;
        };
        let kind = signals[index].kind;
        if !allowed.contains(&kind) {
            let names: Vec<&str> = allowed.iter().map(|k| k.with_article()).collect();
            self.error(
                Code::InvalidMetric,
                name.at,
                path,
                format!(
                    "{purpose} needs {} signal, but `{}` is {}",
                    names.join(" or "),
                    name.value,
                    kind.with_article()
                ),
            );
            return None;
        }
        Some(SignalId::new(index, self.signal_table))
    }

    fn metric(
        &mut self,
        name: &Located<String>,
        doc: &MetricDoc,
        signals: &[Signal],
        path: &str,
        locale: &str,
    ) -> Option<Metric> {
        use SignalKind::{Count, Event, Gauge, Manual};
        let single = [
            ("count", &doc.count, &[Count, Event, Manual][..]),
            ("rate", &doc.rate, &[Count, Event, Manual][..]),
            ("sum", &doc.sum, &[Count, Gauge][..]),
            ("mean", &doc.mean, &[Count, Gauge][..]),
            ("min", &doc.min, &[Count, Gauge][..]),
            ("max", &doc.max, &[Count, Gauge][..]),
            ("spike", &doc.spike, &[Count, Event][..]),
            ("anomaly", &doc.anomaly, &[Gauge][..]),
            ("drop", &doc.drop, &[Gauge, Count][..]),
            ("zscore", &doc.zscore, &[Count, Gauge][..]),
            ("since", &doc.since, &[Count, Gauge, Event, Manual][..]),
        ];
        let mut given: Vec<&str> = single
            .iter()
            .filter(|(_, value, _)| value.is_some())
            .map(|(key, _, _)| *key)
            .collect();
        if doc.share.is_some() {
            given.push("share");
        }
        let attribute_keys = [
            ("distinct", &doc.distinct),
            ("top_share", &doc.top_share),
            ("near_duplicates", &doc.near_duplicates),
        ];
        given.extend(
            attribute_keys
                .iter()
                .filter(|(_, value)| value.is_some())
                .map(|(key, _)| *key),
        );
        let keys = [
            "count",
            "rate",
            "sum",
            "mean",
            "min",
            "max",
            "share",
            "spike",
            "anomaly",
            "drop",
            "zscore",
            "since",
            "distinct",
            "top_share",
            "near_duplicates",
        ];
        let keyword = match given[..] {
            [one] => one,
            [] => {
                self.error(
                    Code::InvalidMetric,
                    name.at,
                    path,
                    format!("metric `{}` needs one of {}", name.value, list(&keys)),
                );
                return None;
            }
            _ => {
                self.error(
                    Code::InvalidMetric,
                    name.at,
                    path,
                    format!(
                        "metric `{}` gives {}: give exactly one aggregate",
                        name.value,
                        list(&given)
                    ),
                );
                return None;
            }
        };
        let wants_window = keyword != "since";
        let wants_baseline = matches!(keyword, "spike" | "anomaly" | "drop" | "zscore");
        let mut ok = true;
        let mut forbid = |checker: &mut Self, key: &str, at: Option<Position>| {
            if let Some(at) = at {
                checker.error(
                    Code::InvalidMetric,
                    at,
                    format!("{path}.{key}"),
                    format!(
                        "`{key}` does not apply to {} `{keyword}` metric",
                        article(keyword)
                    ),
                );
                ok = false;
            }
        };
        if !wants_window {
            forbid(self, "window", doc.window.as_ref().map(|w| w.at));
        }
        if !wants_baseline {
            forbid(self, "baseline", doc.baseline.as_ref().map(|w| w.at));
        }
        if keyword != "spike" {
            forbid(self, "min_count", doc.min_count.as_ref().map(|w| w.at));
            forbid(self, "quantile", doc.quantile.as_ref().map(|w| w.at));
        }
        if keyword != "rate" {
            forbid(self, "per", doc.per.as_ref().map(|w| w.at));
        }
        let length = |checker: &mut Self, key: &str, value: &Option<Located<String>>| {
            let Some(value) = value else {
                checker.error(
                    Code::InvalidMetric,
                    name.at,
                    path,
                    format!(
                        "{} `{keyword}` metric needs `{key}`, such as `{key}: 1h`",
                        article(keyword)
                    ),
                );
                return None;
            };
            let duration = checker.duration(value, &format!("{path}.{key}"), false)?;
            if duration > MAX_WINDOW {
                checker.error(
                    Code::InvalidDuration,
                    value.at,
                    format!("{path}.{key}"),
                    format!("`{key}` is longer than the limit of {MAX_WINDOW}"),
                );
                return None;
            }
            Some(duration)
        };
        let window = if wants_window {
            length(self, "window", &doc.window)
        } else {
            None
        };
        let baseline = match (&doc.baseline, wants_baseline) {
            (Some(given), true) => length(self, "baseline", &doc.baseline)
                .and_then(|baseline| self.detector_days(keyword, baseline, given, path)),
            (None, true) => Some(match keyword {
                "spike" => DEFAULT_SPIKE_BASELINE,
                "anomaly" => DEFAULT_ANOMALY_BASELINE,
                _ => DEFAULT_BASELINE,
            }),
            (_, false) => None,
        };
        let what = format!("{} `{keyword}` metric", article(keyword));
        let kind = if let Some((_, Some(value))) =
            attribute_keys.iter().find(|(key, _)| *key == keyword)
        {
            let (signal, attribute) =
                self.attribute_ref(value, &format!("{path}.{keyword}"), signals, keyword)?;
            match keyword {
                "distinct" => MetricKind::Distinct { signal, attribute },
                "top_share" => MetricKind::TopShare { signal, attribute },
                _ => MetricKind::NearDuplicates { signal, attribute },
            }
        } else if keyword == "share" {
            let share = doc.share.as_ref()?;
            let pair = match &share.value {
                ShareDoc::Pair(pair) => pair,
                // Compiled once every name is known (`event_tests`).
                ShareDoc::Matching(_) => {
                    return ok.then(|| Metric {
                        name: name.value.clone(),
                        kind: MetricKind::ShareWhere {
                            test: EventTest::new(SignalId::new(0, self.signal_table), "", None),
                        },
                        window,
                        description: self.optional_text(
                            &doc.description,
                            &format!("{path}.description"),
                            locale,
                        ),
                    });
                }
            };
            let [part, whole] = &pair[..] else {
                self.error(
                    Code::InvalidMetric,
                    share.at,
                    format!("{path}.share"),
                    "share takes two count signals, `[part, whole]`",
                );
                return None;
            };
            let part = self.signal_ref(part, &format!("{path}.share[0]"), signals, &[Count], &what);
            let whole =
                self.signal_ref(whole, &format!("{path}.share[1]"), signals, &[Count], &what);
            MetricKind::Share {
                part: part?,
                whole: whole?,
            }
        } else {
            let (_, value, allowed) = single.iter().find(|(key, _, _)| *key == keyword)?;
            let signal_name = value.as_ref()?;
            let signal = self.signal_ref(
                signal_name,
                &format!("{path}.{keyword}"),
                signals,
                allowed,
                &what,
            )?;
            match keyword {
                "count" => MetricKind::Count(signal),
                "rate" => MetricKind::Rate {
                    signal,
                    per: match &doc.per {
                        Some(per) => self.duration(per, &format!("{path}.per"), false)?,
                        None => Duration::from_secs(3_600),
                    },
                },
                "sum" => MetricKind::Sum(signal),
                "mean" => MetricKind::Mean(signal),
                "min" => MetricKind::Min(signal),
                "max" => MetricKind::Max(signal),
                "spike" => MetricKind::Spike {
                    signal,
                    baseline: baseline?,
                    quantile: match &doc.quantile {
                        Some(q) => self.quantile(q, &format!("{path}.quantile"))?,
                        None => DEFAULT_QUANTILE,
                    },
                    min_count: match &doc.min_count {
                        Some(gate) if !(gate.value.0.is_finite() && gate.value.0 >= 0.0) => {
                            self.error(
                                Code::InvalidMetric,
                                gate.at,
                                format!("{path}.min_count"),
                                "min_count must be a number of 0 or more",
                            );
                            return None;
                        }
                        Some(gate) => gate.value.0,
                        None => DEFAULT_MIN_COUNT,
                    },
                },
                "anomaly" => MetricKind::Anomaly {
                    signal,
                    baseline: baseline?,
                },
                "drop" => MetricKind::Drop {
                    signal,
                    baseline: baseline?,
                },
                "zscore" => MetricKind::ZScore {
                    signal,
                    baseline: baseline?,
                },
                _ => MetricKind::Since(signal),
            }
        };
        if !ok || (wants_window && window.is_none()) {
            return None;
        }
        Some(Metric {
            name: name.value.clone(),
            kind,
            window,
            description: self.optional_text(
                &doc.description,
                &format!("{path}.description"),
                locale,
            ),
        })
    }

    fn names<'m>(
        &mut self,
        doc: &'m PlaybookDoc,
        parameters: &'m [Parameter],
        signals: &'m [Signal],
        metrics: &'m [Metric],
    ) -> Names<'m> {
        let mut symbols = BTreeMap::new();
        let mut first_use: BTreeMap<&str, (&str, Position)> = BTreeMap::new();
        let sections = [
            (
                "parameter",
                &doc.parameters.0.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ),
            (
                "signal",
                &doc.signals.0.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ),
            (
                "metric",
                &doc.metrics.0.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ),
        ];
        for (what, names) in sections {
            for name in names.iter() {
                match first_use.get(name.value.as_str()) {
                    Some((other, at)) => {
                        let (other, line) = (*other, at.line);
                        self.error(
                            Code::DuplicateName,
                            name.at,
                            format!("{what}s.{}", name.value),
                            format!(
                                "`{}` is already the name of a {other} (line {line}): conditions could not tell them apart",
                                name.value
                            ),
                        );
                    }
                    None => {
                        first_use.insert(name.value.as_str(), (what, name.at));
                    }
                }
            }
        }
        for (i, p) in parameters.iter().enumerate() {
            symbols.insert(
                p.name.as_str(),
                Symbol::Parameter(ParameterId::from_index(i), p.kind),
            );
        }
        for (i, s) in signals.iter().enumerate() {
            symbols.entry(s.name.as_str()).or_insert(Symbol::Signal(
                SignalId::new(i, self.signal_table),
                s.kind,
                &s.attributes,
            ));
        }
        for (i, m) in metrics.iter().enumerate() {
            let kind = match m.kind {
                MetricKind::Since(_) => QuantityKind::Duration,
                _ => QuantityKind::Number,
            };
            symbols
                .entry(m.name.as_str())
                .or_insert(Symbol::Metric(MetricId::from_index(i), kind));
        }
        let declared = doc.parameters.0.iter().map(|(n, _)| n);
        let declared = declared.chain(doc.metrics.0.iter().map(|(n, _)| n));
        for name in declared {
            symbols
                .entry(name.value.as_str())
                .or_insert(Symbol::Invalid);
        }
        Names {
            symbols,
            states: BTreeMap::new(),
            calendars: BTreeMap::new(),
        }
    }

    fn roles<'d>(&mut self, doc: &'d PlaybookDoc) -> BTreeMap<&'d str, RoleId> {
        let mut roles = BTreeMap::new();
        for (index, role) in doc.roles.iter().enumerate() {
            let path = format!("roles[{index}]");
            if !self.name(role, &path, "role") {
                continue;
            }
            if roles.contains_key(role.value.as_str()) {
                self.error(
                    Code::DuplicateName,
                    role.at,
                    path,
                    format!("role `{}` is listed twice", role.value),
                );
                continue;
            }
            roles.insert(role.value.as_str(), RoleId::from_index(roles.len()));
        }
        if doc.roles.is_empty() {
            self.error(
                Code::MissingKey,
                Position::default(),
                "roles",
                "the playbook declares no roles: list who owns actions, such as `[community_manager]`",
            );
        }
        roles
    }

    /// Reports a reference to an undeclared `what`, suggesting a close name or where to declare it.
    fn unknown_reference<'n>(
        &mut self,
        what: &str,
        name: &Located<String>,
        path: &str,
        declared: impl IntoIterator<Item = &'n str>,
        how_to_declare: &str,
    ) {
        let hint =
            suggestion(&name.value, declared).unwrap_or_else(|| format!(": {how_to_declare}"));
        self.error(
            Code::UnknownReference,
            name.at,
            path,
            format!("unknown {what} `{}`{hint}", name.value),
        );
    }

    fn state_ref(
        &mut self,
        name: &Located<String>,
        path: &str,
        state_ids: &BTreeMap<&str, StateId>,
    ) -> Option<StateId> {
        let found = state_ids.get(name.value.as_str()).copied();
        if found.is_none() {
            let declared = state_ids.keys().copied();
            self.unknown_reference("state", name, path, declared, "declare it under `states`");
        }
        found
    }

    fn role_ref(
        &mut self,
        name: &Located<String>,
        path: &str,
        roles: &BTreeMap<&str, RoleId>,
    ) -> Option<RoleId> {
        let found = roles.get(name.value.as_str()).copied();
        if found.is_none() {
            let declared = roles.keys().copied();
            self.unknown_reference("role", name, path, declared, "add it under `roles`");
        }
        found
    }

    fn state(
        &mut self,
        index: usize,
        place: &StatePlace<'_>,
        track_places: &[TrackPlace<'_>],
        context: &mut StateContext<'_, '_>,
    ) -> Option<State> {
        let (doc, path, name) = (place.doc, &place.path, &place.name);
        let severity = match &doc.severity {
            Some(severity) if severity.value.0 < 0 => {
                self.error(
                    Code::InvalidValue,
                    severity.at,
                    format!("{path}.severity"),
                    "severity must be 0 (normal) or more",
                );
                0
            }
            Some(severity) => severity.value.0,
            None => 0,
        };
        let is_final = doc.is_final.as_ref().is_some_and(|f| f.value.0);
        // What reaching a final state ends: the run, or the state's track.
        let ends = if place.track.is_some() {
            "ends its track"
        } else {
            "ends the run"
        };
        let tracks = self.track_ids(index, place, is_final, track_places);
        let mut actions = Vec::new();
        let mut action_ids: BTreeMap<&str, Position> = BTreeMap::new();
        for (index, action) in doc.enter.iter().enumerate() {
            let action_path = format!("{path}.enter[{index}]");
            if let Some(line) = action_ids
                .get(action.value.id.value.as_str())
                .map(|at| at.line)
            {
                self.error(
                    Code::DuplicateName,
                    action.value.id.at,
                    format!("{action_path}.do"),
                    format!(
                        "action `{}` is already defined in this state (line {line})",
                        action.value.id.value
                    ),
                );
            }
            action_ids.insert(action.value.id.value.as_str(), action.value.id.at);
            actions.push(self.action(&action.value, &action_path, context));
        }
        let escalation = match &doc.escalate {
            Some(ladder) if is_final => {
                self.error(
                    Code::InvalidEscalation,
                    ladder.at,
                    format!("{path}.escalate"),
                    format!(
                        "a final state {ends}, so its ladder would never run: remove `escalate`"
                    ),
                );
                None
            }
            Some(ladder) => self.ladder(
                &ladder.value,
                ladder.at,
                &format!("{path}.escalate"),
                context,
            ),
            None => None,
        };
        if is_final && let Some(first) = doc.on.first() {
            self.error(
                Code::InvalidTransition,
                first.at,
                format!("{path}.on"),
                format!(
                    "`{name}` is final, so it cannot have transitions: remove `on` or `final: true`"
                ),
            );
        }
        let cooldown = match &doc.cooldown {
            Some(cooldown) if is_final => {
                self.error(
                    Code::InvalidTransition,
                    cooldown.at,
                    format!("{path}.cooldown"),
                    format!("a final state {ends}, so it is never left and never cools down: remove `cooldown`"),
                );
                None
            }
            Some(cooldown) => self
                .cooldown(cooldown, &format!("{path}.cooldown"), context)
                .map(Some),
            None => Some(None),
        };
        let mut transitions = Vec::new();
        for (index, transition) in doc.on.iter().enumerate() {
            let transition = self.transition(transition, &format!("{path}.on[{index}]"), context);
            transitions.push(transition.map(|t| Transition {
                written_at: index,
                ..t
            }));
        }
        Some(State {
            name: name.clone(),
            severity,
            description: self.optional_text(
                &doc.description,
                &format!("{path}.description"),
                context.locale,
            ),
            is_final,
            actions: actions.into_iter().collect::<Option<_>>()?,
            escalation,
            transitions: transitions.into_iter().collect::<Option<_>>()?,
            cooldown: cooldown?,
            track: place.track.map(TrackId::from_index),
            tracks,
            hand_over: self.hand_overs(
                &doc.hand_over,
                &format!("{path}.hand_over"),
                context.own_id,
            ),
        })
    }

    /// The tracks of the state at `index`, which may hold none if it is final or in a track
    /// itself (both are reported).
    fn track_ids(
        &mut self,
        index: usize,
        place: &StatePlace<'_>,
        is_final: bool,
        track_places: &[TrackPlace<'_>],
    ) -> Vec<TrackId> {
        let Some((first, _)) = place.doc.tracks.0.first() else {
            return Vec::new();
        };
        let path = format!("{}.tracks", place.path);
        if place.track.is_some() {
            self.error(
                Code::InvalidTrack,
                first.at,
                path,
                format!(
                    "`{}` is a state of a track, and a track's states hold no tracks: put track `{}` beside the others, in the state that holds `{}`",
                    place.name, first.value, place.name
                ),
            );
            return Vec::new();
        }
        if is_final {
            self.error(
                Code::InvalidTrack,
                first.at,
                path,
                format!(
                    "`{}` is final, so its tracks would never run: remove `tracks` or `final: true`",
                    place.name
                ),
            );
            return Vec::new();
        }
        track_places
            .iter()
            .enumerate()
            .filter(|(_, track)| track.parent == index)
            .map(|(id, _)| TrackId::from_index(id))
            .collect()
    }

    /// Compiles every track and its states, which join `states` after the top-level ones.
    fn tracks(
        &mut self,
        places: &[StatePlace<'_>],
        track_places: &[TrackPlace<'_>],
        states: &mut Vec<Option<State>>,
        context: &mut StateContext<'_, '_>,
    ) -> Option<Vec<Track>> {
        let mut defined: BTreeMap<&str, Position> = BTreeMap::new();
        let mut tracks = Vec::new();
        for track in track_places {
            let name = track.name;
            self.name(name, &track.path, "track");
            if let Some(line) = defined.get(name.value.as_str()).map(|at| at.line) {
                self.error(
                    Code::DuplicateName,
                    name.at,
                    track.path.clone(),
                    format!(
                        "track `{}` is already defined (line {line}): its states are named after it (`{}.{}`), so a track's name is unique in the playbook",
                        name.value,
                        name.value,
                        track.doc.initial.value
                    ),
                );
            }
            defined.insert(name.value.as_str(), name.at);
            let ids = track.state_ids();
            let initial = if track.doc.states.0.is_empty() {
                self.error(
                    Code::InvalidTrack,
                    name.at,
                    format!("{}.states", track.path),
                    format!(
                        "track `{}` has no states: add at least its initial state",
                        name.value
                    ),
                );
                None
            } else {
                let found = ids.get(track.doc.initial.value.as_str()).copied();
                if found.is_none() {
                    self.unknown_reference(
                        "state",
                        &track.doc.initial,
                        &format!("{}.initial", track.path),
                        ids.keys().copied(),
                        "declare it under the track's `states`",
                    );
                }
                found
            };
            let parent = &places[track.parent].name;
            let mut inside = StateContext {
                locale: context.locale,
                names: context.names,
                parameters: context.parameters,
                signals: context.signals,
                roles: context.roles,
                state_ids: &ids,
                top_level: context.top_level,
                track: Some((&name.value, parent)),
                predicates: &mut *context.predicates,
                kept: &mut *context.kept,
                own_id: context.own_id,
            };
            for index in track.states.clone() {
                states.push(self.state(index, &places[index], track_places, &mut inside));
            }
            let description = self.optional_text(
                &track.doc.description,
                &format!("{}.description", track.path),
                context.locale,
            );
            tracks.push(initial.map(|initial| Track {
                name: name.value.clone(),
                description,
                parent: StateId::from_index(track.parent),
                initial,
                states: track.states.clone().map(StateId::from_index).collect(),
            }));
        }
        tracks.into_iter().collect()
    }

    /// The state a transition's `to:` names. In a track, `to:` names a state of the same
    /// track, with or without the track's name in front.
    fn target_ref(
        &mut self,
        name: &Located<String>,
        path: &str,
        context: &StateContext<'_, '_>,
    ) -> Option<StateId> {
        let Some((track, parent)) = context.track else {
            return self.state_ref(name, path, context.state_ids);
        };
        let short = name
            .value
            .strip_prefix(track)
            .and_then(|rest| rest.strip_prefix('.'))
            .unwrap_or(&name.value);
        if let Some(found) = context.state_ids.get(short) {
            return Some(*found);
        }
        if context.top_level.contains_key(short) {
            self.error(
                Code::InvalidTrack,
                name.at,
                path,
                format!(
                    "`{short}` is outside track `{track}`, and a track's transitions stay inside it: to leave `{parent}` and every track in it, write this transition in the `on` of `{parent}`"
                ),
            );
        } else if context.names.state(&name.value).is_some() {
            self.error(
                Code::InvalidTrack,
                name.at,
                path,
                format!(
                    "`{}` is in another track, and a track's transitions stay inside it: to wait for that track, test it in a condition of this one (`when: in {}`)",
                    name.value, name.value
                ),
            );
        } else {
            self.unknown_reference(
                "state",
                name,
                path,
                context.state_ids.keys().copied(),
                &format!("declare it under the `states` of track `{track}`"),
            );
        }
        None
    }

    /// A state's cool-down; `None` when it has errors, which are reported.
    fn cooldown(
        &mut self,
        written: &Located<CooldownDoc>,
        path: &str,
        context: &StateContext<'_, '_>,
    ) -> Option<Cooldown> {
        let short;
        let doc = match &written.value {
            CooldownDoc::Keys(keys) => keys,
            // `cooldown: 1h` is `{ for: 1h }`, and its errors point at the duration.
            CooldownDoc::For(period) => {
                short = CooldownKeysDoc {
                    period: Located {
                        value: period.clone(),
                        at: written.at,
                    },
                    reentry: None,
                    backoff: None,
                    max: None,
                };
                &short
            }
        };
        let period_path = format!("{path}.for");
        let period = self.timer(&doc.period, &period_path, Shortest::AboveZero, context);
        let period = self.calendar_time(period, &doc.period, &period_path, "a cool-down");
        let max = doc.max.as_ref().and_then(|written| {
            let max_path = format!("{path}.max");
            let timer = self.timer(written, &max_path, Shortest::AboveZero, context);
            self.calendar_time(timer, written, &max_path, "a cool-down")
        });
        let backoff = match &doc.backoff {
            Some(b) if !(b.value.0.is_finite() && b.value.0 >= 1.0) => {
                self.error(
                    Code::InvalidValue,
                    b.at,
                    format!("{path}.backoff"),
                    format!(
                        "backoff {} would shorten the cool-down at each repeat: give a number of 1 or more (2 doubles it, 1 keeps it)",
                        b.value.0
                    ),
                );
                None
            }
            Some(b) => Some(b.value.0),
            None => Some(1.0),
        };
        if let (Some(period), Some(max), Some(written)) = (period, max, &doc.max)
            && period
                .range(context.parameters)
                .1
                .is_none_or(|longest| max.range(context.parameters).0 < longest)
        {
            self.error(
                Code::InvalidDuration,
                written.at,
                format!("{path}.max"),
                format!(
                    "`max` must be at least `for`, but {} is shorter than {}: give a longer `max`, or leave it out for 16 times `for`",
                    at_least(max, context.parameters),
                    at_most(period, context.parameters)
                ),
            );
            return None;
        }
        if doc.max.is_some() && max.is_none() {
            return None;
        }
        Some(Cooldown {
            period: period?,
            reentry: match doc.reentry.as_ref().map(|r| r.value) {
                Some(ReentryDoc::Refused) => Reentry::Refused,
                Some(ReentryDoc::Silent) | None => Reentry::Silent,
            },
            backoff: backoff?,
            max,
        })
    }

    /// A group and its transitions, compiled once; `share_transitions` gives them to its
    /// states.
    fn group(
        &mut self,
        index: usize,
        name: &Located<String>,
        doc: &GroupDoc,
        playbook: &PlaybookDoc,
        context: &mut StateContext<'_, '_>,
    ) -> Option<(Group, Vec<Transition>)> {
        let path = format!("groups.{}", name.value);
        self.name(name, &path, "group");
        let mut members: Vec<StateId> = Vec::new();
        for (i, member) in doc.states.iter().enumerate() {
            let member_path = format!("{path}.states[{i}]");
            if context.names.state(&member.value).is_some()
                && !context.state_ids.contains_key(member.value.as_str())
            {
                self.error(
                    Code::InvalidTrack,
                    member.at,
                    member_path,
                    format!(
                        "`{}` is a track's state, and a group's states are top-level states: write the shared transition in each of the track's states",
                        member.value
                    ),
                );
                continue;
            }
            let Some(id) = self.state_ref(member, &member_path, context.state_ids) else {
                continue;
            };
            if members.contains(&id) {
                self.error(
                    Code::DuplicateName,
                    member.at,
                    member_path,
                    format!(
                        "state `{}` is already in group `{}`",
                        member.value, name.value
                    ),
                );
                continue;
            } else if playbook.states.0[id.index()]
                .1
                .is_final
                .as_ref()
                .is_some_and(|f| f.value.0)
            {
                self.error(
                    Code::InvalidTransition,
                    member.at,
                    member_path,
                    format!(
                        "`{}` is final, so it cannot take the group's transitions: remove it from `{}`",
                        member.value, name.value
                    ),
                );
            }
            members.push(id);
        }
        if doc.states.is_empty() {
            self.error(
                Code::MissingKey,
                name.at,
                format!("{path}.states"),
                format!(
                    "group `{}` has no states: list the states that share its transitions",
                    name.value
                ),
            );
        }
        if doc.on.is_empty() {
            self.error(
                Code::MissingKey,
                name.at,
                format!("{path}.on"),
                format!(
                    "group `{}` has no transitions: write the transitions its states share under `on`",
                    name.value
                ),
            );
        }
        let id = GroupId::from_index(index);
        let mut transitions = Vec::new();
        for (i, written) in doc.on.iter().enumerate() {
            let transition = self.transition(written, &format!("{path}.on[{i}]"), context);
            if let Some(t) = &transition
                && !members.is_empty()
                && members.iter().all(|m| *m == t.target)
            {
                self.error(
                    Code::InvalidTransition,
                    written.value.to.at,
                    format!("{path}.on[{i}].to"),
                    format!(
                        "this transition leads to `{}`, the group's only state, so it applies nowhere: a group's transition applies in every member state except its own target",
                        written.value.to.value
                    ),
                );
            }
            transitions.push(transition.map(|t| Transition {
                group: Some(id),
                written_at: i,
                ..t
            }));
        }
        let description = self.optional_text(
            &doc.description,
            &format!("{path}.description"),
            context.locale,
        );
        let transitions: Option<Vec<Transition>> = transitions.into_iter().collect();
        Some((
            Group {
                name: name.value.clone(),
                description,
                states: members,
                transitions: doc.on.len(),
            },
            transitions?,
        ))
    }

    /// Puts each group's transitions at the head of its member states' own, in the order the
    /// groups are written, except where a transition leads to the state itself.
    fn share_transitions(
        &mut self,
        states: &mut [State],
        groups: &[(Group, Vec<Transition>)],
    ) -> Option<()> {
        let mut shared: Vec<Vec<Transition>> = vec![Vec::new(); states.len()];
        let mut total = states.iter().map(|s| s.transitions.len()).sum::<usize>();
        for (group, transitions) in groups {
            for member in &group.states {
                for transition in transitions.iter().filter(|t| t.target != *member) {
                    total = total.saturating_add(1);
                    if total > self.limits.max_transitions {
                        self.error(
                            Code::Limit,
                            Position::default(),
                            "groups",
                            format!(
                                "the states would have over {} transitions with each group's copied into its member states: put fewer states in large groups, or raise Limits::max_transitions",
                                self.limits.max_transitions
                            ),
                        );
                        return None;
                    }
                    shared[member.index()].push(transition.clone());
                }
            }
        }
        for (state, mut head) in states.iter_mut().zip(shared) {
            if !head.is_empty() {
                head.append(&mut state.transitions);
                state.transitions = head;
            }
        }
        Some(())
    }

    fn action(
        &mut self,
        doc: &ActionDoc,
        path: &str,
        context: &mut StateContext<'_, '_>,
    ) -> Option<Action> {
        let id_ok = self.name(&doc.id, &format!("{path}.do"), "action");
        let owner = self.role_ref(&doc.owner, &format!("{path}.owner"), context.roles);
        let within = self.optional_timer(
            &doc.within,
            &format!("{path}.within"),
            Shortest::AboveZero,
            context,
        );
        let every = self.optional_timer(
            &doc.every,
            &format!("{path}.every"),
            Shortest::Recurrence,
            context,
        );
        let from = match &doc.from {
            Some(from) => {
                if doc.within.is_none() {
                    self.error(
                        Code::InvalidValue,
                        from.at,
                        format!("{path}.from"),
                        "`from` starts a deadline clock, so it needs `within`",
                    );
                }
                Some(self.signal_ref(
                    from,
                    &format!("{path}.from"),
                    context.signals,
                    &[SignalKind::Event, SignalKind::Manual],
                    "a deadline's `from`",
                )?)
            }
            None => None,
        };
        let text = self.text(&doc.say, &format!("{path}.say"), context.locale);
        let say = self.template(
            &doc.say,
            &format!("{path}.say"),
            context,
            &Allowed {
                deadline: doc.within.is_some(),
            },
        );
        let regulatory = doc.regulatory.as_ref().is_some_and(|r| r.value.0);
        if let (
            true,
            Some(written),
            Some(Timer {
                calendar: Some(_), ..
            }),
        ) = (regulatory, &doc.within, within)
        {
            self.error(
                Code::InvalidCalendar,
                written.at,
                format!("{path}.within"),
                format!(
                    "`{}` is regulatory: its deadline runs in calendar time whatever the office hours, so remove the calendar's name from `{}`",
                    doc.id.value,
                    written.value.trim()
                ),
            );
            return None;
        }
        let out_of_hours = self.out_of_hours(&doc.out_of_hours, path, context);
        if !id_ok
            || (doc.within.is_some() && within.is_none())
            || (doc.every.is_some() && every.is_none())
        {
            return None;
        }
        Some(Action {
            id: doc.id.value.clone(),
            owner: owner?,
            within,
            from,
            every,
            closes_on_exit: doc.closes_on_exit.as_ref().is_some_and(|c| c.value.0),
            regulatory,
            out_of_hours: out_of_hours.ok()?,
            text,
            say,
        })
    }

    /// Compiles the live values of a `say:` text, reporting each problem where it is.
    fn template(
        &mut self,
        doc: &Located<TextDoc>,
        path: &str,
        context: &mut StateContext<'_, '_>,
        allowed: &Allowed,
    ) -> Template {
        let texts: Vec<(String, &Located<String>, String)> = match &doc.value {
            TextDoc::Plain(text) => {
                let located = Located {
                    value: text.clone(),
                    at: doc.at,
                };
                return self.compile_texts(
                    vec![(context.locale.to_string(), &located, path.to_string())],
                    context,
                    allowed,
                );
            }
            TextDoc::PerLocale(texts) => texts
                .iter()
                .map(|(locale, text)| (locale.clone(), text, format!("{path}.{locale}")))
                .collect(),
        };
        self.compile_texts(texts, context, allowed)
    }

    fn compile_texts(
        &mut self,
        texts: Vec<(String, &Located<String>, String)>,
        context: &mut StateContext<'_, '_>,
        allowed: &Allowed,
    ) -> Template {
        let mut compiled = Vec::new();
        for (locale, text, path) in texts {
            match template::compile(&text.value, context.names, allowed, context.kept) {
                Ok(pieces) => compiled.push((locale, pieces)),
                Err(errors) => {
                    for error in errors {
                        let at = self.source.inside(text.at, &text.value, error.offset);
                        self.error(Code::InvalidTemplate, at, &path, error.message);
                    }
                }
            }
        }
        Template::new(compiled)
    }

    fn ladder(
        &mut self,
        doc: &LadderDoc,
        at: Position,
        path: &str,
        context: &mut StateContext<'_, '_>,
    ) -> Option<Ladder> {
        let mut unless = Vec::new();
        let mut unless_ok = true;
        if let Some(names) = &doc.unless {
            let many = names.value.0.len() > 1;
            for (index, signal) in names.value.0.iter().enumerate() {
                let unless_path = if many {
                    format!("{path}.unless[{index}]")
                } else {
                    format!("{path}.unless")
                };
                let at = if signal.at.is_known() {
                    signal.at
                } else {
                    names.at
                };
                let found = context.signals.iter().position(|s| s.name == signal.value);
                match found.map(|i| (i, context.signals[i].kind)) {
                    Some((i, SignalKind::Manual)) => {
                        unless.push(SignalId::new(i, self.signal_table));
                    }
                    Some((_, kind)) => {
                        self.error(
                            Code::InvalidEscalation,
                            at,
                            unless_path,
                            format!(
                                "a ladder stops on a person's acknowledgement, but `{}` is {} signal: declare a `manual` signal such as `ack`",
                                signal.value,
                                kind.with_article()
                            ),
                        );
                        unless_ok = false;
                    }
                    None => {
                        let located = Located {
                            value: signal.value.clone(),
                            at,
                        };
                        self.signal_ref(
                            &located,
                            &unless_path,
                            context.signals,
                            &[SignalKind::Manual],
                            "`unless`",
                        );
                        unless_ok = false;
                    }
                }
            }
        }
        if doc.steps.is_empty() {
            self.error(
                Code::InvalidEscalation,
                at,
                format!("{path}.steps"),
                "a ladder needs at least one step",
            );
            return None;
        }
        let mut steps = Vec::new();
        let mut previous: Option<Timer> = None;
        let mut ok = true;
        for (index, step) in doc.steps.iter().enumerate() {
            let step_path = format!("{path}.steps[{index}]");
            let step = &step.value;
            let after = self.timer(
                &step.after,
                &format!("{step_path}.after"),
                Shortest::Zero,
                context,
            );
            ok &= self.same_clock(
                after,
                previous,
                &step.after,
                &format!("{step_path}.after"),
                context,
            );
            if let (Some(after), Some(before)) = (after, previous)
                && !after.length.always_after(before.length, context.parameters)
            {
                let (after, before) = (
                    at_least(after.length, context.parameters),
                    at_most(before.length, context.parameters),
                );
                self.error(
                    Code::InvalidEscalation,
                    step.after.at,
                    format!("{step_path}.after"),
                    format!("steps must come later and later: {after} is not after the previous step's {before}"),
                );
                ok = false;
            }
            previous = after.or(previous);
            let target = match (&step.to, &step.level) {
                (Some(role), None) => self
                    .role_ref(role, &format!("{step_path}.to"), context.roles)
                    .map(EscalationTarget::Role),
                (None, Some(level)) => Some(EscalationTarget::Level(level.value.0)),
                (Some(role), Some(_)) => {
                    self.error(
                        Code::InvalidEscalation,
                        role.at,
                        &step_path,
                        "give `to` or `level`, not both",
                    );
                    None
                }
                (None, None) => {
                    self.error(
                        Code::InvalidEscalation,
                        step.after.at,
                        &step_path,
                        "a step needs `to` (a role) or `level`",
                    );
                    None
                }
            };
            let text = self.optional_text(&step.say, &format!("{step_path}.say"), context.locale);
            let say = match &step.say {
                Some(doc) => self.template(
                    doc,
                    &format!("{step_path}.say"),
                    context,
                    &Allowed { deadline: false },
                ),
                None => Template::default(),
            };
            let out_of_hours = self.out_of_hours(&step.out_of_hours, &step_path, context);
            match (after, target, out_of_hours) {
                (Some(after), Some(target), Ok(out_of_hours)) => steps.push(Step {
                    after,
                    target,
                    out_of_hours,
                    text,
                    say,
                }),
                _ => ok = false,
            }
        }
        let repeat = match &doc.repeat {
            Some(repeat) => {
                let repeat_path = format!("{path}.repeat");
                let every = self.timer(
                    &repeat.value.every,
                    &format!("{repeat_path}.every"),
                    Shortest::AboveZero,
                    context,
                );
                ok &= self.same_clock(
                    every,
                    previous,
                    &repeat.value.every,
                    &format!("{repeat_path}.every"),
                    context,
                );
                if let (Some(every), Some(last)) = (every, previous)
                    && !every.length.always_after(last.length, context.parameters)
                {
                    let (every, last) = (
                        at_least(every.length, context.parameters),
                        at_most(last.length, context.parameters),
                    );
                    self.error(
                        Code::InvalidEscalation,
                        repeat.value.every.at,
                        format!("{repeat_path}.every"),
                        format!("a cycle of {every} would cut off the last step at {last}: make `every` longer"),
                    );
                    ok = false;
                }
                let times = repeat.value.times.value.0;
                if times == 0 || times > MAX_REPEATS {
                    self.error(
                        Code::InvalidEscalation,
                        repeat.value.times.at,
                        format!("{repeat_path}.times"),
                        format!("`times` must be from 1 to {MAX_REPEATS}"),
                    );
                    ok = false;
                }
                every.map(|every| Repeat { every, times })
            }
            None => None,
        };
        if !ok || !unless_ok || (doc.repeat.is_some() && repeat.is_none()) {
            return None;
        }
        Some(Ladder {
            unless,
            steps,
            repeat,
        })
    }

    fn transition(
        &mut self,
        doc: &Located<TransitionDoc>,
        path: &str,
        context: &mut StateContext<'_, '_>,
    ) -> Option<Transition> {
        let t = &doc.value;
        let target = self.target_ref(&t.to, &format!("{path}.to"), context);
        let hold = self.optional_timer(
            &t.hold,
            &format!("{path}.for"),
            Shortest::AboveZero,
            context,
        );
        let after = self.optional_timer(
            &t.after,
            &format!("{path}.after"),
            Shortest::AboveZero,
            context,
        );
        let cooldown = t.cooldown.as_ref().and_then(|written| {
            let cooldown_path = format!("{path}.cooldown");
            let timer = self.timer(written, &cooldown_path, Shortest::AboveZero, context);
            self.calendar_time(timer, written, &cooldown_path, "a cool-down")
        });
        if t.when.is_none() && t.after.is_none() {
            self.error(
                Code::InvalidTransition,
                doc.at,
                path,
                "a transition needs `when` (a condition), `after` (a timer), or both",
            );
            return None;
        }
        if let (Some(hold), None) = (&t.hold, &t.when) {
            self.error(
                Code::InvalidTransition,
                hold.at,
                format!("{path}.for"),
                "`for` says how long a condition must hold, so it needs `when`",
            );
            return None;
        }
        let condition = match &t.when {
            Some(when) => Some(self.condition(when, &format!("{path}.when"), context)?),
            None => None,
        };
        if (t.hold.is_some() && hold.is_none())
            || (t.after.is_some() && after.is_none())
            || (t.cooldown.is_some() && cooldown.is_none())
        {
            return None;
        }
        Some(Transition {
            target: target?,
            condition,
            hold,
            after,
            group: None,
            written_at: 0,
            cooldown,
        })
    }

    fn condition(
        &mut self,
        when: &Located<String>,
        path: &str,
        context: &mut StateContext<'_, '_>,
    ) -> Option<crate::model::Condition> {
        self.compile_condition(when, path, context.names, context.predicates)
    }

    /// Compiles a condition (or an event test), reporting its errors at their place in the
    /// file.
    fn compile_condition(
        &mut self,
        when: &Located<String>,
        path: &str,
        names: &Names<'_>,
        predicates: &mut Vec<crate::model::EventPredicate>,
    ) -> Option<crate::model::Condition> {
        if when.value.len() > self.limits.max_name_bytes {
            self.error(
                Code::Limit,
                when.at,
                path,
                format!(
                    "condition is {} bytes long, over the limit of {} (Limits::max_name_bytes)",
                    when.value.len(),
                    self.limits.max_name_bytes
                ),
            );
            return None;
        }
        match condition::compile(&when.value, names, predicates) {
            Ok(condition) => Some(condition),
            Err(errors) => {
                for error in errors {
                    let at = self.source.inside(when.at, &when.value, error.offset);
                    let code = if error.is_syntax {
                        Code::ConditionSyntax
                    } else {
                        Code::ConditionType
                    };
                    self.error(code, at, path, error.message);
                }
                None
            }
        }
    }

    /// Every text must exist in the default locale; a locale that some texts have and others
    /// lack is a missing translation, which falls back at run time but deserves a warning.
    fn translations(&mut self, default_locale: &str, check_default: bool) {
        // A key that is not a locale code is already an error where it is written; asking every
        // other text for it would bury that error under a warning per text.
        let mut all: BTreeSet<String> = self
            .texts
            .iter()
            .flat_map(|(l, _, _)| l.iter().filter(|l| is_locale(l)).cloned())
            .collect();
        all.remove(default_locale);
        for (locales, at, path) in std::mem::take(&mut self.texts) {
            if check_default && !locales.contains(default_locale) {
                self.error(
                    Code::MissingTranslation,
                    at,
                    &path,
                    format!(
                        "text has no `{default_locale}` version, the playbook's default locale"
                    ),
                );
            }
            let missing: Vec<&str> = all
                .iter()
                .filter(|l| !locales.contains(*l))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                self.warn(
                    Code::MissingTranslation,
                    at,
                    &path,
                    format!(
                        "no {} translation; readers in that locale will see the `{default_locale}` text",
                        list(&missing)
                    ),
                );
            }
        }
    }
}

struct StateContext<'c, 'm> {
    locale: &'c str,
    names: &'c Names<'m>,
    parameters: &'c [Parameter],
    signals: &'c [Signal],
    roles: &'c BTreeMap<&'c str, RoleId>,
    /// The states `to:` can name: the top-level ones, or those of the track being compiled.
    state_ids: &'c BTreeMap<&'c str, StateId>,
    /// The top-level states.
    top_level: &'c BTreeMap<&'c str, StateId>,
    /// The track being compiled, and the state that holds it.
    track: Option<(&'c str, &'c str)>,
    predicates: &'c mut Vec<crate::model::EventPredicate>,
    /// The event attributes that texts name.
    kept: &'c mut Vec<(SignalId, usize)>,
    /// The id of the playbook being compiled, which a hand-over cannot name.
    own_id: &'c str,
}
