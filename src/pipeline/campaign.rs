//! Building one campaign: read its tables, compute its view, render its pages,
//! and stage its files so they are committed together.

use std::path::Path;

use super::Options;
use super::manifest::CampaignRecord;
use super::report::CampaignError;
use super::tables::{CopyTarget, Keep, read_tables};
use crate::export::csv::CsvTable;
use crate::export::{Bundle, InputError, TableName};
use crate::figures::Figures;
use crate::lifecycle::{Layout, Section, Tab, print_sections, tab_sections};
use crate::model::{Task, Workspace};
use crate::output::{Output, OutputError, Staged};
use crate::render::copies::{self, CopyRules};
use crate::render::html::{HtmlRenderer, Page, Prepared};
use crate::render::pdf::PdfJob;
use crate::render::summary::Summary;
use crate::view::{self, CampaignView, OVERVIEW_TASKS, TASKS_PER_PAGE, ViewInput, ViewOptions};

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

pub(super) fn build(ctx: &Ctx, bundle: &Bundle) -> Result<Built, CampaignError> {
    let options = ctx.options;
    let c = bundle.campaign();
    let layout = bundle.status.layout();
    let dir = format!("campaigns/{}", c.id);
    let show_latency = ctx.workspace.may_see_latency(&options.role);
    let rules = CopyRules { show_latency, redact: options.redact };
    let keep = Keep {
        // Small task lists are kept whole, so their Tasks tab needs no second read.
        tasks: OVERVIEW_TASKS.max(TASKS_PER_PAGE).max(if options.formats.pdf { options.pdf_max_tasks } else { 0 }),
        preview: view::PREVIEW_ROWS,
        rejects: view::REJECTS_ON_PAGE,
    };
    let target = CopyTarget { output: ctx.output, dir: dir.clone(), rules };
    let (tables, copied) = read_tables(bundle, ctx.workspace, Some(&target), keep)?;

    let json = copies::campaign_json(&bundle.parsed.raw, rules)
        .map_err(|e| InputError::file(&bundle.parsed.file, format!("cannot copy the campaign object: {e}")))?;
    let mut exports: Vec<&'static str> = copied.iter().map(|c| c.file).collect();
    let mut staged: Vec<Staged> = copied.into_iter().map(|c| c.staged).collect();
    staged.push(ctx.output.stage(&format!("{dir}/export/campaign.json"), &json)?);
    exports.push("campaign.json");

    let figures = Figures::finish(c, ctx.workspace, tables.tasks, tables.calls, tables.pool.as_deref(), options.now);
    let view_options = ViewOptions {
        now: options.now,
        show_latency,
        redact: options.redact,
        refresh_seconds: options.refresh_seconds,
        pdf_max_tasks: options.pdf_max_tasks,
        tasks_per_page: TASKS_PER_PAGE,
        overview_tasks: OVERVIEW_TASKS,
        tasks_tab: options.formats.html,
        print: false,
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
    let attaches = options.pdf_variant.is_some_and(|v| v.attaches()) && options.formats.pdf;
    let summary = (options.formats.json || attaches).then(|| Summary::new(&input).to_json());
    if let Some(summary) = summary.as_ref().filter(|_| options.formats.json) {
        staged.push(ctx.output.stage(&format!("{dir}/summary.json"), summary)?);
    }
    let mut view = view::campaign_view(&input);
    let prepared = ctx.renderer.prepare(&mut view);
    if options.formats.html {
        for tab in layout.tabs() {
            let sections = tab_sections(*tab, layout, input.extras());
            match tab {
                Tab::Overview | Tab::Report => {
                    let page = page_for(&view, *tab, tab.file_name().to_string(), sections, view.tasks.as_ref());
                    let html = ctx.renderer.campaign_page(&prepared, &page)?;
                    staged.push(ctx.output.stage(&format!("{dir}/{}", tab.file_name()), &html)?);
                }
                Tab::Tasks => staged.extend(write_task_pages(ctx, bundle, &input, &view, &prepared, &dir)?),
            }
        }
    }

    let pdf = if options.formats.pdf {
        // The PDF's own view: it stands alone, away from the snapshot's files.
        let print_options = ViewOptions { print: true, ..view_options.clone() };
        let print_input = ViewInput { options: &print_options, ..input };
        let mut view = view::campaign_view(&print_input);
        let prepared = ctx.renderer.prepare(&mut view);
        let tasks = (layout != Layout::Draft).then(|| view::task_list(&print_input, options.pdf_max_tasks));
        let sections = print_sections(layout, input.extras());
        let mut page = page_for(&view, Tab::Overview, String::new(), sections, tasks.as_ref());
        page.print = true;
        page.refresh = None;
        let fonts = if options.pdf_variant.is_some() { crate::render::pdf::archival::PRINT_FONTS } else { "" };
        let css = format!("{}\n{}\n{fonts}", ctx.renderer.css(), options.paper.page_rule());
        page.inline_css = &css;
        let archival = super::archive::archival(options, &c.name, &dir, &staged, summary.as_deref());
        page.attachments_note = archival.as_ref().and_then(|a| a.left_out.as_deref());
        let html = ctx.renderer.campaign_page(&prepared, &page)?;
        let file = ctx.print_dir.join(format!("{}--{}.html", c.tenant.id, c.id));
        std::fs::write(&file, html).map_err(|e| OutputError::Io { path: file.clone(), cause: e })?;
        let job = PdfJob { html: file, title: c.name.clone(), snapshot: view.header.snapshot.clone(), archival };
        Some((format!("{dir}/{}.pdf", c.id), job))
    } else {
        None
    };

    // Everything read without error: the campaign's files wait for the run's commit.
    for file in staged {
        ctx.output.hold(file);
    }
    Ok(Built {
        pdf,
        record: CampaignRecord {
            id: c.id.to_string(),
            name: c.name.clone(),
            status: c.status.clone(),
            layout,
            key: None,
            content_key: None,
            entry: view::list_entry(&input, &view),
        },
    })
}

/// The page context of one tab.
fn page_for<'a>(
    view: &CampaignView,
    tab: Tab,
    file: String,
    sections: Vec<Section>,
    tasks: Option<&'a view::TaskList>,
) -> Page<'a> {
    Page {
        tab: tab.as_str(),
        title: format!("{} · {} · {}", view.header.name, tab.label(), view.header.tenant),
        file,
        root: "../../",
        assets: "../../assets/",
        snapshot: view.header.snapshot.clone(),
        refresh: view.auto_refresh_seconds,
        sections,
        tasks,
        print: false,
        inline_css: "",
        attachments_note: None,
        task_rows_html: None,
        list_rows: None,
    }
}

