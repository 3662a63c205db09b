//! Helpers shared by the runtime tests: a clock in minutes and compact event descriptions.
#![allow(dead_code)]

use crisis_playbook::{
    AttributeValue, Duration, Event, EventKind, Observation, Playbook, Run, RunError, Timestamp,
};

pub const START: &str = "2026-03-02T00:00:00Z";

/// The instant `minutes` after the start.
pub fn at(minutes: u64) -> Timestamp {
    START.parse::<Timestamp>().unwrap() + Duration::from_secs(minutes * 60)
}

pub fn playbook(text: &str) -> Playbook {
    Playbook::from_yaml_str(text).unwrap_or_else(|e| panic!("{e}"))
}

/// One word per event: `transition:a->b`, `action:id`, `escalation:role`, `breach:id`…
pub fn describe(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Transition { from, to, .. } => format!("transition:{from}->{to}"),
            EventKind::Action {
                action, occurrence, ..
            } if *occurrence > 1 => {
                format!("action:{action}#{occurrence}")
            }
            EventKind::Action { action, .. } => format!("action:{action}"),
            EventKind::Escalation {
                to, level, cycle, ..
            } => match (to, level) {
                (Some(role), _) if *cycle > 0 => format!("escalation:{role}@{cycle}"),
                (Some(role), _) => format!("escalation:{role}"),
                (None, level) => format!("escalation:level{}", level.unwrap_or(0)),
            },
            EventKind::Breach { action, .. } => format!("breach:{action}"),
            EventKind::Input {
                signal,
                stopped_escalation,
                ..
            } => {
                format!(
                    "input:{signal}{}",
                    if *stopped_escalation { ":stopped" } else { "" }
                )
            }
            EventKind::Done { action, .. } => format!("done:{action}"),
            EventKind::Closed { action, .. } => format!("closed:{action}"),
            EventKind::Resolved { state } => format!("resolved:{state}"),
            other => other.name().to_string(),
        })
        .collect()
}

/// Describes events with their minute since the start.
pub fn timeline(events: &[Event]) -> Vec<String> {
    let start: Timestamp = START.parse().unwrap();
    describe(events)
        .into_iter()
        .zip(events)
        .map(|(text, e)| format!("{}m {text}", (e.at - start).as_secs() / 60))
        .collect()
}

pub fn number(
    run: &mut Run,
    signal: &str,
    minutes: u64,
    value: f64,
) -> Result<Vec<Event>, RunError> {
    let id = run.playbook().signal_named(signal).unwrap();
    run.observe(Observation::number(id, at(minutes), value))
        .map(<[Event]>::to_vec)
}

pub fn event(
    run: &mut Run,
    signal: &str,
    minutes: u64,
    attrs: &[(&str, AttributeValue<'_>)],
) -> Vec<Event> {
    let id = run.playbook().signal_named(signal).unwrap();
    run.observe(Observation::event(id, at(minutes), attrs))
        .unwrap()
        .to_vec()
}

pub fn manual(run: &mut Run, signal: &str, minutes: u64, by: &str) -> Vec<Event> {
    let id = run.playbook().signal_named(signal).unwrap();
    run.observe(Observation::manual(id, at(minutes), by))
        .unwrap()
        .to_vec()
}

pub fn advance(run: &mut Run, minutes: u64) -> Vec<Event> {
    run.advance_to(at(minutes)).to_vec()
}
