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

/// The fuzz targets' fixtures work, so that inputs reach the code they are meant for: the
/// condition host loads with a good guard, a scenario seed loads beside the bundled playbooks,
/// and a snapshot seed restores.
#[test]
fn the_seeds_reach_past_the_fixtures() {
    let host = fuzzing::condition_host("volume_ratio >= ratio and quiet_for > wait or ack");
    crisis_playbook::Playbook::from_yaml_str(&host).unwrap();
    let host = fuzzing::condition_host("mood < \"x\"");
    let err = crisis_playbook::Playbook::from_yaml_str(&host).unwrap_err();
    assert!(err.to_string().contains("states.calm.on[0].when"), "{err}");
    let seed = std::fs::read_to_string("fuzz/corpus/scenario/escalation.yaml").unwrap();
    let base = std::path::Path::new("playbooks/negative-comment-storm");
    assert!(
        crisis_playbook::testing::load_text(&seed, "seed.yaml", base).unwrap()[0]
            .run()
            .passed()
    );
    let snapshot = std::fs::read_to_string("fuzz/corpus/snapshot/demo-2500.json").unwrap();
    let playbook = &fuzzing::bundled()[0];
    crisis_playbook::Run::restore(playbook, serde_json::from_str(&snapshot).unwrap()).unwrap();
}
