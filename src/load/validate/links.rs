//! Hand-overs and inhibitions as one playbook writes them. Whether the playbooks they name
//! exist, and whether parameters, tracks and severities fit those, is checked when playbooks
//! are put together, by the run set.

use std::collections::BTreeSet;

use crate::diagnostic::Code;
use crate::load::format::{HandOverDoc, InhibitionDoc, InhibitionModeDoc, QuantityDoc};
use crate::model::{HandOver, Inhibition, InhibitionMode, ParameterValue, State};
use crate::yaml::Located;

use super::Checker;

impl Checker<'_> {
    /// The hand-overs of a state, as written at `path` (`states.x.hand_over`).
    pub(super) fn hand_overs(
        &mut self,
        docs: &[Located<HandOverDoc>],
        path: &str,
        own: &str,
    ) -> Vec<HandOver> {
        let mut named = BTreeSet::new();
        let mut hand_overs = Vec::new();
        for (index, doc) in docs.iter().enumerate() {
            let path = format!("{path}[{index}]");
            let Some(playbook) =
                self.other_playbook(&doc.value.playbook, &path, own, "hand over to")
            else {
                continue;
            };
            if !named.insert(playbook.clone()) {
                self.error(
                    Code::InvalidHandOver,
                    doc.value.playbook.at,
                    format!("{path}.playbook"),
                    format!("this state already hands over to `{playbook}`: remove one of the two"),
                );
                continue;
            }
            let mut parameters = Vec::new();
            let mut parameters_at = Vec::new();
            for (name, value) in &doc.value.parameters.0 {
                let value_path = format!("{path}.parameters.{}", name.value);
                let parsed = match &value.value {
                    QuantityDoc::Number(n) if n.is_finite() => Ok(ParameterValue::Number(*n)),
                    QuantityDoc::Number(_) => Err("value must be a finite number".to_string()),
                    QuantityDoc::Text(text) => {
                        text.parse::<ParameterValue>().map_err(|e| e.to_string())
                    }
                };
                match parsed {
                    Ok(parsed) => {
                        parameters.push((name.value.clone(), parsed));
                        parameters_at.push(value.at);
                    }
                    Err(message) => self.error(Code::InvalidValue, value.at, value_path, message),
                }
            }
            let state = doc.value.state.as_ref().and_then(|state| {
                let ok = self.name(state, &format!("{path}.state"), "state");
                ok.then(|| state.value.clone())
            });
            hand_overs.push(HandOver {
                playbook,
                state,
                parameters,
                at: doc.at,
                state_at: doc.value.state.as_ref().map_or(doc.at, |s| s.at),
                parameters_at,
            });
        }
        hand_overs
    }

    /// The playbook's `inhibited_by` rules, once its states are known.
    pub(super) fn inhibitions(
        &mut self,
        docs: &[Located<InhibitionDoc>],
        own: &str,
        states: &[State],
    ) -> Vec<Inhibition> {
        let lowest = states.iter().map(|s| s.severity).min().unwrap_or(0);
        let mut seen = BTreeSet::new();
        let mut rules = Vec::new();
        for (index, doc) in docs.iter().enumerate() {
            let path = format!("inhibited_by[{index}]");
            let rule = &doc.value;
            let Some(playbook) = self.other_playbook(&rule.playbook, &path, own, "be inhibited by")
            else {
                continue;
            };
            let track = rule.track.as_ref().map(|t| t.value.clone());
            if !seen.insert((playbook.clone(), track.clone())) {
                self.error(
                    Code::InvalidInhibition,
                    doc.at,
                    path.clone(),
                    format!(
                        "another rule already names `{playbook}`{}: keep one",
                        track
                            .as_ref()
                            .map(|t| format!(" track `{t}`"))
                            .unwrap_or_default()
                    ),
                );
                continue;
            }
            let (at_least, below) = (rule.at_least.value.0, rule.below.value.0);
            if at_least < 0 {
                self.error(
                    Code::InvalidValue,
                    rule.at_least.at,
                    format!("{path}.at_least"),
                    "severity must be 0 (normal) or more",
                );
                continue;
            }
            if below <= lowest {
                self.error(
                    Code::InvalidInhibition,
                    rule.below.at,
                    format!("{path}.below"),
                    format!(
                        "no state of this playbook is below severity {below}, so the rule would quiet nothing: raise `below` above {lowest}"
                    ),
                );
                continue;
            }
            rules.push(Inhibition {
                playbook,
                track,
                at_least,
                below,
                mode: match rule.mode.as_ref().map(|m| m.value) {
                    Some(InhibitionModeDoc::Defer) => InhibitionMode::Defer,
                    Some(InhibitionModeDoc::Mute) | None => InhibitionMode::Mute,
                },
                at: doc.at,
                track_at: rule.track.as_ref().map_or(doc.at, |t| t.at),
                at_least_at: rule.at_least.at,
            });
        }
        rules
    }

    /// The id of another playbook named at `path`, when it is one.
    fn other_playbook(
        &mut self,
        id: &Located<String>,
        path: &str,
        own: &str,
        verb: &str,
    ) -> Option<String> {
        let path = format!("{path}.playbook");
        if !crate::name::is_playbook_id(&id.value) {
            self.error(
                Code::InvalidName,
                id.at,
                path,
                format!(
                    "playbook id `{}` must use lowercase letters, digits, `-` and `_`",
                    id.value
                ),
            );
            return None;
        }
        if id.value == own {
            self.error(
                if verb.starts_with("hand") {
                    Code::InvalidHandOver
                } else {
                    Code::InvalidInhibition
                },
                id.at,
                path,
                format!("a playbook cannot {verb} itself: name another playbook"),
            );
            return None;
        }
        Some(id.value.clone())
    }
}
