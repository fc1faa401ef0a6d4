//! `manifest.json`: every file of a snapshot with its digest, each campaign's
//! status and layout, and the key that lets the next run skip unchanged campaigns
//! (see `plan`). It is written last, so a snapshot with a manifest is complete.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::lifecycle::Layout;
use crate::model::Tenant;
use crate::output::{Listing, Output, OutputError, Written};
use crate::view::ListEntry;

/// A campaign's record in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CampaignRecord {
    pub id: String,
    pub name: String,
    pub status: String,
    pub layout: Layout,
    /// What the campaign's files were built from; absent when they must be rebuilt next time.
    pub key: Option<String>,
    /// The same digest for every campaign, also one rebuilt every run because its
    /// pages depend on the clock: two builds with the same `content_key` differ only
    /// in the snapshot time (`deliver` does not send such a PDF again).
    #[serde(default)]
    pub content_key: Option<String>,
    /// The campaign's line in the campaign list.
    pub entry: ListEntry,
}

/// What a snapshot was built for: who may read it, and the settings its messages need
/// (`deliver` refuses a subscription whose role or redaction differs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuiltWith {
    /// The `--role` the pages were built for.
    pub role: String,
    /// `contacts` when contact names and numbers are masked (`--redact contacts`), else null.
    pub redact: Option<String>,
    /// Whether the snapshot holds PDFs (`--format` included `pdf`).
    pub pdf: bool,
    /// `pdf/a-2b` or `pdf/a-3b` when the PDFs are archival (`--pdf-variant`), else null.
    #[serde(default)]
    pub pdf_variant: Option<String>,
    /// The layouts built (`--layouts`), or null when every campaign was.
    #[serde(default)]
    pub layouts: Option<Vec<Layout>>,
    /// The workspace's time zone, in which the pages show times.
    pub timezone: crate::model::TimeZoneName,
    /// The workspace's `app_url`, for deep links.
    pub app_url: Option<String>,
}

/// The contents of `manifest.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub generated_at: String,
    pub tool_version: String,
    pub tenant: Tenant,
    pub built_with: BuiltWith,
    pub files: Vec<Written>,
    pub campaigns: Vec<CampaignRecord>,
    /// Campaigns whose last build failed: their previous files, if any, are kept, and
    /// they are in no list and never delivered until a build succeeds.
    #[serde(default)]
    pub failed: Vec<String>,
}

/// `Manifest` as it is written: the same fields in the same order, borrowed.
#[derive(Serialize)]
struct Writing<'a> {
    generated_at: &'a str,
    tool_version: &'a str,
    tenant: &'a Tenant,
    built_with: &'a BuiltWith,
    files: &'a Listing<'a>,
    campaigns: &'a [CampaignRecord],
    failed: &'a [String],
}

/// The previous snapshot in an output folder, as its manifest describes it.
#[derive(Debug, Default)]
pub struct Previous {
    /// The tenant whose snapshot the folder holds.
    pub tenant: Option<String>,
    campaigns: BTreeMap<String, CampaignRecord>,
    files: BTreeMap<String, Written>,
}

impl Previous {
    /// Reads `root/manifest.json`; a missing or unreadable manifest means nothing can be skipped.
    pub fn load(root: &Path) -> Previous {
        let Some(bytes) = crate::output::read_regular(&root.join("manifest.json")) else { return Previous::default() };
        let Ok(manifest) = serde_json::from_slice::<Manifest>(&bytes) else { return Previous::default() };
        if manifest.tool_version != env!("CARGO_PKG_VERSION") {
            return Previous::default();
        }
        // The manifest is a file on disk like any other: a path in it that could point
        // outside the folder is ignored, never followed.
        Previous {
            tenant: Some(manifest.tenant.id.to_string()),
            campaigns: manifest.campaigns.into_iter().map(|c| (c.id.clone(), c)).collect(),
            files: manifest
                .files
                .into_iter()
                .filter(|f| crate::output::is_inside(&f.path))
                .map(|f| (f.path.clone(), f))
                .collect(),
        }
    }

    /// The files the previous snapshot wrote for campaign `id`.
    pub fn files_of(&self, id: &str) -> Vec<Written> {
        let prefix = format!("campaigns/{id}/");
        self.files.range(prefix.clone()..).take_while(|(p, _)| p.starts_with(&prefix)).map(|(_, f)| f.clone()).collect()
    }

    /// The previous record of `id` when its key is `key` and its files are still on disk, unchanged in size.
    pub fn up_to_date(&self, root: &Path, id: &str, key: &str) -> Option<(CampaignRecord, Vec<Written>)> {
        let record = self.campaigns.get(id)?;
        if record.key.as_deref() != Some(key) {
            return None;
        }
        let files = self.files_of(id);
        let intact = !files.is_empty()
            && files.iter().all(|f| std::fs::metadata(root.join(&f.path)).is_ok_and(|m| m.len() == f.bytes));
        intact.then(|| (record.clone(), files))
    }

    /// Whether the previous snapshot has a rebuild key for campaign `id`: without one,
    /// the campaign is built whatever its key.
    pub fn has_key(&self, id: &str) -> bool {
        self.campaigns.get(id).is_some_and(|r| r.key.is_some())
    }

    /// Whether the previous snapshot had exactly these campaigns.
    pub fn same_campaigns<'a>(&self, ids: impl Iterator<Item = &'a str>) -> bool {
        let ids: Vec<&str> = ids.collect();
        !self.campaigns.is_empty()
            && ids.len() == self.campaigns.len()
            && ids.iter().all(|i| self.campaigns.contains_key(*i))
    }

    /// Every file of the previous snapshot.
    pub fn all_files(&self) -> impl Iterator<Item = &Written> {
        self.files.values()
    }
}

/// Commits the run: stages `manifest.json`, listing every file of the snapshot, then
/// puts every held file in place and the manifest last. The manifest is written
/// before any file is put in place, so running out of space changes nothing.
pub fn commit(
    output: &Output,
    generated_at: jiff::Timestamp,
    tenant: &Tenant,
    built_with: &BuiltWith,
    mut campaigns: Vec<CampaignRecord>,
    mut failed: Vec<String>,
) -> Result<(), OutputError> {
    campaigns.sort_by(|a, b| a.id.cmp(&b.id));
    failed.sort();
    failed.dedup();
    let generated_at = generated_at.to_string();
    // Streamed to its file, from records borrowed where they are: with a hundred
    // thousand campaigns the manifest is hundreds of megabytes, which memory need not
    // hold at once, nor a copy of every file record.
    let mut file = output.writer("manifest.json")?;
    let path = file.path().to_path_buf();
    let io = |cause: std::io::Error| OutputError::Io { path: path.clone(), cause };
    output
        .with_listing(|files| {
            let manifest = Writing {
                generated_at: &generated_at,
                tool_version: env!("CARGO_PKG_VERSION"),
                tenant,
                built_with,
                files,
                campaigns: &campaigns,
                failed: &failed,
            };
            // Buffered before the file, which hashes what it is given write by write.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut file);
            serde_json::to_writer_pretty(&mut out, &manifest)?;
            out.write_all(b"\n").and_then(|()| out.flush()).map_err(serde_json::Error::io)
        })
        .map_err(|e| io(e.into()))?;
    let staged = file.stage()?;
    let new = staged.written().clone();
    if output.in_place(&new) {
        // The same bytes are already in place: the staged copy is dropped (and removed).
        drop(staged);
        output.commit_held(None)?;
        output.carry(new);
    } else {
        output.commit_held(Some(staged))?;
    }
    Ok(())
}
