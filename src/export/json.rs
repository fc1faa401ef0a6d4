//! Campaign objects from `.json`, `.jsonl`/`.ndjson` files and bundle `campaign.json` files.
//!
//! Each campaign is parsed on its own, so one bad campaign in a bulk file does not
//! hide the others; its errors carry the line and column in the file it came from.

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{InputError, Position, locate};
use crate::model::Campaign;

/// A campaign object as read, with where it came from.
#[derive(Debug)]
pub struct ParsedCampaign {
    /// The typed campaign.
    pub campaign: Campaign,
    /// The object's JSON text, for the export copy.
    pub raw: String,
    /// The file it came from.
    pub file: std::path::PathBuf,
    /// Line and column of the object's first character in that file.
    pub start: (u64, u64),
    /// Mapped from a platform's export (docs/platforms.md): `raw` is the mapped object,
    /// so positions in it are not positions in `file`.
    pub mapped: bool,
}

/// Result of reading one input file: the campaigns that parsed and the problems found.
pub type Parsed = (Vec<ParsedCampaign>, Vec<InputError>);

/// Checks that a file is UTF-8, naming the position of the first bad byte.
pub fn decode_utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(&bytes[..e.valid_up_to()], e.valid_up_to());
        InputError::field(path, Position::at(line, column), "", "invalid UTF-8: exports must be UTF-8 text")
    })
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &[u8], offset: usize) -> (u64, u64) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() as u64 + 1;
    (line, column)
}

/// Turns a serde error in `text`, with the path of the field it is about, into an input error.
pub fn path_error(
    path: &Path,
    text: &str,
    line: u64,
    column: u64,
    err: serde_path_to_error::Error<serde_json::Error>,
) -> InputError {
    serde_error(path, Some(text), line, column, err.path().to_string(), err.inner())
}

/// Turns a serde error inside an object `text` starting at (`line`, `column`) of `path` into an input error.
///
/// A value that was read but refused is pointed at where it starts (found again by its
/// path), not where serde_json stopped, which is after it; a missing field points at
/// the object that lacks it. Syntax errors keep serde_json's position.
pub fn serde_error(
    path: &Path,
    text: Option<&str>,
    line: u64,
    column: u64,
    field: String,
    inner: &serde_json::Error,
) -> InputError {
    let in_object =
        |(l, c): (u64, u64)| if l == 1 { Position::at(line, column + c - 1) } else { Position::at(line + l - 1, c) };
    let located = text.filter(|_| inner.classify() == serde_json::error::Category::Data).and_then(|text| {
        let steps = locate::steps(if field == "." { "" } else { &field });
        locate::value_offset(text, &steps).map(|offset| line_col(text.as_bytes(), offset))
    });
    let position = match located {
        Some(at) => in_object(at),
        None if inner.line() == 0 => Position::default(),
        None => in_object((inner.line() as u64, inner.column() as u64)),
    };
    // serde_json appends " at line L column C"; the position is already given.
    let message = inner.to_string();
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    let mut field = if field == "." { String::new() } else { field };
    // "missing field `name`": the field is the missing one, not its parent.
    if let Some(name) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
        field = if field.is_empty() { name.to_string() } else { format!("{field}.{name}") };
    }
    let message =
        if message.starts_with("missing field") { format!("{message}: this field is required") } else { message };
    // Say what a user would write, not the Rust type.
    let message = message
        .replace("expected u32", "expected a whole number ≥ 0")
        .replace("expected u64", "expected a whole number ≥ 0")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected true or false");
    InputError::field(path, position, field, message)
}

/// Parses one campaign object whose text starts at (`line`, `column`) of `path`.
pub fn parse_campaign(path: &Path, text: &str, line: u64, column: u64) -> Result<ParsedCampaign, InputError> {
    // Tracking the path of every value costs as much as the parse: an object is first
    // parsed without it, and only one that is refused is parsed again with it, the way
    // that names the field.
    let mut de = serde_json::Deserializer::from_str(text);
    let campaign = match Campaign::deserialize(&mut de).and_then(|c| de.end().map(|()| c)) {
        Ok(campaign) => campaign,
        Err(_) => tracked(path, text, line, column)?,
    };
    Ok(ParsedCampaign {
        campaign,
        raw: text.to_string(),
        file: path.to_path_buf(),
        start: (line, column),
        mapped: false,
    })
}

