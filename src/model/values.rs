//! Values checked on their own while deserialising: ids that become folder names,
//! E.164 numbers, clock times, numbers ≥ 0 and time zone names.
//!
//! Each type's JSON Schema says what its `Deserialize` accepts (docs/export-format.md
//! names the few rules a schema cannot state); `tests/e2e/schema.rs` holds the two
//! to each other with a JSON Schema validator.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, de};

/// Declares a validated string newtype.
macro_rules! checked_string {
    ($(#[$meta:meta])* $name:ident, $check:path, $schema:tt) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps a value.
            pub fn new(s: &str) -> Result<Self, String> {
                $check(s).map(|()| $name(s.to_string()))
            }

            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = Text::deserialize(d)?;
                $check(&s).map_err(de::Error::custom)?;
                Ok($name(s.0.into_owned()))
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

checked_string! {
    /// A campaign or tenant id, safe to use as a folder name.
    Id, check_id, {
        "description": "Campaign or tenant id: it becomes a folder name, so it may not end with a dot or be a name Windows reserves (CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9, with or without an extension, any case).",
        "type": "string",
        "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$",
        "not": { "pattern": "^([Cc][Oo][Nn]|[Pp][Rr][Nn]|[Aa][Uu][Xx]|[Nn][Uu][Ll]|[Cc][Oo][Mm][1-9]|[Ll][Pp][Tt][1-9])([.]|$)|[.]$" }
    }
}

checked_string! {
    /// A phone number in E.164 form (`+14155550123`).
    Phone, check_e164, {
        "description": "Phone number in E.164 form: +, a non-zero digit, 7 to 15 digits in all.",
        "type": "string",
        "pattern": "^\\+[1-9][0-9]{6,14}$"
    }
}

checked_string! {
    /// A string that must not be empty.
    NonEmpty, check_non_empty, {
        "description": "Text with at least one character that is not white space.",
        "type": "string",
        "pattern": (format!("[^{}]", white_space_class()))
    }
}

checked_string! {
    /// A clock time `HH:MM` (24-hour).
    ClockTime, check_clock, {
        "description": "Clock time HH:MM, 24-hour.",
        "type": "string",
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"
    }
}

fn check_id(s: &str) -> Result<(), String> {
    let bytes = s.as_bytes();
    let ok_first = bytes.first().is_some_and(|b| b.is_ascii_alphanumeric());
    let ok_rest = bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b));
    if !ok_first || !ok_rest || bytes.len() > 128 {
        return Err(format!(
            "invalid id {}: ids become folder names and must match [A-Za-z0-9][A-Za-z0-9._-]{{0,127}}",
            shorten(s)
        ));
    }
    let stem = s.split('.').next().unwrap_or(s).to_ascii_lowercase();
    // Names Windows refuses as file names; refused everywhere so archives move freely.
    let numbered =
        |prefix: &str| stem.len() == 4 && stem.starts_with(prefix) && (b'1'..=b'9').contains(&stem.as_bytes()[3]);
    let device = matches!(stem.as_str(), "con" | "prn" | "aux" | "nul") || numbered("com") || numbered("lpt");
    if device || s.ends_with('.') {
        return Err(format!("invalid id {}: it is a reserved file name on some systems", shorten(s)));
    }
    Ok(())
}

/// A string read from an export, borrowed from the input where the format allows it (a
/// CSV field, a JSON string without escapes) and copied where it does not.
///
/// Serde's own `Cow<str>` always copies: a value read only to be checked or parsed (a
/// time, a word, a number kept elsewhere) would cost an allocation, millions of them in
/// a large table. It reads what a `String` reads and fails with the same messages.
pub(crate) struct Text<'a>(pub(crate) std::borrow::Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Text<'de>, E> {
                match std::str::from_utf8(v) {
                    Ok(s) => self.visit_str(s),
                    Err(_) => Err(de::Error::invalid_value(de::Unexpected::Bytes(v), &self)),
                }
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Text<'de>, E> {
                match std::str::from_utf8(v) {
                    Ok(s) => self.visit_borrowed_str(s),
                    Err(_) => Err(de::Error::invalid_value(de::Unexpected::Bytes(v), &self)),
                }
            }
        }
        d.deserialize_str(Visitor)
    }
}

/// Whether `s` is an E.164 number: `+`, a non-zero digit, 7 to 15 digits in all.
pub fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else { return false };
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

pub(crate) fn check_e164(s: &str) -> Result<(), String> {
    if is_e164(s) {
        Ok(())
    } else {
        Err(format!("invalid phone number {}, expected E.164 such as +14155550123", shorten(s)))
    }
}

fn check_non_empty(s: &str) -> Result<(), String> {
    if s.trim().is_empty() { Err("must not be empty".to_string()) } else { Ok(()) }
}

fn check_clock(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let ok = b.len() == 5
        && b[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && s[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u32>().is_ok_and(|m| m < 60);
    if ok { Ok(()) } else { Err(format!("invalid time {}, expected HH:MM such as 09:00", shorten(s))) }
}

/// A value quoted for an error message, cut short so one huge field cannot flood the output.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head:?}… ({} characters)", s.chars().count())
    }
}

/// A finite number ≥ 0 (seconds, milliseconds, money).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct NonNegative(pub f64);

