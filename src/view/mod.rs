//! What each page shows: the finished, formatted view of one campaign.
//!
//! The figures and the judgements made of them come in; words, labels, links and
//! formatted numbers go out. This is where wording is decided: templates receive
//! these structs and only draw them (no arithmetic, no business rule, no sentence
//! is made in a template), and the view decides nothing the figures or lifecycle
//! already decide.

mod active;
mod after;
mod draft;
mod ended;
mod list;
mod tasks;
#[cfg(test)]
pub(crate) mod testing;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use schemars::JsonSchema;
use serde::Serialize;

pub use after::REJECTS_ON_PAGE;
pub use draft::check_detail;
pub use list::{ListEntry, ListGroup, ListView, list_entry, list_group, list_order, list_outline, list_view};
pub use tasks::{
    OVERVIEW_TASKS, PageLink, Pager, TASKS_PER_PAGE, TaskList, TaskRow, task_list, task_row, tasks_page,
    tasks_page_count, tasks_page_file,
};

use crate::export::grid::Grid;
use crate::figures::{DataTimeSource, Figures};
use crate::lifecycle::{self, Action, Extras, Layout, Section, Status, Tab};
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
    /// The PDF's view: it stands alone, so it names no file or page of the snapshot,
    /// links only into the app, and shows each table once.
    pub print: bool,
}

/// What the view needs besides the campaign and its figures.
#[derive(Clone, Copy)]
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

    /// The operator's notes, when the export has any.
    fn notes(&self) -> Option<&str> {
        self.campaign.description_md.as_deref().filter(|m| !m.trim().is_empty())
    }

    /// The sections the campaign has besides its layout's block.
    pub fn extras(&self) -> Extras {
        Extras {
            notes: self.notes().is_some(),
            upload: self.campaign.upload.is_some(),
            pool: self.figures.has_pool(),
            latency: self.options.show_latency,
        }
    }

    /// Seconds between the HTML pages' self-refreshes, or `None` when they do not refresh.
    pub fn auto_refresh_seconds(&self) -> Option<u32> {
        let seconds = self.options.refresh_seconds;
        (self.status.layout().refreshes() && seconds > 0).then_some(seconds)
    }
}

/// A link in the header's actions menu.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ActionView {
    /// The action's id (`start`, `pause`, `export` …).
    pub id: &'static str,
    /// The menu item's text.
    pub label: &'static str,
    /// Where the action leads: the export copies, or the app when `app_url` is set; null shows it disabled.
    pub href: Option<String>,
    /// Whether the link points inside the snapshot (the export copies).
    pub local: bool,
}

/// A tab link.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TabView {
    /// `overview`, `tasks` or `report`.
    pub id: &'static str,
    /// The tab's text.
    pub label: &'static str,
    /// The tab's page, relative to the campaign's folder.
    pub href: &'static str,
}

/// One label and value of a definition list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Fact {
    /// What the value is.
    pub label: String,
    /// The value, formatted.
    pub value: String,
    /// The value's items, each to be kept on one line, when it is a list (else absent).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
}

impl Fact {
    fn new(label: impl Into<String>, value: impl Into<String>) -> Fact {
        Fact { label: label.into(), value: value.into(), items: Vec::new() }
    }

    /// A fact whose value is a list of items that must not wrap (phone numbers).
    fn list(label: impl Into<String>, items: Vec<String>) -> Fact {
        Fact { label: label.into(), value: items.join(", "), items }
    }
}

/// The moment a campaign's figures describe, as the header states it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DataAsOf {
    /// The data time in the workspace time zone.
    pub time: String,
    /// The data time, RFC 3339 (for `<time datetime>`).
    pub iso: String,
    /// Where the time comes from, when it is not the export's own `exported_at`.
    pub note: Option<&'static str>,
}

/// The header every page carries.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Header {
    /// The campaign's name.
    pub name: String,
    /// The status badge's text (`In progress`, `Archived` …).
    pub status: String,
    /// The status word as exported, normalised (`running`, or a workspace's own terminal status).
    pub status_word: String,
    /// The status for styling: its word, or `ended` for a workspace-declared terminal status.
    pub status_kind: &'static str,
    /// The tenant's name.
    pub tenant: String,
    /// The snapshot time in the workspace time zone.
    pub snapshot: String,
    /// The snapshot time, RFC 3339 (for `<time datetime>`).
    pub snapshot_iso: String,
    /// The moment the figures describe, when the export states one.
    pub data_as_of: Option<DataAsOf>,
    /// Whether to show Refresh (every layout but Draft).
    pub refresh: bool,
    /// The actions menu, in order.
    pub actions: Vec<ActionView>,
    /// The campaign's tabs, in order.
    pub tabs: Vec<TabView>,
}

