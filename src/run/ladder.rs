//! Escalation ladders: the next step and when it is due, firing steps and repeat cycles, and
//! the manual inputs (acknowledgements) that stop a ladder.

use serde::{Deserialize, Serialize};

use crate::model::{EscalationTarget, StateId};
use crate::{Duration, Timestamp};

use super::{EventKind, LOG_TARGET, Place, Run};

/// The next step of the current state's escalation ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LadderPosition {
    pub(super) cycle: u32,
    pub(super) step: u32,
}

/// The next escalation step that will fire if nobody acknowledges.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// let events = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// let next = run.pending_escalation().unwrap();
/// assert_eq!((next.step, next.cycle), (0, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingEscalation {
    /// The state whose ladder it is: the top-level state, or a track's.
    pub state: StateId,
    /// When it fires.
    pub due: Timestamp,
    /// Who it notifies.
    pub target: EscalationTarget,
    /// Its index in the ladder.
    pub step: usize,
    /// Its repeat cycle.
    pub cycle: u32,
}

impl Run {
    /// The next escalation step, if a ladder is running: the earliest of the ladders of the
    /// states the run is in (the top-level one first at the same instant).
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// let next = run.pending_escalation().unwrap();
    /// assert!(next.due > start);
    /// assert_eq!(playbook.state(next.state).name, "crisis");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pending_escalation(&self) -> Option<PendingEscalation> {
        let mut earliest: Option<PendingEscalation> = None;
        for place in self.live.places() {
            let Some(position) = place.ladder else {
                continue;
            };
            let ladder = self.playbook.state(place.state).escalation.as_ref();
            let (Some(step), Some(due)) = (
                ladder.and_then(|l| l.steps.get(position.step as usize)),
                self.ladder_due(place, position),
            ) else {
                continue;
            };
            if earliest.is_none_or(|e| due < e.due) {
                // Routed as it will be when it fires.
                let closed = step
                    .out_of_hours
                    .filter(|route| !self.calendar(route.calendar).is_open(due));
                earliest = Some(PendingEscalation {
                    state: place.state,
                    due,
                    target: closed.map_or(step.target, |route| EscalationTarget::Role(route.role)),
                    step: position.step as usize,
                    cycle: position.cycle,
                });
            }
        }
        earliest
    }

    /// A person's input: it stops every running ladder that lists it under `unless`, at the
    /// top level and in every track.
    pub(super) fn manual(&mut self, signal: crate::SignalId, by: &str) {
        let playbook = self.playbook.clone();
        let mut stops = false;
        for p in 0..self.live.place_count() {
            let place = self.live.place_mut(p);
            let listed = playbook
                .state(place.state)
                .escalation
                .as_ref()
                .is_some_and(|ladder| ladder.unless.contains(&signal));
            if listed && place.ladder.is_some() {
                place.ladder = None;
                stops = true;
            }
        }
        self.push(EventKind::Input {
            signal: playbook.signal(signal).name.clone(),
            by: by.to_string(),
            stopped_escalation: stops,
        });
        if stops {
            tracing::info!(target: LOG_TARGET, subject = %self.live.subject, playbook = %playbook.id(), by, "escalation acknowledged");
        }
    }

    /// When the step at `position` of the ladder of the state at `place` is due.
    pub(super) fn ladder_due(&self, place: &Place, position: LadderPosition) -> Option<Timestamp> {
        let ladder = self.playbook.state(place.state).escalation.as_ref()?;
        let step = ladder.steps.get(position.step as usize)?;
        // Every step and the repeat count on one clock (the loader checks it), so the step is
        // due that much time after entry on that clock.
        let cycles = ladder.repeat.map_or(0, |repeat| {
            repeat
                .every
                .length
                .resolve(&self.live.parameters)
                .as_millis()
                .saturating_mul(u64::from(position.cycle))
        });
        let after = step.after.length.resolve(&self.live.parameters).as_millis();
        let total = Duration::from_millis(cycles.saturating_add(after));
        self.end_of(place.entered_at, total, step.after.calendar)
    }

    /// Fires the steps due by now of every running ladder, place by place.
    pub(super) fn fire_ladders(&mut self) {
        for p in 0..self.live.place_count() {
            self.fire_ladder(p);
        }
    }

    /// Fires the steps due by now of the ladder of the state at place `p`.
    pub(super) fn fire_ladder(&mut self, p: usize) {
        while let Some(position) = self.live.place(p).ladder {
            if self
                .ladder_due(self.live.place(p), position)
                .is_none_or(|due| due > self.live.now)
            {
                return;
            }
            // Cloned only when a step fires: every instant checks every ladder.
            let playbook = self.playbook.clone();
            let state = playbook.state(self.live.place(p).state);
            let Some(ladder) = state.escalation.as_ref() else {
                self.live.place_mut(p).ladder = None;
                return;
            };
            let step = &ladder.steps[position.step as usize];
            let quieting = self.quieting(self.live.place(p).state);
            if let Some(rule) = quieting
                && self.defers(rule)
            {
                // Held until the rule lifts; reported once, at the instant the step is due.
                if self.ladder_due(self.live.place(p), position) == Some(self.live.now) {
                    self.hold_back(
                        rule,
                        self.live.place(p).state,
                        None,
                        Some(position.step as usize),
                    );
                }
                return;
            }
            let target = match self.out_of_hours(step.out_of_hours) {
                Some(role) => EscalationTarget::Role(role),
                None => step.target,
            };
            let (to, level) = match target {
                EscalationTarget::Role(role) => (Some(playbook.role(role).to_string()), None),
                EscalationTarget::Level(level) => (None, Some(level)),
            };
            let kind = EventKind::Escalation {
                state: state.name.clone(),
                step: position.step as usize,
                cycle: position.cycle,
                to,
                level,
                text: step.text.as_ref().map(|t| self.render(t, &step.say, None)),
            };
            let next_step = position.step.saturating_add(1);
            self.live.place_mut(p).ladder = if (next_step as usize) < ladder.steps.len() {
                Some(LadderPosition {
                    cycle: position.cycle,
                    step: next_step,
                })
            } else {
                match ladder.repeat {
                    Some(repeat) if position.cycle < repeat.times => Some(LadderPosition {
                        cycle: position.cycle.saturating_add(1),
                        step: 0,
                    }),
                    _ => None,
                }
            };
            if let Some(rule) = quieting {
                self.hold_back(
                    rule,
                    self.live.place(p).state,
                    None,
                    Some(position.step as usize),
                );
                continue;
            }
            tracing::info!(target: LOG_TARGET, subject = %self.live.subject, playbook = %playbook.id(), state = %state.name, step = position.step, cycle = position.cycle, "escalation");
            self.push(kind);
        }
    }
}
