//! Vapi: a Campaign object and its Call objects (docs/platforms.md, "Vapi").

use std::collections::BTreeMap;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::build::{Contact, Dial, Mapped, Stage, left_out};
use super::records::{Record, Text, read_all};
use super::{Import, outcome};
use crate::export::InputError;
use crate::export::locate::{self, Step};
use crate::model::{CallResult, Id, NonNegative, OrBlank, Phone, PlatformSettings, Time, de_time};

/// Campaign `status` → the lifecycle's status (`ended` depends on `endedReason`).
pub const CAMPAIGN_STATUSES: &[(&str, &str)] =
    &[("scheduled", "scheduled"), ("in-progress", "running"), ("ended", "completed")];

/// Campaign `endedReason` → the status of an ended campaign.
pub const CAMPAIGN_ENDED_REASONS: &[(&str, &str)] = &[
    ("campaign.scheduled.ended-by-user", "cancelled"),
    ("campaign.in-progress.ended-by-user", "cancelled"),
    ("campaign.ended.success", "completed"),
];

/// Call `status` values of calls not over yet.
pub const CALL_STATUSES: &[(&str, Stage)] = &[
    ("scheduled", Stage::Waiting),
    ("queued", Stage::Waiting),
    ("ringing", Stage::Live),
    ("in-progress", Stage::Live),
    ("forwarding", Stage::Live),
];

/// Call `endedReason` → call result.
pub const ENDED_REASONS: &[(&str, CallResult)] = &[
    ("customer-ended-call", CallResult::Answered),
    ("assistant-ended-call", CallResult::Answered),
    ("assistant-ended-call-after-message-spoken", CallResult::Answered),
    ("assistant-ended-call-with-hangup-task", CallResult::Answered),
    ("assistant-said-end-call-phrase", CallResult::Answered),
    ("assistant-forwarded-call", CallResult::Answered),
    ("silence-timed-out", CallResult::Answered),
    ("exceeded-max-duration", CallResult::Answered),
    ("voicemail", CallResult::Voicemail),
    ("customer-did-not-answer", CallResult::NoAnswer),
    ("customer-busy", CallResult::Busy),
    ("twilio-failed-to-connect-call", CallResult::Failed),
    ("manually-canceled", CallResult::Failed),
    ("assistant-error", CallResult::Failed),
    ("assistant-not-found", CallResult::Failed),
    ("assistant-join-timed-out", CallResult::Failed),
    ("call.start.error-subscription-concurrency-limit-reached", CallResult::Failed),
];

/// Families of `endedReason` values, by how they start: errors of the pipeline and
/// of the call's phases.
pub const ENDED_REASON_PREFIXES: &[(&str, CallResult)] = &[
    ("pipeline-error-", CallResult::Failed),
    ("call.start.error-", CallResult::Failed),
    ("call.ringing.error-", CallResult::Failed),
    ("call.in-progress.error-", CallResult::Failed),
];

