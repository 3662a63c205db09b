//! Transitions: evaluating the current state's guards, holding `for` windows and `after`
//! timers, taking a transition (its cause, the actions it closes) and entering the next state.
//!
//! A guard is the flat list of tests and jumps of the run plan (`model::Guard`): `or` and
//! `and` become jumps past the parts that cannot change the outcome, and a state's guards
//! share one [`Readings`], so a metric that several of them name is computed once. The tree
//! stays the source of truth for explanations, and in debug builds every evaluation is checked
//! against it.

use crate::Duration;
use crate::model::{ArithKind, Bool, CompareOp, Guard, GuardStep, Number};

use crate::model::StateId;

use super::{Cause, EventKind, LOG_TARGET, LadderPosition, Place, Recurrence, Run, Seen, TOP};

/// Metric values read while evaluating a state's guards, each computed at most once: a
/// metric named by several guards (the storm's `volume_ratio` is named by both transitions out
/// of `monitoring`) costs one computation. Metrics past the first [`Readings::SLOTS`] are
/// computed at each reading.
pub(super) struct Readings {
    /// `None` for a metric not read yet; `Some(None)` for one read and undefined.
    values: [Option<Option<f64>>; Readings::SLOTS],
}

impl Readings {
    const SLOTS: usize = 16;

    /// No value read yet. The values are valid for one instant: the clock and the metrics must
    /// not change while a `Readings` is in use.
    pub fn new() -> Readings {
        Readings {
            values: [None; Readings::SLOTS],
        }
    }
}

impl Run {
    /// Whether `guard` passes now, at place `p` (which says what "since entering the state"
    /// means).
    pub(super) fn passes(&self, guard: &Guard, p: usize, readings: &mut Readings) -> bool {
        let mut value = true;
        let mut next = 0;
        while let Some(step) = guard.steps.get(next) {
            next = next.saturating_add(1);
            match step {
                GuardStep::Test(test) => value = self.test(test, p, readings),
                GuardStep::JumpIf { when, to } => {
                    if value == *when {
                        next = *to;
                    }
                }
                GuardStep::Not => value = !value,
            }
        }
        value
    }

    fn test(&self, leaf: &Bool, p: usize, readings: &mut Readings) -> bool {
        match leaf {
            Bool::Compare { op, left, right } => compare(
                *op,
                self.operand(left, readings),
                self.operand(right, readings),
            ),
            // Event tests and constants read no metric.
            other => self.holds(other, p),
        }
    }

    fn operand(&self, node: &Number, readings: &mut Readings) -> Option<f64> {
        match node {
            Number::Metric(id) => match readings.values.get_mut(id.index()) {
                Some(slot) => *slot.get_or_insert_with(|| self.number(node)),
                None => self.number(node),
            },
            _ => self.number(node),
        }
    }
}

impl Run {
    /// Entry into the state at place `p`: its actions, recurrences, hand-overs and ladder,
    /// unless the run enters it `silent`ly, in its cool-down; then, for a state with tracks, each track's
    /// initial state, in the order written. A final state ends the run, or its track.
    pub(super) fn enter_state(&mut self, p: usize, silent: bool) {
        let playbook = self.playbook.clone();
        let id = self.live.place(p).state;
        let state = playbook.state(id);
        let count = if silent { 0 } else { state.actions.len() };
        // One allocation for the state's open actions, not one per doubling.
        self.live.open.reserve(count);
        for index in 0..count {
            let next = state.actions[index]
                .every
                .and_then(|every| self.next_occurrence(self.live.now, every));
            self.live.place_mut(p).recurrences[index] = Recurrence {
                next,
                occurrence: 1,
            };
            self.recommend(p, index, 1, 0);
        }
        if !silent {
            for hand_over in &state.hand_over {
                self.push(EventKind::HandOver {
                    state: state.name.clone(),
                    starts: hand_over.playbook.clone(),
                    starts_in: hand_over.state.clone(),
                    parameters: hand_over.parameters.iter().cloned().collect(),
                });
            }
        }
        self.live.place_mut(p).ladder = state
            .escalation
            .as_ref()
            .filter(|_| !silent)
            .map(|_| LadderPosition { cycle: 0, step: 0 });
        if !state.is_final {
            self.fire_ladder(p);
            self.start_tracks(id, silent);
            return;
        }
        self.live.place_mut(p).ladder = None;
        let name = state.name.clone();
        match state.track {
            None => {
                self.live.ended = true;
                tracing::info!(target: LOG_TARGET, subject = %self.live.subject, playbook = %playbook.id(), state = %name, "resolved");
                self.push(EventKind::Resolved { state: name });
            }
            Some(track) => self.push(EventKind::TrackEnded {
                track: playbook.track(track).name.clone(),
                state: name,
                finished: true,
            }),
        }
    }

