//! Load a playbook, feed it signals, print what it recommends: `cargo run --example quickstart`.

use crisis_playbook::timeline::format_event;
use crisis_playbook::{Duration, Observation, Playbook, Run, Timestamp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    let mentions = playbook
        .signal_named("mentions")
        .ok_or("no signal `mentions`")?;
    let start: Timestamp = "2026-03-02T00:00:00Z".parse()?;
    let mut run = Run::start(&playbook, start);
    // Two quiet days, 20 mentions every five minutes, then ten times that for two hours.
    for step in 0..(2 * 288 + 24) {
        let value = if step < 2 * 288 { 20.0 } else { 200.0 };
        let at = start + Duration::from_secs(step * 300);
        for event in run.observe(Observation::count(mentions, at, value))? {
            println!("{}", format_event(event));
        }
    }
    println!("now {} at severity {}", run.state_name(), run.severity());
    Ok(())
}
