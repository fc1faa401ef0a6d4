//! Input digests remembered between runs, so that a rebuild in which nothing changed
//! does not read every input byte again (docs/performance.md, "No-op rebuilds").
//!
//! A campaign's rebuild key needs a digest of its input: its campaign object, which
//! is read anyway, and its CSV tables, which are most of the bytes. For each campaign
//! the cache keeps the digest with what the tables were when they were read: device,
//! inode, size, modification time and status-change time (`ctime`). When all of them
//! are the same, and the campaign object's own digest too, the digest is taken from
//! the cache instead of the files.
//!
//! `ctime` is what makes this safe on a local file system: the kernel sets it to the
//! current time on every change of a file's content, and no program can set it back
//! (`touch` sets the modification time only). A table rewritten with the same size and
//! an old modification time still has a new `ctime`. The one gap is a change within
//! the same clock tick as the `ctime` recorded; so only tables whose times were at
//! least [`SETTLED`] old when they were read are remembered (git does the same for its
//! index), and a table that changed while it was read is not remembered at all.
//!
//! Elsewhere the cache is not used: network file systems may answer from a cache of
//! their own and carry another machine's clock, and FAT or FUSE file systems may make
//! `ctime` up from the modification time. A table's state is taken from the open file
//! (an open makes NFS check the server), and only on the local file systems of
//! [`LOCAL`].
//!
//! The cache is the user's, not the snapshot's: it names the output folder and holds
//! the state of the input tables (inodes, times), which have no place in a folder
//! that is published. It lives in `$XDG_CACHE_HOME/campaign-report`
//! (else `~/.cache/campaign-report`), one file per output folder, and is not used
//! when that folder lies inside the output folder. Without either variable, or when
//! the file cannot be read or written, every input is read as before. Losing the
//! cache only costs time; files of output folders not built for 30 days are removed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::output::{hex, sha256_hex, unhex_sha256};
use crate::sync::lock;

/// How old a table's times must be when it is read for its digest to be remembered.
pub(super) const SETTLED: Duration = Duration::from_secs(2);

/// File systems (`statfs` magic numbers) whose `ctime` the cache relies on: ext2/3/4,
/// XFS, Btrfs, tmpfs, ramfs, ZFS, F2FS, bcachefs and overlayfs.
const LOCAL: [u32; 9] =
    [0xEF53, 0x5846_5342, 0x9123_683E, 0x0102_1994, 0x8584_58F6, 0x2FC1_2FC1, 0xF2F5_2010, 0xCA45_1A4E, 0x794C_7630];

/// How long the cache of an output folder that is not built again is kept.
const KEPT: Duration = Duration::from_secs(30 * DAY.as_secs());

const DAY: Duration = Duration::from_secs(24 * 3600);

/// What a table was when its bytes were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct FileState {
    /// The table's file name (its folder is the campaign's: a moved folder keeps its
    /// files' inodes and times, and their bytes).
    name: String,
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl FileState {
    /// The state of the table at `path`, when it is on a local file system (see
    /// [`LOCAL`]) and its name is UTF-8.
    pub(super) fn of(path: &Path) -> Option<FileState> {
        use std::os::unix::fs::MetadataExt;
        let file = std::fs::File::open(path).ok()?;
        if !on_local_file_system(&file) {
            return None;
        }
        let m = file.metadata().ok()?;
        let ns = |secs: i64, nsec: i64| i128::from(secs) * 1_000_000_000 + i128::from(nsec);
        Some(FileState {
            name: path.file_name()?.to_str()?.to_string(),
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime_ns: ns(m.mtime(), m.mtime_nsec()),
            ctime_ns: ns(m.ctime(), m.ctime_nsec()),
        })
    }

    /// Whether both of its times lie at least [`SETTLED`] before `read_at`.
    fn settled(&self, read_at: SystemTime) -> bool {
        let Ok(since_epoch) = read_at.duration_since(SystemTime::UNIX_EPOCH) else { return false };
        let limit = since_epoch.as_nanos() as i128 - SETTLED.as_nanos() as i128;
        self.mtime_ns < limit && self.ctime_ns < limit
    }
}

/// One campaign's remembered digest: a line of the cache file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    id: String,
    /// SHA-256 of the campaign object's text.
    object: Sha,
    tables: Vec<FileState>,
    /// The input digest.
    digest: Sha,
}

/// A SHA-256, kept as its bytes and written in the cache file as 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sha([u8; 32]);

