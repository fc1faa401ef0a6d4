//! The dispatch verdict of an Active campaign: healthy, degraded, stalled, idle or
//! unknown, from the export's dispatch counters at the campaign's data time
//! (thresholds in docs/export-format.md).
//!
//! A pure judgement of figures; the view puts it into words. It never contradicts
//! the counters beside it: a campaign is not stalled while the export records a
//! dispatch in the hour before its data time.

use jiff::Timestamp;

use crate::lifecycle::Status;
use crate::model::{Dispatch, word_enum};

/// Minutes without a dispatch, while work is queued, after which dispatch is called slow.
pub const QUIET_AFTER_MINUTES: i64 = 15;
/// Minutes without any dispatch, while work is queued, after which a campaign is stalled.
pub const STALLED_AFTER_MINUTES: i64 = 60;
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
    /// Work is queued and nothing went out in the hour before the data time:
    /// `quiet_minutes` since the last dispatch, when the export gives its time.
    Stalled { quiet_minutes: Option<i64> },
    /// Work is queued and nothing went out for `quiet_minutes`, though the last
    /// hour saw `dispatched` dispatches.
    Slow { quiet_minutes: i64, dispatched: u64 },
    /// At least [`DEGRADED_ERROR_SHARE`] of the last hour's dispatches failed.
    Failing { error_share: f64 },
    /// Dispatch keeps up with the queue.
    Healthy,
}

