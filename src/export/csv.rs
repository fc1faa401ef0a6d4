//! Streaming CSV tables: one reused record buffer, typed rows, errors with line and column.
//!
//! Tables can hold millions of rows, so nothing here collects them: callers get one
//! row at a time and keep only what they need.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use csv::{ErrorKind, ReaderBuilder, StringRecord};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{InputError, Position};

/// Longest row (all its fields together) a table may have; a longer one is an error,
/// so one enormous field cannot make memory grow without limit.
pub const MAX_ROW_BYTES: u64 = 8 << 20;

/// A reader that fails once more than [`MAX_ROW_BYTES`] are read without the table
/// finishing a row (the counter is reset after every row).
struct Bounded {
    /// `None` while the reader waits for its next table (a spare reader keeps no file open).
    file: Option<File>,
    since_row: Rc<Cell<u64>>,
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Allow one buffer of read-ahead beyond the limit.
        if self.since_row.get() > MAX_ROW_BYTES + BUFFER as u64 {
            return Err(std::io::Error::other(format!(
                "a row is longer than {} MiB; rows this long are refused",
                MAX_ROW_BYTES >> 20
            )));
        }
        let Some(file) = self.file.as_mut() else { return Ok(0) };
        let n = file.read(buf)?;
        self.since_row.set(self.since_row.get() + n as u64);
        Ok(n)
    }
}

/// Only to start a reused reader at the start of its new file.
impl Seek for Bounded {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        match self.file.as_mut() {
            Some(file) => file.seek(to),
            None => Err(std::io::Error::other("no table is open")),
        }
    }
}

const BUFFER: usize = 1 << 16;

/// Readers kept at most per thread for the next tables.
const SPARE_READERS: usize = 4;

thread_local! {
    /// Readers of tables this thread has finished with. A new reader builds its parsing
    /// automaton, about 20 µs, as long as reading a small table, and a fleet has
    /// thousands of tables: a reader is used again for the next table instead.
    static SPARE: RefCell<Vec<csv::Reader<Bounded>>> = const { RefCell::new(Vec::new()) };
}

/// An open CSV table.
///
/// The reader reads records, header included, as they are (`has_headers(false)`,
/// `flexible(true)`), so that it can be used again for another table: the header is
/// the first record, trimmed here, and a row whose length differs from the header's is
/// refused here, with the message the csv crate gives.
pub struct CsvTable {
    path: std::path::PathBuf,
    reader: Option<csv::Reader<Bounded>>,
    headers: StringRecord,
    since_row: Rc<Cell<u64>>,
    last_line: u64,
}

impl Drop for CsvTable {
    fn drop(&mut self) {
        if let Some(mut reader) = self.reader.take() {
            reader.get_mut().file = None;
            let _ = SPARE.try_with(|spare| {
                let mut spare = spare.borrow_mut();
                if spare.len() < SPARE_READERS {
                    spare.push(reader);
                }
            });
        }
    }
}

