//! Snapshots: everything a run needs to continue identically after a restart, pending `for`
//! windows, timers and escalation clocks included.

use serde::{Deserialize, Serialize};

use super::{Live, Run, RunError};
use crate::model::{Playbook, RunLayout};
use crate::{Duration, ParameterValue, Timer, Timestamp};

/// The snapshot format this version writes. It reads this one, version 2, whose spike metrics
/// kept a baseline total rather than daily peaks (they restart their peaks, and are undefined
/// for a day), and version 1, which also had no layout and restored only against the very same
/// playbook.
pub const SNAPSHOT_VERSION: u32 = 3;

/// A serializable copy of a run's state.
///
/// A restored run continues to the bit as the original would, so every number must survive
/// the trip: this crate turns on serde_json's `float_roundtrip` feature (without it, JSON
/// parsing can be one unit in the last place off), and another format must parse floats
/// exactly too.
///
/// ```
/// use crisis_playbook::{Playbook, Run, Snapshot};
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let run = Run::start(&playbook, "2026-03-02T08:00:00Z".parse()?);
/// let json = serde_json::to_string(&run.snapshot())?;
/// let restored = Run::restore(&playbook, serde_json::from_str::<Snapshot>(&json)?)?;
/// assert_eq!(restored.state_name(), run.state_name());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    version: u32,
    playbook: String,
    fingerprint: String,
    /// What the stored run depends on, part by part: a snapshot restores against any version
    /// of its playbook with the same layout.
    #[serde(default)]
    layout: RunLayout,
    run: Live,
    /// The calendars the run counted working time in, by name, so that a restore under
    /// changed calendars recounts what was left of each deadline from the restore time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    calendars: Vec<(String, crate::Calendar)>,
}

/// Why a snapshot cannot be restored; callers see it as a [`RunError`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SnapshotError {
    /// Written by another format version.
    #[error(
        "snapshot format version {found} is not supported (this version reads 1 to {SNAPSHOT_VERSION})"
    )]
    Version {
        /// The version found.
        found: u32,
    },
    /// Taken from a run of another playbook, or of another version of it.
    #[error(
        "snapshot belongs to playbook `{playbook}` with fingerprint {found}, not to `{expected_playbook}` with fingerprint {expected}"
    )]
    OtherPlaybook {
        /// The snapshot's playbook id.
        playbook: String,
        /// The snapshot's fingerprint.
        found: String,
        /// The playbook given.
        expected_playbook: String,
        /// Its fingerprint.
        expected: String,
    },
    /// Taken under another version of the same playbook that changed what a stored run
    /// depends on.
    #[error(
        "snapshot was taken under another version of playbook `{playbook}`: {} changed; texts, descriptions and parameter values may change between restores, but states, signals, metrics, conditions and timers may not",
        changed.join(", ")
    )]
    Changed {
        /// The playbook's id.
        playbook: String,
        /// The parts that changed: `signals`, `metrics`, `state `crisis``…
        changed: Vec<String>,
    },
    /// Its contents do not fit the playbook: edited or corrupted.
    #[error("snapshot is inconsistent: {0}")]
    Inconsistent(String),
}

