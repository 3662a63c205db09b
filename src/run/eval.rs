//! Evaluating compiled conditions against a run's live values, and describing them.
#![expect(
    clippy::indexing_slicing,
    reason = "ids and positions come from the compiled playbook, or from a snapshot that `Run::restore` checked against it"
)]

use crate::model::Playbook;
use crate::model::{ArithKind, Bool, CompareOp, Number};
use crate::run::Term;
use crate::{Duration, Timestamp};

use super::{Run, Seen};

const MILLISECOND: Duration = Duration::from_millis(1);

impl Run {
    /// Whether `seen` happened since entering the current state, or within `window` of now.
    fn fresh(&self, seen: Seen, window: Option<Duration>) -> bool {
        match (window, seen.at) {
            (None, Some(_)) => seen.seq > self.live.entered_seq,
            (Some(window), Some(at)) => at >= self.live.now.minus(window),
            (_, None) => false,
        }
    }

    pub(super) fn number(&self, node: &Number) -> Option<f64> {
        match node {
            Number::Const(value) => Some(*value),
            Number::Metric(id) => self.metric_value_at(id.index()),
            Number::Parameter(id) => self.live.parameters.get(id.index()).copied(),
            Number::Latest(id) => self.live.latest.get(id.index()).copied().flatten(),
            Number::Negate(inner) => self.number(inner).map(|v| -v),
            Number::Arith(kind, left, right) => {
                let (left, right) = (self.number(left)?, self.number(right)?);
                let value = match kind {
                    ArithKind::Add => left + right,
                    ArithKind::Sub => left - right,
                    ArithKind::Mul => left * right,
                    ArithKind::Div => left / right,
                };
                value.is_finite().then_some(value)
            }
        }
    }

    /// Whether `node` holds now, by walking the tree: for explanations, for the event tests and
    /// constants of compiled guards, and to check whole guards in debug builds.
    pub(super) fn holds(&self, node: &Bool) -> bool {
        match node {
            Bool::Const(value) => *value,
            Bool::Not(inner) => !self.holds(inner),
            Bool::All(parts) => parts.iter().all(|p| self.holds(p)),
            Bool::Any(parts) => parts.iter().any(|p| self.holds(p)),
            Bool::Compare { op, left, right } => {
                compare(*op, self.number(left), self.number(right))
            }
            Bool::Occurred { signal, within } => self
                .live
                .seen
                .get(signal.index())
                .is_some_and(|seen| self.fresh(*seen, *within)),
            Bool::Matched { predicate, within } => self
                .live
                .matched
                .get(*predicate)
                .is_some_and(|seen| self.fresh(*seen, *within)),
        }
    }

    /// The tests that make `node` hold now: every part of an `and`, the holding parts of an
    /// `or`. A transition's cause lists these, not the alternatives that did not matter.
    pub(super) fn reasons(&self, node: &Bool, out: &mut Vec<Term>) {
        match node {
            Bool::All(parts) => parts.iter().for_each(|p| self.reasons(p, out)),
            Bool::Any(parts) => parts
                .iter()
                .filter(|p| self.holds(p))
                .for_each(|p| self.reasons(p, out)),
            other => self.terms(other, out),
        }
    }

    /// Every comparison and event test of `node`, evaluated now.
    pub(super) fn terms(&self, node: &Bool, out: &mut Vec<Term>) {
        let playbook = &self.playbook;
        match node {
            Bool::Const(_) => {}
            Bool::Not(inner) => self.terms(inner, out),
            Bool::All(parts) | Bool::Any(parts) => {
                for part in parts {
                    self.terms(part, out);
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
                holds: self.holds(node),
            }),
            Bool::Occurred { signal, within } => out.push(Term {
                test: with_window(&playbook.signal(*signal).name, *within),
                value: None,
                threshold: None,
                holds: self.holds(node),
            }),
            Bool::Matched { predicate, within } => {
                let test = describe_predicate(playbook.model(), *predicate);
                out.push(Term {
                    test: with_window(&test, *within),
                    value: None,
                    threshold: None,
                    holds: self.holds(node),
                });
            }
        }
    }

    /// The earliest instant after now at which a condition of the current state can change
    /// with no signal: a `within` window closing, a `since` metric crossing its threshold.
    pub(super) fn next_expiry(&self) -> Option<Timestamp> {
        let plan = self.playbook.plan();
        let mut earliest: Option<Timestamp> = None;
        let mut consider = |at: Timestamp| {
            if at > self.live.now && earliest.is_none_or(|e| at < e) {
                earliest = Some(at);
            }
        };
        for expiry in &plan.expiries[self.live.state.index()] {
            match expiry {
                // `within d` includes its last instant: it turns false 1 ms after it.
                crate::model::Expiry::SignalWithin(signal, window) => {
                    if let Some(at) = self.live.seen[signal.index()].at {
                        consider(at.plus(*window).plus(MILLISECOND));
                    }
                }
                crate::model::Expiry::PredicateWithin(predicate, window) => {
                    if let Some(at) = self.live.matched[*predicate].at {
                        consider(at.plus(*window).plus(MILLISECOND));
                    }
                }
                crate::model::Expiry::Since(signal, threshold) => {
                    if let (Some(at), Some(seconds)) =
                        (self.live.seen[signal.index()].at, self.number(threshold))
                        && seconds.is_finite()
                        && seconds >= 0.0
                    {
                        // On the millisecond clock, `>=`, `<` and `==` flip when the
                        // threshold is reached, `>`, `<=` and `!=` one millisecond later:
                        // waking at both serves every operator.
                        let reached =
                            at.plus(Duration::from_millis((seconds * 1000.0).ceil() as u64));
                        consider(reached);
                        consider(reached.plus(MILLISECOND));
                    }
                }
            }
        }
        earliest
    }
}

/// A comparison; false when either side is undefined.
pub(super) fn compare(op: CompareOp, left: Option<f64>, right: Option<f64>) -> bool {
    match (left, right) {
        (Some(left), Some(right)) => op.holds(left, right),
        _ => false,
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
fn describe_predicate(model: &crate::model::Model, index: usize) -> String {
    use crate::model::AttributeValue;
    let predicate = &model.predicates[index];
    let signal = &model.signals[predicate.signal.index()];
    let test = |t: &crate::model::AttributeTest, bare_booleans: bool| {
        let name = &signal.attributes[t.attribute].name;
        let value = match &t.value {
            AttributeValue::Bool(true) if bare_booleans => return name.clone(),
            AttributeValue::Bool(false) if bare_booleans => return format!("not {name}"),
            AttributeValue::Number(n) => n.to_string(),
            AttributeValue::Parameter(id) => model.parameters[id.index()].name.clone(),
            AttributeValue::Text(t) => format!("\"{t}\""),
            AttributeValue::Bool(b) => b.to_string(),
        };
        format!("{name} {} {value}", t.op.symbol())
    };
    match predicate.tests.as_slice() {
        [one] => format!("{}.{}", signal.name, test(one, false)),
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
