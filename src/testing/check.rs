//! Expectations, and how a timeline meets or fails them.

use crate::{Duration, Event, EventKind, ParameterValue, Timestamp, timeline::format_event};

use super::Replay;

/// When an expectation applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum When {
    At(Timestamp),
    Between(Timestamp, Timestamp),
    Always,
}

/// An expected deadline: so long after the action is recommended, or at a time (one counted
/// in working time is easier to write as the time it lands on).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Due {
    After(Duration),
    At(crate::Timestamp),
}

/// What an expectation looks for in a timeline.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Matcher {
    State(String),
    Transition {
        to: String,
        from: Option<String>,
    },
    Action {
        id: String,
        owner: Option<String>,
        due: Option<Due>,
        text: Option<String>,
    },
    Escalation {
        role: Option<String>,
        level: Option<u32>,
        text: Option<String>,
    },
    Breach(String),
    Cooldown(String),
    /// An action an inhibition mutes.
    Muted(String),
    /// An action an inhibition defers.
    Deferred(String),
    /// A hand-over to this playbook, starting in this state if given, giving at least these
    /// parameters.
    HandOver {
        playbook: String,
        starts_in: Option<String>,
        parameters: Vec<(String, ParameterValue)>,
    },
    /// An inhibition by this playbook begins.
    Inhibited(String),
    /// An inhibition by this playbook ends.
    InhibitionLifted(String),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expect {
    Occurs(Matcher),
    Never(Matcher),
    Final(String),
}

/// One expectation of a scenario.
///
/// ```
/// # use crisis_playbook::testing;
/// # use std::path::{Path, PathBuf};
/// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
/// let scenario = &scenarios[0];
/// let timeline = scenario.replay_on(&scenario.playbook)?;
/// assert!(scenario.checks.iter().all(|check| check.verify(&timeline).is_none()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Its line in the scenario file.
    pub line: u32,
    pub(crate) expect: Expect,
    pub(crate) when: When,
}

/// An expectation the timeline did not meet: what was expected, what happened, and the
/// timeline around the moment that matters.
///
/// ```
/// # use crisis_playbook::testing;
/// # use std::path::Path;
/// let text = "scenario: x\nplaybook: negative-comment-storm.yaml\nstart: 2026-03-02T00:00:00Z\nstep: 5m\nsignals: { mentions: 20x3 }\nexpect: [{ final: crisis }]\n";
/// let scenario = &testing::load_text(text, "x.yaml", Path::new("playbooks"))?[0];
/// let failure = &scenario.run().failures[0];
/// assert_eq!(failure.expected, "final state `crisis`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Failure {
    /// The expectation's line in the scenario file.
    pub line: u32,
    /// What was expected, in words.
    pub expected: String,
    /// What happened instead.
    pub actual: String,
    /// Timeline lines around the moment that matters.
    pub nearby: Vec<String>,
}

impl Check {
    pub(crate) fn new(line: u32, expect: Expect, when: When) -> Check {
        Check { line, expect, when }
    }

    /// The interval the check looks at, in the timeline's bounds.
    fn window(&self, timeline: &Replay) -> (Timestamp, Timestamp) {
        match self.when {
            When::At(at) => (at, at),
            When::Between(from, to) => (from, to),
            When::Always => (timeline.start, timeline.end),
        }
    }

    fn describe_when(&self, timeline: &Replay) -> String {
        match self.when {
            When::At(at) => format!("at {at} (+{})", at - timeline.start),
            When::Between(from, to) => format!(
                "between {from} (+{}) and {to} (+{})",
                from - timeline.start,
                to - timeline.start
            ),
            When::Always => "during the run".to_string(),
        }
    }

