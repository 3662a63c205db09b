//! Declarations that nothing uses: a metric no condition reads, a signal that feeds nothing, a
//! role that owns no action and receives no escalation. Each is a warning, since it is most
//! often a condition that names the wrong thing, or a leftover of an edit.

use crate::diagnostic::Code;
use crate::load::format::PlaybookDoc;
use crate::model::routes;
use crate::model::{Bool, Number};
use crate::model::{EscalationTarget, MetricKind, Model, SignalId, Template, TemplateValue};

use super::Checker;

pub(super) fn check(checker: &mut Checker<'_>, doc: &PlaybookDoc, model: &Model) {
    let mut metrics = vec![false; model.metrics.len()];
    let mut signals = vec![false; model.signals.len()];
    let mut roles = vec![false; model.roles.len()];
    for (index, _) in model.signals.iter().enumerate() {
        let id = SignalId::new(index, model.signal_table);
        let since = model
            .metrics
            .iter()
            .any(|m| matches!(m.kind, MetricKind::Since(s) if s == id));
        if since || !routes(&model.metrics, id).is_empty() {
            mark(&mut signals, id.index());
        }
    }
    for predicate in &model.predicates {
        mark(&mut signals, predicate.signal.index());
    }
    // Events feed the metrics over their attributes, and the count signals that count them.
    for metric in &model.metrics {
        if let MetricKind::Distinct { signal, .. }
        | MetricKind::TopShare { signal, .. }
        | MetricKind::NearDuplicates { signal, .. } = metric.kind
        {
            mark(&mut signals, signal.index());
        }
    }
    for counter in model.signals.iter().filter_map(|s| s.counts.as_ref()) {
        mark(&mut signals, counter.signal.index());
    }
    for state in &model.states {
        for transition in &state.transitions {
            if let Some(condition) = &transition.condition {
                in_condition(condition.root(), &mut metrics, &mut signals);
            }
        }
        for action in &state.actions {
            in_text(&action.say, &mut metrics);
            mark(&mut roles, action.owner.index());
            if let Some(route) = action.out_of_hours {
                mark(&mut roles, route.role.index());
            }
            if let Some(from) = action.from {
                mark(&mut signals, from.index());
            }
        }
        if let Some(ladder) = &state.escalation {
            for unless in &ladder.unless {
                mark(&mut signals, unless.index());
            }
            for step in &ladder.steps {
                in_text(&step.say, &mut metrics);
                if let EscalationTarget::Role(role) = step.target {
                    mark(&mut roles, role.index());
                }
                if let Some(route) = step.out_of_hours {
                    mark(&mut roles, route.role.index());
                }
            }
        }
    }
    let declared = [
        (
            "metrics",
            doc.metrics
                .0
                .iter()
                .map(|(name, _)| name)
                .collect::<Vec<_>>(),
            metrics,
            "is never used: use it in a condition, or remove it",
        ),
        (
            "signals",
            doc.signals.0.iter().map(|(name, _)| name).collect(),
            signals,
            "feeds no metric, condition, deadline or ladder: use it, or remove it",
        ),
    ];
    for (section, names, used, why) in declared {
        let what = section.trim_end_matches('s');
        for (name, used) in names.into_iter().zip(used) {
            if !used {
                checker.warn(
                    Code::Unused,
                    name.at,
                    format!("{section}.{}", name.value),
                    format!("{what} `{}` {why}", name.value),
                );
            }
        }
    }
    for (role, used) in model.roles.iter().zip(&roles) {
        let Some(at) = doc.roles.iter().find(|r| r.value == *role) else {
            continue;
        };
        if !used {
            checker.warn(
                Code::Unused,
                at.at,
                "roles",
                format!(
                    "role `{role}` owns no action and receives no escalation: give it one, or remove it"
                ),
            );
        }
    }
}

fn mark(used: &mut [bool], index: usize) {
    if let Some(slot) = used.get_mut(index) {
        *slot = true;
    }
}

fn in_condition(node: &Bool, metrics: &mut [bool], signals: &mut [bool]) {
    match node {
        Bool::Const(_) | Bool::InState(_) | Bool::Open(_) => {}
        Bool::Not(inner) => in_condition(inner, metrics, signals),
        Bool::All(parts) | Bool::Any(parts) => {
            for part in parts {
                in_condition(part, metrics, signals);
            }
        }
        Bool::Compare { left, right, .. } => {
            in_number(left, metrics, signals);
            in_number(right, metrics, signals);
        }
        Bool::Occurred { signal, .. } => mark(signals, signal.index()),
        // The predicate's signal is marked with the predicates.
        Bool::Matched { .. } => {}
    }
}

fn in_number(node: &Number, metrics: &mut [bool], signals: &mut [bool]) {
    match node {
        Number::Metric(id) => mark(metrics, id.index()),
        Number::Latest(id) => mark(signals, id.index()),
        Number::Negate(inner) => in_number(inner, metrics, signals),
        Number::Arith(_, left, right) => {
            in_number(left, metrics, signals);
            in_number(right, metrics, signals);
        }
        Number::Const(_) | Number::Parameter(_) => {}
    }
}

/// Marks the metrics a text shows: a metric read only in a status update is used.
fn in_text(text: &Template, metrics: &mut [bool]) {
    for value in text.values() {
        if let TemplateValue::Metric(id) = value {
            mark(metrics, id.index());
        }
    }
}
