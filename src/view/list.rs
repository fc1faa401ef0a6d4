//! The campaign list (`index.html`): the tenant's campaigns grouped by layout.

use serde::{Deserialize, Serialize};

use super::{CampaignView, ViewInput, format};
use crate::lifecycle::Layout;

/// One campaign of the list; kept in the manifest so an unchanged campaign need not be read again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListEntry {
    pub id: String,
    pub name: String,
    pub status: String,
    pub status_word: String,
    pub status_kind: String,
    pub layout: Layout,
    pub progress: String,
    pub bar: Option<f64>,
    pub key_figure: String,
    pub href: String,
    pub tabs: Vec<ListTab>,
    /// `1 warning`, `3 warnings`, or none.
    pub warnings: Option<String>,
}

/// A link to one tab of a campaign.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListTab {
    pub label: String,
    pub href: String,
}

/// A group of the list.
#[derive(Debug, Clone, Serialize)]
pub struct ListGroup {
    pub id: &'static str,
    pub title: &'static str,
    pub entries: Vec<ListEntry>,
    pub empty: String,
}

/// The campaign list.
#[derive(Debug, Clone, Serialize)]
pub struct ListView {
    pub tenant: String,
    pub snapshot: String,
    pub snapshot_iso: String,
    pub count: String,
    pub groups: Vec<ListGroup>,
}

/// The list entry of one campaign.
pub fn list_entry(input: &ViewInput, view: &CampaignView) -> ListEntry {
    let f = input.figures;
    let layout = input.status.layout();
    let key_figure = match layout {
        Layout::Draft => view.readiness.as_ref().map(|r| r.passed.clone()).unwrap_or_default(),
        Layout::Active => {
            view.dispatch.as_ref().map(|d| format!("Dispatch: {}", d.verdict_label.to_lowercase())).unwrap_or_default()
        }
        Layout::Ended => match (&f.tasks, f.funnel()) {
            (Some(t), Some(funnel)) => {
                format!("{} of {} reached the goal", format::thousands(funnel[4].count), format::thousands(t.total))
            }
            _ => "No task data".into(),
        },
    };
    ListEntry {
        id: view.id.clone(),
        name: view.header.name.clone(),
        status: view.header.status.clone(),
        status_word: view.header.status_word.clone(),
        status_kind: view.header.status_kind.to_string(),
        layout,
        progress: match f.progress {
            Some(p) => format!(
                "{} of {} ({})",
                format::thousands(p.done),
                format::thousands(p.total),
                format::percent(p.percent)
            ),
            None => "—".into(),
        },
        bar: f.progress.map(|p| p.percent.clamp(0.0, 100.0)),
        key_figure,
        href: format!("campaigns/{}/", view.id),
        tabs: view
            .header
            .tabs
            .iter()
            .map(|t| ListTab { label: t.label.to_string(), href: t.href.to_string() })
            .collect(),
        warnings: match view.warnings.len() {
            0 => None,
            1 => Some("1 warning".to_string()),
            n => Some(format!("{n} warnings")),
        },
    }
}

/// The list, grouped Active, Draft, Ended, each sorted by name then id.
pub fn list_view(mut entries: Vec<ListEntry>, tenant: &str, snapshot: String, snapshot_iso: String) -> ListView {
    entries.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    let count = entries.len();
    let groups = [
        (Layout::Active, "active", "Active", "No campaign is scheduled, running or paused."),
        (Layout::Draft, "draft", "Draft", "No drafts."),
        (Layout::Ended, "ended", "Ended", "No ended campaigns."),
    ]
    .into_iter()
    .map(|(layout, id, title, empty)| ListGroup {
        id,
        title,
        entries: entries.iter().filter(|e| e.layout == layout).cloned().collect(),
        empty: empty.to_string(),
    })
    .collect();
    ListView {
        tenant: tenant.to_string(),
        snapshot,
        snapshot_iso,
        count: format!("{} {}", format::thousands(count as u64), if count == 1 { "campaign" } else { "campaigns" }),
        groups,
    }
}
