//! `manifest.json`: every file of a snapshot with its digest, each campaign's
//! status and layout, and the key that lets the next run skip unchanged campaigns
//! (see `plan`). It is written last, so a snapshot with a manifest is complete.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write as _;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::records::CampaignRecords;
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
            let record = record.map_err(S::Error::custom)?;
            list.serialize_element(&record)?;
        }
        list.end()
    }
}

/// The previous snapshot in an output folder, as its manifest describes it.
///
/// A snapshot of a hundred thousand campaigns has a manifest of some 200 MB. It is
/// read once, as a stream, and checked whole (a damaged manifest is not used, and
/// every campaign is built again), but what stays in memory is an index: each
/// campaign's key and where its record lies in the file, where each campaign folder's
/// files are listed, and the few files outside them. A record, or a campaign's files,
/// is read from the file again when the run asks for it. The file stays open, so the
/// manifest this run writes in its place changes nothing it reads.
#[derive(Debug, Default)]
pub struct Previous {
    /// The tenant whose snapshot the folder holds.
    pub tenant: Option<String>,
    manifest: Option<File>,
    /// The campaigns by id; a record the run has taken (see
    /// [`Previous::take_up_to_date`]) is not given twice.
    campaigns: BTreeMap<Box<str>, Slot>,
    /// Where the files of each campaign folder (`campaigns/<id>/…`) are listed.
    listed: BTreeMap<Box<str>, Place>,
    /// The files outside the campaign folders (the list, its stylesheet).
    others: BTreeMap<Box<str>, Written>,
}

/// A previous campaign: its key, and where its record lies in the manifest.
#[derive(Debug)]
struct Slot {
    key: Option<Box<str>>,
    record: Place,
    taken: AtomicBool,
}

/// A stretch of the manifest's bytes: one campaign record, or the run of `files`
/// entries of one campaign folder (with the commas and spaces before them).
#[derive(Debug, Clone, Copy)]
struct Place {
    start: u64,
    end: u64,
}

impl Previous {
    /// Reads `root/manifest.json`; a missing or unreadable manifest means nothing can be skipped.
    pub fn load(root: &Path) -> Previous {
        Previous::read(root, READ_WHOLE)
    }