impl Run {
    /// A copy of the run's state, to store and restore later.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let run = Run::start(&playbook, start);
    /// let json = serde_json::to_string(&run.snapshot())?;
    /// assert!(json.contains("\"playbook\":\"negative-comment-storm\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: SNAPSHOT_VERSION,
            playbook: self.playbook.id().to_string(),
            fingerprint: self.playbook.fingerprint().to_string(),
            layout: self.playbook.layout().clone(),
            run: self.live.clone(),
            calendars: (0..self.playbook.calendars().len())
                .map(|i| {
                    let id = crate::CalendarId::from_index(i);
                    (
                        self.playbook.calendar_name(id).to_string(),
                        self.calendar(id).clone(),
                    )
                })
                .collect(),
        }
    }

    /// Rebuilds a run from a snapshot of a run of this same playbook.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, EventKind, Observation, Playbook, Run, Timestamp};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// let events = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
    /// let restored = Run::restore(&playbook, run.snapshot())?;
    /// assert_eq!(restored.state_name(), "crisis");
    /// assert_eq!(restored.open_actions().count(), run.open_actions().count());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn restore(playbook: &Playbook, snapshot: Snapshot) -> Result<Run, RunError> {
        if !(1..=SNAPSHOT_VERSION).contains(&snapshot.version) {
            return Err(RunError::from(SnapshotError::Version {
                found: snapshot.version,
            }));
        }
        let fingerprint = playbook.fingerprint().to_string();
        // Version 1 has no layout: only the very same playbook will do.
        let same_layout = if snapshot.version == 1 {
            snapshot.fingerprint == fingerprint
        } else {
            snapshot.layout == *playbook.layout()
        };
        if snapshot.playbook != playbook.id() || (snapshot.version == 1 && !same_layout) {
            return Err(RunError::from(SnapshotError::OtherPlaybook {
                playbook: snapshot.playbook,
                found: snapshot.fingerprint,
                expected_playbook: playbook.id().to_string(),
                expected: fingerprint,
            }));
        }
        if !same_layout {
            return Err(RunError::from(SnapshotError::Changed {
                playbook: snapshot.playbook,
                changed: playbook
                    .layout()
                    .changes_from(&snapshot.layout)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            }));
        }
        let mut live = snapshot.run;
        if snapshot.version <= 2 {
            for (state, metric) in live.metrics.iter_mut().zip(playbook.metrics()) {
                state.upgrade_from_version_2(metric, live.now);
            }
        }
        // Inhibition rules are not part of the layout: a version that adds or removes one
        // restores its runs with no rule applying, and the run set holding them applies each
        // again at the next step.
        if live.inhibitions.len() != playbook.inhibitions().len() {
            live.inhibitions = vec![None; playbook.inhibitions().len()];
        }
        check_consistent(playbook, &live).map_err(SnapshotError::Inconsistent)?;
        // The playbook's calendars as they are now, moved or replaced as the run's settings
        // said: a run restored under changed calendars continues under the new ones.
        let calendars =
            super::settings::run_calendars(playbook, live.time_zone.as_deref(), &live.calendars)
                .map_err(|e| SnapshotError::Inconsistent(e.to_string()))?;
        let mut run = Run {
            playbook: playbook.clone(),
            horizon: crate::metrics::Horizon::of(&live.metrics),
            live,
            events: Vec::new(),
            sources: Vec::new(),
            calendars,
        };
        run.recount_working_time(&snapshot.calendars);
        if !run.cooldowns_are_possible() {
            return Err(RunError::from(SnapshotError::Inconsistent(
                "the cool-down clocks do not match the playbook's states".to_string(),
            )));
        }
        Ok(run)
    }
}

impl Run {
    /// After a restore, the deadlines and next occurrences counted in a calendar that changed
    /// since the snapshot (`before` holds the calendars then, by name): what was left of each
    /// at the restore time, in the old calendar's working time, counts on in the new one from
    /// the restore time. Unchanged calendars change nothing.
    fn recount_working_time(&mut self, before: &[(String, crate::Calendar)]) {
        let now = self.live.now;
        let playbook = self.playbook.clone();
        let changed = |run: &Run, timer: Option<crate::Timer>| {
            let id = timer?.calendar?;
            let name = playbook.calendar_name(id);
            let (_, old) = before.iter().find(|(n, _)| n == name)?;
            (old != run.calendar(id)).then(|| (id, old.clone()))
        };
        for index in 0..self.live.open.len() {
            let open = self.live.open[index];
            let action = &playbook.state(open.state).actions[open.action as usize];
            if let (false, Some(due), Some((id, old))) =
                (open.breached, open.due, changed(self, action.within))
            {
                let left = old.working_time_between(now, due);
                self.live.open[index].due = self.calendar(id).after_working_time(now, left);
            }
        }
        for p in 0..self.live.place_count() {
            let state = playbook.state(self.live.place(p).state);
            for (index, action) in state.actions.iter().enumerate() {
                let next = self.live.place(p).recurrences[index].next;
                if let (Some(next), Some((id, old))) = (next, changed(self, action.every)) {
                    let left = old.working_time_between(now, next);
                    let calendar = self.calendar(id);
                    let due = calendar.after_working_time(now, left);
                    // Sent while open, as every occurrence is.
                    let next = match due {
                        Some(due) if !calendar.is_open(due) => calendar.next_change(due),
                        due => due,
                    };
                    self.live.place_mut(p).recurrences[index].next = next;
                }
            }
        }
    }
}

