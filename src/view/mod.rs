//! What each page shows: the finished, formatted view of one campaign.
//!
//! This is where section visibility, labels, links and wording are decided.
//! Templates receive these structs and only draw them: no arithmetic and no
//! business rules happen in a template.

mod active;
mod after;
mod draft;
mod ended;
mod list;
mod summary;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

pub use active::{DispatchVerdict, ProgressView};
pub use after::REJECTS_ON_PAGE;
pub use list::{ListEntry, ListView, list_entry, list_view};
pub use summary::Summary;

use crate::export::grid::Grid;
use crate::figures::Figures;
use crate::lifecycle::{Action, Layout, Status, Tab};
use crate::model::{Campaign, Task, Workspace};
use crate::redact;
use crate::text::{format, markdown, phone};

/// Audience preview rows kept for the page.
pub const PREVIEW_ROWS: usize = 100;

/// Options that change what a page shows.
#[derive(Debug, Clone)]
pub struct ViewOptions {
    /// The snapshot time.
    pub now: Timestamp,
    /// Whether the run's role may see restricted metrics.
    pub show_latency: bool,
    /// Whether contact names and numbers are masked.
    pub redact: bool,
    /// Active pages' self-refresh; 0 turns it off.
    pub refresh_seconds: u32,
    /// Task rows in a PDF.
    pub pdf_max_tasks: usize,
    /// Task rows per Tasks tab page.
    pub tasks_per_page: usize,
    /// Task rows on the Overview.
    pub overview_tasks: usize,
    /// Whether the Tasks tab pages are written (`--format html`).
    pub tasks_tab: bool,
}

/// What the view needs besides the campaign and its figures.
pub struct ViewInput<'a> {
    pub campaign: &'a Campaign,
    pub status: &'a Status,
    pub figures: &'a Figures,
    pub workspace: &'a Workspace,
    pub options: &'a ViewOptions,
    /// The first task rows, as many as the Overview and the PDF show.
    pub first_tasks: &'a [Task],
    pub preview: Option<&'a Grid>,
    pub rejects: Option<&'a Grid>,
    /// Export copies written for the campaign (file names in `export/`).
    pub exports: &'a [&'static str],
}

impl ViewInput<'_> {
    fn zone(&self) -> TimeZone {
        self.workspace.timezone.zone()
    }

    fn time(&self, at: Option<Timestamp>) -> String {
        format::time_or_dash(at, &self.zone())
    }

    fn phone(&self, e164: &str) -> String {
        if self.options.redact { redact::mask_phone(e164) } else { phone(e164) }
    }

    fn contact(&self, name: &str) -> String {
        if self.options.redact { redact::mask_name(name) } else { name.to_string() }
    }

    fn app_link(&self, path: &str) -> Option<String> {
        self.workspace.app_url.as_ref().map(|base| format!("{base}/{path}"))
    }
}

/// A link in the header's actions menu.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub id: &'static str,
    pub label: &'static str,
    /// Where the action leads; `None` shows it disabled.
    pub href: Option<String>,
    /// Whether the link points inside the snapshot (export copies).
    pub local: bool,
}

/// A tab link.
#[derive(Debug, Clone, Serialize)]
pub struct TabView {
    pub id: &'static str,
    pub label: &'static str,
    pub href: &'static str,
}

/// One label and value of a definition list.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

impl Fact {
    fn new(label: impl Into<String>, value: impl Into<String>) -> Fact {
        Fact { label: label.into(), value: value.into() }
    }
}

/// One row of the task list.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub task_id: String,
    pub contact: String,
    pub phone: String,
    pub status: &'static str,
    pub attempts: String,
    pub last_result: String,
    pub outcome: String,
    pub talk: String,
    pub last_attempt: String,
    pub from_number: String,
    /// Present only for roles that may see restricted metrics.
    pub latency: Option<String>,
}

