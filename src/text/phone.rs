//! Phone numbers in international format, fast enough for millions of task rows.
//!
//! The `phonenumber` crate's metadata says how each numbering plan groups its digits.
//! Its formats are written into the build (build.rs): loading the crate's metadata at
//! run time costs about 90 ms of CPU (it checks every pattern of every plan), and
//! parsing a number with the crate costs tens of microseconds (it validates the number
//! against every number type of its plan, through a regex cache behind a global lock).
//! The numbers here are already known to be E.164, so the tool picks the format from
//! the plan's formats itself, the way the crate's formatter does, and never parses;
//! it compiles a plan's patterns when it first meets the plan.
//!
//! Which format applies, and so where the spaces and dashes go, depends only on the
//! country code, the number's length and its first few national digits: those the
//! plan's leading-digits and grouping patterns read. That count is read from the
//! patterns once per country code; the shape of the format (`+# ###-###-####`) is then
//! learnt once per country code, deciding digits and length, and applied to every
//! other number that shares them. Every digit of the export is kept: where the crate
//! would drop a trunk prefix written after the country code (`+91 0…`), the tool shows
//! the number as exported.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock, RwLock};

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Class, Hir, HirKind};

/// An E.164 number in international format (`+1 415-555-0123`); unknown plans stay as given.
pub fn phone(e164: &str) -> String {
    let Some(digits) = e164.strip_prefix('+').filter(|_| crate::model::is_e164(e164)) else {
        return e164.to_string();
    };
    let Plan::Code { cc, len, deciding } = plan(digits) else {
        return e164.to_string();
    };
    let national = &digits[len..];
    let Some(key) = deciding.map(|deciding| shape_key(digits, len + deciding)) else {
        // The patterns of this plan do not bound the digits they read: no sharing.
        return international(cc, national).unwrap_or_else(|| e164.to_string());
    };
    let in_shape = |shape: &Option<String>| match shape {
        Some(shape) => apply(shape, digits),
        None => international(cc, national).unwrap_or_else(|| e164.to_string()),
    };
    if let Some(formatted) = LOCAL.with_borrow(|local| local.get(&key).map(in_shape)) {
        return formatted;
    }
    let mut full = true;
    if let Ok(shapes) = SHAPES.read() {
        if let Some(shape) = shapes.get(&key) {
            let shape = shape.clone();
            let formatted = in_shape(&shape);
            remember_here(key, shape);
            return formatted;
        }
        full = shapes.len() >= MAX_SHAPES;
    }
    let formatted = international(cc, national).unwrap_or_else(|| e164.to_string());
    let shape = shape_of(&formatted, digits);
    // Once full, a miss takes no write lock, which would hold up every other thread.
    if !full
        && let Ok(mut shapes) = SHAPES.write()
        && shapes.len() < MAX_SHAPES
    {
        shapes.insert(key, shape.clone());
    }
    remember_here(key, shape);
    formatted
}

/// Keeps a shape in this thread's copy, while it has room.
fn remember_here(key: ShapeKey, shape: Option<String>) {
    LOCAL.with_borrow_mut(|local| {
        if local.len() < MAX_SHAPES {
            local.insert(key, shape);
        }
    });
}

/// The international format of a national number, as the `phonenumber` crate formats a
/// parsed number: the first of the plan's formats whose last leading-digits pattern
/// matches at the start of the number and whose grouping pattern matches all of it
/// regroups the digits; without one, the number follows the country code as it is.
/// Parsing, which also validates the number against every number type of the plan,
/// is skipped: the number is already known to be E.164.
fn international(cc: u16, national: &str) -> Option<String> {
    let (at, plan) = numbering(cc)?;
    let compiled = &COMPILED[at];
    let chosen = plan.formats.iter().zip(compiled.iter()).find(|(f, c)| match f.leading {
        None => true,
        Some(leading) => {
            c.leading
                .get_or_init(|| compile(leading))
                .as_ref()
                .is_some_and(|re| re.find(national).is_some_and(|m| m.start() == 0))
                && c.pattern
                    .get_or_init(|| compile(f.pattern))
                    .as_ref()
                    .is_some_and(|re| re.find(national).is_some_and(|m| m.start() == 0 && m.end() == national.len()))
        }
    });
    let grouped = match chosen.and_then(|(f, c)| Some((f, c.pattern.get_or_init(|| compile(f.pattern)).as_ref()?))) {
        Some((f, pattern)) => pattern.replace(national, f.format).into_owned(),
        None => national.to_string(),
    };
    Some(format!("+{cc} {grouped}"))
}

