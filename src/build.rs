//! The pipeline of one run: export → figures → view → renderers → output.
//!
//! Each campaign is read, computed, rendered and staged on its own; a campaign
//! with bad data is reported and skipped while the others are built, and its
//! previous snapshot stays as it was.

use std::collections::{BTreeMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use csv::StringRecord;
use jiff::Timestamp;
use rayon::prelude::*;
use serde::Serialize;

use crate::export::csv::{CsvTable, cell_position};
use crate::export::grid::Grid;
use crate::export::{Bundle, InputError, Inputs, LoadError, TableName, Workspace};
use crate::figures::{CallCounts, Figures, Rules, TaskCounts};
use crate::lifecycle::{Layout, Tab};
use crate::model::{Call, PoolNumber, Task, Tenant};
use crate::output::{Output, OutputError, Staged};
use crate::render::copies::{self, CopyRules, CsvCopy};
use crate::render::html::{HtmlRenderer, Page, TemplateError};
use crate::view::{self, CampaignView, ListEntry, ViewInput, ViewOptions};

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
}

/// Task rows per Tasks tab page.
pub const TASKS_PER_PAGE: usize = 500;
/// Task rows on the Overview.
pub const OVERVIEW_TASKS: usize = 50;
/// Audience preview rows kept for the page.
const PREVIEW_ROWS: usize = 100;

/// Runs `build`: writes every campaign of the chosen tenant(s) under `--out`.
pub fn run(options: &Options) -> Result<Report, RunError> {
    let inputs = crate::export::load(&options.inputs, options.workspace.as_deref())?;
    let groups = choose_tenants(&inputs, &options.tenant)?;
    let renderer = HtmlRenderer::new(options.templates.as_deref())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
        .map_err(|e| RunError::Pool(e.to_string()))?;

    let mut report = Report {
        errors: inputs.errors.iter().map(ToString::to_string).collect(),
        notes: inputs.notes.clone(),
        ..Report::default()
    };
    let split = options.tenant == TenantChoice::All;
    for (tenant, bundles) in groups {
        let root = if split { options.out.join(tenant.id.as_str()) } else { options.out.clone() };
        let output = Output::create(&root)?;
        let (bundles, duplicates) = refuse_duplicate_ids(bundles);
        report.errors.extend(duplicates.iter().map(ToString::to_string));
        let ctx = Ctx { options, workspace: &inputs.workspace, renderer: &renderer, output: &output };
        let results: Vec<Result<Built, CampaignError>> =
            pool.install(|| bundles.par_iter().map(|b| build_campaign(&ctx, b)).collect());
        let mut entries = Vec::new();
        let mut campaigns = Vec::new();
        for result in results {
            match result {
                Ok(built) => {
                    campaigns.push(built.manifest);
                    entries.push(built.entry);
                }
                Err(e) => report.errors.push(e.to_string()),
            }
        }
        report.built += entries.len();
        if options.formats.html {
            output.write("assets/style.css", renderer.css().as_bytes())?;
            let snapshot = view::format::time(options.now, &inputs.workspace.timezone.zone());
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
            output.write("index.html", html.as_bytes())?;
        }
        report.files += write_manifest(&output, options, &tenant, campaigns)?;
    }
    Ok(report)
}

/// Runs `check`: reads and validates everything, writes nothing.
pub fn check(inputs: &[PathBuf], workspace: Option<&Path>) -> Result<Report, RunError> {
    let loaded = crate::export::load(inputs, workspace)?;
    let mut report = Report {
        errors: loaded.errors.iter().map(ToString::to_string).collect(),
        notes: loaded.notes.clone(),
        ..Report::default()
    };
    let mut by_tenant: BTreeMap<String, Vec<&Bundle>> = BTreeMap::new();
    for b in &loaded.bundles {
        by_tenant.entry(b.campaign().tenant.id.to_string()).or_default().push(b);
    }
    for bundles in by_tenant.into_values() {
        let (bundles, duplicates) = refuse_duplicate_ids(bundles);
        report.errors.extend(duplicates.iter().map(ToString::to_string));
        let results: Vec<Result<(), InputError>> =
            bundles.par_iter().map(|b| read_tables(b, &loaded.workspace, &mut NoSink).map(|_| ())).collect();
        for r in results {
            match r {
                Ok(()) => report.built += 1,
                Err(e) => report.errors.push(e.to_string()),
            }
        }
    }
    Ok(report)
}

