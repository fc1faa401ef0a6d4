//! `manifest.json`: every file of a snapshot with its digest, each campaign's
//! status and layout, and the key that lets the next run skip unchanged campaigns
//! (see `plan`). It is written last, so a snapshot with a manifest is complete.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::records::CampaignRecords;
use crate::lifecycle::Layout;
use crate::model::Tenant;
use crate::output::{Listing, Output, OutputError, Written};
use crate::sync::lock;
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
    campaigns: ById<'a>,
    failed: &'a [String],
}

/// The campaign records by id, for the manifest: serialised as a list, one read back
/// and written at a time.
struct ById<'a>(&'a CampaignRecords);

impl Serialize for ById<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut list = serializer.serialize_seq(Some(self.0.count()))?;
        for record in self.0.by_id() {
            let record = record.map_err(|e| {
                S::Error::custom(format!("cannot read back the campaign records: {}", crate::os::describe(&e)))
            })?;
            list.serialize_element(&record)?;
        }
        list.end()
    }
}

/// The previous snapshot in an output folder, as its manifest describes it.
///
/// A snapshot of a hundred thousand campaigns has a manifest of some 200 MB, so it is
/// read as a stream when it is large, its files are kept compact (the digest as
/// bytes) and a campaign record the run keeps is moved into the run's records, not
/// copied.
#[derive(Debug, Default)]
pub struct Previous {
    /// The tenant whose snapshot the folder holds.
    pub tenant: Option<String>,
    /// The campaigns by id; the record of a campaign kept as it is has been taken
    /// (see [`Previous::take_up_to_date`]), and only its id and its key's presence stay.
    campaigns: Mutex<BTreeMap<String, Slot>>,
    files: BTreeMap<Box<str>, FileDigest>,
}

/// A previous campaign: its record until the run takes it.
#[derive(Debug)]
struct Slot {
    has_key: bool,
    record: Option<CampaignRecord>,
}

/// A previous file's digest and size.
#[derive(Debug, Clone, Copy)]
struct FileDigest {
    sha256: [u8; 32],
    bytes: u64,
}

/// What a run reads of a previous manifest: every field of [`Manifest`] is checked,
/// so a damaged manifest is not used (and every campaign is built again).
#[derive(Deserialize)]
struct Reading {
    #[allow(dead_code)]
    generated_at: String,
    tool_version: String,
    tenant: Tenant,
    #[allow(dead_code)]
    built_with: BuiltWith,
    #[allow(dead_code)]
    #[serde(default)]
    failed: Vec<String>,
    #[serde(deserialize_with = "files_by_path")]
    files: BTreeMap<Box<str>, FileDigest>,
    #[serde(deserialize_with = "campaigns_by_id")]
    campaigns: BTreeMap<String, Slot>,
}

/// Manifests up to this size are read whole, larger ones as a stream (slower per byte).
const READ_WHOLE: u64 = 16 << 20;

impl Previous {
    /// Reads `root/manifest.json`; a missing or unreadable manifest means nothing can be skipped.
    pub fn load(root: &Path) -> Previous {
        Previous::read(root, READ_WHOLE)
    }

    /// Reads `root/manifest.json`, whole when it is at most `whole_up_to` bytes.
    fn read(root: &Path, whole_up_to: u64) -> Previous {
        let path = root.join("manifest.json");
        let Some(meta) = std::fs::symlink_metadata(&path).ok().filter(|m| m.file_type().is_file()) else {
            return Previous::default();
        };
        let read = if meta.len() <= whole_up_to {
            let Some(bytes) = crate::output::read_regular(&path) else { return Previous::default() };
            serde_json::from_slice::<Reading>(&bytes)
        } else {
            let Ok(file) = std::fs::File::open(&path) else { return Previous::default() };
            serde_json::from_reader::<_, Reading>(std::io::BufReader::with_capacity(1 << 16, file))
        };
        let Ok(manifest) = read else { return Previous::default() };
        if manifest.tool_version != env!("CARGO_PKG_VERSION") {
            return Previous::default();
        }
        Previous {
            tenant: Some(manifest.tenant.id.to_string()),
            campaigns: Mutex::new(manifest.campaigns),
            files: manifest.files,
        }
    }

