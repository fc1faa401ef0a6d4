//! The Ended layout: the funnel, the analysis and the results tables.

use schemars::JsonSchema;
use serde::Serialize;

use super::after::PoolRowView;
use super::tasks::NO_TASKS;
use super::{Fact, ViewInput};
use crate::model::CallResult;
use crate::text::format;

/// One stage of the funnel, with its bar geometry.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StageView {
    /// The stage's id (`contacts`, `attempted`, `connected`, `conversations`, `goal_reached`).
    pub stage: &'static str,
    /// The stage's name.
    pub label: &'static str,
    /// Contacts at this stage.
    pub count: String,
    /// Share of contacts.
    pub of_contacts: String,
    /// Share of the previous stage (a dash for the first stage).
    pub from_previous: String,
    /// Bar length in SVG units (the track is `chart.track_width` long).
    pub width: f64,
    /// The bar's top, in SVG units.
    pub y: u32,
    /// The baseline of the stage's texts, in SVG units.
    pub text_y: u32,
}

/// Where the funnel chart puts its parts, in SVG units.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FunnelChart {
    /// The chart's width, in SVG units.
    pub width: u32,
    /// The chart's height, in SVG units.
    pub height: u32,
    /// Where the bars start.
    pub bar_x: u32,
    /// How long a full bar is.
    pub track_width: u32,
    /// How thick a bar is.
    pub bar_height: u32,
    /// Where the stage labels end.
    pub label_x: u32,
    /// Where the counts start.
    pub value_x: u32,
}

/// The funnel.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FunnelView {
    /// Whether the export has the tasks a funnel is counted from.
    pub known: bool,
    /// The five stages, in order.
    pub stages: Vec<StageView>,
    /// Where the chart puts its parts.
    pub chart: FunnelChart,
    /// The chart in words, for screen readers.
    pub description: String,
    /// How many contacts reached the goal, in a sentence (or why there is no funnel).
    pub summary: String,
}

const STAGE_LABELS: [&str; 5] = ["Contacts", "Attempted", "Connected", "Conversations", "Goal reached"];
const BAR_PITCH: u32 = 14;

fn funnel_chart(stages: u32) -> FunnelChart {
    FunnelChart {
        width: 160,
        height: BAR_PITCH * stages,
        bar_x: 40,
        track_width: 100,
        bar_height: 10,
        label_x: 38,
        value_x: 142,
    }
}

/// The funnel of an Ended campaign.
pub fn funnel(input: &ViewInput) -> FunnelView {
    let Some(stages) = input.figures.funnel() else {
        return FunnelView {
            known: false,
            stages: Vec::new(),
            chart: funnel_chart(0),
            description: String::new(),
            summary: "The export has no task rows, so the funnel cannot be drawn.".into(),
        };
    };
    let contacts = stages[0].count;
    let views: Vec<StageView> = stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let share = crate::figures::percent(s.count, contacts);
            StageView {
                stage: s.stage,
                label: STAGE_LABELS[i],
                count: format::thousands(s.count),
                of_contacts: format::percent(share),
                from_previous: if i == 0 {
                    "—".to_string()
                } else {
                    format::percent(crate::figures::percent(s.count, stages[i - 1].count))
                },
                width: if contacts == 0 { 0.0 } else { (share * 10.0).round() / 10.0 },
                y: i as u32 * BAR_PITCH,
                text_y: i as u32 * BAR_PITCH + 7,
            }
        })
        .collect();
    let goal = &stages[4];
    let description =
        views.iter().map(|s| format!("{}: {} ({} of contacts). ", s.label, s.count, s.of_contacts)).collect();
    FunnelView {
        known: true,
        description,
        summary: format!(
            "{} of {} contacts reached the goal ({}).",
            format::thousands(goal.count),
            format::thousands(contacts),
            format::percent(crate::figures::percent(goal.count, contacts))
        ),
        chart: funnel_chart(views.len() as u32),
        stages: views,
    }
}

/// A labelled count with its share and a bar width (0–100).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Share {
    /// What is counted.
    pub label: String,
    /// The count.
    pub count: String,
    /// Its share of the whole, one decimal.
    pub share: String,
    /// Bar length in percent, 0–100.
    pub bar: f64,
    /// Whether the label is a goal outcome.
    pub goal: bool,
}

fn shares(items: Vec<(String, u64, bool)>, whole: u64) -> Vec<Share> {
    items
        .into_iter()
        .map(|(label, n, goal)| {
            let p = crate::figures::percent(n, whole);
            Share { label, count: format::thousands(n), share: format::percent(p), bar: p, goal }
        })
        .collect()
}

/// One cell of the weekday × hour heat map.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HeatCell {
    /// Calls (or last attempts) in this hour.
    pub count: u64,
    /// What the cell shows: the count, or nothing for none.
    pub text: String,
    /// Intensity 0–4 (0 is none).
    pub level: u8,
}

