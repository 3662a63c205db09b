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
