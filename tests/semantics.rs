//! Each rule of `docs/semantics.md`, with a test that fails if the rule breaks.

mod support;

use crisis_playbook::{AttributeValue, Duration, EventKind, Run, RunSettings};
use support::*;

const PLAYBOOK: &str = r#"
playbook: semantics
version: 1
title: Semantics
parameters:
  high: { default: 2, min: 1, max: 10 }
  low: { default: 1.5, min: 1, max: 10 }
signals:
  level: { kind: gauge, range: [0, 100] }
  hits: { kind: count }
  press: { kind: event, attributes: { tier: [local, national] } }
  ack: { kind: manual }
  known: { kind: manual }
metrics:
  hits_1h: { count: hits, window: 1h }
  quiet: { since: hits }
roles: [cm, lead, director]
initial: calm
states:
  calm:
    on:
      - { to: alert, when: level >= high, for: 10m }
      - { to: busy, when: hits_1h >= 100 }
      - { to: press_watch, when: press }
  alert:
    severity: 2
    enter:
      - { do: look, owner: cm, within: 30m, say: Look }
      - { do: report, owner: cm, within: 20m, every: 1h, closes_on_exit: true, say: Report }
      - { do: notify, owner: lead, within: 72h, from: known, say: Notify }
    escalate:
      unless: ack
      steps: [ { to: lead, after: 15m }, { to: director, after: 45m } ]
      repeat: { every: 1h, times: 1 }
    on:
      - { to: calm, when: level < low, for: 30m }
      - { to: closed, after: 1d }
  busy:
    severity: 1
    on:
      - { to: calm, when: hits_1h < 10 }
      - { to: closed, when: quiet > 3h }
  press_watch:
    on:
      - { to: alert, when: press.tier == "national" }
      - { to: calm, after: 2h }
  closed:
    final: true
"#;

fn start() -> Run {
    Run::start(&playbook(PLAYBOOK), at(0))
}

#[test]
fn for_fires_only_after_holding_continuously() {
    let mut run = start();
    assert!(number(&mut run, "level", 0, 3.0).unwrap().is_empty());
    assert!(number(&mut run, "level", 5, 3.0).unwrap().is_empty());
    // It goes false: the pending window resets, like Prometheus's pending state.
    number(&mut run, "level", 6, 1.0).unwrap();
    number(&mut run, "level", 7, 3.0).unwrap();
    assert!(advance(&mut run, 16).is_empty(), "{}", run.state_name());
    let events = advance(&mut run, 17);
    assert_eq!(timeline(&events)[0], "17m transition:calm->alert");
}

#[test]
fn for_completes_with_no_signal() {
    let mut run = start();
    number(&mut run, "level", 0, 3.0).unwrap();
    let events = advance(&mut run, 60);
    // Fired at exactly 10 minutes, not at the later call's time.
    assert_eq!(timeline(&events)[0], "10m transition:calm->alert");
}

#[test]
fn earlier_transitions_win_when_several_hold() {
    let mut run = start();
    number(&mut run, "level", 0, 3.0).unwrap();
    // At 10m both `level >= high for 10m` and `hits_1h >= 100` hold: the first listed wins.
    let events = number(&mut run, "hits", 10, 500.0).unwrap();
    assert_eq!(describe(&events)[0], "transition:calm->alert");
}

#[test]
fn metrics_decay_with_no_signal() {
    let mut run = start();
    let events = number(&mut run, "hits", 0, 150.0).unwrap();
    assert_eq!(describe(&events), ["transition:calm->busy"]);
    // The burst leaves the 1 h window bucket by bucket; no signal needed to notice.
    let events = advance(&mut run, 600);
    assert_eq!(timeline(&events), ["60m transition:busy->calm"]);
    let hits = run.playbook().metric_named("hits_1h").unwrap();
    assert_eq!(run.metric_value(hits), Some(0.0));
}

#[test]
fn gaps_age_metrics_correctly() {
    let mut run = start();
    number(&mut run, "hits", 0, 40.0).unwrap();
    number(&mut run, "hits", 30, 40.0).unwrap();
    let hits = run.playbook().metric_named("hits_1h").unwrap();
    assert_eq!(run.metric_value(hits), Some(80.0));
    // Two hours with no data: both batches have aged out.
    number(&mut run, "hits", 150, 5.0).unwrap();
    assert_eq!(run.metric_value(hits), Some(5.0));
}

#[test]
fn time_since_crosses_its_threshold_with_no_signal() {
    let quiet = playbook(
        "playbook: quiet\nversion: 1\ntitle: Quiet\nsignals: { hits: { kind: count } }\n\
         metrics: { quiet: { since: hits } }\nroles: [cm]\ninitial: waiting\n\
         states:\n  waiting:\n    on: [{ to: done, when: quiet > 30m }]\n  done: { final: true }\n",
    );
    let mut run = Run::start(&quiet, at(0));
    number(&mut run, "hits", 5, 1.0).unwrap();
    let events = advance(&mut run, 600);
    assert_eq!(
        describe(&events),
        ["transition:waiting->done", "resolved:done"]
    );
    // `quiet > 30m` turns true just after 30 minutes of silence.
    assert_eq!(events[0].at, at(35) + Duration::from_millis(1));
}

