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
pub mod platforms;
pub mod workspace;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use error::{InputError, Position};
pub use json::ParsedCampaign;
pub use platforms::{InputFormat, Reading};

use crate::lifecycle::Status;
use crate::model::{Id, Tenant, Workspace};

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
        if self.parsed.mapped {
            return InputError::field(&self.parsed.file, Position::default(), field, message);
        }
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

/// A campaign found in the inputs, as a run keeps it until a worker builds it.
///
/// A campaign read from a bundle folder is shelved once it has been read and checked:
/// what choosing tenants, dealing shards and planning need stays in memory (its id,
/// tenant, status, tables and the digest of its object text), and the worker that
/// builds it reads its `campaign.json` again, refusing it if the text changed in
/// between. So a run's memory does not grow with the campaign objects of its inputs
/// (docs/performance.md, "Memory"). A campaign from a `.json` or JSON Lines file, or
/// from a platform's export, is held as read: those files are read whole anyway.
#[derive(Debug)]
pub enum Found {
    Held(Box<Bundle>),
    Shelved(Shelf),
}

/// What stays in memory of a shelved campaign (see `Found`).
#[derive(Debug)]
pub struct Shelf {
    /// Its `campaign.json`.
    file: PathBuf,
    id: Id,
    tenant: Tenant,
    status: Status,
    /// Which of `TableName::ALL` it has as CSV files beside `file` (bit i for the i-th).
    tables: u8,
    /// The SHA-256 of the object's text as it was read and checked.
    object: [u8; 32],
}

/// A campaign ready to be built: borrowed when it was held, read again when it was shelved.
pub enum Opened<'a> {
    Held(&'a Bundle),
    Read(Box<Bundle>),
}

impl std::ops::Deref for Opened<'_> {
    type Target = Bundle;

    fn deref(&self) -> &Bundle {
        match self {
            Opened::Held(bundle) => bundle,
            Opened::Read(bundle) => bundle,
        }
    }
}

impl Found {
    /// Shelves a campaign read from a bundle folder; keeps any other as it is.
    fn of(bundle: Bundle, from_folder: bool) -> Found {
        if !from_folder {
            return Found::Held(Box::new(bundle));
        }
        let Bundle { parsed, status, csv } = bundle;
        Found::Shelved(Shelf {
            object: sha256(parsed.raw.as_bytes()),
            file: parsed.file,
            id: parsed.campaign.id,
            tenant: parsed.campaign.tenant,
            status,
            tables: TableName::ALL
                .iter()
                .enumerate()
                .filter(|(_, t)| csv.get(**t).is_some())
                .fold(0, |mask, (i, _)| mask | 1 << i),
        })
    }

    /// The campaign id.
    pub fn id(&self) -> &str {
        match self {
            Found::Held(b) => b.campaign().id.as_str(),
            Found::Shelved(s) => s.id.as_str(),
        }
    }

    /// The campaign's tenant.
    pub fn tenant(&self) -> &Tenant {
        match self {
            Found::Held(b) => &b.campaign().tenant,
            Found::Shelved(s) => &s.tenant,
        }
    }

    /// Its normalised status.
    pub fn status(&self) -> &Status {
        match self {
            Found::Held(b) => &b.status,
            Found::Shelved(s) => &s.status,
        }
    }

    /// Its CSV tables.
    pub fn csv(&self) -> CsvFiles {
        match self {
            Found::Held(b) => b.csv.clone(),
            Found::Shelved(s) => {
                let dir = s.file.parent().unwrap_or(Path::new(""));
                let present = TableName::ALL.iter().enumerate().filter(|(i, _)| s.tables & 1 << i != 0);
                CsvFiles(present.map(|(_, t)| (*t, dir.join(t.file_name()))).collect())
            }
        }
    }

    /// The SHA-256 of the campaign object's text.
    pub fn object_digest(&self) -> [u8; 32] {
        match self {
            Found::Held(b) => sha256(b.parsed.raw.as_bytes()),
            Found::Shelved(s) => s.object,
        }
    }

