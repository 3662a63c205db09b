//! Time: the instants at which something is due with no signal (a window rolling, a `for`
//! hold or an `after` timer ending, a deadline, a recurrence, a ladder step, a `within` window
//! closing), the next wake-up, and moving the clock through them in order.

use crate::metrics::Horizon;
use crate::model::{CalendarId, Expiry, Timer};
use crate::{Duration, Timestamp};

use super::{Event, LOG_TARGET, Place, Run};

const MILLISECOND: Duration = Duration::from_millis(1);

/// The most instants at which something is due (a timer, a deadline, a recurrence, a window
/// rolling) that one call to [`Run::observe`], [`Run::advance_to`] or [`Run::complete`]
/// processes one by one. A call whose gap holds more (a subject silent for years, a recurrence
/// every few seconds) processes the rest at once at its own time: each recurring action is
/// emitted once with the number of occurrences it stands for
/// ([`EventKind::Action`](super::EventKind::Action)'s `missed`), each open deadline breaches once, and transitions are
/// taken at that time. This bounds the work and the events of one call whatever the gap.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// let mut run = Run::start(&playbook, start);
/// run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("national"))]))?;
/// // A hundred years without a signal: a bounded number of events.
/// let events = run.advance_to("2126-03-02T08:00:00Z".parse()?);
/// assert!(events.len() < 10 * crisis_playbook::MAX_INSTANTS_PER_CALL);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_INSTANTS_PER_CALL: usize = 1_000;