impl Serialize for Sha {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for Sha {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Sha, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        unhex_sha256(&text).map(Sha).ok_or_else(|| serde::de::Error::custom("not a SHA-256"))
    }
}

/// The first line of a cache file: the output folder the digests are for.
#[derive(Serialize, Deserialize)]
struct Header {
    out: PathBuf,
}

/// Where a campaign's line lies in the previous cache file (its newline included).
#[derive(Debug, Clone, Copy)]
struct Place {
    at: u64,
    len: u32,
}

fn on_local_file_system(file: &std::fs::File) -> bool {
    use std::os::fd::AsRawFd;
    let mut stat = std::mem::MaybeUninit::<libc::statfs>::zeroed();
    // SAFETY: fstatfs fills the buffer it is given for an open descriptor.
    if unsafe { libc::fstatfs(file.as_raw_fd(), stat.as_mut_ptr()) } != 0 {
        return false;
    }
    // SAFETY: fstatfs succeeded, so the buffer is initialised.
    let kind = unsafe { stat.assume_init() }.f_type as u64;
    LOCAL.iter().any(|&magic| u64::from(magic) == kind)
}

/// The digests of one output folder: those of the previous run, and those this run used.
///
/// The cache file is JSON Lines: a [`Header`], then one [`Entry`] per campaign. The
/// previous file stays open and only where each campaign's line lies is kept in
/// memory; a line is read when its campaign is built. The digests this run learns
/// are written to the next file as they come, and the lines it kept are copied into
/// it at the end, so the cache of a hundred thousand campaigns (tens of megabytes)
/// is never held in memory.
pub(super) struct Digests {
    file: Option<PathBuf>,
    out: PathBuf,
    previous: Option<std::fs::File>,
    /// Where each campaign's line lies in `previous`, by a hash of its id.
    places: HashMap<u64, Place>,
    /// The lines of `previous` whose digest this run used.
    kept: Mutex<Vec<Place>>,
    /// The next cache file, holding the digests this run learnt.
    learnt: Mutex<Next>,
}

/// The next cache file, started at the first digest learnt.
enum Next {
    NotStarted,
    Writing(std::io::BufWriter<tempfile::NamedTempFile>),
    /// It could not be written: the previous file stays as it is.
    Failed,
}

impl Digests {
    /// The cache of output folder `root`, empty when there is none.
    pub(super) fn load(root: &Path) -> Digests {
        let out = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let file = cache_folder()
            .filter(|dir| !dir.starts_with(&out))
            .map(|dir| dir.join(format!("inputs-{}.jsonl", &sha256_hex(out.as_os_str().as_encoded_bytes())[..32])));
        Digests::open(file, out)
    }

    /// The cache in `file` (none: no cache) for output folder `out`.
    fn open(file: Option<PathBuf>, out: PathBuf) -> Digests {
        let previous = file.as_deref().and_then(|file| {
            std::fs::symlink_metadata(file).ok().filter(|m| m.file_type().is_file())?;
            let opened = std::fs::File::open(file).ok()?;
            let places = index(&opened, &out)?;
            Some((opened, places))
        });
        let (previous, places) = match previous {
            Some((opened, places)) => (Some(opened), places),
            None => (None, HashMap::new()),
        };
        Digests { file, out, previous, places, kept: Mutex::default(), learnt: Mutex::new(Next::NotStarted) }
    }

    /// The remembered entry of campaign `id`, and where its line lies.
    fn remembered(&self, id: &str) -> Option<(Entry, Place)> {
        use std::os::unix::fs::FileExt;
        let place = *self.places.get(&id_hash(id))?;
        let mut line = vec![0u8; place.len as usize];
        self.previous.as_ref()?.read_exact_at(&mut line, place.at).ok()?;
        let entry: Entry = serde_json::from_slice(&line).ok()?;
        // Two ids of one hash: the other's line is not this campaign's.
        (entry.id == id).then_some((entry, place))
    }

    /// Writes a digest learnt to the next cache file.
    fn learn(&self, entry: &Entry) {
        use std::io::Write;
        let mut next = lock(&self.learnt);
        if matches!(*next, Next::NotStarted) {
            *next = self.file.as_deref().and_then(|file| start(file, &self.out)).map_or(Next::Failed, Next::Writing);
        }
        if let Next::Writing(out) = &mut *next {
            let written = serde_json::to_writer(&mut *out, entry).is_ok() && out.write_all(b"\n").is_ok();
            if !written {
                *next = Next::Failed;
            }
        }
    }