/// Parses one campaign object tracking the path of every value, so that a refused value
/// is named by its field.
fn tracked(path: &Path, text: &str, line: u64, column: u64) -> Result<Campaign, InputError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let campaign: Campaign =
        serde_path_to_error::deserialize(&mut de).map_err(|e| path_error(path, text, line, column, e))?;
    de.end().map_err(|e| serde_error(path, None, line, column, String::new(), &e))?;
    Ok(campaign)
}

/// Reads a `.json` file: one campaign object, or `{"campaigns": [...]}`.
pub fn read_json_file(path: &Path, bytes: &[u8]) -> Parsed {
    let text = match decode_utf8(path, bytes) {
        Ok(t) => t,
        Err(e) => return (Vec::new(), vec![e]),
    };
    // A file that is not even JSON falls through to the campaign parser, whose error names the field.
    if let Ok(Some((list, exported_at))) = wrapper_probe(text) {
        let (mut campaigns, mut errors) = read_campaign_list(path, text, &list);
        // The wrapper's `exported_at` is the data time of every campaign without its own.
        match exported_at.map_or(Ok(None), |raw| wrapper_time(path, text, raw)) {
            Ok(Some(at)) => {
                for c in campaigns.iter_mut().filter(|c| c.campaign.exported_at.is_none()) {
                    c.campaign.exported_at = Some(at);
                }
            }
            Ok(None) => {}
            Err(e) => {
                // Without its data time, no campaign of the file is described correctly.
                errors.push(e);
                campaigns.clear();
            }
        }
        return (campaigns, errors);
    }
    match parse_campaign(path, text, 1, 1) {
        Ok(c) => (vec![c], Vec::new()),
        Err(e) => (Vec::new(), vec![e]),
    }
}

/// The raw `campaigns` list and `exported_at` when `text` is a `{"campaigns": [...]}`
/// wrapper without an `id`.
#[allow(clippy::type_complexity)]
fn wrapper_probe(text: &str) -> Result<Option<(Vec<&RawValue>, Option<&RawValue>)>, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct Probe<'a> {
        #[serde(borrow)]
        campaigns: Option<&'a RawValue>,
        id: Option<&'a RawValue>,
        #[serde(borrow)]
        exported_at: Option<&'a RawValue>,
    }
    let probe: Probe = serde_json::from_str(text)?;
    match (probe.campaigns, probe.id) {
        (Some(list), None) => Ok(Some((serde_json::from_str(list.get())?, probe.exported_at))),
        _ => Ok(None),
    }
}

/// The wrapper's `exported_at`, read as a campaign's is (null means none).
fn wrapper_time(path: &Path, text: &str, raw: &RawValue) -> Result<Option<jiff::Timestamp>, InputError> {
    #[derive(serde::Deserialize)]
    struct Time {
        #[serde(default, deserialize_with = "crate::model::de_time")]
        exported_at: Option<jiff::Timestamp>,
    }
    let wrapped = format!("{{\"exported_at\":{}}}", raw.get());
    let (line, column) = key_position(text, "exported_at");
    match serde_json::from_str::<Time>(&wrapped) {
        Ok(Time { exported_at }) => Ok(exported_at),
        Err(e) => {
            let message = e.to_string();
            let message = message.rfind(" at line ").map_or(message.as_str(), |i| &message[..i]).to_string();
            Err(InputError::field(path, Position::at(line, column), "exported_at", message))
        }
    }
}

fn read_campaign_list(path: &Path, text: &str, list: &[&RawValue]) -> Parsed {
    let mut campaigns = Vec::new();
    let mut errors = Vec::new();
    for item in list {
        // Each item borrows from `text`: its offset gives its line and column.
        let offset = item.get().as_ptr() as usize - text.as_ptr() as usize;
        let (line, column) = line_col(text.as_bytes(), offset);
        match parse_campaign(path, item.get(), line, column) {
            Ok(c) => campaigns.push(c),
            Err(e) => errors.push(e),
        }
    }
    (campaigns, errors)
}