impl Run {
    /// Moves the clock to `at`, firing every timer, `for` window, deadline, recurrence and
    /// window roll-over due by then, in time order. Earlier times change nothing.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?;
    /// // Nobody acknowledges: the ladder fires as the clock moves.
    /// let events = run.advance_to(start + Duration::from_secs(3600));
    /// assert!(events.iter().any(|e| matches!(e.kind, crisis_playbook::EventKind::Escalation { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance_to(&mut self, at: Timestamp) -> &[Event] {
        self.events.clear();
        if self.live.ended || at <= self.live.now {
            return &self.events;
        }
        let span = tracing::debug_span!(target: LOG_TARGET, "advance", subject = %self.live.subject, playbook = %self.playbook.id());
        let _entered = span.enter();
        self.run_timers_until(at, true);
        if !self.live.ended && at > self.live.now {
            self.set_clock(at);
            self.instant();
        }
        &self.events
    }

    /// Processes every instant at which something is due, up to `until` (inclusive or not),
    /// one by one up to [`MAX_INSTANTS_PER_CALL`]. Past that, the caller's instant at `until`
    /// catches up the rest at once: each recurrence emits once for all its missed occurrences,
    /// each deadline breaches once, and transitions are taken at `until`.
    pub(super) fn run_timers_until(&mut self, until: Timestamp, inclusive: bool) {
        for _ in 0..MAX_INSTANTS_PER_CALL {
            let Some(next) = self.next_wake() else {
                return;
            };
            if next > until || (!inclusive && next == until) || self.live.ended {
                return;
            }
            self.set_clock(next);
            self.instant();
        }
        tracing::debug!(target: LOG_TARGET, subject = %self.live.subject, playbook = %self.playbook.id(), %until, "wake-up budget spent: catching up at once");
    }

    pub(super) fn set_clock(&mut self, at: Timestamp) {
        self.live.now = at;
        if at.as_millis() >= self.horizon.roll {
            for (state, metric) in self.live.metrics.iter_mut().zip(self.playbook.metrics()) {
                state.roll_to(metric, at);
            }
            self.horizon = Horizon::of(&self.live.metrics);
        }
    }

    /// The next instant after now at which something can change with no signal.
    pub(crate) fn next_wake(&self) -> Option<Timestamp> {
        let mut earliest: Option<Timestamp> = None;
        let mut consider = |at: Option<Timestamp>| {
            if let Some(at) = at
                && at > self.live.now
                && earliest.is_none_or(|e| at < e)
            {
                earliest = Some(at);
            }
        };
        debug_assert_eq!(self.horizon, Horizon::of(&self.live.metrics));
        consider(self.horizon.change.and_then(Timestamp::from_millis));
        // The top level, then each track: a loop over a chained iterator costs the steady
        // state more than the two plain loops.
        self.place_wakes(&self.live.top, &mut consider);
        for place in &self.live.tracks {
            self.place_wakes(place, &mut consider);
        }
        for open in &self.live.open {
            if !open.breached {
                consider(open.due);
            }
        }
        consider(self.next_expiry());
        consider(self.next_cooldown_end());
        earliest
    }

    /// Offers `consider` the instants at which something of the state at `place` is due: its
    /// `for` holds and `after` timers, its recurrences, its ladder's next step.
    fn place_wakes(&self, place: &Place, consider: &mut impl FnMut(Option<Timestamp>)) {
        let state = self.playbook.state(place.state);
        for (i, transition) in state.transitions.iter().enumerate() {
            if let (Some(hold), Some(since)) = (transition.hold, place.pending[i]) {
                consider(self.timer_end(since, hold));
            }
            if let Some(after) = transition.after {
                consider(self.timer_end(place.entered_at, after));
            }
        }
        for recurrence in &place.recurrences[..state.actions.len()] {
            consider(recurrence.next);
        }
        if let Some(position) = place.ladder {
            consider(self.ladder_due(place, position));
        }
    }

    /// The instant at which `timer`, started at `start`, ends: `None` if it counts in a
    /// calendar that never again opens long enough.
    pub(super) fn timer_end(&self, start: Timestamp, timer: Timer) -> Option<Timestamp> {
        self.end_of(
            start,
            timer.length.resolve(&self.live.parameters),
            timer.calendar,
        )
    }

    /// When a recurrence started (or last sent) at `start` is next sent: `timer` later, and
    /// while its calendar is open, so one that falls due at a closing time waits for the next
    /// opening.
    pub(super) fn next_occurrence(&self, start: Timestamp, timer: Timer) -> Option<Timestamp> {
        let end = self.timer_end(start, timer)?;
        match timer.calendar {
            Some(id) if !self.calendar(id).is_open(end) => self.calendar(id).next_change(end),
            _ => Some(end),
        }
    }

    /// The instant `length` after `start`, in calendar time or in a calendar's working time.
    pub(super) fn end_of(
        &self,
        start: Timestamp,
        length: Duration,
        calendar: Option<CalendarId>,
    ) -> Option<Timestamp> {
        match calendar {
            None => Some(start.plus(length)),
            Some(id) => self.calendar(id).after_working_time(start, length),
        }
    }

    /// The length of time from `start` to `end` on a clock: calendar time, or a calendar's
    /// working time.
    pub(super) fn length_between(
        &self,
        start: Timestamp,
        end: Timestamp,
        calendar: Option<CalendarId>,
    ) -> Duration {
        match calendar {
            None => end - start,
            Some(id) => self.calendar(id).working_time_between(start, end),
        }
    }

    /// Everything due at the current instant, then the transitions.
    pub(super) fn instant(&mut self) {
        self.refresh_inhibitions();
        self.fire_breaches();
        self.fire_ladders();
        self.fire_recurrences();
        self.evaluate();
    }

    /// The earliest instant after now at which a condition of a state the run is in can
    /// change with no signal: a `within` window closing, a `since` metric crossing its
    /// threshold.
    pub(super) fn next_expiry(&self) -> Option<Timestamp> {
        let plan = self.playbook.plan();
        let mut earliest: Option<Timestamp> = None;
        let mut consider = |at: Timestamp| {
            if at > self.live.now && earliest.is_none_or(|e| at < e) {
                earliest = Some(at);
            }
        };
        for expiry in &plan.expiries[self.live.top.state.index()] {
            self.consider_expiry(expiry, &mut consider);
        }
        for place in &self.live.tracks {
            for expiry in &plan.expiries[place.state.index()] {
                self.consider_expiry(expiry, &mut consider);
            }
        }
        earliest
    }

    /// Offers `consider` the instants at which `expiry` can flip.
    fn consider_expiry(&self, expiry: &Expiry, consider: &mut impl FnMut(Timestamp)) {
        match expiry {
            // `within d` includes its last instant: it turns false 1 ms after it.
            Expiry::SignalWithin(signal, window) => {
                if let Some(at) = self.live.seen[signal.index()].at {
                    consider(at.plus(*window).plus(MILLISECOND));
                }
            }
            Expiry::PredicateWithin(predicate, window) => {
                if let Some(at) = self.live.matched[*predicate].at {
                    consider(at.plus(*window).plus(MILLISECOND));
                }
            }
            Expiry::Calendar(calendar) => {
                if let Some(at) = self.calendar(*calendar).next_change(self.live.now) {
                    consider(at);
                }
            }
            Expiry::Since(signal, threshold) => {
                if let (Some(at), Some(seconds)) =
                    (self.live.seen[signal.index()].at, self.number(threshold))
                    && seconds.is_finite()
                    && seconds >= 0.0
                {
                    // On the millisecond clock, `>=`, `<` and `==` flip when the
                    // threshold is reached, `>`, `<=` and `!=` one millisecond later:
                    // waking at both serves every operator.
                    let reached = at.plus(Duration::from_millis((seconds * 1000.0).ceil() as u64));
                    consider(reached);
                    consider(reached.plus(MILLISECOND));
                }
            }
        }
    }
}
