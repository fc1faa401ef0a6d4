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
//! `ctime` is what makes this safe: the kernel sets it to the current time on every
//! change of a file's content, and no program can set it back (`touch` sets the
//! modification time only). A table rewritten with the same size and an old
//! modification time still has a new `ctime`. The one gap is a change within the same
//! clock tick as the `ctime` recorded; so only tables whose times were at least
//! [`SETTLED`] old when they were read are remembered (git does the same for its
//! index), and a table that changed while it was read is not remembered at all.
//!
//! The cache is the user's, not the snapshot's: it names input paths, which have no
//! place in a folder that is published. It lives in `$XDG_CACHE_HOME/campaign-report`
//! (else `~/.cache/campaign-report`), one file per output folder; without either
//! variable, or when the file cannot be read or written, every input is read as
//! before. Losing the cache only costs time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::output::{hex, sha256_hex};

/// How old a table's times must be when it is read for its digest to be remembered.
pub(super) const SETTLED: Duration = Duration::from_secs(2);

/// What a table was when its bytes were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct FileState {
    path: PathBuf,
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl FileState {
    pub(super) fn of(path: &Path) -> std::io::Result<FileState> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path)?;
        let ns = |secs: i64, nsec: i64| i128::from(secs) * 1_000_000_000 + i128::from(nsec);
        Ok(FileState {
            path: path.to_path_buf(),
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
    object: String,
    tables: Vec<FileState>,
    /// The input digest, hex.
    digest: String,
}

#[derive(Default, Serialize, Deserialize)]
struct CacheFile {
    /// The output folder the digests are for.
    out: PathBuf,
    campaigns: HashMap<String, Entry>,
}

/// The digests of one output folder: those of the previous run, and those this run used.
pub(super) struct Digests {
    file: Option<PathBuf>,
    out: PathBuf,
    previous: HashMap<String, Entry>,
    used: Mutex<HashMap<String, Entry>>,
    /// Whether this run learnt a digest the file does not hold.
    learnt: Mutex<bool>,
}

impl Digests {
    /// The cache of output folder `root`, empty when there is none.
    pub(super) fn load(root: &Path) -> Digests {
        let out = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let file = cache_folder()
            .map(|dir| dir.join(format!("inputs-{}.json", &sha256_hex(out.as_os_str().as_encoded_bytes())[..32])));
        let previous = file
            .as_deref()
            .and_then(crate::output::read_regular)
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|cache| cache.out == out)
            .map(|cache| cache.campaigns)
            .unwrap_or_default();
        Digests { file, out, previous, used: Mutex::default(), learnt: Mutex::new(false) }
    }

    /// The input digest of campaign `id`, whose object text is `object` and whose
    /// tables are `tables` in this order; `compute` reads them when the cache cannot say.
    pub(super) fn digest(
        &self,
        id: &str,
        object: &str,
        tables: &[PathBuf],
        compute: impl FnOnce() -> std::io::Result<Vec<u8>>,
    ) -> std::io::Result<Vec<u8>> {
        let object = sha256_hex(object.as_bytes());
        let before: Option<Vec<FileState>> = tables.iter().map(|p| FileState::of(p).ok()).collect();
        if let Some(before) = &before
            && let Some(entry) = self.previous.get(id)
            && entry.object == object
            && entry.tables == *before
            && let Some(digest) = unhex(&entry.digest)
        {
            self.remember(id, entry.clone(), false);
            return Ok(digest);
        }
        let read_at = SystemTime::now();
        let digest = compute()?;
        let after: Option<Vec<FileState>> = tables.iter().map(|p| FileState::of(p).ok()).collect();
        if let (Some(before), Some(after)) = (before, after)
            && before == after
            && after.iter().all(|state| state.settled(read_at))
        {
            self.remember(id, Entry { object, tables: after, digest: hex(&digest) }, true);
        }
        Ok(digest)
    }

    fn remember(&self, id: &str, entry: Entry, learnt: bool) {
        lock(&self.used).insert(id.to_string(), entry);
        if learnt {
            *lock(&self.learnt) = true;
        }
    }

    /// Writes the digests this run used, when they differ from the file's: campaigns
    /// no longer built drop out. Errors are ignored (the cache only saves time).
    pub(super) fn save(self) {
        let Some(file) = self.file else { return };
        let used = self.used.into_inner().unwrap_or_else(|e| e.into_inner());
        let learnt = self.learnt.into_inner().unwrap_or_else(|e| e.into_inner());
        if !learnt && used.len() == self.previous.len() {
            return;
        }
        let cache = CacheFile { out: self.out, campaigns: used };
        let Ok(bytes) = serde_json::to_vec(&cache) else { return };
        let Some(dir) = file.parent() else { return };
        if create_private_dir(dir).is_err() {
            return;
        }
        let Ok(mut temp) = tempfile::Builder::new().prefix(".inputs-").tempfile_in(dir) else { return };
        if std::io::Write::write_all(&mut temp, &bytes).is_ok() {
            let _ = temp.persist(&file);
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

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    text.len()
        .is_multiple_of(2)
        .then(|| (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect())
        .flatten()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(mtime_ns: i128, ctime_ns: i128) -> FileState {
        FileState { path: PathBuf::from("t.csv"), dev: 1, ino: 2, size: 3, mtime_ns, ctime_ns }
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
    fn hex_round_trips() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