    /// `None` when the timeline meets the expectation.
    ///
    /// ```
    /// # use crisis_playbook::testing;
    /// # use std::path::{Path, PathBuf};
    /// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
    /// let scenario = &scenarios[0];
    /// let timeline = scenario.replay_on(&scenario.playbook)?;
    /// assert!(scenario.checks[0].verify(&timeline).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(&self, timeline: &Replay) -> Option<Failure> {
        let (from, to) = self.window(timeline);
        let (expected, actual, around) = match &self.expect {
            Expect::Final(state) => {
                if timeline.states_at(timeline.end).contains(&state.as_str()) {
                    return None;
                }
                (
                    format!("final state `{state}`"),
                    format!(
                        "the run ends in {} at {}",
                        in_states(timeline, timeline.end),
                        timeline.end
                    ),
                    timeline.end,
                )
            }
            Expect::Occurs(Matcher::State(state)) if matches!(self.when, When::At(_)) => {
                if timeline.states_at(from).contains(&state.as_str()) {
                    return None;
                }
                (
                    format!("state `{state}` {}", self.describe_when(timeline)),
                    format!("state {}", in_states(timeline, from)),
                    from,
                )
            }
            Expect::Occurs(matcher) => {
                if occurs(matcher, timeline, from, to) {
                    return None;
                }
                let elsewhere: Vec<&Event> = timeline
                    .events
                    .iter()
                    .filter(|e| matches(matcher, e))
                    .take(3)
                    .collect();
                let actual = if elsewhere.is_empty() {
                    match (matcher, near_misses(matcher, timeline, from, to)) {
                        (Matcher::State(_), _) => format!(
                            "the run stays out of it; it is in {} at {from}",
                            in_states(timeline, from)
                        ),
                        (_, near) if !near.is_empty() => {
                            let near: Vec<String> = near.iter().map(|e| format_event(e)).collect();
                            format!("none like it; nearest: {}", near.join(" | "))
                        }
                        _ => "none in the whole run".to_string(),
                    }
                } else {
                    let times: Vec<String> = elsewhere.iter().map(|e| format_event(e)).collect();
                    format!("none there; elsewhere: {}", times.join(" | "))
                };
                (
                    format!("{} {}", describe(matcher), self.describe_when(timeline)),
                    actual,
                    from,
                )
            }
            Expect::Never(matcher) => {
                let offending = match matcher {
                    Matcher::State(state) if timeline.states_at(from).contains(&state.as_str()) => {
                        Some(None)
                    }
                    _ => timeline
                        .events
                        .iter()
                        .find(|e| e.at >= from && e.at <= to && matches(matcher, e))
                        .map(Some),
                };
                let offending = offending?;
                let (actual, around) = match offending {
                    Some(event) => (format_event(event), event.at),
                    None => (format!("already in it at {from}"), from),
                };
                (
                    format!(
                        "never {} {}",
                        describe(matcher),
                        self.describe_when(timeline)
                    ),
                    actual,
                    around,
                )
            }
        };
        Some(Failure {
            line: self.line,
            expected,
            actual,
            nearby: nearby(timeline, around),
        })
    }
}

