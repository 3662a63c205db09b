//! Mutation testing of playbooks: change one thing at a time and see whether any scenario
//! notices. A surviving mutant is a change to the playbook that the tests would let through.
//!
//! The changes: each threshold halved and doubled (constants in conditions, parameter
//! defaults, attribute tests, spike gates); each duration halved and doubled (`for`, `after`,
//! `within`, `every`, ladder steps and repeats, windows and baselines); each `for` removed;
//! each transition's target replaced by every other state; each action dropped; each
//! escalation step dropped.
#![expect(
    clippy::arithmetic_side_effects,
    reason = "counts of mutants and of the scenarios that catch them, far below usize::MAX"
)]
#![expect(
    clippy::indexing_slicing,
    reason = "mutants index the model they were derived from"
)]

use std::collections::BTreeMap;

use serde::Serialize;

use super::Scenario;
use crate::model::{Bool, Number};
use crate::model::{InhibitionMode, Model, Playbook, Reentry, StateId};
use crate::{Duration, Timer, TimerDuration};

/// One change to a playbook.
///
/// ```
/// # use crisis_playbook::{Playbook, testing::mutants::mutants};
/// let playbook = Playbook::from_path("playbooks/account-compromise.yaml")?;
/// let all = mutants(&playbook);
/// assert!(all.iter().any(|m| m.change.contains("halved")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Mutant {
    /// What was changed, such as `states.watch.on[1] (-> crisis) for halved: 10m -> 5m`.
    pub change: String,
    /// The changed playbook.
    pub playbook: Playbook,
}

/// The outcome of mutation testing for one playbook.
///
/// ```
/// # use std::path::PathBuf;
/// # use crisis_playbook::testing::{self, mutants::{describe, test_mutants}};
/// let scenarios = testing::load_paths(&[PathBuf::from("playbooks/account-compromise")])?;
/// let reports = test_mutants(&scenarios);
/// assert_eq!((reports[0].mutants, reports[0].survivors.len()), (91, 0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct MutationReport {
    /// The playbook's id.
    pub playbook: String,
    /// How many mutants were tried.
    pub mutants: usize,
    /// The changes no scenario noticed.
    pub survivors: Vec<String>,
    /// Scenarios left out because they fail on the playbook as it is: a failing scenario would
    /// "catch" every mutant and prove nothing.
    pub excluded: Vec<String>,
}

fn halve(d: Duration) -> Duration {
    Duration::from_millis(d.as_millis() / 2)
}

fn double(d: Duration) -> Duration {
    Duration::from_millis(d.as_millis().saturating_mul(2))
}

