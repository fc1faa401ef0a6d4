//! One run of the tool: export → figures → view → renderers → output, campaign by
//! campaign (docs/architecture.md).
//!
//! `build` runs these steps, each in its own file: choose the tenants and their
//! folders (`tenants`), plan what must be built again (`plan`), build the campaigns
//! (`campaigns`, one campaign in `campaign`, its tables in `tables`), print the PDFs
//! (`printing`), write the campaign list (`list`), and write the manifest last
//! (`manifest`). A campaign with bad data is reported and skipped while the others
//! are built, and its previous snapshot stays as it was (`report`).
//!
//! This is the top of the pipeline: it may use every other module, and none uses it.

mod archive;
mod campaign;
mod campaigns;
mod digests;
mod list;
pub mod manifest;
mod plan;
mod printing;
mod records;
mod report;
pub mod shard;
mod tables;
mod tenants;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rayon::prelude::*;

use crate::export::{Found, InputFormat, Inputs, LoadError, Reading};
use crate::lifecycle::Layout;
use crate::model::Tenant;
use crate::output::{FolderLock, Output, OutputError};
use crate::render::html::{HtmlRenderer, TemplateError};
use crate::render::pdf::Paper;
use crate::render::pdf::archival::Variant;

pub use list::write_at as write_list;
pub use records::CampaignRecords;
pub use report::{CampaignError, ExitStatus, Problem, Report};
pub use tenants::check_folder as check_tenant_folder;

use campaign::Ctx;
use manifest::Previous;
use tables::{Keep, read_tables};

/// Which outputs to write (`--format`); `manifest.json` and `export/` are always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub html: bool,
    pub json: bool,
    pub pdf: bool,
}

/// Which tenant a run builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantChoice {
    /// Only valid when the inputs hold one tenant.
    Only,
    One(String),
    All,
}

/// Everything a run needs to know.
#[derive(Debug, Clone)]
pub struct Options {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub formats: Formats,
    pub tenant: TenantChoice,
    pub role: String,
    pub workspace: Option<PathBuf>,
    pub templates: Option<PathBuf>,
    pub now: Timestamp,
    pub refresh_seconds: u32,
    pub pdf_max_tasks: usize,
    pub redact: bool,
    pub jobs: usize,
    pub paper: Paper,
    pub chrome: Option<PathBuf>,
    /// Whether `now` was given (`--now`); an implicit current time does not make campaigns stale.
    pub now_fixed: bool,
    /// How long to wait for another run holding `out` (`--wait-lock`).
    pub wait_lock: std::time::Duration,
    /// `--pdf-variant`: PDF/A-2b or PDF/A-3b instead of a plain PDF.
    pub pdf_variant: Option<Variant>,
    /// `--pdf-attach-max-mb`: the most a PDF/A-3b carries, in megabytes (10^6 bytes).
    pub pdf_attach_max_mb: u64,
    /// `--layouts`: build only the campaigns of these layouts; empty builds every campaign.
    pub layouts: Vec<Layout>,
    /// How the inputs are read (`--input-format`, docs/platforms.md).
    pub input_format: InputFormat,
    /// `--shard K/N`: build only the campaigns dealt to shard K (see `shard`).
    pub shard: Option<shard::Shard>,
    /// `--browser URL`: print through these running browsers instead of starting one.
    pub browsers: Vec<String>,
}

/// A problem that stops the run before anything is built (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(
        "the inputs hold campaigns of {} tenants: {}; choose one with --tenant ID, or build each into its own folder with --all-tenants",
        .0.len(),
        .0.iter().map(|t| format!("{} ({})", t.id, t.name)).collect::<Vec<_>>().join(", ")
    )]
    TenantNotChosen(Vec<Tenant>),
    #[error("no campaign of tenant {wanted:?} in the inputs; tenants found: {found}")]
    UnknownTenant { wanted: String, found: String },
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("cannot start the worker pool: {0}")]
    Pool(String),
    #[error("cannot create a folder for the pages to print: {0}")]
    PrintDir(std::io::Error),
    #[error(
        "no campaign found in {}: a folder input needs folders holding a campaign.json; files must be .json, .jsonl or .ndjson",
        .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NothingFound(Vec<PathBuf>),
    #[error("{} holds the snapshot of tenant {found:?}; write tenant {wanted:?} into another folder", root.display())]
    OtherTenant { root: PathBuf, found: String, wanted: String },
    #[error("tenant ids {0:?} differ only by case; their folders would collide on some systems")]
    TenantCase(Vec<String>),
}

