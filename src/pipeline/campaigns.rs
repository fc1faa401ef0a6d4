//! Building every campaign of one output folder, in parallel: each is kept as it
//! was, built, or reported and skipped while the others are built.

use std::sync::Mutex;

use super::campaign::{self, Ctx};
use super::manifest::CampaignRecord;
use super::plan::{self, Step};
use super::records::CampaignRecords;
use super::report::{CampaignError, Problem, Report};
use crate::export::{Bundle, Found};
use crate::output::OutputError;
use crate::render::pdf::PdfJob;
use crate::sync::lock;

/// What the campaigns of one output folder came to.
pub(super) struct Campaigns {
    /// The manifest record of every campaign built or kept.
    pub(super) records: CampaignRecords,
    /// How many of them the previous snapshot had.
    pub(super) known: usize,
    /// PDFs still to print, by their path in the snapshot.
    pub(super) pdfs: Vec<(String, PdfJob)>,
    /// Whether each campaign, by its place in the campaigns given, was built this run.
    pub(super) rebuilt: Vec<bool>,
    /// The device ran out of space while a campaign was written: the run cannot finish.
    pub(super) storage_full: Option<OutputError>,
    /// Campaigns read but not built (see `Manifest::failed`).
    pub(super) failed: Vec<String>,
}

/// What happened to one campaign.
enum Outcome {
    Kept(CampaignRecord, Vec<crate::output::Written>),
    Built(campaign::Built),
    Failed(Problem),
}

/// Builds (or keeps) every campaign, on the run's worker pool.
pub(super) fn build_all(
    ctx: &Ctx,
    pool: &rayon::ThreadPool,
    before: &plan::Before,
    fingerprint: &plan::Fingerprint,
    bundles: &[&Found],
    report: &mut Report,
) -> Campaigns {
    use rayon::prelude::*;
    let bar = super::progress_bar(bundles.len(), "campaigns");
    // Each outcome goes straight into what the campaigns came to, not into a list of
    // outcomes first: with a hundred thousand campaigns that list alone was 60 MB.
    let done = Campaigns {
        records: CampaignRecords::new(ctx.output.root()),
        known: 0,
        pdfs: Vec::new(),
        rebuilt: vec![false; bundles.len()],
        storage_full: None,
        failed: Vec::new(),
    };
    let gathered = Mutex::new(Gathered {
        done,
        pdfs: Vec::new(),
        problems: Vec::new(),
        storage_full: None,
        built: 0,
        unchanged: 0,
    });
    pool.install(|| {
        bundles.par_iter().enumerate().for_each(|(index, b)| {
            let outcome = one(ctx, before, fingerprint, b);
            bar.inc(1);
            let id = b.id();
            let known = usize::from(before.snapshot.knows(id));
            match outcome {
                Outcome::Kept(record, files) => {
                    files.into_iter().for_each(|f| ctx.output.carry(f));
                    let mut g = lock(&gathered);
                    g.done.records.push(record);
                    g.done.known += known;
                    g.unchanged += 1;
                }
                Outcome::Built(built) => {
                    let mut g = lock(&gathered);
                    g.done.rebuilt[index] = true;
                    g.done.records.push(built.record);
                    g.done.known += known;
                    g.pdfs.extend(built.pdf.map(|pdf| (index, pdf)));
                    g.built += 1;
                }
                Outcome::Failed(Problem::Campaign { error: CampaignError::Output(e), .. }) if e.is_storage_full() => {
                    before.snapshot.files_of(id).into_iter().for_each(|f| ctx.output.carry(f));
                    // The first in input order is told, whichever campaign ran out of space first.
                    let mut g = lock(&gathered);
                    if g.storage_full.as_ref().is_none_or(|(first, _)| index < *first) {
                        g.storage_full = Some((index, e));
                    }
                }
                Outcome::Failed(problem) => {
                    // The previous snapshot of a campaign that failed stays on disk and in the manifest.
                    before.snapshot.files_of(id).into_iter().for_each(|f| ctx.output.carry(f));
                    let mut g = lock(&gathered);
                    g.done.failed.push(id.to_string());
                    g.problems.push((index, problem));
                }
            }
        })
    });
    bar.finish_and_clear();

    // PDFs and problems in input order, whatever order the campaigns ended in.
    let Gathered { mut done, mut pdfs, mut problems, built, unchanged, storage_full } =
        gathered.into_inner().unwrap_or_else(|e| e.into_inner());
    done.storage_full = storage_full.map(|(_, e)| e);
    pdfs.sort_by_key(|(index, _)| *index);
    done.pdfs = pdfs.into_iter().map(|(_, pdf)| pdf).collect();
    problems.sort_by_key(|(index, _)| *index);
    report.problems.extend(problems.into_iter().map(|(_, problem)| problem));
    report.built += built;
    report.unchanged += unchanged;
    done
}

/// What the campaigns came to while they are built, with the input position of what
/// must be told in input order.
struct Gathered {
    done: Campaigns,
    pdfs: Vec<(usize, (String, PdfJob))>,
    problems: Vec<(usize, Problem)>,
    storage_full: Option<(usize, OutputError)>,
    built: usize,
    unchanged: usize,
}

fn one(ctx: &Ctx, before: &plan::Before, fingerprint: &plan::Fingerprint, found: &Found) -> Outcome {
    let id = found.id();
    let keys =
        |bundle: &Bundle| plan::keys(ctx.options, fingerprint, before.digests, found, Some(bundle), ctx.workspace);
    let (key, built) = if before.snapshot.has_key(id) {
        match plan::step(ctx.options, fingerprint, before, ctx.output, found, ctx.workspace) {
            Step::Keep(record, files) => return Outcome::Kept(*record, files),
            Step::Build { key, content_key } => {
                ((key, content_key), open(ctx, found).and_then(|b| campaign::build(ctx, &b)))
            }
        }
    } else {
        match open(ctx, found) {
            // Nothing to keep: the input digest for the keys is taken while the campaign is built.
            Ok(bundle) => rayon::join(|| keys(&bundle), || campaign::build(ctx, &bundle)),
            Err(error) => ((None, None), Err(error)),
        }
    };
    match built {
        Ok(mut built) => {
            (built.record.key, built.record.content_key) = key;
            Outcome::Built(built)
        }
        Err(error) => {
            // Folders made for files that were never committed; a previous snapshot's files keep theirs.
            let id = id.to_string();
            let dir = ctx.output.root().join("campaigns").join(&id);
            let _ = std::fs::remove_dir(dir.join("export"));
            let _ = std::fs::remove_dir(dir);
            Outcome::Failed(Problem::Campaign { id, error })
        }
    }
}

/// The campaign parsed, read again when it was shelved (see `export::Found`).
fn open<'a>(ctx: &Ctx, found: &'a Found) -> Result<crate::export::Opened<'a>, CampaignError> {
    found.open(ctx.workspace).map_err(CampaignError::Input)
}
