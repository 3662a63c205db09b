//! After-action reports, pinned for two scenarios in English and French.

use crisis_playbook::report::{Outcome, Report};
use crisis_playbook::{Event, Playbook};

fn timeline(path: &str) -> Vec<Event> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn storm() -> (Playbook, Vec<Event>) {
    (
        Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap(),
        timeline("playbooks/negative-comment-storm/escalation.timeline.jsonl"),
    )
}

fn customer() -> (Playbook, Vec<Event>) {
    (
        Playbook::from_path("playbooks/troll-or-customer-triage.yaml").unwrap(),
        timeline("playbooks/troll-or-customer-triage/customer.timeline.jsonl"),
    )
}

#[test]
fn storm_report_in_english() {
    let (playbook, events) = storm();
    insta::assert_snapshot!(Report::from_timeline(&playbook, &events, "en").markdown());
}

#[test]
fn storm_report_in_french() {
    let (playbook, events) = storm();
    insta::assert_snapshot!(Report::from_timeline(&playbook, &events, "fr").markdown());
}

#[test]
fn customer_report_in_english() {
    let (playbook, events) = customer();
    insta::assert_snapshot!(Report::from_timeline(&playbook, &events, "en").markdown());
}

#[test]
fn customer_report_in_french() {
    let (playbook, events) = customer();
    insta::assert_snapshot!(Report::from_timeline(&playbook, &events, "fr").markdown());
}

#[test]
fn the_report_measures_the_response() {
    let (playbook, events) = storm();
    let report = Report::from_timeline(&playbook, &events, "en");
    assert_eq!(report.max_severity, 3);
    assert_eq!(
        report.path,
        [
            "monitoring",
            "watch",
            "issue",
            "crisis",
            "recovering",
            "closed"
        ]
    );
    assert!(report.resolved);
    let statement = report
        .deadlines
        .iter()
        .find(|d| d.action == "holding_statement")
        .unwrap();
    assert_eq!(statement.outcome, Outcome::Met);
    assert!(
        report
            .deadlines
            .iter()
            .any(|d| d.action == "pause_schedule" && d.outcome == Outcome::Breached)
    );
    assert!(
        report
            .follow_ups
            .iter()
            .any(|f| f.contains("`pause_schedule` (social_lead)"))
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["max_severity"], 3);
    assert_eq!(json["deadlines"][0]["outcome"], "breached");
}

#[test]
fn the_digest_gathers_incidents_breaches_and_false_alarms() {
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let reports: Vec<(String, Report)> = ["escalation", "false-alarm", "issue-contained"]
        .iter()
        .map(|name| {
            let events = timeline(&format!(
                "playbooks/negative-comment-storm/{name}.timeline.jsonl"
            ));
            (
                name.to_string(),
                Report::from_timeline(&playbook, &events, "en"),
            )
        })
        .collect();
    let digest = crisis_playbook::report::Digest::from_reports(&reports, "en");
    assert_eq!(digest.incidents.len(), 3);
    assert_eq!(digest.false_alarms, ["false-alarm"]);
    assert_eq!(
        digest.by_playbook,
        [("negative-comment-storm".to_string(), 3)]
    );
    assert!(
        digest
            .breaches
            .iter()
            .any(|b| b.subject == "escalation" && b.action == "pause_schedule")
    );
    assert!(digest.median_time_to_acknowledgement <= digest.worst_time_to_acknowledgement);
    insta::assert_snapshot!(
        crisis_playbook::report::Digest::from_reports(&reports, "fr").markdown()
    );
}

