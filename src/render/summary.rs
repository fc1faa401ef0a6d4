//! The `summary.json` renderer: the figures behind the pages, for machines
//! (docs/export-format.md lists its keys).
//!
//! A renderer beside the HTML, PDF and export copies: it reads the same input the
//! view reads (the campaign, its figures and the judgements made of them, and the
//! lifecycle table), never the pages' view, so the JSON cannot drift with a page's
//! layout. Readiness sentences are the view's words, so page and JSON say the same.

use serde::Serialize;

use crate::figures::{
    DispatchHealth, DispatchVerdict, Pace, PoolRow, Progress, ReadinessCheck, Stage, calling_hours, readiness,
};
use crate::lifecycle::{Action, Layout, Section, Tab, campaign_sections};
use crate::model::{NonNegative, Tenant, UploadStatus};
use crate::view::{ViewInput, check_detail};

/// One readiness check.
#[derive(Debug, Serialize)]
pub struct CheckSummary {
    pub check: ReadinessCheck,
    pub ok: bool,
    pub detail: String,
}

/// Counts and status of the upload.
#[derive(Debug, Serialize)]
pub struct UploadSummary {
    pub id: Option<String>,
    pub file_name: Option<String>,
    pub status: UploadStatus,
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

/// Pace of a running campaign, at its data time.
#[derive(Debug, Serialize)]
pub struct PaceSummary {
    /// Tasks done per hour, one decimal: per calling hour when `calling_window`.
    pub per_hour: f64,
    /// Whether only the calling window's hours were counted (else every hour).
    pub calling_window: bool,
    /// RFC 3339, or null when too far away.
    pub estimated_finish: Option<String>,
}

/// Dispatch of an Active campaign, at its data time.
#[derive(Debug, Serialize)]
pub struct DispatchSummary {
    pub verdict: DispatchVerdict,
    /// Minutes from the last dispatch to the data time, when the export gives the last dispatch.
    pub minutes_since_last_dispatch: Option<i64>,
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
    /// For a platform import: the platform (docs/platforms.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// For a platform import: the platform's own status value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_status: Option<String>,
    pub generated_at: String,
    /// The moment the figures describe (RFC 3339).
    pub data_as_of: String,
    /// Whether the snapshot is later than the data by more than the workspace's `stale_after_hours`.
    pub data_stale: bool,
    pub tenant: Tenant,
    pub layout: Layout,
    pub tabs: &'static [Tab],
    pub actions: &'static [Action],
    pub sections: Vec<Section>,
    pub auto_refresh_seconds: Option<u32>,
    pub progress: Option<Progress>,
    pub pace: Option<PaceSummary>,
    pub funnel: Option<Vec<Stage>>,
    pub readiness: Option<Vec<CheckSummary>>,
    pub dispatch: Option<DispatchSummary>,
    pub analysis: Option<AnalysisSummary>,
    pub number_pool: Option<Vec<PoolRow>>,
    pub upload: Option<UploadSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<Option<LatencySummary>>,
    pub warnings: Vec<String>,
}

impl Summary {
    /// The summary of a campaign.
    pub fn new(input: &ViewInput) -> Summary {
        let c = input.campaign;
        let f = input.figures;
        let layout = input.status.layout();
        let is = |l: Layout| layout == l;
        Summary {
            id: c.id.to_string(),
            name: c.name.clone(),
            status: c.status.clone(),
            platform: c.source.as_ref().map(|s| s.platform.clone()),
            source_status: c.source.as_ref().and_then(|s| s.status.clone()),
            generated_at: input.options.now.to_string(),
            data_as_of: f.data_time.at.to_string(),
            data_stale: f.data_time.stale,
            tenant: c.tenant.clone(),
            layout,
            tabs: layout.tabs(),
            actions: input.status.actions(),
            sections: campaign_sections(layout, input.extras()),
            auto_refresh_seconds: input.auto_refresh_seconds(),
            progress: f.progress,
            pace: Pace::of(input.status, f.progress, c.started_at, f.data_time.at, &calling_hours(c, input.workspace))
                .map(|pace| PaceSummary {
                    per_hour: (pace.per_hour * 10.0).round() / 10.0,
                    calling_window: pace.windowed,
                    estimated_finish: pace.finish.map(|t| t.round(jiff::Unit::Second).unwrap_or(t).to_string()),
                }),
            funnel: is(Layout::Ended).then(|| f.funnel()).flatten(),
            readiness: is(Layout::Draft).then(|| {
                readiness(c)
                    .into_iter()
                    .map(|check| CheckSummary {
                        check: check.check,
                        ok: check.ok,
                        detail: check_detail(&check, c, input.workspace),
                    })
                    .collect()
            }),
            dispatch: is(Layout::Active).then(|| DispatchSummary {
                verdict: DispatchHealth::judge(c.dispatch.as_ref(), input.status, f.data_time.at).verdict(),
                minutes_since_last_dispatch: c
                    .dispatch
                    .as_ref()
                    .and_then(|d| d.last_dispatch_at)
                    .map(|t| (f.data_time.at.as_second() - t.as_second()) / 60),
            }),
            analysis: is(Layout::Ended).then(|| analysis(input)),
            number_pool: f.has_pool().then(|| f.number_pool.clone()),
            upload: c.upload.as_ref().map(|u| UploadSummary {
                id: u.id.clone(),
                file_name: u.file_name.clone(),
                status: u.status,
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

    /// The summary as `summary.json` holds it.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("summary serialises");
        bytes.push(b'\n');
        bytes
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::view::testing::Fixture;

    fn summary(f: &Fixture) -> Value {
        serde_json::from_slice(&Summary::new(&f.input()).to_json()).unwrap()
    }

    #[test]
    fn a_draft_states_its_readiness_in_the_pages_words() {
        let s = summary(&Fixture::draft().with(json!({"config": {"from_numbers": ["+14155550100"]}})));
        assert_eq!((s["layout"].as_str(), s["tabs"].clone()), (Some("draft"), json!(["overview"])));
        assert_eq!(s["readiness"][0], json!({"check": "name", "ok": true, "detail": "Named “Spring recall”."}));
        assert_eq!(s["readiness"][2], json!({"check": "from_numbers", "ok": true, "detail": "1 caller number."}));
        assert_eq!(
            (s["funnel"].clone(), s["pace"].clone(), s["dispatch"].clone()),
            (Value::Null, Value::Null, Value::Null)
        );
        assert_eq!(s["sections"], json!(["readiness", "configuration", "audience-preview"]));
        assert!(s.get("latency").is_none(), "a viewer's summary has no latency key");
    }

    #[test]
    fn a_running_campaign_states_its_pace_and_dispatch() {
        let f =
            Fixture::running().tasks(4).with(json!({"started_at": "2026-11-27T09:00:00Z", "dispatch": {"queued": 2}}));
        let s = summary(&f);
        assert_eq!(
            s["pace"],
            json!({"per_hour": 1.3, "calling_window": false, "estimated_finish": "2026-11-27T12:00:00Z"})
        );
        assert_eq!(s["dispatch"], json!({"verdict": "stalled", "minutes_since_last_dispatch": null}));
        assert_eq!(s["auto_refresh_seconds"], 60);
        assert_eq!(s["actions"], json!(["pause", "cancel", "clone", "export", "save_template"]));
        assert_eq!(s["progress"], json!({"total": 4, "done": 4, "percent": 100.0}));
    }

    #[test]
    fn an_ended_campaign_states_its_funnel_and_analysis() {
        let s = summary(&Fixture::ended().tasks(2).admin());
        assert_eq!(s["funnel"][0], json!({"stage": "contacts", "count": 2}));
        assert_eq!(s["analysis"]["results"][2], json!({"label": "no_answer", "count": 2}));
        assert_eq!(s["analysis"]["attempts"], json!([{"label": "1", "count": 2}]));
        assert_eq!(s["latency"]["measured_p50_ms"], 900);
        assert_eq!(s["readiness"], Value::Null);
    }
}
