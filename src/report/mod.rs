//! After-action reports: a blameless post-mortem built from a run's timeline, in the run's
//! locale, as Markdown or JSON.
//!
//! A run stays small; its timeline is the embedder's to store (or the file `simulate --format
//! jsonl` writes). The report reads that timeline and the playbook, and works out what a review
//! needs: when it started and how bad it got, how fast people acted and acknowledged, which
//! deadlines were met or breached and by how much, the values that triggered each step, the
//! escalations made, and the questions and follow-ups for the review.
//!
//! ```
//! use crisis_playbook::{Playbook, report::Report, trace::TraceReader, Run};
//!
//! let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
//! let trace = std::fs::File::open("playbooks/negative-comment-storm/demo.jsonl")?;
//! let mut records = TraceReader::jsonl(trace).peekable();
//! let first = records.peek().unwrap().as_ref().unwrap().at;
//! let mut run = Run::start(&playbook, first);
//! let mut timeline = Vec::new();
//! for record in records {
//!     timeline.extend_from_slice(record?.apply(&mut run)?);
//! }
//! let report = Report::from_timeline(&playbook, &timeline, "fr");
//! assert_eq!(report.max_severity, 3);
//! assert!(report.markdown().contains("Revue après incident"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::timeline::{format_event, format_event_local};
use crate::{Calendar, Duration, Event, EventKind, Playbook, TimeZone, Timestamp};

mod vocabulary;

pub use vocabulary::{DigestWords, Vocabulary, VocabularyError};

/// A deadline and whether it was kept.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
/// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
/// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
/// let report = Report::from_timeline(&playbook, &timeline, "en");
/// let holding = report.deadlines.iter().find(|d| d.action == "holding_statement").unwrap();
/// assert_eq!((holding.outcome, holding.margin.to_string().as_str()), (Outcome::Met, "40m"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deadline {
    /// The state that recommended the action.
    pub state: String,
    /// The action.
    pub action: String,
    /// Its owner.
    pub owner: String,
    /// When it was recommended.
    pub recommended: Timestamp,
    /// Its deadline.
    pub due: Timestamp,
    /// When it was marked done, if it was.
    pub done: Option<Timestamp>,
    /// Met, breached, or still open at the end of the timeline.
    pub outcome: Outcome,
    /// How early (met) or how late (done after its deadline); zero otherwise.
    pub margin: Duration,
    /// Whether it fell due while the report's calendar was closed: a breach out of office
    /// hours; `None` for a report without office hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_hours: Option<bool>,
}

/// What became of a deadline.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
/// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
/// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
/// let report = Report::from_timeline(&playbook, &timeline, "en");
/// assert!(report.deadlines.iter().any(|d| d.outcome == Outcome::Breached));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done before the deadline.
    Met,
    /// Done late, or never done.
    Breached,
    /// Closed undone when its state was left, before its deadline.
    Closed,
    /// Not done, deadline not yet passed when the timeline ends.
    Open,
}

/// The highest value a test of a guard showed when a transition fired.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
/// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
/// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
/// let report = Report::from_timeline(&playbook, &timeline, "en");
/// // A journalist has no value; a surge of mentions does.
/// assert!(report.peaks.is_empty());
/// let mentions = playbook.signal_named("mentions").unwrap();
/// let mut run = Run::start(&playbook, start);
/// let mut timeline = Vec::new();
/// for step in 0..(2 * 288 + 24) {
///     let value = if step < 2 * 288 { 20.0 } else { 200.0 };
///     let at = start + Duration::from_secs(step * 300);
///     timeline.extend_from_slice(run.observe(Observation::count(mentions, at, value))?);
/// }
/// let report = Report::from_timeline(&playbook, &timeline, "en");
/// let ratio = report.peaks.iter().find(|p| p.test == "volume_ratio >= crisis_ratio").unwrap();
/// assert!(ratio.value >= 5.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Peak {
    /// The test, such as `volume_ratio >= crisis_ratio`.
    pub test: String,
    /// The highest value seen.
    pub value: f64,
    /// When.
    pub at: Timestamp,
}

/// An after-action report.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
/// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
/// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
/// let report = Report::from_timeline(&playbook, &timeline, "en");
/// assert_eq!((report.max_severity, report.resolved), (3, false));
/// assert_eq!(report.path, ["monitoring", "crisis"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The playbook's id.
    pub playbook: String,
    /// The report's locale.
    pub locale: String,
    /// The zone whose local times the report shows beside UTC: that of its calendar (the
    /// playbook's first, unless [`Report::from_timeline_on`] names another); `None` without
    /// one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The first transition out of the initial state: when the incident began.
    pub started: Option<Timestamp>,
    /// Whether it began while the report's calendar was open; `None` for a report without
    /// office hours, or a timeline with no incident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_in_office_hours: Option<bool>,
    /// The last event of the timeline.
    pub ended: Option<Timestamp>,
    /// Whether the run reached a final state.
    pub resolved: bool,
    /// The highest severity reached.
    pub max_severity: i64,
    /// The top-level states entered, in order, without repeats.
    pub path: Vec<String>,
    /// Each track started, in the order it started, with the states it entered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<TrackPath>,
    /// The timeline lines about other playbooks run for the same subject: hand-overs, and
    /// inhibitions beginning and lifting; empty for a run alone.
    pub other_playbooks: Vec<String>,
    /// How many actions and escalation steps an inhibition muted.
    pub muted: usize,
    /// How many an inhibition deferred.
    pub deferred: usize,
    /// From the start to the first action marked done.
    pub time_to_first_action: Option<Duration>,
    /// From the start to the first input that stopped an escalation.
    pub time_to_acknowledgement: Option<Duration>,
    /// From reaching the highest severity to the first step down from it.
    pub time_at_peak: Option<Duration>,
    /// Every deadline and what became of it.
    pub deadlines: Vec<Deadline>,
    /// The highest value of each test that made a transition fire.
    pub peaks: Vec<Peak>,
    /// The escalations made, as timeline lines.
    pub escalations: Vec<String>,
    /// The whole timeline, as lines.
    pub timeline: Vec<String>,
    /// Questions for the review.
    pub questions: Vec<String>,
    /// Follow-ups the timeline calls for.
    pub follow_ups: Vec<String>,
}

