//! The pipeline of one run: export → figures → view → renderers → output.
//!
//! Each campaign is read, computed, rendered and staged on its own; a campaign
//! with bad data is reported and skipped while the others are built, and its
//! previous snapshot stays as it was.
mod campaign;
mod tables;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rayon::prelude::*;

use sha2::Sha256;

use crate::export::{Bundle, InputError, Inputs, LoadError};
use crate::manifest::{self, CampaignRecord, Manifest, Previous};
use crate::model::Tenant;
use crate::model::Workspace;
use crate::output::{Output, OutputError, Written};
use crate::render::html::{HtmlRenderer, Page, TemplateError};
use crate::render::pdf::{self, Paper, PdfJob, PdfSettings, Printer};
use crate::view;

use campaign::{Built, Ctx, build_campaign};
pub use campaign::{OVERVIEW_TASKS, TASKS_PER_PAGE};
use tables::read_tables;

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
    #[error("{} holds the snapshot of tenant {found:?}; build tenant {wanted:?} into another folder", root.display())]
    OtherTenant { root: PathBuf, found: String, wanted: String },
    #[error("tenant ids {0:?} differ only by case; their folders would collide on some systems")]
    TenantCase(Vec<String>),
}

/// Why one campaign was not built.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("{0}")]
    Input(InputError),
    #[error("campaign {id}: {source}")]
    Template { id: String, source: TemplateError },
    #[error("campaign {id}: {source}")]
    Output { id: String, source: OutputError },
}