/// The task list as one page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TaskList {
    /// Tasks in the campaign.
    pub total: String,
    pub rows: Vec<TaskRow>,
    /// A line saying how many more tasks there are and where, when rows were cut.
    pub more: Option<String>,
    /// What to say instead of the table when the campaign has no tasks.
    pub empty: Option<&'static str>,
    /// The Tasks tab, when the list continues there.
    pub more_href: Option<&'static str>,
    pub show_latency: bool,
    /// Pagination of the Tasks tab.
    pub pager: Option<Pager>,
}

/// Links between the Tasks tab's pages.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub label: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
}

/// One numbered page link.
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
}

/// The header every page carries.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub name: String,
    pub status: String,
    pub status_word: String,
    /// The status for styling: its word, or `ended` for a workspace-declared terminal status.
    pub status_kind: &'static str,
    pub tenant: String,
    pub snapshot: String,
    pub snapshot_iso: String,
    pub refresh: bool,
    pub actions: Vec<ActionView>,
    pub tabs: Vec<TabView>,
}

/// Everything the pages of one campaign show.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignView {
    pub id: String,
    pub layout: &'static str,
    pub header: Header,
    /// `status_reason` on failed and cancelled campaigns.
    pub banner: Option<String>,
    pub warnings: Vec<String>,
    pub notes_html: Option<String>,
    /// Section ids of the Overview, in page order.
    pub sections: Vec<&'static str>,
    pub auto_refresh_seconds: Option<u32>,
    pub readiness: Option<draft::Readiness>,
    pub configuration: Option<Vec<Fact>>,
    pub script_html: Option<String>,
    pub audience_preview: Option<GridView>,
    pub progress: Option<ProgressView>,
    pub dispatch: Option<active::DispatchView>,
    pub tasks: Option<TaskList>,
    pub funnel: Option<ended::FunnelView>,
    pub analysis: Option<ended::AnalysisView>,
    pub results: Option<ended::ResultsView>,
    pub upload: Option<after::UploadView>,
    pub number_pool: Option<after::PoolView>,
    pub latency: Option<after::LatencyView>,
}

/// A table of strings with its columns (audience preview, rejected rows).
#[derive(Debug, Clone, Serialize)]
pub struct GridView {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total: String,
    pub more: Option<String>,
}

/// Builds the view of one campaign.
pub fn campaign_view(input: &ViewInput) -> CampaignView {
    let c = input.campaign;
    let layout = input.status.layout();
    let mut sections: Vec<&'static str> = match layout {
        Layout::Draft => vec!["readiness", "configuration", "audience-preview"],
        Layout::Active => vec!["progress", "dispatch-health", "tasks"],
        Layout::Ended => vec!["funnel", "analysis", "results"],
    };
    let upload = c.upload.as_ref().map(|u| after::upload(input, u));
    if upload.is_some() {
        sections.push("csv-upload");
    }
    let number_pool = input.figures.has_pool().then(|| after::pool(input));
    if number_pool.is_some() {
        sections.push("number-pool");
    }
    let latency = input.options.show_latency.then(|| after::latency(input));
    if latency.is_some() {
        sections.push("latency");
    }

    let auto_refresh_seconds =
        (layout.refreshes() && input.options.refresh_seconds > 0).then_some(input.options.refresh_seconds);
    let reason = c.status_reason.clone().filter(|r| !r.trim().is_empty());
    CampaignView {
        id: c.id.to_string(),
        layout: layout.as_str(),
        header: header(input),
        banner: if input.status.shows_reason_banner() {
            Some(reason.clone().unwrap_or_else(|| "No reason was given in the export.".to_string()))
        } else {
            None
        },
        warnings: input.figures.warnings.clone(),
        notes_html: c.description_md.as_deref().filter(|m| !m.trim().is_empty()).map(markdown::to_html),
        sections,
        auto_refresh_seconds,
        readiness: (layout == Layout::Draft).then(|| draft::readiness(input)),
        configuration: (layout == Layout::Draft).then(|| draft::configuration(input)),
        script_html: c
            .config
            .agent
            .as_ref()
            .and_then(|a| a.script_md.as_deref())
            .filter(|s| layout == Layout::Draft && !s.trim().is_empty())
            .map(markdown::to_html),
        audience_preview: (layout == Layout::Draft).then(|| draft::preview(input)).flatten(),
        progress: (layout == Layout::Active).then(|| active::progress(input)),
        dispatch: (layout == Layout::Active).then(|| active::dispatch(input)),
        tasks: (layout != Layout::Draft).then(|| task_list(input, input.options.overview_tasks)),
        funnel: (layout == Layout::Ended).then(|| ended::funnel(input)),
        analysis: (layout == Layout::Ended).then(|| ended::analysis(input)),
        results: (layout == Layout::Ended).then(|| ended::results(input)),
        upload,
        number_pool,
        latency,
    }
}