/// Renders the Tasks tab, one page per `TASKS_PER_PAGE` tasks, reading the tasks again
/// as a stream when the first read did not keep them all. Pages are rendered in
/// parallel: a campaign of a million tasks has two thousand of them.
fn write_task_pages(
    ctx: &Ctx,
    bundle: &Bundle,
    input: &ViewInput,
    view: &CampaignView,
    prepared: &Prepared,
    dir: &str,
) -> Result<Vec<Staged>, CampaignError> {
    let total = input.figures.tasks.as_ref().map_or(0, |t| t.total);
    let overview = view.tasks.as_ref().map_or(&[][..], |list| &list.rows[..]);
    let pages = view::tasks_page_count(total, TASKS_PER_PAGE);
    let mut pager = TaskPager { ctx, input, view, prepared, dir, pages, overview };
    let mut staged = if input.first_tasks.len() as u64 == total {
        // Every task was kept by the first read.
        pager.pages_of(input.first_tasks)?
    } else if let Some(path) = bundle.csv.get(TableName::Tasks) {
        // Read again: every row is formatted from this read, none from the first.
        pager.overview = &[];
        pager.pages_streamed(path)?
    } else if let Some(tasks) = &bundle.campaign().tasks {
        pager.pages_of(tasks)?
    } else {
        Vec::new()
    };
    if staged.is_empty() {
        // A campaign without tasks has one Tasks page, which says so.
        staged.push(pager.page(1, &[])?);
    }
    Ok(staged)
}

/// Cuts the tasks into Tasks tab pages.
struct TaskPager<'a> {
    ctx: &'a Ctx<'a>,
    input: &'a ViewInput<'a>,
    view: &'a CampaignView,
    prepared: &'a Prepared,
    dir: &'a str,
    pages: usize,
    /// The Overview's rows: the first tasks, formatted for the same view, which the
    /// first page lists again (when the pages are made from the tasks in memory).
    overview: &'a [view::TaskRow],
}

