//! Printing the PDFs of an output folder, once its campaigns' pages are written:
//! one browser for the whole run, started when the first PDF is due.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::Options;
use super::manifest::campaign_of;
use super::records::CampaignRecords;
use super::report::{Problem, Report};
use crate::output::{Output, OutputError};
use crate::render::pdf::{self, PdfJob, PdfSettings, Printer};

/// The run's printer: not started until a PDF is due, and started at most once (a
/// browser that cannot start is reported once per output folder, not per PDF).
pub(super) struct Press {
    printer: Option<Result<Printer, String>>,
    /// The run's folder, where the browser gets its own.
    folder: PathBuf,
}

impl Press {
    pub(super) fn new(folder: &Path) -> Press {
        Press { printer: None, folder: folder.to_path_buf() }
    }

    fn printer(&mut self, options: &Options) -> Result<&Printer, &String> {
        self.printer
            .get_or_insert_with(|| {
                let settings = PdfSettings {
                    chrome: options.chrome.clone(),
                    paper: options.paper,
                    // Two tabs per job: a tab spends most of its time waiting on the browser.
                    jobs: options.jobs.max(1) * 2,
                    deadline: pdf::DEFAULT_DEADLINE,
                    now: options.now,
                    browser_folders: Some(self.folder.clone()),
                    browsers: options.browsers.clone(),
                    fontconfig: options
                        .pdf_variant
                        .is_some()
                        .then(|| self.folder.join(crate::render::pdf::archival::FONTCONFIG_FILE)),
                };
                Printer::launch(&settings).map_err(|e| e.to_string())
            })
            .as_ref()
    }
}

/// Prints the PDFs of one output folder, held for the run's commit; a PDF that fails
/// is reported like a bad campaign, and its campaign is rebuilt next time (its record
/// loses its key). Running out of space stops the run.
pub(super) fn print(
    press: &mut Press,
    options: &Options,
    output: &Output,
    jobs: Vec<(String, PdfJob)>,
    records: &mut CampaignRecords,
    report: &mut Report,
) -> Result<(), OutputError> {
    if jobs.is_empty() {
        return Ok(());
    }
    let failed = match press.printer(options) {
        Ok(printer) => {
            report.notes.extend(printer.notes().iter().cloned());
            print_with(printer, output, jobs, report)?
        }
        Err(reason) => {
            report.problems.push(Problem::Printer {
                reason: reason.clone(),
                missing: jobs.len(),
                folder: output.root().to_path_buf(),
                written: match (options.formats.html, options.formats.json) {
                    (true, true) => "The HTML and JSON were written",
                    (true, false) => "The HTML was written",
                    (false, true) => "The JSON was written",
                    (false, false) => "The export copies and the manifest were written",
                },
            });
            jobs.iter().map(|(rel, _)| campaign_of(rel).unwrap_or_default().to_string()).collect()
        }
    };
    records.forget_keys(failed);
    Ok(())
}

/// Prints every job and writes the PDFs; returns the campaigns whose PDF failed.
fn print_with(
    printer: &Printer,
    output: &Output,
    jobs: Vec<(String, PdfJob)>,
    report: &mut Report,
) -> Result<HashSet<String>, OutputError> {
    let (rels, jobs): (Vec<String>, Vec<PdfJob>) = jobs.into_iter().unzip();
    // Printed in batches so the progress bar moves; the printer keeps its tabs between batches.
    let bar = super::progress_bar(jobs.len(), "PDFs");
    let mut printed = Vec::with_capacity(jobs.len());
    for batch in jobs.chunks(32) {
        printed.extend(printer.print_all(batch));
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    let mut failed = HashSet::new();
    for (rel, result) in rels.into_iter().zip(printed) {
        let reason = match result.map(|bytes| output.stage(&rel, &bytes)) {
            Ok(Ok(staged)) => {
                output.hold(staged);
                continue;
            }
            Ok(Err(e)) if e.is_storage_full() => return Err(e),
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        failed.insert(campaign_of(&rel).unwrap_or_default().to_string());
        report.problems.push(Problem::Pdf { rel, reason });
    }
    Ok(failed)
}