/// Groups the campaigns by tenant as the run asks, or stops when the choice is missing.
fn choose_tenants<'a>(inputs: &'a Inputs, choice: &TenantChoice) -> Result<Vec<(Tenant, Vec<&'a Bundle>)>, RunError> {
    let mut groups: BTreeMap<String, (Tenant, Vec<&Bundle>)> = BTreeMap::new();
    for b in &inputs.bundles {
        let t = &b.campaign().tenant;
        groups.entry(t.id.to_string()).or_insert_with(|| (t.clone(), Vec::new())).1.push(b);
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

struct Ctx<'a> {
    options: &'a Options,
    workspace: &'a Workspace,
    renderer: &'a HtmlRenderer,
    output: &'a Output,
}

/// A campaign built: its list entry and manifest record.
struct Built {
    entry: ListEntry,
    manifest: ManifestCampaign,
}

/// What the streaming pass over a campaign's tables collects.
#[derive(Default)]
struct Tables {
    tasks: Option<TaskCounts>,
    calls: Option<CallCounts>,
    pool: Option<Vec<PoolNumber>>,
    first_tasks: Vec<Task>,
    preview: Option<Grid>,
    rejects: Option<Grid>,
}

/// Receives rows while the tables are read: export copies in a build, nothing in a check.
trait Sink {
    fn first_tasks(&self) -> usize {
        0
    }
    fn start(&mut self, _table: TableName, _headers: &[&str]) -> Result<(), InputError> {
        Ok(())
    }
    fn row<'r>(&mut self, _table: TableName, _cells: &dyn Fn(usize) -> &'r str) -> Result<(), InputError> {
        Ok(())
    }
}

struct NoSink;
impl Sink for NoSink {}

/// Task columns in the order of SPEC 1.2.
const TASK_COLUMNS: [&str; 11] = [
    "task_id",
    "contact_name",
    "phone",
    "status",
    "attempts",
    "last_result",
    "outcome",
    "talk_seconds",
    "last_attempt_at",
    "from_number",
    "latency_ms",
];
const CALL_COLUMNS: [&str; 9] = [
    "call_id",
    "task_id",
    "from_number",
    "to_number",
    "started_at",
    "result",
    "duration_seconds",
    "latency_ms",
    "cost",
];

fn task_cells(t: &Task) -> [String; 11] {
    let opt = |v: Option<String>| v.unwrap_or_default();
    [
        t.task_id.to_string(),
        opt(t.contact_name.clone()),
        t.phone.to_string(),
        t.status.as_str().to_string(),
        opt(t.attempts.map(|a| a.to_string())),
        opt(t.last_result.map(|r| r.as_str().to_string())),
        opt(t.outcome.clone()),
        opt(t.talk_seconds.map(|v| v.0.to_string())),
        opt(t.last_attempt_at.map(|v| v.to_string())),
        opt(t.from_number.as_ref().map(|v| v.to_string())),
        opt(t.latency_ms.map(|v| v.0.to_string())),
    ]
}

fn call_cells(c: &Call) -> [String; 9] {
    let opt = |v: Option<String>| v.unwrap_or_default();
    [
        opt(c.call_id.clone()),
        opt(c.task_id.clone()),
        opt(c.from_number.as_ref().map(|v| v.to_string())),
        opt(c.to_number.as_ref().map(|v| v.to_string())),
        opt(c.started_at.map(|v| v.to_string())),
        c.result.as_str().to_string(),
        opt(c.duration_seconds.map(|v| v.0.to_string())),
        opt(c.latency_ms.map(|v| v.0.to_string())),
        opt(c.cost.map(|v| v.0.to_string())),
    ]
}

