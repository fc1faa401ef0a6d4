//! The export's types, as the platform writes them (docs/export-format.md), and the
//! workspace settings every campaign of a run shares.
//!
//! Validation that can be done on one value (an E.164 number, an id that will
//! become a folder name, a timestamp) happens here, while deserialising, so that
//! serde_json and csv can pin the error to a line and column. Rules that need
//! the workspace or several rows live in `export` and `lifecycle`.
//!
//! This is the bottom of the pipeline: it imports nothing else from the crate.

mod schema;
mod values;
mod words;
mod workspace;

pub use schema::campaign_schema;
pub use values::{ClockTime, Id, NonEmpty, NonNegative, Phone, TimeZoneName, is_e164, shorten};
pub(crate) use values::{Text, check_e164};
pub use words::{CallResult, TaskStatus, UploadStatus, Weekday};
pub(crate) use words::{word_enum, word_schema};
pub use workspace::{PlatformSettings, Workspace};

use std::collections::BTreeMap;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, de};

pub(crate) use schema::{OrBlank, Time};

/// The newest export format version this tool reads.
pub const SCHEMA_VERSION: u32 = 1;

/// One campaign object (`campaign.json`, a line of a `.jsonl` file, …).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(title = "campaign", description = "One campaign of an outbound calling export")]
pub struct Campaign {
    /// Export format version; versions newer than this tool reads are refused.
    #[schemars(range(max = SCHEMA_VERSION))]
    #[serde(default = "default_schema_version", deserialize_with = "de_schema_version")]
    pub schema_version: u32,
    /// When the export was taken: the campaign's data time (docs/export-format.md).
    /// Also allowed on a `{"campaigns": [...]}` wrapper, for every campaign in it.
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub exported_at: Option<Timestamp>,
    /// Campaign id; also its folder name in the output.
    pub id: Id,
    /// Campaign name.
    pub name: String,
    /// The workspace tenant that owns the campaign.
    pub tenant: Tenant,
    /// Lifecycle status as exported (compared trimmed and case-insensitively).
    pub status: String,
    /// Why the campaign failed, was cancelled or paused.
    pub status_reason: Option<String>,
    /// Operator notes, Markdown.
    pub description_md: Option<String>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub created_at: Option<Timestamp>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub updated_at: Option<Timestamp>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub scheduled_start_at: Option<Timestamp>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub started_at: Option<Timestamp>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub paused_at: Option<Timestamp>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub ended_at: Option<Timestamp>,
    /// The campaign's calling time zone (IANA name).
    pub timezone: Option<TimeZoneName>,
    #[serde(default)]
    pub config: Config,
    pub stats: Option<Stats>,
    pub dispatch: Option<Dispatch>,
    /// Restricted metrics (shown to allowed roles only).
    pub latency: Option<Latency>,
    pub upload: Option<Upload>,
    pub audience_preview: Option<Vec<BTreeMap<String, serde_json::Value>>>,
    pub tasks: Option<Vec<Task>>,
    pub calls: Option<Vec<Call>>,
    pub number_pool: Option<Vec<PoolNumber>>,
    /// Set when the campaign was mapped from a hosted platform's export (docs/platforms.md).
    pub source: Option<Source>,
}

fn default_schema_version() -> u32 {
    1
}

fn de_schema_version<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = u32::deserialize(d)?;
    if v > SCHEMA_VERSION {
        return Err(de::Error::custom(format!(
            "schema_version {v} is newer than this campaign-report reads (up to {SCHEMA_VERSION}); upgrade campaign-report"
        )));
    }
    Ok(v)
}

/// The hosted platform a campaign was mapped from, and what it said in its own words
/// (docs/platforms.md).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Source {
    /// `vapi`, `retell` or `twilio`.
    pub platform: String,
    /// The platform's id of the campaign or batch.
    pub id: Option<String>,
    /// The platform's own status value, when it has one.
    pub status: Option<String>,
    /// The platform's reason for that status (Vapi's `endedReason`).
    pub status_reason: Option<String>,
    /// Values the mapping did not know, one sentence each.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// The tenant that owns a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub struct Tenant {
    pub id: Id,
    pub name: String,
}