/// A timer halved and doubled, each with its word and how the change reads; it keeps its
/// clock. A timer that names a parameter becomes a fixed half or double of the parameter's
/// default, which is the value a scenario that sets no parameter runs with.
fn scaled_timers(
    timer: Timer,
    parameters: &[crate::Parameter],
) -> [(Timer, &'static str, String); 2] {
    let (base, written) = match timer.length {
        TimerDuration::Fixed(d) => (d, d.to_string()),
        TimerDuration::Parameter(id) => {
            let d = timer.length.by_default(parameters);
            (d, format!("{} ({d})", parameters[id.index()].name))
        }
    };
    [(halve(base), "halved"), (double(base), "doubled")].map(|(new, word)| {
        (
            Timer::new(TimerDuration::Fixed(new), timer.calendar),
            word,
            format!("{word}: {written} -> {new}"),
        )
    })
}

/// Whether lint would accept the mutated model: halving or doubling a value can break a rule
/// between values (a default outside its bounds, ladder steps out of order, a cycle shorter
/// than its last step, a recurrence under a minute, a timer of zero), and a new target can close
/// a loop of transitions at one instant; a playbook nobody could write needs no scenario to catch
/// it.
fn admissible(model: &Model) -> bool {
    let parameters = &model.parameters;
    let defaults = parameters.iter().all(|p| p.allows(p.default));
    let above_zero = |t: Option<TimerDuration>| t.is_none_or(|t| !t.range(parameters).0.is_zero());
    let states = model.states.iter().all(|state| {
        let actions = state.actions.iter().all(|a| {
            above_zero(a.within.map(|w| w.length))
                && a.every
                    .is_none_or(|e| e.range(parameters).0 >= crate::load::validate::MIN_RECURRENCE)
        });
        let transitions = state.transitions.iter().all(|t| {
            above_zero(t.hold.map(|h| h.length))
                && above_zero(t.after.map(|a| a.length))
                && above_zero(t.cooldown)
        });
        let ladder = state.escalation.as_ref().is_none_or(|ladder| {
            let ordered = ladder.steps.windows(2).all(|pair| {
                pair[1]
                    .after
                    .length
                    .always_after(pair[0].after.length, parameters)
            });
            let cycle = match (ladder.repeat, ladder.steps.last()) {
                (Some(repeat), Some(last)) => repeat
                    .every
                    .length
                    .always_after(last.after.length, parameters),
                _ => true,
            };
            ordered && cycle
        });
        // A cool-down's `max` is at least its `for`.
        let cooldown = state.cooldown.is_none_or(|c| {
            c.max.is_none_or(|max| {
                c.period
                    .range(parameters)
                    .1
                    .is_some_and(|longest| max.range(parameters).0 >= longest)
            })
        });
        actions && transitions && ladder && cooldown
    });
    // An inhibition's severities stay whole and non-negative, and some state stays below it.
    let lowest = model.states.iter().map(|s| s.severity).min().unwrap_or(0);
    let inhibitions = model
        .inhibitions
        .iter()
        .all(|rule| rule.at_least >= 0 && rule.below > lowest);
    defaults && states && inhibitions && crate::load::validate::instant_loops(model).is_empty()
}

/// Every mutant of `playbook`.
///
/// ```
/// # use crisis_playbook::{Playbook, testing::mutants::mutants};
/// let playbook = Playbook::from_path("playbooks/account-compromise.yaml")?;
/// let all = mutants(&playbook);
/// assert_eq!(all.len(), 91);
/// assert!(all.iter().all(|m| m.playbook.id() == "account-compromise"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn mutants(playbook: &Playbook) -> Vec<Mutant> {
    let original = playbook.model();
    let mut found = Vec::new();
    let mut add = |change: String, edit: &dyn Fn(&mut Model)| {
        let mut model = original.clone();
        edit(&mut model);
        if !admissible(&model) {
            return;
        }
        found.push(Mutant {
            change,
            playbook: Playbook::new(model, Vec::new()),
        });
    };

    for (p, parameter) in original.parameters.iter().enumerate() {
        for (factor, word) in [(0.5, "halved"), (2.0, "doubled")] {
            add(
                format!(
                    "parameters.{}.default {word}: {} -> {}",
                    parameter.name,
                    parameter.default,
                    parameter.default * factor
                ),
                &|m| m.parameters[p].default *= factor,
            );
        }
    }
    for (k, predicate) in original.predicates.iter().enumerate() {
        let signal = &original.signals[predicate.signal.index()];
        for (j, test) in predicate.tests.iter().enumerate() {
            let attribute = &signal.attributes[test.attribute].name;
            if let crate::model::AttributeLiteral::Number(value) = test.value {
                for (factor, word) in [(0.5, "halved"), (2.0, "doubled")] {
                    add(
                        format!(
                            "the test on `{}.{attribute}` {word}: {value} -> {}",
                            signal.name,
                            value * factor
                        ),
                        &|m| {
                            if let crate::model::AttributeLiteral::Number(v) =
                                &mut m.predicates[k].tests[j].value
                            {
                                *v *= factor;
                            }
                        },
                    );
                }
            }
            if let crate::model::AttributeLiteral::Phrases(phrases) = &test.value {
                let written = phrases.written();
                let word = if phrases.whole_words() {
                    "matches_word"
                } else {
                    "contains"
                };
                // Each phrase must be seen doing its work: dropping it must change a verdict.
                if written.len() > 1 {
                    for (p, phrase) in written.iter().enumerate() {
                        let mut fewer = written.to_vec();
                        fewer.remove(p);
                        let Ok(fewer) =
                            crate::wording::PhraseSet::new(&fewer, phrases.whole_words())
                        else {
                            continue;
                        };
                        add(
                            format!(
                                "the phrase \"{phrase}\" dropped from `{}.{attribute} {word}`",
                                signal.name
                            ),
                            &|m| {
                                m.predicates[k].tests[j].value =
                                    crate::model::AttributeLiteral::Phrases(fewer.clone())
                            },
                        );
                    }
                }
                // Whole words against any substring: the scenarios must show a word inside
                // another (`refunds`) on the side of the test the author meant.
                if let Ok(other) = crate::wording::PhraseSet::new(written, !phrases.whole_words()) {
                    let other_word = if phrases.whole_words() {
                        "contains"
                    } else {
                        "matches_word"
                    };
                    add(
                        format!(
                            "`{}.{attribute} {word}` read as `{other_word}`",
                            signal.name
                        ),
                        &|m| {
                            m.predicates[k].tests[j].value =
                                crate::model::AttributeLiteral::Phrases(other.clone())
                        },
                    );
                }
            }
            if let crate::model::AttributeLiteral::NewerThan(age) = test.value {
                for (new, word) in [(halve(age), "halved"), (double(age), "doubled")] {
                    add(
                        format!(
                            "the age `{}.{attribute} within {age}` {word}: -> {new}",
                            signal.name
                        ),
                        &|m| {
                            m.predicates[k].tests[j].value =
                                crate::model::AttributeLiteral::NewerThan(new)
                        },
                    );
                }
            }
            if matches!(
                test.value,
                crate::model::AttributeLiteral::Phrases(_)
                    | crate::model::AttributeLiteral::NewerThan(_)
            ) {
                add(
                    format!("the test on `{}.{attribute}` negated", signal.name),
                    &|m| {
                        let test = &mut m.predicates[k].tests[j];
                        test.op = if test.op == crate::CompareOp::Equal {
                            crate::CompareOp::NotEqual
                        } else {
                            crate::CompareOp::Equal
                        };
                    },
                );
            }
            // A `where` clause that loses a test matches events it should not: the scenarios
            // must show an event that passes every test but this one.
            if predicate.tests.len() > 1 {
                add(
                    format!(
                        "the test on `{}.{attribute}` dropped from its `where`",
                        signal.name
                    ),
                    &|m| {
                        m.predicates[k].tests.remove(j);
                    },
                );
            }
        }
    }
    // A count that stops counting events leaves raw-mention feeds blind to it.
    for (i, signal) in original.signals.iter().enumerate() {
        if signal.counts.is_some() {
            add(format!("signals.{}.counts removed", signal.name), &|m| {
                m.signals[i].counts = None
            });
        }
    }
    for (i, metric) in original.metrics.iter().enumerate() {
        let path = format!("metrics.{}", metric.name);
        if let Some(window) = metric.window {
            for (new, word) in [(halve(window), "halved"), (double(window), "doubled")] {
                add(format!("{path}.window {word}: {window} -> {new}"), &|m| {
                    m.metrics[i].window = Some(new)
                });
            }
        }
        match metric.kind {
            crate::MetricKind::Spike {
                baseline,
                min_count,
                ..
            } => {
                for (new, word) in [(halve(baseline), "halved"), (double(baseline), "doubled")] {
                    add(
                        format!("{path}.baseline {word}: {baseline} -> {new}"),
                        &|m| {
                            if let crate::MetricKind::Spike { baseline, .. } =
                                &mut m.metrics[i].kind
                            {
                                *baseline = new;
                            }
                        },
                    );
                }
                for (factor, word) in [(0.5, "halved"), (2.0, "doubled")] {
                    add(
                        format!(
                            "{path}.min_count {word}: {min_count} -> {}",
                            min_count * factor
                        ),
                        &|m| {
                            if let crate::MetricKind::Spike { min_count, .. } =
                                &mut m.metrics[i].kind
                            {
                                *min_count *= factor;
                            }
                        },
                    );
                }
            }
            crate::MetricKind::Drop { baseline, .. }
            | crate::MetricKind::ZScore { baseline, .. }
            | crate::MetricKind::Anomaly { baseline, .. } => {
                for (new, word) in [(halve(baseline), "halved"), (double(baseline), "doubled")] {
                    add(
                        format!("{path}.baseline {word}: {baseline} -> {new}"),
                        &|m| {
                            if let crate::MetricKind::Drop { baseline, .. }
                            | crate::MetricKind::ZScore { baseline, .. }
                            | crate::MetricKind::Anomaly { baseline, .. } =
                                &mut m.metrics[i].kind
                            {
                                *baseline = new;
                            }
                        },
                    );
                }
            }
            _ => {}
        }
    }

    // Each transition as written, with the copies that states hold: one for a state's own, one
    // per member state for a group's. A mutant edits every copy, as editing the line would.
    let mut shared: BTreeMap<(usize, usize), Vec<(usize, usize)>> = BTreeMap::new();
    for (s, state) in original.states.iter().enumerate() {
        for (t, transition) in state.transitions.iter().enumerate() {
            if let Some(group) = transition.group {
                shared
                    .entry((group.index(), transition.written_at))
                    .or_default()
                    .push((s, t));
            }
        }
    }
    let mut written: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    for (s, state) in original.states.iter().enumerate() {
        for (t, transition) in state.transitions.iter().enumerate() {
            if transition.group.is_none() {
                let path = format!("states.{}.on[{}]", state.name, transition.written_at);
                written.push((path, vec![(s, t)]));
            }
        }
    }
    for ((group, at), copies) in shared {
        let path = format!("groups.{}.on[{at}]", original.groups[group].name);
        written.push((path, copies));
    }
    for (path, copies) in &written {
        let (s0, t0) = copies[0];
        let transition = &original.states[s0].transitions[t0];
        // The target names the transition for a reader, who does not count `on` entries.
        let path = format!(
            "{path} (-> {})",
            original.states[transition.target.index()].name
        );
        let each = |m: &mut Model, edit: &dyn Fn(&mut crate::model::Transition)| {
            for (s, t) in copies {
                edit(&mut m.states[*s].transitions[*t]);
            }
        };
        if let Some(condition) = &transition.condition {
            let count = constants(condition.root());
            for k in 0..count {
                for (factor, word) in [(0.5, "halved"), (2.0, "doubled")] {
                    let value = nth_constant(condition.root(), k);
                    add(
                        format!(
                            "{path} when: constant {} {word}: {value} -> {}",
                            k + 1,
                            value * factor
                        ),
                        &|m| {
                            each(m, &|t| {
                                if let Some(c) = &mut t.condition {
                                    scale_constant(c.root_mut(), k, factor);
                                }
                            })
                        },
                    );
                }
            }
        }
        if let Some(condition) = &transition.condition {
            for (k, test) in in_tests(condition.root()).into_iter().enumerate() {
                let written = match test {
                    Flag::In(state) => format!("in {}", original.states[state.index()].name),
                    Flag::During(calendar) => {
                        format!("during {}", original.calendars[calendar.index()].0)
                    }
                    Flag::Outside(calendar) => {
                        format!("outside {}", original.calendars[calendar.index()].0)
                    }
                };
                add(format!("{path} when: `{written}` negated"), &|m| {
                    each(m, &|t| {
                        if let Some(c) = &mut t.condition {
                            negate_in_test(c.root_mut(), k);
                        }
                    })
                });
            }
        }
        if let Some(hold) = transition.hold {
            for (new, _, change) in scaled_timers(hold, &original.parameters) {
                add(format!("{path} for {change}"), &|m| {
                    each(m, &|t| t.hold = Some(new))
                });
            }
            add(format!("{path} for removed"), &|m| {
                each(m, &|t| t.hold = None)
            });
        }
        if let Some(after) = transition.after {
            for (new, _, change) in scaled_timers(after, &original.parameters) {
                add(format!("{path} after {change}"), &|m| {
                    each(m, &|t| t.after = Some(new))
                });
            }
        }
        if let Some(cooldown) = transition.cooldown {
            for (new, _, change) in scaled_timers(cooldown.into(), &original.parameters) {
                add(format!("{path} cooldown {change}"), &|m| {
                    each(m, &|t| t.cooldown = Some(new.length))
                });
            }
            add(format!("{path} cooldown removed"), &|m| {
                each(m, &|t| t.cooldown = None)
            });
        }
        let track = original.states[transition.target.index()].track;
        for (other, target) in original.states.iter().enumerate() {
            if other != transition.target.index() && target.track == track {
                add(
                    format!(
                        "{path} to: {} -> {}",
                        original.states[transition.target.index()].name,
                        target.name
                    ),
                    &|m| each(m, &|t| t.target = StateId::from_index(other)),
                );
            }
        }
    }

    for (t, track) in original.tracks.iter().enumerate() {
        let parent = track.parent.index();
        let path = format!(
            "states.{}.tracks.{}",
            original.states[parent].name, track.name
        );
        add(format!("{path} dropped"), &|m| {
            m.states[parent].tracks.retain(|other| other.index() != t)
        });
        for other in track.states.iter().filter(|s| **s != track.initial) {
            add(
                format!(
                    "{path}.initial: {} -> {}",
                    original.states[track.initial.index()].name,
                    original.states[other.index()].name
                ),
                &|m| m.tracks[t].initial = *other,
            );
        }
    }

    for (r, rule) in original.inhibitions.iter().enumerate() {
        let path = format!("inhibited_by[{r}] ({})", rule.playbook);
        add(format!("{path} dropped"), &|m| {
            m.inhibitions.remove(r);
        });
        for (delta, word) in [(-1, "lowered"), (1, "raised")] {
            let at_least = rule.at_least.saturating_add(delta);
            add(
                format!("{path}.at_least {word}: {} -> {at_least}", rule.at_least),
                &|m| m.inhibitions[r].at_least = at_least,
            );
            // Moving `below` past no state's severity quiets the same states: no mutant.
            let below = rule.below.saturating_add(delta);
            let own = original.states.iter().map(|s| s.severity);
            if crosses(own, rule.below, below) {
                add(
                    format!("{path}.below {word}: {} -> {below}", rule.below),
                    &|m| m.inhibitions[r].below = below,
                );
            }
        }
        let (flipped, words) = match rule.mode {
            InhibitionMode::Mute => (InhibitionMode::Defer, "mute -> defer"),
            InhibitionMode::Defer => (InhibitionMode::Mute, "defer -> mute"),
        };
        add(format!("{path}.mode {words}"), &|m| {
            m.inhibitions[r].mode = flipped;
        });
    }

    for (s, state) in original.states.iter().enumerate() {
        let state_path = format!("states.{}", state.name);
        for (h, hand_over) in state.hand_over.iter().enumerate() {
            let path = format!("{state_path}.hand_over[{h}] ({})", hand_over.playbook);
            add(format!("{path} dropped"), &|m| {
                m.states[s].hand_over.remove(h);
            });
            if hand_over.state.is_some() {
                add(format!("{path}.state dropped"), &|m| {
                    m.states[s].hand_over[h].state = None;
                });
            }
            for (k, (name, _)) in hand_over.parameters.iter().enumerate() {
                add(format!("{path}.parameters.{name} dropped"), &|m| {
                    m.states[s].hand_over[h].parameters.remove(k);
                });
            }
        }
        if let Some(cooldown) = state.cooldown {
            let path = format!("{state_path}.cooldown");
            add(format!("{path} removed"), &|m| m.states[s].cooldown = None);
            for (new, _, change) in scaled_timers(cooldown.period.into(), &original.parameters) {
                add(format!("{path}.for {change}"), &|m| {
                    if let Some(c) = &mut m.states[s].cooldown {
                        c.period = new.length;
                    }
                });
            }
            if let Some(max) = cooldown.max {
                for (new, _, change) in scaled_timers(max.into(), &original.parameters) {
                    add(format!("{path}.max {change}"), &|m| {
                        if let Some(c) = &mut m.states[s].cooldown {
                            c.max = Some(new.length);
                        }
                    });
                }
            }
            let (flipped, words) = match cooldown.reentry {
                Reentry::Silent => (Reentry::Refused, "silent -> refused"),
                Reentry::Refused => (Reentry::Silent, "refused -> silent"),
            };
            add(format!("{path}.reentry {words}"), &|m| {
                if let Some(c) = &mut m.states[s].cooldown {
                    c.reentry = flipped;
                }
            });
            if cooldown.backoff > 1.0 {
                add(
                    format!("{path}.backoff removed: {} -> 1", cooldown.backoff),
                    &|m| {
                        if let Some(c) = &mut m.states[s].cooldown {
                            c.backoff = 1.0;
                        }
                    },
                );
            }
        }
        for (a, action) in state.actions.iter().enumerate() {
            let path = format!("{state_path}.enter.{}", action.id);
            add(format!("{path} dropped"), &|m| {
                m.states[s].actions.remove(a);
            });
            if action.out_of_hours.is_some() {
                add(format!("{path}.out_of_hours removed"), &|m| {
                    m.states[s].actions[a].out_of_hours = None;
                });
            }
            for (field, value) in [("within", action.within), ("every", action.every)] {
                if let Some(Timer {
                    calendar: Some(calendar),
                    ..
                }) = value
                {
                    let written = original.calendars[calendar.index()].0.as_str();
                    add(
                        format!("{path}.{field} counts in calendar time, not `{written}`"),
                        &|m| {
                            let action = &mut m.states[s].actions[a];
                            let timer = if field == "within" {
                                &mut action.within
                            } else {
                                &mut action.every
                            };
                            if let Some(timer) = timer {
                                timer.calendar = None;
                            }
                        },
                    );
                }
                if let Some(value) = value {
                    for (new, _, change) in scaled_timers(value, &original.parameters) {
                        add(format!("{path}.{field} {change}"), &|m| {
                            let action = &mut m.states[s].actions[a];
                            if field == "within" {
                                action.within = Some(new);
                            } else {
                                action.every = Some(new);
                            }
                        });
                    }
                }
            }
        }
        if let Some(ladder) = &state.escalation {
            for (k, step) in ladder.steps.iter().enumerate() {
                let path = format!("{state_path}.escalate.steps[{k}]");
                add(format!("{path} dropped"), &|m| {
                    if let Some(l) = &mut m.states[s].escalation {
                        l.steps.remove(k);
                        if l.steps.is_empty() {
                            m.states[s].escalation = None;
                        }
                    }
                });
                if step.after.length != TimerDuration::Fixed(Duration::ZERO) {
                    for (new, _, change) in scaled_timers(step.after, &original.parameters) {
                        add(format!("{path}.after {change}"), &|m| {
                            if let Some(l) = &mut m.states[s].escalation {
                                l.steps[k].after = new;
                            }
                        });
                    }
                }
            }
            if let Some(repeat) = ladder.repeat {
                for (new, _, change) in scaled_timers(repeat.every, &original.parameters) {
                    add(
                        format!("{state_path}.escalate.repeat.every {change}"),
                        &|m| {
                            if let Some(l) = &mut m.states[s].escalation
                                && let Some(r) = &mut l.repeat
                            {
                                r.every = new;
                            }
                        },
                    );
                }
            }
            for (k, step) in ladder.steps.iter().enumerate() {
                if step.out_of_hours.is_some() {
                    let path = format!("{state_path}.escalate.steps[{k}].out_of_hours");
                    add(format!("{path} removed"), &|m| {
                        if let Some(l) = &mut m.states[s].escalation {
                            l.steps[k].out_of_hours = None;
                        }
                    });
                }
            }
            if let Some(first) = ladder.steps.first().and_then(|step| step.after.calendar) {
                let calendar = &original.calendars[first.index()].0;
                add(
                    format!("{state_path}.escalate counts in calendar time, not `{calendar}`"),
                    &|m| {
                        if let Some(l) = &mut m.states[s].escalation {
                            l.steps
                                .iter_mut()
                                .for_each(|step| step.after.calendar = None);
                            if let Some(r) = &mut l.repeat {
                                r.every.calendar = None;
                            }
                        }
                    },
                );
            }
        }
    }
    for (c, (name, calendar)) in original.calendars.iter().enumerate() {
        let path = format!("calendars.{name}");
        for (minutes, word) in [(60, "an hour later"), (-60, "an hour earlier")] {
            if let Some(shifted) = calendar.shifted(minutes) {
                add(format!("{path}.hours shifted {word}"), &|m| {
                    m.calendars[c].1 = shifted.clone();
                });
            }
        }
        if let Some(without) = calendar.without_holidays() {
            add(format!("{path}.holidays dropped"), &|m| {
                m.calendars[c].1 = without.clone();
            });
        }
    }
    found
}

