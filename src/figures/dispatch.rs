//! The dispatch verdict of an Active campaign: healthy, degraded, stalled, idle or
//! unknown, from the export's dispatch counters (thresholds in docs/export-format.md).
//!
//! A pure judgement of figures; the view puts it into words.

use jiff::Timestamp;

use crate::lifecycle::Status;
use crate::model::{Dispatch, word_enum};

/// Minutes without a dispatch, while work is waiting, after which a running campaign is stalled.
pub const STALLED_AFTER_MINUTES: i64 = 15;
/// Share of failed dispatches in the last hour from which dispatch is degraded.
pub const DEGRADED_ERROR_SHARE: f64 = 0.05;

word_enum! {
    /// Dispatch verdict, as `summary.json` states it.
    DispatchVerdict {
        Healthy = "healthy",
        Degraded = "degraded",
        Stalled = "stalled",
        Idle = "idle",
        Unknown = "unknown",
    }
}

/// The verdict with the figure behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DispatchHealth {
    /// The export has no dispatch figures.
    Unknown,
    /// The campaign is not running, so nothing is dispatched.
    Idle,
    /// Work is queued but nothing went out: for `quiet_minutes` since the last
    /// dispatch, or (without a last dispatch time) in the last hour.
    Stalled { quiet_minutes: Option<i64> },
    /// At least [`DEGRADED_ERROR_SHARE`] of the last hour's dispatches failed.
    Degraded { error_share: f64 },
    /// Dispatch keeps up with the queue.
    Healthy,
}

impl DispatchHealth {
    /// Judges dispatch at `now` from the export's counters.
    pub fn judge(dispatch: Option<&Dispatch>, status: &Status, now: Timestamp) -> DispatchHealth {
        let Some(d) = dispatch else { return DispatchHealth::Unknown };
        if *status != Status::Running {
            return DispatchHealth::Idle;
        }
        let dispatched = d.dispatched_last_hour.unwrap_or(0);
        let errors = d.errors_last_hour.unwrap_or(0);
        let quiet_minutes = d.last_dispatch_at.map(|t| (now.as_second() - t.as_second()) / 60);
        let queued = d.queued.unwrap_or(0) > 0;
        let quiet = match quiet_minutes {
            Some(m) => m >= STALLED_AFTER_MINUTES,
            None => dispatched == 0,
        };
        if queued && quiet {
            return DispatchHealth::Stalled { quiet_minutes };
        }
        let attempts = dispatched.saturating_add(errors);
        let error_share = if attempts > 0 { errors as f64 / attempts as f64 } else { 0.0 };
        if error_share >= DEGRADED_ERROR_SHARE {
            DispatchHealth::Degraded { error_share }
        } else {
            DispatchHealth::Healthy
        }
    }

    /// The verdict's word.
    pub fn verdict(&self) -> DispatchVerdict {
        match self {
            DispatchHealth::Unknown => DispatchVerdict::Unknown,
            DispatchHealth::Idle => DispatchVerdict::Idle,
            DispatchHealth::Stalled { .. } => DispatchVerdict::Stalled,
            DispatchHealth::Degraded { .. } => DispatchVerdict::Degraded,
            DispatchHealth::Healthy => DispatchVerdict::Healthy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    fn minutes_ago(m: i64) -> Option<Timestamp> {
        Some(now() - jiff::SignedDuration::from_mins(m))
    }

    fn running(d: Dispatch) -> DispatchHealth {
        DispatchHealth::judge(Some(&d), &Status::Running, now())
    }

    #[test]
    fn without_figures_the_verdict_is_unknown() {
        assert_eq!(DispatchHealth::judge(None, &Status::Running, now()), DispatchHealth::Unknown);
        assert_eq!(DispatchHealth::judge(None, &Status::Paused, now()), DispatchHealth::Unknown);
    }

    #[test]
    fn a_campaign_that_is_not_running_is_idle() {
        let d = Dispatch { queued: Some(40), last_dispatch_at: minutes_ago(600), ..Dispatch::default() };
        for status in [Status::Paused, Status::Scheduled] {
            assert_eq!(DispatchHealth::judge(Some(&d), &status, now()).verdict(), DispatchVerdict::Idle);
        }
    }

    #[test]
    fn queued_work_without_a_dispatch_for_15_minutes_is_stalled() {
        let d = |m| Dispatch {
            queued: Some(3),
            dispatched_last_hour: Some(9),
            last_dispatch_at: minutes_ago(m),
            ..Dispatch::default()
        };
        assert_eq!(running(d(15)), DispatchHealth::Stalled { quiet_minutes: Some(15) });
        assert_eq!(running(d(14)), DispatchHealth::Healthy);
        // Nothing queued: a quiet dispatcher is not stalled.
        let idle_queue = Dispatch { queued: Some(0), last_dispatch_at: minutes_ago(120), ..Dispatch::default() };
        assert_eq!(running(idle_queue), DispatchHealth::Healthy);
    }

    #[test]
    fn without_a_last_dispatch_time_an_empty_hour_is_stalled() {
        let d = Dispatch { queued: Some(5), dispatched_last_hour: Some(0), ..Dispatch::default() };
        assert_eq!(running(d), DispatchHealth::Stalled { quiet_minutes: None });
        let d = Dispatch { queued: Some(5), dispatched_last_hour: Some(1), ..Dispatch::default() };
        assert_eq!(running(d), DispatchHealth::Healthy);
    }

    #[test]
    fn five_percent_of_failed_dispatches_is_degraded() {
        let d = |ok, errors| Dispatch {
            queued: Some(10),
            dispatched_last_hour: Some(ok),
            errors_last_hour: Some(errors),
            last_dispatch_at: minutes_ago(1),
            ..Dispatch::default()
        };
        assert_eq!(running(d(95, 5)), DispatchHealth::Degraded { error_share: 0.05 });
        assert_eq!(running(d(96, 4)), DispatchHealth::Healthy);
        assert_eq!(running(d(0, 0)).verdict(), DispatchVerdict::Healthy);
        // Stalled wins over degraded.
        let stalled = Dispatch { last_dispatch_at: minutes_ago(30), ..d(0, 7) };
        assert_eq!(running(stalled).verdict(), DispatchVerdict::Stalled);
    }
}