/// Campaign settings from the builder.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Config {
    pub agent: Option<Agent>,
    pub from_numbers: Option<Vec<Phone>>,
    pub calling_window: Option<CallingWindow>,
    pub max_attempts: Option<u32>,
    pub retry_interval_minutes: Option<u32>,
    pub concurrency: Option<u32>,
    pub audience: Option<Audience>,
    /// Outcome labels that count as success.
    pub goal_outcomes: Option<Vec<String>>,
}

/// The voice agent that makes the calls.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Agent {
    pub name: Option<String>,
    pub voice: Option<String>,
    pub script_md: Option<String>,
}

/// Days and hours when calls may be placed, in the campaign's time zone.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
pub struct CallingWindow {
    pub days: Vec<Weekday>,
    pub start: ClockTime,
    pub end: ClockTime,
}

/// Who the campaign calls.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Audience {
    pub source: Option<String>,
    pub size: Option<u64>,
    pub list_name: Option<String>,
}

/// The app's own counters.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct Stats {
    pub total: Option<u64>,
    pub pending: Option<u64>,
    pub queued: Option<u64>,
    pub in_progress: Option<u64>,
    pub completed: Option<u64>,
    pub failed: Option<u64>,
    pub cancelled: Option<u64>,
    pub skipped: Option<u64>,
}

impl Stats {
    /// The counter the app keeps for tasks in `status`.
    pub fn count(&self, status: TaskStatus) -> Option<u64> {
        match status {
            TaskStatus::Pending => self.pending,
            TaskStatus::Queued => self.queued,
            TaskStatus::InProgress => self.in_progress,
            TaskStatus::Completed => self.completed,
            TaskStatus::Failed => self.failed,
            TaskStatus::Cancelled => self.cancelled,
            TaskStatus::Skipped => self.skipped,
        }
    }
}

/// Dispatch health counters.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Dispatch {
    pub queued: Option<u64>,
    pub in_flight: Option<u64>,
    pub dispatched_last_hour: Option<u64>,
    pub errors_last_hour: Option<u64>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub last_dispatch_at: Option<Timestamp>,
    pub concurrency_limit: Option<u64>,
    pub errors_by_reason: Option<BTreeMap<String, u64>>,
}

/// Restricted latency metrics, in milliseconds.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
pub struct Latency {
    pub p50_ms: Option<NonNegative>,
    pub p95_ms: Option<NonNegative>,
    pub time_to_first_word_ms: Option<NonNegative>,
    pub post_dial_delay_ms: Option<NonNegative>,
}

/// The staged CSV upload linked to a campaign.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Upload {
    pub id: Option<String>,
    pub file_name: Option<String>,
    pub status: UploadStatus,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub uploaded_at: Option<Timestamp>,
    pub rows_total: Option<u64>,
    pub rows_accepted: Option<u64>,
    pub rows_rejected: Option<u64>,
    pub rows_duplicate: Option<u64>,
    pub rejects: Option<Vec<BTreeMap<String, serde_json::Value>>>,
}

/// One contact of the campaign (a row of `tasks`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Task {
    pub task_id: NonEmpty,
    pub contact_name: Option<String>,
    pub phone: Phone,
    pub status: TaskStatus,
    pub attempts: Option<u32>,
    #[schemars(with = "OrBlank<CallResult>")]
    #[serde(default, deserialize_with = "de_optional_result")]
    pub last_result: Option<CallResult>,
    pub outcome: Option<String>,
    pub talk_seconds: Option<NonNegative>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub last_attempt_at: Option<Timestamp>,
    #[schemars(with = "OrBlank<Phone>")]
    #[serde(default, deserialize_with = "de_optional_phone")]
    pub from_number: Option<Phone>,
    pub latency_ms: Option<NonNegative>,
}

/// One dial attempt (a row of `calls`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Call {
    pub call_id: Option<String>,
    pub task_id: Option<String>,
    #[schemars(with = "OrBlank<Phone>")]
    #[serde(default, deserialize_with = "de_optional_phone")]
    pub from_number: Option<Phone>,
    #[schemars(with = "OrBlank<Phone>")]
    #[serde(default, deserialize_with = "de_optional_phone")]
    pub to_number: Option<Phone>,
    #[schemars(with = "OrBlank<Time>")]
    #[serde(default, deserialize_with = "de_time")]
    pub started_at: Option<Timestamp>,
    pub result: CallResult,
    pub duration_seconds: Option<NonNegative>,
    pub latency_ms: Option<NonNegative>,
    pub cost: Option<NonNegative>,
}

