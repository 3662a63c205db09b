//! The condition type checker: a parsed condition, checked against the playbook's names and
//! types, becomes the compiled tree of [`crate::model::Condition`] that refers to metrics,
//! parameters and signals by id.
//!
//! `docs/playbook-format.md` documents the language for authors; [`super::syntax`] holds the grammar.
#![expect(
    clippy::indexing_slicing,
    reason = "ids are resolved by the checker against the playbook being compiled"
)]

use super::syntax::{self, ArithOp, AttributeShape, Expr, ExprKind, Span};
use crate::diagnostic::suggestion;
use crate::model::{
    ArithKind, AttributeKind, AttributeLiteral, AttributeTest, Bool, CalendarId, CompareOp,
    Condition, EventPredicate, MetricId, Number, ParameterId, QuantityKind, SignalId, SignalKind,
    StateId,
};
use crate::wording::PhraseSet;

/// What a name in a condition can refer to.
#[derive(Clone, Debug)]
pub(crate) enum Symbol<'a> {
    Parameter(ParameterId, QuantityKind),
    Metric(MetricId, QuantityKind),
    Signal(SignalId, SignalKind, &'a [crate::model::Attribute]),
    /// Declared, but its definition has errors already reported: conditions that use it are
    /// refused without a second, misleading "unknown name".
    Invalid,
}

/// The names visible to conditions.
pub(crate) trait Scope {
    fn lookup(&self, name: &str) -> Option<Symbol<'_>>;
    fn names(&self) -> Vec<&str>;
    /// A state by its name in the model: `crisis`, or `legal.notified` for a track's.
    fn state(&self, name: &str) -> Option<StateId>;
    fn state_names(&self) -> Vec<&str>;
    /// A calendar by its name under `calendars`.
    fn calendar(&self, name: &str) -> Option<CalendarId>;
    fn calendar_names(&self) -> Vec<&str>;
}

/// A problem in a condition, at a byte offset of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConditionError {
    pub message: String,
    pub offset: usize,
    pub is_syntax: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Type {
    Number,
    Duration,
}

impl Type {
    fn of(kind: QuantityKind) -> Type {
        match kind {
            QuantityKind::Number => Type::Number,
            QuantityKind::Duration => Type::Duration,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Type::Number => "a number",
            Type::Duration => "a duration",
        }
    }
}

struct Compiler<'s, S: Scope> {
    source: &'s str,
    scope: &'s S,
    predicates: &'s mut Vec<EventPredicate>,
    errors: Vec<ConditionError>,
}

/// Compiles `source` against `scope`. Attribute tests are added to `predicates`, which the
/// whole playbook shares so that the runtime tests each event once per predicate.
pub(crate) fn compile(
    source: &str,
    scope: &impl Scope,
    predicates: &mut Vec<EventPredicate>,
) -> Result<Condition, Vec<ConditionError>> {
    let attribute = |signal: &str, name: &str| match scope.lookup(signal) {
        Some(Symbol::Signal(_, SignalKind::Event, attributes)) => {
            let attribute = attributes.iter().find(|a| a.name == name)?;
            Some(if attribute.kind == AttributeKind::Time {
                AttributeShape::Time
            } else {
                AttributeShape::Plain
            })
        }
        _ => None,
    };
    let expr = syntax::parse(source, &attribute).map_err(|e| {
        vec![ConditionError {
            message: e.message,
            offset: e.offset,
            is_syntax: true,
        }]
    })?;
    let mut compiler = Compiler {
        source,
        scope,
        predicates,
        errors: Vec::new(),
    };
    let root = compiler.boolean(&expr);
    match root {
        Some(root) if compiler.errors.is_empty() => Ok(Condition::new(source.trim(), root)),
        _ => Err(compiler.errors),
    }
}

