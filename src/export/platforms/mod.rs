//! Exports of hosted calling platforms (Vapi, Retell, Twilio), recognised by their
//! shape or named with `--input-format`, and mapped into the native campaign object
//! (docs/platforms.md), which the native reader then reads: every layout, figure,
//! redaction and export copy works on a platform's campaign unchanged.
//!
//! Each platform's file knows its own fields and values (`vapi`, `retell`, `twilio`);
//! `build` turns what they read into tasks, calls and the native object; `shape`
//! tells the files apart; `records` reads them with positions for errors.

mod build;
mod outcome;
mod records;
mod retell;
mod schema;
pub mod shape;
mod twilio;
mod vapi;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::json::{self, ParsedCampaign};
use super::{InputError, Position};
use crate::lifecycle::Status;
use crate::model::{Id, Workspace};
use shape::Shape;

/// How inputs are read (`--input-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Recognised by their shape.
    #[default]
    Auto,
    Native,
    Vapi,
    Retell,
    Twilio,
}

/// What reading platform exports takes from the command line.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    pub format: InputFormat,
    /// `--tenant`: the tenant of platform imports that the workspace names none for.
    pub tenant: Option<String>,
}

/// A hosted platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Vapi,
    Retell,
    Twilio,
}

impl Platform {
    const ALL: [Platform; 3] = [Platform::Vapi, Platform::Retell, Platform::Twilio];

    /// The platform's name, as `--input-format` and `summary.json` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Vapi => "vapi",
            Platform::Retell => "retell",
            Platform::Twilio => "twilio",
        }
    }

    /// The platforms a format lets the tool recognise.
    fn allowed(format: InputFormat) -> &'static [Platform] {
        match format {
            InputFormat::Auto => &Platform::ALL,
            InputFormat::Native => &[],
            InputFormat::Vapi => &[Platform::Vapi],
            InputFormat::Retell => &[Platform::Retell],
            InputFormat::Twilio => &[Platform::Twilio],
        }
    }

    /// The shape of the file that describes the campaign; Twilio's is a native `campaign.json`.
    fn campaign_shape(self) -> Shape {
        match self {
            Platform::Vapi => Shape::VapiCampaign,
            Platform::Retell => Shape::RetellBatch,
            Platform::Twilio => Shape::Native,
        }
    }

    fn calls_shape(self) -> Shape {
        match self {
            Platform::Vapi => Shape::VapiCalls,
            Platform::Retell => Shape::RetellCalls,
            Platform::Twilio => Shape::TwilioCalls,
        }
    }

    fn campaign_words(self) -> &'static str {
        match self {
            Platform::Vapi => "a Vapi Campaign object",
            Platform::Retell => "a Retell batch call object",
            Platform::Twilio => "a native campaign.json describing the campaign",
        }
    }
}

/// The files of one platform campaign.
#[derive(Debug, Clone)]
pub struct Import {
    pub platform: Platform,
    pub folder: PathBuf,
    /// The file describing the campaign.
    pub campaign: Option<PathBuf>,
    /// The files of its calls.
    pub calls: Vec<PathBuf>,
}

impl Import {
    /// Every file the import reads.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.campaign.iter().chain(&self.calls).map(PathBuf::as_path)
    }

    fn missing(&self, what: &str) -> InputError {
        InputError::file(&self.folder, format!("no {what} found in this folder (docs/platforms.md)"))
    }
}

/// The JSON Schema of the export files of the platform a format names; `None` for
/// native input (whose schema is the campaign object's).
pub fn schema(format: InputFormat) -> Option<schemars::Schema> {
    match format {
        InputFormat::Auto | InputFormat::Native => None,
        InputFormat::Vapi => Some(schema::of(Platform::Vapi)),
        InputFormat::Retell => Some(schema::of(Platform::Retell)),
        InputFormat::Twilio => Some(schema::of(Platform::Twilio)),
    }
}

/// What a folder or file holds for the platform readers.
#[derive(Debug)]
pub enum Found {
    Import(Import),
    /// Named with `--input-format` but not of that platform, or incomplete.
    Refused(InputError),
    /// Not a platform export: read as native input.
    Nothing,
}

/// The JSON files directly in `dir` (not `workspace.json`), in name order, with their shapes.
fn shaped_files(dir: &Path) -> Vec<(PathBuf, Shape)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
            let ext = name.rsplit('.').next().unwrap_or("");
            matches!(ext, "json" | "jsonl" | "ndjson") && name != "workspace.json"
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let shape = shape::of_file(&p);
            (p, shape)
        })
        .collect()
}