/// The states one track entered, as a report lists them.
///
/// ```
/// # use crisis_playbook::{Playbook, report::Report};
/// let playbook = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
/// let text = std::fs::read_to_string("playbooks/data-breach-or-recall/high-risk.timeline.jsonl")?;
/// let events: Vec<crisis_playbook::Event> =
///     text.lines().map(serde_json::from_str).collect::<Result<_, _>>()?;
/// let report = Report::from_timeline(&playbook, &events, "en");
/// let legal = &report.tracks[0];
/// assert_eq!(legal.path, ["legal.notifying", "legal.high_risk", "legal.notified"]);
/// assert!(legal.finished);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TrackPath {
    /// The track.
    pub track: String,
    /// The states it entered, in order, without repeats.
    pub path: Vec<String>,
    /// Whether it reached one of its final states.
    pub finished: bool,
    /// Whether the run left the state that holds it before it finished.
    pub stopped: bool,
}

impl Report {
    /// Builds the report of a timeline of `playbook`, with the built-in words of `locale`
    /// (English where there are none).
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
    /// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
    /// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
    /// let report = Report::from_timeline(&playbook, &timeline, "en");
    /// assert_eq!(report.time_to_first_action.map(|d| d.to_string()).as_deref(), Some("20m"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_timeline(playbook: &Playbook, events: &[Event], locale: &str) -> Report {
        let mut report = Report::from_timeline_in(playbook, events, Vocabulary::builtin(locale));
        report.locale = locale.to_string();
        report
    }

    /// Builds the report of a timeline of `playbook`, with the questions and follow-ups of
    /// `words`, such as a vocabulary for a locale without built-in words.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
    /// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
    /// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
    /// let report = Report::from_timeline(&playbook, &timeline, "en");
    /// let mut words = Vocabulary::builtin("en").clone();
    /// words.questions = vec!["Who called the customer back?".into()];
    /// let custom = Report::from_timeline_in(&playbook, &timeline, &words);
    /// assert_eq!(custom.questions, ["Who called the customer back?"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_timeline_in(playbook: &Playbook, events: &[Event], words: &Vocabulary) -> Report {
        let office = playbook.calendars().first().map(|(_, calendar)| calendar);
        Report::from_timeline_on(playbook, events, words, office)
    }

    /// Builds the report of a timeline of `playbook` with the words of `words`, telling what
    /// happened in `office`'s hours from what happened out of them: whether the incident began
    /// in office hours, and which deadlines fell due out of them. Times show in `office`'s
    /// zone beside UTC. [`Report::from_timeline_in`] takes the playbook's first calendar; a
    /// subject with its own hours or zone passes its own (the run's, from
    /// [`Run::calendar`](crate::Run::calendar)). `None`: no office hours, times in UTC.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Calendar, Observation, Playbook, Run, Timestamp};
    /// # use crisis_playbook::report::{Report, Vocabulary};
    /// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// // A journalist calls on a Saturday night in Paris.
    /// let start: Timestamp = "2026-03-07T22:00:00+01:00".parse()?;
    /// let journalist = playbook.signal_named("journalist").unwrap();
    /// let mut run = Run::start(&playbook, start);
    /// let timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
    /// let words = Vocabulary::builtin("en");
    /// let paris = Report::from_timeline_in(&playbook, &timeline, words);
    /// assert_eq!(paris.started_in_office_hours, Some(false));
    /// // The same hours for a subject in Tokyo, where it is Sunday morning.
    /// let office = playbook.calendar(playbook.calendar_named("office").unwrap());
    /// let tokyo = office.in_time_zone("Asia/Tokyo")?;
    /// let report = Report::from_timeline_on(&playbook, &timeline, words, Some(&tokyo));
    /// assert_eq!(report.time_zone.as_deref(), Some("Asia/Tokyo"));
    /// assert!(report.markdown().contains("(Sun 06:00 +09:00)"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_timeline_on(
        playbook: &Playbook,
        events: &[Event],
        words: &Vocabulary,
        office: Option<&Calendar>,
    ) -> Report {
        // People read times where they work: in the zone of their office.
        let zone = office.and_then(|calendar| TimeZone::named(calendar.time_zone()).ok());
        let line = |event: &Event| match &zone {
            Some(zone) => format_event_local(event, zone),
            None => format_event(event),
        };
        // A run a hand-over started in another state says so first; the incident began then.
        let handed = events.first().and_then(|e| match &e.kind {
            EventKind::StartedIn { state, severity } => Some((e.at, state, *severity)),
            _ => None,
        });
        let initial = match handed {
            Some((_, state, _)) => state.clone(),
            None => playbook.state(playbook.initial()).name.clone(),
        };
        let started = match handed {
            Some((at, ..)) => Some(at),
            None => events.iter().find_map(|e| match &e.kind {
                EventKind::Transition { from, .. } if *from == initial => Some(e.at),
                _ => None,
            }),
        };
        let since = |at: Timestamp| started.map(|s| at - s);
        let mut active = crate::timeline::ActiveStates::new(&initial);
        let mut tracks: Vec<TrackPath> = Vec::new();
        let mut path = vec![initial.clone()];
        let mut max_severity = match handed {
            Some((.., severity)) => severity,
            None => playbook.state(playbook.initial()).severity,
        };
        let mut peak_reached: Option<Timestamp> = handed.map(|(at, ..)| at);
        let mut time_at_peak = None;
        let mut peaks: Vec<Peak> = Vec::new();
        // Where each test's peak is in `peaks`, which keeps the order tests first fired in.
        let mut peak_of: BTreeMap<&str, usize> = BTreeMap::new();
        for event in events {
            let moved = active.follow(event);
            match &event.kind {
                EventKind::TrackStarted { track, state } => tracks.push(TrackPath {
                    track: track.clone(),
                    path: vec![state.clone()],
                    finished: false,
                    stopped: false,
                }),
                EventKind::TrackEnded {
                    track, finished, ..
                } => {
                    if let Some(ended) = tracks.iter_mut().rev().find(|t| t.track == *track) {
                        ended.finished = *finished;
                        ended.stopped = !*finished;
                    }
                }
                _ => {}
            }
            if let EventKind::Transition {
                to,
                severity,
                cause,
                ..
            } = &event.kind
            {
                // A track's step goes on the track's own path; the most recent start of the
                // track is the one running.
                let steps = match moved {
                    Some(track) => tracks
                        .iter_mut()
                        .rev()
                        .find(|t| t.track == track)
                        .map(|t| &mut t.path),
                    None => Some(&mut path),
                };
                if let Some(steps) = steps
                    && steps.last() != Some(to)
                {
                    steps.push(to.clone());
                }
                if *severity > max_severity {
                    max_severity = *severity;
                    peak_reached = Some(event.at);
                    time_at_peak = None;
                } else if *severity < max_severity && time_at_peak.is_none() {
                    time_at_peak = peak_reached.map(|p| event.at - p);
                }
                for term in &cause.terms {
                    let Some(value) = term.value else { continue };
                    work(1);
                    match peak_of
                        .get(term.test.as_str())
                        .and_then(|index| peaks.get_mut(*index))
                    {
                        Some(peak) if value > peak.value => {
                            peak.value = value;
                            peak.at = event.at;
                        }
                        Some(_) => {}
                        None => {
                            peak_of.insert(&term.test, peaks.len());
                            peaks.push(Peak {
                                test: term.test.clone(),
                                value,
                                at: event.at,
                            });
                        }
                    }
                }
            }
        }
        let first_done = events
            .iter()
            .find(|e| matches!(e.kind, EventKind::Done { .. }));
        let first_ack = events.iter().find(|e| {
            matches!(
                e.kind,
                EventKind::Input {
                    stopped_escalation: true,
                    ..
                }
            )
        });
        let ended = events.last().map(|e| e.at);
        let mut deadlines = deadlines(events);
        if let Some(office) = office {
            for deadline in &mut deadlines {
                // A deadline at the closing time falls in the working day it ends, as one
                // counted in working time does: out of hours only if the office was closed
                // just before too.
                let before = deadline.due - Duration::from_millis(1);
                deadline.out_of_hours =
                    Some(!office.is_open(deadline.due) && !office.is_open(before));
            }
        }
        let escalations: Vec<String> = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Escalation { .. }))
            .map(line)
            .collect();
        let mut follow_ups: Vec<String> = deadlines
            .iter()
            .filter(|d| matches!(d.outcome, Outcome::Breached | Outcome::Open))
            .map(|d| {
                let template = if d.outcome == Outcome::Breached {
                    &words.breach_follow_up
                } else {
                    &words.open_follow_up
                };
                template
                    .replace("{action}", &d.action)
                    .replace("{owner}", &d.owner)
            })
            .collect();
        follow_ups.dedup();
        if !escalations.is_empty() && first_ack.is_none() {
            follow_ups.push(words.unacknowledged.clone());
        }
        Report {
            playbook: playbook.id().to_string(),
            locale: words.locale.clone(),
            time_zone: zone.as_ref().map(|z| z.name().to_string()),
            started,
            started_in_office_hours: office.zip(started).map(|(o, at)| o.is_open(at)),
            ended,
            resolved: events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Resolved { .. })),
            max_severity,
            path,
            tracks,
            other_playbooks: events
                .iter()
                .filter(|e| {
                    matches!(
                        e.kind,
                        EventKind::HandOver { .. }
                            | EventKind::Inhibited { .. }
                            | EventKind::InhibitionLifted { .. }
                    )
                })
                .map(line)
                .collect(),
            muted: count(events, "muted"),
            deferred: count(events, "deferred"),
            time_to_first_action: first_done.and_then(|e| since(e.at)),
            time_to_acknowledgement: first_ack.and_then(|e| since(e.at)),
            time_at_peak,
            deadlines,
            peaks,
            escalations,
            timeline: events.iter().map(line).collect(),
            questions: words.questions.clone(),
            follow_ups,
        }
    }

    /// The report as Markdown, with the built-in words of its locale.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
    /// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
    /// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
    /// let report = Report::from_timeline(&playbook, &timeline, "en");
    /// assert!(report.markdown().starts_with("# After-action review — negative-comment-storm"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn markdown(&self) -> String {
        self.markdown_in(Vocabulary::builtin(&self.locale))
    }

    /// The report as Markdown, with the headings and labels of `w`.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
    /// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
    /// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
    /// let report = Report::from_timeline(&playbook, &timeline, "en");
    /// let mut words = Vocabulary::builtin("en").clone();
    /// words.title = "Post-incident review".into();
    /// assert!(report.markdown_in(&words).starts_with("# Post-incident review"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn markdown_in(&self, w: &Vocabulary) -> String {
        let duration = |d: Option<Duration>| d.map_or(w.none.to_string(), |d| d.to_string());
        let zone = self
            .time_zone
            .as_deref()
            .and_then(|z| TimeZone::named(z).ok());
        let at = |t: Timestamp| match &zone {
            Some(zone) => format!("{t} ({})", zone.wall_clock(t)),
            None => t.to_string(),
        };
        let time = |t: Option<Timestamp>| t.map_or(w.none.to_string(), at);
        let mut out = String::new();
        let _ = writeln!(out, "# {} — {}\n", w.title, self.playbook);
        let _ = writeln!(out, "## {}\n", w.summary);
        let hours = match self.started_in_office_hours {
            Some(true) => format!(", {}", w.in_office_hours),
            Some(false) => format!(", {}", w.out_of_hours),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "- {}{}{}{hours}",
            w.started,
            w.colon,
            time(self.started)
        );
        let status = if self.resolved {
            &w.resolved
        } else {
            &w.unresolved
        };
        let _ = writeln!(
            out,
            "- {}{}{} ({status})",
            w.ended,
            w.colon,
            time(self.ended)
        );
        let _ = writeln!(out, "- {}{}{}", w.max_severity, w.colon, self.max_severity);
        let _ = writeln!(out, "- {}{}{}", w.path, w.colon, self.path.join(" → "));
        for track in &self.tracks {
            let finished = match (track.finished, track.stopped) {
                (true, _) => format!(" ({})", w.track_finished),
                (false, true) => format!(" ({})", w.track_stopped),
                (false, false) => String::new(),
            };
            let _ = writeln!(
                out,
                "  - `{}`{}{}{finished}",
                track.track,
                w.colon,
                track.path.join(" → ")
            );
        }
        let _ = writeln!(
            out,
            "- {}{}{}",
            w.first_action,
            w.colon,
            duration(self.time_to_first_action)
        );
        let _ = writeln!(
            out,
            "- {}{}{}",
            w.acknowledgement,
            w.colon,
            duration(self.time_to_acknowledgement)
        );
        let _ = writeln!(
            out,
            "- {}{}{}\n",
            w.at_peak,
            w.colon,
            duration(self.time_at_peak)
        );
        let _ = writeln!(out, "## {}\n", w.deadlines);
        let _ = writeln!(out, "| {} |\n|---|---|---|---|---|", w.columns.join(" | "));
        for d in &self.deadlines {
            let outcome = match (d.outcome, d.done) {
                (Outcome::Met, _) => format!("{} ({} {})", w.met, d.margin, w.early),
                (Outcome::Breached, Some(_)) => format!("{} ({} {})", w.breached, d.margin, w.late),
                (Outcome::Breached, None) => w.never_done.clone(),
                (Outcome::Closed, _) => w.closed.clone(),
                (Outcome::Open, _) => w.open.clone(),
            };
            let outcome = match (d.outcome, d.out_of_hours) {
                (Outcome::Breached, Some(true)) => format!("{outcome}, {}", w.out_of_hours),
                _ => outcome,
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {outcome} |",
                d.action,
                d.owner,
                at(d.due),
                d.done.map_or("—".to_string(), at)
            );
        }
        if !self.other_playbooks.is_empty() {
            let _ = writeln!(out, "\n## {}\n", w.other_playbooks);
            for line in &self.other_playbooks {
                let _ = writeln!(out, "- `{line}`");
            }
            if self.muted > 0 || self.deferred > 0 {
                let quieted = w
                    .quieted
                    .replace("{muted}", &self.muted.to_string())
                    .replace("{deferred}", &self.deferred.to_string());
                let _ = writeln!(out, "- {quieted}");
            }
        }
        let _ = writeln!(out, "\n## {}\n", w.peaks);
        if self.peaks.is_empty() {
            let _ = writeln!(out, "{}", w.none);
        }
        for peak in &self.peaks {
            let _ = writeln!(
                out,
                "- `{}`{}{} ({})",
                peak.test,
                w.colon,
                round(peak.value),
                peak.at
            );
        }
        let _ = writeln!(out, "\n## {}\n", w.escalations);
        if self.escalations.is_empty() {
            let _ = writeln!(out, "{}", w.none);
        }
        for line in &self.escalations {
            let _ = writeln!(out, "- `{line}`");
        }
        let _ = writeln!(out, "\n## {}\n\n```text", w.timeline);
        for line in &self.timeline {
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out, "```\n\n## {}\n", w.review);
        for question in &self.questions {
            let _ = writeln!(out, "- {question}");
        }
        let _ = writeln!(out, "\n## {}\n", w.follow_ups);
        if self.follow_ups.is_empty() {
            let _ = writeln!(out, "{}", w.nothing);
        }
        for follow_up in &self.follow_ups {
            let _ = writeln!(out, "- [ ] {follow_up}");
        }
        out
    }
}

