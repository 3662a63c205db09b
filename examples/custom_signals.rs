//! Mapping a listening tool's export to signals: `cargo run --example custom_signals`.
//!
//! `examples/data/listening-export.csv` is shaped like an hourly export from a social listening
//! tool: mentions, the share of negative ones, a net sentiment from -100 to 100, and the most
//! followed author of the hour. The playbook wants counts, a gauge from -1 to 1 and an event for
//! high-reach authors, so each row becomes up to four observations.

use crisis_playbook::timeline::format_event;
use crisis_playbook::{AttributeValue, Observation, Playbook, Run, Timestamp};
use serde::Deserialize;

/// One row of the export, under the tool's own column names.
#[derive(Deserialize)]
struct Row {
    #[serde(rename = "Date")]
    date: String,
    #[serde(rename = "Mentions")]
    mentions: f64,
    #[serde(rename = "Negative %")]
    negative_percent: f64,
    #[serde(rename = "Net Sentiment")]
    net_sentiment: f64,
    #[serde(rename = "Top Author Followers")]
    top_author_followers: f64,
}

/// Authors below this reach are background noise for the `influencer` signal.
const NOTABLE_FOLLOWERS: f64 = 10_000.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    let signal = |name: &str| {
        playbook
            .signal_named(name)
            .ok_or(format!("no signal `{name}`"))
    };
    let (mentions, negative) = (signal("mentions")?, signal("negative")?);
    let (sentiment, influencer) = (signal("sentiment")?, signal("influencer")?);

    let mut reader = csv::Reader::from_path("examples/data/listening-export.csv")?;
    let mut run: Option<Run> = None;
    for (line, row) in reader.deserialize::<Row>().enumerate() {
        let row = row?;
        // The tool writes `2026-03-02 14:00` in UTC; the engine reads RFC 3339.
        let at: Timestamp = format!("{}:00Z", row.date.replace(' ', "T"))
            .parse()
            .map_err(|e| format!("line {}: {e}", line + 2))?;
        let run = run.get_or_insert_with(|| Run::start(&playbook, at));
        let negatives = (row.mentions * row.negative_percent / 100.0).round();
        let mut observations = vec![
            Observation::count(mentions, at, row.mentions),
            Observation::count(negative, at, negatives),
            Observation::gauge(sentiment, at, row.net_sentiment / 100.0),
        ];
        let followers = [(
            "followers",
            AttributeValue::Number(row.top_author_followers),
        )];
        if row.top_author_followers >= NOTABLE_FOLLOWERS {
            observations.push(Observation::event(influencer, at, &followers));
        }
        for observation in observations {
            for event in run.observe(observation)? {
                println!("{}", format_event(event));
            }
        }
    }
    if let Some(run) = run {
        println!(
            "after the export: {} (severity {})",
            run.state_name(),
            run.severity()
        );
    }
    Ok(())
}