/// Everything the pages of one campaign show.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CampaignView {
    /// The campaign id.
    pub id: String,
    /// The layout its status picks.
    pub layout: Layout,
    /// What every page of the campaign carries at its top.
    pub header: Header,
    /// `status_reason` on failed and cancelled campaigns (or a line saying there is none); null otherwise.
    pub banner: Option<String>,
    /// Data warnings (the export's stats disagree with its tasks).
    pub warnings: Vec<String>,
    /// Said when the data is older than the workspace's `stale_after_hours` on a Draft or Active campaign; else null.
    pub stale: Option<String>,
    /// The operator notes as sanitised HTML, or null.
    pub notes_html: Option<String>,
    /// Every section of the campaign in page order, without the notes.
    pub sections: Vec<Section>,
    /// Seconds between the HTML pages' self-refreshes, or null (as in `summary.json`).
    pub auto_refresh_seconds: Option<u32>,
    /// Draft: the readiness checklist.
    pub readiness: Option<draft::Readiness>,
    /// Draft: the configuration in plain words.
    pub configuration: Option<Vec<Fact>>,
    /// Draft: the agent's script as sanitised HTML, or null.
    pub script_html: Option<String>,
    /// Draft: the audience preview.
    pub audience_preview: Option<draft::PreviewView>,
    /// Active: live progress.
    pub progress: Option<active::ProgressView>,
    /// Active: dispatch health.
    pub dispatch: Option<active::DispatchView>,
    /// Active and Ended: the first tasks, for the Overview (a page's own list is `page.tasks`).
    pub tasks: Option<TaskList>,
    /// Ended: the funnel.
    pub funnel: Option<ended::FunnelView>,
    /// Ended: the analysis.
    pub analysis: Option<ended::AnalysisView>,
    /// Ended: the results tables.
    pub results: Option<ended::ResultsView>,
    /// The CSV upload follow-up, when the campaign has an upload.
    pub upload: Option<after::UploadView>,
    /// Number pool health, when the campaign uses two or more numbers.
    pub number_pool: Option<after::PoolView>,
    /// Restricted latency metrics; only for roles allowed to see them.
    pub latency: Option<after::LatencyView>,
}

/// A table of strings with its columns (audience preview, rejected rows).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct GridView {
    /// Column headings.
    pub columns: Vec<String>,
    /// The rows shown, cells in column order.
    pub rows: Vec<Vec<String>>,
    /// How many rows the table has in all.
    pub total: String,
    /// A line saying how many rows are not shown and where they are, or null.
    pub more: Option<String>,
}

/// Builds the view of one campaign.
pub fn campaign_view(input: &ViewInput) -> CampaignView {
    let c = input.campaign;
    let layout = input.status.layout();
    let is = |l: Layout| layout == l;
    let reason = c.status_reason.clone().filter(|r| !r.trim().is_empty());
    CampaignView {
        id: c.id.to_string(),
        layout,
        header: header(input),
        banner: input
            .status
            .shows_reason_banner()
            .then(|| reason.unwrap_or_else(|| "No reason was given in the export.".to_string())),
        warnings: input.figures.warnings.clone(),
        stale: stale_banner(input),
        notes_html: input.notes().map(markdown::to_html),
        sections: lifecycle::campaign_sections(layout, input.extras()),
        auto_refresh_seconds: input.auto_refresh_seconds(),
        readiness: is(Layout::Draft).then(|| draft::readiness(input)),
        configuration: is(Layout::Draft).then(|| draft::configuration(input)),
        script_html: c
            .config
            .agent
            .as_ref()
            .and_then(|a| a.script_md.as_deref())
            .filter(|s| is(Layout::Draft) && !s.trim().is_empty())
            .map(markdown::to_html),
        audience_preview: is(Layout::Draft).then(|| draft::preview(input)),
        progress: is(Layout::Active).then(|| active::progress(input)),
        dispatch: is(Layout::Active).then(|| active::dispatch(input)),
        tasks: (!is(Layout::Draft)).then(|| task_list(input, input.options.overview_tasks)),
        funnel: is(Layout::Ended).then(|| ended::funnel(input)),
        analysis: is(Layout::Ended).then(|| ended::analysis(input)),
        results: is(Layout::Ended).then(|| ended::results(input)),
        upload: c.upload.as_ref().map(|u| after::upload(input, u)),
        number_pool: input.figures.has_pool().then(|| after::pool(input)),
        latency: input.options.show_latency.then(|| after::latency(input)),
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
        status: format::label(input.status.word()),
        status_word: input.status.word().to_string(),
        status_kind: input.status.kind(),
        tenant: c.tenant.name.clone(),
        snapshot: format::time(input.options.now, &input.zone()),
        snapshot_iso: input.options.now.to_string(),
        data_as_of: data_as_of(input),
        refresh: layout != Layout::Draft,
        actions,
        tabs: layout.tabs().iter().map(|t| tab_view(*t)).collect(),
    }
}

fn data_as_of(input: &ViewInput) -> Option<DataAsOf> {
    let t = input.figures.data_time;
    let note = match t.source {
        DataTimeSource::Exported => None,
        DataTimeSource::Latest => Some("the latest time in the export"),
        DataTimeSource::Snapshot => return None,
    };
    Some(DataAsOf { time: format::time(t.at, &input.zone()), iso: t.at.to_string(), note })
}

