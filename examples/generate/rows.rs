//! Task and call rows: a walk over one campaign's tasks draws each task and, right
//! after it, the calls of its attempts, and hands them to a `Sink` (a writer of one
//! form). The walk is the same for every form, so every form holds the same rows.

use std::io;

use campaign_report::model::{CallResult, TaskStatus};

use crate::phone::Phone;
use crate::plan::Plan;
use crate::rng::Rng;
use crate::vocab::{AGENT_VERSIONS, NOTES, OUTCOMES};

/// One row of the tasks table.
pub struct TaskRow {
    pub n: u64,
    pub name: usize,
    pub phone: Phone,
    pub status: TaskStatus,
    pub attempts: u64,
    pub last_result: Option<CallResult>,
    pub outcome: Option<&'static str>,
    pub talk: u64,
    pub last_at: i64,
    pub from: usize,
    pub latency: Option<u64>,
    /// An agent's note (an index into `NOTES`), on about a third of the attempted tasks.
    pub note: Option<usize>,
}

/// One row of the calls table.
pub struct CallRow {
    pub n: u64,
    pub task: u64,
    pub from: usize,
    pub to: Phone,
    pub at: i64,
    pub result: CallResult,
    pub duration: u64,
    pub latency: Option<u64>,
    pub cost_milli: u64,
    /// The agent version (an index into `AGENT_VERSIONS`).
    pub agent: usize,
    /// An agent's note (an index into `NOTES`), on about one call in ten.
    pub note: Option<usize>,
}

/// Where a walk sends the rows: a writer of one form.
pub trait Sink {
    fn task(&mut self, p: &Plan, names: &[String], t: &TaskRow) -> io::Result<()>;
    fn call(&mut self, p: &Plan, c: &CallRow) -> io::Result<()>;
}

/// What a walk over the tasks counted: per from number (attempts, answered), and calls.
pub struct Tally {
    pub pool: Vec<(u64, u64)>,
    pub calls: u64,
}

/// Generates every task of the campaign, and the calls of each task right after it.
pub fn walk(p: &Plan, names: &[String], attempted_total: u64, sink: &mut impl Sink) -> io::Result<Tally> {
    let mut sr = Rng::new(p.seed, p.idx, 1);
    let mut r = Rng::new(p.seed, p.idx, 2);
    let mut tally = Tally { pool: vec![(0, 0); p.from.len()], calls: 0 };
    let budget = match p.calls_wanted {
        0 => 0,
        w => w.clamp(attempted_total, attempted_total * 4),
    };
    let ratio = if attempted_total == 0 { 0.0 } else { budget as f64 / attempted_total as f64 };
    let mut attempted_seen = 0u64;
    let mut emitted = 0u64;
    for n in 1..=p.tasks {
        let (status, attempted) = p.class(sr.f64(), sr.f64());
        let jitter = r.f64() * 1.8 - 0.9;
        let attempts = if !attempted {
            0
        } else if budget == 0 {
            1 + r.below(4)
        } else {
            attempted_seen += 1;
            let target = if attempted_seen == attempted_total {
                budget as i64
            } else {
                (attempted_seen as f64 * ratio + jitter).floor() as i64
            };
            let a = (target - emitted as i64).clamp(1, 4) as u64;
            emitted += a;
            a
        };
        let name = r.below(names.len() as u64) as usize;
        let phone = Phone::random(&mut r);
        let x = r.f64();
        let last_result = (attempts > 0).then_some(match status {
            TaskStatus::Completed if x < 0.85 => CallResult::Answered,
            TaskStatus::Completed => CallResult::Voicemail,
            TaskStatus::Failed if x < 0.45 => CallResult::NoAnswer,
            TaskStatus::Failed if x < 0.70 => CallResult::Voicemail,
            TaskStatus::Failed if x < 0.85 => CallResult::Busy,
            TaskStatus::Failed if x < 0.95 => CallResult::Failed,
            TaskStatus::Failed => CallResult::InvalidNumber,
            _ if x < 0.6 => CallResult::NoAnswer,
            _ if x < 0.8 => CallResult::Busy,
            _ => CallResult::Voicemail,
        });
        let y = r.f64();
        let (outcome, talk) = match last_result {
            Some(CallResult::Answered) => {
                let o = OUTCOMES.iter().find(|(_, up)| y < *up).map_or("booked", |(o, _)| *o);
                (Some(o), 3 + (r.f64() * r.f64() * 600.0) as u64)
            }
            Some(CallResult::Voicemail) if status == TaskStatus::Completed && y < 0.6 => (Some("left_voicemail"), 0),
            _ => (None, 0),
        };
        let answered = last_result == Some(CallResult::Answered);
        let from = p.pick_from(&mut r, answered);
        let span = (p.end_day - p.start_day - attempts.saturating_sub(1) as i64).max(0);
        let last_day = p.start_day + attempts.saturating_sub(1) as i64 + r.below(span as u64 + 1) as i64;
        let last_at = p.day_time(last_day, &mut r);
        let latency = answered.then(|| 700 + r.below(2500));
        let note = (attempts > 0 && r.below(3) == 0).then(|| r.below(NOTES.len() as u64) as usize);
        let task =
            TaskRow { n, name, phone, status, attempts, last_result, outcome, talk, last_at, from, latency, note };
        sink.task(p, names, &task)?;
        if budget == 0 {
            continue;
        }
        for k in 0..attempts {
            let last = k + 1 == attempts;
            let (result, at, from) = if last {
                (last_result.expect("attempted"), last_at, from)
            } else {
                // Earlier attempts: nobody picked up, or someone asked to be called back later.
                let z = r.f64();
                let result = if z < 0.12 {
                    CallResult::Answered
                } else if z < 0.6 {
                    CallResult::NoAnswer
                } else if z < 0.75 {
                    CallResult::Busy
                } else {
                    CallResult::Voicemail
                };
                let day = last_day - (attempts - 1 - k) as i64;
                (result, p.day_time(day, &mut r), p.pick_from(&mut r, result == CallResult::Answered))
            };
            let duration = match result {
                CallResult::Answered if last => talk,
                CallResult::Answered => 5 + r.below(60),
                CallResult::Voicemail => 15 + r.below(30),
                _ => 0,
            };
            let cost_milli = match result {
                CallResult::Answered => 13 * duration.div_ceil(60),
                CallResult::Voicemail => 4,
                _ => 0,
            };
            tally.calls += 1;
            tally.pool[from].0 += 1;
            tally.pool[from].1 += u64::from(result == CallResult::Answered);
            let call = CallRow {
                n: tally.calls,
                task: n,
                from,
                to: phone,
                at,
                result,
                duration,
                latency: if last { latency } else { (result == CallResult::Answered).then(|| 700 + r.below(2500)) },
                cost_milli,
                agent: r.below(AGENT_VERSIONS.len() as u64) as usize,
                note: (r.below(10) == 0).then(|| r.below(NOTES.len() as u64) as usize),
            };
            sink.call(p, &call)?;
        }
    }
    Ok(tally)
}
