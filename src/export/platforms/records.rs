//! The objects of a platform's export file, each with where it starts, typed one by
//! one so that an error names the file, line, column and field as for native exports
//! (docs/export-format.md).
//!
//! A file is one object, a JSON array of objects, a Retell `{"items": [...]}` page,
//! or JSON lines (one object per line, as a Twilio BulkExport day).

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::export::InputError;
use crate::export::json::{self, decode_utf8, path_error, serde_error};

/// A file read whole, ready to be cut into objects.
pub struct Text {
    pub path: PathBuf,
    pub text: String,
}

/// One object of a file: its text and where it starts.
pub struct Record<'a> {
    pub text: &'a str,
    pub line: u64,
    pub column: u64,
}

impl<'a> Record<'a> {
    /// The value at bytes `start..end` of this object, with where it starts in the file.
    pub fn inner(&self, start: usize, end: usize) -> Record<'a> {
        let (l, c) = json::line_col(self.text.as_bytes(), start);
        let (line, column) = if l == 1 { (self.line, self.column + c - 1) } else { (self.line + l - 1, c) };
        Record { text: &self.text[start..end], line, column }
    }
}

/// Every object of every file in `paths`, typed, with every error found.
pub fn read_all<T: DeserializeOwned>(paths: &[PathBuf]) -> (Vec<T>, Vec<InputError>) {
    let (mut typed, mut errors) = (Vec::new(), Vec::new());
    for path in paths {
        let file = match Text::read(path) {
            Ok(file) => file,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match file.records() {
            Ok(records) => {
                for record in &records {
                    match file.typed(record) {
                        Ok(value) => typed.push(value),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    (typed, errors)
}

impl Text {
    /// Reads a file (UTF-8, at most [`json::MAX_JSON_BYTES`]).
    pub fn read(path: &Path) -> Result<Text, InputError> {
        let bytes = json::read_limited(path)?;
        let text = decode_utf8(path, &bytes)?.to_string();
        Ok(Text { path: path.to_path_buf(), text })
    }

    /// The objects of the file, or the first error that stops reading it.
    pub fn records(&self) -> Result<Vec<Record<'_>>, InputError> {
        let lines =
            self.path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"));
        if lines {
            return Ok(self.lines());
        }
        match serde_json::from_str::<&RawValue>(&self.text) {
            Ok(whole) => self.whole(whole),
            // Two objects one after the other: JSON lines in a `.json` file.
            Err(e)
                if e.classify() == serde_json::error::Category::Syntax
                    && e.line() > 1
                    && self.first_line_is_object() =>
            {
                Ok(self.lines())
            }
            Err(e) => Err(serde_error(&self.path, None, 1, 1, String::new(), &e)),
        }
    }

    fn first_line_is_object(&self) -> bool {
        let first = self.text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok() && first.trim_start().starts_with('{')
    }

    fn whole<'a>(&'a self, whole: &'a RawValue) -> Result<Vec<Record<'a>>, InputError> {
        #[derive(serde::Deserialize)]
        struct Page<'a> {
            #[serde(borrow)]
            items: Option<Vec<&'a RawValue>>,
        }
        let text = whole.get();
        let items: Vec<&RawValue> = if text.starts_with('[') {
            serde_json::from_str(text).map_err(|e| serde_error(&self.path, None, 1, 1, String::new(), &e))?
        } else {
            // A Retell `{"items": [...], "has_more": …}` page holds the calls in `items`.
            match serde_json::from_str::<Page>(text) {
                Ok(Page { items: Some(items) }) => items,
                _ => vec![whole],
            }
        };
        Ok(items.into_iter().map(|item| self.record(item.get())).collect())
    }

    /// Where `item`, a slice of the file's text, starts.
    fn record<'a>(&'a self, item: &'a str) -> Record<'a> {
        let offset = item.as_ptr() as usize - self.text.as_ptr() as usize;
        let (line, column) = json::line_col(self.text.as_bytes(), offset);
        Record { text: item, line, column }
    }

    fn lines(&self) -> Vec<Record<'_>> {
        let mut out = Vec::new();
        for (index, line) in self.text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if !line.trim().is_empty() {
                out.push(Record { text: line, line: index as u64 + 1, column: 1 });
            }
        }
        out
    }

    /// Types one object, pinning an error to its line, column and field.
    pub fn typed<T: DeserializeOwned>(&self, record: &Record) -> Result<T, InputError> {
        let mut de = serde_json::Deserializer::from_str(record.text);
        let value: T = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| path_error(&self.path, record.text, record.line, record.column, e))?;
        de.end().map_err(|e| serde_error(&self.path, None, record.line, record.column, String::new(), &e))?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(name: &str, body: &str) -> Text {
        Text { path: PathBuf::from(name), text: body.to_string() }
    }

    #[test]
    fn arrays_pages_and_lines_give_one_record_per_object() {
        let t = text("calls.json", "[\n  {\"a\": 1},\n  {\"a\": 2}\n]");
        let r = t.records().unwrap();
        assert_eq!(r.iter().map(|r| (r.line, r.column)).collect::<Vec<_>>(), [(2, 3), (3, 3)]);
        let t = text("calls.json", "{\"items\": [{\"call_id\": \"c\", \"agent_id\": \"a\"}], \"has_more\": false}");
        assert_eq!(t.records().unwrap().len(), 1);
        let t = text("day.json", "{\"sid\": \"CA1\"}\n\n{\"sid\": \"CA2\"}\n");
        assert_eq!(t.records().unwrap().iter().map(|r| r.line).collect::<Vec<_>>(), [1, 3]);
        let t = text("day.jsonl", "{\"sid\": \"CA1\"}\r\n{\"sid\": \"CA2\"}");
        assert_eq!(t.records().unwrap()[1].text, "{\"sid\": \"CA2\"}");
    }

    #[test]
    fn a_wrong_type_names_line_column_and_field() {
        #[derive(serde::Deserialize, Debug)]
        struct Call {
            #[allow(dead_code)]
            duration: u32,
        }
        let t = text("calls.json", "[\n  {\"duration\": 3},\n  {\"duration\": \"long\"}\n]");
        let records = t.records().unwrap();
        let e = t.typed::<Call>(&records[1]).unwrap_err().to_string();
        assert!(e.starts_with("calls.json:3:16: field `duration`: invalid type"), "{e}");
    }
}