/// A numbering plan's formats, as the `phonenumber` crate's metadata lists them for its
/// country code (its international formats, or its national ones when it has none).
struct Numbering {
    code: u16,
    formats: &'static [Format],
}

/// One format: the grouping pattern, its replacement, and the last of its leading-digits
/// patterns (`None` when it has none).
struct Format {
    pattern: &'static str,
    format: &'static str,
    leading: Option<&'static str>,
}

/// Every plan, by country code in ascending order, written by build.rs.
static NUMBERING: &[Numbering] = include!(concat!(env!("OUT_DIR"), "/numbering.rs"));

/// The plan of a country code, if there is one.
fn numbering(cc: u16) -> Option<(usize, &'static Numbering)> {
    let at = NUMBERING.binary_search_by_key(&cc, |n| n.code).ok()?;
    Some((at, &NUMBERING[at]))
}

/// A format's patterns, each compiled when a number first needs it: the formats of a
/// plan are tried in order, and most numbers are decided by the first few.
#[derive(Default)]
struct CompiledFormat {
    pattern: OnceLock<Option<Regex>>,
    leading: OnceLock<Option<Regex>>,
}

/// A pattern compiled as the `phonenumber` crate compiles the metadata's (whitespace
/// ignored), but with ASCII classes: the national numbers matched here are ASCII
/// digits only, which `\d` matches either way, and a Unicode `\d` made compiling the
/// patterns of a plan cost milliseconds. Every pattern compiles (a test checks it).
fn compile(pattern: &str) -> Option<Regex> {
    RegexBuilder::new(pattern).ignore_whitespace(true).unicode(false).build().ok()
}

/// The compiled patterns of each plan's formats, by the plan's place in [`NUMBERING`].
static COMPILED: LazyLock<Vec<Vec<CompiledFormat>>> = LazyLock::new(|| {
    NUMBERING.iter().map(|plan| plan.formats.iter().map(|_| CompiledFormat::default()).collect()).collect()
});

/// The digits of a number put into a shape's `#` places.
fn apply(shape: &str, digits: &str) -> String {
    let mut next = digits.bytes();
    let bytes: Vec<u8> = shape.bytes().map(|c| if c == b'#' { next.next().unwrap_or(b'#') } else { c }).collect();
    // ASCII digits in the places of ASCII `#`: the text stays UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The formatted number with its digits replaced by `#`, when its digits are the number's, in order.
fn shape_of(formatted: &str, digits: &str) -> Option<String> {
    let kept: String = formatted.chars().filter(char::is_ascii_digit).collect();
    (kept == digits).then(|| formatted.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect())
}

/// Deciding digits (as a number), how many they are and the number's length, in one
/// integer: the deciding digits are the country code and at most 8 national digits
/// (`every_plan_bounds_its_deciding_digits` checks the plans), so at most 11 digits,
/// under 2^37, shifted by two bytes.
type ShapeKey = u64;

/// The key of a number whose first `deciding` digits (country code included) decide its format.
fn shape_key(digits: &str, deciding: usize) -> ShapeKey {
    let end = deciding.min(digits.len());
    let value: u64 = digits[..end].parse().unwrap_or(0);
    (value << 16) | ((end as u64) << 8) | digits.len() as u64
}

/// Shapes by key. The keys come from the export's numbers, so the maps keep the standard
/// library's randomly keyed hasher: a fixed hash would let an export crowd its keys
/// into a few buckets.
type Shapes = HashMap<ShapeKey, Option<String>>;

/// Shapes learnt at the most: numbers past that are formatted each (a few microseconds).
/// Plans read at most 7 deciding digits, so a giant list of random numbers could
/// otherwise learn millions.
const MAX_SHAPES: usize = 100_000;

/// Format shapes by deciding digits and length, shared by every worker thread.
/// `None`: the formatted number does not keep the digits in order, so it is formatted each time.
static SHAPES: LazyLock<RwLock<Shapes>> = LazyLock::new(Default::default);

thread_local! {
    /// This thread's copy of the shapes it has used, so that a known shape takes no lock
    /// (a shared lock's counter bounces between the cores of the workers).
    static LOCAL: std::cell::RefCell<Shapes> = std::cell::RefCell::new(Shapes::default());
}

/// What the first three digits of a number say about its numbering plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// No plan has this country code: the number stays as given.
    Unknown,
    /// The country code and its length, and the national digits that decide the format
    /// (`None`: not bounded).
    Code { cc: u16, len: usize, deciding: Option<usize> },
}

