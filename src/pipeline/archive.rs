//! What makes a campaign's PDF archival (`--pdf-variant`, docs/pdf.md "Archival
//! PDFs"): its title and, for PDF/A-3b, the files it carries. Those are the
//! campaign's `summary.json` and its export copies, read from the files this run
//! wrote for the campaign, so they hold what the role may see and nothing else.

use super::Options;
use crate::output::Staged;
use crate::render::pdf::archival::{Archival, Attachment, Relationship, Source, within_cap};

/// The archival settings of one campaign's PDF, or `None` for a plain PDF. `staged`
/// are the campaign's files written so far (under `dir`), `summary` its
/// `summary.json` bytes (made even when `--format` leaves the file out).
pub(super) fn archival(
    options: &Options,
    name: &str,
    dir: &str,
    staged: &[Staged],
    summary: Option<&[u8]>,
) -> Option<Archival> {
    let variant = options.pdf_variant?;
    let mut candidates = Vec::new();
    if variant.attaches() {
        if let Some(summary) = summary {
            candidates.push(Attachment {
                name: "summary.json".into(),
                mime: "application/json",
                relationship: Relationship::Supplement,
                description: "The figures behind this report (summary.json)".into(),
                size: summary.len() as u64,
                snapshot_path: format!("{dir}/summary.json"),
                source: Source::Bytes(summary.to_vec()),
            });
        }
        let export = format!("{dir}/export/");
        let mut copies: Vec<&Staged> = staged.iter().filter(|s| s.written().path.starts_with(&export)).collect();
        // The campaign object first, then the tables by name.
        copies.sort_by_key(|s| (!s.written().path.ends_with("/campaign.json"), s.written().path.clone()));
        for copy in copies {
            let written = copy.written();
            let file = written.path[export.len()..].to_string();
            let mime = if file.ends_with(".json") { "application/json" } else { "text/csv" };
            candidates.push(Attachment {
                description: format!("Export copy: {file}, as this report's role may see it"),
                name: file,
                mime,
                relationship: Relationship::Data,
                size: written.bytes,
                snapshot_path: written.path.clone(),
                source: Source::File(copy.temp_path().to_path_buf()),
            });
        }
    }
    let (attachments, left_out) = within_cap(candidates, options.pdf_attach_max_mb.saturating_mul(1_000_000));
    Some(Archival { variant, title: name.to_string(), attachments, left_out })
}
