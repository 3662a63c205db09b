//! Calendars (`docs/semantics.md`, "Calendars"): working time at each edge (the last minute of
//! a day, a weekend, a holiday, both clock changes, a half-hour zone), calendar edges as
//! wake-ups, out-of-hours routes, a run's own calendar and time zone, restores under a changed
//! calendar, the loader's refusals, and the property that a calendar open at all hours changes
//! nothing.

use crisis_playbook::{
    Calendar, Event, EventKind, Observation, Playbook, Run, RunSettings, Snapshot, Timestamp,
};
use proptest::prelude::*;

const OFFICE: &str = r#"
playbook: office
version: 1
title: Office
signals:
  alarm: { kind: manual }
  ack: { kind: manual }
  calm: { kind: manual }
roles: [lead, director, on_call, dpo]
calendars:
  office:
    time_zone: Europe/Paris
    hours: { mon-fri: "09:00-18:00" }
    holidays: [2026-04-06]
initial: quiet
states:
  quiet:
    on:
      - { to: alert, when: alarm }
  alert:
    severity: 2
    enter:
      - { do: reply, owner: lead, within: 2h office, say: Reply }
      - { do: notify, owner: dpo, within: 72h, regulatory: true, say: Notify the regulator }
      - do: update
        owner: director
        within: 30m office
        every: 2h office
        out_of_hours: { office: on_call }
        say: Post an update
    escalate:
      unless: ack
      steps:
        - { to: director, after: 10m, out_of_hours: { office: on_call } }
    on:
      - { to: quiet, when: calm }
      - { to: opened, when: during office, after: 1m }
  opened:
    severity: 1
    on:
      - { to: quiet, when: outside office }
"#;

fn office() -> Playbook {
    Playbook::from_yaml_str(OFFICE).unwrap_or_else(|e| panic!("{e}"))
}

fn t(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn alarm(run: &mut Run, at: &str) -> Vec<Event> {
    let id = run.playbook().signal_named("alarm").unwrap();
    run.observe(Observation::manual(id, t(at), "monitor"))
        .unwrap()
        .to_vec()
}

/// The deadline of the action `id` among `events`, in Paris time.
fn due(events: &[Event], id: &str) -> String {
    let paris = Calendar::always_open("Europe/Paris").unwrap();
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Action { action, due, .. } if action == id => *due,
            _ => None,
        })
        .map(|d| paris.local_time(d))
        .unwrap_or_else(|| panic!("no action {id} in {events:?}"))
}

fn owner(events: &[Event], id: &str) -> String {
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Action { action, owner, .. } if action == id => Some(owner.clone()),
            _ => None,
        })
        .unwrap()
}

#[test]
fn a_reply_asked_on_friday_evening_is_due_on_monday_and_the_regulatory_clock_runs_on() {
    let mut run = Run::start(&office(), t("2026-03-06T08:00:00Z"));
    let events = alarm(&mut run, "2026-03-06T17:30:00+01:00");
    assert_eq!(due(&events, "reply"), "2026-03-09T10:30:00+01:00");
    assert_eq!(due(&events, "notify"), "2026-03-09T17:30:00+01:00");
    // Out of hours, the update goes to whoever is on call, due 30 working minutes later.
    let events = alarm_late_evening();
    assert_eq!(owner(&events, "update"), "on_call");
    assert_eq!(due(&events, "update"), "2026-03-09T09:30:00+01:00");
}

fn alarm_late_evening() -> Vec<Event> {
    let mut run = Run::start(&office(), t("2026-03-06T08:00:00Z"));
    alarm(&mut run, "2026-03-06T19:00:00+01:00")
}

