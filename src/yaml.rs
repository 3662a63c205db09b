//! The one place that knows which YAML crate we use.
//!
//! Everything else sees [`Located`] values and [`YamlError`]s. Swapping serde-saphyr for another
//! parser means rewriting this file only.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{Deserialize, DeserializeOwned, Deserializer, MapAccess, Visitor};

pub(crate) use crate::diagnostic::Position;
use crate::diagnostic::{Code, Diagnostic, Severity, suggestion};

/// Size and structure limits for untrusted playbooks.
///
/// The defaults accept any hand-written playbook many times over while refusing alias bombs,
/// pathological nesting and huge files quickly and in bounded memory.
///
/// ```
/// use crisis_playbook::{Limits, Loader};
///
/// let mut limits = Limits::default();
/// limits.max_bytes = 64 * 1024;
/// let err = Loader::new().limits(limits).load_str(&"#".repeat(100_000)).unwrap_err();
/// assert!(err.to_string().contains("larger than the limit"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest accepted input, in bytes. Default: 4 MiB.
    pub max_bytes: usize,
    /// Deepest nesting of YAML collections. Default: 32.
    pub max_depth: usize,
    /// Most YAML nodes (scalars, sequences and mappings). Default: 2,000,000.
    pub max_nodes: usize,
    /// Most aliases (`*ref`) and anchors; aliases may replay 100 nodes each on average.
    /// Default: 1,000.
    pub max_aliases: usize,
    /// Most states. Default: 20,000.
    pub max_states: usize,
    /// Longest name or condition, in bytes. Default: 4,096.
    pub max_name_bytes: usize,
    /// Most transitions of all states together, once each group's transitions are counted in
    /// every member state. Default: 200,000.
    pub max_transitions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 32,
            max_nodes: 2_000_000,
            max_aliases: 1_000,
            max_states: 20_000,
            max_name_bytes: 4_096,
            max_transitions: 200_000,
        }
    }
}

/// The source text, indexed by line, to point inside scalars.
#[derive(Debug)]
pub(crate) struct Source<'a> {
    text: &'a str,
    /// Byte offset of each line, to find a scalar's opening quote without rescanning.
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    /// The whole text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i.saturating_add(1)))
            .collect();
        Source { text, line_starts }
    }

    /// The position of byte `offset` inside the scalar `value` that starts at `at`, stepping
    /// over an opening quote when the scalar was quoted. A scalar written over several lines
    /// (folded `>-`, literal `|`, or quoted) has its line breaks and indentation folded away in
    /// `value`: the source is walked beside the value, so that the position lands on the line
    /// where the character is written.
    pub fn inside(&self, at: Position, value: &str, offset: usize) -> Position {
        let start = self
            .line_starts
            .get((at.line as usize).saturating_sub(1))
            .and_then(|line| {
                let text = self.text.get(*line..)?;
                let column = text
                    .char_indices()
                    .nth((at.column as usize).saturating_sub(1))?
                    .0;
                Some(line.saturating_add(column))
            });
        let (Some(start), Some(prefix)) = (start, value.get(..offset)) else {
            return at;
        };
        let mut source = self
            .text
            .get(start..)
            .unwrap_or("")
            .char_indices()
            .peekable();
        if let Some((_, '"' | '\'')) = source.peek() {
            source.next();
        }
        for wanted in prefix.chars() {
            // Where the value has a space or a line break, the source may have a line break
            // and the next line's indentation.
            let Some(&(_, found)) = source.peek() else {
                return at;
            };
            if found == wanted {
                source.next();
            } else if matches!(wanted, ' ' | '\n') && found == '\n' {
                source.next();
                while source.peek().is_some_and(|(_, c)| *c == ' ' || *c == '\t') {
                    source.next();
                }
            } else {
                // Not the same text (an escape in a quoted scalar…): point at the start.
                return at;
            }
        }
        while source.peek().is_some_and(|(_, c)| *c == '\n') {
            source.next();
            while source.peek().is_some_and(|(_, c)| *c == ' ' || *c == '\t') {
                source.next();
            }
        }
        let byte = start.saturating_add(source.peek().map_or(0, |(i, _)| *i));
        self.position_of_byte(byte)
    }

    /// The line and column of a byte offset in the text.
    fn position_of_byte(&self, byte: usize) -> Position {
        let line = self.line_starts.partition_point(|start| *start <= byte);
        let line_start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self
            .text
            .get(line_start..byte)
            .map_or(0, |text| text.chars().count());
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column.saturating_add(1)).unwrap_or(u32::MAX),
        }
    }
}

