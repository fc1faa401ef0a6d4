//! Derived figures (docs/export-format.md), accumulated one row at a time, and the
//! judgements made from them: dispatch verdict, pace and estimated finish, readiness.
//!
//! Tables can hold millions of rows: the accumulators here keep counters and
//! small maps only, never the rows. The finished [`Figures`] is what the view
//! and `summary.json` read; nothing downstream recounts or judges anything.
//! Nothing here is worded for a reader: that is the view's job.

mod data_time;
mod dispatch;
mod distribution;
mod pace;
mod pool;
mod readiness;
mod window;

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

pub use data_time::{DataTime, DataTimeSource};
pub use dispatch::{DEGRADED_ERROR_SHARE, DispatchHealth, DispatchVerdict, QUIET_AFTER_MINUTES, STALLED_AFTER_MINUTES};
pub use distribution::Distribution;
pub use pace::{Pace, calling_hours};
pub use pool::{Health, PoolRow};
pub use readiness::{Check, Finding, ReadinessCheck, readiness};
pub use window::CallingHours;

use crate::model::{CallResult, CallRow, Campaign, PoolNumber, Stats, Task, TaskStatus, Workspace};

/// Done of total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    pub total: u64,
    pub done: u64,
    /// 100·done/total, one decimal; 0 when total is 0.
    pub percent: f64,
}

impl Progress {
    /// Progress from counts.
    pub fn new(total: u64, done: u64) -> Progress {
        Progress { total, done, percent: percent(done, total) }
    }
}

/// `100·part/whole` rounded to one decimal; 0 when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { (1000.0 * part as f64 / whole as f64).round() / 10.0 }
}

/// One stage of the funnel.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    pub stage: &'static str,
    pub count: u64,
}

/// Calls (or last attempts) per weekday (Monday first) and hour, in the workspace time zone.
pub type HourGrid = [[u64; 24]; 7];

/// Counts over the `tasks` table.
#[derive(Debug, Clone, Default)]
pub struct TaskCounts {
    pub total: u64,
    pub by_status: BTreeMap<TaskStatus, u64>,
    pub attempted: u64,
    pub connected: u64,
    pub conversations: u64,
    pub goal_reached: u64,
    /// Tasks per outcome label (empty outcomes are not counted).
    pub outcomes: BTreeMap<String, OutcomeCount>,
    /// Tasks per last result; `None` for never dialled.
    pub last_results: BTreeMap<Option<CallResult>, u64>,
    /// Contacts per number of attempts.
    pub attempts: BTreeMap<u32, u64>,
    /// Talk time of connected tasks, in seconds.
    pub talk: Distribution,
    /// Last attempts per weekday and hour.
    pub by_hour: HourGrid,
    /// `from_number` values seen.
    pub numbers: BTreeSet<String>,
    /// `latency_ms` values.
    pub latency: Distribution,
    /// The latest `last_attempt_at`.
    pub last_attempt: Option<Timestamp>,
    /// The time zone's offset around the last attempt counted last.
    zone_span: ZoneSpan,
}

/// Distinct outcome labels counted one by one; the rest are counted as [`OTHER_OUTCOMES`].
pub const MAX_OUTCOMES: usize = 500;
/// The label of the outcomes past the first [`MAX_OUTCOMES`] distinct ones.
pub const OTHER_OUTCOMES: &str = "(other outcomes)";

/// Tasks and talk time for one outcome.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutcomeCount {
    pub tasks: u64,
    pub talk_seconds: f64,
    pub goal: bool,
}

/// Counts over the `calls` table.
#[derive(Debug, Clone, Default)]
pub struct CallCounts {
    pub total: u64,
    pub results: BTreeMap<CallResult, u64>,
    /// Per `from_number`: (attempts, answered).
    pub per_number: BTreeMap<String, (u64, u64)>,
    pub by_hour: HourGrid,
    /// Duration of answered calls, in seconds.
    pub duration: Distribution,
    pub cost: f64,
    pub latency: Distribution,
    /// The latest `started_at`.
    pub last_call: Option<Timestamp>,
    /// The time zone's offset around the call counted last.
    zone_span: ZoneSpan,
}