    /// Reads `root/manifest.json`, whole when it is at most `whole_up_to` bytes.
    fn read(root: &Path, whole_up_to: u64) -> Previous {
        let path = root.join("manifest.json");
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file()) {
            return Previous::default();
        }
        let Ok(file) = File::open(&path) else { return Previous::default() };
        let Ok(meta) = file.metadata() else { return Previous::default() };
        let read = if meta.len() <= whole_up_to {
            // Read whole, each entry's place taken from where its text lies.
            let mut bytes = Vec::with_capacity(meta.len() as usize);
            if std::io::Read::read_to_end(&mut &file, &mut bytes).is_err() {
                return Previous::default();
            }
            let mut de = serde_json::Deserializer::from_slice(&bytes);
            index(Reading { at: InSlice(&bytes) }, &mut de)
        } else {
            // Read as a stream, each entry's place taken from the count of bytes read.
            let at = Cell::new(0);
            let reader = Counting { inner: std::io::BufReader::with_capacity(1 << 16, &file), at: &at };
            let mut de = serde_json::Deserializer::from_reader(reader);
            index(Reading { at: Counted(&at) }, &mut de)
        };
        let Ok(index) = read else { return Previous::default() };
        if index.tool_version != env!("CARGO_PKG_VERSION") {
            return Previous::default();
        }
        Previous {
            tenant: Some(index.tenant.id.to_string()),
            manifest: Some(file),
            campaigns: index.campaigns,
            listed: index.listed,
            others: index.others,
        }
    }

    /// The bytes of `place`, read from the manifest.
    fn bytes(&self, place: Place) -> Option<Vec<u8>> {
        let mut bytes = vec![0; usize::try_from(place.end.checked_sub(place.start)?).ok()?];
        self.manifest.as_ref()?.read_exact_at(&mut bytes, place.start).ok()?;
        Some(bytes)
    }

    /// The files the previous snapshot wrote for campaign `id`, in path order.
    pub fn files_of(&self, id: &str) -> Vec<Written> {
        let Some(bytes) = self.listed.get(id).and_then(|place| self.bytes(*place)) else { return Vec::new() };
        // The entries as they were listed, commas between them: read back as a list.
        let list = [b"[", element(&bytes), b"]"].concat();
        let Ok(files) = serde_json::from_slice::<Vec<Written>>(&list) else { return Vec::new() };
        // A path listed twice counts once, with its last entry.
        let files: BTreeMap<String, Written> = files
            .into_iter()
            .filter(|f| crate::output::is_inside(&f.path) && campaign_of(&f.path) == Some(id))
            .map(|f| (f.path.clone(), kept(f)))
            .collect();
        files.into_values().collect()
    }

    /// The previous record of `id` when its key is `key` and its files are still on
    /// disk, unchanged in size. The record is taken: the run keeps it as its own.
    pub fn take_up_to_date(&self, root: &Path, id: &str, key: &str) -> Option<(CampaignRecord, Vec<Written>)> {
        let slot = self.campaigns.get(id).filter(|slot| slot.key.as_deref() == Some(key))?;
        if slot.taken.load(Ordering::Relaxed) {
            return None;
        }
        let files = self.files_of(id);
        let intact = !files.is_empty()
            && files.iter().all(|f| std::fs::metadata(root.join(&f.path)).is_ok_and(|m| m.len() == f.bytes));
        if !intact {
            return None;
        }
        let record: CampaignRecord = serde_json::from_slice(element(&self.bytes(slot.record)?)).ok()?;
        (!slot.taken.swap(true, Ordering::Relaxed)).then_some((record, files))
    }

    /// Whether the previous snapshot has a rebuild key for campaign `id`: without one,
    /// the campaign is built whatever its key.
    pub fn has_key(&self, id: &str) -> bool {
        self.campaigns.get(id).is_some_and(|slot| slot.key.is_some())
    }

    /// Whether the previous snapshot had campaign `id`.
    pub fn knows(&self, id: &str) -> bool {
        self.campaigns.contains_key(id)
    }

    /// How many campaigns the previous snapshot had.
    pub fn campaign_count(&self) -> usize {
        self.campaigns.len()
    }

    /// The previous file at `path` outside the campaign folders (the list, its
    /// stylesheet), if the snapshot has one; a campaign's are given by [`Self::files_of`].
    pub fn other_file(&self, path: &str) -> Option<Written> {
        self.others.get(path).cloned()
    }

    /// The campaign folders the previous snapshot lists files in, by id: a folder's
    /// files are read only when [`Self::files_of`] asks for them.
    pub fn folders(&self) -> impl Iterator<Item = &str> + '_ {
        self.listed.keys().map(|id| &**id)
    }
}

/// The bytes of a [`Place`] from its first value on: without the comma before it.
fn element(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.trim_ascii_start();
    bytes.strip_prefix(b",").unwrap_or(bytes)
}

/// The campaign whose folder holds `path` (`campaigns/<id>/…`).
pub fn campaign_of(path: &str) -> Option<&str> {
    path.strip_prefix("campaigns/")?.split_once('/').map(|(id, _)| id)
}

/// A listed file as the run keeps it: a digest that is not 64 hex digits (a
/// hand-edited manifest) is kept as zeros, which match no file.
fn kept(file: Written) -> Written {
    let sha256 = crate::output::unhex_sha256(&file.sha256).unwrap_or([0; 32]);
    Written { sha256: crate::output::hex(&sha256), ..file }
}

/// Manifests up to this size are read whole, larger ones as a stream (slower per byte).
const READ_WHOLE: u64 = 16 << 20;

/// Reads a whole manifest into an [`Index`], nothing after it.
fn index<'de, R: serde_json::de::Read<'de>, P: Places>(
    reading: Reading<P>,
    de: &mut serde_json::Deserializer<R>,
) -> serde_json::Result<Index> {
    let index = serde::de::DeserializeSeed::deserialize(reading, &mut *de)?;
    de.end()?;
    Ok(index)
}

