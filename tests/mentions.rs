//! Raw mentions: metrics over event attributes (distinct, top share, share where, near
//! duplicates), text matching, time attributes, and the count signals that count events.

use crisis_playbook::{AttributeValue, Observation, Playbook, Run, Timestamp};

const PLAYBOOK: &str = r#"
playbook: raw-mentions
version: 1
title: Raw mentions
signals:
  mention:
    kind: event
    attributes:
      author: string
      account_created: time
      followers: number
      text: string
      sentiment: number
      platform: [x, facebook, instagram, tiktok]
  mentions:
    kind: count
    counts: mention
  refunds:
    kind: count
    counts: mention where text contains any [refund, remboursement, remboursé, "money back"]
  ack:
    kind: manual
metrics:
  authors: { distinct: mention.author, window: 1h }
  loudest: { top_share: mention.author, window: 1h }
  copies: { near_duplicates: mention.text, window: 1h }
  new_accounts: { share: mention where account_created within 30d, window: 1h }
  refund_count: { count: refunds, window: 1h }
  volume: { count: mentions, window: 1h }
roles: [community_manager]
initial: calm
states:
  calm:
    on:
      - to: raid
        when: new_accounts >= 50% and copies >= 50% and volume >= 10
      - to: troll
        when: loudest >= 50% and volume >= 10
      - to: refunds
        when: refund_count >= 3 and not (authors < 3)
      - to: unsafe
        when: mention.text matches_word any [unsafe, dangereux]
  raid: { final: true }
  troll: { final: true }
  refunds: { final: true }
  unsafe: { final: true }
"#;

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_millis(1_772_438_400_000 + minutes * 60_000).unwrap()
}

struct Mention<'a> {
    author: &'a str,
    created: &'a str,
    text: &'a str,
}

fn post(run: &mut Run, minute: i64, mention: &Mention<'_>) {
    let signal = run.playbook().signal_named("mention").unwrap();
    let attributes = [
        ("author", AttributeValue::Text(mention.author)),
        ("account_created", AttributeValue::Text(mention.created)),
        ("text", AttributeValue::Text(mention.text)),
        ("followers", AttributeValue::Number(120.0)),
    ];
    run.observe(Observation::event(signal, at(minute), &attributes))
        .unwrap();
}

fn metric(run: &Run, name: &str) -> Option<f64> {
    run.metric_value(run.playbook().metric_named(name).unwrap())
}

fn playbook() -> Playbook {
    Playbook::from_yaml_str(PLAYBOOK).unwrap()
}

#[test]
fn a_raid_of_new_accounts_posting_one_text_is_seen_as_one() {
    let playbook = playbook();
    let mut run = Run::start(&playbook, at(0));
    assert_eq!(metric(&run, "authors"), None);
    assert_eq!(metric(&run, "copies"), None);
    let text = "This brand lies about its recall, boycott them all #boycott";
    for i in 0..12 {
        let author = format!("raider{}", i % 4);
        let varied = if i % 2 == 0 {
            text.to_string()
        } else {
            text.to_uppercase() + "!!"
        };
        post(
            &mut run,
            i,
            &Mention {
                author: &author,
                created: "2026-02-20T00:00:00Z",
                text: &varied,
            },
        );
    }
    // The tenth mention opened the raid, which ended the run: the last two were not applied.
    assert_eq!(run.state_name(), "raid");
    assert_eq!(metric(&run, "authors"), Some(4.0));
    assert_eq!(metric(&run, "volume"), Some(10.0));
    assert_eq!(metric(&run, "new_accounts"), Some(1.0));
    assert_eq!(metric(&run, "copies"), Some(9.0 / 10.0));
}

#[test]
fn one_loud_author_is_a_troll_and_many_authors_asking_refunds_are_customers() {
    let playbook = playbook();
    let mut troll = Run::start(&playbook, at(0));
    for i in 0..10 {
        let text = format!("message number {i} about something else entirely, word{i}");
        let author = if i < 7 { "loud" } else { "someone" };
        post(
            &mut troll,
            i,
            &Mention {
                author,
                created: "2015-01-01T00:00:00Z",
                text: &text,
            },
        );
    }
    assert_eq!(metric(&troll, "loudest"), Some(0.7));
    assert_eq!(troll.state_name(), "troll");

    let mut customers = Run::start(&playbook, at(0));
    let texts = [
        "Where is my REFUND? Ordered two weeks ago",
        "toujours pas rembourse, c'est une honte",
        "I want my money-back now please",
    ];
    for (i, text) in texts.iter().enumerate() {
        post(
            &mut customers,
            i as i64,
            &Mention {
                author: &format!("customer{i}"),
                created: "2019-05-01T00:00:00Z",
                text,
            },
        );
    }
    assert_eq!(metric(&customers, "refund_count"), Some(3.0));
    assert_eq!(metric(&customers, "new_accounts"), Some(0.0));
    assert_eq!(customers.state_name(), "refunds");
}