    /// The files the previous snapshot wrote for campaign `id`.
    pub fn files_of(&self, id: &str) -> Vec<Written> {
        let prefix = format!("campaigns/{id}/");
        self.files
            .range::<str, _>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded))
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(path, file)| written(path, file))
            .collect()
    }

    /// The previous record of `id` when its key is `key` and its files are still on
    /// disk, unchanged in size. The record is taken: the run keeps it as its own.
    pub fn take_up_to_date(&self, root: &Path, id: &str, key: &str) -> Option<(CampaignRecord, Vec<Written>)> {
        let same_key = lock(&self.campaigns)
            .get(id)
            .and_then(|slot| slot.record.as_ref())
            .is_some_and(|record| record.key.as_deref() == Some(key));
        if !same_key {
            return None;
        }
        let files = self.files_of(id);
        let intact = !files.is_empty()
            && files.iter().all(|f| std::fs::metadata(root.join(&f.path)).is_ok_and(|m| m.len() == f.bytes));
        if !intact {
            return None;
        }
        let record = lock(&self.campaigns).get_mut(id)?.record.take()?;
        Some((record, files))
    }

    /// Whether the previous snapshot has a rebuild key for campaign `id`: without one,
    /// the campaign is built whatever its key.
    pub fn has_key(&self, id: &str) -> bool {
        lock(&self.campaigns).get(id).is_some_and(|slot| slot.has_key)
    }

    /// Whether the previous snapshot had campaign `id`.
    pub fn knows(&self, id: &str) -> bool {
        lock(&self.campaigns).contains_key(id)
    }

    /// How many campaigns the previous snapshot had.
    pub fn campaign_count(&self) -> usize {
        lock(&self.campaigns).len()
    }

    /// The previous file at `path`, if the snapshot has one.
    pub fn file(&self, path: &str) -> Option<Written> {
        self.files.get_key_value(path).map(|(path, file)| written(path, file))
    }

    /// Every file of the previous snapshot, in path order (each made as it is asked for).
    pub fn all_files(&self) -> impl Iterator<Item = Written> + '_ {
        self.files.iter().map(|(path, file)| written(path, file))
    }
}

fn written(path: &str, file: &FileDigest) -> Written {
    Written { path: path.to_string(), sha256: crate::output::hex(&file.sha256), bytes: file.bytes }
}

/// The `files` of a manifest by path, read one at a time. The manifest is a file on
/// disk like any other: a path in it that could point outside the folder is ignored,
/// never followed; a digest that is not 64 hex digits (a hand-edited manifest) is kept
/// as zeros, which match no file.
fn files_by_path<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<Box<str>, FileDigest>, D::Error> {
    struct Files;
    impl<'de> serde::de::Visitor<'de> for Files {
        type Value = BTreeMap<Box<str>, FileDigest>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of files")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut files = BTreeMap::new();
            while let Some(file) = seq.next_element::<Written>()? {
                if crate::output::is_inside(&file.path) {
                    let sha256 = crate::output::unhex_sha256(&file.sha256).unwrap_or([0; 32]);
                    files.insert(file.path.into_boxed_str(), FileDigest { sha256, bytes: file.bytes });
                }
            }
            Ok(files)
        }
    }
    deserializer.deserialize_seq(Files)
}

/// The `campaigns` of a manifest by id, read one at a time.
fn campaigns_by_id<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, Slot>, D::Error> {
    struct Campaigns;
    impl<'de> serde::de::Visitor<'de> for Campaigns {
        type Value = BTreeMap<String, Slot>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of campaigns")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut campaigns = BTreeMap::new();
            while let Some(record) = seq.next_element::<CampaignRecord>()? {
                campaigns.insert(record.id.clone(), Slot { has_key: record.key.is_some(), record: Some(record) });
            }
            Ok(campaigns)
        }
    }
    deserializer.deserialize_seq(Campaigns)
}

