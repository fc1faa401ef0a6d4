//! The run's temporary folder: `$TMPDIR/campaign-report-run-XXXXXX`, private to the
//! user (0700), holding the pages to print (`print/`) and the browsers' profiles,
//! with a marker that proves whose it is, so that what a killed run left can be
//! removed later without ever removing anything else.
//!
//! The marker (`owner`) records the pid of the process that made the folder and
//! that process's start time (field 22 of `/proc/PID/stat`): a pid alone can be
//! reused by another process after the run is gone. A folder counts as a run folder
//! only when its name has the prefix, it is a real folder (not a link) owned by the
//! user, and its marker is a regular file owned by the user that reads exactly as
//! this module writes it.
//!
//! This module knows nothing of browsers or pages; it imports nothing from the
//! crate. Killing what still runs in a folder before it is removed is the caller's
//! job.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Prefix of a run folder's name in the temporary folder.
pub const PREFIX: &str = "campaign-report-run-";

/// The marker file in a run folder.
const MARKER: &str = "owner";

/// The first line of a marker.
const MARKER_TITLE: &str = "campaign-report run folder";

/// The folder of the pages to print, in a run folder.
const PRINT: &str = "print";

/// A process, told apart from a later one with the same pid by its start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    /// Its process id.
    pub pid: u32,
    /// When it started, in clock ticks after boot (`/proc/PID/stat`, field 22).
    pub start: u64,
    /// The pid namespace the pid belongs to (the inode of `/proc/self/ns/pid`): a
    /// pid from another container means nothing here.
    pub pidns: u64,
}

impl Owner {
    /// This process.
    pub fn current() -> io::Result<Owner> {
        let pid = std::process::id();
        Owner::running(pid).ok_or_else(|| io::Error::other("cannot read this process's start time from /proc"))
    }

    /// The process `pid` if it is running (a zombie has ended).
    pub fn running(pid: u32) -> Option<Owner> {
        let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        let fields: Vec<&str> = text.get(text.rfind(')')? + 1..)?.split_whitespace().collect();
        let state = fields.first()?;
        // Fields 3 (state) to 22 (start time): index 0 to 19 here.
        let start = fields.get(19)?.parse().ok()?;
        (*state != "Z" && *state != "X").then_some(Owner { pid, start, pidns: pid_namespace()? })
    }

    /// Whether this very process still runs.
    pub fn is_running(&self) -> bool {
        Owner::running(self.pid) == Some(*self)
    }

    fn marker(&self) -> String {
        format!("{MARKER_TITLE}\npid {}\nstart {}\npidns {}\n", self.pid, self.start, self.pidns)
    }

    fn parse(text: &str) -> Option<Owner> {
        let mut lines = text.strip_suffix('\n')?.split('\n');
        let title = lines.next()?;
        let mut number = |key: &str| -> Option<u64> {
            let value = lines.next()?.strip_prefix(key)?.strip_prefix(' ')?;
            let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
            digits.then(|| value.parse().ok()).flatten()
        };
        let (pid, start, pidns) = (number("pid")?, number("start")?, number("pidns")?);
        if title != MARKER_TITLE || lines.next().is_some() {
            return None;
        }
        Some(Owner { pid: u32::try_from(pid).ok()?, start, pidns })
    }
}

/// The pid namespace of this process: the inode in `pid:[4026531836]`.
fn pid_namespace() -> Option<u64> {
    let link = fs::read_link("/proc/self/ns/pid").ok()?;
    link.to_str()?.strip_prefix("pid:[")?.strip_suffix(']')?.parse().ok()
}

/// This run's folder, removed when dropped.
#[derive(Debug)]
pub struct RunFolder {
    path: PathBuf,
    pages: PathBuf,
}

impl RunFolder {
    /// Makes a run folder in the temporary folder (`$TMPDIR`, else `/tmp`), with its
    /// marker and its `print/` folder.
    pub fn create() -> io::Result<RunFolder> {
        RunFolder::create_in(&std::env::temp_dir())
    }

