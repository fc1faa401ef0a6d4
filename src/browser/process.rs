//! Processes as Linux's `/proc` shows them: the process table, killing a whole
//! tree, reaping the dead, and adopting orphans (the child subreaper).
//!
//! It exists because a browser's processes fork, double-fork and get re-parented,
//! so neither its `Child` handle nor a process group reaches all of them. It keeps
//! no state of its own and does not know which browsers are running: that is
//! `supervisor`'s.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

/// Kills `root` and every process descending from it, plus every process that
/// names a path inside the folder `marker` in its command line or environment (the
/// browser's temporary folder: this finds processes orphaned by a crashed browser or
/// by a killed tool, and those of a launch in progress), and their descendants.
/// Processes are stopped first, level by level, so none can fork or be
/// re-parented out of reach before the kill.
pub(super) fn kill_tree(root: Option<u32>, marker: Option<&Path>, reap_root: bool) {
    let marker = marker.map(inside);
    let me = std::process::id();
    let mut stopped: HashSet<u32> = HashSet::new();
    for _ in 0..32 {
        let table = process_table();
        let mut found = Vec::new();
        for (&pid, info) in &table {
            if pid == me || stopped.contains(&pid) {
                continue;
            }
            let by_root = Some(pid) == root;
            let by_parent = stopped.contains(&info.ppid);
            let by_marker = marker.as_ref().is_some_and(|m| info.names(m));
            if by_root || by_parent || by_marker {
                found.push(pid);
            }
        }
        if found.is_empty() {
            break;
        }
        for pid in found {
            signal(pid, libc::SIGSTOP);
            stopped.insert(pid);
        }
    }
    for &pid in &stopped {
        signal(pid, libc::SIGKILL);
    }
    // Wait until they are gone, reaping those that became our children (see
    // `become_subreaper`), so a count of processes right after shows none. The
    // browser itself is left to its `Child` handle unless we are about to exit:
    // reaping it here would free its pid while that handle may still signal it.
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        let mut pending = false;
        for &pid in &stopped {
            let Some((state, ppid)) = stat(pid) else { continue };
            if state != 'Z' && state != 'X' {
                pending = true;
            } else if ppid == me {
                if Some(pid) != root || reap_root {
                    reap(pid);
                    pending |= stat(pid).is_some();
                }
            } else if stopped.contains(&ppid) {
                // A zombie whose parent is still exiting: it is about to become ours.
                pending = true;
            }
        }
        if !pending || Instant::now() >= until {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reaps browser processes that died on their own after their parent did (a
/// crashed browser's children) and were adopted by us: they are zombies without a
/// command line by then, so only their name tells them apart. `keep` and `running`
/// (the browsers still running) are left to their `Child` handles.
pub(super) fn reap_orphans(keep: Option<u32>, running: &[u32]) {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else { return };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        if Some(pid) == keep || running.contains(&pid) {
            continue;
        }
        let Some((state, ppid)) = stat(pid) else { continue };
        let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if state == 'Z' && ppid == me && name.starts_with("chrom") {
            reap(pid);
        }
    }
}

fn reap(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        let mut status = 0;
        // SAFETY: waitpid on a specific child we killed; WNOHANG never blocks.
        unsafe {
            libc::waitpid(pid, &mut status, libc::WNOHANG);
        }
    }
}

/// Makes this process adopt the orphans of the browsers it launched (Chromium's
/// crash handler double-forks, and a killed browser's children are re-parented),
/// so `kill_tree` can reap them instead of leaving zombies for init. Setting it
/// again is harmless.
pub(super) fn become_subreaper() {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes one integer argument and has no
    // memory-safety preconditions.
    unsafe {
        libc::prctl(
            libc::PR_SET_CHILD_SUBREAPER,
            1 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        );
    }
}

fn signal(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill has no memory-safety preconditions; pid is a process we found.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

pub(super) struct ProcInfo {
    ppid: u32,
    cmdline: Vec<u8>,
    environ: Vec<u8>,
}

impl ProcInfo {
    /// Whether `needle` (see [`inside`]) is in its command line or environment.
    pub(super) fn names(&self, needle: &[u8]) -> bool {
        contains(&self.cmdline, needle) || contains(&self.environ, needle)
    }
}

/// What a path inside `folder` starts with: the folder and a slash, so that
/// `…/chrome-1` does not match `…/chrome-10/profile`.
pub(super) fn inside(folder: &Path) -> Vec<u8> {
    let mut needle = folder.as_os_str().as_encoded_bytes().to_vec();
    if needle.last() != Some(&b'/') {
        needle.push(b'/');
    }
    needle
}

/// Every process visible in /proc with its parent, command line and environment
/// (the environment only for the user's own processes).
pub(super) fn process_table() -> HashMap<u32, ProcInfo> {
    let mut table = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else { return table };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Some((state, ppid)) = stat(pid) else { continue };
        if state == 'Z' {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        table.insert(pid, ProcInfo { ppid, cmdline, environ });
    }
    table
}

/// State and parent pid from /proc/PID/stat (the command name may contain spaces
/// and parentheses, so parse after the last ')').
fn stat(pid: u32) -> Option<(char, u32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Exists and is not a zombie.
pub(super) fn alive(pid: u32) -> bool {
    stat(pid).is_some_and(|(state, _)| state != 'Z' && state != 'X')
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    /// A shell that starts a child of its own and waits: killing the tree takes both.
    #[test]
    fn kill_tree_takes_the_whole_tree() {
        let mut child = Command::new("sh").arg("-c").arg("sleep 30 & wait").stdin(Stdio::null()).spawn().unwrap();
        let pid = child.id();
        let until = Instant::now() + Duration::from_secs(5);
        let children = || process_table().values().filter(|p| p.ppid == pid).count();
        while children() == 0 {
            assert!(Instant::now() < until, "the shell did not start its child");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(alive(pid));
        kill_tree(Some(pid), None, false);
        assert!(!alive(pid), "the root survived");
        assert_eq!(children(), 0, "a child survived");
        let _ = child.wait();
    }
}
