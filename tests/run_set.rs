//! Several playbooks for one subject: hand-overs, inhibitions (mute and defer), one clock,
//! snapshots, and the errors of playbooks that do not fit together.

use crisis_playbook::trace::Record;
use crisis_playbook::{
    Duration, Event, Playbook, Run, RunSet, RunSetEvent, RunSetFleet, RunSettings, Timestamp,
    timeline,
};
use proptest::prelude::*;

/// The playbook whose severity counts: `loud` is severity 4.
const ALARM: &str = "playbook: alarm
version: 1
title: Alarm
parameters:
  loud_at: { default: 5, min: 1, max: 10 }
signals:
  level: { kind: gauge }
  ack: { kind: manual }
roles: [lead]
initial: calm
states:
  calm:
    on: [{ to: loud, when: level >= loud_at }]
  loud:
    severity: 4
    on: [{ to: calm, when: level < 1 }, { to: done, when: level < 0 }]
  done: { final: true }
";

/// The playbook quieted: `busy` (severity 1) asks for a reply and escalates after 30 minutes.
const CHATTER: &str = "playbook: chatter
version: 1
title: Chatter
signals:
  talk: { kind: gauge }
  ack: { kind: manual }
roles: [cm, lead]
inhibited_by:
  - { playbook: alarm, at_least: 4, below: 3, mode: defer }
initial: quiet
states:
  quiet:
    on: [{ to: busy, when: talk >= 1 }]
  busy:
    severity: 1
    enter: [{ do: reply, owner: cm, within: 1h, say: Reply }]
    escalate: { unless: ack, steps: [{ to: lead, after: 30m }] }
    on: [{ to: quiet, when: talk < 1 }, { to: over, when: talk < 0 }]
  over: { final: true }
";

fn playbook(text: &str) -> Playbook {
    Playbook::from_yaml_str(text).unwrap()
}

fn start() -> Timestamp {
    "2026-03-02T08:00:00Z".parse().unwrap()
}

fn minutes(m: u64) -> Timestamp {
    start() + Duration::from_secs(m * 60)
}

