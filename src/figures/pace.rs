//! The pace of a running campaign and its estimated finish (docs/export-format.md),
//! counted in calling-window time and judged at the campaign's data time.
//!
//! A pure judgement of figures; the view puts it into words.

use jiff::{SignedDuration, Timestamp};

use super::{CallingHours, Progress};
use crate::lifecycle::Status;
use crate::model::{Campaign, Workspace};

/// Tasks done per hour, and the finish at that pace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    /// Tasks done per calling hour (per hour of any kind without a calling window).
    pub per_hour: f64,
    /// When the remaining tasks would be done, inside the calling hours; `None` when
    /// that is more than ten years away.
    pub finish: Option<Timestamp>,
    /// Whether only calling-window hours were counted.
    pub windowed: bool,
}

/// The hours a campaign places calls in: its calling window, in the campaign's time
/// zone (else the workspace's).
pub fn calling_hours(campaign: &Campaign, workspace: &Workspace) -> CallingHours {
    let zone = campaign.timezone.as_ref().unwrap_or(&workspace.timezone).zone();
    CallingHours::new(campaign.config.calling_window.as_ref(), zone)
}

impl Pace {
    /// The pace of a running campaign from `started_at` to its data time `at`, over
    /// the calling hours only; `None` for any other status, or without a start, a
    /// calling hour passed or a task done.
    pub fn of(
        status: &Status,
        progress: Option<Progress>,
        started_at: Option<Timestamp>,
        at: Timestamp,
        hours: &CallingHours,
    ) -> Option<Pace> {
        if *status != Status::Running {
            return None;
        }
        let p = progress?;
        let worked = hours.open_between(started_at?, at).as_secs_f64() / 3600.0;
        if worked <= 0.0 || p.done == 0 {
            return None;
        }
        let per_hour = p.done as f64 / worked;
        let remaining = p.total.saturating_sub(p.done) as f64;
        let finish =
            SignedDuration::try_from_secs_f64(remaining / per_hour * 3600.0).ok().and_then(|d| hours.advance(at, d));
        Some(Pace { per_hour, finish, windowed: hours.is_windowed() })
    }
}

#[cfg(test)]
mod tests {
    use jiff::tz::TimeZone;

    use super::*;
    use crate::model::CallingWindow;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn always() -> CallingHours {
        CallingHours::new(None, TimeZone::UTC)
    }

    /// Monday to Friday, 09:00–17:00 UTC.
    fn office() -> CallingHours {
        let w: CallingWindow = serde_json::from_value(
            serde_json::json!({"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}),
        )
        .unwrap();
        CallingHours::new(Some(&w), TimeZone::UTC)
    }

    const NOW: &str = "2026-11-27T12:00:00Z";

    #[test]
    fn without_a_window_every_hour_counts() {
        let pace = Pace::of(
            &Status::Running,
            Some(Progress::new(300, 100)),
            Some(at("2026-11-27T02:00:00Z")),
            at(NOW),
            &always(),
        );
        assert_eq!(pace, Some(Pace { per_hour: 10.0, finish: Some(at("2026-11-28T08:00:00Z")), windowed: false }));
    }

    #[test]
    fn only_calling_hours_count_and_the_finish_falls_inside_them() {
        // Friday 2026-11-27: started Thursday 09:00, so 8 h Thursday + 3 h Friday = 11 h for 22 tasks.
        let pace = Pace::of(
            &Status::Running,
            Some(Progress::new(60, 22)),
            Some(at("2026-11-26T09:00:00Z")),
            at(NOW),
            &office(),
        )
        .unwrap();
        assert_eq!((pace.per_hour, pace.windowed), (2.0, true));
        // 38 tasks left = 19 calling hours: Friday 12:00–17:00 (5 h), Monday (8 h), Tuesday 09:00–15:00 (6 h).
        assert_eq!(pace.finish, Some(at("2026-12-01T15:00:00Z")));
        // Started on Saturday: no calling hour has passed by Sunday, so there is no pace yet.
        assert_eq!(
            Pace::of(
                &Status::Running,
                Some(Progress::new(60, 1)),
                Some(at("2026-11-28T10:00:00Z")),
                at("2026-11-29T10:00:00Z"),
                &office()
            ),
            None
        );
    }

    #[test]
    fn a_finished_list_finishes_at_the_data_time() {
        let pace = Pace::of(
            &Status::Running,
            Some(Progress::new(50, 50)),
            Some(at("2026-11-27T11:00:00Z")),
            at(NOW),
            &always(),
        );
        assert_eq!(pace.and_then(|p| p.finish), Some(at(NOW)));
    }

    #[test]
    fn no_pace_without_history() {
        let start = Some(at("2026-11-27T10:00:00Z"));
        let progress = Some(Progress::new(10, 5));
        let pace = |status, progress, start| Pace::of(status, progress, start, at(NOW), &always());
        assert_eq!(pace(&Status::Paused, progress, start), None, "only running campaigns have a pace");
        assert_eq!(pace(&Status::Running, None, start), None, "no progress");
        assert_eq!(pace(&Status::Running, progress, None), None, "no start");
        assert_eq!(pace(&Status::Running, progress, Some(at("2026-11-28T00:00:00Z"))), None, "starts later");
        assert_eq!(pace(&Status::Running, Some(Progress::new(10, 0)), start), None, "nothing done yet");
    }
}
