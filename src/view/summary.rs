//! `summary.json`: the figures behind the pages, for machines (SPEC 5.1).

use serde::Serialize;

use super::{CampaignView, ViewInput};
use crate::figures::{PoolRow, Progress, Stage};
use crate::model::{NonNegative, Tenant};

/// One readiness check.
#[derive(Debug, Serialize)]
pub struct CheckSummary {
    pub check: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// Counts and status of the upload.
#[derive(Debug, Serialize)]
pub struct UploadSummary {
    pub id: Option<String>,
    pub file_name: Option<String>,
    pub status: &'static str,
    pub uploaded_at: Option<String>,
    pub rows_total: Option<u64>,
    pub rows_accepted: Option<u64>,
    pub rows_rejected: Option<u64>,
    pub rows_duplicate: Option<u64>,
}

/// Restricted metrics, for allowed roles.
#[derive(Debug, Serialize)]
pub struct LatencySummary {
    pub p50_ms: Option<NonNegative>,
    pub p95_ms: Option<NonNegative>,
    pub time_to_first_word_ms: Option<NonNegative>,
    pub post_dial_delay_ms: Option<NonNegative>,
    /// p50 and p95 over the `latency_ms` column of calls (else tasks), when present.
    pub measured_p50_ms: Option<NonNegative>,
    pub measured_p95_ms: Option<NonNegative>,
}

/// Pace of a running campaign.
#[derive(Debug, Serialize)]
pub struct Pace {
    pub tasks_per_hour: f64,
    pub estimated_finish: Option<String>,
}

/// A labelled count.
#[derive(Debug, Serialize)]
pub struct Count {
    pub label: String,
    pub count: u64,
}

/// The Ended analysis as numbers.
#[derive(Debug, Serialize)]
pub struct AnalysisSummary {
    pub outcomes: Vec<Count>,
    pub results: Vec<Count>,
    pub attempts: Vec<Count>,
    pub talk_seconds_median: Option<NonNegative>,
    pub talk_seconds_p90: Option<NonNegative>,
    pub calls: Option<u64>,
}

/// The contents of `summary.json`.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub id: String,
    pub name: String,
    pub status: String,
    pub generated_at: String,
    pub tenant: Tenant,
    pub layout: &'static str,
    pub tabs: Vec<&'static str>,
    pub actions: Vec<&'static str>,
    pub sections: Vec<&'static str>,
    pub auto_refresh_seconds: Option<u32>,
    pub progress: Option<Progress>,
    pub pace: Option<Pace>,
    pub funnel: Option<Vec<Stage>>,
    pub readiness: Option<Vec<CheckSummary>>,
    pub dispatch_health: Option<super::DispatchVerdict>,
    pub analysis: Option<AnalysisSummary>,
    pub number_pool: Option<Vec<PoolRow>>,
    pub upload: Option<UploadSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<Option<LatencySummary>>,
    pub warnings: Vec<String>,
}

impl Summary {
    /// The summary of a campaign from its view input and finished view.
    pub fn new(input: &ViewInput, view: &CampaignView) -> Summary {
        let c = input.campaign;
        let f = input.figures;
        let layout = input.status.layout();
        Summary {
            id: c.id.to_string(),
            name: c.name.clone(),
            status: c.status.clone(),
            generated_at: input.options.now.to_string(),
            tenant: c.tenant.clone(),
            layout: layout.as_str(),
            tabs: layout.tabs().iter().map(|t| t.as_str()).collect(),
            actions: input.status.actions().iter().map(|a| a.as_str()).collect(),
            sections: view.sections.clone(),
            auto_refresh_seconds: view.auto_refresh_seconds,
            progress: f.progress,
            pace: (*input.status == crate::lifecycle::Status::Running)
                .then(|| super::active::pace(input))
                .flatten()
                .map(|(rate, finish)| Pace {
                    tasks_per_hour: (rate * 10.0).round() / 10.0,
                    estimated_finish: finish.map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string()),
                }),
            funnel: view.funnel.as_ref().and_then(|_| f.funnel()),
            readiness: view.readiness.as_ref().map(|r| {
                r.checks.iter().map(|c| CheckSummary { check: c.check, ok: c.ok, detail: c.detail.clone() }).collect()
            }),
            dispatch_health: view.dispatch.as_ref().map(|d| d.verdict),
            analysis: view.analysis.as_ref().map(|_| analysis(input)),
            number_pool: f.has_pool().then(|| f.number_pool.clone()),
            upload: c.upload.as_ref().map(|u| UploadSummary {
                id: u.id.clone(),
                file_name: u.file_name.clone(),
                status: u.status.as_str(),
                uploaded_at: u.uploaded_at.map(|t| t.to_string()),
                rows_total: u.rows_total,
                rows_accepted: u.rows_accepted,
                rows_rejected: u.rows_rejected,
                rows_duplicate: u.rows_duplicate,
            }),
            latency: input.options.show_latency.then(|| latency(input)),
            warnings: f.warnings.clone(),
        }
    }
}

fn analysis(input: &ViewInput) -> AnalysisSummary {
    let f = input.figures;
    let tasks = f.tasks.as_ref();
    let outcomes = tasks
        .map(|t| {
            t.outcomes_by_count().into_iter().map(|(o, c)| Count { label: o.to_string(), count: c.tasks }).collect()
        })
        .unwrap_or_default();
    // Never-dialled tasks are not a call result: the summary lists the results only.
    let results = f
        .results()
        .map(|r| {
            r.counts
                .into_iter()
                .filter_map(|(res, n)| res.map(|res| Count { label: res.as_str().into(), count: n }))
                .collect()
        })
        .unwrap_or_default();
    AnalysisSummary {
        outcomes,
        results,
        attempts: tasks
            .map(|t| t.attempts.iter().map(|(n, c)| Count { label: n.to_string(), count: *c }).collect())
            .unwrap_or_default(),
        talk_seconds_median: tasks.and_then(|t| t.talk.quantile(0.5)).map(NonNegative),
        talk_seconds_p90: tasks.and_then(|t| t.talk.quantile(0.9)).map(NonNegative),
        calls: f.calls.as_ref().map(|c| c.total),
    }
}

fn latency(input: &ViewInput) -> Option<LatencySummary> {
    let l = input.campaign.latency.clone().unwrap_or_default();
    let measured = input.figures.measured_latency().map(|(d, _)| d);
    if input.campaign.latency.is_none() && measured.is_none() {
        return None;
    }
    Some(LatencySummary {
        p50_ms: l.p50_ms,
        p95_ms: l.p95_ms,
        time_to_first_word_ms: l.time_to_first_word_ms,
        post_dial_delay_ms: l.post_dial_delay_ms,
        measured_p50_ms: measured.and_then(|d| d.quantile(0.5)).map(NonNegative),
        measured_p95_ms: measured.and_then(|d| d.quantile(0.95)).map(NonNegative),
    })
}