#[cfg(test)]
thread_local! {
    /// The events and peaks a report looks at, counted by the test that pins its cost.
    static WORK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts `steps` units of work in tests; does nothing in other builds.
fn work(steps: usize) {
    #[cfg(test)]
    WORK.with(|w| w.set(w.get().saturating_add(steps)));
    #[cfg(not(test))]
    let _ = steps;
}

/// How many events of `kind` the timeline holds.
fn count(events: &[Event], kind: &str) -> usize {
    events.iter().filter(|e| e.kind.name() == kind).count()
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Each recommended action with a deadline, matched with its `done` and `breach` events.
///
/// One pass: an occurrence stays open until the same action is recommended again, and each
/// `done`, `breach` or `closed` event goes to the open occurrence of its action, found by name.
/// Scanning ahead from each recommendation instead made a timeline of many actions quadratic.
fn deadlines(events: &[Event]) -> Vec<Deadline> {
    struct Open<'e> {
        event: &'e Event,
        due: Timestamp,
        done: Option<Timestamp>,
        breached: bool,
        closed: bool,
    }
    /// The open occurrence of `action`, if any.
    fn open_mut<'o, 'e>(
        open: &BTreeMap<&str, usize>,
        occurrences: &'o mut [Open<'e>],
        action: &str,
    ) -> Option<&'o mut Open<'e>> {
        open.get(action)
            .and_then(|index| occurrences.get_mut(*index))
    }
    let mut occurrences: Vec<Open<'_>> = Vec::new();
    let mut open: BTreeMap<&str, usize> = BTreeMap::new();
    for event in events {
        work(1);
        match &event.kind {
            EventKind::Action {
                action,
                due: Some(due),
                ..
            } => {
                open.insert(action, occurrences.len());
                occurrences.push(Open {
                    event,
                    due: *due,
                    done: None,
                    breached: false,
                    closed: false,
                });
            }
            EventKind::Action { action, .. } => {
                open.remove(action.as_str());
            }
            EventKind::Done { action, .. } => {
                if let Some(o) = open_mut(&open, &mut occurrences, action) {
                    // The first `done` counts.
                    o.done = o.done.or(Some(event.at));
                }
            }
            EventKind::Breach { action, .. } => {
                if let Some(o) = open_mut(&open, &mut occurrences, action) {
                    o.breached = true;
                }
            }
            EventKind::DeadlineMoved { action, due, .. } => {
                if let Some(o) = open_mut(&open, &mut occurrences, action) {
                    o.due = *due;
                }
            }
            EventKind::Closed { action, .. } => {
                if let Some(o) = open_mut(&open, &mut occurrences, action) {
                    o.closed = true;
                }
            }
            _ => {}
        }
    }
    occurrences
        .into_iter()
        .filter_map(|o| {
            let EventKind::Action {
                state,
                action,
                owner,
                ..
            } = &o.event.kind
            else {
                return None;
            };
            let due = o.due;
            let (outcome, margin) = match o.done {
                Some(done) if done <= due => (Outcome::Met, due - done),
                Some(done) => (Outcome::Breached, done - due),
                None if o.breached => (Outcome::Breached, Duration::ZERO),
                None if o.closed => (Outcome::Closed, Duration::ZERO),
                None => (Outcome::Open, Duration::ZERO),
            };
            Some(Deadline {
                state: state.clone(),
                action: action.clone(),
                owner: owner.clone(),
                recommended: o.event.at,
                due,
                done: o.done,
                outcome,
                margin,
                out_of_hours: None,
            })
        })
        .collect()
}

