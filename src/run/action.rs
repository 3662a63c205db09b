//! Actions and their deadlines: recommending a state's actions and recurrences, deadline
//! clocks that wait for a signal, breaches, and marking an action done.

use serde::{Deserialize, Serialize};

use crate::model::{OutOfHours, RoleId, StateId};
use crate::{Duration, Timestamp};

use super::{Event, EventKind, LOG_TARGET, Run, RunError, SignalError};

/// An action recommended and not yet done or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OpenAction {
    pub(super) state: StateId,
    pub(super) action: u32,
    pub(super) due: Option<Timestamp>,
    pub(super) breached: bool,
    /// The deadline counts from a signal not seen yet: it starts when the signal arrives.
    pub(super) awaiting_clock: bool,
    /// The role it went to out of hours, instead of its owner.
    #[serde(default, skip_serializing_if = "Route::is_none")]
    pub(super) routed_to: Route,
}

impl OpenAction {
    /// Who owns it: its owner, or the role it went to out of hours.
    pub(super) fn owner(&self, action: &crate::Action) -> RoleId {
        self.routed_to.role().unwrap_or(action.owner)
    }
}

/// The role an action went to out of hours, if any, kept as its index plus one (0 for none):
/// an `Option<RoleId>` would make every open action 40 bytes instead of 32, and each
/// transition pays for the larger copies and allocations. Snapshots hold it as the role's
/// index, as an `Option<RoleId>` would be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Route(u32);

impl Route {
    fn to(role: Option<RoleId>) -> Route {
        Route(role.map_or(0, |r| r.0.saturating_add(1)))
    }

    pub(super) fn role(self) -> Option<RoleId> {
        self.0.checked_sub(1).map(RoleId)
    }

    fn is_none(&self) -> bool {
        self.0 == 0
    }
}

impl Serialize for Route {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.role().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Route {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Route, D::Error> {
        Option::<RoleId>::deserialize(deserializer).map(Route::to)
    }
}

/// The next emission of a recurring action of the current state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Recurrence {
    pub(super) next: Option<Timestamp>,
    pub(super) occurrence: u32,
}

/// An open action, as [`Run::open_actions`] lists it.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// let events = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// for action in run.open_actions() {
///     println!("{} ({}) due {:?}", action.action, action.owner, action.due);
/// }
/// assert!(run.open_actions().any(|a| a.state == "crisis"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenActionView<'r> {
    /// The state that recommended it.
    pub state: &'r str,
    /// The action's id.
    pub action: &'r str,
    /// Its owner.
    pub owner: &'r str,
    /// Its deadline, if any.
    pub due: Option<Timestamp>,
    /// Whether the deadline has passed.
    pub breached: bool,
}