/// Non-zero numeric constants of a condition, in evaluation order.
fn constants(node: &Bool) -> usize {
    let mut count = 0;
    visit(node, &mut |n| {
        if matches!(n, Number::Const(v) if *v != 0.0) {
            count += 1;
        }
    });
    count
}

fn nth_constant(node: &Bool, k: usize) -> f64 {
    let mut seen = 0;
    let mut found = 0.0;
    visit(node, &mut |n| {
        if let Number::Const(v) = n
            && *v != 0.0
        {
            if seen == k {
                found = *v;
            }
            seen += 1;
        }
    });
    found
}

fn visit(node: &Bool, f: &mut dyn FnMut(&Number)) {
    fn number(n: &Number, f: &mut dyn FnMut(&Number)) {
        f(n);
        match n {
            Number::Negate(inner) => number(inner, f),
            Number::Arith(_, a, b) => {
                number(a, f);
                number(b, f);
            }
            _ => {}
        }
    }
    match node {
        Bool::Not(inner) => visit(inner, f),
        Bool::All(parts) | Bool::Any(parts) => parts.iter().for_each(|p| visit(p, f)),
        Bool::Compare { left, right, .. } => {
            number(left, f);
            number(right, f);
        }
        _ => {}
    }
}

/// A test of where the run is, or of whether a calendar is open.
#[derive(Clone, Copy)]
enum Flag {
    In(StateId),
    During(crate::CalendarId),
    Outside(crate::CalendarId),
}