/// One weekday of the heat map.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HeatRow {
    /// The weekday (`Mon` …).
    pub day: &'static str,
    /// One cell per hour, 0 to 23.
    pub cells: Vec<HeatCell>,
    /// The day's total.
    pub total: String,
}

/// The analysis block. Each `*_empty` is what to say instead of its table when it has no rows.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AnalysisView {
    /// Contacts per outcome, most first, then those without one.
    pub outcomes: Vec<Share>,
    /// What to say instead of the outcomes when there are none, else null.
    pub outcomes_empty: Option<&'static str>,
    /// Calls (or last attempts) per result.
    pub results: Vec<Share>,
    /// Where the results come from (`calls` or `last attempt of each task`).
    pub results_source: &'static str,
    /// The results table's caption.
    pub results_caption: String,
    /// What to say instead of the results when there are none, else null.
    pub results_empty: Option<&'static str>,
    /// Contacts per number of attempts.
    pub attempts: Vec<Share>,
    /// What to say instead of the attempts when there are none, else null.
    pub attempts_empty: Option<&'static str>,
    /// The weekday × hour heat map, Monday first.
    pub heat: Vec<HeatRow>,
    /// The heat map's column headings: the hours of the day.
    pub heat_hours: Vec<u32>,
    /// What the heat map counts (`calls started` or `last attempts`).
    pub heat_source: &'static str,
    /// The time zone of the heat map's hours.
    pub heat_zone: String,
    /// The heat map's caption.
    pub heat_caption: String,
    /// What to say instead of the heat map when no call has a time, else null.
    pub heat_empty: Option<&'static str>,
    /// Talk time of connected contacts: count, median, 90th percentile, average.
    pub talk: Vec<Fact>,
    /// Connected contacts per talk-time bucket.
    pub talk_buckets: Vec<Share>,
    /// What to say instead of talk time when no contact was connected, else null.
    pub talk_empty: Option<&'static str>,
}

/// What the outcome tables say when no task has an outcome.
const NO_OUTCOMES: &str = "No outcomes recorded.";

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const TALK_BOUNDS: [f64; 5] = [10.0, 30.0, 60.0, 180.0, 600.0];
const TALK_LABELS: [&str; 6] = ["under 10 s", "10–30 s", "30 s–1 min", "1–3 min", "3–10 min", "10 min or more"];

/// The analysis of an Ended campaign.
pub fn analysis(input: &ViewInput) -> AnalysisView {
    let f = input.figures;
    let tasks = f.tasks.as_ref();
    let contacts = tasks.map_or(0, |t| t.total);
    let outcomes = tasks
        .map(|t| {
            let mut items: Vec<(String, u64, bool)> =
                t.outcomes_by_count().into_iter().map(|(o, c)| (format::words(o), c.tasks, c.goal)).collect();
            // Contacts without an outcome get their own row, so the shares add up.
            let labelled = t.outcomes.values().fold(0u64, |a, c| a.saturating_add(c.tasks));
            if contacts > labelled {
                items.push(("no outcome".into(), contacts - labelled, false));
            }
            shares(items, contacts)
        })
        .unwrap_or_default();

    let (results, results_source) = match f.results() {
        Some(r) => {
            let label = |r: Option<CallResult>| r.map_or("never dialled".to_string(), |r| format::words(r.as_str()));
            (shares(r.counts.iter().map(|(res, n)| (label(*res), *n, false)).collect(), r.total), r.source)
        }
        None => (Vec::new(), "none"),
    };

    let attempts = tasks
        .map(|t| {
            let items = t
                .attempts
                .iter()
                .map(|(n, c)| (format!("{n} {}", if *n == 1 { "attempt" } else { "attempts" }), *c, false))
                .collect();
            shares(items, t.total)
        })
        .unwrap_or_default();

    let (grid, heat_source) = match (&f.calls, tasks) {
        (Some(c), _) => (c.by_hour, "calls started"),
        (None, Some(t)) => (t.by_hour, "last attempts"),
        (None, None) => ([[0; 24]; 7], "none"),
    };
    let max = grid.iter().flatten().copied().max().unwrap_or(0);
    let heat = grid
        .iter()
        .enumerate()
        .map(|(d, hours)| HeatRow {
            day: DAYS[d],
            cells: hours
                .iter()
                .map(|&n| HeatCell {
                    count: n,
                    text: if n == 0 { String::new() } else { n.to_string() },
                    level: level(n, max),
                })
                .collect(),
            total: format::thousands(hours.iter().sum()),
        })
        .collect();

    let (talk, talk_buckets) = match tasks {
        Some(t) if t.talk.count() > 0 => {
            let d = &t.talk;
            let facts = vec![
                Fact::new("Connected contacts", format::thousands(d.count())),
                Fact::new("Median talk time", d.quantile(0.5).map(format::duration).unwrap_or_default()),
                Fact::new("90th percentile", d.quantile(0.9).map(format::duration).unwrap_or_default()),
                Fact::new("Average", d.mean().map(format::duration).unwrap_or_default()),
            ];
            let buckets = d.histogram(&TALK_BOUNDS);
            let items = TALK_LABELS.iter().zip(buckets).map(|(l, n)| (l.to_string(), n, false)).collect();
            (facts, shares(items, d.count()))
        }
        _ => (Vec::new(), Vec::new()),
    };

    let heat_zone = input.workspace.timezone.as_str().to_string();
    AnalysisView {
        outcomes_empty: outcomes.is_empty().then_some(NO_OUTCOMES),
        outcomes,
        results_caption: format!("Results, from {results_source}"),
        results_empty: results.is_empty().then_some("No call results in this export."),
        results,
        results_source,
        attempts_empty: attempts.is_empty().then_some(NO_TASKS),
        attempts,
        heat,
        heat_hours: (0..24).collect(),
        heat_caption: format!("Number of {heat_source} per weekday and hour of day ({heat_zone})"),
        heat_source,
        heat_zone,
        heat_empty: (max == 0).then_some("No call times in this export."),
        talk_empty: talk.is_empty().then_some("No connected calls with talk time."),
        talk,
        talk_buckets,
    }
}