#[test]
fn after_is_measured_from_entering_the_state() {
    let mut run = start();
    event(
        &mut run,
        "press",
        100,
        &[("tier", AttributeValue::Text("local"))],
    );
    assert_eq!(run.state_name(), "press_watch");
    let events = advance(&mut run, 500);
    assert_eq!(timeline(&events), ["220m transition:press_watch->calm"]);
}

#[test]
fn the_event_that_caused_a_transition_is_not_fresh_in_the_next_state() {
    let mut run = start();
    let national = [("tier", AttributeValue::Text("national"))];
    let events = event(&mut run, "press", 5, &national);
    // calm -> press_watch, but not on to alert with the same event.
    assert_eq!(describe(&events), ["transition:calm->press_watch"]);
    let events = event(&mut run, "press", 6, &national);
    assert_eq!(describe(&events)[0], "transition:press_watch->alert");
}

#[test]
fn hysteresis_keeps_the_state_between_thresholds() {
    let mut run = start();
    number(&mut run, "level", 0, 3.0).unwrap();
    advance(&mut run, 10);
    assert_eq!(run.state_name(), "alert");
    // 1.8 is under the entry threshold (2) but not under the exit one (1.5).
    number(&mut run, "level", 11, 1.8).unwrap();
    advance(&mut run, 100);
    assert_eq!(run.state_name(), "alert");
    number(&mut run, "level", 101, 1.0).unwrap();
    let events = advance(&mut run, 200);
    assert_eq!(describe(&events).last().unwrap(), "transition:alert->calm");
    assert_eq!(events.last().unwrap().at, at(131));
}

fn into_alert() -> Run {
    let mut run = start();
    number(&mut run, "level", 0, 3.0).unwrap();
    advance(&mut run, 10);
    assert_eq!(run.state_name(), "alert");
    run
}

#[test]
fn ladders_climb_and_repeat_until_acknowledged() {
    let mut run = into_alert();
    let events: Vec<String> = timeline(&advance(&mut run, 200))
        .into_iter()
        .filter(|e| e.contains("escalation"))
        .collect();
    assert_eq!(
        events,
        [
            "25m escalation:lead",
            "55m escalation:director",
            "85m escalation:lead@1",
            "115m escalation:director@1"
        ]
    );
}

#[test]
fn an_ack_stops_the_ladder() {
    let mut run = into_alert();
    advance(&mut run, 30);
    assert_eq!(
        describe(&manual(&mut run, "ack", 31, "lead")),
        ["input:ack:stopped"]
    );
    assert!(run.pending_escalation().is_none());
    let later = describe(&advance(&mut run, 300));
    assert!(
        !later.iter().any(|e| e.starts_with("escalation")),
        "{later:?}"
    );
}

#[test]
fn ladders_rearm_on_reentering_a_state() {
    let mut run = into_alert();
    manual(&mut run, "ack", 12, "lead");
    number(&mut run, "level", 13, 1.0).unwrap();
    advance(&mut run, 43);
    assert_eq!(run.state_name(), "calm");
    // An ack before re-entry does not count: the new ladder starts afresh.
    number(&mut run, "level", 50, 3.0).unwrap();
    let events = timeline(&advance(&mut run, 80));
    assert!(
        events.contains(&"75m escalation:lead".to_string()),
        "{events:?}"
    );
}

#[test]
fn an_ack_with_nothing_pending_is_recorded_and_changes_nothing() {
    let mut run = start();
    let before = run.snapshot();
    let events = manual(&mut run, "ack", 5, "lead");
    assert_eq!(describe(&events), ["input:ack"]);
    assert_eq!(run.state_name(), "calm");
    assert!(run.pending_escalation().is_none());
    assert_ne!(before, run.snapshot(), "the input is recorded");
}

#[test]
fn actions_are_emitted_once_per_entry_and_recurring_ones_once_per_period() {
    let mut run = start();
    number(&mut run, "level", 0, 3.0).unwrap();
    let events = describe(&advance(&mut run, 10));
    assert_eq!(
        events[1..4],
        ["action:look", "action:report", "action:notify"]
    );
    manual(&mut run, "ack", 11, "lead");
    let reports: Vec<String> = timeline(&advance(&mut run, 200))
        .into_iter()
        .filter(|e| e.contains("action:report"))
        .collect();
    assert_eq!(
        reports,
        [
            "70m action:report#2",
            "130m action:report#3",
            "190m action:report#4"
        ]
    );
}

#[test]
fn open_actions_stay_open_until_done_and_breach_their_deadline() {
    let mut run = into_alert();
    manual(&mut run, "ack", 11, "lead");
    let open: Vec<&str> = run.open_actions().map(|a| a.action).collect();
    assert_eq!(open, ["look", "report", "notify"]);
    let events = run.complete("report", "cm", at(12)).unwrap();
    assert_eq!(describe(events), ["done:report"]);
    let events = timeline(&advance(&mut run, 45));
    assert_eq!(events, ["40m breach:look"]);
    let look = run.open_actions().find(|a| a.action == "look").unwrap();
    assert!(look.breached);
    // Marking an action done when none is open records nothing.
    assert!(run.complete("report", "cm", at(46)).unwrap().is_empty());
    assert_eq!(
        run.complete("nonexistent", "cm", at(46))
            .unwrap_err()
            .to_string(),
        "no action `nonexistent` in this playbook"
    );
}

