//! Twilio: Call resources as the calls of a campaign described by a native
//! `campaign.json` beside them (docs/platforms.md, "Twilio").

use std::collections::BTreeSet;

use jiff::Timestamp;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, de};

use super::Import;
use super::build::{Dial, Mapped, Stage, left_out};
use super::records::read_all;
use crate::export::InputError;
use crate::model::{CallResult, Phone, shorten};

/// Call `status` → where the call stands (`completed` is refined by `answered_by`).
pub const STATUSES: &[(&str, Stage)] = &[
    ("queued", Stage::Waiting),
    ("ringing", Stage::Live),
    ("in-progress", Stage::Live),
    ("completed", Stage::Ended(CallResult::Answered)),
    ("busy", Stage::Ended(CallResult::Busy)),
    ("no-answer", Stage::Ended(CallResult::NoAnswer)),
    ("canceled", Stage::Ended(CallResult::NoAnswer)),
    ("failed", Stage::Ended(CallResult::Failed)),
];

/// `answered_by` (answering-machine detection) → the result of a completed call.
pub const ANSWERED_BY: &[(&str, CallResult)] = &[
    ("human", CallResult::Answered),
    ("unknown", CallResult::Answered),
    ("machine_start", CallResult::Voicemail),
    ("machine_end_beep", CallResult::Voicemail),
    ("machine_end_silence", CallResult::Voicemail),
    ("machine_end_other", CallResult::Voicemail),
    ("fax", CallResult::Failed),
];

#[derive(Debug, Deserialize, JsonSchema)]
pub(super) struct Call {
    sid: String,
    to: Option<String>,
    from: Option<String>,
    status: Option<String>,
    direction: Option<String>,
    #[schemars(schema_with = "time_schema")]
    #[serde(default, deserialize_with = "de_time")]
    date_created: Option<Timestamp>,
    #[schemars(schema_with = "time_schema")]
    #[serde(default, deserialize_with = "de_time")]
    start_time: Option<Timestamp>,
    #[schemars(schema_with = "time_schema")]
    #[serde(default, deserialize_with = "de_time")]
    end_time: Option<Timestamp>,
    #[schemars(schema_with = "decimal_schema")]
    #[serde(default, deserialize_with = "de_decimal")]
    duration: Option<f64>,
    answered_by: Option<String>,
    #[schemars(schema_with = "decimal_schema")]
    #[serde(default, deserialize_with = "de_decimal")]
    price: Option<f64>,
    price_unit: Option<String>,
}

/// A time as the REST API writes it (RFC 2822, `Tue, 10 Nov 2026 08:02:17 +0000`) or as
/// BulkExport does (ISO 8601).
fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else { return Ok(None) };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text)
        .or_else(|_| text.parse::<Timestamp>())
        .map(Some)
        .map_err(|_| {
            de::Error::custom(format!(
                "invalid time {}, expected RFC 2822 (Tue, 10 Nov 2026 08:02:17 +0000) or ISO 8601",
                shorten(text)
            ))
        })
}

fn time_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "A time, RFC 2822 (Tue, 10 Nov 2026 08:02:17 +0000) or ISO 8601; empty or null when unknown.",
        "type": ["string", "null"]
    })
}

fn decimal_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "A decimal number, as text (\"-0.0130\") or as a number.",
        "anyOf": [{ "type": "number" }, { "type": "string", "pattern": "^\\s*([+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?)?\\s*$" }, { "type": "null" }]
    })
}

/// A decimal number given as text or as a number (`"-0.0130"`, `"42"`, `42`).
fn de_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Decimal {
        Number(f64),
        Text(String),
    }
    match Option::<Decimal>::deserialize(d)? {
        None => Ok(None),
        Some(Decimal::Number(n)) => Ok(Some(n)),
        Some(Decimal::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Decimal::Text(t)) => t
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("invalid number {}, expected a decimal number", shorten(&t)))),
    }
}

/// Reads the Twilio call files of an import (the campaign itself is the native `campaign.json`).
pub(super) fn read(import: &Import) -> Result<Mapped, Vec<InputError>> {
    let (calls, errors) = read_all::<Call>(&import.calls);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(map(calls))
}

