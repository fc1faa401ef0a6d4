//! The native campaign object a platform import becomes (docs/platforms.md, "What
//! every platform shares"): one task per destination number, one call row per ended
//! call, and the dispatch counters of an active campaign at its data time.
//!
//! The object is then read by the native reader, so every layout, figure, redaction
//! and export copy works on it unchanged.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use crate::model::{CallResult, Phone};

/// Where one call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Scheduled or queued, not dialled yet.
    Waiting,
    /// Ringing or in progress.
    Live,
    /// Over, with its result.
    Ended(CallResult),
}

/// One call of a platform, in the tool's words.
#[derive(Debug, Clone)]
pub struct Dial {
    pub id: String,
    /// The destination number: the task it belongs to.
    pub to: Phone,
    pub name: Option<String>,
    pub from: Option<Phone>,
    /// When it started, else when it was created.
    pub at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub stage: Stage,
    pub talk_seconds: Option<f64>,
    pub outcome: Option<String>,
    pub latency_ms: Option<f64>,
    /// In the currency's unit.
    pub cost: Option<f64>,
}

/// A contact known before any call to it (a Vapi customer).
#[derive(Debug, Clone)]
pub struct Contact {
    pub number: Phone,
    pub name: Option<String>,
}

/// Values the mapping does not know, counted per field and value: one warning each.
#[derive(Debug, Default)]
pub struct Unknowns(BTreeMap<(String, String), u64>);

impl Unknowns {
    /// Counts one call whose `field` has the unknown `value`.
    pub fn add(&mut self, field: &str, value: &str) {
        *self.0.entry((field.to_string(), value.to_string())).or_default() += 1;
    }

    pub fn warnings(&self) -> impl Iterator<Item = String> + '_ {
        self.0.iter().map(|((field, value), n)| {
            format!(
                "{field} {} is not a value campaign-report knows: {} counted as other.",
                crate::model::shorten(value),
                count(*n as usize, "call", "calls")
            )
        })
    }
}

/// `1 call`, `3 calls`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A note that `n` things were left out, or nothing when none was.
pub fn left_out(n: usize, one: &str, many: &str, why: &str) -> Option<String> {
    let verb = if n == 1 { "was" } else { "were" };
    (n > 0).then(|| format!("{} {why} {verb} left out.", count(n, one, many)))
}

/// A platform's campaign in the tool's words, before it becomes a native object.
/// Header fields left `None` are taken from the base object (Twilio's `campaign.json`).
#[derive(Debug, Default)]
pub struct Mapped {
    pub platform: &'static str,
    pub source_id: Option<String>,
    pub source_status: Option<String>,
    pub source_reason: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    /// One of the lifecycle's statuses.
    pub status: Option<&'static str>,
    pub status_reason: Option<String>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub scheduled_start_at: Option<Timestamp>,
    pub timezone: Option<String>,
    pub calling_window: Option<Value>,
    pub agent_name: Option<String>,
    pub from_numbers: Vec<Phone>,
    /// The platform's count of contacts (Retell `total_task_count`), as `stats.total`.
    pub total: Option<u64>,
    pub contacts: Vec<Contact>,
    pub dials: Vec<Dial>,
    pub unknowns: Unknowns,
    /// Other sentences for the campaign's warnings.
    pub notes: Vec<String>,
}

/// What one task accumulates from its calls.
struct TaskRow {
    id: String,
    phone: Phone,
    name: Option<String>,
    attempts: u32,
    latest: Option<usize>,
    last_ended: Option<usize>,
}

impl Mapped {
    /// Whether work is left: a call not over, or a contact never called.
    pub fn is_busy(&self) -> bool {
        let dialled: std::collections::HashSet<&str> = self.dials.iter().map(|d| d.to.as_str()).collect();
        self.dials.iter().any(|d| !matches!(d.stage, Stage::Ended(_)))
            || self.contacts.iter().any(|c| !dialled.contains(c.number.as_str()))
    }