/// The rules the accumulators apply, taken from the workspace and the campaign.
#[derive(Debug, Clone)]
pub struct Rules {
    pub goal_outcomes: Vec<String>,
    pub conversation_min_seconds: f64,
    pub zone: TimeZone,
}

impl Rules {
    /// The rules for `campaign` in `workspace`.
    pub fn new(campaign: &Campaign, workspace: &Workspace) -> Rules {
        let goal_outcomes = campaign
            .config
            .goal_outcomes
            .clone()
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| workspace.goal_outcomes.clone());
        Rules {
            goal_outcomes,
            conversation_min_seconds: workspace.conversation_min_seconds,
            zone: workspace.timezone.zone(),
        }
    }

    fn is_goal(&self, outcome: &str) -> bool {
        self.goal_outcomes.iter().any(|g| g.trim() == outcome)
    }
}

impl TaskCounts {
    /// Counts one task.
    pub fn add(&mut self, task: &Task, rules: &Rules) {
        self.total += 1;
        *self.by_status.entry(task.status).or_default() += 1;
        let attempts = task.attempts.unwrap_or(0);
        *self.attempts.entry(attempts).or_default() += 1;
        if attempts >= 1 {
            self.attempted += 1;
        }
        *self.last_results.entry(task.last_result).or_default() += 1;
        let talk = task.talk_seconds.map_or(0.0, |t| t.0);
        if task.last_result == Some(CallResult::Answered) {
            self.connected += 1;
            self.talk.add(talk);
            if talk >= rules.conversation_min_seconds {
                self.conversations += 1;
            }
        }
        if let Some(outcome) = task.outcome.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            let goal = rules.is_goal(outcome);
            if goal {
                self.goal_reached += 1;
            }
            // Outcome labels are free text: past MAX_OUTCOMES distinct labels, the rest
            // are counted together, so hostile data cannot grow the map without limit.
            let key = if self.outcomes.len() >= MAX_OUTCOMES && !self.outcomes.contains_key(outcome) {
                OTHER_OUTCOMES
            } else {
                outcome
            };
            let entry = match self.outcomes.get_mut(key) {
                Some(e) => e,
                None => self.outcomes.entry(key.to_string()).or_default(),
            };
            entry.tasks += 1;
            entry.talk_seconds += talk;
            entry.goal |= goal;
        }
        if let Some(at) = task.last_attempt_at {
            add_hour(&mut self.by_hour, &mut self.zone_span, at, &rules.zone);
            self.last_attempt = self.last_attempt.max(Some(at));
        }
        if let Some(from) = &task.from_number
            && !self.numbers.contains(from.as_str())
        {
            self.numbers.insert(from.to_string());
        }
        if let Some(ms) = task.latency_ms {
            self.latency.add(ms.0);
        }
    }

    /// Outcomes, most frequent first (ties by label).
    pub fn outcomes_by_count(&self) -> Vec<(&str, &OutcomeCount)> {
        let mut items: Vec<(&str, &OutcomeCount)> = self.outcomes.iter().map(|(o, c)| (o.as_str(), c)).collect();
        items.sort_by(|a, b| b.1.tasks.cmp(&a.1.tasks).then(a.0.cmp(b.0)));
        items
    }

    /// Tasks in `status`.
    pub fn status(&self, status: TaskStatus) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    /// Done of total over the tasks.
    pub fn progress(&self) -> Progress {
        let done = TaskStatus::ALL.iter().filter(|s| s.is_done()).map(|s| self.status(*s)).sum();
        Progress::new(self.total, done)
    }

    /// The funnel, in the order of docs/export-format.md.
    pub fn funnel(&self) -> Vec<Stage> {
        vec![
            Stage { stage: "contacts", count: self.total },
            Stage { stage: "attempted", count: self.attempted },
            Stage { stage: "connected", count: self.connected },
            Stage { stage: "conversations", count: self.conversations },
            Stage { stage: "goal_reached", count: self.goal_reached },
        ]
    }

    /// Warnings where the export's `stats` disagree with the tasks.
    pub fn reconcile(&self, stats: &Stats) -> Vec<String> {
        let mut warnings = Vec::new();
        if let Some(total) = stats.total
            && total != self.total
        {
            warnings.push(format!(
                "The export's stats say total {total}, but the export has {} tasks; the figures shown are counted from the tasks.",
                self.total
            ));
        }
        for status in TaskStatus::ALL {
            if let Some(claimed) = stats.count(*status) {
                let counted = self.status(*status);
                if claimed != counted {
                    warnings.push(format!(
                        "The export's stats say {claimed} {status} tasks, but {counted} tasks are {status}; the figures shown are counted from the tasks."
                    ));
                }
            }
        }
        warnings
    }
}

