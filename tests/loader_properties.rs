//! The loader never panics: not on arbitrary text, not on valid playbooks mangled the way
//! hands and tools mangle files (keys dropped, types swapped, references renamed, values at
//! their limits, files cut short).

use crisis_playbook::{Playbook, Severity};
use proptest::prelude::*;

const PLAYBOOKS: [&str; 11] = [
    include_str!("playbooks/base.yaml"),
    include_str!("../playbooks/negative-comment-storm.yaml"),
    include_str!("../playbooks/influencer-backlash.yaml"),
    include_str!("../playbooks/tone-deaf-post.yaml"),
    include_str!("../playbooks/failing-campaign.yaml"),
    include_str!("../playbooks/troll-or-customer-triage.yaml"),
    include_str!("../playbooks/service-outage-complaints.yaml"),
    include_str!("../playbooks/account-compromise.yaml"),
    include_str!("../playbooks/data-breach-or-recall.yaml"),
    include_str!("../playbooks/misinformation-rumour.yaml"),
    include_str!("../playbooks/employee-misconduct.yaml"),
];

/// Values that sit at, or past, the limits of what each field accepts.
const EXTREMES: [&str; 16] = [
    "0",
    "-1",
    "1e308",
    "-1e308",
    ".nan",
    ".inf",
    "18446744073709551616",
    "0m",
    "99999999999999w",
    "~",
    "[]",
    "{}",
    "\"\"",
    "150%",
    "true",
    "*undefined",
];

#[derive(Clone, Debug)]
enum Mutation {
    DropLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceWord(usize, usize, String),
    ExtremeValue(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (
            any::<usize>(),
            any::<usize>(),
            "[a-z_]{1,12}|[0-9.%]{1,6}|[-:{}\\[\\],&*!|>]"
        )
            .prop_map(|(l, w, s)| Mutation::ReplaceWord(l, w, s)),
        (any::<usize>(), 0..EXTREMES.len()).prop_map(|(l, e)| Mutation::ExtremeValue(l, e)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len();
    if n == 0 {
        // An earlier mutation cut the whole text: nothing left to change.
        return text.to_string();
    }
    match mutation {
        Mutation::DropLine(i) => {
            lines.remove(i % n);
        }
        Mutation::DuplicateLine(i) => {
            let line = lines[i % n].clone();
            lines.insert(i % n, line);
        }
        Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
        Mutation::ReplaceWord(l, w, with) => {
            let line = &lines[l % n];
            let words: Vec<&str> = line.split(' ').collect();
            let index = w % words.len();
            let mut words: Vec<String> = words.iter().map(|s| s.to_string()).collect();
            // Renaming a whole name keeps the YAML shape and breaks a reference instead.
            words[index] = with.clone();
            lines[l % n] = words.join(" ");
        }
        Mutation::ExtremeValue(l, e) => {
            let line = &lines[l % n];
            if let Some((key, _)) = line.split_once(": ") {
                lines[l % n] = format!("{key}: {}", EXTREMES[*e]);
            }
        }
        Mutation::Truncate(at) => {
            let joined = lines.join("\n");
            let mut cut = at % (joined.len() + 1);
            while !joined.is_char_boundary(cut) {
                cut -= 1;
            }
            return joined[..cut].to_string();
        }
    }
    lines.join("\n")
}

fn check(text: &str) {
    match Playbook::from_yaml_str(text) {
        Ok(playbook) => assert!(
            playbook
                .warnings()
                .iter()
                .all(|d| d.severity == Severity::Warning)
        ),
        Err(err) => {
            assert!(err.errors().count() > 0);
            assert!(err.diagnostics().iter().all(|d| !d.message.is_empty()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check(&text);
    }

    #[test]
    fn yaml_shaped_noise_never_panics(text in "([a-z_]{1,8}: ?([-a-z0-9 .%\\[\\]{},*&>|]{0,20})?\n {0,6}){0,30}") {
        check(&text);
    }

    #[test]
    fn mutated_playbooks_never_panic(
        which in 0..PLAYBOOKS.len(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut text = PLAYBOOKS[which].to_string();
        for m in &mutations {
            text = apply(&text, m);
        }
        check(&text);
    }
}

/// Found by proptest: a truncation to nothing followed by line edits broke the harness itself.
#[test]
fn mutations_after_cutting_everything_leave_the_empty_text() {
    let text = apply(PLAYBOOKS[0], &Mutation::Truncate(0));
    assert_eq!(text, "");
    assert_eq!(apply(&text, &Mutation::DropLine(0)), "");
    check(&apply(&text, &Mutation::ExtremeValue(3, 2)));
}