/// The platform campaign a folder holds, if any (docs/platforms.md, "Recognising the inputs").
pub fn in_folder(dir: &Path, format: InputFormat) -> Found {
    let allowed = Platform::allowed(format);
    if allowed.is_empty() {
        return Found::Nothing;
    }
    let files = shaped_files(dir);
    for &platform in allowed {
        if let Some(found) = folder_import(dir, &files, platform) {
            return found;
        }
    }
    let bundle = dir.join("campaign.json");
    if format != InputFormat::Auto && bundle.is_file() {
        return Found::Refused(not_of(&bundle, format));
    }
    Found::Nothing
}

fn folder_import(dir: &Path, files: &[(PathBuf, Shape)], platform: Platform) -> Option<Found> {
    let of = |shape: Shape| files.iter().filter(move |(_, s)| *s == shape).map(|(p, _)| p.clone());
    let calls: Vec<PathBuf> = files
        .iter()
        .filter(|(_, s)| *s == platform.calls_shape() || *s == Shape::Empty)
        .map(|(p, _)| p.clone())
        .collect();
    let campaigns: Vec<PathBuf> = match platform {
        // Twilio has no campaign object: the folder's native campaign.json describes it.
        Platform::Twilio => {
            let file = dir.join("campaign.json");
            if !files.iter().any(|(_, s)| *s == Shape::TwilioCalls) || !file.is_file() {
                return None;
            }
            vec![file]
        }
        _ => of(platform.campaign_shape()).collect(),
    };
    let first = campaigns.first()?.clone();
    if let Some(second) = campaigns.get(1) {
        return Some(Found::Refused(InputError::file(
            second,
            format!(
                "{} already holds {}: a folder holds one campaign; put each in a folder of its own",
                first.display(),
                platform.campaign_words()
            ),
        )));
    }
    Some(Found::Import(Import { platform, folder: dir.to_path_buf(), campaign: Some(first), calls }))
}

/// The platform campaign a file given as an input holds, if any: a Vapi campaign with
/// its calls inside, a Retell batch, or call files read with the campaign file of their folder.
pub fn in_file(path: &Path, format: InputFormat) -> Found {
    let allowed = Platform::allowed(format);
    if allowed.is_empty() {
        return Found::Nothing;
    }
    let shape = shape::of_file(path);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    for &platform in allowed {
        if shape == platform.campaign_shape() && platform != Platform::Twilio {
            return Found::Import(Import {
                platform,
                folder: dir,
                campaign: Some(path.to_path_buf()),
                calls: Vec::new(),
            });
        }
        if shape == platform.calls_shape() {
            let campaign = match platform {
                Platform::Twilio => Some(dir.join("campaign.json")).filter(|f| f.is_file()),
                _ => shaped_files(&dir).into_iter().find(|(_, s)| *s == platform.campaign_shape()).map(|(p, _)| p),
            };
            let import = Import { platform, folder: dir, campaign, calls: vec![path.to_path_buf()] };
            return match import.campaign {
                Some(_) => Found::Import(import),
                None => Found::Refused(import.missing(&format!("{} beside these calls", platform.campaign_words()))),
            };
        }
    }
    if format == InputFormat::Auto { Found::Nothing } else { Found::Refused(not_of(path, format)) }
}

fn not_of(path: &Path, format: InputFormat) -> InputError {
    let platform = Platform::allowed(format).first().map_or("native", |p| p.name());
    InputError::file(
        path,
        format!(
            "--input-format {platform}: this is not a {platform} export (docs/platforms.md says how each is recognised)"
        ),
    )
}

/// Reads a platform campaign into a native campaign object.
pub fn read(import: &Import, workspace: &Workspace, reading: &Reading) -> (Vec<ParsedCampaign>, Vec<InputError>) {
    match read_one(import, workspace, reading) {
        Ok(parsed) => (vec![parsed], Vec::new()),
        Err(errors) => (Vec::new(), errors),
    }
}

