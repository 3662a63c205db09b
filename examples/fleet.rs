//! Many brands, one playbook, per-account tuning: `cargo run --example fleet`.
//!
//! A busy brand's community shrugs at twice its usual volume; a small one is in trouble at that
//! level. Each subject can override the playbook's parameters within their declared bounds.

use crisis_playbook::{Duration, Fleet, Observation, Playbook, RunSettings, Timestamp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    let mentions = playbook
        .signal_named("mentions")
        .ok_or("no signal `mentions`")?;
    let mut fleet = Fleet::new(&playbook).start_on_first_sight(true);

    // The big retailer only worries at three times its usual volume, and reads French.
    fleet.configure(
        RunSettings::new("big-retailer")
            .parameter("watch_ratio", 3.0)
            .locale("fr"),
    )?;
    // Overrides outside the declared bounds are refused, naming the bounds.
    let refused = fleet.configure(RunSettings::new("indie-cafe").parameter("watch_ratio", 0.5));
    println!("indie-cafe: {}", refused.unwrap_err());

    // Two quiet days for three brands, then every one of them gets 2.5 times its usual volume.
    let start: Timestamp = "2026-03-02T00:00:00Z".parse()?;
    let brands = [
        ("big-retailer", 400.0),
        ("indie-cafe", 30.0),
        ("city-museum", 60.0),
    ];
    for step in 0..(2 * 288 + 24) {
        let at = start + Duration::from_secs(step * 300);
        let surge = if step < 2 * 288 { 1.0 } else { 2.5 };
        for (brand, usual) in brands {
            for event in fleet.observe(
                brand,
                Observation::count(mentions, at, usual / 12.0 * surge),
            )? {
                if matches!(event.kind, crisis_playbook::EventKind::Transition { .. }) {
                    println!(
                        "{brand}: {}",
                        crisis_playbook::timeline::format_event(event)
                    );
                }
            }
        }
    }
    for subject in fleet.subjects() {
        let run = fleet.get(subject).ok_or("a subject without its run")?;
        println!(
            "{subject}: {} (severity {})",
            run.state_name(),
            run.severity()
        );
    }
    // The whole fleet goes to storage in one serializable value.
    let stored = serde_json::to_string(&fleet.snapshot())?;
    println!(
        "snapshot of {} runs: {} bytes of JSON",
        fleet.len(),
        stored.len()
    );
    Ok(())
}