/// Commits the run: stages `manifest.json`, listing every file of the snapshot, then
/// puts every held file in place and the manifest last. The manifest is written
/// before any file is put in place, so running out of space changes nothing.
pub fn commit(
    output: &Output,
    generated_at: jiff::Timestamp,
    tenant: &Tenant,
    built_with: &BuiltWith,
    campaigns: &CampaignRecords,
    mut failed: Vec<String>,
) -> Result<(), OutputError> {
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
                campaigns: ById(campaigns),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(version: &str) -> serde_json::Value {
        let entry = |id: &str| {
            serde_json::json!({"id": id, "name": id, "status": "Completed", "status_word": "completed",
                "status_kind": "ended", "layout": "ended", "progress": "-", "bar": null, "key_figure": "-",
                "href": format!("campaigns/{id}/index.html"), "tabs": [], "warnings": null})
        };
        let file = |path: &str, sha256: &str| serde_json::json!({"path": path, "sha256": sha256, "bytes": 3});
        serde_json::json!({
            "generated_at": "2026-11-27T12:00:00Z", "tool_version": version,
            "tenant": {"id": "acme", "name": "Acme"},
            "built_with": {"role": "viewer", "redact": null, "pdf": false, "timezone": "UTC", "app_url": null},
            "files": [
                file("campaigns/a/index.html", &"ab".repeat(32)),
                file("campaigns/a/tasks.html", "not hex"),
                file("campaigns/a-2/index.html", &"cd".repeat(32)),
                file("../outside.html", &"ef".repeat(32)),
                file("index.html", &"01".repeat(32)),
            ],
            "campaigns": [
                {"id": "a", "name": "A", "status": "Completed", "layout": "ended", "key": "k1", "content_key": null, "entry": entry("a")},
                {"id": "a-2", "name": "A2", "status": "Completed", "layout": "ended", "key": null, "content_key": null, "entry": entry("a-2")},
            ],
            "failed": [],
        })
    }

    #[test]
    fn a_previous_manifest_reads_the_same_whole_or_streamed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("manifest.json"), manifest(env!("CARGO_PKG_VERSION")).to_string()).unwrap();
        for file in ["campaigns/a/index.html", "campaigns/a/tasks.html"] {
            std::fs::create_dir_all(dir.path().join(file).parent().unwrap()).unwrap();
            std::fs::write(dir.path().join(file), "abc").unwrap();
        }
        for whole_up_to in [u64::MAX, 0] {
            let previous = Previous::read(dir.path(), whole_up_to);
            assert_eq!(previous.tenant.as_deref(), Some("acme"));
            let paths: Vec<String> = previous.all_files().map(|f| f.path).collect();
            // Never a path that leaves the folder.
            assert_eq!(
                paths,
                ["campaigns/a-2/index.html", "campaigns/a/index.html", "campaigns/a/tasks.html", "index.html"]
            );
            let of_a: Vec<Written> = previous.files_of("a");
            assert_eq!(of_a.len(), 2, "not the files of a-2");
            assert_eq!(of_a[0].sha256, "ab".repeat(32));
            assert_eq!(of_a[1].sha256, "0".repeat(64), "a digest that is not one matches no file");
            assert_eq!(previous.file("index.html").map(|f| f.bytes), Some(3));
            assert!(previous.has_key("a") && !previous.has_key("a-2") && !previous.has_key("b"));
            assert!(previous.take_up_to_date(dir.path(), "a", "other key").is_none());
            let (record, files) = previous.take_up_to_date(dir.path(), "a", "k1").unwrap();
            assert_eq!((record.id.as_str(), files.len()), ("a", 2));
            // Taken: the run holds it now; the campaign is still one of the snapshot's.
            assert!(previous.take_up_to_date(dir.path(), "a", "k1").is_none());
            assert!(previous.has_key("a"));
            assert!(previous.knows("a") && previous.knows("a-2") && !previous.knows("b"));
            assert_eq!(previous.campaign_count(), 2);
        }
        std::fs::write(dir.path().join("manifest.json"), manifest("0.0.1").to_string()).unwrap();
        assert!(Previous::read(dir.path(), 0).tenant.is_none(), "another version's manifest is not used");
        let mut damaged = manifest(env!("CARGO_PKG_VERSION"));
        damaged.as_object_mut().unwrap().remove("built_with");
        std::fs::write(dir.path().join("manifest.json"), damaged.to_string()).unwrap();
        for whole_up_to in [u64::MAX, 0] {
            assert!(Previous::read(dir.path(), whole_up_to).tenant.is_none(), "a damaged manifest is not used");
        }
    }
}
