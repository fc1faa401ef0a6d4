//! Retell: a batch call object and its calls (docs/platforms.md, "Retell").

use std::collections::HashSet;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, de};
use serde_json::{Map, Value};

use super::build::{Dial, Mapped, Stage, left_out};
use super::records::{Text, read_all};
use super::{Import, outcome};
use crate::export::InputError;
use crate::model::{CallResult, Id, NonNegative, Phone, PlatformSettings, TimeZoneName, Weekday};

/// Call `call_status` values of calls not over yet; `ended`, `not_connected` and
/// `error` take their result from `disconnection_reason`.
pub const CALL_STATUSES: &[(&str, Option<Stage>)] = &[
    ("registered", Some(Stage::Waiting)),
    ("ongoing", Some(Stage::Live)),
    ("ended", None),
    ("not_connected", None),
    ("error", None),
];

/// `disconnection_reason` → call result.
pub const DISCONNECTION_REASONS: &[(&str, CallResult)] = &[
    ("user_hangup", CallResult::Answered),
    ("agent_hangup", CallResult::Answered),
    ("call_transfer", CallResult::Answered),
    ("transfer_bridged", CallResult::Answered),
    ("transfer_cancelled", CallResult::Answered),
    ("inactivity", CallResult::Answered),
    ("max_duration_reached", CallResult::Answered),
    ("call_take_over", CallResult::Answered),
    ("voicemail_reached", CallResult::Voicemail),
    ("machine_detected", CallResult::Voicemail),
    ("ivr_reached", CallResult::Voicemail),
    ("dial_no_answer", CallResult::NoAnswer),
    ("dial_busy", CallResult::Busy),
    ("user_declined", CallResult::Busy),
    ("invalid_destination", CallResult::InvalidNumber),
    ("dial_failed", CallResult::Failed),
    ("telephony_provider_permission_denied", CallResult::Failed),
    ("telephony_provider_unavailable", CallResult::Failed),
    ("sip_routing_error", CallResult::Failed),
    ("marked_as_spam", CallResult::Failed),
    ("concurrency_limit_reached", CallResult::Failed),
    ("no_valid_payment", CallResult::Failed),
    ("scam_detected", CallResult::Failed),
    ("registered_call_timeout", CallResult::Failed),
    ("manual_stopped", CallResult::Failed),
];

/// Families of `disconnection_reason` values, by how they start.
pub const DISCONNECTION_PREFIXES: &[(&str, CallResult)] = &[("error_", CallResult::Failed)];