/// 128 bits of a task id: enough that two different ids never collide in practice,
/// at a fraction of the memory of keeping millions of ids.
fn id_key(id: &str) -> u128 {
    let mut a = DefaultHasher::new();
    id.hash(&mut a);
    let mut b = DefaultHasher::new();
    (0x9e37_79b9_u32, id).hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// The task table's pass: counts, duplicate detection, the first rows.
struct TaskPass {
    seen: HashSet<u128>,
    counts: TaskCounts,
    keep: usize,
    first: Vec<Task>,
}

impl TaskPass {
    /// Counts a task, or returns its id when it is a duplicate.
    fn add(&mut self, task: Task, rules: &Rules) -> Result<(), String> {
        if !self.seen.insert(id_key(&task.task_id)) {
            return Err(task.task_id.to_string());
        }
        self.counts.add(&task, rules);
        if self.first.len() < self.keep {
            self.first.push(task);
        }
        Ok(())
    }
}

fn duplicate_message(id: &str) -> String {
    format!("duplicate task_id {}: task ids must be unique within a campaign", crate::model::shorten(id))
}

/// Reads every table of a campaign once, computing the figures and feeding the sink.
fn read_tables(bundle: &Bundle, workspace: &Workspace, sink: &mut dyn Sink) -> Result<Tables, InputError> {
    let c = bundle.campaign();
    let rules = Rules::new(c, workspace);
    let mut out = Tables::default();
    let keep = sink.first_tasks();

    // Tasks.
    let mut pass = TaskPass { seen: HashSet::new(), counts: TaskCounts::default(), keep, first: Vec::new() };
    if let Some(path) = bundle.csv.get(TableName::Tasks) {
        let mut table = CsvTable::open(path, &["task_id", "phone", "status"])?;
        let headers: Vec<String> = table.headers().iter().map(str::to_string).collect();
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        sink.start(TableName::Tasks, &header_refs)?;
        let header_record = table.headers().clone();
        table.for_each(|task: Task, record: &StringRecord, line| {
            if let Err(id) = pass.add(task, &rules) {
                return Err(InputError::field(
                    path,
                    cell_position(&header_record, line, "task_id"),
                    "task_id",
                    duplicate_message(&id),
                ));
            }
            sink.row(TableName::Tasks, &|i| record.get(i).unwrap_or(""))
        })?;
        out.tasks = Some(pass.counts);
        out.first_tasks = pass.first;
    } else if let Some(tasks) = &c.tasks {
        sink.start(TableName::Tasks, &TASK_COLUMNS)?;
        for (i, task) in tasks.iter().enumerate() {
            let cells = task_cells(task);
            if let Err(id) = pass.add(task.clone(), &rules) {
                return Err(bundle.error(&format!("tasks[{i}].task_id"), duplicate_message(&id)));
            }
            sink.row(TableName::Tasks, &|k| cells[k].as_str())?;
        }
        out.tasks = Some(pass.counts);
        out.first_tasks = pass.first;
    }

    // Calls.
    let mut calls = CallCounts::default();
    if let Some(path) = bundle.csv.get(TableName::Calls) {
        let mut table = CsvTable::open(path, &["result"])?;
        let headers: Vec<String> = table.headers().iter().map(str::to_string).collect();
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        sink.start(TableName::Calls, &header_refs)?;
        table.for_each(|call: Call, record: &StringRecord, _| {
            calls.add(&call, &rules);
            sink.row(TableName::Calls, &|i| record.get(i).unwrap_or(""))
        })?;
        out.calls = Some(calls);
    } else if let Some(list) = &c.calls {
        sink.start(TableName::Calls, &CALL_COLUMNS)?;
        for call in list {
            calls.add(call, &rules);
            let cells = call_cells(call);
            sink.row(TableName::Calls, &|k| cells[k].as_str())?;
        }
        out.calls = Some(calls);
    }

    // Number pool: a small table, kept whole.
    if let Some(path) = bundle.csv.get(TableName::NumberPool) {
        let mut rows = Vec::new();
        CsvTable::open(path, &["number"])?.for_each(|row: PoolNumber, _, _| {
            rows.push(row);
            Ok(())
        })?;
        out.pool = Some(rows);
    } else {
        out.pool = c.number_pool.clone();
    }

    // Audience preview and rejected upload rows: shown as they are.
    out.preview = match (bundle.csv.get(TableName::AudiencePreview), &c.audience_preview) {
        (Some(path), _) => Some(Grid::from_csv(path, &["contact_name", "phone"], PREVIEW_ROWS)?),
        (None, Some(rows)) => Some(Grid::from_inline(rows, &["contact_name", "phone"], PREVIEW_ROWS)),
        (None, None) => None,
    };
    let reject_columns = ["row", "reason", "detail"];
    out.rejects = match (bundle.csv.get(TableName::UploadRejects), c.upload.as_ref().and_then(|u| u.rejects.as_ref())) {
        (Some(path), _) => {
            let mut table = CsvTable::open(path, &["row", "reason"])?;
            let headers: Vec<String> = table.headers().iter().map(str::to_string).collect();
            let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
            sink.start(TableName::UploadRejects, &header_refs)?;
            let mut grid = Grid { columns: headers.clone(), ..Grid::default() };
            table.for_each_raw(|record, _| {
                grid.total += 1;
                if grid.rows.len() < view::REJECTS_ON_PAGE {
                    grid.rows.push(record.iter().map(str::to_string).collect());
                }
                sink.row(TableName::UploadRejects, &|i| record.get(i).unwrap_or(""))
            })?;
            Some(grid)
        }
        (None, Some(rows)) => {
            let all = Grid::from_inline(rows, &reject_columns, usize::MAX);
            let refs: Vec<&str> = all.columns.iter().map(String::as_str).collect();
            sink.start(TableName::UploadRejects, &refs)?;
            for row in &all.rows {
                sink.row(TableName::UploadRejects, &|i| row[i].as_str())?;
            }
            Some(Grid { rows: all.rows.iter().take(view::REJECTS_ON_PAGE).cloned().collect(), ..all })
        }
        (None, None) => None,
    };
    Ok(out)
}

/// Writes the export copies while the tables are read.
struct CopySink<'a> {
    output: &'a Output,
    dir: String,
    rules: CopyRules,
    keep: usize,
    open: Option<(TableName, CsvCopy<'a>)>,
    staged: Vec<Staged>,
    written: Vec<&'static str>,
}

impl CopySink<'_> {
    fn close(&mut self) -> Result<(), InputError> {
        if let Some((table, copy)) = self.open.take() {
            let staged = copy.stage().map_err(|e| InputError::file(Path::new(&self.dir), e.to_string()))?;
            self.staged.push(staged);
            self.written.push(table.file_name());
        }
        Ok(())
    }
}

