//! What a run needs precomputed from its playbook, built once at load time so that advancing
//! a run walks indices only: which metrics each signal feeds, which predicates test its events,
//! when a state's conditions can change on their own, and each transition's guard as a flat
//! list of tests and jumps.
//!
//! The plan is data about the playbook, so it lives in the model; `run` only reads it.
#![expect(
    clippy::indexing_slicing,
    reason = "ids and positions come from the compiled playbook, or from a snapshot that `Run::restore` checked against it"
)]

use super::condition::{Bool, Number};
use super::playbook::{CalendarId, Metric, MetricKind, Model, SignalId, Transition};
use crate::Duration;

/// A time at which a condition of a state can change with no signal arriving.
#[derive(Clone, Debug)]
pub(crate) enum Expiry {
    /// `signal within d` turns false at last seen + d.
    SignalWithin(SignalId, Duration),
    /// An attribute test `within d` turns false at last match + d.
    PredicateWithin(usize, Duration),
    /// A comparison of a `since` metric with a threshold flips at last seen + threshold.
    Since(SignalId, Number),
    /// `during` or `outside` a calendar flips when it opens or closes.
    Calendar(CalendarId),
}

#[derive(Debug)]
pub(crate) struct Plan {
    /// For each signal, the metrics it feeds.
    pub routes: Vec<Vec<(usize, Feed)>>,
    /// For each signal, the predicates that test its events.
    pub predicates_of: Vec<Vec<usize>>,
    /// For each event signal, what its events feed besides counts: attribute metrics and the
    /// count signals that count them.
    pub event_routes: Vec<Vec<EventRoute>>,
    /// For each state, the instants its conditions can change by themselves.
    pub expiries: Vec<Vec<Expiry>>,
    /// For each state, the guard of each of its transitions.
    pub guards: Vec<Vec<Guard>>,
    /// For each state, the clock of each of its transitions that has a cool-down: its place
    /// in the run's list of transition clocks.
    pub transition_clocks: Vec<Vec<Option<usize>>>,
    /// How many transitions have a cool-down.
    pub transition_clock_count: usize,
    pub max_transitions: usize,
    pub max_actions: usize,
    pub total_actions: usize,
}

