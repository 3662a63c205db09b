//! Texts in several languages.

use std::collections::BTreeMap;

use serde::Serialize;

/// A text per locale, such as an action's instruction in English and French.
///
/// ```
/// use crisis_playbook::Playbook;
///
/// let playbook = Playbook::from_yaml_str(include_str!("../playbooks/negative-comment-storm.yaml"))?;
/// let title = playbook.title();
/// assert_eq!(title.get("fr", playbook.locale()), "Tempête de commentaires négatifs");
/// // A locale without a translation falls back to the playbook's default locale.
/// assert_eq!(title.get("de", playbook.locale()), "Negative comment storm");
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct LocalizedText {
    texts: BTreeMap<String, String>,
}

impl LocalizedText {
    pub(crate) fn new(texts: BTreeMap<String, String>) -> Self {
        LocalizedText { texts }
    }

    /// The text in `locale`, else in `fallback`, else in any locale, else the empty string.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let title = playbook.title();
    /// assert_eq!(title.get("de", "en"), "Negative comment storm");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn get(&self, locale: &str, fallback: &str) -> &str {
        self.texts
            .get(locale)
            .or_else(|| self.texts.get(fallback))
            .or_else(|| self.texts.values().next())
            .map_or("", String::as_str)
    }

    /// The locales this text has, in alphabetical order.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let title = playbook.title();
    /// assert_eq!(title.locales().collect::<Vec<_>>(), ["en", "fr"]);
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn locales(&self) -> impl Iterator<Item = &str> {
        self.texts.keys().map(String::as_str)
    }

    /// The text in exactly `locale`, if there is one.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let title = playbook.title();
    /// assert_eq!(title.exact("de"), None);
    /// assert!(title.exact("fr").is_some());
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn exact(&self, locale: &str) -> Option<&str> {
        self.texts.get(locale).map(String::as_str)
    }
}

/// How a locale writes numbers, durations and dates in the texts a run fills in; locales
/// other than French and German write them the English way.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Writing {
    decimal: char,
    /// Between groups of three digits, from 10,000.
    group: &'static str,
    /// What goes between a number and `%`.
    before_percent: &'static str,
    /// Units of durations, largest first: weeks, days, hours, minutes, seconds.
    units: [&'static str; 5],
    /// What goes between a number and its unit.
    before_unit: &'static str,
    months: [&'static str; 12],
    /// Whether the day of the month takes a dot (German: `3. März`).
    day_dot: bool,
    yes_no: [&'static str; 2],
}

/// What a text shows for a value that is undefined, such as a share of no mentions.
pub(crate) const UNDEFINED: &str = "—";

impl Writing {
    /// The writing of `locale`'s language (`fr-CA` writes as `fr`).
    pub(crate) fn of(locale: &str) -> Writing {
        match locale.split('-').next().unwrap_or(locale) {
            "fr" => Writing {
                decimal: ',',
                group: "\u{202f}",
                before_percent: "\u{202f}",
                units: ["sem.", "j", "h", "min", "s"],
                before_unit: "\u{a0}",
                months: [
                    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                    "oct.", "nov.", "déc.",
                ],
                day_dot: false,
                yes_no: ["oui", "non"],
            },
            "de" => Writing {
                decimal: ',',
                group: ".",
                before_percent: "\u{202f}",
                units: ["Wo.", "T.", "Std.", "Min.", "Sek."],
                before_unit: "\u{a0}",
                months: [
                    "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
                    "Nov.", "Dez.",
                ],
                day_dot: true,
                yes_no: ["ja", "nein"],
            },
            _ => Writing {
                decimal: '.',
                group: ",",
                before_percent: "",
                units: ["w", "d", "h", "m", "s"],
                before_unit: "",
                months: [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ],
                day_dot: false,
                yes_no: ["yes", "no"],
            },
        }
    }

    /// Writes `value` with exactly `decimals` decimals, or with at most two and no trailing
    /// zero when `None`.
    pub(crate) fn number(&self, out: &mut String, value: f64, decimals: Option<u8>) {
        if !value.is_finite() {
            out.push_str(UNDEFINED);
            return;
        }
        let written = format!("{value:.*}", usize::from(decimals.unwrap_or(2)));
        let written = if decimals.is_none() && written.contains('.') {
            written.trim_end_matches('0').trim_end_matches('.')
        } else {
            &written
        };
        // "-0" after rounding is 0.
        let written = match written.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest,
            _ => written,
        };
        let (sign, unsigned) = match written.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", written),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (unsigned, None),
        };
        out.push_str(sign);
        if whole.len() >= 5 {
            for (i, digit) in whole.chars().enumerate() {
                if i > 0 && whole.len().saturating_sub(i).is_multiple_of(3) {
                    out.push_str(self.group);
                }
                out.push(digit);
            }
        } else {
            out.push_str(whole);
        }
        if let Some(fraction) = fraction {
            out.push(self.decimal);
            out.push_str(fraction);
        }
    }

    /// Writes a share as a percentage: 0.483 with one decimal is `48.3%`, `48,3 %` in French.
    pub(crate) fn percent(&self, out: &mut String, share: f64, decimals: u8) {
        if !share.is_finite() {
            out.push_str(UNDEFINED);
            return;
        }
        self.number(out, share * 100.0, Some(decimals));
        out.push_str(self.before_percent);
        out.push('%');
    }

    /// Writes a duration in its two largest units: `2h 30m`, `2 h 30 min` in French.
    pub(crate) fn duration(&self, out: &mut String, seconds: f64) {
        if !seconds.is_finite() || seconds < 0.0 {
            out.push_str(UNDEFINED);
            return;
        }
        let mut left = seconds.round() as u64;
        let sizes: [u64; 5] = [604_800, 86_400, 3_600, 60, 1];
        let mut written = 0u8;
        for (size, unit) in sizes.iter().zip(self.units) {
            let count = left.checked_div(*size).unwrap_or(0);
            if count == 0 || written == 2 {
                continue;
            }
            left = left.checked_rem(*size).unwrap_or(0);
            if written > 0 {
                out.push(' ');
            }
            out.push_str(&count.to_string());
            out.push_str(self.before_unit);
            out.push_str(unit);
            written = written.saturating_add(1);
            if left == 0 {
                break;
            }
        }
        if written == 0 {
            out.push('0');
            out.push_str(self.before_unit);
            out.push_str(self.units[4]);
        }
    }

    /// Writes a wall-clock time: `14:30`, or with its day when that is not `today`
    /// (`3 Mar 14:30`, `3 mars 14:30`, `3. März 14:30`).
    pub(crate) fn time(&self, out: &mut String, wall: WallTime, today: (i32, u8, u8)) {
        if (wall.year, wall.month, wall.day) != today {
            out.push_str(&wall.day.to_string());
            if self.day_dot {
                out.push('.');
            }
            out.push(' ');
            let month = usize::from(wall.month.clamp(1, 12).saturating_sub(1));
            out.push_str(self.months.get(month).copied().unwrap_or(""));
            out.push(' ');
        }
        out.push_str(&format!("{:02}:{:02}", wall.hour, wall.minute));
    }

    /// Writes true or false: `yes`, `non`, `ja`…
    pub(crate) fn yes_no(&self, out: &mut String, value: bool) {
        out.push_str(if value {
            self.yes_no[0]
        } else {
            self.yes_no[1]
        });
    }
}

