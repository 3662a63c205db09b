//! Results of scenario runs, as text for people, JSON and JUnit XML for machines.

use std::fmt::Write;

use serde::Serialize;

use super::{Failure, Replay, Scenario, ScenarioError};

/// The outcome of one scenario.
///
/// ```
/// # use crisis_playbook::testing;
/// # use std::path::{Path, PathBuf};
/// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
/// let scenario = &scenarios[0];
/// let result = scenario.run();
/// assert_eq!((result.playbook.as_str(), result.error.is_none()), ("negative-comment-storm", true));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioResult {
    /// The scenario's name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// Its line in the file.
    pub line: u32,
    /// The playbook's id.
    pub playbook: String,
    /// The replay failed outright (a signal the run refused…).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "as_message")]
    pub error: Option<ScenarioError>,
    /// The expectations not met.
    pub failures: Vec<Failure>,
    /// The replay's events, for coverage and reports.
    #[serde(skip)]
    pub timeline: Option<Replay>,
    /// How long the scenario took, for JUnit: zero unless the caller measures it, since the
    /// library reads no clock (its results must not depend on the machine).
    #[serde(skip)]
    pub duration: std::time::Duration,
}

impl ScenarioResult {
    /// Whether every expectation held.
    ///
    /// ```
    /// # use crisis_playbook::testing;
    /// # use std::path::{Path, PathBuf};
    /// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
    /// let scenario = &scenarios[0];
    /// assert!(scenario.run().passed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.failures.is_empty()
    }
}

/// An error as its message, the form JSON readers get.
fn as_message<S: serde::Serializer>(
    error: &Option<ScenarioError>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match error {
        Some(error) => serializer.collect_str(error),
        None => serializer.serialize_none(),
    }
}

pub(super) fn result(
    scenario: &Scenario,
    outcome: Result<Replay, ScenarioError>,
) -> ScenarioResult {
    let mut result = ScenarioResult {
        name: scenario.name.clone(),
        file: scenario.file.clone(),
        line: scenario.line,
        playbook: scenario.playbook.id().to_string(),
        error: None,
        failures: Vec::new(),
        timeline: None,
        duration: std::time::Duration::ZERO,
    };
    match outcome {
        Ok(timeline) => {
            result.failures = scenario
                .checks
                .iter()
                .filter_map(|check| check.verify(&timeline))
                .collect();
            if let Some(failure) = compare_timeline(scenario, &timeline) {
                result.failures.push(failure);
            }
            result.timeline = Some(timeline);
        }
        Err(error) => result.error = Some(error),
    }
    result
}

/// The timeline as `simulate --format jsonl` writes it.
pub(super) fn jsonl(timeline: &Replay) -> String {
    timeline
        .events
        .iter()
        .map(|e| format!("{}\n", serde_json::to_string(e).unwrap_or_default()))
        .collect()
}

fn compare_timeline(scenario: &Scenario, timeline: &Replay) -> Option<Failure> {
    let (path, name) = scenario.timeline.as_ref()?;
    let unreadable = |problem: String| Failure {
        line: 0,
        expected: format!("the stored timeline `{name}`"),
        actual: format!(
            "cannot read it ({problem}); write it with `crisis-playbook test --write-timelines`"
        ),
        nearby: Vec::new(),
    };
    let expected = match crate::files::open(path) {
        Ok(expected) => expected,
        Err(e) => return Some(unreadable(e.problem.to_string())),
    };
    let actual = jsonl(timeline);
    // Line by line, so that a stored timeline is never held whole, and a line of it is bounded.
    let mut stored = crate::files::lines(expected);
    for (index, got) in actual
        .lines()
        .map(Some)
        .chain(std::iter::repeat(None))
        .enumerate()
    {
        let want = match stored.next() {
            Some(Ok((_, line))) => Some(line),
            Some(Err(e)) => return Some(unreadable(e.to_string())),
            None => None,
        };
        if want.is_none() && got.is_none() {
            return None;
        }
        if want.as_deref() == got {
            continue;
        }
        return Some(Failure {
            line: 0,
            expected: format!(
                "line {} of `{name}`: {}",
                index.saturating_add(1),
                want.as_deref().unwrap_or("(end of file)")
            ),
            actual: got.unwrap_or("(end of timeline)").to_string(),
            nearby: actual
                .lines()
                .skip(index.saturating_sub(3))
                .take(7)
                .map(str::to_string)
                .collect(),
        });
    }
    None
}

