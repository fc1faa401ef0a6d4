//! Calling-window time (docs/export-format.md): how much of a stretch of time lies
//! inside a campaign's calling window, and when a given amount of it will have passed.
//!
//! This module owns that arithmetic only: it turns the window's days and local clock
//! times into instants in the campaign's zone, one day at a time, so its cost grows
//! with the days spanned, never with minutes. It must not read the clock, judge a pace
//! or word anything for a reader; the pace and the view build on its answers.
//!
//! The rules it implements:
//! - A window day is open from `start` to `end`, local time, half-open: calls may be
//!   placed at `start`, not at `end`.
//! - An `end` of `00:00` after a later `start` (`18:00`–`00:00`) runs to midnight, the
//!   start of the next day. Any other `end` at or before `start` (`start == end`
//!   included) is a broken window, as is a window without days; a broken window and
//!   no window both count every hour (see [`CallingHours::is_windowed`]).
//! - Local times are resolved in the zone with jiff's compatible disambiguation: a
//!   time in a DST gap moves forward by the gap's length (02:30 becomes 03:30), a time
//!   in a fold takes its first occurrence. Should a gap push a day's start past its end,
//!   that day has no calling time.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::model::{CallingWindow, Weekday};

/// When calls may be placed: a calling window's days and hours in a zone, or every
/// hour when there is no usable window.
#[derive(Debug, Clone, PartialEq)]
pub struct CallingHours {
    daily: Option<Daily>,
    zone: TimeZone,
}

/// A usable window, in local clock times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Daily {
    /// Open days, Monday first.
    days: [bool; 7],
    start: Time,
    /// `None`: the window runs to midnight (an `end` of `00:00`).
    end: Option<Time>,
}

impl CallingHours {
    /// How far [`CallingHours::advance`] looks ahead: 3,653 days of 24 hours (ten years).
    /// A finish further away than that is no time a reader can plan for.
    pub const ADVANCE_LIMIT: SignedDuration = SignedDuration::from_hours(24 * 3653);

    /// The calling hours of `window` in `zone`. Without a window, or with a broken one
    /// (no days, or an `end` at or before `start` other than a midnight end), every
    /// hour counts.
    pub fn new(window: Option<&CallingWindow>, zone: TimeZone) -> CallingHours {
        CallingHours { daily: window.and_then(Daily::new), zone }
    }

    /// Whether a calling window limits the hours; `false` means every hour counts.
    pub fn is_windowed(&self) -> bool {
        self.daily.is_some()
    }

    /// Whether calls may be placed at `at` (a window's start is open, its end is not).
    pub fn is_open(&self, at: Timestamp) -> bool {
        if self.daily.is_none() {
            return true;
        }
        self.openings(at).take_while(|(start, _)| *start <= at).any(|(start, end)| start <= at && at < end)
    }

