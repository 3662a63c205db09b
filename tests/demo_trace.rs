//! The demo trace behind the README's main command, `playbooks/negative-comment-storm/demo.jsonl`,
//! and the small deterministic generator that writes it.
//!
//! The story, one batch of mentions every 5 minutes from 2026-03-02T00:00Z: two and a half days
//! of ordinary chatter (about 20 mentions a batch, a daily rhythm, 8 % negative), enough for the
//! 7-day baseline to be usable; at 08:00 on day 3 a
//! post lands badly and volume climbs to 2.5×, then 4× with half of it negative; at 09:30 a local
//! journalist picks it up and volume reaches 7×; the comms director acknowledges the escalation;
//! the storm fades from 12:00 and is over by 16:00; the social lead signs off the next morning,
//! and the incident closes 72 hours after recovery began.
//!
//! Regenerate with `REGENERATE_DEMO=1 cargo test --test demo_trace`.

use std::fmt::Write;

const PATH: &str = "playbooks/negative-comment-storm/demo.jsonl";
const START: i64 = 1_772_409_600; // 2026-03-02T00:00:00Z
const STEP: i64 = 300;

/// A small linear congruential generator: the same noise on every machine.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as f64) / ((1u64 << 31) as f64)
    }
}

fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(START + seconds, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Volume multiplier and negative share at `hours` since the start.
fn storm(hours: f64) -> (f64, f64) {
    match hours {
        h if h < 56.0 => (1.0, 0.08),
        h if h < 56.5 => (2.5, 0.35),
        h if h < 57.5 => (4.0, 0.5),
        h if h < 60.0 => (7.0, 0.55),
        h if h < 62.0 => (3.0, 0.35),
        h if h < 64.0 => (1.5, 0.2),
        _ => (1.0, 0.08),
    }
}

fn generate() -> String {
    let mut noise = Noise(2026);
    let mut out = String::new();
    let end = (56 + 14 + 24 + 72 + 2) * 3600;
    let manual = [
        (
            57 * 3600 + 1800 + 900,
            r#""signal":"ack","by":"comms_director""#,
        ),
        (
            57 * 3600 + 1800 + 780,
            r#""signal":"done","action":"pause_schedule","by":"social_lead""#,
        ),
        (
            58 * 3600 + 1200,
            r#""signal":"done","action":"holding_statement","by":"comms_director""#,
        ),
        (
            59 * 3600 + 2400,
            r#""signal":"done","action":"status_update","by":"comms_director""#,
        ),
        (
            56 * 3600 + 2700,
            r#""signal":"done","action":"capture_evidence","by":"community_manager""#,
        ),
        (82 * 3600, r#""signal":"resolve","by":"social_lead""#),
        (
            82 * 3600 + 600,
            r#""signal":"done","action":"resume_schedule","by":"social_lead""#,
        ),
        (
            84 * 3600,
            r#""signal":"done","action":"daily_check","by":"community_manager""#,
        ),
    ];
    let mut t = 0;
    while t <= end {
        let hours = t as f64 / 3600.0;
        let (factor, negative_share) = storm(hours);
        let daily = 1.0 + 0.3 * (std::f64::consts::TAU * (hours - 14.0) / 24.0).cos();
        let mentions = (20.0 * daily * factor * (0.85 + 0.3 * noise.next())).round();
        let negative = (mentions * negative_share * (0.8 + 0.4 * noise.next()))
            .round()
            .min(mentions);
        let sentiment =
            (0.25 - 0.9 * (negative_share - 0.08) + 0.1 * (noise.next() - 0.5)).clamp(-1.0, 1.0);
        let at = time(t);
        let _ = writeln!(
            out,
            r#"{{"at":"{at}","signal":"mentions","value":{mentions}}}"#
        );
        let _ = writeln!(
            out,
            r#"{{"at":"{at}","signal":"negative","value":{negative}}}"#
        );
        let _ = writeln!(
            out,
            r#"{{"at":"{at}","signal":"sentiment","value":{:.3}}}"#,
            sentiment
        );
        if t == 57 * 3600 + 1800 {
            let _ = writeln!(
                out,
                r#"{{"at":"{at}","signal":"journalist","attrs":{{"tier":"local"}}}}"#
            );
        }
        for (when, what) in manual {
            if (t..t + STEP).contains(&when) {
                let _ = writeln!(out, r#"{{"at":"{}",{what}}}"#, time(when));
            }
        }
        t += STEP;
    }
    out
}

#[test]
fn committed_demo_trace_is_the_generators_output() {
    let generated = generate();
    if std::env::var_os("REGENERATE_DEMO").is_some() {
        std::fs::write(PATH, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(PATH).unwrap();
    assert!(
        committed == generated,
        "{PATH} is stale: run REGENERATE_DEMO=1 cargo test --test demo_trace"
    );
}
