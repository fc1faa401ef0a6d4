//! How numbers, times, durations and words read on a page.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An optional count, or an em dash.
pub fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "—".to_string(), thousands)
}

/// A percentage already in 0..100, one decimal: `12.5%`.
pub fn percent(p: f64) -> String {
    format!("{p:.1}%")
}

/// A fraction in 0..1 as a percentage with one decimal, or an em dash.
pub fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_string(), |r| percent((r * 1000.0).round() / 10.0))
}

/// Seconds in words: `45 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`.
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 if s.is_multiple_of(60) => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        3600..=86399 if (s % 3600) / 60 == 0 => format!("{} h", s / 3600),
        3600..=86399 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        _ if (s % 86400) / 3600 == 0 => format!("{} d", s / 86400),
        _ => format!("{} d {} h", s / 86400, (s % 86400) / 3600),
    }
}

/// Milliseconds: `850 ms`, `1.2 s`.
pub fn millis(ms: f64) -> String {
    if ms < 1000.0 { format!("{} ms", ms.round() as u64) } else { format!("{:.1} s", ms / 1000.0) }
}

/// A moment in `zone`, with the zone shown: `2026-11-27 07:00 EST`.
pub fn time(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string()
}

/// An optional moment, or an em dash.
pub fn time_or_dash(at: Option<Timestamp>, zone: &TimeZone) -> String {
    at.map_or_else(|| "—".to_string(), |t| time(t, zone))
}

/// An id as words: `not_interested` → `not interested`. Raw ids stay in
/// `summary.json` and the export copies; pages and PDFs show words.
pub fn words(id: &str) -> String {
    id.replace('_', " ")
}

/// A word as a label reads it: `in_progress` → `In progress`.
pub fn label(word: &str) -> String {
    let spaced = word.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(rate(Some(1.0 / 3.0)), "33.3%");
        assert_eq!(rate(None), "—");
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(200.0), "3 min 20 s");
        assert_eq!(duration(7500.0), "2 h 5 min");
        assert_eq!(duration(86400.0 * 3.0), "3 d");
        assert_eq!(millis(850.0), "850 ms");
        assert_eq!(millis(1240.0), "1.2 s");
    }

    #[test]
    fn times_show_the_zone() {
        let at: Timestamp = "2026-11-27T12:00:00Z".parse().unwrap();
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(time(at, &ny), "2026-11-27 07:00 EST");
    }

    #[test]
    fn words_read_as_labels() {
        assert_eq!(label("in_progress"), "In progress");
        assert_eq!(label("mon"), "Mon");
        assert_eq!(label(""), "");
        assert_eq!(words("callback_booked"), "callback booked");
    }
}
