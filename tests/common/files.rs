//! Reading back what a run wrote: file trees, CSV tables, stderr lines.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Every file under `dir`, relative, `/`-separated, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, acc: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(root, &path, acc);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
                acc.push(parts.join("/"));
            }
        }
    }
    let mut acc = Vec::new();
    walk(dir, dir, &mut acc);
    acc.sort();
    acc
}

/// Contents of every file under `dir`, keyed by relative path.
pub fn contents_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|rel| {
            let bytes = fs::read(dir.join(&rel)).expect("read output file");
            (rel, bytes)
        })
        .collect()
}

/// Every `.html` file under `dir`, sorted.
pub fn html_pages(dir: &Path) -> Vec<PathBuf> {
    files_under(dir).into_iter().filter(|rel| rel.ends_with(".html")).map(|rel| dir.join(rel)).collect()
}

/// Panics naming every file under `dir` whose text contains `needle`.
pub fn assert_no_file_contains(dir: &Path, needle: &str, ignore_case: bool) {
    let needle_lc = needle.to_lowercase();
    let mut hits = Vec::new();
    for (rel, bytes) in contents_under(dir) {
        let text = String::from_utf8_lossy(&bytes);
        let found = if ignore_case { text.to_lowercase().contains(&needle_lc) } else { text.contains(needle) };
        if found {
            hits.push(rel);
        }
    }
    assert!(hits.is_empty(), "{needle:?} found in {} file(s) under {}: {hits:?}", hits.len(), dir.display());
}

/// Whether `text` holds `token` as a whole word (neighbours are not letters or digits).
pub fn contains_token(text: &str, token: &str) -> bool {
    text.match_indices(token).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + token.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric())
    })
}

/// Whether a stderr line reports position `n`: `line n` or `:n:`.
pub fn names_line(text: &str, n: usize) -> bool {
    let colon = format!(":{n}:");
    if text.contains(&colon) {
        return true;
    }
    let word = format!("line {n}");
    text.match_indices(&word).any(|(at, _)| !text[at + word.len()..].chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// Ids of a JSON array of strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

/// Records of a CSV text (a leading BOM is ignored): header and rows.
pub fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let header = reader.headers().expect("csv header").iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.expect("csv record").iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// Value of `column` in a CSV row.
pub fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header.iter().position(|h| h == column).unwrap_or_else(|| panic!("no column {column} in {header:?}"));
    &row[i]
}

/// Whether `generated_at` is the fixed snapshot time, in any RFC 3339 spelling of it.
pub fn is_snapshot_time(v: &Value) -> bool {
    matches!(v.as_str(), Some("2026-11-27T12:00:00Z" | "2026-11-27T12:00:00+00:00" | "2026-11-27T07:00:00-05:00"))
}
