//! Writing the snapshot: atomic files, paths that cannot leave the output folder,
//! and the manifest of everything written.
//!
//! Every file goes to a temporary name in its final folder and is renamed into
//! place, so a run killed at any moment leaves each file either as it was or
//! complete. Folders are created one level at a time and a symbolic link met on
//! the way is refused, so nothing is written outside the output folder.
//!
//! Beside this file: `atomic` writes a file under a temporary name and stages it,
//! `paths` keeps every path inside the folder, `records` keeps the list of a run's
//! files (on disk once it is long), `digest` hashes files and bytes as manifests list
//! them, and `lock` makes one run at a time write a folder.

mod atomic;
mod digest;
mod lock;
mod paths;
mod records;

use std::collections::HashSet;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::sync::lock;
use records::{Merge, Records};
pub(crate) use records::{Span, unnamed_file};

pub use atomic::{AtomicFile, Staged};
pub use digest::{digest_regular, hash_file, hex, read_regular, sha256_hex, unhex, unhex_sha256};
pub use lock::FolderLock;
pub use paths::is_inside;

/// A file operation that failed, with the path it was about.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// An I/O error on a path (the OS error once, not also as a source).
    #[error("cannot write {}: {}", path.display(), crate::os::describe(cause))]
    Io { path: PathBuf, cause: io::Error },
    /// The output folder is a file.
    #[error("cannot write the snapshot into {}: it is a file, not a folder", path.display())]
    NotAFolder { path: PathBuf },
    /// Another run holds the output folder.
    #[error(
        "{} is being written by another run ({holder}); try again when it is done, or wait for it with --wait-lock SECONDS",
        path.display()
    )]
    Busy { path: PathBuf, holder: String },
    /// A path that would leave the output folder or pass through a link.
    #[error("refusing to write {}: {reason}", path.display())]
    Unsafe { path: PathBuf, reason: &'static str },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |cause| OutputError::Io { path: path.to_path_buf(), cause }
}

/// One file written, for the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Written {
    /// Path relative to the output folder, with `/`.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// The output folder of one tenant.
#[derive(Debug)]
pub struct Output {
    root: PathBuf,
    /// Files in place: carried over from the previous snapshot, found unchanged, or
    /// committed by this run.
    written: Mutex<Records>,
    /// Folders this run checked or created: no link, no file on the way.
    folders: Mutex<std::collections::HashSet<PathBuf>>,
    /// Files actually written by this run (not carried over, not unchanged).
    fresh: std::sync::atomic::AtomicUsize,
    /// Files staged for the run's commit (see [`Output::hold`]), with the temporary
    /// names they wait under.
    held: Mutex<Records>,
    /// How many records the output folder keeps in memory before it writes them to
    /// disk (see [`records`]).
    run: usize,
}

/// Held files renamed into place at a time by [`Output::commit_held`].
const COMMIT_BATCH: usize = 4096;

/// A file of the snapshot as the output folder keeps it until the manifest lists it:
/// the digest as bytes and the path without spare capacity (a [`Written`] is made for
/// each only when it is asked for). A run of a hundred thousand campaigns holds some
/// 600,000 of them, so past [`records::RUN`] they are kept on disk (see [`records`]).
#[derive(Debug, Clone)]
struct Record {
    path: Box<str>,
    sha256: [u8; 32],
    bytes: u64,
}

impl Record {
    fn of(file: &Written) -> Record {
        // A digest that is not 64 hex digits (a hand-edited manifest) matches no file
        // either way: it is kept as zeros.
        let sha256 = unhex_sha256(&file.sha256).unwrap_or([0; 32]);
        Record { path: file.path.as_str().into(), sha256, bytes: file.bytes }
    }

    fn written(&self) -> Written {
        Written { path: self.path.to_string(), sha256: hex(&self.sha256), bytes: self.bytes }
    }
}

/// The files of a snapshot, sorted by path, for the manifest: serialised as a list of
/// [`Written`], one read and made at a time.
pub struct Listing<'a> {
    written: &'a Records,
    held: &'a Records,
}

