//! Live values in `say:` texts: checked when the playbook loads, filled in when the action or
//! the step is sent, written the way the run's locale writes numbers, durations and times.

use crisis_playbook::{
    AttributeValue, EventKind, Observation, Playbook, Run, RunSettings, Timestamp,
};

const PLAYBOOK: &str = r#"
playbook: live-texts
version: 1
title: Live texts
parameters:
  watch_ratio: { default: 2 }
  grace: { default: 45m }
signals:
  mentions: { kind: count }
  negative: { kind: count }
  journalist:
    kind: event
    attributes: { tier: [trade, local, national], outlet: string, verified: bool }
  ack: { kind: manual }
metrics:
  volume_ratio: { count: mentions, window: 1h }
  negative_share: { share: [negative, mentions], window: 1h }
  quiet_for: { since: journalist }
roles: [community_manager, social_lead]
initial: calm
states:
  calm:
    on:
      - to: watch
        when: volume_ratio >= 10
  watch:
    enter:
      - do: report
        owner: community_manager
        within: 30m
        say:
          en: "{subject}: volume is {volume_ratio:.1}, {negative_share:%} negative, {negative_share:.1%} exactly; due {deadline}; watch from {watch_ratio}, grace {grace}; press: {journalist.outlet} ({journalist.tier}, verified {journalist.verified}); {{braces}}"
          fr: "{subject}\u00a0: volume {volume_ratio:.1}, {negative_share:%} négatif, {negative_share:.1%} exactement\u202f; échéance {deadline}\u202f; veille dès {watch_ratio}, délai {grace}"
    escalate:
      unless: ack
      steps:
        - to: social_lead
          after: 30m
          say: "Still {negative_share:%} negative after {quiet_for} without press"
"#;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_millis(1_772_438_400_000 + minutes * 60_000).unwrap()
}

fn run_in(locale: &str, zone: Option<&str>) -> Vec<String> {
    let playbook = Playbook::from_yaml_str(PLAYBOOK).unwrap();
    let mut settings = RunSettings::new("Acme").locale(locale);
    if let Some(zone) = zone {
        settings = settings.time_zone(zone);
    }
    let mut run = Run::with_settings(&playbook, settings, at(0)).unwrap();
    let journalist = playbook.signal_named("journalist").unwrap();
    run.observe(Observation::event(
        journalist,
        at(0),
        &[
            ("tier", AttributeValue::Text("national")),
            ("outlet", AttributeValue::Text("Le Monde")),
            ("verified", AttributeValue::Bool(true)),
        ],
    ))
    .unwrap();
    run.observe(Observation::count(
        playbook.signal_named("negative").unwrap(),
        at(1),
        4.0,
    ))
    .unwrap();
    run.observe(Observation::count(
        playbook.signal_named("mentions").unwrap(),
        at(1),
        12.5,
    ))
    .unwrap();
    let mut texts = Vec::new();
    let mut collect = |events: &[crisis_playbook::Event]| {
        for event in events {
            match &event.kind {
                EventKind::Action { text, .. } => texts.push(text.clone()),
                EventKind::Escalation {
                    text: Some(text), ..
                } => texts.push(text.clone()),
                _ => {}
            }
        }
    };
    collect(run.events());
    collect(run.advance_to(at(40)));
    texts
}

#[test]
fn texts_fill_in_live_values_in_english() {
    let texts = run_in("en", None);
    assert_eq!(
        texts,
        [
            "Acme: volume is 12.5, 32% negative, 32.0% exactly; due 08:31 UTC; watch from 2, grace 45m; press: Le Monde (national, verified yes); {braces}",
            "Still 32% negative after 31m without press",
        ]
    );
}

#[test]
fn french_texts_write_numbers_and_times_the_french_way() {
    let texts = run_in("fr", Some("Europe/Paris"));
    assert_eq!(
        texts[0],
        "Acme\u{a0}: volume 12,5, 32\u{202f}% négatif, 32,0\u{202f}% exactement\u{202f}; échéance 09:31\u{202f}; veille dès 2, délai 45\u{a0}min"
    );
    // The step has no French text: the English one, written the French way.
    assert_eq!(
        texts[1],
        "Still 32\u{202f}% negative after 31\u{a0}min without press"
    );
}

fn load_error(yaml: &str) -> String {
    let error = Playbook::from_yaml_str(yaml).unwrap_err();
    error.to_string()
}

#[test]
fn every_value_is_checked_when_the_playbook_loads() {
    let cases = [
        (
            "{volum_ratio}",
            "31:16",
            "unknown value `volum_ratio`; did you mean `volume_ratio`?",
        ),
        (
            "{grace:.1}",
            "31:16",
            "`grace` is a duration: only numbers take a style such as `.1` or `%`",
        ),
        (
            "{volume_ratio:x}",
            "31:16",
            "`x` is not a style: write `.1` for one decimal, `%` for a percentage, `.1%` for both",
        ),
        (
            "Volume {volume_ratio",
            "31:22",
            "a `{` opens a value that is never closed: close it with `}`, or write `{{` for a brace",
        ),
        (
            "Volume }",
            "31:22",
            "a `}` closes no value: write `}}` for a brace",
        ),
        (
            "{journalist.outlt}",
            "31:16",
            "event `journalist` has no attribute `outlt`; did you mean `outlet`?",
        ),
        (
            "{mentions}",
            "31:16",
            "`mentions` is a signal: name a metric over it, such as a `count` or a `rate`",
        ),
        (
            "{journalist}",
            "31:16",
            "`journalist` is an event: name one of its attributes, as in `{journalist.tier}`",
        ),
    ];
    for (text, at, message) in cases {
        let yaml = PLAYBOOK.replace(
            "say:\n          en: \"{subject}",
            &format!("say: \"{text}\"\n        # {{subject}}"),
        );
        let yaml = yaml.replace("          fr: \"{subject}", "        # fr: \"{subject}");
        let expected = format!("<string>:{at}: error: states.watch.enter[0].say: {message}");
        assert!(
            load_error(&yaml).contains(&expected),
            "{text}: {}",
            load_error(&yaml)
        );
    }
    let step = PLAYBOOK.replace("after {quiet_for}", "at {deadline}");
    assert!(load_error(&step).contains(
        "states.watch.escalate.steps[0].say: `{deadline}` needs a deadline: only an action with `within` has one"
    ));
}