/// A time as a wall clock shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WallTime {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(write: impl Fn(&Writing, &mut String), locale: &str) -> String {
        let mut out = String::new();
        write(&Writing::of(locale), &mut out);
        out
    }

    #[test]
    fn numbers_and_percentages_follow_the_locale() {
        let cases = [
            ("en", "6.2", "48%", "12,500", "0.5"),
            ("fr", "6,2", "48\u{202f}%", "12\u{202f}500", "0,5"),
            ("fr-CA", "6,2", "48\u{202f}%", "12\u{202f}500", "0,5"),
            ("de", "6,2", "48\u{202f}%", "12.500", "0,5"),
        ];
        for (locale, ratio, share, volume, plain) in cases {
            assert_eq!(written(|w, o| w.number(o, 6.2345, Some(1)), locale), ratio);
            assert_eq!(written(|w, o| w.percent(o, 0.4812, 0), locale), share);
            assert_eq!(written(|w, o| w.number(o, 12_500.0, None), locale), volume);
            assert_eq!(written(|w, o| w.number(o, 0.5, None), locale), plain);
        }
        assert_eq!(written(|w, o| w.number(o, 3.0, None), "en"), "3");
        assert_eq!(written(|w, o| w.number(o, -0.001, Some(1)), "en"), "0.0");
        assert_eq!(written(|w, o| w.number(o, -1234.5, Some(0)), "en"), "-1234");
        assert_eq!(
            written(|w, o| w.percent(o, 0.4831, 1), "fr"),
            "48,3\u{202f}%"
        );
        assert_eq!(written(|w, o| w.number(o, f64::NAN, None), "en"), UNDEFINED);
    }

    #[test]
    fn durations_take_their_two_largest_units() {
        assert_eq!(written(|w, o| w.duration(o, 9_000.0), "en"), "2h 30m");
        assert_eq!(
            written(|w, o| w.duration(o, 9_000.0), "fr"),
            "2\u{a0}h 30\u{a0}min"
        );
        assert_eq!(
            written(|w, o| w.duration(o, 3.0 * 86_400.0 + 7_260.0), "de"),
            "3\u{a0}T. 2\u{a0}Std."
        );
        assert_eq!(written(|w, o| w.duration(o, 3_600.0), "en"), "1h");
        assert_eq!(written(|w, o| w.duration(o, 0.0), "fr"), "0\u{a0}s");
    }

    #[test]
    fn times_give_their_day_when_it_is_not_today() {
        let wall = WallTime {
            year: 2026,
            month: 3,
            day: 3,
            hour: 9,
            minute: 5,
        };
        assert_eq!(written(|w, o| w.time(o, wall, (2026, 3, 3)), "en"), "09:05");
        assert_eq!(
            written(|w, o| w.time(o, wall, (2026, 3, 2)), "en"),
            "3 Mar 09:05"
        );
        assert_eq!(
            written(|w, o| w.time(o, wall, (2026, 3, 2)), "fr"),
            "3 mars 09:05"
        );
        assert_eq!(
            written(|w, o| w.time(o, wall, (2026, 3, 2)), "de"),
            "3. März 09:05"
        );
    }
}
