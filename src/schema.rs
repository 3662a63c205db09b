//! The JSON Schema of the playbook format, for editors (yaml-language-server) and tools.

use schemars::generate::SchemaSettings;

use crate::load::format::PlaybookDoc;
use crate::testing::format::ScenarioDoc;

fn draft07<T: schemars::JsonSchema>() -> String {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<T>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema (draft-07) of playbook files, pretty-printed.
///
/// Bundled playbooks start with a `# yaml-language-server: $schema=…` line that points at this
/// schema, written to `schema/playbook.schema.json`.
///
/// ```
/// let schema = crisis_playbook::schema::playbook_schema();
/// assert!(schema.contains("http://json-schema.org/draft-07/schema#"));
/// assert!(schema.contains("\"initial\""));
/// ```
pub fn playbook_schema() -> String {
    draft07::<PlaybookDoc>()
}

/// The JSON Schema (draft-07) of scenario files, committed as `schema/scenario.schema.json`.
///
/// ```
/// let schema = crisis_playbook::schema::scenario_schema();
/// assert!(schema.contains("\"expect\""));
/// ```
pub fn scenario_schema() -> String {
    draft07::<ScenarioDoc>()
}