impl CallCounts {
    /// Counts one call.
    pub fn add(&mut self, call: &CallRow, rules: &Rules) {
        self.total += 1;
        *self.results.entry(call.result).or_default() += 1;
        let answered = call.result == CallResult::Answered;
        if let Some(from) = call.from_number {
            let entry = match self.per_number.get_mut(from) {
                Some(e) => e,
                None => self.per_number.entry(from.to_string()).or_default(),
            };
            entry.0 += 1;
            if answered {
                entry.1 += 1;
            }
        }
        if let Some(at) = call.started_at {
            add_hour(&mut self.by_hour, &mut self.zone_span, at, &rules.zone);
            self.last_call = self.last_call.max(Some(at));
        }
        if answered && let Some(d) = call.duration_seconds {
            self.duration.add(d.0);
        }
        if let Some(cost) = call.cost {
            self.cost += cost.0;
        }
        if let Some(ms) = call.latency_ms {
            self.latency.add(ms.0);
        }
    }
}

fn add_hour(grid: &mut HourGrid, span: &mut ZoneSpan, at: Timestamp, zone: &TimeZone) {
    let (day, hour) = span.weekday_hour(at, zone);
    grid[day][hour] += 1;
}

/// The offset of a time zone between two of its transitions, kept from one time to the
/// next: a table's times are mostly days or weeks apart, so most of them fall in the
/// span of the time before and need no look-up in the zone's rules.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ZoneSpan {
    /// From (included) and until (excluded; `None`: no later transition), and the offset
    /// in seconds in between.
    span: Option<(Timestamp, Option<Timestamp>, i64)>,
}

impl ZoneSpan {
    /// The weekday (Monday 0) and hour of `at` in `zone`, as `zone.to_datetime(at)` gives them.
    pub fn weekday_hour(&mut self, at: Timestamp, zone: &TimeZone) -> (usize, usize) {
        let offset = match self.span {
            Some((from, until, offset)) if from <= at && until.is_none_or(|u| at < u) => offset,
            _ => {
                let offset = i64::from(zone.to_offset(at).seconds());
                // The transition at or before `at` (the iterator's is strictly before
                // its argument), and the first one after it.
                let until = zone.following(at).next().map(|t| t.timestamp());
                let before = at
                    .checked_add(jiff::SignedDuration::from_nanos(1))
                    .ok()
                    .map(|next| zone.preceding(next).next().map_or(Timestamp::MIN, |t| t.timestamp()));
                // The span reaches back to that transition only when the next one after
                // it is `until`, so that no change of offset can lie unseen between them
                // (at the end of a zone file's table, where the zone's rule takes over).
                let from = before
                    .map(|from| if zone.following(from).next().map(|t| t.timestamp()) == until { from } else { at });
                self.span = from.map(|from| (from, until, offset));
                offset
            }
        };
        // Whole seconds, rounded down also before 1970.
        let seconds = at.as_second() - i64::from(at.subsec_nanosecond() < 0);
        let local = seconds + offset;
        // 1970-01-01 was a Thursday, 3 days after a Monday.
        let day = (local.div_euclid(86_400) + 3).rem_euclid(7) as usize;
        let hour = (local.rem_euclid(86_400) / 3_600) as usize;
        (day, hour)
    }
}

