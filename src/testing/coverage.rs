//! Which states, transitions, actions and escalation steps a suite exercised, per playbook.
#![expect(
    clippy::indexing_slicing,
    reason = "ids come from the playbook whose coverage is counted"
)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;

use super::{Scenario, SuiteReport};
use crate::EventKind;

/// Covered and total items of one kind.
///
/// ```
/// # use std::path::PathBuf;
/// # use crisis_playbook::testing::{self, coverage::coverage};
/// let paths = [PathBuf::from("playbooks/service-outage-complaints")];
/// let scenarios = testing::load_paths(&paths)?;
/// let report = testing::run_paths(&paths, None)?;
/// let measured = coverage(&scenarios, &report);
/// assert_eq!((measured[0].states.covered, measured[0].states.total), (5, 5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Measure {
    /// Items exercised.
    pub covered: usize,
    /// Items in the playbook.
    pub total: usize,
}

impl Measure {
    /// Covered items as a percentage of the total (100 when there are none).
    ///
    /// ```
    /// # use std::path::PathBuf;
    /// # use crisis_playbook::testing::{self, coverage::coverage};
    /// let paths = [PathBuf::from("playbooks/service-outage-complaints")];
    /// let scenarios = testing::load_paths(&paths)?;
    /// let report = testing::run_paths(&paths, None)?;
    /// let measured = coverage(&scenarios, &report);
    /// assert_eq!(measured[0].transitions.percent(), 100.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.covered as f64 / self.total as f64
        }
    }

    /// Whether there is nothing to cover: a measure the playbook has no part for.
    ///
    /// ```
    /// # use std::path::PathBuf;
    /// # use crisis_playbook::testing::{self, coverage::coverage};
    /// let paths = [PathBuf::from("playbooks/service-outage-complaints")];
    /// let measured = coverage(&testing::load_paths(&paths)?, &testing::run_paths(&paths, None)?);
    /// assert!(measured[0].calendar_branches.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// A playbook's coverage by a suite.
///
/// ```
/// # use std::path::PathBuf;
/// # use crisis_playbook::testing::{self, coverage::coverage};
/// let paths = [PathBuf::from("playbooks/service-outage-complaints")];
/// let scenarios = testing::load_paths(&paths)?;
/// let report = testing::run_paths(&paths, None)?;
/// let measured = coverage(&scenarios, &report);
/// assert_eq!(measured[0].playbook, "service-outage-complaints");
/// assert_eq!(measured[0].escalation_steps.percent(), 100.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaybookCoverage {
    /// The playbook's id.
    pub playbook: String,
    /// Its file.
    pub file: PathBuf,
    /// States entered (the initial state counts).
    pub states: Measure,
    /// Transitions taken.
    pub transitions: Measure,
    /// Actions recommended.
    pub actions: Measure,
    /// Escalation steps fired.
    pub escalation_steps: Measure,
    /// The two branches of each out-of-hours route: the action or step sent while its
    /// calendar is open, and while it is closed. Left out when the playbook has none.
    #[serde(skip_serializing_if = "Measure::is_empty")]
    pub calendar_branches: Measure,
    /// The same measures for each track, in the order the playbook writes them; empty for a
    /// playbook without tracks.
    pub tracks: Vec<TrackCoverage>,
    /// What no scenario exercised, as YAML paths.
    pub missed: Vec<String>,
}

/// A track's coverage: its states, and the transitions, actions and escalation steps of its
/// states.
///
/// ```
/// # use std::path::PathBuf;
/// # use crisis_playbook::testing::{self, coverage::coverage};
/// let paths = [PathBuf::from("playbooks/data-breach-or-recall")];
/// let scenarios = testing::load_paths(&paths)?;
/// let report = testing::run_paths(&paths, None)?;
/// let legal = &coverage(&scenarios, &report)[0].tracks[0];
/// assert_eq!(legal.track, "legal");
/// assert_eq!((legal.measures.states.covered, legal.measures.states.total), (3, 3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrackCoverage {
    /// The track's name.
    pub track: String,
    /// Its measures.
    #[serde(flatten)]
    pub measures: Measures,
}

