//! The sections after the main content: CSV upload follow-up, number pool health, latency.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Fact, GridView, ViewInput, grid_view};
use crate::figures::{Health, PoolRow};
use crate::lifecycle::Layout;
use crate::model::{Upload, UploadStatus};
use crate::text::{format, phone};

/// Rejected rows shown on a page; the export copy has them all.
pub const REJECTS_ON_PAGE: usize = 50;
/// Rejected rows in a PDF: a few examples; the reader of a report needs the counts.
pub const REJECTS_IN_PDF: usize = 10;

/// The CSV upload follow-up.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UploadView {
    /// The uploaded file's name.
    pub file_name: String,
    /// The upload's status word, for styling.
    pub status: &'static str,
    /// The upload's status badge text.
    pub status_label: String,
    /// When it was uploaded.
    pub uploaded: String,
    /// Rows in the file, accepted, rejected and duplicates.
    pub counts: Vec<Fact>,
    /// The first rejected rows, or null when there are none.
    pub rejects: Option<GridView>,
    /// The export copy with every rejected row, when the reader has it (not in the PDF).
    pub rejects_href: Option<&'static str>,
    /// `Next step`, or `Outcome` once the campaign has ended.
    pub next_step_label: &'static str,
    /// What to do next, or what became of the upload.
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
    let print = input.options.print;
    let has_copy = input.exports.contains(&"upload_rejects.csv") && !print;
    let (next_step_label, next_step) = next_step(input, u, rejected, has_copy);
    let rest = if print { "are not listed here." } else { "are in upload_rejects.csv." };
    UploadView {
        file_name: u.file_name.clone().unwrap_or_else(|| "(unnamed file)".into()),
        status: u.status.as_str(),
        status_label: format::label(u.status.as_str()),
        uploaded: input.time(u.uploaded_at),
        counts,
        rejects: input.rejects.filter(|g| g.total > 0).map(|g| {
            let shown = if print { REJECTS_IN_PDF } else { REJECTS_ON_PAGE };
            grid_view(g, shown, |col, cell| show_cell(input, col, cell), "rejected rows", rest)
        }),
        rejects_href: has_copy.then_some("export/upload_rejects.csv"),
        next_step_label,
        next_step,
    }
}

/// What to do about the upload, or, once the campaign has ended and nothing can be
/// done, what became of it. `copy` says whether the reader has the rejects' copy.
fn next_step(input: &ViewInput, u: &Upload, rejected: u64, copy: bool) -> (&'static str, String) {
    let accepted = format::count(u.rows_accepted);
    let rows = |n: u64| format!("{} {}", format::thousands(n), if n == 1 { "row was" } else { "rows were" });
    if input.status.layout() == Layout::Ended {
        let outcome = match u.status {
            UploadStatus::Staged => {
                "The upload was staged and never applied: none of its rows were called.".to_string()
            }
            UploadStatus::Processing => "The upload was still being processed when the campaign ended.".to_string(),
            UploadStatus::Failed => "The upload failed: none of its rows were called.".to_string(),
            UploadStatus::Completed if rejected > 0 => {
                format!("{} rejected and never called; the campaign has ended.", rows(rejected))
            }
            UploadStatus::Completed => "Every row was accepted.".to_string(),
        };
        return ("Outcome", outcome);
    }
    let step = match u.status {
        UploadStatus::Staged => format!(
            "The upload is staged and not yet applied: review it and confirm it in the app to add {accepted} accepted rows."
        ),
        UploadStatus::Processing => {
            "The upload is still being processed: refresh the snapshot later to see the final counts.".into()
        }
        UploadStatus::Failed => {
            "The upload failed: check that the file is a UTF-8 CSV with a header row and a phone column, then upload it again.".into()
        }
        UploadStatus::Completed if rejected > 0 && copy => format!(
            "{} rejected: download upload_rejects.csv, fix the phone numbers and missing fields it lists, and upload the fixed rows as a new file.",
            rows(rejected)
        ),
        UploadStatus::Completed if rejected > 0 => format!(
            "{} rejected: fix the phone numbers and missing fields of the rejected rows in the source file, and upload them as a new file.",
            rows(rejected)
        ),
        UploadStatus::Completed => "Every row was accepted; nothing to do.".into(),
    };
    ("Next step", step)
}

/// A cell of a free-form table as shown: masked when redaction is on and the column holds contact data.
/// Valid E.164 numbers in a `phone` column are shown in international format, reasons in words.
pub fn show_cell(input: &ViewInput, column: &str, cell: &str) -> String {
    // A reason is an id (`invalid_phone`): people read words.
    let cell = if column == "reason" { format::words(cell) } else { cell.to_string() };
    if input.options.redact {
        crate::redact::free_mask(column).apply(&cell).into_owned()
    } else if column == "phone" && crate::model::is_e164(&cell) {
        phone(&cell)
    } else {
        cell
    }
}

