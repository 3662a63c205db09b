//! Checks on the shape of the state graph: reachability, ways out, dead transitions and loops
//! that time cannot break.
#![expect(
    clippy::arithmetic_side_effects,
    reason = "an index one past another index of the same list"
)]
#![expect(
    clippy::indexing_slicing,
    reason = "node and state ids come from the model being validated, whose states the graph is built from"
)]

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeFiltered, EdgeRef, Reversed, Walker};

use super::{Checker, StatePlace, written};
use crate::Duration;
use crate::diagnostic::Code;
use crate::load::format::PlaybookDoc;
use crate::model::{Bool, CompareOp, Number};
use crate::model::{Model, Parameter, StateId, Timer, Transition};

pub(super) fn check(
    checker: &mut Checker<'_>,
    doc: &PlaybookDoc,
    places: &[StatePlace<'_>],
    model: &Model,
) {
    // Each edge is a transition, or (marked `true`) the entry into a track.
    let mut graph: DiGraph<(), bool> = DiGraph::with_capacity(model.states.len(), 0);
    let nodes: Vec<NodeIndex> = model.states.iter().map(|_| graph.add_node(())).collect();
    for (from, state) in model.states.iter().enumerate() {
        for transition in &state.transitions {
            graph.add_edge(nodes[from], nodes[transition.target.index()], false);
        }
    }
    // Entering a state with tracks enters each track's initial state: for reachability only,
    // so these edges lead to no final state (a track's final state ends the track, not the
    // run).
    for track in &model.tracks {
        graph.add_edge(
            nodes[track.parent.index()],
            nodes[track.initial.index()],
            true,
        );
    }
    let state_at = |i: usize| places[i].written.at;
    let state_path = |i: usize| &places[i].path;
    let state_name = |i: usize| &model.states[i].name;

    let reachable: Vec<bool> = {
        let mut seen = vec![false; model.states.len()];
        for node in Dfs::new(&graph, nodes[model.initial.index()]).iter(&graph) {
            seen[node.index()] = true;
        }
        seen
    };
    for (i, seen) in reachable.iter().enumerate() {
        if !seen {
            checker.warn(
                Code::UnreachableState,
                state_at(i),
                format!("states.{}", state_name(i)),
                format!(
                    "state `{}` cannot be reached from the initial state `{}`",
                    state_name(i),
                    state_name(model.initial.index())
                ),
            );
        }
    }

    // A track's final state ends its track; only a top-level one ends the run, and a track
    // needs none: it ends when the run leaves the state that holds it.
    let top_level = |i: &usize| model.states[*i].track.is_none();
    let finals: Vec<usize> = (0..model.states.len())
        .filter(|i| top_level(i) && model.states[*i].is_final)
        .collect();
    if finals.is_empty() {
        checker.warn(
            Code::NoPathToFinal,
            doc.initial.at,
            "states",
            "no state is `final: true`, so runs never end: add a closing state",
        );
    } else {
        let mut leads_to_final = vec![false; model.states.len()];
        let entry = |e: petgraph::graph::EdgeReference<'_, bool>| !*e.weight();
        let transitions = EdgeFiltered::from_fn(&graph, entry);
        let reversed = Reversed(&transitions);
        for start in &finals {
            for node in Dfs::new(reversed, nodes[*start]).iter(reversed) {
                leads_to_final[node.index()] = true;
            }
        }
        for i in (0..model.states.len()).filter(top_level) {
            if reachable[i] && !leads_to_final[i] {
                checker.warn(
                    Code::NoPathToFinal,
                    state_at(i),
                    state_path(i),
                    format!(
                        "no path leads from `{}` to a final state: a run here never ends",
                        state_name(i)
                    ),
                );
            }
        }
    }

    for (i, state) in model.states.iter().enumerate() {
        for (later, transition) in state.transitions.iter().enumerate() {
            let Some(earlier) =
                (0..later).find(|e| shadows(&state.transitions[*e], transition, &model.parameters))
            else {
                continue;
            };
            let (written_later, path) = written(doc, places, i, transition);
            let (written_earlier, _) = written(doc, places, i, &state.transitions[earlier]);
            // A shared transition is written once for several states: say which one.
            let place = if transition.group.is_some() {
                format!("in state `{}`, ", state.name)
            } else {
                String::new()
            };
            checker.warn(
                Code::ShadowedTransition,
                written_later.at,
                path,
                format!(
                    "{place}this transition never fires: the earlier transition to `{}` (line {}) always fires first",
                    state_name(state.transitions[earlier].target.index()),
                    written_earlier.at.line
                ),
            );
        }
    }

    instant_cycles(checker, doc, places, model);
}

/// A transition that can fire the moment its state is entered.
fn is_instant(transition: &Transition) -> bool {
    transition.hold.is_none() && transition.after.is_none()
}

/// Whether `earlier` fires whenever `later` could, so `later` never gets its turn. A timer
/// that names a parameter counts at its longest for `earlier` and its shortest for `later`, so
/// the warning holds for every value a run may set.
fn shadows(earlier: &Transition, later: &Transition, parameters: &[Parameter]) -> bool {
    // A length of working time ends no sooner than the same length of calendar time, so a
    // calendar-time timer compares with either; working time in two calendars does not
    // compare.
    let sooner = |a: Option<Timer>, b: Option<Timer>| {
        let comparable = match (a, b) {
            (Some(a), Some(b)) => a.calendar.is_none() || a.calendar == b.calendar,
            (Some(a), None) => a.calendar.is_none(),
            (None, _) => true,
        };
        let longest = a.map_or(Some(Duration::ZERO), |t| t.range(parameters).1);
        let shortest = b.map_or(Duration::ZERO, |t| t.range(parameters).0);
        comparable && longest.is_some_and(|longest| longest <= shortest)
    };
    let unconditional = earlier
        .condition
        .as_ref()
        .is_none_or(|c| c.is_always_true());
    if unconditional && earlier.hold.is_none() {
        return sooner(earlier.after, later.after);
    }
    match (&earlier.condition, &later.condition) {
        (Some(a), Some(b)) => {
            a.root() == b.root()
                && sooner(earlier.hold, later.hold)
                && sooner(earlier.after, later.after)
        }
        _ => false,
    }
}

/// Cycles of instant transitions could bounce between states forever at one instant.
fn instant_cycles(
    checker: &mut Checker<'_>,
    doc: &PlaybookDoc,
    places: &[StatePlace<'_>],
    model: &Model,
) {
    for (members, (from, index)) in instant_loops(model) {
        let (at, path) = written(doc, places, from, &model.states[from].transitions[index]);
        let names: Vec<&str> = members
            .iter()
            .rev()
            .map(|m| model.states[*m].name.as_str())
            .collect();
        let mut cycle = names.join(" -> ");
        cycle.push_str(" -> ");
        cycle.push_str(names[0]);
        checker.error(
            Code::InstantCycle,
            at.at,
            path,
            format!(
                "{cycle} can loop forever with no time passing: add `for` to one transition, or make the conditions exclusive (hysteresis)"
            ),
        );
    }
}

/// Each tangle of transitions that can loop at one instant: its states, and its first
/// transition (state, index). A cycle is harmless when one of its guards needs an event seen
/// since entering its state (entering resets that), or when two of its guards contradict each
/// other for every parameter value. Lint refuses a playbook with one; mutation testing skips a
/// mutant with one.
pub(crate) fn instant_loops(model: &Model) -> Vec<(Vec<usize>, (usize, usize))> {
    let condition_of = |from: usize, index: usize| -> Option<&Bool> {
        model.states[from].transitions[index]
            .condition
            .as_ref()
            .map(|c| c.root())
    };
    let mut graph: DiGraph<(), usize> = DiGraph::with_capacity(model.states.len(), 0);
    let nodes: Vec<NodeIndex> = model.states.iter().map(|_| graph.add_node(())).collect();
    for (from, state) in model.states.iter().enumerate() {
        for (index, transition) in state.transitions.iter().enumerate() {
            let live =
                is_instant(transition) && !condition_of(from, index).is_some_and(needs_fresh_event);
            if live {
                graph.add_edge(nodes[from], nodes[transition.target.index()], index);
            }
        }
    }
    let components = petgraph::algo::tarjan_scc(&graph);
    let mut component_of = vec![0; graph.node_count()];
    for (c, members) in components.iter().enumerate() {
        for node in members {
            component_of[node.index()] = c;
        }
    }
    let mut inside: Vec<Vec<(usize, usize)>> = vec![Vec::new(); components.len()];
    for edge in graph.edge_references() {
        let (from, to) = (edge.source().index(), edge.target().index());
        if component_of[from] == component_of[to] {
            inside[component_of[from]].push((from, *edge.weight()));
        }
    }
    let mut loops = Vec::new();
    for (component, edges) in components.iter().zip(inside) {
        let Some(first) = edges.first().copied() else {
            continue;
        };
        let constraints: Vec<_> = edges
            .iter()
            .map(|(from, index)| {
                condition_of(*from, *index)
                    .map(|c| requirements(c, model))
                    .unwrap_or_default()
            })
            .collect();
        // Past a few hundred guards the pairwise search costs more than it can save; such a
        // tangle of instant transitions deserves the author's attention anyway.
        let broken = constraints.len() <= MAX_EXCLUSIVITY_GUARDS
            && (0..constraints.len()).any(|a| {
                (a + 1..constraints.len()).any(|b| contradict(&constraints[a], &constraints[b]))
            });
        if !broken {
            loops.push((component.iter().map(|n| n.index()).collect(), first));
        }
    }
    loops
}

/// Most guards in one strongly connected tangle that the exclusivity search compares.
const MAX_EXCLUSIVITY_GUARDS: usize = 256;

/// True when every way of satisfying the condition needs an event or manual input observed
/// since entering the state.
fn needs_fresh_event(condition: &Bool) -> bool {
    match condition {
        Bool::Occurred { within: None, .. } | Bool::Matched { within: None, .. } => true,
        Bool::All(parts) => parts.iter().any(needs_fresh_event),
        Bool::Any(parts) => parts.iter().all(needs_fresh_event),
        _ => false,
    }
}

/// A quantity a condition constrains, and the loosest interval it must lie in.
type Requirements = BTreeMap<String, Interval>;

#[derive(Clone, Copy, Debug)]
struct Interval {
    low: f64,
    low_open: bool,
    high: f64,
    high_open: bool,
}

impl Interval {
    const ANY: Interval = Interval {
        low: f64::NEG_INFINITY,
        low_open: false,
        high: f64::INFINITY,
        high_open: false,
    };

    fn intersect(self, other: Interval) -> Interval {
        let (low, low_open) = if other.low > self.low || (other.low == self.low && other.low_open) {
            (other.low, other.low_open)
        } else {
            (self.low, self.low_open)
        };
        let (high, high_open) =
            if other.high < self.high || (other.high == self.high && other.high_open) {
                (other.high, other.high_open)
            } else {
                (self.high, self.high_open)
            };
        Interval {
            low,
            low_open,
            high,
            high_open,
        }
    }

    fn is_empty(self) -> bool {
        self.low > self.high || (self.low == self.high && (self.low_open || self.high_open))
    }
}

/// What a condition requires of single quantities: from its top-level `and`ed comparisons of
/// a metric or signal with a constant or a parameter (taken at its loosest bound).
fn requirements(condition: &Bool, model: &Model) -> Requirements {
    let mut found = Requirements::new();
    let mut add = |key: String, interval: Interval| {
        let entry = found.entry(key).or_insert(Interval::ANY);
        *entry = entry.intersect(interval);
    };
    let parts: Vec<&Bool> = match condition {
        Bool::All(parts) => parts.iter().collect(),
        other => vec![other],
    };
    for part in parts {
        // An event test with a window, or whether a calendar is open, has the same truth in
        // every state at one instant (unlike an event test without a window, which entering a
        // state resets): as a quantity, 1 or 0.
        // A state test is a quantity too: whether the run is in the state (1 or 0) and, when
        // it must be, which state its track (or the top level) is in. `in b.x` contradicts
        // `not in b.x` and `in b.y` alike.
        if let Some((state, holds)) = state_test(part) {
            let at = |value: f64| Interval {
                low: value,
                high: value,
                ..Interval::ANY
            };
            add(
                format!("in {}", state.index()),
                at(if holds { 1.0 } else { 0.0 }),
            );
            if holds {
                let track = model.states[state.index()].track.map(|t| t.index());
                add(
                    format!("place of track {track:?}"),
                    at(state.index() as f64),
                );
            }
            continue;
        }
        if let Some((key, holds)) = windowed_event_test(part) {
            let value = if holds { 1.0 } else { 0.0 };
            add(
                key,
                Interval {
                    low: value,
                    high: value,
                    ..Interval::ANY
                },
            );
            continue;
        }
        let (op, left, right, negated) = match part {
            Bool::Compare { op, left, right } => (*op, left, right, false),
            Bool::Not(inner) => match inner.as_ref() {
                Bool::Compare { op, left, right } => (*op, left, right, true),
                _ => continue,
            },
            _ => continue,
        };
        let key = match left {
            Number::Metric(id) => format!("metric {}", id.index()),
            Number::Latest(id) => format!("signal {}", id.index()),
            _ => continue,
        };
        let op = if negated { negate(op) } else { op };
        let bounds = match right {
            Number::Const(value) => (*value, *value),
            Number::Parameter(id) => {
                // The same parameter on both sides contradicts for every value it may take:
                // `x >= p` and `x < p` ask opposite things of `x - p`.
                if let Some(interval) = interval(op, (0.0, 0.0)) {
                    add(format!("{key} - parameter {}", id.index()), interval);
                }
                let p = &model.parameters[id.index()];
                (
                    p.min.unwrap_or(f64::NEG_INFINITY),
                    p.max.unwrap_or(f64::INFINITY),
                )
            }
            _ => continue,
        };
        if let Some(interval) = interval(op, bounds) {
            add(key, interval);
        }
    }
    found
}

/// The values `op` allows against a bound that lies between `bounds.0` and `bounds.1`, taken
/// at its loosest; `None` for `!=`, which allows nearly everything.
fn interval(op: CompareOp, bounds: (f64, f64)) -> Option<Interval> {
    Some(match op {
        CompareOp::Greater => Interval {
            low: bounds.0,
            low_open: true,
            ..Interval::ANY
        },
        CompareOp::GreaterEqual => Interval {
            low: bounds.0,
            ..Interval::ANY
        },
        CompareOp::Less => Interval {
            high: bounds.1,
            high_open: true,
            ..Interval::ANY
        },
        CompareOp::LessEqual => Interval {
            high: bounds.1,
            ..Interval::ANY
        },
        CompareOp::Equal => Interval {
            low: bounds.0,
            high: bounds.1,
            ..Interval::ANY
        },
        CompareOp::NotEqual => return None,
    })
}

/// `ev within d`, `during c`, or their negation: a test with one truth at an instant,
/// whatever the state; its key, and whether the part requires it to hold.
fn windowed_event_test(part: &Bool) -> Option<(String, bool)> {
    match part {
        Bool::Open(calendar) => Some((format!("calendar {} open", calendar.index()), true)),
        Bool::Occurred {
            signal,
            within: Some(window),
        } => Some((format!("signal {} within {window}", signal.index()), true)),
        Bool::Matched {
            predicate,
            within: Some(window),
        } => Some((format!("predicate {predicate} within {window}"), true)),
        Bool::Not(inner) => windowed_event_test(inner).map(|(key, holds)| (key, !holds)),
        _ => None,
    }
}

/// `in s` or its negation: the state, and whether the part requires the run to be in it.
fn state_test(part: &Bool) -> Option<(StateId, bool)> {
    match part {
        Bool::InState(state) => Some((*state, true)),
        Bool::Not(inner) => state_test(inner).map(|(state, holds)| (state, !holds)),
        _ => None,
    }
}

fn negate(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Less => CompareOp::GreaterEqual,
        CompareOp::LessEqual => CompareOp::Greater,
        CompareOp::Greater => CompareOp::LessEqual,
        CompareOp::GreaterEqual => CompareOp::Less,
        CompareOp::Equal => CompareOp::NotEqual,
        CompareOp::NotEqual => CompareOp::Equal,
    }
}

fn contradict(a: &Requirements, b: &Requirements) -> bool {
    a.iter()
        .any(|(key, x)| b.get(key).is_some_and(|y| x.intersect(*y).is_empty()))
}