impl Run {
    /// Actions recommended and not yet done or closed, in the order they were recommended.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// let holding = run.open_actions().find(|a| a.action == "holding_statement").unwrap();
    /// assert_eq!(holding.owner, "comms_director");
    /// assert!(!holding.breached);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_actions(&self) -> impl Iterator<Item = OpenActionView<'_>> {
        self.live.open.iter().map(|open| {
            let state = self.playbook.state(open.state);
            let action = &state.actions[open.action as usize];
            OpenActionView {
                state: &state.name,
                action: &action.id,
                owner: self.playbook.role(open.owner(action)),
                due: open.due,
                breached: open.breached,
            }
        })
    }

    /// Marks every open action with this id as done.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// let events = run.complete("holding_statement", "comms_director", start)?;
    /// assert_eq!(events.len(), 1);
    /// assert!(run.complete("no_such_action", "me", start).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn complete(
        &mut self,
        action: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<&[Event], RunError> {
        let known = self
            .playbook
            .states()
            .iter()
            .any(|s| s.actions.iter().any(|a| a.id == action));
        if !known {
            return Err(SignalError::UnknownAction(action.to_string()).into());
        }
        if let Some(late) = self.too_late(at) {
            return Err(SignalError::DoneTooLate {
                action: action.to_string(),
                at,
                now: self.live.now,
                late,
                tolerance: self.live.tolerance,
            }
            .into());
        }
        self.events.clear();
        if self.live.ended {
            return Ok(&self.events);
        }
        if at > self.live.now {
            self.run_timers_until(at, false);
            if self.live.ended {
                return Ok(&self.events);
            }
            self.set_clock(at);
        }
        let playbook = self.playbook.clone();
        let mut closed = false;
        self.live.open.retain(|open| {
            let matches = playbook.state(open.state).actions[open.action as usize].id == action;
            closed |= matches;
            !matches
        });
        if closed {
            self.live.seq = self.live.seq.saturating_add(1);
            self.push(EventKind::Done {
                action: action.to_string(),
                by: by.to_string(),
            });
        }
        self.instant();
        Ok(&self.events)
    }

    /// Starts the deadline clocks that wait for `signal`, which arrived at `at`.
    pub(super) fn start_clocks(&mut self, signal: crate::SignalId, at: Timestamp) {
        let playbook = self.playbook.clone();
        for index in 0..self.live.open.len() {
            let open = self.live.open[index];
            let state = playbook.state(open.state);
            let action = &state.actions[open.action as usize];
            if !open.awaiting_clock || action.from != Some(signal) {
                continue;
            }
            let due = action.within.and_then(|within| self.timer_end(at, within));
            self.live.open[index].awaiting_clock = false;
            self.live.open[index].due = due;
            if let Some(due) = due {
                self.push(EventKind::DeadlineMoved {
                    state: state.name.clone(),
                    action: action.id.clone(),
                    owner: playbook.role(open.owner(action)).to_string(),
                    due,
                    signal: playbook.signal(signal).name.clone(),
                });
            }
        }
    }

    pub(super) fn fire_breaches(&mut self) {
        for index in 0..self.live.open.len() {
            let open = self.live.open[index];
            if open.breached || open.due.is_none_or(|due| due > self.live.now) {
                continue;
            }
            self.live.open[index].breached = true;
            let state = self.playbook.state(open.state);
            let action = &state.actions[open.action as usize];
            let owner = self.playbook.role(open.owner(action));
            tracing::info!(target: LOG_TARGET, subject = %self.live.subject, playbook = %self.playbook.id(), state = %state.name, action = %action.id, owner = %owner, "breach");
            let kind = EventKind::Breach {
                state: state.name.clone(),
                action: action.id.clone(),
                owner: owner.to_string(),
                due: open.due.unwrap_or(self.live.now),
            };
            self.push(kind);
        }
    }

    /// Emits each recurring action due by now once, place by place. Instants are processed
    /// one by one, so one occurrence is due at a time, unless a call spent its wake-up budget:
    /// then the occurrences missed since are counted, not emitted one by one.
    pub(super) fn fire_recurrences(&mut self) {
        for p in 0..self.live.place_count() {
            self.fire_recurrences_at(p);
        }
    }

    fn fire_recurrences_at(&mut self, p: usize) {
        let count = self.playbook.state(self.live.place(p).state).actions.len();
        for index in 0..count {
            let Some(next) = self.live.place(p).recurrences[index].next else {
                continue;
            };
            if next > self.live.now {
                continue;
            }
            let every = self.playbook.state(self.live.place(p).state).actions[index].every;
            let calendar = every.and_then(|e| e.calendar);
            let period = every
                .map_or(0, |e| e.length.resolve(&self.live.parameters).as_millis())
                .max(1);
            // Occurrences due after `next` and by now, besides `next` itself, on the
            // recurrence's clock: none when it is due now, as it is unless a call caught up.
            let later = if next == self.live.now {
                0
            } else {
                self.length_between(next, self.live.now, calendar)
                    .as_millis()
                    .checked_div(period)
                    .unwrap_or(0)
            };
            let caught_up = Duration::from_millis(period.saturating_mul(later));
            let last = self.end_of(next, caught_up, calendar).unwrap_or(next);
            let missed = u32::try_from(later).unwrap_or(u32::MAX);
            // At the last representable instant, time stops moving: so does the recurrence,
            // or it would repeat forever at that instant.
            let following = every
                .and_then(|e| self.next_occurrence(last, e))
                .filter(|following| *following > last);
            let recurrence = &mut self.live.place_mut(p).recurrences[index];
            let occurrence = recurrence
                .occurrence
                .saturating_add(missed)
                .saturating_add(1);
            *recurrence = Recurrence {
                next: following,
                occurrence,
            };
            self.recommend(p, index, occurrence, missed);
        }
    }

    /// Emits action `index` of the state at place `p`, replacing any open instance of it;
    /// `missed` occurrences before this one were caught up without being emitted.
    pub(super) fn recommend(&mut self, p: usize, index: usize, occurrence: u32, missed: u32) {
        let id = self.live.place(p).state;
        if let Some(rule) = self.quieting(id) {
            self.hold_back(rule, id, Some(index as u32), None);
            return;
        }
        let playbook = self.playbook.clone();
        let state = playbook.state(id);
        let action = &state.actions[index];
        let (due, awaiting_clock) = match (action.within, action.from) {
            (None, _) => (None, false),
            (Some(within), None) => (self.timer_end(self.live.now, within), false),
            (Some(within), Some(signal)) => match self.live.seen[signal.index()].at {
                Some(at) => (self.timer_end(at, within), false),
                None => (self.timer_end(self.live.now, within), true),
            },
        };
        let routed_to = self.out_of_hours(action.out_of_hours);
        let owner = routed_to.unwrap_or(action.owner);
        let open = OpenAction {
            state: id,
            action: index as u32,
            due,
            breached: false,
            awaiting_clock,
            routed_to: Route::to(routed_to),
        };
        self.live
            .open
            .retain(|o| !(o.state == open.state && o.action == open.action));
        self.live.open.push(open);
        tracing::info!(target: LOG_TARGET, subject = %self.live.subject, playbook = %playbook.id(), state = %state.name, action = %action.id, owner = %playbook.role(owner), "action");
        let kind = EventKind::Action {
            state: state.name.clone(),
            action: action.id.clone(),
            owner: playbook.role(owner).to_string(),
            due,
            text: self.render(&action.text, &action.say, due),
            occurrence,
            missed,
        };
        self.push(kind);
        // A deadline counted from a signal seen long ago may already have passed.
        self.fire_breaches();
    }

    /// The role an out-of-hours route sends to now: `None` with no route, or while its
    /// calendar is open.
    pub(super) fn out_of_hours(&self, route: Option<OutOfHours>) -> Option<RoleId> {
        route
            .filter(|route| !self.calendar(route.calendar).is_open(self.live.now))
            .map(|route| route.role)
    }
}
