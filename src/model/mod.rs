//! The compiled playbook: what a run reads, and nothing about how it was written.
//!
//! This is the bottom of the engine. It holds the [`Playbook`] with its ids and parts, the
//! compiled condition tree, and the run plan precomputed from both. It imports nothing above
//! it: the loader (`load`) builds a model from YAML, the runtime (`run`) reads one.

mod condition;
mod links;
mod plan;
mod playbook;
mod template;

pub(crate) use condition::{
    ArithKind, AttributeLiteral, AttributeTest, Bool, EventPredicate, Number,
};
pub use condition::{CompareOp, Condition};
pub use links::{HandOver, Inhibition, InhibitionMode};
pub(crate) use plan::{EventRoute, Expiry, Feed, Guard, GuardStep, routes};
pub use playbook::{
    Action, Attribute, AttributeKind, CalendarId, Cooldown, EscalationTarget, EventTest,
    Fingerprint, Group, GroupId, Ladder, Metric, MetricId, MetricKind, OutOfHours, Parameter,
    ParameterId, ParameterValue, ParameterValueError, Playbook, QuantityKind, Reentry, Repeat,
    RoleId, Signal, SignalId, SignalKind, State, StateId, Step, Timer, TimerDuration, Track,
    TrackId, Transition,
};
pub(crate) use playbook::{MAX_BASELINE_DAYS, Model, RunLayout, SignalTable};
pub(crate) use template::{Piece, Style, Template, Value as TemplateValue};