/// A banner when the data is older than the workspace allows, on pages whose figures
/// still change (an ended campaign's are final).
fn stale_banner(input: &ViewInput) -> Option<String> {
    let t = input.figures.data_time;
    let (when, age) = (format::time(t.at, &input.zone()), format::duration(t.age.as_secs_f64()));
    match input.status.layout() {
        _ if !t.stale => None,
        Layout::Ended => None,
        Layout::Draft => {
            Some(format!("This configuration is as of {when}, {age} before this snapshot; it may have changed since."))
        }
        Layout::Active => Some(format!(
            "These figures describe {when}, {age} before this snapshot. The campaign may have moved on since: \
             the verdicts and estimates below hold for that moment."
        )),
    }
}

fn tab_view(tab: Tab) -> TabView {
    TabView { id: tab.as_str(), label: tab.label(), href: tab.file_name() }
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
        columns: grid.columns.iter().map(|c| format::label(c.trim())).collect(),
        total: format::thousands(grid.total),
        more: (hidden > 0).then(|| format!("{} more {noun} {rest}", format::thousands(hidden))),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use testing::Fixture;

    #[test]
    fn failed_and_cancelled_campaigns_carry_a_banner() {
        let failed = Fixture::new("failed").with(json!({"status_reason": "Carrier blocked the numbers"}));
        assert_eq!(campaign_view(&failed.input()).banner.as_deref(), Some("Carrier blocked the numbers"));
        let silent = Fixture::new("cancelled").with(json!({"status_reason": "  "}));
        assert_eq!(campaign_view(&silent.input()).banner.as_deref(), Some("No reason was given in the export."));
        assert_eq!(campaign_view(&Fixture::ended().input()).banner, None);
    }

    #[test]
    fn each_layout_fills_its_own_sections() {
        let draft = campaign_view(&Fixture::draft().input());
        assert!(draft.readiness.is_some() && draft.configuration.is_some() && draft.audience_preview.is_some());
        assert!(draft.progress.is_none() && draft.tasks.is_none() && draft.funnel.is_none());
        assert_eq!(draft.sections, [Section::Readiness, Section::Configuration, Section::AudiencePreview]);
        let running = campaign_view(&Fixture::running().tasks(1).input());
        assert!(running.progress.is_some() && running.dispatch.is_some() && running.tasks.is_some());
        assert_eq!(running.auto_refresh_seconds, Some(60));
        let ended = campaign_view(&Fixture::ended().tasks(1).admin().input());
        assert!(ended.funnel.is_some() && ended.analysis.is_some() && ended.results.is_some());
        assert_eq!(ended.sections.last(), Some(&Section::Latency));
        assert_eq!(ended.auto_refresh_seconds, None);
    }

    #[test]
    fn the_header_links_actions_to_the_app_or_shows_them_disabled() {
        let plain = campaign_view(&Fixture::new("paused").input()).header;
        let actions: Vec<(&str, &str, bool)> =
            plain.actions.iter().map(|a| (a.id, a.label, a.href.is_some())).collect();
        assert_eq!(
            actions,
            [
                ("start", "Resume", false),
                ("cancel", "Cancel campaign", false),
                ("clone", "Clone", false),
                ("export", "Export data", true),
                ("save_template", "Save as template", false)
            ]
        );
        assert!(plain.refresh);
        assert_eq!((plain.status.as_str(), plain.snapshot.as_str()), ("Paused", "2026-11-27 12:00 UTC"));
        let linked = Fixture::draft().workspace(json!({"app_url": "https://app.example.com/"}));
        let header = campaign_view(&linked.input()).header;
        assert_eq!(header.actions[0].href.as_deref(), Some("https://app.example.com/campaigns/c1/edit"));
        assert!(!header.refresh, "a draft has nothing to refresh");
        let tabs: Vec<&str> = header.tabs.iter().map(|t| t.href).collect();
        assert_eq!(tabs, ["index.html"]);
    }

    #[test]
    fn notes_are_sanitised_markdown_and_open_the_overview() {
        let f = Fixture::ended().with(json!({"description_md": "**Call** <script>x</script>"}));
        let view = campaign_view(&f.input());
        assert_eq!(view.notes_html.as_deref(), Some("<p><strong>Call</strong> </p>\n"));
        assert!(f.input().extras().notes);
        assert!(!Fixture::ended().with(json!({"description_md": " "})).input().extras().notes);
    }

    #[test]
    fn grids_label_their_columns_and_count_the_rest() {
        let grid = Grid {
            columns: vec!["contact_name".into(), " plan ".into()],
            rows: vec![vec!["Ana".into(), "gold".into()]],
            total: 4,
        };
        let view = grid_view(&grid, 10, |_, cell| cell.to_uppercase(), "rows", "are in the export.");
        assert_eq!(view.columns, ["Contact name", "Plan"]);
        assert_eq!(view.rows, [["ANA", "GOLD"]]);
        assert_eq!((view.total.as_str(), view.more.as_deref()), ("4", Some("3 more rows are in the export.")));
    }
}
