//! Live values in `say:` texts: `{volume_ratio:.1}`, `{negative_share:%}`, `{subject}`,
//! `{deadline}`, `{journalist.tier}`. Each is resolved and checked here, when the playbook
//! loads, so that a text never fails when it is sent.

use super::condition::{Scope, Symbol};
use crate::diagnostic::suggestion;
use crate::model::{
    AttributeKind, Piece, QuantityKind, SignalId, SignalKind, Style, TemplateValue as Value,
};

/// A problem in a text, at a byte offset into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub offset: usize,
    pub message: String,
}

/// What a text may name besides the playbook's metrics, parameters and event attributes.
pub(crate) struct Allowed {
    /// Whether the text is an action's with a deadline (`{deadline}`).
    pub deadline: bool,
}

/// Compiles one locale's text into its parts. `kept` collects the event attributes that texts
/// name, which runs keep the last value of.
pub(crate) fn compile(
    text: &str,
    scope: &impl Scope,
    allowed: &Allowed,
    kept: &mut Vec<(SignalId, usize)>,
) -> Result<Vec<Piece>, Vec<TemplateError>> {
    let mut pieces = Vec::new();
    let mut errors = Vec::new();
    let mut literal = String::new();
    let mut rest = text.char_indices().peekable();
    while let Some((offset, c)) = rest.next() {
        match c {
            '{' if rest.peek().is_some_and(|(_, next)| *next == '{') => {
                rest.next();
                literal.push('{');
            }
            '}' if rest.peek().is_some_and(|(_, next)| *next == '}') => {
                rest.next();
                literal.push('}');
            }
            '}' => errors.push(TemplateError {
                offset,
                message: "a `}` closes no value: write `}}` for a brace".to_string(),
            }),
            '{' => {
                // `{` is one byte.
                let start = offset.saturating_add(1);
                let close = text.get(start..).and_then(|rest| rest.find('}'));
                let Some(end) = close.map(|end| start.saturating_add(end)) else {
                    errors.push(TemplateError {
                        offset,
                        message: "a `{` opens a value that is never closed: close it with `}`, or write `{{` for a brace".to_string(),
                    });
                    break;
                };
                while rest.peek().is_some_and(|(i, _)| *i <= end) {
                    rest.next();
                }
                match value(text.get(start..end).unwrap_or(""), scope, allowed, kept) {
                    Ok(piece) => {
                        if !literal.is_empty() {
                            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                        }
                        pieces.push(piece);
                    }
                    Err(message) => errors.push(TemplateError {
                        offset: start,
                        message,
                    }),
                }
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    if errors.is_empty() {
        Ok(pieces)
    } else {
        Err(errors)
    }
}

/// What a text's value can be, for the "did you mean" of an unknown name.
fn candidates<'s>(scope: &'s impl Scope, allowed: &Allowed) -> Vec<&'s str> {
    let mut names: Vec<&str> = scope
        .names()
        .into_iter()
        .filter(|name| {
            matches!(
                scope.lookup(name),
                Some(Symbol::Metric(..) | Symbol::Parameter(..))
            )
        })
        .collect();
    names.push("subject");
    if allowed.deadline {
        names.push("deadline");
    }
    names
}

/// One `{…}`: a name, then optionally `:` and a style.
fn value(
    inside: &str,
    scope: &impl Scope,
    allowed: &Allowed,
    kept: &mut Vec<(SignalId, usize)>,
) -> Result<Piece, String> {
    let (name, style) = match inside.split_once(':') {
        Some((name, style)) => (name.trim(), Some(style.trim())),
        None => (inside.trim(), None),
    };
    if name.is_empty() {
        return Err("`{}` names no value: write a metric or parameter, as in `{volume_ratio}`, or `{{}}` for braces".to_string());
    }
    let style = match style {
        None => Style::Plain,
        Some(style) => parse_style(style).ok_or_else(|| {
            format!("`{style}` is not a style: write `.1` for one decimal, `%` for a percentage, `.1%` for both")
        })?,
    };
    // What the value is, for the styles it takes: a number, or a duration, time or text.
    let (value, kind) = if let Some((signal, attribute)) = name.split_once('.') {
        attribute_value(signal, attribute, scope, kept)?
    } else {
        match scope.lookup(name) {
            Some(Symbol::Metric(id, QuantityKind::Number)) => (Value::Metric(id), "number"),
            Some(Symbol::Metric(id, QuantityKind::Duration)) => (Value::Metric(id), "duration"),
            Some(Symbol::Parameter(id, QuantityKind::Number)) => (Value::Parameter(id), "number"),
            Some(Symbol::Parameter(id, QuantityKind::Duration)) => {
                (Value::Parameter(id), "duration")
            }
            _ if name == "subject" => (Value::Subject, "text"),
            _ if name == "deadline" && allowed.deadline => (Value::Deadline, "time"),
            _ if name == "deadline" => {
                return Err(
                    "`{deadline}` needs a deadline: only an action with `within` has one"
                        .to_string(),
                );
            }
            Some(Symbol::Signal(_, SignalKind::Event, [first, ..])) => {
                return Err(format!(
                    "`{name}` is an event: name one of its attributes, as in `{{{name}.{}}}`",
                    first.name
                ));
            }
            Some(Symbol::Signal(..)) => {
                return Err(format!(
                    "`{name}` is a signal: name a metric over it, such as a `count` or a `rate`"
                ));
            }
            Some(Symbol::Invalid) => return Err(format!("`{name}` has errors of its own")),
            None => {
                let hint = suggestion(name, candidates(scope, allowed)).unwrap_or_else(|| {
                    ": name a metric, a parameter, `subject`, `deadline` or an event's attribute"
                        .to_string()
                });
                return Err(format!("unknown value `{name}`{hint}"));
            }
        }
    };
    if style != Style::Plain && kind != "number" {
        return Err(format!(
            "`{name}` is a {kind}: only numbers take a style such as `.1` or `%`"
        ));
    }
    Ok(Piece::Value(value, style))
}

fn attribute_value(
    signal: &str,
    attribute: &str,
    scope: &impl Scope,
    kept: &mut Vec<(SignalId, usize)>,
) -> Result<(Value, &'static str), String> {
    let Some(Symbol::Signal(id, kind, attributes)) = scope.lookup(signal) else {
        return Err(format!(
            "`{signal}` is not an event: `{signal}.{attribute}` names an event's attribute"
        ));
    };
    if kind != SignalKind::Event {
        return Err(format!(
            "`{signal}` is {} signal; only events have attributes",
            kind.with_article()
        ));
    }
    let Some((index, declared)) = attributes
        .iter()
        .enumerate()
        .find(|(_, a)| a.name == attribute)
    else {
        let hint = suggestion(attribute, attributes.iter().map(|a| a.name.as_str()))
            .unwrap_or_else(|| format!(": declare it under `signals.{signal}.attributes`"));
        return Err(format!(
            "event `{signal}` has no attribute `{attribute}`{hint}"
        ));
    };
    let kind = match declared.kind {
        AttributeKind::Number => "number",
        AttributeKind::Time => "time",
        AttributeKind::Bool | AttributeKind::String | AttributeKind::OneOf(_) => "text",
    };
    let slot = match kept.iter().position(|k| *k == (id, index)) {
        Some(slot) => slot,
        None => {
            kept.push((id, index));
            kept.len().saturating_sub(1)
        }
    };
    Ok((
        Value::Attribute {
            signal: id,
            attribute: index,
            kept: slot,
        },
        kind,
    ))
}

/// `.1`, `%`, `.1%`: at most 6 decimals.
fn parse_style(style: &str) -> Option<Style> {
    let (decimals, percent) = match style.strip_suffix('%') {
        Some(rest) => (rest, true),
        None => (style, false),
    };
    let decimals = match decimals {
        "" if percent => 0,
        "" => return None,
        digits => {
            let digits = digits.strip_prefix('.')?;
            let n: u8 = digits.parse().ok()?;
            if n > 6 || digits.len() != 1 {
                return None;
            }
            n
        }
    };
    Some(if percent {
        Style::Percent(decimals)
    } else {
        Style::Fixed(decimals)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles() {
        assert_eq!(parse_style("%"), Some(Style::Percent(0)));
        assert_eq!(parse_style(".1%"), Some(Style::Percent(1)));
        assert_eq!(parse_style(".2"), Some(Style::Fixed(2)));
        for bad in ["", ".", "1", ".7", ".10", "x", "%%", ".1f"] {
            assert_eq!(parse_style(bad), None, "{bad}");
        }
    }
}
