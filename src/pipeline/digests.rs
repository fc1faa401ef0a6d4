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
//! The cache is the user's, not the snapshot's: it names input paths, which have no
//! place in a folder that is published. It lives in `$XDG_CACHE_HOME/campaign-report`
//! (else `~/.cache/campaign-report`), one file per output folder, and is not used
//! when that folder lies inside the output folder. Without either variable, or when
//! the file cannot be read or written, every input is read as before. Losing the
//! cache only costs time; files of output folders not built for 30 days are removed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::output::{hex, sha256_hex, unhex_sha256};

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

/// One campaign's remembered digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
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

#[derive(Default, Serialize, Deserialize)]
struct CacheFile {
    /// The output folder the digests are for.
    out: PathBuf,
    campaigns: HashMap<String, Entry>,
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
pub(super) struct Digests {
    file: Option<PathBuf>,
    out: PathBuf,
    previous: HashMap<String, Entry>,
    /// Campaigns whose remembered digest this run used (their entries stay in `previous`).
    kept: Mutex<HashSet<String>>,
    /// Digests this run learnt, which the file does not hold.
    learnt: Mutex<HashMap<String, Entry>>,
}

impl Digests {
    /// The cache of output folder `root`, empty when there is none.
    pub(super) fn load(root: &Path) -> Digests {
        let out = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let file = cache_folder()
            .filter(|dir| !dir.starts_with(&out))
            .map(|dir| dir.join(format!("inputs-{}.json", &sha256_hex(out.as_os_str().as_encoded_bytes())[..32])));
        let previous = file
            .as_deref()
            .and_then(crate::output::read_regular)
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|cache| cache.out == out)
            .map(|cache| cache.campaigns)
            .unwrap_or_default();
        Digests { file, out, previous, kept: Mutex::default(), learnt: Mutex::default() }
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
            && let Some(entry) = self.previous.get(id)
            && entry.object == object
            && entry.tables == *before
        {
            lock(&self.kept).insert(id.to_string());
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
            lock(&self.learnt).insert(id.to_string(), Entry { object, tables: after, digest: Sha(bytes) });
        }
        Ok(digest)
    }

    /// Writes the digests this run used, when they differ from the file's: campaigns
    /// no longer built drop out. Errors are ignored (the cache only saves time).
    pub(super) fn save(self) {
        let Some(file) = self.file else { return };
        let kept = self.kept.into_inner().unwrap_or_else(|e| e.into_inner());
        let learnt = self.learnt.into_inner().unwrap_or_else(|e| e.into_inner());
        if learnt.is_empty() && kept.len() == self.previous.len() {
            // Nothing new: the file stays, marked as in use (see `remove_old`).
            mark_used(&file);
            return;
        }
        let mut campaigns = self.previous;
        campaigns.retain(|id, _| kept.contains(id));
        campaigns.extend(learnt);
        let cache = CacheFile { out: self.out, campaigns };
        let Some(dir) = file.parent() else { return };
        if create_private_dir(dir).is_err() {
            return;
        }
        remove_old(dir);
        let Ok(temp) = tempfile::Builder::new().prefix(".inputs-").tempfile_in(dir) else { return };
        // Streamed: the cache of a hundred thousand campaigns is tens of megabytes.
        let mut out = std::io::BufWriter::new(temp);
        if serde_json::to_writer(&mut out, &cache).is_ok()
            && let Ok(temp) = out.into_inner()
        {
            let _ = temp.persist(&file);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
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
        } else if name.starts_with("inputs-") && name.ends_with(".json") {
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
}
