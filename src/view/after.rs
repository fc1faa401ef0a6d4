//! The sections after the main content: CSV upload follow-up, number pool health, latency.

use serde::Serialize;

use super::{Fact, GridView, ViewInput, format, grid_view};
use crate::figures::{Health, PoolRow};
use crate::model::{Upload, UploadStatus};
use crate::text::phone;

/// Rejected rows shown on a page; the export copy has them all.
pub const REJECTS_ON_PAGE: usize = 50;

/// The CSV upload follow-up.
#[derive(Debug, Clone, Serialize)]
pub struct UploadView {
    pub file_name: String,
    pub status: &'static str,
    pub status_label: String,
    pub uploaded: String,
    pub counts: Vec<Fact>,
    pub rejects: Option<GridView>,
    pub rejects_href: Option<&'static str>,
    pub next_step: String,
}

/// The upload follow-up of a campaign.
pub fn upload(input: &ViewInput, u: &Upload) -> UploadView {
    let rejected = u.rows_rejected.or(input.rejects.map(|g| g.total)).unwrap_or(0);
    let counts = vec![
        Fact::new("Rows in the file", format::count(u.rows_total)),
        Fact::new("Accepted", format::count(u.rows_accepted)),
        Fact::new("Rejected", format::count(u.rows_rejected)),
        Fact::new("Duplicates", format::count(u.rows_duplicate)),
    ];
    let has_copy = input.exports.contains(&"upload_rejects.csv");
    let next_step = match u.status {
        UploadStatus::Staged => format!(
            "The upload is staged and not yet applied: review it and confirm it in the app to add {} accepted rows.",
            format::count(u.rows_accepted)
        ),
        UploadStatus::Processing => {
            "The upload is still being processed: refresh the snapshot later to see the final counts.".into()
        }
        UploadStatus::Failed => {
            "The upload failed: check that the file is a UTF-8 CSV with a header row and a phone column, then upload it again.".into()
        }
        UploadStatus::Completed if rejected > 0 => format!(
            "{} rows were rejected: download upload_rejects.csv, fix the phone numbers and missing fields it lists, and upload the fixed rows as a new file.",
            format::thousands(rejected)
        ),
        UploadStatus::Completed => "Every row was accepted; nothing to do.".into(),
    };
    UploadView {
        file_name: u.file_name.clone().unwrap_or_else(|| "(unnamed file)".into()),
        status: u.status.as_str(),
        status_label: super::status_label(u.status.as_str()),
        uploaded: input.time(u.uploaded_at),
        counts,
        rejects: input.rejects.filter(|g| g.total > 0).map(|g| {
            grid_view(
                g,
                REJECTS_ON_PAGE,
                |col, cell| show_cell(input, col, cell),
                "rejected rows",
                "are in upload_rejects.csv.",
            )
        }),
        rejects_href: has_copy.then_some("export/upload_rejects.csv"),
        next_step,
    }
}

/// A cell of a free-form table as shown: masked when redaction is on and the column holds contact data.
/// Valid E.164 numbers in a `phone` column are shown in international format.
pub fn show_cell(input: &ViewInput, column: &str, cell: &str) -> String {
    if input.options.redact {
        crate::redact::free_mask(column).apply(cell).into_owned()
    } else if column == "phone" && crate::model::is_e164(cell) {
        phone(cell)
    } else {
        cell.to_string()
    }
}

/// One number of the pool as a table row.
#[derive(Debug, Clone, Serialize)]
pub struct PoolRowView {
    pub number: String,
    pub e164: String,
    pub label: Option<String>,
    pub href: Option<String>,
    pub attempts: String,
    pub answered: String,
    pub answer_rate: String,
    pub bar: f64,
    pub health: &'static str,
    /// ✔ for a healthy number, ⚠ otherwise.
    pub health_icon: &'static str,
    pub health_label: &'static str,
}

/// Number pool health.
#[derive(Debug, Clone, Serialize)]
pub struct PoolView {
    pub rows: Vec<PoolRowView>,
    pub source: &'static str,
    pub threshold: String,
    pub unhealthy: usize,
}

/// A pool row for the page.
pub fn pool_row(input: &ViewInput, r: &PoolRow) -> PoolRowView {
    PoolRowView {
        number: phone(&r.number),
        e164: r.number.clone(),
        label: r.label.clone(),
        href: input.app_link(&format!("numbers/{}", r.number)),
        attempts: format::count(r.attempts),
        answered: format::count(r.answered),
        answer_rate: format::rate(r.answer_rate),
        bar: r.answer_rate.map_or(0.0, |x| (x * 1000.0).round() / 10.0),
        health: r.health.as_str(),
        health_icon: if r.health == Health::Ok { "✔" } else { "⚠" },
        health_label: match r.health {
            Health::Ok => "OK",
            Health::LowAnswerRate => "Low answer rate",
            Health::Flagged => "Flagged as spam",
        },
    }
}

/// Number pool health of a campaign using two or more numbers.
pub fn pool(input: &ViewInput) -> PoolView {
    let f = input.figures;
    let source = if f.calls.is_some() {
        "calls"
    } else if input.campaign.number_pool.is_some() || f.number_pool.iter().any(|r| r.attempts.is_some()) {
        "the app's number stats"
    } else {
        "configuration only (no call data)"
    };
    PoolView {
        rows: f.number_pool.iter().map(|r| pool_row(input, r)).collect(),
        source,
        threshold: format!(
            "A number is unhealthy below {} answered after at least {} attempts, or when carriers flag it as spam.",
            format::rate(Some(input.workspace.low_answer_rate)),
            format::thousands(input.workspace.min_attempts_for_health)
        ),
        unhealthy: f.number_pool.iter().filter(|r| r.health != Health::Ok).count(),
    }
}

/// Restricted latency metrics.
#[derive(Debug, Clone, Serialize)]
pub struct LatencyView {
    pub facts: Vec<Fact>,
    pub empty: bool,
}

/// Latency of a campaign, for roles allowed to see it.
pub fn latency(input: &ViewInput) -> LatencyView {
    let mut facts = Vec::new();
    if let Some(l) = &input.campaign.latency {
        let rows = [
            ("Median latency (p50)", l.p50_ms),
            ("95th percentile latency (p95)", l.p95_ms),
            ("Time to first word", l.time_to_first_word_ms),
            ("Post-dial delay", l.post_dial_delay_ms),
        ];
        for (label, v) in rows {
            if let Some(v) = v {
                facts.push(Fact::new(label, format::millis(v.0)));
            }
        }
    }
    let measured = input.figures.measured_latency();
    if let Some((d, source)) = measured {
        for (label, q) in [("p50", 0.5), ("p95", 0.95)] {
            if let Some(v) = d.quantile(q) {
                facts.push(Fact::new(
                    format!("Measured {label} over {} {source}", format::thousands(d.count())),
                    format::millis(v),
                ));
            }
        }
    }
    LatencyView { empty: facts.is_empty(), facts }
}
