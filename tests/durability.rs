//! The crisis service survives `kill -9` at any moment: a recorded stream is sent batch by
//! batch, each retried until acknowledged, while another thread kills the service at random
//! points (requests in flight included) and the sender restarts it on the same database. The
//! outbox read back by cursor must hold exactly the events of an uninterrupted run, each once.
//! The service also keeps its bound on subjects across requests, which only a started service
//! with `--max-subjects` shows; the example's `--self-test` covers the other bounds.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crisis_playbook::trace::Record;
use crisis_playbook::{Playbook, Run, RunSettings};
use serde_json::{Value, json};

const PLAYBOOK: &str = "playbooks/negative-comment-storm.yaml";

/// The example's binary, built if needed, in the profile of this test.
fn service_binary() -> PathBuf {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.args(["build", "--quiet", "--example", "crisis_service"]);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    assert!(
        command.status().unwrap().success(),
        "cannot build the example"
    );
    let deps = std::env::current_exe().unwrap();
    deps.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/crisis_service")
}

/// A small deterministic generator, so that kill times differ between batches but not runs.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Three days of traffic for six brands, half an hour a batch: storms, a journalist, acks.
fn recorded_batches() -> Vec<Vec<Value>> {
    let start: crisis_playbook::Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let mut batches = Vec::new();
    for batch in 0..144u64 {
        let mut signals = Vec::new();
        for step in 0..6u64 {
            let minute = (batch * 6 + step) * 5;
            let at = (start + crisis_playbook::Duration::from_secs(minute * 60)).to_string();
            for brand in 0..6u64 {
                let subject = format!("brand-{brand}");
                // Each brand has a storm on its own afternoon, four times its usual volume.
                let storm = (minute / 60) % 24 >= 14
                    && (minute / 60) % 24 < 17
                    && (minute / 1440) % 3 == brand % 3;
                let mentions = if storm { 80 } else { 20 } + (brand * 3 + minute / 5) % 7;
                signals.push(json!({ "subject": subject, "at": at, "signal": "mentions", "value": mentions }));
                signals.push(json!({ "subject": subject, "at": at, "signal": "negative", "value": if storm { 40 } else { 2 } }));
                if storm && minute % 60 == 30 && brand == 4 {
                    signals.push(json!({ "subject": subject, "at": at, "signal": "journalist", "attrs": { "tier": "local" } }));
                }
                if storm && minute % 120 == 45 && brand % 2 == 0 {
                    signals.push(json!({ "subject": subject, "at": at, "signal": "ack", "by": "social_lead" }));
                }
            }
        }
        batches.push(signals);
    }
    batches
}

/// What the service must deliver: each batch applied once, in order, as the service applies it.
fn expected_outbox(batches: &[Vec<Value>]) -> Vec<Value> {
    let playbook = Playbook::from_path(PLAYBOOK).unwrap();
    let mut runs: std::collections::BTreeMap<String, Run> = Default::default();
    let mut outbox = Vec::new();
    for batch in batches {
        for (index, signal) in batch.iter().enumerate() {
            let mut fields = signal.as_object().unwrap().clone();
            let subject = fields
                .remove("subject")
                .unwrap()
                .as_str()
                .unwrap()
                .to_string();
            let record = Record::from_json(index, &Value::Object(fields).to_string()).unwrap();
            let run = runs.entry(subject.clone()).or_insert_with(|| {
                let run =
                    Run::with_settings(&playbook, RunSettings::new(&subject), record.at).unwrap();
                outbox.extend(
                    run.events()
                        .iter()
                        .map(|e| json!({ "subject": subject, "event": e })),
                );
                run
            });
            for event in record.apply(run).unwrap() {
                outbox.push(json!({ "subject": subject, "event": event }));
            }
        }
    }
    outbox
}

/// Starts the service on a free port, with `options` after the database, address and playbook;
/// returns it and its address.
fn start(binary: &Path, db: &Path, options: &[&str]) -> (Child, String) {
    let mut child = Command::new(binary)
        .args([
            "--db",
            db.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
            "--playbook",
            PLAYBOOK,
        ])
        .args(options)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("service said {line:?}"));
    (child, format!("http://{addr}"))
}

