//! Calendars: each one's time zone, hours, holidays and exceptional days, checked with
//! positions; timers counted in a calendar's working time (`2h office`), and out-of-hours
//! routes.

use std::collections::{BTreeMap, BTreeSet};

use super::{Checker, Shortest, StateContext};
use crate::Calendar;
use crate::calendar::{self, CalendarError};
use crate::diagnostic::{Code, suggestion};
use crate::load::format::{CalendarDoc, PlaybookDoc};
use crate::model::{CalendarId, OutOfHours, RoleId, Timer, TimerDuration};
use crate::yaml::{Entries, Located, Position, join_path};
use crate::{Diagnostic, Limits, Severity};

/// A calendar written outside a playbook, as a run's settings or a scenario give it, at `path`
/// of `text`: the calendar, or every problem with its position.
pub(crate) fn compile_calendar(
    written: &Located<CalendarDoc>,
    text: &str,
    file: &str,
    limits: &Limits,
    path: &str,
) -> Result<Calendar, Vec<Diagnostic>> {
    let mut checker = Checker::new(text, file, limits);
    let calendar = checker.calendar(written, path);
    let failed = checker
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    match calendar {
        Some(calendar) if !failed => Ok(calendar),
        _ => Err(checker.diagnostics),
    }
}

impl Checker<'_> {
    /// Every calendar of the playbook, in the order written: `None` for one with errors, which
    /// are reported.
    pub(super) fn calendars(&mut self, doc: &PlaybookDoc) -> Vec<(String, Option<Calendar>)> {
        doc.calendars
            .0
            .iter()
            .map(|(name, written)| {
                let path = format!("calendars.{}", name.value);
                let named = self.name(name, &path, "calendar");
                let calendar = self.calendar(written, &path);
                (name.value.clone(), calendar.filter(|_| named))
            })
            .collect()
    }

    /// One calendar, from its document; the entry point for a run's own calendar too.
    pub(crate) fn calendar(
        &mut self,
        written: &Located<CalendarDoc>,
        path: &str,
    ) -> Option<Calendar> {
        let doc = &written.value;
        let zone = match calendar::time_zone(&doc.time_zone.value) {
            Ok((name, _)) => Some(name),
            Err(error) => {
                self.calendar_error(doc.time_zone.at, &join_path(path, "time_zone"), &error);
                None
            }
        };
        let mut ok = true;
        let mut week: [Vec<calendar::Hours>; 7] = Default::default();
        let mut given: [Option<&str>; 7] = Default::default();
        for (key, value) in &doc.hours.0 {
            let key_path = join_path(path, &format!("hours.{}", key.value));
            let hours = calendar::parse_hours(&value.value)
                .map_err(|e| self.calendar_error(value.at, &key_path, &e))
                .ok();
            let days = calendar::parse_days(&key.value)
                .map_err(|e| self.calendar_error(key.at, &key_path, &e))
                .ok();
            let (Some(hours), Some(days)) = (hours, days) else {
                ok = false;
                continue;
            };
            for day in days {
                if let Some(first) = given[day].replace(&key.value) {
                    let error = CalendarError::DayTwice {
                        day: calendar::weekday_name(day).to_string(),
                        first: first.to_string(),
                        second: key.value.clone(),
                    };
                    self.calendar_error(key.at, &key_path, &error);
                    ok = false;
                }
                week[day].clone_from(&hours);
            }
        }
        let mut holidays = BTreeSet::new();
        for (index, date) in doc.holidays.iter().enumerate() {
            match calendar::parse_date(&date.value.0) {
                Ok(day) => {
                    holidays.insert(day);
                }
                Err(error) => {
                    self.calendar_error(
                        date.at,
                        &join_path(path, &format!("holidays[{index}]")),
                        &error,
                    );
                    ok = false;
                }
            }
        }
        let mut exceptions = BTreeMap::new();
        for (key, value) in &doc.exceptions.0 {
            let key_path = join_path(path, &format!("exceptions.{}", key.value));
            let day = calendar::parse_date(&key.value)
                .map_err(|e| self.calendar_error(key.at, &key_path, &e))
                .ok();
            let hours = calendar::parse_hours(&value.value)
                .map_err(|e| self.calendar_error(value.at, &key_path, &e))
                .ok();
            let (Some(day), Some(hours)) = (day, hours) else {
                ok = false;
                continue;
            };
            if holidays.contains(&day) {
                let error = CalendarError::HolidayAndException(day.to_string());
                self.calendar_error(key.at, &key_path, &error);
                ok = false;
            }
            exceptions.insert(day, hours);
        }
        let zone = zone?;
        if !ok {
            return None;
        }
        Calendar::new(&zone, week, holidays, exceptions)
            .map_err(|error| self.calendar_error(written.at, path, &error))
            .ok()
    }

    fn calendar_error(&mut self, at: Position, path: &str, error: &CalendarError) {
        self.error(Code::InvalidCalendar, at, path, error.to_string());
    }

    /// A timer as written: a duration or a duration parameter, then optionally the name of the
    /// calendar whose working time it counts (`2h office`).
    pub(super) fn timer(
        &mut self,
        value: &Located<String>,
        path: &str,
        shortest: Shortest,
        context: &StateContext<'_, '_>,
    ) -> Option<Timer> {
        let mut words = value.value.split_whitespace();
        let (length, calendar) = (words.next().unwrap_or(""), words.next());
        // `10 minutes` is a duration with a spaced unit, not a length and a calendar: its
        // error says how to write the unit.
        if length.chars().all(|c| c.is_ascii_digit() || c == '.') {
            let length = self.timer_length(value, path, shortest, context)?;
            return Some(Timer::from(length));
        }
        if let Some(extra) = words.next() {
            self.error(
                Code::InvalidDuration,
                value.at,
                path,
                format!(
                    "`{}` has a word too many (`{extra}`): write a duration or a duration parameter, then optionally a calendar's name, as `2h office`",
                    value.value.trim()
                ),
            );
            return None;
        }
        let length_value = Located {
            value: length.to_string(),
            at: value.at,
        };
        let length = self.timer_length(&length_value, path, shortest, context);
        let calendar = match calendar {
            None => None,
            Some(name) => Some(self.calendar_ref(name, value, path, context)?),
        };
        Some(Timer::new(length?, calendar))
    }

    /// The calendar a timer or a route names.
    fn calendar_ref(
        &mut self,
        name: &str,
        written: &Located<String>,
        path: &str,
        context: &StateContext<'_, '_>,
    ) -> Option<CalendarId> {
        if let Some(id) = context.names.calendars.get(name) {
            return Some(*id);
        }
        let names = context.names.calendars.keys().map(String::as_str);
        let message = match suggestion(name, names) {
            Some(hint) => format!("unknown calendar `{name}`{hint}"),
            None if context.names.calendars.is_empty() => format!(
                "unknown calendar `{name}`: declare it under `calendars`, with its time zone and hours"
            ),
            None => format!("unknown calendar `{name}`: declare it under `calendars`"),
        };
        self.error(Code::UnknownReference, written.at, path, message);
        None
    }

    /// A timer that must count in calendar time (a cool-down): its length.
    pub(super) fn calendar_time(
        &mut self,
        timer: Option<Timer>,
        written: &Located<String>,
        path: &str,
        what: &str,
    ) -> Option<TimerDuration> {
        let timer = timer?;
        if timer.calendar.is_some() {
            self.error(
                Code::InvalidCalendar,
                written.at,
                path,
                format!(
                    "{what} counts in calendar time: remove the calendar's name from `{}`",
                    written.value.trim()
                ),
            );
            return None;
        }
        Some(timer.length)
    }

    /// An out-of-hours route: `{ office: on_call }`, one calendar and the role that takes over
    /// while it is closed.
    pub(super) fn out_of_hours(
        &mut self,
        written: &Option<Located<Entries<Located<String>>>>,
        path: &str,
        context: &StateContext<'_, '_>,
    ) -> Result<Option<OutOfHours>, ()> {
        let Some(written) = written else {
            return Ok(None);
        };
        let path = format!("{path}.out_of_hours");
        let [(calendar, role)] = written.value.0.as_slice() else {
            self.error(
                Code::InvalidCalendar,
                written.at,
                &path,
                "an out-of-hours route names one calendar and the role that takes over while it is closed, as `{ office: on_call }`",
            );
            return Err(());
        };
        let calendar = self.calendar_ref(&calendar.value, calendar, &path, context);
        let role: Option<RoleId> = self.role_ref(
            role,
            &format!("{path}.{}", written.value.0[0].0.value),
            context.roles,
        );
        match (calendar, role) {
            (Some(calendar), Some(role)) => Ok(Some(OutOfHours { calendar, role })),
            _ => Err(()),
        }
    }

    /// Whether a ladder's step or `repeat` counts on the clock of the steps before it; reports
    /// it if not, since the steps' order would then change with the hours.
    pub(super) fn same_clock(
        &mut self,
        timer: Option<Timer>,
        previous: Option<Timer>,
        written: &Located<String>,
        path: &str,
        context: &StateContext<'_, '_>,
    ) -> bool {
        let (Some(timer), Some(previous)) = (timer, previous) else {
            return true;
        };
        if timer.calendar == previous.calendar {
            return true;
        }
        let clock = |calendar: Option<CalendarId>| match calendar {
            None => "calendar time".to_string(),
            Some(id) => {
                let name = context.names.calendars.iter().find(|(_, c)| **c == id);
                format!("`{}` working time", name.map_or("?", |(n, _)| n.as_str()))
            }
        };
        self.error(
            Code::InvalidCalendar,
            written.at,
            path,
            format!(
                "a ladder counts on one clock: `{}` counts in {}, the steps before it in {}; count every step and `repeat` the same way",
                written.value.trim(),
                clock(timer.calendar),
                clock(previous.calendar)
            ),
        );
        false
    }
}
