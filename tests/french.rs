//! French texts follow French typography: a no-break space (U+00A0) before `:`, a narrow
//! no-break space (U+202F) before `;`, `?`, `!` and `%` and inside « guillemets », and never a
//! plain space in those places. A live value in braces (`{negative_share:%}`) is written the
//! French way when it is filled in (`tests/live_texts.rs`), so the rules skip what braces hold.

use crisis_playbook::{LocalizedText, Playbook};

fn french_texts(playbook: &Playbook) -> Vec<(String, String)> {
    let mut texts: Vec<(String, Option<&LocalizedText>)> = vec![
        ("title".into(), Some(playbook.title())),
        ("description".into(), playbook.description()),
    ];
    for p in playbook.parameters() {
        texts.push((format!("parameters.{}", p.name), p.description.as_ref()));
    }
    for s in playbook.signals() {
        texts.push((format!("signals.{}", s.name), s.description.as_ref()));
    }
    for m in playbook.metrics() {
        texts.push((format!("metrics.{}", m.name), m.description.as_ref()));
    }
    for state in playbook.states() {
        texts.push((format!("states.{}", state.name), state.description.as_ref()));
        for action in &state.actions {
            texts.push((
                format!("states.{}.enter.{}", state.name, action.id),
                Some(&action.text),
            ));
        }
        if let Some(ladder) = &state.escalation {
            for (i, step) in ladder.steps.iter().enumerate() {
                texts.push((
                    format!("states.{}.escalate.steps[{i}]", state.name),
                    step.text.as_ref(),
                ));
            }
        }
    }
    texts
        .into_iter()
        .filter_map(|(path, text)| Some((path, text?.exact("fr")?.to_string())))
        .collect()
}

/// The typography mistakes in one French text.
fn mistakes(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut in_value = false;
    for (i, c) in chars.iter().enumerate() {
        match c {
            '{' => in_value = true,
            '}' => in_value = false,
            _ => {}
        }
        if in_value {
            continue;
        }
        let before = if i > 0 { Some(chars[i - 1]) } else { None };
        let after = chars.get(i + 1).copied();
        match c {
            ':' if before != Some('\u{a0}') => {
                found.push(format!("`:` at {i} needs a no-break space before it"))
            }
            ';' | '?' | '!' | '%' if before != Some('\u{202f}') => found.push(format!(
                "`{c}` at {i} needs a narrow no-break space before it"
            )),
            '«' if after != Some('\u{202f}') => {
                found.push(format!("`«` at {i} needs a narrow no-break space after it"))
            }
            '»' if before != Some('\u{202f}') => found.push(format!(
                "`»` at {i} needs a narrow no-break space before it"
            )),
            _ => {}
        }
    }
    found
}

#[test]
fn the_rules_catch_plain_spaces() {
    assert!(
        mistakes("Attention\u{a0}: tout va bien\u{202f}; vraiment\u{202f}? « oui »").len() == 2
    );
    assert_eq!(
        mistakes("Vraiment ?"),
        ["`?` at 9 needs a narrow no-break space before it"]
    );
    assert_eq!(
        mistakes("48 % négatif, soit {negative_share:%}"),
        ["`%` at 3 needs a narrow no-break space before it"]
    );
    assert!(mistakes("Cellule de crise\u{a0}: «\u{202f}bad buzz\u{202f}»\u{202f}!").is_empty());
}

#[test]
fn every_french_text_of_the_bundled_playbooks_follows_french_typography() {
    let mut checked = 0;
    for entry in std::fs::read_dir("playbooks").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let playbook = Playbook::from_path(&path).unwrap();
        for (place, text) in french_texts(&playbook) {
            checked += 1;
            let found = mistakes(&text);
            assert!(
                found.is_empty(),
                "{}: {place}: {text:?}: {found:?}",
                path.display()
            );
        }
    }
    assert!(checked > 100, "only {checked} French texts");
}

#[test]
fn the_french_words_of_reports_follow_french_typography() {
    fn strings(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) => found.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, found)),
            serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, found)),
            _ => {}
        }
    }
    let words = crisis_playbook::report::Vocabulary::builtin("fr");
    let mut texts = Vec::new();
    strings(&serde_json::to_value(words).unwrap(), &mut texts);
    assert!(texts.len() > 40, "only {} texts", texts.len());
    for text in texts {
        assert!(
            mistakes(&text).is_empty(),
            "{text:?}: {:?}",
            mistakes(&text)
        );
    }
}
