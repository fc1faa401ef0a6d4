//! Status → layout, tabs and actions: the one table the whole tool follows.
//!
//! Nothing else in the tool looks at a campaign's status string; everything asks
//! this module what the status means.

use serde::{Deserialize, Serialize};

/// The page layout a status selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Not started: readiness, configuration, audience preview.
    Draft,
    /// Scheduled, running or paused: live progress and dispatch.
    Active,
    /// Completed, failed, cancelled or declared terminal: the report.
    Ended,
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

/// A tab of the campaign page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    Overview,
    Tasks,
    Report,
}

/// An item of the header's actions menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Edit,
    Start,
    Pause,
    Cancel,
    Clone,
    Export,
    SaveTemplate,
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

impl Layout {
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

    /// The layout's word in `summary.json` and the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Draft => "draft",
            Layout::Active => "active",
            Layout::Ended => "ended",
        }
    }
}

impl Tab {
    /// The tab's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Tasks => "tasks",
            Tab::Report => "report",
        }
    }

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
    /// The action's id in `summary.json` and in app links.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Edit => "edit",
            Action::Start => "start",
            Action::Pause => "pause",
            Action::Cancel => "cancel",
            Action::Clone => "clone",
            Action::Export => "export",
            Action::SaveTemplate => "save_template",
        }
    }

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
    fn paused_campaigns_resume_with_start() {
        let paused = Status::Paused;
        assert_eq!(paused.actions()[0], Action::Start);
        assert_eq!(Action::Start.label(&paused), "Resume");
    }
}
