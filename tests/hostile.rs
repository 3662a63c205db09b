//! Hostile input: each case gets a typed error, or is handled as documented, in bounded time and
//! memory. Every case prints its time and peak heap (`cargo test --release --test hostile --
//! --include-ignored --nocapture`). The cases share one process, so they take turns: the peak
//! of one is not the peak of another.

mod fuzzing;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crisis_playbook::files::{FileKind, FileProblem};
use crisis_playbook::{
    AttributeValue, Code, Duration, Fleet, Limits, Loader, MAX_INSTANTS_PER_CALL, Observation,
    Playbook, Run, Snapshot, Timestamp,
};

/// Counts the bytes allocated now and at the highest point since the last reset.
struct Peak;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static HIGHEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        HIGHEST.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Peak = Peak;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs a case alone, prints its time and the peak heap it added, and returns its result.
fn measure<T>(case: &str, body: impl FnOnce() -> T) -> T {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let before = CURRENT.load(Ordering::Relaxed);
    HIGHEST.store(before, Ordering::Relaxed);
    let started = Instant::now();
    let result = body();
    let elapsed = started.elapsed();
    let peak = HIGHEST.load(Ordering::Relaxed).saturating_sub(before);
    eprintln!(
        "hostile: {case}: {:.1} ms, peak {:.1} MiB",
        elapsed.as_secs_f64() * 1e3,
        peak as f64 / (1024.0 * 1024.0)
    );
    // A hang would show as a test that never ends; this catches the slow-but-finishing kind.
    assert!(elapsed.as_secs() < 120, "{case} took {elapsed:?}");
    result
}

const STORM: &str = include_str!("../playbooks/negative-comment-storm.yaml");
const BASE: &str = include_str!("playbooks/base.yaml");

