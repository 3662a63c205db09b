//! Inhibition inside a run: the rules of the playbook's `inhibited_by`, applied from the
//! severities of the playbooks they name, which the [`RunSet`](crate::RunSet) holding the run
//! gives it before each step. A run alone is never inhibited.

use serde::{Deserialize, Serialize};

use super::event::Quieted;
use super::{EventKind, Run};
use crate::model::{InhibitionMode, StateId};

/// An action a `defer` rule holds back: sent when the rule lifts, if the run is still in its
/// state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Held {
    pub(super) state: StateId,
    pub(super) action: u32,
}

impl Run {
    /// Gives the run the current severity of the playbook (or track) each of its rules names,
    /// `None` where that playbook has no live run. Applied at the run's next instant. Returns
    /// whether they differ from the last ones given.
    pub(crate) fn set_sources(&mut self, sources: Vec<Option<i64>>) -> bool {
        let changed = self.sources != sources;
        self.sources = sources;
        changed
    }

    /// Applies the sources at the run's current instant, when the run set has no new instant
    /// to give it: a playbook it reads changed severity at an instant the run has already
    /// taken. Returns the events that caused.
    pub(crate) fn reconsider(&mut self) -> &[super::Event] {
        self.events.clear();
        if !self.live.ended {
            self.refresh_inhibitions();
            // Steps a `defer` rule held that are now free to fire.
            self.fire_ladders();
        }
        &self.events
    }

    /// Applies or lifts each rule from the sources, at the start of an instant; sends what
    /// `defer` rules held back once one lifts.
    pub(super) fn refresh_inhibitions(&mut self) {
        if self.sources.is_empty() {
            return;
        }
        let playbook = self.playbook.clone();
        let mut lifted = false;
        for (r, rule) in playbook.inhibitions().iter().enumerate() {
            let now = self
                .sources
                .get(r)
                .copied()
                .flatten()
                .filter(|severity| *severity >= rule.at_least);
            match (self.live.inhibitions[r], now) {
                (None, Some(severity)) => self.push(EventKind::Inhibited {
                    by: rule.playbook.clone(),
                    track: rule.track.clone(),
                    severity,
                    below: rule.below,
                    mode: rule.mode,
                }),
                (Some(_), None) => {
                    lifted = true;
                    self.push(EventKind::InhibitionLifted {
                        by: rule.playbook.clone(),
                        track: rule.track.clone(),
                    });
                }
                _ => {}
            }
            self.live.inhibitions[r] = now;
        }
        if lifted {
            self.release_deferred();
        }
    }

    /// The first rule, in the order written, that quiets what `state` sends now.
    pub(super) fn quieting(&self, state: StateId) -> Option<usize> {
        if self.live.inhibitions.iter().all(Option::is_none) {
            return None;
        }
        let severity = self.playbook.state(state).severity;
        self.playbook
            .inhibitions()
            .iter()
            .zip(&self.live.inhibitions)
            .position(|(rule, applies)| applies.is_some() && severity < rule.below)
    }

    /// Whether rule `r` holds back (rather than drops) what it quiets.
    pub(super) fn defers(&self, r: usize) -> bool {
        self.playbook.inhibitions()[r].mode == InhibitionMode::Defer
    }

    /// Reports that rule `r` quieted action `action` or ladder step `step` of `state`, and
    /// keeps a deferred action to send later.
    pub(super) fn hold_back(
        &mut self,
        r: usize,
        state: StateId,
        action: Option<u32>,
        step: Option<usize>,
    ) {
        let playbook = self.playbook.clone();
        let rule = &playbook.inhibitions()[r];
        let written = playbook.state(state);
        let quieted = Quieted {
            state: written.name.clone(),
            action: action.map(|a| written.actions[a as usize].id.clone()),
            step,
            by: rule.playbook.clone(),
            severity: self.live.inhibitions[r].unwrap_or(rule.at_least),
        };
        if !self.defers(r) {
            self.push(EventKind::Muted(quieted));
            return;
        }
        if let Some(action) = action {
            let held = Held { state, action };
            if !self.live.deferred.contains(&held) {
                self.live.deferred.push(held);
            }
        }
        self.push(EventKind::Deferred(quieted));
    }

    /// Sends each held-back action whose state the run is still in; one whose state it left
    /// is dropped. An action still quieted by another rule is held again.
    fn release_deferred(&mut self) {
        for held in std::mem::take(&mut self.live.deferred) {
            let place =
                (0..self.live.place_count()).find(|p| self.live.place(*p).state == held.state);
            if let Some(p) = place {
                self.recommend(p, held.action as usize, 1, 0);
            }
        }
    }
}
