//! Tokens and syntax tree of the condition language, with byte offsets for error messages.
//!
//! ```text
//! condition  := or
//! or         := and ("or" and)*
//! and        := not ("and" not)*
//! not        := "not" not | "in" NAME ("." NAME)? | ("during" | "outside") NAME | comparison
//! comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)? ("within" DURATION)?
//! sum        := product (("+" | "-") product)*
//! product    := unary (("*" | "/") unary)*
//! unary      := "-" unary | primary
//! primary    := NUMBER | NUMBER "%" | DURATION | STRING | "true" | "false"
//!             | NAME ("." NAME)? | "(" condition ")"
//! ```
#![expect(
    clippy::arithmetic_side_effects,
    reason = "byte positions and nesting depths within one condition, at most Limits::max_name_bytes long"
)]

use crate::Duration;
use crate::model::CompareOp;

/// A byte range inside the condition text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    fn to(self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end,
        }
    }
}

/// A syntax error at a byte offset of the condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub offset: usize,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Percent(f64),
    Duration(Duration),
    Str(String),
    Name(String),
    And,
    Or,
    Not,
    In,
    During,
    Outside,
    Within,
    Where,
    Contains,
    MatchesWord,
    True,
    False,
    Dot,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Cmp(CompareOp),
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Number(n) => format!("number `{n}`"),
            Token::Percent(p) => format!("percentage `{}%`", p * 100.0),
            Token::Duration(d) => format!("duration `{d}`"),
            Token::Str(s) => format!("string \"{s}\""),
            Token::Name(n) => format!("`{n}`"),
            Token::And => "`and`".into(),
            Token::Or => "`or`".into(),
            Token::Not => "`not`".into(),
            Token::In => "`in`".into(),
            Token::During => "`during`".into(),
            Token::Outside => "`outside`".into(),
            Token::Within => "`within`".into(),
            Token::Where => "`where`".into(),
            Token::Contains => "`contains`".into(),
            Token::MatchesWord => "`matches_word`".into(),
            Token::True => "`true`".into(),
            Token::False => "`false`".into(),
            Token::Dot => "`.`".into(),
            Token::LParen => "`(`".into(),
            Token::RParen => "`)`".into(),
            Token::LBracket => "`[`".into(),
            Token::RBracket => "`]`".into(),
            Token::Comma => "`,`".into(),
            Token::Plus => "`+`".into(),
            Token::Minus => "`-`".into(),
            Token::Star => "`*`".into(),
            Token::Slash => "`/`".into(),
            Token::Cmp(op) => format!("`{}`", op.symbol()),
            Token::End => "the end of the condition".into(),
        }
    }
}

/// An arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExprKind {
    Number(f64),
    Percent(f64),
    Duration(Duration),
    Str(String),
    Bool(bool),
    Name(String),
    Attribute {
        signal: String,
        attribute: String,
    },
    Negate(Box<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    Within(Box<Expr>, Duration, Span),
    /// Whether a text attribute holds any of the phrases: as substrings (`contains`) or as
    /// whole words (`matches_word`), case and accents aside.
    TextMatch {
        attribute: Box<Expr>,
        phrases: Vec<String>,
        whole_words: bool,
    },
    /// Whether the run is in a state: `in crisis`, or `in legal.notified` for a track's.
    InState(String),
    /// Whether a calendar is open (`during office`, `open` true) or closed (`outside office`).
    Calendar {
        name: String,
        open: bool,
    },
    /// Tests that one event of `signal` must pass together: `journalist where tier ==
    /// "national" and verified`. Each test is an attribute, `not` an attribute, or a
    /// comparison with an attribute on the left.
    Where {
        signal: String,
        tests: Vec<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone)]
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

