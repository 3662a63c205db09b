//! `say:` texts that name live values (`"Volume is {volume_ratio:.1}× normal"`), compiled once
//! by the loader: the literal parts, and each value by id with its style. A run fills them in
//! when it emits the action or the step (`run/render.rs`).

use super::playbook::{MetricId, ParameterId, SignalId};

/// A text's parts per locale; empty when no locale's text names a value, so that such texts
/// are sent as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Template {
    texts: Vec<(String, Vec<Piece>)>,
}

impl Template {
    pub fn new(texts: Vec<(String, Vec<Piece>)>) -> Template {
        let names_a_value = texts
            .iter()
            .any(|(_, pieces)| pieces.iter().any(|p| matches!(p, Piece::Value(..))));
        Template {
            texts: if names_a_value { texts } else { Vec::new() },
        }
    }

    /// Whether the text names no value: it is sent as written.
    pub fn is_plain(&self) -> bool {
        self.texts.is_empty()
    }

    /// The parts in `locale`, else in `fallback`, else in the first locale: the choice
    /// `LocalizedText::get` makes.
    pub fn get(&self, locale: &str, fallback: &str) -> &[Piece] {
        let find = |wanted: &str| {
            self.texts
                .iter()
                .find(|(l, _)| l == wanted)
                .map(|(_, p)| p.as_slice())
        };
        find(locale)
            .or_else(|| find(fallback))
            .or_else(|| self.texts.first().map(|(_, p)| p.as_slice()))
            .unwrap_or(&[])
    }

    /// Every value the text names, in every locale.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.texts.iter().flat_map(|(_, pieces)| {
            pieces.iter().filter_map(|piece| match piece {
                Piece::Value(value, _) => Some(value),
                Piece::Literal(_) => None,
            })
        })
    }
}

/// A part of a text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Piece {
    Literal(String),
    Value(Value, Style),
}

/// A live value a text names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value {
    Metric(MetricId),
    Parameter(ParameterId),
    /// The run's subject.
    Subject,
    /// The action's deadline, in the subject's time zone.
    Deadline,
    /// An attribute of the last event of a signal: `kept` is its place in the run's kept
    /// values.
    Attribute {
        signal: SignalId,
        attribute: usize,
        kept: usize,
    },
}

/// How a number is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Style {
    /// At most two decimals, trailing zeros dropped.
    #[default]
    Plain,
    /// Exactly this many decimals (`.1`).
    Fixed(u8),
    /// Times 100, with this many decimals and the locale's percent sign (`%`, `.1%`).
    Percent(u8),
}
