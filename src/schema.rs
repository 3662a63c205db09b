//! The JSON Schema of the playbook format, for editors (yaml-language-server) and tools.

use schemars::generate::SchemaSettings;

use crate::load::format::PlaybookDoc;
use crate::testing::format::ScenarioDoc;

fn draft07<T: schemars::JsonSchema>() -> String {
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema =
        serde_json::to_value(generator.into_root_schema_for::<T>()).unwrap_or_default();
    without_rust_formats(&mut schema);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Removes the formats schemars names after Rust's number types (`double`, `uint32`…): JSON
/// Schema does not define them, and validators in strict mode (ajv) refuse a schema that uses
/// them. An unsigned type keeps what its format meant as a `minimum`.
fn without_rust_formats(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(fields) => {
            let format = fields
                .get("format")
                .and_then(|f| f.as_str())
                .map(str::to_string);
            if let Some(format) = format
                && matches!(
                    format.as_str(),
                    "double"
                        | "float"
                        | "int8"
                        | "int16"
                        | "int32"
                        | "int64"
                        | "uint8"
                        | "uint16"
                        | "uint32"
                        | "uint64"
                        | "uint"
                )
            {
                fields.remove("format");
                if format.starts_with("uint") {
                    fields.entry("minimum").or_insert(0.into());
                }
            }
            fields.values_mut().for_each(without_rust_formats);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_rust_formats),
        _ => {}
    }
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
