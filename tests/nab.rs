//! Spike detection on real Twitter volumes: the NAB `realTweets` files in
//! `../shared/data/nab-realtweets-dev/`, replayed through `tests/nab/spike-detector.yaml` and
//! scored the way NAB's standard profile scores detectors (see that folder's README).
//!
//! Skips, with a message, when the data is absent, unless `CI` is set.
//! Run `cargo test --release --test nab -- --nocapture` to see the scores.

use std::path::PathBuf;

use crisis_playbook::{EventKind, Observation, Playbook, Run, Timestamp};

const FILES: [&str; 3] = [
    "Twitter_volume_AAPL.csv",
    "Twitter_volume_CRM.csv",
    "Twitter_volume_FB.csv",
];
const PROBATION_ROWS: usize = 750;
const FALSE_POSITIVE_WEIGHT: f64 = 0.11;

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nab-realtweets-dev");
    dir.join("windows.json").exists().then_some(dir)
}

fn scaled_sigmoid(relative_position: f64) -> f64 {
    if relative_position > 3.0 {
        -1.0
    } else {
        2.0 / (1.0 + (5.0 * relative_position).exp()) - 1.0
    }
}

struct FileScore {
    raw: f64,
    windows: usize,
    detections: usize,
}

/// NAB's standard-profile score of `detections` (row indices) against `windows` (inclusive row
/// ranges).
fn score(rows: usize, windows: &[(usize, usize)], detections: &[usize]) -> f64 {
    let mut raw = 0.0;
    let mut hit = vec![false; windows.len()];
    for &row in detections
        .iter()
        .filter(|r| **r >= PROBATION_ROWS && **r < rows)
    {
        if let Some(w) = windows
            .iter()
            .position(|(start, end)| (*start..=*end).contains(&row))
        {
            if !hit[w] {
                hit[w] = true;
                let (start, end) = windows[w];
                let width = (end - start + 1) as f64;
                raw += scaled_sigmoid(-((end - row + 1) as f64) / width);
            }
        } else {
            let previous = windows
                .iter()
                .filter(|(_, end)| *end < row)
                .max_by_key(|(_, end)| *end);
            raw += FALSE_POSITIVE_WEIGHT
                * match previous {
                    Some((start, end)) => {
                        scaled_sigmoid((row - end) as f64 / (end - start + 1) as f64)
                    }
                    None => -1.0,
                };
        }
    }
    raw - hit.iter().filter(|h| !**h).count() as f64
}

fn evaluate(playbook: &Playbook, csv: &str, windows: &[(Timestamp, Timestamp)]) -> FileScore {
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
    let row_of = |t: Timestamp| rows.iter().rposition(|(at, _)| *at <= t).unwrap_or(0);
    let windows: Vec<(usize, usize)> = windows
        .iter()
        .map(|(s, e)| (row_of(*s), row_of(*e)))
        .collect();
    FileScore {
        raw: score(rows.len(), &windows, &detections),
        windows: windows.len(),
        detections: detections.len(),
    }
}

#[test]
fn nab_scoring_matches_the_published_rules() {
    // One window of rows 1000..=1099: an early hit scores about +1, a centre hit about +0.85,
    // a miss -1; a false positive long after costs 0.11.
    let windows = [(1000, 1099)];
    assert!((score(5000, &windows, &[1000]) - 0.9866).abs() < 1e-3);
    assert!((score(5000, &windows, &[1050]) - 0.8483).abs() < 1e-3);
    assert_eq!(score(5000, &windows, &[]), -1.0);
    assert!((score(5000, &windows, &[1000, 4000]) - (0.9866 - 0.11)).abs() < 1e-3);
    assert_eq!(
        score(5000, &windows, &[10, 1000]),
        score(5000, &windows, &[1000]),
        "probation"
    );
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
    let (mut raw, mut windows) = (0.0, 0);
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
    }
    let null = -(windows as f64);
    let normalized = 100.0 * (raw - null) / (windows as f64 - null);
    eprintln!(
        "NAB standard score on the three files: {normalized:.1} (Numenta HTM 70.0, ARTime 84.6)"
    );
    assert!(
        normalized >= 70.0,
        "score {normalized:.1} is below Numenta HTM's 70.0"
    );
}