/// A value with the position of the YAML node it came from.
#[derive(Clone, Debug, Default)]
pub(crate) struct Located<T> {
    pub value: T,
    pub at: Position,
}

fn position_of(location: serde_saphyr::Location) -> Position {
    Position {
        line: u32::try_from(location.line()).unwrap_or(u32::MAX),
        column: u32::try_from(location.column()).unwrap_or(u32::MAX),
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Located {
            value: spanned.value,
            at: position_of(spanned.referenced),
        })
    }
}

/// A wrapper that the JSON Schema sees through: its schema is its content's.
macro_rules! schema_of_content {
    ($wrapper:ident) => {
        impl<T: JsonSchema> JsonSchema for $wrapper<T> {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> Cow<'static, str> {
                T::schema_name()
            }

            fn json_schema(generator: &mut SchemaGenerator) -> Schema {
                generator.subschema_for::<T>()
            }
        }
    };
}

schema_of_content!(Located);

/// A number or a boolean as YAML 1.2 reads it: plain, never quoted. serde-saphyr turns `"1"`
/// into 1 for a number field, where yaml-language-server and the JSON Schema see a string, so
/// lint would pass what editors flag; this reads the scalar untyped and refuses text.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Plain<T>(pub T);

/// The scalar types a `Plain` holds, and how each is made from what YAML inferred.
pub(crate) trait PlainScalar: Sized {
    /// What to write, for the message: "a whole number", "true or false"…
    const EXPECTED: &'static str;
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    fn from_i64(_: i64) -> Option<Self> {
        None
    }
    fn from_u64(value: u64) -> Option<Self> {
        i64::try_from(value).ok().and_then(Self::from_i64)
    }
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
    /// Whether the text, unquoted, would have been read as this type.
    fn spelled_in(text: &str) -> bool;
}

impl PlainScalar for bool {
    const EXPECTED: &'static str = "`true` or `false`";
    fn from_bool(value: bool) -> Option<Self> {
        Some(value)
    }
    fn spelled_in(text: &str) -> bool {
        matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
    }
}

impl PlainScalar for u32 {
    const EXPECTED: &'static str = "a whole number";
    fn from_i64(value: i64) -> Option<Self> {
        u32::try_from(value).ok()
    }
    fn spelled_in(text: &str) -> bool {
        text.parse::<u32>().is_ok()
    }
}

impl PlainScalar for i64 {
    const EXPECTED: &'static str = "a whole number";
    fn from_i64(value: i64) -> Option<Self> {
        Some(value)
    }
    fn spelled_in(text: &str) -> bool {
        text.parse::<i64>().is_ok()
    }
}

impl PlainScalar for f64 {
    const EXPECTED: &'static str = "a number";
    #[expect(
        clippy::cast_precision_loss,
        reason = "YAML integers beyond 2^53 are read as the nearest number, as a float would be"
    )]
    fn from_i64(value: i64) -> Option<Self> {
        Some(value as f64)
    }
    fn from_f64(value: f64) -> Option<Self> {
        Some(value)
    }
    fn spelled_in(text: &str) -> bool {
        text.parse::<f64>().is_ok_and(f64::is_finite)
    }
}

