//! "Why are we in crisis, and what would move us?": the current state's outgoing conditions
//! with their live values, each condition described as its author would write it.

use serde::Serialize;

use super::{Run, Term};
use crate::model::{
    ArithKind, AttributeLiteral, AttributeTest, Bool, CompareOp, Model, Number, Playbook,
};
use crate::{Duration, Timestamp};

/// The current state and, for each outgoing transition, whether it holds now.
///
/// ```
/// use crisis_playbook::{Playbook, Run};
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let run = Run::start(&playbook, "2026-03-02T08:00:00Z".parse()?);
/// let why = run.explain();
/// assert_eq!(why.state, "monitoring");
/// let to_crisis = &why.transitions[0];
/// assert_eq!(to_crisis.to, "crisis");
/// assert!(!to_crisis.holds);
/// // The baseline is not observed yet, so the volume ratio is undefined.
/// assert_eq!(to_crisis.terms[0].value, None);
/// println!("{why}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The current state.
    pub state: String,
    /// Its severity.
    pub severity: i64,
    /// When it was entered.
    pub since: Timestamp,
    /// The run's clock.
    pub now: Timestamp,
    /// Its outgoing transitions, in evaluation order.
    pub transitions: Vec<TransitionExplanation>,
    /// When the state has tracks, where each one is, in the order written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<TrackExplanation>,
}

/// Where one track is, and what would move it.
///
/// ```
/// # use crisis_playbook::{Observation, Playbook, Run, Timestamp};
/// let playbook = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
/// let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// let mut run = Run::start(&playbook, start);
/// run.observe(Observation::manual(playbook.signal_named("breach_aware").unwrap(), start, "dpo"))?;
/// let legal = &run.explain().tracks[0];
/// assert_eq!((legal.track.as_str(), legal.state.as_str()), ("legal", "legal.notifying"));
/// assert!(legal.transitions.iter().any(|t| t.to == "legal.high_risk"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TrackExplanation {
    /// The track.
    pub track: String,
    /// Its current state, named `track.state`.
    pub state: String,
    /// That state's severity.
    pub severity: i64,
    /// When the track entered it.
    pub since: Timestamp,
    /// Whether the state is one of the track's final states: the track has finished.
    pub finished: bool,
    /// The state's outgoing transitions, in evaluation order.
    pub transitions: Vec<TransitionExplanation>,
}

/// One outgoing transition, evaluated now.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// let run = Run::start(&playbook, start);
/// let explanation = run.explain();
/// let to_watch = explanation.transitions.iter().find(|t| t.to == "watch").unwrap();
/// assert!(!to_watch.holds && to_watch.hold.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TransitionExplanation {
    /// The target state.
    pub to: String,
    /// The group the transition is written in, when it is shared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The guard as written.
    pub condition: Option<String>,
    /// Whether the guard holds now.
    pub holds: bool,
    /// How long the guard must hold (`for`).
    pub hold: Option<Duration>,
    /// Since when it has held, if a `for` window is running.
    pub holding_since: Option<Timestamp>,
    /// How long until the `for` window completes, if it is running.
    pub remaining: Option<Duration>,
    /// How long until the `after` timer allows it, if it is still running.
    pub timer_remaining: Option<Duration>,
    /// When a cool-down that holds the transition back ends: its own, or its target's
    /// (`reentry: refused`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooldown_until: Option<Timestamp>,
    /// Each comparison and event test, with its values.
    pub terms: Vec<Term>,
}