#[derive(Debug, Deserialize, JsonSchema)]
pub(super) struct Batch {
    batch_call_id: Id,
    name: Option<String>,
    from_number: Option<Phone>,
    #[schemars(with = "Option<NonNegative>")]
    #[serde(default, deserialize_with = "de_schedule_time")]
    scheduled_timestamp: Option<Timestamp>,
    total_task_count: Option<u64>,
    call_time_window: Option<TimeWindow>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct TimeWindow {
    #[serde(default)]
    windows: Vec<Window>,
    timezone: Option<TimeZoneName>,
    #[serde(default)]
    day: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Window {
    start: u32,
    end: u32,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(super) struct Call {
    call_id: String,
    batch_call_id: Option<String>,
    agent_name: Option<String>,
    call_status: Option<String>,
    direction: Option<String>,
    from_number: Option<Phone>,
    to_number: Option<Phone>,
    #[schemars(with = "Option<NonNegative>")]
    #[serde(default, deserialize_with = "de_epoch_ms")]
    start_timestamp: Option<Timestamp>,
    #[schemars(with = "Option<NonNegative>")]
    #[serde(default, deserialize_with = "de_epoch_ms")]
    end_timestamp: Option<Timestamp>,
    duration_ms: Option<NonNegative>,
    disconnection_reason: Option<String>,
    call_analysis: Option<CallAnalysis>,
    call_cost: Option<CallCost>,
    latency: Option<Latencies>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct CallAnalysis {
    call_successful: Option<bool>,
    in_voicemail: Option<bool>,
    custom_analysis_data: Option<Map<String, Value>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct CallCost {
    /// In cents.
    combined_cost: Option<NonNegative>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Latencies {
    e2e: Option<Percentiles>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Percentiles {
    p50: Option<NonNegative>,
}

/// Epoch milliseconds → a time.
fn de_epoch_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    let Some(ms) = Option::<NonNegative>::deserialize(d)? else { return Ok(None) };
    Timestamp::from_millisecond(ms.0 as i64)
        .map(Some)
        .map_err(|_| de::Error::custom(format!("invalid time {}, expected epoch milliseconds", ms.0)))
}

/// Epoch milliseconds, or seconds for a value below 10^11 (the batch response's example
/// gives seconds; docs/platforms.md).
fn de_schedule_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    let Some(v) = Option::<NonNegative>::deserialize(d)? else { return Ok(None) };
    let ms = if v.0 < 1e11 { v.0 * 1000.0 } else { v.0 };
    Timestamp::from_millisecond(ms as i64)
        .map(Some)
        .map_err(|_| de::Error::custom(format!("invalid time {}, expected epoch milliseconds", v.0)))
}

/// Reads a Retell import: the batch and its calls.
pub(super) fn read(import: &Import, settings: &PlatformSettings) -> Result<Mapped, Vec<InputError>> {
    let Some(path) = &import.campaign else { return Err(vec![import.missing("a Retell batch call object")]) };
    let file = Text::read(path).map_err(|e| vec![e])?;
    let records = file.records().map_err(|e| vec![e])?;
    let [record] = records.as_slice() else {
        return Err(vec![InputError::file(path, "expected one Retell batch call object in this file")]);
    };
    let batch: Batch = file.typed(record).map_err(|e| vec![e])?;
    let (calls, errors) = read_all::<Call>(&import.calls);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(map(batch, calls, settings))
}

fn map(batch: Batch, calls: Vec<Call>, settings: &PlatformSettings) -> Mapped {
    let mut m = Mapped { platform: "retell", ..Mapped::default() };
    let (mut other_batch, mut inbound, mut no_number) = (0, 0, 0);
    for call in calls {
        if call.batch_call_id.as_deref().is_some_and(|b| b != batch.batch_call_id.as_str()) {
            other_batch += 1;
            continue;
        }
        if call.direction.as_deref().is_some_and(|d| d.trim().eq_ignore_ascii_case("inbound")) {
            inbound += 1;
            continue;
        }
        let Some(to) = call.to_number.clone() else {
            no_number += 1;
            continue;
        };
        if m.agent_name.is_none() {
            m.agent_name = call.agent_name.clone();
        }
        let stage = stage(&call, &mut m);
        let analysis = call.call_analysis.as_ref();
        let talk =
            call.duration_ms.map(|d| d.0 / 1000.0).or_else(|| match (call.start_timestamp, call.end_timestamp) {
                (Some(start), Some(end)) if end > start => Some(end.duration_since(start).as_secs_f64()),
                _ => None,
            });
        m.dials.push(Dial {
            id: call.call_id,
            to,
            name: None,
            from: call.from_number.or_else(|| batch.from_number.clone()),
            at: call.start_timestamp,
            ended_at: call.end_timestamp,
            stage,
            talk_seconds: talk,
            outcome: if matches!(stage, Stage::Ended(_)) {
                outcome::of(
                    analysis.and_then(|a| a.call_successful).map(Value::Bool).as_ref(),
                    analysis.and_then(|a| a.custom_analysis_data.as_ref()),
                    settings.outcome_key.as_deref(),
                )
            } else {
                None
            },
            latency_ms: call.latency.and_then(|l| l.e2e).and_then(|e| e.p50).map(|p| p.0),
            cost: call.call_cost.and_then(|c| c.combined_cost).map(|cents| cents.0 / 100.0),
        });
    }
    for (n, why) in
        [(other_batch, "of other batches"), (inbound, "that were inbound"), (no_number, "without a to_number")]
    {
        m.notes.extend(left_out(n, "Retell call", "Retell calls", why));
    }

    m.status = Some(status(&m, batch.total_task_count));
    m.id = Some(batch.batch_call_id.to_string());
    m.source_id = Some(batch.batch_call_id.to_string());
    m.name = Some(batch.name.unwrap_or_else(|| batch.batch_call_id.to_string()));
    m.scheduled_start_at = batch.scheduled_timestamp;
    m.from_numbers = batch.from_number.into_iter().collect();
    m.total = batch.total_task_count;
    if let Some(window) = batch.call_time_window {
        m.timezone = window.timezone.as_ref().map(|z| z.as_str().to_string());
        m.calling_window = calling_window(&window, &mut m.notes);
    }
    m
}

/// A batch has no status of its own: scheduled before its first call, running while a
/// call is under way or a task is left, completed after.
fn status(m: &Mapped, total: Option<u64>) -> &'static str {
    let dialled: HashSet<&str> = m.dials.iter().map(|d| d.to.as_str()).collect();
    if m.dials.iter().all(|d| d.stage == Stage::Waiting) {
        "scheduled"
    } else if m.is_busy() || total.is_some_and(|t| (dialled.len() as u64) < t) {
        "running"
    } else {
        "completed"
    }
}

/// Where a call stands: its `call_status` while not over, its `disconnection_reason` after.
fn stage(call: &Call, m: &mut Mapped) -> Stage {
    let status = call.call_status.as_deref().map(str::trim).unwrap_or("ended");
    match CALL_STATUSES.iter().find(|(s, _)| s.eq_ignore_ascii_case(status)) {
        Some((_, Some(stage))) => return *stage,
        Some((_, None)) => {}
        None => m.unknowns.add("Retell call_status", status),
    }
    let in_voicemail = call.call_analysis.as_ref().and_then(|a| a.in_voicemail) == Some(true);
    let result = match call.disconnection_reason.as_deref().map(str::trim) {
        Some(reason) => match result_of(reason) {
            Some(r) => r,
            None => {
                m.unknowns.add("Retell disconnection_reason", reason);
                CallResult::Other
            }
        },
        None if status.eq_ignore_ascii_case("error") => CallResult::Failed,
        None => {
            m.unknowns.add("Retell disconnection_reason", "(none)");
            CallResult::Other
        }
    };
    // The analysis hears a voicemail greeting that a hang-up reason does not tell.
    Stage::Ended(if in_voicemail && result == CallResult::Answered { CallResult::Voicemail } else { result })
}

/// The result a `disconnection_reason` says: the table, then its family.
pub fn result_of(reason: &str) -> Option<CallResult> {
    DISCONNECTION_REASONS
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(reason))
        .or_else(|| DISCONNECTION_PREFIXES.iter().find(|(p, _)| reason.starts_with(p)))
        .map(|(_, r)| *r)
}

/// The batch's calling window as the native one: the first window's hours on its days.
fn calling_window(window: &TimeWindow, notes: &mut Vec<String>) -> Option<Value> {
    let first = window.windows.first()?;
    if window.windows.len() > 1 {
        notes.push(format!(
            "The Retell batch has {} calling windows a day; pace and estimated finish use the first one.",
            window.windows.len()
        ));
    }
    let clock = |minutes: u32| format!("{:02}:{:02}", (minutes / 60) % 24, minutes % 60);
    let days: Vec<&str> = if window.day.is_empty() {
        Weekday::ALL.iter().map(|d| d.as_str()).collect()
    } else {
        window.day.iter().filter_map(|d| Weekday::parse(d.get(..3)?).map(|w| w.as_str())).collect()
    };
    Some(serde_json::json!({ "days": days, "start": clock(first.start), "end": clock(first.end.min(1440)) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_map_by_table_and_family() {
        assert_eq!(result_of("dial_no_answer"), Some(CallResult::NoAnswer));
        assert_eq!(result_of("call_transfer"), Some(CallResult::Answered));
        assert_eq!(result_of("error_llm_websocket_open"), Some(CallResult::Failed));
        assert_eq!(result_of("a_new_reason"), None);
    }

    #[test]
    fn a_window_in_minutes_reads_as_clock_times() {
        let window: TimeWindow = serde_json::from_str(
            r#"{"windows": [{"start": 540, "end": 1440}], "timezone": "America/Chicago", "day": ["Monday", "Friday"]}"#,
        )
        .unwrap();
        let v = calling_window(&window, &mut Vec::new()).unwrap();
        assert_eq!(v, serde_json::json!({"days": ["mon", "fri"], "start": "09:00", "end": "00:00"}));
    }
}