fn record(at: Timestamp, signal: &str, value: &str) -> Record {
    Record::from_json(
        1,
        &format!(r#"{{"at": "{at}", "signal": "{signal}", {value}}}"#),
    )
    .unwrap()
}

fn gauge(at: Timestamp, signal: &str, value: f64) -> Record {
    record(at, signal, &format!(r#""value": {value}"#))
}

/// Both playbooks started at `start()`.
fn set_of(chatter: &str) -> RunSet {
    let mut set = RunSet::new("brand", &[playbook(chatter), playbook(ALARM)]).unwrap();
    set.start("alarm", start()).unwrap();
    set.start("chatter", start()).unwrap();
    set
}

/// The timeline lines of one playbook's events, as `simulate` prints them.
fn lines_of(events: &[RunSetEvent], id: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.playbook == id)
        .map(|e| timeline::format_event(&e.event))
        .collect()
}

/// Feeds records and then moves the clock to `until`, keeping every event.
fn drive(set: &mut RunSet, records: &[Record], until: Timestamp) -> Vec<RunSetEvent> {
    let mut events = Vec::new();
    for record in records {
        events.extend_from_slice(set.apply(record).unwrap());
    }
    events.extend_from_slice(set.advance_to(until));
    events
}

#[test]
fn the_set_orders_a_playbook_after_those_that_inhibit_it() {
    let set = set_of(CHATTER);
    let order: Vec<&str> = set.playbooks().map(Playbook::id).collect();
    assert_eq!(order, ["alarm", "chatter"]);
}

#[test]
fn defer_holds_actions_and_steps_and_sends_them_when_the_rule_lifts() {
    let mut set = set_of(CHATTER);
    let events = drive(
        &mut set,
        &[
            gauge(minutes(0), "level", 5.0),
            gauge(minutes(10), "talk", 1.0),
            gauge(minutes(120), "level", 0.0),
        ],
        minutes(240),
    );
    assert_eq!(
        lines_of(&events, "chatter"),
        [
            "2026-03-02T08:00:00Z  inhibited   alarm at severity 4: deferring what states below severity 3 send",
            "2026-03-02T08:10:00Z  transition  quiet -> busy (severity 1): talk >= 1 [1 vs 1]",
            "2026-03-02T08:10:00Z  deferred    busy: reply deferred by alarm at severity 4, until the inhibition lifts",
            "2026-03-02T08:40:00Z  deferred    busy: escalation step 1 deferred by alarm at severity 4, until the inhibition lifts",
            "2026-03-02T10:00:00Z  inhibition_lifted  alarm fell below the rule's severity: inhibition lifted",
            "2026-03-02T10:00:00Z  action      busy: reply -> cm, due 2026-03-02T11:00:00Z: Reply",
            "2026-03-02T10:00:00Z  escalation  busy: notify lead (step 1)",
            "2026-03-02T11:00:00Z  breach      busy: reply (cm) missed its deadline 2026-03-02T11:00:00Z",
        ]
    );
}

#[test]
fn a_deferred_action_whose_state_was_left_is_dropped() {
    let mut set = set_of(CHATTER);
    let events = drive(
        &mut set,
        &[
            gauge(minutes(0), "level", 5.0),
            gauge(minutes(10), "talk", 1.0),
            gauge(minutes(20), "talk", 0.0),
            gauge(minutes(120), "level", 0.0),
        ],
        minutes(240),
    );
    let chatter = lines_of(&events, "chatter");
    assert!(
        chatter.last().unwrap().contains("inhibition lifted"),
        "{chatter:#?}"
    );
    assert!(
        !chatter.iter().any(|l| l.contains("  action  ")),
        "{chatter:#?}"
    );
    assert_eq!(set.run("chatter").unwrap().open_actions().count(), 0);
}

#[test]
fn mute_drops_actions_and_steps_and_nothing_breaches() {
    let mut set = set_of(&CHATTER.replace("mode: defer", "mode: mute"));
    let events = drive(
        &mut set,
        &[
            gauge(minutes(0), "level", 5.0),
            gauge(minutes(10), "talk", 1.0),
            gauge(minutes(120), "level", 0.0),
        ],
        minutes(240),
    );
    assert_eq!(
        lines_of(&events, "chatter"),
        [
            "2026-03-02T08:00:00Z  inhibited   alarm at severity 4: muting what states below severity 3 send",
            "2026-03-02T08:10:00Z  transition  quiet -> busy (severity 1): talk >= 1 [1 vs 1]",
            "2026-03-02T08:10:00Z  muted       busy: reply muted by alarm at severity 4",
            "2026-03-02T08:40:00Z  muted       busy: escalation step 1 muted by alarm at severity 4",
            "2026-03-02T10:00:00Z  inhibition_lifted  alarm fell below the rule's severity: inhibition lifted",
        ]
    );
    let muted = events
        .iter()
        .find(|e| e.event.kind.name() == "muted")
        .unwrap();
    assert_eq!(
        serde_json::to_string(muted).unwrap(),
        r#"{"playbook":"chatter","at":"2026-03-02T08:10:00Z","kind":"muted","state":"busy","action":"reply","by":"alarm","severity":4}"#
    );
}

#[test]
fn a_run_alone_is_never_inhibited() {
    let chatter = playbook(CHATTER);
    let mut run = Run::start(&chatter, start());
    let talk = chatter.signal_named("talk").unwrap();
    let events = run
        .observe(crisis_playbook::Observation::gauge(talk, minutes(10), 1.0))
        .unwrap();
    assert!(events.iter().any(|e| e.kind.name() == "action"));
}

#[test]
fn an_inhibition_in_force_when_a_run_starts_quiets_its_first_actions() {
    let starts_busy = CHATTER.replace("initial: quiet", "initial: busy");
    let mut set = RunSet::new("brand", &[playbook(&starts_busy), playbook(ALARM)]).unwrap();
    set.start("alarm", start()).unwrap();
    set.apply(&gauge(minutes(0), "level", 5.0)).unwrap();
    let first: Vec<&str> = set
        .start("chatter", minutes(5))
        .unwrap()
        .iter()
        .map(|e| e.event.kind.name())
        .collect();
    assert_eq!(first, ["inhibited", "deferred"]);
}

#[test]
fn a_snapshot_taken_while_actions_are_deferred_continues_identically() {
    let records = [
        gauge(minutes(0), "level", 5.0),
        gauge(minutes(10), "talk", 1.0),
        gauge(minutes(120), "level", 0.0),
    ];
    let mut whole = set_of(CHATTER);
    let expected = drive(&mut whole, &records, minutes(240));

    let mut first = set_of(CHATTER);
    let mut events = drive(&mut first, &records[..2], minutes(60));
    let json = serde_json::to_string(&first.snapshot()).unwrap();
    assert!(
        json.contains(r#""deferred":[{"state":1,"action":0}]"#),
        "{json}"
    );
    let mut restored = crisis_playbook::RunSet::restore(
        &[playbook(CHATTER), playbook(ALARM)],
        serde_json::from_str(&json).unwrap(),
    )
    .unwrap();
    events.extend(drive(&mut restored, &records[2..], minutes(240)));
    assert_eq!(events, expected);
}

#[test]
fn a_rule_on_a_track_counts_only_that_track() {
    let breach = Playbook::from_path("playbooks/data-breach-or-recall.yaml").unwrap();
    let on_care = CHATTER.replace(
        "- { playbook: alarm, at_least: 4, below: 3, mode: defer }",
        "- { playbook: data-breach-or-recall, track: care, at_least: 3, below: 3 }",
    );
    let mut set = RunSet::new("brand", &[playbook(&on_care), breach]).unwrap();
    set.start("data-breach-or-recall", start()).unwrap();
    set.start("chatter", start()).unwrap();
    let manual = |at, signal: &str| record(at, signal, r#""by": "dpo""#);
    // The breach starts at severity 3 (comms), but care answers at 2: no inhibition yet.
    let aware = set
        .apply(&manual(minutes(10), "breach_aware"))
        .unwrap()
        .to_vec();
    assert!(!aware.iter().any(|e| e.event.kind.name() == "inhibited"));
    let high = set
        .apply(&manual(minutes(20), "high_risk"))
        .unwrap()
        .to_vec();
    assert_eq!(
        lines_of(&high, "chatter"),
        [
            "2026-03-02T08:20:00Z  inhibited   data-breach-or-recall (track care) at severity 3: muting what states below severity 3 send"
        ]
    );
}

/// Hands over to the alarm, in `loud`, with `loud_at` 2, once `confirmed`.
const WATCHER: &str = "playbook: watcher
version: 1
title: Watcher
signals: { confirmed: { kind: manual } }
roles: [lead]
initial: watching
states:
  watching:
    on: [{ to: handed, when: confirmed }]
  handed:
    final: true
    hand_over:
      - { playbook: alarm, state: loud, parameters: { loud_at: 2 } }
";

#[test]
fn a_hand_over_starts_the_playbook_in_its_state_with_its_parameters() {
    let handing = WATCHER;
    let mut set = RunSet::new("brand", &[playbook(handing), playbook(ALARM)]).unwrap();
    set.start("watcher", start()).unwrap();
    assert!(set.run("alarm").is_none());
    let events = set
        .apply(&record(minutes(5), "confirmed", r#""by": "lead""#))
        .unwrap()
        .to_vec();
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.playbook.as_str(), e.event.kind.name()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("watcher", "input"),
            ("watcher", "transition"),
            ("watcher", "hand_over"),
            ("watcher", "resolved"),
            ("alarm", "started_in")
        ]
    );
    assert_eq!(
        timeline::format_event(&events[2].event),
        "2026-03-02T08:05:00Z  hand_over   handed: hands over to playbook `alarm`, starting in loud with loud_at = 2"
    );
    let alarm = set.run("alarm").unwrap();
    assert_eq!((alarm.state_name(), alarm.now()), ("loud", minutes(5)));
    // Its parameter is the hand-over's: once calm, a level of 3 makes it loud again (the
    // default 5 would not).
    set.apply(&gauge(minutes(10), "level", 0.0)).unwrap();
    assert_eq!(set.run("alarm").unwrap().state_name(), "calm");
    set.apply(&gauge(minutes(15), "level", 3.0)).unwrap();
    assert_eq!(set.run("alarm").unwrap().state_name(), "loud");

    // A playbook already running is not started again.
    let mut again = RunSet::new("brand", &[playbook(handing), playbook(ALARM)]).unwrap();
    again.start("alarm", start()).unwrap();
    again.start("watcher", start()).unwrap();
    again
        .apply(&record(minutes(5), "confirmed", r#""by": "lead""#))
        .unwrap();
    assert_eq!(again.run("alarm").unwrap().state_name(), "calm");
}

#[test]
fn playbooks_that_do_not_fit_together_are_refused_with_every_reason() {
    let handing = "playbook: watcher
version: 1
title: Watcher
signals: { confirmed: { kind: manual } }
roles: [lead]
inhibited_by:
  - { playbook: alarm, track: legal, at_least: 2, below: 1 }
  - { playbook: chatter, at_least: 5, below: 1 }
initial: watching
states:
  watching:
    on: [{ to: handed, when: confirmed }]
  handed:
    severity: 1
    final: true
    hand_over:
      - { playbook: alarm, state: lound, parameters: { loud_at: 20, quiet_at: 1 } }
";
    let err = RunSet::new(
        "brand",
        &[playbook(handing), playbook(ALARM), playbook(CHATTER)],
    )
    .unwrap_err();
    assert!(err.is_mismatch());
    assert_eq!(
        err.to_string(),
        "the playbooks do not fit together:
watcher:17:35: error: states.handed.hand_over[0].state: playbook `alarm` has no top-level state `lound` that is not final; did you mean `loud`?
watcher:17:65: error: states.handed.hand_over[0].parameters.loud_at: for playbook `alarm`: parameter `loud_at` = 20 is outside its bounds [1, 10]
watcher:17:79: error: states.handed.hand_over[0].parameters.quiet_at: for playbook `alarm`: unknown parameter `quiet_at`
watcher:7:31: error: inhibited_by[0].track: playbook `alarm` has no track `legal`: name one of its tracks, or leave `track` out to count the whole playbook
watcher:8:36: error: inhibited_by[1].at_least: `chatter` never reaches severity 5: its highest is 1"
    );
}

#[test]
fn inhibitions_in_a_circle_are_refused() {
    let alarm = ALARM.replace(
        "roles: [lead]",
        "roles: [lead]\ninhibited_by: [{ playbook: chatter, at_least: 1, below: 5 }]",
    );
    let err = RunSet::new("brand", &[playbook(CHATTER), playbook(&alarm)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "playbooks chatter -> alarm inhibit one another in a circle: remove one of their `inhibited_by` rules"
    );
}

#[test]
fn a_record_no_playbook_declares_or_one_run_refuses_changes_nothing() {
    let mut set = set_of(CHATTER);
    let err = set.apply(&gauge(minutes(1), "noise", 1.0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1: no playbook of the set declares signal `noise`"
    );
    let err = set.apply(&record(
        minutes(1),
        "done",
        r#""action": "reply", "by": "cm""#,
    ));
    assert_eq!(
        err.unwrap_err().to_string(),
        "line 1: no run of the set has an open action `reply`"
    );
    // `level` is a gauge in alarm and a count in the second playbook: a negative value is
    // refused by the count, so the alarm does not take it either.
    let counting = CHATTER.replace(
        "talk: { kind: gauge }",
        "talk: { kind: gauge }\n  level: { kind: count }",
    );
    let mut set = set_of(&counting);
    let before = serde_json::to_string(&set.snapshot()).unwrap();
    let err = set.apply(&gauge(minutes(1), "level", -1.0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "playbook `chatter`: `level`: a count cannot be negative (-1)"
    );
    assert_eq!(serde_json::to_string(&set.snapshot()).unwrap(), before);
}

#[test]
fn the_bundled_storm_is_quieted_by_a_high_risk_breach_and_a_crisis_is_not() {
    let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let breach = Playbook::from_path("playbooks/data-breach-or-recall.yaml").unwrap();
    let mut set = RunSet::new("brand", &[storm, breach]).unwrap();
    set.start("negative-comment-storm", start()).unwrap();
    set.start("data-breach-or-recall", start()).unwrap();
    let manual = |at, signal: &str| record(at, signal, r#""by": "dpo""#);
    set.apply(&manual(minutes(10), "breach_aware")).unwrap();
    let high = set
        .apply(&manual(minutes(20), "high_risk"))
        .unwrap()
        .to_vec();
    assert!(
        lines_of(&high, "negative-comment-storm")
            == [
                "2026-03-02T08:20:00Z  inhibited   data-breach-or-recall at severity 4: muting what states below severity 3 send"
            ]
    );
    let press = record(minutes(30), "journalist", r#""attrs": {"tier": "local"}"#);
    let crisis = set.apply(&press).unwrap().to_vec();
    let storm = lines_of(&crisis, "negative-comment-storm");
    assert!(
        storm
            .iter()
            .any(|l| l.contains("crisis: holding_statement -> comms_director")),
        "{storm:#?}"
    );
    assert!(!storm.iter().any(|l| l.contains("muted")), "{storm:#?}");
}

/// Two playbooks with nothing between them: each is alarm, or chatter without its rule.
fn unlinked() -> [Playbook; 2] {
    let chatter = CHATTER.replace(
        "inhibited_by:\n  - { playbook: alarm, at_least: 4, below: 3, mode: defer }\n",
        "",
    );
    [playbook(ALARM), playbook(&chatter)]
}

fn step() -> impl Strategy<Value = (u64, u8, i8)> {
    (0u64..200, 0u8..3, -1i8..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Without hand-overs or inhibitions, a set changes nothing: each run's events are those
    /// of the same playbook run alone on the records that name its signals.
    #[test]
    fn a_set_of_unlinked_playbooks_runs_each_as_if_alone(steps in prop::collection::vec(step(), 1..30)) {
        let playbooks = unlinked();
        let mut set = RunSet::new("brand", &playbooks).unwrap();
        let mut alone: Vec<Run> = playbooks.iter().map(|p| Run::start(p, start())).collect();
        let mut from_set: Vec<Vec<Event>> = vec![Vec::new(), Vec::new()];
        let mut from_alone: Vec<Vec<Event>> = playbooks.iter().zip(&alone).map(|(_, r)| r.events().to_vec()).collect();
        for p in &playbooks {
            for e in set.start(p.id(), start()).unwrap() {
                let i = playbooks.iter().position(|q| q.id() == e.playbook).unwrap();
                from_set[i].push(e.event.clone());
            }
        }
        let mut at = start();
        for (gap, which, value) in steps {
            at = at + Duration::from_secs(gap * 60);
            let rec = match which {
                0 => gauge(at, "level", f64::from(value)),
                1 => gauge(at, "talk", f64::from(value)),
                _ => record(at, "ack", r#""by": "lead""#),
            };
            for e in set.apply(&rec).unwrap() {
                let i = playbooks.iter().position(|q| q.id() == e.playbook).unwrap();
                from_set[i].push(e.event.clone());
            }
            for (i, run) in alone.iter_mut().enumerate() {
                if run.playbook().signal_named(&rec.signal).is_some() {
                    from_alone[i].extend_from_slice(rec.apply(run).unwrap());
                }
            }
        }
        let end = at + Duration::from_secs(6 * 3600);
        for e in set.advance_to(end) {
            let i = playbooks.iter().position(|q| q.id() == e.playbook).unwrap();
            from_set[i].push(e.event.clone());
        }
        for (i, run) in alone.iter_mut().enumerate() {
            from_alone[i].extend_from_slice(run.advance_to(end));
        }
        prop_assert_eq!(from_set, from_alone);
    }
}

#[test]
fn a_playbook_id_close_to_one_of_the_set_is_refused_as_a_typo() {
    let typo = CHATTER.replace("playbook: alarm, at_least", "playbook: alarn, at_least");
    let err = RunSet::new("brand", &[playbook(&typo), playbook(ALARM)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the playbooks do not fit together:\nchatter:9:5: error: inhibited_by[0].playbook: unknown playbook `alarn`; did you mean `alarm`?"
    );
    // Far from any, it is only a rule that cannot apply here: the set is built.
    let other = CHATTER.replace("playbook: alarm, at_least", "playbook: elsewhere, at_least");
    assert!(RunSet::new("brand", &[playbook(&other), playbook(ALARM)]).is_ok());
}

#[test]
fn scenario_expectations_on_hand_overs_and_inhibitions_are_checked_at_load() {
    use crisis_playbook::testing;
    let base = std::path::Path::new("playbooks/misinformation-rumour");
    let text = [
        "scenario: x",
        "playbook: ../misinformation-rumour.yaml",
        "start: 2026-03-02T00:00:00Z",
        "expect:",
        "  - { starts_in: assessing }",
        "  - { hand_over: data-breach-or-recal }",
        "  - { inhibition_lifted: data-breach-or-recall }",
    ]
    .join("\n");
    let err = testing::load_text(&text, "x.yaml", base).unwrap_err();
    let messages: Vec<String> = err
        .diagnostics()
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        messages,
        [
            "`starts_in` goes with `hand_over`: give the playbook handed over to",
            "no state of `misinformation-rumour` hands over to `data-breach-or-recal`; did you mean `data-breach-or-recall`?",
            "no `inhibited_by` rule of `misinformation-rumour` names `data-breach-or-recall`",
        ]
    );
}

fn subject_step() -> impl Strategy<Value = (u64, u8, u8, i8)> {
    (0u64..200, 0u8..3, 0u8..3, -1i8..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A fleet of sets is one set per subject and nothing more: each subject's events are those
    /// of its own `RunSet` fed its own records, whatever the other subjects do.
    #[test]
    fn a_fleet_of_sets_runs_each_subject_as_its_own_set(steps in prop::collection::vec(subject_step(), 1..30)) {
        let playbooks = [playbook(CHATTER), playbook(ALARM)];
        let subjects = ["brand-a", "brand-b", "brand-c"];
        let mut fleet = RunSetFleet::new(&playbooks).unwrap()
            .start_on_first_sight(&["alarm", "chatter"]).unwrap();
        let mut sets: Vec<Option<RunSet>> = vec![None, None, None];
        let mut from_fleet: Vec<Vec<RunSetEvent>> = vec![Vec::new(); 3];
        let mut from_sets: Vec<Vec<RunSetEvent>> = vec![Vec::new(); 3];
        let mut at = start();
        for (gap, who, which, value) in steps {
            at = at + Duration::from_secs(gap * 60);
            let who = usize::from(who);
            let rec = match which {
                0 => gauge(at, "level", f64::from(value)),
                1 => gauge(at, "talk", f64::from(value)),
                _ => record(at, "ack", r#""by": "lead""#),
            };
            let set = sets[who].get_or_insert_with(|| {
                let mut set = RunSet::new(subjects[who], &playbooks).unwrap();
                from_sets[who].extend_from_slice(set.start("alarm", at).unwrap());
                from_sets[who].extend_from_slice(set.start("chatter", at).unwrap());
                set
            });
            match (set.apply(&rec), fleet.apply(subjects[who], &rec)) {
                (Ok(alone), Ok(together)) => {
                    from_sets[who].extend_from_slice(alone);
                    from_fleet[who].extend_from_slice(together);
                }
                (Err(alone), Err(together)) => {
                    prop_assert_eq!(format!("subject `{}`: {alone}", subjects[who]), together.to_string());
                }
                (alone, together) => prop_assert!(false, "{alone:?} vs {together:?}"),
            }
        }
        let end = at + Duration::from_secs(6 * 3600);
        for (subject, events) in fleet.advance_to(end) {
            let who = subjects.iter().position(|s| *s == subject).unwrap();
            from_fleet[who].extend(events);
        }
        for (who, set) in sets.iter_mut().enumerate() {
            if let Some(set) = set {
                from_sets[who].extend_from_slice(set.advance_to(end));
            }
        }
        prop_assert_eq!(from_fleet, from_sets);
    }
}

#[test]
fn a_fleet_of_sets_quiets_a_playbook_only_for_the_subject_whose_other_playbook_is_severe() {
    let mut fleet = RunSetFleet::new(&[playbook(CHATTER), playbook(ALARM)])
        .unwrap()
        .start_on_first_sight(&["alarm", "chatter"])
        .unwrap();
    fleet
        .apply("brand-a", &gauge(minutes(0), "level", 5.0))
        .unwrap();
    let loud = fleet
        .apply("brand-a", &gauge(minutes(10), "talk", 1.0))
        .unwrap()
        .to_vec();
    let calm = fleet
        .apply("brand-b", &gauge(minutes(10), "talk", 1.0))
        .unwrap()
        .to_vec();
    assert_eq!(
        lines_of(&loud, "chatter"),
        [
            "2026-03-02T08:10:00Z  transition  quiet -> busy (severity 1): talk >= 1 [1 vs 1]",
            "2026-03-02T08:10:00Z  deferred    busy: reply deferred by alarm at severity 4, until the inhibition lifts",
        ]
    );
    assert_eq!(
        lines_of(&calm, "chatter"),
        [
            "2026-03-02T08:10:00Z  transition  quiet -> busy (severity 1): talk >= 1 [1 vs 1]",
            "2026-03-02T08:10:00Z  action      busy: reply -> cm, due 2026-03-02T09:10:00Z: Reply",
        ]
    );
}

#[test]
fn a_fleet_of_sets_restores_mid_incident_and_continues_identically() {
    let playbooks = [playbook(CHATTER), playbook(ALARM)];
    let build = || {
        let mut fleet = RunSetFleet::new(&playbooks)
            .unwrap()
            .start_on_first_sight(&["alarm", "chatter"])
            .unwrap();
        fleet
            .configure("chatter", RunSettings::new("brand-b").locale("fr"))
            .unwrap();
        fleet
    };
    let first = [
        ("brand-a", gauge(minutes(0), "level", 5.0)),
        ("brand-a", gauge(minutes(10), "talk", 1.0)),
        ("brand-b", gauge(minutes(10), "talk", 1.0)),
    ];
    let then = [("brand-a", gauge(minutes(120), "level", 0.0))];
    let feed = |fleet: &mut RunSetFleet, records: &[(&str, Record)], until| {
        let mut events = Vec::new();
        for (subject, record) in records {
            events.push((
                subject.to_string(),
                fleet.apply(subject, record).unwrap().to_vec(),
            ));
        }
        events.extend(fleet.advance_to(until));
        events
    };
    let mut whole = build();
    let mut expected = feed(&mut whole, &first, minutes(60));
    expected.extend(feed(&mut whole, &then, minutes(240)));

    let mut before = build();
    let mut events = feed(&mut before, &first, minutes(60));
    let json = serde_json::to_string(&before.snapshot()).unwrap();
    let mut after = RunSetFleet::restore(&playbooks, serde_json::from_str(&json).unwrap()).unwrap();
    events.extend(feed(&mut after, &then, minutes(240)));
    assert_eq!(events, expected);
    // The settings and the first-sight playbooks came back too: a new subject starts both,
    // and brand-b's settings are still there for a restart.
    assert_eq!(after.snapshot(), whole.snapshot());
}

#[test]
fn a_fleet_of_sets_refuses_what_its_sets_refuse_and_keeps_nothing_partial() {
    let mut fleet = RunSetFleet::new(&[playbook(CHATTER), playbook(ALARM)]).unwrap();
    let err = fleet
        .apply("brand-a", &gauge(minutes(0), "level", 5.0))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown subject `brand-a`: start a playbook for it with `RunSetFleet::start`, or name the playbooks to start with `start_on_first_sight`"
    );
    assert!(err.is_unknown_subject());
    let err = fleet.start("brand-a", "alarn", minutes(0)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "subject `brand-a`: playbook `alarn` is not in this set: add it to the playbooks the set is built from"
    );
    assert!(fleet.is_empty(), "a refused start keeps no set");
    let err = fleet
        .configure(
            "chatter",
            RunSettings::new("brand-a").parameter("nope", 1.0),
        )
        .unwrap_err();
    assert!(err.run_error().is_some_and(|e| e.is_settings()), "{err}");
    let mut fleet = fleet.start_on_first_sight(&["alarm"]).unwrap();
    let err = fleet
        .apply("brand-a", &gauge(minutes(0), "levle", 5.0))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "subject `brand-a`: line 1: no playbook of the set declares signal `levle`"
    );
    assert!(fleet.is_empty(), "a refused first record keeps no set");
    // Once started, a set whose every run has ended is evicted, and only it.
    let ending = ALARM.replace(
        "{ to: calm, when: level < 1 }, { to: done, when: level < 0 }",
        "{ to: done, when: level < 0 }, { to: calm, when: level < 1 }",
    );
    let mut fleet = RunSetFleet::new(&[playbook(&ending)])
        .unwrap()
        .start_on_first_sight(&["alarm"])
        .unwrap();
    fleet
        .apply("brand-a", &gauge(minutes(0), "level", 5.0))
        .unwrap();
    fleet
        .apply("brand-b", &gauge(minutes(0), "level", 1.0))
        .unwrap();
    fleet
        .apply("brand-a", &gauge(minutes(5), "level", -1.0))
        .unwrap();
    assert!(fleet.get("brand-a").unwrap().is_ended());
    assert_eq!(fleet.evict_ended(), ["brand-a"]);
    assert_eq!(fleet.subjects(), ["brand-b"]);
}

#[test]
fn a_set_refuses_a_playbook_it_does_not_hold_by_name() {
    let mut set = RunSet::new("brand", &[playbook(ALARM)]).unwrap();
    let expected =
        "playbook `chatter` is not in this set: add it to the playbooks the set is built from";
    assert_eq!(
        set.start("chatter", start()).unwrap_err().to_string(),
        expected
    );
    let err = set
        .configure("chatter", RunSettings::new("brand"))
        .unwrap_err();
    assert_eq!(err.to_string(), expected);
    assert!(set.run("alarm").is_none(), "nothing started");
}

#[test]
fn a_tampered_snapshot_with_a_deferred_action_that_does_not_exist_is_refused() {
    let mut set = set_of(CHATTER);
    drive(
        &mut set,
        &[
            gauge(minutes(0), "level", 5.0),
            gauge(minutes(10), "talk", 1.0),
        ],
        minutes(20),
    );
    let json = serde_json::to_string(&set.snapshot()).unwrap();
    let tampered = json.replace(
        r#""deferred":[{"state":1,"action":0}]"#,
        r#""deferred":[{"state":1,"action":7}]"#,
    );
    assert_ne!(tampered, json);
    let err = RunSet::restore(
        &[playbook(CHATTER), playbook(ALARM)],
        serde_json::from_str(&tampered).unwrap(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "playbook `chatter`: snapshot is inconsistent: deferred action 7 of state 1 does not exist"
    );
}

#[test]
fn a_playbook_started_by_a_hand_over_quiets_the_one_that_handed_over_at_that_instant() {
    // Chatter, once busy, calls in the alarm already loud; the alarm then defers chatter's
    // lower steps from that very instant, and its own timeline says where it started.
    let calling = CHATTER.replace(
        "    severity: 1\n",
        "    severity: 1\n    hand_over: [{ playbook: alarm, state: loud }]\n",
    );
    let playbooks = [playbook(&calling), playbook(ALARM)];
    let mut set = RunSet::new("brand", &playbooks).unwrap();
    let mut events = set.start("chatter", start()).unwrap().to_vec();
    events.extend(drive(
        &mut set,
        &[gauge(minutes(10), "talk", 1.0)],
        minutes(60),
    ));
    assert_eq!(
        lines_of(&events, "chatter"),
        [
            "2026-03-02T08:10:00Z  transition  quiet -> busy (severity 1): talk >= 1 [1 vs 1]",
            "2026-03-02T08:10:00Z  action      busy: reply -> cm, due 2026-03-02T09:10:00Z: Reply",
            "2026-03-02T08:10:00Z  hand_over   busy: hands over to playbook `alarm`, starting in loud",
            "2026-03-02T08:10:00Z  inhibited   alarm at severity 4: deferring what states below severity 3 send",
            "2026-03-02T08:40:00Z  deferred    busy: escalation step 1 deferred by alarm at severity 4, until the inhibition lifts",
        ]
    );
    assert_eq!(
        lines_of(&events, "alarm"),
        [
            "2026-03-02T08:10:00Z  started_in  started in loud (severity 4), not in the playbook's initial state: a hand-over named it"
        ]
    );
    // The after-action review of the alarm starts with the hand-over, at its severity.
    let alarm: Vec<Event> = events
        .iter()
        .filter(|e| e.playbook == "alarm")
        .map(|e| e.event.clone())
        .collect();
    let report = crisis_playbook::report::Report::from_timeline(&playbooks[1], &alarm, "en");
    assert_eq!(report.started, Some(minutes(10)));
    assert_eq!(report.max_severity, 4);
    assert_eq!(report.path, ["loud"]);
}

#[test]
fn a_scenario_checks_the_parameters_a_hand_over_gives_and_so_catches_their_mutants() {
    use crisis_playbook::testing::{self, mutants};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("watcher.yaml"), WATCHER).unwrap();
    std::fs::write(dir.path().join("alarm.yaml"), ALARM).unwrap();
    let scenario = |parameters: &str| {
        format!(
            "scenario: hands over\nplaybook: watcher.yaml\nwith: [alarm.yaml]\nstart: 2026-03-02T08:00:00Z\n\
             inputs: [{{ at: 5m, signal: confirmed, by: lead }}]\n\
             expect:\n  - {{ at: 5m, hand_over: alarm, starts_in: loud, parameters: {parameters} }}\n"
        )
    };
    let load = |text: String| testing::load_text(&text, "s.yaml", dir.path());
    let passing = load(scenario("{ loud_at: 2 }")).unwrap();
    assert!(passing[0].run().passed());
    let failing = load(scenario("{ loud_at: 3 }")).unwrap();
    let result = failing[0].run();
    assert!(!result.passed());
    // The hand-over that did happen is shown as the nearest miss.
    let shown = format!("{result:?}");
    assert!(
        shown.contains("none like it; nearest: 2026-03-02T08:05:00Z  hand_over   handed: hands over to playbook `alarm`, starting in loud with loud_at = 2"),
        "{shown}"
    );
    let err = load(scenario("{ loud_att: 2 }")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "s.yaml:7:64: error: expect[0].parameters.loud_att: no hand-over to `alarm` sets parameter `loud_att`; did you mean `loud_at`?"
    );
    // The expectation catches the mutant that drops the parameter.
    let reports = mutants::test_mutants(&passing);
    let survivors: Vec<&str> = reports[0].survivors.iter().map(String::as_str).collect();
    assert!(
        !survivors
            .iter()
            .any(|s| s.contains("parameters.loud_at dropped")),
        "{survivors:?}"
    );
}

#[test]
fn a_threshold_moved_past_no_severity_makes_no_mutant() {
    use crisis_playbook::testing::{self, mutants};
    // The alarm is at 0 or 4 and chatter's states at 0 or 1: `at_least: 4` lowered to 3, or
    // `below: 3` moved to 2 or 4, changes nothing any run could show.
    let chatter = playbook(CHATTER);
    let made: Vec<String> = mutants::mutants(&chatter)
        .into_iter()
        .map(|m| m.change)
        .filter(|c| c.starts_with("inhibited_by"))
        .collect();
    assert_eq!(
        made,
        [
            "inhibited_by[0] (alarm) dropped",
            "inhibited_by[0] (alarm).at_least lowered: 4 -> 3",
            "inhibited_by[0] (alarm).at_least raised: 4 -> 5",
            "inhibited_by[0] (alarm).mode defer -> mute",
        ]
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("chatter.yaml"), CHATTER).unwrap();
    std::fs::write(dir.path().join("alarm.yaml"), ALARM).unwrap();
    let text = "scenario: deferred\nplaybook: chatter.yaml\nwith: [alarm.yaml]\nstart: 2026-03-02T08:00:00Z\n\
                step: 5m\nsignals: { level: 5x4, talk: 0x2 1x2 }\n\
                expect:\n  - { at: 10m, deferred: reply }\n";
    let scenarios = testing::load_text(text, "s.yaml", dir.path()).unwrap();
    assert!(scenarios[0].run().passed());
    let reports = mutants::test_mutants(&scenarios);
    let inhibition: Vec<&str> = reports[0]
        .survivors
        .iter()
        .map(String::as_str)
        .filter(|c| c.starts_with("inhibited_by"))
        .collect();
    // Lowered to 3 is the same rule with the alarm as it is; raised to 5, the alarm never
    // reaches it, which lint refuses. Dropped and flipped to mute are caught.
    assert_eq!(inhibition, Vec::<&str>::new());
}

#[test]
fn a_fleet_of_sets_starts_the_first_sight_playbooks_of_a_subject_first_met_by_start() {
    let mut fleet = RunSetFleet::new(&[playbook(CHATTER), playbook(ALARM)])
        .unwrap()
        .start_on_first_sight(&["chatter"])
        .unwrap();
    fleet.start("brand-a", "alarm", start()).unwrap();
    let set = fleet.get("brand-a").unwrap();
    assert!(
        set.run("chatter").is_some(),
        "chatter started on first sight"
    );
    assert!(set.run("alarm").is_some());
    // A subject already known gets only what is asked.
    let mut fleet = RunSetFleet::new(&[playbook(CHATTER), playbook(ALARM)]).unwrap();
    fleet.start("brand-b", "alarm", start()).unwrap();
    let mut fleet = RunSetFleet::restore(
        &[playbook(CHATTER), playbook(ALARM)],
        crisis_playbook::RunSetFleetSnapshot {
            start_on_first_sight: vec!["chatter".into()],
            ..fleet.snapshot()
        },
    )
    .unwrap();
    fleet.start("brand-b", "alarm", minutes(5)).unwrap();
    assert!(fleet.get("brand-b").unwrap().run("chatter").is_none());
}

#[test]
fn expecting_muted_from_a_playbook_whose_rules_only_defer_is_refused_at_load() {
    use crisis_playbook::testing;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("chatter.yaml"), CHATTER).unwrap();
    std::fs::write(dir.path().join("alarm.yaml"), ALARM).unwrap();
    let text = "scenario: muted\nplaybook: chatter.yaml\nwith: [alarm.yaml]\nstart: 2026-03-02T08:00:00Z\n\
                step: 5m\nsignals: { level: 5x4, talk: 0x2 1x2 }\nexpect:\n  - { at: 10m, muted: reply }\n";
    let err = testing::load_text(text, "s.yaml", dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "s.yaml:8:23: error: expect[0].muted: no `inhibited_by` rule of `chatter` has `mode: mute`, so nothing is ever muted"
    );
    // Inside `never` it is the expectation that catches the rule's mode flipped to mute.
    let never = text.replace("{ at: 10m, muted: reply }", "{ never: { muted: reply } }");
    let scenarios = testing::load_text(&never, "s.yaml", dir.path()).unwrap();
    assert!(scenarios[0].run().passed());
}

#[test]
fn a_record_for_another_playbook_does_not_fire_a_run_s_timer_due_at_that_instant() {
    // Found by the property test: chatter's escalation is due at 08:30, when the alarm takes a
    // reading and then the lead acknowledges. Alone, chatter takes the ack at 08:30 before the
    // step fires, so the step never fires; in the set it must do the same.
    let playbooks = unlinked();
    let mut set = RunSet::new("brand", &playbooks).unwrap();
    set.start("alarm", start()).unwrap();
    set.start("chatter", start()).unwrap();
    let events = drive(
        &mut set,
        &[
            gauge(minutes(0), "talk", 1.0),
            gauge(minutes(1), "level", 0.0),
            gauge(minutes(30), "level", 0.0),
            record(minutes(30), "ack", r#""by": "lead""#),
        ],
        minutes(120),
    );
    let chatter = lines_of(&events, "chatter");
    assert!(
        !chatter.iter().any(|l| l.contains("Z  escalation  ")),
        "{chatter:#?}"
    );
    assert!(
        chatter.iter().any(|l| l.starts_with("2026-03-02T08:30:00Z")
            && l.ends_with("ack by lead: escalation stopped")),
        "{chatter:#?}"
    );
}