/// The states the run is in at `at`, as a failure names them: `` `crisis` ``, or
/// `` `breach`, `legal.notifying` `` with tracks.
fn in_states(timeline: &Replay, at: Timestamp) -> String {
    timeline
        .states_at(at)
        .iter()
        .map(|state| format!("`{state}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `matcher` happens within [from, to].
fn occurs(matcher: &Matcher, timeline: &Replay, from: Timestamp, to: Timestamp) -> bool {
    if let Matcher::State(state) = matcher
        && timeline.states_at(from).contains(&state.as_str())
    {
        return true;
    }
    timeline
        .events
        .iter()
        .any(|e| e.at >= from && e.at <= to && matches(matcher, e))
}

fn contains(text: &str, wanted: &Option<String>) -> bool {
    wanted.as_ref().is_none_or(|w| text.contains(w.as_str()))
}

fn matches(matcher: &Matcher, event: &Event) -> bool {
    match (matcher, &event.kind) {
        (Matcher::State(state), EventKind::Transition { to, .. })
        | (Matcher::State(state), EventKind::TrackStarted { state: to, .. }) => to == state,
        (Matcher::Transition { to, from }, EventKind::Transition { to: t, from: f, .. }) => {
            t == to && from.as_ref().is_none_or(|from| from == f)
        }
        (
            Matcher::Action {
                id,
                owner,
                due,
                text,
            },
            EventKind::Action {
                action,
                owner: o,
                due: d,
                text: t,
                ..
            },
        ) => {
            action == id
                && owner.as_ref().is_none_or(|owner| owner == o)
                && due.is_none_or(|due| match due {
                    Due::After(length) => *d == Some(event.at + length),
                    Due::At(time) => *d == Some(time),
                })
                && contains(t, text)
        }
        (
            Matcher::Escalation { role, level, text },
            EventKind::Escalation {
                to,
                level: l,
                text: t,
                ..
            },
        ) => {
            role.as_ref().is_none_or(|role| to.as_ref() == Some(role))
                && level.is_none_or(|level| *l == Some(level))
                && contains(t.as_deref().unwrap_or(""), text)
        }
        (Matcher::Breach(id), EventKind::Breach { action, .. }) => action == id,
        (Matcher::Cooldown(name), EventKind::Cooldown { state, .. }) => state == name,
        (Matcher::Muted(id), EventKind::Muted(quieted))
        | (Matcher::Deferred(id), EventKind::Deferred(quieted)) => {
            quieted.action.as_ref() == Some(id)
        }
        (
            Matcher::HandOver {
                playbook,
                starts_in: state,
                parameters: given,
            },
            EventKind::HandOver {
                starts,
                starts_in,
                parameters,
                ..
            },
        ) => {
            starts == playbook
                && state.as_ref().is_none_or(|s| starts_in.as_ref() == Some(s))
                && given
                    .iter()
                    .all(|(name, value)| parameters.get(name) == Some(value))
        }
        (Matcher::Inhibited(id), EventKind::Inhibited { by: playbook, .. })
        | (Matcher::InhibitionLifted(id), EventKind::InhibitionLifted { by: playbook, .. }) => {
            playbook == id
        }
        _ => false,
    }
}

/// The events that match `matcher` but for its details (owner, deadline, text, origin): the
/// ones in the interval first, then the closest to it, up to three. A failure shows them, since
/// a wrong detail is the usual mistake.
fn near_misses<'t>(
    matcher: &Matcher,
    timeline: &'t Replay,
    from: Timestamp,
    to: Timestamp,
) -> Vec<&'t Event> {
    let loose = match matcher {
        Matcher::Action { id, .. } => Matcher::Action {
            id: id.clone(),
            owner: None,
            due: None,
            text: None,
        },
        Matcher::Escalation { .. } => Matcher::Escalation {
            role: None,
            level: None,
            text: None,
        },
        Matcher::Transition { to, from: Some(_) } => Matcher::Transition {
            to: to.clone(),
            from: None,
        },
        Matcher::HandOver { playbook, .. } => Matcher::HandOver {
            playbook: playbook.clone(),
            starts_in: None,
            parameters: Vec::new(),
        },
        _ => return Vec::new(),
    };
    let mut near: Vec<&Event> = timeline
        .events
        .iter()
        .filter(|e| matches(&loose, e))
        .collect();
    let distance = |e: &&Event| {
        if e.at < from { from - e.at } else { e.at - to }
    };
    near.sort_by_key(distance);
    near.truncate(3);
    near
}

fn describe(matcher: &Matcher) -> String {
    match matcher {
        Matcher::State(state) => format!("state `{state}`"),
        Matcher::Transition { to, from: None } => format!("a transition to `{to}`"),
        Matcher::Transition {
            to,
            from: Some(from),
        } => {
            format!("a transition from `{from}` to `{to}`")
        }
        Matcher::Action {
            id,
            owner,
            due,
            text,
        } => {
            let mut words = format!("action `{id}`");
            if let Some(owner) = owner {
                words.push_str(&format!(" owned by `{owner}`"));
            }
            match due {
                Some(Due::After(length)) => words.push_str(&format!(" due {length} later")),
                Some(Due::At(time)) => words.push_str(&format!(" due by {time}")),
                None => {}
            }
            if let Some(text) = text {
                words.push_str(&format!(" saying \"{text}\""));
            }
            words
        }
        Matcher::Escalation { role, level, text } => {
            let mut words = "an escalation".to_string();
            if let Some(role) = role {
                words.push_str(&format!(" to `{role}`"));
            }
            if let Some(level) = level {
                words.push_str(&format!(" to level {level}"));
            }
            if let Some(text) = text {
                words.push_str(&format!(" saying \"{text}\""));
            }
            words
        }
        Matcher::Breach(action) => format!("a breach of `{action}`"),
        Matcher::Cooldown(state) => format!("a silent entry into `{state}` in its cool-down"),
        Matcher::Muted(action) => format!("`{action}` muted by an inhibition"),
        Matcher::Deferred(action) => format!("`{action}` deferred by an inhibition"),
        Matcher::HandOver {
            playbook,
            starts_in,
            parameters,
        } => {
            let mut said = format!("a hand-over to playbook `{playbook}`");
            if let Some(state) = starts_in {
                said.push_str(&format!(", starting in `{state}`"));
            }
            if !parameters.is_empty() {
                let given: Vec<String> = parameters
                    .iter()
                    .map(|(name, value)| format!("{name} = {value}"))
                    .collect();
                said.push_str(&format!(", with {}", given.join(", ")));
            }
            said
        }
        Matcher::Inhibited(playbook) => format!("an inhibition by playbook `{playbook}`"),
        Matcher::InhibitionLifted(playbook) => {
            format!("the end of an inhibition by playbook `{playbook}`")
        }
    }
}

/// Up to four events on each side of `at`.
fn nearby(timeline: &Replay, at: Timestamp) -> Vec<String> {
    let split = timeline.events.partition_point(|e| e.at <= at);
    let first = split.saturating_sub(4);
    let (before, after) = timeline.events.split_at(split.min(timeline.events.len()));
    let mut lines: Vec<String> = before
        .get(first..)
        .unwrap_or_default()
        .iter()
        .map(format_event)
        .collect();
    lines.push(format!("{at}  --- here ---"));
    lines.extend(after.iter().take(4).map(format_event));
    lines
}