/// Heat level 1–4 of a count, 0 for none; the busiest hour is level 4.
fn level(n: u64, max: u64) -> u8 {
    match (n, max) {
        (0, _) | (_, 0) => 0,
        (_, 1) => 4,
        _ => (1 + (3 * (n - 1)) / (max - 1)).min(4) as u8,
    }
}

/// One outcome of the results table.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct OutcomeRow {
    /// The outcome label, in words.
    pub outcome: String,
    /// Contacts with this outcome.
    pub contacts: String,
    /// Their share of contacts.
    pub share: String,
    /// Their average talk time.
    pub average_talk: String,
    /// Whether the outcome is a goal outcome.
    pub goal: bool,
    /// `yes` or `no`.
    pub counts_as_success: &'static str,
}

/// The results tables. Each `*_empty` is what to say instead of its table when it has no rows.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ResultsView {
    /// One row per outcome, most contacts first.
    pub outcomes: Vec<OutcomeRow>,
    /// What to say instead of the outcomes when there are none, else null.
    pub outcomes_empty: Option<&'static str>,
    /// One row per caller number (as `number_pool.rows`).
    pub numbers: Vec<PoolRowView>,
    /// What to say instead of the numbers when there are none, else null.
    pub numbers_empty: Option<&'static str>,
    /// Where the per-number figures are instead, when the PDF shows them only once (in number pool health); else null.
    pub numbers_elsewhere: Option<&'static str>,
    /// Contacts, goal reached, calls, cost and median call length, as the export has them.
    pub totals: Vec<Fact>,
}