/// The four measures of coverage of a playbook or a part of it.
///
/// ```
/// # use std::path::PathBuf;
/// # use crisis_playbook::testing::{self, coverage::coverage};
/// let paths = [PathBuf::from("playbooks/data-breach-or-recall")];
/// let scenarios = testing::load_paths(&paths)?;
/// let report = testing::run_paths(&paths, None)?;
/// let care = &coverage(&scenarios, &report)[0].tracks[2].measures;
/// assert_eq!(care.actions.percent(), 100.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Measures {
    /// States entered.
    pub states: Measure,
    /// Transitions taken.
    pub transitions: Measure,
    /// Actions recommended.
    pub actions: Measure,
    /// Escalation steps fired.
    pub escalation_steps: Measure,
    /// The in-hours and out-of-hours branches of the out-of-hours routes.
    #[serde(skip_serializing_if = "Measure::is_empty")]
    pub calendar_branches: Measure,
}

/// What a suite's timelines exercised, as the labels coverage lists.
struct Exercised<'c> {
    states: &'c BTreeSet<String>,
    transitions: &'c BTreeSet<String>,
    actions: &'c BTreeSet<String>,
    steps: &'c BTreeSet<String>,
    /// Each action and step with the role it went to: `states.crisis.enter.status_update ->
    /// on_call`.
    routed: &'c BTreeSet<String>,
}

impl Exercised<'_> {
    /// The measures over the states that `part` keeps, and their transitions, actions and
    /// steps; each item not exercised goes to `missed`, if given.
    fn measure(
        &self,
        playbook: &crate::Playbook,
        part: impl Fn(&crate::State) -> bool,
        mut missed: Option<&mut Vec<String>>,
    ) -> Measures {
        let mut measure = |all: Vec<String>, covered: &BTreeSet<String>| {
            let total = all.len();
            let hit = all.iter().filter(|item| covered.contains(*item)).count();
            if let Some(missed) = missed.as_deref_mut() {
                missed.extend(all.into_iter().filter(|item| !covered.contains(item)));
            }
            Measure {
                covered: hit,
                total,
            }
        };
        let states = || playbook.states().iter().filter(|s| part(s));
        let all_states = states().map(|s| s.name.clone()).collect();
        let all_transitions = states()
            .flat_map(|s| {
                s.transitions.iter().map(move |t| {
                    let group = t.group.map(|g| playbook.group(g).name.as_str());
                    transition_label(&s.name, group, t.written_at, &playbook.state(t.target).name)
                })
            })
            .collect();
        let all_actions = states()
            .flat_map(|s| {
                s.actions
                    .iter()
                    .map(move |a| format!("states.{}.enter.{}", s.name, a.id))
            })
            .collect();
        let all_steps = states()
            .flat_map(|s| {
                let count = s.escalation.as_ref().map_or(0, |l| l.steps.len());
                (0..count).map(move |i| format!("states.{}.escalate.steps[{i}]", s.name))
            })
            .collect();
        // Both ways a routed action or step can go: to its own role, and to the route's.
        let mut all_branches = Vec::new();
        for state in states() {
            for action in &state.actions {
                if let Some(route) = action.out_of_hours {
                    let label = format!("states.{}.enter.{}", state.name, action.id);
                    for role in [action.owner, route.role] {
                        all_branches.push(format!("{label} -> {}", playbook.role(role)));
                    }
                }
            }
            let steps = state
                .escalation
                .iter()
                .flat_map(|l| l.steps.iter().enumerate());
            for (i, step) in steps {
                if let (Some(route), crate::EscalationTarget::Role(own)) =
                    (step.out_of_hours, step.target)
                {
                    let label = format!("states.{}.escalate.steps[{i}]", state.name);
                    for role in [own, route.role] {
                        all_branches.push(format!("{label} -> {}", playbook.role(role)));
                    }
                }
            }
        }
        Measures {
            states: measure(all_states, self.states),
            transitions: measure(all_transitions, self.transitions),
            actions: measure(all_actions, self.actions),
            escalation_steps: measure(all_steps, self.steps),
            calendar_branches: measure(all_branches, self.routed),
        }
    }
}