#[test]
fn matches_word_needs_the_whole_word() {
    let playbook = playbook();
    let mut run = Run::start(&playbook, at(0));
    let author = Mention {
        author: "a",
        created: "2019-05-01T00:00:00Z",
        text: "the unsafety of it all",
    };
    post(&mut run, 0, &author);
    assert_eq!(run.state_name(), "calm");
    post(
        &mut run,
        1,
        &Mention {
            text: "Ce produit est DANGEREUX.",
            ..author
        },
    );
    assert_eq!(run.state_name(), "unsafe");
}

#[test]
fn a_count_only_feed_leaves_attribute_metrics_undefined_and_the_gate_open() {
    let playbook = playbook();
    let mut run = Run::start(&playbook, at(0));
    let refunds = playbook.signal_named("refunds").unwrap();
    run.observe(Observation::count(refunds, at(1), 5.0))
        .unwrap();
    assert_eq!(metric(&run, "authors"), None);
    assert_eq!(metric(&run, "loudest"), None);
    assert_eq!(metric(&run, "new_accounts"), None);
    // `not (authors < 3)` holds while no event tells who the authors are.
    assert_eq!(run.state_name(), "refunds");
}

#[test]
fn a_time_attribute_refuses_what_is_not_a_time() {
    let playbook = playbook();
    let mut run = Run::start(&playbook, at(0));
    let mention = playbook.signal_named("mention").unwrap();
    let err = run
        .observe(Observation::event(
            mention,
            at(0),
            &[("account_created", AttributeValue::Text("last week"))],
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "event `mention`: attribute `account_created` must be a time in RFC 3339, such as \"2026-03-02T08:00:00Z\""
    );
}

#[test]
fn mutants_drop_phrases_swap_word_matching_move_ages_and_stop_counts() {
    let changes: Vec<String> = crisis_playbook::testing::mutants::mutants(&playbook())
        .into_iter()
        .map(|m| m.change)
        .collect();
    for expected in [
        "the phrase \"remboursé\" dropped from `mention.text contains`",
        "`mention.text contains` read as `matches_word`",
        "`mention.text matches_word` read as `contains`",
        "the age `mention.account_created within 30d` halved: -> 15d",
        "the age `mention.account_created within 30d` doubled: -> 60d",
        "the test on `mention.text` negated",
        "signals.refunds.counts removed",
        "metrics.authors.window halved: 1h -> 30m",
    ] {
        assert!(
            changes.iter().any(|c| c == expected),
            "{expected} not in {changes:#?}"
        );
    }
}

/// A run fed raw mentions restores from its JSON snapshot and goes on exactly as the run it
/// came from: the sketches, the kept texts and every count.
#[test]
fn a_run_fed_raw_mentions_restores_and_goes_on_identically() {
    let playbook = playbook();
    let mut original = Run::start(&playbook, at(0));
    let authors: Vec<String> = (0..150).map(|i| format!("author{i}")).collect();
    let texts: Vec<String> = (0..40)
        .map(|i| format!("where is my order {i}, still nothing after two weeks"))
        .collect();
    let feed = |run: &mut Run, minute: i64, i: usize| {
        post(
            run,
            minute,
            &Mention {
                author: &authors[i % authors.len()],
                created: "2019-05-01T00:00:00Z",
                text: &texts[i % texts.len()],
            },
        );
    };
    // Two hours of two mentions a minute from 150 authors: past the exact count, into the
    // sketch.
    for minute in 0..120 {
        feed(&mut original, minute, (minute * 7) as usize);
        feed(&mut original, minute, (minute * 13 + 1) as usize);
    }
    let json = serde_json::to_string(&original.snapshot()).unwrap();
    let snapshot: crisis_playbook::Snapshot = serde_json::from_str(&json).unwrap();
    let mut restored = Run::restore(&playbook, snapshot).unwrap();
    for minute in 120..240 {
        for i in [minute * 11, minute * 5 + 3] {
            feed(&mut original, minute, i as usize);
            feed(&mut restored, minute, i as usize);
        }
        assert_eq!(original.events(), restored.events());
        for name in [
            "authors",
            "loudest",
            "copies",
            "new_accounts",
            "refund_count",
            "volume",
        ] {
            assert_eq!(
                metric(&original, name),
                metric(&restored, name),
                "{name} at {minute}"
            );
        }
    }
    assert!(!original.is_ended());
    assert!(metric(&original, "authors").unwrap() > 64.0);
    assert_eq!(
        serde_json::to_string(&original.snapshot()).unwrap(),
        serde_json::to_string(&restored.snapshot()).unwrap()
    );
}

/// A snapshot whose sketch was tampered with is refused, not trusted.
#[test]
fn a_tampered_sketch_is_refused() {
    let playbook = playbook();
    let mut run = Run::start(&playbook, at(0));
    for minute in 0..100 {
        for k in 0..3 {
            post(
                &mut run,
                minute,
                &Mention {
                    author: &format!("author{minute}-{k}"),
                    created: "2019-05-01T00:00:00Z",
                    text: "same words every time",
                },
            );
        }
    }
    let json = serde_json::to_string(&run.snapshot()).unwrap();
    // The first register of the distinct sketch: a level far past any a hash can reach.
    let tampered = json.replacen("\"sketch\":[", "\"sketch\":[63,", 1);
    assert_ne!(tampered, json, "the snapshot holds a sketch");
    let snapshot: crisis_playbook::Snapshot = serde_json::from_str(&tampered).unwrap();
    let error = Run::restore(&playbook, snapshot).unwrap_err();
    assert!(error.to_string().contains("metric `authors`"), "{error}");
}

/// Each new load error names the place and says how to fix it.
#[test]
fn raw_mention_declarations_are_checked_with_their_messages() {
    let cases = [
        (
            "  authors: { distinct: mention.author, window: 1h }",
            "  authors: { distinct: mention, window: 1h }",
            "metrics.authors.distinct: `distinct` names an event's attribute, as in `distinct: mention.author`",
        ),
        (
            "  authors: { distinct: mention.author, window: 1h }",
            "  authors: { distinct: mention.autor, window: 1h }",
            "metrics.authors.distinct: event `mention` has no attribute `autor`; did you mean `author`?",
        ),
        (
            "  copies: { near_duplicates: mention.text, window: 1h }",
            "  copies: { near_duplicates: mention.followers, window: 1h }",
            "metrics.copies.near_duplicates: `near_duplicates` compares texts, but `mention.followers` is not a `string` attribute",
        ),
        (
            "  new_accounts: { share: mention where account_created within 30d, window: 1h }",
            "  new_accounts: { share: mention, window: 1h }",
            "metrics.new_accounts.share: `mention` is not one event's test: write tests on one event, such as `mention where account_created within 30d`",
        ),
        (
            "    counts: mention\n",
            "    counts: ack\n",
            "signals.mentions.counts: `ack` is not one event's test: write an event, such as `mention`, or tests on one event, such as `mention where sentiment < 0`",
        ),
        (
            "  ack:\n    kind: manual",
            "  ack:\n    kind: manual\n    counts: mention",
            "signals.ack.counts: only count signals count events; `ack` is a manual signal",
        ),
        (
            "[refund, remboursement, remboursé, \"money back\"]",
            "[refund, \"!!\"]",
            "signals.refunds.counts: \"!!\" has no letter or digit: matching ignores case, accents and punctuation, so it would match nothing",
        ),
        (
            "when: mention.text matches_word any [unsafe, dangereux]",
            "when: mention.followers matches_word any [unsafe]",
            "`mention.followers` is not a text: `contains` and `matches_word` test `string` attributes",
        ),
        (
            "when: new_accounts >= 50%",
            "when: mention.account_created < 30d or new_accounts >= 50%",
            "`mention.account_created` is a time: test its age with `within`, as in `mention where account_created within 30d`",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(PLAYBOOK.contains(from), "{from}");
        let error = Playbook::from_yaml_str(&PLAYBOOK.replacen(from, to, 1))
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{to}:\n{error}");
    }
}