/// The `in` and `during` tests of `node` (`outside` is a negated `during`), in the order
/// written.
fn in_tests(node: &Bool) -> Vec<Flag> {
    match node {
        Bool::InState(state) => vec![Flag::In(*state)],
        Bool::Open(calendar) => vec![Flag::During(*calendar)],
        Bool::Not(inner) => match **inner {
            Bool::Open(calendar) => vec![Flag::Outside(calendar)],
            _ => in_tests(inner),
        },
        Bool::All(parts) | Bool::Any(parts) => parts.iter().flat_map(in_tests).collect(),
        _ => Vec::new(),
    }
}

/// Puts `not` before the `k`-th `in` or `during` test of `node`.
fn negate_in_test(node: &mut Bool, k: usize) {
    fn walk(node: &mut Bool, seen: &mut usize, k: usize) {
        match node {
            Bool::InState(_) | Bool::Open(_) => {
                if *seen == k {
                    *node = Bool::Not(Box::new(node.clone()));
                }
                *seen += 1;
            }
            Bool::Not(inner) => walk(inner, seen, k),
            Bool::All(parts) | Bool::Any(parts) => parts.iter_mut().for_each(|p| walk(p, seen, k)),
            _ => {}
        }
    }
    walk(node, &mut 0, k);
}

