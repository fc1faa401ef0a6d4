//! The export's types, as the platform writes them (SPEC section 1).
//!
//! Validation that can be done on one value (an E.164 number, an id that will
//! become a folder name, a timestamp) happens here, while deserialising, so that
//! serde_json and csv can pin the error to a line and column. Rules that need
//! the workspace or several rows live in `export` and `lifecycle`.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, de};

/// The newest export format version this tool reads.
pub const SCHEMA_VERSION: u32 = 1;

/// One campaign object (`campaign.json`, a line of a `.jsonl` file, …).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[schemars(title = "campaign", description = "One campaign of an outbound calling export")]
pub struct Campaign {
    /// Export format version; versions newer than this tool reads are refused.
    #[serde(default = "default_schema_version", deserialize_with = "de_schema_version")]
    pub schema_version: u32,
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
    #[schemars(with = "Option<String>")]
    #[serde(default, deserialize_with = "de_time")]
    pub created_at: Option<Timestamp>,
    #[schemars(with = "Option<String>")]
    #[serde(default, deserialize_with = "de_time")]
    pub updated_at: Option<Timestamp>,
    #[schemars(with = "Option<String>")]
    #[serde(default, deserialize_with = "de_time")]
    pub scheduled_start_at: Option<Timestamp>,
    #[schemars(with = "Option<String>")]
    #[serde(default, deserialize_with = "de_time")]
    pub started_at: Option<Timestamp>,
    #[schemars(with = "Option<String>")]
    #[serde(default, deserialize_with = "de_time")]
    pub paused_at: Option<Timestamp>,
    #[schemars(with = "Option<String>")]
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
#[derive(Debug, Clone, Deserialize, JsonSchema)]
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
    #[schemars(with = "Option<String>")]
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
    #[schemars(with = "Option<String>")]
    #[serde(default, deserialize_with = "de_time")]
    pub uploaded_at: Option<Timestamp>,
    pub rows_total: Option<u64>,
    pub rows_accepted: Option<u64>,
    pub rows_rejected: Option<u64>,
    pub rows_duplicate: Option<u64>,
    pub rejects: Option<Vec<BTreeMap<String, serde_json::Value>>>,
}

/// Processing state of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    Staged,
    Processing,
    Completed,
    Failed,
}

/// One contact of the campaign (a row of `tasks`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Task {
    pub task_id: NonEmpty,
    pub contact_name: Option<String>,
    pub phone: Phone,
    pub status: TaskStatus,
    pub attempts: Option<u32>,
    #[serde(default, deserialize_with = "de_optional_result")]
    pub last_result: Option<CallResult>,
    pub outcome: Option<String>,
    pub talk_seconds: Option<NonNegative>,
    #[schemars(with = "Option<String>")]
    #[serde(default, deserialize_with = "de_time")]
    pub last_attempt_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "de_optional_phone")]
    pub from_number: Option<Phone>,
    pub latency_ms: Option<NonNegative>,
}

/// One dial attempt (a row of `calls`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Call {
    pub call_id: Option<String>,
    pub task_id: Option<String>,
    #[serde(default, deserialize_with = "de_optional_phone")]
    pub from_number: Option<Phone>,
    #[serde(default, deserialize_with = "de_optional_phone")]
    pub to_number: Option<Phone>,
    #[schemars(with = "Option<String>")]
    #[serde(default, deserialize_with = "de_time")]
    pub started_at: Option<Timestamp>,
    pub result: CallResult,
    pub duration_seconds: Option<NonNegative>,
    pub latency_ms: Option<NonNegative>,
    pub cost: Option<NonNegative>,
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

/// Declares a lower-case string enum read trimmed and case-insensitively.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's word in exports and output.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Reads a word, trimmed and case-insensitively.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $(if s.eq_ignore_ascii_case($word) { return Some($name::$variant); })+
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    let expected = [$($word),+].join(", ");
                    de::Error::custom(format!("unknown value {:?}, expected one of: {expected}", s.as_ref()))
                })
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$($word),+] })
            }
        }
    };
}

word_enum! {
    /// Status of one task.
    TaskStatus {
        Pending = "pending",
        Queued = "queued",
        InProgress = "in_progress",
        Completed = "completed",
        Failed = "failed",
        Cancelled = "cancelled",
        Skipped = "skipped",
    }
}

