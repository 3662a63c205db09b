//! Transitions and escalations are logged at info level, inside spans that name the subject
//! and the playbook.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crisis_playbook::{Duration, Observation, Playbook, Run, RunSettings, Timestamp};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn replay(level: tracing::Level) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let playbook = Playbook::from_path("tests/playbooks/base.yaml").unwrap();
        let mentions = playbook.signal_named("mentions").unwrap();
        let start: Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
        let mut run = Run::with_settings(&playbook, RunSettings::new("brand-x"), start).unwrap();
        for step in 0..(26 * 12) {
            let value = if step >= 24 * 12 { 300.0 } else { 10.0 };
            let at = start + Duration::from_secs(step * 300);
            run.observe(Observation::count(mentions, at, value))
                .unwrap();
        }
        run.advance_to(start + Duration::from_secs(40 * 3600));
    });
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

#[test]
fn transitions_and_escalations_are_logged_at_info_with_subject_and_playbook() {
    let log = replay(tracing::Level::INFO);
    let transition = log.lines().find(|l| l.contains("transition")).expect(&log);
    assert!(transition.contains("INFO"), "{transition}");
    assert!(
        transition.contains("subject=brand-x") && transition.contains("playbook=test-storm"),
        "{transition}"
    );
    assert!(
        transition.contains("from=calm") && transition.contains("to=storm"),
        "{transition}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("escalation") && l.contains("brand-x")),
        "{log}"
    );
}

#[test]
fn observations_run_in_spans_that_name_subject_and_playbook() {
    let log = replay(tracing::Level::DEBUG);
    let transition = log.lines().find(|l| l.contains("transition")).expect(&log);
    assert!(
        transition.contains("observe{subject=brand-x playbook=test-storm}"),
        "{transition}"
    );
    let escalation = log
        .lines()
        .find(|l| l.contains(" escalation "))
        .expect(&log);
    assert!(
        escalation.contains("advance{subject=brand-x playbook=test-storm}")
            || escalation.contains("observe{subject=brand-x"),
        "{escalation}"
    );
}