    /// Starts each track of `state`, just entered at the top level, in its initial state. A
    /// silent entry (a cool-down) is silent in the tracks too: their actions are part of the
    /// state's.
    fn start_tracks(&mut self, state: StateId, silent: bool) {
        let playbook = self.playbook.clone();
        for track in &playbook.state(state).tracks {
            let track = playbook.track(*track);
            let place = Place::new(&playbook, track.initial, self.live.now, self.live.seq);
            self.live.tracks.push(place);
            self.push(EventKind::TrackStarted {
                track: track.name.clone(),
                state: playbook.state(track.initial).name.clone(),
            });
            let p = self.live.tracks.len();
            self.enter_state(p, silent);
        }
    }

    /// Ends every running track as the run leaves the state that holds them, the last one
    /// first: each closes its state's actions that close on exit.
    fn end_tracks(&mut self) {
        let playbook = self.playbook.clone();
        while let Some(place) = self.live.tracks.pop() {
            self.close_actions(place.state);
            self.start_cooldown(place.state);
            let state = playbook.state(place.state);
            if let (false, Some(track)) = (state.is_final, state.track) {
                self.push(EventKind::TrackEnded {
                    track: playbook.track(track).name.clone(),
                    state: state.name.clone(),
                    finished: false,
                });
            }
        }
    }

    /// Evaluates the transitions of every place the run is in, and follows those that fire,
    /// one at a time: the top level first, then each track in the order written, starting over
    /// after each. A transition out of the state with tracks ends them, so the top level goes
    /// first: a track's step at the same instant would be undone at once. A chain of
    /// transitions at one instant stops after visiting as many states as the playbook has, so
    /// a loop the validator could not rule out cannot hang the run.
    pub(super) fn evaluate(&mut self) {
        let limit = self.playbook.states().len().saturating_add(1);
        for _ in 0..limit {
            if self.live.ended {
                return;
            }
            let places = self.live.place_count();
            match (0..places).find_map(|p| self.firing_transition(p).map(|index| (p, index))) {
                Some((p, index)) => self.take_transition(p, index),
                None => return,
            }
        }
        tracing::warn!(target: LOG_TARGET, subject = %self.live.subject, playbook = %self.playbook.id(), "transition chain stopped by the loop guard");
    }

    /// The first transition of the state at place `p` that fires now, keeping its `for`
    /// windows up to date.
    fn firing_transition(&mut self, p: usize) -> Option<usize> {
        let (id, entered_at) = {
            let place = self.live.place(p);
            (place.state, place.entered_at)
        };
        let now = self.live.now;
        let state = self.playbook.state(id);
        let guards = &self.playbook.plan().guards[id.index()];
        let mut readings = Readings::new();
        for ((index, transition), guard) in state.transitions.iter().enumerate().zip(guards) {
            let holds = self.passes(guard, p, &mut readings);
            debug_assert_eq!(
                holds,
                transition
                    .condition
                    .as_ref()
                    .is_none_or(|c| self.holds(c.root(), p)),
                "the compiled guard of transition {index} disagrees with its condition"
            );
            let timer = transition.after.is_none_or(|after| {
                self.timer_end(entered_at, after)
                    .is_some_and(|end| now >= end)
            });
            let held = match transition.hold {
                None => true,
                Some(hold) => {
                    let pending = &mut self.live.place_mut(p).pending[index];
                    if holds {
                        let since = *pending.get_or_insert(now);
                        self.timer_end(since, hold).is_some_and(|end| now >= end)
                    } else {
                        *pending = None;
                        false
                    }
                }
            };
            // A transition held back by a cool-down lets the next one fire.
            if holds && timer && held {
                match self.held_back_until(p, index) {
                    None => return Some(index),
                    Some(until) => {
                        tracing::debug!(target: LOG_TARGET, subject = %self.live.subject, playbook = %self.playbook.id(), state = %state.name, transition = index, %until, "transition held back by a cool-down");
                    }
                }
            }
        }
        None
    }

