//! Building one campaign: read its tables, compute its view, render its pages,
//! and stage its files so they are committed together.

use std::path::Path;

use crate::export::csv::CsvTable;
use crate::export::{Bundle, InputError, TableName};
use crate::figures::Figures;
use crate::lifecycle::{Layout, Tab};
use crate::manifest::CampaignRecord;
use crate::model::Task;
use crate::model::Workspace;
use crate::output::{Output, OutputError, Staged};
use crate::render::copies::{self, CopyRules};
use crate::render::html::{HtmlRenderer, Page, Prepared, TemplateError};
use crate::render::pdf::PdfJob;
use crate::view::{self, CampaignView, ViewInput, ViewOptions};

use super::tables::{CopyTarget, read_tables};
use super::{CampaignError, Options};

/// Task rows per Tasks tab page.
pub const TASKS_PER_PAGE: usize = 500;
/// Task rows on the Overview.
pub const OVERVIEW_TASKS: usize = 50;

/// What every campaign of an output folder shares.
pub(super) struct Ctx<'a> {
    pub(super) options: &'a Options,
    pub(super) workspace: &'a Workspace,
    pub(super) renderer: &'a HtmlRenderer,
    pub(super) output: &'a Output,
    /// Where the pages printed to PDF are written (outside the snapshot).
    pub(super) print_dir: &'a Path,
}

/// A campaign built: its manifest record (with its list entry), and the PDF still to print.
pub(super) struct Built {
    pub(super) record: CampaignRecord,
    pub(super) pdf: Option<(String, PdfJob)>,
}

pub(super) fn build_campaign(ctx: &Ctx, bundle: &Bundle) -> Result<Built, CampaignError> {
    let options = ctx.options;
    let c = bundle.campaign();
    let layout = bundle.status.layout();
    let dir = format!("campaigns/{}", c.id);
    let show_latency = ctx.workspace.may_see_latency(&options.role);
    let rules = CopyRules { show_latency, redact: options.redact };
    // Small task lists are kept whole, so their Tasks tab needs no second read.
    let keep = OVERVIEW_TASKS.max(TASKS_PER_PAGE).max(if options.formats.pdf { options.pdf_max_tasks } else { 0 });
    let target = CopyTarget { output: ctx.output, dir: dir.clone(), rules };
    let (tables, copied) = read_tables(bundle, ctx.workspace, Some(&target), keep)?;
    let out_err = |e: OutputError| CampaignError::Output { id: c.id.to_string(), source: e };

    let json = copies::campaign_json(&bundle.parsed.raw, rules)
        .map_err(|e| InputError::file(&bundle.parsed.file, format!("cannot copy the campaign object: {e}")))?;
    let mut exports: Vec<&'static str> = copied.iter().map(|c| c.file).collect();
    let mut staged: Vec<Staged> = copied.into_iter().map(|c| c.staged).collect();
    staged.push(ctx.output.stage(&format!("{dir}/export/campaign.json"), &json).map_err(out_err)?);
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
        tasks_tab: options.formats.html,
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
    let prepared = Prepared::new(&view);

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
                    let sections = view.sections_for(*tab);
                    let page =
                        page_for(&input, &view, *tab, tab.file_name().to_string(), sections, view.tasks.as_ref());
                    let html = ctx.renderer.campaign_page(&prepared, &page).map_err(template_err)?;
                    staged.push(
                        ctx.output.stage(&format!("{dir}/{}", tab.file_name()), html.as_bytes()).map_err(out_err)?,
                    );
                }
                Tab::Tasks => {
                    staged.extend(write_task_pages(ctx, bundle, &input, &view, &prepared, &dir)?);
                }
            }
        }
    }

    let pdf = if options.formats.pdf {
        let tasks = (layout != Layout::Draft).then(|| view::task_list(&input, options.pdf_max_tasks));
        let mut page = page_for(&input, &view, Tab::Overview, String::new(), view.pdf_sections(), tasks.as_ref());
        page.print = true;
        page.refresh = None;
        let css = format!("{}\n{}\n", ctx.renderer.css(), options.paper.page_rule());
        page.inline_css = &css;
        let html = ctx
            .renderer
            .campaign_page(&prepared, &page)
            .map_err(|e| CampaignError::Template { id: c.id.to_string(), source: e })?;
        let file = ctx.print_dir.join(format!("{}--{}.html", c.tenant.id, c.id));
        std::fs::write(&file, html).map_err(|e| out_err(OutputError::Io { path: file.clone(), source: e }))?;
        let job = PdfJob { html: file, title: c.name.clone(), snapshot: view.header.snapshot.clone() };
        Some((format!("{dir}/{}.pdf", c.id), job))
    } else {
        None
    };

    // Everything read without error: put the campaign's files in place together.
    for file in staged {
        file.commit(ctx.output).map_err(out_err)?;
    }
    Ok(Built {
        pdf,
        record: CampaignRecord {
            id: c.id.to_string(),
            name: c.name.clone(),
            status: c.status.clone(),
            layout,
            key: None,
            entry: view::list_entry(&input, &view),
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
    Page {
        tab: tab.as_str(),
        title: format!("{} · {} · {}", view.header.name, tab.label(), input.campaign.tenant.name),
        file,
        root: "../../",
        assets: "../../assets/",
        snapshot: view.header.snapshot.clone(),
        refresh: view.auto_refresh_seconds,
        sections,
        tasks,
        print: false,
        inline_css: "",
    }
}

/// Renders the Tasks tab, one page per `TASKS_PER_PAGE` tasks, reading the tasks again as a stream.
fn write_task_pages(
    ctx: &Ctx,
    bundle: &Bundle,
    input: &ViewInput,
    view: &CampaignView,
    prepared: &Prepared,
    dir: &str,
) -> Result<Vec<Staged>, CampaignError> {
    let total = input.figures.tasks.as_ref().map_or(0, |t| t.total);
    let mut pager = TaskPager {
        ctx,
        input,
        view,
        prepared,
        dir,
        pages: view::tasks_page_count(total, TASKS_PER_PAGE),
        rows: Vec::with_capacity(TASKS_PER_PAGE),
        page: 1,
        staged: Vec::new(),
    };
    if input.first_tasks.len() as u64 == total {
        // Every task was kept by the first read.
        for task in input.first_tasks {
            pager.push(task)?;
        }
    } else if let Some(path) = bundle.csv.get(TableName::Tasks) {
        CsvTable::open(path, &[])?.for_each(|task: Task, _, _| pager.push(&task))?;
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
    prepared: &'a Prepared,
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
        let page =
            page_for(self.input, self.view, Tab::Tasks, file.clone(), self.view.sections_for(Tab::Tasks), Some(&list));
        let html = self
            .ctx
            .renderer
            .campaign_page(self.prepared, &page)
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