fn load_error(text: &str) -> String {
    Playbook::from_yaml_str(text).unwrap_err().to_string()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

// --- YAML -------------------------------------------------------------------------------------

#[test]
fn yaml_alias_bomb() {
    // Ten aliases of ten aliases, eleven levels deep: 10^11 nodes if expanded.
    let mut bomb = String::from("  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    let at_top = format!("bomb:\n{bomb}roles: *a11\n");
    let error = measure("alias bomb, unknown key", || load_error(&at_top));
    assert!(
        error.starts_with("<string>:1:1: error: unknown key `bomb`"),
        "{error}"
    );
    let in_signals = format!("playbook: x\nversion: 1\ntitle: x\nsignals:\n{bomb}roles: *a11\n");
    let error = measure("alias bomb, inside signals", || load_error(&in_signals));
    assert_eq!(
        error,
        "<string>:5:11: error: expected a mapping of `key: value` lines"
    );
    // Aliases where the schema takes them: a list of role names, each an alias.
    let many = format!(
        "playbook: x\ntitle: x\nroles: [&r lead, {}]\n",
        vec!["*r"; 5_000].join(", ")
    );
    let error = measure("5,000 aliases in a list", || load_error(&many));
    assert_eq!(
        error,
        "<string>:3:4018: error: the document uses more than 1000 aliases or anchors, or replays \
         them too often (Limits::max_aliases)"
    );
}

#[test]
fn yaml_nesting_100000_deep() {
    let deep = format!(
        "playbook: x\nsignals: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let error = measure("nesting 100,000 deep", || load_error(&deep));
    assert_eq!(
        error,
        "<string>:2:10: error: expected a mapping of `key: value` lines"
    );
    // Block mappings nested 200 deep where a text belongs: refused at the first level.
    let indented = format!(
        "playbook: x\ntitle:\n{}",
        (1..200)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect::<String>()
    );
    let error = measure("mappings 200 deep", || load_error(&indented));
    assert_eq!(error, "<string>:4:3: error: expected a text");
}

#[test]
fn yaml_file_of_50_mb() {
    // Read as a file would be: only the first 4 MiB + 1 byte are ever read.
    let endless = std::io::Read::take(std::io::repeat(b'#'), 50 * 1024 * 1024);
    let error = measure("50 MB file, from a reader", || {
        Loader::new().load_reader(endless).unwrap_err().to_string()
    });
    assert_eq!(
        error,
        "<string>: error: the file is larger than the limit of 4194304 bytes (Limits::max_bytes): \
         check that it is the right file, or raise the limit"
    );
    let text = "#".repeat(50 * 1024 * 1024);
    let error = measure("50 MB text, in memory", || load_error(&text));
    assert_eq!(
        error,
        "<string>: error: the file is 52428800 bytes, larger than the limit of 4194304 bytes (Limits::max_bytes)"
    );
}

/// A million states: 30 MB of YAML, over the byte limit; with the byte limit raised, the state
/// limit refuses it.
#[test]
#[ignore = "heavy: run in release with --ignored"]
fn yaml_a_million_states() {
    let mut text = String::from("playbook: big\ninitial: s0\nstates:\n");
    for i in 0..1_000_000 {
        text.push_str(&format!(
            "  s{i}: {{ on: [{{ to: s{}, after: 1h }}] }}\n",
            i + 1
        ));
    }
    text.push_str("  s1000000: { final: true }\n");
    let error = measure("a million states, default limits", || load_error(&text));
    assert!(error.contains("larger than the limit"), "{error}");
    let mut limits = Limits::default();
    limits.max_bytes = 64 * 1024 * 1024;
    let error = measure("a million states, 64 MiB allowed", || {
        Loader::new()
            .limits(limits)
            .load_str(&text)
            .unwrap_err()
            .to_string()
    });
    assert_eq!(
        error,
        "<string>:222225:19: error: the document has more than 2000000 YAML nodes (Limits::max_nodes)"
    );
}

#[test]
fn yaml_a_name_of_a_million_characters() {
    let long = "a".repeat(1_000_000);
    let text = BASE.replace(
        "roles: [community_manager, social_lead]",
        &format!("roles: [community_manager, social_lead, {long}]"),
    );
    let error = measure("a name of a million characters", || load_error(&text));
    assert_eq!(
        error,
        "<string>:15:41: error: roles[2]: role name is 1000000 bytes long, over the limit of 4096 (Limits::max_name_bytes)"
    );
}

#[test]
fn yaml_invalid_utf8() {
    let mut bytes = BASE.as_bytes().to_vec();
    let second_line = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    bytes.insert(second_line + 3, 0xff);
    let error = measure("invalid UTF-8", || {
        Loader::new().load_reader(&bytes[..]).unwrap_err()
    });
    assert_eq!(error.diagnostics()[0].code, Code::Syntax);
    assert_eq!(
        error.to_string(),
        "<string>:2:4: error: the file is not valid UTF-8: save it as UTF-8"
    );
}

#[test]
fn yaml_duplicate_keys() {
    let text = BASE.replacen("initial: calm", "initial: calm\ninitial: storm", 1);
    let error = measure("duplicate keys", || load_error(&text));
    assert!(
        error.ends_with("key `initial` appears twice in this mapping: keep one"),
        "{error}"
    );
}

// --- Numbers ----------------------------------------------------------------------------------

#[test]
fn numbers_nan_and_infinity_in_a_playbook() {
    for (value, shown) in [(".nan", "NaN"), (".inf", "inf"), ("-.inf", "-inf")] {
        let text = STORM.replacen("default: 2\n", &format!("default: {value}\n"), 1);
        let error = measure(&format!("parameter default {value}"), || load_error(&text));
        assert!(error.contains("error: "), "{value}: {error}");
        assert!(!error.contains("panicked"), "{shown}");
    }
}

#[test]
fn numbers_nan_and_infinity_as_signals() {
    let playbook = Playbook::from_yaml_str(STORM).unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let sentiment = playbook.signal_named("sentiment").unwrap();
    let influencer = playbook.signal_named("influencer").unwrap();
    let start = at("2026-03-02T00:00:00Z");
    let mut run = Run::start(&playbook, start);
    let before = serde_json::to_string(&run.snapshot()).unwrap();
    let errors: Vec<String> = measure("NaN and infinities as signal values", || {
        [f64::NAN, f64::INFINITY, f64::NEG_INFINITY]
            .into_iter()
            .flat_map(|v| {
                [
                    run.observe(Observation::count(mentions, start, v))
                        .unwrap_err()
                        .to_string(),
                    run.observe(Observation::gauge(sentiment, start, v))
                        .unwrap_err()
                        .to_string(),
                    run.observe(Observation::event(
                        influencer,
                        start,
                        &[("followers", AttributeValue::Number(v))],
                    ))
                    .unwrap_err()
                    .to_string(),
                ]
            })
            .collect()
    });
    let expected = [
        "`mentions`: the value is not a finite number",
        "`sentiment`: the value is not a finite number",
        "event `influencer`: attribute `followers` must be a finite number",
    ];
    assert_eq!(errors, expected.repeat(3));
    assert_eq!(serde_json::to_string(&run.snapshot()).unwrap(), before);
}

#[test]
fn numbers_durations_that_overflow() {
    let mut errors = Vec::new();
    for duration in ["99999999999999999999d", "9223372036854776h", "1e30s"] {
        let text = STORM.replacen("for: 10m", &format!("for: {duration}"), 1);
        errors.push(measure(&format!("duration {duration}"), || {
            load_error(&text)
        }));
    }
    let place = "<string>:169:14: error: states.monitoring.on[0].for: bad duration";
    assert_eq!(
        errors,
        [
            format!("{place} `99999999999999999999d`: duration is too large"),
            format!("{place} `9223372036854776h`: duration is too large"),
            "<string>:169:15: error: states.monitoring.on[0].for: bad duration `1e30s`: unknown unit `e`: use one of w, d, h, m, s, ms".to_string(),
        ]
    );
    // The longest duration that fits is accepted; time saturates rather than wraps around.
    let text = STORM.replacen("for: 10m", "for: 18446744073709551615ms", 1);
    let playbook = Playbook::from_yaml_str(&text).unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let start = at("2026-03-02T00:00:00Z");
    let mut run = Run::start(&playbook, start);
    measure("a `for` of 584 million years", || {
        for hour in 0..100u64 {
            let when = start + Duration::from_secs(hour * 3600);
            run.observe(Observation::count(mentions, when, 500.0))
                .unwrap();
        }
        run.advance_to(at("9999-12-31T23:59:59.999Z"));
    });
    assert!(run.state_name() != "");
}

#[test]
fn numbers_timestamps_at_the_limits() {
    assert!("10000-01-01T00:00:00Z".parse::<Timestamp>().is_err());
    let playbook = Playbook::from_yaml_str(STORM).unwrap();
    let journalist = playbook.signal_named("journalist").unwrap();
    // A crisis an hour before the last instant: deadlines and ladders saturate there.
    let late = at("9999-12-31T23:00:00Z");
    let mut run = Run::start(&playbook, late);
    let events = measure("a crisis at the end of time", || {
        let mut events = run
            .observe(Observation::event(
                journalist,
                late,
                &[("tier", AttributeValue::Text("national"))],
            ))
            .unwrap()
            .to_vec();
        events.extend_from_slice(run.advance_to(at("9999-12-31T23:59:59.999Z")));
        events
    });
    assert!(events.len() > 3, "{events:?}");
    assert_eq!(run.now(), at("9999-12-31T23:59:59.999Z"));
    assert!(run.advance_to(at("9999-12-31T23:59:59.999Z")).is_empty());
    let early = at("0000-01-01T00:00:00Z");
    let mut run = Run::start(&playbook, early);
    measure("a crisis at the start of time", || {
        run.observe(Observation::event(
            journalist,
            early,
            &[("tier", AttributeValue::Text("national"))],
        ))
        .unwrap();
        run.advance_to(early + Duration::from_secs(86_400));
    });
    assert_ne!(run.state_name(), "monitoring");
}

// --- Floods -----------------------------------------------------------------------------------

/// Ten million signals, one every 5 seconds for 578 days: the run's memory does not grow.
#[test]
#[ignore = "heavy: run in release with --ignored"]
fn flood_of_ten_million_signals_for_one_run() {
    let playbook = Playbook::from_yaml_str(STORM).unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let start = at("2026-03-02T00:00:00Z");
    let mut run = Run::start(&playbook, start);
    let mut largest = 0;
    measure("ten million signals, one run", || {
        for i in 0..10_000_000u64 {
            let at = start + Duration::from_secs(i * 5);
            // A storm a day, at noon, for an hour.
            let value = if (i % 17_280) / 720 == 12 { 40.0 } else { 2.0 };
            run.observe(Observation::count(mentions, at, value))
                .unwrap();
            if i % 100_000 == 0 {
                largest = largest.max(run.heap_bytes());
            }
        }
    });
    let bytes = largest + std::mem::size_of::<Run>();
    assert!(bytes <= 8 * 1024, "{bytes} bytes");
}

/// A million subjects, each fed a crisis: memory per run stays within the 8 KiB of
/// `docs/performance.md`.
#[test]
#[ignore = "heavy: run in release with --ignored"]
fn flood_across_a_million_subjects() {
    let playbook = Playbook::from_yaml_str(STORM).unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let journalist = playbook.signal_named("journalist").unwrap();
    let start = at("2026-03-02T00:00:00Z");
    let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);
    let subjects = 1_000_000;
    let before = CURRENT.load(Ordering::Relaxed);
    measure("a million subjects", || {
        for round in 0..3u64 {
            let when = start + Duration::from_secs(round * 600);
            for s in 0..subjects {
                let subject = format!("brand-{s}");
                fleet
                    .observe(&subject, Observation::count(mentions, when, 20.0))
                    .unwrap();
                if s % 10 == 0 && round == 2 {
                    fleet
                        .observe(
                            &subject,
                            Observation::event(
                                journalist,
                                when,
                                &[("tier", AttributeValue::Text("national"))],
                            ),
                        )
                        .unwrap();
                }
            }
        }
    });
    assert_eq!(fleet.len(), subjects);
    let per_run = (CURRENT.load(Ordering::Relaxed) - before) / subjects;
    eprintln!("hostile: a million subjects: {per_run} bytes per subject, index included");
    assert!(per_run <= 8 * 1024, "{per_run} bytes per subject");
}

// --- Snapshots --------------------------------------------------------------------------------

fn storm_snapshot() -> (Playbook, String) {
    let playbook = Playbook::from_yaml_str(STORM).unwrap();
    let journalist = playbook.signal_named("journalist").unwrap();
    let start = at("2026-03-02T00:00:00Z");
    let mut run = Run::start(&playbook, start);
    run.observe(Observation::event(
        journalist,
        start,
        &[("tier", AttributeValue::Text("national"))],
    ))
    .unwrap();
    let json = serde_json::to_string(&run.snapshot()).unwrap();
    (playbook, json)
}

fn restore(playbook: &Playbook, json: &str) -> Result<Run, String> {
    let snapshot: Snapshot = serde_json::from_str(json).map_err(|e| format!("json: {e}"))?;
    Run::restore(playbook, snapshot).map_err(|e| e.to_string())
}

#[test]
fn snapshots_truncated_at_every_length() {
    let (playbook, json) = storm_snapshot();
    let refused = measure("a snapshot cut at every byte", || {
        (0..json.len())
            .filter(|cut| json.is_char_boundary(*cut))
            .filter(|cut| restore(&playbook, &json[..*cut]).is_err())
            .count()
    });
    assert_eq!(refused, json.char_indices().count());
    assert!(restore(&playbook, &json).is_ok());
}

#[test]
fn snapshots_edited() {
    let (playbook, json) = storm_snapshot();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let edit = |path: &[&str], to: serde_json::Value| {
        let mut edited = value.clone();
        let mut place = &mut edited;
        for key in path {
            place = &mut place[*key];
        }
        *place = to;
        restore(&playbook, &edited.to_string()).unwrap_err()
    };
    let errors = measure("edited snapshots", || {
        [
            edit(&["run", "state"], 99.into()),
            edit(&["run", "now"], "1999-01-01T00:00:00Z".into()),
            edit(&["run", "seq"], serde_json::Value::from(-1)),
            edit(&["run", "parameters"], serde_json::json!([1.0])),
            edit(&["run", "extra"], 1.into()),
        ]
    });
    assert_eq!(
        errors[0],
        "snapshot is inconsistent: state 99 does not exist"
    );
    assert_eq!(
        errors[1],
        "snapshot is inconsistent: times or sequence numbers are out of order"
    );
    assert!(
        errors[2].starts_with("json: invalid value: integer `-1`"),
        "{}",
        errors[2]
    );
    assert!(
        errors[3].starts_with("snapshot is inconsistent: "),
        "{}",
        errors[3]
    );
    assert!(
        errors[4].starts_with("json: unknown field `extra`"),
        "{}",
        errors[4]
    );
    // A window ring moved to the end of i64: refused, or its arithmetic would overflow.
    let mut far = value.clone();
    far["run"]["metrics"][0]["spike"]["window"]["newest"] = i64::MAX.into();
    assert_eq!(
        restore(&playbook, &far.to_string()).unwrap_err(),
        "snapshot is inconsistent: metric `volume_ratio` has the wrong shape"
    );
}

#[test]
fn snapshots_foreign_and_of_another_version() {
    let (storm, json) = storm_snapshot();
    let outage =
        Playbook::from_yaml_str(include_str!("../playbooks/service-outage-complaints.yaml"))
            .unwrap();
    let foreign = measure("a snapshot of another playbook", || {
        restore(&outage, &json).unwrap_err()
    });
    assert!(
        foreign
            .starts_with("snapshot belongs to playbook `negative-comment-storm` with fingerprint "),
        "{foreign}"
    );
    let newer = json.replacen("\"version\":3", "\"version\":4", 1);
    assert_eq!(
        restore(&storm, &newer).unwrap_err(),
        "snapshot format version 4 is not supported (this version reads 1 to 3)"
    );
    let not_json = measure("a snapshot that is not JSON", || {
        restore(&storm, "\u{feff}PK\u{3}\u{4}").unwrap_err()
    });
    assert!(not_json.starts_with("json: expected value"), "{not_json}");
}

// --- Snapshots the library writes, restored -----------------------------------------------------

/// A playbook with every kind of windowed metric, `min` and `max` among them.
const EVERY_METRIC: &str = include_str!("playbooks/valid/every-metric.yaml");

fn round_trip(run: &Run) -> Result<Run, String> {
    let json = serde_json::to_string(&run.snapshot()).map_err(|e| e.to_string())?;
    restore(run.playbook(), &json)
}

#[test]
fn snapshots_of_a_fresh_run_with_min_and_max_metrics_restore() {
    let playbook = Playbook::from_yaml_str(EVERY_METRIC).unwrap();
    let start = at("2026-03-02T00:00:00Z");
    let run = Run::start(&playbook, start);
    let restored = measure("a fresh run with min and max metrics", || round_trip(&run));
    assert_eq!(restored.map(|r| r.snapshot()), Ok(run.snapshot()));
}

#[test]
fn snapshots_survive_values_near_the_largest_number() {
    let start = at("2026-03-02T00:00:00Z");
    let mut playbooks: Vec<Playbook> = fuzzing::bundled().to_vec();
    playbooks.push(Playbook::from_yaml_str(EVERY_METRIC).unwrap());
    measure("values near f64::MAX on every playbook", || {
        for playbook in &playbooks {
            let mut run = Run::start(playbook, start);
            for signal in playbook.signals() {
                let Some(id) = playbook.signal_named(&signal.name) else {
                    continue;
                };
                for value in [1e308, 1e308, f64::MAX, -f64::MAX, 1e15, 1e15] {
                    let observation = match signal.kind {
                        crisis_playbook::SignalKind::Count => Observation::count(id, start, value),
                        crisis_playbook::SignalKind::Gauge => Observation::gauge(id, start, value),
                        _ => continue,
                    };
                    let _ = run.observe(observation);
                }
            }
            let restored = round_trip(&run).unwrap_or_else(|e| {
                panic!("{}: the snapshot does not restore: {e}", playbook.id())
            });
            assert_eq!(restored.snapshot(), run.snapshot(), "{}", playbook.id());
        }
    });
}

#[test]
fn numbers_too_large_to_sum_are_refused_with_the_limit() {
    let playbook = Playbook::from_yaml_str(STORM).unwrap();
    let mentions = playbook.signal_named("mentions").unwrap();
    let start = at("2026-03-02T00:00:00Z");
    let mut run = Run::start(&playbook, start);
    let before = serde_json::to_string(&run.snapshot()).unwrap();
    let err = run
        .observe(Observation::count(mentions, start, 1e308))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`mentions`: 1e308 is beyond ±1e15, the largest magnitude a signal may carry: \
         send it in a smaller unit"
    );
    assert_eq!(serde_json::to_string(&run.snapshot()).unwrap(), before);
    assert!(
        run.observe(Observation::count(mentions, start, 1e15))
            .is_ok()
    );
}

/// Restore checks everything `observe` relies on: a timer left far behind the clock would fire
/// once per missed period at the next signal (an edited recurrence of year 0 made 8.9 M events).
#[test]
fn snapshots_with_impossible_state_are_refused() {
    let (playbook, json) = storm_snapshot();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let recurring = value["run"]["recurrences"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| !r["next"].is_null())
        .expect("crisis has a recurring action");
    let edit = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut edited = value.clone();
        change(&mut edited["run"]);
        restore(&playbook, &edited.to_string()).unwrap_err()
    };
    let errors = measure("snapshots with impossible state", || {
        [
            edit(&|run| run["recurrences"][recurring]["next"] = "0000-01-01T00:00:00Z".into()),
            edit(&|run| run["parameters"][0] = 1000.0.into()),
            edit(&|run| run["metrics"][0]["spike"]["window"]["total"] = 5.0.into()),
            edit(&|run| run["metrics"][0]["spike"]["window"]["slots"][0] = (-1e300).into()),
            edit(&|run| run["metrics"][0]["spike"]["window"]["newest"] = 1.into()),
            edit(&|run| run["metrics"][0]["spike"]["typical"] = 3.0.into()),
            edit(&|run| run["open"][0]["due"] = "0001-01-01T00:00:00Z".into()),
            edit(&|run| run["ended"] = true.into()),
            edit(&|run| run["seen"][0]["seq"] = 1_000_000.into()),
            // A role that does not exist would panic when the action is named later.
            edit(&|run| run["open"][0]["routed_to"] = 99_999.into()),
            edit(&|run| run["open"][0]["routed_to"] = u32::MAX.into()),
        ]
    });
    let place = "snapshot is inconsistent: ";
    assert_eq!(
        errors,
        [
            format!(
                "{place}recurrences[{recurring}] is not the next occurrence of a recurring action of state `crisis`"
            ),
            format!("{place}parameter `watch_ratio` is 1000, outside its bounds [1.2, 10]"),
            format!("{place}metric `volume_ratio` holds values that no signals could have made"),
            format!("{place}metric `volume_ratio` holds values that no signals could have made"),
            format!("{place}metric `volume_ratio` holds values that no signals could have made"),
            format!("{place}metric `volume_ratio` holds values that no signals could have made"),
            format!("{place}open action `pause_schedule` has a deadline it could not have"),
            format!("{place}the run is ended in state `crisis`, which is not final"),
            format!("{place}a signal was seen after the run's clock"),
            format!("{place}open action `pause_schedule` went to a role it has no route to"),
            format!("{place}open action `pause_schedule` went to a role it has no route to"),
        ]
    );
}

