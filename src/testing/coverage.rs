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
    /// What no scenario exercised, as YAML paths.
    pub missed: Vec<String>,
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
                        EventKind::Action { state, action, .. } => {
                            actions.insert(format!("states.{state}.enter.{action}"));
                        }
                        EventKind::Escalation { state, step, .. } => {
                            steps.insert(format!("states.{state}.escalate.steps[{step}]"));
                        }
                        _ => {}
                    }
                }
            }
            let mut missed = Vec::new();
            let mut measure = |all: Vec<String>, covered: &BTreeSet<String>| {
                let total = all.len();
                let hit = all.iter().filter(|item| covered.contains(*item)).count();
                missed.extend(all.into_iter().filter(|item| !covered.contains(item)));
                Measure {
                    covered: hit,
                    total,
                }
            };
            let all_states = playbook.states().iter().map(|s| s.name.clone()).collect();
            let states_measure = measure(all_states, &states);
            let all_transitions = playbook
                .states()
                .iter()
                .flat_map(|s| {
                    s.transitions.iter().map(move |t| {
                        let group = t.group.map(|g| playbook.group(g).name.as_str());
                        transition_label(
                            &s.name,
                            group,
                            t.written_at,
                            &playbook.state(t.target).name,
                        )
                    })
                })
                .collect();
            let transitions_measure = measure(all_transitions, &transitions);
            let all_actions = playbook
                .states()
                .iter()
                .flat_map(|s| {
                    s.actions
                        .iter()
                        .map(move |a| format!("states.{}.enter.{}", s.name, a.id))
                })
                .collect();
            let actions_measure = measure(all_actions, &actions);
            let all_steps = playbook
                .states()
                .iter()
                .flat_map(|s| {
                    let count = s.escalation.as_ref().map_or(0, |l| l.steps.len());
                    (0..count).map(move |i| format!("states.{}.escalate.steps[{i}]", s.name))
                })
                .collect();
            let steps_measure = measure(all_steps, &steps);
            PlaybookCoverage {
                playbook: playbook.id().to_string(),
                file: file.clone(),
                states: states_measure,
                transitions: transitions_measure,
                actions: actions_measure,
                escalation_steps: steps_measure,
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
