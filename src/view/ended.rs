//! The Ended layout: the funnel, the analysis and the results tables.

use serde::Serialize;

use super::after::PoolRowView;
use super::{Fact, ViewInput, format};
use crate::model::CallResult;

/// One stage of the funnel, with its bar geometry.
#[derive(Debug, Clone, Serialize)]
pub struct StageView {
    pub stage: &'static str,
    pub label: &'static str,
    pub count: String,
    /// Share of contacts.
    pub of_contacts: String,
    /// Share of the previous stage.
    pub from_previous: Option<String>,
    /// Bar in SVG units (chart is 100 wide).
    pub width: f64,
    pub y: u32,
    pub text_y: u32,
}

/// The funnel.
#[derive(Debug, Clone, Serialize)]
pub struct FunnelView {
    pub known: bool,
    pub stages: Vec<StageView>,
    pub chart_height: u32,
    pub summary: String,
}

const STAGE_LABELS: [&str; 5] = ["Contacts", "Attempted", "Connected", "Conversations", "Goal reached"];
const BAR_PITCH: u32 = 14;

/// The funnel of an Ended campaign.
pub fn funnel(input: &ViewInput) -> FunnelView {
    let Some(stages) = input.figures.funnel() else {
        return FunnelView {
            known: false,
            stages: Vec::new(),
            chart_height: 0,
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
                from_previous: (i > 0).then(|| format::percent(crate::figures::percent(s.count, stages[i - 1].count))),
                width: if contacts == 0 { 0.0 } else { (share * 10.0).round() / 10.0 },
                y: i as u32 * BAR_PITCH,
                text_y: i as u32 * BAR_PITCH + 7,
            }
        })
        .collect();
    let goal = &stages[4];
    FunnelView {
        known: true,
        summary: format!(
            "{} of {} contacts reached the goal ({}).",
            format::thousands(goal.count),
            format::thousands(contacts),
            format::percent(crate::figures::percent(goal.count, contacts))
        ),
        chart_height: BAR_PITCH * 5,
        stages: views,
    }
}

/// A labelled count with its share and a bar width (0–100).
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    pub label: String,
    pub count: String,
    pub share: String,
    pub bar: f64,
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
#[derive(Debug, Clone, Serialize)]
pub struct HeatCell {
    pub count: u64,
    /// Intensity 0–4 (0 is none).
    pub level: u8,
}

/// One weekday of the heat map.
#[derive(Debug, Clone, Serialize)]
pub struct HeatRow {
    pub day: &'static str,
    pub cells: Vec<HeatCell>,
    pub total: String,
}

/// The analysis block.
#[derive(Debug, Clone, Serialize)]
pub struct AnalysisView {
    pub outcomes: Vec<Share>,
    pub results: Vec<Share>,
    pub results_source: &'static str,
    pub attempts: Vec<Share>,
    pub heat: Vec<HeatRow>,
    pub heat_source: &'static str,
    pub heat_zone: String,
    pub heat_empty: bool,
    pub talk: Vec<Fact>,
    pub talk_buckets: Vec<Share>,
}

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
                t.outcomes_by_count().into_iter().map(|(o, c)| (o.replace('_', " "), c.tasks, c.goal)).collect();
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
            let label = |r: Option<CallResult>| r.map_or("never dialled".to_string(), |r| r.as_str().replace('_', " "));
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
            cells: hours.iter().map(|&n| HeatCell { count: n, level: level(n, max) }).collect(),
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

    AnalysisView {
        outcomes,
        results,
        results_source,
        attempts,
        heat,
        heat_source,
        heat_zone: input.workspace.timezone.as_str().to_string(),
        heat_empty: max == 0,
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
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeRow {
    pub outcome: String,
    pub contacts: String,
    pub share: String,
    pub average_talk: String,
    pub goal: bool,
}

/// The results tables.
#[derive(Debug, Clone, Serialize)]
pub struct ResultsView {
    pub outcomes: Vec<OutcomeRow>,
    pub numbers: Vec<PoolRowView>,
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
                outcome: o.to_string(),
                contacts: format::thousands(c.tasks),
                share: format::percent(crate::figures::percent(c.tasks, contacts)),
                average_talk: if c.tasks > 0 {
                    format::duration(c.talk_seconds / c.tasks as f64)
                } else {
                    "—".into()
                },
                goal: c.goal,
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
    ResultsView { outcomes, numbers: f.number_pool.iter().map(|r| super::after::pool_row(input, r)).collect(), totals }
}
