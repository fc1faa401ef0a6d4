//! Status → layout, tabs, sections and actions: the one table the whole tool follows.
//!
//! Nothing else in the tool looks at a campaign's status string; everything asks
//! this module what the status means.

use crate::model::word_enum;

word_enum! {
    /// The page layout a status selects: Draft (not started: readiness, configuration,
    /// audience preview), Active (scheduled, running or paused: live progress and
    /// dispatch) or Ended (completed, failed, cancelled or declared terminal: the report).
    Layout {
        Draft = "draft",
        Active = "active",
        Ended = "ended",
    }
}

/// A lifecycle status, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Draft,
    Scheduled,
    Running,
    Paused,
    Completed,
    Failed,
    Cancelled,
    /// A status the workspace declares terminal (its normalised word).
    Terminal(String),
}

word_enum! {
    /// A tab of the campaign page.
    Tab {
        Overview = "overview",
        Tasks = "tasks",
        Report = "report",
    }
}

word_enum! {
    /// An item of the header's actions menu.
    Action {
        Edit = "edit",
        Start = "start",
        Pause = "pause",
        Cancel = "cancel",
        Clone = "clone",
        Export = "export",
        SaveTemplate = "save_template",
    }
}

word_enum! {
    /// A section of a campaign page; its word is the `id` of its HTML element, so
    /// bookmarks and alerts can point at it (`…/index.html#number-pool`).
    Section {
        Notes = "notes",
        Readiness = "readiness",
        Configuration = "configuration",
        AudiencePreview = "audience-preview",
        Progress = "progress",
        DispatchHealth = "dispatch-health",
        Tasks = "tasks",
        Funnel = "funnel",
        Analysis = "analysis",
        Results = "results",
        CsvUpload = "csv-upload",
        NumberPool = "number-pool",
        Latency = "latency",
    }
}

/// Why a status string cannot be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStatus {
    /// The status as exported.
    pub status: String,
}

impl std::fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let words: Vec<&str> = Status::STANDARD.iter().map(Status::kind).collect();
        let (last, others) = words.split_last().expect("standard statuses");
        write!(
            f,
            "unknown status {:?}: expected {} or {last}; to treat it as ended, add it to \"terminal_statuses\" in \
             workspace.json",
            self.status,
            others.join(", ")
        )
    }
}

impl std::error::Error for UnknownStatus {}

impl Status {
    /// The statuses of the export format, in lifecycle order (a workspace may declare
    /// more terminal ones).
    pub const STANDARD: [Status; 7] = [
        Status::Draft,
        Status::Scheduled,
        Status::Running,
        Status::Paused,
        Status::Completed,
        Status::Failed,
        Status::Cancelled,
    ];

    /// Reads an exported status (trimmed, case-insensitive) against the workspace's terminal statuses.
    pub fn parse(raw: &str, terminal_statuses: &[String]) -> Result<Status, UnknownStatus> {
        let word = raw.trim().to_lowercase();
        // American spelling of an export word.
        let standard = if word == "canceled" { "cancelled" } else { word.as_str() };
        if let Some(status) = Status::STANDARD.into_iter().find(|s| s.kind() == standard) {
            Ok(status)
        } else if terminal_statuses.iter().any(|t| t.trim().to_lowercase() == word) {
            Ok(Status::Terminal(word))
        } else {
            Err(UnknownStatus { status: raw.to_string() })
        }
    }

    /// The layout this status selects.
    pub fn layout(&self) -> Layout {
        match self {
            Status::Draft => Layout::Draft,
            Status::Scheduled | Status::Running | Status::Paused => Layout::Active,
            Status::Completed | Status::Failed | Status::Cancelled | Status::Terminal(_) => Layout::Ended,
        }
    }

    /// The normalised word, for badges and CSS classes.
    pub fn word(&self) -> &str {
        match self {
            Status::Terminal(word) => word,
            other => other.kind(),
        }
    }

    /// The status for styling and grouping: its word, or `ended` for a declared terminal status.
    pub fn kind(&self) -> &'static str {
        match self {
            Status::Terminal(_) => "ended",
            Status::Draft => "draft",
            Status::Scheduled => "scheduled",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    /// The header's actions for this status, in menu order.
    pub fn actions(&self) -> &'static [Action] {
        use Action::*;
        match self {
            Status::Draft => &[Edit],
            Status::Scheduled => &[Start, Pause, Cancel, Clone, Export, SaveTemplate],
            Status::Running => &[Pause, Cancel, Clone, Export, SaveTemplate],
            Status::Paused => &[Start, Cancel, Clone, Export, SaveTemplate],
            _ => &[Clone, Export, SaveTemplate],
        }
    }

    /// Whether the status ended badly, so the page shows `status_reason` as a banner.
    pub fn shows_reason_banner(&self) -> bool {
        matches!(self, Status::Failed | Status::Cancelled)
    }
}

/// The sections a campaign has besides its layout's own block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Extras {
    /// Operator notes (`description_md`), shown first on the Overview and in the PDF.
    pub notes: bool,
    /// The CSV upload follow-up, when the campaign has an upload.
    pub upload: bool,
    /// Number pool health, when the campaign uses two or more numbers.
    pub pool: bool,
    /// Restricted latency metrics, for roles allowed to see them.
    pub latency: bool,
}

