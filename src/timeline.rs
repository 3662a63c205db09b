//! Timelines for people: one aligned line per event, and the states a run is in, followed
//! from its events.

use std::fmt::Write;

use crate::{Event, EventKind, InhibitionMode, Quieted, TimeZone};

/// The states a run is in, followed event by event: its top-level state and, while that state
/// has tracks, each running track's state. Reports and scenario checks read a stored timeline
/// with it.
///
/// ```
/// use crisis_playbook::{Event, EventKind, timeline::ActiveStates};
///
/// let at = "2026-03-02T08:00:00Z".parse()?;
/// let mut states = ActiveStates::new("monitoring");
/// let started = Event {
///     at,
///     kind: EventKind::TrackStarted { track: "legal".into(), state: "legal.notifying".into() },
/// };
/// assert_eq!(states.follow(&started), None);
/// assert_eq!(states.states().collect::<Vec<_>>(), ["monitoring", "legal.notifying"]);
/// # Ok::<(), crisis_playbook::TimestampError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActiveStates<'e> {
    top: &'e str,
    /// Each running track, with its current state, in the order the tracks started.
    tracks: Vec<(&'e str, &'e str)>,
}

impl<'e> ActiveStates<'e> {
    /// A run in its initial state.
    pub fn new(initial: &'e str) -> ActiveStates<'e> {
        ActiveStates {
            top: initial,
            tracks: Vec::new(),
        }
    }

    /// Follows one event. Returns the track a `transition` moved, if it moved a track rather
    /// than the top level. Leaving the state that holds the tracks ends them all, finished ones
    /// included.
    pub fn follow(&mut self, event: &'e Event) -> Option<&'e str> {
        match &event.kind {
            EventKind::TrackStarted { track, state } => {
                self.tracks.push((track, state));
                None
            }
            EventKind::TrackEnded {
                track,
                finished: false,
                ..
            } => {
                self.tracks.retain(|(t, _)| t != track);
                None
            }
            EventKind::StartedIn { state, .. } => {
                self.top = state;
                self.tracks.clear();
                None
            }
            EventKind::Transition { from, to, .. } => {
                match self.tracks.iter_mut().find(|(_, state)| state == from) {
                    Some((track, state)) => {
                        *state = to;
                        Some(track)
                    }
                    None => {
                        self.top = to;
                        self.tracks.clear();
                        None
                    }
                }
            }
            _ => None,
        }
    }

    /// The top-level state.
    pub fn top(&self) -> &'e str {
        self.top
    }

    /// Every state the run is in: the top-level one, then each running track's.
    pub fn states(&self) -> impl Iterator<Item = &'e str> + '_ {
        std::iter::once(self.top).chain(self.tracks.iter().map(|(_, state)| *state))
    }
}

/// One event as a line of text: time, kind, then what happened and why.
///
/// ```
/// use crisis_playbook::{Event, EventKind, timeline::format_event};
///
/// let event = Event {
///     at: "2026-03-02T09:40:00Z".parse()?,
///     kind: EventKind::Escalation {
///         state: "crisis".into(),
///         step: 0,
///         cycle: 0,
///         to: Some("comms_director".into()),
///         level: None,
///         text: None,
///     },
/// };
/// assert_eq!(format_event(&event), "2026-03-02T09:40:00Z  escalation  crisis: notify comms_director (step 1)");
/// # Ok::<(), crisis_playbook::TimestampError>(())
/// ```
pub fn format_event(event: &Event) -> String {
    format_event_at(event, None)
}

/// One event as a line of text, with the local time in `zone` beside the UTC time: what
/// `simulate` prints for a run with a time zone.
///
/// ```
/// use crisis_playbook::{Event, EventKind, TimeZone, timeline::format_event_local};
///
/// let event = Event {
///     at: "2026-03-06T18:10:00Z".parse()?,
///     kind: EventKind::Escalation {
///         state: "watch".into(),
///         step: 0,
///         cycle: 0,
///         to: Some("on_call".into()),
///         level: None,
///         text: None,
///     },
/// };
/// let paris = TimeZone::named("Europe/Paris")?;
/// assert_eq!(
///     format_event_local(&event, &paris),
///     "2026-03-06T18:10:00Z  Fri 19:10 +01:00  escalation  watch: notify on_call (step 1)"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn format_event_local(event: &Event, zone: &TimeZone) -> String {
    format_event_at(event, Some(zone))
}