impl CampaignView {
    /// Sections a tab's page shows: the Overview the notes and all of the layout's, the Tasks tab the
    /// task list, the Report the Ended report blocks.
    pub fn sections_for(&self, tab: Tab) -> Vec<&'static str> {
        match tab {
            // The operator's notes open the Overview, above the layout's sections.
            Tab::Overview => self.notes_html.iter().map(|_| "notes").chain(self.sections.iter().copied()).collect(),
            Tab::Tasks => vec!["tasks"],
            Tab::Report => vec!["funnel", "analysis", "results"],
        }
    }

    /// Sections of the PDF: the Overview's, with the task list after the results on Ended campaigns.
    pub fn pdf_sections(&self) -> Vec<&'static str> {
        let mut sections = self.sections_for(Tab::Overview);
        if self.tasks.is_some() && !sections.contains(&"tasks") {
            let at = sections.iter().position(|s| *s == "results").map_or(sections.len(), |i| i + 1);
            sections.insert(at, "tasks");
        }
        sections
    }
}

fn header(input: &ViewInput) -> Header {
    let c = input.campaign;
    let layout = input.status.layout();
    let actions = input
        .status
        .actions()
        .iter()
        .map(|action| {
            let (href, local) = match action {
                Action::Export => (Some("export/".to_string()), true),
                Action::Edit => (input.app_link(&format!("campaigns/{}/edit", c.id)), false),
                other => (input.app_link(&format!("campaigns/{}?action={}", c.id, other.as_str())), false),
            };
            ActionView { id: action.as_str(), label: action.label(input.status), href, local }
        })
        .collect();
    Header {
        name: c.name.clone(),
        status: status_label(input.status.word()),
        status_word: input.status.word().to_string(),
        status_kind: input.status.kind(),
        tenant: c.tenant.name.clone(),
        snapshot: format::time(input.options.now, &input.zone()),
        snapshot_iso: input.options.now.to_string(),
        refresh: layout != Layout::Draft,
        actions,
        tabs: layout.tabs().iter().map(|t| tab_view(*t)).collect(),
    }
}