    /// The input digest of campaign `id`, whose object text has the SHA-256 `object`
    /// and whose tables are `tables` in this order; `compute` reads them when the
    /// cache cannot say.
    pub(super) fn digest(
        &self,
        id: &str,
        object: &[u8; 32],
        tables: &[PathBuf],
        compute: impl FnOnce() -> std::io::Result<Vec<u8>>,
    ) -> std::io::Result<Vec<u8>> {
        if self.file.is_none() {
            return compute();
        }
        let object = Sha(*object);
        let before: Option<Vec<FileState>> = tables.iter().map(|p| FileState::of(p)).collect();
        if let Some(before) = &before
            && let Some((entry, place)) = self.remembered(id)
            && entry.object == object
            && entry.tables == *before
        {
            lock(&self.kept).push(place);
            return Ok(entry.digest.0.to_vec());
        }
        let read_at = SystemTime::now();
        let digest = compute()?;
        let after: Option<Vec<FileState>> = tables.iter().map(|p| FileState::of(p)).collect();
        // A campaign without tables is its object alone, whose digest is cheap.
        if let (Some(before), Some(after)) = (before, after)
            && !after.is_empty()
            && before == after
            && after.iter().all(|state| state.settled(read_at))
            && let Ok(bytes) = <[u8; 32]>::try_from(digest.as_slice())
        {
            self.learn(&Entry { id: id.to_string(), object, tables: after, digest: Sha(bytes) });
        }
        Ok(digest)
    }

    /// Writes the digests this run used, when they differ from the file's: campaigns
    /// no longer built drop out. Errors are ignored (the cache only saves time).
    pub(super) fn save(self) {
        use std::io::Write;
        use std::os::unix::fs::FileExt;
        let Digests { file, out: folder, previous, places, kept, learnt } = self;
        let Some(file) = file else { return };
        let mut kept = kept.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut out = match learnt.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Next::NotStarted if kept.len() == places.len() => {
                // Nothing new: the file stays, marked as in use (see `remove_old`).
                mark_used(&file);
                return;
            }
            Next::NotStarted => match start(&file, &folder) {
                Some(out) => out,
                None => return,
            },
            Next::Writing(out) => out,
            Next::Failed => return,
        };
        // The lines kept, copied from the previous file in its order.
        kept.sort_by_key(|place| place.at);
        let mut line = Vec::new();
        for place in kept {
            line.resize(place.len as usize, 0);
            let copied = previous.as_ref().is_some_and(|f| f.read_exact_at(&mut line, place.at).is_ok());
            if !copied || out.write_all(&line).is_err() {
                return;
            }
        }
        if let Ok(temp) = out.into_inner() {
            let _ = temp.persist(&file);
            // The cache file of the format before (one JSON object) is no longer read.
            let _ = std::fs::remove_file(file.with_extension("json"));
        }
    }
}

/// A new cache file for output folder `out`, under a temporary name beside `file`, with its header.
fn start(file: &Path, out: &Path) -> Option<std::io::BufWriter<tempfile::NamedTempFile>> {
    use std::io::Write;
    let dir = file.parent()?;
    create_private_dir(dir).ok()?;
    remove_old(dir);
    let temp = tempfile::Builder::new().prefix(".inputs-").tempfile_in(dir).ok()?;
    let mut writer = std::io::BufWriter::new(temp);
    serde_json::to_writer(&mut writer, &Header { out: out.to_path_buf() }).ok()?;
    writer.write_all(b"\n").ok()?;
    Some(writer)
}

/// Where each campaign's line lies in a cache file for output folder `out`; `None`
/// when the file is for another folder or not a cache file.
fn index(file: &std::fs::File, out: &Path) -> Option<HashMap<u64, Place>> {
    use std::io::BufRead;
    #[derive(Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: std::borrow::Cow<'a, str>,
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).ok()?;
    let header: Header = serde_json::from_slice(&line).ok()?;
    if header.out != out {
        return None;
    }
    let (mut at, mut places) = (line.len() as u64, HashMap::new());
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).ok()?;
        if n == 0 {
            return Some(places);
        }
        // A line is skipped when it is not whole or not an entry (the file was edited).
        if line.ends_with(b"\n")
            && let Ok(entry) = serde_json::from_slice::<Id>(&line)
            && let Ok(len) = u32::try_from(n)
        {
            places.insert(id_hash(&entry.id), Place { at, len });
        }
        at += n as u64;
    }
}