impl Serialize for Listing<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut list = serializer.serialize_seq(None)?;
        // A file held by this run replaces the same path carried over.
        for item in Merge::of(&[self.written, self.held]).latest() {
            let item = item.map_err(|e| S::Error::custom(records_unread(&e)))?;
            list.serialize_element(&item.record.written())?;
        }
        list.end()
    }
}

/// Why the run's file records could not be read back from disk.
fn records_unread(cause: &io::Error) -> String {
    format!("cannot read back the list of the run's files: {}", crate::os::describe(cause))
}

impl Output {
    /// Opens (creating if needed) the output folder, removing temporary files a killed run left behind.
    pub fn create(root: &Path) -> Result<Output, OutputError> {
        Output::keeping(root, records::RUN)
    }

    /// An output folder that keeps `run` file records in memory before it writes them to disk.
    fn keeping(root: &Path, run: usize) -> Result<Output, OutputError> {
        if fs::metadata(root).is_ok_and(|m| !m.is_dir()) {
            return Err(OutputError::NotAFolder { path: root.to_path_buf() });
        }
        fs::create_dir_all(root).map_err(io_err(root))?;
        remove_leftovers(root);
        Ok(Output {
            root: root.to_path_buf(),
            written: Mutex::new(Records::new(root, run)),
            folders: Mutex::default(),
            fresh: Default::default(),
            held: Mutex::new(Records::new(root, run)),
            run,
        })
    }

    /// Keeps a staged file for the run's commit: nothing of a run is put in place
    /// until every file of it was written, so a run that fails for want of space
    /// leaves the previous snapshot as it was (see [`Output::commit_held`]).
    pub fn hold(&self, file: Staged) {
        let Staged { temp, written } = file;
        let record = Record::of(&written);
        // The temporary file is in the folder of the file it becomes (see `writer`).
        let name: Box<str> = temp.file_name().map(|n| n.to_string_lossy().into()).unwrap_or_default();
        // From here the output folder removes the file unless it is committed (a file
        // that could not be kept is gone, and the commit then fails on it).
        let _ = temp.keep();
        lock(&self.held).push(record, name);
    }

    /// Holds a file for the commit unless the file already holds exactly these bytes.
    pub fn hold_if_changed(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        self.hold_unless_same(self.stage(rel, bytes)?);
        Ok(())
    }

    /// Holds a staged file for the commit unless the file in place already holds the
    /// same bytes (same SHA-256 and size): then the staged copy is removed and the file
    /// is listed as it is.
    pub fn hold_unless_same(&self, file: Staged) {
        if self.in_place(&file.written) {
            self.carry(file.written().clone());
        } else {
            self.hold(file);
        }
    }

    /// Whether the file in place already holds these bytes (same SHA-256 and size).
    pub fn in_place(&self, file: &Written) -> bool {
        digest_regular(&self.root.join(&file.path))
            .is_some_and(|(sha256, bytes)| sha256 == file.sha256 && bytes == file.bytes)
    }

    /// Calls `f` with every file the snapshot will list once the held files are
    /// committed, sorted by path; the records are borrowed, not copied (a snapshot of
    /// a hundred thousand campaigns lists some 600,000 files).
    pub fn with_listing<R>(&self, f: impl FnOnce(&Listing) -> R) -> R {
        let written = lock(&self.written);
        let held = lock(&self.held);
        f(&Listing { written: &written, held: &held })
    }

    /// Drops the held files (their temporary files are removed): the run changes nothing.
    /// (Records that cannot be read back leave their files to the next run, which
    /// removes every temporary file it finds.)
    pub fn discard_held(&self) {
        let held = self.take_held();
        for item in held.sorted().map_while(Result::ok) {
            let _ = fs::remove_file(self.temp_path(&item));
        }
    }

    /// The held files, which the output folder holds no more.
    fn take_held(&self) -> Records {
        std::mem::replace(&mut *lock(&self.held), Records::new(&self.root, self.run))
    }

    /// Where a held file waits.
    fn temp_path(&self, held: &records::Item) -> PathBuf {
        let place = self.root.join(&*held.record.path);
        place.parent().unwrap_or(&self.root).join(&*held.temp)
    }

