//! Problems found in an export, each pinned to a file, a position and a field.
//!
//! A user who runs the tool from cron reads these lines in a mail: every one
//! must say where to look without opening the tool's source.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input file a problem was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    /// Physical line, 1-based (in a CSV file the header is line 1).
    pub line: Option<u64>,
    /// Column, 1-based: a character column in JSON, a field number in CSV.
    pub column: Option<u64>,
}

impl Position {
    /// A known line and column.
    pub fn at(line: u64, column: u64) -> Self {
        Position { line: Some(line), column: Some(column) }
    }

    /// A known line only.
    pub fn line(line: u64) -> Self {
        Position { line: Some(line), column: None }
    }
}

/// One problem in an export: the file, the position, the field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// The file the problem is in.
    pub file: PathBuf,
    /// Where in the file, when known.
    pub position: Position,
    /// The field (a JSON path such as `tasks[3].phone`, or a CSV column name).
    pub field: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl InputError {
    /// A problem with the file as a whole.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        InputError { file: file.to_path_buf(), position: Position::default(), field: None, message: message.into() }
    }

    /// A problem with one field, at a known position.
    pub fn field(file: &Path, position: Position, field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        InputError {
            file: file.to_path_buf(),
            position,
            field: (!field.is_empty()).then_some(field),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.position.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.position.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}