impl Plan {
    pub fn new(model: &Model) -> Plan {
        let signals = (0..model.signals.len()).map(|i| SignalId::new(i, model.signal_table));
        let routes = signals.clone().map(|s| routes(&model.metrics, s)).collect();
        let event_routes = signals.clone().map(|s| event_routes(model, s)).collect();
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
        let guards = per_transition(model, |t| {
            Guard::new(t.condition.as_ref().map(|c| c.root()))
        });
        let mut transition_clock_count = 0usize;
        let transition_clocks = per_transition(model, |t| {
            t.cooldown.map(|_| {
                transition_clock_count = transition_clock_count.saturating_add(1);
                transition_clock_count.saturating_sub(1)
            })
        });
        Plan {
            routes,
            predicates_of,
            event_routes,
            expiries,
            guards,
            transition_clocks,
            transition_clock_count,
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

/// `each` of every transition, state by state, in order.
fn per_transition<T>(model: &Model, mut each: impl FnMut(&Transition) -> T) -> Vec<Vec<T>> {
    model
        .states
        .iter()
        .map(|state| state.transitions.iter().map(&mut each).collect())
        .collect()
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
        Bool::Open(calendar) => found.push(Expiry::Calendar(*calendar)),
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

/// What an event feeds besides the counts of its own signal, in the order a run applies
/// them: after its predicates are tested.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EventRoute {
    /// The hash of an attribute's value, to a `distinct` or `top_share` metric.
    Value { metric: usize, attribute: usize },
    /// The fingerprint of a text attribute, to a `near_duplicates` metric.
    Text { metric: usize, attribute: usize },
    /// To a share of events that pass a test: the whole when the event carries every tested
    /// attribute, the part when it also passes.
    Test {
        metric: usize,
        predicate: usize,
        tested: Vec<usize>,
    },
    /// One more of a count signal that counts these events (every one, or those that pass
    /// the predicate).
    Count {
        signal: usize,
        predicate: Option<usize>,
    },
}

fn event_routes(model: &Model, signal: SignalId) -> Vec<EventRoute> {
    let mut found = Vec::new();
    for (metric, m) in model.metrics.iter().enumerate() {
        match &m.kind {
            MetricKind::Distinct {
                signal: s,
                attribute,
            }
            | MetricKind::TopShare {
                signal: s,
                attribute,
            } if *s == signal => found.push(EventRoute::Value {
                metric,
                attribute: *attribute,
            }),
            MetricKind::NearDuplicates {
                signal: s,
                attribute,
            } if *s == signal => found.push(EventRoute::Text {
                metric,
                attribute: *attribute,
            }),
            MetricKind::ShareWhere { test } if test.signal == signal => {
                if let Some(predicate) = test.predicate {
                    let mut tested: Vec<usize> = model.predicates[predicate]
                        .tests
                        .iter()
                        .map(|t| t.attribute)
                        .collect();
                    tested.sort_unstable();
                    tested.dedup();
                    found.push(EventRoute::Test {
                        metric,
                        predicate,
                        tested,
                    });
                }
            }
            _ => {}
        }
    }
    for (index, counter) in model.signals.iter().enumerate() {
        if let Some(test) = counter.counts.as_ref().filter(|t| t.signal == signal) {
            found.push(EventRoute::Count {
                signal: index,
                predicate: test.predicate,
            });
        }
    }
    found
}

/// Which input of a metric a signal feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Feed {
    Main,
    Part,
    Whole,
}

/// For one signal, the metrics it feeds.
pub(crate) fn routes(metrics: &[Metric], signal: SignalId) -> Vec<(usize, Feed)> {
    let mut found = Vec::new();
    for (index, metric) in metrics.iter().enumerate() {
        match &metric.kind {
            MetricKind::Share { part, whole } => {
                if *part == signal {
                    found.push((index, Feed::Part));
                }
                if *whole == signal {
                    found.push((index, Feed::Whole));
                }
            }
            MetricKind::Since(_) => {}
            kind if source(kind) == Some(signal) => found.push((index, Feed::Main)),
            _ => {}
        }
    }
    found
}

fn source(kind: &MetricKind) -> Option<SignalId> {
    match kind {
        MetricKind::Count(s)
        | MetricKind::Sum(s)
        | MetricKind::Mean(s)
        | MetricKind::Min(s)
        | MetricKind::Max(s)
        | MetricKind::Since(s) => Some(*s),
        MetricKind::Rate { signal, .. }
        | MetricKind::Spike { signal, .. }
        | MetricKind::Anomaly { signal, .. }
        | MetricKind::Drop { signal, .. }
        | MetricKind::ZScore { signal, .. } => Some(*signal),
        MetricKind::Share { .. }
        | MetricKind::Distinct { .. }
        | MetricKind::TopShare { .. }
        | MetricKind::NearDuplicates { .. }
        | MetricKind::ShareWhere { .. } => None,
    }
}

/// A compiled transition condition.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Guard {
    pub steps: Vec<GuardStep>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum GuardStep {
    /// The value becomes the outcome of a leaf of the condition: a comparison, an event test or
    /// a constant.
    Test(Bool),
    /// Skips to step `to` when the value is `when`: an `or` stops at its first true part, an
    /// `and` at its first false one.
    JumpIf {
        when: bool,
        to: usize,
    },
    Not,
}

impl Guard {
    /// The guard of a transition; one without a condition always passes.
    pub fn new(condition: Option<&Bool>) -> Guard {
        let mut steps = Vec::new();
        if let Some(condition) = condition {
            compile(condition, &mut steps);
        }
        thread_jumps(&mut steps);
        Guard { steps }
    }
}

/// Appends the steps that leave the value of `node` as the current value.
fn compile(node: &Bool, steps: &mut Vec<GuardStep>) {
    match node {
        Bool::Not(inner) => {
            compile(inner, steps);
            steps.push(GuardStep::Not);
        }
        Bool::All(parts) | Bool::Any(parts) => {
            // An `or` is decided by a true part, an `and` by a false one.
            let when = matches!(node, Bool::Any(_));
            if parts.is_empty() {
                steps.push(GuardStep::Test(Bool::Const(!when)));
                return;
            }
            let mut jumps = Vec::with_capacity(parts.len());
            for (index, part) in parts.iter().enumerate() {
                compile(part, steps);
                if index.saturating_add(1) < parts.len() {
                    jumps.push(steps.len());
                    steps.push(GuardStep::JumpIf { when, to: 0 });
                }
            }
            let end = steps.len();
            for jump in jumps {
                if let Some(step) = steps.get_mut(jump) {
                    *step = GuardStep::JumpIf { when, to: end };
                }
            }
        }
        leaf => steps.push(GuardStep::Test(leaf.clone())),
    }
}

/// Makes each jump go straight to where the chain of jumps it lands on would take it: a true
/// part of an `or` nested in an `or` leaves both at once, and one landing on an `and`'s
/// "stop if false" goes past it.
fn thread_jumps(steps: &mut [GuardStep]) {
    // Targets lie after their jumps, so going backwards settles each target before the jumps
    // that land on it.
    for index in (0..steps.len()).rev() {
        let Some(GuardStep::JumpIf { when, to }) = steps.get(index).cloned() else {
            continue;
        };
        let to = match steps.get(to) {
            Some(GuardStep::JumpIf {
                when: next_when,
                to: next_to,
            }) if *next_when == when => *next_to,
            Some(GuardStep::JumpIf { .. }) => to.saturating_add(1),
            _ => to,
        };
        if let Some(step) = steps.get_mut(index) {
            *step = GuardStep::JumpIf { when, to };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Playbook;

    fn guard(condition: &str) -> Guard {
        let text = format!(
            "playbook: g\nversion: 1\ntitle: G\nsignals: {{ a: {{ kind: gauge }}, b: {{ kind: gauge }}, c: {{ kind: gauge }} }}\n\
             roles: [cm]\ninitial: s\nstates:\n  s: {{ on: [{{ to: z, when: \"{condition}\" }}] }}\n  z: {{ final: true }}\n"
        );
        let playbook = Playbook::from_yaml_str(&text).unwrap();
        playbook.plan().guards[0][0].clone()
    }

    fn jumps(guard: &Guard) -> Vec<(bool, usize)> {
        guard
            .steps
            .iter()
            .filter_map(|step| match step {
                GuardStep::JumpIf { when, to } => Some((*when, *to)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_or_nested_in_an_or_leaves_both_at_its_first_true_part() {
        // The parser flattens `(x or y) or z`; a model built another way may not.
        let nested = Bool::Any(vec![
            Bool::Any(vec![Bool::Const(false), Bool::Const(true)]),
            Bool::Const(false),
        ]);
        assert_eq!(
            jumps(&Guard::new(Some(&nested))),
            vec![(true, 5), (true, 5)]
        );
    }

    #[test]
    fn a_false_part_of_an_and_skips_to_the_next_alternative() {
        // (a > 1 and b > 1) or c > 1: a false `a > 1` lands on the `or`'s check, which a false
        // value passes, so it goes straight to `c > 1`.
        let guard = guard("(a > 1 and b > 1) or c > 1");
        assert_eq!(jumps(&guard), vec![(false, 4), (true, 5)]);
    }

    #[test]
    fn a_true_part_of_an_or_skips_the_and_that_follows_it() {
        // (a > 1 or b > 1) and c > 1: a true `a > 1` lands on the `and`'s check, which a true
        // value passes, so it goes straight to `c > 1`.
        let guard = guard("(a > 1 or b > 1) and c > 1");
        assert_eq!(jumps(&guard), vec![(true, 4), (false, 5)]);
    }
}
