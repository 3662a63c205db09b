//! Spike detection on real Twitter volumes: the NAB `realTweets` files in
//! `../shared/data/nab-realtweets-dev/`, replayed through `tests/nab/spike-detector.yaml` and
//! scored the way NAB's standard profile scores detectors (see that folder's README).
//!
//! Skips, with a message, when the data is absent, unless `CI` is set.
//! Run `cargo test --release --test nab -- --nocapture` to see the scores. The scorer is NAB's,
//! checked against `../shared/data/nab-dev/score.py`.

use std::path::PathBuf;

use crisis_playbook::{EventKind, Observation, Playbook, Run, Timestamp};

const FILES: [&str; 3] = [
    "Twitter_volume_AAPL.csv",
    "Twitter_volume_CRM.csv",
    "Twitter_volume_FB.csv",
];
/// The probation: the first 15 % of a file's rows, at most 750, where detections are ignored.
const PROBATION: f64 = 0.15;
const PROBATION_CAP: usize = 750;
const FALSE_POSITIVE_WEIGHT: f64 = 0.11;

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nab-realtweets-dev");
    dir.join("windows.json").exists().then_some(dir)
}

/// NAB's scaled sigmoid.
fn scaled_sigmoid(y: f64) -> f64 {
    if y > 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * y).exp()) - 1.0
    }
}

#[derive(Debug)]
struct FileScore {
    raw: f64,
    windows: usize,
    /// Windows with at least one row past the probation: the others are neither credited nor
    /// charged.
    scored_windows: usize,
    detections: usize,
}

/// NAB's standard-profile score of `detections` (row indices) against `windows` (inclusive row
/// ranges, in order) in a file of `rows` rows, as NAB's sweeper and `score.py` compute it:
/// - a window scores its earliest detection, `sig(-(end - row + 1) / width) / sig(-1)` (1 at its
///   start), or -1 without one;
/// - a detection outside every window costs `0.11 * sig((row - end) / (width - 1))` after the
///   nearest preceding window, or 0.11 with none before it.
fn score(rows: usize, windows: &[(usize, usize)], detections: &[usize]) -> FileScore {
    let probation = ((PROBATION * rows as f64).floor() as usize).min(PROBATION_CAP);
    let scored: Vec<usize> = (0..windows.len())
        .filter(|w| windows[*w].1 >= probation)
        .collect();
    let mut credit: Vec<Option<f64>> = vec![None; windows.len()];
    let mut raw = 0.0;
    let mut rows_detected: Vec<usize> = detections.to_vec();
    rows_detected.sort_unstable();
    rows_detected.dedup();
    for &row in rows_detected
        .iter()
        .filter(|r| **r >= probation && **r < rows)
    {
        if let Some(w) = windows
            .iter()
            .position(|(start, end)| (*start..=*end).contains(&row))
        {
            let (start, end) = windows[w];
            let width = (end - start + 1) as f64;
            let value = scaled_sigmoid(-((end - row + 1) as f64) / width) / scaled_sigmoid(-1.0);
            credit[w] = Some(credit[w].map_or(value, |c: f64| c.max(value)));
        } else {
            let previous = windows.iter().rfind(|(_, end)| *end < row);
            raw += FALSE_POSITIVE_WEIGHT
                * match previous {
                    Some((start, end)) => scaled_sigmoid((row - end) as f64 / (end - start) as f64),
                    None => -1.0,
                };
        }
    }
    for w in &scored {
        raw += credit[*w].unwrap_or(-1.0);
    }
    FileScore {
        raw,
        windows: windows.len(),
        scored_windows: scored.len(),
        detections: rows_detected.len(),
    }
}

/// The rows of a NAB file and the rows of the spike detector's entries into `alert`.
fn detect(playbook: &Playbook, csv: &str) -> (Vec<Timestamp>, Vec<usize>) {
    let mentions = playbook.signal_named("mentions").unwrap();
    let rows: Vec<(Timestamp, f64)> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let (time, value) = line.split_once(',').unwrap();
            (time.parse().unwrap(), value.trim().parse().unwrap())
        })
        .collect();
    let mut run = Run::start(playbook, rows[0].0);
    let mut detections = Vec::new();
    for (index, (at, value)) in rows.iter().enumerate() {
        let events = run
            .observe(Observation::count(mentions, *at, *value))
            .unwrap();
        if events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Transition { to, .. } if to == "alert"))
        {
            detections.push(index);
        }
    }
    (rows.into_iter().map(|(at, _)| at).collect(), detections)
}

fn evaluate(playbook: &Playbook, csv: &str, windows: &[(Timestamp, Timestamp)]) -> FileScore {
    let (times, detections) = detect(playbook, csv);
    let row_of = |t: Timestamp| times.iter().rposition(|at| *at <= t).unwrap_or(0);
    let windows: Vec<(usize, usize)> = windows
        .iter()
        .map(|(s, e)| (row_of(*s), row_of(*e)))
        .collect();
    score(times.len(), &windows, &detections)
}