impl<'de, T: PlainScalar> Deserialize<'de> for Plain<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<T: PlainScalar> Visit<T> {
            fn made<E: serde::de::Error>(
                value: Option<T>,
                found: serde::de::Unexpected<'_>,
            ) -> Result<Plain<T>, E> {
                value
                    .map(Plain)
                    .ok_or_else(|| E::invalid_type(found, &T::EXPECTED))
            }
        }
        impl<T: PlainScalar> serde::de::Visitor<'_> for Visit<T> {
            type Value = Plain<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(T::EXPECTED)
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Plain<T>, E> {
                Self::made(T::from_bool(v), serde::de::Unexpected::Bool(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Plain<T>, E> {
                Self::made(T::from_i64(v), serde::de::Unexpected::Signed(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Plain<T>, E> {
                Self::made(T::from_u64(v), serde::de::Unexpected::Unsigned(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Plain<T>, E> {
                Self::made(T::from_f64(v), serde::de::Unexpected::Float(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Plain<T>, E> {
                let fix = if T::spelled_in(v) {
                    "remove the quotes, which make it a text".to_string()
                } else {
                    format!("write {}", T::EXPECTED)
                };
                Err(E::custom(format!(
                    "expected {}, found the text `{v}`: {fix}",
                    T::EXPECTED
                )))
            }
        }
        deserializer.deserialize_any(Visit(std::marker::PhantomData))
    }
}

schema_of_content!(Plain);

/// A YAML mapping kept in document order, with the position of each key.
///
/// Order matters to authors: states are drawn, and transitions listed, in the order written.
#[derive(Clone, Debug)]
pub(crate) struct Entries<T>(pub Vec<(Located<String>, T)>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
            type Value = Entries<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of names to definitions")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Located<String>>()? {
                    entries.push((key, map.next_value::<T>()?));
                }
                Ok(Entries(entries))
            }

            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Entries(Vec::new()))
            }
        }

        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for Entries<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Map_of_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let values = generator.subschema_for::<T>();
        schemars::json_schema!({
            "type": "object",
            "propertyNames": { "pattern": crate::name::PATTERN },
            "additionalProperties": values,
        })
    }
}

/// A parse or shape error from the YAML layer, with its position when known.
#[derive(Clone, Debug)]
pub(crate) struct YamlError {
    pub code: Code,
    pub message: String,
    pub at: Position,
}

impl YamlError {
    /// The diagnostic of this error in `file`: the one place where a YAML error becomes a
    /// diagnostic, with the YAML path of the value at fault where one is known. A missing or
    /// repeated key is reported inside its mapping, at another key, so it names the mapping,
    /// and the repeated key.
    pub(crate) fn into_diagnostic(self, text: &str, limits: &Limits, file: &str) -> Diagnostic {
        let path = match self.code {
            Code::UnknownKey | Code::InvalidValue => {
                path_at(text, limits, self.at).unwrap_or_default()
            }
            Code::MissingKey => {
                parent_path(&path_at(text, limits, self.at).unwrap_or_default()).to_string()
            }
            Code::DuplicateName => {
                let key = self.message.split('`').nth(1).unwrap_or_default();
                join_path(&holder_at(text, limits, self.at).unwrap_or_default(), key)
            }
            _ => String::new(),
        };
        Diagnostic::at(
            Severity::Error,
            self.code,
            file,
            self.at,
            path,
            self.message,
        )
    }
}

/// Parses one YAML document into `T`, within the given limits.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, limits: &Limits) -> Result<T, YamlError> {
    parse_with(text, limits, serde_saphyr::DuplicateKeyPolicy::Error)
}

/// As `parse`, with a choice of what a duplicate key does: `path_at` reads on past one, to
/// name the place of the error that reports it.
fn parse_with<T: DeserializeOwned>(
    text: &str,
    limits: &Limits,
    duplicates: serde_saphyr::DuplicateKeyPolicy,
) -> Result<T, YamlError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = limits.max_depth;
    budget.max_nodes = limits.max_nodes;
    budget.max_aliases = limits.max_aliases;
    budget.max_anchors = limits.max_aliases;
    budget.max_events = limits.max_nodes.saturating_mul(4);
    budget.max_total_scalar_bytes = limits.max_bytes;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    // Aliases in hand-written playbooks replay a few nodes each; a bomb replays millions.
    options.alias_limits.max_total_replayed_events = limits.max_aliases.saturating_mul(100);
    options.duplicate_keys = duplicates;
    // YAML 1.2, as editors and the JSON Schema read it: `yes` and `on` are text, not booleans.
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options(text, options).map_err(|error| {
        let (code, message) = match &error {
            serde_saphyr::Error::Budget { breach, .. } => {
                (Code::Limit, over_budget(breach, limits))
            }
            _ => describe(&error),
        };
        let at = error.location().map(position_of).unwrap_or_default();
        match (code, indenting_tab(text, at)) {
            (Code::Syntax, Some(tab)) => YamlError {
                code,
                message: "a tab in the indentation: YAML indents with spaces only, so replace the tab with spaces".to_string(),
                at: tab,
            },
            _ => YamlError { code, message, at },
        }
    })
}

/// The first tab in the indentation of a line at or after `at`'s line, where the parser
/// stopped: it reports a tab at the end of the line before, in its own words.
fn indenting_tab(text: &str, at: Position) -> Option<Position> {
    let first = usize::try_from(at.line).ok()?.checked_sub(1)?;
    text.lines()
        .enumerate()
        .skip(first)
        .take(2)
        .find_map(|(index, line)| {
            let content = line.trim_start_matches([' ', '\t']);
            let indent = line.get(..line.len().saturating_sub(content.len()))?;
            let column = indent.find('\t')?;
            Some(Position {
                line: u32::try_from(index.saturating_add(1)).ok()?,
                column: u32::try_from(column.saturating_add(1)).ok()?,
            })
        })
}

/// The syntax error of `text`, if it has one: whatever the format says about its shape, a
/// file that is not YAML stops reading there, and that must always be reported.
pub(crate) fn syntax_error(text: &str, limits: &Limits) -> Option<YamlError> {
    parse_with::<serde::de::IgnoredAny>(text, limits, serde_saphyr::DuplicateKeyPolicy::LastWins)
        .err()
        .filter(|e| e.code == Code::Syntax)
}

/// The lines of `text` before line `line`: a prefix that still parses when `line` holds a
/// syntax error, so that errors above it can be given their path.
pub(crate) fn lines_before(text: &str, line: u32) -> &str {
    let keep = usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX);
    let end = text
        .split_inclusive('\n')
        .take(keep)
        .map(str::len)
        .sum::<usize>();
    text.get(..end).unwrap_or(text)
}