/// A progress bar on a terminal; hidden when stderr is a file or a pipe (cron, CI).
fn progress_bar(len: usize, what: &'static str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    let style = indicatif::ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {elapsed}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(what);
    bar
}

/// Runs `build`: writes every campaign of the chosen tenant(s) under `--out`.
pub fn run(options: &Options) -> Result<Report, RunError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
        .map_err(|e| RunError::Pool(e.to_string()))?;
    // Everything the run does in parallel uses `--jobs` threads, reading the inputs included.
    pool.install(|| run_in(options, &pool))
}

fn run_in(options: &Options, pool: &rayon::ThreadPool) -> Result<Report, RunError> {
    let tenant = match &options.tenant {
        TenantChoice::One(id) => Some(id.clone()),
        _ => None,
    };
    let reading = Reading { format: options.input_format, tenant };
    let inputs = crate::export::load_as(&options.inputs, options.workspace.as_deref(), &reading)?;
    let groups = tenants::choose(&inputs, &options.tenant)?;
    let renderer = HtmlRenderer::new(options.templates.as_deref())?;

    // Problems of other tenants' campaigns are not this run's.
    let chosen: HashSet<&str> = groups.iter().map(|(t, _)| t.id.as_str()).collect();
    let unchosen = |tenant: &str| matches!(&options.tenant, TenantChoice::One(_)) && !chosen.contains(tenant);
    let mut report = Report { notes: inputs.notes.clone(), ..Report::default() };
    report.notes.extend(renderer.notes().iter().cloned());
    report.problems.extend(input_problems(&inputs, |tenant| !unchosen(tenant)));
    found_something(&inputs, &report, &options.inputs)?;
    // One run at a time writes an output folder, from its first file to its manifest.
    let _lock = FolderLock::acquire(&options.out, options.wait_lock)?;
    let scratch = crate::scratch::RunFolder::create().map_err(RunError::PrintDir)?;
    if options.pdf_variant.is_some() && options.formats.pdf {
        crate::render::pdf::archival::write_fonts(scratch.path()).map_err(RunError::PrintDir)?;
    }
    // Dropped before the run folder: the browser stops before its folder goes.
    let mut press = printing::Press::new(scratch.path());
    let fingerprint = plan::run_fingerprint(options, &inputs.workspace, &renderer);
    for (tenant, bundles) in groups {
        let root = tenants::folder(&options.out, &tenant, &options.tenant);
        let output = Output::create(&root)?;
        let previous = Previous::load(&root);
        tenants::check_folder(&root, &previous, &tenant)?;
        let (bundles, duplicates) = tenants::refuse_duplicate_ids(bundles, &inputs.workspace);
        report.problems.extend(duplicates.into_iter().map(Problem::Input));
        let bundles = plan::of_layouts(bundles, &options.layouts);
        let (bundles, shard) = shard::deal(bundles, options, &tenant, &renderer, &fingerprint);
        let ctx = Ctx {
            options,
            workspace: &inputs.workspace,
            renderer: &renderer,
            output: &output,
            print_dir: scratch.pages(),
        };
        let built_before = report.built;
        let digests = digests::Digests::load(&root);
        let mut done = campaigns::build_all(
            &ctx,
            pool,
            &plan::Before { snapshot: &previous, digests: &digests },
            &fingerprint,
            &bundles,
            &mut report,
        );
        digests.save();
        let unchanged = plan::nothing_changed(&previous, &done) && shard::unchanged(&output, shard.as_ref());
        if done.storage_full.is_none() && unchanged {
            // The list and the manifest stay as they are.
            continue;
        }
        // Every file of the run is held until all are written: then put in place together.
        let written: Result<(), RunError> = match done.storage_full.take() {
            Some(full) => Err(full.into()),
            None => (|| {
                plan::keep_absent(&output, &previous, &bundles);
                printing::print(&mut press, options, &output, done.pdfs, &mut done.records, &mut report)?;
                if options.formats.html {
                    list::write(&output, &renderer, options, &inputs.workspace, &tenant, &done.records)?;
                }
                if let Some(record) = &shard {
                    shard::hold(&output, record)?;
                }
                let built_with = manifest::BuiltWith {
                    role: options.role.clone(),
                    redact: options.redact.then(|| "contacts".to_string()),
                    pdf: options.formats.pdf,
                    pdf_variant: options.pdf_variant.filter(|_| options.formats.pdf).map(|v| v.name().to_string()),
                    layouts: (!options.layouts.is_empty()).then(|| options.layouts.clone()),
                    timezone: inputs.workspace.timezone.clone(),
                    app_url: inputs.workspace.app_url.clone(),
                };
                Ok(manifest::commit(&output, options.now, &tenant, &built_with, &done.records, done.failed)?)
            })(),
        };
        match written {
            Ok(()) => {
                let rebuilt = bundles.iter().zip(&done.rebuilt).filter(|(_, built)| **built).map(|(b, _)| b.id());
                plan::remove_stale(&output, &previous, rebuilt);
                report.files += output.fresh();
            }
            Err(RunError::Output(error)) if error.is_storage_full() => {
                output.discard_held();
                report.built = built_before;
                report.problems.push(Problem::NoSpace { folder: output.root().to_path_buf(), error });
            }
            Err(error) => return Err(error),
        }
    }
    Ok(report)
}