/// One number of the pool as a table row.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PoolRowView {
    /// The number in international format.
    pub number: String,
    /// The number in E.164, for data attributes.
    pub e164: String,
    /// The app's label for the number, or null.
    pub label: Option<String>,
    /// The number's record in the app, when `app_url` is set.
    pub href: Option<String>,
    /// Calls placed from the number (a dash when unknown).
    pub attempts: String,
    /// Calls answered (a dash when unknown).
    pub answered: String,
    /// Answered of attempts, one decimal (a dash without attempts).
    pub answer_rate: String,
    /// Bar length in percent, 0–100.
    pub bar: f64,
    /// `ok`, `low_answer_rate` or `flagged`, as `summary.json` has it.
    pub health: &'static str,
    /// The health for styling: as `health`, or `no_data` for a number without a call to judge.
    pub health_state: &'static str,
    /// ✔ for a healthy number, ⚠ for an unhealthy one, – without calls.
    pub health_icon: &'static str,
    /// The health in words.
    pub health_label: &'static str,
}

/// Number pool health.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PoolView {
    /// One row per number.
    pub rows: Vec<PoolRowView>,
    /// Where the figures come from.
    pub source: &'static str,
    /// When a number counts as unhealthy, in a sentence.
    pub threshold: String,
    /// Where the figures come from and when a number is unhealthy, in two sentences.
    pub summary: String,
    /// How many numbers are unhealthy.
    pub unhealthy: usize,
    /// `⚠ 2 unhealthy`, when a number is unhealthy; else null.
    pub unhealthy_badge: Option<String>,
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
        // A number nothing was learnt about is not "OK": it says so.
        health_state: match (r.health, r.attempts) {
            (Health::Ok, None | Some(0)) => "no_data",
            (health, _) => health.as_str(),
        },
        health_icon: match (r.health, r.attempts) {
            (Health::Ok, None | Some(0)) => "–",
            (Health::Ok, _) => "✔",
            _ => "⚠",
        },
        health_label: match (r.health, r.attempts) {
            (Health::Ok, None) => "No call data",
            (Health::Ok, Some(0)) => "No calls",
            (Health::Ok, _) => "OK",
            (Health::LowAnswerRate, _) => "Low answer rate",
            (Health::Flagged, _) => "Flagged as spam",
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
    let threshold = format!(
        "A number is unhealthy below {} answered after at least {} attempts, or when carriers flag it as spam.",
        format::rate(Some(input.workspace.low_answer_rate)),
        format::thousands(input.workspace.min_attempts_for_health)
    );
    let unhealthy = f.number_pool.iter().filter(|r| r.health != Health::Ok).count();
    PoolView {
        rows: f.number_pool.iter().map(|r| pool_row(input, r)).collect(),
        summary: format!("Figures from {source}. {threshold}"),
        source,
        threshold,
        unhealthy,
        unhealthy_badge: (unhealthy > 0).then(|| format!("⚠ {unhealthy} unhealthy")),
    }
}