// --- Far-future jumps -------------------------------------------------------------------------

/// The most events one call may emit on a bundled playbook, and the most heap it may use: one
/// call processes at most `MAX_INSTANTS_PER_CALL` instants one by one (`docs/security.md`).
const EVENTS_PER_CALL: usize = 10_000;
const HEAP_PER_CALL: usize = 16 << 20;

/// `text` with its initial state replaced, so that a run starts in `state`.
fn starting_in(text: &str, state: &str) -> Playbook {
    let text: String = text
        .lines()
        .map(|line| {
            if line.starts_with("initial:") {
                format!("initial: {state}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    Playbook::from_yaml_str(&text).unwrap()
}

/// Jumps a run started in each state of `text` to the end of time, by signal and by
/// `advance_to`, and checks each call's events and heap; returns the most events and the most
/// heap of one call.
fn jump_to_the_end_of_time_from_every_state(text: &str) -> (usize, usize) {
    let start = at("2026-03-02T00:00:00Z");
    let end = at("9999-12-31T23:59:59.999Z");
    // A run starts in a top-level state; one that holds tracks starts them.
    let names: Vec<String> = Playbook::from_yaml_str(text)
        .unwrap()
        .states()
        .iter()
        .filter(|s| s.track.is_none())
        .map(|s| s.name.clone())
        .collect();
    let (mut most, mut highest) = (0, 0);
    for name in names {
        let playbook = starting_in(text, &name);
        let signal = playbook.signals().iter().find_map(|s| {
            (s.kind == crisis_playbook::SignalKind::Count)
                .then(|| playbook.signal_named(&s.name))
                .flatten()
        });
        let mut by_signal = Run::start(&playbook, start);
        let mut by_clock = Run::start(&playbook, start);
        for (run, how) in [(&mut by_signal, "signal"), (&mut by_clock, "advance_to")] {
            let before = CURRENT.load(Ordering::Relaxed);
            HIGHEST.store(before, Ordering::Relaxed);
            let events = match (how, signal) {
                ("signal", Some(signal)) => run
                    .observe(Observation::count(signal, end, 1.0))
                    .unwrap()
                    .len(),
                _ => run.advance_to(end).len(),
            };
            let peak = HIGHEST.load(Ordering::Relaxed).saturating_sub(before);
            let case = format!("{} from `{name}` by {how}", playbook.id());
            assert!(events <= EVENTS_PER_CALL, "{case}: {events} events");
            assert!(peak <= HEAP_PER_CALL, "{case}: {peak} bytes");
            if !run.is_ended() {
                assert_eq!(run.now(), end, "{case}: the run reaches the end of time");
            }
            most = most.max(events);
            highest = highest.max(peak);
        }
    }
    (most, highest)
}

#[test]
fn far_future_jumps_from_every_state_of_every_bundled_playbook_are_bounded() {
    let most = measure("jumps to the year 9999 from every state", || {
        fuzzing::BUNDLED
            .iter()
            .map(|text| jump_to_the_end_of_time_from_every_state(text))
            .fold((0, 0), |a, b| (a.0.max(b.0), a.1.max(b.1)))
    });
    eprintln!(
        "hostile: at most {} events and {:.1} MiB in one call",
        most.0,
        most.1 as f64 / (1024.0 * 1024.0)
    );
}

/// A state that re-enters itself every second: one call a minute later stays bounded.
#[test]
fn far_future_jumps_through_a_self_loop_are_bounded() {
    let text = r#"
playbook: self-loop
version: 1
title: Self loop
signals: { mentions: { kind: count }, stop: { kind: event } }
roles: [cm]
initial: spin
states:
  spin:
    enter: [{ do: look, owner: cm, within: 1s, say: Look }]
    on:
      - { to: spin, when: not stop, for: 1s }
      - { to: closed, when: stop }
  closed: { final: true }
"#;
    let (events, _) = measure("a self-loop of one second, to the year 9999", || {
        jump_to_the_end_of_time_from_every_state(text)
    });
    assert!(
        events > MAX_INSTANTS_PER_CALL,
        "the loop ran to its budget: {events}"
    );
}

// --- Scenario files ---------------------------------------------------------------------------

/// Series under the cap one by one, over it together: the cap is on the whole file, so that
/// many series (or many scenarios inheriting one) cannot multiply it.
#[test]
fn scenario_series_over_the_cap_in_all() {
    let text = "scenario: two long series\n\
                playbook: negative-comment-storm.yaml\n\
                start: 2026-03-02T00:00:00Z\n\
                step: 5s\n\
                signals:\n  mentions: _x4000000\n  negative: _x4000000\n\
                expect: []\n";
    let error = measure("two series of 4 million steps", || {
        crisis_playbook::testing::load_text(text, "long.yaml", std::path::Path::new("playbooks"))
            .unwrap_err()
    });
    assert_eq!(error.diagnostics()[0].code, Code::Limit);
    assert_eq!(
        error.to_string(),
        "long.yaml:7:13: error: signals.negative: the series of this scenario file expand to \
         more than 6400000 values in all (the cap of a scenario file): use a longer `step`, or \
         split the scenarios into several files"
    );
}

/// Scenarios that inherit the top level's series each replay it: the copies count.
#[test]
fn scenario_series_inherited_over_the_cap() {
    let text = "playbook: negative-comment-storm.yaml\n\
                start: 2026-03-02T00:00:00Z\n\
                step: 5s\n\
                signals:\n  mentions: _x3500000 1\n\
                scenarios:\n  - { scenario: one, expect: [] }\n  - { scenario: two, expect: [] }\n";
    let error = measure("a series of 3.5 million steps, inherited twice", || {
        crisis_playbook::testing::load_text(text, "twice.yaml", std::path::Path::new("playbooks"))
            .unwrap_err()
    });
    assert_eq!(
        error.to_string(),
        "twice.yaml:5:13: error: scenarios[1].signals.mentions: the series of this scenario file \
         expand to more than 6400000 values in all (the cap of a scenario file): use a longer \
         `step`, or split the scenarios into several files"
    );
}

// --- Files, folders and lines -----------------------------------------------------------------

/// Runs `body` on a thread of its own and fails when it is still running after `seconds`: a
/// hang shows as a failed test instead of a suite that never ends.
fn within<T: Send + 'static>(seconds: u64, body: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(body()));
    receive
        .recv_timeout(std::time::Duration::from_secs(seconds))
        .unwrap_or_else(|_| panic!("still running after {seconds} s"))
}

/// A folder holding one valid playbook, `storm.yaml`.
fn folder_with_a_playbook() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("storm.yaml"), STORM).unwrap();
    folder
}

#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

fn select_playbooks(folder: &std::path::Path) -> Vec<String> {
    let found = crisis_playbook::files::select(&[folder.to_path_buf()], FileKind::Playbook);
    let prefix = folder.to_path_buf();
    found
        .unwrap()
        .iter()
        .map(|p| p.strip_prefix(&prefix).unwrap().display().to_string())
        .collect()
}

/// The playbooks of a folder, measured, and failing rather than hanging.
#[cfg(unix)]
fn select_playbooks_within(case: &str, folder: &std::path::Path) -> Vec<String> {
    let path = folder.to_path_buf();
    measure(case, || within(20, move || select_playbooks(&path)))
}

#[cfg(unix)]
#[test]
fn files_a_fifo_named_yaml_in_a_folder_is_skipped() {
    let folder = folder_with_a_playbook();
    mkfifo(&folder.path().join("stuck.yaml"));
    let found = select_playbooks_within("a FIFO among playbooks", folder.path());
    assert_eq!(found, ["storm.yaml"]);
}

#[cfg(unix)]
#[test]
fn files_a_fifo_given_as_a_playbook_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let fifo = folder.path().join("stuck.yaml");
    mkfifo(&fifo);
    let given = fifo.clone();
    let error = measure("a FIFO given as a playbook", || {
        within(20, move || Loader::new().load_path(&given).unwrap_err())
    });
    assert_eq!(error.diagnostics()[0].code, Code::Io);
    assert_eq!(
        error.to_string(),
        format!(
            "{}: error: is a FIFO, not a regular file: give a regular file, or `-` to read \
             standard input",
            fifo.display()
        )
    );
    let given = fifo.clone();
    let error = within(20, move || {
        crisis_playbook::files::select(&[given], FileKind::Playbook).unwrap_err()
    });
    assert!(
        matches!(error.problem, FileProblem::Special("FIFO")),
        "{error:?}"
    );
    let error = within(20, move || {
        crisis_playbook::testing::load_file(&fifo).unwrap_err()
    });
    assert!(error.to_string().ends_with(": error: is a FIFO, not a regular file: give a regular file, or `-` to read standard input"), "{error}");
}

