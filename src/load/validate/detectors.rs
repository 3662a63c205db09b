//! Settings that defeat the detectors (`docs/detection.md`): each loads, since an author may
//! mean it, and each is a warning, since it makes ordinary days alert.
//! - a spike baseline under a week misses part of the weekly cycle;
//! - a spike quantile under the median takes a quieter day than most as typical;
//! - a spike compared with 1 or less fires at a typical day's busiest hour, every day;
//! - an anomaly compared so that 0 passes, on a step up in severity, fires whenever the value
//!   is in its usual range.

use std::collections::BTreeSet;

use crate::Duration;
use crate::diagnostic::Code;
use crate::load::format::PlaybookDoc;
use crate::model::{ArithKind, Bool, CompareOp, MetricKind, Model, Number};

use super::{Checker, StatePlace, written};

/// The shortest spike baseline that holds every day of the week.
const WEEK: Duration = Duration::from_secs(7 * 86_400);

pub(super) fn check(
    checker: &mut Checker<'_>,
    doc: &PlaybookDoc,
    places: &[StatePlace<'_>],
    model: &Model,
) {
    for ((name, metric_doc), metric) in doc.metrics.0.iter().zip(&model.metrics) {
        let MetricKind::Spike {
            baseline, quantile, ..
        } = metric.kind
        else {
            continue;
        };
        let path = format!("metrics.{}", name.value);
        if let Some(given) = metric_doc.baseline.as_ref().filter(|_| baseline < WEEK) {
            checker.warn(
                Code::WeakDetector,
                given.at,
                format!("{path}.baseline"),
                format!(
                    "a spike baseline of `{baseline}` misses part of the week: a busy Monday after a quiet weekend reads as a spike; keep the default `14d`, or give at least `7d`"
                ),
            );
        }
        if let Some(given) = metric_doc.quantile.as_ref().filter(|_| quantile < 0.5) {
            checker.warn(
                Code::WeakDetector,
                given.at,
                format!("{path}.quantile"),
                format!(
                    "a quantile of {quantile} takes a quieter day than most as typical: every busier day reads as a spike; keep the default 0.75, or give at least 0.5"
                ),
            );
        }
    }
    // A shared transition is checked in the first state that has it: it is written once.
    let mut shared_seen = BTreeSet::new();
    for (index, state) in model.states.iter().enumerate() {
        for transition in &state.transitions {
            let first_with_it = transition
                .group
                .is_none_or(|group| shared_seen.insert((group, transition.written_at)));
            let Some(condition) = transition.condition.as_ref().filter(|_| first_with_it) else {
                continue;
            };
            let (on, path) = written(doc, places, index, transition);
            // An anomaly inside its range is what a calm test asks: only a step up alerts.
            let rises = model.states[transition.target.index()].severity > state.severity;
            let (Some(message), Some(when)) =
                (weak_test(condition.root(), model, rises), &on.value.when)
            else {
                continue;
            };
            checker.warn(Code::WeakDetector, when.at, format!("{path}.when"), message);
        }
    }
}

/// The first test in `node` that holds on an ordinary day, as a warning: a spike above a
/// threshold that can be 1 or less, or, on a transition that `rises` in severity, an anomaly
/// compared so that 0, its value inside the usual range, passes. Thresholds are taken at the
/// ends of their parameters' bounds.
fn weak_test(node: &Bool, model: &Model, rises: bool) -> Option<String> {
    match node {
        // Under `not`, a low threshold is a calm test: `not (spike >= 1)` is fine.
        Bool::Not(_) | Bool::InState(_) | Bool::Open(_) => None,
        Bool::All(parts) | Bool::Any(parts) => {
            parts.iter().find_map(|part| weak_test(part, model, rises))
        }
        Bool::Compare { op, left, right } => {
            // `detector > t` and `t < detector` alike: `above` when the test is a rise.
            let (detector, threshold, above, strict) = match (op, left, right) {
                (CompareOp::Greater, Number::Metric(id), t) => (id, t, true, true),
                (CompareOp::GreaterEqual, Number::Metric(id), t) => (id, t, true, false),
                (CompareOp::Less, Number::Metric(id), t) => (id, t, false, true),
                (CompareOp::LessEqual, Number::Metric(id), t) => (id, t, false, false),
                (CompareOp::Less, t, Number::Metric(id)) => (id, t, true, true),
                (CompareOp::LessEqual, t, Number::Metric(id)) => (id, t, true, false),
                (CompareOp::Greater, t, Number::Metric(id)) => (id, t, false, true),
                (CompareOp::GreaterEqual, t, Number::Metric(id)) => (id, t, false, false),
                _ => return None,
            };
            let metric = &model.metrics[detector.index()];
            let (low, high) = bounds(threshold, model)?;
            let name = &metric.name;
            let given = |value: f64| {
                if low == high {
                    format!("{value}")
                } else {
                    format!("a threshold that can be {value}")
                }
            };
            match metric.kind {
                MetricKind::Spike { .. } if above && low <= 1.0 => Some(format!(
                    "`{name}` is a spike, and a typical day's busiest hour reaches 1: compared with {}, it fires every day; compare it with more than 1, such as 1.5{}",
                    given(low),
                    if low == high {
                        ""
                    } else {
                        " (give the parameter a `min` above 1)"
                    }
                )),
                MetricKind::Anomaly { .. } if rises => {
                    let passes_at_zero = match (above, strict) {
                        (true, true) => low < 0.0,
                        (true, false) => low <= 0.0,
                        (false, true) => high > 0.0,
                        (false, false) => high >= 0.0,
                    };
                    passes_at_zero.then(|| {
                        let level = if above { low } else { high };
                        let sign = match (above, strict) {
                            (true, true) => ">",
                            (true, false) => ">=",
                            (false, true) => "<",
                            (false, false) => "<=",
                        };
                        let bound = if low == high { "" } else { " (the threshold at its bound)" };
                        format!(
                            "`{name}` is an anomaly, 0 while the value is in its usual range, so `{name} {sign} {level}`{bound} holds on ordinary days; compare it with a level outside the range, such as `{name} > 1` for a rise or `{name} < -1` for a fall"
                        )
                    })
                }
                _ => None,
            }
        }
        Bool::Const(_) | Bool::Occurred { .. } | Bool::Matched { .. } => None,
    }
}

/// The lowest and highest values a threshold can take: a parameter anywhere within its bounds
/// (its default where it has none). `None` when it reads a metric or a signal.
fn bounds(number: &Number, model: &Model) -> Option<(f64, f64)> {
    match number {
        Number::Const(value) => Some((*value, *value)),
        Number::Parameter(id) => {
            let parameter = &model.parameters[id.index()];
            Some((
                parameter.min.unwrap_or(parameter.default),
                parameter.max.unwrap_or(parameter.default),
            ))
        }
        Number::Negate(inner) => bounds(inner, model).map(|(low, high)| (-high, -low)),
        Number::Arith(kind, left, right) => {
            let (a, b) = (bounds(left, model)?, bounds(right, model)?);
            if *kind == ArithKind::Div && b.0 <= 0.0 && b.1 >= 0.0 {
                return None;
            }
            let apply = |x: f64, y: f64| match kind {
                ArithKind::Add => x + y,
                ArithKind::Sub => x - y,
                ArithKind::Mul => x * y,
                ArithKind::Div => x / y,
            };
            let corners = [
                apply(a.0, b.0),
                apply(a.0, b.1),
                apply(a.1, b.0),
                apply(a.1, b.1),
            ];
            Some(
                corners
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), c| {
                        (low.min(*c), high.max(*c))
                    }),
            )
        }
        Number::Metric(_) | Number::Latest(_) => None,
    }
}