/// Every section of a campaign in page order (the layout's block, then the
/// sections after it), without the notes: `sections` in `summary.json`.
pub fn campaign_sections(layout: Layout, extras: Extras) -> Vec<Section> {
    let after =
        [(extras.upload, Section::CsvUpload), (extras.pool, Section::NumberPool), (extras.latency, Section::Latency)];
    layout.sections().iter().copied().chain(after.into_iter().filter(|(on, _)| *on).map(|(_, s)| s)).collect()
}

/// The sections a tab's page shows: the Overview the notes and every section, the
/// Tasks tab the task list, the Report the Ended report blocks.
pub fn tab_sections(tab: Tab, layout: Layout, extras: Extras) -> Vec<Section> {
    match tab {
        Tab::Overview => {
            extras.notes.then_some(Section::Notes).into_iter().chain(campaign_sections(layout, extras)).collect()
        }
        Tab::Tasks => vec![Section::Tasks],
        Tab::Report => Layout::Ended.sections().to_vec(),
    }
}

/// The sections of the PDF: the Overview's, summary first and detail last, so the
/// task list is an appendix after every other section (Drafts have no task list).
pub fn print_sections(layout: Layout, extras: Extras) -> Vec<Section> {
    let mut sections = tab_sections(Tab::Overview, layout, extras);
    sections.retain(|s| *s != Section::Tasks);
    if layout != Layout::Draft {
        sections.push(Section::Tasks);
    }
    sections
}

impl Layout {
    /// The sections of the layout's own block, in page order.
    pub fn sections(self) -> &'static [Section] {
        use Section::*;
        match self {
            Layout::Draft => &[Readiness, Configuration, AudiencePreview],
            Layout::Active => &[Progress, DispatchHealth, Tasks],
            Layout::Ended => &[Funnel, Analysis, Results],
        }
    }

    /// The tabs a campaign of this layout has, in order.
    pub fn tabs(self) -> &'static [Tab] {
        match self {
            Layout::Draft => &[Tab::Overview],
            Layout::Active => &[Tab::Overview, Tab::Tasks],
            Layout::Ended => &[Tab::Overview, Tab::Tasks, Tab::Report],
        }
    }

    /// Whether this layout's HTML pages reload themselves.
    pub fn refreshes(self) -> bool {
        self == Layout::Active
    }
}

impl Tab {
    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Tasks => "Tasks",
            Tab::Report => "Report",
        }
    }

    /// The page file of the tab inside the campaign folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Tab::Overview => "index.html",
            Tab::Tasks => "tasks.html",
            Tab::Report => "report.html",
        }
    }
}

impl Action {
    /// The menu label; `start` reads Resume on a paused campaign.
    pub fn label(self, status: &Status) -> &'static str {
        match self {
            Action::Edit => "Edit in builder",
            Action::Start if *status == Status::Paused => "Resume",
            Action::Start => "Start now",
            Action::Pause => "Pause",
            Action::Cancel => "Cancel campaign",
            Action::Clone => "Clone",
            Action::Export => "Export data",
            Action::SaveTemplate => "Save as template",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_pick_layouts() {
        let declared = vec!["Archived".to_string()];
        let layout = |s: &str| Status::parse(s, &declared).map(|s| s.layout());
        assert_eq!(layout(" Draft "), Ok(Layout::Draft));
        assert_eq!(layout("RUNNING"), Ok(Layout::Active));
        assert_eq!(layout("paused"), Ok(Layout::Active));
        assert_eq!(layout("scheduled"), Ok(Layout::Active));
        assert_eq!(layout("canceled"), Ok(Layout::Ended));
        assert_eq!(layout("archived"), Ok(Layout::Ended));
        let err = layout("on_hold").unwrap_err();
        assert!(err.to_string().contains("terminal_statuses"));
    }

    #[test]
    fn each_page_gets_its_sections_in_order() {
        use Section::*;
        let all = Extras { notes: true, upload: true, pool: true, latency: true };
        assert_eq!(campaign_sections(Layout::Draft, Extras::default()), [Readiness, Configuration, AudiencePreview]);
        assert_eq!(
            campaign_sections(Layout::Active, all),
            [Progress, DispatchHealth, Tasks, CsvUpload, NumberPool, Latency]
        );
        assert_eq!(
            tab_sections(Tab::Overview, Layout::Ended, Extras { notes: true, pool: true, ..Extras::default() }),
            [Notes, Funnel, Analysis, Results, NumberPool]
        );
        assert_eq!(tab_sections(Tab::Tasks, Layout::Active, all), [Tasks]);
        assert_eq!(tab_sections(Tab::Report, Layout::Ended, all), [Funnel, Analysis, Results]);
        // The PDF carries the task list last, as an appendix, never in a Draft.
        assert_eq!(
            print_sections(Layout::Ended, Extras { upload: true, ..Extras::default() }),
            [Funnel, Analysis, Results, CsvUpload, Tasks]
        );
        assert_eq!(
            print_sections(Layout::Active, all),
            [Notes, Progress, DispatchHealth, CsvUpload, NumberPool, Latency, Tasks]
        );
        assert_eq!(print_sections(Layout::Draft, Extras::default()), [Readiness, Configuration, AudiencePreview]);
        assert_eq!(Section::AudiencePreview.as_str(), "audience-preview");
    }

    #[test]
    fn paused_campaigns_resume_with_start() {
        let paused = Status::Paused;
        assert_eq!(paused.actions()[0], Action::Start);
        assert_eq!(Action::Start.label(&paused), "Resume");
    }
}