impl CsvTable {
    /// Opens a table and checks that its header names the `required` columns.
    pub fn open(path: &Path, required: &[&str]) -> Result<CsvTable, InputError> {
        let file = File::open(path)
            .map_err(|e| InputError::file(path, format!("cannot open table: {}", crate::os::describe(&e))))?;
        let since_row = Rc::new(Cell::new(0));
        let bounded = Bounded { file: Some(file), since_row: since_row.clone() };
        let mut reader = match SPARE.with_borrow_mut(Vec::pop) {
            Some(mut reader) => {
                *reader.get_mut() = bounded;
                reader.seek_raw(SeekFrom::Start(0), csv::Position::new()).map_err(|e| csv_error(path, None, 1, e))?;
                reader
            }
            None => ReaderBuilder::new().has_headers(false).flexible(true).buffer_capacity(BUFFER).from_reader(bounded),
        };
        let mut headers = StringRecord::new();
        reader.read_record(&mut headers).map_err(|e| csv_error(path, None, 1, e))?;
        headers.trim();
        since_row.set(0);
        let table = CsvTable { path: path.to_path_buf(), reader: Some(reader), headers, since_row, last_line: 1 };
        for column in required {
            if !table.headers.iter().any(|h| h == *column) {
                return Err(InputError::field(
                    path,
                    Position::line(1),
                    *column,
                    format!(
                        "required column is missing from the header (found: {})",
                        table.headers.iter().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        Ok(table)
    }

    /// The header row.
    pub fn headers(&self) -> &StringRecord {
        &self.headers
    }

    /// Calls `row` with each record, typed as `T`, with its raw record and line.
    ///
    /// `row` may fail with its own error type, so a caller that renders while reading
    /// gets its own errors back unchanged.
    pub fn for_each<T, E, F>(&mut self, mut row: F) -> Result<(), E>
    where
        T: DeserializeOwned,
        E: From<InputError>,
        F: FnMut(T, &StringRecord, u64) -> Result<(), E>,
    {
        let (path, headers) = (self.path.clone(), self.headers.clone());
        self.for_each_raw(|record, line| row(typed(&path, &headers, record)?, record, line))
    }

    /// Calls `row` with each raw record and its line, reusing one record buffer.
    pub fn for_each_raw<E, F>(&mut self, mut row: F) -> Result<(), E>
    where
        E: From<InputError>,
        F: FnMut(&StringRecord, u64) -> Result<(), E>,
    {
        let mut bytes = csv::ByteRecord::new();
        let Some(reader) = self.reader.as_mut() else { return Ok(()) };
        loop {
            match reader.read_byte_record(&mut bytes) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => return Err(csv_error(&self.path, Some(&self.headers), self.last_line + 1, e).into()),
            }
            self.since_row.set(0);
            let line = bytes.position().map_or(0, |p| p.line());
            self.last_line = line;
            // The length first, then the text, in the order the csv crate checks them.
            if bytes.len() != self.headers.len() {
                return Err(unequal_lengths(&self.path, line, bytes.len(), self.headers.len()).into());
            }
            let record = match StringRecord::from_byte_record(std::mem::take(&mut bytes)) {
                Ok(record) => record,
                Err(e) => {
                    return Err(invalid_utf8(&self.path, Some(&self.headers), line, e.utf8_error().field()).into());
                }
            };
            row(&record, line)?;
            bytes = record.into_byte_record();
        }
    }
}

/// A row with invalid UTF-8 in field `field` (from 0).
fn invalid_utf8(path: &Path, headers: Option<&StringRecord>, line: u64, field: usize) -> InputError {
    let column = headers.and_then(|h| h.get(field)).unwrap_or("");
    InputError::field(path, Position::at(line, field as u64 + 1), column, "invalid UTF-8: tables must be UTF-8 text")
}

/// A row whose number of fields is not the header's.
fn unequal_lengths(path: &Path, line: u64, len: usize, expected_len: usize) -> InputError {
    InputError::field(
        path,
        Position::line(line),
        "",
        format!("this row has {len} fields but the header has {expected_len}"),
    )
}

/// Types one record as `T`, which may borrow from the record (a row read for its figures
/// needs no copy of its text); the error names the line, column and header name.
pub fn typed<'r, T: Deserialize<'r>>(
    path: &Path,
    headers: &'r StringRecord,
    record: &'r StringRecord,
) -> Result<T, InputError> {
    record.deserialize(Some(headers)).map_err(|e| row_error::<T>(path, headers, record, e))
}

/// Turns a csv error into an input error naming the line, column and header name.
fn csv_error(path: &Path, headers: Option<&StringRecord>, next_line: u64, err: csv::Error) -> InputError {
    let column_name = |index: usize| headers.and_then(|h| h.get(index)).unwrap_or("").to_string();
    match err.into_kind() {
        ErrorKind::Io(e) => InputError::field(
            path,
            Position::line(next_line),
            "",
            format!("cannot read table: {}", crate::os::describe(&e)),
        ),
        ErrorKind::Utf8 { pos, err } => invalid_utf8(path, headers, pos.map_or(0, |p| p.line()), err.field()),
        ErrorKind::UnequalLengths { pos, expected_len, len } => {
            unequal_lengths(path, pos.map_or(0, |p| p.line()), len as usize, expected_len as usize)
        }
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
fn row_error<'r, T: Deserialize<'r>>(
    path: &Path,
    headers: &'r StringRecord,
    record: &'r StringRecord,
    err: csv::Error,
) -> InputError {
    let line = record.position().map_or(0, |p| p.line());
    let ErrorKind::Deserialize { err, .. } = err.kind() else {
        return csv_error(path, Some(headers), line, err);
    };
    // A value refused by a type's own check carries no field index: type the row again,
    // column by column, to learn which one; failing that, find the cell it quotes.
    let index = err.field().map(|i| i as usize).or_else(|| failing_column::<T>(headers, record)).or_else(|| {
        let csv::DeserializeErrorKind::Message(m) = err.kind() else { return None };
        let quoted = record.iter().position(|cell| !cell.is_empty() && m.contains(&crate::model::shorten(cell)));
        let bare = || record.iter().position(|cell| !cell.is_empty() && m.split([' ', ',']).any(|word| word == cell));
        quoted.or_else(bare)
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

/// The column a row's type refuses, found by typing the row again as a map of header to
/// cell through `serde_path_to_error`, which names the field that failed. Only run on
/// a row that already failed, so it may be slower than csv's own reader.
fn failing_column<'r, T: Deserialize<'r>>(headers: &'r StringRecord, record: &'r StringRecord) -> Option<usize> {
    let cells = headers.iter().zip(record.iter()).map(|(h, c)| (h, CellValue(c)));
    let map = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(cells);
    let err = serde_path_to_error::deserialize::<_, T>(map).err()?;
    let field = err.path().to_string();
    headers.iter().position(|h| h == field)
}

/// One CSV cell, read as csv reads it: numbers and booleans parsed when a type asks
/// for them, an empty cell as a missing optional value.
struct CellValue<'a>(&'a str);

impl<'de> serde::de::IntoDeserializer<'de, serde::de::value::Error> for CellValue<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parse_cell {
    ($($method:ident => $visit:ident: $ty:ty),+ $(,)?) => {
        $(fn $method<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            let value: $ty = self.0.trim().parse().map_err(serde::de::Error::custom)?;
            visitor.$visit(value)
        })+
    };
}

impl<'de> serde::Deserializer<'de> for CellValue<'de> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.0.is_empty() { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    parse_cell! {
        deserialize_bool => visit_bool: bool,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// The position of `column` on `line` of a table, for errors found after typing a row.
pub fn cell_position(headers: &StringRecord, line: u64, column: &str) -> Position {
    match headers.iter().position(|h| h == column) {
        Some(i) => Position::at(line, i as u64 + 1),
        None => Position::line(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Call, CallRow};

    /// A table as read: its header, and each row with its line.
    type TableRead = (Vec<String>, Vec<(u64, Vec<String>)>);

    /// A table read whole on this thread, or the error.
    fn read_all(path: &Path, required: &[&str]) -> Result<TableRead, String> {
        let mut table = CsvTable::open(path, required).map_err(|e| e.to_string())?;
        let headers = table.headers().iter().map(str::to_string).collect();
        let mut rows = Vec::new();
        table
            .for_each_raw(|record, line| {
                rows.push((line, record.iter().map(str::to_string).collect()));
                Ok::<(), InputError>(())
            })
            .map_err(|e| e.to_string())?;
        Ok((headers, rows))
    }

    /// A reader used again for the next table reads it as a new reader does: from its
    /// first line, header trimmed, rows of the wrong length and invalid UTF-8 refused
    /// with their line, whatever the table before it held or where it stopped.
    #[test]
    fn a_reader_used_again_reads_the_next_table_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let wide = write("wide.csv", b"a,b,c,d\n1,2,3,4\n5,6,7,8\n");
        let narrow = write("narrow.csv", b" x , y\n\"multi\nline\",2\n3,4\n");
        let short_row = write("short.csv", b"x,y\n1,2\n3\n4,5\n");
        let bad_utf8 = write("utf8.csv", b"x,y\n1,\xff\n");
        let both = write("both.csv", b"x,y\n1,2,\xff\n");
        let empty = write("empty.csv", b"");

        SPARE.with_borrow_mut(Vec::clear);
        let (headers, rows) = read_all(&wide, &["a"]).unwrap();
        assert_eq!((headers.len(), rows.len()), (4, 2));
        assert_eq!(SPARE.with_borrow(Vec::len), 1, "the finished reader is kept");

        let expected = (
            vec!["x".to_string(), "y".to_string()],
            vec![(2, vec!["multi\nline".to_string(), "2".to_string()]), (4, vec!["3".to_string(), "4".to_string()])],
        );
        assert_eq!(read_all(&narrow, &["x", "y"]).unwrap(), expected);
        assert_eq!(SPARE.with_borrow(Vec::len), 1, "one reader served both tables");

        let err = read_all(&short_row, &[]).unwrap_err();
        assert!(err.contains("short.csv:3") && err.contains("this row has 1 fields but the header has 2"), "{err}");
        let err = read_all(&bad_utf8, &[]).unwrap_err();
        assert!(err.contains("utf8.csv:2:2") && err.contains("invalid UTF-8"), "{err}");
        // Both wrong: the length is reported, as the csv crate checks it first.
        let err = read_all(&both, &[]).unwrap_err();
        assert!(err.contains("both.csv:2") && err.contains("this row has 3 fields but the header has 2"), "{err}");
        // After tables that stopped half-way, the next one is read whole again.
        assert_eq!(read_all(&narrow, &[]).unwrap(), expected);
        assert_eq!(read_all(&empty, &[]).unwrap(), (Vec::new(), Vec::new()));
        let err = read_all(&wide, &["x"]).unwrap_err();
        assert!(err.contains("required column is missing from the header (found: a, b, c, d)"), "{err}");
    }

    /// A call row read borrowed ([`CallRow`], as the figures read the table) and read
    /// whole ([`Call`]) accept the same rows with the same values and refuse the same
    /// rows with the same error, line, column and field.
    #[test]
    fn borrowed_call_rows_read_as_whole_calls_do() {
        let table = "call_id,task_id,from_number,to_number,started_at,result,duration_seconds,latency_ms,cost,extra\n\
            c1,t1,+14155550100,+442071838750,2026-11-27T09:00:00Z,answered,61.5,420,0.12,x\n\
            ,,,,,no_answer,,,,\n\
            \"c,3\",t3, +14155550100 ,+14155550101,2026-11-27T09:00:00Z,busy,,,,\n\
            c4,t4,+14155550100,0044,2026-11-27T09:00:00Z,busy,,,,\n\
            c5,t5,+14155550100,+14155550101,yesterday,busy,,,,\n\
            c6,t6,+14155550100,+14155550101,2026-11-27T09:00:00Z,hung_up,,,,\n\
            c7,t7,+14155550100,+14155550101,2026-11-27T09:00:00Z,ANSWERED ,-1,,,\n\
            c8,t8,+14155550100,+14155550101,2026-11-27T09:00:00+02:00,answered,1,2,abc,\n\
            c9,t9,+1 415,,,answered,,,,\n";
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::Headers).from_reader(table.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let path = Path::new("calls.csv");
        let (mut read, mut refused) = (0, 0);
        for record in reader.records() {
            let record = record.unwrap();
            let whole = typed::<Call>(path, &headers, &record);
            let borrowed = typed::<CallRow>(path, &headers, &record);
            match (whole, borrowed) {
                (Ok(whole), Ok(borrowed)) => {
                    assert_eq!(format!("{:?}", whole.as_row()), format!("{borrowed:?}"));
                    read += 1;
                }
                (Err(whole), Err(borrowed)) => {
                    assert_eq!(whole.to_string(), borrowed.to_string());
                    assert_eq!((whole.position, whole.field), (borrowed.position, borrowed.field));
                    refused += 1;
                }
                (whole, borrowed) => panic!("{record:?}: {whole:?} but {borrowed:?}"),
            }
        }
        assert_eq!((read, refused), (2, 7));
    }
}