/// The outcome of a suite of scenarios.
///
/// ```
/// # use std::path::PathBuf;
/// let report = crisis_playbook::testing::run_paths(&[PathBuf::from("playbooks/tone-deaf-post")], None)?;
/// assert!(report.passed());
/// assert!(report.text().ends_with("5 passed, 0 failed\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct SuiteReport {
    /// Each scenario's result, in the order run.
    pub results: Vec<ScenarioResult>,
}

impl SuiteReport {
    /// Whether every scenario passed.
    ///
    /// ```
    /// # use std::path::PathBuf;
    /// let report = crisis_playbook::testing::run_paths(&[PathBuf::from("playbooks/tone-deaf-post")], None)?;
    /// assert!(report.passed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn passed(&self) -> bool {
        self.results.iter().all(ScenarioResult::passed)
    }

    /// How many scenarios passed and failed.
    ///
    /// ```
    /// # use std::path::PathBuf;
    /// let report = crisis_playbook::testing::run_paths(&[PathBuf::from("playbooks/tone-deaf-post")], None)?;
    /// assert_eq!(report.counts(), (5, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn counts(&self) -> (usize, usize) {
        let passed = self.results.iter().filter(|r| r.passed()).count();
        (passed, self.results.len().saturating_sub(passed))
    }

    /// A report for people: one line per scenario, and for each failure what was expected,
    /// what happened, and the timeline around it; then the [`summary`](Self::summary).
    ///
    /// ```
    /// # use std::path::PathBuf;
    /// let report = crisis_playbook::testing::run_paths(&[PathBuf::from("playbooks/tone-deaf-post")], None)?;
    /// assert!(report.text().starts_with("PASS "));
    /// assert!(report.text().ends_with("\n5 passed, 0 failed\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn text(&self) -> String {
        format!("{}{}\n", self.details(), self.summary())
    }

    /// The [`text`](Self::text) without its summary, for a caller that writes the summary
    /// elsewhere (the CLI, on standard error).
    ///
    /// ```
    /// # use std::path::PathBuf;
    /// let report = crisis_playbook::testing::run_paths(&[PathBuf::from("playbooks/tone-deaf-post")], None)?;
    /// assert!(report.details().ends_with(" (playbooks/tone-deaf-post/scenarios.yaml:89)\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn details(&self) -> String {
        self.results.iter().map(ScenarioResult::details).collect()
    }

    /// How many scenarios passed and failed, in words.
    ///
    /// ```
    /// # use std::path::PathBuf;
    /// let report = crisis_playbook::testing::run_paths(&[PathBuf::from("playbooks/tone-deaf-post")], None)?;
    /// assert_eq!(report.summary(), "5 passed, 0 failed");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn summary(&self) -> String {
        let (passed, failed) = self.counts();
        format!("{passed} passed, {failed} failed")
    }
}