/// The results tables of an Ended campaign.
pub fn results(input: &ViewInput) -> ResultsView {
    let f = input.figures;
    let contacts = f.tasks.as_ref().map_or(0, |t| t.total);
    let mut outcomes: Vec<OutcomeRow> = Vec::new();
    if let Some(t) = &f.tasks {
        outcomes = t
            .outcomes_by_count()
            .into_iter()
            .map(|(o, c)| OutcomeRow {
                outcome: format::words(o),
                contacts: format::thousands(c.tasks),
                share: format::percent(crate::figures::percent(c.tasks, contacts)),
                average_talk: if c.tasks > 0 {
                    format::duration(c.talk_seconds / c.tasks as f64)
                } else {
                    "—".into()
                },
                goal: c.goal,
                counts_as_success: if c.goal { "yes" } else { "no" },
            })
            .collect();
    }
    let mut totals = Vec::new();
    if let Some(t) = &f.tasks {
        totals.push(Fact::new("Contacts", format::thousands(t.total)));
        totals.push(Fact::new("Goal reached", format::thousands(t.goal_reached)));
    }
    if let Some(c) = &f.calls {
        totals.push(Fact::new("Calls placed", format::thousands(c.total)));
        if c.cost > 0.0 {
            totals.push(Fact::new("Call cost", format!("{:.2}", c.cost)));
        }
        if let Some(median) = c.duration.quantile(0.5) {
            totals.push(Fact::new("Median answered call", format::duration(median)));
        }
    }
    // The PDF shows each table once: with a number pool section, the numbers are there.
    let elsewhere = input.options.print && f.has_pool();
    let numbers: Vec<PoolRowView> = match elsewhere {
        true => Vec::new(),
        false => f.number_pool.iter().map(|r| super::after::pool_row(input, r)).collect(),
    };
    ResultsView {
        outcomes_empty: outcomes.is_empty().then_some(NO_OUTCOMES),
        outcomes,
        numbers_empty: (numbers.is_empty() && !elsewhere).then_some("No caller numbers in this export."),
        numbers_elsewhere: elsewhere.then_some("The figures of each caller number are under Number pool health."),
        numbers,
        totals,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::view::testing::Fixture;

    /// Four tasks: one booked after a 2-minute call, one answered briefly, two never reached.
    fn campaign() -> Fixture {
        let task = |id: &str, result: &str, talk: u32, outcome: &str| {
            json!({"task_id": id, "phone": "+14155550100", "status": "completed", "attempts": 1,
                   "last_result": result, "talk_seconds": talk, "outcome": outcome,
                   "last_attempt_at": "2026-11-23T15:10:00Z", "from_number": "+14155550199"})
        };
        Fixture::ended().with(json!({
            "config": {"goal_outcomes": ["booked"]},
            "tasks": [
                task("a", "answered", 120, "booked"),
                task("b", "answered", 5, "not_interested"),
                task("c", "no_answer", 0, ""),
                {"task_id": "d", "phone": "+14155550101", "status": "skipped"}
            ]
        }))
    }

    #[test]
    fn the_funnel_carries_its_numbers_geometry_and_words() {
        let f = funnel(&campaign().input());
        let counts: Vec<&str> = f.stages.iter().map(|s| s.count.as_str()).collect();
        assert_eq!(counts, ["4", "3", "2", "1", "1"]);
        assert_eq!(f.summary, "1 of 4 contacts reached the goal (25.0%).");
        assert_eq!((f.stages[0].from_previous.as_str(), f.stages[1].from_previous.as_str()), ("—", "75.0%"));
        assert_eq!((f.stages[2].width, f.stages[2].y, f.stages[2].text_y), (50.0, 28, 35));
        assert_eq!((f.chart.width, f.chart.height, f.chart.bar_x, f.chart.value_x), (160, 70, 40, 142));
        assert!(f.description.starts_with("Contacts: 4 (100.0% of contacts). Attempted: 3 (75.0% of contacts). "));
        let unknown = funnel(&Fixture::ended().input());
        assert!(!unknown.known && unknown.stages.is_empty());
    }

    #[test]
    fn the_analysis_shares_add_up_and_empty_tables_say_why() {
        let a = analysis(&campaign().input());
        let outcomes: Vec<(&str, &str, bool)> =
            a.outcomes.iter().map(|s| (s.label.as_str(), s.count.as_str(), s.goal)).collect();
        assert_eq!(outcomes, [("booked", "1", true), ("not interested", "1", false), ("no outcome", "2", false)]);
        assert_eq!(a.results_caption, "Results, from last attempt of each task");
        assert_eq!(a.heat_caption, "Number of last attempts per weekday and hour of day (UTC)");
        assert_eq!(a.heat_hours.len(), 24);
        // 2026-11-23 is a Monday: three last attempts at 15:00.
        assert_eq!((a.heat[0].cells[15].text.as_str(), a.heat[0].cells[15].level), ("3", 4));
        assert_eq!(a.heat[0].cells[14].text, "");
        assert_eq!(a.outcomes_empty, None);
        let empty = analysis(&Fixture::ended().input());
        assert_eq!(
            (empty.outcomes_empty, empty.results_empty, empty.attempts_empty, empty.talk_empty, empty.heat_empty),
            (
                Some("No outcomes recorded."),
                Some("No call results in this export."),
                Some("No tasks in this export."),
                Some("No connected calls with talk time."),
                Some("No call times in this export.")
            )
        );
    }

    #[test]
    fn heat_levels_scale_to_the_busiest_hour() {
        assert_eq!([level(0, 9), level(1, 9), level(5, 9), level(9, 9), level(1, 1)], [0, 1, 2, 4, 4]);
    }

    #[test]
    fn results_say_which_outcomes_count_as_success() {
        let r = results(&campaign().input());
        let rows: Vec<(&str, &str, &str)> =
            r.outcomes.iter().map(|o| (o.outcome.as_str(), o.average_talk.as_str(), o.counts_as_success)).collect();
        assert_eq!(rows, [("booked", "2 min", "yes"), ("not interested", "5 s", "no")]);
        assert_eq!((r.numbers.len(), r.numbers_empty), (1, None), "the number the tasks were called from");
        let totals: Vec<(&str, &str)> = r.totals.iter().map(|f| (f.label.as_str(), f.value.as_str())).collect();
        assert_eq!(totals, [("Contacts", "4"), ("Goal reached", "1")]);
        let empty = results(&Fixture::ended().input());
        assert_eq!(
            (empty.outcomes_empty, empty.numbers_empty),
            (Some("No outcomes recorded."), Some("No caller numbers in this export."))
        );
    }
}