/// One incident of a digest.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
/// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
/// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
/// let report = Report::from_timeline(&playbook, &timeline, "en");
/// let reports = vec![("brand-x".to_string(), report)];
/// let digest = Digest::from_reports(&reports, "en");
/// assert_eq!(digest.incidents[0].max_severity, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incident {
    /// The subject (brand, account, post…).
    pub subject: String,
    /// The playbook's id.
    pub playbook: String,
    /// When it started.
    pub started: Option<Timestamp>,
    /// The highest severity reached.
    pub max_severity: i64,
    /// Whether it reached a final state.
    pub resolved: bool,
    /// How many actions and escalation steps inhibitions muted or deferred, while another
    /// playbook for the subject was more severe.
    #[serde(skip_serializing_if = "is_zero")]
    pub quieted: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// A breach, in a digest.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
/// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// # let journalist = playbook.signal_named("journalist").unwrap();
/// # let mut run = Run::start(&playbook, start);
/// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
/// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
/// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
/// let report = Report::from_timeline(&playbook, &timeline, "en");
/// let reports = vec![("brand-x".to_string(), report)];
/// let digest = Digest::from_reports(&reports, "en");
/// assert!(digest.breaches.iter().all(|b| b.subject == "brand-x" && b.playbook == "negative-comment-storm"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Breach {
    /// The subject.
    pub subject: String,
    /// The playbook whose run missed it: a subject may run several.
    pub playbook: String,
    /// The action.
    pub action: String,
    /// Its owner.
    pub owner: String,
    /// The deadline it missed.
    pub due: Timestamp,
    /// Whether it fell due out of office hours; `None` for a report without them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_hours: Option<bool>,
}