/// How the entries of a list in the manifest are read with their places.
trait Places: Copy {
    /// The next entry of `seq` and where it lies in the manifest.
    fn next<'de, A: serde::de::SeqAccess<'de>, T: serde::de::DeserializeOwned>(
        self,
        seq: &mut A,
    ) -> Result<Option<(T, Place)>, A::Error>;
}

/// A manifest read whole: an entry is read as its text, which lies in these bytes.
#[derive(Clone, Copy)]
struct InSlice<'a>(&'a [u8]);

impl Places for InSlice<'_> {
    fn next<'de, A: serde::de::SeqAccess<'de>, T: serde::de::DeserializeOwned>(
        self,
        seq: &mut A,
    ) -> Result<Option<(T, Place)>, A::Error> {
        let Some(raw) = seq.next_element::<&serde_json::value::RawValue>()? else { return Ok(None) };
        let text = raw.get();
        let start = (text.as_ptr() as usize).wrapping_sub(self.0.as_ptr() as usize) as u64;
        if start.saturating_add(text.len() as u64) > self.0.len() as u64 {
            return Err(serde::de::Error::custom("an entry outside the manifest's text"));
        }
        let value = serde_json::from_str(text).map_err(serde::de::Error::custom)?;
        Ok(Some((value, Place { start, end: start + text.len() as u64 })))
    }
}

/// A manifest read as a stream: an entry lies between the counts of bytes read before
/// and after it (with the comma before it).
#[derive(Clone, Copy)]
struct Counted<'a>(&'a Cell<u64>);

impl Places for Counted<'_> {
    fn next<'de, A: serde::de::SeqAccess<'de>, T: serde::de::DeserializeOwned>(
        self,
        seq: &mut A,
    ) -> Result<Option<(T, Place)>, A::Error> {
        let start = self.0.get();
        Ok(seq.next_element::<T>()?.map(|value| (value, Place { start, end: self.0.get() })))
    }
}

/// A reader that counts the bytes it has given: serde_json reads its input a byte at
/// a time, so after a value is read the count is where that value ends.
struct Counting<'a, R> {
    inner: R,
    at: &'a Cell<u64>,
}

impl<R: std::io::Read> std::io::Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.at.set(self.at.get() + n as u64);
        Ok(n)
    }
}

/// What a run keeps of a previous manifest (see [`Previous`]). Every field of
/// [`Manifest`] is read and checked; `generated_at`, `built_with` and `failed` are
/// not kept.
struct Index {
    tool_version: String,
    tenant: Tenant,
    campaigns: BTreeMap<Box<str>, Slot>,
    listed: BTreeMap<Box<str>, Place>,
    others: BTreeMap<Box<str>, Written>,
}

/// Reads a manifest into an [`Index`], `at` telling where its entries lie.
struct Reading<P> {
    at: P,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    GeneratedAt,
    ToolVersion,
    Tenant,
    BuiltWith,
    Files,
    Campaigns,
    Failed,
    #[serde(other)]
    Other,
}

impl<'de, P: Places> serde::de::DeserializeSeed<'de> for Reading<P> {
    type Value = Index;
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Index, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, P: Places> serde::de::Visitor<'de> for Reading<P> {
    type Value = Index;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a manifest")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Index, A::Error> {
        use serde::de::Error;
        let (mut generated_at, mut built_with) = (None, None);
        let (mut tool_version, mut tenant, mut files, mut campaigns) = (None, None, None, None);
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::GeneratedAt => generated_at = Some(map.next_value::<String>()?),
                Field::ToolVersion => tool_version = Some(map.next_value::<String>()?),
                Field::Tenant => tenant = Some(map.next_value::<Tenant>()?),
                Field::BuiltWith => built_with = Some(map.next_value::<BuiltWith>()?),
                Field::Failed => drop(map.next_value::<Vec<String>>()?),
                Field::Files => files = Some(map.next_value_seed(Files { at: self.at })?),
                Field::Campaigns => campaigns = Some(map.next_value_seed(Campaigns { at: self.at })?),
                Field::Other => drop(map.next_value::<serde::de::IgnoredAny>()?),
            }
        }
        generated_at.ok_or_else(|| A::Error::missing_field("generated_at"))?;
        built_with.ok_or_else(|| A::Error::missing_field("built_with"))?;
        let (listed, others) = files.ok_or_else(|| A::Error::missing_field("files"))?;
        Ok(Index {
            tool_version: tool_version.ok_or_else(|| A::Error::missing_field("tool_version"))?,
            tenant: tenant.ok_or_else(|| A::Error::missing_field("tenant"))?,
            campaigns: campaigns.ok_or_else(|| A::Error::missing_field("campaigns"))?,
            listed,
            others,
        })
    }
}