/// Progress from the app's counters, when the export has no tasks.
pub fn progress_from_stats(stats: &Stats) -> Progress {
    let sum = |counts: &[Option<u64>]| counts.iter().flatten().fold(0u64, |a, b| a.saturating_add(*b));
    let done = sum(&[stats.completed, stats.failed, stats.cancelled, stats.skipped]);
    let total =
        stats.total.unwrap_or_else(|| sum(&[stats.pending, stats.queued, stats.in_progress]).saturating_add(done));
    Progress::new(total, done)
}

/// Counts per call result (see [`Figures::results`]).
#[derive(Debug, Clone)]
pub struct Results {
    /// Per result in display order; `None` counts tasks never dialled.
    pub counts: Vec<(Option<CallResult>, u64)>,
    pub total: u64,
    pub source: &'static str,
}

/// Every result is listed, except `other` when no call has it: only platform imports
/// produce it (docs/platforms.md), and a native export's breakdown stays as it was.
fn shown_result(result: Option<CallResult>, count: u64) -> bool {
    result != Some(CallResult::Other) || count > 0
}

/// Everything computed for one campaign.
#[derive(Debug, Clone)]
pub struct Figures {
    pub tasks: Option<TaskCounts>,
    pub calls: Option<CallCounts>,
    pub progress: Option<Progress>,
    pub number_pool: Vec<PoolRow>,
    pub warnings: Vec<String>,
    /// The moment the figures describe.
    pub data_time: DataTime,
}

impl Figures {
    /// Finishes the figures once the tables have been read, for a snapshot taken at `snapshot`.
    pub fn finish(
        campaign: &Campaign,
        workspace: &Workspace,
        tasks: Option<TaskCounts>,
        calls: Option<CallCounts>,
        pool: Option<&[PoolNumber]>,
        snapshot: Timestamp,
    ) -> Figures {
        let progress = match (&tasks, &campaign.stats) {
            (Some(t), _) => Some(t.progress()),
            (None, Some(stats)) => Some(progress_from_stats(stats)),
            (None, None) => None,
        };
        let mut warnings = Vec::new();
        if let (Some(t), Some(stats)) = (&tasks, &campaign.stats) {
            warnings.extend(t.reconcile(stats));
        }
        // What a platform import could not place (docs/platforms.md).
        if let Some(source) = &campaign.source {
            warnings.extend(source.warnings.iter().cloned());
        }
        let number_pool = pool::rows(campaign, workspace, tasks.as_ref(), calls.as_ref(), pool);
        let data_time = DataTime::of(campaign, tasks.as_ref(), calls.as_ref(), workspace, snapshot);
        Figures { tasks, calls, progress, number_pool, warnings, data_time }
    }

    /// The funnel, when there are tasks.
    pub fn funnel(&self) -> Option<Vec<Stage>> {
        self.tasks.as_ref().map(TaskCounts::funnel)
    }

    /// Results per call, from the calls when the export has them, else each task's last
    /// result (with the never-dialled tasks as `None`); with the total and where they come from.
    pub fn results(&self) -> Option<Results> {
        match (&self.calls, &self.tasks) {
            (Some(c), _) => Some(Results {
                counts: CallResult::ALL
                    .iter()
                    .map(|r| (Some(*r), c.results.get(r).copied().unwrap_or(0)))
                    .filter(|(r, n)| shown_result(*r, *n))
                    .collect(),
                total: c.total,
                source: "calls",
            }),
            (None, Some(t)) => Some(Results {
                counts: CallResult::ALL
                    .iter()
                    .map(|r| Some(*r))
                    .chain([None])
                    .map(|r| (r, t.last_results.get(&r).copied().unwrap_or(0)))
                    .filter(|(r, n)| shown_result(*r, *n))
                    .collect(),
                total: t.total,
                source: "last attempt of each task",
            }),
            (None, None) => None,
        }
    }

    /// Measured latency: over the calls' `latency_ms` when present, else the tasks'.
    pub fn measured_latency(&self) -> Option<(&Distribution, &'static str)> {
        match (&self.calls, &self.tasks) {
            (Some(c), _) if c.latency.count() > 0 => Some((&c.latency, "calls")),
            (_, Some(t)) if t.latency.count() > 0 => Some((&t.latency, "tasks")),
            _ => None,
        }
    }