/// How fast people acknowledged the incidents that began in one part of the week: in office
/// hours, or out of them.
///
/// ```
/// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
/// # use crisis_playbook::report::{Digest, Report};
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let (journalist, ack) = (playbook.signal_named("journalist").unwrap(), playbook.signal_named("ack").unwrap());
/// // One incident on a Tuesday morning in Paris, acknowledged in 10 minutes; one on a Saturday
/// // night, acknowledged in 50.
/// let mut reports = Vec::new();
/// for (subject, start, minutes) in [("brand-a", "2026-03-03T10:00:00+01:00", 10), ("brand-b", "2026-03-07T23:00:00+01:00", 50)] {
///     let start: Timestamp = start.parse()?;
///     let mut run = Run::start(&playbook, start);
///     let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("national"))]))?.to_vec();
///     let later = start + Duration::from_secs(60 * minutes);
///     timeline.extend_from_slice(run.advance_to(later));
///     timeline.extend_from_slice(run.observe(Observation::manual(ack, later, "comms_director"))?);
///     reports.push((subject.to_string(), Report::from_timeline(&playbook, &timeline, "en")));
/// }
/// let digest = Digest::from_reports(&reports, "en");
/// let inside = digest.in_office_hours.unwrap();
/// let outside = digest.out_of_office_hours.unwrap();
/// assert_eq!((inside.incidents, inside.median.unwrap().to_string().as_str()), (1, "10m"));
/// assert_eq!((outside.incidents, outside.worst.unwrap().to_string().as_str()), (1, "50m"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AcknowledgementTimes {
    /// The incidents that began in this part of the week.
    pub incidents: usize,
    /// How many of them someone acknowledged.
    pub acknowledged: usize,
    /// The median time to acknowledgement, as [`Digest::median_time_to_acknowledgement`]
    /// defines it.
    pub median: Option<Duration>,
    /// The longest.
    pub worst: Option<Duration>,
}

