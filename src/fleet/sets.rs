//! Fleets of run sets: several playbooks per subject, for many subjects.

use serde::{Deserialize, Serialize};

use super::roster::{Roster, Subjects};
use super::{FleetError, FleetErrorKind};
use crate::trace::Record;
use crate::{Playbook, RunSet, RunSetError, RunSetEvent, RunSetSnapshot, RunSettings, Timestamp};

/// Several playbooks for each of many subjects: one [`RunSet`] per subject, built from the same
/// playbooks, fed [`Record`]s by subject.
///
/// The playbooks are checked together once, when the fleet is built. Each subject's set then
/// works as [`RunSet`] says: a record goes, by signal name, to every running playbook of its
/// subject that declares it; a hand-over starts another playbook for that subject; an
/// inhibition quiets one playbook of a subject while another playbook of the same subject is
/// severe. Subjects never see one another.
///
/// ```
/// use crisis_playbook::{EventKind, Playbook, RunSetFleet, trace::Record};
///
/// let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let rumour = Playbook::from_path("playbooks/misinformation-rumour.yaml")?;
/// let breach = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
/// // Every brand seen is watched for a storm and for a rumour; a breach starts by hand-over.
/// let mut fleet = RunSetFleet::new(&[storm, rumour, breach])?
///     .start_on_first_sight(&["negative-comment-storm", "misinformation-rumour"])?;
/// let line = |n, text| Record::from_json(n, text);
/// fleet.apply("brand-a", &line(1, r#"{"at": "2026-03-02T08:00:00Z", "signal": "mentions", "value": 40}"#)?)?;
/// fleet.apply("brand-b", &line(2, r#"{"at": "2026-03-02T08:10:00Z", "signal": "flagged", "by": "social_lead"}"#)?)?;
/// let events = fleet.apply("brand-b", &line(3, r#"{"at": "2026-03-02T08:40:00Z", "signal": "defect_confirmed", "by": "quality_lead"}"#)?)?;
/// assert!(events.iter().any(|e| matches!(&e.event.kind, EventKind::HandOver { starts, .. } if starts == "data-breach-or-recall")));
/// let brand_b = fleet.get("brand-b").unwrap();
/// assert_eq!(brand_b.run("data-breach-or-recall").unwrap().state_name(), "assessing");
/// assert!(fleet.get("brand-a").unwrap().run("data-breach-or-recall").is_none(), "brand-a has no breach");
/// assert_eq!(fleet.subjects(), ["brand-a", "brand-b"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RunSetFleet {
    /// The set every subject's set is a copy of: the playbooks, checked together, in order.
    template: RunSet,
    sets: Roster<RunSet>,
    /// Settings given to [`RunSetFleet::configure`] for subjects, by playbook id.
    settings: Subjects<Vec<(String, RunSettings)>>,
    start_on_first_sight: Vec<String>,
    events: Vec<RunSetEvent>,
}

/// A serializable copy of a [`RunSetFleet`]: every subject's set, the settings configured for
/// subjects, and the playbooks started on first sight, so that a restored fleet behaves as the
/// original.
///
/// ```
/// # use crisis_playbook::{Playbook, RunSetFleet};
/// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let mut fleet = RunSetFleet::new(&[storm.clone()])?;
/// fleet.start("brand-b", "negative-comment-storm", "2026-03-02T08:00:00Z".parse()?)?;
/// fleet.start("brand-a", "negative-comment-storm", "2026-03-02T08:00:00Z".parse()?)?;
/// let snapshot = fleet.snapshot();
/// let subjects: Vec<&str> = snapshot.sets.iter().map(|s| s.subject.as_str()).collect();
/// assert_eq!(subjects, ["brand-a", "brand-b"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSetFleetSnapshot {
    /// Each subject's set, in subject order.
    pub sets: Vec<RunSetSnapshot>,
    /// The settings given to [`RunSetFleet::configure`], with the id of their playbook, by
    /// subject and then playbook.
    #[serde(default)]
    pub settings: Vec<(String, RunSettings)>,
    /// The playbooks a subject's first record starts.
    #[serde(default)]
    pub start_on_first_sight: Vec<String>,
}

