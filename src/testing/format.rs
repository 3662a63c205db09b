//! The scenario file as written in YAML; `docs/scenario-format.md` documents every key.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::format::{CalendarDoc, QuantityDoc};
use crate::trace::OwnedAttributeValue;
use crate::yaml::{Entries, Located};

/// A scenario file: one scenario (`scenario: name` and its keys), or several (`scenarios:`),
/// which take any key they leave out from the top level.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "crisis-playbook scenario")]
pub(crate) struct ScenarioDoc {
    /// The scenario's name, as test reports show it.
    #[serde(default)]
    pub scenario: Option<Located<String>>,
    /// Several scenarios in one file; each takes the keys it omits from the top level.
    #[serde(default)]
    pub scenarios: Option<Vec<Located<ScenarioDoc>>>,
    /// The playbook under test, relative to this file.
    #[serde(default)]
    pub playbook: Option<Located<String>>,
    /// Parameter overrides, as the playbook's bounds allow.
    #[serde(default)]
    pub parameters: Entries<Located<QuantityDoc>>,
    /// The subject of the run (default `scenario`).
    #[serde(default)]
    pub subject: Option<Located<String>>,
    /// The locale of the run's texts (default: the playbook's).
    #[serde(default)]
    pub locale: Option<Located<String>>,
    /// The subject's time zone (IANA, such as `America/Toronto`): the playbook's calendars
    /// count their hours there, and times written without a zone are read there.
    #[serde(default)]
    pub time_zone: Option<Located<String>>,
    /// Calendars that replace the playbook's for this run, by name: a brand with its own hours
    /// or someone on call all weekend.
    #[serde(default)]
    pub calendars: Entries<Located<CalendarDoc>>,
    /// When the simulated clock starts (RFC 3339).
    #[serde(default)]
    pub start: Option<Located<String>>,
    /// Time between two values of a series (default `5m`).
    #[serde(default)]
    pub step: Option<Located<String>>,
    /// Run the clock to this offset from `start` at the end (default: the last input).
    #[serde(default)]
    pub until: Option<Located<String>>,
    /// Count and gauge signals as series in the expanding notation: `20x143 300x12`.
    #[serde(default)]
    pub signals: Entries<Located<String>>,
    /// Events with their attributes, at given offsets.
    #[serde(default)]
    pub events: Vec<Located<EventDoc>>,
    /// Manual inputs (`signal` and `by`) and actions marked done (`done` and `by`).
    #[serde(default)]
    pub inputs: Vec<Located<InputDoc>>,
    /// What the playbook must do.
    #[serde(default)]
    pub expect: Vec<Located<ExpectDoc>>,
    /// A file holding the whole expected timeline, in `simulate --format jsonl` form.
    #[serde(default)]
    pub timeline: Option<Located<String>>,
    /// Other playbooks, relative to this file, run beside the one under test for the same
    /// subject: the ones it hands over to, and the ones whose severity inhibits it.
    #[serde(default)]
    pub with: Vec<Located<String>>,
}

/// An event at a given time.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventDoc {
    /// Offset from `start`, such as `49h30m`.
    pub at: Located<String>,
    /// The event signal.
    pub signal: Located<String>,
    /// Its attributes.
    #[serde(default)]
    pub attrs: BTreeMap<String, OwnedAttributeValue>,
}

/// A person's input: a manual signal, or an action marked done.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputDoc {
    /// Offset from `start`.
    pub at: Located<String>,
    /// The manual signal, such as `ack`.
    #[serde(default)]
    pub signal: Option<Located<String>>,
    /// The action marked done.
    #[serde(default)]
    pub done: Option<Located<String>>,
    /// Who.
    pub by: Located<String>,
}

/// One expectation. Give one of `state`, `transition`, `action`, `escalation` (or `level`),
/// `breach`, `cooldown`, `muted`, `deferred`, `hand_over`, `inhibited`, `inhibition_lifted`,
/// `never` or `final`, and when: `at` or `between` (default: the whole run).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExpectDoc {
    /// An offset from `start`: the expectation holds at that instant.
    #[serde(default)]
    pub at: Option<Located<String>>,
    /// Two offsets from `start`: the expectation holds within that interval, inclusive.
    #[serde(default)]
    pub between: Option<Located<Vec<Located<String>>>>,
    /// The run is in this state.
    #[serde(default)]
    pub state: Option<Located<String>>,
    /// The run enters this state.
    #[serde(default)]
    pub transition: Option<Located<String>>,
    /// With `transition`: from this state.
    #[serde(default)]
    pub from: Option<Located<String>>,
    /// This action is recommended.
    #[serde(default)]
    pub action: Option<Located<String>>,
    /// With `action`: owned by this role.
    #[serde(default)]
    pub owner: Option<Located<String>>,
    /// With `action`: due this long after it is recommended (`1h`), or at this time
    /// (`2026-03-09T10:30 Europe/Paris`), as a deadline in working time is easier to write.
    #[serde(default)]
    pub due: Option<Located<String>>,
    /// With `action` or `escalation`: its text contains this.
    #[serde(default)]
    pub text: Option<Located<String>>,
    /// This role is notified by an escalation.
    #[serde(default)]
    pub escalation: Option<Located<String>>,
    /// This escalation level is notified.
    #[serde(default)]
    pub level: Option<Located<u32>>,
    /// This action passes its deadline while open.
    #[serde(default)]
    pub breach: Option<Located<String>>,
    /// The run enters this state again in its cool-down, sending nothing again.
    #[serde(default)]
    pub cooldown: Option<Located<String>>,
    /// This action is muted by an inhibition (a `with:` playbook at a high severity).
    #[serde(default)]
    pub muted: Option<Located<String>>,
    /// This action is deferred by an inhibition, to be sent when it lifts.
    #[serde(default)]
    pub deferred: Option<Located<String>>,
    /// The run hands over to this playbook.
    #[serde(default)]
    pub hand_over: Option<Located<String>>,
    /// With `hand_over`: the run it starts begins in this state of that playbook.
    #[serde(default)]
    pub starts_in: Option<Located<String>>,
    /// With `hand_over`: the hand-over gives these parameters (others may be given too).
    #[serde(default)]
    pub parameters: Entries<Located<QuantityDoc>>,
    /// An inhibition by this playbook begins to apply.
    #[serde(default)]
    pub inhibited: Option<Located<String>>,
    /// An inhibition by this playbook stops applying.
    #[serde(default)]
    pub inhibition_lifted: Option<Located<String>>,
    /// None of this happens (a `state`, `transition`, `action`, `escalation`, `breach`,
    /// `cooldown`, `muted`, `deferred`, `hand_over`, `inhibited` or `inhibition_lifted`).
    #[serde(default)]
    pub never: Option<Located<Box<ExpectDoc>>>,
    /// The state at the end of the run.
    #[serde(default, rename = "final")]
    pub final_state: Option<Located<String>>,
}