impl AcknowledgementTimes {
    /// The figures of `incidents` incidents, from their times to acknowledgement.
    fn of(incidents: usize, mut times: Vec<Duration>) -> AcknowledgementTimes {
        times.sort();
        AcknowledgementTimes {
            incidents,
            acknowledged: times.len(),
            median: times.get(times.len() / 2).copied(),
            worst: times.last().copied(),
        }
    }
}

/// The negative-performance review over many runs: incidents, breaches, how fast people
/// acknowledged, which playbooks fired most, and false alarms (runs that opened a watch and went
/// back with no action done).
///
/// ```
/// use crisis_playbook::report::{Digest, Report};
/// # use crisis_playbook::Playbook;
/// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
/// let reports = vec![("brand-x".to_string(), Report::from_timeline(&playbook, &[], "en"))];
/// let digest = Digest::from_reports(&reports, "en");
/// assert!(digest.incidents.is_empty());
/// assert!(digest.markdown().starts_with("# Negative-performance review"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Digest {
    /// The digest's locale.
    pub locale: String,
    /// Every run that reached a severity above 0.
    pub incidents: Vec<Incident>,
    /// Every deadline breached.
    pub breaches: Vec<Breach>,
    /// Median time to acknowledgement over the runs that had one: the middle one, or of an
    /// even count the later of the two middle ones (a time some run took, never an average).
    pub median_time_to_acknowledgement: Option<Duration>,
    /// The longest time to acknowledgement.
    pub worst_time_to_acknowledgement: Option<Duration>,
    /// Time to acknowledgement of the incidents that began in office hours, by each report's
    /// calendar; `None` when no report has office hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_office_hours: Option<AcknowledgementTimes>,
    /// The same, for the incidents that began out of office hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_office_hours: Option<AcknowledgementTimes>,
    /// How many of the breaches fell due out of office hours; `None` when no report has
    /// office hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaches_out_of_hours: Option<usize>,
    /// How many incidents each playbook had, most first.
    pub by_playbook: Vec<(String, usize)>,
    /// Subjects whose run opened a watch and went back with no action done.
    pub false_alarms: Vec<String>,
    /// The period covered, start included and end excluded, when one was chosen.
    pub period: Option<(Timestamp, Timestamp)>,
}

impl Digest {
    /// Gathers the reports of the incidents that started in a period, from `from` included to
    /// `to` excluded: the review of a month or a quarter.
    ///
    /// ```
    /// use crisis_playbook::report::{Digest, Report};
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    /// let march = ("2026-03-01T00:00:00Z".parse()?, "2026-04-01T00:00:00Z".parse()?);
    /// let reports = vec![("brand-x".to_string(), Report::from_timeline(&playbook, &[], "en"))];
    /// let digest = Digest::from_reports_between(&reports, "en", march.0, march.1);
    /// assert!(digest.markdown().contains("2026-03-01T00:00:00Z"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_reports_between(
        reports: &[(String, Report)],
        locale: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Digest {
        let within: Vec<(String, Report)> = reports
            .iter()
            .filter(|(_, r)| r.started.is_some_and(|at| from <= at && at < to))
            .cloned()
            .collect();
        let mut digest = Digest::from_reports(&within, locale);
        digest.period = Some((from, to));
        digest
    }