/// Says what went wrong in the words of the format reference, rather than serde's or the
/// parser's, with a suggestion for misspelt keys and values.
fn describe(error: &serde_saphyr::Error) -> (Code, String) {
    if let serde_saphyr::Error::NullIntoString { .. } = error {
        return (
            Code::InvalidValue,
            "expected a text, found nothing: inside `{ … }`, put texts that contain commas in quotes"
                .to_string(),
        );
    }
    let raw = match error {
        serde_saphyr::Error::Message { msg, .. } => msg.clone(),
        other => other.without_snippet().to_string(),
    };
    let text = match raw.rfind(" at line ") {
        Some(cut) => &raw[..cut],
        None => raw.as_str(),
    };
    let backticked = |s: &str| s.split('`').nth(1).unwrap_or("").to_string();
    if let Some(rest) = text.strip_prefix("unknown field ") {
        return (Code::UnknownKey, unknown("key", &backticked(rest), rest));
    }
    if let Some(rest) = text.strip_prefix("unknown variant ") {
        return (
            Code::InvalidValue,
            unknown("value", &backticked(rest), rest),
        );
    }
    if let Some(rest) = text.strip_prefix("missing field ") {
        return (Code::MissingKey, format!("missing key {rest}"));
    }
    if let Some(rest) = text.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return (
            Code::DuplicateName,
            format!("key `{key}` appears twice in this mapping: keep one"),
        );
    }
    if let Some(rest) = text.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        let found = match found {
            "sequence" => "a list",
            "map" => "a mapping",
            "unit value" => "nothing",
            other => other,
        };
        return (
            Code::InvalidValue,
            format!("expected {expected}, found {found}"),
        );
    }
    if text.starts_with("expected ") && text.contains(", found the text `") {
        // From `Plain`: its own wording already.
        return (Code::InvalidValue, text.to_string());
    }
    let (code, message) = match text {
        "invalid u32" | "invalid u64" | "invalid i64" | "invalid i32" => {
            (Code::InvalidValue, "expected a whole number")
        }
        "invalid f64" | "invalid f32" => (Code::InvalidValue, "expected a number"),
        "invalid bool" => (Code::InvalidValue, "expected `true` or `false`"),
        "expected string scalar" => (Code::InvalidValue, "expected a text"),
        "expected sequence start" => (
            Code::InvalidValue,
            "expected a list, such as `[a, b]` or lines starting with `- `",
        ),
        "expected mapping start" => (
            Code::InvalidValue,
            "expected a mapping of `key: value` lines",
        ),
        "unexpected end of input" => (Code::Syntax, "the document is empty or ends too early"),
        "mapping values are not allowed in this context" => (
            Code::Syntax,
            "a `key: value` where none can start: indent this line as the keys beside it, or put a text that contains `: ` in quotes",
        ),
        "simple key expected ':'" => (
            Code::Syntax,
            "expected `key: value` here: a `{ … }` or `[ … ]` is the value of a key, as in `on: [ … ]`",
        ),
        _ if text.contains("budget") || text.contains("limit") => {
            return (Code::Limit, text.to_string());
        }
        _ => return (Code::Syntax, text.to_string()),
    };
    (code, message.to_string())
}

