//! One run at a time per output folder: the kernel's advisory lock on the folder,
//! and who holds it when another run asks.

use std::fs;
use std::path::Path;

use super::{OutputError, io_err};

/// An exclusive lock on an output folder for the whole of a run, so two runs never
/// write one snapshot at once. It is the kernel's advisory lock (`flock`) on the
/// folder itself: nothing is written for it, and a run that is killed releases it
/// with its last file handle, so a lock is never stale. A second run learns who
/// holds it from the kernel's table of locks (`/proc/locks`).
#[derive(Debug)]
pub struct FolderLock {
    _folder: fs::File,
}

impl FolderLock {
    /// Takes the lock on `root` (created if missing), waiting up to `wait` for another
    /// run to release it.
    pub fn acquire(root: &Path, wait: std::time::Duration) -> Result<FolderLock, OutputError> {
        if fs::metadata(root).is_ok_and(|m| !m.is_dir()) {
            return Err(OutputError::NotAFolder { path: root.to_path_buf() });
        }
        fs::create_dir_all(root).map_err(io_err(root))?;
        let folder = fs::File::open(root).map_err(io_err(root))?;
        let until = std::time::Instant::now() + wait;
        loop {
            match folder.try_lock() {
                Ok(()) => return Ok(FolderLock { _folder: folder }),
                Err(fs::TryLockError::WouldBlock) if std::time::Instant::now() < until => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    let holder = holder(&folder).unwrap_or_else(|| "a run that is ending or starting".into());
                    return Err(OutputError::Busy { path: root.to_path_buf(), holder });
                }
                Err(fs::TryLockError::Error(cause)) => return Err(OutputError::Io { path: root.to_path_buf(), cause }),
            }
        }
    }
}

/// Who holds the lock on `folder`: its pid, command and start time, from the kernel's
/// table of locks (`/proc/locks`: `1: FLOCK ADVISORY WRITE 2571 fd:01:2097301 0 EOF`).
fn holder(folder: &fs::File) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = folder.metadata().ok()?;
    let device = format!("{:02x}:{:02x}:{}", libc::major(meta.dev()), libc::minor(meta.dev()), meta.ino());
    let locks = fs::read_to_string("/proc/locks").ok()?;
    let pid: u32 = locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(1) == Some(&"FLOCK") && fields.get(5) == Some(&device.as_str()))
            .then(|| fields.get(4)?.parse().ok())?
    })?;
    let command = fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| {
            c.split(|b| *b == 0)
                .take(2)
                .map(|a| String::from_utf8_lossy(a).rsplit('/').next().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let started = process_start(pid).map(|t| format!(", started {t}")).unwrap_or_default();
    Some(format!("pid {pid}, {command}{started}"))
}

/// When process `pid` started: its start in clock ticks after boot (`/proc/PID/stat`,
/// field 22) plus the boot time (`btime` in `/proc/stat`).
fn process_start(pid: u32) -> Option<jiff::Timestamp> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ticks: i64 = stat[stat.rfind(')')? + 2..].split_whitespace().nth(19)?.parse().ok()?;
    let boot: i64 =
        fs::read_to_string("/proc/stat").ok()?.lines().find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1);
    jiff::Timestamp::from_second(boot + ticks / hz).ok()
}