/// The `files` of a manifest, read one at a time: the runs of each campaign folder's
/// entries, and the other files. A path that could point outside the folder is
/// ignored, never followed. A folder whose entries are not together (a manifest not
/// in path order) makes the manifest unusable.
struct Files<P> {
    at: P,
}

type Listed = (BTreeMap<Box<str>, Place>, BTreeMap<Box<str>, Written>);

impl<'de, P: Places> serde::de::DeserializeSeed<'de> for Files<P> {
    type Value = Listed;
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Listed, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, P: Places> serde::de::Visitor<'de> for Files<P> {
    type Value = Listed;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of files")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Listed, A::Error> {
        let (mut listed, mut others) = (BTreeMap::new(), BTreeMap::new());
        let mut current: Option<(Box<str>, Place)> = None;
        let mut scattered = false;
        while let Some((file, at)) = self.at.next::<A, Written>(&mut seq)? {
            if crate::output::is_inside(&file.path) {
                match campaign_of(&file.path) {
                    Some(id) if current.as_ref().is_some_and(|(c, _)| **c == *id) => {
                        if let Some((_, place)) = &mut current {
                            place.end = at.end;
                        }
                    }
                    Some(id) => {
                        if let Some((id, place)) = current.take() {
                            scattered |= listed.insert(id, place).is_some();
                        }
                        current = Some((id.into(), at));
                    }
                    None => {
                        others.insert(file.path.clone().into_boxed_str(), kept(file));
                    }
                }
            }
        }
        if let Some((id, place)) = current.take() {
            scattered |= listed.insert(id, place).is_some();
        }
        if scattered {
            return Err(serde::de::Error::custom("the files of a campaign are not listed together"));
        }
        Ok((listed, others))
    }
}

/// The `campaigns` of a manifest by id, each read and checked, and kept as its key
/// and its place.
struct Campaigns<P> {
    at: P,
}

