//! A playbook's tracks behave as separate playbooks: when no guard reads another track's
//! state and no transition leaves the state that holds them, each track's events are those of
//! a playbook made of that track alone, fed the same signals.

use crisis_playbook::{Event, EventKind, Observation, Playbook, Run, Timestamp};
use proptest::prelude::*;

/// One generated transition: to another state of the track, on a manual signal, a count
/// threshold, or a timer, with an optional `for`.
#[derive(Clone, Debug)]
struct Edge {
    to: usize,
    guard: usize,
    minutes: u64,
}

/// One generated state: its transitions, an optional action with a deadline (recurring or
/// not) and an optional ladder.
#[derive(Clone, Debug)]
struct GenState {
    edges: Vec<Edge>,
    action: Option<(u64, bool)>,
    ladder: Option<u64>,
}

type GenTrack = Vec<GenState>;

const HEAD: &str = "version: 1\ntitle: P\nsignals:\n  a: { kind: manual }\n  b: { kind: manual }\n  ack: { kind: manual }\n  n: { kind: count }\nmetrics:\n  rate: { count: n, window: 30m }\nroles: [lead]\n";

/// The states of `track` as YAML, indented by `indent`, with `to:` names as written.
fn states_yaml(track: &GenTrack, indent: &str) -> String {
    let mut out = String::new();
    for (i, state) in track.iter().enumerate() {
        out.push_str(&format!("{indent}s{i}:\n"));
        if let Some((within, recurs)) = state.action {
            let every = if recurs {
                format!(", every: {within}m")
            } else {
                String::new()
            };
            out.push_str(&format!(
                "{indent}  enter: [{{ do: act{i}, owner: lead, within: {within}m{every}, say: Act }}]\n"
            ));
        }
        if let Some(after) = state.ladder {
            out.push_str(&format!(
                "{indent}  escalate: {{ unless: ack, steps: [{{ to: lead, after: {after}m }}] }}\n"
            ));
        }
        if !state.edges.is_empty() {
            out.push_str(&format!("{indent}  on:\n"));
        }
        for edge in &state.edges {
            let to = edge.to;
            let rule = match edge.guard {
                0 => "when: a".to_string(),
                1 => "when: b".to_string(),
                2 => format!("when: rate >= {}", edge.minutes % 7 + 1),
                3 => format!("when: rate < 3, for: {}m", edge.minutes),
                _ => format!("after: {}m", edge.minutes),
            };
            out.push_str(&format!("{indent}    - {{ to: s{to}, {rule} }}\n"));
        }
    }
    out
}

fn with_tracks(tracks: &[GenTrack]) -> String {
    let mut out = format!("playbook: together\n{HEAD}initial: p\nstates:\n  p:\n    tracks:\n");
    for (k, track) in tracks.iter().enumerate() {
        out.push_str(&format!(
            "      t{k}:\n        initial: s0\n        states:\n"
        ));
        out.push_str(&states_yaml(track, "          "));
    }
    out
}

fn alone(track: &GenTrack) -> String {
    format!(
        "playbook: alone\n{HEAD}initial: s0\nstates:\n{}",
        states_yaml(track, "  ")
    )
}

fn edge(states: usize) -> impl Strategy<Value = Edge> {
    (0..states, 0..5usize, 5..180u64).prop_map(|(to, guard, minutes)| Edge { to, guard, minutes })
}

fn track() -> impl Strategy<Value = GenTrack> {
    (2..4usize).prop_flat_map(|count| {
        prop::collection::vec(
            (
                prop::collection::vec(edge(count), 0..3),
                prop::option::of((10..240u64, any::<bool>())),
                prop::option::of(0..120u64),
            )
                .prop_map(|(edges, action, ladder)| GenState {
                    edges,
                    action,
                    ladder,
                }),
            count,
        )
        .prop_map(|mut states| {
            // No transition from a state to itself: it would loop at one instant.
            for (i, state) in states.iter_mut().enumerate() {
                state.edges.retain(|e| e.to != i);
            }
            states
        })
    })
}

/// A signal: minutes after the previous one, and which (0: a, 1: b, 2: ack, 3+: n counts).
fn inputs() -> impl Strategy<Value = Vec<(u64, usize, f64)>> {
    prop::collection::vec((1..60u64, 0..6usize, 0.0..5.0f64), 0..40)
}

/// The events a run emits for the states named `prefix…`, named without the prefix, with
/// what depends on the other tracks (the run's severity) left out.
fn events_of(events: &[Event], prefix: &str) -> Vec<String> {
    let strip = |name: &str| name.strip_prefix(prefix).map(str::to_string);
    events
        .iter()
        .filter_map(|event| {
            let line = match &event.kind {
                EventKind::Transition {
                    from, to, cause, ..
                } => {
                    format!("transition {} -> {} {cause:?}", strip(from)?, strip(to)?)
                }
                EventKind::Action {
                    state,
                    action,
                    due,
                    occurrence,
                    missed,
                    ..
                } => {
                    format!(
                        "action {} {action} {due:?} {occurrence} {missed}",
                        strip(state)?
                    )
                }
                EventKind::Escalation {
                    state, step, cycle, ..
                } => {
                    format!("escalation {} {step} {cycle}", strip(state)?)
                }
                EventKind::Breach {
                    state, action, due, ..
                } => {
                    format!("breach {} {action} {due}", strip(state)?)
                }
                EventKind::Closed { state, action } => format!("closed {} {action}", strip(state)?),
                _ => return None,
            };
            Some(format!("{} {line}", event.at))
        })
        .collect()
}

fn drive(playbook: &Playbook, inputs: &[(u64, usize, f64)]) -> Vec<Event> {
    let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let mut run = Run::start(playbook, start);
    let mut all = run.events().to_vec();
    let mut at = start;
    for (minutes, which, value) in inputs {
        at = at + crisis_playbook::Duration::from_secs(minutes * 60);
        let name = ["a", "b", "ack"].get(*which).copied().unwrap_or("n");
        let signal = playbook.signal_named(name).unwrap();
        let observation = match name {
            "n" => Observation::count(signal, at, value.floor()),
            _ => Observation::manual(signal, at, "lead"),
        };
        all.extend(run.observe(observation).unwrap().iter().cloned());
    }
    all.extend(
        run.advance_to(at + crisis_playbook::Duration::from_secs(12 * 3600))
            .iter()
            .cloned(),
    );
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn each_track_runs_as_its_own_playbook(
        tracks in prop::collection::vec(track(), 1..4),
        inputs in inputs(),
    ) {
        // A generated loop of instant transitions is refused by the loader: skip those.
        let Ok(together) = Playbook::from_yaml_str(&with_tracks(&tracks)) else {
            return Ok(());
        };
        let events = drive(&together, &inputs);
        for (k, track) in tracks.iter().enumerate() {
            let alone = Playbook::from_yaml_str(&alone(track)).unwrap();
            let expected = events_of(&drive(&alone, &inputs), "");
            let actual = events_of(&events, &format!("t{k}."));
            prop_assert_eq!(actual, expected, "track t{}", k);
        }
    }
}