fn read_one(import: &Import, workspace: &Workspace, reading: &Reading) -> Result<ParsedCampaign, Vec<InputError>> {
    let Some(file) = import.campaign.clone() else {
        return Err(vec![import.missing(import.platform.campaign_words())]);
    };
    let base = match import.platform {
        Platform::Twilio => twilio_base(&file, workspace).map_err(|e| vec![e])?,
        _ => {
            let mut base = Map::new();
            base.insert("tenant".into(), tenant(&file, import.platform, workspace, reading).map_err(|e| vec![e])?);
            base
        }
    };
    let mapped = match import.platform {
        Platform::Vapi => vapi::read(import, &workspace.platforms)?,
        Platform::Retell => retell::read(import, &workspace.platforms)?,
        Platform::Twilio => twilio::read(import)?,
    };
    let text = mapped.into_native(base).to_string();
    let mut parsed = json::parse_campaign(&file, &text, 1, 1).map_err(|e| {
        // Values were checked where they were read; what is left names the mapped field.
        vec![InputError::field(
            &file,
            Default::default(),
            e.field.unwrap_or_default(),
            format!("the campaign mapped from this {} export is not valid: {}", import.platform.name(), e.message),
        )]
    })?;
    parsed.mapped = true;
    Ok(parsed)
}

/// The tenant of a Vapi or Retell campaign: the workspace's `platforms.tenant`, else `--tenant`.
fn tenant(file: &Path, platform: Platform, workspace: &Workspace, reading: &Reading) -> Result<Value, InputError> {
    if let Some(tenant) = &workspace.platforms.tenant {
        return Ok(json!(tenant));
    }
    match &reading.tenant {
        Some(id) => {
            let id = Id::new(id).map_err(|e| InputError::file(file, format!("--tenant: {e}")))?;
            Ok(json!({ "id": id, "name": id }))
        }
        None => Err(InputError::file(
            file,
            format!(
                "a {} export names an org of the platform, not a tenant: set platforms.tenant in workspace.json, or give --tenant ID (docs/platforms.md)",
                platform.name()
            ),
        )),
    }
}

/// Twilio's `campaign.json`, read as any native campaign object with its errors placed
/// in it (its status included, which the mapped object's errors could not place); its
/// calls and tasks are the Twilio records, so it may not carry its own.
fn twilio_base(file: &Path, workspace: &Workspace) -> Result<Map<String, Value>, InputError> {
    let bytes = json::read_limited(file)?;
    let text = json::decode_utf8(file, &bytes)?;
    let parsed = json::parse_campaign(file, text, 1, 1)?;
    let at = |key: &str| {
        let (line, column) = json::key_position(text, key);
        Position::at(line, column)
    };
    if let Err(e) = Status::parse(&parsed.campaign.status, &workspace.terminal_statuses) {
        return Err(InputError::field(file, at("status"), "status", e.to_string()));
    }
    let base: Map<String, Value> = serde_json::from_str(text).map_err(|e| InputError::file(file, e.to_string()))?;
    if let Some(table) = ["tasks", "calls"].into_iter().find(|t| base.contains_key(*t)) {
        return Err(InputError::field(
            file,
            at(table),
            table,
            "the Twilio call records beside this file are the campaign's calls and tasks; remove this table",
        ));
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::build::Stage;
    use super::{retell, twilio, vapi};

    const DOC: &str = include_str!("../../../docs/platforms.md");

    /// Whether docs/platforms.md has a table row mapping `value` to `word`.
    fn documented(value: &str, word: &str) -> bool {
        DOC.contains(&format!("| `{value}` | {word}"))
    }

    fn stage_word(stage: Stage) -> &'static str {
        match stage {
            Stage::Waiting => "queued",
            Stage::Live => "in progress",
            Stage::Ended(result) => result.as_str(),
        }
    }

    #[test]
    fn every_mapped_value_is_documented_as_mapped() {
        let mut missing = Vec::new();
        let mut check = |value: &str, word: &str| {
            if !documented(value, word) {
                missing.push(format!("| `{value}` | {word}"));
            }
        };
        for &(value, word) in vapi::CAMPAIGN_STATUSES.iter().chain(vapi::CAMPAIGN_ENDED_REASONS) {
            check(value, word);
        }
        for &(value, stage) in vapi::CALL_STATUSES.iter().chain(twilio::STATUSES) {
            check(value, stage_word(stage));
        }
        for &(value, result) in vapi::ENDED_REASONS
            .iter()
            .chain(vapi::ENDED_REASON_PREFIXES)
            .chain(retell::DISCONNECTION_REASONS)
            .chain(retell::DISCONNECTION_PREFIXES)
            .chain(twilio::ANSWERED_BY)
        {
            check(value, result.as_str());
        }
        for &(code, result) in vapi::SIP_CODES {
            check(&code.to_string(), result.as_str());
        }
        for &(value, stage) in retell::CALL_STATUSES {
            check(value, stage.map_or("result from", stage_word));
        }
        assert!(missing.is_empty(), "docs/platforms.md lacks these rows:\n{}", missing.join("\n"));
    }
}