// Words take any letter, so that a phrase list can hold `remboursé` unquoted; a name with one
// is then unknown, with "did you mean", rather than an unexpected character.
fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl<'a> Lexer<'a> {
    fn peek_char(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek_char() {
            if !keep(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        &self.text[start..self.pos]
    }

    fn error(&self, message: impl Into<String>, offset: usize) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            offset,
        }
    }

    fn next_token(&mut self) -> Result<(Token, Span), SyntaxError> {
        self.take_while(char::is_whitespace);
        let start = self.pos;
        let Some(c) = self.peek_char() else {
            return Ok((Token::End, Span { start, end: start }));
        };
        let token = if c.is_ascii_digit() {
            self.number(start)?
        } else if is_name_start(c) {
            match self.take_while(is_name_char) {
                "and" => Token::And,
                "or" => Token::Or,
                "not" => Token::Not,
                "in" => Token::In,
                "during" => Token::During,
                "outside" => Token::Outside,
                "within" => Token::Within,
                "where" => Token::Where,
                "contains" => Token::Contains,
                "matches_word" => Token::MatchesWord,
                "true" => Token::True,
                "false" => Token::False,
                name => Token::Name(name.to_string()),
            }
        } else if c == '"' || c == '\'' {
            self.pos += 1;
            let body = self.take_while(|d| d != c);
            if self.peek_char() != Some(c) {
                return Err(self.error(format!("string is not closed: add `{c}`"), start));
            }
            self.pos += 1;
            Token::Str(body.to_string())
        } else {
            self.pos += c.len_utf8();
            let next = self.peek_char();
            let mut two = |token: Token| {
                self.pos += 1;
                token
            };
            match (c, next) {
                ('>', Some('=')) => two(Token::Cmp(CompareOp::GreaterEqual)),
                ('<', Some('=')) => two(Token::Cmp(CompareOp::LessEqual)),
                ('=', Some('=')) => two(Token::Cmp(CompareOp::Equal)),
                ('!', Some('=')) => two(Token::Cmp(CompareOp::NotEqual)),
                ('>', _) => Token::Cmp(CompareOp::Greater),
                ('<', _) => Token::Cmp(CompareOp::Less),
                ('=', _) => return Err(self.error("use `==` to compare", start)),
                ('&', _) => return Err(self.error("use `and` instead of `&`", start)),
                ('|', _) => return Err(self.error("use `or` instead of `|`", start)),
                ('!', _) => return Err(self.error("use `not` instead of `!`", start)),
                ('.', _) => Token::Dot,
                ('(', _) => Token::LParen,
                (')', _) => Token::RParen,
                ('[', _) => Token::LBracket,
                (']', _) => Token::RBracket,
                (',', _) => Token::Comma,
                ('+', _) => Token::Plus,
                ('-', _) => Token::Minus,
                ('*', _) => Token::Star,
                ('/', _) => Token::Slash,
                _ => return Err(self.error(format!("unexpected character `{c}`"), start)),
            }
        };
        Ok((
            token,
            Span {
                start,
                end: self.pos,
            },
        ))
    }

    /// A number, optionally with `%` or a duration unit glued to it (`30%`, `2h30m`).
    fn number(&mut self, start: usize) -> Result<Token, SyntaxError> {
        let digits = self.take_while(|c| c.is_ascii_digit() || c == '_' || c == '.');
        if self.peek_char().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.take_while(|c| c.is_ascii_alphanumeric());
            let text = &self.text[start..self.pos];
            // `1e3` reads as a number with an exponent, not as a duration in unit `e`.
            if let Ok(value) = text.parse::<f64>()
                && value.is_finite()
            {
                return Err(self.error(
                    format!(
                        "`{text}` has an exponent, which conditions do not read: write `{value}`"
                    ),
                    start,
                ));
            }
            return text.parse::<Duration>().map(Token::Duration).map_err(|e| {
                self.error(format!("bad duration `{text}`: {e}"), start + e.offset())
            });
        }
        let value: f64 = digits
            .replace('_', "")
            .parse()
            .map_err(|_| self.error(format!("bad number `{digits}`"), start))?;
        if self.peek_char() == Some('%') {
            self.pos += 1;
            return Ok(Token::Percent(value / 100.0));
        }
        Ok(Token::Number(value))
    }
}