/// A storm run for `subject`: a national journalist at `start`, then an acknowledgement
/// `minutes` later.
fn journalist_then_ack(playbook: &Playbook, start: &str, minutes: u64) -> Report {
    use crisis_playbook::{AttributeValue, Duration, Observation, Run, Timestamp};
    let start: Timestamp = start.parse().unwrap();
    let journalist = playbook.signal_named("journalist").unwrap();
    let ack = playbook.signal_named("ack").unwrap();
    let mut run = Run::start(playbook, start);
    let national = [("tier", AttributeValue::Text("national"))];
    let mut timeline = run
        .observe(Observation::event(journalist, start, &national))
        .unwrap()
        .to_vec();
    let later = start + Duration::from_secs(60 * minutes);
    timeline.extend_from_slice(run.advance_to(later));
    timeline.extend_from_slice(
        run.observe(Observation::manual(ack, later, "comms_director"))
            .unwrap(),
    );
    Report::from_timeline(playbook, &timeline, "en")
}

#[test]
fn the_digest_tells_office_hours_from_the_rest() {
    use crisis_playbook::report::{AcknowledgementTimes, Digest};
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    // Paris office hours are 09:00-18:00 on weekdays. Two incidents begin inside them (a
    // Tuesday morning, ten minutes before Friday's close) and one on a Saturday night.
    let reports = vec![
        (
            "tuesday".to_string(),
            journalist_then_ack(&playbook, "2026-03-03T10:00:00+01:00", 10),
        ),
        (
            "friday".to_string(),
            journalist_then_ack(&playbook, "2026-03-06T17:50:00+01:00", 30),
        ),
        (
            "saturday".to_string(),
            journalist_then_ack(&playbook, "2026-03-07T23:00:00+01:00", 50),
        ),
    ];
    let started: Vec<_> = reports
        .iter()
        .map(|(_, r)| r.started_in_office_hours)
        .collect();
    assert_eq!(started, [Some(true), Some(true), Some(false)]);
    let digest = Digest::from_reports(&reports, "en");
    let figures = |times: &Option<AcknowledgementTimes>| {
        let t = times.as_ref().unwrap();
        (
            t.incidents,
            t.acknowledged,
            t.median.map(|d| d.to_string()),
            t.worst.map(|d| d.to_string()),
        )
    };
    // Of two times, the median is the later one, as for all incidents.
    assert_eq!(
        figures(&digest.in_office_hours),
        (2, 2, Some("30m".into()), Some("30m".into()))
    );
    assert_eq!(
        figures(&digest.out_of_office_hours),
        (1, 1, Some("50m".into()), Some("50m".into()))
    );
    let markdown = digest.markdown();
    assert!(
        markdown.contains(
            "- Incidents begun in office hours: 2, 2 acknowledged; median 30m, worst 30m\n\
             - Incidents begun out of office hours: 1, 1 acknowledged; median 50m, worst 50m\n"
        ),
        "{markdown}"
    );
    let french = Digest::from_reports(&reports, "fr").markdown();
    assert!(
        french.contains(
            "- Incidents commencés hors des heures de bureau\u{a0}: 1, dont 1 pris en charge\u{202f}; médiane 50m, pire 50m\n"
        ),
        "{french}"
    );
}

