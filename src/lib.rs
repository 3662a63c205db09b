//! Social-media crisis playbooks as tested state graphs.
//!
//! A playbook is a YAML document: the signals a run accepts, the metrics computed over them,
//! the states of the response (watch, issue, crisis…), the actions each state recommends, the
//! escalation ladders, and the guarded transitions between states. `crisis-playbook` compiles
//! it once into an immutable [`Playbook`], then runs it cheaply for every brand, account or post
//! you watch. This page is a tutorial, from a first playbook to a fleet and its tests; the
//! format is documented key by key in `docs/playbook-format.md`, and `docs/cookbook.md` has
//! recipes.
//!
//! # 1. A first playbook
//!
//! A playbook names its signals, a metric over them, the roles that act, and the states.
//! Loading checks everything at once; the compiled [`Playbook`] is cheap to clone and can be
//! shared between threads.
//!
//! ```
//! use crisis_playbook::Playbook;
//!
//! let playbook = Playbook::from_yaml_str(r#"
//! playbook: first
//! version: 1
//! title: { en: My first playbook, fr: Mon premier playbook }
//! parameters:
//!   storm_per_hour: { default: 100, min: 10, max: 10000 }
//! signals:
//!   mentions: { kind: count }
//!   ack: { kind: manual }
//! metrics:
//!   hourly: { count: mentions, window: 1h }
//! roles: [community_manager, social_lead]
//! initial: calm
//! states:
//!   calm:
//!     on:
//!       - { to: storm, when: hourly >= storm_per_hour, for: 10m }
//!   storm:
//!     severity: 2
//!     enter:
//!       - do: holding_statement
//!         owner: community_manager
//!         within: 1h
//!         say: { en: Post the holding statement, fr: Publiez la déclaration d'attente }
//!     escalate:
//!       unless: ack
//!       steps: [{ to: social_lead, after: 30m }]
//!     on:
//!       - { to: calm, when: hourly < storm_per_hour / 2, for: 2h }
//! "#)?;
//! assert_eq!(playbook.states().len(), 2);
//! # Ok::<(), crisis_playbook::LoadError>(())
//! ```
//!
//! A transition that several states share is written once, in a group: it applies in each
//! member state but its own target, before the state's own transitions, and the events it
//! causes name the group.
//!
//! ```
//! use crisis_playbook::{EventKind, Observation, Playbook, Run};
//!
//! let playbook = Playbook::from_yaml_str(r#"
//! playbook: shared
//! version: 1
//! title: Shared
//! signals:
//!   journalist: { kind: event }
//!   rise: { kind: manual }
//!   calm: { kind: manual }
//! roles: [comms_director]
//! initial: calm
//! states:
//!   calm:
//!     on: [{ to: watch, when: rise }]
//!   watch:
//!     severity: 1
//!     on: [{ to: calm, when: calm }]
//!   crisis:
//!     severity: 3
//!     enter: [{ do: holding_statement, owner: comms_director, within: 1h, say: Publish it }]
//! groups:
//!   before_crisis:
//!     states: [calm, watch, crisis]
//!     on: [{ to: crisis, when: journalist }]
//! "#)?;
//! let journalist = playbook.signal_named("journalist").unwrap();
//! let mut run = Run::start(&playbook, "2026-03-02T08:00:00Z".parse()?);
//! let events = run.observe(Observation::event(journalist, run.now(), &[]))?;
//! let EventKind::Transition { to, group, .. } = &events[0].kind else { unreachable!() };
//! assert_eq!((to.as_str(), group.as_deref()), ("crisis", Some("before_crisis")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A playbook with mistakes is refused with all of them at once, each with its place and a fix:
//!
//! ```
//! use crisis_playbook::Loader;
//!
//! let text = "\
//! playbook: demo
//! version: 1
//! title: Demo
//! signals: { mentions: { kind: count } }
//! roles: [community_manager]
//! initial: calm
//! states:
//!   calm:
//!     on: [{ to: storm, when: mentions >= 100 }]
//!   storm:
//!     enter: [{ do: reply, owner: comunity_manager, say: Reply }]
//! ";
//! let err = Loader::new().file_name("demo.yaml").load_str(text).unwrap_err();
//! let lines: Vec<String> = err.errors().map(|d| d.to_string()).collect();
//! assert_eq!(lines, [
//!     "demo.yaml:11:33: error: states.storm.enter[0].owner: unknown role `comunity_manager`; did you mean `community_manager`?",
//! ]);
//! ```
//!
//! # 2. Feeding a run
//!
//! A [`Run`] is one subject going through the playbook. Each signal is an [`Observation`];
//! each call returns the [`Event`]s it caused: transitions, recommended actions, escalations,
//! missed deadlines. Time only moves with the signals and with [`Run::advance_to`], so the same
//! input always gives the same events.
//!
//! ```
//! use crisis_playbook::{Duration, EventKind, Observation, Playbook, Run, Timestamp};
//!
//! let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
//! let mentions = playbook.signal_named("mentions").unwrap();
//! let start: Timestamp = "2026-03-02T00:00:00Z".parse()?;
//! let mut run = Run::start(&playbook, start);
//! let mut transitions = Vec::new();
//! for step in 0..(2 * 288 + 24) {
//!     // Two days of 20 mentions every five minutes, then seven and a half times that.
//!     let value = if step < 2 * 288 { 20.0 } else { 150.0 };
//!     let at = start + Duration::from_secs(step * 300);
//!     for event in run.observe(Observation::count(mentions, at, value))? {
//!         if let EventKind::Transition { to, .. } = &event.kind {
//!             transitions.push(to.clone());
//!         }
//!     }
//! }
//! assert_eq!(transitions, ["watch", "issue", "crisis"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 3. People in the loop
//!
//! Manual signals carry who gave them: an `ack` stops an escalation ladder, and
//! [`Run::complete`] marks an action done. [`Run::explain`] says why the run is where it is,
//! with the live value of every guard.
//!
//! ```
//! use crisis_playbook::{AttributeValue, Observation, Playbook, Run};
//!
//! let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
//! let journalist = playbook.signal_named("journalist").unwrap();
//! let ack = playbook.signal_named("ack").unwrap();
//! let start = "2026-03-02T08:00:00Z".parse()?;
//! let mut run = Run::start(&playbook, start);
//! let national = [("tier", AttributeValue::Text("national"))];
//! run.observe(Observation::event(journalist, start, &national))?;
//! assert_eq!(run.state_name(), "crisis");
//! let acked = run.observe(Observation::manual(ack, start, "comms_director"))?;
//! assert!(!acked.is_empty());
//! run.complete("holding_statement", "comms_director", start)?;
//! assert!(run.open_actions().all(|a| a.action != "holding_statement"));
//! println!("{}", run.explain());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 4. Saving and restoring
//!
//! A [`Snapshot`] holds everything a run needs to continue identically after a restart:
//! windows, pending `for` holds, deadlines, escalation clocks. Store it with the events it
//! produced, in one transaction (the `crisis_service` example shows how).
//!
//! ```
//! use crisis_playbook::{Playbook, Run, Snapshot};
//!
//! let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
//! let run = Run::start(&playbook, "2026-03-02T08:00:00Z".parse()?);
//! let json = serde_json::to_string(&run.snapshot())?;
//! let restored = Run::restore(&playbook, serde_json::from_str::<Snapshot>(&json)?)?;
//! assert_eq!(serde_json::to_string(&restored.snapshot())?, json);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 5. Many subjects, each tuned
//!
//! A [`Fleet`] routes signals by subject. [`RunSettings`] give a subject its locale and its own
//! parameter values, checked against the bounds the playbook declares.
//!
//! ```
//! use crisis_playbook::{Fleet, Observation, Playbook, RunSettings};
//!
//! let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
//! let mentions = playbook.signal_named("mentions").unwrap();
//! let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
//! fleet.configure(RunSettings::new("big-brand").parameter("watch_ratio", 3.0).locale("fr"))?;
//! let err = fleet.configure(RunSettings::new("tiny").parameter("watch_ratio", 99.0)).unwrap_err();
//! assert_eq!(err.to_string(), "parameter `watch_ratio` = 99 is outside its bounds [1.2, 10]");
//! let at = "2026-03-02T08:00:00Z".parse()?;
//! fleet.observe("big-brand", Observation::count(mentions, at, 120.0))?;
//! fleet.observe("small-shop", Observation::count(mentions, at, 3.0))?;
//! assert_eq!(fleet.subjects(), ["big-brand", "small-shop"]);
//! assert_eq!(fleet.get("big-brand").unwrap().locale(), "fr");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! When signals arrive in bulk, [`Fleet::observe_batch`] feeds them in order with the same
//! outcome, faster for a large fleet whose runs are not all in the CPU's cache.
//!
//! # 6. Work side by side, and playbooks that hand over
//!
//! A real plan runs several tracks at once. In data-breach-or-recall, the state `breach` holds
//! three tracks (`tracks:`): legal counts the regulator's clocks, comms publishes, care answers.
//! The run is then in several states, named `track.state`, and its severity is the highest.
//!
//! ```
//! use crisis_playbook::{Observation, Playbook, Run};
//!
//! let breach = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
//! let start = "2026-03-02T08:00:00Z".parse()?;
//! let mut run = Run::start(&breach, start);
//! let aware = breach.signal_named("breach_aware").unwrap();
//! run.observe(Observation::manual(aware, start, "dpo"))?;
//! let states: Vec<&str> = run.states().map(|s| breach.state(s).name.as_str()).collect();
//! assert_eq!(states, ["breach", "legal.notifying", "comms.holding", "care.answering"]);
//! assert_eq!(run.severity(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Several playbooks can run for one subject in a [`RunSet`]. A state's `hand_over` starts
//! another playbook, and a playbook's `inhibited_by` rules quiet it while another is severe:
//! while the breach puts people at high risk (severity 4), the comment storm's lower steps for
//! the same brand are muted, with an event that says why.
//!
//! ```
//! use crisis_playbook::{EventKind, Playbook, RunSet, trace::Record};
//!
//! let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
//! let breach = Playbook::from_path("playbooks/data-breach-or-recall.yaml")?;
//! let mut set = RunSet::new("brand-x", &[storm, breach])?;
//! let start = "2026-03-02T08:00:00Z".parse()?;
//! set.start("data-breach-or-recall", start)?;
//! set.start("negative-comment-storm", start)?;
//! let input = |line, text| Record::from_json(line, text);
//! set.apply(&input(1, r#"{"at": "2026-03-02T09:00:00Z", "signal": "breach_aware", "by": "dpo"}"#)?)?;
//! let events = set.apply(&input(2, r#"{"at": "2026-03-02T10:00:00Z", "signal": "high_risk", "by": "dpo"}"#)?)?;
//! let storm_events: Vec<&EventKind> = events
//!     .iter()
//!     .filter(|e| e.playbook == "negative-comment-storm")
//!     .map(|e| &e.event.kind)
//!     .collect();
//! assert!(matches!(storm_events[..], [EventKind::Inhibited { severity: 4, below: 3, .. }]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! For many subjects, a [`RunSetFleet`] keeps one such set per subject, built from the same
//! playbooks, and routes each record to its subject's set.
//!
//! # 7. Testing a playbook
//!
//! Scenario files describe signals over time and the events expected from them; the
//! [`testing`] module runs them, measures coverage and tries mutants of the playbook. In a
//! team's crate, one line tests a folder: `testing::assert_scenarios("playbooks/")`.
//!
//! ```
//! use crisis_playbook::testing;
//!
//! let scenarios = testing::load_text(r#"
//! scenario: a quiet day stays quiet
//! playbook: negative-comment-storm.yaml
//! start: 2026-03-02T00:00:00Z
//! step: 5m
//! signals:
//!   mentions: "20x288"
//! expect:
//!   - { never: { state: watch } }
//!   - { final: monitoring }
//! "#, "quiet.yaml", std::path::Path::new("playbooks"))?;
//! assert!(scenarios[0].run().passed());
//! # Ok::<(), crisis_playbook::LoadError>(())
//! ```
//!
//! # 8. After the crisis
//!
//! A run's events are its timeline; [`report::Report`] turns one into a blameless after-action
//! review, and [`report::Digest`] gathers many into the negative-performance review.
//!
//! ```
//! use crisis_playbook::{AttributeValue, Observation, Playbook, Run, report::Report};
//!
//! let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
//! let journalist = playbook.signal_named("journalist").unwrap();
//! let start = "2026-03-02T08:00:00Z".parse()?;
//! let mut run = Run::start(&playbook, start);
//! let timeline = run
//!     .observe(Observation::event(journalist, start, &[("tier", AttributeValue::Text("local"))]))?
//!     .to_vec();
//! let report = Report::from_timeline(&playbook, &timeline, "fr");
//! assert_eq!(report.max_severity, 3);
//! assert!(report.markdown().starts_with("# Revue après incident"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Nothing that comes from outside may make the library panic: no unwrap, no unchecked
// indexing, no overflowing arithmetic. Where a module relies on an invariant instead (ids of the
// compiled playbook), it says so with an `expect` and its reason.
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

