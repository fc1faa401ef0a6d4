//! The Active layout: how far the run is, whether dispatch is healthy.

use serde::Serialize;

use super::{Fact, ViewInput, format};
use crate::lifecycle::Status;

/// Live progress.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressView {
    pub known: bool,
    pub done: String,
    pub total: String,
    pub percent: String,
    /// Bar width in percent, 0–100.
    pub bar: f64,
    /// Lines under the bar: pace and finish, start time, or pause.
    pub lines: Vec<String>,
    pub by_status: Vec<Fact>,
}

/// Dispatch verdict (thresholds in docs/export-format.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DispatchVerdict {
    Healthy,
    Degraded,
    Stalled,
    Idle,
    Unknown,
}

/// Dispatch health.
#[derive(Debug, Clone, Serialize)]
pub struct DispatchView {
    pub verdict: DispatchVerdict,
    pub verdict_label: &'static str,
    pub explanation: String,
    pub facts: Vec<Fact>,
    pub errors: Vec<Fact>,
    /// Said when the breakdown by reason disagrees with the error count.
    pub errors_note: Option<String>,
}

/// Minutes without a dispatch, while work is waiting, after which a running campaign is stalled.
pub const STALLED_AFTER_MINUTES: i64 = 15;
/// Share of failed dispatches in the last hour from which dispatch is degraded.
pub const DEGRADED_ERROR_SHARE: f64 = 0.05;

/// Progress of an Active campaign.
pub fn progress(input: &ViewInput) -> ProgressView {
    let c = input.campaign;
    let zone = input.zone();
    let Some(p) = input.figures.progress else {
        return ProgressView {
            known: false,
            done: "—".into(),
            total: "—".into(),
            percent: "—".into(),
            bar: 0.0,
            lines: vec!["The export has neither tasks nor stats, so progress is unknown.".into()],
            by_status: Vec::new(),
        };
    };
    let mut lines = Vec::new();
    match input.status {
        Status::Running => match pace(input) {
            Some((rate, finish)) => {
                lines.push(format!("{} tasks per hour since the start.", format_rate(rate)));
                if let Some(finish) = finish {
                    lines.push(format!("Estimated finish: {} at this pace.", format::time(finish, &zone)));
                }
            }
            None => lines.push("Not enough history yet to estimate the pace.".into()),
        },
        Status::Scheduled => lines.push(match c.scheduled_start_at {
            Some(at) => format!("Starts {}.", format::time(at, &zone)),
            None => "No start time in the export.".into(),
        }),
        Status::Paused => {
            let since = c
                .paused_at
                .map_or_else(|| "Paused".to_string(), |t| format!("Paused since {}", format::time(t, &zone)));
            lines.push(match c.status_reason.as_deref().filter(|r| !r.trim().is_empty()) {
                Some(reason) => format!("{since}: {reason}"),
                None => format!("{since}; no reason was given."),
            });
        }
        _ => {}
    }
    let by_status = match &input.figures.tasks {
        Some(t) => crate::model::TaskStatus::ALL
            .iter()
            .map(|s| Fact::new(super::status_label(s.as_str()), format::thousands(t.status(*s))))
            .collect(),
        None => Vec::new(),
    };
    ProgressView {
        known: true,
        done: format::thousands(p.done),
        total: format::thousands(p.total),
        percent: format::percent(p.percent),
        bar: p.percent.clamp(0.0, 100.0),
        lines,
        by_status,
    }
}

/// Tasks done per hour since `started_at`, and the finish at that pace.
pub fn pace(input: &ViewInput) -> Option<(f64, Option<jiff::Timestamp>)> {
    let p = input.figures.progress?;
    let started = input.campaign.started_at?;
    let hours = (input.options.now.as_second() - started.as_second()) as f64 / 3600.0;
    if hours <= 0.0 || p.done == 0 {
        return None;
    }
    let rate = p.done as f64 / hours;
    let remaining = p.total.saturating_sub(p.done) as f64;
    let finish = jiff::SignedDuration::try_from_secs_f64(remaining / rate * 3600.0)
        .ok()
        .and_then(|d| input.options.now.checked_add(d).ok());
    Some((rate, finish))
}

