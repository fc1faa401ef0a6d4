//! The Active layout: how far the run is, whether dispatch is healthy. The pace and
//! the dispatch verdict are judged in `figures`; this puts them into words.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Fact, ViewInput};
use crate::figures::{DispatchHealth, DispatchVerdict, Pace, calling_hours};
use crate::lifecycle::Status;
use crate::text::format;

/// Live progress.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProgressView {
    /// Whether the export says how far the campaign is (tasks or stats).
    pub known: bool,
    /// Tasks done (completed, failed, cancelled or skipped).
    pub done: String,
    /// Tasks in all.
    pub total: String,
    /// Done of total, one decimal.
    pub percent: String,
    /// Bar length in percent, 0–100.
    pub bar: f64,
    /// Lines under the bar: pace and finish, start time, or pause.
    pub lines: Vec<String>,
    /// Tasks per status.
    pub by_status: Vec<Fact>,
}

/// Dispatch health.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DispatchView {
    /// The verdict's word, as `summary.json` has it.
    pub verdict: DispatchVerdict,
    /// The verdict's badge text.
    pub verdict_label: &'static str,
    /// `as of <data time>`, when the data is stale and the verdict may no longer hold; else null.
    pub as_of: Option<String>,
    /// Why the verdict is what it is.
    pub explanation: String,
    /// The export's dispatch counters.
    pub facts: Vec<Fact>,
    /// Errors in the last hour per reason, most first.
    pub errors: Vec<Fact>,
    /// Said when the breakdown by reason disagrees with the error count, else null.
    pub errors_note: Option<String>,
}

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
    let at = input.figures.data_time.at;
    let mut lines = Vec::new();
    match input.status {
        Status::Running => {
            let hours = calling_hours(c, input.workspace);
            match Pace::of(input.status, input.figures.progress, c.started_at, at, &hours) {
                Some(pace) if pace.windowed => {
                    let window =
                        c.config.calling_window.as_ref().map(|w| super::draft::window_words(w, c, input.workspace));
                    lines.push(format!(
                        "{} tasks per calling hour since the start, counting only the calling window ({}).",
                        format_rate(pace.per_hour),
                        window.unwrap_or_default()
                    ));
                    lines.push(match pace.finish {
                        Some(finish) => {
                            format!(
                                "Estimated finish: {} at this pace, within the calling window.",
                                format::time(finish, &zone)
                            )
                        }
                        None => "At this pace the remaining tasks would take more than ten years.".into(),
                    });
                }
                Some(pace) => {
                    lines.push(format!(
                        "{} tasks per hour since the start; no calling window is configured, so every hour counts.",
                        format_rate(pace.per_hour)
                    ));
                    lines.push(match pace.finish {
                        Some(finish) => format!("Estimated finish: {} at this pace.", format::time(finish, &zone)),
                        None => "At this pace the remaining tasks would take more than ten years.".into(),
                    });
                }
                None => lines.push("Not enough history yet to estimate the pace.".into()),
            }
        }
        Status::Scheduled => lines.push(match c.scheduled_start_at {
            Some(at) => format!("Starts {}.", format::time(at, &zone)),
            None => "No start time in the export.".into(),
        }),
        Status::Paused => {
            let since = match c.paused_at {
                None => "Paused".to_string(),
                Some(t) => match at.duration_since(t).as_secs_f64() {
                    held if held >= 60.0 => {
                        format!(
                            "Paused since {}, {} before the data time",
                            format::time(t, &zone),
                            format::duration(held)
                        )
                    }
                    _ => format!("Paused since {}", format::time(t, &zone)),
                },
            };
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
            .map(|s| Fact::new(format::label(s.as_str()), format::thousands(t.status(*s))))
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

fn format_rate(rate: f64) -> String {
    if rate >= 10.0 { format::thousands(rate.round() as u64) } else { format!("{rate:.1}") }
}

/// Dispatch health of an Active campaign.
pub fn dispatch(input: &ViewInput) -> DispatchView {
    let health = DispatchHealth::judge(input.campaign.dispatch.as_ref(), input.status, input.figures.data_time.at);
    let verdict = health.verdict();
    let minutes = |m: i64| format::duration(m as f64 * 60.0);
    let explanation = match health {
        DispatchHealth::Unknown => "The export has no dispatch figures.".to_string(),
        DispatchHealth::Idle => "The campaign is not running, so nothing is being dispatched.".to_string(),
        DispatchHealth::Stalled { quiet_minutes: Some(m) } => format!(
            "Work is queued but nothing was dispatched in the hour before the data time: the last dispatch was {} before it.",
            minutes(m)
        ),
        DispatchHealth::Stalled { quiet_minutes: None } => {
            "Work is queued but nothing was dispatched in the hour before the data time.".to_string()
        }
        DispatchHealth::Slow { quiet_minutes, dispatched } => format!(
            "Work is queued and nothing was dispatched in the {} before the data time, after {} {} earlier in that hour.",
            minutes(quiet_minutes),
            format::thousands(dispatched),
            if dispatched == 1 { "dispatch" } else { "dispatches" }
        ),
        DispatchHealth::Failing { error_share } => format!(
            "{} of dispatches failed in the hour before the data time.",
            format::percent((error_share * 1000.0).round() / 10.0)
        ),
        DispatchHealth::Healthy => "Dispatch is keeping up with the queue.".to_string(),
    };
    let data_time = input.figures.data_time;
    let as_of = data_time.stale.then(|| format!("as of {}", format::time(data_time.at, &input.zone())));
    let verdict_label = match verdict {
        DispatchVerdict::Healthy => "Healthy",
        DispatchVerdict::Degraded => "Degraded",
        DispatchVerdict::Stalled => "Stalled",
        DispatchVerdict::Idle => "Idle",
        DispatchVerdict::Unknown => "No data",
    };
    let Some(d) = &input.campaign.dispatch else {
        return DispatchView {
            verdict,
            verdict_label,
            as_of,
            explanation,
            facts: Vec::new(),
            errors: Vec::new(),
            errors_note: None,
        };
    };
    let waiting = d.queued.unwrap_or(0).saturating_add(d.in_flight.unwrap_or(0));
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
        verdict_label,
        as_of,
        explanation,
        errors_note,
        facts,
        errors: errors.into_iter().map(|(r, n)| Fact::new(format::words(r), format::thousands(*n))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::view::testing::Fixture;

    fn lines(fixture: &Fixture) -> Vec<String> {
        progress(&fixture.input()).lines
    }

    #[test]
    fn a_running_campaign_shows_its_pace_and_finish() {
        let f = Fixture::running().tasks(4).with(json!({"started_at": "2026-11-27T10:00:00Z"}));
        let p = progress(&f.input());
        assert_eq!((p.done.as_str(), p.total.as_str(), p.percent.as_str()), ("4", "4", "100.0%"));
        assert_eq!(
            p.lines,
            [
                "2.0 tasks per hour since the start; no calling window is configured, so every hour counts.",
                "Estimated finish: 2026-11-27 12:00 UTC at this pace."
            ]
        );
        assert_eq!(p.by_status.iter().find(|f| f.label == "Completed").map(|f| f.value.as_str()), Some("4"));
        let early = Fixture::running().tasks(2);
        assert_eq!(lines(&early), ["Not enough history yet to estimate the pace."]);
    }

    #[test]
    fn with_a_calling_window_the_pace_counts_calling_hours_and_the_finish_falls_in_one() {
        // Four of eight tasks done over the 09:00–11:00 windows of Thursday and Friday (4 h): the other
        // four take the windows of Monday and Tuesday.
        let tasks: Vec<serde_json::Value> = (1..=8)
            .map(|i| json!({"task_id": format!("t{i}"), "phone": "+14155550100", "status": if i <= 4 { "completed" } else { "queued" }}))
            .collect();
        let window = json!({"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "11:00"});
        let f = Fixture::running().with(json!({
            "tasks": tasks,
            "started_at": "2026-11-26T09:00:00Z",
            "config": {"calling_window": window}
        }));
        assert_eq!(
            lines(&f),
            [
                "1.0 tasks per calling hour since the start, counting only the calling window (Mon–Fri, 09:00–11:00 UTC).",
                "Estimated finish: 2026-12-01 11:00 UTC at this pace, within the calling window."
            ]
        );
    }

    #[test]
    fn scheduled_and_paused_campaigns_say_when() {
        let scheduled = Fixture::new("scheduled").tasks(1).with(json!({"scheduled_start_at": "2026-12-01T09:00:00Z"}));
        assert_eq!(lines(&scheduled), ["Starts 2026-12-01 09:00 UTC."]);
        assert_eq!(lines(&Fixture::new("scheduled").tasks(1)), ["No start time in the export."]);
        let paused = Fixture::new("paused")
            .tasks(1)
            .with(json!({"paused_at": "2026-11-26T08:30:00Z", "status_reason": "Carrier review"}));
        assert_eq!(lines(&paused), ["Paused since 2026-11-26 08:30 UTC, 1 d 3 h before the data time: Carrier review"]);
        assert_eq!(lines(&Fixture::new("paused").tasks(1)), ["Paused; no reason was given."]);
    }

    #[test]
    fn without_tasks_or_stats_progress_is_unknown() {
        let p = progress(&Fixture::running().input());
        assert!(!p.known);
        assert_eq!(p.lines, ["The export has neither tasks nor stats, so progress is unknown."]);
    }

    #[test]
    fn each_verdict_is_explained() {
        let view = |d: serde_json::Value| dispatch(&Fixture::running().with(json!({ "dispatch": d })).input());
        let stalled = view(json!({"queued": 4, "dispatched_last_hour": 0, "last_dispatch_at": "2026-11-27T11:00:00Z"}));
        assert_eq!(
            (stalled.verdict_label, stalled.explanation.as_str()),
            (
                "Stalled",
                "Work is queued but nothing was dispatched in the hour before the data time: the last dispatch was 1 h before it."
            )
        );
        let slow = view(json!({"queued": 4, "dispatched_last_hour": 14, "last_dispatch_at": "2026-11-27T11:40:00Z"}));
        assert_eq!(
            (slow.verdict_label, slow.explanation.as_str()),
            (
                "Degraded",
                "Work is queued and nothing was dispatched in the 20 min before the data time, after 14 dispatches earlier in that hour."
            )
        );
        let degraded = view(
            json!({"queued": 4, "dispatched_last_hour": 90, "errors_last_hour": 10, "last_dispatch_at": "2026-11-27T11:59:00Z"}),
        );
        assert_eq!(degraded.explanation, "10.0% of dispatches failed in the hour before the data time.");
        let healthy = view(json!({"queued": 0, "in_flight": 0, "dispatched_last_hour": 12}));
        assert_eq!(healthy.verdict_label, "Healthy");
        assert!(healthy.facts.iter().any(|f| f.label == "Waiting work" && f.value == "none"));
        let unknown = dispatch(&Fixture::running().input());
        assert_eq!((unknown.verdict, unknown.verdict_label), (DispatchVerdict::Unknown, "No data"));
        assert!(unknown.facts.is_empty());
        let idle = dispatch(&Fixture::new("paused").with(json!({"dispatch": {"queued": 3}})).input());
        assert_eq!(idle.explanation, "The campaign is not running, so nothing is being dispatched.");
    }

    #[test]
    fn errors_by_reason_are_sorted_and_checked_against_the_total() {
        let d = json!({"errors_last_hour": 5, "errors_by_reason": {"carrier_rejected": 1, "timeout": 3}});
        let view = dispatch(&Fixture::running().with(json!({ "dispatch": d })).input());
        let errors: Vec<(&str, &str)> = view.errors.iter().map(|f| (f.label.as_str(), f.value.as_str())).collect();
        assert_eq!(errors, [("timeout", "3"), ("carrier rejected", "1")]);
        assert_eq!(
            view.errors_note.as_deref(),
            Some(
                "The export's breakdown by reason adds up to 4, not the 5 errors it counts in the last hour; both are shown as exported."
            )
        );
    }
}
