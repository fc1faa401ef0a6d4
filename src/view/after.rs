//! The sections after the main content: CSV upload follow-up, number pool health, latency.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Fact, GridView, ViewInput, grid_view};
use crate::figures::{Health, PoolRow};
use crate::model::{Upload, UploadStatus};
use crate::text::{format, phone};

/// Rejected rows shown on a page; the export copy has them all.
pub const REJECTS_ON_PAGE: usize = 50;

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
    /// The export copy with every rejected row, when the snapshot has it.
    pub rejects_href: Option<&'static str>,
    /// What to do next.
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
        status_label: format::label(u.status.as_str()),
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
    /// `ok`, `low_answer_rate` or `flagged`.
    pub health: &'static str,
    /// ✔ for a healthy number, ⚠ otherwise.
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
        assert!(rejected.next_step.starts_with("3 rows were rejected: download upload_rejects.csv"));
        assert_eq!((rejected.file_name.as_str(), rejected.status_label.as_str()), ("june.csv", "Completed"));
        assert_eq!(with(json!({"status": "staged"})).file_name, "(unnamed file)");
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
        assert_eq!(grid.rows[0], ["0", "invalid_phone", "A•• L•", "+1 415 ••• ••23"]);
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