/// Builds a binary node from its two operands.
type MakeBinary = fn(Box<Expr>, Box<Expr>) -> ExprKind;

struct Parser<'a> {
    lexer: Lexer<'a>,
    token: Token,
    span: Span,
    depth: usize,
    /// Whether a name is an attribute of an event signal, `(signal, name)`, and of which
    /// shape: a `where` clause goes on past `and` only while the next test names an attribute,
    /// and only a time attribute takes its own `within` there.
    attribute: &'a dyn Fn(&str, &str) -> Option<AttributeShape>,
}

/// What the parser knows of an event's attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AttributeShape {
    /// Any attribute but a time.
    Plain,
    /// A time, which `within` tests the age of (`created within 30d`).
    Time,
}

/// Nesting deeper than this is surely not a hand-written condition; refusing it keeps the
/// recursive parser's stack bounded on hostile input.
const MAX_DEPTH: usize = 64;

/// Parses a condition into its syntax tree; `attribute(signal, name)` says whether an event
/// signal has an attribute by that name, and its shape.
pub(crate) fn parse(
    text: &str,
    attribute: &dyn Fn(&str, &str) -> Option<AttributeShape>,
) -> Result<Expr, SyntaxError> {
    let mut lexer = Lexer { text, pos: 0 };
    let (token, span) = lexer.next_token()?;
    let mut parser = Parser {
        lexer,
        token,
        span,
        depth: 0,
        attribute,
    };
    if parser.token == Token::End {
        return Err(parser.lexer.error("empty condition", 0));
    }
    let expr = parser.or()?;
    if parser.token != Token::End {
        return Err(parser.unexpected("`and`, `or` or the end of the condition"));
    }
    Ok(expr)
}