fn scale_constant(node: &mut Bool, k: usize, factor: f64) {
    fn number(n: &mut Number, seen: &mut usize, k: usize, factor: f64) {
        match n {
            Number::Const(v) if *v != 0.0 => {
                if *seen == k {
                    *v *= factor;
                }
                *seen += 1;
            }
            Number::Negate(inner) => number(inner, seen, k, factor),
            Number::Arith(_, a, b) => {
                number(a, seen, k, factor);
                number(b, seen, k, factor);
            }
            _ => {}
        }
    }
    fn walk(node: &mut Bool, seen: &mut usize, k: usize, factor: f64) {
        match node {
            Bool::Not(inner) => walk(inner, seen, k, factor),
            Bool::All(parts) | Bool::Any(parts) => {
                parts.iter_mut().for_each(|p| walk(p, seen, k, factor))
            }
            Bool::Compare { left, right, .. } => {
                number(left, seen, k, factor);
                number(right, seen, k, factor);
            }
            _ => {}
        }
    }
    walk(node, &mut 0, k, factor);
}

/// Tries every mutant of each playbook the scenarios test, against those scenarios.
///
/// ```
/// # use std::path::PathBuf;
/// # use crisis_playbook::testing::{self, mutants::{describe, test_mutants}};
/// let scenarios = testing::load_paths(&[PathBuf::from("playbooks/account-compromise")])?;
/// let reports = test_mutants(&scenarios);
/// assert!(reports[0].survivors.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn test_mutants(scenarios: &[Scenario]) -> Vec<MutationReport> {
    let mut files: Vec<&std::path::PathBuf> = scenarios.iter().map(|s| &s.playbook_path).collect();
    files.sort();
    files.dedup();
    files
        .into_iter()
        .filter_map(|file| {
            let (testing, failing): (Vec<&Scenario>, Vec<&Scenario>) = scenarios
                .iter()
                .filter(|s| &s.playbook_path == file)
                .partition(|s| s.run().passed());
            let playbook = testing.first().or(failing.first())?.playbook.clone();
            let all: Vec<Mutant> = if testing.is_empty() {
                Vec::new()
            } else {
                // A mutant that no longer fits a scenario's `with:` playbooks (a severity they
                // never reach) is one `lint` would refuse: no scenario needs to catch it.
                // Nor is one that moves a rule's threshold past no severity of the playbook
                // it names.
                mutants(&playbook)
                    .into_iter()
                    .filter(|mutant| testing.iter().all(|s| fits(mutant, s)))
                    .filter(|mutant| !same_threshold(&playbook, mutant, &testing))
                    .collect()
            };
            let survivors = all
                .iter()
                .filter(|mutant| {
                    testing.iter().all(|scenario| {
                        let outcome = scenario.replay_on(&mutant.playbook);
                        super::report::result(scenario, outcome).passed()
                    })
                })
                .map(|m| m.change.clone())
                .collect();
            Some(MutationReport {
                playbook: playbook.id().to_string(),
                mutants: all.len(),
                survivors,
                excluded: failing.iter().map(|s| s.name.clone()).collect(),
            })
        })
        .collect()
}