    /// Makes a run folder in `parent`.
    pub fn create_in(parent: &Path) -> io::Result<RunFolder> {
        let owner = Owner::current()?;
        // Removed again if anything below fails.
        let dir = tempfile::Builder::new().prefix(PREFIX).permissions(private()).tempdir_in(parent)?;
        // Written under another name and renamed, so a marker is never seen half written.
        let staged = dir.path().join(".owner.tmp");
        let mut file = fs::OpenOptions::new().write(true).create_new(true).open(&staged)?;
        file.write_all(owner.marker().as_bytes())?;
        fs::rename(&staged, dir.path().join(MARKER))?;
        fs::DirBuilder::new().mode(0o700).create(dir.path().join(PRINT))?;
        let pages = dir.path().join(PRINT);
        Ok(RunFolder { path: dir.keep(), pages })
    }

    /// The run folder; the browsers' folders go here.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder of the pages to print.
    pub fn pages(&self) -> &Path {
        &self.pages
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        let _ = remove(&self.path);
    }
}

/// Read, write and search for the user alone (the umask can only take more away).
fn private() -> fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    fs::Permissions::from_mode(0o700)
}

/// Who made the run folder `dir`, if it is a run folder (see the module's comment).
pub fn owner_of(dir: &Path) -> Option<Owner> {
    let named = dir.file_name()?.to_str()?.strip_prefix(PREFIX).is_some_and(|rest| !rest.is_empty());
    let meta = fs::symlink_metadata(dir).ok()?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    if !named || !meta.is_dir() || meta.uid() != uid {
        return None;
    }
    let marker = dir.join(MARKER);
    let meta = fs::symlink_metadata(&marker).ok()?;
    if !meta.is_file() || meta.uid() != uid || meta.len() > 256 {
        return None;
    }
    Owner::parse(&fs::read_to_string(&marker).ok()?)
}

/// The run folders in `parent` whose process is gone: what killed runs left. A
/// folder made in another pid namespace (another container sharing the folder) is
/// never judged.
pub fn leftovers_in(parent: &Path) -> Vec<PathBuf> {
    let Some(here) = pid_namespace() else { return Vec::new() };
    let gone = |owner: &Owner| owner.pidns == here && !owner.is_running();
    run_folders(parent).filter(|(_, owner)| gone(owner)).map(|(dir, _)| dir).collect()
}

/// The run folders in `parent` made by `owner`.
pub fn owned_by_in(parent: &Path, owner: Owner) -> Vec<PathBuf> {
    run_folders(parent).filter(|(_, o)| *o == owner).map(|(dir, _)| dir).collect()
}

fn run_folders(parent: &Path) -> impl Iterator<Item = (PathBuf, Owner)> {
    let entries = fs::read_dir(parent).into_iter().flatten().flatten();
    entries.filter_map(|entry| {
        let dir = entry.path();
        owner_of(&dir).map(|owner| (dir, owner))
    })
}