#[test]
fn breaches_out_of_office_hours_are_counted_apart() {
    use crisis_playbook::report::Digest;
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let report = |name: &str| {
        let events = timeline(&format!(
            "playbooks/negative-comment-storm/office-hours-{name}.timeline.jsonl"
        ));
        (
            name.to_string(),
            Report::from_timeline(&playbook, &events, "en"),
        )
    };
    let reports = vec![report("friday"), report("tuesday")];
    let digest = Digest::from_reports(&reports, "en");
    let out_of_hours = |subject: &str| {
        digest
            .breaches
            .iter()
            .filter(|b| b.subject == subject && b.out_of_hours == Some(true))
            .count()
    };
    assert_eq!(
        digest.breaches_out_of_hours,
        Some(out_of_hours("friday") + out_of_hours("tuesday"))
    );
    let hours = |subject: &str, action: &str| {
        digest
            .breaches
            .iter()
            .find(|b| b.subject == subject && b.action == action)
            .and_then(|b| b.out_of_hours)
    };
    // Friday 18:10 in Paris. A first reply counts in office hours, so it falls due on Monday
    // inside them; the holding statement, in calendar time and routed to on-call, falls due
    // that night.
    assert_eq!(hours("friday", "tag_and_assign"), Some(false));
    assert_eq!(hours("friday", "holding_statement"), Some(true));
    // Tuesday 10:10: the holding statement falls due in the afternoon.
    assert_eq!(hours("tuesday", "holding_statement"), Some(false));
    let count = digest.breaches_out_of_hours.unwrap();
    let total = digest.breaches.len();
    assert!(digest.markdown().contains(&format!(
        "\n{count} of {total} fell due out of office hours.\n"
    )));
    // The report of the Friday spike says when it began, in Paris time.
    let markdown = reports[0].1.markdown();
    assert!(
        markdown
            .contains("- Started: 2026-03-06T17:10:00Z (Fri 18:10 +01:00), out of office hours\n"),
        "{markdown}"
    );
    // A playbook without calendars reports as before: no office hours, no new keys.
    let (customer, events) = customer();
    let plain = Report::from_timeline(&customer, &events, "en");
    assert_eq!(plain.started_in_office_hours, None);
    let json = serde_json::to_value(&plain).unwrap();
    assert!(json.get("started_in_office_hours").is_none());
    assert!(json["deadlines"][0].get("out_of_hours").is_none());
    let digest = Digest::from_reports(&[("customer".to_string(), plain)], "en");
    let json = serde_json::to_value(&digest).unwrap();
    for key in [
        "in_office_hours",
        "out_of_office_hours",
        "breaches_out_of_hours",
    ] {
        assert!(json.get(key).is_none(), "{key}");
    }
}

#[test]
fn a_vocabulary_written_before_calendars_still_loads_and_says_it_in_english() {
    let english = std::fs::read_to_string("src/report/words/en.yaml").unwrap();
    let older: String = english
        .lines()
        .filter(|line| {
            !line.contains("office_hours")
                && !line.contains("out_of_hours")
                && !line.trim_start().starts_with("acknowledged:")
        })
        .map(|line| format!("{line}\n"))
        .collect();
    assert_ne!(older, english);
    let words = crisis_playbook::report::Vocabulary::from_yaml_str(&older).unwrap();
    assert_eq!(&words, crisis_playbook::report::Vocabulary::builtin("en"));
}

/// Found by a first-time user: a deadline in working time that ends exactly at the closing
/// time was counted out of office hours.
#[test]
fn a_deadline_at_the_closing_time_falls_in_office_hours() {
    use crisis_playbook::EventKind;
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let at = |text: &str| -> crisis_playbook::Timestamp { text.parse().unwrap() };
    let deadline = |due: &str| {
        let due = at(due);
        vec![
            Event {
                at: at("2026-03-10T17:45:00+01:00"),
                kind: EventKind::Action {
                    state: "watch".into(),
                    action: "tag_and_assign".into(),
                    owner: "community_manager".into(),
                    due: Some(due),
                    text: String::new(),
                    occurrence: 1,
                    missed: 0,
                },
            },
            Event {
                at: due,
                kind: EventKind::Breach {
                    state: "watch".into(),
                    action: "tag_and_assign".into(),
                    owner: "community_manager".into(),
                    due,
                },
            },
        ]
    };
    let hours = |due: &str| {
        Report::from_timeline(&playbook, &deadline(due), "en").deadlines[0].out_of_hours
    };
    assert_eq!(hours("2026-03-10T18:00:00+01:00"), Some(false));
    assert_eq!(hours("2026-03-10T17:59:00+01:00"), Some(false));
    assert_eq!(hours("2026-03-10T18:00:00.001+01:00"), Some(true));
    assert_eq!(hours("2026-03-10T09:00:00+01:00"), Some(false));
    assert_eq!(hours("2026-03-10T08:59:59+01:00"), Some(true));
}
