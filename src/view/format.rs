//! How numbers, times, durations and phone numbers read on a page.

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

pub use super::phone::phone;

/// A phone number masked for people outside the team: `+1 415 ••• ••12`.
///
/// Keeps the country code, the first three national digits and the last two, so a
/// number can be recognised but not dialled. Any other text keeps its last two characters.
pub fn mask_phone(raw: &str) -> String {
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    if raw.trim_start().starts_with('+') && digits.len() >= 7 {
        // The country code is what the international format puts before its first separator.
        let formatted = phone(&format!("+{digits}"));
        let cc_len = formatted[1..].find(|c: char| !c.is_ascii_digit()).unwrap_or(1).clamp(1, 3);
        let (cc, national) = digits.split_at(cc_len.min(digits.len() - 5));
        let last = &national[national.len() - 2..];
        // Three leading digits (an area code) stay only where enough others are hidden.
        return if national.len() >= 9 {
            format!("+{cc} {} ••• ••{last}", &national[..3])
        } else {
            format!("+{cc} ••• ••{last}")
        };
    }
    mask_text(raw, 2)
}

/// Masks the phone numbers inside free text (runs of 7 or more digits, with the spaces,
/// dashes, dots and brackets people write between them).
pub fn mask_numbers_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let part_of_number = |c: char| c.is_ascii_digit() || " +-.()".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while i < chars.len() && part_of_number(chars[i]) {
                i += 1;
            }
            // Separators after the last digit are not part of the number.
            let mut end = i;
            while end > start && !chars[end - 1].is_ascii_digit() {
                end -= 1;
            }
            let run: String = chars[start..end].iter().collect();
            let groups: Vec<usize> = run.split('-').map(str::len).collect();
            let date = groups == [4, 2, 2];
            if !date && run.chars().filter(char::is_ascii_digit).count() >= 7 {
                let digits: String = run.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                out.push_str(&mask_phone(&digits));
            } else {
                out.push_str(&run);
            }
            out.extend(&chars[end..i]);
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Masks a contact name: the first letter of each word stays (`Maria González` → `M•••• G•••••••`).
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(String::from).unwrap_or_default();
            first + &"•".repeat(chars.count())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn mask_text(raw: &str, keep_last: usize) -> String {
    let n = raw.chars().count();
    if n <= keep_last {
        return "•".repeat(n);
    }
    let tail: String = raw.chars().skip(n - keep_last).collect();
    "•".repeat(n - keep_last) + &tail
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
    fn phones_are_formatted_and_masked() {
        assert_eq!(phone("+14155550123"), "+1 415-555-0123");
        assert_eq!(phone("+14155550199"), "+1 415-555-0199");
        assert_eq!(phone("+447700900123"), "+44 7700 900123");
        assert_eq!(phone("+4915112345678"), "+49 1511 2345678");
        assert_eq!(phone("not a number"), "not a number");
        assert_eq!(mask_phone("+14155550112"), "+1 415 ••• ••12");
        assert_eq!(mask_phone("+447700900123"), "+44 770 ••• ••23");
        assert_eq!(mask_name("Maria González"), "M•••• G•••••••");
        assert_eq!(mask_phone("555-1234"), "••••••34");
        assert_eq!(mask_phone("+3541234567"), "+354 ••• ••67");
        assert_eq!(mask_numbers_in("not a phone number: 555-0199"), "not a phone number: •••••99");
        assert_eq!(mask_numbers_in("uploaded 2026-11-24, 1,200 rows"), "uploaded 2026-11-24, 1,200 rows");
        assert_eq!(mask_numbers_in("call +1 415 555 0199 after 5"), "call +1 415 ••• ••99 after 5");
        assert_eq!(mask_numbers_in("row 17"), "row 17");
    }
}