impl TaskPager<'_> {
    /// Renders and stages page `number` (from 1), which lists `tasks`.
    fn page(&self, number: usize, tasks: &[Task]) -> Result<Staged, CampaignError> {
        let shared = if number == 1 { self.overview.len().min(tasks.len()) } else { 0 };
        debug_assert!(self.overview[..shared].iter().zip(tasks).all(|(row, task)| *row.task_id == *task.task_id));
        let rows = self.overview[..shared]
            .iter()
            .cloned()
            .chain(tasks[shared..].iter().map(|task| view::task_row(self.input, task)))
            .collect();
        let first = ((number - 1) * TASKS_PER_PAGE + 1) as u64;
        let list = view::tasks_page(self.input, rows, number, self.pages, first);
        let file = view::tasks_page_file(number);
        let sections = tab_sections(Tab::Tasks, self.input.status.layout(), self.input.extras());
        let page = page_for(self.view, Tab::Tasks, file.clone(), sections, Some(&list));
        let html = self.ctx.renderer.campaign_page(self.prepared, &page)?;
        Ok(self.ctx.output.stage(&format!("{}/{file}", self.dir), &html)?)
    }

    fn pages_of(&self, tasks: &[Task]) -> Result<Vec<Staged>, CampaignError> {
        use rayon::prelude::*;
        tasks.par_chunks(TASKS_PER_PAGE).enumerate().map(|(i, chunk)| self.page(i + 1, chunk)).collect()
    }

    /// Reads `tasks.csv` on this thread and hands each page's tasks to the pool. When
    /// two pages per thread already wait to be rendered, the reader renders the next
    /// one itself, so memory stays that of a few pages. The first page that fails
    /// stops the reading; a full disk is reported before any other error, so that the
    /// run handles it as such.
    fn pages_streamed(&self, path: &Path) -> Result<Vec<Staged>, CampaignError> {
        use std::sync::Mutex;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

        /// Why the reading stopped.
        enum Stop {
            Read(CampaignError),
            PageFailed,
        }
        impl From<InputError> for Stop {
            fn from(e: InputError) -> Stop {
                Stop::Read(e.into())
            }
        }

        let done: Mutex<Vec<(usize, Result<Staged, CampaignError>)>> = Mutex::new(Vec::new());
        let (waiting, failed) = (AtomicUsize::new(0), AtomicBool::new(false));
        let limit = 2 * rayon::current_num_threads().max(1);
        let render = |page: usize, chunk: &[Task]| {
            let staged = self.page(page, chunk);
            if staged.is_err() {
                failed.store(true, Ordering::Release);
            }
            crate::sync::lock(&done).push((page, staged));
        };
        let read = rayon::scope(|scope| {
            let mut number = 0;
            let mut hand_over = |chunk: Vec<Task>| {
                number += 1;
                let page = number;
                if waiting.load(Ordering::Acquire) >= limit {
                    // Enough pages wait: the reader renders this one itself.
                    return render(page, &chunk);
                }
                waiting.fetch_add(1, Ordering::AcqRel);
                let (render, waiting) = (&render, &waiting);
                scope.spawn(move |_| {
                    render(page, &chunk);
                    waiting.fetch_sub(1, Ordering::AcqRel);
                });
            };
            let mut chunk = Vec::with_capacity(TASKS_PER_PAGE);
            let read = CsvTable::open(path, &[]).map_err(Stop::from).and_then(|mut table| {
                table.for_each(|task: Task, _, _| {
                    if failed.load(Ordering::Acquire) {
                        return Err(Stop::PageFailed);
                    }
                    chunk.push(task);
                    if chunk.len() == TASKS_PER_PAGE {
                        hand_over(std::mem::replace(&mut chunk, Vec::with_capacity(TASKS_PER_PAGE)));
                    }
                    Ok(())
                })
            });
            if read.is_ok() && !chunk.is_empty() {
                hand_over(chunk);
            }
            read
        });
        let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
        done.sort_by_key(|(page, _)| *page);
        let full =
            |r: &Result<Staged, CampaignError>| matches!(r, Err(CampaignError::Output(e)) if e.is_storage_full());
        let first_error = done.iter().position(|(_, r)| full(r)).or_else(|| done.iter().position(|(_, r)| r.is_err()));
        if let Some((_, Err(error))) = first_error.map(|at| done.swap_remove(at)) {
            return Err(error);
        }
        if let Err(Stop::Read(error)) = read {
            return Err(error);
        }
        done.into_iter().map(|(_, staged)| staged).collect()
    }
}