    fn take_transition(&mut self, p: usize, index: usize) {
        let playbook = self.playbook.clone();
        let from_id = self.live.place(p).state;
        let from = playbook.state(from_id);
        let transition = &from.transitions[index];
        let mut terms = Vec::new();
        if let Some(condition) = &transition.condition {
            self.reasons(condition.root(), p, &mut terms);
        }
        let cause = Cause {
            condition: transition
                .condition
                .as_ref()
                .map(|c| c.source().to_string()),
            hold: transition
                .hold
                .map(|t| t.length.resolve(&self.live.parameters)),
            after: transition
                .after
                .map(|t| t.length.resolve(&self.live.parameters)),
            terms,
        };
        if p == TOP {
            self.end_tracks();
        }
        self.close_actions(from_id);
        let to = playbook.state(transition.target);
        tracing::info!(target: LOG_TARGET, subject = %self.live.subject, playbook = %playbook.id(), from = %from.name, to = %to.name, "transition");
        // Room for the transition and the actions it sends at once: one reallocation of the
        // event buffer, not one per doubling.
        self.events.reserve(to.actions.len().saturating_add(1));
        self.push(EventKind::Transition {
            from: from.name.clone(),
            to: to.name.clone(),
            transition: transition.written_at,
            group: transition.group.map(|g| playbook.group(g).name.clone()),
            severity: self.severity_entering(p, transition.target),
            cause,
        });
        self.start_transition_cooldown(p, index);
        self.start_cooldown(from_id);
        let silent_until = self.enter_cooldown(transition.target, transition.target == from_id);
        let (now, seq) = (self.live.now, self.live.seq);
        let place = self.live.place_mut(p);
        place.state = transition.target;
        place.entered_at = now;
        place.entered_seq = seq;
        place.pending.iter_mut().for_each(|p| *p = None);
        place
            .recurrences
            .iter_mut()
            .for_each(|r| *r = Recurrence::default());
        if let Some(until) = silent_until {
            self.push(EventKind::Cooldown {
                state: to.name.clone(),
                until,
            });
        }
        self.enter_state(p, silent_until.is_some());
    }

    /// Closes the open actions of `state`, which the run is leaving, that close on exit.
    fn close_actions(&mut self, state: StateId) {
        let playbook = self.playbook.clone();
        let left = playbook.state(state);
        let mut closed = Vec::new();
        self.live.open.retain(|open| {
            let closes = open.state == state && left.actions[open.action as usize].closes_on_exit;
            if closes {
                closed.push(open.action);
            }
            !closes
        });
        for action in closed {
            self.push(EventKind::Closed {
                state: left.name.clone(),
                action: left.actions[action as usize].id.clone(),
            });
        }
    }

    /// The run's severity once place `p` enters `target`: at the top level, the highest of
    /// `target` and its tracks' initial states; in a track, the highest of `target` and every
    /// other place's state.
    fn severity_entering(&self, p: usize, target: StateId) -> i64 {
        let severity = |state: StateId| self.playbook.state(state).severity;
        let state = self.playbook.state(target);
        let others = if p == TOP {
            state
                .tracks
                .iter()
                .map(|track| severity(self.playbook.track(*track).initial))
                .max()
        } else {
            self.live
                .places()
                .enumerate()
                .filter(|(q, _)| *q != p)
                .map(|(_, place)| severity(place.state))
                .max()
        };
        others.map_or(state.severity, |other| other.max(state.severity))
    }