/// Whether a severity lies between two thresholds (`lo <= s < hi`): whether moving a threshold
/// from one to the other changes which of these severities meet it.
fn crosses(severities: impl IntoIterator<Item = i64>, from: i64, to: i64) -> bool {
    let (lo, hi) = (from.min(to), from.max(to));
    severities.into_iter().any(|s| lo <= s && s < hi)
}

/// Whether `mutant` moves an inhibition's `at_least` past no severity that the playbook it
/// names (or its track) has, in every `with:` playbook of that id the scenarios run: the rule
/// then applies exactly when it did, and no scenario could tell the mutant apart.
fn same_threshold(original: &Playbook, mutant: &Mutant, scenarios: &[&Scenario]) -> bool {
    let moved = original
        .inhibitions()
        .iter()
        .zip(mutant.playbook.inhibitions())
        .find(|(before, after)| before.at_least != after.at_least);
    let Some((before, after)) = moved else {
        return false;
    };
    let mut sources = scenarios
        .iter()
        .flat_map(|s| &s.with)
        .filter(|p| p.id() == before.playbook)
        .peekable();
    sources.peek().is_some()
        && sources.all(|source| {
            let track = before.track.as_deref().map(|name| source.track_named(name));
            let severities = source
                .states()
                .iter()
                .filter(|s| track.is_none_or(|track| track.is_some() && s.track == track))
                .map(|s| s.severity);
            !crosses(severities, before.at_least, after.at_least)
        })
}