#[test]
fn the_last_minute_of_a_working_day_counts_and_the_closing_time_itself_does_not() {
    let mut run = Run::start(&office(), t("2026-03-02T08:00:00Z"));
    let events = alarm(&mut run, "2026-03-02T17:59:00+01:00");
    assert_eq!(due(&events, "reply"), "2026-03-03T10:59:00+01:00");
    assert_eq!(owner(&events, "update"), "director");
    let mut run = Run::start(&office(), t("2026-03-02T08:00:00Z"));
    let events = alarm(&mut run, "2026-03-02T18:00:00+01:00");
    assert_eq!(owner(&events, "update"), "on_call");
    assert_eq!(due(&events, "reply"), "2026-03-03T11:00:00+01:00");
}

#[test]
fn a_public_holiday_is_closed_all_day() {
    // Easter Monday 2026-04-06 is a holiday: a reply asked on Friday evening waits for Tuesday.
    let mut run = Run::start(&office(), t("2026-04-03T08:00:00Z"));
    let events = alarm(&mut run, "2026-04-03T17:30:00+02:00");
    assert_eq!(due(&events, "reply"), "2026-04-07T10:30:00+02:00");
}

#[test]
fn working_time_across_both_clock_changes_lands_where_the_wall_clock_says() {
    // Spring: Friday 17:30 CET, two working hours, Monday 10:30 CEST (08:30 UTC).
    let mut run = Run::start(&office(), t("2026-03-27T08:00:00Z"));
    let events = alarm(&mut run, "2026-03-27T17:30:00+01:00");
    assert_eq!(due(&events, "reply"), "2026-03-30T10:30:00+02:00");
    // The regulatory 72 hours are real hours: Monday 18:30 by the wall clock.
    assert_eq!(due(&events, "notify"), "2026-03-30T18:30:00+02:00");
    // Autumn: Friday 17:30 CEST, Monday 10:30 CET (09:30 UTC).
    let mut run = Run::start(&office(), t("2026-10-23T08:00:00Z"));
    let events = alarm(&mut run, "2026-10-23T17:30:00+02:00");
    assert_eq!(due(&events, "reply"), "2026-10-26T10:30:00+01:00");
    assert_eq!(due(&events, "notify"), "2026-10-26T16:30:00+01:00");
}

#[test]
fn a_subject_in_a_half_hour_zone_counts_the_same_hours_in_its_own_time() {
    let settings = RunSettings::new("brand-in").time_zone("Asia/Kolkata");
    let mut run = Run::with_settings(&office(), settings, t("2026-03-06T00:00:00Z")).unwrap();
    assert_eq!(run.time_zone(), Some("Asia/Kolkata"));
    let events = alarm(&mut run, "2026-03-06T17:30:00+05:30");
    let kolkata = Calendar::always_open("Asia/Kolkata").unwrap();
    let reply = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Action { action, due, .. } if action == "reply" => *due,
            _ => None,
        })
        .unwrap();
    assert_eq!(kolkata.local_time(reply), "2026-03-09T10:30:00+05:30");
}

#[test]
fn deadlines_recurrences_ladders_and_calendar_edges_fire_with_no_signal() {
    let mut run = Run::start(&office(), t("2026-03-06T08:00:00Z"));
    alarm(&mut run, "2026-03-06T19:00:00+01:00");
    let events = run.advance_to(t("2026-03-09T12:00:00+01:00")).to_vec();
    let paris = Calendar::always_open("Europe/Paris").unwrap();
    let lines: Vec<String> = events
        .iter()
        .map(|e| {
            let what = match &e.kind {
                EventKind::Escalation { to, .. } => {
                    format!("escalation {}", to.clone().unwrap_or_default())
                }
                EventKind::Breach { action, owner, .. } => format!("breach {action} ({owner})"),
                EventKind::Action { action, owner, .. } => format!("action {action} ({owner})"),
                EventKind::Transition { to, .. } => format!("transition {to}"),
                other => other.name().to_string(),
            };
            format!("{} {what}", paris.local_time(e.at))
        })
        .collect();
    assert_eq!(
        lines,
        [
            // The ladder's step is in calendar time: ten minutes later, to whoever is on call.
            "2026-03-06T19:10:00+01:00 escalation on_call",
            // The update was sent on call out of hours; its deadline counts from the opening.
            "2026-03-09T09:00:00+01:00 transition opened",
            "2026-03-09T09:30:00+01:00 breach update (on_call)",
            // Two working hours from Friday 19:00: Monday 11:00.
            "2026-03-09T11:00:00+01:00 breach reply (lead)",
        ],
        "{lines:#?}"
    );
    // `outside office` flips at the closing time, with no signal, and its cause says so as
    // written (found by a first-time user: it read `during office`, not holding).
    let events = run.advance_to(t("2026-03-09T18:30:00+01:00")).to_vec();
    let cause = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Transition { to, cause, .. }
                if to == "quiet" && e.at == t("2026-03-09T18:00:00+01:00") =>
            {
                Some(cause)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("{events:?}"));
    let terms: Vec<(&str, bool)> = cause
        .terms
        .iter()
        .map(|term| (term.test.as_str(), term.holds))
        .collect();
    assert_eq!(terms, [("outside office", true)]);
}