    /// Calling-window time in `[from, to)`; zero when `to` is not after `from`.
    pub fn open_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to <= from {
            return SignedDuration::ZERO;
        }
        if self.daily.is_none() {
            return to.duration_since(from);
        }
        self.openings(from)
            .take_while(|(start, _)| *start < to)
            .map(|(start, end)| (start.max(from), end.min(to)))
            .filter(|(a, b)| a < b)
            .fold(SignedDuration::ZERO, |open, (a, b)| open.saturating_add(b.duration_since(a)))
    }

    /// The instant at which `open` of calling-window time has passed after `from`;
    /// counting starts at the next opening when `from` is outside the window, and a
    /// negative `open` counts as zero.
    ///
    /// The answer lies inside the window, or exactly at a window's end when the work
    /// ends as the window closes; an `open` of zero gives `from` when the window is open
    /// then, else the next opening. `None` when the answer lies more than
    /// [`CallingHours::ADVANCE_LIMIT`] after `from`, or past the range of a timestamp.
    pub fn advance(&self, from: Timestamp, open: SignedDuration) -> Option<Timestamp> {
        let open = open.max(SignedDuration::ZERO);
        let within = |at: Timestamp| (at.duration_since(from) <= CallingHours::ADVANCE_LIMIT).then_some(at);
        if self.daily.is_none() {
            return from.checked_add(open).ok().and_then(within);
        }
        let mut left = open;
        for (start, end) in self.openings(from) {
            // Every later answer lies at or after this start: give up past the limit.
            within(start)?;
            let from_here = start.max(from);
            if from_here >= end {
                continue;
            }
            let here = end.duration_since(from_here);
            if left <= here {
                return from_here.checked_add(left).ok().and_then(within);
            }
            left -= here;
        }
        None
    }

    /// Each window day's opening from the day before `at`'s local date on, in order
    /// and without overlap (some may be empty). The day before is included because its
    /// opening can reach into `at`'s day (a midnight end, or a zone's change of offset).
    /// Ends where the calendar or the timestamps run out.
    fn openings(&self, at: Timestamp) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let daily = self.daily;
        let today = self.zone.to_datetime(at).date();
        let mut date = Some(today.yesterday().unwrap_or(today));
        let mut last_end: Option<Timestamp> = None;
        std::iter::from_fn(move || {
            let daily = daily?;
            loop {
                let day = date?;
                date = day.tomorrow().ok();
                if !daily.days[day.weekday().to_monday_zero_offset() as usize] {
                    continue;
                }
                let (start, end) = daily.opening(day, &self.zone)?;
                // A change of offset can make an opening start before the last one ended
                // or after its own end; clamp so that no instant is counted twice.
                let start = last_end.map_or(start, |last| start.max(last));
                let end = end.max(start);
                last_end = Some(end);
                return Some((start, end));
            }
        })
    }
}

impl Daily {
    fn new(window: &CallingWindow) -> Option<Daily> {
        let mut days = [false; 7];
        for day in &window.days {
            days[monday_zero(*day)] = true;
        }
        let start = clock(&window.start)?;
        let end = clock(&window.end)?;
        let end = match end {
            // 18:00–00:00 runs to midnight; 00:00–00:00 opens nothing, so it is broken.
            e if e == Time::midnight() && start != e => None,
            e if e > start => Some(e),
            _ => return None,
        };
        days.contains(&true).then_some(Daily { days, start, end })
    }

    /// The opening of `day` as instants, before any clamping; `None` past the range of
    /// the calendar or of a timestamp.
    fn opening(&self, day: Date, zone: &TimeZone) -> Option<(Timestamp, Timestamp)> {
        let start = resolve(day.to_datetime(self.start), zone)?;
        let end = match self.end {
            Some(end) => day.to_datetime(end),
            None => day.tomorrow().ok()?.to_datetime(Time::midnight()),
        };
        Some((start, resolve(end, zone)?))
    }
}

/// A local time as an instant, with jiff's compatible disambiguation.
fn resolve(local: DateTime, zone: &TimeZone) -> Option<Timestamp> {
    zone.to_ambiguous_timestamp(local).compatible().ok()
}