    /// Puts every held file in place, then `last` (the manifest), which was staged
    /// before any of them so no commit can leave it unwritten. A path held twice gets
    /// the file held last. The files are renamed a batch at a time on every core of
    /// the pool (a fleet has thousands, and nothing else runs at that point). If a file
    /// cannot be put in place, the commit stops after its batch, without the manifest:
    /// what was not put in place is removed. If the held files' records cannot be read
    /// back from disk, the commit stops with the files put in place so far and without
    /// the manifest; the files not reached stay under their temporary names, which the
    /// next run removes.
    pub fn commit_held(&self, last: Option<Staged>) -> Result<(), OutputError> {
        use rayon::prelude::*;
        let held = self.take_held();
        let mut files = held.sorted().peekable();
        let unread = |cause: io::Error| OutputError::Io {
            path: self.root.clone(),
            cause: io::Error::new(cause.kind(), records_unread(&cause)),
        };
        let mut batch = Vec::with_capacity(COMMIT_BATCH);
        loop {
            while batch.len() < COMMIT_BATCH {
                let Some(file) = files.next() else { break };
                let file = file.map_err(unread)?;
                if files.peek().is_some_and(|next| next.as_ref().is_ok_and(|n| n.record.path == file.record.path)) {
                    let _ = fs::remove_file(self.temp_path(&file));
                    continue;
                }
                batch.push(file);
            }
            if batch.is_empty() {
                break;
            }
            let refused: Vec<(usize, PathBuf, io::Error)> = batch
                .par_iter()
                .enumerate()
                .filter_map(|(i, file)| {
                    let path = self.root.join(&*file.record.path);
                    let cause = fs::rename(self.temp_path(file), &path).err()?;
                    // What was not put in place is removed, as the run's own files are.
                    let _ = fs::remove_file(self.temp_path(file));
                    Some((i, path, cause))
                })
                .collect();
            let mut refused_at = refused.iter().map(|(i, _, _)| *i).peekable();
            let mut written = lock(&self.written);
            for (i, file) in batch.drain(..).enumerate() {
                if refused_at.next_if_eq(&i).is_none() {
                    self.fresh.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    written.push(file.record, "".into());
                }
            }
            drop(written);
            if let Some((_, path, cause)) = refused.into_iter().next() {
                files.map_while(Result::ok).for_each(|rest| {
                    let _ = fs::remove_file(self.temp_path(&rest));
                });
                return Err(OutputError::Io { path, cause });
            }
        }
        if let Some(file) = last {
            file.commit(self)?;
        }
        Ok(())
    }

    /// The output folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes a whole file atomically.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        self.stage(rel, bytes)?.commit(self)
    }

    /// Removes a file the snapshot no longer has; a path that could leave the folder is refused.
    pub fn remove(&self, rel: &str) {
        if let Ok(path) = self.checked(rel) {
            let _ = fs::remove_file(path);
        }
    }

    /// Lists a file of the previous snapshot that stays as it is.
    pub fn carry(&self, file: Written) {
        lock(&self.written).push(Record::of(&file), "".into());
    }

    /// Number of files this run wrote.
    pub fn fresh(&self) -> usize {
        self.fresh.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Writes a whole file under a temporary name, to be committed later.
    pub fn stage(&self, rel: &str, bytes: &[u8]) -> Result<Staged, OutputError> {
        let mut file = self.writer(rel)?;
        file.write_all(bytes).map_err(io_err(&self.root.join(rel)))?;
        file.stage()
    }

    /// Opens a file for streaming; it appears under its name only when [`AtomicFile::finish`] is called.
    pub fn writer(&self, rel: &str) -> Result<AtomicFile<'_>, OutputError> {
        let path = self.safe_path(rel)?;
        let dir = path.parent().unwrap_or(&self.root);
        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_PREFIX);
        // Readable as any file the user creates (0666 less the umask), not private like a
        // temporary file: the snapshot is served, shared and archived.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let tmp = builder.tempfile_in(dir).map_err(io_err(dir))?;
        Ok(AtomicFile {
            output: self,
            rel: rel.to_string(),
            path,
            out: BufWriter::with_capacity(1 << 16, tmp),
            hasher: Sha256::new(),
            bytes: 0,
        })
    }

    /// Which of `paths` were written (or carried) so far. When the run's records
    /// cannot be read back, every one of them is said to be written: callers remove
    /// the files that were not, and removing none is the safe mistake.
    pub fn written_of<'p>(&self, paths: impl IntoIterator<Item = &'p str>) -> HashSet<&'p str> {
        let wanted: HashSet<&str> = paths.into_iter().collect();
        if wanted.is_empty() {
            return wanted;
        }
        let written = lock(&self.written);
        let found: io::Result<HashSet<&str>> = written
            .sorted()
            .filter_map(|item| item.map(|item| wanted.get(&*item.record.path).copied()).transpose())
            .collect();
        found.unwrap_or(wanted)
    }
}