/// A hash of a campaign id, for finding its line.
fn id_hash(id: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(id)
}

/// Sets the modification time of a cache file that has gone unchanged for a day.
fn mark_used(file: &Path) {
    let stale = std::fs::metadata(file)
        .and_then(|m| m.modified())
        .is_ok_and(|at| SystemTime::now().duration_since(at).is_ok_and(|age| age > DAY));
    if stale && let Ok(f) = std::fs::File::options().write(true).open(file) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// Removes the cache files of output folders not built for [`KEPT`], and what a
/// killed run left while writing one (after a day).
fn remove_old(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kept = if name.starts_with(".inputs-") {
            DAY
        } else if name.starts_with("inputs-") && (name.ends_with(".jsonl") || name.ends_with(".json")) {
            KEPT
        } else {
            continue;
        };
        let old = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .and_then(|at| now.duration_since(at).ok())
            .is_some_and(|age| age > kept);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// `$XDG_CACHE_HOME/campaign-report`, else `$HOME/.cache/campaign-report`.
fn cache_folder() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let base = std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| std::env::var_os("HOME").and_then(absolute).map(|home| home.join(".cache")))?;
    Some(base.join("campaign-report"))
}

/// Creates the cache folder private (0700), or makes an existing one so.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.is_dir() {
        return Err(std::io::Error::other("not a folder"));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(mtime_ns: i128, ctime_ns: i128) -> FileState {
        FileState { name: "t.csv".into(), dev: 1, ino: 2, size: 3, mtime_ns, ctime_ns }
    }

    #[test]
    fn only_tables_whose_times_have_settled_are_remembered() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let second = 1_000_000_000i128;
        assert!(state(990 * second, 997 * second).settled(now));
        // Changed within the last two seconds: a change in the same tick could go unseen.
        assert!(!state(990 * second, 999 * second).settled(now));
        assert!(!state(999 * second, 990 * second).settled(now));
        // A clock that went back.
        assert!(!state(990 * second, 1_005 * second).settled(now));
    }

    #[test]
    fn digests_are_written_as_hex_and_read_back() {
        let sha = Sha([7; 32]);
        let text = serde_json::to_string(&sha).unwrap();
        assert_eq!(text, format!("\"{}\"", "07".repeat(32)));
        assert_eq!(serde_json::from_str::<Sha>(&text).unwrap(), sha);
        assert!(serde_json::from_str::<Sha>("\"abcd\"").is_err(), "too short");
    }

    fn entry(id: &str, n: u8) -> Entry {
        Entry { id: id.into(), object: Sha([n; 32]), tables: vec![state(1, 2)], digest: Sha([n + 1; 32]) }
    }

    #[test]
    fn digests_are_read_back_by_campaign_and_only_those_used_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (file, out) = (dir.path().join("cache/inputs-x.jsonl"), PathBuf::from("/srv/out"));
        let cache = Digests::open(Some(file.clone()), out.clone());
        assert!(cache.remembered("a").is_none(), "no file yet");
        for (n, id) in ["a", "b \"quoted\"\nid", "c"].into_iter().enumerate() {
            cache.learn(&entry(id, n as u8));
        }
        cache.save();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text.lines().count(), 4, "a header and a line per campaign: {text}");

        let cache = Digests::open(Some(file.clone()), out.clone());
        let (b, place) = cache.remembered("b \"quoted\"\nid").unwrap();
        assert_eq!((b.object, b.digest, b.tables), (Sha([1; 32]), Sha([2; 32]), vec![state(1, 2)]));
        assert!(cache.remembered("d").is_none());
        // A run that used b's digest and learnt d's: a and c drop out.
        lock(&cache.kept).push(place);
        cache.learn(&entry("d", 9));
        cache.save();
        let cache = Digests::open(Some(file.clone()), out.clone());
        let ids: Vec<bool> =
            ["a", "b \"quoted\"\nid", "c", "d"].iter().map(|id| cache.remembered(id).is_some()).collect();
        assert_eq!(ids, [false, true, false, true]);
        assert_eq!(cache.remembered("d").unwrap().0.digest, Sha([10; 32]));

        // The same file is no cache for another output folder.
        assert!(Digests::open(Some(file), PathBuf::from("/srv/other")).remembered("d").is_none());
    }
}
