//! Replays the checked-in fuzz corpora (`fuzz/corpus/<target>/`) through the fuzz targets'
//! bodies, on stable Rust: every input the fuzzer kept, and every crash it found, stays a test.

mod fuzzing;

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{} is empty", folder.display());
    for input in inputs {
        let data = std::fs::read(&input).unwrap();
        let outcome = std::panic::catch_unwind(|| body(&data));
        assert!(outcome.is_ok(), "{} panicked", input.display());
    }
}

#[test]
fn load_playbook_corpus() {
    replay("load_playbook", fuzzing::load_playbook);
}

#[test]
fn condition_corpus() {
    replay("condition", fuzzing::condition);
}

#[test]
fn scenario_corpus() {
    replay("scenario", fuzzing::scenario);
}

#[test]
fn snapshot_corpus() {
    replay("snapshot", fuzzing::snapshot);
}

#[test]
fn run_corpus() {
    replay("run", fuzzing::run);
}