#[test]
fn a_recurrence_in_working_time_is_sent_only_while_the_office_is_open() {
    let staying = OFFICE.replace(
        "      - { to: opened, when: during office, after: 1m }\n",
        "",
    );
    let staying = Playbook::from_yaml_str(&staying).unwrap();
    let mut run = Run::start(&staying, t("2026-03-02T08:00:00Z"));
    alarm(&mut run, "2026-03-02T15:30:00+01:00");
    let ack = run.playbook().signal_named("ack").unwrap();
    run.observe(Observation::manual(
        ack,
        t("2026-03-02T15:31:00+01:00"),
        "lead",
    ))
    .unwrap();
    let paris = Calendar::always_open("Europe/Paris").unwrap();
    let updates: Vec<String> = run
        .advance_to(t("2026-03-03T14:00:00+01:00"))
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Action { action, .. } if action == "update"))
        .map(|e| paris.local_time(e.at))
        .collect();
    // 15:30 + 2 working hours: 30 minutes on Monday, 90 on Tuesday; then two hours later.
    assert_eq!(
        updates,
        [
            "2026-03-02T17:30:00+01:00",
            "2026-03-03T10:30:00+01:00",
            "2026-03-03T12:30:00+01:00"
        ]
    );
}

#[test]
fn a_run_can_replace_a_calendar_for_its_subject() {
    // A brand with a desk open at all hours: working time is calendar time, nobody is routed.
    let desk = Calendar::always_open("Europe/Paris").unwrap();
    let settings = RunSettings::new("brand-24-7").calendar("office", desk);
    let mut run = Run::with_settings(&office(), settings, t("2026-03-06T08:00:00Z")).unwrap();
    let events = alarm(&mut run, "2026-03-06T19:00:00+01:00");
    assert_eq!(due(&events, "reply"), "2026-03-06T21:00:00+01:00");
    assert_eq!(owner(&events, "update"), "director");
    let wrong = RunSettings::new("x").calendar("ofice", Calendar::always_open("UTC").unwrap());
    assert_eq!(
        Run::with_settings(&office(), wrong, t("2026-03-06T08:00:00Z"))
            .unwrap_err()
            .to_string(),
        "unknown calendar `ofice`; did you mean `office`?"
    );
}