#[cfg(unix)]
#[test]
fn files_two_links_to_their_own_folder_are_not_followed() {
    let folder = folder_with_a_playbook();
    std::os::unix::fs::symlink(".", folder.path().join("again")).unwrap();
    std::os::unix::fs::symlink(".", folder.path().join("once_more")).unwrap();
    let found = select_playbooks_within("two links to the folder itself", folder.path());
    assert_eq!(found, ["storm.yaml"]);
}

#[cfg(unix)]
#[test]
fn files_reached_twice_through_a_link_are_found_once() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("library")).unwrap();
    std::fs::write(folder.path().join("library/storm.yaml"), STORM).unwrap();
    std::os::unix::fs::symlink("library", folder.path().join("shortcut")).unwrap();
    std::os::unix::fs::symlink("library/storm.yaml", folder.path().join("linked.yaml")).unwrap();
    let found = select_playbooks_within("a file reached three ways", folder.path());
    // The first path in name order is kept.
    assert_eq!(found, ["library/storm.yaml"]);
}

#[test]
fn files_of_64_mib_are_read_only_to_the_limit() {
    let folder = folder_with_a_playbook();
    // Sparse: 64 MiB of zeros on disk at no cost.
    let big = folder.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(64 * 1024 * 1024)
        .unwrap();
    let path = folder.path().to_path_buf();
    let found = measure("a 64 MiB file among playbooks", || select_playbooks(&path));
    // Too large to tell what it is: its loader says why it is refused.
    assert_eq!(found, ["big.yaml", "storm.yaml"]);
    assert!(HIGHEST.load(Ordering::Relaxed) < 32 * 1024 * 1024);
    let too_large = format!(
        "{}: error: the file is larger than the limit of 4194304 bytes (Limits::max_bytes): \
         check that it is the right file, or raise the limit",
        big.display()
    );
    let error = measure("a 64 MiB playbook", || {
        Loader::new().load_path(&big).unwrap_err()
    });
    assert_eq!(error.to_string(), too_large);
    let error = measure("a 64 MiB scenario file", || {
        crisis_playbook::testing::load_file(&big).unwrap_err()
    });
    assert_eq!(error.diagnostics()[0].code, Code::Limit);
    assert_eq!(error.to_string(), too_large);
}

