//! Guards: transition conditions compiled, once per playbook, into a flat list of tests and
//! jumps.
//!
//! A run evaluates the guards of its current state on every signal. A guard is one loop over an
//! array, where `or` and `and` become jumps past the parts that cannot change the outcome, and
//! a state's guards share one [`Readings`], so a metric that several of them name is computed
//! once: that saves most of the time, since a metric value can cost several divisions. The
//! tree stays the source of truth for explanations (`Run::reasons`), and in debug builds every
//! evaluation is checked against it.

use crate::model::{Bool, Guard, GuardStep, Number};

use super::Run;
use super::eval::compare;

/// Metric values read while evaluating a state's guards, each computed at most once: a
/// metric named by several guards (the storm's `volume_ratio` is named by both transitions out
/// of `monitoring`) costs one computation. Metrics past the first [`Readings::SLOTS`] are
/// computed at each reading.
pub(super) struct Readings {
    /// `None` for a metric not read yet; `Some(None)` for one read and undefined.
    values: [Option<Option<f64>>; Readings::SLOTS],
}

impl Readings {
    const SLOTS: usize = 16;

    /// No value read yet. The values are valid for one instant: the clock and the metrics must
    /// not change while a `Readings` is in use.
    pub fn new() -> Readings {
        Readings {
            values: [None; Readings::SLOTS],
        }
    }
}

impl Run {
    /// Whether `guard` passes now.
    pub(super) fn passes(&self, guard: &Guard, readings: &mut Readings) -> bool {
        let mut value = true;
        let mut next = 0;
        while let Some(step) = guard.steps.get(next) {
            next = next.saturating_add(1);
            match step {
                GuardStep::Test(test) => value = self.test(test, readings),
                GuardStep::JumpIf { when, to } => {
                    if value == *when {
                        next = *to;
                    }
                }
                GuardStep::Not => value = !value,
            }
        }
        value
    }

    fn test(&self, leaf: &Bool, readings: &mut Readings) -> bool {
        match leaf {
            Bool::Compare { op, left, right } => compare(
                *op,
                self.operand(left, readings),
                self.operand(right, readings),
            ),
            // Event tests and constants read no metric.
            other => self.holds(other),
        }
    }

    fn operand(&self, node: &Number, readings: &mut Readings) -> Option<f64> {
        match node {
            Number::Metric(id) => match readings.values.get_mut(id.index()) {
                Some(slot) => *slot.get_or_insert_with(|| self.number(node)),
                None => self.number(node),
            },
            _ => self.number(node),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Guard, Playbook};

    fn guard(condition: &str) -> Guard {
        let text = format!(
            "playbook: g\nversion: 1\ntitle: G\nsignals: {{ a: {{ kind: gauge }}, b: {{ kind: gauge }}, c: {{ kind: gauge }} }}\n\
             roles: [cm]\ninitial: s\nstates:\n  s: {{ on: [{{ to: z, when: \"{condition}\" }}] }}\n  z: {{ final: true }}\n"
        );
        let playbook = Playbook::from_yaml_str(&text).unwrap();
        playbook.plan().guards[0][0].clone()
    }

    fn jumps(guard: &Guard) -> Vec<(bool, usize)> {
        guard
            .steps
            .iter()
            .filter_map(|step| match step {
                GuardStep::JumpIf { when, to } => Some((*when, *to)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_or_nested_in_an_or_leaves_both_at_its_first_true_part() {
        // The parser flattens `(x or y) or z`; a model built another way may not.
        let nested = Bool::Any(vec![
            Bool::Any(vec![Bool::Const(false), Bool::Const(true)]),
            Bool::Const(false),
        ]);
        let guard = Guard::new(Some(&nested));
        assert_eq!(jumps(&guard), vec![(true, 5), (true, 5)]);
        let playbook = Playbook::from_yaml_str(
            "playbook: g\nversion: 1\ntitle: G\nsignals: { a: { kind: gauge } }\nroles: [cm]\n\
             initial: s\nstates:\n  s: { on: [{ to: z, after: 1h }] }\n  z: { final: true }\n",
        )
        .unwrap();
        assert!(
            Run::start(&playbook, crate::Timestamp::EPOCH).passes(&guard, &mut Readings::new())
        );
    }

    #[test]
    fn a_false_part_of_an_and_skips_to_the_next_alternative() {
        // (a > 1 and b > 1) or c > 1: a false `a > 1` lands on the `or`'s check, which a false
        // value passes, so it goes straight to `c > 1`.
        let guard = guard("(a > 1 and b > 1) or c > 1");
        assert_eq!(jumps(&guard), vec![(false, 4), (true, 5)]);
    }

    #[test]
    fn a_true_part_of_an_or_skips_the_and_that_follows_it() {
        // (a > 1 or b > 1) and c > 1: a true `a > 1` lands on the `and`'s check, which a true
        // value passes, so it goes straight to `c > 1`.
        let guard = guard("(a > 1 or b > 1) and c > 1");
        assert_eq!(jumps(&guard), vec![(true, 4), (false, 5)]);
    }

    #[test]
    fn a_metric_past_the_memo_is_read_directly() {
        // Seventeen metrics: the last one has no slot in the readings.
        let metrics: String = (0..17)
            .map(|i| format!("  m{i}: {{ count: a, window: 1h }}\n"))
            .collect();
        let text = format!(
            "playbook: g\nversion: 1\ntitle: G\nsignals: {{ a: {{ kind: count }} }}\nmetrics:\n{metrics}\
             roles: [cm]\ninitial: s\nstates:\n  s: {{ on: [{{ to: z, when: m16 >= 3 and m0 >= 3 }}] }}\n\
             \x20 z: {{ final: true }}\n"
        );
        let playbook = Playbook::from_yaml_str(&text).unwrap();
        let a = playbook.signal_named("a").unwrap();
        let mut run = Run::start(&playbook, crate::Timestamp::EPOCH);
        let at = crate::Timestamp::EPOCH;
        run.observe(crate::Observation::count(a, at, 2.0)).unwrap();
        assert_eq!(run.state_name(), "s");
        run.observe(crate::Observation::count(a, at, 1.0)).unwrap();
        assert_eq!(run.state_name(), "z");
    }

    #[test]
    fn no_condition_always_passes() {
        let playbook = Playbook::from_yaml_str(
            "playbook: g\nversion: 1\ntitle: G\nsignals: { a: { kind: gauge } }\nroles: [cm]\n\
             initial: s\nstates:\n  s: { on: [{ to: z, after: 1h }] }\n  z: { final: true }\n",
        )
        .unwrap();
        let guard = &playbook.plan().guards[0][0];
        assert!(guard.steps.is_empty());
        let run = Run::start(&playbook, crate::Timestamp::EPOCH);
        assert!(run.passes(guard, &mut Readings::new()));
    }
}