    /// Gathers the reports of many runs, each with its subject.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
    /// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
    /// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
    /// let report = Report::from_timeline(&playbook, &timeline, "en");
    /// let reports = vec![("brand-x".to_string(), report)];
    /// let digest = Digest::from_reports(&reports, "en");
    /// assert_eq!(digest.by_playbook, [("negative-comment-storm".to_string(), 1)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_reports(reports: &[(String, Report)], locale: &str) -> Digest {
        let mut incidents = Vec::new();
        let mut breaches = Vec::new();
        let mut acknowledgements = Vec::new();
        // Incidents and times to acknowledgement, in office hours and out of them.
        let mut by_hours: Option<[(usize, Vec<Duration>); 2]> = None;
        let mut false_alarms = Vec::new();
        let mut by_playbook: Vec<(String, usize)> = Vec::new();
        for (subject, report) in reports {
            // Leaving the initial state for another calm one (a campaign out of its learning
            // phase) is no incident.
            if report.started.is_none() || report.max_severity == 0 {
                continue;
            }
            incidents.push(Incident {
                subject: subject.clone(),
                playbook: report.playbook.clone(),
                started: report.started,
                max_severity: report.max_severity,
                resolved: report.resolved,
                quieted: report.muted.saturating_add(report.deferred),
            });
            match by_playbook.iter_mut().find(|(p, _)| *p == report.playbook) {
                Some((_, count)) => *count = count.saturating_add(1),
                None => by_playbook.push((report.playbook.clone(), 1)),
            }
            breaches.extend(
                report
                    .deadlines
                    .iter()
                    .filter(|d| d.outcome == Outcome::Breached)
                    .map(|d| Breach {
                        subject: subject.clone(),
                        playbook: report.playbook.clone(),
                        action: d.action.clone(),
                        owner: d.owner.clone(),
                        due: d.due,
                        out_of_hours: d.out_of_hours,
                    }),
            );
            acknowledgements.extend(report.time_to_acknowledgement);
            if let Some(in_hours) = report.started_in_office_hours {
                let [inside, outside] = by_hours.get_or_insert_default();
                let (incidents, times) = if in_hours { inside } else { outside };
                *incidents = incidents.saturating_add(1);
                times.extend(report.time_to_acknowledgement);
            }
            let back_to_start = report.path.len() > 1 && report.path.first() == report.path.last();
            if back_to_start && report.max_severity <= 1 && report.time_to_first_action.is_none() {
                false_alarms.push(subject.clone());
            }
        }
        by_playbook.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let all = AcknowledgementTimes::of(incidents.len(), acknowledgements);
        let [in_office_hours, out_of_office_hours] = match by_hours {
            Some([inside, outside]) => [
                Some(AcknowledgementTimes::of(inside.0, inside.1)),
                Some(AcknowledgementTimes::of(outside.0, outside.1)),
            ],
            None => [None, None],
        };
        let breaches_out_of_hours = breaches.iter().any(|b| b.out_of_hours.is_some()).then(|| {
            breaches
                .iter()
                .filter(|b| b.out_of_hours == Some(true))
                .count()
        });
        Digest {
            locale: locale.to_string(),
            incidents,
            breaches,
            median_time_to_acknowledgement: all.median,
            worst_time_to_acknowledgement: all.worst,
            in_office_hours,
            out_of_office_hours,
            breaches_out_of_hours,
            by_playbook,
            false_alarms,
            period: None,
        }
    }

    /// The digest as Markdown, with the built-in words of its locale.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
    /// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
    /// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
    /// let report = Report::from_timeline(&playbook, &timeline, "en");
    /// let reports = vec![("brand-x".to_string(), report)];
    /// let digest = Digest::from_reports(&reports, "en");
    /// assert!(digest.markdown().contains("brand-x (negative-comment-storm)"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn markdown(&self) -> String {
        self.markdown_in(Vocabulary::builtin(&self.locale))
    }

    /// The digest as Markdown, with the headings and labels of `w`.
    ///
    /// ```
    /// # use crisis_playbook::{AttributeValue, Duration, Observation, Playbook, Run, Timestamp};
    /// # use crisis_playbook::report::{Digest, Outcome, Report, Vocabulary};
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// # let start: Timestamp = "2026-03-02T08:00:00Z".parse()?;
    /// # let journalist = playbook.signal_named("journalist").unwrap();
    /// # let mut run = Run::start(&playbook, start);
    /// # let mut timeline = run.observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?.to_vec();
    /// # timeline.extend_from_slice(run.complete("holding_statement", "comms_director", start + Duration::from_secs(1200))?);
    /// # timeline.extend_from_slice(run.advance_to(start + Duration::from_secs(7200)));
    /// let report = Report::from_timeline(&playbook, &timeline, "en");
    /// let reports = vec![("brand-x".to_string(), report)];
    /// let digest = Digest::from_reports(&reports, "en");
    /// assert!(digest.markdown_in(Vocabulary::builtin("fr")).starts_with("# Examen des performances négatives"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn markdown_in(&self, w: &Vocabulary) -> String {
        let DigestWords {
            title,
            period,
            incidents,
            breaches,
            median_acknowledgement: median,
            worst_acknowledgement: worst,
            playbooks,
            false_alarms,
            started_in_office_hours,
            started_out_of_hours,
            acknowledged,
            breaches_out_of_hours,
        } = &w.digest;
        let duration = |d: Option<Duration>| d.map_or(w.none.to_string(), |d| d.to_string());
        let mut out = format!("# {title}\n\n");
        if let Some((from, to)) = self.period {
            let _ = writeln!(out, "{period}{}{from} – {to}\n", w.colon);
        }
        let _ = writeln!(out, "## {incidents}\n");
        if self.incidents.is_empty() {
            let _ = writeln!(out, "{}", w.none);
        }
        for i in &self.incidents {
            let status = if i.resolved {
                &w.resolved
            } else {
                &w.unresolved
            };
            let started = i.started.map_or(String::new(), |t| t.to_string());
            let _ = writeln!(
                out,
                "- {} ({}){}{started}, {} {}, {status}",
                i.subject,
                i.playbook,
                w.colon,
                w.max_severity.to_lowercase(),
                i.max_severity
            );
            if i.quieted > 0 {
                // The line just written goes on: what inhibitions held back, in the words of
                // the report.
                out.pop();
                let quieted = w.quieted_count.replace("{count}", &i.quieted.to_string());
                let _ = writeln!(out, "{quieted}");
            }
        }
        let _ = writeln!(out, "\n## {breaches}\n");
        if self.breaches.is_empty() {
            let _ = writeln!(out, "{}", w.none);
        }
        for b in &self.breaches {
            let hours = match b.out_of_hours {
                Some(true) => format!(", {}", w.out_of_hours),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "- {} ({}){}`{}` ({}), {}{hours}",
                b.subject, b.playbook, w.colon, b.action, b.owner, b.due
            );
        }
        if let (Some(count), false) = (self.breaches_out_of_hours, self.breaches.is_empty()) {
            let line = breaches_out_of_hours
                .replace("{count}", &count.to_string())
                .replace("{total}", &self.breaches.len().to_string());
            let _ = writeln!(out, "\n{line}");
        }
        let _ = writeln!(
            out,
            "\n- {median}{}{}",
            w.colon,
            duration(self.median_time_to_acknowledgement)
        );
        let _ = writeln!(
            out,
            "- {worst}{}{}",
            w.colon,
            duration(self.worst_time_to_acknowledgement)
        );
        for (label, times) in [
            (started_in_office_hours, &self.in_office_hours),
            (started_out_of_hours, &self.out_of_office_hours),
        ] {
            if let Some(times) = times {
                let figures = acknowledged
                    .replace("{incidents}", &times.incidents.to_string())
                    .replace("{acknowledged}", &times.acknowledged.to_string())
                    .replace("{median}", &duration(times.median))
                    .replace("{worst}", &duration(times.worst));
                let _ = writeln!(out, "- {label}{}{figures}", w.colon);
            }
        }
        let _ = writeln!(out, "\n## {playbooks}\n");
        for (playbook, count) in &self.by_playbook {
            let _ = writeln!(out, "- {playbook}{}{count}", w.colon);
        }
        let _ = writeln!(out, "\n## {false_alarms}\n");
        if self.false_alarms.is_empty() {
            let _ = writeln!(out, "{}", w.none);
        }
        for subject in &self.false_alarms {
            let _ = writeln!(out, "- {subject}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cause, Term};

    /// A hostile timeline: every action is different and never done, and every transition
    /// tests something new, so that no lookup can stop early.
    fn distinct_timeline(n: usize) -> Vec<Event> {
        let start: Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
        (0..n)
            .map(|i| {
                let at = start + Duration::from_secs(i as u64);
                let kind = if i % 2 == 0 {
                    EventKind::Action {
                        state: "crisis".into(),
                        action: format!("act_{i}"),
                        owner: "lead".into(),
                        due: Some(at + Duration::from_secs(60)),
                        text: String::new(),
                        occurrence: 1,
                        missed: 0,
                    }
                } else {
                    EventKind::Transition {
                        from: "crisis".into(),
                        to: "crisis".into(),
                        transition: 0,
                        group: None,
                        severity: 1,
                        cause: Cause {
                            condition: None,
                            hold: None,
                            after: None,
                            terms: vec![Term {
                                test: format!("metric_{i} > 1"),
                                value: Some(i as f64),
                                threshold: Some(1.0),
                                holds: true,
                            }],
                        },
                    }
                };
                Event { at, kind }
            })
            .collect()
    }

    #[test]
    fn a_report_looks_at_each_event_a_bounded_number_of_times() {
        let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
        let n = 20_000;
        let events = distinct_timeline(n);
        WORK.with(|w| w.set(0));
        let report = Report::from_timeline(&playbook, &events, "en");
        let work = WORK.with(std::cell::Cell::get);
        assert_eq!((report.deadlines.len(), report.peaks.len()), (n / 2, n / 2));
        // One look per event and per tested term; a quadratic report would look n²/4 times.
        assert!(work <= 2 * n, "{work} looks for {n} events");
    }
}