/// Reads a `.jsonl`/`.ndjson` file: one campaign object per non-blank line.
///
/// Lines are decoded one by one, so a line that is not UTF-8 is reported alone.
pub fn read_json_lines(path: &Path, bytes: &[u8]) -> Parsed {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut campaigns = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let number = index as u64 + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = match std::str::from_utf8(line) {
            Ok(l) => l,
            Err(e) => {
                let column = String::from_utf8_lossy(&line[..e.valid_up_to()]).chars().count() as u64 + 1;
                errors.push(InputError::field(
                    path,
                    Position::at(number, column),
                    "",
                    "invalid UTF-8: exports must be UTF-8 text",
                ));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match parse_campaign(path, line, number, 1) {
            Ok(c) => campaigns.push(c),
            Err(e) => errors.push(e),
        }
    }
    (campaigns, errors)
}

/// Largest JSON or JSONL file read; larger exports are refused with a clear error
/// rather than read into memory.
pub const MAX_JSON_BYTES: u64 = 512 << 20;

/// Reads a JSON file whole, refusing files over [`MAX_JSON_BYTES`].
pub fn read_limited(path: &Path) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| InputError::file(path, format!("cannot read: {}", crate::os::describe(&e))))?;
    let mut bytes = Vec::new();
    file.take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::file(path, format!("cannot read: {}", crate::os::describe(&e))))?;
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(InputError::file(
            path,
            format!(
                "the file is larger than {} MiB; split it (a .jsonl bulk export can be cut at any line) or move large tables to CSV files",
                MAX_JSON_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// Where the top-level `key` of the object `text` is, for errors found after parsing.
///
/// Scans the text once, skipping strings and nested values; returns the start of the
/// object when the key is absent.
pub fn key_position(text: &str, key: &str) -> (u64, u64) {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if depth == 1 && &text[start + 1..i.min(text.len())] == key {
                    let rest = text[i.min(text.len())..].trim_start_matches(['"', ' ', '\t', '\r', '\n']);
                    if rest.starts_with(':') {
                        return line_col(bytes, start);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    (1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_at_the_top_level_only() {
        let text = "{\n  \"config\": {\"status\": 1},\n  \"note\": \"\\\"status\\\": x\",\n  \"status\": \"x\"\n}";
        assert_eq!(key_position(text, "status"), (4, 3));
        assert_eq!(key_position(text, "missing"), (1, 1));
    }

    #[test]
    fn a_wrapper_gives_its_export_time_to_campaigns_without_one() {
        let c = |id: &str, extra: &str| {
            format!(r#"{{"id": "{id}", "name": "N", "tenant": {{"id": "t", "name": "T"}}, "status": "draft"{extra}}}"#)
        };
        let text = format!(
            "{{\"exported_at\": \"2026-11-27T12:00:00Z\",\n \"campaigns\": [{}, {}]}}",
            c("a", ""),
            c("b", r#", "exported_at": "2026-11-20T08:00:00Z""#)
        );
        let (campaigns, errors) = read_json_file(Path::new("w.json"), text.as_bytes());
        assert!(errors.is_empty(), "{errors:?}");
        let times: Vec<String> = campaigns.iter().map(|c| c.campaign.exported_at.unwrap().to_string()).collect();
        assert_eq!(times, ["2026-11-27T12:00:00Z", "2026-11-20T08:00:00Z"]);
        let bad = format!("{{\"campaigns\": [{}],\n  \"exported_at\": \"yesterday\"}}", c("a", ""));
        let (campaigns, errors) = read_json_file(Path::new("w.json"), bad.as_bytes());
        assert!(campaigns.is_empty());
        let e = errors[0].to_string();
        assert!(e.starts_with("w.json:2:3: field `exported_at`: invalid time \"yesterday\""), "{e}");
    }

    #[test]
    fn lines_and_columns_count_characters() {
        assert_eq!(line_col("ab\ncé d".as_bytes(), "ab\ncé ".len()), (2, 4));
    }
}
