//! The docs show what the code does: each playbook page carries the current diagram, and the
//! README lists every bundled playbook with its page.

use crisis_playbook::Playbook;
use crisis_playbook::diagram::{DiagramFormat, render};

fn bundled() -> Vec<(String, Playbook)> {
    let mut found: Vec<_> = std::fs::read_dir("playbooks")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            (id, Playbook::from_path(&p).unwrap())
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

#[test]
fn every_playbook_page_has_its_current_diagram() {
    for (id, playbook) in bundled() {
        assert_eq!(playbook.id(), id, "file name and id differ");
        let page = std::fs::read_to_string(format!("docs/playbooks/{id}.md"))
            .unwrap_or_else(|_| panic!("docs/playbooks/{id}.md is missing"));
        let block = format!(
            "```mermaid\n{}```",
            render(&playbook, DiagramFormat::Mermaid)
        );
        assert!(
            page.contains(&block),
            "docs/playbooks/{id}.md has a stale diagram: paste `cargo run -- graph playbooks/{id}.yaml`"
        );
    }
}

#[test]
fn every_playbook_page_counts_its_scenarios() {
    for (id, _) in bundled() {
        let folder = std::path::PathBuf::from(format!("playbooks/{id}"));
        let count = crisis_playbook::testing::load_paths(&[folder])
            .unwrap()
            .len();
        let page = std::fs::read_to_string(format!("docs/playbooks/{id}.md")).unwrap();
        assert!(
            page.contains(&format!("`playbooks/{id}/` holds {count} scenarios")),
            "docs/playbooks/{id}.md should say that `playbooks/{id}/` holds {count} scenarios"
        );
    }
}

#[test]
fn readme_lists_every_playbook_and_shows_a_diagram() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for (id, _) in bundled() {
        assert!(
            readme.contains(&format!(
                "[{id}]({}/blob/main/docs/playbooks/{id}.md)",
                env!("CARGO_PKG_REPOSITORY")
            )),
            "README misses {id}"
        );
    }
    let storm = Playbook::from_path("playbooks/negative-comment-storm.yaml").unwrap();
    let block = format!("```mermaid\n{}```", render(&storm, DiagramFormat::Mermaid));
    assert!(readme.contains(&block), "README's diagram is stale");
}

/// crates.io shows the README without the repository around it, so a relative link leads nowhere.
#[test]
fn readme_links_are_absolute_so_that_they_work_on_a_registry_page() {
    assert_eq!(
        env!("CARGO_PKG_REPOSITORY"),
        "https://github.com/crisis-playbook/crisis-playbook"
    );
    assert_eq!(env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY"));
    let readme = std::fs::read_to_string("README.md").unwrap();
    let relative: Vec<&str> = readme
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|target| !target.starts_with("https://") && !target.starts_with('#'))
        .collect();
    assert_eq!(relative, Vec::<&str>::new(), "relative links in README.md");
}

#[test]
fn ci_examples_install_the_command_from_its_repository() {
    for file in ["docs/ci/github-actions.yml", "docs/ci/gitlab-ci.yml"] {
        let text = std::fs::read_to_string(file).unwrap();
        let installs: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#') && l.contains("cargo install"))
            .collect();
        assert_eq!(
            installs.len(),
            1,
            "{file}: one `cargo install` line: {installs:?}"
        );
        assert!(
            installs[0].ends_with(&format!(
                "cargo install --git {} --locked",
                env!("CARGO_PKG_REPOSITORY")
            )),
            "{file}: crisis-playbook is not on crates.io: {}",
            installs[0]
        );
    }
}

#[test]
fn ci_examples_are_yaml_and_use_real_commands() {
    for file in ["docs/ci/github-actions.yml", "docs/ci/gitlab-ci.yml"] {
        let text = std::fs::read_to_string(file).unwrap();
        let parsed: Result<serde_json::Value, _> = serde_saphyr::from_str(&text);
        assert!(parsed.is_ok(), "{file}: {parsed:?}");
        for line in text.lines().filter(|l| l.contains("crisis-playbook test")) {
            for flag in ["--junit", "--coverage", "--min-coverage", "--mutants"] {
                if line.contains(flag) {
                    let doc = std::fs::read_to_string("docs/scenario-format.md").unwrap();
                    assert!(doc.contains(flag), "{flag} is not documented");
                }
            }
        }
    }
}

/// The cookbook's false-alarm scenario is a real one: it loads and passes.
#[test]
fn the_cookbook_scenario_passes() {
    let cookbook = std::fs::read_to_string("docs/cookbook.md").unwrap();
    let start = cookbook.find("scenario: a lunchtime rise").unwrap();
    let text = &cookbook[start..start + cookbook[start..].find("```").unwrap()];
    let base = std::path::Path::new("playbooks/negative-comment-storm");
    let scenarios = crisis_playbook::testing::load_text(text, "cookbook.md", base).unwrap();
    let result = scenarios[0].run();
    assert!(result.passed(), "{:?}", result.failures);
}

/// The quoted names of a `match` that maps variants to their names: `Code::Io => "io",`.
fn names_in(source: &str, prefix: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| {
            let (variant, name) = line.trim().split_once(" => \"")?;
            variant
                .contains(prefix)
                .then(|| name.trim_end_matches("\",").to_string())
        })
        .collect()
}

/// Every name of `source`'s match on `prefix` has its row in the table of `page`.
fn assert_documented(source: &str, prefix: &str, page: &str, at_least: usize) {
    let names = names_in(&std::fs::read_to_string(source).unwrap(), prefix);
    assert!(names.len() >= at_least, "{names:?}");
    let text = std::fs::read_to_string(page).unwrap();
    for name in names {
        assert!(
            text.contains(&format!("| `{name}` |")),
            "{page} misses `{name}`"
        );
    }
}

/// Found in a fresh-eyes trial: the JSONL page missed `deadline_moved`, and the diagnostic
/// codes table missed `io`.
#[test]
fn every_event_kind_and_diagnostic_code_is_documented() {
    assert_documented("src/run/event.rs", "EventKind::", "docs/simulate.md", 10);
    assert_documented("src/diagnostic.rs", "Code::", "docs/playbook-format.md", 20);
}