impl<S: Scope> Compiler<'_, S> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(ConditionError {
            message: message.into(),
            offset: span.start,
            is_syntax: false,
        });
    }

    fn text(&self, span: Span) -> &str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    fn unknown_name(&mut self, name: &str, span: Span) {
        let names = self.scope.names();
        // An attribute written bare, outside the `where` of its event: name the event.
        let owner = names.iter().find(|signal| {
            matches!(self.scope.lookup(signal), Some(Symbol::Signal(_, SignalKind::Event, attributes))
                if attributes.iter().any(|a| a.name == name))
        });
        if let Some(signal) = owner {
            let message = format!(
                "unknown name `{name}`: it is an attribute of `{signal}`, so write `{signal}.{name}`, or test it in `{signal} where …`"
            );
            self.error(span, message);
            return;
        }
        let message = match suggestion(name, names.iter().copied()) {
            Some(hint) => format!("unknown name `{name}`{hint}"),
            None => format!(
                "unknown name `{name}`: declare it under `signals`, `metrics` or `parameters`"
            ),
        };
        self.error(span, message);
    }

    fn boolean(&mut self, expr: &Expr) -> Option<Bool> {
        match &expr.kind {
            ExprKind::Bool(value) => Some(Bool::Const(*value)),
            ExprKind::Not(inner) => Some(Bool::Not(Box::new(self.boolean(inner)?))),
            ExprKind::And(left, right) => self.junction(left, right, Bool::All),
            ExprKind::Or(left, right) => self.junction(left, right, Bool::Any),
            ExprKind::Compare(op, left, right) => self.compare(*op, left, right, expr.span),
            // `mention.created within 30d`: the age of a time attribute.
            ExprKind::Within(inner, ..) if self.is_time_attribute(inner) => {
                let (signal, test) = self.attribute_test(expr)?;
                Some(self.predicate(signal, vec![test]))
            }
            ExprKind::Within(inner, window, window_span) => {
                if window.is_zero() {
                    self.error(*window_span, "`within` needs a duration above zero");
                }
                match self.boolean(inner)? {
                    Bool::Occurred {
                        signal,
                        within: None,
                    } => Some(Bool::Occurred {
                        signal,
                        within: Some(*window),
                    }),
                    Bool::Matched {
                        predicate,
                        within: None,
                    } => Some(Bool::Matched {
                        predicate,
                        within: Some(*window),
                    }),
                    _ => {
                        self.error(
                            inner.span,
                            "`within` applies to an event, a manual input or an attribute test",
                        );
                        None
                    }
                }
            }
            ExprKind::Name(name) => match self.scope.lookup(name) {
                Some(Symbol::Signal(signal, SignalKind::Event | SignalKind::Manual, _)) => {
                    Some(Bool::Occurred {
                        signal,
                        within: None,
                    })
                }
                Some(Symbol::Invalid) => None,
                Some(_) => {
                    let name = name.clone();
                    self.error(
                        expr.span,
                        format!("`{name}` is a number, not true or false: compare it, as in `{name} >= 2`"),
                    );
                    None
                }
                None => {
                    self.unknown_name(name, expr.span);
                    None
                }
            },
            ExprKind::InState(name) => {
                if let Some(state) = self.scope.state(name) {
                    return Some(Bool::InState(state));
                }
                let names = self.scope.state_names();
                let message = match suggestion(name, names.iter().copied()) {
                    Some(hint) => format!("unknown state `{name}`{hint}"),
                    None => format!(
                        "unknown state `{name}`: name a state under `states`, or a track's state as `track.state`"
                    ),
                };
                self.error(expr.span, message);
                None
            }
            ExprKind::Calendar { name, open } => {
                if let Some(calendar) = self.scope.calendar(name) {
                    let during = Bool::Open(calendar);
                    return Some(if *open {
                        during
                    } else {
                        Bool::Not(Box::new(during))
                    });
                }
                let names = self.scope.calendar_names();
                let message = match suggestion(name, names.iter().copied()) {
                    Some(hint) => format!("unknown calendar `{name}`{hint}"),
                    None => format!("unknown calendar `{name}`: declare it under `calendars`"),
                };
                self.error(expr.span, message);
                None
            }
            ExprKind::Attribute { .. } | ExprKind::TextMatch { .. } => {
                let (signal, test) = self.attribute_test(expr)?;
                Some(self.predicate(signal, vec![test]))
            }
            ExprKind::Where { tests, .. } => {
                let mut compiled = Vec::new();
                let mut signal = None;
                for test in tests {
                    if let Some((id, test)) = self.attribute_test(test) {
                        signal = Some(id);
                        compiled.push(test);
                    }
                }
                if compiled.len() < tests.len() {
                    return None;
                }
                Some(self.predicate(signal?, compiled))
            }
            _ => {
                let text = self.text(expr.span).to_string();
                self.error(
                    expr.span,
                    format!("`{text}` is not true or false: compare it, or use `and`/`or`"),
                );
                None
            }
        }
    }

    fn junction(&mut self, left: &Expr, right: &Expr, make: fn(Vec<Bool>) -> Bool) -> Option<Bool> {
        let left = self.boolean(left);
        let right = self.boolean(right);
        let (left, right) = (left?, right?);
        // Flatten `a and b and c` into one node so the runtime walks a short list.
        let mut parts = Vec::new();
        for part in [left, right] {
            match (make(Vec::new()), part) {
                (Bool::All(_), Bool::All(inner)) | (Bool::Any(_), Bool::Any(inner)) => {
                    parts.extend(inner)
                }
                (_, other) => parts.push(other),
            }
        }
        Some(make(parts))
    }

    fn attribute(
        &mut self,
        signal: &str,
        attribute: &str,
        span: Span,
    ) -> Option<(SignalId, usize, AttributeKind)> {
        match self.scope.lookup(signal) {
            Some(Symbol::Signal(id, SignalKind::Event, attributes)) => {
                match attributes.iter().position(|a| a.name == attribute) {
                    Some(index) => Some((id, index, attributes[index].kind.clone())),
                    None => {
                        let hint =
                            suggestion(attribute, attributes.iter().map(|a| a.name.as_str()))
                                .unwrap_or_else(|| {
                                    format!(": declare it under `signals.{signal}.attributes`")
                                });
                        self.error(
                            span,
                            format!("event `{signal}` has no attribute `{attribute}`{hint}"),
                        );
                        None
                    }
                }
            }
            Some(Symbol::Signal(_, kind, _)) => {
                self.error(
                    span,
                    format!(
                        "`{signal}` is {} signal; only events have attributes",
                        kind.with_article()
                    ),
                );
                None
            }
            Some(_) => {
                self.error(
                    span,
                    format!("`{signal}` is not a signal; only events have attributes"),
                );
                None
            }
            None => {
                self.unknown_name(signal, span);
                None
            }
        }
    }

    fn predicate(&mut self, signal: SignalId, tests: Vec<AttributeTest>) -> Bool {
        let predicate = EventPredicate { signal, tests };
        let index = match self.predicates.iter().position(|p| *p == predicate) {
            Some(index) => index,
            None => {
                self.predicates.push(predicate);
                self.predicates.len().saturating_sub(1)
            }
        };
        Bool::Matched {
            predicate: index,
            within: None,
        }
    }

    fn compare(&mut self, op: CompareOp, left: &Expr, right: &Expr, span: Span) -> Option<Bool> {
        if let ExprKind::Attribute { signal, attribute } = &left.kind {
            let (signal, test) = self.attribute_compare(signal, attribute, op, right, span)?;
            return Some(self.predicate(signal, vec![test]));
        }
        if let ExprKind::Attribute { .. } = &right.kind {
            self.error(
                right.span,
                "put the attribute on the left, as in `journalist.tier == \"national\"`",
            );
            return None;
        }
        let left_typed = self.number(left);
        let right_typed = self.number(right);
        let ((left_node, left_type), (right_node, right_type)) = (left_typed?, right_typed?);
        if left_type != right_type {
            let hint = if right_type == Type::Number && left_type == Type::Duration {
                ": give the number a unit, as in `2h`"
            } else {
                ""
            };
            self.error(
                span,
                format!(
                    "cannot compare {} (`{}`) with {} (`{}`){hint}",
                    left_type.name(),
                    self.text(left.span),
                    right_type.name(),
                    self.text(right.span)
                ),
            );
            return None;
        }
        Some(Bool::Compare {
            op,
            left: left_node,
            right: right_node,
        })
    }

    /// Whether `expr` names a time attribute, which `within` tests the age of.
    fn is_time_attribute(&self, expr: &Expr) -> bool {
        let ExprKind::Attribute { signal, attribute } = &expr.kind else {
            return false;
        };
        matches!(self.scope.lookup(signal), Some(Symbol::Signal(_, SignalKind::Event, attributes))
            if attributes.iter().any(|a| a.name == *attribute && a.kind == AttributeKind::Time))
    }

    /// One test on an event's attribute: `journalist.verified`, `not verified` in a `where`
    /// clause, a comparison with the attribute on the left, a text match or a time's age.
    fn attribute_test(&mut self, expr: &Expr) -> Option<(SignalId, AttributeTest)> {
        match &expr.kind {
            ExprKind::TextMatch {
                attribute,
                phrases,
                whole_words,
            } => {
                let ExprKind::Attribute {
                    signal,
                    attribute: name,
                } = &attribute.kind
                else {
                    let word = if *whole_words {
                        "matches_word"
                    } else {
                        "contains"
                    };
                    self.error(
                        attribute.span,
                        format!("`{word}` tests a text attribute, as in `mention.text {word} any [refund]`"),
                    );
                    return None;
                };
                let (id, index, kind) = self.attribute(signal, name, attribute.span)?;
                if kind != AttributeKind::String {
                    self.error(
                        attribute.span,
                        format!("`{signal}.{name}` is not a text: `contains` and `matches_word` test `string` attributes"),
                    );
                    return None;
                }
                let phrases = match PhraseSet::new(phrases, *whole_words) {
                    Ok(phrases) => phrases,
                    Err(error) => {
                        self.error(expr.span, error.to_string());
                        return None;
                    }
                };
                let test = AttributeTest {
                    attribute: index,
                    op: CompareOp::Equal,
                    value: AttributeLiteral::Phrases(phrases),
                };
                Some((id, test))
            }
            ExprKind::Within(inner, window, window_span) if self.is_time_attribute(inner) => {
                let ExprKind::Attribute { signal, attribute } = &inner.kind else {
                    return None;
                };
                if window.is_zero() {
                    self.error(*window_span, "`within` needs a duration above zero");
                    return None;
                }
                let (id, index, _) = self.attribute(signal, attribute, inner.span)?;
                let test = AttributeTest {
                    attribute: index,
                    op: CompareOp::Equal,
                    value: AttributeLiteral::NewerThan(*window),
                };
                Some((id, test))
            }
            ExprKind::Compare(op, left, right)
                if let ExprKind::Attribute { signal, attribute } = &left.kind =>
            {
                self.attribute_compare(signal, attribute, *op, right, expr.span)
            }
            ExprKind::Attribute { signal, attribute } => {
                let (id, index, kind) = self.attribute(signal, attribute, expr.span)?;
                if kind != AttributeKind::Bool {
                    self.error(
                        expr.span,
                        format!("attribute `{signal}.{attribute}` is not true or false: compare it with a value"),
                    );
                    return None;
                }
                let test = AttributeTest {
                    attribute: index,
                    op: CompareOp::Equal,
                    value: AttributeLiteral::Bool(true),
                };
                Some((id, test))
            }
            // Only a `where` clause lets `not` reach here, and only before an attribute.
            ExprKind::Not(inner) => {
                let (id, test) = self.attribute_test(inner)?;
                let negated = match (test.op, test.value) {
                    (CompareOp::Equal, AttributeLiteral::Bool(b)) => AttributeTest {
                        value: AttributeLiteral::Bool(!b),
                        ..test
                    },
                    (
                        CompareOp::Equal,
                        value @ (AttributeLiteral::Phrases(_) | AttributeLiteral::NewerThan(_)),
                    ) => AttributeTest {
                        op: CompareOp::NotEqual,
                        value,
                        ..test
                    },
                    _ => {
                        self.error(
                            expr.span,
                            "`not` in a `where` clause applies to a true-or-false attribute, a text match or a time's `within`; write the opposite comparison instead",
                        );
                        return None;
                    }
                };
                Some((id, negated))
            }
            _ => {
                self.error(expr.span, "expected a test on an attribute");
                None
            }
        }
    }

    fn attribute_compare(
        &mut self,
        signal: &str,
        attribute: &str,
        op: CompareOp,
        value: &Expr,
        span: Span,
    ) -> Option<(SignalId, AttributeTest)> {
        let (signal_id, index, kind) = self.attribute(signal, attribute, span)?;
        let equality = matches!(op, CompareOp::Equal | CompareOp::NotEqual);
        let literal = match (&kind, &value.kind) {
            (AttributeKind::Time, _) => {
                self.error(
                    span,
                    format!("`{signal}.{attribute}` is a time: test its age with `within`, as in `{signal} where {attribute} within 30d`"),
                );
                return None;
            }
            (AttributeKind::Number, ExprKind::Number(n)) => AttributeLiteral::Number(*n),
            (AttributeKind::Number, ExprKind::Name(name)) => match self.scope.lookup(name) {
                Some(Symbol::Parameter(id, QuantityKind::Number)) => {
                    AttributeLiteral::Parameter(id)
                }
                _ => {
                    self.error(
                        value.span,
                        format!(
                            "compare `{signal}.{attribute}` with a number or a number parameter"
                        ),
                    );
                    return None;
                }
            },
            (AttributeKind::Bool, ExprKind::Bool(b)) if equality => AttributeLiteral::Bool(*b),
            (AttributeKind::String, ExprKind::Str(s)) if equality => {
                AttributeLiteral::Text(s.clone())
            }
            (AttributeKind::OneOf(allowed), ExprKind::Str(s)) if equality => {
                if !allowed.contains(s) {
                    let quoted: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
                    let hint = suggestion(&format!("\"{s}\""), quoted.iter().map(String::as_str))
                        .unwrap_or_else(|| format!(": use one of {}", quoted_list(allowed)));
                    self.error(
                        value.span,
                        format!("`{signal}.{attribute}` is never \"{s}\"{hint}"),
                    );
                    return None;
                }
                AttributeLiteral::Text(s.clone())
            }
            (AttributeKind::Bool | AttributeKind::String | AttributeKind::OneOf(_), _)
                if !equality =>
            {
                self.error(
                    span,
                    format!("`{signal}.{attribute}` can only be tested with `==` or `!=`"),
                );
                return None;
            }
            (kind, _) => {
                let expected = match kind {
                    AttributeKind::Number => "a number",
                    AttributeKind::Bool => "`true` or `false`",
                    AttributeKind::String | AttributeKind::OneOf(_) => "a quoted string",
                    AttributeKind::Time => "`within`",
                };
                self.error(
                    value.span,
                    format!("compare `{signal}.{attribute}` with {expected}"),
                );
                return None;
            }
        };
        let test = AttributeTest {
            attribute: index,
            op,
            value: literal,
        };
        Some((signal_id, test))
    }

    fn number(&mut self, expr: &Expr) -> Option<(Number, Type)> {
        match &expr.kind {
            ExprKind::Number(n) => Some((Number::Const(*n), Type::Number)),
            ExprKind::Percent(p) => {
                if *p > 1.0 {
                    self.error(
                        expr.span,
                        format!(
                            "percentage `{}` is over 100%: write a ratio as a plain number, such as `3` for three times",
                            self.text(expr.span)
                        ),
                    );
                    return None;
                }
                Some((Number::Const(*p), Type::Number))
            }
            ExprKind::Duration(d) => {
                Some((Number::Const(d.as_millis() as f64 / 1000.0), Type::Duration))
            }
            ExprKind::Name(name) => match self.scope.lookup(name) {
                Some(Symbol::Parameter(id, kind)) => Some((Number::Parameter(id), Type::of(kind))),
                Some(Symbol::Metric(id, kind)) => Some((Number::Metric(id), Type::of(kind))),
                Some(Symbol::Signal(id, SignalKind::Count | SignalKind::Gauge, _)) => {
                    Some((Number::Latest(id), Type::Number))
                }
                Some(Symbol::Invalid) => None,
                Some(Symbol::Signal(_, kind, _)) => {
                    let name = name.clone();
                    self.error(
                        expr.span,
                        format!(
                            "`{name}` is {} signal: it is true or false, not a number; count it with a `count` metric",
                            if kind == SignalKind::Event { "an event" } else { "a manual" }
                        ),
                    );
                    None
                }
                None => {
                    self.unknown_name(name, expr.span);
                    None
                }
            },
            ExprKind::Negate(inner) => {
                let (node, ty) = self.number(inner)?;
                if ty == Type::Duration {
                    self.error(expr.span, "a duration cannot be negative");
                    return None;
                }
                Some((Number::Negate(Box::new(node)), ty))
            }
            ExprKind::Arith(op, left, right) => {
                let left = self.number(left);
                let right = self.number(right);
                let ((l, lt), (r, rt)) = (left?, right?);
                let (kind, ty) = match (op, lt, rt) {
                    (ArithOp::Add, a, b) if a == b => (ArithKind::Add, a),
                    (ArithOp::Sub, a, b) if a == b => (ArithKind::Sub, a),
                    (ArithOp::Mul, Type::Number, t) | (ArithOp::Mul, t, Type::Number) => {
                        (ArithKind::Mul, t)
                    }
                    (ArithOp::Div, t, Type::Number) => (ArithKind::Div, t),
                    (ArithOp::Div, Type::Duration, Type::Duration) => {
                        (ArithKind::Div, Type::Number)
                    }
                    _ => {
                        self.error(
                            expr.span,
                            format!("cannot combine {} with {} here", lt.name(), rt.name()),
                        );
                        return None;
                    }
                };
                Some((Number::Arith(kind, Box::new(l), Box::new(r)), ty))
            }
            ExprKind::Attribute { .. } => {
                self.error(
                    expr.span,
                    "an attribute can only be compared directly with a value, as in `influencer.followers >= 100000`",
                );
                None
            }
            _ => {
                let text = self.text(expr.span).to_string();
                self.error(expr.span, format!("`{text}` is not a number"));
                None
            }
        }
    }
}

fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
