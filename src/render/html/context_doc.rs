//! The template context reference of docs/templates.md, generated from the context
//! types themselves (their JSON Schema, whose descriptions are the fields' doc
//! comments), and the test that keeps the document equal to it.
//!
//! `UPDATE_DOCS=1 cargo test --lib context_reference` rewrites the generated part.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::Page;
use crate::view::{CampaignView, ListView};

const BEGIN: &str = "<!-- context reference: generated from the context types by `UPDATE_DOCS=1 cargo test --lib context_reference`; do not edit by hand -->";
const END: &str = "<!-- end of the generated context reference -->";

/// One documented key.
struct Row {
    path: String,
    kind: String,
    meaning: String,
}

/// The reference: one table per root the templates receive.
fn reference() -> (String, Vec<String>) {
    let mut out = String::new();
    let mut undocumented = Vec::new();
    for (root, what, schema) in [
        ("page", "every page", written::<Page>()),
        ("campaign", "campaign pages", written::<CampaignView>()),
        ("list", "the campaign list", written::<ListView>()),
    ] {
        let value = schema.to_value();
        let defs = value.get("$defs").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut rows = Vec::new();
        walk(&value, root, &defs, &mut rows);
        let _ = writeln!(out, "\n### `{root}` ({what})\n\n| key | type | meaning |\n| --- | --- | --- |");
        for row in rows {
            if row.meaning.is_empty() {
                undocumented.push(row.path.clone());
            }
            let _ = writeln!(out, "| `{}` | {} | {} |", row.path, row.kind, row.meaning.replace('|', "\\|"));
        }
    }
    (out, undocumented)
}

/// The schema of a context type as the templates receive it: as serialised (a word
/// enum is its words, not every spelling the export reader accepts).
fn written<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::generate::SchemaSettings::draft2020_12().for_serialize().into_generator().into_root_schema_for::<T>()
}

/// A schema with its `$ref` followed and `null` taken out; whether it allowed null.
fn resolve<'a>(schema: &'a Value, defs: &'a Map<String, Value>) -> (&'a Value, bool) {
    if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
        let name = name.rsplit('/').next().unwrap_or(name);
        return match defs.get(name) {
            Some(def) => (def, false),
            None => (schema, false),
        };
    }
    if let Some(variants) = schema.get("anyOf").and_then(Value::as_array) {
        let not_null: Vec<&Value> = variants.iter().filter(|v| v.get("type") != Some(&Value::from("null"))).collect();
        if let [only] = not_null[..] {
            return (resolve(only, defs).0, true);
        }
    }
    let nullable = schema.get("type").and_then(Value::as_array).is_some_and(|t| t.contains(&Value::from("null")));
    (schema, nullable)
}

fn kind(schema: &Value, defs: &Map<String, Value>) -> String {
    let (schema, nullable) = resolve(schema, defs);
    let base = if let Some(words) = schema.get("enum").and_then(Value::as_array) {
        let words: Vec<String> = words.iter().filter_map(Value::as_str).map(|w| format!("`{w}`")).collect();
        match words.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => "word".into(),
        }
    } else {
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
            _ => Vec::new(),
        };
        match types.first().copied() {
            Some("array") => match schema.get("items") {
                Some(items) => format!("list of {}", plural(&kind(items, defs))),
                None => "list".into(),
            },
            Some("integer") => "whole number".into(),
            Some("number") => "number".into(),
            Some("string") => "text".into(),
            Some("boolean") => "true or false".into(),
            Some("object") | None => "object".into(),
            Some(other) => other.into(),
        }
    };
    if nullable { format!("{base} or null") } else { base }
}

fn plural(kind: &str) -> String {
    match kind {
        "object" => "objects".into(),
        "text" => "texts".into(),
        "whole number" => "whole numbers".into(),
        other => other.into(),
    }
}

/// Rows for every property of `schema` (an object), depth first, in key order.
fn walk(schema: &Value, path: &str, defs: &Map<String, Value>, rows: &mut Vec<Row>) {
    let (schema, _) = resolve(schema, defs);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return };
    for (key, property) in properties {
        let here = format!("{path}.{key}");
        let own = property.get("description").and_then(Value::as_str);
        let (target, _) = resolve(property, defs);
        let (items, _) = match target.get("items") {
            Some(items) => resolve(items, defs),
            None => (target, false),
        };
        let meaning = own.or_else(|| target.get("description").and_then(Value::as_str)).unwrap_or("");
        rows.push(Row { path: here.clone(), kind: kind(property, defs), meaning: one_line(meaning) });
        if target.get("items").is_some() {
            walk(items, &format!("{here}[]"), defs, rows);
        } else {
            walk(target, &here, defs, rows);
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// docs/templates.md with its generated part replaced by `reference`.
fn with_reference(doc: &str, reference: &str) -> Option<String> {
    let start = doc.find(BEGIN)? + BEGIN.len();
    let end = doc[start..].find(END)? + start;
    Some(format!("{}\n{reference}\n{}", &doc[..start], &doc[end..]))
}

#[test]
fn context_reference_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/templates.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (reference, undocumented) = reference();
    assert!(undocumented.is_empty(), "context keys without a doc comment: {undocumented:?}");
    let expected = with_reference(&doc, &reference).expect("docs/templates.md has the generated-reference markers");
    if expected != doc {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, expected).unwrap();
        } else {
            panic!(
                "docs/templates.md does not describe the template context as the code has it; \
                 run `UPDATE_DOCS=1 cargo test --lib context_reference` and review the diff"
            );
        }
    }
}