/// Plans by the first three digits of a number, learnt on first use.
static PLANS: LazyLock<Vec<OnceLock<Plan>>> = LazyLock::new(|| (0..1000).map(|_| OnceLock::new()).collect());

/// Deciding national digits by country code, learnt on first use.
static DECIDING: LazyLock<RwLock<HashMap<u16, Option<usize>>>> = LazyLock::new(Default::default);

/// The plan of a number of 7 to 15 digits.
fn plan(digits: &str) -> Plan {
    let first3: usize = digits[..3].parse().unwrap_or(0);
    *PLANS[first3].get_or_init(|| plan_of(&digits[..3]))
}

fn plan_of(first3: &str) -> Plan {
    // Country codes are one to three digits and none is the prefix of another.
    for len in 1..=3 {
        let Ok(cc) = first3[..len].parse::<u16>() else { continue };
        if numbering(cc).is_some() {
            return Plan::Code { cc, len, deciding: deciding_for(cc) };
        }
    }
    Plan::Unknown
}

fn deciding_for(cc: u16) -> Option<usize> {
    if let Some(&known) = DECIDING.read().ok().as_ref().and_then(|d| d.get(&cc)) {
        return known;
    }
    let n = numbering(cc).and_then(|(_, plan)| deciding_digits(plan));
    if let Ok(mut d) = DECIDING.write() {
        d.insert(cc, n);
    }
    n
}

/// How many leading national digits the formats of a plan look at, besides the length.
///
/// The formatter takes the first format whose last leading-digits pattern matches at the
/// start of the national number and whose grouping pattern matches all of it, then
/// regroups the digits with that pattern. A leading-digits pattern reads at most its
/// longest match; a grouping pattern made of `\d` classes reads nothing but the length,
/// and one with narrower parts at fixed offsets reads up to the end of the last of them.
fn deciding_digits(plan: &Numbering) -> Option<usize> {
    let mut deciding = 0;
    for format in plan.formats {
        if let Some(leading) = format.leading {
            let hir = bounded(leading)?;
            deciding = deciding.max(hir.properties().maximum_len()?);
        }
        deciding = deciding.max(grouping_reads(&bounded(format.pattern)?)?);
    }
    Some(deciding)
}

/// A pattern without look-around (whose match could depend on digits past its end),
/// parsed as the metadata is compiled (whitespace ignored), with ASCII classes so that
/// lengths count digits.
fn bounded(pattern: &str) -> Option<Hir> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .ignore_whitespace(true)
        .build()
        .parse(pattern)
        .ok()?;
    hir.properties().look_set().is_empty().then_some(hir)
}

/// Leading digits that decide whether a grouping pattern matches a number of a given length.
fn grouping_reads(hir: &Hir) -> Option<usize> {
    let parts = match hir.kind() {
        HirKind::Concat(parts) => parts.as_slice(),
        _ => std::slice::from_ref(hir),
    };
    let mut offset = Some(0);
    let mut reads = 0;
    for part in parts {
        let props = part.properties();
        if !any_digit(part) {
            reads = reads.max(offset? + props.maximum_len()?);
        }
        offset = match (offset, props.minimum_len(), props.maximum_len()) {
            (Some(at), Some(min), Some(max)) if min == max => Some(at + min),
            _ => None,
        };
    }
    Some(reads)
}