impl Run {
    /// Lists the current state's outgoing conditions with live values, whether each holds
    /// now, and how long until a pending `for` completes.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = Run::start(&playbook, start);
    /// let explanation = run.explain();
    /// assert_eq!(explanation.state, "monitoring");
    /// assert!(explanation.to_string().contains("-> watch"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self) -> Explanation {
        let state = self.playbook.state(self.live.top.state);
        let tracks = (1..self.live.place_count())
            .map(|p| {
                let place = self.live.place(p);
                let state = self.playbook.state(place.state);
                TrackExplanation {
                    track: state
                        .track
                        .map(|t| self.playbook.track(t).name.clone())
                        .unwrap_or_default(),
                    state: state.name.clone(),
                    severity: state.severity,
                    since: place.entered_at,
                    finished: state.is_final,
                    transitions: self.explain_transitions(p),
                }
            })
            .collect();
        Explanation {
            state: state.name.clone(),
            severity: state.severity,
            since: self.live.top.entered_at,
            now: self.live.now,
            transitions: self.explain_transitions(super::TOP),
            tracks,
        }
    }

    /// The transitions of the state at place `p`, evaluated now.
    fn explain_transitions(&self, p: usize) -> Vec<TransitionExplanation> {
        let place = self.live.place(p);
        let state = self.playbook.state(place.state);
        state
            .transitions
            .iter()
            .enumerate()
            .map(|(index, transition)| {
                let mut terms = Vec::new();
                let holds = match &transition.condition {
                    Some(condition) => {
                        self.terms(condition.root(), p, &mut terms);
                        self.holds(condition.root(), p)
                    }
                    None => true,
                };
                let holding_since = transition.hold.and(place.pending[index]);
                let remaining = match (transition.hold, holding_since) {
                    (Some(hold), Some(since)) => {
                        self.timer_end(since, hold).map(|end| end - self.live.now)
                    }
                    _ => None,
                };
                let timer_remaining = transition
                    .after
                    .and_then(|after| self.timer_end(place.entered_at, after))
                    .map(|end| end - self.live.now)
                    .filter(|d| !d.is_zero());
                TransitionExplanation {
                    to: self.playbook.state(transition.target).name.clone(),
                    group: transition
                        .group
                        .map(|g| self.playbook.group(g).name.clone()),
                    condition: transition
                        .condition
                        .as_ref()
                        .map(|c| c.source().to_string()),
                    holds,
                    hold: transition
                        .hold
                        .map(|t| t.length.resolve(&self.live.parameters)),
                    holding_since,
                    remaining,
                    timer_remaining,
                    cooldown_until: self.held_back_until(p, index),
                    terms,
                }
            })
            .collect()
    }
}

fn value(value: Option<f64>) -> String {
    match value {
        Some(v) => format!("{}", (v * 1000.0).round() / 1000.0),
        None => "undefined".to_string(),
    }
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "in `{}` (severity {}) since {}, now {}",
            self.state, self.severity, self.since, self.now
        )?;
        write_transitions(f, &self.transitions, "")?;
        for track in &self.tracks {
            write!(
                f,
                "  track `{}`: in `{}` (severity {}) since {}",
                track.track, track.state, track.severity, track.since
            )?;
            if track.finished {
                write!(f, ", finished")?;
            }
            writeln!(f)?;
            write_transitions(f, &track.transitions, "  ")?;
        }
        Ok(())
    }
}

/// Each transition with its terms, indented by `indent` more than a top-level one.
fn write_transitions(
    f: &mut std::fmt::Formatter<'_>,
    transitions: &[TransitionExplanation],
    indent: &str,
) -> std::fmt::Result {
    for t in transitions {
        let guard = t.condition.as_deref().unwrap_or("(timer)");
        let shared = t
            .group
            .as_ref()
            .map(|g| format!(" (group `{g}`)"))
            .unwrap_or_default();
        write!(
            f,
            "{indent}  -> {}{shared}: {guard} is {}",
            t.to,
            if t.holds { "true" } else { "false" }
        )?;
        if let Some(remaining) = t.remaining {
            write!(f, ", {remaining} to go in its `for`")?;
        }
        if let Some(remaining) = t.timer_remaining {
            write!(f, ", {remaining} to go before `after`")?;
        }
        if let Some(until) = t.cooldown_until {
            write!(f, ", held back by a cool-down until {until}")?;
        }
        writeln!(f)?;
        for term in &t.terms {
            write!(f, "{indent}       {}: ", term.test)?;
            match term.threshold {
                Some(threshold) => {
                    write!(f, "{} vs {}", value(term.value), value(Some(threshold)))?
                }
                None if term.value.is_some() => write!(f, "{}", value(term.value))?,
                None => {}
            }
            writeln!(
                f,
                " -> {}",
                if term.holds { "holds" } else { "does not hold" }
            )?;
        }
    }
    Ok(())
}

impl Run {
    /// The tests that make `node` hold now: every part of an `and`, the holding parts of an
    /// `or`. A transition's cause lists these, not the alternatives that did not matter.
    pub(super) fn reasons(&self, node: &Bool, p: usize, out: &mut Vec<Term>) {
        match node {
            Bool::All(parts) => parts.iter().for_each(|part| self.reasons(part, p, out)),
            Bool::Any(parts) => parts
                .iter()
                .filter(|part| self.holds(part, p))
                .for_each(|part| self.reasons(part, p, out)),
            other => self.terms(other, p, out),
        }
    }

