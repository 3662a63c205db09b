//! What ties one playbook to others run for the same subject: hand-overs, which start another
//! playbook, and inhibitions, which quiet this one while another is at a high severity.
//!
//! A playbook names the others only by id; whether they exist, and whether the parameters and
//! severities fit them, is checked when playbooks are put together (`lint` on a folder, or a
//! [`RunSet`](crate::RunSet)).

use serde::{Deserialize, Serialize};

use super::playbook::ParameterValue;
use crate::diagnostic::Position;

/// Entering a state starts another playbook for the same subject, with these parameters.
///
/// ```
/// # use crisis_playbook::Playbook;
/// let playbook = Playbook::from_path("playbooks/misinformation-rumour.yaml")?;
/// let state = playbook.state(playbook.state_named("confirmed_hazard").unwrap());
/// assert_eq!(state.hand_over[0].playbook, "data-breach-or-recall");
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct HandOver {
    /// The id of the playbook started.
    pub playbook: String,
    /// The state its run starts in, when not its initial state.
    pub state: Option<String>,
    /// Parameter overrides for the run started, by name, in the order written.
    pub parameters: Vec<(String, ParameterValue)>,
    /// Where it is written, for messages about the playbook it names.
    #[serde(skip)]
    pub(crate) at: Position,
    /// Where its `state` is written (or the hand-over, without one).
    #[serde(skip)]
    pub(crate) state_at: Position,
    /// Where each parameter's value is written, in the order of `parameters`.
    #[serde(skip)]
    pub(crate) parameters_at: Vec<Position>,
}

/// While another playbook's run for the same subject (or one of its tracks) is at a severity
/// of at least `at_least`, this playbook's actions and escalations from states below `below`
/// are muted or deferred.
///
/// ```
/// # use crisis_playbook::{InhibitionMode, Playbook};
/// let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
/// let rule = &playbook.inhibitions()[0];
/// assert_eq!((rule.playbook.as_str(), rule.at_least, rule.below), ("data-breach-or-recall", 4, 3));
/// assert_eq!(rule.mode, InhibitionMode::Mute);
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Inhibition {
    /// The id of the playbook whose severity counts.
    pub playbook: String,
    /// One of its tracks, when only that track's severity counts.
    pub track: Option<String>,
    /// The severity, in that playbook or track, from which the rule applies.
    pub at_least: i64,
    /// This playbook's states below this severity are quieted; those at it or above are not.
    pub below: i64,
    /// What happens to what they would send.
    pub mode: InhibitionMode,
    /// Where it is written, for messages about the playbook it names.
    #[serde(skip)]
    pub(crate) at: Position,
    /// Where its `track` is written (or the rule, without one).
    #[serde(skip)]
    pub(crate) track_at: Position,
    /// Where its `at_least` is written.
    #[serde(skip)]
    pub(crate) at_least_at: Position,
}

/// What an inhibition does with the actions and escalation steps it holds back.
///
/// ```
/// use crisis_playbook::InhibitionMode;
/// assert_eq!(InhibitionMode::Defer.keyword(), "defer");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InhibitionMode {
    /// Not sent at all: no deadline, no breach, and nothing when the inhibition lifts.
    Mute,
    /// Sent when the inhibition lifts, if the run is still in the state: actions with their
    /// deadline counted from then, escalation steps that came due meanwhile at once.
    Defer,
}

impl InhibitionMode {
    /// The word the playbook format uses.
    pub fn keyword(self) -> &'static str {
        match self {
            InhibitionMode::Mute => "mute",
            InhibitionMode::Defer => "defer",
        }
    }
}