#[test]
fn a_restore_under_a_changed_calendar_counts_what_was_left_from_the_restore_time() {
    let mut run = Run::start(&office(), t("2026-03-06T08:00:00Z"));
    alarm(&mut run, "2026-03-06T17:30:00+01:00");
    run.advance_to(t("2026-03-07T12:00:00+01:00"));
    let json = serde_json::to_string(&run.snapshot()).unwrap();
    // The same calendar: the same deadline.
    let same = Run::restore(&office(), serde_json::from_str::<Snapshot>(&json).unwrap()).unwrap();
    let reply = |run: &Run| {
        run.open_actions()
            .find(|a| a.action == "reply")
            .unwrap()
            .due
            .unwrap()
    };
    assert_eq!(reply(&same), reply(&run));
    // Monday becomes a holiday after the snapshot: the 1h30 left counts from Tuesday.
    let next_year = OFFICE.replace(
        "holidays: [2026-04-06]",
        "holidays: [2026-03-09, 2026-04-06]",
    );
    let changed = Playbook::from_yaml_str(&next_year).unwrap();
    let restored =
        Run::restore(&changed, serde_json::from_str::<Snapshot>(&json).unwrap()).unwrap();
    let paris = Calendar::always_open("Europe/Paris").unwrap();
    assert_eq!(
        paris.local_time(reply(&restored)),
        "2026-03-10T10:30:00+01:00"
    );
}

/// Loads `text` and returns its errors, one line each.
fn errors(text: &str) -> Vec<String> {
    Playbook::from_yaml_str(text)
        .unwrap_err()
        .errors()
        .map(|d| d.to_string())
        .collect()
}

#[test]
fn the_loader_refuses_broken_calendars_with_their_positions() {
    let broken = OFFICE
        .replace("time_zone: Europe/Paris", "time_zone: Europe/Pariss")
        .replace(
            r#"mon-fri: "09:00-18:00""#,
            r#"mon-fri: "09:00-13:00, 12:00-18:00", sat: "18:00-09:00""#,
        )
        .replace("holidays: [2026-04-06]", "holidays: [2026-04-31]");
    assert_eq!(
        errors(&broken),
        [
            "<string>:12:16: error: calendars.office.time_zone: unknown time zone `Europe/Pariss`; did you mean `Europe/Paris`?",
            "<string>:13:23: error: calendars.office.hours.mon-fri: `09:00-13:00` and `12:00-18:00` overlap: write each hour of the day once",
            "<string>:13:56: error: calendars.office.hours.sat: `18:00-09:00` crosses midnight: a day's hours stay within it, so write `18:00-24:00` on one day and `00:00-09:00` on the next",
            "<string>:14:16: error: calendars.office.holidays[0]: `2026-04-31` is not a date: write it as `2026-05-01`",
        ]
    );
    let never = OFFICE.replace(
        r#"hours: { mon-fri: "09:00-18:00" }"#,
        r#"hours: { mon-fri: closed }"#,
    );
    assert_eq!(
        errors(&never),
        [
            "<string>:12:5: error: calendars.office: the calendar is never open: give `hours` for at least one day, or an exception with hours"
        ]
    );
}

#[test]
fn the_loader_refuses_working_time_where_calendar_time_is_required() {
    let regulatory = OFFICE.replace(
        "within: 72h, regulatory: true",
        "within: 72h office, regulatory: true",
    );
    assert_eq!(
        errors(&regulatory),
        [
            "<string>:24:43: error: states.alert.enter[1].within: `notify` is regulatory: its deadline runs in calendar time whatever the office hours, so remove the calendar's name from `72h office`"
        ]
    );
    let mixed = OFFICE.replace(
        "- { to: director, after: 10m, out_of_hours: { office: on_call } }",
        "- { to: director, after: 10m, out_of_hours: { office: on_call } }\n        - { to: dpo, after: 1h office }",
    );
    assert_eq!(
        errors(&mixed),
        [
            "<string>:35:29: error: states.alert.escalate.steps[1].after: a ladder counts on one clock: `1h office` counts in `office` working time, the steps before it in calendar time; count every step and `repeat` the same way"
        ]
    );
    let unknown = OFFICE
        .replace("within: 2h office", "within: 2h offce")
        .replace("when: during office", "when: during ofice");
    assert_eq!(
        errors(&unknown),
        [
            "<string>:23:43: error: states.alert.enter[0].within: unknown calendar `offce`; did you mean `office`?",
            "<string>:37:29: error: states.alert.on[1].when: unknown calendar `ofice`; did you mean `office`?",
        ]
    );
}

