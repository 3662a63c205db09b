//! Social-media crisis playbooks as tested state graphs.
//!
//! A playbook is a YAML document: the signals a run accepts, the metrics computed over them,
//! the states of the response (watch, issue, crisis…), the actions each state recommends, the
//! escalation ladders, and the guarded transitions between states. `crisis-playbook` compiles
//! it once into an immutable [`Playbook`], validated with every error pointing at its line.
//!
//! ```
//! use crisis_playbook::Playbook;
//!
//! let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
//! println!("{} v{}", playbook.id(), playbook.version());
//! for state in playbook.states() {
//!     println!("{:<12} severity {}", state.name, state.severity);
//! }
//! # Ok::<(), crisis_playbook::LoadError>(())
//! ```
//!
//! A playbook with mistakes is refused with all of them at once:
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
//!     "demo.yaml:11:33: error: states.storm.enter[0].owner: unknown role `comunity_manager`: did you mean `community_manager`?",
//! ]);
//! ```
//!
//! The format is documented key by key in `docs/playbook-format.md`.

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

mod condition;
pub mod diagnostic;
pub mod diagram;
mod duration;
pub mod files;
mod fleet;
mod load;
mod metrics;
mod playbook;
pub mod report;
mod run;
pub mod schema;
pub mod testing;
mod text;
mod time;
pub mod timeline;
pub mod trace;
mod validate;

pub use condition::{CompareOp, Condition};
pub use diagnostic::{Code, Diagnostic, LoadError, Severity};
pub use duration::{Duration, DurationError};
pub use fleet::{Fleet, FleetSnapshot};
pub use load::{Limits, Loader};
pub use metrics::{BASELINE_BUCKETS, WINDOW_BUCKETS};
pub use playbook::{
    Action, Attribute, AttributeKind, EscalationTarget, Fingerprint, Ladder, Metric, MetricId,
    MetricKind, Parameter, ParameterId, Playbook, QuantityKind, Repeat, RoleId, Signal, SignalId,
    SignalKind, State, StateId, Step, Transition,
};
pub use run::{
    AttributeValue, Cause, DEFAULT_LATE_TOLERANCE, Event, EventKind, Explanation, Observation,
    OpenActionView, PendingEscalation, Run, RunSettings, SettingsError, SignalError, Snapshot,
    SnapshotError, Term, TransitionExplanation,
};
pub use text::LocalizedText;
pub use time::{Timestamp, TimestampError};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