/// Coverage of each playbook that the scenarios test, from their results.
///
/// ```
/// # use std::path::PathBuf;
/// # use crisis_playbook::testing::{self, coverage::coverage};
/// let paths = [PathBuf::from("playbooks/service-outage-complaints")];
/// let scenarios = testing::load_paths(&paths)?;
/// let report = testing::run_paths(&paths, None)?;
/// let measured = coverage(&scenarios, &report);
/// assert_eq!(measured.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn coverage(scenarios: &[Scenario], report: &SuiteReport) -> Vec<PlaybookCoverage> {
    let mut files: Vec<&PathBuf> = scenarios.iter().map(|s| &s.playbook_path).collect();
    files.sort();
    files.dedup();
    files
        .into_iter()
        .map(|file| {
            let testing: Vec<&Scenario> = scenarios
                .iter()
                .filter(|s| &s.playbook_path == file)
                .collect();
            let playbook = &testing[0].playbook;
            let mut states = BTreeSet::new();
            let mut transitions = BTreeSet::new();
            let mut actions = BTreeSet::new();
            let mut steps = BTreeSet::new();
            let mut routed = BTreeSet::new();
            for result in &report.results {
                let ours = testing
                    .iter()
                    .any(|s| s.name == result.name && s.file == result.file);
                let Some(timeline) = result.timeline.as_ref().filter(|_| ours) else {
                    continue;
                };
                states.insert(timeline.initial.clone());
                for event in &timeline.events {
                    match &event.kind {
                        EventKind::Transition {
                            from,
                            to,
                            transition,
                            group,
                            ..
                        } => {
                            states.insert(to.clone());
                            transitions.insert(transition_label(
                                from,
                                group.as_deref(),
                                *transition,
                                to,
                            ));
                        }
                        EventKind::TrackStarted { state, .. } => {
                            states.insert(state.clone());
                        }
                        EventKind::Action {
                            state,
                            action,
                            owner,
                            ..
                        } => {
                            let label = format!("states.{state}.enter.{action}");
                            routed.insert(format!("{label} -> {owner}"));
                            actions.insert(label);
                        }
                        EventKind::Escalation {
                            state, step, to, ..
                        } => {
                            let label = format!("states.{state}.escalate.steps[{step}]");
                            if let Some(to) = to {
                                routed.insert(format!("{label} -> {to}"));
                            }
                            steps.insert(label);
                        }
                        _ => {}
                    }
                }
            }
            let mut missed = Vec::new();
            let covered = Exercised {
                states: &states,
                transitions: &transitions,
                actions: &actions,
                steps: &steps,
                routed: &routed,
            };
            let whole = covered.measure(playbook, |_| true, Some(&mut missed));
            let tracks = playbook
                .tracks()
                .iter()
                .enumerate()
                .map(|(t, track)| {
                    let id = crate::TrackId::from_index(t);
                    TrackCoverage {
                        track: track.name.clone(),
                        measures: covered.measure(playbook, |s| s.track == Some(id), None),
                    }
                })
                .collect();
            PlaybookCoverage {
                playbook: playbook.id().to_string(),
                file: file.clone(),
                states: whole.states,
                transitions: whole.transitions,
                actions: whole.actions,
                escalation_steps: whole.escalation_steps,
                calendar_branches: whole.calendar_branches,
                tracks,
                missed,
            }
        })
        .collect()
}

/// A transition as coverage lists it: its place and, for a reader, where it leads. A shared
/// transition is covered state by state: each member state leaves by it on its own.
fn transition_label(from: &str, group: Option<&str>, index: usize, to: &str) -> String {
    match group {
        Some(group) => format!("groups.{group}.on[{index}] from {from} (-> {to})"),
        None => format!("states.{from}.on[{index}] (-> {to})"),
    }
}