/// A row of the `calls` table as the figures read it, borrowed from the CSV record so
/// that a row costs no allocation (a fleet has millions). It accepts and refuses
/// exactly what [`Call`] does, with the same messages; [`Call::as_row`] gives the same
/// view of a call listed in the campaign's JSON.
#[derive(Debug, Clone, Deserialize)]
pub struct CallRow<'a> {
    #[serde(borrow)]
    pub call_id: Option<&'a str>,
    #[serde(borrow)]
    pub task_id: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "de_optional_phone_str")]
    pub from_number: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "de_optional_phone_str")]
    pub to_number: Option<&'a str>,
    #[serde(default, deserialize_with = "de_time")]
    pub started_at: Option<Timestamp>,
    pub result: CallResult,
    pub duration_seconds: Option<NonNegative>,
    pub latency_ms: Option<NonNegative>,
    pub cost: Option<NonNegative>,
}

impl Call {
    /// The call as a [`CallRow`], borrowing its text.
    pub fn as_row(&self) -> CallRow<'_> {
        CallRow {
            call_id: self.call_id.as_deref(),
            task_id: self.task_id.as_deref(),
            from_number: self.from_number.as_deref(),
            to_number: self.to_number.as_deref(),
            started_at: self.started_at,
            result: self.result,
            duration_seconds: self.duration_seconds,
            latency_ms: self.latency_ms,
            cost: self.cost,
        }
    }
}

/// The app's per-number stats (a row of `number_pool`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PoolNumber {
    pub number: Phone,
    pub attempts: Option<u64>,
    pub answered: Option<u64>,
    pub flagged: Option<bool>,
    pub label: Option<String>,
}

/// An RFC 3339 time; the error quotes the value so it can be found in a large table.
pub(crate) fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    let s: Option<Text<'de>> = Option::deserialize(d)?;
    match s {
        Some(s) if !s.trim().is_empty() => s.trim().parse::<Timestamp>().map(Some).map_err(|e| {
            de::Error::custom(format!(
                "invalid time {}, expected RFC 3339 with an offset such as 2026-11-27T09:00:00Z ({})",
                shorten(&s),
                ranges_in_words(&e.to_string())
            ))
        }),
        _ => Ok(None),
    }
}

/// The time library writes ranges as Rust does (`` `1..=28` ``); a reader wants `1 to 28`.
fn ranges_in_words(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("..=") {
        let (before, after) = (&rest[..at], &rest[at + 3..]);
        let start = before.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
        let end = after.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(after.len());
        out.push_str(start.strip_suffix('`').unwrap_or(start));
        out.push_str(&before[start.len()..]);
        out.push_str(" to ");
        out.push_str(&after[..end]);
        rest = after[end..].strip_prefix('`').unwrap_or(&after[end..]);
    }
    out.push_str(rest);
    out
}

/// An optional number left empty is absent, in JSON as in CSV.
fn de_optional_phone<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Phone>, D::Error> {
    let s: Option<Text<'de>> = Option::deserialize(d)?;
    match s {
        Some(s) if !s.trim().is_empty() => Phone::new(&s).map(Some).map_err(de::Error::custom),
        _ => Ok(None),
    }
}

/// [`de_optional_phone`] without the copy: the number as it is in the input.
fn de_optional_phone_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de str>, D::Error> {
    let s: Option<&'de str> = Option::deserialize(d)?;
    match s {
        Some(s) if !s.trim().is_empty() => check_e164(s).map(|()| Some(s)).map_err(de::Error::custom),
        _ => Ok(None),
    }
}

/// An empty `last_result` means the task was never dialled.
fn de_optional_result<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CallResult>, D::Error> {
    let s: Option<Text<'de>> = Option::deserialize(d)?;
    match s {
        Some(s) if !s.trim().is_empty() => CallResult::parse(&s).map(Some).ok_or_else(|| {
            let expected: Vec<&str> = CallResult::ALL.iter().map(|r| r.as_str()).collect();
            de::Error::custom(format!("unknown value {:?}, expected one of: {}, or empty", &*s, expected.join(", ")))
        }),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_words() {
        assert_eq!(
            ranges_in_words("day is invalid, must be in range `1..=28`"),
            "day is invalid, must be in range 1 to 28"
        );
        assert_eq!(ranges_in_words("offset in -25..=25 hours"), "offset in -25 to 25 hours");
        assert_eq!(ranges_in_words("no range here"), "no range here");
    }
}