/// Whether `mutant` fits the playbooks `scenario` runs it with.
fn fits(mutant: &Mutant, scenario: &Scenario) -> bool {
    if scenario.with.is_empty() {
        return true;
    }
    let mut all = vec![mutant.playbook.clone()];
    all.extend(scenario.with.iter().cloned());
    crate::RunSet::new("check", &all).is_ok()
}

/// The report of a mutation run, as the CLI prints it.
///
/// ```
/// # use std::path::PathBuf;
/// # use crisis_playbook::testing::{self, mutants::{describe, test_mutants}};
/// let scenarios = testing::load_paths(&[PathBuf::from("playbooks/account-compromise")])?;
/// let reports = test_mutants(&scenarios);
/// assert_eq!(describe(&reports), "account-compromise: 91 of 91 mutants caught\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn describe(reports: &[MutationReport]) -> String {
    let mut out = String::new();
    for report in reports {
        let caught = report.mutants - report.survivors.len();
        out.push_str(&format!(
            "{}: {caught} of {} mutants caught\n",
            report.playbook, report.mutants
        ));
        for survivor in &report.survivors {
            out.push_str(&format!("  survived: {survivor}\n"));
        }
        for scenario in &report.excluded {
            out.push_str(&format!("  left out, failing as it is: {scenario}\n"));
        }
    }
    out
}