#[test]
fn actions_close_on_exit_only_when_the_playbook_says_so() {
    let mut run = into_alert();
    number(&mut run, "level", 11, 1.0).unwrap();
    let events = describe(&advance(&mut run, 41));
    assert!(events.contains(&"closed:report".to_string()), "{events:?}");
    let open: Vec<&str> = run.open_actions().map(|a| a.action).collect();
    assert_eq!(open, ["look", "notify"]);
}

#[test]
fn a_deadline_can_count_from_when_a_signal_was_seen() {
    let mut run = start();
    manual(&mut run, "known", 0, "dpo");
    number(&mut run, "level", 1, 3.0).unwrap();
    advance(&mut run, 11);
    let notify = run.open_actions().find(|a| a.action == "notify").unwrap();
    assert_eq!(notify.due, Some(at(72 * 60)));
    // Not seen before entry: the clock starts when it arrives.
    let mut run = into_alert();
    assert_eq!(
        run.open_actions()
            .find(|a| a.action == "notify")
            .unwrap()
            .due,
        Some(at(10 + 72 * 60))
    );
    manual(&mut run, "known", 20, "dpo");
    assert_eq!(
        run.open_actions()
            .find(|a| a.action == "notify")
            .unwrap()
            .due,
        Some(at(20 + 72 * 60))
    );
}

/// A deadline moved by a later signal is an event, so that a report built from the timeline
/// agrees with the run: the deadline that counted was 72h after `known` at 20m.
#[test]
fn a_deadline_moved_by_a_later_signal_is_an_event_and_the_report_agrees() {
    let mut run = into_alert();
    let mut timeline = run.events().to_vec();
    let moved = manual(&mut run, "known", 20, "dpo");
    assert_eq!(describe(&moved), ["input:known", "deadline_moved"]);
    let EventKind::DeadlineMoved {
        action,
        due,
        signal,
        ..
    } = &moved[1].kind
    else {
        panic!("{moved:?}")
    };
    assert_eq!(
        (action.as_str(), *due, signal.as_str()),
        ("notify", at(20 + 72 * 60), "known")
    );
    timeline.extend(moved);
    timeline.extend_from_slice(run.complete("notify", "dpo", at(30)).unwrap());
    let report = crisis_playbook::report::Report::from_timeline(run.playbook(), &timeline, "en");
    let notify = report
        .deadlines
        .iter()
        .find(|d| d.action == "notify")
        .unwrap();
    assert_eq!(
        (notify.due, notify.outcome, notify.margin),
        (
            at(20 + 72 * 60),
            crisis_playbook::report::Outcome::Met,
            Duration::from_secs((72 * 60 - 10) * 60)
        )
    );
}

/// `from` may name an event signal too: its arrival starts the clock like a manual input's.
#[test]
fn a_deadline_can_count_from_an_event_that_arrives_later() {
    let text = PLAYBOOK.replace("from: known", "from: press");
    let mut run = Run::start(&playbook(&text), at(0));
    number(&mut run, "level", 0, 3.0).unwrap();
    advance(&mut run, 10);
    event(
        &mut run,
        "press",
        30,
        &[("tier", AttributeValue::Text("local"))],
    );
    let notify = run.open_actions().find(|a| a.action == "notify").unwrap();
    assert_eq!(notify.due, Some(at(30 + 72 * 60)));
}

#[test]
fn equal_timestamps_are_processed_in_arrival_order() {
    let mut run = start();
    number(&mut run, "level", 0, 3.0).unwrap();
    // At 10m the `for` completes; a signal at that same instant is applied first, and makes
    // the guard false, so nothing fires.
    let events = number(&mut run, "level", 10, 1.0).unwrap();
    assert!(events.is_empty(), "{:?}", describe(&events));
    number(&mut run, "level", 10, 3.0).unwrap();
    number(&mut run, "level", 10, 3.0).unwrap();
    assert_eq!(run.state_name(), "calm");
}

#[test]
fn late_signals_within_tolerance_count_beyond_it_are_refused() {
    let mut run = start();
    number(&mut run, "hits", 30, 10.0).unwrap();
    // Four minutes late: accepted, counted in its own bucket; the events are stamped now.
    let events = number(&mut run, "hits", 26, 95.0).unwrap();
    assert_eq!(events[0].at, at(30), "event times never go back");
    assert_eq!(run.state_name(), "busy");
    let before = run.snapshot();
    let err = number(&mut run, "hits", 20, 1.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`hits` at 2026-03-02T00:20:00Z is 10m behind the run's clock (2026-03-02T00:30:00Z), more than the tolerance of 5m"
    );
    assert_eq!(before, run.snapshot());
}

#[test]
fn tolerance_is_a_setting() {
    let settings = RunSettings::new("x").late_tolerance(Duration::ZERO);
    let mut run = Run::with_settings(&playbook(PLAYBOOK), settings, at(0)).unwrap();
    number(&mut run, "hits", 10, 1.0).unwrap();
    let err = number(&mut run, "hits", 9, 1.0).unwrap_err();
    assert!(err.is_too_late());
    assert_eq!(err.signal(), Some("hits"));
    // Found in a fresh-eyes trial: a late `done` was about a signal called `done`, and its
    // message did not say which action.
    let err = run.complete("look", "cm", at(9)).unwrap_err();
    assert!(err.is_too_late());
    assert_eq!(err.signal(), None);
    assert_eq!(
        err.to_string(),
        "`done` of `look` at 2026-03-02T00:09:00Z is 1m behind the run's clock \
         (2026-03-02T00:10:00Z), more than the tolerance of 0s"
    );
}