impl RunSetFleet {
    /// An empty fleet of `playbooks`, refused (see [`FleetError::run_set_error`]) when
    /// [`RunSet::new`] would refuse them: a playbook given twice, what one says of another
    /// not fitting it, inhibitions in a circle. Sets start only through
    /// [`RunSetFleet::start`] unless [`start_on_first_sight`](RunSetFleet::start_on_first_sight)
    /// names playbooks.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet};
    /// let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let err = RunSetFleet::new(&[storm.clone(), storm]).unwrap_err();
    /// assert_eq!(err.to_string(), "playbook `negative-comment-storm` is in the set twice: give each playbook once");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(playbooks: &[Playbook]) -> Result<RunSetFleet, FleetError> {
        let template = RunSet::new("", playbooks).map_err(|e| FleetError::run_set("", e))?;
        Ok(RunSetFleet {
            template,
            sets: Roster::default(),
            settings: Subjects::default(),
            start_on_first_sight: Vec::new(),
            events: Vec::new(),
        })
    }

    /// Starts these playbooks for a subject the fleet has not seen when its first record
    /// arrives, at that record's time, before the record is applied. Refused for a playbook
    /// the fleet does not hold.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let err = RunSetFleet::new(&[storm])?.start_on_first_sight(&["negative-coment-storm"]).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "playbook `negative-coment-storm` is not in this set: add it to the playbooks the set is built from"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start_on_first_sight(mut self, playbooks: &[&str]) -> Result<RunSetFleet, FleetError> {
        for playbook in playbooks {
            self.template
                .position(playbook)
                .map_err(|e| FleetError::run_set("", e))?;
        }
        self.start_on_first_sight = playbooks.iter().map(ToString::to_string).collect();
        Ok(self)
    }

    /// The playbooks, each after those whose severity quiets it.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet};
    /// let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let breach = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
    /// let fleet = RunSetFleet::new(&[storm, breach])?;
    /// assert_eq!(fleet.playbooks().map(|p| p.id()).collect::<Vec<_>>(), ["data-breach-or-recall", "negative-comment-storm"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn playbooks(&self) -> impl Iterator<Item = &Playbook> {
        self.template.playbooks()
    }

    /// Remembers settings (locale, parameters…) for the runs of `playbook` for
    /// `settings.subject` that start from now on, checked against the playbook. A hand-over's
    /// parameters override these.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet, RunSettings};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut fleet = RunSetFleet::new(&[storm])?;
    /// fleet.configure("negative-comment-storm", RunSettings::new("brand-x").locale("fr"))?;
    /// let run = fleet.start("brand-x", "negative-comment-storm", "2026-03-02T08:00:00Z".parse()?)?;
    /// let err = fleet.configure("negative-comment-storm", RunSettings::new("brand-y").parameter("nope", 1.0)).unwrap_err();
    /// assert!(err.run_error().is_some_and(|e| e.is_settings()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn configure(&mut self, playbook: &str, settings: RunSettings) -> Result<(), FleetError> {
        let subject = settings.subject.clone();
        let refused = |e| FleetError::run_set(&subject, e);
        // Checked on the template, so that a refusal leaves the subject's set as it was.
        self.template
            .clone()
            .configure(playbook, settings.clone())
            .map_err(refused)?;
        if let Some(set) = self.sets.get_mut(&subject) {
            set.configure(playbook, settings.clone()).map_err(refused)?;
        }
        let stored = self.settings.entry(subject).or_default();
        stored.retain(|(id, _)| id != playbook);
        stored.push((playbook.to_string(), settings));
        Ok(())
    }

    /// The subject's set, made with its configured settings if it has none.
    fn set_of(&mut self, subject: &str) -> &mut RunSet {
        let (template, settings) = (&self.template, &self.settings);
        self.sets.get_or_put_with(subject, || {
            let mut set = template.for_subject(subject);
            for (playbook, settings) in settings.get(subject).into_iter().flatten() {
                // Checked by `configure`.
                let _ = set.configure(playbook, settings.clone());
            }
            set
        })
    }

    /// Starts (or restarts) the run of `playbook` for `subject` at `at`, and returns the
    /// events of that step (the subject's other runs brought to `at`, then the run's first
    /// events). For a subject the fleet has not seen, the playbooks named by
    /// [`start_on_first_sight`](RunSetFleet::start_on_first_sight) start first, as a record
    /// would start them.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut fleet = RunSetFleet::new(&[storm])?;
    /// fleet.start("brand-x", "negative-comment-storm", "2026-03-02T08:00:00Z".parse()?)?;
    /// assert_eq!(fleet.get("brand-x").unwrap().run("negative-comment-storm").unwrap().state_name(), "monitoring");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn start(
        &mut self,
        subject: &str,
        playbook: &str,
        at: Timestamp,
    ) -> Result<&[RunSetEvent], FleetError> {
        // A subject seen first here gets the playbooks started on first sight too, as it
        // would from a record: starting one playbook early must not leave the others off.
        self.with_set(subject, at, Some(playbook), |set| {
            set.start(playbook, at).map(<[_]>::to_vec)
        })
    }

    /// Calls `then` on the subject's set, made for it if it has none, with the playbooks
    /// started on first sight (but `skip`) started first at `at`. A refusal keeps no set the
    /// call made.
    fn with_set(
        &mut self,
        subject: &str,
        at: Timestamp,
        skip: Option<&str>,
        then: impl FnOnce(&mut RunSet) -> Result<Vec<RunSetEvent>, RunSetError>,
    ) -> Result<&[RunSetEvent], FleetError> {
        let known = self.sets.position(subject).is_some();
        let first: Vec<String> = if known {
            Vec::new()
        } else {
            self.start_on_first_sight
                .iter()
                .filter(|p| Some(p.as_str()) != skip)
                .cloned()
                .collect()
        };
        let set = self.set_of(subject);
        let outcome = first
            .iter()
            .try_fold(Vec::new(), |mut events, playbook| {
                events.extend_from_slice(set.start(playbook, at)?);
                Ok(events)
            })
            .and_then(|mut events| {
                events.extend(then(set)?);
                Ok(events)
            });
        match outcome {
            Ok(events) => {
                self.events = events;
                Ok(&self.events)
            }
            Err(error) => {
                if !known {
                    self.sets.remove(subject);
                }
                Err(FleetError::run_set(subject, error))
            }
        }
    }

    /// Feeds a record to the subject's set (see [`RunSet::apply`]): a signal to every running
    /// playbook that declares it, or an action done to every run where it is open. For a
    /// subject with no set, the playbooks named by
    /// [`start_on_first_sight`](RunSetFleet::start_on_first_sight) start first, at the
    /// record's time; with none named, the subject is refused. A refused record changes
    /// nothing, and a subject it would have started is not kept.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet, trace::Record};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut fleet = RunSetFleet::new(&[storm])?;
    /// let record = Record::from_json(7, r#"{"at": "2026-03-02T08:00:00Z", "signal": "mentions", "value": 3}"#)?;
    /// let err = fleet.apply("brand-x", &record).unwrap_err();
    /// assert!(err.is_unknown_subject());
    /// let mut fleet = fleet.start_on_first_sight(&["negative-comment-storm"])?;
    /// let unknown = Record::from_json(8, r#"{"at": "2026-03-02T08:00:00Z", "signal": "mentoins", "value": 3}"#)?;
    /// let err = fleet.apply("brand-x", &unknown).unwrap_err();
    /// assert_eq!(err.to_string(), "subject `brand-x`: line 8: no playbook of the set declares signal `mentoins`");
    /// assert!(fleet.is_empty(), "nothing partial is kept");
    /// fleet.apply("brand-x", &record)?;
    /// assert_eq!(fleet.subjects(), ["brand-x"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&mut self, subject: &str, record: &Record) -> Result<&[RunSetEvent], FleetError> {
        if self.sets.position(subject).is_none() && self.start_on_first_sight.is_empty() {
            return Err(FleetError(FleetErrorKind::UnknownSetSubject(
                subject.to_string(),
            )));
        }
        self.with_set(subject, record.at, None, |set| {
            set.apply(record).map(<[_]>::to_vec)
        })
    }

    /// Advances every subject's set to `at` (see [`RunSet::advance_to`]); returns each
    /// subject's events, in subject order.
    ///
    /// ```
    /// # use crisis_playbook::{Duration, Playbook, RunSetFleet, Timestamp, trace::Record};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut fleet = RunSetFleet::new(&[storm])?.start_on_first_sight(&["negative-comment-storm"])?;
    /// let at: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// let journalist = Record::from_json(1, r#"{"at": "2026-03-02T08:00:00Z", "signal": "journalist", "attrs": {"tier": "local"}}"#)?;
    /// fleet.apply("brand-x", &journalist)?;
    /// let later = fleet.advance_to(at + Duration::from_secs(3600));
    /// assert_eq!(later[0].0, "brand-x", "the unacknowledged ladder fired");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance_to(&mut self, at: Timestamp) -> Vec<(String, Vec<RunSetEvent>)> {
        self.sets.each_in_order(|set| set.advance_to(at).to_vec())
    }

    /// The set of `subject`.
    pub fn get(&self, subject: &str) -> Option<&RunSet> {
        self.sets.get(subject)
    }

    /// The subjects with a set, in order.
    pub fn subjects(&self) -> Vec<&str> {
        self.sets.subjects()
    }

    /// How many subjects have a set.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether no subject has a set.
    pub fn is_empty(&self) -> bool {
        self.sets.len() == 0
    }

    /// Removes the sets whose every run has ended ([`RunSet::is_ended`]); returns their
    /// subjects, in order.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut fleet = RunSetFleet::new(&[storm])?;
    /// fleet.start("brand-x", "negative-comment-storm", "2026-03-02T08:00:00Z".parse()?)?;
    /// assert!(fleet.evict_ended().is_empty(), "monitoring is not final");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evict_ended(&mut self) -> Vec<String> {
        self.sets.evict(RunSet::is_ended)
    }

    /// A copy of the fleet to restore later with [`RunSetFleet::restore`].
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet};
    /// # let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let mut fleet = RunSetFleet::new(&[storm.clone()])?;
    /// fleet.start("brand-x", "negative-comment-storm", "2026-03-02T08:00:00Z".parse()?)?;
    /// let json = serde_json::to_string(&fleet.snapshot())?;
    /// let restored = RunSetFleet::restore(&[storm], serde_json::from_str(&json)?)?;
    /// assert_eq!(restored.subjects(), ["brand-x"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn snapshot(&self) -> RunSetFleetSnapshot {
        let mut settings: Vec<(String, RunSettings)> =
            self.settings.values().flatten().cloned().collect();
        settings.sort_by(|a, b| (&a.1.subject, &a.0).cmp(&(&b.1.subject, &b.0)));
        RunSetFleetSnapshot {
            sets: self
                .sets
                .in_order()
                .map(|(_, set)| set.snapshot())
                .collect(),
            settings,
            start_on_first_sight: self.start_on_first_sight.clone(),
        }
    }

    /// The fleet a snapshot was taken of, over the same playbooks (or versions of them that
    /// its runs restore on). Refused, naming the subject, when a set or its settings do not
    /// restore.
    ///
    /// ```
    /// # use crisis_playbook::{Playbook, RunSetFleet};
    /// let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let rumour = Playbook::from_path("playbooks/misinformation-rumour.yaml")?;
    /// let mut fleet = RunSetFleet::new(&[storm.clone(), rumour])?;
    /// fleet.start("brand-x", "misinformation-rumour", "2026-03-02T08:00:00Z".parse()?)?;
    /// let err = RunSetFleet::restore(&[storm], fleet.snapshot()).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "subject `brand-x`: playbook `misinformation-rumour` is not in this set: add it to the playbooks the set is built from"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn restore(
        playbooks: &[Playbook],
        snapshot: RunSetFleetSnapshot,
    ) -> Result<RunSetFleet, FleetError> {
        let mut fleet = RunSetFleet::new(playbooks)?;
        let first: Vec<&str> = snapshot
            .start_on_first_sight
            .iter()
            .map(String::as_str)
            .collect();
        fleet = fleet.start_on_first_sight(&first)?;
        for (playbook, settings) in snapshot.settings {
            fleet.configure(&playbook, settings)?;
        }
        for stored in snapshot.sets {
            let subject = stored.subject.clone();
            let set = fleet
                .template
                .for_subject(&subject)
                .restored(stored)
                .map_err(|e| FleetError::run_set(&subject, e))?;
            fleet.sets.put(&subject, set);
        }
        Ok(fleet)
    }
}