/// Which limit the document broke, named by its field of [`Limits`].
fn over_budget(breach: &serde_saphyr::budget::BudgetBreach, limits: &Limits) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Nodes { .. } | B::Events { .. } => format!(
            "the document has more than {} YAML nodes (Limits::max_nodes)",
            limits.max_nodes
        ),
        B::Depth { .. } => format!(
            "the document is nested more than {} levels deep (Limits::max_depth)",
            limits.max_depth
        ),
        B::Aliases { .. } | B::Anchors { .. } | B::AliasAnchorRatio { .. } => format!(
            "the document uses more than {} aliases or anchors, or replays them too often \
             (Limits::max_aliases)",
            limits.max_aliases
        ),
        B::ScalarBytes { .. } | B::InputBytes { .. } => format!(
            "the document holds more than {} bytes of text (Limits::max_bytes)",
            limits.max_bytes
        ),
        B::Documents { .. } => {
            "the file holds several YAML documents (`---`): put one per file".to_string()
        }
        other => format!("the document is over a parser limit: {other:?}"),
    }
}

/// `unknown key `x`; did you mean `y`?` from serde's "`x`, expected one of a, b, c".
fn unknown(what: &str, found: &str, rest: &str) -> String {
    let expected: Vec<&str> = rest
        .split_once("expected one of ")
        .or_else(|| rest.split_once("expected "))
        .map(|(_, list)| list.split(", ").map(|e| e.trim_matches('`')).collect())
        .unwrap_or_default();
    if what == "key" && found.contains(' ') {
        // No key has a space: this is the rest of a text that a comma cut inside `{ … }`.
        return format!(
            "unknown key `{found}`: inside `{{ … }}` a comma ends a value, so put a text that \
             contains one in quotes, as `say: \"…, {found}\"`"
        );
    }
    match suggestion(found, expected.iter().copied()) {
        Some(hint) => format!("unknown {what} `{found}`{hint}"),
        None if expected.is_empty() => format!("unknown {what} `{found}`"),
        None => {
            let list: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
            format!(
                "unknown {what} `{found}`: expected one of {}",
                list.join(", ")
            )
        }
    }
}

/// Any YAML node, with positions: used only to name the YAML path of a shape error.
#[derive(Debug)]
enum Node {
    Scalar,
    List(Vec<Located<Node>>),
    Map(Vec<(Located<Node>, Located<Node>)>, Vec<String>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;

        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML node")
            }

            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Scalar)
            }

            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }

            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }

            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }

            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Scalar)
            }

            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }

            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::List(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                let mut names = Vec::new();
                while let Some(key) = map.next_key::<Located<KeyName>>()? {
                    names.push(key.value.0);
                    let key = Located {
                        value: Node::Scalar,
                        at: key.at,
                    };
                    entries.push((key, map.next_value()?));
                }
                Ok(Node::Map(entries, names))
            }
        }

        deserializer.deserialize_any(NodeVisitor)
    }
}

/// A mapping key as text, whatever its YAML type.
struct KeyName(String);

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = KeyName;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping key")
            }

            fn visit_str<E>(self, key: &str) -> Result<KeyName, E> {
                Ok(KeyName(key.to_string()))
            }

            fn visit_i64<E>(self, key: i64) -> Result<KeyName, E> {
                Ok(KeyName(key.to_string()))
            }

            fn visit_u64<E>(self, key: u64) -> Result<KeyName, E> {
                Ok(KeyName(key.to_string()))
            }

            fn visit_f64<E>(self, key: f64) -> Result<KeyName, E> {
                Ok(KeyName(key.to_string()))
            }

            fn visit_bool<E>(self, key: bool) -> Result<KeyName, E> {
                Ok(KeyName(key.to_string()))
            }

            fn visit_unit<E>(self) -> Result<KeyName, E> {
                Ok(KeyName("null".to_string()))
            }
        }

        deserializer.deserialize_any(KeyVisitor)
    }
}