#[test]
fn a_final_state_ends_the_run_and_later_signals_are_ignored() {
    let mut run = into_alert();
    manual(&mut run, "ack", 11, "lead");
    let events = describe(&advance(&mut run, 2_000));
    assert!(
        events.ends_with(&[
            "transition:alert->closed".to_string(),
            "resolved:closed".to_string()
        ]),
        "{events:?}"
    );
    assert!(run.is_ended());
    let snapshot = run.snapshot();
    assert!(number(&mut run, "level", 2_001, 50.0).unwrap().is_empty());
    assert!(advance(&mut run, 5_000).is_empty());
    assert_eq!(run.snapshot(), snapshot);
}

#[test]
fn every_bad_signal_gets_a_typed_error_and_changes_nothing() {
    let mut run = start();
    number(&mut run, "hits", 1, 1.0).unwrap();
    let snapshot = serde_json::to_string(&run.snapshot()).unwrap();
    let playbook = run.playbook().clone();
    let press = playbook.signal_named("press").unwrap();
    let level = playbook.signal_named("level").unwrap();
    use crisis_playbook::Observation as O;
    let cases: Vec<(O<'_>, &str)> = vec![
        (
            O::gauge(level, at(2), f64::NAN),
            "`level`: the value is not a finite number",
        ),
        (
            O::number(level, at(2), f64::INFINITY),
            "`level`: the value is not a finite number",
        ),
        (
            O::gauge(level, at(2), 101.0),
            "`level`: 101 is outside the range [0, 100]",
        ),
        (
            O::count(playbook.signal_named("hits").unwrap(), at(2), -1.0),
            "`hits`: a count cannot be negative (-1)",
        ),
        (
            O::manual(level, at(2), "x"),
            "`level` is a gauge signal: send a number",
        ),
        (
            O::count(press, at(2), 1.0),
            "`press` is an event signal: send an event with its attributes",
        ),
        (
            O::event(press, at(2), &[("tier", AttributeValue::Text("global"))]),
            "event `press`: attribute `tier` must be one of local, national",
        ),
        (
            O::event(press, at(2), &[("reach", AttributeValue::Number(1.0))]),
            "event `press` has no attribute `reach`",
        ),
        (
            O::event(press, at(2), &[("teir", AttributeValue::Text("local"))]),
            "event `press` has no attribute `teir`; did you mean `tier`?",
        ),
        // Found in a fresh-eyes trial: a count sent as a gauge, or the reverse, was accepted.
        (
            O::count(level, at(2), 50.0),
            "`level` is a gauge signal: send it with `Observation::gauge`, or with \
             `Observation::number`, which takes either kind",
        ),
        (
            O::gauge(playbook.signal_named("hits").unwrap(), at(2), 5.0),
            "`hits` is a count signal: send it with `Observation::count`, or with \
             `Observation::number`, which takes either kind",
        ),
        // And an event with one attribute twice, whose test would have read the first.
        (
            O::event(
                press,
                at(2),
                &[
                    ("tier", AttributeValue::Text("local")),
                    ("tier", AttributeValue::Text("national")),
                ],
            ),
            "event `press`: attribute `tier` is given twice: give each attribute once",
        ),
    ];
    for (observation, message) in cases {
        let err = run.observe(observation).unwrap_err();
        assert_eq!(err.to_string(), message);
        assert!(err.is_invalid_input(), "{message}");
        assert_eq!(
            serde_json::to_string(&run.snapshot()).unwrap(),
            snapshot,
            "{message}"
        );
    }
}

#[test]
fn events_carry_their_cause() {
    let mut run = start();
    let events = number(&mut run, "hits", 0, 150.0).unwrap();
    let EventKind::Transition {
        cause, severity, ..
    } = &events[0].kind
    else {
        panic!("{events:?}");
    };
    assert_eq!(*severity, 1);
    assert_eq!(cause.condition.as_deref(), Some("hits_1h >= 100"));
    assert_eq!(cause.terms[0].test, "hits_1h >= 100");
    assert_eq!(cause.terms[0].value, Some(150.0));
    assert_eq!(cause.terms[0].threshold, Some(100.0));
    assert!(cause.terms[0].holds);
    let json = serde_json::to_value(&events[0]).unwrap();
    assert_eq!(json["kind"], "transition");
    assert_eq!(json["from"], "calm");
    assert_eq!(json["to"], "busy");
    assert_eq!(json["at"], "2026-03-02T00:00:00Z");
}