/// That each of `count` actions (`open` or `deferred` ones) exists, and that there are no more
/// than the playbook has.
fn check_actions(
    playbook: &Playbook,
    what: &str,
    actions: impl Iterator<Item = (crate::StateId, u32)>,
    count: usize,
) -> Result<(), String> {
    if count > playbook.plan().total_actions {
        return Err(format!("more {what} actions than the playbook has actions"));
    }
    for (state, action) in actions {
        let exists = playbook
            .states()
            .get(state.index())
            .is_some_and(|written| (action as usize) < written.actions.len());
        if !exists {
            return Err(format!(
                "{what} action {action} of state {} does not exist",
                state.index()
            ));
        }
    }
    Ok(())
}

/// Every index and size a run relies on, so that a tampered snapshot is refused rather than
/// causing a panic later.
fn check_consistent(playbook: &Playbook, s: &Live) -> Result<(), String> {
    let expect = |what: &str, found: usize, wanted: usize| {
        if found == wanted {
            Ok(())
        } else {
            Err(format!(
                "{what} has {found} entries, the playbook needs {wanted}"
            ))
        }
    };
    expect(
        "parameters",
        s.parameters.len(),
        playbook.parameters().len(),
    )?;
    expect("metrics", s.metrics.len(), playbook.metrics().len())?;
    expect("latest", s.latest.len(), playbook.signals().len())?;
    expect("seen", s.seen.len(), playbook.signals().len())?;
    expect(
        "matched",
        s.matched.len(),
        playbook.model().predicates.len(),
    )?;
    check_places(playbook, s)?;
    let held = s.deferred.iter().map(|h| (h.state, h.action));
    check_actions(playbook, "deferred", held, s.deferred.len())?;
    let open = s.open.iter().map(|o| (o.state, o.action));
    check_actions(playbook, "open", open, s.open.len())?;
    for (metric, state) in playbook.metrics().iter().zip(&s.metrics) {
        if !state.fits(metric) {
            return Err(format!("metric `{}` has the wrong shape", metric.name));
        }
        if !state.is_consistent(metric, s.now) {
            return Err(format!(
                "metric `{}` holds values that no signals could have made",
                metric.name
            ));
        }
    }
    for (parameter, value) in playbook.parameters().iter().zip(&s.parameters) {
        if !parameter.allows(*value) {
            return Err(format!(
                "parameter `{}` is {}, outside its bounds {}",
                parameter.name,
                ParameterValue::from_f64(parameter.kind, *value),
                parameter.bounds_text()
            ));
        }
    }
    expect(
        "kept values",
        s.kept.len(),
        playbook.model().kept_attributes.len(),
    )?;
    if s.kept.iter().flatten().any(|k| !k.is_possible(s.now)) {
        return Err("a kept attribute value is not one an event could have left".to_string());
    }
    let mut latest = s.latest.iter().flatten();
    if latest.any(|v| !v.is_finite() || v.abs() > crate::MAX_SIGNAL_VALUE) {
        return Err("a signal's latest value is not one a signal may carry".to_string());
    }
    let mut seen = s.seen.iter().chain(&s.matched);
    if seen.any(|seen| seen.seq > s.seq || seen.at.is_some_and(|at| at > s.now)) {
        return Err("a signal was seen after the run's clock".to_string());
    }
    check_timers(playbook, s)
}

/// The places the run is in: the top level, then exactly the tracks of its state, each in one
/// of its own states, with sizes, times and sequence numbers a run could have.
fn check_places(playbook: &Playbook, s: &Live) -> Result<(), String> {
    let plan = playbook.plan();
    for place in s.places() {
        if place.pending.len() != plan.max_transitions
            || place.recurrences.len() != plan.max_actions
        {
            return Err(format!(
                "a place has {} pending and {} recurrences, the playbook needs {} and {}",
                place.pending.len(),
                place.recurrences.len(),
                plan.max_transitions,
                plan.max_actions
            ));
        }
        if place.state.index() >= playbook.states().len() {
            return Err(format!("state {} does not exist", place.state.index()));
        }
        if s.started > place.entered_at || place.entered_at > s.now || place.entered_seq > s.seq {
            return Err("times or sequence numbers are out of order".to_string());
        }
    }
    let top = playbook.state(s.top.state);
    if top.track.is_some() {
        return Err(format!(
            "`{}` is a track's state, not a top-level one",
            top.name
        ));
    }
    let in_tracks = s
        .tracks
        .iter()
        .map(|place| playbook.state(place.state).track);
    if !in_tracks.eq(top.tracks.iter().map(|track| Some(*track))) {
        return Err(format!(
            "the tracks' states are not one state of each track of `{}`",
            top.name
        ));
    }
    Ok(())
}