/// The path of the node that holds the node at `path`: `states.a.on` for `states.a.on[0]`
/// and for `states.a.on.x`... and "" at the top.
pub(crate) fn parent_path(path: &str) -> &str {
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    &path[..cut]
}

/// The path of the mapping that holds the key at `at`, even a key the reading skipped (the
/// second of two equal keys): go down through the entry before `at` while its key lies to the
/// left of `at`, as a parent's key does in block style, and its value is a collection.
pub(crate) fn holder_at(text: &str, limits: &Limits, at: Position) -> Option<String> {
    walk_to(text, limits, at, false, |key, value| {
        let parent = key.at.column < at.column && key.at.line < at.line;
        parent && !matches!(value.value, Node::Scalar)
    })
}

/// `key` inside the mapping at `path`.
pub(crate) fn join_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Where an anchored key is used as an alias key: serde-saphyr reports an error in a key
/// written `*k` at the key its anchor `&k` names, in another mapping. `None` when no anchor
/// stands just before `at`, or no alias of it is used as a key.
pub(crate) fn alias_of_anchor_at(text: &str, at: Position) -> Option<Position> {
    let source = Source::new(text);
    let line_start = *source.line_starts.get((at.line as usize).checked_sub(1)?)?;
    let line = text.get(line_start..)?.lines().next()?;
    let before: String = line
        .chars()
        .take((at.column as usize).checked_sub(1)?)
        .collect();
    let anchor = before
        .trim_end()
        .rsplit(char::is_whitespace)
        .next()?
        .strip_prefix('&')?;
    if anchor.is_empty() {
        return None;
    }
    let alias = format!("*{anchor}");
    let mut from = 0;
    while let Some(found) = text.get(from..)?.find(&alias) {
        let start = from.saturating_add(found);
        let end = start.saturating_add(alias.len());
        let rest = text.get(end..)?.trim_start_matches([' ', '\t']);
        if rest.starts_with(':') {
            return Some(source.position_of_byte(start));
        }
        from = end;
    }
    None
}

/// The text with the mapping entry whose key starts at `at` replaced by spaces, so that the
/// document can be read on past an unknown key with every other position unchanged. An entry
/// of a flow mapping (`{ a: 1, typo: 2 }`) ends at its comma or closing brace; an entry of a
/// block mapping runs over the lines indented deeper than its key. `None` when `at` is not
/// where a key can start.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "byte offsets and lengths of the text's own lines, which sum to at most its length"
)]
pub(crate) fn without_entry(text: &str, at: Position) -> Option<String> {
    let line_start = text
        .split_inclusive('\n')
        .take((at.line as usize).checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |end| line_start + end);
    let line = &text[line_start..line_end];
    let key = line_start
        + line
            .char_indices()
            .nth((at.column as usize).checked_sub(1)?)
            .map(|(offset, _)| offset)?;
    let before = text[line_start..key].trim_end();
    let in_flow = before.ends_with('{') || before.ends_with(',');
    let end = if in_flow {
        flow_entry_end(text, key)?
    } else {
        let indent = key - line_start;
        let mut end = line_end;
        for next in text[line_end..].split_inclusive('\n').skip(1) {
            let content = next.trim_start_matches(' ');
            let deeper = next.len() - content.len() > indent;
            if !(deeper || content.trim().is_empty()) {
                break;
            }
            end += next.len();
        }
        // `end` is at a line's end or the text's: keep the newline that ends the entry.
        end
    };
    let mut repaired = String::with_capacity(text.len());
    repaired.push_str(&text[..key]);
    repaired.extend(
        text[key..end]
            .chars()
            .map(|c| if c == '\n' { c } else { ' ' }),
    );
    repaired.push_str(&text[end..]);
    Some(repaired)
}

