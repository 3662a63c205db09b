//! Cool-downs: for a period after the run leaves a state that has one, entering the state
//! again sends nothing again (`silent`), or waits until the period is over (`refused`). Each
//! repeat (an entry before the period is over, or at the moment it ends) multiplies the next
//! period by the state's backoff, up to its `max`; an entry after a whole period starts again
//! from the state's own `for`.

use crate::model::{Cooldown, Playbook, Reentry, StateId};
use crate::{Duration, Timestamp};

use super::Run;

/// The longest period backoff reaches when a cool-down gives no `max`, in periods.
const DEFAULT_MAX_PERIODS: u32 = 16;

impl Run {
    /// When the cool-down of `state` ends, while it is running.
    pub(super) fn cooling_until(&self, state: StateId) -> Option<Timestamp> {
        let cooldown = self.playbook.state(state).cooldown?;
        let clock = self.live.cooldowns.get(state.index())?;
        let until = clock.left?.plus(self.period(cooldown, clock.period));
        (self.live.now < until).then_some(until)
    }

    /// When the cool-down of the transition at `index` of the state at place `p` ends, while
    /// it runs.
    fn transition_cooling_until(&self, p: usize, index: usize) -> Option<Timestamp> {
        let state = self.live.place(p).state;
        let slot = self.playbook.plan().transition_clocks[state.index()][index]?;
        let transition = &self.playbook.state(state).transitions[index];
        let until =
            self.live.fired[slot]?.plus(transition.cooldown?.resolve(&self.live.parameters));
        (self.live.now < until).then_some(until)
    }

    /// Starts the cool-down of the transition at `index` of the state at place `p`, if it has
    /// one.
    pub(super) fn start_transition_cooldown(&mut self, p: usize, index: usize) {
        let state = self.live.place(p).state;
        if let Some(slot) = self.playbook.plan().transition_clocks[state.index()][index] {
            self.live.fired[slot] = Some(self.live.now);
        }
    }

    /// When the transition at `index` of the state at place `p` may fire again, if a
    /// cool-down, its own or its target's (`reentry: refused`), holds it back.
    pub(super) fn held_back_until(&self, p: usize, index: usize) -> Option<Timestamp> {
        let target = self.playbook.state(self.live.place(p).state).transitions[index].target;
        let own = self.transition_cooling_until(p, index);
        own.max(self.refused_until(target))
    }

    /// Until when a transition into `state` must wait for its cool-down (`reentry: refused`).
    fn refused_until(&self, state: StateId) -> Option<Timestamp> {
        if self.live.cooldowns.is_empty()
            || self.playbook.state(state).cooldown?.reentry != Reentry::Refused
        {
            return None;
        }
        self.cooling_until(state)
    }

    /// The earliest end of a cool-down that holds back a transition of a state the run is in.
    pub(super) fn next_cooldown_end(&self) -> Option<Timestamp> {
        if self.live.cooldowns.is_empty() && self.live.fired.is_empty() {
            return None;
        }
        (0..self.live.place_count())
            .flat_map(|p| {
                let transitions = self
                    .playbook
                    .state(self.live.place(p).state)
                    .transitions
                    .len();
                (0..transitions).filter_map(move |index| self.held_back_until(p, index))
            })
            .min()
    }

    /// Starts the cool-down of the state the run is leaving, if it has one.
    pub(super) fn start_cooldown(&mut self, state: StateId) {
        if self.playbook.state(state).cooldown.is_some()
            && let Some(clock) = self.live.cooldowns.get_mut(state.index())
        {
            clock.left = Some(self.live.now);
        }
    }

    /// Enters `state` on its cool-down clock: a repeat stretches its next period. Returns when
    /// its cool-down ends if the run enters it silently, sending nothing again: with `reentry:
    /// silent`, or from the state itself (`from_itself`), which left it at this very instant,
    /// so that no re-entry can be refused any more.
    pub(super) fn enter_cooldown(
        &mut self,
        state: StateId,
        from_itself: bool,
    ) -> Option<Timestamp> {
        let cooldown = self.playbook.state(state).cooldown?;
        let clock = *self.live.cooldowns.get(state.index())?;
        let left = clock.left?;
        let period = self.period(cooldown, clock.period);
        let end = left.plus(period);
        let repeat = self.live.now <= end;
        let next = repeat.then(|| {
            let longest = self.longest(cooldown);
            let stretched = Duration::from_millis(
                (period.as_millis() as f64 * cooldown.backoff).min(longest.as_millis() as f64)
                    as u64,
            );
            stretched.max(period.min(longest))
        });
        if let Some(clock) = self.live.cooldowns.get_mut(state.index()) {
            clock.period = next;
        }
        ((cooldown.reentry == Reentry::Silent || from_itself) && self.live.now < end).then_some(end)
    }

    /// The period of a cool-down whose clock holds `stretched`.
    fn period(&self, cooldown: Cooldown, stretched: Option<Duration>) -> Duration {
        stretched.unwrap_or_else(|| cooldown.period.resolve(&self.live.parameters))
    }

    /// The longest period of a cool-down.
    fn longest(&self, cooldown: Cooldown) -> Duration {
        let base = cooldown.period.resolve(&self.live.parameters);
        cooldown.max.map_or_else(
            || Duration::from_millis(base.as_millis().saturating_mul(DEFAULT_MAX_PERIODS.into())),
            |max| max.resolve(&self.live.parameters),
        )
    }

    /// Whether restored clocks could have been made by this run by now.
    pub(super) fn cooldowns_are_possible(&self) -> bool {
        let transitions = self.live.fired.len() == self.playbook.plan().transition_clock_count
            && self
                .live
                .fired
                .iter()
                .all(|fired| fired.is_none_or(|at| at <= self.live.now));
        transitions && self.state_clocks_are_possible()
    }

    fn state_clocks_are_possible(&self) -> bool {
        self.live.cooldowns.len() == state_clock_count(&self.playbook)
            && self
                .live
                .cooldowns
                .iter()
                .zip(self.playbook.states())
                .all(|(clock, state)| match state.cooldown {
                    Some(cooldown) => {
                        clock.left.is_none_or(|left| left <= self.live.now)
                            && clock
                                .period
                                .is_none_or(|p| !p.is_zero() && p <= self.longest(cooldown))
                    }
                    None => *clock == super::CooldownClock::default(),
                })
    }
}

/// How many state cool-down clocks a run of `playbook` keeps: one per state if any state has a
/// cool-down, none otherwise, so that other snapshots do not mention them.
pub(super) fn state_clock_count(playbook: &Playbook) -> usize {
    if playbook.states().iter().any(|s| s.cooldown.is_some()) {
        playbook.states().len()
    } else {
        0
    }
}