    /// The native campaign object: `base` with every field the mapping knows added
    /// where `base` has none, and the tasks, calls and source set.
    pub fn into_native(mut self, mut base: Map<String, Value>) -> Value {
        // Latest last: calls without a time are the newest (queued, not yet started).
        self.dials.sort_by_key(|d| (d.at.is_none(), d.at));
        let status =
            self.status.map(str::to_string).or_else(|| base.get("status").and_then(Value::as_str).map(str::to_string));
        let status = status.unwrap_or_default().trim().to_ascii_lowercase();
        let (tasks, task_of) = self.tasks();
        let data_time = self.data_time();

        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                base.entry(key.to_string()).or_insert(value);
            }
        };
        let time = |t: Option<Timestamp>| t.map(|t| Value::String(t.to_string()));
        put("schema_version", Some(json!(1)));
        put("id", self.id.clone().map(Value::String));
        put("name", self.name.clone().map(Value::String));
        put("status", self.status.map(|s| Value::String(s.to_string())));
        put("status_reason", self.status_reason.clone().map(Value::String));
        put("created_at", time(self.created_at));
        put("updated_at", time(self.updated_at));
        put("scheduled_start_at", time(self.scheduled_start_at));
        put("started_at", time(self.dials.iter().filter_map(|d| d.at).min()));
        if matches!(status.as_str(), "completed" | "cancelled" | "canceled" | "failed") {
            let last = self.dials.iter().filter_map(|d| d.ended_at.or(d.at)).max();
            put("ended_at", time(last.or(self.updated_at)));
        }
        put("timezone", self.timezone.clone().map(Value::String));
        put("stats", self.total.map(|total| json!({ "total": total })));
        if matches!(status.as_str(), "scheduled" | "running" | "paused") {
            put("dispatch", Some(self.dispatch(&tasks, data_time)));
        }

        let config = base.entry("config").or_insert_with(|| json!({}));
        if let Value::Object(config) = config {
            if let Some(name) = &self.agent_name {
                config.entry("agent").or_insert_with(|| json!({ "name": name }));
            }
            if !self.from_numbers.is_empty() {
                config.entry("from_numbers").or_insert_with(|| json!(self.from_numbers));
            }
            if let Some(window) = &self.calling_window {
                config.entry("calling_window").or_insert_with(|| window.clone());
            }
        }

        let task_rows: Vec<Value> = tasks.iter().map(|t| self.task_json(t, &status)).collect();
        let call_rows: Vec<Value> = self
            .dials
            .iter()
            .filter_map(|d| match d.stage {
                Stage::Ended(result) => Some(call_json(d, &task_of[d.to.as_str()], result)),
                _ => None,
            })
            .collect();
        base.insert("tasks".into(), Value::Array(task_rows));
        base.insert("calls".into(), Value::Array(call_rows));

        let mut warnings: Vec<String> = self.notes.clone();
        warnings.extend(self.unknowns.warnings());
        let mut source = Map::new();
        source.insert("platform".into(), json!(self.platform));
        for (key, value) in
            [("id", &self.source_id), ("status", &self.source_status), ("status_reason", &self.source_reason)]
        {
            if let Some(value) = value {
                source.insert(key.into(), json!(value));
            }
        }
        source.insert("warnings".into(), json!(warnings));
        base.insert("source".into(), Value::Object(source));
        Value::Object(base)
    }

    /// One task per destination number: the contacts first, then numbers in call order.
    fn tasks(&self) -> (Vec<TaskRow>, HashMap<String, String>) {
        let mut rows: Vec<TaskRow> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let numbers =
            self.contacts.iter().map(|c| (&c.number, &c.name)).chain(self.dials.iter().map(|d| (&d.to, &d.name)));
        for (number, name) in numbers {
            let i = *index.entry(number.to_string()).or_insert_with(|| {
                rows.push(TaskRow {
                    id: String::new(),
                    phone: number.clone(),
                    name: None,
                    attempts: 0,
                    latest: None,
                    last_ended: None,
                });
                rows.len() - 1
            });
            if rows[i].name.is_none() {
                rows[i].name = name.clone();
            }
        }
        for (d, dial) in self.dials.iter().enumerate() {
            let row = &mut rows[index[dial.to.as_str()]];
            row.attempts += 1;
            row.latest = Some(d);
            if matches!(dial.stage, Stage::Ended(_)) {
                row.last_ended = Some(d);
            }
        }
        let width = rows.len().to_string().len().max(3);
        let mut task_of = HashMap::new();
        for (i, row) in rows.iter_mut().enumerate() {
            row.id = format!("task-{:0width$}", i + 1);
            task_of.insert(row.phone.to_string(), row.id.clone());
        }
        (rows, task_of)
    }

    /// A task as a row of the native `tasks` table.
    fn task_json(&self, t: &TaskRow, status: &str) -> Value {
        let latest = t.latest.map(|i| &self.dials[i]);
        let ended = t.last_ended.map(|i| &self.dials[i]);
        let task_status = match (latest.map(|d| d.stage), ended.map(|d| d.stage)) {
            (Some(Stage::Waiting), _) => "queued",
            (Some(Stage::Live), _) => "in_progress",
            (_, Some(Stage::Ended(CallResult::Answered | CallResult::Voicemail))) => "completed",
            (_, Some(Stage::Ended(_))) => "failed",
            _ => match status {
                "cancelled" | "canceled" => "cancelled",
                "completed" | "failed" => "skipped",
                _ => "pending",
            },
        };
        let mut row = Map::new();
        row.insert("task_id".into(), json!(t.id));
        if let Some(name) = &t.name {
            row.insert("contact_name".into(), json!(name));
        }
        row.insert("phone".into(), json!(t.phone));
        row.insert("status".into(), json!(task_status));
        row.insert("attempts".into(), json!(t.attempts));
        if let Some(Stage::Ended(result)) = ended.map(|d| d.stage) {
            row.insert("last_result".into(), json!(result.as_str()));
        }
        if let Some(d) = ended {
            insert_some(&mut row, "outcome", d.outcome.as_ref().map(|o| json!(o)));
            insert_some(&mut row, "talk_seconds", d.talk_seconds.map(|s| json!(s)));
            insert_some(&mut row, "latency_ms", d.latency_ms.map(|l| json!(l)));
        }
        if let Some(d) = latest {
            insert_some(&mut row, "last_attempt_at", d.at.map(|t| json!(t.to_string())));
            insert_some(&mut row, "from_number", d.from.as_ref().map(|f| json!(f)));
        }
        Value::Object(row)
    }

    /// The latest time the data holds: the moment an active campaign's dispatch is judged at.
    fn data_time(&self) -> Option<Timestamp> {
        let dials = self.dials.iter().flat_map(|d| [d.at, d.ended_at]);
        [self.created_at, self.updated_at].into_iter().chain(dials).flatten().max()
    }

    /// Dispatch counters at `now`: work waiting, calls under way, calls started in the
    /// hour before and how many of them failed (docs/platforms.md).
    fn dispatch(&self, tasks: &[TaskRow], now: Option<Timestamp>) -> Value {
        let waiting = |t: &&TaskRow| t.latest.is_none_or(|i| self.dials[i].stage == Stage::Waiting);
        let live = |t: &&TaskRow| t.latest.is_some_and(|i| self.dials[i].stage == Stage::Live);
        let mut dispatch = Map::new();
        dispatch.insert("queued".into(), json!(tasks.iter().filter(waiting).count()));
        dispatch.insert("in_flight".into(), json!(tasks.iter().filter(live).count()));
        let started: Vec<&Dial> = self.dials.iter().filter(|d| d.stage != Stage::Waiting && d.at.is_some()).collect();
        if let Some(now) = now {
            let hour_ago = now - SignedDuration::from_hours(1);
            let recent: Vec<&&Dial> =
                started.iter().filter(|d| d.at.is_some_and(|at| at > hour_ago && at <= now)).collect();
            let failed = recent.iter().filter(|d| d.stage == Stage::Ended(CallResult::Failed)).count();
            dispatch.insert("dispatched_last_hour".into(), json!(recent.len() - failed));
            dispatch.insert("errors_last_hour".into(), json!(failed));
        }
        insert_some(
            &mut dispatch,
            "last_dispatch_at",
            started.iter().filter_map(|d| d.at).max().map(|t| json!(t.to_string())),
        );
        Value::Object(dispatch)
    }
}

