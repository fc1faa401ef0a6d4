//! The pace of a running campaign and its estimated finish (docs/export-format.md).
//!
//! A pure judgement of figures; the view puts it into words.

use jiff::{SignedDuration, Timestamp};

use super::Progress;
use crate::lifecycle::Status;

/// Tasks done per hour, and the finish at that pace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub per_hour: f64,
    /// `None` when the finish is too far away to be a time.
    pub finish: Option<Timestamp>,
}

impl Pace {
    /// The pace of a running campaign since `started_at`, at `now`; `None` for any other
    /// status, or without a start, history or a task done.
    pub fn of(
        status: &Status,
        progress: Option<Progress>,
        started_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Option<Pace> {
        if *status != Status::Running {
            return None;
        }
        let p = progress?;
        let hours = (now.as_second() - started_at?.as_second()) as f64 / 3600.0;
        if hours <= 0.0 || p.done == 0 {
            return None;
        }
        let per_hour = p.done as f64 / hours;
        let remaining = p.total.saturating_sub(p.done) as f64;
        let finish =
            SignedDuration::try_from_secs_f64(remaining / per_hour * 3600.0).ok().and_then(|d| now.checked_add(d).ok());
        Some(Pace { per_hour, finish })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const NOW: &str = "2026-11-27T12:00:00Z";

    #[test]
    fn the_finish_follows_the_pace_so_far() {
        let pace = Pace::of(&Status::Running, Some(Progress::new(300, 100)), Some(at("2026-11-27T02:00:00Z")), at(NOW));
        assert_eq!(pace, Some(Pace { per_hour: 10.0, finish: Some(at("2026-11-28T08:00:00Z")) }));
    }

    #[test]
    fn a_finished_list_finishes_now() {
        let pace = Pace::of(&Status::Running, Some(Progress::new(50, 50)), Some(at("2026-11-27T11:00:00Z")), at(NOW));
        assert_eq!(pace.and_then(|p| p.finish), Some(at(NOW)));
    }

    #[test]
    fn no_pace_without_history() {
        let start = Some(at("2026-11-27T10:00:00Z"));
        let progress = Some(Progress::new(10, 5));
        assert_eq!(Pace::of(&Status::Paused, progress, start, at(NOW)), None, "only running campaigns have a pace");
        assert_eq!(Pace::of(&Status::Running, None, start, at(NOW)), None, "no progress");
        assert_eq!(Pace::of(&Status::Running, progress, None, at(NOW)), None, "no start");
        assert_eq!(
            Pace::of(&Status::Running, progress, Some(at("2026-11-28T00:00:00Z")), at(NOW)),
            None,
            "starts later"
        );
        assert_eq!(Pace::of(&Status::Running, Some(Progress::new(10, 0)), start, at(NOW)), None, "nothing done yet");
    }
}