fn format_rate(rate: f64) -> String {
    if rate >= 10.0 { format::thousands(rate.round() as u64) } else { format!("{rate:.1}") }
}

/// Dispatch health of an Active campaign.
pub fn dispatch(input: &ViewInput) -> DispatchView {
    let Some(d) = &input.campaign.dispatch else {
        return DispatchView {
            verdict: DispatchVerdict::Unknown,
            verdict_label: "No data",
            explanation: "The export has no dispatch figures.".into(),
            facts: Vec::new(),
            errors: Vec::new(),
            errors_note: None,
        };
    };
    let waiting = d.queued.unwrap_or(0).saturating_add(d.in_flight.unwrap_or(0));
    let dispatched = d.dispatched_last_hour.unwrap_or(0);
    let errors = d.errors_last_hour.unwrap_or(0);
    let quiet_minutes = d.last_dispatch_at.map(|t| (input.options.now.as_second() - t.as_second()) / 60);
    let attempts = dispatched.saturating_add(errors);
    let error_share = if attempts > 0 { errors as f64 / attempts as f64 } else { 0.0 };
    let (verdict, explanation) = if *input.status != Status::Running {
        (DispatchVerdict::Idle, "The campaign is not running, so nothing is being dispatched.".to_string())
    } else if d.queued.unwrap_or(0) > 0
        && (quiet_minutes.is_some_and(|m| m >= STALLED_AFTER_MINUTES) || (quiet_minutes.is_none() && dispatched == 0))
    {
        (
            DispatchVerdict::Stalled,
            match quiet_minutes {
                Some(m) => {
                    format!("Work is queued but nothing was dispatched for {}.", format::duration(m as f64 * 60.0))
                }
                None => "Work is queued but nothing was dispatched in the last hour.".into(),
            },
        )
    } else if error_share >= DEGRADED_ERROR_SHARE {
        (
            DispatchVerdict::Degraded,
            format!(
                "{} of dispatches failed in the last hour.",
                format::percent((error_share * 1000.0).round() / 10.0)
            ),
        )
    } else {
        (DispatchVerdict::Healthy, "Dispatch is keeping up with the queue.".into())
    };
    let label = match verdict {
        DispatchVerdict::Healthy => "Healthy",
        DispatchVerdict::Degraded => "Degraded",
        DispatchVerdict::Stalled => "Stalled",
        DispatchVerdict::Idle => "Idle",
        DispatchVerdict::Unknown => "No data",
    };
    let mut facts = vec![
        Fact::new("Dispatcher queue", format::count(d.queued)),
        Fact::new("In flight", format::count(d.in_flight)),
        Fact::new("Dispatched in the last hour", format::count(d.dispatched_last_hour)),
        Fact::new("Errors in the last hour", format::count(d.errors_last_hour)),
        Fact::new("Last dispatch", input.time(d.last_dispatch_at)),
        Fact::new("Concurrency limit", format::count(d.concurrency_limit)),
    ];
    if waiting == 0 && d.queued.is_some() {
        facts.push(Fact::new("Waiting work", "none"));
    }
    let mut errors: Vec<(&String, &u64)> = d.errors_by_reason.iter().flatten().collect();
    errors.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let by_reason = errors.iter().fold(0u64, |a, (_, n)| a.saturating_add(**n));
    let errors_note = match d.errors_last_hour {
        Some(total) if !errors.is_empty() && total != by_reason => Some(format!(
            "The export's breakdown by reason adds up to {}, not the {} errors it counts in the last hour; both are shown as exported.",
            format::thousands(by_reason),
            format::thousands(total)
        )),
        _ => None,
    };
    DispatchView {
        verdict,
        verdict_label: label,
        explanation,
        errors_note,
        facts,
        errors: errors.into_iter().map(|(r, n)| Fact::new(r.replace('_', " "), format::thousands(*n))).collect(),
    }
}