/// The storm playbook with every timer in calendar time and no out-of-hours route.
fn without_calendars(text: &str) -> String {
    text.lines()
        .filter(|line| !line.contains("out_of_hours:"))
        .map(|line| line.replace("m office", "m").replace("h office", "h"))
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A calendar open at all hours gives exactly the timeline of the same playbook without
    /// calendars, whatever the signals and their times.
    #[test]
    fn a_calendar_open_at_all_hours_changes_nothing(
        batches in prop::collection::vec((0u64..180, 0u32..400, 0u32..100, 0u8..8), 1..60),
        zone in prop::sample::select(vec!["Europe/Paris", "America/St_Johns", "Asia/Kolkata", "UTC"]),
    ) {
        let text = include_str!("../playbooks/negative-comment-storm.yaml");
        let with = Playbook::from_yaml_str(text).unwrap();
        let plain = Playbook::from_yaml_str(&without_calendars(text)).unwrap();
        prop_assert!(plain.calendars().len() == 1 && plain.timer_text(plain.state(plain.state_named("watch").unwrap()).actions[0].within.unwrap()) == "15m");
        let start = t("2026-03-27T00:00:00Z");
        let settings = RunSettings::new("s").calendar("office", Calendar::always_open(zone).unwrap());
        let mut a = Run::with_settings(&with, settings, start).unwrap();
        let mut b = Run::start(&plain, start);
        let mut clock = start;
        for (gap, count, bad, extra) in batches {
            clock = clock + crisis_playbook::Duration::from_secs(gap * 60);
            let feed = |run: &mut Run, playbook: &Playbook| -> Vec<String> {
                let mut lines = Vec::new();
                let id = |s| playbook.signal_named(s).unwrap();
                let mut push = |events: &[Event]| lines.extend(events.iter().map(|e| serde_json::to_string(e).unwrap()));
                push(run.observe(Observation::count(id("mentions"), clock, f64::from(count))).unwrap());
                push(run.observe(Observation::count(id("negative"), clock, f64::from(bad.min(count)))).unwrap());
                if extra == 1 {
                    let tier = crisis_playbook::AttributeValue::Text("local");
                    push(run.observe(Observation::event(id("journalist"), clock, &[("tier", tier)])).unwrap());
                }
                if extra == 2 {
                    push(run.observe(Observation::manual(id("ack"), clock, "lead")).unwrap());
                }
                lines
            };
            let left = feed(&mut a, &with);
            let right = feed(&mut b, &plain);
            prop_assert_eq!(left, right);
        }
        let end = clock + crisis_playbook::Duration::from_secs(7 * 86_400);
        let left: Vec<String> = a.advance_to(end).iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        let right: Vec<String> = b.advance_to(end).iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        prop_assert_eq!(left, right);
    }
}

#[test]
fn a_fleet_refuses_a_subject_s_unknown_time_zone_or_calendar_when_configured() {
    let mut fleet = crisis_playbook::Fleet::new(&office());
    let error = fleet
        .configure(RunSettings::new("brand-x").time_zone("Mars/Olympus"))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown time zone `Mars/Olympus`: write an IANA name such as `Europe/Paris`, `America/Toronto` or `UTC`"
    );
    let desk = Calendar::always_open("America/Toronto").unwrap();
    fleet
        .configure(RunSettings::new("brand-ca").calendar("office", desk))
        .unwrap();
    assert!(
        fleet
            .configure(
                RunSettings::new("brand-y").calendar("desk", Calendar::always_open("UTC").unwrap())
            )
            .is_err()
    );
}

