//! Values checked on their own while deserialising: ids that become folder names,
//! E.164 numbers, clock times, numbers ≥ 0 and time zone names.

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
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $check(&s).map_err(de::Error::custom)?;
                Ok($name(s.into_owned()))
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
    Id, check_id, { "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$" }
}

checked_string! {
    /// A phone number in E.164 form (`+14155550123`).
    Phone, check_e164, { "type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$" }
}

checked_string! {
    /// A string that must not be empty.
    NonEmpty, check_non_empty, { "type": "string", "minLength": 1 }
}

checked_string! {
    /// A clock time `HH:MM` (24-hour).
    ClockTime, check_clock, { "type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$" }
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

/// Whether `s` is an E.164 number: `+`, a non-zero digit, 7 to 15 digits in all.
pub fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else { return false };
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

fn check_e164(s: &str) -> Result<(), String> {
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
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, JsonSchema)]
pub struct NonNegative(#[schemars(range(min = 0))] pub f64);

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
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| E::custom(format!("invalid number {}, expected a finite number ≥ 0", shorten(v))))
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

/// An IANA time zone name, checked against the bundled time zone database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    /// Checks a name against the time zone database.
    pub fn new(s: &str) -> Result<Self, String> {
        jiff::tz::TimeZone::get(s)
            .map(|_| TimeZoneName(s.to_string()))
            .map_err(|_| format!("unknown time zone {}, expected an IANA name such as America/New_York", shorten(s)))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The time zone.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        TimeZoneName("UTC".to_string())
    }
}

impl<'de> Deserialize<'de> for TimeZoneName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        TimeZoneName::new(&s).map_err(de::Error::custom)
    }
}

impl JsonSchema for TimeZoneName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TimeZoneName".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "description": "IANA time zone name" })
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
    fn e164() {
        assert!(is_e164("+14155550123"));
        assert!(is_e164("+447700900123"));
        assert!(!is_e164("14155550123"));
        assert!(!is_e164("+0123456789"));
        assert!(!is_e164("+1415555012345678"));
        assert!(!is_e164("555-1234"));
    }
}