#[test]
fn kill_9_at_random_points_loses_and_duplicates_nothing() {
    let binary = service_binary();
    let dir = std::env::temp_dir().join(format!("crisis-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("crisis.db");
    let batches = recorded_batches();
    let expected = expected_outbox(&batches);

    let (child, mut base) = start(&binary, &db, &[]);
    let service = Arc::new(Mutex::new(child));
    let kills = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let killer = {
        let (service, kills, done) = (service.clone(), kills.clone(), done.clone());
        std::thread::spawn(move || {
            let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(5 + random.next() % 60));
                let mut child = service.lock().unwrap();
                if child.try_wait().unwrap().is_none() {
                    child.kill().unwrap();
                    child.wait().unwrap();
                    kills.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build();
    // A fast build sends every batch before the killer has struck twenty times; then the
    // batches are sent again, as a client retrying acknowledged batches would, which must
    // change nothing.
    for pass in 0..50 {
        if pass > 0 && kills.load(Ordering::Relaxed) >= 20 {
            break;
        }
        for (number, signals) in batches.iter().enumerate() {
            let body = json!({ "idempotency_key": format!("batch-{number}"), "signals": signals });
            loop {
                match agent
                    .post(&format!("{base}/signals"))
                    .send_json(body.clone())
                {
                    Ok(response) => {
                        assert_eq!(response.status(), 200);
                        break;
                    }
                    Err(ureq::Error::Status(code, response)) => {
                        panic!("batch {number}: {code} {}", response.into_string().unwrap())
                    }
                    Err(_) => {
                        // Killed under us: restart on the same database and send the batch again.
                        let mut child = service.lock().unwrap();
                        if child.try_wait().unwrap().is_some() {
                            let (fresh, address) = start(&binary, &db, &[]);
                            *child = fresh;
                            base = address;
                        }
                    }
                }
            }
        }
    }
    done.store(true, Ordering::Relaxed);
    killer.join().unwrap();
    let kills = kills.load(Ordering::Relaxed);
    {
        let mut child = service.lock().unwrap();
        if child.try_wait().unwrap().is_some() {
            let (fresh, address) = start(&binary, &db, &[]);
            *child = fresh;
            base = address;
        }
    }

    let mut delivered = Vec::new();
    let mut cursor = 0;
    loop {
        let page: Value = agent
            .get(&format!("{base}/events?after={cursor}&limit=1000"))
            .call()
            .unwrap()
            .into_json()
            .unwrap();
        let events = page["events"].as_array().unwrap();
        if events.is_empty() {
            break;
        }
        for entry in events {
            assert!(entry["cursor"].as_i64().unwrap() > cursor, "cursors go up");
            cursor = entry["cursor"].as_i64().unwrap();
            delivered.push(json!({ "subject": entry["subject"], "event": entry["event"] }));
        }
    }
    service.lock().unwrap().kill().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    eprintln!(
        "durability: {} batches, {kills} kills, {} events delivered",
        batches.len(),
        delivered.len()
    );
    assert!(kills >= 20, "only {kills} kills");
    let kinds = |kind: &str| {
        expected
            .iter()
            .filter(|e| e["event"]["kind"] == kind)
            .count()
    };
    assert!(
        kinds("transition") > 10 && kinds("action") > 50 && kinds("escalation") > 5,
        "the stream is too quiet: {} events",
        expected.len()
    );
    assert_eq!(delivered.len(), expected.len(), "lost or duplicated events");
    assert!(
        delivered == expected,
        "the outbox differs from an uninterrupted run"
    );
}

/// Posts `body` to `url`; returns the status and the JSON answer, whatever the status.
fn post(url: &str, body: Value) -> (u16, Value) {
    match ureq::post(url).send_json(body) {
        Ok(response) => (response.status(), response.into_json().unwrap()),
        Err(ureq::Error::Status(code, response)) => (code, response.into_json().unwrap()),
        Err(e) => panic!("{url}: {e}"),
    }
}

/// A service that is killed when the test ends, passing or not.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn new_subjects_beyond_max_subjects_are_refused_with_507_and_change_nothing() {
    let binary = service_binary();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crisis.db");
    let (child, base) = start(&binary, &db, &["--max-subjects", "2"]);
    let _service = Service(child);
    let signal = |subject: &str| json!({ "subject": subject, "at": "2026-03-02T08:00:00Z", "signal": "mentions", "value": 20 });
    let signals = format!("{base}/signals");
    let first =
        json!({ "idempotency_key": "k1", "signals": [signal("brand-a"), signal("brand-b")] });
    let (status, answer) = post(&signals, first.clone());
    assert_eq!(status, 200, "{answer}");

    let outbox = || -> Value {
        ureq::get(&format!("{base}/events?after=0"))
            .call()
            .unwrap()
            .into_json()
            .unwrap()
    };
    let before = outbox();
    let (status, answer) = post(
        &signals,
        json!({ "idempotency_key": "k2", "signals": [signal("brand-a"), signal("brand-c")] }),
    );
    assert_eq!(status, 507);
    assert_eq!(
        answer,
        json!({ "error": "signals[1]: `brand-c` would be subject number 3, beyond the service's \
                          cap of 2 (--max-subjects): no signal of this batch was applied" })
    );
    assert_eq!(outbox(), before, "a refused batch writes no event");
    assert!(matches!(
        ureq::get(&format!("{base}/subjects/brand-c")).call(),
        Err(ureq::Error::Status(404, _))
    ));
    // Known subjects are still fed, and a retried batch still gets its stored answer.
    let (status, _) = post(
        &signals,
        json!({ "idempotency_key": "k3", "signals": [signal("brand-b")] }),
    );
    assert_eq!(status, 200);
    assert_eq!(post(&signals, first).0, 200);
}