/// A checked `HH:MM` as a time of day.
fn clock(hh_mm: &str) -> Option<Time> {
    let (h, m) = hh_mm.split_once(':')?;
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

fn monday_zero(day: Weekday) -> usize {
    match day {
        Weekday::Mon => 0,
        Weekday::Tue => 1,
        Weekday::Wed => 2,
        Weekday::Thu => 3,
        Weekday::Fri => 4,
        Weekday::Sat => 5,
        Weekday::Sun => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClockTime;

    const ADVANCE_LIMIT: SignedDuration = CallingHours::ADVANCE_LIMIT;

    fn ny() -> TimeZone {
        TimeZone::get("America/New_York").unwrap()
    }

    /// A local time in New York, e.g. `2026-03-06T15:00`.
    fn local(s: &str) -> Timestamp {
        resolve(s.parse().unwrap(), &ny()).unwrap()
    }

    fn window(days: &[Weekday], start: &str, end: &str) -> CallingWindow {
        CallingWindow { days: days.to_vec(), start: ClockTime::new(start).unwrap(), end: ClockTime::new(end).unwrap() }
    }

    fn hours(days: &[Weekday], start: &str, end: &str) -> CallingHours {
        CallingHours::new(Some(&window(days, start, end)), ny())
    }

    const WEEKDAYS: &[Weekday] = &[Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];

    fn h(n: i64) -> SignedDuration {
        SignedDuration::from_hours(n)
    }

    fn m(n: i64) -> SignedDuration {
        SignedDuration::from_mins(n)
    }

    #[test]
    fn a_weekend_counts_only_fridays_rest_and_mondays_start() {
        let office = hours(WEEKDAYS, "09:00", "17:00");
        // Friday 2026-03-06 to Monday 2026-03-09, with the spring-forward Sunday between.
        assert_eq!(office.open_between(local("2026-03-06T15:00"), local("2026-03-09T10:00")), h(3));
        assert_eq!(office.advance(local("2026-03-06T15:00"), h(3)), Some(local("2026-03-09T10:00")));
        assert_eq!(office.open_between(local("2026-03-07T00:00"), local("2026-03-09T00:00")), h(0), "the weekend");
        assert!(!office.is_open(local("2026-03-07T12:00")));
    }

    #[test]
    fn a_daytime_window_stays_whole_on_dst_days() {
        let day = hours(Weekday::ALL, "09:00", "19:00");
        for date in ["2026-03-08", "2026-11-01"] {
            let midnight = local(&format!("{date}T00:00"));
            let next = local(&format!("{date}T23:59")) + m(1);
            assert_eq!(day.open_between(midnight, next), h(10), "{date}");
            assert_eq!(day.advance(midnight, h(10)), Some(local(&format!("{date}T19:00"))), "{date}");
        }
    }

    #[test]
    fn a_window_over_the_spring_forward_hour_loses_it() {
        let night = hours(Weekday::ALL, "01:00", "04:00");
        let day = (local("2026-03-08T00:00"), local("2026-03-08T12:00"));
        // 01:00 EST to 04:00 EDT: the clock skips 02:00–03:00.
        assert_eq!(night.open_between(day.0, day.1), h(2));
        assert_eq!(night.advance(day.0, h(1)), Some(local("2026-03-08T03:00")));
        assert_eq!(night.advance(day.0, h(2)), Some(local("2026-03-08T04:00")));
        assert_eq!(night.open_between(local("2026-03-07T00:00"), local("2026-03-07T12:00")), h(3), "the day before");
    }

    #[test]
    fn a_window_over_the_fall_back_hour_gains_it() {
        let night = hours(Weekday::ALL, "01:00", "04:00");
        // 01:00 EDT to 04:00 EST: the clock runs 01:00–02:00 twice.
        assert_eq!(night.open_between(local("2026-11-01T00:00"), local("2026-11-01T12:00")), h(4));
        assert_eq!(night.advance(local("2026-11-01T00:00"), h(4)), Some(local("2026-11-01T04:00")));
        assert_eq!(night.open_between(local("2026-11-02T00:00"), local("2026-11-02T12:00")), h(3), "the day after");
    }

    #[test]
    fn edges_in_a_gap_or_a_fold_resolve_compatibly() {
        // 02:30 does not exist on 2026-03-08: it becomes 03:30 EDT.
        let late = hours(Weekday::ALL, "02:30", "05:00");
        assert_eq!(late.open_between(local("2026-03-08T00:00"), local("2026-03-08T12:00")), m(90));
        assert_eq!(late.advance(local("2026-03-08T00:00"), SignedDuration::ZERO), Some(local("2026-03-08T03:30")));
        // 01:30 happens twice on 2026-11-01: the window opens at the first, 05:30Z.
        let fold = hours(Weekday::ALL, "01:30", "03:00");
        assert_eq!(
            fold.advance(local("2026-11-01T00:00"), SignedDuration::ZERO),
            Some("2026-11-01T05:30Z".parse().unwrap())
        );
        assert_eq!(fold.open_between(local("2026-11-01T00:00"), local("2026-11-01T12:00")), m(150));
        // 02:30–03:00 resolves to 03:30–03:00 EDT: no calling time that day, 30 minutes the others.
        let gap = hours(Weekday::ALL, "02:30", "03:00");
        assert_eq!(gap.open_between(local("2026-03-08T00:00"), local("2026-03-08T12:00")), SignedDuration::ZERO);
        assert_eq!(gap.open_between(local("2026-03-07T00:00"), local("2026-03-10T00:00")), m(60));
        assert_eq!(gap.advance(local("2026-03-07T02:45"), m(30)), Some(local("2026-03-09T02:45")));
    }

    #[test]
    fn a_window_may_end_at_midnight() {
        let evening = hours(&[Weekday::Sat], "18:00", "00:00");
        assert!(evening.is_windowed());
        // Saturday 2026-03-07 18:00 to Sunday 00:00, across nothing but the evening.
        assert_eq!(evening.open_between(local("2026-03-07T17:00"), local("2026-03-08T01:00")), h(6));
        assert_eq!(
            evening.advance(local("2026-03-07T23:00"), h(1)),
            Some(local("2026-03-08T00:00")),
            "ends as it closes"
        );
        assert!(!evening.is_open(local("2026-03-08T00:00")), "midnight is the end, not inside");
        assert_eq!(evening.advance(local("2026-03-07T23:00"), h(2)), Some(local("2026-03-14T19:00")));
        // On the fall-back Saturday the evening is still six hours: the change is at 02:00 on Sunday.
        assert_eq!(evening.open_between(local("2026-10-31T00:00"), local("2026-11-01T12:00")), h(6));
    }

    #[test]
    fn from_before_inside_and_after_a_days_window() {
        let office = hours(Weekday::ALL, "09:00", "17:00");
        let cases = [
            ("2026-06-10T07:00", "2026-06-10T10:00", h(1)),
            ("2026-06-10T12:00", "2026-06-10T13:00", h(1)),
            ("2026-06-10T18:00", "2026-06-11T10:00", h(1)),
            ("2026-06-10T16:00", "2026-06-11T10:00", h(2)),
            ("2026-06-10T09:00", "2026-06-10T17:00", h(8)),
        ];
        for (from, finish, open) in cases {
            assert_eq!(office.advance(local(from), open), Some(local(finish)), "{from} + {open}");
            assert_eq!(office.open_between(local(from), local(finish)), open, "{from} to {finish}");
        }
        assert_eq!(office.open_between(local("2026-06-10T13:00"), local("2026-06-10T12:00")), h(0), "backwards");
        assert_eq!(office.open_between(local("2026-06-10T18:00"), local("2026-06-10T23:00")), h(0), "after hours");
        assert!(office.is_open(local("2026-06-10T09:00")), "the start is inside");
        assert!(!office.is_open(local("2026-06-10T17:00")), "the end is not");
    }

    #[test]
    fn an_advance_spans_several_weeks() {
        let office = hours(WEEKDAYS, "09:00", "17:00");
        // Three 40-hour weeks from Monday 2026-02-23 (the clocks change on 2026-03-08), then 4 hours.
        let from = local("2026-02-23T09:00");
        assert_eq!(office.advance(from, h(120)), Some(local("2026-03-13T17:00")));
        assert_eq!(office.advance(from, h(124)), Some(local("2026-03-16T13:00")));
        assert_eq!(office.open_between(from, local("2026-03-16T13:00")), h(124));
    }

    #[test]
    fn an_advance_of_zero_starts_at_the_next_opening() {
        let office = hours(WEEKDAYS, "09:00", "17:00");
        let zero = SignedDuration::ZERO;
        assert_eq!(office.advance(local("2026-06-10T12:00"), zero), Some(local("2026-06-10T12:00")), "inside");
        assert_eq!(office.advance(local("2026-06-10T07:00"), zero), Some(local("2026-06-10T09:00")), "before");
        assert_eq!(office.advance(local("2026-06-10T17:00"), zero), Some(local("2026-06-11T09:00")), "at the end");
        assert_eq!(office.advance(local("2026-06-12T17:30"), zero), Some(local("2026-06-15T09:00")), "Friday night");
        assert_eq!(office.advance(local("2026-06-10T12:00"), -h(5)), Some(local("2026-06-10T12:00")), "negative");
    }

    #[test]
    fn without_a_window_every_hour_counts() {
        let wall = CallingHours::new(None, ny());
        assert!(!wall.is_windowed());
        let from = local("2026-03-07T22:00");
        assert_eq!(wall.open_between(from, local("2026-03-08T22:00")), h(23), "the spring-forward day is 23 h");
        assert_eq!(wall.advance(from, h(30)), Some(from + h(30)));
        assert_eq!(wall.advance(from, SignedDuration::ZERO), Some(from));
        assert!(wall.is_open(from));
        assert_eq!(wall.advance(from, ADVANCE_LIMIT), Some(from + ADVANCE_LIMIT));
        assert_eq!(wall.advance(from, ADVANCE_LIMIT + SignedDuration::from_secs(1)), None);
        assert_eq!(wall.advance(Timestamp::MAX, h(1)), None, "past the range of a timestamp");
    }

    #[test]
    fn a_broken_window_counts_every_hour() {
        let broken = [
            window(&[], "09:00", "17:00"),
            window(WEEKDAYS, "09:00", "09:00"),
            window(WEEKDAYS, "17:00", "09:00"),
            window(WEEKDAYS, "00:00", "00:00"),
        ];
        let from = local("2026-06-13T01:00");
        for w in &broken {
            let any = CallingHours::new(Some(w), ny());
            assert!(!any.is_windowed(), "{w:?}");
            assert_eq!(any.open_between(from, from + h(5)), h(5), "{w:?}");
            assert_eq!(any.advance(from, h(5)), Some(from + h(5)), "{w:?}");
        }
        assert!(hours(WEEKDAYS, "00:00", "23:59").is_windowed());
    }

    #[test]
    fn an_advance_gives_up_after_ten_years() {
        let sunday = hours(&[Weekday::Sun], "09:00", "10:00");
        let from = local("2026-06-10T12:00");
        // About 522 Sundays in ten years: 600 hours of Sundays is out of reach.
        assert_eq!(sunday.advance(from, h(600)), None);
        let finish = sunday.advance(from, h(500)).unwrap();
        assert!(finish.duration_since(from) <= ADVANCE_LIMIT);
        assert_eq!(sunday.open_between(from, finish), h(500));
        assert_eq!(sunday.advance(Timestamp::MAX - h(48), h(1)), None, "past the range of a timestamp");
    }

    #[test]
    fn every_advance_lands_in_a_window_and_counts_back() {
        let windows = [
            hours(WEEKDAYS, "09:00", "17:00"),
            hours(&[Weekday::Sat, Weekday::Sun], "18:00", "00:00"),
            hours(Weekday::ALL, "01:00", "04:00"),
            hours(Weekday::ALL, "02:30", "03:00"),
            hours(&[Weekday::Sun], "01:30", "02:30"),
        ];
        let durations = [0, 1, 29, 60, 180, 480, 1500, 2460, 10_000].map(m);
        // Starts every 97 minutes across both of 2026's changes of offset in New York.
        let starts = ["2026-03-04T00:00", "2026-10-28T00:00"]
            .into_iter()
            .flat_map(|first| (0..110).map(move |i| local(first) + m(97 * i)));
        for start in starts {
            for (w, calling) in windows.iter().enumerate() {
                for d in durations {
                    let finish = calling.advance(start, d).unwrap();
                    assert!(finish >= start, "window {w} from {start} + {d}");
                    assert_eq!(calling.open_between(start, finish), d, "window {w} from {start} to {finish}");
                    let inside = calling.is_open(finish)
                        || (d > SignedDuration::ZERO && calling.is_open(finish - SignedDuration::from_nanos(1)));
                    assert!(inside, "window {w} from {start} + {d} finishes outside at {finish}");
                }
            }
        }
    }
}