    /// The campaign, parsed: a shelved one is read again, and refused when its text is
    /// no longer the one that was checked.
    pub fn open(&self, workspace: &Workspace) -> Result<Opened<'_>, InputError> {
        let shelf = match self {
            Found::Held(b) => return Ok(Opened::Held(b)),
            Found::Shelved(s) => s,
        };
        let bytes = json::read_limited(&shelf.file)?;
        let text = json::decode_utf8(&shelf.file, &bytes)?;
        if sha256(text.as_bytes()) != shelf.object {
            return Err(InputError::file(
                &shelf.file,
                "the file changed while the run was reading it; the campaign is not built (run again)",
            ));
        }
        let parsed = json::parse_campaign(&shelf.file, text, 1, 1)?;
        place(parsed, self.csv(), workspace).map(|b| Opened::Read(Box::new(b)))
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// Everything found in the inputs of a run.
#[derive(Debug, Default)]
pub struct Inputs {
    /// The settings in force.
    pub workspace: Workspace,
    /// Campaigns that parsed.
    pub bundles: Vec<Found>,
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
    #[error("cannot read input {}: {}", path.display(), crate::os::describe(cause))]
    Unreadable { path: PathBuf, cause: std::io::Error },
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
    /// A hosted platform's export (docs/platforms.md).
    Platform(platforms::Import),
    /// Input that `--input-format` or a missing companion file rules out.
    Refused(InputError),
}

/// Finds, reads and checks every campaign in `inputs`, recognising platform exports by their shape.
pub fn load(inputs: &[PathBuf], workspace_file: Option<&Path>) -> Result<Inputs, LoadError> {
    load_as(inputs, workspace_file, &Reading::default())
}

/// Finds, reads and checks every campaign in `inputs`, read as `reading` says.
pub fn load_as(inputs: &[PathBuf], workspace_file: Option<&Path>, reading: &Reading) -> Result<Inputs, LoadError> {
    let mut sources = Vec::new();
    let mut found_workspace: Option<PathBuf> = None;
    let mut notes = Vec::new();
    let mut skipped = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|cause| LoadError::Unreadable { path: input.clone(), cause })?;
        // One workspace applies to a run: the one nearest the first input that has one.
        if let Some(nearest) = nearest_workspace(input, meta.is_dir()) {
            match &found_workspace {
                None => found_workspace = Some(nearest),
                Some(first) if workspace_file.is_none() && !same_file(first, &nearest) => notes.push(format!(
                    "{} is ignored: one workspace applies to a run, and {} came first (use --workspace to choose)",
                    nearest.display(),
                    first.display()
                )),
                Some(_) => {}
            }
        }
        if meta.is_dir() {
            find_bundles(input, reading.format, &mut sources, &mut skipped)
                .map_err(|cause| LoadError::Unreadable { path: input.clone(), cause })?;
        } else {
            let ext = input.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            let json = matches!(ext.as_str(), "json" | "jsonl" | "ndjson");
            let found = if json { platforms::in_file(input, reading.format) } else { platforms::Found::Nothing };
            match (ext.as_str(), found) {
                (_, platforms::Found::Import(import)) => sources.push(Source::Platform(import)),
                (_, platforms::Found::Refused(error)) => sources.push(Source::Refused(error)),
                ("json", _) => sources.push(Source::JsonFile(input.clone())),
                ("jsonl" | "ndjson", _) => sources.push(Source::JsonLines(input.clone())),
                _ => return Err(LoadError::UnknownKind { path: input.clone() }),
            }
        }
    }

    notes.extend(skipped_notes(&skipped));
    let workspace_path = workspace_file.map(Path::to_path_buf).or(found_workspace);
    let workspace = match &workspace_path {
        Some(path) => workspace::load(path).map_err(LoadError::Workspace)?,
        None => Workspace::default(),
    };

    let mut out = Inputs { workspace, notes, ..Default::default() };
    // Read and parsed on every core of the pool this runs in; placed in input order.
    let read: Vec<_> = sources
        .into_par_iter()
        .map(|source| {
            let from_folder = matches!(source, Source::Bundle(_));
            let (parsed, errors, csv) = match source {
                Source::Bundle(dir) => read_bundle(&dir),
                Source::JsonFile(path) => read_file(&path, json::read_json_file),
                Source::JsonLines(path) => read_file(&path, json::read_json_lines),
                Source::Platform(import) => {
                    let (parsed, errors) = platforms::read(&import, &out.workspace, reading);
                    (parsed, errors, CsvFiles::default())
                }
                Source::Refused(error) => (Vec::new(), vec![error], CsvFiles::default()),
            };
            // Placed (and a bundle folder's campaign shelved) on the worker that read it.
            // Sized to fit: a folder has one campaign, and a hundred thousand vectors
            // grown one push at a time would hold room for four each.
            let (mut found, mut refused) = (Vec::with_capacity(parsed.len()), Vec::new());
            for parsed in parsed {
                let tenant = parsed.campaign.tenant.id.to_string();
                match place(parsed, csv.clone(), &out.workspace) {
                    Ok(bundle) => found.push(Found::of(bundle, from_folder)),
                    Err(e) => refused.push((tenant, e)),
                }
            }
            (found, refused, errors)
        })
        .collect();
    out.bundles.reserve_exact(read.iter().map(|(found, _, _)| found.len()).sum());
    for (found, refused, errors) in read {
        out.errors.extend(errors);
        out.bundles.extend(found);
        out.tenant_errors.extend(refused);
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

/// The `workspace.json` nearest to an input: in the input folder (or, for a file, its
/// folder), else in the nearest folder above it.
fn nearest_workspace(input: &Path, is_dir: bool) -> Option<PathBuf> {
    let start = if is_dir { input.to_path_buf() } else { input.parent()?.to_path_buf() };
    let start = if start.as_os_str().is_empty() { PathBuf::from(".") } else { start };
    let start = std::fs::canonicalize(&start).ok()?;
    start.ancestors().map(|dir| dir.join("workspace.json")).find(|file| file.is_file())
}

fn same_file(a: &Path, b: &Path) -> bool {
    std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
}

/// Whether `dir` is a snapshot this tool wrote (its export copies are not input).
fn is_snapshot(dir: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(dir.join("manifest.json")) else { return false };
    let mut head = String::new();
    let _ = file.take(4096).read_to_string(&mut head);
    head.contains("\"tool_version\"") && head.contains("\"tenant\"")
}

/// Something a folder input holds that is not read, and why.
#[derive(Debug)]
enum Skipped {
    /// A `.json`/`.jsonl`/`.ndjson` file that is not a bundle's `campaign.json`.
    Loose(PathBuf),
    /// A CSV file beside a `campaign.json` that is none of its tables.
    UnknownTable(PathBuf),
    /// A snapshot written by this tool.
    Snapshot(PathBuf),
}

/// One note per skipped file or folder, at most 20 and a count of the rest.
fn skipped_notes(skipped: &[Skipped]) -> Vec<String> {
    const SHOWN: usize = 20;
    let tables: Vec<&str> = TableName::ALL.iter().map(|t| t.file_name()).collect();
    let mut notes: Vec<String> = skipped
        .iter()
        .take(SHOWN)
        .map(|s| match s {
            Skipped::Loose(path) => format!(
                "{} is skipped: inside a folder input only campaign.json files are read (give the file itself as an input to read it)",
                path.display()
            ),
            Skipped::UnknownTable(path) => format!(
                "{} is skipped: a campaign's tables are {}",
                path.display(),
                tables.join(", ")
            ),
            Skipped::Snapshot(path) => {
                format!("{} is skipped: it is a snapshot written by campaign-report, not an export", path.display())
            }
        })
        .collect();
    if skipped.len() > SHOWN {
        notes.push(format!("{} more files were skipped for the same reasons", skipped.len() - SHOWN));
    }
    notes
}

/// Walks `dir` in name order and records every folder that holds a `campaign.json`,
/// and what it does not read (`skipped`). A snapshot written by this tool (an output
/// folder inside an input) is skipped.
///
/// Symbolic links to folders are not followed, so a link cannot make the walk loop
/// or pull in campaigns from outside the input.
fn find_bundles(
    dir: &Path,
    format: InputFormat,
    out: &mut Vec<Source>,
    skipped: &mut Vec<Skipped>,
) -> std::io::Result<()> {
    if is_snapshot(dir) {
        skipped.push(Skipped::Snapshot(dir.to_path_buf()));
        return Ok(());
    }
    // A platform's export is recognised first: a Vapi campaign may well be saved as campaign.json.
    let mut read: Vec<PathBuf> = Vec::new();
    let mut bundle = false;
    match platforms::in_folder(dir, format) {
        platforms::Found::Import(import) => {
            read.extend(import.files().map(Path::to_path_buf));
            out.push(Source::Platform(import));
        }
        platforms::Found::Refused(error) => {
            read.push(dir.join("campaign.json"));
            out.push(Source::Refused(error));
        }
        platforms::Found::Nothing => {
            bundle = dir.join("campaign.json").is_file();
            if bundle {
                out.push(Source::Bundle(dir.to_path_buf()));
            }
        }
    }
    let mut children = Vec::new();
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        if kind.is_dir() {
            children.push(path);
        } else if kind.is_file() {
            let ext = name.rsplit('.').next().unwrap_or("");
            let loose = matches!(ext, "json" | "jsonl" | "ndjson")
                && name != "workspace.json"
                && !(bundle && name == "campaign.json")
                && !read.contains(&path);
            if loose {
                skipped.push(Skipped::Loose(path));
            } else if bundle && ext == "csv" && !TableName::ALL.iter().any(|t| t.file_name() == name) {
                skipped.push(Skipped::UnknownTable(path));
            }
        }
    }
    // Sub-folders are walked in parallel; what they hold is kept in name order.
    let found: Vec<std::io::Result<(Vec<Source>, Vec<Skipped>)>> = children
        .par_iter()
        .map(|child| {
            let (mut out, mut skipped) = (Vec::new(), Vec::new());
            find_bundles(child, format, &mut out, &mut skipped).map(|()| (out, skipped))
        })
        .collect();
    for child in found {
        let (sources, skips) = child?;
        out.extend(sources);
        skipped.extend(skips);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle_folder(root: &Path) -> PathBuf {
        let dir = root.join("q3");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("campaign.json"),
            r#"{"schema_version": 1, "id": "q3", "name": "Q3", "tenant": {"id": "acme", "name": "Acme"}, "status": "draft"}"#,
        )
        .unwrap();
        dir
    }

    #[test]
    fn a_bundle_folder_campaign_is_shelved_and_read_again_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = bundle_folder(tmp.path());
        std::fs::write(dir.join("upload_rejects.csv"), "row,reason\n").unwrap();
        let inputs = load(&[tmp.path().to_path_buf()], None).unwrap();
        let [found] = inputs.bundles.as_slice() else { panic!("one campaign: {:?}", inputs.errors) };
        assert!(matches!(found, Found::Shelved(_)), "kept as its id, tenant, status and tables only");
        assert_eq!((found.id(), found.tenant().id.as_str(), found.status()), ("q3", "acme", &Status::Draft));
        let tables: Vec<PathBuf> = found.csv().paths().map(Path::to_path_buf).collect();
        assert_eq!(tables, [dir.join("upload_rejects.csv")]);
        let bundle = found.open(&inputs.workspace).unwrap();
        assert_eq!(bundle.campaign().name.as_str(), "Q3");
        assert_eq!(bundle.csv.get(TableName::UploadRejects), Some(dir.join("upload_rejects.csv").as_path()));
        assert_eq!(bundle.csv.get(TableName::Tasks), None);
        assert_eq!(found.object_digest(), sha256(bundle.parsed.raw.as_bytes()));
    }

    #[test]
    fn a_shelved_campaign_whose_file_changed_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = bundle_folder(tmp.path());
        let inputs = load(&[tmp.path().to_path_buf()], None).unwrap();
        // The same size, another name: what a reader that trusted size and time would miss.
        let text = std::fs::read_to_string(dir.join("campaign.json")).unwrap();
        std::fs::write(dir.join("campaign.json"), text.replace("\"Q3\"", "\"Q4\"")).unwrap();
        let error = inputs.bundles[0].open(&inputs.workspace).err().expect("refused").to_string();
        assert!(error.contains("campaign.json") && error.contains("changed while the run was reading it"), "{error}");
        std::fs::remove_file(dir.join("campaign.json")).unwrap();
        assert!(inputs.bundles[0].open(&inputs.workspace).is_err(), "a file gone is refused too");
    }

    #[test]
    fn campaigns_of_json_files_are_held() {
        let inputs = load(&[PathBuf::from("fixtures/acme-single.json")], None).unwrap();
        assert!(!inputs.bundles.is_empty());
        assert!(inputs.bundles.iter().all(|f| matches!(f, Found::Held(_))));
    }
}
