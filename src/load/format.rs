//! The playbook document as written in YAML, before any name is resolved.
//!
//! These types mirror the format reference (`docs/playbook-format.md`) key by key; the JSON
//! Schema that editors use is derived from them, so their doc comments are what authors see as
//! hover text. Values that need a position for later errors (names, durations, conditions) are
//! [`Located`]. Every struct denies unknown keys, so a typo is an error, never silently ignored.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::yaml::{Entries, Located, Plain};

/// A duration as the schema checks it: whole units, largest first (`2h30m`, `0s`).
const DURATION: &str =
    r"^\s*(?=[0-9])([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?\s*$";
/// A timer: a duration, or the name of a duration parameter (`grace`), then optionally the
/// name of the calendar whose working time it counts (`2h office`).
const TIMER: &str = r"^\s*((?=[0-9])([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?|[a-z][a-z0-9_]*)(\s+[a-z][a-z0-9_]*)?\s*$";
/// One day's opening hours: `09:00-18:00`, several separated by commas, or `closed`.
const HOURS: &str = r"^\s*(closed|([0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9])(\s*,\s*[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9])*)\s*$";
/// A date: `2026-05-01`.
const DATE: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// A locale code: `en`, `fr`, `fr-CA` (also written out in `TextDoc`'s schema).
const LOCALE: &str = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$";

/// A crisis playbook: signals in, a graph of response states, actions and escalations out.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "crisis-playbook playbook")]
pub(crate) struct PlaybookDoc {
    /// Identifier of the playbook: lowercase letters, digits, `_` and `-`.
    #[schemars(regex(pattern = crate::name::PLAYBOOK_ID_PATTERN))]
    pub playbook: Located<String>,
    /// Version of this playbook, a whole number from 1, raised at each published change.
    #[schemars(range(min = 1))]
    pub version: Located<Plain<u32>>,
    /// Default locale of the texts (`en`, `fr`, `fr-CA`…): the fallback when a run's locale
    /// has no translation. Defaults to `en`.
    #[serde(default)]
    #[schemars(regex(pattern = LOCALE))]
    pub locale: Option<Located<String>>,
    /// Title, per locale.
    pub title: Located<TextDoc>,
    /// When to use this playbook, per locale.
    #[serde(default)]
    pub description: Option<Located<TextDoc>>,
    /// Tunable thresholds, with defaults and bounds, usable by name in conditions.
    #[serde(default)]
    pub parameters: Entries<ParameterDoc>,
    /// The signals a run accepts, by name.
    pub signals: Entries<SignalDoc>,
    /// Windowed aggregates over signals, by name, usable in conditions.
    #[serde(default)]
    pub metrics: Entries<MetricDoc>,
    /// The roles that own actions and receive escalations.
    pub roles: Vec<Located<String>>,
    /// The state a run starts in.
    pub initial: Located<String>,
    /// The states of the response, by name, in the order they are drawn.
    pub states: Entries<StateDoc>,
    /// Named groups of states that share transitions, written once.
    #[serde(default)]
    pub groups: Entries<GroupDoc>,
    /// Other playbooks, run for the same subject, that quiet this one while they are at a
    /// high severity.
    #[serde(default)]
    pub inhibited_by: Vec<Located<InhibitionDoc>>,
    /// Named opening hours in a time zone, for timers counted in working time
    /// (`within: 2h office`), conditions (`during office`) and out-of-hours routing.
    #[serde(default)]
    pub calendars: Entries<Located<CalendarDoc>>,
}

/// Opening hours in a time zone, with holidays and exceptional days. A run can replace it for
/// its subject, or move it to the subject's time zone.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CalendarDoc {
    /// The IANA time zone the hours are written in, such as `Europe/Paris`.
    pub time_zone: Located<String>,
    /// Opening hours by day of the week (`mon` … `sun`) or range of days (`mon-fri`):
    /// `09:00-18:00`, several stretches separated by commas, or `closed`. A day not listed is
    /// closed.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, HoursSchema>")]
    pub hours: Entries<Located<String>>,
    /// Days closed all day, such as public holidays: `2026-05-01`.
    #[serde(default)]
    pub holidays: Vec<Located<DateDoc>>,
    /// Days whose hours replace the week's, such as a launch on a Saturday: a date and its
    /// hours, or `closed`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, HoursSchema>")]
    pub exceptions: Entries<Located<String>>,
}