/// Whether a pattern part accepts every digit wherever it reads one.
fn any_digit(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty => true,
        HirKind::Class(Class::Unicode(class)) => {
            ('0'..='9').all(|d| class.ranges().iter().any(|r| r.start() <= d && d <= r.end()))
        }
        HirKind::Class(Class::Bytes(class)) => {
            (b'0'..=b'9').all(|d| class.ranges().iter().any(|r| r.start() <= d && d <= r.end()))
        }
        HirKind::Repetition(rep) => any_digit(&rep.sub),
        HirKind::Capture(cap) => any_digit(&cap.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().all(any_digit),
        HirKind::Literal(_) | HirKind::Look(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: the `phonenumber` crate parses and formats the number whole
    /// (`None` when it cannot parse it).
    fn format_full(e164: &str) -> Option<String> {
        let n = phonenumber::parse(None, e164).ok()?;
        Some(n.format().mode(phonenumber::Mode::International).to_string())
    }

    /// The plans written into the build are the `phonenumber` crate's, format for
    /// format, and every pattern of every plan compiles.
    #[test]
    fn the_built_in_plans_are_the_crates() {
        let mut plans = 0;
        for cc in 1..1000u16 {
            let crate_meta = phonenumber::metadata::DATABASE.by_code(&cc).and_then(|m| m.into_iter().next());
            let (Some(meta), Some((_, plan))) = (crate_meta, numbering(cc)) else {
                assert!(numbering(cc).is_none(), "+{cc} has a built-in plan but no metadata");
                continue;
            };
            let formats =
                if meta.international_formats().is_empty() { meta.formats() } else { meta.international_formats() };
            let expected: Vec<(&str, &str, Option<&str>)> = formats
                .iter()
                .map(|f| (f.pattern().as_str(), f.format(), f.leading_digits().last().map(|l| l.as_str())))
                .collect();
            let built: Vec<(&str, &str, Option<&str>)> =
                plan.formats.iter().map(|f| (f.pattern, f.format, f.leading)).collect();
            assert_eq!(built, expected, "+{cc}");
            for f in plan.formats {
                assert!(compile(f.pattern).is_some(), "+{cc}: {} does not compile", f.pattern);
                assert!(f.leading.is_none_or(|l| compile(l).is_some()), "+{cc}: {:?} does not compile", f.leading);
            }
            plans += 1;
        }
        assert!(plans > 200, "only {plans} plans");
    }

    #[test]
    fn every_plan_bounds_its_deciding_digits() {
        let mut unbounded = Vec::new();
        let mut widest = 0;
        for cc in 1..1000u16 {
            if numbering(cc).is_none() {
                continue;
            }
            match deciding_for(cc) {
                Some(n) => widest = widest.max(n),
                None => unbounded.push(cc),
            }
        }
        assert!(unbounded.is_empty(), "plans whose formats read unbounded digits: {unbounded:?}");
        // A few digits at most (7 for the United Kingdom, Argentina and China), so
        // numbers share shapes; the area code in the North American plan.
        assert!(widest <= 8, "{widest}");
        assert_eq!(deciding_for(1), Some(3));
    }

    /// The shared shape gives what formatting each number whole gives, over numbers of
    /// many plans that share their first digits more or less far.
    #[test]
    fn shared_shapes_agree_with_full_formatting() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        let plans =
            ["1", "7", "20", "27", "31", "33", "34", "39", "44", "49", "52", "54", "55", "61", "81", "86", "91"];
        let (mut shared, mut compared) = (0, 0);
        for round in 0..1200 {
            let cc = plans[round % plans.len()];
            // A stem from a handful per plan, then random digits.
            let stem_seed = round % plans.len() * 7 + next(3);
            let stem: String = (0..next(8)).map(|i| char::from(b'0' + ((stem_seed * 31 + i * 7) % 10) as u8)).collect();
            let len = (6 + next(7)).max(stem.len());
            let tail: String = (stem.len()..len).map(|_| char::from(b'0' + next(10) as u8)).collect();
            let e164 = format!("+{cc}{stem}{tail}");
            if !crate::model::is_e164(&e164) {
                continue;
            }
            // Numbers the crate cannot parse (too short or too long for the plan) are
            // not compared: the crate leaves them as given, the tool groups them.
            let Some(expected) = format_full(&e164) else { continue };
            let digits = &e164[1..];
            let key = match plan(digits) {
                Plan::Code { len, deciding: Some(deciding), .. } => Some(shape_key(digits, len + deciding)),
                _ => None,
            };
            let learnt = key.is_some_and(|key| SHAPES.read().unwrap().contains_key(&key));
            let got = phone(&e164);
            if shape_of(&expected, &e164[1..]).is_some() {
                assert_eq!(got, expected, "{e164}");
                compared += 1;
            } else {
                // The crate dropped a trunk prefix (`+91 0…`): the tool keeps every digit.
                assert!(shape_of(&got, &e164[1..]).is_some(), "{e164} became {got}");
            }
            if learnt {
                shared += 1;
            }
        }
        assert!(compared > 800, "only {compared} numbers compared");
        assert!(shared > 300, "only {shared} numbers shared a learnt shape");
    }
}