/// Removes the run folder `dir`, once more checked to be one. Links inside are
/// removed, never followed. The marker goes last, so a folder that could not be
/// emptied (a file still being written) is still known for a later try.
pub fn remove(dir: &Path) -> io::Result<()> {
    if owner_of(dir).is_none() {
        return Err(io::Error::other(format!("{} is not a run folder of campaign-report", dir.display())));
    }
    let mut result = Ok(());
    // A few tries: a process that was just killed may have left a file half made.
    for _ in 0..5 {
        result = empty_but_marker(dir);
        if result.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    result?;
    fs::remove_file(dir.join(MARKER))?;
    fs::remove_dir(dir)
}

fn empty_but_marker(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        // The entry's own type, not its target's: a link is removed as a file.
        if entry.file_type()?.is_dir() {
            // Does not follow links, also those met below.
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_run_folder_is_private_marked_and_removed_when_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let run = RunFolder::create_in(tmp.path()).unwrap();
        let path = run.path().to_path_buf();
        assert!(path.file_name().unwrap().to_str().unwrap().starts_with(PREFIX));
        assert_eq!(mode(&path), 0o700);
        assert_eq!(mode(run.pages()), 0o700);
        assert_eq!(owner_of(&path), Some(Owner::current().unwrap()));
        assert_eq!(owned_by_in(tmp.path(), Owner::current().unwrap()), std::slice::from_ref(&path));
        assert!(leftovers_in(tmp.path()).is_empty(), "a live run's folder is not a leftover");
        fs::write(run.pages().join("page.html"), "<p>page</p>").unwrap();
        drop(run);
        assert!(!path.exists());
    }

    #[test]
    fn markers_read_only_as_written() {
        let owner = Owner { pid: 41, start: 7, pidns: 4026531836 };
        assert_eq!(owner.marker(), "campaign-report run folder\npid 41\nstart 7\npidns 4026531836\n");
        assert_eq!(Owner::parse(&owner.marker()), Some(owner));
        for bad in [
            "",
            "campaign-report run folder\npid 41\nstart 7\npidns 9",
            "campaign-report run folder\npid 41\nstart 7\npidns 9\nmore\n",
            "campaign-report run folder\npid 41\nstart 7\n",
            "campaign-report run folder\npid -41\nstart 7\npidns 9\n",
            "campaign-report run folder\npid +41\nstart 7\npidns 9\n",
            "campaign-report run folder\npid  41\nstart 7\npidns 9\n",
            "campaign-report run folder\npid 99999999999\nstart 7\npidns 9\n",
            "something else\npid 41\nstart 7\npidns 9\n",
            "campaign-report run folder\nstart 7\npid 41\npidns 9\n",
        ] {
            assert_eq!(Owner::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn leftovers_are_run_folders_of_ended_processes_only() {
        let tmp = tempfile::tempdir().unwrap();
        let me = Owner::current().unwrap();
        let mut ended = std::process::Command::new("true").spawn().unwrap();
        let dead = Owner { pid: ended.id(), start: 1, ..me };
        ended.wait().unwrap();
        let make = |name: &str, marker: Option<&str>| {
            let dir = tmp.path().join(name);
            fs::create_dir(&dir).unwrap();
            if let Some(marker) = marker {
                fs::write(dir.join(MARKER), marker).unwrap();
            }
            dir
        };
        let gone = make("campaign-report-run-gone", Some(&dead.marker()));
        let reused = make("campaign-report-run-reused", Some(&Owner { start: me.start + 1, ..me }.marker()));
        make("campaign-report-run-alive", Some(&me.marker()));
        make("campaign-report-run-elsewhere", Some(&Owner { pidns: me.pidns + 1, ..dead }.marker()));
        make("campaign-report-run-none", None);
        make("other-name", Some(&dead.marker()));
        make("campaign-report-run-", Some(&dead.marker()));
        let linked = make("campaign-report-run-linked", None);
        fs::write(tmp.path().join("marker"), dead.marker()).unwrap();
        symlink(tmp.path().join("marker"), linked.join(MARKER)).unwrap();
        symlink(&gone, tmp.path().join("campaign-report-run-symlink")).unwrap();
        let mut found = leftovers_in(tmp.path());
        found.sort();
        assert_eq!(found, [gone, reused]);
    }

    #[test]
    fn removing_never_follows_a_link_and_refuses_unmarked_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("keep"), "keep").unwrap();
        let run = RunFolder::create_in(tmp.path()).unwrap();
        let path = run.path().to_path_buf();
        symlink(&outside, run.pages().join("dir-link")).unwrap();
        symlink(outside.join("keep"), path.join("file-link")).unwrap();
        fs::create_dir_all(path.join("chrome-1/profile")).unwrap();
        symlink(&outside, path.join("chrome-1/profile/deep-link")).unwrap();
        remove(&path).unwrap();
        std::mem::forget(run);
        assert!(!path.exists());
        assert_eq!(fs::read_to_string(outside.join("keep")).unwrap(), "keep");

        let unmarked = tmp.path().join("campaign-report-run-unmarked");
        fs::create_dir(&unmarked).unwrap();
        assert!(remove(&unmarked).is_err());
        assert!(unmarked.is_dir());
    }
}