/// One day's hours, as the schema checks them.
#[derive(JsonSchema)]
#[expect(dead_code, reason = "a shape for the schema only")]
struct HoursSchema(#[schemars(regex(pattern = HOURS))] String);

/// A date, `2026-05-01`, read as text whatever YAML makes of it.
#[derive(Debug, JsonSchema)]
#[schemars(transparent)]
pub(crate) struct DateDoc(#[schemars(regex(pattern = DATE))] pub String);

impl<'de> Deserialize<'de> for DateDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(DateDoc)
    }
}

/// While another playbook (or one of its tracks) is at `at_least` or above for the same
/// subject, this playbook's states below `below` send nothing, or send it later.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InhibitionDoc {
    /// The id of the other playbook.
    #[schemars(regex(pattern = crate::name::PLAYBOOK_ID_PATTERN))]
    pub playbook: Located<String>,
    /// One of its tracks, when only that track's severity counts.
    #[serde(default)]
    pub track: Option<Located<String>>,
    /// The severity, in that playbook or track, from which this rule applies.
    #[schemars(range(min = 0))]
    pub at_least: Located<Plain<i64>>,
    /// This playbook's states below this severity are quieted.
    #[schemars(range(min = 1))]
    pub below: Located<Plain<i64>>,
    /// `mute` (the default) sends nothing; `defer` sends it when the rule lifts, if the run is
    /// still in the state.
    #[serde(default)]
    pub mode: Option<Located<InhibitionModeDoc>>,
}

/// What an inhibition does with what it holds back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum InhibitionModeDoc {
    /// Send nothing.
    Mute,
    /// Send it when the inhibition lifts, if the run is still in the state.
    Defer,
}

/// Another playbook that entering a state starts for the same subject.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HandOverDoc {
    /// The id of the playbook to start.
    #[schemars(regex(pattern = crate::name::PLAYBOOK_ID_PATTERN))]
    pub playbook: Located<String>,
    /// The state the run starts in, instead of the playbook's `initial`: a top-level state
    /// that is not final.
    #[serde(default)]
    pub state: Option<Located<String>>,
    /// Parameter overrides for the run it starts, as that playbook's bounds allow.
    #[serde(default)]
    pub parameters: Entries<Located<QuantityDoc>>,
}

/// A text per locale (`{ en: …, fr: … }`), or one plain string in the default locale.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(untagged)]
pub(crate) enum TextDoc {
    /// A text in the playbook's default locale only.
    Plain(String),
    /// Texts keyed by locale.
    #[schemars(extend("propertyNames" = { "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$" }, "minProperties" = 1))]
    PerLocale(BTreeMap<String, Located<String>>),
}

impl<'de> Deserialize<'de> for TextDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl<'de> Visitor<'de> for TextVisitor {
            type Value = TextDoc;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text, or a mapping of locales to texts such as `{ en: …, fr: … }`")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<TextDoc, E> {
                Ok(TextDoc::Plain(text.to_string()))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TextDoc, A::Error> {
                let mut texts = BTreeMap::new();
                while let Some((locale, text)) = map.next_entry::<String, Located<String>>()? {
                    texts.insert(locale, text);
                }
                Ok(TextDoc::PerLocale(texts))
            }
        }

        deserializer.deserialize_any(TextVisitor)
    }
}

/// A number (`2`, `0.3`), a percentage (`30%`) or a duration (`2h`), as written.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(untagged)]
pub(crate) enum QuantityDoc {
    /// A plain number.
    Number(f64),
    /// A percentage such as `30%`, or a duration such as `2h`.
    Text(String),
}