fn map(calls: Vec<Call>) -> Mapped {
    let mut m = Mapped { platform: "twilio", ..Mapped::default() };
    let (mut inbound, mut not_phone) = (0, 0);
    let mut units = BTreeSet::new();
    for call in calls {
        if call.direction.as_deref().is_some_and(|d| d.trim().eq_ignore_ascii_case("inbound")) {
            inbound += 1;
            continue;
        }
        let Some(to) = call.to.as_deref().and_then(|to| Phone::new(to.trim()).ok()) else {
            not_phone += 1;
            continue;
        };
        if let Some(unit) = call.price_unit.as_deref().filter(|_| call.price.is_some()) {
            units.insert(unit.trim().to_ascii_uppercase());
        }
        let stage = stage(&call, &mut m);
        m.dials.push(Dial {
            id: call.sid,
            to,
            name: None,
            from: call.from.as_deref().and_then(|f| Phone::new(f.trim()).ok()),
            at: call.start_time.or(call.date_created),
            ended_at: call.end_time,
            stage,
            talk_seconds: call.duration.map(f64::abs),
            outcome: None,
            latency_ms: None,
            // Twilio writes what a call cost as a negative amount.
            cost: call.price.map(f64::abs),
        });
    }
    m.notes.extend(left_out(inbound, "inbound Twilio call", "inbound Twilio calls", "in the call files"));
    m.notes.extend(left_out(
        not_phone,
        "Twilio call",
        "Twilio calls",
        "to a destination that is not a phone number (client:, sip:)",
    ));
    if units.len() > 1 {
        m.notes.push(format!(
            "Twilio prices come in several currencies ({}); the call cost adds them as they are.",
            units.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    m
}

/// Where a call stands: its `status`, and for a completed call what answered it.
fn stage(call: &Call, m: &mut Mapped) -> Stage {
    let status = call.status.as_deref().map(str::trim).unwrap_or("");
    let Some((_, stage)) = STATUSES.iter().find(|(s, _)| s.eq_ignore_ascii_case(status)) else {
        m.unknowns.add("Twilio call status", status);
        return Stage::Ended(CallResult::Other);
    };
    match (stage, call.answered_by.as_deref().map(str::trim)) {
        (Stage::Ended(CallResult::Answered), Some(by)) if !by.is_empty() => {
            match ANSWERED_BY.iter().find(|(b, _)| b.eq_ignore_ascii_case(by)) {
                Some((_, result)) => Stage::Ended(*result),
                None => {
                    m.unknowns.add("Twilio answered_by", by);
                    Stage::Ended(CallResult::Other)
                }
            }
        }
        (stage, _) => *stage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_time_forms_are_read() {
        #[derive(Deserialize)]
        struct T {
            #[serde(deserialize_with = "de_time")]
            t: Option<Timestamp>,
        }
        let rest: T = serde_json::from_str(r#"{"t": "Tue, 10 Nov 2026 08:02:17 +0000"}"#).unwrap();
        let bulk: T = serde_json::from_str(r#"{"t": "2026-11-10T08:02:17Z"}"#).unwrap();
        assert_eq!(rest.t, bulk.t);
        assert!(serde_json::from_str::<T>(r#"{"t": "yesterday"}"#).is_err());
    }

    #[test]
    fn machine_answers_are_voicemail() {
        let call = |status: &str, by: Option<&str>| Call {
            sid: "CA1".into(),
            to: Some("+14155550101".into()),
            from: None,
            status: Some(status.into()),
            direction: None,
            date_created: None,
            start_time: None,
            end_time: None,
            duration: None,
            answered_by: by.map(str::to_string),
            price: None,
            price_unit: None,
        };
        let mut m = Mapped::default();
        assert_eq!(stage(&call("completed", Some("machine_end_beep")), &mut m), Stage::Ended(CallResult::Voicemail));
        assert_eq!(stage(&call("completed", None), &mut m), Stage::Ended(CallResult::Answered));
        assert_eq!(stage(&call("no-answer", Some("human")), &mut m), Stage::Ended(CallResult::NoAnswer));
        assert_eq!(stage(&call("paused", None), &mut m), Stage::Ended(CallResult::Other));
        assert_eq!(m.unknowns.warnings().count(), 1);
    }
}
