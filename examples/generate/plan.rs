//! One campaign's plan: its id, name, status, sizes, from numbers, dates and shares,
//! decided up front from the options and the campaign's index, and the rules that
//! follow from them (which status a task gets, when calls happen, which number dials).
//! The rows themselves are generated in `rows`.

use campaign_report::lifecycle::{Layout, Status};
use campaign_report::model::TaskStatus;

use crate::line::{Line, digits};
use crate::options::Options;
use crate::rng::Rng;
use crate::vocab::{THEMES, TIMEZONES, US_AREAS};

/// What is decided about one campaign before its rows are drawn.
pub struct Plan {
    pub idx: u64,
    pub id: String,
    pub name: String,
    pub theme: &'static str,
    pub status: Status,
    pub tasks: u64,
    pub calls_wanted: u64,
    pub task_width: usize,
    pub from: Vec<String>,
    /// The number with a low answer rate (used mostly for calls nobody answers).
    pub weak: Option<usize>,
    pub flagged: Option<usize>,
    /// Calls happen on days `start_day..=end_day` (days since the epoch).
    pub start_day: i64,
    pub end_day: i64,
    /// Share of tasks already done (running, paused, failed and cancelled campaigns).
    pub done_share: f64,
    pub retry_minutes: u64,
    pub concurrency: u64,
    pub timezone: &'static str,
    /// Hours behind UTC of `timezone` in winter.
    pub utc_offset: i64,
    /// Rows rejected by the upload; no upload when `None`.
    pub upload_rejects: Option<u64>,
    /// Drafts: every readiness check passes.
    pub draft_complete: bool,
    pub seed: u64,
}

impl Plan {
    /// The plan of campaign `idx` (0-based) under the options.
    pub fn new(o: &Options, idx: u64) -> Plan {
        let status = o.statuses.0[idx as usize % o.statuses.0.len()].clone();
        let mut r = Rng::new(o.seed, idx, 3);
        let width = digits(o.campaigns.max(1) as u64 - 1).max(5);
        let mut id = String::from("cmp-");
        let mut l = Line::new();
        l.pad(idx + 1, width);
        id.push_str(std::str::from_utf8(&l.0).expect("digits"));
        let theme = THEMES[(idx as usize / Status::STANDARD.len() + idx as usize) % THEMES.len()];
        let name = format!("{theme} #{}", idx + 1);
        // Drafts: every other one has no tasks, the others a handful of pending ones.
        let tasks = match &status {
            Status::Draft if (idx / Status::STANDARD.len() as u64).is_multiple_of(2) => 0,
            Status::Draft => o.tasks.min(10),
            _ => o.tasks,
        };
        let draft_complete = status != Status::Draft || tasks == 0;
        let area = US_AREAS[idx as usize % US_AREAS.len()];
        let count = 3 + (idx % 2) as usize;
        let from: Vec<String> = (0..count).map(|k| format!("+1{area}55501{:02}", (idx * 4 + k as u64) % 100)).collect();
        let weak = (count == 4).then_some(3);
        let flagged = idx.is_multiple_of(3).then_some(2);
        let now_day = o.now.div_euclid(86_400);
        let (start_day, end_day) = match &status {
            Status::Running => (now_day - 14, now_day - 1),
            Status::Paused => (now_day - 16, now_day - 3),
            s if s.layout() == Layout::Ended => {
                let end = now_day - 1 - (idx % 20) as i64;
                (end - 21, end)
            }
            _ => (now_day + 1 + (idx % 5) as i64, now_day + 22),
        };
        let done_share = match &status {
            Status::Running | Status::Paused => 0.3 + 0.5 * r.f64(),
            Status::Failed | Status::Cancelled => 0.4 + 0.4 * r.f64(),
            Status::Completed => 1.0,
            _ => 0.0,
        };
        let upload_rejects = (idx % 4 == 1).then(|| 3 + r.below(60));
        let retry_minutes = if status.layout() == Layout::Ended { 1440 } else { 240 };
        Plan {
            idx,
            id,
            name,
            theme,
            status,
            tasks,
            calls_wanted: o.calls(),
            task_width: digits(tasks).max(4),
            from,
            weak,
            flagged,
            start_day,
            end_day,
            done_share,
            retry_minutes,
            concurrency: 5 + r.below(20),
            timezone: TIMEZONES[idx as usize % TIMEZONES.len()].0,
            utc_offset: TIMEZONES[idx as usize % TIMEZONES.len()].1,
            upload_rejects,
            draft_complete,
            seed: o.seed,
        }
    }

    /// The status of a task and whether it was attempted, from two uniform draws.
    pub fn class(&self, r1: f64, r2: f64) -> (TaskStatus, bool) {
        use TaskStatus as T;
        let done = |r: f64| {
            if r < 0.68 {
                (T::Completed, true)
            } else if r < 0.97 {
                (T::Failed, true)
            } else if r < 0.98 {
                (T::Cancelled, r2 < 0.5)
            } else {
                (T::Skipped, false)
            }
        };
        let ds = self.done_share;
        match &self.status {
            Status::Draft | Status::Scheduled => (T::Pending, false),
            Status::Completed => done(r1),
            Status::Running | Status::Paused if r1 < ds => done(r1 / ds),
            Status::Running | Status::Paused => {
                let r = (r1 - ds) / (1.0 - ds);
                let s = match (&self.status, r) {
                    (_, r) if r < 0.6 => T::Pending,
                    (Status::Running, r) if r < 0.85 => T::Queued,
                    (Status::Running, _) => T::InProgress,
                    _ => T::Queued,
                };
                let attempted = match s {
                    T::Pending => r2 < 0.3,
                    T::Queued => r2 < 0.5,
                    _ => true,
                };
                (s, attempted)
            }
            Status::Failed | Status::Cancelled | Status::Terminal(_) if r1 < ds => done(r1 / ds),
            Status::Failed | Status::Cancelled | Status::Terminal(_) => (T::Cancelled, false),
        }
    }

    /// Counts per task status and the number of attempted tasks (a cheap first pass).
    pub fn census(&self) -> ([u64; 7], u64) {
        let mut r = Rng::new(self.seed, self.idx, 1);
        let mut counts = [0u64; 7];
        let mut attempted = 0;
        for _ in 0..self.tasks {
            let (s, a) = self.class(r.f64(), r.f64());
            counts[s as usize] += 1;
            attempted += u64::from(a);
        }
        (counts, attempted)
    }

    /// A time on `day` inside the 09:00-19:00 calling window of the campaign's time zone
    /// (standard time).
    pub fn day_time(&self, day: i64, r: &mut Rng) -> i64 {
        day * 86_400 + (9 + self.utc_offset) * 3600 + r.below(10 * 3600) as i64
    }

    /// The from number that dials a call: the weak number mostly for calls nobody answers.
    pub fn pick_from(&self, r: &mut Rng, answered: bool) -> usize {
        match self.weak {
            Some(w) if r.f64() < if answered { 0.02 } else { 0.15 } => w,
            Some(w) => {
                let k = r.below(self.from.len() as u64 - 1) as usize;
                if k >= w { k + 1 } else { k }
            }
            None => r.below(self.from.len() as u64) as usize,
        }
    }
}