impl<'de> Deserialize<'de> for QuantityDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct QuantityVisitor;

        impl<'de> Visitor<'de> for QuantityVisitor {
            type Value = QuantityDoc;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, a percentage such as `30%`, or a duration such as `2h`")
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<QuantityDoc, E> {
                Ok(QuantityDoc::Number(value))
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<QuantityDoc, E> {
                Ok(QuantityDoc::Number(value as f64))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<QuantityDoc, E> {
                Ok(QuantityDoc::Number(value as f64))
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<QuantityDoc, E> {
                Ok(QuantityDoc::Text(text.to_string()))
            }
        }

        deserializer.deserialize_any(QuantityVisitor)
    }
}

/// One name, or a list of names: `ack` or `[ack, venue_ack]`. A name given alone has no
/// position of its own: it is where the value is.
#[derive(Clone, Debug)]
pub(crate) struct Names(pub Vec<Located<String>>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamesVisitor;

        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = Names;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name, or a list of names such as `[ack, venue_ack]`")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Names, E> {
                Ok(Names(vec![Located {
                    value: name.to_string(),
                    at: Default::default(),
                }]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<Located<String>>()? {
                    names.push(name);
                }
                Ok(Names(names))
            }
        }

        deserializer.deserialize_any(NamesVisitor)
    }
}

/// A spike's quantile as the schema checks it: a number from 0 to 1, or a percentage.
fn quantile_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "For spike: which daily peak is typical, from 0 (the lowest) to 1 (the highest), or as a percentage (`75%`); default 0.75, the upper quartile.",
        "anyOf": [
            { "type": "number", "minimum": 0, "maximum": 1 },
            { "type": "string", "pattern": "^\\s*(100|[0-9]{1,2}(\\.[0-9]+)?)\\s*%\\s*$" },
            { "type": "null" }
        ]
    })
}

impl JsonSchema for Names {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Names".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A name, or a list of names.",
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" }, "minItems": 1 }
            ]
        })
    }
}

/// A tunable threshold: each account may override it within its bounds.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParameterDoc {
    /// The value used when no override is given.
    pub default: Located<QuantityDoc>,
    /// Smallest value an override may take.
    #[serde(default)]
    pub min: Option<Located<QuantityDoc>>,
    /// Largest value an override may take.
    #[serde(default)]
    pub max: Option<Located<QuantityDoc>>,
    /// What the parameter means, per locale.
    #[serde(default)]
    pub description: Option<Located<TextDoc>>,
}

/// The kind of a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SignalKindDoc {
    /// A non-negative number of things in a batch (comments, mentions).
    Count,
    /// A level that is sampled (a sentiment score, a KPI ratio).
    Gauge,
    /// Something that happened, with attributes (a journalist mentions the brand).
    Event,
    /// An input from a person (ack, approve, resolve), recorded with who gave it.
    Manual,
}

/// A declared signal.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "if" = { "properties": { "kind": { "not": { "const": "gauge" } } } },
    "then" = { "not": { "required": ["range"], "properties": { "range": true } } }
))]
pub(crate) struct SignalDoc {
    /// count, gauge, event or manual.
    pub kind: Located<SignalKindDoc>,
    /// For a gauge: the lowest and highest valid values, such as `[-1, 1]`.
    #[serde(default)]
    #[schemars(length(min = 2, max = 2))]
    pub range: Option<Located<Vec<f64>>>,
    /// For an event: its attributes and their types (`number`, `string`, `bool`, `time`, or a
    /// list of allowed strings).
    #[serde(default)]
    pub attributes: Entries<Located<AttributeTypeDoc>>,
    /// For a count: an event it counts one of each of, as they arrive, such as `mention`, or
    /// the events that pass a test, such as `mention where sentiment < 0`. A feed of raw
    /// mentions then fills it; a feed of batches still sends it directly.
    #[serde(default)]
    pub counts: Option<Located<String>>,
    /// What the signal measures, per locale.
    #[serde(default)]
    pub description: Option<Located<TextDoc>>,
}

/// The type of an event attribute: `number`, `string`, `bool`, `time`, or a list of allowed
/// strings.
#[derive(Clone, Debug, JsonSchema)]
#[schemars(untagged)]
pub(crate) enum AttributeTypeDoc {
    /// `number`, `string`, `bool` or `time` (an RFC 3339 time, such as when an account was
    /// created).
    Named(String),
    /// The allowed values of a string attribute.
    OneOf(Vec<String>),
}

