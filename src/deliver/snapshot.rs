//! The snapshots in `OUT`, as `build` wrote them: one folder with its manifest, or
//! one such folder per tenant (`--all-tenants`). Only what a manifest lists is read,
//! and a PDF is used only when its bytes match the digest the manifest records.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::pipeline::manifest::{CampaignRecord, Manifest};

/// A snapshot that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{} holds no snapshot: no manifest.json in it or in a folder of it (run `campaign-report build --out {}` first)", .0.display(), .0.display())]
    Missing(PathBuf),
    #[error("{}: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
}

/// One tenant's snapshot.
#[derive(Debug)]
pub struct Snapshot {
    pub root: PathBuf,
    pub manifest: Manifest,
    sha256: BTreeMap<String, String>,
}

/// The figures a message shows, read from a campaign's `summary.json`.
#[derive(Debug, Default, Deserialize)]
pub struct Summary {
    pub data_as_of: Option<jiff::Timestamp>,
    #[serde(default)]
    pub data_stale: bool,
    pub progress: Option<Progress>,
    pub funnel: Option<Vec<Stage>>,
    pub readiness: Option<Vec<Check>>,
    pub dispatch: Option<Dispatch>,
    pub pace: Option<Pace>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Progress {
    pub total: u64,
    pub done: u64,
    pub percent: f64,
}

#[derive(Debug, Deserialize)]
pub struct Stage {
    pub stage: String,
    pub count: u64,
}

#[derive(Debug, Deserialize)]
pub struct Check {
    pub check: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Deserialize)]
pub struct Dispatch {
    pub verdict: String,
}

#[derive(Debug, Deserialize)]
pub struct Pace {
    pub estimated_finish: Option<jiff::Timestamp>,
}

/// A campaign as the snapshot holds it: its record, its PDF and its figures.
#[derive(Debug)]
pub struct Campaign<'a> {
    pub record: &'a CampaignRecord,
    pub pdf: Vec<u8>,
    pub pdf_sha256: String,
    pub summary: Summary,
}

/// Why a selected campaign cannot be sent.
#[derive(Debug, thiserror::Error)]
pub enum Unsendable {
    #[error("the snapshot has no PDFs (it was built without pdf in --format)")]
    NoPdfs,
    #[error("its PDF was not printed by the last build")]
    NoPdf,
    #[error("{rel} does not match the digest in manifest.json (changed since the build): rebuild the snapshot")]
    Tampered { rel: String },
    #[error("cannot read {rel}: {reason}")]
    Unreadable { rel: String, reason: String },
}

impl Snapshot {
    fn load(root: &Path) -> Result<Snapshot, SnapshotError> {
        let path = root.join("manifest.json");
        let unreadable = |reason: String| SnapshotError::Unreadable { path: path.clone(), reason };
        let bytes = crate::output::read_regular(&path).ok_or_else(|| unreadable("cannot read it".into()))?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            unreadable(format!("not a manifest this version of campaign-report reads ({e}); rebuild the snapshot"))
        })?;
        let sha256 = manifest.files.iter().map(|f| (f.path.clone(), f.sha256.clone())).collect();
        Ok(Snapshot { root: root.to_path_buf(), manifest, sha256 })
    }

    /// The tenant's id.
    fn tenant(&self) -> &str {
        self.manifest.tenant.id.as_str()
    }

    /// A listed file's bytes, checked against the manifest's digest.
    fn read(&self, rel: &str) -> Result<Vec<u8>, Unsendable> {
        let Some(expected) = self.sha256.get(rel) else {
            return Err(Unsendable::Unreadable { rel: rel.into(), reason: "it is not in manifest.json".into() });
        };
        // Paths come from a file on disk: only plain names below the root are followed.
        let bytes = crate::output::is_inside(rel)
            .then(|| crate::output::read_regular(&self.root.join(rel)))
            .flatten()
            .ok_or_else(|| Unsendable::Unreadable {
                rel: rel.into(),
                reason: "it is missing or not a regular file".into(),
            })?;
        if crate::output::sha256_hex(&bytes) != *expected {
            return Err(Unsendable::Tampered { rel: rel.into() });
        }
        Ok(bytes)
    }

    /// The campaign's PDF and figures.
    pub fn campaign<'a>(&self, record: &'a CampaignRecord) -> Result<Campaign<'a>, Unsendable> {
        if !self.manifest.built_with.pdf {
            return Err(Unsendable::NoPdfs);
        }
        let rel = format!("campaigns/{0}/{0}.pdf", record.id);
        if !self.sha256.contains_key(&rel) {
            return Err(Unsendable::NoPdf);
        }
        let pdf = self.read(&rel)?;
        let pdf_sha256 = self.sha256[&rel].clone();
        // The figures are in summary.json when the snapshot has JSON; else the message
        // carries only what the manifest says.
        let summary_rel = format!("campaigns/{}/summary.json", record.id);
        let summary = match self.sha256.contains_key(&summary_rel) {
            true => serde_json::from_slice(&self.read(&summary_rel)?)
                .map_err(|e| Unsendable::Unreadable { rel: summary_rel, reason: e.to_string() })?,
            false => Summary::default(),
        };
        Ok(Campaign { record, pdf, pdf_sha256, summary })
    }
}

/// Every snapshot in `out`, by tenant id: `out` itself, or its folders (`--all-tenants`).
pub fn load_all(out: &Path) -> Result<BTreeMap<String, Snapshot>, SnapshotError> {
    let mut found = BTreeMap::new();
    if out.join("manifest.json").is_file() {
        let snapshot = Snapshot::load(out)?;
        found.insert(snapshot.tenant().to_string(), snapshot);
        return Ok(found);
    }
    let entries = std::fs::read_dir(out)
        .map_err(|e| SnapshotError::Unreadable { path: out.to_path_buf(), reason: crate::os::describe(&e) })?;
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| p.join("manifest.json").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let snapshot = Snapshot::load(&dir)?;
        found.insert(snapshot.tenant().to_string(), snapshot);
    }
    if found.is_empty() {
        return Err(SnapshotError::Missing(out.to_path_buf()));
    }
    Ok(found)
}