#[test]
fn scenario_files_check_their_time_zone_calendars_and_times() {
    let scenario = |extra: &str| {
        format!(
            "scenario: s\nplaybook: ../negative-comment-storm.yaml\nstart: 2026-03-02T08:00:00Z\n{extra}\
             signals: {{ mentions: \"20x12\" }}\nexpect:\n  - {{ at: 2026-03-02T09:30 Europe/Paris, state: monitoring }}\n"
        )
    };
    let base = std::path::Path::new("playbooks/negative-comment-storm");
    let errors = |text: String| {
        crisis_playbook::testing::load_text(&text, "s.yaml", base)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        errors(scenario("time_zone: Europe/Pariss\n")),
        "s.yaml:4:12: error: time_zone: unknown time zone `Europe/Pariss`; did you mean `Europe/Paris`?"
    );
    assert_eq!(
        errors(scenario(
            "calendars: { office: { time_zone: UTC, hours: { mon-fri: '18:00-09:00' } } }\n"
        )),
        "s.yaml:4:58: error: calendars.office.hours.mon-fri: `18:00-09:00` crosses midnight: a day's hours stay within it, so write `18:00-24:00` on one day and `00:00-09:00` on the next"
    );
    assert_eq!(
        errors(scenario("calendars: { ofice: { time_zone: UTC } }\n")),
        "s.yaml:4:14: error: calendars.ofice: playbook `negative-comment-storm` has no calendar `ofice`; did you mean `office`?"
    );
    let ok =
        crisis_playbook::testing::load_text(&scenario("time_zone: Asia/Tokyo\n"), "s.yaml", base)
            .unwrap();
    assert!(ok[0].run().passed());
}

#[test]
fn the_loader_names_every_other_calendar_mistake() {
    let twice = OFFICE.replace(
        r#"hours: { mon-fri: "09:00-18:00" }"#,
        r#"hours: { mon-fri: "09:00-18:00", fri: "09:00-12:00" }"#,
    );
    assert_eq!(
        errors(&twice),
        [
            "<string>:13:38: error: calendars.office.hours.fri: `fri` has hours under two keys (`mon-fri` and `fri`): give each day its hours once"
        ]
    );
    let both = OFFICE.replace(
        "holidays: [2026-04-06]",
        "holidays: [2026-04-06]\n    exceptions: { 2026-04-06: \"10:00-12:00\" }",
    );
    assert_eq!(
        errors(&both),
        [
            "<string>:15:19: error: calendars.office.exceptions.2026-04-06: 2026-04-06 is both a holiday and an exception: keep one"
        ]
    );
    let words = OFFICE.replace("within: 2h office", "within: 2h office hours");
    assert_eq!(
        errors(&words),
        [
            "<string>:23:43: error: states.alert.enter[0].within: `2h office hours` has a word too many (`hours`): write a duration or a duration parameter, then optionally a calendar's name, as `2h office`"
        ]
    );
    let cooldown = OFFICE.replace(
        "    severity: 2\n",
        "    severity: 2\n    cooldown: 1h office\n",
    );
    assert_eq!(
        errors(&cooldown),
        [
            "<string>:22:15: error: states.alert.cooldown.for: a cool-down counts in calendar time: remove the calendar's name from `1h office`"
        ]
    );
    let two_routes = OFFICE.replace(
        "out_of_hours: { office: on_call }\n        say: Post an update",
        "out_of_hours: { office: on_call, weekend: dpo }\n        say: Post an update",
    );
    assert_eq!(
        errors(&two_routes),
        [
            "<string>:29:23: error: states.alert.enter[2].out_of_hours: an out-of-hours route names one calendar and the role that takes over while it is closed, as `{ office: on_call }`"
        ]
    );
}

/// Found by a first-time user: no mutant swapped `during` for `outside`.
#[test]
fn mutants_negate_each_during_and_outside_test() {
    let changes: Vec<String> = crisis_playbook::testing::mutants::mutants(&office())
        .into_iter()
        .map(|m| m.change)
        .collect();
    for change in [
        "states.alert.on[1] (-> opened) when: `during office` negated",
        "states.opened.on[0] (-> quiet) when: `outside office` negated",
    ] {
        assert!(
            changes.iter().any(|c| c == change),
            "{change}: {changes:#?}"
        );
    }
}