#[test]
fn explain_shows_live_values_and_time_left_in_a_for() {
    let mut run = start();
    number(&mut run, "level", 0, 3.0).unwrap();
    advance(&mut run, 4);
    let why = run.explain();
    let to_alert = &why.transitions[0];
    assert!(to_alert.holds);
    assert_eq!(to_alert.remaining, Some(Duration::from_secs(6 * 60)));
    assert_eq!(to_alert.terms[0].value, Some(3.0));
    assert_eq!(to_alert.terms[0].threshold, Some(2.0));
    let text = why.to_string();
    assert!(
        text.contains("-> alert: level >= high is true, 6m to go in its `for`"),
        "{text}"
    );
    assert!(text.contains("level >= high: 3 vs 2 -> holds"), "{text}");
}

#[test]
fn parameter_overrides_apply_within_bounds() {
    let settings = RunSettings::new("brand").parameter("high", 5.0);
    let mut run = Run::with_settings(&playbook(PLAYBOOK), settings, at(0)).unwrap();
    number(&mut run, "level", 0, 3.0).unwrap();
    advance(&mut run, 30);
    assert_eq!(run.state_name(), "calm");
    let err = Run::with_settings(
        &playbook(PLAYBOOK),
        RunSettings::new("b").parameter("high", 50.0),
        at(0),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "parameter `high` = 50 is outside its bounds [1, 10]"
    );
    let err = Run::with_settings(
        &playbook(PLAYBOOK),
        RunSettings::new("b").parameter("hihg", 5.0),
        at(0),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown parameter `hihg`; did you mean `high`?"
    );
}

#[test]
fn transitions_chain_at_one_instant() {
    let chain = playbook(
        "playbook: chain\nversion: 1\ntitle: Chain\nsignals: { x: { kind: gauge } }\nroles: [cm]\n\
         initial: a\nstates:\n  a: { on: [{ to: b, when: x >= 1 }] }\n  b: { on: [{ to: c, when: x >= 2 }] }\n\
         \x20 c: { final: true }\n",
    );
    let mut run = Run::start(&chain, at(0));
    let events = number(&mut run, "x", 3, 1.5).unwrap();
    assert_eq!(describe(&events), ["transition:a->b"]);
    let events = number(&mut run, "x", 4, 5.0).unwrap();
    assert_eq!(describe(&events), ["transition:b->c", "resolved:c"]);
    let mut run = Run::start(&chain, at(0));
    let events = number(&mut run, "x", 3, 5.0).unwrap();
    assert_eq!(
        describe(&events),
        ["transition:a->b", "transition:b->c", "resolved:c"]
    );
    assert!(events.iter().all(|e| e.at == at(3)));
}

/// A signal id carries its playbook: one from another playbook is refused, even where an index
/// of this playbook has the same number, and the run is unchanged.
#[test]
fn a_signal_id_from_another_playbook_is_refused() {
    let other = playbook(&PLAYBOOK.replace("playbook: semantics", "playbook: other"));
    let mut run = start();
    let before = serde_json::to_string(&run.snapshot()).unwrap();
    let hits = other.signal_named("hits").unwrap();
    let err = run
        .observe(crisis_playbook::Observation::count(hits, at(0), 1.0))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "signal id 1 belongs to another playbook: take ids from this run's playbook, \
         with `Playbook::signal_named`"
    );
    assert!(err.is_foreign_signal());
    assert_eq!(err.signal(), None);
    assert_eq!(serde_json::to_string(&run.snapshot()).unwrap(), before);
    // The same playbook loaded twice gives the same ids.
    let again = playbook(PLAYBOOK).signal_named("hits").unwrap();
    assert!(
        run.observe(crisis_playbook::Observation::count(again, at(0), 1.0))
            .is_ok()
    );
}

/// A playbook whose `calm` state leaves for `fired` when `guard` holds, after `seen` is
/// entered by any `press` event: the edge of every timer operator, tested at its instant.
fn edge_playbook(guard: &str) -> crisis_playbook::Playbook {
    playbook(&format!(
        r#"
playbook: edges
version: 1
title: Edges
signals:
  hits: {{ kind: count }}
  press: {{ kind: event, attributes: {{ tier: [local, national] }} }}
metrics:
  quiet: {{ since: hits }}
roles: [cm]
initial: calm
states:
  calm:
    on: [{{ to: seen, when: press }}]
  seen:
    on:
      - {{ to: fired, when: '{guard}' }}
      - {{ to: fired, after: 1d }}
  fired: {{ final: true }}
"#
    ))
}

/// When the run, fed a `hits` count and a local `press` at minute 0, reaches `fired`.
fn fires_at(guard: &str) -> crisis_playbook::Timestamp {
    let mut run = Run::start(&edge_playbook(guard), at(0));
    number(&mut run, "hits", 0, 1.0).unwrap();
    event(
        &mut run,
        "press",
        0,
        &[("tier", AttributeValue::Text("local"))],
    );
    let events = advance(&mut run, 24 * 60);
    let fired = events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Transition { to, .. } if to == "fired"))
        .unwrap_or_else(|| panic!("{guard}: {events:?}"));
    fired.at
}

#[test]
fn since_comparisons_fire_at_their_edge_for_every_operator() {
    let ms = |m: u64| Duration::from_millis(m);
    let cases = [
        ("quiet >= 45m", at(45)),
        ("quiet > 45m", at(45) + ms(1)),
        ("quiet == 45m", at(45)),
        ("not (quiet < 45m)", at(45)),
        ("not (quiet <= 45m)", at(45) + ms(1)),
        ("45m <= quiet", at(45)),
        ("45m < quiet", at(45) + ms(1)),
    ];
    for (guard, expected) in cases {
        assert_eq!(fires_at(guard), expected, "{guard}");
    }
}

