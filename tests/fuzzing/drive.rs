//! Driving a run with arbitrary steps: signals of any kind and value at any time, jumps of the
//! clock, actions marked done. Shared by the property tests and the `run` fuzz target.

use crisis_playbook::{
    AttributeKind, AttributeValue, Observation, Playbook, Run, SignalId, SignalKind, Timestamp,
};

/// One thing that happens to a run.
#[derive(Clone, Debug)]
pub enum Step {
    /// A signal (index modulo the playbook's), `step` seconds after the previous instant
    /// (negative: late), with a value picked by `pick`.
    Signal {
        signal: usize,
        step: i64,
        pick: usize,
        value: f64,
    },
    Advance {
        step: i64,
    },
    Done {
        action: usize,
        step: i64,
    },
}

impl Step {
    /// Decodes steps from raw bytes, 12 bytes a step, for the fuzzer.
    pub fn decode(data: &[u8]) -> Vec<Step> {
        data.chunks_exact(12)
            .map(|c| {
                let word = |i: usize| u32::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
                let step = i64::from(i16::from_le_bytes([c[2], c[3]]));
                match c[0] % 16 {
                    0 => Step::Advance {
                        step: i64::from(word(4)) % 3_000_000,
                    },
                    1 => Step::Done {
                        action: usize::from(c[1]),
                        step: step.abs(),
                    },
                    _ => Step::Signal {
                        signal: usize::from(c[1]),
                        step,
                        pick: word(4) as usize,
                        value: f64::from_bits(u64::from(word(8)) << 32 | u64::from(word(4))),
                    },
                }
            })
            .collect()
    }
}

/// The instant `seconds` after `clock` (before it when negative: a late signal), which becomes
/// the clock when it is later.
pub fn shift(clock: &mut Timestamp, seconds: i64) -> Timestamp {
    let millis = clock
        .as_millis()
        .saturating_add(seconds.saturating_mul(1000));
    let moved = Timestamp::from_millis(millis).unwrap_or(*clock);
    if moved > *clock {
        *clock = moved;
    }
    moved
}

/// Applies one step; returns the events' JSON, or the error's text.
pub fn apply(run: &mut Run, clock: &mut Timestamp, step: &Step) -> String {
    let playbook = run.playbook().clone();
    match step {
        Step::Signal {
            signal,
            step,
            pick,
            value,
        } => {
            let at = shift(clock, *step);
            let outcome = with_observation(&playbook, *signal, at, *pick, *value, |observation| {
                run.observe(observation)
                    .map(|events| serde_json::to_string(events).unwrap())
            });
            outcome.unwrap_or_else(|e| format!("error: {e}"))
        }
        Step::Advance { step } => {
            let at = shift(clock, *step);
            serde_json::to_string(run.advance_to(at)).unwrap()
        }
        Step::Done { action, step } => {
            let ids: Vec<&str> = playbook
                .states()
                .iter()
                .flat_map(|s| s.actions.iter().map(|a| a.id.as_str()))
                .collect();
            let at = shift(clock, *step);
            // A playbook without actions gets a name it does not know.
            let id = ids
                .get(action % ids.len().max(1))
                .copied()
                .unwrap_or("no_such_action");
            match run.complete(id, "someone", at) {
                Ok(events) => serde_json::to_string(events).unwrap(),
                Err(e) => format!("error: {e}"),
            }
        }
    }
}

/// Builds the observation of signal `signal` (modulo the playbook's) at `at`, with attributes
/// and kind picked by `pick`, and hands it to `use_it`.
pub fn with_observation<R>(
    playbook: &Playbook,
    signal: usize,
    at: Timestamp,
    pick: usize,
    value: f64,
    use_it: impl FnOnce(Observation<'_>) -> R,
) -> R {
    use_it(ObservationParts::new(playbook, signal, at, pick, value).observation())
}

/// What an observation borrows, kept so that a batch of observations can borrow it.
pub struct ObservationParts<'p> {
    signal: SignalId,
    kind: SignalKind,
    at: Timestamp,
    value: f64,
    attributes: Vec<(&'p str, AttributeValue<'static>)>,
}

impl<'p> ObservationParts<'p> {
    /// The parts of the observation that `with_observation` builds from the same arguments.
    pub fn new(
        playbook: &'p Playbook,
        signal: usize,
        at: Timestamp,
        pick: usize,
        value: f64,
    ) -> Self {
        let name = &playbook.signals()[signal % playbook.signals().len()].name;
        let id = playbook.signal_named(name).unwrap();
        let declared = playbook.signal(id);
        let text_values = ["national", "local", "trade", "comments", "press", "bogus"];
        let attributes = declared
            .attributes
            .iter()
            .enumerate()
            .filter(|(i, _)| (pick >> (i % 32)) & 1 == 1)
            .map(|(i, a)| {
                let value = match (&a.kind, (pick >> ((i + 8) % 32)) % 5) {
                    (_, 4) => AttributeValue::Number(value),
                    (AttributeKind::Number, _) => AttributeValue::Number(value * 1000.0),
                    (AttributeKind::Bool, k) => AttributeValue::Bool(k % 2 == 0),
                    _ => AttributeValue::Text(text_values[pick % text_values.len()]),
                };
                (a.name.as_str(), value)
            })
            .collect();
        // Mostly the right kind of value for the signal; sometimes another, to exercise errors.
        let kind = if pick.is_multiple_of(11) {
            SignalKind::Manual
        } else {
            declared.kind
        };
        ObservationParts {
            signal: id,
            kind,
            at,
            value,
            attributes,
        }
    }

    pub fn observation(&self) -> Observation<'_> {
        match self.kind {
            SignalKind::Count | SignalKind::Gauge => {
                Observation::count(self.signal, self.at, self.value)
            }
            SignalKind::Event => Observation::event(self.signal, self.at, &self.attributes),
            SignalKind::Manual => Observation::manual(self.signal, self.at, "someone"),
        }
    }
}

/// Every step's outcome, from a fresh run.
pub fn replay(playbook: &Playbook, steps: &[Step]) -> Vec<String> {
    let mut clock = start();
    let mut run = Run::start(playbook, clock);
    steps
        .iter()
        .map(|s| apply(&mut run, &mut clock, s))
        .collect()
}

/// Where runs start: 2026-03-02T00:00:00Z.
pub fn start() -> Timestamp {
    "2026-03-02T00:00:00Z".parse().unwrap()
}