impl DispatchHealth {
    /// Judges dispatch at the data time `at` from the export's counters.
    pub fn judge(dispatch: Option<&Dispatch>, status: &Status, at: Timestamp) -> DispatchHealth {
        let Some(d) = dispatch else { return DispatchHealth::Unknown };
        if *status != Status::Running {
            return DispatchHealth::Idle;
        }
        let dispatched = d.dispatched_last_hour.unwrap_or(0);
        let errors = d.errors_last_hour.unwrap_or(0);
        // A last dispatch after the data time (an export taken in pieces) is "just now".
        let quiet_minutes = d.last_dispatch_at.map(|t| ((at.as_second() - t.as_second()) / 60).max(0));
        let queued = d.queued.unwrap_or(0) > 0;
        let within_hour = dispatched > 0 || quiet_minutes.is_some_and(|m| m < STALLED_AFTER_MINUTES);
        if queued && !within_hour {
            return DispatchHealth::Stalled { quiet_minutes };
        }
        if let Some(m) = quiet_minutes.filter(|m| queued && *m >= QUIET_AFTER_MINUTES) {
            return DispatchHealth::Slow { quiet_minutes: m, dispatched };
        }
        let attempts = dispatched.saturating_add(errors);
        let error_share = if attempts > 0 { errors as f64 / attempts as f64 } else { 0.0 };
        if error_share >= DEGRADED_ERROR_SHARE {
            DispatchHealth::Failing { error_share }
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
            DispatchHealth::Slow { .. } | DispatchHealth::Failing { .. } => DispatchVerdict::Degraded,
            DispatchHealth::Healthy => DispatchVerdict::Healthy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Timestamp {
        "2026-11-27T12:00:00Z".parse().unwrap()
    }

    fn minutes_ago(m: i64) -> Option<Timestamp> {
        Some(at() - jiff::SignedDuration::from_mins(m))
    }

    fn running(d: Dispatch) -> DispatchHealth {
        DispatchHealth::judge(Some(&d), &Status::Running, at())
    }

    fn running_ref(d: &Dispatch) -> DispatchHealth {
        DispatchHealth::judge(Some(d), &Status::Running, at())
    }

    #[test]
    fn without_figures_the_verdict_is_unknown() {
        assert_eq!(DispatchHealth::judge(None, &Status::Running, at()), DispatchHealth::Unknown);
        assert_eq!(DispatchHealth::judge(None, &Status::Paused, at()), DispatchHealth::Unknown);
    }

    #[test]
    fn a_campaign_that_is_not_running_is_idle() {
        let d = Dispatch { queued: Some(40), last_dispatch_at: minutes_ago(600), ..Dispatch::default() };
        for status in [Status::Paused, Status::Scheduled] {
            assert_eq!(DispatchHealth::judge(Some(&d), &status, at()).verdict(), DispatchVerdict::Idle);
        }
    }

    #[test]
    fn queued_work_without_a_dispatch_in_the_hour_is_stalled() {
        let d = |m| Dispatch {
            queued: Some(3),
            dispatched_last_hour: Some(0),
            last_dispatch_at: minutes_ago(m),
            ..Dispatch::default()
        };
        assert_eq!(running(d(60)), DispatchHealth::Stalled { quiet_minutes: Some(60) });
        assert_eq!(running(d(4 * 24 * 60)), DispatchHealth::Stalled { quiet_minutes: Some(5760) });
        // Without a last dispatch time, an empty hour is enough.
        let unknown_time = Dispatch { queued: Some(5), dispatched_last_hour: Some(0), ..Dispatch::default() };
        assert_eq!(running(unknown_time), DispatchHealth::Stalled { quiet_minutes: None });
        // Nothing queued: a quiet dispatcher is not stalled.
        let empty_queue = Dispatch { queued: Some(0), last_dispatch_at: minutes_ago(120), ..Dispatch::default() };
        assert_eq!(running(empty_queue), DispatchHealth::Healthy);
    }

    #[test]
    fn a_quiet_spell_inside_a_busy_hour_is_slow_not_stalled() {
        let d = Dispatch {
            queued: Some(5),
            dispatched_last_hour: Some(14),
            last_dispatch_at: minutes_ago(40),
            ..Dispatch::default()
        };
        assert_eq!(running_ref(&d), DispatchHealth::Slow { quiet_minutes: 40, dispatched: 14 });
        assert_eq!(running_ref(&d).verdict(), DispatchVerdict::Degraded);
        // Even a last dispatch days ago is not "stalled" when the counter says dispatches went out this hour.
        let odd = Dispatch { last_dispatch_at: minutes_ago(5760), ..d.clone() };
        assert_eq!(running(odd), DispatchHealth::Slow { quiet_minutes: 5760, dispatched: 14 });
        let fresh = Dispatch { last_dispatch_at: minutes_ago(14), ..d.clone() };
        assert_eq!(running(fresh), DispatchHealth::Healthy);
        // A last dispatch after the data time counts as just now.
        let later = Dispatch { last_dispatch_at: Some(at() + jiff::SignedDuration::from_mins(3)), ..d };
        assert_eq!(running(later), DispatchHealth::Healthy);
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
        assert_eq!(running(d(95, 5)), DispatchHealth::Failing { error_share: 0.05 });
        assert_eq!(running(d(96, 4)), DispatchHealth::Healthy);
        assert_eq!(running(d(0, 0)).verdict(), DispatchVerdict::Healthy, "a dispatch a minute ago");
    }

    /// The page shows the verdict beside "Dispatched in the last hour" and "Last
    /// dispatch": over every combination, "stalled" never sits beside a dispatch in
    /// the hour before the data time.
    #[test]
    fn stalled_never_contradicts_the_counters() {
        let quiet = [None, Some(0), Some(14), Some(15), Some(59), Some(60), Some(61), Some(5760)];
        for queued in [None, Some(0), Some(1), Some(50)] {
            for dispatched in [None, Some(0), Some(1), Some(14)] {
                for errors in [None, Some(0), Some(3)] {
                    for minutes in quiet {
                        let d = Dispatch {
                            queued,
                            dispatched_last_hour: dispatched,
                            errors_last_hour: errors,
                            last_dispatch_at: minutes.and_then(minutes_ago),
                            ..Dispatch::default()
                        };
                        let verdict = running_ref(&d).verdict();
                        let recent = dispatched.unwrap_or(0) > 0 || minutes.is_some_and(|m| m < 60);
                        if recent {
                            assert_ne!(verdict, DispatchVerdict::Stalled, "{d:?}");
                        }
                        if queued.unwrap_or(0) > 0 && !recent {
                            assert_eq!(verdict, DispatchVerdict::Stalled, "{d:?}");
                        }
                    }
                }
            }
        }
    }
}