impl From<InputError> for CampaignError {
    fn from(e: InputError) -> Self {
        CampaignError::Input(e)
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Campaigns built, per tenant.
    pub built: usize,
    /// Problems found; each skipped a campaign or a file.
    pub errors: Vec<String>,
    /// Remarks that are not errors.
    pub notes: Vec<String>,
    /// Files written.
    pub files: usize,
    /// Campaigns left as they were because nothing they depend on changed.
    pub unchanged: usize,
    /// PDFs that could not be printed (their campaigns' other files were written).
    pub pdf_missing: usize,
    /// How many of `errors` are about PDFs rather than campaigns.
    pub pdf_errors: usize,
}

impl Report {
    /// Campaigns (or input files) that could not be built.
    pub fn failed(&self) -> usize {
        self.errors.len() - self.pdf_errors
    }
}

/// Runs `build`: writes every campaign of the chosen tenant(s) under `--out`.
pub fn run(options: &Options) -> Result<Report, RunError> {
    // The numbering plans take tens of milliseconds to load: on another core, while
    // the inputs are found and read.
    std::thread::spawn(crate::text::load_plans);
    let inputs = crate::export::load(&options.inputs, options.workspace.as_deref())?;
    let groups = choose_tenants(&inputs, &options.tenant)?;
    let renderer = HtmlRenderer::new(options.templates.as_deref())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
        .map_err(|e| RunError::Pool(e.to_string()))?;

    // Problems of other tenants' campaigns are not this run's.
    let chosen: HashSet<&str> = groups.iter().map(|(t, _)| t.id.as_str()).collect();
    let unchosen = |tenant: &str| matches!(&options.tenant, TenantChoice::One(_)) && !chosen.contains(tenant);
    let mut report = Report {
        errors: inputs.errors.iter().map(ToString::to_string).collect(),
        notes: inputs.notes.clone(),
        ..Report::default()
    };
    report.errors.extend(inputs.tenant_errors.iter().filter(|(t, _)| !unchosen(t)).map(|(_, e)| e.to_string()));
    found_something(&inputs, &report, &options.inputs)?;
    let split = options.tenant == TenantChoice::All;
    let print_dir = tempfile::Builder::new().prefix("campaign-report-print-").tempdir().map_err(RunError::PrintDir)?;
    let mut printer: Option<Result<Printer, String>> = None;
    let fingerprint = run_fingerprint(options, &inputs.workspace, &renderer);
    for (tenant, bundles) in groups {
        let root = if split { options.out.join(tenant.id.as_str()) } else { options.out.clone() };
        let output = Output::create(&root)?;
        let previous = Previous::load(&root);
        if let Some(found) = previous.tenant.as_deref().filter(|t| *t != tenant.id.as_str()) {
            return Err(RunError::OtherTenant { root, found: found.to_string(), wanted: tenant.id.to_string() });
        }
        let (bundles, duplicates) = refuse_duplicate_ids(bundles);
        report.errors.extend(duplicates.iter().map(ToString::to_string));
        let ctx = Ctx {
            options,
            workspace: &inputs.workspace,
            renderer: &renderer,
            output: &output,
            print_dir: print_dir.path(),
        };
        let bar = progress_bar(bundles.len(), "campaigns");
        let outcomes: Vec<(String, Outcome)> = pool.install(|| {
            bundles
                .par_iter()
                .map(|b| {
                    let outcome = build_or_skip(&ctx, &previous, &fingerprint, b);
                    bar.inc(1);
                    (b.campaign().id.to_string(), outcome)
                })
                .collect()
        });
        bar.finish_and_clear();

        let mut records = Vec::new();
        let mut pdf_jobs = Vec::new();
        let mut rebuilt = Vec::new();
        for (id, outcome) in outcomes {
            match outcome {
                Outcome::Unchanged(record, files) => {
                    files.into_iter().for_each(|f| output.carry(f));
                    records.push(record);
                    report.unchanged += 1;
                }
                Outcome::Built(built) => {
                    rebuilt.push(id);
                    records.push(built.record);
                    pdf_jobs.extend(built.pdf);
                    report.built += 1;
                }
                Outcome::Failed(e) => {
                    // The previous snapshot of a campaign that failed stays on disk and in the manifest.
                    previous.files_of(&id).into_iter().for_each(|f| output.carry(f));
                    report.errors.push(e.to_string());
                }
            }
        }
        if rebuilt.is_empty() && previous.same_campaigns(records.iter().map(|r| r.id.as_str())) {
            // Nothing changed: the list and the manifest stay as they are.
            continue;
        }
        // Files of campaigns no longer in the inputs are kept (and listed), never deleted.
        let present: HashSet<&str> = bundles.iter().map(|b| b.campaign().id.as_str()).collect();
        for file in previous.all_files() {
            let owner = file.path.strip_prefix("campaigns/").and_then(|p| p.split('/').next());
            if owner.is_some_and(|id| !present.contains(id)) {
                output.carry(file.clone());
            }
        }
        if !pdf_jobs.is_empty() {
            let printer = printer.get_or_insert_with(|| {
                let settings = PdfSettings {
                    chrome: options.chrome.clone(),
                    paper: options.paper,
                    // Two tabs per job: a tab spends most of its time waiting on the browser.
                    jobs: options.jobs.max(1) * 2,
                    deadline: pdf::DEFAULT_DEADLINE,
                    now: options.now,
                };
                Printer::launch(&settings).map_err(|e| e.to_string())
            });
            let failed = print_pdfs(printer.as_ref(), &output, pdf_jobs, &mut report);
            // A campaign whose PDF failed is rebuilt next time.
            records.iter_mut().filter(|r| failed.contains(&r.id)).for_each(|r| r.key = None);
        }
        if options.formats.html {
            output.write_if_changed("assets/style.css", renderer.css().as_bytes())?;
            let snapshot = crate::text::format::time(options.now, &inputs.workspace.timezone.zone());
            let entries = records.iter().map(|r| r.entry.clone()).collect();
            let list = view::list_view(entries, &tenant.name, snapshot.clone(), options.now.to_string());
            let page = Page {
                tab: "list",
                file: "index.html".into(),
                title: format!("Campaigns · {}", tenant.name),
                root: "",
                assets: "assets/",
                snapshot,
                refresh: None,
                sections: Vec::new(),
                tasks: None,
                print: false,
                inline_css: "",
            };
            let html = renderer.list_page(&list, &page)?;
            output.write_if_changed("index.html", html.as_bytes())?;
        }
        write_manifest(&output, options, &tenant, records)?;
        remove_stale(&output, &previous, &rebuilt);
        report.files += output.fresh();
    }
    Ok(report)
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

/// What happened to one campaign.
enum Outcome {
    Unchanged(CampaignRecord, Vec<Written>),
    Built(Built),
    Failed(CampaignError),
}

/// Skips a campaign whose inputs, options and templates are those of its previous snapshot; builds it otherwise.
fn build_or_skip(ctx: &Ctx, previous: &Previous, fingerprint: &Sha256, bundle: &Bundle) -> Outcome {
    // Without --now, an Active campaign's pace, finish estimate and dispatch verdict
    // depend on the clock, so it is rebuilt every run.
    let clock_bound = !ctx.options.now_fixed && bundle.status.layout() == crate::lifecycle::Layout::Active;
    let key = if clock_bound { None } else { manifest::campaign_key(fingerprint, bundle).ok() };
    if let Some(key) = &key
        && let Some((record, files)) = previous.up_to_date(ctx.output.root(), bundle.campaign().id.as_str(), key)
    {
        return Outcome::Unchanged(record, files);
    }
    match build_campaign(ctx, bundle) {
        Ok(mut built) => {
            built.record.key = key;
            Outcome::Built(built)
        }
        Err(e) => {
            // Folders made for files that were never committed; a previous snapshot's files keep theirs.
            let dir = ctx.output.root().join("campaigns").join(bundle.campaign().id.as_str());
            let _ = std::fs::remove_dir(dir.join("export"));
            let _ = std::fs::remove_dir(dir);
            Outcome::Failed(e)
        }
    }
}

/// The digest of what every campaign's output depends on besides its own input.
fn run_fingerprint(options: &Options, workspace: &Workspace, renderer: &HtmlRenderer) -> Sha256 {
    let settings = format!(
        "{:?} role={} redact={} refresh={} pdf_max_tasks={} paper={:?} now={} split={}",
        options.formats,
        options.role,
        options.redact,
        options.refresh_seconds,
        options.pdf_max_tasks,
        options.paper,
        if options.now_fixed { options.now.to_string() } else { String::new() },
        options.tenant == TenantChoice::All,
    );
    let workspace = format!("{workspace:?}");
    manifest::run_fingerprint(&[settings.as_bytes(), workspace.as_bytes(), renderer.fingerprint()])
}

/// Removes the files a rebuilt campaign had before and no longer has (such as task pages beyond its new count).
fn remove_stale(output: &Output, previous: &Previous, rebuilt: &[String]) {
    let current: HashSet<String> = output.written().into_iter().map(|f| f.path).collect();
    for id in rebuilt {
        for file in previous.files_of(id) {
            if !current.contains(&file.path) {
                output.remove(&file.path);
            }
        }
    }
}

/// Prints the PDFs of one output folder; a PDF that fails is reported like a bad campaign.
/// Returns the ids of the campaigns whose PDF failed.
fn print_pdfs(
    printer: Result<&Printer, &String>,
    output: &Output,
    jobs: Vec<(String, PdfJob)>,
    report: &mut Report,
) -> HashSet<String> {
    let id_of = |rel: &str| rel.split('/').nth(1).unwrap_or("").to_string();
    let printer = match printer {
        Ok(p) => p,
        Err(e) => {
            let count = match jobs.len() {
                1 => "1 PDF was".to_string(),
                n => format!("{n} PDFs were"),
            };
            report.errors.push(format!(
                "{e}. The HTML and JSON were written; {count} not printed (under {}/campaigns/)",
                output.root().display()
            ));
            report.pdf_errors += 1;
            report.pdf_missing += jobs.len();
            return jobs.iter().map(|(rel, _)| id_of(rel)).collect();
        }
    };
    let (rels, jobs): (Vec<String>, Vec<PdfJob>) = jobs.into_iter().unzip();
    let mut failed = HashSet::new();
    // Printed in batches so the progress bar moves; the printer keeps its tabs between batches.
    let bar = progress_bar(jobs.len(), "PDFs");
    let mut printed = Vec::with_capacity(jobs.len());
    for batch in jobs.chunks(32) {
        printed.extend(printer.print_all(batch));
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    for (rel, result) in rels.iter().zip(printed) {
        let outcome =
            result.map_err(|e| e.to_string()).and_then(|bytes| output.write(rel, &bytes).map_err(|e| e.to_string()));
        if let Err(e) = outcome {
            report.errors.push(format!("{rel}: the PDF was not printed: {e}"));
            report.pdf_errors += 1;
            report.pdf_missing += 1;
            failed.insert(id_of(rel));
        }
    }
    failed
}

/// Runs `check`: reads and validates everything, writes nothing.
pub fn check(inputs: &[PathBuf], workspace: Option<&Path>) -> Result<Report, RunError> {
    let loaded = crate::export::load(inputs, workspace)?;
    let mut report = Report {
        errors: loaded.errors.iter().map(ToString::to_string).collect(),
        notes: loaded.notes.clone(),
        ..Report::default()
    };
    report.errors.extend(loaded.tenant_errors.iter().map(|(_, e)| e.to_string()));
    found_something(&loaded, &report, inputs)?;
    let mut by_tenant: BTreeMap<String, Vec<&Bundle>> = BTreeMap::new();
    for b in &loaded.bundles {
        by_tenant.entry(b.campaign().tenant.id.to_string()).or_default().push(b);
    }
    for bundles in by_tenant.into_values() {
        let (bundles, duplicates) = refuse_duplicate_ids(bundles);
        report.errors.extend(duplicates.iter().map(ToString::to_string));
        let results: Vec<Result<(), InputError>> =
            bundles.par_iter().map(|b| read_tables(b, &loaded.workspace, None, 0).map(|_| ())).collect();
        for r in results {
            match r {
                Ok(()) => report.built += 1,
                Err(e) => report.errors.push(e.to_string()),
            }
        }
    }
    Ok(report)
}

/// Inputs that hold no campaign and no broken one are a mistake in the arguments, for
/// `build` and `check` alike, not an empty success.
fn found_something(loaded: &Inputs, report: &Report, paths: &[PathBuf]) -> Result<(), RunError> {
    if loaded.bundles.is_empty() && report.errors.is_empty() {
        return Err(RunError::NothingFound(paths.to_vec()));
    }
    Ok(())
}

/// Groups the campaigns by tenant as the run asks, or stops when the choice is missing.
fn choose_tenants<'a>(inputs: &'a Inputs, choice: &TenantChoice) -> Result<Vec<(Tenant, Vec<&'a Bundle>)>, RunError> {
    let mut groups: BTreeMap<String, (Tenant, Vec<&Bundle>)> = BTreeMap::new();
    for b in &inputs.bundles {
        let t = &b.campaign().tenant;
        groups.entry(t.id.to_string()).or_insert_with(|| (t.clone(), Vec::new())).1.push(b);
    }
    let mut lower: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in groups.keys() {
        lower.entry(id.to_lowercase()).or_default().push(id.clone());
    }
    if let Some(clash) = lower.into_values().find(|ids| ids.len() > 1)
        && *choice == TenantChoice::All
    {
        return Err(RunError::TenantCase(clash));
    }
    match choice {
        TenantChoice::All => Ok(groups.into_values().collect()),
        TenantChoice::Only if groups.len() > 1 => {
            Err(RunError::TenantNotChosen(groups.into_values().map(|(t, _)| t).collect()))
        }
        TenantChoice::Only => Ok(groups.into_values().collect()),
        TenantChoice::One(id) => match groups.remove(id) {
            Some(group) => Ok(vec![group]),
            None if inputs.bundles.is_empty() => Ok(Vec::new()),
            None => Err(RunError::UnknownTenant {
                wanted: id.clone(),
                found: groups.keys().cloned().collect::<Vec<_>>().join(", "),
            }),
        },
    }
}

/// Campaigns sharing an id (compared case-insensitively, for case-insensitive file
/// systems) are all refused: neither may overwrite the other.
fn refuse_duplicate_ids(bundles: Vec<&Bundle>) -> (Vec<&Bundle>, Vec<InputError>) {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for b in &bundles {
        *count.entry(b.campaign().id.to_lowercase()).or_default() += 1;
    }
    let (keep, dup): (Vec<&Bundle>, Vec<&Bundle>) =
        bundles.into_iter().partition(|b| count[&b.campaign().id.to_lowercase()] == 1);
    let errors = dup
        .iter()
        .map(|b| {
            b.error(
                "id",
                format!(
                    "campaign id {:?} is used by {} campaigns of this tenant (ids are compared ignoring case); none of them is built",
                    b.campaign().id.as_str(),
                    count[&b.campaign().id.to_lowercase()]
                ),
            )
        })
        .collect();
    (keep, errors)
}

/// Writes `manifest.json` last, listing every file of the snapshot.
fn write_manifest(
    output: &Output,
    options: &Options,
    tenant: &Tenant,
    mut campaigns: Vec<CampaignRecord>,
) -> Result<(), RunError> {
    campaigns.sort_by(|a, b| a.id.cmp(&b.id));
    let manifest = Manifest {
        generated_at: options.now.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        tenant: tenant.clone(),
        files: output.written(),
        campaigns,
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    bytes.push(b'\n');
    output.write_if_changed("manifest.json", &bytes)?;
    Ok(())
}
