//! Reading exports: find the campaigns in the inputs, parse them, check what one
//! campaign alone can be checked for, and say where each problem is.
//!
//! Tables given as CSV files are only located here; they are read later, as
//! streams, by the code that computes figures from them.

pub mod csv;
mod error;
pub mod grid;
pub mod json;
mod locate;
pub mod workspace;

use std::path::{Path, PathBuf};

pub use error::{InputError, Position};
pub use json::ParsedCampaign;

use crate::lifecycle::Status;
use crate::model::Workspace;

/// The tables a campaign can carry, inline or as a CSV file in its bundle folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TableName {
    Tasks,
    Calls,
    NumberPool,
    AudiencePreview,
    UploadRejects,
}

impl TableName {
    /// Every table.
    pub const ALL: [TableName; 5] = [
        TableName::Tasks,
        TableName::Calls,
        TableName::NumberPool,
        TableName::AudiencePreview,
        TableName::UploadRejects,
    ];

    /// The CSV file name in a bundle folder.
    pub fn file_name(self) -> &'static str {
        match self {
            TableName::Tasks => "tasks.csv",
            TableName::Calls => "calls.csv",
            TableName::NumberPool => "number_pool.csv",
            TableName::AudiencePreview => "audience_preview.csv",
            TableName::UploadRejects => "upload_rejects.csv",
        }
    }

    /// The field of the campaign object that holds the table inline.
    pub fn field(self) -> &'static str {
        match self {
            TableName::Tasks => "tasks",
            TableName::Calls => "calls",
            TableName::NumberPool => "number_pool",
            TableName::AudiencePreview => "audience_preview",
            TableName::UploadRejects => "upload.rejects",
        }
    }

    fn is_inline(self, c: &crate::model::Campaign) -> bool {
        match self {
            TableName::Tasks => c.tasks.is_some(),
            TableName::Calls => c.calls.is_some(),
            TableName::NumberPool => c.number_pool.is_some(),
            TableName::AudiencePreview => c.audience_preview.is_some(),
            TableName::UploadRejects => c.upload.as_ref().is_some_and(|u| u.rejects.is_some()),
        }
    }
}

/// CSV tables found beside a bundle's `campaign.json`.
#[derive(Debug, Clone, Default)]
pub struct CsvFiles(Vec<(TableName, PathBuf)>);

impl CsvFiles {
    /// The CSV file of `table`, if the bundle has one.
    pub fn get(&self, table: TableName) -> Option<&Path> {
        self.0.iter().find(|(t, _)| *t == table).map(|(_, p)| p.as_path())
    }

    /// Every CSV file of the bundle.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.0.iter().map(|(_, p)| p.as_path())
    }
}

/// One campaign, parsed and placed, ready to be built.
#[derive(Debug)]
pub struct Bundle {
    /// The campaign object as read.
    pub parsed: ParsedCampaign,
    /// Its normalised status.
    pub status: Status,
    /// Its CSV tables.
    pub csv: CsvFiles,
}

impl Bundle {
    /// The campaign.
    pub fn campaign(&self) -> &crate::model::Campaign {
        &self.parsed.campaign
    }

    /// An error about `field` of the campaign object (a path such as `tasks[3].task_id`),
    /// where its value starts; where its top-level key is when the value cannot be found.
    pub fn error(&self, field: &str, message: impl Into<String>) -> InputError {
        let raw = &self.parsed.raw;
        let top = field.split(['.', '[']).next().unwrap_or(field);
        let (line, column) = match locate::value_offset(raw, &locate::steps(field)) {
            Some(offset) => json::line_col(raw.as_bytes(), offset),
            None => json::key_position(raw, top),
        };
        let (line, column) = if line == 1 {
            (self.parsed.start.0, self.parsed.start.1 + column - 1)
        } else {
            (self.parsed.start.0 + line - 1, column)
        };
        InputError::field(&self.parsed.file, Position::at(line, column), field, message)
    }
}

/// Everything found in the inputs of a run.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The settings in force.
    pub workspace: Workspace,
    /// Campaigns that parsed.
    pub bundles: Vec<Bundle>,
    /// Problems in files whose tenant is unknown (they could not be read).
    pub errors: Vec<InputError>,
    /// Problems in campaigns that were read, with their tenant id.
    pub tenant_errors: Vec<(String, InputError)>,
    /// Remarks for the user that are not errors.
    pub notes: Vec<String>,
}

/// A problem that stops the run before anything is built.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// An input path cannot be read at all.
    #[error("cannot read input {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    /// An input is neither a folder nor a .json/.jsonl/.ndjson file.
    #[error("input {} is not a folder or a .json, .jsonl or .ndjson file", path.display())]
    UnknownKind { path: PathBuf },
    /// The workspace settings are invalid.
    #[error("{0}")]
    Workspace(InputError),
}

/// An input path and what it holds.
enum Source {
    Bundle(PathBuf),
    JsonFile(PathBuf),
    JsonLines(PathBuf),
}

