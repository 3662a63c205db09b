//! Testing a team's playbooks in CI: `cargo run --example scenario_test`.
//!
//! In a team's own crate, the scenarios of a folder are one `#[test]`:
//!
//! ```no_run
//! #[test]
//! fn our_playbooks_behave() {
//!     crisis_playbook::testing::assert_scenarios("playbooks/");
//! }
//! ```
//!
//! It panics with the expected and actual events of every failing scenario. This example runs
//! the same folder and prints the report that `crisis-playbook test` prints.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = crisis_playbook::testing::run_paths(&[PathBuf::from("playbooks/")], None)?;
    print!("{}", report.text());
    crisis_playbook::testing::assert_scenarios("playbooks/");
    Ok(())
}