impl<'de> Deserialize<'de> for AttributeTypeDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TypeVisitor;

        impl<'de> Visitor<'de> for TypeVisitor {
            type Value = AttributeTypeDoc;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`number`, `string`, `bool`, `time`, or a list of allowed strings")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<AttributeTypeDoc, E> {
                Ok(AttributeTypeDoc::Named(text.to_string()))
            }

            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<AttributeTypeDoc, A::Error> {
                let mut values = Vec::new();
                while let Some(value) = seq.next_element::<String>()? {
                    values.push(value);
                }
                Ok(AttributeTypeDoc::OneOf(values))
            }
        }

        deserializer.deserialize_any(TypeVisitor)
    }
}

/// A windowed aggregate. Give exactly one of the aggregate keys (`count`, `rate`, `sum`,
/// `mean`, `min`, `max`, `share`, `spike`, `anomaly`, `drop`, `zscore`, `since`, `distinct`,
/// `top_share`, `near_duplicates`), naming its signal.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "oneOf" = [{ "required": ["count"], "properties": { "count": true } }, { "required": ["rate"], "properties": { "rate": true } }, { "required": ["sum"], "properties": { "sum": true } }, { "required": ["mean"], "properties": { "mean": true } }, { "required": ["min"], "properties": { "min": true } }, { "required": ["max"], "properties": { "max": true } }, { "required": ["share"], "properties": { "share": true } }, { "required": ["spike"], "properties": { "spike": true } }, { "required": ["anomaly"], "properties": { "anomaly": true } }, { "required": ["drop"], "properties": { "drop": true } }, { "required": ["zscore"], "properties": { "zscore": true } }, { "required": ["since"], "properties": { "since": true } }, { "required": ["distinct"], "properties": { "distinct": true } }, { "required": ["top_share"], "properties": { "top_share": true } }, { "required": ["near_duplicates"], "properties": { "near_duplicates": true } }],
    "if" = { "required": ["since"], "properties": { "since": true } },
    "else" = { "required": ["window"], "properties": { "window": true } }
))]
pub(crate) struct MetricDoc {
    /// Total over the window: the sum of a count signal's values, or the number of events.
    #[serde(default)]
    pub count: Option<Located<String>>,
    /// `count` divided by the window, per `per` (default 1h).
    #[serde(default)]
    pub rate: Option<Located<String>>,
    /// Sum of a count or gauge signal's values over the window.
    #[serde(default)]
    pub sum: Option<Located<String>>,
    /// Mean of the values over the window.
    #[serde(default)]
    pub mean: Option<Located<String>>,
    /// Smallest value over the window.
    #[serde(default)]
    pub min: Option<Located<String>>,
    /// Largest value over the window.
    #[serde(default)]
    pub max: Option<Located<String>>,
    /// `[part, whole]`: the part's total over the whole's total, both count signals. Or a
    /// test on one event, such as `mention where account_created within 30d`: the share of
    /// the window's events that pass it, among those that carry what it tests.
    #[serde(default)]
    pub share: Option<Located<ShareDoc>>,
    /// The window's count over a typical day's busiest window (the `quantile` of the daily
    /// peaks over the baseline's days), for a count signal.
    #[serde(default)]
    pub spike: Option<Located<String>>,
    /// How far a gauge's latest value lies outside its ranges of the last day and of the
    /// baseline's days, in tolerances: beyond 1 or -1 is unusual.
    #[serde(default)]
    pub anomaly: Option<Located<String>>,
    /// The baseline's mean minus the window's mean, for a gauge.
    #[serde(default)]
    pub drop: Option<Located<String>>,
    /// How many baseline standard deviations the window's mean lies from the baseline's mean.
    #[serde(default)]
    pub zscore: Option<Located<String>>,
    /// Time since the signal was last seen (an event or manual input).
    #[serde(default)]
    pub since: Option<Located<String>>,
    /// How many different values of an event's attribute the window holds, such as
    /// `mention.author`: exact up to 64, then estimated (1.8 % standard error, 4 KiB).
    #[serde(default)]
    pub distinct: Option<Located<String>>,
    /// The share of the window's events that carry the most frequent value of an event's
    /// attribute, such as `mention.author`: the loudest author's share.
    #[serde(default)]
    pub top_share: Option<Located<String>>,
    /// The share of the window's texts, such as `mention.text`, that nearly repeat an earlier
    /// text of the window, case, accents and punctuation aside.
    #[serde(default)]
    pub near_duplicates: Option<Located<String>>,
    /// Length of the window, such as `1h`.
    #[serde(default)]
    #[schemars(regex(pattern = DURATION))]
    pub window: Option<Located<String>>,
    /// For spike and anomaly: the whole days of history before today (default `14d` and `28d`).
    /// For drop and zscore: length of the baseline before `window` (default `7d`).
    #[serde(default)]
    #[schemars(regex(pattern = DURATION))]
    pub baseline: Option<Located<String>>,
    /// For spike: the least count in the window for the ratio to exceed 1 (volume gate,
    /// default 5).
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub min_count: Option<Located<Plain<f64>>>,
    /// For spike: which daily peak is typical, from 0 (the lowest) to 1 (the highest), or as a
    /// percentage (`75%`); default 0.75, the upper quartile.
    #[serde(default)]
    #[schemars(schema_with = "quantile_schema")]
    pub quantile: Option<Located<QuantityDoc>>,
    /// For rate: the unit of time of the rate (default `1h`).
    #[serde(default)]
    #[schemars(regex(pattern = DURATION))]
    pub per: Option<Located<String>>,
    /// What the metric means, per locale.
    #[serde(default)]
    pub description: Option<Located<TextDoc>>,
}