    /// Whether `seen` happened since place `p` entered its state, or within `window` of now.
    fn fresh(&self, seen: Seen, p: usize, window: Option<Duration>) -> bool {
        match (window, seen.at) {
            (None, Some(_)) => seen.seq > self.live.place(p).entered_seq,
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
    /// `p` is the place whose state the condition belongs to.
    pub(super) fn holds(&self, node: &Bool, p: usize) -> bool {
        match node {
            Bool::Const(value) => *value,
            Bool::Not(inner) => !self.holds(inner, p),
            Bool::All(parts) => parts.iter().all(|part| self.holds(part, p)),
            Bool::Any(parts) => parts.iter().any(|part| self.holds(part, p)),
            Bool::Compare { op, left, right } => {
                compare(*op, self.number(left), self.number(right))
            }
            Bool::Occurred { signal, within } => self
                .live
                .seen
                .get(signal.index())
                .is_some_and(|seen| self.fresh(*seen, p, *within)),
            Bool::Matched { predicate, within } => self
                .live
                .matched
                .get(*predicate)
                .is_some_and(|seen| self.fresh(*seen, p, *within)),
            Bool::InState(state) => self.is_in(*state),
            Bool::Open(calendar) => self.calendar(*calendar).is_open(self.live.now),
        }
    }
}

/// A comparison; false when either side is undefined.
pub(super) fn compare(op: CompareOp, left: Option<f64>, right: Option<f64>) -> bool {
    match (left, right) {
        (Some(left), Some(right)) => op.holds(left, right),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Guard, Playbook};

    #[test]
    fn a_nested_or_passes_on_its_true_part() {
        // The parser flattens `(x or y) or z`; a model built another way may not, and its
        // threaded jumps (tested in `model::plan`) must still land past the whole `or`.
        let nested = Bool::Any(vec![
            Bool::Any(vec![Bool::Const(false), Bool::Const(true)]),
            Bool::Const(false),
        ]);
        let guard = Guard::new(Some(&nested));
        let playbook = Playbook::from_yaml_str(
            "playbook: g\nversion: 1\ntitle: G\nsignals: { a: { kind: gauge } }\nroles: [cm]\n\
             initial: s\nstates:\n  s: { on: [{ to: z, after: 1h }] }\n  z: { final: true }\n",
        )
        .unwrap();
        assert!(Run::start(&playbook, crate::Timestamp::EPOCH).passes(
            &guard,
            TOP,
            &mut Readings::new()
        ));
    }

    #[test]
    fn a_metric_past_the_memo_is_read_directly() {
        // Seventeen metrics: the last one has no slot in the readings.
        let metrics: String = (0..17)
            .map(|i| format!("  m{i}: {{ count: a, window: 1h }}\n"))
            .collect();
        let text = format!(
            "playbook: g\nversion: 1\ntitle: G\nsignals: {{ a: {{ kind: count }} }}\nmetrics:\n{metrics}\
             roles: [cm]\ninitial: s\nstates:\n  s: {{ on: [{{ to: z, when: m16 >= 3 and m0 >= 3 }}] }}\n\
             \x20 z: {{ final: true }}\n"
        );
        let playbook = Playbook::from_yaml_str(&text).unwrap();
        let a = playbook.signal_named("a").unwrap();
        let mut run = Run::start(&playbook, crate::Timestamp::EPOCH);
        let at = crate::Timestamp::EPOCH;
        run.observe(crate::Observation::count(a, at, 2.0)).unwrap();
        assert_eq!(run.state_name(), "s");
        run.observe(crate::Observation::count(a, at, 1.0)).unwrap();
        assert_eq!(run.state_name(), "z");
    }

    #[test]
    fn no_condition_always_passes() {
        let playbook = Playbook::from_yaml_str(
            "playbook: g\nversion: 1\ntitle: G\nsignals: { a: { kind: gauge } }\nroles: [cm]\n\
             initial: s\nstates:\n  s: { on: [{ to: z, after: 1h }] }\n  z: { final: true }\n",
        )
        .unwrap();
        let guard = &playbook.plan().guards[0][0];
        assert!(guard.steps.is_empty());
        let run = Run::start(&playbook, crate::Timestamp::EPOCH);
        assert!(run.passes(guard, TOP, &mut Readings::new()));
    }
}