impl Sink for CopySink<'_> {
    fn first_tasks(&self) -> usize {
        self.keep
    }

    fn start(&mut self, table: TableName, headers: &[&str]) -> Result<(), InputError> {
        self.close()?;
        if table == TableName::NumberPool || table == TableName::AudiencePreview {
            return Ok(());
        }
        let rel = format!("{}/export/{}", self.dir, table.file_name());
        let file = self.output.writer(&rel).map_err(|e| InputError::file(Path::new(&rel), e.to_string()))?;
        let copy = CsvCopy::new(file, headers, self.rules, table == TableName::UploadRejects)
            .map_err(|e| InputError::file(Path::new(&rel), e.to_string()))?;
        self.open = Some((table, copy));
        Ok(())
    }

    fn row<'r>(&mut self, table: TableName, cells: &dyn Fn(usize) -> &'r str) -> Result<(), InputError> {
        if let Some((open, copy)) = &mut self.open
            && *open == table
        {
            copy.write(cells).map_err(|e| InputError::file(Path::new(&self.dir), e.to_string()))?;
        }
        Ok(())
    }
}

/// A campaign's entry in `manifest.json`.
#[derive(Debug, Serialize)]
struct ManifestCampaign {
    id: String,
    name: String,
    status: String,
    layout: &'static str,
}