#[test]
fn traces_an_endless_line_is_refused_at_the_line_limit() {
    let too_long = "line 1: longer than the limit of 1048576 bytes (files::MAX_LINE_BYTES): \
                    check that it is the right file; a record must fit on one line";
    let endless = std::io::Read::take(std::io::repeat(b'a'), 64 * 1024 * 1024);
    let error = measure("an endless JSONL line", || {
        crisis_playbook::trace::TraceReader::jsonl(endless)
            .next()
            .unwrap()
            .unwrap_err()
            .to_string()
    });
    assert_eq!(error, too_long);
    let endless = std::io::Read::take(std::io::repeat(b'a'), 64 * 1024 * 1024);
    let error = measure("an endless CSV header", || {
        crisis_playbook::trace::TraceReader::csv(endless)
            .err()
            .unwrap()
            .to_string()
    });
    assert_eq!(
        error,
        "line 1: bad CSV header: line 1 is longer than the limit of 1048576 bytes \
         (files::MAX_LINE_BYTES): check that it is the right file; a record must fit on one line"
    );
    // A good line before, then zeros without end, as from /dev/zero.
    let zeros = std::io::Read::chain(
        &b"{\"at\": \"2026-03-02T08:20:00Z\", \"signal\": \"ack\", \"by\": \"lead\"}\n"[..],
        std::io::Read::take(std::io::repeat(0), 64 * 1024 * 1024),
    );
    let records: Vec<_> = measure("a line, then zeros", || {
        crisis_playbook::trace::TraceReader::jsonl(zeros).collect()
    });
    assert!(records[0].is_ok());
    assert!(
        records[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .starts_with("line 2: longer than the limit of 1048576 bytes"),
        "{:?}",
        records[1]
    );
    assert_eq!(records.len(), 2);
    assert!(records[1].as_ref().unwrap_err().is_malformed());
}

/// Found in a fresh-eyes trial: a line that is not UTF-8 was a failure to read the trace, with
/// no line, though the reader went on with the next line; and a line that is not JSON named two
/// line numbers.
#[test]
fn traces_a_bad_line_is_malformed_and_names_its_line_once() {
    let text = b"{\"at\": \"2026-03-02T08:00:00Z\", \"signal\": \"ack\", \"by\": \"lead\"}\n\
                 {\"at\": \"\xff\"}\n\
                 {\"at\": \"2026-03-02T08:00:00Z\", \"signal\": \n\
                 {\"at\": \"2026-03-02T08:01:00Z\", \"signal\": \"ack\", \"by\": \"lead\"}\n";
    let records: Vec<_> = crisis_playbook::trace::TraceReader::jsonl(&text[..]).collect();
    assert_eq!(records.len(), 4);
    let bad: Vec<(bool, Option<usize>, String)> = records[1..3]
        .iter()
        .map(|r| {
            let e = r.as_ref().unwrap_err();
            (e.is_malformed() && !e.is_io(), e.line(), e.to_string())
        })
        .collect();
    assert_eq!(
        bad,
        [
            (
                true,
                Some(2),
                "line 2: not valid UTF-8: save the trace as UTF-8".to_string()
            ),
            (
                true,
                Some(3),
                "line 3, column 41: not a valid record: EOF while parsing a value".to_string()
            ),
        ]
    );
    assert!(records[3].is_ok());
}

/// What a stored run depends on (states, metrics, timers, conditions) is separate from
/// presentation (texts, titles, descriptions) and settings (parameter values and bounds): a
/// text fix keeps every snapshot restorable, and a refusal says what changed.
#[test]
fn snapshots_survive_text_edits_and_say_what_changed_otherwise() {
    let (playbook, json) = storm_snapshot();
    let edited = |from: &str, to: &str| {
        assert!(STORM.contains(from), "{from}");
        Playbook::from_yaml_str(&STORM.replacen(from, to, 1)).unwrap()
    };
    let texts = STORM
        .replacen(
            "  en: Negative comment storm",
            "  en: A storm of negative comments",
            1,
        )
        .replacen(
            "say: { en: A watch has been open",
            "say: { en: Reminder - a watch has been open",
            1,
        );
    let texts = Playbook::from_yaml_str(&texts).unwrap();
    assert_ne!(texts.fingerprint(), playbook.fingerprint());
    assert!(restore(&texts, &json).is_ok(), "a text fix breaks restore");
    let bounds = edited("    max: 10\n", "    max: 12\n");
    assert!(
        restore(&bounds, &json).is_ok(),
        "a parameter's bounds break restore"
    );
    assert_ne!(bounds.fingerprint(), playbook.fingerprint());
    // A snapshot of format version 1 has no layout: it restores against the same playbook only.
    let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
    old["version"] = 1.into();
    old.as_object_mut().unwrap().remove("layout");
    assert!(restore(&playbook, &old.to_string()).is_ok());
    assert!(
        restore(&texts, &old.to_string())
            .unwrap_err()
            .starts_with("snapshot belongs to playbook `negative-comment-storm` with fingerprint ")
    );
    let timer = edited("for: 10m", "for: 15m");
    assert_eq!(
        restore(&timer, &json).unwrap_err(),
        "snapshot was taken under another version of playbook `negative-comment-storm`: \
         state `monitoring` changed; texts, descriptions and parameter values may change between \
         restores, but states, signals, metrics, conditions and timers may not"
    );
}