impl<'de, P: Places> serde::de::DeserializeSeed<'de> for Campaigns<P> {
    type Value = BTreeMap<Box<str>, Slot>;
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, P: Places> serde::de::Visitor<'de> for Campaigns<P> {
    type Value = BTreeMap<Box<str>, Slot>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of campaigns")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut campaigns = BTreeMap::new();
        while let Some((record, place)) = self.at.next::<A, CampaignRecord>(&mut seq)? {
            let key = record.key.map(String::into_boxed_str);
            let slot = Slot { key, record: place, taken: AtomicBool::new(false) };
            campaigns.insert(record.id.into_boxed_str(), slot);
        }
        Ok(campaigns)
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
    campaigns: &CampaignRecords,
    mut failed: Vec<String>,
) -> Result<(), OutputError> {
    failed.sort();
    failed.dedup();
    let generated_at = generated_at.to_string();
    // Streamed to its file as the file records and the campaign records are read back
    // in order: with a hundred thousand campaigns the manifest is hundreds of
    // megabytes, which memory need not hold at once.
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
    fn a_previous_manifest_is_read_as_an_index_and_its_records_and_files_read_back() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["campaigns/a/index.html", "campaigns/a/tasks.html"] {
            std::fs::create_dir_all(dir.path().join(file).parent().unwrap()).unwrap();
            std::fs::write(dir.path().join(file), "abc").unwrap();
        }
        let current = manifest(env!("CARGO_PKG_VERSION"));
        // As the tool writes it, and on one line.
        let texts = [serde_json::to_string_pretty(&current).unwrap(), current.to_string()];
        for (text, whole_up_to) in texts.iter().flat_map(|t| [(t, u64::MAX), (t, 0)]) {
            std::fs::write(dir.path().join("manifest.json"), text).unwrap();
            let previous = Previous::read(dir.path(), whole_up_to);
            assert_eq!(previous.tenant.as_deref(), Some("acme"));
            let mut paths: Vec<String> =
                previous.folders().flat_map(|id| previous.files_of(id)).map(|f| f.path).collect();
            paths.extend(previous.other_file("index.html").map(|f| f.path));
            paths.sort();
            // Never a path that leaves the folder.
            assert_eq!(
                paths,
                ["campaigns/a-2/index.html", "campaigns/a/index.html", "campaigns/a/tasks.html", "index.html"]
            );
            assert_eq!(previous.folders().collect::<Vec<_>>(), ["a", "a-2"]);
            assert!(previous.other_file("../outside.html").is_none());
            let of_a: Vec<Written> = previous.files_of("a");
            assert_eq!(of_a.len(), 2, "not the files of a-2");
            assert_eq!(of_a[0].sha256, "ab".repeat(32));
            assert_eq!(of_a[1].sha256, "0".repeat(64), "a digest that is not one matches no file");
            assert_eq!(previous.other_file("index.html").map(|f| f.bytes), Some(3));
            assert_eq!(previous.files_of("a-2").pop().map(|f| f.sha256), Some("cd".repeat(32)));
            assert!(previous.files_of("b").is_empty());
            assert!(previous.has_key("a") && !previous.has_key("a-2") && !previous.has_key("b"));
            assert!(previous.take_up_to_date(dir.path(), "a", "other key").is_none());
            let (record, files) = previous.take_up_to_date(dir.path(), "a", "k1").unwrap();
            assert_eq!((record.id.as_str(), record.name.as_str(), files.len()), ("a", "A", 2));
            assert_eq!(record.entry.href, "campaigns/a/index.html");
            // Taken: the run holds it now; the campaign is still one of the snapshot's.
            assert!(previous.take_up_to_date(dir.path(), "a", "k1").is_none());
            assert!(previous.has_key("a"));
            assert!(previous.knows("a") && previous.knows("a-2") && !previous.knows("b"));
            assert_eq!(previous.campaign_count(), 2);
        }
        std::fs::write(dir.path().join("manifest.json"), manifest("0.0.1").to_string()).unwrap();
        assert!(Previous::load(dir.path()).tenant.is_none(), "another version's manifest is not used");
        for field in ["generated_at", "tool_version", "tenant", "built_with", "files", "campaigns"] {
            let mut damaged = manifest(env!("CARGO_PKG_VERSION"));
            damaged.as_object_mut().unwrap().remove(field);
            std::fs::write(dir.path().join("manifest.json"), damaged.to_string()).unwrap();
            for whole_up_to in [u64::MAX, 0] {
                let previous = Previous::read(dir.path(), whole_up_to);
                assert!(previous.tenant.is_none(), "a manifest without {field} is not used");
            }
        }
        let text = serde_json::to_string_pretty(&current).unwrap();
        std::fs::write(dir.path().join("manifest.json"), &text[..text.len() - 2]).unwrap();
        assert!(Previous::read(dir.path(), 0).tenant.is_none(), "a manifest cut short is not used");
        assert!(Previous::load(dir.path()).tenant.is_none(), "a manifest cut short is not used");
        let mut scattered = manifest(env!("CARGO_PKG_VERSION"));
        let files = scattered["files"].as_array_mut().unwrap();
        files.swap(1, 2);
        std::fs::write(dir.path().join("manifest.json"), scattered.to_string()).unwrap();
        for whole_up_to in [u64::MAX, 0] {
            let previous = Previous::read(dir.path(), whole_up_to);
            assert!(previous.tenant.is_none(), "a manifest whose folders' files are apart is not used");
        }
    }
}