/// The characters `str::trim` removes (Unicode White_Space), as ranges.
const WHITE_SPACE: [(char, char); 10] = [
    ('\t', '\r'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{A0}', '\u{A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];

/// [`WHITE_SPACE`] as the inside of a regular expression class (`\u0009-\u000D…`):
/// every schema pattern of a value that is read trimmed uses it.
pub(crate) fn white_space_class() -> String {
    let code = |c: char| format!("\\u{:04X}", c as u32);
    WHITE_SPACE
        .iter()
        .map(|&(first, last)| if first == last { code(first) } else { format!("{}-{}", code(first), code(last)) })
        .collect()
}

/// A decimal string [`NonNegative`] reads (trimmed): what `f64::from_str` accepts,
/// less the minus sign, infinities and NaN.
fn decimal_pattern() -> String {
    let ws = white_space_class();
    format!(r"^[{ws}]*\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[{ws}]*$")
}

impl JsonSchema for NonNegative {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NonNegative".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let number = schemars::json_schema!({ "type": "number", "minimum": 0, "maximum": f64::MAX });
        if !generator.contract().is_deserialize() {
            return number;
        }
        schemars::json_schema!({
            "description": "A finite number ≥ 0 (seconds, milliseconds, money), or a decimal string such as \"0.013\" (read trimmed, without a minus sign).",
            "anyOf": [number, { "type": "string", "pattern": decimal_pattern() }]
        })
    }
}

impl Serialize for NonNegative {
    /// Whole numbers are written as integers (`1183`, not `1183.0`), as exports write them.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0 < 9_007_199_254_740_992.0 {
            s.serialize_u64(self.0 as u64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for NonNegative {
    /// Accepts a number or a decimal string (money is often exported as `"0.013"`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = f64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a finite number ≥ 0")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }
            /// A minus sign is refused even on a zero: a decimal string has one form
            /// ([`decimal_pattern`]), and `"-1e-400"` would otherwise be read as −0.
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                let t = v.trim();
                t.parse::<f64>()
                    .ok()
                    .filter(|_| !t.starts_with('-'))
                    .ok_or_else(|| E::custom(format!("invalid number {}, expected a finite number ≥ 0", shorten(v))))
            }
        }
        let v = d.deserialize_any(Visitor)?;
        if v.is_finite() && v >= 0.0 {
            Ok(NonNegative(v))
        } else {
            Err(de::Error::custom(format!("invalid number {v}, expected a finite number ≥ 0")))
        }
    }
}

/// An IANA time zone name, checked against the bundled time zone database, with the
/// zone it names (looked up once: pages format thousands of times in it).
#[derive(Clone, Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String, #[serde(skip)] jiff::tz::TimeZone);

impl TimeZoneName {
    /// Checks a name against the time zone database.
    pub fn new(s: &str) -> Result<Self, String> {
        jiff::tz::TimeZone::get(s)
            .map(|zone| TimeZoneName(s.to_string(), zone))
            .map_err(|_| format!("unknown time zone {}, expected an IANA name such as America/New_York", shorten(s)))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The time zone.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        self.1.clone()
    }
}

// By name alone: the name says all of the zone (and the workspace's debug form enters
// every rebuild key, see pipeline::plan).
impl std::fmt::Debug for TimeZoneName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TimeZoneName").field(&self.0).finish()
    }
}

impl PartialEq for TimeZoneName {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for TimeZoneName {}

impl Default for TimeZoneName {
    fn default() -> Self {
        TimeZoneName("UTC".to_string(), jiff::tz::TimeZone::UTC)
    }
}

impl<'de> Deserialize<'de> for TimeZoneName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Text::deserialize(d)?;
        TimeZoneName::new(&s).map_err(de::Error::custom)
    }
}

impl JsonSchema for TimeZoneName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TimeZoneName".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "IANA time zone name, such as America/New_York (looked up in the time zone database campaign-report bundles).",
            "type": "string"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_cannot_be_folder_names_are_refused() {
        for bad in ["", "..", ".hidden", "a/b", "/etc", "a\0b", "CON", "com1", "lpt9.txt", "x.", &"a".repeat(129)] {
            assert!(check_id(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["q3-winback", "A.b_c-1", "console", "com", &"a".repeat(128)] {
            assert!(check_id(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn decimal_strings_are_read_trimmed_and_without_a_minus_sign() {
        let read = |json: &str| serde_json::from_str::<NonNegative>(json).map(|n| n.0).map_err(|e| e.to_string());
        assert_eq!(read(r#"" 0.013\u3000""#), Ok(0.013));
        assert_eq!(read(r#""+.5""#), Ok(0.5));
        assert_eq!(read("-0"), Ok(0.0), "a JSON number −0 is zero");
        for refused in [r#""-0""#, r#""-1e-400""#, r#""1e400""#, r#""NaN""#, "-1"] {
            assert!(read(refused).is_err(), "{refused} accepted");
        }
    }

    #[test]
    fn the_white_space_listed_is_what_trim_removes() {
        let listed: Vec<char> = WHITE_SPACE.iter().flat_map(|&(first, last)| first..=last).collect();
        let trimmed: Vec<char> =
            (0..=char::MAX as u32).filter_map(char::from_u32).filter(|c| c.is_whitespace()).collect();
        assert_eq!(listed, trimmed);
        assert!(white_space_class().starts_with(r"\u0009-\u000D\u0020\u0085"));
    }

    #[test]
    fn e164() {
        assert!(is_e164("+14155550123"));
        assert!(is_e164("+447700900123"));
        assert!(!is_e164("14155550123"));
        assert!(!is_e164("+0123456789"));
        assert!(!is_e164("+1415555012345678"));
        assert!(!is_e164("555-1234"));
    }
}