/// What `share` divides: two count signals, or the events that pass a test.
#[derive(Debug)]
pub(crate) enum ShareDoc {
    /// `[part, whole]`.
    Pair(Vec<Located<String>>),
    /// `mention where account_created within 30d`.
    Matching(String),
}

impl<'de> Deserialize<'de> for ShareDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ShareVisitor;

        impl<'de> Visitor<'de> for ShareVisitor {
            type Value = ShareDoc;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "two count signals `[part, whole]`, or a test on one event such as `mention where followers >= 10000`",
                )
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<ShareDoc, E> {
                Ok(ShareDoc::Matching(text.to_string()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ShareDoc, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<Located<String>>()? {
                    names.push(name);
                }
                Ok(ShareDoc::Pair(names))
            }
        }

        deserializer.deserialize_any(ShareVisitor)
    }
}

impl JsonSchema for ShareDoc {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ShareDoc".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Two count signals `[part, whole]`, or a test on one event such as `mention where account_created within 30d`.",
            "anyOf": [
                { "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2 },
                { "type": "string" }
            ]
        })
    }
}

/// A phase of the response.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "if" = { "required": ["final"], "properties": { "final": { "const": true } } },
    "then" = { "properties": {
        "on": { "type": "array", "maxItems": 0 },
        "tracks": { "type": "object", "maxProperties": 0 }
    } }
))]
pub(crate) struct StateDoc {
    /// Severity level: 0 is normal, higher is worse. Defaults to 0.
    #[serde(default)]
    #[schemars(range(min = 0))]
    pub severity: Option<Located<Plain<i64>>>,
    /// What this state means, per locale.
    #[serde(default)]
    pub description: Option<Located<TextDoc>>,
    /// A final state ends the run. It has no outgoing transitions.
    #[serde(default, rename = "final")]
    pub is_final: Option<Located<Plain<bool>>>,
    /// Actions recommended on entering the state.
    #[serde(default)]
    pub enter: Vec<Located<ActionDoc>>,
    /// The escalation ladder that runs while the state lasts.
    #[serde(default)]
    pub escalate: Option<Located<LadderDoc>>,
    /// For a while after the run leaves the state, entering it again sends nothing again, or
    /// waits.
    #[serde(default)]
    pub cooldown: Option<Located<CooldownDoc>>,
    /// Outgoing transitions, evaluated in this order.
    #[serde(default)]
    pub on: Vec<Located<TransitionDoc>>,
    /// Tracks that run side by side while the run is in this state, by name: each has its
    /// own current state, actions, ladders and timers. A transition out of this state ends
    /// them all.
    #[serde(default)]
    pub tracks: Entries<TrackDoc>,
    /// Other playbooks to start for the same subject on entering this state. Make the state
    /// final to end this run as it hands over.
    #[serde(default)]
    pub hand_over: Vec<Located<HandOverDoc>>,
}