/// Problems found while reading the inputs, those of campaigns whose tenant `wanted` accepts.
fn input_problems<'a>(inputs: &'a Inputs, wanted: impl Fn(&str) -> bool + 'a) -> impl Iterator<Item = Problem> + 'a {
    let files = inputs.errors.iter().cloned();
    let campaigns = inputs.tenant_errors.iter().filter(move |(t, _)| wanted(t)).map(|(_, e)| e.clone());
    files.chain(campaigns).map(Problem::Input)
}

/// Runs `check`: reads and validates everything, writes nothing.
pub fn check(inputs: &[PathBuf], workspace: Option<&Path>, reading: &Reading) -> Result<Report, RunError> {
    let loaded = crate::export::load_as(inputs, workspace, reading)?;
    let mut report = Report { notes: loaded.notes.clone(), ..Report::default() };
    report.problems.extend(input_problems(&loaded, |_| true));
    found_something(&loaded, &report, inputs)?;
    let mut by_tenant: BTreeMap<String, Vec<&Found>> = BTreeMap::new();
    for b in &loaded.bundles {
        by_tenant.entry(b.tenant().id.to_string()).or_default().push(b);
    }
    for bundles in by_tenant.into_values() {
        let (bundles, duplicates) = tenants::refuse_duplicate_ids(bundles, &loaded.workspace);
        report.problems.extend(duplicates.into_iter().map(Problem::Input));
        let results: Vec<(&Found, Result<(), CampaignError>)> = bundles
            .par_iter()
            .map(|b| {
                let read = b
                    .open(&loaded.workspace)
                    .map_err(CampaignError::Input)
                    .and_then(|bundle| read_tables(&bundle, &loaded.workspace, None, Keep::NOTHING).map(|_| ()));
                (*b, read)
            })
            .collect();
        for (found, result) in results {
            match result {
                Ok(()) => report.built += 1,
                Err(CampaignError::Input(e)) => report.problems.push(Problem::Input(e)),
                Err(error) => report.problems.push(Problem::Campaign { id: found.id().to_string(), error }),
            }
        }
    }
    Ok(report)
}

/// Inputs that hold no campaign and no broken one are a mistake in the arguments, for
/// `build` and `check` alike, not an empty success.
fn found_something(loaded: &Inputs, report: &Report, paths: &[PathBuf]) -> Result<(), RunError> {
    if loaded.bundles.is_empty() && report.problems.is_empty() {
        return Err(RunError::NothingFound(paths.to_vec()));
    }
    Ok(())
}
