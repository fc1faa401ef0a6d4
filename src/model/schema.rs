//! The JSON Schema of a campaign object (`campaign-report schema`), and the schemas
//! of the values whose reading a derived schema would not describe: times, blank
//! optional values and whole numbers' bounds.
//!
//! The schema accepts exactly what the reader accepts wherever a JSON Schema can say
//! it; docs/export-format.md lists where it cannot, and there the schema accepts more.

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};

use super::Campaign;
use super::values::white_space_class;

/// The JSON Schema of a campaign object, describing what the reader accepts.
pub fn campaign_schema() -> Schema {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .with_transform(RecursiveTransform(bound_whole_numbers))
        .into_generator()
        .into_root_schema_for::<Campaign>()
}

/// Gives each whole number the upper bound of its Rust type (serde refuses larger
/// ones); schemars states only the lower one.
fn bound_whole_numbers(schema: &mut Schema) {
    let max = match schema.get("format").and_then(|f| f.as_str()) {
        Some("uint32") => u64::from(u32::MAX),
        Some("uint64") => u64::MAX,
        _ => return,
    };
    if schema.get("maximum").is_none() {
        schema.insert("maximum".into(), max.into());
    }
}

/// An RFC 3339 time, as `de_time` reads it (trimmed; an empty value is [`Blank`]).
pub(crate) struct Time;

impl JsonSchema for Time {
    fn schema_name() -> Cow<'static, str> {
        "Time".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A time with its UTC offset, RFC 3339 such as 2026-11-27T09:00:00Z or 2026-11-27T04:00:00-05:00 (read trimmed; also the other ISO 8601 forms of the Temporal standard: a space for the T, basic format, minutes or seconds left out, a bracketed time zone). The day must exist in its month.",
            "type": "string",
            "pattern": time_pattern()
        })
    }
}

/// What `jiff::Timestamp::from_str` parses, less the checks a pattern cannot make
/// (that the day exists in its month, and the range of years ±9999 once the offset
/// is applied).
fn time_pattern() -> String {
    let ws = format!("[{}]*", white_space_class());
    // Four digits, or a sign and six digits up to 9999 (-000000 is refused).
    let year = "([0-9]{4}|[+]00[0-9]{4}|-00(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3}))";
    let (month, day) = ("(0[1-9]|1[0-2])", "(0[1-9]|[12][0-9]|3[01])");
    let date = format!("{year}(-{month}-{day}|{month}{day})");
    let (hour, minute, second, fraction) = ("([01][0-9]|2[0-3])", "[0-5][0-9]", "([0-5][0-9]|60)", "([.,][0-9]{1,9})");
    // Extended (with colons) or basic; each smaller unit is optional, a fraction follows seconds only.
    let time = format!("{hour}(:{minute}(:{second}{fraction}?)?|{minute}({second}{fraction}?)?)?");
    let offset_hour = "([01][0-9]|2[0-5])";
    let offset = format!("([Zz]|[+-]{offset_hour}(:{minute}(:{minute}{fraction}?)?|{minute}({minute}{fraction}?)?)?)");
    // RFC 9557 annotations: a time zone first (an IANA name or an offset), then keys and values.
    let name = "[A-Za-z._][A-Za-z0-9._+-]*";
    let zone = format!("(\\[!?([+-]{offset_hour}(:?{minute})?|{name}(/{name})*)\\])?");
    let keys = "(\\[[a-z_][a-z0-9_-]*=[A-Za-z0-9]+(-[A-Za-z0-9]+)*\\])*";
    format!("^{ws}{date}[Tt ]{time}{offset}{zone}{keys}{ws}$")
}

/// An empty or white-space value, which the reader takes as absent.
pub(crate) struct Blank;

impl JsonSchema for Blank {
    fn schema_name() -> Cow<'static, str> {
        "Blank".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An empty value (or only white space), read as absent.",
            "type": "string",
            "pattern": format!("^[{}]*$", white_space_class())
        })
    }
}

/// An optional `T` whose reader takes null, a missing key and a [`Blank`] string as absent.
pub(crate) struct OrBlank<T>(PhantomData<T>);

impl<T: JsonSchema> JsonSchema for OrBlank<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("{}OrBlank", T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [generator.subschema_for::<T>(), generator.subschema_for::<Blank>(), { "type": "null" }]
        })
    }
}
