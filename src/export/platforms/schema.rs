//! The JSON Schema of each platform's export files (`campaign-report schema
//! --input-format vapi|retell|twilio`): the fields the readers look at, each with
//! the type they read it as (docs/platforms.md, "Checking and the JSON Schema").
//!
//! A file of the platform is valid when it is one of the platform's objects or a list
//! of its calls; a JSON lines file is valid when each line is.

use schemars::{Schema, generate::SchemaSettings, json_schema};

use super::{Platform, retell, twilio, vapi};

/// The schema of the files of `platform`'s exports.
pub fn of(platform: Platform) -> Schema {
    let mut generator = SchemaSettings::draft2020_12().for_deserialize().into_generator();
    let (title, objects) = match platform {
        Platform::Vapi => (
            "A file of a Vapi export: a Campaign object, a Call object, or a list of calls",
            vec![generator.subschema_for::<vapi::Campaign>(), generator.subschema_for::<vapi::Call>()],
        ),
        Platform::Retell => (
            "A file of a Retell export: a batch call object, a call object, a list of calls, or a list-calls page",
            vec![generator.subschema_for::<retell::Batch>(), generator.subschema_for::<retell::Call>()],
        ),
        Platform::Twilio => (
            "A file of Twilio call records: a Call resource or a list of them (the campaign.json beside them is a native campaign object: see `campaign-report schema`)",
            vec![generator.subschema_for::<twilio::Call>()],
        ),
    };
    let call = objects.last().cloned().unwrap_or_default();
    let mut any = objects;
    any.push(json_schema!({ "type": "array", "items": call }));
    if platform == Platform::Retell {
        any.push(json_schema!({
            "type": "object",
            "required": ["items"],
            "properties": { "items": { "type": "array", "items": call } }
        }));
    }
    json_schema!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "anyOf": any,
        "$defs": generator.take_definitions(true)
    })
}
