//! What a run needs precomputed from its playbook, built once at load time so that advancing
//! a run walks indices only.
#![expect(
    clippy::indexing_slicing,
    reason = "ids and positions come from the compiled playbook, or from a snapshot that `Run::restore` checked against it"
)]

use super::guard::Guard;
use crate::Duration;
use crate::condition::{Bool, Number};
use crate::metrics::{self, Input};
use crate::playbook::{MetricKind, Model, SignalId};

/// A time at which a condition of a state can change with no signal arriving.
#[derive(Clone, Debug)]
pub(crate) enum Expiry {
    /// `signal within d` turns false at last seen + d.
    SignalWithin(SignalId, Duration),
    /// An attribute test `within d` turns false at last match + d.
    PredicateWithin(usize, Duration),
    /// A comparison of a `since` metric with a threshold flips at last seen + threshold.
    Since(SignalId, Number),
}

#[derive(Debug)]
pub(crate) struct Plan {
    /// For each signal, the metrics it feeds.
    pub routes: Vec<Vec<(usize, Input)>>,
    /// For each signal, the predicates that test its events.
    pub predicates_of: Vec<Vec<usize>>,
    /// For each state, the instants its conditions can change by themselves.
    pub expiries: Vec<Vec<Expiry>>,
    /// For each state, the guard of each of its transitions.
    pub guards: Vec<Vec<Guard>>,
    pub max_transitions: usize,
    pub max_actions: usize,
    pub total_actions: usize,
}

impl Plan {
    pub fn new(model: &Model) -> Plan {
        let signals = (0..model.signals.len()).map(|i| SignalId::new(i, model.signal_table));
        let routes = signals
            .clone()
            .map(|s| metrics::routes(&model.metrics, s))
            .collect();
        let predicates_of = signals
            .map(|s| {
                (0..model.predicates.len())
                    .filter(|p| model.predicates[*p].signal == s)
                    .collect()
            })
            .collect();
        let expiries = model
            .states
            .iter()
            .map(|state| {
                let mut found = Vec::new();
                for transition in &state.transitions {
                    if let Some(condition) = &transition.condition {
                        collect_expiries(condition.root(), model, &mut found);
                    }
                }
                found
            })
            .collect();
        let guards = model
            .states
            .iter()
            .map(|state| {
                state
                    .transitions
                    .iter()
                    .map(|t| Guard::new(t.condition.as_ref().map(|c| c.root())))
                    .collect()
            })
            .collect();
        Plan {
            routes,
            predicates_of,
            expiries,
            guards,
            max_transitions: model
                .states
                .iter()
                .map(|s| s.transitions.len())
                .max()
                .unwrap_or(0),
            max_actions: model
                .states
                .iter()
                .map(|s| s.actions.len())
                .max()
                .unwrap_or(0),
            total_actions: model.states.iter().map(|s| s.actions.len()).sum(),
        }
    }
}

fn collect_expiries(condition: &Bool, model: &Model, found: &mut Vec<Expiry>) {
    match condition {
        Bool::Not(inner) => collect_expiries(inner, model, found),
        Bool::All(parts) | Bool::Any(parts) => {
            for part in parts {
                collect_expiries(part, model, found);
            }
        }
        Bool::Occurred {
            signal,
            within: Some(d),
        } => found.push(Expiry::SignalWithin(*signal, *d)),
        Bool::Matched {
            predicate,
            within: Some(d),
        } => found.push(Expiry::PredicateWithin(*predicate, *d)),
        Bool::Compare { left, right, .. } => {
            for (side, other) in [(left, right), (right, left)] {
                if let Number::Metric(id) = side
                    && let MetricKind::Since(signal) = model.metrics[id.index()].kind
                {
                    found.push(Expiry::Since(signal, other.clone()));
                }
            }
        }
        _ => {}
    }
}
