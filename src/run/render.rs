//! Filling in the live values of a `say:` text when an action or a step is sent: metrics,
//! parameters, the subject, the deadline and the last value of an event's attribute, each
//! written the way the run's locale writes it (`text::Writing`).
//!
//! Only sending allocates: the values an event's attributes leave behind are kept in place,
//! reusing their text's buffer.

use serde::{Deserialize, Serialize};

use super::{Run, observation::EventView};
use crate::model::{Piece, Style, Template, TemplateValue as Value};
use crate::run::AttributeValue;
use crate::text::{UNDEFINED, Writing};
use crate::{LocalizedText, QuantityKind, Timestamp};

/// The longest text a run keeps of an attribute, in bytes: a message's text is cut there (at a
/// character's edge), so that a run's memory stays bounded whatever it is fed.
pub(crate) const MAX_KEPT_TEXT: usize = 1_024;

/// The last value of an event attribute that a text names, and when it was seen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Kept {
    at: Timestamp,
    value: KeptValue,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KeptValue {
    Number(f64),
    Text(String),
    Bool(bool),
    Time(Timestamp),
}

impl Kept {
    /// Whether a restored value is one a run could have kept by `now`.
    pub(crate) fn is_possible(&self, now: Timestamp) -> bool {
        self.at <= now
            && match &self.value {
                KeptValue::Number(n) => n.is_finite(),
                KeptValue::Text(text) => text.len() <= MAX_KEPT_TEXT,
                KeptValue::Bool(_) | KeptValue::Time(_) => true,
            }
    }
}

/// Overwrites `kept` with `value`, reusing its text's buffer.
fn keep(kept: &mut Option<Kept>, value: AttributeValue<'_>, at: Timestamp) {
    let value = match value {
        AttributeValue::Number(n) => KeptValue::Number(n),
        AttributeValue::Bool(b) => KeptValue::Bool(b),
        AttributeValue::Time(t) => KeptValue::Time(t),
        AttributeValue::Text(text) => {
            let mut end = text.len().min(MAX_KEPT_TEXT);
            while !text.is_char_boundary(end) {
                end = end.saturating_sub(1);
            }
            let cut = text.get(..end).unwrap_or("");
            if let Some(Kept {
                at: seen,
                value: KeptValue::Text(buffer),
            }) = kept
            {
                buffer.clear();
                buffer.push_str(cut);
                *seen = at;
                return;
            }
            KeptValue::Text(cut.to_string())
        }
    };
    *kept = Some(Kept { at, value });
}

impl Run {
    /// Keeps the attributes of an event of signal `index` that texts name, unless a later event
    /// of the signal was seen already.
    pub(super) fn keep_attributes(&mut self, index: usize, event: &EventView<'_, '_>) {
        let model = self.playbook.model();
        for (slot, (signal, attribute)) in model.kept_attributes.iter().enumerate() {
            if signal.index() != index {
                continue;
            }
            let name = &model.signals[index].attributes[*attribute].name;
            let (Some(value), Some(kept)) = (event.value(name), self.live.kept.get_mut(slot))
            else {
                continue;
            };
            if kept.as_ref().is_none_or(|k| k.at <= event.at()) {
                // A time given as text is kept as a time, as the test of its age reads it.
                let value = match value {
                    AttributeValue::Text(text)
                        if model.signals[index].attributes[*attribute].kind
                            == crate::AttributeKind::Time =>
                    {
                        text.parse().map_or(value, AttributeValue::Time)
                    }
                    value => value,
                };
                keep(kept, value, event.at());
            }
        }
    }

    /// A `say:` text in the run's locale, its live values filled in; `due` is the deadline of
    /// the action it belongs to.
    pub(super) fn render(
        &self,
        text: &LocalizedText,
        template: &Template,
        due: Option<Timestamp>,
    ) -> String {
        let fallback = self.playbook.locale();
        if template.is_plain() {
            return text.get(&self.live.locale, fallback).to_string();
        }
        let writing = Writing::of(&self.live.locale);
        let mut out = String::new();
        for piece in template.get(&self.live.locale, fallback) {
            match piece {
                Piece::Literal(literal) => out.push_str(literal),
                Piece::Value(value, style) => self.write(&mut out, &writing, *value, *style, due),
            }
        }
        out
    }

    fn write(
        &self,
        out: &mut String,
        writing: &Writing,
        value: Value,
        style: Style,
        due: Option<Timestamp>,
    ) {
        let number = |out: &mut String, n: Option<f64>| match (n, style) {
            (None, _) => out.push_str(UNDEFINED),
            (Some(n), Style::Plain) => writing.number(out, n, None),
            (Some(n), Style::Fixed(decimals)) => writing.number(out, n, Some(decimals)),
            (Some(n), Style::Percent(decimals)) => writing.percent(out, n, decimals),
        };
        match value {
            Value::Metric(id) => {
                let n = self.metric_value(id);
                match self.playbook.metric(id).kind {
                    crate::MetricKind::Since(_) => match n {
                        Some(seconds) => writing.duration(out, seconds),
                        None => out.push_str(UNDEFINED),
                    },
                    _ => number(out, n),
                }
            }
            Value::Parameter(id) => {
                let n = self.live.parameters.get(id.index()).copied();
                match (self.playbook.parameter(id).kind, n) {
                    (QuantityKind::Duration, Some(seconds)) => writing.duration(out, seconds),
                    (_, n) => number(out, n),
                }
            }
            Value::Subject => out.push_str(&self.live.subject),
            Value::Deadline => match due {
                Some(due) => self.write_time(out, writing, due),
                None => out.push_str(UNDEFINED),
            },
            Value::Attribute { kept, .. } => {
                match self.live.kept.get(kept).and_then(Option::as_ref) {
                    None => out.push_str(UNDEFINED),
                    Some(kept) => match &kept.value {
                        KeptValue::Number(n) => number(out, Some(*n)),
                        KeptValue::Text(text) => out.push_str(text),
                        KeptValue::Bool(b) => writing.yes_no(out, *b),
                        KeptValue::Time(t) => self.write_time(out, writing, *t),
                    },
                }
            }
        }
    }

    /// A time on the subject's wall clock (UTC, marked so, for a run without a time zone),
    /// with its day when that is not the run's today.
    fn write_time(&self, out: &mut String, writing: &Writing, at: Timestamp) {
        let named = self.time_zone();
        let Ok(zone) = crate::TimeZone::named(named.unwrap_or("UTC")) else {
            out.push_str(UNDEFINED);
            return;
        };
        let (at_wall, now_wall) = (zone.wall_time(at), zone.wall_time(self.live.now));
        writing.time(out, at_wall, (now_wall.year, now_wall.month, now_wall.day));
        if named.is_none() {
            out.push_str(" UTC");
        }
    }
}
