//! The campaign list (`index.html`): the tenant's campaigns grouped by layout.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{CampaignView, ViewInput};
use crate::lifecycle::Layout;
use crate::text::format;

/// One campaign of the list; kept in the manifest so an unchanged campaign need not be read again.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ListEntry {
    /// The campaign id.
    pub id: String,
    /// The campaign's name.
    pub name: String,
    /// The status badge's text.
    pub status: String,
    /// The status word, normalised.
    pub status_word: String,
    /// The status for styling (as `campaign.header.status_kind`).
    pub status_kind: String,
    /// The layout its status picks.
    pub layout: Layout,
    /// `done of total (percent)`, or a dash.
    pub progress: String,
    /// Progress bar length in percent, or null without progress.
    pub bar: Option<f64>,
    /// The one figure that matters for the layout (readiness, dispatch or goal).
    pub key_figure: String,
    /// The campaign's folder, relative to the list.
    pub href: String,
    /// The campaign's tabs.
    pub tabs: Vec<ListTab>,
    /// `1 warning`, `3 warnings`, or null.
    pub warnings: Option<String>,
}

/// A link to one tab of a campaign.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ListTab {
    /// The tab's text.
    pub label: String,
    /// The tab's page, relative to the campaign's folder.
    pub href: String,
}

/// A group of the list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListGroup<'a> {
    /// `active`, `draft` or `ended` (the section's id).
    pub id: &'static str,
    /// The group's heading.
    pub title: &'static str,
    /// How many campaigns the group has.
    pub count: usize,
    /// Its campaigns, by name.
    pub entries: Vec<&'a ListEntry>,
    /// What to say when the group is empty.
    pub empty: String,
}

/// The campaign list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListView<'a> {
    /// The tenant's name.
    pub tenant: String,
    /// The snapshot time in the workspace time zone.
    pub snapshot: String,
    /// The snapshot time, RFC 3339.
    pub snapshot_iso: String,
    /// `21 campaigns`.
    pub count: String,
    /// Active, Draft and Ended, in this order.
    pub groups: Vec<ListGroup<'a>>,
}

/// The list entry of one campaign.
pub fn list_entry(input: &ViewInput, view: &CampaignView) -> ListEntry {
    let f = input.figures;
    let layout = input.status.layout();
    let key_figure = match layout {
        Layout::Draft => view.readiness.as_ref().map(|r| r.passed.clone()).unwrap_or_default(),
        Layout::Active => view
            .dispatch
            .as_ref()
            .map(|d| match f.data_time.stale {
                true => format!(
                    "Dispatch: {} (data {} old)",
                    d.verdict_label.to_lowercase(),
                    format::duration(f.data_time.age.as_secs_f64())
                ),
                false => format!("Dispatch: {}", d.verdict_label.to_lowercase()),
            })
            .unwrap_or_default(),
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

/// The list's groups, in the order the page shows them (see [`list_group`]): the
/// section's id, its heading and what it says when empty.
const GROUPS: [(&str, &str, &str); 3] = [
    ("active", "Active", "No campaign is scheduled, running or paused."),
    ("draft", "Draft", "No drafts."),
    ("ended", "Ended", "No ended campaigns."),
];

/// The place in the list of the group of campaigns of `layout`.
pub fn list_group(layout: Layout) -> usize {
    match layout {
        Layout::Active => 0,
        Layout::Draft => 1,
        Layout::Ended => 2,
    }
}

/// Where an entry stands in the list: its group, then its name case-folded, then its id.
pub fn list_order(e: &ListEntry) -> (usize, String, String) {
    (list_group(e.layout), e.name.to_lowercase(), e.id.clone())
}

/// The list, grouped Active, Draft, Ended, each sorted by name then id.
pub fn list_view<'a>(
    mut entries: Vec<&'a ListEntry>,
    tenant: &str,
    snapshot: String,
    snapshot_iso: String,
) -> ListView<'a> {
    // The entries are borrowed: the list is not copied.
    entries.sort_by_cached_key(|e| list_order(e));
    let mut counts = [0; GROUPS.len()];
    entries.iter().for_each(|e| counts[list_group(e.layout)] += 1);
    let mut list = list_outline(counts, tenant, snapshot, snapshot_iso);
    for e in entries {
        list.groups[list_group(e.layout)].entries.push(e);
    }
    list
}

/// The list without its entries, from how many campaigns each group has: the page as
/// it is written when its rows are streamed to the file (docs/templates.md).
pub fn list_outline<'a>(counts: [usize; 3], tenant: &str, snapshot: String, snapshot_iso: String) -> ListView<'a> {
    let count: usize = counts.iter().sum();
    let groups = GROUPS
        .iter()
        .zip(counts)
        .map(|(&(id, title, empty), count)| ListGroup {
            id,
            title,
            count,
            entries: Vec::new(),
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::view::campaign_view;
    use crate::view::testing::Fixture;

    fn entry(f: &Fixture) -> ListEntry {
        let input = f.input();
        list_entry(&input, &campaign_view(&input))
    }

    #[test]
    fn each_layout_has_its_key_figure() {
        assert_eq!(entry(&Fixture::draft()).key_figure, "1 of 6 checks passed");
        let running = Fixture::running().tasks(2).with(json!({"dispatch": {"queued": 0, "dispatched_last_hour": 4}}));
        assert_eq!(entry(&running).key_figure, "Dispatch: healthy");
        let ended = Fixture::ended().tasks(3).with(json!({"id": "q3", "name": "Q3 winback"}));
        let e = entry(&ended);
        assert_eq!(e.key_figure, "0 of 3 reached the goal");
        assert_eq!((e.progress.as_str(), e.bar, e.href.as_str()), ("3 of 3 (100.0%)", Some(100.0), "campaigns/q3/"));
        assert_eq!(entry(&Fixture::ended()).key_figure, "No task data");
    }

    #[test]
    fn warnings_are_counted_in_words() {
        let one = Fixture::ended().tasks(2).with(json!({"stats": {"total": 3}}));
        assert_eq!(entry(&one).warnings.as_deref(), Some("1 warning"));
        let two = Fixture::ended().tasks(2).with(json!({"stats": {"total": 3, "completed": 1}}));
        assert_eq!(entry(&two).warnings.as_deref(), Some("2 warnings"));
        assert_eq!(entry(&Fixture::ended().tasks(2)).warnings, None);
    }

    #[test]
    fn the_list_groups_by_layout_and_sorts_by_name() {
        let entries = [
            entry(&Fixture::ended().with(json!({"id": "b", "name": "beta"}))),
            entry(&Fixture::running().with(json!({"id": "r", "name": "Running"}))),
            entry(&Fixture::ended().with(json!({"id": "a", "name": "Alpha"}))),
        ];
        let list =
            list_view(entries.iter().collect(), "Acme", "2026-11-27 12:00 UTC".into(), "2026-11-27T12:00:00Z".into());
        assert_eq!(list.count, "3 campaigns");
        let groups: Vec<(&str, usize)> = list.groups.iter().map(|g| (g.id, g.count)).collect();
        assert_eq!(groups, [("active", 1), ("draft", 0), ("ended", 2)]);
        let ended: Vec<&str> = list.groups[2].entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ended, ["a", "b"]);
        assert_eq!(list.groups[1].empty, "No drafts.");
    }
}
