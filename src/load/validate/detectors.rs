//! Settings that defeat the detectors (`docs/detection.md`): each loads, since an author may
//! mean it, and each is a warning, since it makes ordinary days alert.
//! - a spike baseline under a week misses part of the weekly cycle;
//! - a spike quantile under the median takes a quieter day than most as typical;
//! - a spike compared with 1 or less fires at a typical day's busiest hour, every day.

use crate::Duration;
use crate::diagnostic::Code;
use crate::load::format::PlaybookDoc;
use crate::model::{Bool, CompareOp, MetricKind, Model, Number};

use super::Checker;

/// The shortest spike baseline that holds every day of the week.
const WEEK: Duration = Duration::from_secs(7 * 86_400);

pub(super) fn check(checker: &mut Checker<'_>, doc: &PlaybookDoc, model: &Model) {
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
    for (state, state_doc) in model.states.iter().zip(&doc.states.0) {
        for (index, transition) in state.transitions.iter().enumerate() {
            let (Some(condition), Some(on)) = (&transition.condition, state_doc.1.on.get(index))
            else {
                continue;
            };
            let mut low = None;
            lowest_spike_threshold(condition.root(), model, &mut low);
            if let (Some((metric, threshold)), Some(when)) = (low, &on.value.when) {
                checker.warn(
                    Code::WeakDetector,
                    when.at,
                    format!("states.{}.on[{index}].when", state.name),
                    format!(
                        "`{metric}` is a spike, and a typical day's busiest hour reaches 1: compared with {threshold}, it fires every day; compare it with more than 1, such as 1.5"
                    ),
                );
            }
        }
    }
}

/// Finds a test that a spike rises above a threshold of 1 or less (a number, or a parameter
/// whose default is): the first such metric and threshold.
fn lowest_spike_threshold<'m>(node: &Bool, model: &'m Model, found: &mut Option<(&'m str, f64)>) {
    match node {
        // Under `not`, a low threshold is a calm test: `not (spike >= 1)` is fine.
        Bool::Not(_) => {}
        Bool::All(parts) | Bool::Any(parts) => {
            for part in parts {
                lowest_spike_threshold(part, model, found);
            }
        }
        Bool::Compare { op, left, right } => {
            // `spike > t` and `t < spike` alike.
            let (spike, threshold) = match op {
                CompareOp::Greater | CompareOp::GreaterEqual => (left, right),
                CompareOp::Less | CompareOp::LessEqual => (right, left),
                _ => return,
            };
            let Number::Metric(id) = spike else {
                return;
            };
            let metric = &model.metrics[id.index()];
            let value = match threshold {
                Number::Const(value) => *value,
                Number::Parameter(id) => model.parameters[id.index()].default,
                _ => return,
            };
            if matches!(metric.kind, MetricKind::Spike { .. }) && value <= 1.0 && found.is_none() {
                *found = Some((&metric.name, value));
            }
        }
        Bool::Const(_) | Bool::Occurred { .. } | Bool::Matched { .. } => {}
    }
}
