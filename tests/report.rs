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