/// One track of a state with tracks: its own states, and the one it starts in.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrackDoc {
    /// What the track is for, per locale.
    #[serde(default)]
    pub description: Option<Located<TextDoc>>,
    /// The state the track starts in when the run enters the state that holds it.
    pub initial: Located<String>,
    /// The track's states, by name. Its transitions stay inside it: `to:` names a state of
    /// the same track.
    pub states: Entries<StateDoc>,
}

/// States that share transitions: each transition of `on` applies in every member state except
/// its own target, before the state's own transitions.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupDoc {
    /// The member states, by name, each once.
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub states: Vec<Located<String>>,
    /// What the member states have in common, per locale.
    #[serde(default)]
    pub description: Option<Located<TextDoc>>,
    /// The shared transitions, evaluated in this order, before each state's own.
    #[schemars(length(min = 1))]
    pub on: Vec<Located<TransitionDoc>>,
}

/// A state's cool-down: a duration or duration parameter alone (`cooldown: 1h`), or its keys.
#[derive(Debug)]
pub(crate) enum CooldownDoc {
    /// `cooldown: 1h`: the same as `{ for: 1h }`.
    For(String),
    /// The keys.
    Keys(CooldownKeysDoc),
}

impl<'de> Deserialize<'de> for CooldownDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CooldownVisitor;

        impl<'de> Visitor<'de> for CooldownVisitor {
            type Value = CooldownDoc;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `1h`, or keys such as `{ for: 1h, backoff: 2 }`")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<CooldownDoc, E> {
                Ok(CooldownDoc::For(text.to_string()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CooldownDoc, A::Error> {
                CooldownKeysDoc::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(CooldownDoc::Keys)
            }
        }

        deserializer.deserialize_any(CooldownVisitor)
    }
}

impl JsonSchema for CooldownDoc {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CooldownDoc".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let keys = generator.subschema_for::<CooldownKeysDoc>();
        schemars::json_schema!({
            "description": "A state's cool-down: a duration or duration parameter alone (`cooldown: 1h`, the same as `{ for: 1h }`), or its keys.",
            "anyOf": [
                { "type": "string", "pattern": TIMER },
                keys
            ]
        })
    }
}

/// A state's cool-down, key by key.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CooldownKeysDoc {
    /// How long it lasts after the run leaves the state: a duration, or the name of a duration
    /// parameter.
    #[serde(rename = "for")]
    #[schemars(regex(pattern = TIMER))]
    pub period: Located<String>,
    /// What entering the state during the cool-down does: `silent` (the default) enters it
    /// without sending its actions and ladder again; `refused` makes transitions into it wait
    /// until the cool-down is over.
    #[serde(default)]
    pub reentry: Option<Located<ReentryDoc>>,
    /// Multiply the next period by this at each repeat (an entry before the cool-down is over,
    /// or as soon as it is); at least 1, the default.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub backoff: Option<Located<Plain<f64>>>,
    /// The longest period backoff reaches: a duration or a duration parameter; default 16
    /// times `for`.
    #[serde(default)]
    #[schemars(regex(pattern = TIMER))]
    pub max: Option<Located<String>>,
}

/// What entering a state during its cool-down does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ReentryDoc {
    /// Enter it, without sending its actions and ladder again.
    Silent,
    /// Wait until the cool-down is over.
    Refused,
}