fn build_campaign(ctx: &Ctx, bundle: &Bundle) -> Result<Built, CampaignError> {
    let options = ctx.options;
    let c = bundle.campaign();
    let layout = bundle.status.layout();
    let dir = format!("campaigns/{}", c.id);
    let show_latency = ctx.workspace.may_see_latency(&options.role);
    let rules = CopyRules { show_latency, redact: options.redact };
    let keep = OVERVIEW_TASKS.max(if options.formats.pdf { options.pdf_max_tasks } else { 0 });
    let mut sink = CopySink {
        output: ctx.output,
        dir: dir.clone(),
        rules,
        keep,
        open: None,
        staged: Vec::new(),
        written: Vec::new(),
    };
    let tables = read_tables(bundle, ctx.workspace, &mut sink)?;
    sink.close()?;
    let out_err = |e: OutputError| CampaignError::Output { id: c.id.to_string(), source: e };

    let json = copies::campaign_json(&bundle.parsed.raw, rules)
        .map_err(|e| InputError::file(&bundle.parsed.file, format!("cannot copy the campaign object: {e}")))?;
    let mut staged = std::mem::take(&mut sink.staged);
    staged.push(ctx.output.stage(&format!("{dir}/export/campaign.json"), &json).map_err(out_err)?);
    let mut exports = std::mem::take(&mut sink.written);
    exports.push("campaign.json");

    let figures = Figures::finish(c, ctx.workspace, tables.tasks, tables.calls, tables.pool.as_deref());
    let view_options = ViewOptions {
        now: options.now,
        show_latency,
        redact: options.redact,
        refresh_seconds: options.refresh_seconds,
        pdf_max_tasks: options.pdf_max_tasks,
        tasks_per_page: TASKS_PER_PAGE,
        overview_tasks: OVERVIEW_TASKS,
    };
    let input = ViewInput {
        campaign: c,
        status: &bundle.status,
        figures: &figures,
        workspace: ctx.workspace,
        options: &view_options,
        first_tasks: &tables.first_tasks,
        preview: tables.preview.as_ref(),
        rejects: tables.rejects.as_ref(),
        exports: &exports,
    };
    let view = view::campaign_view(&input);

    if options.formats.json {
        let summary = view::Summary::new(&input, &view);
        let mut bytes = serde_json::to_vec_pretty(&summary).expect("summary serialises");
        bytes.push(b'\n');
        staged.push(ctx.output.stage(&format!("{dir}/summary.json"), &bytes).map_err(out_err)?);
    }
    if options.formats.html {
        let template_err = |e: TemplateError| CampaignError::Template { id: c.id.to_string(), source: e };
        for tab in layout.tabs() {
            match tab {
                Tab::Overview | Tab::Report => {
                    let sections =
                        if *tab == Tab::Report { vec!["funnel", "analysis", "results"] } else { view.sections.clone() };
                    let page =
                        page_for(&input, &view, *tab, tab.file_name().to_string(), sections, view.tasks.as_ref());
                    let html = ctx.renderer.campaign_page(&view, &page).map_err(template_err)?;
                    staged.push(
                        ctx.output.stage(&format!("{dir}/{}", tab.file_name()), html.as_bytes()).map_err(out_err)?,
                    );
                }
                Tab::Tasks => {
                    staged.extend(write_task_pages(ctx, bundle, &input, &view, &dir)?);
                }
            }
        }
    }

    // Everything read without error: put the campaign's files in place together.
    for file in staged {
        file.commit(ctx.output).map_err(out_err)?;
    }
    Ok(Built {
        entry: view::list_entry(&input, &view),
        manifest: ManifestCampaign {
            id: c.id.to_string(),
            name: c.name.clone(),
            status: c.status.clone(),
            layout: layout.as_str(),
        },
    })
}

/// The page context of one tab.
fn page_for<'a>(
    input: &ViewInput,
    view: &CampaignView,
    tab: Tab,
    file: String,
    sections: Vec<&'static str>,
    tasks: Option<&'a view::TaskList>,
) -> Page<'a> {
    let refresh = view.auto_refresh_seconds;
    Page {
        tab: tab.as_str(),
        title: format!("{} · {} · {}", view.header.name, tab_title(tab), input.campaign.tenant.name),
        file,
        root: "../../",
        assets: "../../assets/",
        snapshot: view.header.snapshot.clone(),
        refresh: if input.status.layout() == Layout::Active { refresh } else { None },
        sections,
        tasks,
        print: false,
        inline_css: "",
    }
}