impl ScenarioResult {
    /// One line with the verdict, and for each failure what was expected, what happened, and
    /// the timeline around it.
    ///
    /// ```
    /// # use crisis_playbook::testing;
    /// # use std::path::Path;
    /// let scenarios = testing::load_file(Path::new("playbooks/negative-comment-storm/false-alarm.yaml"))?;
    /// assert!(scenarios[0].run().details().starts_with("PASS "));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn details(&self) -> String {
        let mut out = String::new();
        let verdict = if self.passed() { "PASS" } else { "FAIL" };
        let _ = writeln!(out, "{verdict} {} ({}:{})", self.name, self.file, self.line);
        if let Some(error) = &self.error {
            let _ = writeln!(out, "  the replay stopped: {error}");
        }
        for failure in &self.failures {
            let place = if failure.line > 0 {
                format!("{}:{}", self.file, failure.line)
            } else {
                self.file.clone()
            };
            let _ = writeln!(out, "  {place}");
            let _ = writeln!(out, "    expected: {}", failure.expected);
            let _ = writeln!(out, "    actual:   {}", failure.actual);
            if !failure.nearby.is_empty() {
                let _ = writeln!(out, "    timeline:");
                for line in &failure.nearby {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
        out
    }
}

/// A finding about a suite beyond its scenarios' own results, reported in JUnit as a test case
/// of its own: a scenario file that could not be loaded, coverage under a minimum, mutants that
/// survived.
#[derive(Clone, Debug)]
pub struct SuiteFinding {
    /// The test suite it goes in: the file, or what was checked (`mutants`, `coverage`).
    pub suite: String,
    /// `true` when something could not be tested at all (a JUnit `<error>`), `false` when a
    /// check failed (a `<failure>`).
    pub error: bool,
    /// One line, for the `message` attribute.
    pub message: String,
    /// The details, for the body.
    pub details: String,
}

/// The suite as JUnit XML, one test suite per scenario file.
///
/// ```
/// # use std::path::PathBuf;
/// let report = crisis_playbook::testing::run_paths(&[PathBuf::from("playbooks/tone-deaf-post")], None)?;
/// let xml = crisis_playbook::testing::junit(&report);
/// assert!(xml.contains("<testsuites") && xml.contains("tests=\"5\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn junit(report: &SuiteReport) -> String {
    junit_with(report, &[])
}

/// The suite as JUnit XML with `findings` beyond the scenarios' results, each a test case in a
/// test suite of its own. Each scenario's case carries its `file`, `line` and `time` (its
/// [`duration`](ScenarioResult::duration)); each suite and the whole, the sum of their times.
///
/// ```
/// # use std::path::PathBuf;
/// use crisis_playbook::testing::{SuiteFinding, junit_with, run_paths};
/// let report = run_paths(&[PathBuf::from("playbooks/tone-deaf-post")], None)?;
/// let finding = SuiteFinding {
///     suite: "mutants".into(),
///     error: false,
///     message: "2 mutants survived".into(),
///     details: "…".into(),
/// };
/// let xml = junit_with(&report, &[finding]);
/// assert!(xml.contains(r#"<testsuites name="crisis-playbook" tests="6" failures="1" errors="0" time="0.000">"#), "{xml}");
/// assert!(xml.contains(r#"file="playbooks/tone-deaf-post/scenarios.yaml" line="12""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn junit_with(report: &SuiteReport, findings: &[SuiteFinding]) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut junit = Report::new("crisis-playbook");
    let mut files: Vec<&str> = report.results.iter().map(|r| r.file.as_str()).collect();
    files.dedup();
    let mut total = std::time::Duration::ZERO;
    for file in files {
        let mut suite = TestSuite::new(file);
        let mut time = std::time::Duration::ZERO;
        for result in report.results.iter().filter(|r| r.file == file) {
            let status = if result.passed() {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let first = result
                    .error
                    .as_ref()
                    .map(ScenarioError::to_string)
                    .or_else(|| {
                        result
                            .failures
                            .first()
                            .map(|f| format!("expected {}", f.expected))
                    })
                    .unwrap_or_default();
                status.set_message(first);
                status.set_description(result.details());
                status
            };
            let mut case = TestCase::new(result.name.as_str(), status);
            case.set_classname(result.playbook.as_str());
            case.set_time(result.duration);
            // Where the scenario is, for CI systems that link a case to its source.
            case.extra
                .insert("file".into(), result.file.as_str().into());
            case.extra
                .insert("line".into(), result.line.to_string().into());
            time = time.saturating_add(result.duration);
            suite.add_test_case(case);
        }
        suite.set_time(time);
        total = total.saturating_add(time);
        junit.add_test_suite(suite);
    }
    for finding in findings {
        let kind = if finding.error {
            NonSuccessKind::Error
        } else {
            NonSuccessKind::Failure
        };
        let mut status = TestCaseStatus::non_success(kind);
        status.set_message(finding.message.as_str());
        status.set_description(finding.details.as_str());
        let mut case = TestCase::new(finding.suite.as_str(), status);
        case.set_classname("crisis-playbook");
        case.set_time(std::time::Duration::ZERO);
        let mut suite = TestSuite::new(finding.suite.as_str());
        suite.set_time(std::time::Duration::ZERO);
        suite.add_test_case(case);
        junit.add_test_suite(suite);
    }
    junit.set_time(total);
    without_skipped_on_testsuites(&junit.to_string().unwrap_or_default())
}

/// The XML without the `skipped` attribute of `<testsuites>`, which quick-junit always writes
/// and Jenkins' xunit schema refuses there (it allows it on each `<testsuite>`).
fn without_skipped_on_testsuites(xml: &str) -> String {
    let removed = xml.split_once("<testsuites ").and_then(|(before, rest)| {
        let (tag, after) = rest.split_once('>')?;
        let (head, tail) = tag.split_once(" skipped=\"")?;
        let (_, tail) = tail.split_once('"')?;
        Some(format!("{before}<testsuites {head}{tail}>{after}"))
    });
    removed.unwrap_or_else(|| xml.to_string())
}