/// An ended call as a row of the native `calls` table.
fn call_json(d: &Dial, task_id: &str, result: CallResult) -> Value {
    let mut row = Map::new();
    row.insert("call_id".into(), json!(d.id));
    row.insert("task_id".into(), json!(task_id));
    insert_some(&mut row, "from_number", d.from.as_ref().map(|f| json!(f)));
    row.insert("to_number".into(), json!(d.to));
    insert_some(&mut row, "started_at", d.at.map(|t| json!(t.to_string())));
    row.insert("result".into(), json!(result.as_str()));
    insert_some(&mut row, "duration_seconds", d.talk_seconds.map(|s| json!(s)));
    insert_some(&mut row, "latency_ms", d.latency_ms.map(|l| json!(l)));
    insert_some(&mut row, "cost", d.cost.map(|c| json!(c)));
    Value::Object(row)
}

fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.into(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(s: &str) -> Phone {
        Phone::new(s).unwrap()
    }

    fn dial(id: &str, to: &str, at: &str, stage: Stage) -> Dial {
        Dial {
            id: id.into(),
            to: phone(to),
            name: None,
            from: Some(phone("+14155550100")),
            at: Some(at.parse().unwrap()),
            ended_at: None,
            stage,
            talk_seconds: None,
            outcome: None,
            latency_ms: None,
            cost: None,
        }
    }

    #[test]
    fn one_task_per_number_with_its_latest_call() {
        let mapped = Mapped {
            platform: "test",
            status: Some("running"),
            contacts: vec![
                Contact { number: phone("+14155550111"), name: Some("Ana".into()) },
                Contact { number: phone("+14155550199"), name: None },
            ],
            dials: vec![
                dial("c2", "+14155550111", "2026-11-20T10:00:00Z", Stage::Ended(CallResult::Answered)),
                dial("c1", "+14155550111", "2026-11-20T09:00:00Z", Stage::Ended(CallResult::NoAnswer)),
                dial("c3", "+14155550122", "2026-11-20T10:30:00Z", Stage::Live),
            ],
            ..Mapped::default()
        };
        let v = mapped.into_native(Map::new());
        let tasks = v["tasks"].as_array().unwrap();
        assert_eq!(tasks.len(), 3);
        assert_eq!(tasks[0]["task_id"], "task-001");
        assert_eq!(tasks[0]["contact_name"], "Ana");
        assert_eq!(tasks[0]["attempts"], 2);
        assert_eq!(tasks[0]["last_result"], "answered");
        assert_eq!(tasks[0]["status"], "completed");
        assert_eq!(tasks[1]["status"], "pending", "never called while running");
        assert_eq!(tasks[2]["status"], "in_progress");
        assert_eq!(v["calls"].as_array().unwrap().len(), 2, "calls under way have no result yet");
        assert_eq!(v["dispatch"]["in_flight"], 1);
        assert_eq!(v["dispatch"]["queued"], 1);
        assert_eq!(v["dispatch"]["dispatched_last_hour"], 2);
        assert_eq!(v["started_at"], "2026-11-20T09:00:00Z");
    }

    #[test]
    fn unknown_values_give_one_warning_each() {
        let mut mapped = Mapped { platform: "test", status: Some("completed"), ..Mapped::default() };
        mapped.unknowns.add("Vapi endedReason", "new-reason");
        mapped.unknowns.add("Vapi endedReason", "new-reason");
        mapped.unknowns.add("Vapi status", "paused");
        let v = mapped.into_native(Map::new());
        let warnings = v["source"]["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 2);
        assert!(
            warnings[0]
                .as_str()
                .unwrap()
                .contains("\"new-reason\" is not a value campaign-report knows: 2 calls counted as other")
        );
    }
}