impl TaskStatus {
    /// Whether the task will not be dialled again.
    pub fn is_done(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled | TaskStatus::Skipped)
    }
}

word_enum! {
    /// Result of one dial attempt.
    CallResult {
        Answered = "answered",
        Voicemail = "voicemail",
        NoAnswer = "no_answer",
        Busy = "busy",
        Failed = "failed",
        InvalidNumber = "invalid_number",
    }
}

/// An RFC 3339 time; the error quotes the value so it can be found in a large table.
fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    let s: Option<std::borrow::Cow<'de, str>> = Option::deserialize(d)?;
    match s {
        Some(s) if !s.trim().is_empty() => s.trim().parse::<Timestamp>().map(Some).map_err(|e| {
            de::Error::custom(format!(
                "invalid time {}, expected RFC 3339 with an offset such as 2026-11-27T09:00:00Z ({e})",
                shorten(&s)
            ))
        }),
        _ => Ok(None),
    }
}

/// An optional number left empty is absent, in JSON as in CSV.
fn de_optional_phone<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Phone>, D::Error> {
    let s: Option<std::borrow::Cow<'de, str>> = Option::deserialize(d)?;
    match s {
        Some(s) if !s.trim().is_empty() => Phone::new(&s).map(Some).map_err(de::Error::custom),
        _ => Ok(None),
    }
}

/// An empty `last_result` means the task was never dialled.
fn de_optional_result<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CallResult>, D::Error> {
    let s: Option<std::borrow::Cow<'de, str>> = Option::deserialize(d)?;
    match s {
        Some(s) if !s.trim().is_empty() => CallResult::parse(&s).map(Some).ok_or_else(|| {
            let expected: Vec<&str> = CallResult::ALL.iter().map(|r| r.as_str()).collect();
            de::Error::custom(format!(
                "unknown value {:?}, expected one of: {}, or empty",
                s.as_ref(),
                expected.join(", ")
            ))
        }),
        _ => Ok(None),
    }
}

word_enum! {
    /// A day of the calling window.
    Weekday {
        Mon = "mon",
        Tue = "tue",
        Wed = "wed",
        Thu = "thu",
        Fri = "fri",
        Sat = "sat",
        Sun = "sun",
    }
}

impl<'de> Deserialize<'de> for UploadStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        match s.trim().to_ascii_lowercase().as_str() {
            "staged" => Ok(UploadStatus::Staged),
            "processing" => Ok(UploadStatus::Processing),
            "completed" => Ok(UploadStatus::Completed),
            "failed" => Ok(UploadStatus::Failed),
            _ => Err(de::Error::custom(format!(
                "unknown value {:?}, expected one of: staged, processing, completed, failed",
                s.as_ref()
            ))),
        }
    }
}

impl UploadStatus {
    /// The status word.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadStatus::Staged => "staged",
            UploadStatus::Processing => "processing",
            UploadStatus::Completed => "completed",
            UploadStatus::Failed => "failed",
        }
    }
}