/// Where the flow-mapping entry starting at `start` ends: after its comma, or at the brace
/// that closes the mapping, outside quotes and nested collections.
#[expect(
    clippy::arithmetic_side_effects,
    reason = "offsets within the text; the depth only drops after it rose"
)]
fn flow_entry_end(text: &str, start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    for (offset, c) in text[start..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') if depth == 0 => return Some(start + offset),
            (None, '}' | ']') => depth -= 1,
            (None, ',') if depth == 0 => return Some(start + offset + 1),
            _ => {}
        }
    }
    None
}

/// The YAML path (`states.watch.on[1].to`) of the node at `at`: the innermost node that starts
/// at or before it. Reparses the text, so call it only on the error path.
pub(crate) fn path_at(text: &str, limits: &Limits, at: Position) -> Option<String> {
    walk_to(text, limits, at, true, |key, _| key.at != at)
}

/// Walks from the root towards `at`, through the last list item and mapping entry that start
/// at or before it, entering a mapping entry's value only while `enter(key, value)` says so.
/// Returns the path walked, ending with the key found at `at` if `name_the_key_at`.
fn walk_to(
    text: &str,
    limits: &Limits,
    at: Position,
    name_the_key_at: bool,
    enter: impl Fn(&Located<Node>, &Located<Node>) -> bool,
) -> Option<String> {
    // Read on past a repeated key, the error this may be naming.
    let root: Located<Node> =
        parse_with(text, limits, serde_saphyr::DuplicateKeyPolicy::FirstWins).ok()?;
    let mut path = String::new();
    let mut node = &root.value;
    loop {
        match node {
            Node::Scalar => return Some(path),
            Node::List(items) => {
                let Some(index) = items.iter().rposition(|item| item.at <= at) else {
                    return Some(path);
                };
                path.push_str(&format!("[{index}]"));
                node = &items.get(index)?.value;
            }
            Node::Map(entries, names) => {
                let Some(index) = entries.iter().rposition(|(key, _)| key.at <= at) else {
                    return Some(path);
                };
                let (key, value) = entries.get(index)?;
                let entered = enter(key, value);
                if entered || (name_the_key_at && key.at == at) {
                    path = join_path(&path, names.get(index)?);
                }
                if !entered {
                    return Some(path);
                }
                node = &value.value;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generic(text: &str) -> Result<Located<Node>, YamlError> {
        parse(text, &Limits::default())
    }

    #[test]
    fn an_entry_is_blanked_with_every_other_position_kept() {
        let at = |line, column| Position { line, column };
        let flow = "a: { x: 1, typo: [1, \"}\"], y: 2 }\n";
        assert_eq!(
            without_entry(flow, at(1, 12)).as_deref(),
            Some(format!("a: {{ x: 1, {} y: 2 }}\n", " ".repeat(15)).as_str())
        );
        let last = "a: { x: 1, typo: 2 }\n";
        assert_eq!(
            without_entry(last, at(1, 12)).as_deref(),
            Some("a: { x: 1,         }\n")
        );
        let block = "a:\n  typo:\n    - 1\n\n    - 2\n  b: 3\n";
        assert_eq!(
            without_entry(block, at(2, 3)).as_deref(),
            Some("a:\n       \n       \n\n       \n  b: 3\n")
        );
        assert_eq!(without_entry(block, at(9, 1)), None);
        assert_eq!(without_entry("é: 1", at(1, 40)), None);
    }

    #[test]
    fn alias_bomb_hits_the_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let error = generic(&text).unwrap_err();
        assert_eq!(error.code, Code::Limit, "{}", error.message);
    }

    #[test]
    fn deep_nesting_hits_the_budget() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let error = generic(&text).unwrap_err();
        assert_eq!(error.code, Code::Limit, "{}", error.message);
    }

    #[test]
    fn path_names_the_innermost_node() {
        let text = "a:\n  b:\n    - x\n    - { c: 1, d: 2 }\n";
        let at = |line, column| Position { line, column };
        let limits = Limits::default();
        assert_eq!(
            path_at(text, &limits, at(4, 16)).as_deref(),
            Some("a.b[1].d")
        );
        assert_eq!(path_at(text, &limits, at(2, 3)).as_deref(), Some("a.b"));
        assert_eq!(path_at(text, &limits, at(3, 7)).as_deref(), Some("a.b[0]"));
    }
}
