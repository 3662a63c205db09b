//! Escalation ladders: the next step and when it is due, firing steps and repeat cycles, and
//! the manual inputs (acknowledgements) that stop a ladder.

use serde::{Deserialize, Serialize};

use crate::model::EscalationTarget;
use crate::{Duration, Timestamp};

use super::{EventKind, LOG_TARGET, Run};

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
    /// The next escalation step, if a ladder is running.
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
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pending_escalation(&self) -> Option<PendingEscalation> {
        let position = self.live.ladder?;
        let ladder = self.playbook.state(self.live.state).escalation.as_ref()?;
        let step = ladder.steps.get(position.step as usize)?;
        Some(PendingEscalation {
            due: self.ladder_due(position)?,
            target: step.target,
            step: position.step as usize,
            cycle: position.cycle,
        })
    }

    pub(super) fn manual(&mut self, signal: crate::SignalId, by: &str) {
        let state = self.playbook.state(self.live.state);
        let stops = self.live.ladder.is_some()
            && state
                .escalation
                .as_ref()
                .is_some_and(|ladder| ladder.unless.contains(&signal));
        if stops {
            self.live.ladder = None;
        }
        self.push(EventKind::Input {
            signal: self.playbook.signal(signal).name.clone(),
            by: by.to_string(),
            stopped_escalation: stops,
        });
        if stops {
            tracing::info!(target: LOG_TARGET, subject = %self.live.subject, playbook = %self.playbook.id(), by, "escalation acknowledged");
        }
    }

    pub(super) fn ladder_due(&self, position: LadderPosition) -> Option<Timestamp> {
        let ladder = self.playbook.state(self.live.state).escalation.as_ref()?;
        let step = ladder.steps.get(position.step as usize)?;
        let cycle_start = match ladder.repeat {
            Some(repeat) => self.live.entered_at.plus(Duration::from_millis(
                repeat
                    .every
                    .resolve(&self.live.parameters)
                    .as_millis()
                    .saturating_mul(u64::from(position.cycle)),
            )),
            None => self.live.entered_at,
        };
        Some(cycle_start.plus(step.after.resolve(&self.live.parameters)))
    }

    pub(super) fn fire_ladder(&mut self) {
        while let Some(position) = self.live.ladder {
            if self
                .ladder_due(position)
                .is_none_or(|due| due > self.live.now)
            {
                return;
            }
            let state = self.playbook.state(self.live.state);
            let Some(ladder) = state.escalation.as_ref() else {
                self.live.ladder = None;
                return;
            };
            let step = &ladder.steps[position.step as usize];
            let (to, level) = match step.target {
                EscalationTarget::Role(role) => (Some(self.playbook.role(role).to_string()), None),
                EscalationTarget::Level(level) => (None, Some(level)),
            };
            let kind = EventKind::Escalation {
                state: state.name.clone(),
                step: position.step as usize,
                cycle: position.cycle,
                to,
                level,
                text: step
                    .text
                    .as_ref()
                    .map(|t| t.get(&self.live.locale, self.playbook.locale()).to_string()),
            };
            let next_step = position.step.saturating_add(1);
            self.live.ladder = if (next_step as usize) < ladder.steps.len() {
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
            tracing::info!(target: LOG_TARGET, subject = %self.live.subject, playbook = %self.playbook.id(), state = %state.name, step = position.step, cycle = position.cycle, "escalation");
            self.push(kind);
        }
    }
}