/// Restricted latency metrics.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LatencyView {
    /// The latency figures, formatted.
    pub facts: Vec<Fact>,
    /// What to say when the export has no latency figures, else null.
    pub empty: Option<&'static str>,
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
    LatencyView { empty: facts.is_empty().then_some("No latency figures in this export."), facts }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::export::grid::Grid;
    use crate::view::testing::Fixture;

    fn upload_of(fixture: &Fixture) -> UploadView {
        upload(&fixture.input(), fixture.campaign.upload.as_ref().unwrap())
    }

    #[test]
    fn the_next_step_follows_the_upload_status() {
        let with = |u: serde_json::Value| upload_of(&Fixture::draft().with(json!({ "upload": u })));
        let staged = with(json!({"status": "staged", "rows_accepted": 1200}));
        assert_eq!(
            staged.next_step,
            "The upload is staged and not yet applied: review it and confirm it in the app to add 1,200 accepted rows."
        );
        assert!(with(json!({"status": "processing"})).next_step.starts_with("The upload is still being processed"));
        assert!(with(json!({"status": "failed"})).next_step.starts_with("The upload failed"));
        assert_eq!(
            with(json!({"status": "completed", "rows_rejected": 0})).next_step,
            "Every row was accepted; nothing to do."
        );
        let rejected = with(json!({"status": "completed", "rows_rejected": 3, "file_name": "june.csv"}));
        assert_eq!(
            (rejected.next_step_label, rejected.next_step.as_str()),
            (
                "Next step",
                "3 rows were rejected: fix the phone numbers and missing fields of the rejected rows in the source file, and upload them as a new file."
            )
        );
        assert_eq!((rejected.file_name.as_str(), rejected.status_label.as_str()), ("june.csv", "Completed"));
        assert_eq!(with(json!({"status": "staged"})).file_name, "(unnamed file)");
        // With the export copy in the snapshot, the page points at it.
        let mut f = Fixture::draft().with(json!({"upload": {"status": "completed", "rows_rejected": 1}}));
        f.exports.push("upload_rejects.csv");
        assert!(upload_of(&f).next_step.starts_with("1 row was rejected: download upload_rejects.csv"));
        assert_eq!(upload_of(&f).rejects_href, Some("export/upload_rejects.csv"));
        // ... but the PDF names no file of the snapshot.
        f.options.print = true;
        assert_eq!(upload_of(&f).rejects_href, None);
        assert!(upload_of(&f).next_step.contains("in the source file"));
    }

    #[test]
    fn once_the_campaign_has_ended_the_upload_gets_an_outcome_not_advice() {
        let with = |u: serde_json::Value| upload_of(&Fixture::ended().with(json!({ "upload": u })));
        let rejected = with(json!({"status": "completed", "rows_rejected": 120}));
        assert_eq!(
            (rejected.next_step_label, rejected.next_step.as_str()),
            ("Outcome", "120 rows were rejected and never called; the campaign has ended.")
        );
        assert_eq!(
            with(json!({"status": "staged"})).next_step,
            "The upload was staged and never applied: none of its rows were called."
        );
        assert_eq!(with(json!({"status": "completed", "rows_rejected": 0})).next_step, "Every row was accepted.");
    }

    #[test]
    fn rejected_rows_are_cut_and_masked() {
        let mut f = Fixture::draft().with(json!({"upload": {"status": "completed"}})).redacted();
        f.exports.push("upload_rejects.csv");
        let rows = (0..60).map(|i| vec![i.to_string(), "invalid_phone".into(), "Ana Li".into(), "+14155550123".into()]);
        f.rejects = Some(Grid {
            columns: vec!["row".into(), "reason".into(), "contact_name".into(), "phone".into()],
            rows: rows.take(REJECTS_ON_PAGE).collect(),
            total: 60,
        });
        let view = upload_of(&f);
        let grid = view.rejects.unwrap();
        assert_eq!(grid.columns, ["Row", "Reason", "Contact name", "Phone"]);
        assert_eq!(grid.rows[0], ["0", "invalid phone", "A•• L•", "+1 415 ••• ••23"]);
        assert_eq!(grid.more.as_deref(), Some("10 more rejected rows are in upload_rejects.csv."));
        assert_eq!(view.rejects_href, Some("export/upload_rejects.csv"));
        assert!(
            view.next_step.starts_with("60 rows were rejected"),
            "the count comes from the rows when the export has none"
        );
    }

    #[test]
    fn cells_show_numbers_in_international_format_unless_masked() {
        let f = Fixture::draft();
        assert_eq!(show_cell(&f.input(), "phone", "+14155550123"), "+1 415-555-0123");
        assert_eq!(show_cell(&f.input(), "phone", "555-0123"), "555-0123");
        assert_eq!(show_cell(&f.input(), "note", "call back"), "call back");
        let masked = Fixture::draft().redacted();
        assert_eq!(show_cell(&masked.input(), "note", "call +1 415 555 0199"), "call +1 415 ••• ••99");
    }

    #[test]
    fn the_pool_names_its_source_and_unhealthy_numbers() {
        let calls: Vec<serde_json::Value> = (0..25)
            .map(|i| json!({"from_number": "+14155550101", "result": if i < 2 { "answered" } else { "no_answer" }}))
            .chain([json!({"from_number": "+14155550102", "result": "answered"})])
            .collect();
        let f = Fixture::ended()
            .with(json!({"calls": calls, "config": {"from_numbers": ["+14155550101", "+14155550102"]}}));
        let view = pool(&f.input());
        assert_eq!(view.source, "calls");
        assert_eq!(view.unhealthy_badge.as_deref(), Some("⚠ 1 unhealthy"));
        assert!(
            view.summary
                .starts_with("Figures from calls. A number is unhealthy below 15.0% answered after at least 20")
        );
        let low = &view.rows[0];
        assert_eq!(
            (low.number.as_str(), low.attempts.as_str(), low.answer_rate.as_str()),
            ("+1 415-555-0101", "25", "8.0%")
        );
        assert_eq!((low.health_icon, low.health_label, low.bar), ("⚠", "Low answer rate", 8.0));
        assert_eq!((view.rows[1].health_icon, view.rows[1].health_label), ("✔", "OK"));
        let configured = Fixture::draft().with(json!({"config": {"from_numbers": ["+14155550101", "+14155550102"]}}));
        let view = pool(&configured.input());
        assert_eq!(view.source, "configuration only (no call data)");
        assert_eq!((view.unhealthy_badge, view.rows[0].attempts.as_str()), (None, "—"));
        assert_eq!(
            (view.rows[0].health_icon, view.rows[0].health_label, view.rows[0].health_state),
            ("–", "No call data", "no_data")
        );
    }

    #[test]
    fn latency_lists_what_the_export_has() {
        let f = Fixture::ended().tasks(2).admin().with(json!({"latency": {"p50_ms": 850, "p95_ms": 1240}}));
        let view = latency(&f.input());
        let facts: Vec<(&str, &str)> = view.facts.iter().map(|f| (f.label.as_str(), f.value.as_str())).collect();
        assert_eq!(
            facts,
            [
                ("Median latency (p50)", "850 ms"),
                ("95th percentile latency (p95)", "1.2 s"),
                ("Measured p50 over 2 tasks", "900 ms"),
                ("Measured p95 over 2 tasks", "900 ms")
            ]
        );
        assert_eq!(view.empty, None);
        assert_eq!(latency(&Fixture::ended().input()).empty, Some("No latency figures in this export."));
    }
}
