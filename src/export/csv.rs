//! Streaming CSV tables: one reused record buffer, typed rows, errors with line and column.
//!
//! Tables can hold millions of rows, so nothing here collects them: callers get one
//! row at a time and keep only what they need.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use csv::{ErrorKind, ReaderBuilder, StringRecord, Trim};
use serde::de::DeserializeOwned;

use super::{InputError, Position};

/// An open CSV table.
pub struct CsvTable {
    path: std::path::PathBuf,
    reader: csv::Reader<BufReader<File>>,
    headers: StringRecord,
}

impl CsvTable {
    /// Opens a table and checks that its header names the `required` columns.
    pub fn open(path: &Path, required: &[&str]) -> Result<CsvTable, InputError> {
        let file = File::open(path).map_err(|e| InputError::file(path, format!("cannot open table: {e}")))?;
        let mut reader = ReaderBuilder::new()
            .trim(Trim::Headers)
            .buffer_capacity(1 << 16)
            .from_reader(BufReader::with_capacity(1 << 16, file));
        let headers = reader.headers().map_err(|e| csv_error(path, None, e))?.clone();
        for column in required {
            if !headers.iter().any(|h| h == *column) {
                return Err(InputError::field(
                    path,
                    Position::line(1),
                    *column,
                    format!(
                        "required column is missing from the header (found: {})",
                        headers.iter().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        Ok(CsvTable { path: path.to_path_buf(), reader, headers })
    }

    /// The header row.
    pub fn headers(&self) -> &StringRecord {
        &self.headers
    }

    /// The table's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Calls `row` with each record, typed as `T`, with its raw record and line.
    pub fn for_each<T, F>(&mut self, mut row: F) -> Result<(), InputError>
    where
        T: DeserializeOwned,
        F: FnMut(T, &StringRecord, u64) -> Result<(), InputError>,
    {
        let mut record = StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => return Err(csv_error(&self.path, Some(&self.headers), e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            let typed: T = record
                .deserialize(Some(&self.headers))
                .map_err(|e| row_error(&self.path, &self.headers, &record, e))?;
            row(typed, &record, line)?;
        }
    }

    /// Calls `row` with each raw record and its line.
    pub fn for_each_raw<F>(&mut self, mut row: F) -> Result<(), InputError>
    where
        F: FnMut(&StringRecord, u64) -> Result<(), InputError>,
    {
        let mut record = StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => return Err(csv_error(&self.path, Some(&self.headers), e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            row(&record, line)?;
        }
    }
}

/// Turns a csv error into an input error naming the line, column and header name.
fn csv_error(path: &Path, headers: Option<&StringRecord>, err: csv::Error) -> InputError {
    let column_name = |index: usize| headers.and_then(|h| h.get(index)).unwrap_or("").to_string();
    match err.into_kind() {
        ErrorKind::Io(e) => InputError::file(path, format!("cannot read table: {e}")),
        ErrorKind::Utf8 { pos, err } => {
            let line = pos.map_or(0, |p| p.line());
            InputError::field(
                path,
                Position::at(line, err.field() as u64 + 1),
                column_name(err.field()),
                "invalid UTF-8: tables must be UTF-8 text",
            )
        }
        ErrorKind::UnequalLengths { pos, expected_len, len } => InputError::field(
            path,
            Position::line(pos.map_or(0, |p| p.line())),
            "",
            format!("this row has {len} fields but the header has {expected_len}"),
        ),
        ErrorKind::Deserialize { pos, err } => {
            let line = pos.map_or(0, |p| p.line());
            let (position, field) = match err.field() {
                Some(i) => (Position::at(line, i + 1), column_name(i as usize)),
                None => (Position::line(line), String::new()),
            };
            let message = match err.kind() {
                csv::DeserializeErrorKind::Message(m) => m.clone(),
                other => other.to_string(),
            };
            InputError::field(path, position, field, message)
        }
        other => InputError::file(path, format!("cannot read table: {other:?}")),
    }
}

/// Turns an error typing a row into an input error, finding the column when csv could not.
fn row_error(path: &Path, headers: &StringRecord, record: &StringRecord, err: csv::Error) -> InputError {
    let line = record.position().map_or(0, |p| p.line());
    let ErrorKind::Deserialize { err, .. } = err.kind() else {
        return csv_error(path, Some(headers), err);
    };
    // A value refused by a type's own check carries no field index: find the cell it quotes.
    let index = err.field().map(|i| i as usize).or_else(|| {
        let csv::DeserializeErrorKind::Message(m) = err.kind() else { return None };
        record.iter().position(|cell| !cell.is_empty() && m.contains(&crate::model::shorten(cell)))
    });
    let cell = index.and_then(|i| record.get(i)).unwrap_or("");
    let message = match err.kind() {
        csv::DeserializeErrorKind::Message(m) => m.clone(),
        csv::DeserializeErrorKind::ParseInt(_) => {
            format!("invalid value {}, expected a whole number ≥ 0", crate::model::shorten(cell))
        }
        csv::DeserializeErrorKind::ParseFloat(_) => {
            format!("invalid value {}, expected a number", crate::model::shorten(cell))
        }
        csv::DeserializeErrorKind::ParseBool(_) => {
            format!("invalid value {}, expected true or false", crate::model::shorten(cell))
        }
        other => other.to_string(),
    };
    match index {
        Some(i) => InputError::field(path, Position::at(line, i as u64 + 1), headers.get(i).unwrap_or(""), message),
        None => InputError::field(path, Position::line(line), "", message),
    }
}

/// The position of `column` on `line` of a table, for errors found after typing a row.
pub fn cell_position(headers: &StringRecord, line: u64, column: &str) -> Position {
    match headers.iter().position(|h| h == column) {
        Some(i) => Position::at(line, i as u64 + 1),
        None => Position::line(line),
    }
}