    /// Whether the number pool section applies (two or more numbers).
    pub fn has_pool(&self) -> bool {
        self.number_pool.len() >= 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One span kept across many times, in order and out of order, gives the weekday and
    /// hour the zone's own conversion gives: zones with daylight saving time at night and
    /// on the half hour, offsets of minutes and (before 1900) seconds, and times on and
    /// around transitions, before 1970 and with fractions of a second.
    #[test]
    fn a_kept_zone_span_gives_the_zones_weekday_and_hour() {
        let zones = [
            "America/New_York",
            "Europe/London",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
            "Pacific/Chatham",
            "Africa/Casablanca",
            "America/Sao_Paulo",
            "Europe/Amsterdam",
            // Their zone files end with a transition that is not one of their rules'.
            "America/Ciudad_Juarez",
            "America/Metlakatla",
            "UTC",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: i64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as i64
        };
        let mut checked = 0;
        for name in zones {
            let zone = TimeZone::get(name).unwrap();
            let mut span = ZoneSpan::default();
            let mut times: Vec<Timestamp> = Vec::new();
            // Around every transition of 2018–2027, to the second and to the nanosecond.
            let start: Timestamp = "2018-01-01T00:00:00Z".parse().unwrap();
            for t in zone.following(start).take(24) {
                for delta in [-3_600_000_000_001, -1, 0, 1, 1_800_000_000_000, 3_599_999_999_999] {
                    times.push(t.timestamp() + jiff::SignedDuration::from_nanos(delta));
                }
            }
            // Calls a few minutes to a few days apart, from 1850 to 2060, some with fractions.
            let mut at: i64 = -3_786_825_600; // 1850
            while at < 2_840_140_800 {
                times.push(Timestamp::new(at, if next(4) == 0 { -(next(999_999_999) as i32) } else { 0 }).unwrap());
                at += 60 + next(if at < 1_700_000_000 { 40_000_000 } else { 400_000 });
            }
            // A time just after the end of such a zone file's table, then one just before it.
            for at in ["2022-12-01T12:00:00Z", "2022-11-20T06:30:00Z", "2019-02-10T12:00:00Z", "2018-12-01T08:30:00Z"] {
                times.push(at.parse().unwrap());
            }
            let shuffled: Vec<Timestamp> = times.iter().rev().copied().collect();
            for at in times.iter().chain(&shuffled) {
                let local = zone.to_datetime(*at);
                let expected = (local.weekday().to_monday_zero_offset() as usize, local.hour() as usize);
                assert_eq!(span.weekday_hour(*at, &zone), expected, "{name} {at}");
                checked += 1;
            }
        }
        assert!(checked > 5_000, "{checked}");
    }

    #[test]
    fn percent_rounds_to_one_decimal() {
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(2, 3), 66.7);
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent(7, 7), 100.0);
    }

    #[test]
    fn distinct_outcomes_are_capped() {
        let rules = Rules { goal_outcomes: vec!["booked".into()], conversation_min_seconds: 10.0, zone: TimeZone::UTC };
        let mut counts = TaskCounts::default();
        for i in 0..MAX_OUTCOMES + 10 {
            let row = format!(
                "{{\"task_id\":\"t{i}\",\"phone\":\"+14155550100\",\"status\":\"completed\",\"outcome\":\"o{i}\"}}"
            );
            counts.add(&serde_json::from_str(&row).unwrap(), &rules);
        }
        assert_eq!(counts.outcomes.len(), MAX_OUTCOMES + 1);
        assert_eq!(counts.outcomes[OTHER_OUTCOMES].tasks, 10);
    }

    #[test]
    fn progress_from_stats_sums_when_total_is_missing() {
        let stats = Stats { pending: Some(5), completed: Some(3), failed: Some(2), ..Default::default() };
        assert_eq!(progress_from_stats(&stats), Progress::new(10, 5));
    }
}