/// Declares a validated string newtype.
macro_rules! checked_string {
    ($(#[$meta:meta])* $name:ident, $check:path, $schema:tt) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps a value.
            pub fn new(s: &str) -> Result<Self, String> {
                $check(s).map(|()| $name(s.to_string()))
            }

            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $check(&s).map_err(de::Error::custom)?;
                Ok($name(s.into_owned()))
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

checked_string! {
    /// A campaign or tenant id, safe to use as a folder name.
    Id, check_id, { "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$" }
}

checked_string! {
    /// A phone number in E.164 form (`+14155550123`).
    Phone, check_e164, { "type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$" }
}

checked_string! {
    /// A string that must not be empty.
    NonEmpty, check_non_empty, { "type": "string", "minLength": 1 }
}

checked_string! {
    /// A clock time `HH:MM` (24-hour).
    ClockTime, check_clock, { "type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$" }
}

fn check_id(s: &str) -> Result<(), String> {
    let bytes = s.as_bytes();
    let ok_first = bytes.first().is_some_and(|b| b.is_ascii_alphanumeric());
    let ok_rest = bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b));
    if !ok_first || !ok_rest || bytes.len() > 128 {
        return Err(format!(
            "invalid id {}: ids become folder names and must match [A-Za-z0-9][A-Za-z0-9._-]{{0,127}}",
            shorten(s)
        ));
    }
    let stem = s.split('.').next().unwrap_or(s).to_ascii_lowercase();
    // Names Windows refuses as file names; refused everywhere so archives move freely.
    let numbered =
        |prefix: &str| stem.len() == 4 && stem.starts_with(prefix) && (b'1'..=b'9').contains(&stem.as_bytes()[3]);
    let device = matches!(stem.as_str(), "con" | "prn" | "aux" | "nul") || numbered("com") || numbered("lpt");
    if device || s.ends_with('.') {
        return Err(format!("invalid id {}: it is a reserved file name on some systems", shorten(s)));
    }
    Ok(())
}

/// Whether `s` is an E.164 number: `+`, a non-zero digit, 7 to 15 digits in all.
pub fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else { return false };
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

fn check_e164(s: &str) -> Result<(), String> {
    if is_e164(s) {
        Ok(())
    } else {
        Err(format!("invalid phone number {}, expected E.164 such as +14155550123", shorten(s)))
    }
}

fn check_non_empty(s: &str) -> Result<(), String> {
    if s.trim().is_empty() { Err("must not be empty".to_string()) } else { Ok(()) }
}

fn check_clock(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let ok = b.len() == 5
        && b[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && s[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u32>().is_ok_and(|m| m < 60);
    if ok { Ok(()) } else { Err(format!("invalid time {}, expected HH:MM such as 09:00", shorten(s))) }
}

/// A value quoted for an error message, cut short so one huge field cannot flood the output.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head:?}… ({} characters)", s.chars().count())
    }
}

/// A finite number ≥ 0 (seconds, milliseconds, money).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, JsonSchema)]
pub struct NonNegative(#[schemars(range(min = 0))] pub f64);

impl Serialize for NonNegative {
    /// Whole numbers are written as integers (`1183`, not `1183.0`), as exports write them.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0 < 9_007_199_254_740_992.0 {
            s.serialize_u64(self.0 as u64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for NonNegative {
    /// Accepts a number or a decimal string (money is often exported as `"0.013"`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = f64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a finite number ≥ 0")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| E::custom(format!("invalid number {}, expected a finite number ≥ 0", shorten(v))))
            }
        }
        let v = d.deserialize_any(Visitor)?;
        if v.is_finite() && v >= 0.0 {
            Ok(NonNegative(v))
        } else {
            Err(de::Error::custom(format!("invalid number {v}, expected a finite number ≥ 0")))
        }
    }
}

/// An IANA time zone name, checked against the bundled time zone database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// Checks a name against the time zone database.
    pub fn new(s: &str) -> Result<Self, String> {
        jiff::tz::TimeZone::get(s)
            .map(|_| TimeZoneName(s.to_string()))
            .map_err(|_| format!("unknown time zone {}, expected an IANA name such as America/New_York", shorten(s)))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The time zone.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        TimeZoneName("UTC".to_string())
    }
}

impl<'de> Deserialize<'de> for TimeZoneName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        TimeZoneName::new(&s).map_err(de::Error::custom)
    }
}

impl JsonSchema for TimeZoneName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TimeZoneName".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "description": "IANA time zone name" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_cannot_be_folder_names_are_refused() {
        for bad in ["", "..", ".hidden", "a/b", "/etc", "a\0b", "CON", "com1", "lpt9.txt", "x.", &"a".repeat(129)] {
            assert!(check_id(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["q3-winback", "A.b_c-1", "console", "com", &"a".repeat(128)] {
            assert!(check_id(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn e164() {
        assert!(is_e164("+14155550123"));
        assert!(is_e164("+447700900123"));
        assert!(!is_e164("14155550123"));
        assert!(!is_e164("+0123456789"));
        assert!(!is_e164("+1415555012345678"));
        assert!(!is_e164("555-1234"));
    }

    #[test]
    fn words_are_read_trimmed_and_case_insensitively() {
        assert_eq!(TaskStatus::parse(" In_Progress "), Some(TaskStatus::InProgress));
        assert_eq!(CallResult::parse("NO_ANSWER"), Some(CallResult::NoAnswer));
        assert_eq!(Weekday::parse("friday"), None);
    }
}
