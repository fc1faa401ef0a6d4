//! The data time of a campaign: the moment its figures describe
//! (docs/export-format.md, "Data time").
//!
//! Every statement about "now" (dispatch verdict, time since the last dispatch,
//! pace, estimated finish, paused for) is made at this time, never at the clock of
//! the run, because the export's counters describe the moment of the export.

use jiff::{SignedDuration, Timestamp};

use super::{CallCounts, TaskCounts};
use crate::model::{Campaign, Workspace};

/// Where the data time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataTimeSource {
    /// The export's `exported_at`.
    Exported,
    /// The latest time found in the data (no `exported_at`).
    Latest,
    /// The export holds no time at all: the snapshot time stands in.
    Snapshot,
}

/// The moment a campaign's figures describe, and how far the snapshot is past it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataTime {
    pub at: Timestamp,
    pub source: DataTimeSource,
    /// The snapshot time minus the data time (negative when the data is newer).
    pub age: SignedDuration,
    /// Whether the snapshot is later than the data by more than the workspace allows.
    pub stale: bool,
}

impl DataTime {
    /// The data time of `campaign` for a snapshot taken at `snapshot`: its
    /// `exported_at`, else the latest of its times (`updated_at`, `created_at`,
    /// `started_at`, `paused_at`, `ended_at`, the last dispatch, the upload, the last
    /// task attempt and the last call), else the snapshot time.
    pub fn of(
        campaign: &Campaign,
        tasks: Option<&TaskCounts>,
        calls: Option<&CallCounts>,
        workspace: &Workspace,
        snapshot: Timestamp,
    ) -> DataTime {
        let latest = [
            campaign.updated_at,
            campaign.created_at,
            campaign.started_at,
            campaign.paused_at,
            campaign.ended_at,
            campaign.dispatch.as_ref().and_then(|d| d.last_dispatch_at),
            campaign.upload.as_ref().and_then(|u| u.uploaded_at),
            tasks.and_then(|t| t.last_attempt),
            calls.and_then(|c| c.last_call),
        ]
        .into_iter()
        .flatten()
        .max();
        let (at, source) = match (campaign.exported_at, latest) {
            (Some(at), _) => (at, DataTimeSource::Exported),
            (None, Some(at)) => (at, DataTimeSource::Latest),
            (None, None) => (snapshot, DataTimeSource::Snapshot),
        };
        let age = snapshot.duration_since(at);
        // A limit too large to be a duration never makes data stale.
        let stale =
            SignedDuration::try_from_secs_f64(workspace.stale_after_hours * 3600.0).is_ok_and(|limit| age > limit);
        DataTime { at, source, age, stale }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn campaign(fields: serde_json::Value) -> Campaign {
        let mut c = json!({"id": "c", "name": "C", "tenant": {"id": "t", "name": "T"}, "status": "running"});
        c.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        serde_json::from_value(c).unwrap()
    }

    const SNAPSHOT: &str = "2026-11-30T12:00:00Z";

    #[test]
    fn the_export_time_wins() {
        let c = campaign(json!({"exported_at": "2026-11-27T12:00:00Z", "updated_at": "2026-11-29T00:00:00Z"}));
        let t = DataTime::of(&c, None, None, &Workspace::default(), at(SNAPSHOT));
        assert_eq!((t.at, t.source), (at("2026-11-27T12:00:00Z"), DataTimeSource::Exported));
        assert_eq!(t.age, SignedDuration::from_hours(72));
        assert!(t.stale, "three days is more than the default 24 hours");
    }

    #[test]
    fn without_it_the_latest_time_in_the_data_counts() {
        let c = campaign(json!({
            "created_at": "2026-11-01T00:00:00Z",
            "started_at": "2026-11-20T14:00:00Z",
            "dispatch": {"last_dispatch_at": "2026-11-30T11:58:00Z"},
            "scheduled_start_at": "2026-12-31T00:00:00Z"
        }));
        let tasks = TaskCounts { last_attempt: Some(at("2026-11-30T11:30:00Z")), ..TaskCounts::default() };
        let t = DataTime::of(&c, Some(&tasks), None, &Workspace::default(), at(SNAPSHOT));
        assert_eq!((t.at, t.source, t.stale), (at("2026-11-30T11:58:00Z"), DataTimeSource::Latest, false));
        let calls = CallCounts { last_call: Some(at("2026-11-30T11:59:30Z")), ..CallCounts::default() };
        let t = DataTime::of(&c, Some(&tasks), Some(&calls), &Workspace::default(), at(SNAPSHOT));
        assert_eq!(t.at, at("2026-11-30T11:59:30Z"), "the last call is data too; a planned start is not");
    }

    #[test]
    fn an_export_without_any_time_is_as_of_the_snapshot() {
        let t = DataTime::of(&campaign(json!({})), None, None, &Workspace::default(), at(SNAPSHOT));
        assert_eq!(
            (t.at, t.source, t.age, t.stale),
            (at(SNAPSHOT), DataTimeSource::Snapshot, SignedDuration::ZERO, false)
        );
    }

    #[test]
    fn staleness_follows_the_workspace_setting() {
        let c = campaign(json!({"exported_at": "2026-11-30T09:00:00Z"}));
        let ws: Workspace = serde_json::from_value(json!({"stale_after_hours": 2})).unwrap();
        assert!(DataTime::of(&c, None, None, &ws, at(SNAPSHOT)).stale);
        let ws: Workspace = serde_json::from_value(json!({"stale_after_hours": 3})).unwrap();
        assert!(!DataTime::of(&c, None, None, &ws, at(SNAPSHOT)).stale, "exactly the limit is not stale");
    }
}