fn format_event_at(event: &Event, zone: Option<&TimeZone>) -> String {
    let local = zone
        .map(|z| format!("  {}", z.wall_clock(event.at)))
        .unwrap_or_default();
    let mut line = format!("{}{local}  {:<10}  ", event.at, event.kind.name());
    let _ = match &event.kind {
        EventKind::Transition {
            from,
            to,
            severity,
            cause,
            group,
            ..
        } => {
            let _ = write!(line, "{from} -> {to} (severity {severity})");
            if let Some(group) = group {
                let _ = write!(line, " by group `{group}`");
            }
            let mut why: Vec<String> = cause
                .terms
                .iter()
                .filter(|t| t.holds)
                .map(|t| match (t.value, t.threshold) {
                    (Some(v), Some(th)) => format!("{} [{} vs {}]", t.test, round(v), round(th)),
                    _ => t.test.clone(),
                })
                .collect();
            if let Some(hold) = cause.hold {
                why.push(format!("held {hold}"));
            }
            if let Some(after) = cause.after {
                why.push(format!("after {after}"));
            }
            if why.is_empty() {
                Ok(())
            } else {
                write!(line, ": {}", why.join(", "))
            }
        }
        EventKind::Action {
            state,
            action,
            owner,
            due,
            text,
            occurrence,
            missed,
        } => {
            let _ = write!(line, "{state}: {action} -> {owner}");
            if let Some(due) = due {
                let _ = write!(line, ", due {due}");
            }
            if *occurrence > 1 {
                let _ = write!(line, " (#{occurrence})");
            }
            if *missed > 0 {
                let _ = write!(line, " ({missed} missed before it)");
            }
            write!(line, ": {text}")
        }
        EventKind::Escalation {
            state,
            step,
            cycle,
            to,
            level,
            text,
        } => {
            let target = match (to, level) {
                (Some(role), _) => role.clone(),
                (None, Some(level)) => format!("level {level}"),
                (None, None) => String::new(),
            };
            let _ = write!(
                line,
                "{state}: notify {target} (step {}",
                step.saturating_add(1)
            );
            if *cycle > 0 {
                let _ = write!(line, ", repeat {cycle}");
            }
            line.push(')');
            match text {
                Some(text) => write!(line, ": {text}"),
                None => Ok(()),
            }
        }
        EventKind::Breach {
            state,
            action,
            owner,
            due,
        } => write!(
            line,
            "{state}: {action} ({owner}) missed its deadline {due}"
        ),
        EventKind::DeadlineMoved {
            state,
            action,
            owner,
            due,
            signal,
        } => write!(
            line,
            "{state}: {action} ({owner}) now due {due}, counted from {signal}"
        ),
        EventKind::Input {
            signal,
            by,
            stopped_escalation,
        } => {
            let _ = write!(line, "{signal} by {by}");
            if *stopped_escalation {
                line.push_str(": escalation stopped");
            }
            Ok(())
        }
        EventKind::Done { action, by } => write!(line, "{action} done by {by}"),
        EventKind::Closed { state, action } => {
            write!(line, "{state}: {action} closed on leaving the state")
        }
        EventKind::Resolved { state } => write!(line, "run ended in {state}"),
        EventKind::Cooldown { state, until } => write!(
            line,
            "{state}: entered again in its cool-down; actions and ladder not sent again (until {until})"
        ),
        EventKind::TrackStarted { track, state } => {
            write!(line, "track `{track}` started in {state}")
        }
        EventKind::TrackEnded {
            track,
            state,
            finished: true,
        } => write!(line, "track `{track}` finished in {state}"),
        EventKind::TrackEnded {
            track,
            state,
            finished: false,
        } => write!(
            line,
            "track `{track}` stopped in {state}: the run left the state that holds it"
        ),
        EventKind::HandOver {
            state,
            starts: playbook,
            starts_in,
            parameters,
        } => {
            let _ = write!(line, "{state}: hands over to playbook `{playbook}`");
            if let Some(starts_in) = starts_in {
                let _ = write!(line, ", starting in {starts_in}");
            }
            if !parameters.is_empty() {
                let given: Vec<String> = parameters
                    .iter()
                    .map(|(name, value)| format!("{name} = {value}"))
                    .collect();
                let _ = write!(line, " with {}", given.join(", "));
            }
            Ok(())
        }
        EventKind::StartedIn { state, severity } => write!(
            line,
            "started in {state} (severity {severity}), not in the playbook's initial state: a hand-over named it"
        ),
        EventKind::Inhibited {
            by,
            track,
            severity,
            below,
            mode,
        } => write!(
            line,
            "{} at severity {severity}: {} what states below severity {below} send",
            source(by, track.as_deref()),
            match mode {
                InhibitionMode::Mute => "muting",
                InhibitionMode::Defer => "deferring",
            }
        ),
        EventKind::InhibitionLifted { by, track } => write!(
            line,
            "{} fell below the rule's severity: inhibition lifted",
            source(by, track.as_deref())
        ),
        EventKind::Muted(quieted) => write!(line, "{}", quiet_line(quieted, "muted")),
        EventKind::Deferred(quieted) => write!(
            line,
            "{}, until the inhibition lifts",
            quiet_line(quieted, "deferred")
        ),
    };
    line
}

/// The playbook an inhibition names, with its track: "data-breach-or-recall (track legal)".
fn source(by: &str, track: Option<&str>) -> String {
    match track {
        Some(track) => format!("{by} (track {track})"),
        None => by.to_string(),
    }
}

/// "crisis: reply_publicly muted by data-breach-or-recall at severity 4".
fn quiet_line(quieted: &Quieted, verb: &str) -> String {
    let what = match (&quieted.action, quieted.step) {
        (Some(action), _) => action.clone(),
        (None, Some(step)) => format!("escalation step {}", step.saturating_add(1)),
        (None, None) => String::new(),
    };
    format!(
        "{}: {what} {verb} by {} at severity {}",
        quieted.state, quieted.by, quieted.severity
    )
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