mod calendar;
pub mod diagnostic;
pub mod diagram;
mod duration;
pub mod files;
mod fleet;
mod load;
mod metrics;
mod model;
mod name;
pub mod report;
mod run;
mod run_set;
pub mod schema;
pub mod testing;
mod text;
mod time;
pub mod timeline;
pub mod trace;
mod wording;
mod yaml;

pub use calendar::{Calendar, CalendarError, TimeZone};
pub use diagnostic::{Code, Diagnostic, LoadError, Severity};
pub use duration::{Duration, DurationError};
pub use fleet::{Fleet, FleetError, FleetSnapshot, RunSetFleet, RunSetFleetSnapshot};
pub use load::Loader;
pub use metrics::{BASELINE_BUCKETS, WINDOW_BUCKETS};
pub use model::{
    Action, Attribute, AttributeKind, CalendarId, CompareOp, Condition, Cooldown, EscalationTarget,
    EventTest, Fingerprint, Group, GroupId, HandOver, Inhibition, InhibitionMode, Ladder, Metric,
    MetricId, MetricKind, OutOfHours, Parameter, ParameterId, ParameterValue, ParameterValueError,
    Playbook, QuantityKind, Reentry, Repeat, RoleId, Signal, SignalId, SignalKind, State, StateId,
    Step, Timer, TimerDuration, Track, TrackId, Transition,
};
pub use run::{
    AttributeValue, Cause, DEFAULT_LATE_TOLERANCE, Event, EventKind, Explanation,
    MAX_INSTANTS_PER_CALL, MAX_SIGNAL_VALUE, Observation, OpenActionView, PendingEscalation,
    Quieted, Run, RunError, RunSettings, Snapshot, Term, TransitionExplanation,
};
pub use run_set::{RunSet, RunSetError, RunSetEvent, RunSetSnapshot, check_together};
pub use text::LocalizedText;
pub use time::{Timestamp, TimestampError};
pub use yaml::Limits;

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The cookbook's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/cookbook.md")]
struct CookbookDoctests;