impl Drop for Output {
    /// Files held but never committed (a run that stopped on an error) are removed.
    fn drop(&mut self) {
        self.discard_held();
    }
}

impl OutputError {
    /// Whether the device ran out of space: the run cannot finish, whatever it writes next.
    pub fn is_storage_full(&self) -> bool {
        match self {
            OutputError::Io { cause, .. } => {
                cause.kind() == io::ErrorKind::StorageFull || crate::os::describe(cause).starts_with("no space left")
            }
            _ => false,
        }
    }
}

/// Prefix of the temporary names files are written under.
pub const TEMP_PREFIX: &str = ".campaign-report-tmp-";

/// Removes this tool's temporary files under `dir` (never following links): what a killed run left.
/// Sub-folders are walked in parallel (a snapshot has a folder per campaign).
fn remove_leftovers(dir: &Path) {
    use rayon::prelude::*;
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut folders = Vec::new();
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            folders.push(entry.path());
        } else if kind.is_file() && entry.file_name().as_encoded_bytes().starts_with(TEMP_PREFIX.as_bytes()) {
            let _ = fs::remove_file(entry.path());
        }
    }
    folders.par_iter().for_each(|folder| remove_leftovers(folder));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names of the files in `dir` and its folders, temporary ones included.
    fn files(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files(&path).into_iter().map(|f| format!("{}/{f}", entry.file_name().to_string_lossy())));
            } else {
                out.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        out.sort();
        out
    }

    #[test]
    fn held_files_are_listed_in_path_order_and_appear_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::create(dir.path()).unwrap();
        out.carry(Written { path: "b/kept.txt".into(), sha256: sha256_hex(b"kept"), bytes: 4 });
        out.hold(out.stage("c/new.txt", b"new").unwrap());
        out.hold(out.stage("a/first.txt", b"first").unwrap());
        // A file carried over and then written again is listed once, as written.
        out.hold(out.stage("b/kept.txt", b"again").unwrap());
        let listed = out.with_listing(|files| serde_json::to_value(files).unwrap());
        let expected = serde_json::json!([
            {"path": "a/first.txt", "sha256": sha256_hex(b"first"), "bytes": 5},
            {"path": "b/kept.txt", "sha256": sha256_hex(b"again"), "bytes": 5},
            {"path": "c/new.txt", "sha256": sha256_hex(b"new"), "bytes": 3},
        ]);
        assert_eq!(listed, expected);
        assert!(files(dir.path()).iter().all(|f| !f.ends_with(".txt")), "nothing in place before the commit");
        out.commit_held(None).unwrap();
        assert_eq!(files(dir.path()), ["a/first.txt", "b/kept.txt", "c/new.txt"]);
        assert_eq!(fs::read(dir.path().join("b/kept.txt")).unwrap(), b"again");
        assert_eq!(out.fresh(), 3);
    }

    #[test]
    fn records_written_to_disk_are_listed_as_those_kept_in_memory() {
        // Three records in memory at most: the files below go to disk in many runs.
        let dir = tempfile::tempdir().unwrap();
        let out = Output::keeping(dir.path(), 3).unwrap();
        let mut expected = std::collections::BTreeMap::new();
        for i in 0..40u32 {
            // Paths come back several times, out of order: the last record of a path wins.
            let path = format!("campaigns/c{}/page-{}.html", (i * 7) % 11, i % 3);
            let text = format!("carried {i}");
            out.carry(Written { path: path.clone(), sha256: sha256_hex(text.as_bytes()), bytes: text.len() as u64 });
            expected.insert(path, text);
        }
        for i in 0..10u32 {
            // A held file replaces the same path carried, even when carried after it.
            let path = format!("campaigns/c{}/page-{}.html", i % 4, i % 2);
            let text = format!("held {i}");
            out.hold(out.stage(&path, text.as_bytes()).unwrap());
            out.carry(Written { path: path.clone(), sha256: sha256_hex(b"stale"), bytes: 5 });
            expected.insert(path, text);
        }
        let listing = |out: &Output| out.with_listing(|files| serde_json::to_value(files).unwrap());
        let want: Vec<serde_json::Value> = expected
            .iter()
            .map(|(path, text)| serde_json::json!({"path": path, "sha256": sha256_hex(text.as_bytes()), "bytes": text.len()}))
            .collect();
        assert_eq!(listing(&out), serde_json::Value::Array(want.clone()));
        // The held files are put in place, the one held last for a path held twice.
        out.commit_held(None).unwrap();
        assert_eq!(out.fresh(), 4, "ten files held for four paths");
        for (path, text) in &expected {
            if text.starts_with("held") {
                assert_eq!(fs::read_to_string(dir.path().join(path)).unwrap(), *text);
            }
        }
        assert!(files(dir.path()).iter().all(|f| !f.contains(TEMP_PREFIX)), "no temporary file left");
        assert_eq!(listing(&out), serde_json::Value::Array(want));
        let asked = ["campaigns/c0/page-0.html", "campaigns/c0/page-9.html"];
        assert_eq!(out.written_of(asked), HashSet::from(["campaigns/c0/page-0.html"]));
        // Held again and dropped: the temporary files are removed from disk runs too.
        for i in 0..8 {
            out.hold(out.stage(&format!("later/{i}.txt"), b"x").unwrap());
        }
        assert!(files(dir.path()).iter().any(|f| f.contains(TEMP_PREFIX)));
        out.discard_held();
        assert!(files(dir.path()).iter().all(|f| !f.contains(TEMP_PREFIX)), "no temporary file left");
    }

    /// A file that cannot be put in place stops the commit after its batch: the rest of
    /// the batch is in place, later batches are not, and no temporary file is left.
    #[test]
    fn a_refused_rename_stops_the_commit_after_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let out = Output::create(dir.path()).unwrap();
        let count = COMMIT_BATCH + 4;
        for i in 0..count {
            out.hold(out.stage(&format!("f/{i:05}.txt"), b"x").unwrap());
        }
        // A folder put where a file goes after it was staged: the rename is refused.
        fs::create_dir_all(dir.path().join("f/00010.txt/inside")).unwrap();
        let err = out.commit_held(None).unwrap_err();
        assert!(err.to_string().contains("00010.txt"), "{err}");
        let in_place = files(dir.path());
        assert!(in_place.iter().all(|f| !f.contains(TEMP_PREFIX)), "no temporary file left");
        let placed = in_place.iter().filter(|f| f.ends_with(".txt")).count();
        assert_eq!(placed, COMMIT_BATCH - 1, "the first batch but the refused file");
        assert!(!dir.path().join(format!("f/{:05}.txt", count - 1)).exists(), "the next batch is not in place");
        assert_eq!(out.fresh(), COMMIT_BATCH - 1);
    }

    #[test]
    fn held_files_not_committed_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        {
            let out = Output::create(dir.path()).unwrap();
            out.hold(out.stage("a/x.txt", b"x").unwrap());
            out.discard_held();
            assert_eq!(files(dir.path()), Vec::<String>::new());
            out.hold(out.stage("a/y.txt", b"y").unwrap());
            assert_eq!(files(dir.path()).len(), 1, "waiting under a temporary name");
        }
        // The output folder dropped without a commit (a run that stopped on an error).
        assert_eq!(files(dir.path()), Vec::<String>::new());
    }
}