/// A recommended step: who does what, by when.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("dependencies" = { "from": ["within"] }))]
pub(crate) struct ActionDoc {
    /// Identifier of the action, unique within its state.
    #[serde(rename = "do")]
    pub id: Located<String>,
    /// The role that owns it.
    pub owner: Located<String>,
    /// Deadline, counted from entering the state (or from `from`): a duration such as `1h`, or
    /// the name of a duration parameter.
    #[serde(default)]
    #[schemars(regex(pattern = TIMER))]
    pub within: Option<Located<String>>,
    /// Count the deadline from the last time this event or manual signal was seen, such as the
    /// moment a breach became known.
    #[serde(default)]
    pub from: Option<Located<String>>,
    /// Emit the action again every period while the state lasts (status updates): a duration
    /// of at least `1m`, or the name of a duration parameter.
    #[serde(default)]
    #[schemars(regex(pattern = TIMER))]
    pub every: Option<Located<String>>,
    /// Close the action when its state is left, done or not. Defaults to false: it stays open
    /// until marked done.
    #[serde(default)]
    pub closes_on_exit: Option<Located<Plain<bool>>>,
    /// The deadline is set by law or contract (the GDPR's 72 hours): it must count in calendar
    /// time, never in a calendar's working time. Defaults to false.
    #[serde(default)]
    pub regulatory: Option<Located<Plain<bool>>>,
    /// Who owns it instead while a calendar is closed: `{ office: on_call }`.
    #[serde(default)]
    pub out_of_hours: Option<Located<Entries<Located<String>>>>,
    /// What to do, per locale.
    pub say: Located<TextDoc>,
}

/// An escalation ladder: notify roles or levels as time passes without acknowledgement.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LadderDoc {
    /// The manual signal that stops the ladder, such as `ack`, or a list of them, any of which
    /// stops it.
    #[serde(default)]
    pub unless: Option<Located<Names>>,
    /// The steps, in order of `after`.
    pub steps: Vec<Located<StepDoc>>,
    /// Run the ladder again from its first step, while nobody has acknowledged.
    #[serde(default)]
    pub repeat: Option<Located<RepeatDoc>>,
}

/// One rung of an escalation ladder. Give `to` or `level`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [{ "required": ["to"], "properties": { "to": true } }, { "required": ["level"], "properties": { "level": true } }]))]
pub(crate) struct StepDoc {
    /// Time since the ladder started (state entry, or the start of a repeat): a duration, or the
    /// name of a duration parameter.
    #[schemars(regex(pattern = TIMER))]
    pub after: Located<String>,
    /// The role to notify.
    #[serde(default)]
    pub to: Option<Located<String>>,
    /// The escalation level to notify, for organisations that page by level.
    #[serde(default)]
    pub level: Option<Located<Plain<u32>>>,
    /// The role to notify instead while a calendar is closed: `{ office: on_call }`.
    #[serde(default)]
    pub out_of_hours: Option<Located<Entries<Located<String>>>>,
    /// The message, per locale.
    #[serde(default)]
    pub say: Option<Located<TextDoc>>,
}

/// How a ladder repeats.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RepeatDoc {
    /// Length of one cycle of the ladder, longer than its last step: a duration, or the name of
    /// a duration parameter.
    #[schemars(regex(pattern = TIMER))]
    pub every: Located<String>,
    /// How many more cycles run after the first.
    #[schemars(range(min = 1, max = 100))]
    pub times: Located<Plain<u32>>,
}

/// An outgoing transition. Give `when`, `after`, or both.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "anyOf" = [{ "required": ["when"], "properties": { "when": true } }, { "required": ["after"], "properties": { "after": true } }],
    "dependencies" = { "for": ["when"] }
))]
pub(crate) struct TransitionDoc {
    /// The target state.
    pub to: Located<String>,
    /// The condition, in the condition language.
    #[serde(default)]
    pub when: Option<Located<String>>,
    /// The condition must hold continuously this long: a duration, or the name of a duration
    /// parameter.
    #[serde(default, rename = "for")]
    #[schemars(regex(pattern = TIMER))]
    pub hold: Option<Located<String>>,
    /// Fire no earlier than this long after entering the state: a duration, or the name of a
    /// duration parameter.
    #[serde(default)]
    #[schemars(regex(pattern = TIMER))]
    pub after: Option<Located<String>>,
    /// Once it fires, it does not fire again for this long: a duration, or the name of a
    /// duration parameter.
    #[serde(default)]
    #[schemars(regex(pattern = TIMER))]
    pub cooldown: Option<Located<String>>,
}