#[test]
fn leaving_a_within_window_is_an_instant_of_its_own() {
    let ms = |m: u64| Duration::from_millis(m);
    // `within 10m` includes its last instant, 10 minutes after the event.
    assert_eq!(fires_at("not (press within 10m)"), at(10) + ms(1));
    assert_eq!(
        fires_at(r#"not (press.tier == "local" within 10m)"#),
        at(10) + ms(1)
    );
}

#[test]
fn a_within_test_and_its_negation_make_no_instant_cycle() {
    let text = r#"
playbook: toggles
version: 1
title: Toggles
signals: { press: { kind: event, attributes: { tier: [local, national] } } }
roles: [cm]
initial: a
states:
  a:
    on: [{ to: b, when: press within 10m }, { to: z, after: 1d }]
  b:
    on: [{ to: a, when: not (press within 10m) }, { to: z, after: 1d }]
  z: { final: true }
"#;
    let playbook = crisis_playbook::Playbook::from_yaml_str(text).unwrap_or_else(|e| panic!("{e}"));
    let mut run = Run::start(&playbook, at(0));
    event(
        &mut run,
        "press",
        0,
        &[("tier", AttributeValue::Text("local"))],
    );
    assert_eq!(run.state_name(), "b");
    advance(&mut run, 11);
    assert_eq!(run.state_name(), "a");
}

/// Found by a first-time user: `during office` and `outside office`, or `x >= p` and `x < p`
/// for one parameter `p`, exclude each other at every instant, yet lint called the pair of
/// transitions an instant cycle.
#[test]
fn opposite_calendar_or_parameter_tests_make_no_instant_cycle() {
    let pair = |forth: &str, back: &str| {
        format!(
            r#"
playbook: toggles
version: 1
title: Toggles
signals: {{ level: {{ kind: gauge }} }}
parameters: {{ p: {{ default: 5, min: 1, max: 10 }} }}
roles: [cm]
calendars: {{ office: {{ time_zone: Europe/Paris, hours: {{ mon-fri: "09:00-18:00" }} }} }}
initial: a
states:
  a:
    on: [{{ to: b, when: "{forth}" }}]
  b:
    on: [{{ to: a, when: "{back}" }}]
"#
        )
    };
    for (forth, back) in [
        ("during office", "outside office"),
        ("level >= p", "level < p"),
        ("level >= p and during office", "outside office"),
    ] {
        let text = pair(forth, back);
        crisis_playbook::Playbook::from_yaml_str(&text)
            .unwrap_or_else(|e| panic!("{forth} / {back}: {e}"));
    }
    // Two tests that can both hold still loop.
    for (forth, back) in [("during office", "level > 3"), ("level >= p", "level > p")] {
        let error = playbook_error(&pair(forth, back));
        assert!(
            error.contains("a -> b -> a can loop forever with no time passing"),
            "{forth} / {back}: {error}"
        );
    }
}

/// A ladder can be stopped by any of several inputs: the venue's own acknowledgement stops it
/// as the team's does.
#[test]
fn a_ladder_stops_on_any_of_its_unless_signals() {
    let text = PLAYBOOK
        .replace(
            "  known: { kind: manual }\n",
            "  known: { kind: manual }\n  venue_ack: { kind: manual }\n",
        )
        .replace("      unless: ack\n", "      unless: [ack, venue_ack]\n");
    let mut run = Run::start(&playbook(&text), at(0));
    number(&mut run, "level", 0, 3.0).unwrap();
    advance(&mut run, 10);
    assert_eq!(run.state_name(), "alert");
    let events = manual(&mut run, "venue_ack", 12, "venue");
    assert_eq!(describe(&events), ["input:venue_ack:stopped"]);
    assert!(run.pending_escalation().is_none());
    let wrong =
        playbook_error(&PLAYBOOK.replace("      unless: ack\n", "      unless: [ack, level]\n"));
    assert!(
        wrong.contains("states.alert.escalate.unless[1]: a ladder stops on a person's acknowledgement, but `level` is a gauge signal"),
        "{wrong}"
    );
}

fn playbook_error(text: &str) -> String {
    crisis_playbook::Playbook::from_yaml_str(text)
        .unwrap_err()
        .to_string()
}

/// Past the wake-up budget of one call, a recurring action is emitted once, counting the
/// occurrences it stands for, and the timeline line says so.
#[test]
fn a_recurrence_caught_up_past_the_budget_counts_what_it_missed() {
    let text = r#"
playbook: updates
version: 1
title: Updates
signals: { resolve: { kind: manual } }
roles: [lead]
initial: crisis
states:
  crisis:
    enter: [{ do: update, owner: lead, every: 1m, say: Post an update }]
    on: [{ to: closed, when: resolve }]
  closed: { final: true }
"#;
    let mut run = Run::start(&playbook(text), at(0));
    // A week of minutes: more occurrences than one call processes one by one.
    let events = run.advance_to(at(60 * 24 * 7)).to_vec();
    let (missed, event) = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Action { missed, .. } if *missed > 0 => Some((*missed, e)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no caught-up action in {} events", events.len()));
    assert!(
        events.len() <= crisis_playbook::MAX_INSTANTS_PER_CALL + 1,
        "{}",
        events.len()
    );
    assert!(missed > 1_000, "{missed}");
    assert!(
        crisis_playbook::timeline::format_event(event)
            .contains(&format!("({missed} missed before it)")),
        "{}",
        crisis_playbook::timeline::format_event(event)
    );
}

#[test]
fn a_moved_deadline_reads_as_one_timeline_line() {
    let mut run = into_alert();
    let moved = manual(&mut run, "known", 20, "dpo");
    let line = crisis_playbook::timeline::format_event(&moved[1]);
    assert!(
        line.ends_with("alert: notify (lead) now due 2026-03-05T00:20:00Z, counted from known"),
        "{line}"
    );
}

const TIMED_BY_PARAMETERS: &str = r#"
playbook: timed
version: 1
title: Timed
parameters:
  grace: { default: 30m, min: 10m, max: 2h }
  cadence: { default: 1h, min: 15m, max: 1d }
  patience: { default: 20m, min: 1m, max: 1h }
  settle: { default: 10m, min: 1m, max: 1h }
signals:
  level: { kind: gauge }
  ack: { kind: manual }
roles: [cm, lead]
initial: calm
states:
  calm:
    on: [{ to: alert, when: level >= 5, for: settle }]
  alert:
    enter: [{ do: update, owner: cm, within: grace, every: cadence, say: Post an update }]
    escalate:
      unless: ack
      steps: [{ to: lead, after: patience }]
    on: [{ to: closed, after: 1d }]
  closed: { final: true }
"#;

/// `for`, `within`, `every` and a step's `after` may name a duration parameter; each run uses
/// its own value.
#[test]
fn timers_can_be_duration_parameters_set_per_run() {
    let book = playbook(TIMED_BY_PARAMETERS);
    let lines = |settings: RunSettings| {
        let mut run = Run::with_settings(&book, settings, at(0)).unwrap();
        number(&mut run, "level", 0, 9.0).unwrap();
        let events = advance(&mut run, 180);
        // Each action line with its deadline, in minutes from the start.
        timeline(&events)
            .into_iter()
            .zip(&events)
            .map(|(line, e)| match &e.kind {
                EventKind::Action { due: Some(due), .. } => {
                    format!("{line} due {}m", (*due - at(0)).as_secs() / 60)
                }
                _ => line,
            })
            .collect::<Vec<_>>()
    };
    let by_default = lines(RunSettings::new("a"));
    assert_eq!(
        by_default[..5],
        [
            "10m transition:calm->alert",
            "10m action:update due 40m",
            "30m escalation:lead",
            "40m breach:update",
            "70m action:update#2 due 100m",
        ],
        "{by_default:#?}"
    );
    let tuned = lines(
        RunSettings::new("b")
            .parameter("settle", Duration::from_secs(5 * 60))
            .parameter("grace", Duration::from_secs(3600))
            .parameter("cadence", Duration::from_secs(15 * 60))
            .parameter("patience", Duration::from_secs(60)),
    );
    assert_eq!(
        tuned[..4],
        [
            "5m transition:calm->alert",
            "5m action:update due 65m",
            "6m escalation:lead",
            "20m action:update#2 due 80m",
        ],
        "{tuned:#?}"
    );
}

/// A duration parameter takes a duration, a number parameter a number, and an override
/// outside the bounds is refused, each with a message that says so.
#[test]
fn a_duration_parameter_refuses_numbers_and_values_out_of_bounds() {
    let book = playbook(TIMED_BY_PARAMETERS);
    let refused = |settings: RunSettings| {
        Run::with_settings(&book, settings, at(0))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        refused(RunSettings::new("a").parameter("grace", 2.0)),
        "parameter `grace` is a duration: give it with a unit, such as `2h`"
    );
    assert_eq!(
        refused(RunSettings::new("a").parameter("grace", Duration::from_secs(3 * 3600))),
        "parameter `grace` = 3h is outside its bounds [10m, 2h]"
    );
    let semantics = playbook(PLAYBOOK);
    let err = Run::with_settings(
        &semantics,
        RunSettings::new("b").parameter("high", Duration::from_secs(60)),
        at(0),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "parameter `high` is a number, not a duration: give it without a unit, such as `2` or `30%`"
    );
}

/// A timer that names a parameter is checked over every value the parameter allows.
#[test]
fn a_timer_parameter_is_checked_over_its_bounds() {
    let error = |from: &str, to: &str| {
        let text = TIMED_BY_PARAMETERS.replace(from, to);
        assert_ne!(text, TIMED_BY_PARAMETERS, "{from}");
        playbook_error(&text)
    };
    let number = error("within: grace", "within: level");
    assert!(
        number.contains("states.alert.enter[0].within: `level` is a signal; a timer takes a duration such as `2h` or the name of a duration parameter"),
        "{number}"
    );
    let typo = error("within: grace", "within: grase");
    assert!(
        typo.contains("states.alert.enter[0].within: `grase` is not a duration or a parameter: write a duration such as `2h`, or name a duration parameter; did you mean `grace`?"),
        "{typo}"
    );
    let unbounded = error(
        "cadence: { default: 1h, min: 15m, max: 1d }",
        "cadence: { default: 1h }",
    );
    assert!(
        unbounded.contains("states.alert.enter[0].every: parameter `cadence` has no `min`, so a run could set it below 1m and flood the action's owner: give it `min: 1m` or more"),
        "{unbounded}"
    );
    let short = error(
        "cadence: { default: 1h, min: 15m, max: 1d }",
        "cadence: { default: 1h, min: 10s }",
    );
    assert!(
        short.contains("states.alert.enter[0].every: parameter `cadence` may be as short as 10s, and an action recurring every 10s would flood its owner: give it `min: 1m` or more"),
        "{short}"
    );
    let order = error(
        "steps: [{ to: lead, after: patience }]",
        "steps: [{ to: cm, after: patience }, { to: lead, after: 30m }]",
    );
    assert!(
        order.contains("states.alert.escalate.steps[1].after: steps must come later and later: 30m is not after the previous step's `patience` (as long as 1h)"),
        "{order}"
    );
    // A ladder step may come at once, so its parameter needs no `min`.
    playbook(&TIMED_BY_PARAMETERS.replace(
        "patience: { default: 20m, min: 1m, max: 1h }",
        "patience: { default: 20m, max: 1h }",
    ));
    let numeric = error(
        "settle: { default: 10m, min: 1m, max: 1h }",
        "settle: { default: 10, min: 1, max: 60 }",
    );
    assert!(
        numeric.contains("states.calm.on[0].for: parameter `settle` is a number; a timer needs a duration parameter, such as `settle: { default: 10m }`"),
        "{numeric}"
    );
}

const SAME_EVENT: &str = r#"
playbook: same-event
version: 1
title: Same event
parameters:
  reach: { default: 100000, min: 1000, max: 10000000 }
signals:
  level: { kind: gauge }
  journalist: { kind: event, attributes: { tier: [local, national], verified: bool, followers: number } }
roles: [cm]
initial: calm
states:
  calm:
    on:
      - { to: alert, when: journalist where tier == "national" and verified within 1h and level >= 5 }
      - { to: wide, when: journalist where not verified and followers >= reach }
  alert: { final: true }
  wide: { final: true }
"#;

/// `where` tests every attribute on one event: a national reporter and a verified one are
/// not a verified national reporter.
#[test]
fn a_where_clause_tests_every_attribute_on_one_event() {
    let mut run = Run::start(&playbook(SAME_EVENT), at(0));
    number(&mut run, "level", 0, 9.0).unwrap();
    let national = AttributeValue::Text("national");
    let local = AttributeValue::Text("local");
    let verified = |yes| ("verified", AttributeValue::Bool(yes));
    let few = ("followers", AttributeValue::Number(10.0));
    assert!(
        event(
            &mut run,
            "journalist",
            1,
            &[("tier", national), verified(false), few]
        )
        .is_empty()
    );
    assert!(
        event(
            &mut run,
            "journalist",
            2,
            &[("tier", local), verified(true), few]
        )
        .is_empty()
    );
    let text = run.explain().to_string();
    assert!(
        text.contains(
            "journalist where tier == \"national\" and verified within 1h:  -> does not hold"
        ),
        "{text}"
    );
    let events = event(
        &mut run,
        "journalist",
        3,
        &[("tier", national), verified(true), few],
    );
    assert_eq!(
        describe(&events),
        ["transition:calm->alert", "resolved:alert"]
    );

    // `not`, a number and a parameter, on one event too; the clause ends where a test names
    // something that is not an attribute.
    let mut run = Run::start(&playbook(SAME_EVENT), at(0));
    let many = ("followers", AttributeValue::Number(500_000.0));
    assert!(
        event(
            &mut run,
            "journalist",
            1,
            &[("tier", local), verified(true), many]
        )
        .is_empty()
    );
    let events = event(
        &mut run,
        "journalist",
        2,
        &[("tier", local), verified(false), many],
    );
    assert_eq!(
        describe(&events),
        ["transition:calm->wide", "resolved:wide"]
    );
}

#[test]
fn a_where_clause_names_what_is_wrong_in_it() {
    let error = |condition: &str| {
        let text = SAME_EVENT.replace(
            "journalist where not verified and followers >= reach",
            condition,
        );
        playbook_error(&text)
    };
    for (condition, message) in [
        (
            "journalist where tier == \"nationl\"",
            "`journalist.tier` is never \"nationl\"; did you mean `\"national\"`?",
        ),
        (
            "journalist where teir == \"national\"",
            "event `journalist` has no attribute `teir`; did you mean `tier`?",
        ),
        (
            "level where tier == \"national\"",
            "`level` is a gauge signal; only events have attributes",
        ),
        (
            "journalist where not tier",
            "attribute `journalist.tier` is not true or false: compare it with a value",
        ),
        (
            "journalist where tier == \"national\" and level > 2 and verified",
            "unknown name `verified`: it is an attribute of `journalist`, so write `journalist.verified`, or test it in `journalist where …`",
        ),
        (
            "journalist where",
            "expected an attribute of `journalist` after `where`, found the end of the condition",
        ),
    ] {
        let found = error(condition);
        assert!(found.contains(message), "{condition}: {found}");
    }
}