fn tab_title(tab: Tab) -> &'static str {
    match tab {
        Tab::Overview => "Overview",
        Tab::Tasks => "Tasks",
        Tab::Report => "Report",
    }
}

/// Renders the Tasks tab, one page per `TASKS_PER_PAGE` tasks, reading the tasks again as a stream.
fn write_task_pages(
    ctx: &Ctx,
    bundle: &Bundle,
    input: &ViewInput,
    view: &CampaignView,
    dir: &str,
) -> Result<Vec<Staged>, CampaignError> {
    let total = input.figures.tasks.as_ref().map_or(0, |t| t.total);
    let mut pager = TaskPager {
        ctx,
        input,
        view,
        dir,
        pages: view::tasks_page_count(total, TASKS_PER_PAGE),
        rows: Vec::with_capacity(TASKS_PER_PAGE),
        page: 1,
        staged: Vec::new(),
    };
    if let Some(path) = bundle.csv.get(TableName::Tasks) {
        let mut failure = None;
        CsvTable::open(path, &[])?
            .for_each(|task: Task, _, _| {
                pager.push(&task).map_err(|e| {
                    failure = Some(e);
                    InputError::file(path, "stopped")
                })
            })
            .or_else(|e| failure.take().map_or(Err(e.into()), Err))?;
    } else if let Some(tasks) = &bundle.campaign().tasks {
        for task in tasks {
            pager.push(task)?;
        }
    }
    pager.finish()
}

/// Cuts the task stream into Tasks tab pages.
struct TaskPager<'a> {
    ctx: &'a Ctx<'a>,
    input: &'a ViewInput<'a>,
    view: &'a CampaignView,
    dir: &'a str,
    pages: usize,
    rows: Vec<view::TaskRow>,
    page: usize,
    staged: Vec<Staged>,
}

impl TaskPager<'_> {
    fn push(&mut self, task: &Task) -> Result<(), CampaignError> {
        self.rows.push(view::task_row(self.input, task));
        if self.rows.len() == TASKS_PER_PAGE { self.flush() } else { Ok(()) }
    }

    fn flush(&mut self) -> Result<(), CampaignError> {
        let id = || self.input.campaign.id.to_string();
        let first = ((self.page - 1) * TASKS_PER_PAGE + 1) as u64;
        let list = view::tasks_page(self.input, std::mem::take(&mut self.rows), self.page, self.pages, first);
        let file = view::tasks_page_file(self.page);
        let page = page_for(self.input, self.view, Tab::Tasks, file.clone(), vec!["tasks"], Some(&list));
        let html = self
            .ctx
            .renderer
            .campaign_page(self.view, &page)
            .map_err(|e| CampaignError::Template { id: id(), source: e })?;
        let staged = self
            .ctx
            .output
            .stage(&format!("{}/{file}", self.dir), html.as_bytes())
            .map_err(|e| CampaignError::Output { id: id(), source: e })?;
        self.staged.push(staged);
        self.page += 1;
        Ok(())
    }

    /// Writes the last page (the only one, empty, when there are no tasks).
    fn finish(mut self) -> Result<Vec<Staged>, CampaignError> {
        if !self.rows.is_empty() || self.page == 1 {
            self.flush()?;
        }
        Ok(self.staged)
    }
}

/// The manifest of one output folder.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    generated_at: String,
    tool_version: &'static str,
    tenant: &'a Tenant,
    files: Vec<crate::output::Written>,
    campaigns: Vec<ManifestCampaign>,
}

/// Writes `manifest.json` last, listing every file written; returns the number of files.
fn write_manifest(
    output: &Output,
    options: &Options,
    tenant: &Tenant,
    mut campaigns: Vec<ManifestCampaign>,
) -> Result<usize, RunError> {
    campaigns.sort_by(|a, b| a.id.cmp(&b.id));
    let files = output.written();
    let count = files.len() + 1;
    let manifest = Manifest {
        generated_at: options.now.to_string(),
        tool_version: env!("CARGO_PKG_VERSION"),
        tenant,
        files,
        campaigns,
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    bytes.push(b'\n');
    output.write("manifest.json", &bytes)?;
    Ok(count)
}