/// Finds, reads and checks every campaign in `inputs`.
pub fn load(inputs: &[PathBuf], workspace_file: Option<&Path>) -> Result<Inputs, LoadError> {
    let mut sources = Vec::new();
    let mut found_workspace = None;
    let mut notes = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| LoadError::Unreadable { path: input.clone(), source })?;
        if meta.is_dir() {
            let top = input.join("workspace.json");
            if top.is_file() {
                match &found_workspace {
                    None => found_workspace = Some(top),
                    Some(first) if workspace_file.is_none() => notes.push(format!(
                        "{} is ignored: one workspace applies to a run, and {} came first (use --workspace to choose)",
                        top.display(),
                        Path::display(first)
                    )),
                    Some(_) => {}
                }
            }
            find_bundles(input, &mut sources)
                .map_err(|source| LoadError::Unreadable { path: input.clone(), source })?;
        } else {
            let ext = input.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            match ext.as_str() {
                "json" => sources.push(Source::JsonFile(input.clone())),
                "jsonl" | "ndjson" => sources.push(Source::JsonLines(input.clone())),
                _ => return Err(LoadError::UnknownKind { path: input.clone() }),
            }
        }
    }

    let workspace_path = workspace_file.map(Path::to_path_buf).or(found_workspace);
    let workspace = match &workspace_path {
        Some(path) => workspace::load(path).map_err(LoadError::Workspace)?,
        None => Workspace::default(),
    };

    let mut out = Inputs { workspace, notes, ..Default::default() };
    for source in sources {
        let (parsed, errors, csv) = match &source {
            Source::Bundle(dir) => read_bundle(dir),
            Source::JsonFile(path) => read_file(path, json::read_json_file),
            Source::JsonLines(path) => read_file(path, json::read_json_lines),
        };
        out.errors.extend(errors);
        for parsed in parsed {
            let tenant = parsed.campaign.tenant.id.to_string();
            match place(parsed, csv.clone(), &out.workspace) {
                Ok(bundle) => out.bundles.push(bundle),
                Err(e) => out.tenant_errors.push((tenant, e)),
            }
        }
    }
    Ok(out)
}

fn read_file(path: &Path, parse: fn(&Path, &[u8]) -> json::Parsed) -> (Vec<ParsedCampaign>, Vec<InputError>, CsvFiles) {
    match json::read_limited(path) {
        Ok(bytes) => {
            let (parsed, errors) = parse(path, &bytes);
            (parsed, errors, CsvFiles::default())
        }
        Err(e) => (Vec::new(), vec![e], CsvFiles::default()),
    }
}

fn read_bundle(dir: &Path) -> (Vec<ParsedCampaign>, Vec<InputError>, CsvFiles) {
    let file = dir.join("campaign.json");
    let csv =
        CsvFiles(TableName::ALL.iter().map(|t| (*t, dir.join(t.file_name()))).filter(|(_, p)| p.is_file()).collect());
    let parsed = json::read_limited(&file)
        .and_then(|bytes| json::decode_utf8(&file, &bytes).and_then(|text| json::parse_campaign(&file, text, 1, 1)));
    let (parsed, errors) = match parsed {
        Ok(c) => (vec![c], Vec::new()),
        Err(e) => (Vec::new(), vec![e]),
    };
    (parsed, errors, csv)
}

/// Checks what needs the workspace or the bundle folder: the status and table sources.
fn place(parsed: ParsedCampaign, csv: CsvFiles, workspace: &Workspace) -> Result<Bundle, InputError> {
    let status = Status::parse(&parsed.campaign.status, &workspace.terminal_statuses);
    let bundle = Bundle { status: Status::Draft, parsed, csv };
    let status = status.map_err(|e| bundle.error("status", e.to_string()))?;
    for table in TableName::ALL {
        if let Some(path) = bundle.csv.get(table)
            && table.is_inline(bundle.campaign())
        {
            return Err(bundle.error(
                table.field(),
                format!("the table is given both inline and as {}; keep one of them", path.display()),
            ));
        }
    }
    Ok(Bundle { status, ..bundle })
}

/// Whether `dir` is a snapshot this tool wrote (its export copies are not input).
fn is_snapshot(dir: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(dir.join("manifest.json")) else { return false };
    let mut head = String::new();
    let _ = file.take(4096).read_to_string(&mut head);
    head.contains("\"tool_version\"") && head.contains("\"tenant\"")
}

/// Walks `dir` in name order and records every folder that holds a `campaign.json`.
/// A snapshot written by this tool (an output folder inside an input) is skipped.
///
/// Symbolic links to folders are not followed, so a link cannot make the walk loop
/// or pull in campaigns from outside the input.
fn find_bundles(dir: &Path, out: &mut Vec<Source>) -> std::io::Result<()> {
    if is_snapshot(dir) {
        return Ok(());
    }
    if dir.join("campaign.json").is_file() {
        out.push(Source::Bundle(dir.to_path_buf()));
    }
    let mut children: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    children.sort();
    for child in children {
        find_bundles(&child, out)?;
    }
    Ok(())
}