/// Every timer the run keeps lies where processing the instant `now` leaves it: after `now`
/// when still to fire. A timer left far behind the clock would fire once per missed period at
/// the next signal.
fn check_timers(playbook: &Playbook, s: &Live) -> Result<(), String> {
    let top = playbook.state(s.top.state);
    if s.ended != top.is_final {
        return Err(format!(
            "the run is {} in state `{}`, which is {}",
            if s.ended { "ended" } else { "not ended" },
            top.name,
            if top.is_final { "final" } else { "not final" }
        ));
    }
    for place in s.places() {
        check_place_timers(playbook, s, place)?;
    }
    let mut opened = std::collections::BTreeSet::new();
    for open in &s.open {
        let action = &playbook.state(open.state).actions[open.action as usize];
        let latest_due = action.within.map(|within| latest(s.now, within, playbook));
        let due_fits = match (open.due, latest_due) {
            (None, None) => true,
            (Some(due), Some(latest)) => due <= latest && (open.breached || due > s.now),
            _ => false,
        };
        if !due_fits
            || (open.awaiting_clock && action.from.is_none())
            || !opened.insert((open.state, open.action))
        {
            return Err(format!(
                "open action `{}` has a deadline it could not have",
                action.id
            ));
        }
        // Only to the role of its own out-of-hours route: any other would be a role the
        // playbook may not have, named when the action is.
        if let Some(role) = open.routed_to.role()
            && action.out_of_hours.is_none_or(|route| route.role != role)
        {
            return Err(format!(
                "open action `{}` went to a role it has no route to",
                action.id
            ));
        }
    }
    Ok(())
}

/// The clocks of one place fit its state: `for` windows of its transitions, the next
/// occurrences of its recurring actions, a position on its ladder.
fn check_place_timers(playbook: &Playbook, s: &Live, place: &super::Place) -> Result<(), String> {
    let state = playbook.state(place.state);
    for (index, pending) in place.pending.iter().enumerate() {
        let holds = state
            .transitions
            .get(index)
            .is_some_and(|t| t.hold.is_some());
        let fits = match pending {
            None => true,
            Some(since) => holds && *since >= place.entered_at && *since <= s.now,
        };
        if !fits {
            return Err(format!(
                "pending[{index}] is not a `for` window of state `{}`",
                state.name
            ));
        }
    }
    for (index, recurrence) in place.recurrences.iter().enumerate() {
        let every = state.actions.get(index).and_then(|a| a.every);
        let fits = match (recurrence.next, every) {
            (None, _) => true,
            (Some(next), Some(every)) => next > s.now && next <= latest(s.now, every, playbook),
            (Some(_), None) => false,
        };
        if !fits {
            return Err(format!(
                "recurrences[{index}] is not the next occurrence of a recurring action of state `{}`",
                state.name
            ));
        }
    }
    if let Some(position) = place.ladder {
        let (steps, repeats) = state.escalation.as_ref().map_or((0, 0), |ladder| {
            (ladder.steps.len(), ladder.repeat.map_or(0, |r| r.times))
        });
        if state.is_final || position.step as usize >= steps || position.cycle > repeats {
            return Err("the escalation position is past the ladder".to_string());
        }
    }
    Ok(())
}

/// The latest instant a timer started by `now` can end. A parameter's value may change
/// between restores within its bounds, so a timer started under the old value is judged by
/// the longest value the parameter allows.
fn latest(now: Timestamp, timer: Timer, playbook: &Playbook) -> Timestamp {
    // Working time can end any time later: a calendar may close for months.
    let longest = timer
        .range(playbook.parameters())
        .1
        .filter(|_| timer.calendar.is_none());
    now.plus(longest.unwrap_or(Duration::from_millis(u64::MAX)))
}
