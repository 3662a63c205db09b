//! Fleets: many runs of one playbook, keyed by subject (brand, account, campaign, post).

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

use serde::{Deserialize, Serialize};

use crate::{
    Event, Observation, Playbook, Run, RunSettings, SettingsError, SignalError, Snapshot,
    SnapshotError, Timestamp,
};

/// SipHash with fixed keys: the same hashing on every run, so nothing depends on a random seed.
type Subjects<V> = HashMap<String, V, BuildHasherDefault<DefaultHasher>>;

/// Many runs of one playbook, routed by subject.
///
/// ```
/// use crisis_playbook::{Fleet, Observation, Playbook, RunSettings};
///
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let mentions = playbook.signal_named("mentions").unwrap();
/// let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
/// // A small brand reacts to smaller surges.
/// fleet.configure(RunSettings::new("small-brand").parameter("watch_ratio", 1.5))?;
/// let at = "2026-03-02T08:00:00Z".parse()?;
/// fleet.observe("small-brand", Observation::count(mentions, at, 3.0))?;
/// fleet.observe("big-brand", Observation::count(mentions, at, 900.0))?;
/// assert_eq!(fleet.subjects(), ["big-brand", "small-brand"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Fleet {
    playbook: Playbook,
    runs: Subjects<Run>,
    settings: Subjects<RunSettings>,
    start_on_first_sight: bool,
    events: Vec<Event>,
}

/// A serializable copy of every run of a fleet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FleetSnapshot {
    /// Each subject's run, in subject order.
    pub runs: Vec<(String, Snapshot)>,
}

impl Fleet {
    /// An empty fleet. Runs start only through [`Fleet::start`] unless
    /// [`start_on_first_sight`](Fleet::start_on_first_sight) is set.
    pub fn new(playbook: &Playbook) -> Fleet {
        Fleet {
            playbook: playbook.clone(),
            runs: Subjects::default(),
            settings: Subjects::default(),
            start_on_first_sight: false,
            events: Vec::new(),
        }
    }

    /// Start a run for an unknown subject when its first signal arrives, at that signal's time.
    pub fn start_on_first_sight(mut self, yes: bool) -> Fleet {
        self.start_on_first_sight = yes;
        self
    }

    /// Remembers settings (locale, parameter overrides…) for a subject's future run, after
    /// checking them against the playbook.
    pub fn configure(&mut self, settings: RunSettings) -> Result<(), SettingsError> {
        settings.parameter_values(&self.playbook)?;
        self.settings.insert(settings.subject.clone(), settings);
        Ok(())
    }

    /// Starts (or restarts) the run of `subject` at `at`, with its configured settings.
    pub fn start(&mut self, subject: &str, at: Timestamp) -> Result<&mut Run, SettingsError> {
        let settings = self
            .settings
            .get(subject)
            .cloned()
            .unwrap_or_else(|| RunSettings::new(subject));
        let run = Run::with_settings(&self.playbook, settings, at)?;
        Ok(self
            .runs
            .entry(subject.to_string())
            .insert_entry(run)
            .into_mut())
    }

    /// Routes a signal to the subject's run. Returns the events it caused (for a run started
    /// now, its initial actions first).
    pub fn observe(
        &mut self,
        subject: &str,
        observation: Observation<'_>,
    ) -> Result<&[Event], SignalError> {
        // Looking up twice keeps the borrow checker content without an unwrap.
        if self.runs.contains_key(subject) {
            return match self.runs.get_mut(subject) {
                Some(run) => run.observe(observation),
                None => Err(SignalError::UnknownSubject(subject.to_string())),
            };
        }
        if !self.start_on_first_sight {
            return Err(SignalError::UnknownSubject(subject.to_string()));
        }
        // Settings were checked by `configure`, so starting cannot fail.
        let run = self
            .start(subject, observation.at())
            .map_err(|_| SignalError::UnknownSubject(subject.to_string()))?;
        let mut events = run.events().to_vec();
        match run.observe(observation) {
            Ok(more) => events.extend_from_slice(more),
            Err(error) => {
                self.runs.remove(subject);
                return Err(error);
            }
        }
        self.events = events;
        Ok(&self.events)
    }

    /// Advances every run to `at`; returns each subject's events, in subject order.
    pub fn advance_to(&mut self, at: Timestamp) -> Vec<(String, Vec<Event>)> {
        let mut found = Vec::new();
        for subject in self
            .subjects()
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
        {
            if let Some(run) = self.runs.get_mut(&subject) {
                let events = run.advance_to(at);
                if !events.is_empty() {
                    found.push((subject, events.to_vec()));
                }
            }
        }
        found
    }

    /// The run of `subject`.
    pub fn get(&self, subject: &str) -> Option<&Run> {
        self.runs.get(subject)
    }

    /// The subjects with a run, in order.
    pub fn subjects(&self) -> Vec<&str> {
        let mut subjects: Vec<&str> = self.runs.keys().map(String::as_str).collect();
        subjects.sort_unstable();
        subjects
    }

    /// How many runs the fleet holds.
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// Whether the fleet holds no run.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Removes the runs that reached a final state; returns their subjects, in order.
    pub fn evict_ended(&mut self) -> Vec<String> {
        let mut ended: Vec<String> = self
            .runs
            .iter()
            .filter(|(_, run)| run.is_ended())
            .map(|(subject, _)| subject.clone())
            .collect();
        ended.sort_unstable();
        for subject in &ended {
            self.runs.remove(subject);
        }
        ended
    }

    /// Snapshots every run.
    pub fn snapshot(&self) -> FleetSnapshot {
        FleetSnapshot {
            runs: self
                .subjects()
                .into_iter()
                .map(|s| (s.to_string(), self.runs[s].snapshot()))
                .collect(),
        }
    }

    /// Restores every run of a fleet snapshot; settings and `start_on_first_sight` are not part
    /// of a snapshot and start empty.
    pub fn restore(playbook: &Playbook, snapshot: FleetSnapshot) -> Result<Fleet, SnapshotError> {
        let mut fleet = Fleet::new(playbook);
        for (subject, run) in snapshot.runs {
            fleet.runs.insert(subject, Run::restore(playbook, run)?);
        }
        Ok(fleet)
    }
}