/// A status word as a badge reads it: `in_progress` → `In progress`.
pub fn status_label(word: &str) -> String {
    let spaced = word.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

fn tab_view(tab: Tab) -> TabView {
    TabView { id: tab.as_str(), label: tab.label(), href: tab.file_name() }
}

/// One task as the task list shows it.
pub fn task_row(input: &ViewInput, task: &Task) -> TaskRow {
    let zone = input.zone();
    TaskRow {
        task_id: task.task_id.to_string(),
        contact: task.contact_name.as_deref().map(|n| input.contact(n)).unwrap_or_default(),
        phone: input.phone(&task.phone),
        status: task.status.as_str(),
        attempts: task.attempts.unwrap_or(0).to_string(),
        last_result: task.last_result.map(|r| r.as_str().replace('_', " ")).unwrap_or_default(),
        outcome: task.outcome.clone().unwrap_or_default(),
        talk: task.talk_seconds.filter(|t| t.0 > 0.0).map(|t| format::duration(t.0)).unwrap_or_default(),
        last_attempt: task.last_attempt_at.map(|t| format::time(t, &zone)).unwrap_or_default(),
        from_number: task.from_number.as_deref().map(phone).unwrap_or_default(),
        latency: input.options.show_latency.then(|| task.latency_ms.map(|m| format::millis(m.0)).unwrap_or_default()),
    }
}

/// The task list cut to `limit` rows, with a line saying where the rest are.
pub fn task_list(input: &ViewInput, limit: usize) -> TaskList {
    let total = input.figures.tasks.as_ref().map_or(0, |t| t.total);
    let rows: Vec<TaskRow> = input.first_tasks.iter().take(limit).map(|t| task_row(input, t)).collect();
    let hidden = total.saturating_sub(rows.len() as u64);
    let tasks = if hidden == 1 { "task is" } else { "tasks are" };
    let place = if input.options.tasks_tab {
        "in the Tasks tab (tasks.html) of this snapshot"
    } else {
        "in export/tasks.csv of this snapshot"
    };
    TaskList {
        total: format::thousands(total),
        more: (hidden > 0).then(|| format!("{} more {tasks} {place}.", format::thousands(hidden))),
        more_href: (hidden > 0 && input.options.tasks_tab).then_some("tasks.html"),
        empty: (total == 0).then_some("No tasks in this export."),
        rows,
        show_latency: input.options.show_latency,
        pager: None,
    }
}

/// The file name of page `n` (1-based) of the Tasks tab.
pub fn tasks_page_file(n: usize) -> String {
    if n <= 1 { "tasks.html".to_string() } else { format!("tasks-{n}.html") }
}

/// Number of Tasks tab pages for `total` tasks.
pub fn tasks_page_count(total: u64, per_page: usize) -> usize {
    (total as usize).div_ceil(per_page).max(1)
}

/// The task list of page `n` of the Tasks tab.
pub fn tasks_page(input: &ViewInput, rows: Vec<TaskRow>, n: usize, pages: usize, first: u64) -> TaskList {
    let total = input.figures.tasks.as_ref().map_or(0, |t| t.total);
    let last = first + rows.len() as u64 - u64::from(!rows.is_empty());
    let window = 3;
    let mut links: Vec<usize> = (1..=pages).filter(|p| *p == 1 || *p == pages || p.abs_diff(n) <= window).collect();
    links.dedup();
    TaskList {
        total: format::thousands(total),
        more: None,
        more_href: None,
        empty: (total == 0).then_some("No tasks in this export."),
        show_latency: input.options.show_latency,
        pager: Some(Pager {
            label: if total == 0 {
                "No tasks in this export.".to_string()
            } else {
                format!(
                    "Tasks {}–{} of {} · page {} of {}",
                    format::thousands(first),
                    format::thousands(last),
                    format::thousands(total),
                    format::thousands(n as u64),
                    format::thousands(pages as u64)
                )
            },
            prev: (n > 1).then(|| tasks_page_file(n - 1)),
            next: (n < pages).then(|| tasks_page_file(n + 1)),
            pages: links
                .into_iter()
                .map(|p| PageLink { number: p, href: tasks_page_file(p), current: p == n })
                .collect(),
        }),
        rows,
    }
}

/// A grid cut for the page, with the count of rows left out.
fn grid_view(grid: &Grid, limit: usize, redact: impl Fn(&str, &str) -> String, noun: &str, rest: &str) -> GridView {
    let rows: Vec<Vec<String>> = grid
        .rows
        .iter()
        .take(limit)
        .map(|row| row.iter().zip(&grid.columns).map(|(cell, col)| redact(col, cell)).collect())
        .collect();
    let hidden = grid.total.saturating_sub(rows.len() as u64);
    GridView {
        columns: grid.columns.iter().map(|c| status_label(c.trim())).collect(),
        total: format::thousands(grid.total),
        more: (hidden > 0).then(|| format!("{} more {noun} {rest}", format::thousands(hidden))),
        rows,
    }
}