    /// Every comparison and event test of `node`, evaluated now.
    pub(super) fn terms(&self, node: &Bool, p: usize, out: &mut Vec<Term>) {
        let playbook = &self.playbook;
        match node {
            Bool::Const(_) => {}
            // `outside office` reads as written, and holds while the office is closed. Other
            // negations show the test inside with its own truth, beside the `not (…)` of the
            // condition.
            Bool::Not(inner) => match **inner {
                Bool::Open(calendar) => out.push(Term {
                    test: format!("outside {}", playbook.calendar_name(calendar)),
                    value: None,
                    threshold: None,
                    holds: self.holds(node, p),
                }),
                _ => self.terms(inner, p, out),
            },
            Bool::All(parts) | Bool::Any(parts) => {
                for part in parts {
                    self.terms(part, p, out);
                }
            }
            Bool::Compare { op, left, right } => out.push(Term {
                test: format!(
                    "{} {} {}",
                    describe(playbook, left),
                    op.symbol(),
                    describe(playbook, right)
                ),
                value: self.number(left),
                threshold: self.number(right),
                holds: self.holds(node, p),
            }),
            Bool::Occurred { signal, within } => out.push(Term {
                test: with_window(&playbook.signal(*signal).name, *within),
                value: None,
                threshold: None,
                holds: self.holds(node, p),
            }),
            Bool::InState(state) => out.push(Term {
                test: format!("in {}", playbook.state(*state).name),
                value: None,
                threshold: None,
                holds: self.holds(node, p),
            }),
            Bool::Open(calendar) => out.push(Term {
                test: format!("during {}", playbook.calendar_name(*calendar)),
                value: None,
                threshold: None,
                holds: self.holds(node, p),
            }),
            Bool::Matched { predicate, within } => {
                let test = describe_predicate(playbook.model(), *predicate);
                out.push(Term {
                    test: with_window(&test, *within),
                    value: None,
                    threshold: None,
                    holds: self.holds(node, p),
                });
            }
        }
    }
}

fn with_window(test: &str, window: Option<Duration>) -> String {
    match window {
        Some(window) => format!("{test} within {window}"),
        None => test.to_string(),
    }
}

/// A numeric node as the author would write it.
pub(crate) fn describe(playbook: &Playbook, node: &Number) -> String {
    match node {
        Number::Const(value) => value.to_string(),
        Number::Metric(id) => playbook.metric(*id).name.clone(),
        Number::Parameter(id) => playbook.parameter(*id).name.clone(),
        Number::Latest(id) => playbook.signal(*id).name.clone(),
        Number::Negate(inner) => format!("-{}", describe(playbook, inner)),
        Number::Arith(kind, left, right) => {
            let symbol = match kind {
                ArithKind::Add => "+",
                ArithKind::Sub => "-",
                ArithKind::Mul => "*",
                ArithKind::Div => "/",
            };
            format!(
                "({} {symbol} {})",
                describe(playbook, left),
                describe(playbook, right)
            )
        }
    }
}

/// An event test as a condition writes it: `journalist.tier == "national"` for one test,
/// `journalist where tier == "national" and verified` for several.
fn describe_predicate(model: &Model, index: usize) -> String {
    let predicate = &model.predicates[index];
    let signal = &model.signals[predicate.signal.index()];
    let test = |t: &AttributeTest, bare_booleans: bool| {
        let name = &signal.attributes[t.attribute].name;
        let not = if t.op == CompareOp::NotEqual {
            "not "
        } else {
            ""
        };
        let value = match &t.value {
            AttributeLiteral::Bool(true) if bare_booleans => return name.clone(),
            AttributeLiteral::Bool(false) if bare_booleans => return format!("not {name}"),
            AttributeLiteral::Number(n) => n.to_string(),
            AttributeLiteral::Parameter(id) => model.parameters[id.index()].name.clone(),
            AttributeLiteral::Text(t) => format!("\"{t}\""),
            AttributeLiteral::Bool(b) => b.to_string(),
            AttributeLiteral::Phrases(phrases) => {
                let word = if phrases.whole_words() {
                    "matches_word"
                } else {
                    "contains"
                };
                let list: Vec<String> = phrases
                    .written()
                    .iter()
                    .map(|phrase| format!("\"{phrase}\""))
                    .collect();
                return format!("{not}{name} {word} any [{}]", list.join(", "));
            }
            AttributeLiteral::NewerThan(age) => return format!("{not}{name} within {age}"),
        };
        format!("{name} {} {value}", t.op.symbol())
    };
    // A negated text or age test reads only in a `where` clause.
    let negated = |t: &AttributeTest| {
        t.op == CompareOp::NotEqual
            && matches!(
                t.value,
                AttributeLiteral::Phrases(_) | AttributeLiteral::NewerThan(_)
            )
    };
    match predicate.tests.as_slice() {
        [one] if !negated(one) => format!("{}.{}", signal.name, test(one, false)),
        several => format!(
            "{} where {}",
            signal.name,
            several
                .iter()
                .map(|t| test(t, true))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}