impl Parser<'_> {
    fn advance(&mut self) -> Result<(), SyntaxError> {
        let (token, span) = self.lexer.next_token()?;
        self.token = token;
        self.span = span;
        Ok(())
    }

    fn unexpected(&self, expected: &str) -> SyntaxError {
        self.lexer.error(
            format!("expected {expected}, found {}", self.token.describe()),
            self.span.start,
        )
    }

    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self
                .lexer
                .error("condition is nested too deeply", self.span.start));
        }
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn binary(
        &mut self,
        next: fn(&mut Self) -> Result<Expr, SyntaxError>,
        combine: fn(&Token) -> Option<MakeBinary>,
    ) -> Result<Expr, SyntaxError> {
        let mut left = next(self)?;
        while let Some(make) = combine(&self.token) {
            self.advance()?;
            let right = next(self)?;
            let span = left.span.to(right.span);
            left = Expr {
                kind: make(Box::new(left), Box::new(right)),
                span,
            };
        }
        Ok(left)
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        self.binary(Self::and, |t| {
            (*t == Token::Or).then_some(ExprKind::Or as _)
        })
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        self.binary(Self::not, |t| {
            (*t == Token::And).then_some(ExprKind::And as _)
        })
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        if self.token == Token::In {
            return self.in_state();
        }
        if matches!(self.token, Token::During | Token::Outside) {
            return self.calendar();
        }
        if self.token != Token::Not {
            return self.comparison();
        }
        let start = self.span;
        self.advance()?;
        let inner = self.nested(Self::not)?;
        let span = start.to(inner.span);
        Ok(Expr {
            kind: ExprKind::Not(Box::new(inner)),
            span,
        })
    }

    /// `in crisis`, `in legal.notified`.
    fn in_state(&mut self) -> Result<Expr, SyntaxError> {
        let start = self.span;
        self.advance()?;
        let Token::Name(mut name) = std::mem::replace(&mut self.token, Token::End) else {
            return Err(self.lexer.error(
                "expected a state's name after `in`, as in `in crisis` or `in legal.notified`",
                self.span.start,
            ));
        };
        let mut span = start.to(self.span);
        self.advance()?;
        if self.token == Token::Dot {
            self.advance()?;
            let Token::Name(state) = std::mem::replace(&mut self.token, Token::End) else {
                return Err(self.lexer.error(
                    format!("expected the name of a state of track `{name}` after `.`"),
                    self.span.start,
                ));
            };
            name = format!("{name}.{state}");
            span = start.to(self.span);
            self.advance()?;
        }
        Ok(Expr {
            kind: ExprKind::InState(name),
            span,
        })
    }

    /// `during office`, `outside office`.
    fn calendar(&mut self) -> Result<Expr, SyntaxError> {
        let start = self.span;
        let open = self.token == Token::During;
        let word = if open { "during" } else { "outside" };
        self.advance()?;
        let Token::Name(name) = std::mem::replace(&mut self.token, Token::End) else {
            return Err(self.lexer.error(
                format!("expected a calendar's name after `{word}`, as in `{word} office`"),
                self.span.start,
            ));
        };
        let span = start.to(self.span);
        self.advance()?;
        Ok(Expr {
            kind: ExprKind::Calendar { name, open },
            span,
        })
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let mut expr = self.sum()?;
        if self.token == Token::Where {
            expr = self.where_clause(expr)?;
        } else if matches!(self.token, Token::Contains | Token::MatchesWord) {
            expr = self.text_match(expr)?;
        } else if let Token::Cmp(op) = self.token {
            self.advance()?;
            let right = self.sum()?;
            let span = expr.span.to(right.span);
            expr = Expr {
                kind: ExprKind::Compare(op, Box::new(expr), Box::new(right)),
                span,
            };
        }
        // A time attribute takes its own `within` (`mention.created within 30d`), and the
        // test may take one more (`… within 1h`): the type checker tells them apart.
        while self.token == Token::Within {
            expr = self.within(expr)?;
        }
        Ok(expr)
    }

    /// `expr within 2h`, the current token being `within`.
    fn within(&mut self, expr: Expr) -> Result<Expr, SyntaxError> {
        self.advance()?;
        let Token::Duration(window) = self.token else {
            return Err(self.unexpected("a duration such as `2h` after `within`"));
        };
        let window_span = self.span;
        self.advance()?;
        let span = expr.span.to(window_span);
        Ok(Expr {
            kind: ExprKind::Within(Box::new(expr), window, window_span),
            span,
        })
    }

    /// `attribute contains any [refund, "money back"]`, `attribute matches_word "refund"`, the
    /// current token being `contains` or `matches_word`.
    fn text_match(&mut self, attribute: Expr) -> Result<Expr, SyntaxError> {
        let whole_words = self.token == Token::MatchesWord;
        let word = if whole_words {
            "matches_word"
        } else {
            "contains"
        };
        self.advance()?;
        let mut phrases = Vec::new();
        let mut end = self.span;
        match std::mem::replace(&mut self.token, Token::End) {
            Token::Str(phrase) => {
                phrases.push(phrase);
                self.advance()?;
            }
            Token::Name(any) if any == "any" => {
                self.advance()?;
                if self.token != Token::LBracket {
                    return Err(self.unexpected(&format!(
                        "a list after `{word} any`, such as `[refund, \"money back\"]`"
                    )));
                }
                loop {
                    self.advance()?;
                    match std::mem::replace(&mut self.token, Token::End) {
                        Token::Str(phrase) | Token::Name(phrase) => phrases.push(phrase),
                        other => {
                            self.token = other;
                            return Err(self.unexpected(
                                "a phrase: a word, or text in quotes such as \"money back\"",
                            ));
                        }
                    }
                    self.advance()?;
                    match self.token {
                        Token::Comma => {}
                        Token::RBracket => break,
                        _ => return Err(self.unexpected("`,` or `]`")),
                    }
                }
                end = self.span;
                self.advance()?;
            }
            other => {
                self.token = other;
                return Err(self.unexpected(&format!(
                    "a quoted phrase or `any [...]` after `{word}`, as in `{word} any [refund, \"money back\"]`"
                )));
            }
        }
        let span = attribute.span.to(end);
        Ok(Expr {
            kind: ExprKind::TextMatch {
                attribute: Box::new(attribute),
                phrases,
                whole_words,
            },
            span,
        })
    }

    /// The tests after `signal where`, joined by `and` while each next one names an attribute
    /// of the signal; the first `and` that does not stays with the enclosing condition.
    fn where_clause(&mut self, signal: Expr) -> Result<Expr, SyntaxError> {
        let ExprKind::Name(name) = signal.kind else {
            return Err(self.lexer.error(
                "`where` follows an event signal's name, as in `journalist where verified`",
                self.span.start,
            ));
        };
        self.advance()?;
        let mut tests = vec![self.where_test(&name)?];
        while self.token == Token::And && self.attribute_follows(&name)? {
            self.advance()?;
            tests.push(self.where_test(&name)?);
        }
        let span = signal.span.to(tests.last().map_or(signal.span, |t| t.span));
        Ok(Expr {
            kind: ExprKind::Where {
                signal: name,
                tests,
            },
            span,
        })
    }

    /// One test of a `where` clause: `verified`, `not verified` or `tier == "national"`.
    fn where_test(&mut self, signal: &str) -> Result<Expr, SyntaxError> {
        let start = self.span;
        if self.token == Token::Not {
            self.advance()?;
            let inner = self.nested(|p| p.where_test(signal))?;
            let span = start.to(inner.span);
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(inner)),
                span,
            });
        }
        let Token::Name(attribute) = std::mem::replace(&mut self.token, Token::End) else {
            return Err(self.unexpected(&format!("an attribute of `{signal}` after `where`")));
        };
        let shape = (self.attribute)(signal, &attribute);
        self.advance()?;
        let left = Expr {
            kind: ExprKind::Attribute {
                signal: signal.to_string(),
                attribute,
            },
            span: start,
        };
        match self.token {
            Token::Contains | Token::MatchesWord => return self.text_match(left),
            Token::Within if shape == Some(AttributeShape::Time) => {
                return self.within(left);
            }
            _ => {}
        }
        let Token::Cmp(op) = self.token else {
            return Ok(left);
        };
        self.advance()?;
        let right = self.sum()?;
        let span = start.to(right.span);
        Ok(Expr {
            kind: ExprKind::Compare(op, Box::new(left), Box::new(right)),
            span,
        })
    }

    /// Whether the test after the current `and` names an attribute of `signal`.
    fn attribute_follows(&self, signal: &str) -> Result<bool, SyntaxError> {
        let mut ahead = self.lexer.clone();
        let mut token = ahead.next_token()?.0;
        if token == Token::Not {
            token = ahead.next_token()?.0;
        }
        Ok(match token {
            Token::Name(name) => {
                ahead.next_token()?.0 != Token::Dot && (self.attribute)(signal, &name).is_some()
            }
            _ => false,
        })
    }

    fn sum(&mut self) -> Result<Expr, SyntaxError> {
        self.binary(Self::product, |t| match t {
            Token::Plus => Some(|l, r| ExprKind::Arith(ArithOp::Add, l, r)),
            Token::Minus => Some(|l, r| ExprKind::Arith(ArithOp::Sub, l, r)),
            _ => None,
        })
    }

    fn product(&mut self) -> Result<Expr, SyntaxError> {
        self.binary(Self::unary, |t| match t {
            Token::Star => Some(|l, r| ExprKind::Arith(ArithOp::Mul, l, r)),
            Token::Slash => Some(|l, r| ExprKind::Arith(ArithOp::Div, l, r)),
            _ => None,
        })
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        if self.token != Token::Minus {
            return self.primary();
        }
        let start = self.span;
        self.advance()?;
        let inner = self.nested(Self::unary)?;
        let span = start.to(inner.span);
        Ok(Expr {
            kind: ExprKind::Negate(Box::new(inner)),
            span,
        })
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let span = self.span;
        let kind = match std::mem::replace(&mut self.token, Token::End) {
            Token::Number(n) => ExprKind::Number(n),
            Token::Percent(p) => ExprKind::Percent(p),
            Token::Duration(d) => ExprKind::Duration(d),
            Token::Str(s) => ExprKind::Str(s),
            Token::True => ExprKind::Bool(true),
            Token::False => ExprKind::Bool(false),
            Token::Name(name) => {
                self.advance()?;
                if self.token != Token::Dot {
                    return Ok(Expr {
                        kind: ExprKind::Name(name),
                        span,
                    });
                }
                self.advance()?;
                let Token::Name(attribute) = std::mem::replace(&mut self.token, Token::End) else {
                    return Err(self
                        .lexer
                        .error("expected an attribute name after `.`", self.span.start));
                };
                let span = span.to(self.span);
                self.advance()?;
                return Ok(Expr {
                    kind: ExprKind::Attribute {
                        signal: name,
                        attribute,
                    },
                    span,
                });
            }
            Token::LParen => {
                self.advance()?;
                let inner = self.nested(Self::or)?;
                if self.token != Token::RParen {
                    return Err(self.unexpected("`)`"));
                }
                let span = span.to(self.span);
                self.advance()?;
                return Ok(Expr { span, ..inner });
            }
            other => {
                self.token = other;
                return Err(self.unexpected("a name, a number or `(`"));
            }
        };
        self.advance()?;
        Ok(Expr { kind, span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Number(n) => format!("{n}"),
            ExprKind::Percent(p) => format!("{p}"),
            ExprKind::Duration(d) => d.to_string(),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Attribute { signal, attribute } => format!("{signal}.{attribute}"),
            ExprKind::Negate(e) => format!("(- {})", shape(e)),
            ExprKind::Not(e) => format!("(not {})", shape(e)),
            ExprKind::And(a, b) => format!("(and {} {})", shape(a), shape(b)),
            ExprKind::Or(a, b) => format!("(or {} {})", shape(a), shape(b)),
            ExprKind::Arith(op, a, b) => format!("({op:?} {} {})", shape(a), shape(b)),
            ExprKind::Compare(op, a, b) => format!("({} {} {})", op.symbol(), shape(a), shape(b)),
            ExprKind::Within(e, d, _) => format!("(within {} {d})", shape(e)),
            ExprKind::TextMatch {
                attribute,
                phrases,
                whole_words,
            } => format!(
                "({} {} {phrases:?})",
                if *whole_words {
                    "matches_word"
                } else {
                    "contains"
                },
                shape(attribute)
            ),
            ExprKind::InState(state) => format!("(in {state})"),
            ExprKind::Calendar { name, open: true } => format!("(during {name})"),
            ExprKind::Calendar { name, open: false } => format!("(outside {name})"),
            ExprKind::Where { signal, tests } => format!(
                "(where {signal} {})",
                tests.iter().map(shape).collect::<Vec<_>>().join(" ")
            ),
        }
    }

    /// Parses with `journalist` (attributes `tier` and `verified`) and `mention` (`text` and
    /// `created`) as the events.
    fn parse(text: &str) -> Result<Expr, SyntaxError> {
        super::parse(text, &|signal, name| match (signal, name) {
            ("journalist", "tier" | "verified") | ("mention", "text") => {
                Some(AttributeShape::Plain)
            }
            ("mention", "created") => Some(AttributeShape::Time),
            _ => None,
        })
    }

    #[test]
    fn text_matches_take_a_phrase_or_a_list_and_time_attributes_take_within() {
        let expr = parse(
            "mention.text contains any [refund, \"money back\", Remboursé] within 1h or mention.text matches_word 'unsafe'",
        )
        .unwrap();
        assert_eq!(
            shape(&expr),
            "(or (within (contains mention.text [\"refund\", \"money back\", \"Remboursé\"]) 1h) (matches_word mention.text [\"unsafe\"]))"
        );
        let expr = parse(
            "mention where created within 30d and not text contains any [scam] within 2h and x > 1",
        )
        .unwrap();
        assert_eq!(
            shape(&expr),
            "(and (within (where mention (within mention.created 30d) (not (contains mention.text [\"scam\"]))) 2h) (> x 1))"
        );
        let expr = parse("mention.created within 30d within 1h").unwrap();
        assert_eq!(shape(&expr), "(within (within mention.created 30d) 1h)");
        let errors = [
            (
                "mention.text contains refund",
                22,
                "expected a quoted phrase or `any [...]` after `contains`, as in `contains any [refund, \"money back\"]`, found `refund`",
            ),
            (
                "mention.text contains any refund",
                26,
                "expected a list after `contains any`, such as `[refund, \"money back\"]`, found `refund`",
            ),
            (
                "mention.text matches_word any [refund money]",
                38,
                "expected `,` or `]`, found `money`",
            ),
            (
                "mention.text contains any [2]",
                27,
                "expected a phrase: a word, or text in quotes such as \"money back\", found number `2`",
            ),
        ];
        for (text, offset, message) in errors {
            let err = parse(text).unwrap_err();
            assert_eq!(
                (err.offset, err.message.as_str()),
                (offset, message),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_where_clause_goes_on_while_its_tests_name_attributes() {
        let expr =
            parse("journalist where tier == \"national\" and not verified within 1h and level > 2 or verified")
                .unwrap();
        assert_eq!(
            shape(&expr),
            "(or (and (within (where journalist (== journalist.tier \"national\") (not journalist.verified)) 1h) (> level 2)) verified)"
        );
        assert_eq!(
            parse("2 where verified").unwrap_err().message,
            "`where` follows an event signal's name, as in `journalist where verified`"
        );
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let expr = parse("a >= 2 or not b and c < 30% within 2h").unwrap();
        assert_eq!(
            shape(&expr),
            "(or (>= a 2) (and (not b) (within (< c 0.3) 2h)))"
        );
    }

    #[test]
    fn arithmetic_binds_tighter_than_comparison() {
        let expr = parse("x > base + 10% * 2 - -1").unwrap();
        assert_eq!(shape(&expr), "(> x (Sub (Add base (Mul 0.1 2)) (- 1)))");
    }

    #[test]
    fn attributes_strings_and_parentheses() {
        let expr =
            parse("(journalist.tier == \"national\") or influencer.followers >= 100_000").unwrap();
        assert_eq!(
            shape(&expr),
            "(or (== journalist.tier \"national\") (>= influencer.followers 100000))"
        );
    }

    #[test]
    fn spans_cover_the_source() {
        let expr = parse("  ratio >= 5").unwrap();
        assert_eq!(expr.span, Span { start: 2, end: 12 });
    }

    #[test]
    fn syntax_errors_point_at_the_offending_offset() {
        let cases = [
            ("", 0, "empty condition"),
            (
                "a >= ",
                5,
                "expected a name, a number or `(`, found the end of the condition",
            ),
            ("a = 2", 2, "use `==` to compare"),
            ("a && b", 2, "use `and` instead of `&`"),
            ("a || b", 2, "use `or` instead of `|`"),
            ("!a", 0, "use `not` instead of `!`"),
            ("(a > 1", 6, "expected `)`, found the end of the condition"),
            (
                "a > 1 b",
                6,
                "expected `and`, `or` or the end of the condition, found `b`",
            ),
            (
                "a within 5",
                9,
                "expected a duration such as `2h` after `within`, found number `5`",
            ),
            (
                "x > 15q",
                6,
                "bad duration `15q`: unknown unit `q`: use one of w, d, h, m, s, ms",
            ),
            (
                "x > 1e3",
                4,
                "`1e3` has an exponent, which conditions do not read: write `1000`",
            ),
            ("t == \"abc", 5, "string is not closed: add `\"`"),
            ("a > 1 # b", 6, "unexpected character `#`"),
            ("e.", 2, "expected an attribute name after `.`"),
        ];
        for (text, offset, message) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(
                (err.offset, err.message.as_str()),
                (offset, message),
                "{text:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(
            parse(&text).unwrap_err().message,
            "condition is nested too deeply"
        );
        let text = format!("{}a", "not ".repeat(10_000));
        assert_eq!(
            parse(&text).unwrap_err().message,
            "condition is nested too deeply"
        );
    }
}