#[test]
fn nab_scoring_matches_the_published_rules() {
    // One window of rows 1000..=1099: a hit at its start scores 1, a centre hit about 0.86, a
    // miss -1; a false positive long after costs 0.11.
    let windows = [(1000, 1099)];
    let raw = |detections: &[usize]| score(5000, &windows, detections).raw;
    assert!((raw(&[1000]) - 1.0).abs() < 1e-9);
    assert!((raw(&[1050]) - 0.8598).abs() < 1e-3);
    assert_eq!(raw(&[]), -1.0);
    assert!((raw(&[1000, 4000]) - (1.0 - 0.11)).abs() < 1e-3);
    // Just after the window, a false positive costs almost nothing: its distance is counted in
    // widths less one row.
    assert!((raw(&[1000, 1100]) - (1.0 + 0.11 * scaled_sigmoid(1.0 / 99.0))).abs() < 1e-9);
    assert_eq!(raw(&[10, 1000]), raw(&[1000]), "probation");
    // A window inside the probation of a short file is neither credited nor charged.
    let short = score(1000, &[(10, 20), (500, 600)], &[]);
    assert_eq!(
        (short.raw, short.scored_windows, short.windows),
        (-1.0, 1, 2)
    );
}

/// The crate's scorer gives what NAB's, reproduced in `../shared/data/nab-dev/score.py`, gives
/// for the spike detector's detections on a Twitter file. It printed 81.9 where NAB scores 82.5:
/// it did not divide a hit's credit by sig(-1), and measured false positives in widths, not
/// widths less one row.
#[test]
fn the_scorer_agrees_with_nab_on_a_twitter_file() {
    let dev = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nab-dev");
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if !dev.join("score.py").exists() || python.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/data/nab-dev and python3 are required in CI"
        );
        eprintln!("skipped: ../shared/data/nab-dev or python3 is absent");
        return;
    }
    let name = "realTweets/Twitter_volume_FB.csv";
    let playbook = Playbook::from_path("tests/nab/spike-detector.yaml").unwrap();
    let csv = std::fs::read_to_string(dev.join("data").join(name)).unwrap();
    let labels: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dev.join("windows.json")).unwrap()).unwrap();
    let spans: Vec<(Timestamp, Timestamp)> = labels[name]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let at = |i: usize| format!("{}Z", w[i].as_str().unwrap().replace(' ', "T"));
            (at(0).parse().unwrap(), at(1).parse().unwrap())
        })
        .collect();
    let (times, found) = detect(&playbook, &csv);
    let row_of = |t: Timestamp| times.iter().rposition(|at| *at <= t).unwrap();
    let windows: Vec<(usize, usize)> = spans
        .iter()
        .map(|(s, e)| (row_of(*s), row_of(*e)))
        .collect();
    // The detector's own detections, then with a few false positives too, so that every rule is
    // exercised.
    let mut more = found.clone();
    more.extend([2_000, 9_000, 15_000]);
    let dir = tempfile::tempdir().unwrap();
    let mut theirs = Vec::new();
    for set in [&found, &more] {
        let file = dir.path().join("detections.json");
        std::fs::write(&file, serde_json::json!({ name: set }).to_string()).unwrap();
        let output = std::process::Command::new("python3")
            .arg(dev.join("score.py"))
            .arg(&file)
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        let line = text.lines().find(|l| l.starts_with(name)).unwrap();
        theirs.push(
            line.split_whitespace()
                .nth(1)
                .unwrap()
                .parse::<f64>()
                .unwrap(),
        );
    }
    for (set, theirs) in [&found, &more].into_iter().zip(theirs) {
        let ours = score(times.len(), &windows, set).raw;
        assert!((ours - theirs).abs() < 5e-4, "{ours} vs {theirs}");
    }
}

#[test]
fn spike_metric_scores_on_nab_twitter_volumes() {
    let Some(dir) = data_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/data/nab-realtweets-dev is required in CI"
        );
        eprintln!("skipped: ../shared/data/nab-realtweets-dev is absent");
        return;
    };
    let playbook = Playbook::from_path("tests/nab/spike-detector.yaml").unwrap();
    let labels: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("windows.json")).unwrap()).unwrap();
    let (mut raw, mut windows, mut scored) = (0.0, 0, 0);
    for file in FILES {
        let csv = std::fs::read_to_string(dir.join(file)).unwrap();
        let spans: Vec<(Timestamp, Timestamp)> = labels[format!("realTweets/{file}")]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w[0].as_str().unwrap().parse().unwrap(),
                    w[1].as_str().unwrap().parse().unwrap(),
                )
            })
            .collect();
        let result = evaluate(&playbook, &csv, &spans);
        eprintln!(
            "{file}: raw {:.3} over {} windows, {} detections",
            result.raw, result.windows, result.detections
        );
        raw += result.raw;
        windows += result.windows;
        scored += result.scored_windows;
    }
    let null = -(scored as f64);
    let normalized = 100.0 * (raw - null) / (windows as f64 - null);
    eprintln!(
        "NAB standard score on the three files: {normalized:.1} (Numenta HTM 70.0, ARTime 84.6)"
    );
    assert!(
        normalized >= 70.0,
        "score {normalized:.1} is below Numenta HTM's 70.0"
    );
}