/// A SIP response code inside an `endedReason` (`…-sip-486-…`) → call result; other
/// 4xx, 5xx and 6xx codes are `failed`.
pub const SIP_CODES: &[(u16, CallResult)] = &[
    (404, CallResult::InvalidNumber),
    (484, CallResult::InvalidNumber),
    (604, CallResult::InvalidNumber),
    (486, CallResult::Busy),
    (600, CallResult::Busy),
    (408, CallResult::NoAnswer),
    (480, CallResult::NoAnswer),
    (487, CallResult::NoAnswer),
];

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct Campaign {
    id: Id,
    name: Option<String>,
    status: Option<String>,
    ended_reason: Option<String>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    created_at: Option<Timestamp>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    updated_at: Option<Timestamp>,
    assistant_id: Option<String>,
    workflow_id: Option<String>,
    squad_id: Option<String>,
    phone_number_id: Option<String>,
    schedule_plan: Option<SchedulePlan>,
    #[serde(default)]
    customers: Vec<Customer>,
    /// Call id → Call object; read when the campaign is an input on its own.
    #[schemars(with = "Option<BTreeMap<String, Call>>")]
    calls: Option<BTreeMap<String, serde::de::IgnoredAny>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct SchedulePlan {
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    earliest_at: Option<Timestamp>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Customer {
    number: Option<Phone>,
    name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct Call {
    id: String,
    campaign_id: Option<String>,
    status: Option<String>,
    ended_reason: Option<String>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    created_at: Option<Timestamp>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    started_at: Option<Timestamp>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    ended_at: Option<Timestamp>,
    customer: Option<Customer>,
    phone_number_id: Option<String>,
    phone_number: Option<CallNumber>,
    cost: Option<NonNegative>,
    analysis: Option<Analysis>,
    artifact: Option<Artifact>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct CallNumber {
    number: Option<Phone>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Analysis {
    success_evaluation: Option<Value>,
    structured_data: Option<Map<String, Value>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    performance_metrics: Option<PerformanceMetrics>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct PerformanceMetrics {
    turn_latency_average: Option<NonNegative>,
}

/// Reads a Vapi import: the campaign, and its calls from the call files, or from the
/// campaign's own `calls` map when the folder has none.
pub(super) fn read(import: &Import, settings: &PlatformSettings) -> Result<Mapped, Vec<InputError>> {
    let Some(path) = &import.campaign else { return Err(vec![import.missing("a Vapi Campaign object")]) };
    let file = Text::read(path).map_err(|e| vec![e])?;
    let records = file.records().map_err(|e| vec![e])?;
    let [record] = records.as_slice() else {
        return Err(vec![InputError::file(path, "expected one Vapi Campaign object in this file")]);
    };
    let campaign: Campaign = file.typed(record).map_err(|e| vec![e])?;

    let mut errors = Vec::new();
    let mut calls = Vec::new();
    if import.calls.is_empty() {
        for record in embedded_calls(record, campaign.calls.as_ref()) {
            match file.typed::<Call>(&record) {
                Ok(call) => calls.push(call),
                Err(e) => errors.push(e),
            }
        }
    }
    let (typed, bad) = read_all::<Call>(&import.calls);
    calls.extend(typed);
    errors.extend(bad);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(map(campaign, calls, settings))
}

/// The objects of the campaign's `calls` map (call id → call), each where it starts.
fn embedded_calls<'a>(record: &Record<'a>, calls: Option<&BTreeMap<String, serde::de::IgnoredAny>>) -> Vec<Record<'a>> {
    let Some(calls) = calls else { return Vec::new() };
    let bytes = record.text.as_bytes();
    calls
        .keys()
        .filter_map(|id| {
            let start = locate::value_offset(record.text, &[Step::Key("calls".into()), Step::Key(id.clone())])?;
            let end = locate::value_end(bytes, start)?;
            Some(record.inner(start, end))
        })
        .filter(|r| r.text.starts_with('{'))
        .collect()
}

fn map(campaign: Campaign, calls: Vec<Call>, settings: &PlatformSettings) -> Mapped {
    let mut m = Mapped { platform: "vapi", ..Mapped::default() };
    let number_of = |id: Option<&String>| id.and_then(|id| settings.numbers.get(id)).cloned();
    m.from_numbers = number_of(campaign.phone_number_id.as_ref()).into_iter().collect();
    let (mut other_campaign, mut no_number) = (0, 0);
    for call in calls {
        if call.campaign_id.as_deref().is_some_and(|c| c != campaign.id.as_str()) {
            other_campaign += 1;
            continue;
        }
        let Some(to) = call.customer.as_ref().and_then(|c| c.number.clone()) else {
            no_number += 1;
            continue;
        };
        let stage = stage(&call, &mut m);
        let answered = stage == Stage::Ended(CallResult::Answered);
        let key = settings.outcome_key.as_deref();
        let analysis = call.analysis.as_ref();
        m.dials.push(Dial {
            id: call.id,
            to,
            name: call.customer.and_then(|c| c.name),
            from: call.phone_number.and_then(|p| p.number).or_else(|| number_of(call.phone_number_id.as_ref())),
            at: call.started_at.or(call.created_at),
            ended_at: call.ended_at,
            stage,
            talk_seconds: match (call.started_at, call.ended_at) {
                (Some(start), Some(end)) if end > start => Some(end.duration_since(start).as_secs_f64()),
                _ => None,
            },
            outcome: if matches!(stage, Stage::Ended(_)) {
                outcome::of(
                    analysis.and_then(|a| a.success_evaluation.as_ref()),
                    analysis.and_then(|a| a.structured_data.as_ref()),
                    key,
                )
            } else {
                None
            },
            latency_ms: call
                .artifact
                .and_then(|a| a.performance_metrics)
                .and_then(|p| p.turn_latency_average)
                .map(|l| l.0)
                .filter(|_| answered),
            cost: call.cost.map(|c| c.0),
        });
    }
    m.notes.extend(left_out(other_campaign, "Vapi call", "Vapi calls", "of other campaigns"));
    m.notes.extend(left_out(no_number, "Vapi call", "Vapi calls", "without a customer phone number"));
    let customers_without = campaign.customers.iter().filter(|c| c.number.is_none()).count();
    m.notes.extend(left_out(customers_without, "Vapi customer", "Vapi customers", "without a phone number"));
    m.contacts = campaign
        .customers
        .into_iter()
        .filter_map(|c| c.number.map(|number| Contact { number, name: c.name }))
        .collect();

    let (status, reason) = campaign_status(campaign.status.as_deref(), campaign.ended_reason.as_deref(), &mut m);
    m.status = Some(status);
    m.status_reason = reason;
    m.source_id = Some(campaign.id.to_string());
    m.source_status = campaign.status;
    m.source_reason = campaign.ended_reason;
    m.name = Some(campaign.name.unwrap_or_else(|| campaign.id.to_string()));
    m.id = Some(campaign.id.to_string());
    m.created_at = campaign.created_at;
    m.updated_at = campaign.updated_at;
    m.scheduled_start_at = campaign.schedule_plan.and_then(|p| p.earliest_at);
    m.agent_name =
        [("assistant", &campaign.assistant_id), ("workflow", &campaign.workflow_id), ("squad", &campaign.squad_id)]
            .into_iter()
            .find_map(|(what, id)| id.as_ref().map(|id| format!("Vapi {what} {id}")));
    m
}

/// Where a call stands: its status while it is not over, its `endedReason` once it is.
fn stage(call: &Call, m: &mut Mapped) -> Stage {
    let status = call.status.as_deref().map(str::trim).unwrap_or("ended");
    if let Some((_, stage)) = CALL_STATUSES.iter().find(|(s, _)| s.eq_ignore_ascii_case(status)) {
        return *stage;
    }
    if !status.eq_ignore_ascii_case("ended") {
        m.unknowns.add("Vapi call status", status);
        if call.ended_reason.is_none() {
            return Stage::Ended(CallResult::Other);
        }
    }
    let Some(reason) = call.ended_reason.as_deref().map(str::trim) else {
        m.unknowns.add("Vapi call endedReason", "(none)");
        return Stage::Ended(CallResult::Other);
    };
    match result_of(reason) {
        Some(result) => Stage::Ended(result),
        None => {
            m.unknowns.add("Vapi call endedReason", reason);
            Stage::Ended(CallResult::Other)
        }
    }
}

/// The result an `endedReason` says: the table, then a SIP code in it, then its family.
pub fn result_of(reason: &str) -> Option<CallResult> {
    if let Some((_, r)) = ENDED_REASONS.iter().find(|(s, _)| s.eq_ignore_ascii_case(reason)) {
        return Some(*r);
    }
    if let Some(code) = sip_code(reason) {
        return Some(SIP_CODES.iter().find(|(c, _)| *c == code).map_or(CallResult::Failed, |(_, r)| *r));
    }
    ENDED_REASON_PREFIXES.iter().find(|(p, _)| reason.starts_with(p)).map(|(_, r)| *r)
}

/// The SIP response code (400–699) a reason names after `sip-`.
fn sip_code(reason: &str) -> Option<u16> {
    reason.match_indices("sip-").find_map(|(at, _)| {
        let digits = reason.get(at + 4..at + 7)?;
        let code: u16 = digits.parse().ok()?;
        let ends = reason[at + 7..].chars().next().is_none_or(|c| !c.is_ascii_digit());
        ((400..700).contains(&code) && ends).then_some(code)
    })
}

/// The lifecycle status of the campaign and, for a cancelled one, why.
fn campaign_status(status: Option<&str>, reason: Option<&str>, m: &mut Mapped) -> (&'static str, Option<String>) {
    let status = status.map(str::trim).unwrap_or("");
    match CAMPAIGN_STATUSES.iter().find(|(s, _)| s.eq_ignore_ascii_case(status)) {
        Some((_, "completed")) => match reason.map(str::trim) {
            None => ("completed", None),
            Some(reason) => match CAMPAIGN_ENDED_REASONS.iter().find(|(r, _)| r.eq_ignore_ascii_case(reason)) {
                Some((r, "cancelled")) => {
                    let when = if r.contains(".scheduled.") { "before it started" } else { "while it was running" };
                    ("cancelled", Some(format!("Ended by a user in Vapi {when}.")))
                }
                Some((_, status)) => (status, None),
                None => {
                    m.notes.push(format!(
                        "Vapi campaign endedReason {} is not a value campaign-report knows: the campaign is shown as completed.",
                        crate::model::shorten(reason)
                    ));
                    ("completed", None)
                }
            },
        },
        Some((_, mapped)) => (mapped, None),
        None => {
            let derived = if m.is_busy() { "running" } else { "completed" };
            m.notes.push(format!(
                "Vapi campaign status {} is not a value campaign-report knows: the campaign is shown as {derived}, as its calls say.",
                crate::model::shorten(status)
            ));
            (derived, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_map_by_table_sip_code_and_family() {
        assert_eq!(result_of("customer-busy"), Some(CallResult::Busy));
        assert_eq!(result_of("voicemail"), Some(CallResult::Voicemail));
        assert_eq!(
            result_of("call.in-progress.error-providerfault-outbound-sip-486-busy-here"),
            Some(CallResult::Busy)
        );
        assert_eq!(result_of("call.start.error-sip-404-not-found"), Some(CallResult::InvalidNumber));
        assert_eq!(result_of("call.in-progress.error-sip-503-service-unavailable"), Some(CallResult::Failed));
        assert_eq!(result_of("pipeline-error-openai-llm-failed"), Some(CallResult::Failed));
        assert_eq!(result_of("customer-sang-a-song"), None);
        assert_eq!(sip_code("sip-4860"), None);
    }
}
