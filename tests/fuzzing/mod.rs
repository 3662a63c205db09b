//! What each fuzz target does with its input. The targets in `fuzz/fuzz_targets/` call these,
//! and `tests/fuzz_corpora.rs` replays the checked-in corpora through them on stable Rust, so
//! every input the fuzzer ever kept stays a regression test.
#![allow(dead_code)]

pub mod drive;

use std::path::Path;
use std::sync::OnceLock;

use crisis_playbook::{Playbook, Run, Snapshot};

/// The bundled playbooks, compiled into the fuzz targets.
pub const BUNDLED: [&str; 10] = [
    include_str!("../../playbooks/negative-comment-storm.yaml"),
    include_str!("../../playbooks/influencer-backlash.yaml"),
    include_str!("../../playbooks/tone-deaf-post.yaml"),
    include_str!("../../playbooks/failing-campaign.yaml"),
    include_str!("../../playbooks/troll-or-customer-triage.yaml"),
    include_str!("../../playbooks/service-outage-complaints.yaml"),
    include_str!("../../playbooks/account-compromise.yaml"),
    include_str!("../../playbooks/data-breach-or-recall.yaml"),
    include_str!("../../playbooks/misinformation-rumour.yaml"),
    include_str!("../../playbooks/employee-misconduct.yaml"),
];

/// The bundled playbooks, compiled once: loading is not what the run targets test.
pub fn bundled() -> &'static [Playbook] {
    static COMPILED: OnceLock<Vec<Playbook>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        BUNDLED
            .iter()
            .map(|text| Playbook::from_yaml_str(text).unwrap())
            .collect()
    })
}

/// Target 1, the playbook loader: any bytes, through the same path as a file. Whatever loads
/// must be drawable and fingerprinted the same twice.
pub fn load_playbook(data: &[u8]) {
    let loader = crisis_playbook::Loader::new();
    if let Ok(playbook) = loader.load_reader(data) {
        let again = loader.load_reader(data).unwrap();
        assert_eq!(playbook.fingerprint(), again.fingerprint());
        crisis_playbook::diagram::render(
            &playbook,
            crisis_playbook::diagram::DiagramFormat::Mermaid,
        );
    }
}

/// A playbook with a name of every kind, into whose one guard the condition goes.
const CONDITION_HOST: &str = r#"
playbook: host
version: 1
title: host
parameters:
  ratio: { default: 2, min: 1, max: 10 }
  wait: { default: 2h, min: 1m, max: 1d }
signals:
  mentions: { kind: count }
  sentiment: { kind: gauge, range: [-1, 1] }
  journalist: { kind: event, attributes: { tier: [trade, local, national], followers: number, partner: bool, name: string } }
  ack: { kind: manual }
metrics:
  volume_ratio: { spike: mentions, window: 1h }
  mood: { mean: sentiment, window: 2h }
  quiet_for: { since: mentions }
roles: [lead]
initial: calm
states:
  calm:
    on:
      - to: storm
        when: "CONDITION"
  storm:
    on:
      - { to: calm, when: ack }
"#;

/// The host playbook with `condition` as its guard.
pub fn condition_host(condition: &str) -> String {
    let mut quoted = String::new();
    for c in condition.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                quoted.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => quoted.push(c),
        }
    }
    CONDITION_HOST.replace("CONDITION", &quoted)
}

/// Target 2, the condition parser: any text as a guard, quoted so that YAML passes it through
/// unchanged. A guard that compiles is then evaluated by a run.
pub fn condition(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(playbook) = Playbook::from_yaml_str(&condition_host(text)) {
        let steps = drive::Step::decode(&data.repeat(12 / data.len().max(1) + 1));
        drive::replay(&playbook, &steps);
    }
}

/// Target 3, the scenario loader: any bytes as a scenario file beside the bundled playbooks,
/// and a scenario that loads is run.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../playbooks/negative-comment-storm");
    let base = if base.exists() {
        base
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/negative-comment-storm")
    };
    if let Ok(scenarios) = crisis_playbook::testing::load_text(text, "fuzz.yaml", &base) {
        for scenario in scenarios {
            scenario.run();
        }
    }
}

/// Target 4, snapshot restore: any bytes as a JSON snapshot of a negative-comment-storm run. A
/// snapshot that restores must run on and snapshot again to the same bytes.
pub fn snapshot(data: &[u8]) {
    let Ok(snapshot) = serde_json::from_slice::<Snapshot>(data) else {
        return;
    };
    let playbook = &bundled()[0];
    if let Ok(mut run) = Run::restore(playbook, snapshot) {
        let json = serde_json::to_string(&run.snapshot()).unwrap();
        let again = Run::restore(playbook, serde_json::from_str(&json).unwrap()).unwrap();
        assert_eq!(json, serde_json::to_string(&again.snapshot()).unwrap());
        let mut clock = run.now();
        for step in drive::Step::decode(data) {
            drive::apply(&mut run, &mut clock, &step);
        }
    }
}

/// Target 5, runs: arbitrary signal sequences on every bundled playbook. The first byte picks
/// the playbook and the second a cut. The run must replay identically, and a snapshot taken at
/// the cut and restored must go on exactly as the run that was not interrupted.
pub fn run(data: &[u8]) {
    let [which, cut, rest @ ..] = data else {
        return;
    };
    let playbook = &bundled()[usize::from(*which) % BUNDLED.len()];
    let steps = drive::Step::decode(rest);
    let straight = drive::replay(playbook, &steps);
    let cut = usize::from(*cut) % (steps.len() + 1);
    let mut clock = drive::start();
    let mut first = Run::start(playbook, clock);
    let mut resumed: Vec<String> = steps[..cut]
        .iter()
        .map(|s| drive::apply(&mut first, &mut clock, s))
        .collect();
    let json = serde_json::to_string(&first.snapshot()).unwrap();
    let mut second = Run::restore(playbook, serde_json::from_str(&json).unwrap()).unwrap();
    resumed.extend(
        steps[cut..]
            .iter()
            .map(|s| drive::apply(&mut second, &mut clock, s)),
    );
    assert_eq!(straight, resumed);
}
