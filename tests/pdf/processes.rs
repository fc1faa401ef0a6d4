//! The processes and temporary folders a run of the tool leaves, as `/proc` and its
//! `TMPDIR` show them, for the tests of killed and interrupted runs.
//!
//! A process is known by its pid and its start time (field 22 of `/proc/PID/stat`),
//! so a pid reused after the process ended is never taken for it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// One live process (not a zombie).
#[derive(Debug, Clone)]
pub(crate) struct Proc {
    pub(crate) ppid: u32,
    pub(crate) start: u64,
    pub(crate) cmdline: String,
    environ: Vec<u8>,
}

/// Every live process, by pid.
pub(crate) fn table() -> BTreeMap<u32, Proc> {
    let mut table = BTreeMap::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Some((state, ppid, start)) = stat(pid) else { continue };
        if state == 'Z' || state == 'X' {
            continue;
        }
        let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let environ = fs::read(entry.path().join("environ")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ").trim_end().to_string();
        table.insert(pid, Proc { ppid, start, cmdline, environ });
    }
    table
}

/// State, parent and start time of a process.
fn stat(pid: u32) -> Option<(char, u32, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = text[text.rfind(')')? + 2..].split_whitespace().collect();
    // After the name: state is field 3, the parent field 4, the start time field 22.
    Some((fields.first()?.chars().next()?, fields.get(1)?.parse().ok()?, fields.get(19)?.parse().ok()?))
}

/// The start time of a live process.
pub(crate) fn start_time(pid: u32) -> Option<u64> {
    stat(pid).filter(|(state, _, _)| *state != 'Z' && *state != 'X').map(|(_, _, start)| start)
}

/// Every process descending from `root` (not `root` itself).
pub(crate) fn descendants(table: &BTreeMap<u32, Proc>, root: u32) -> Vec<u32> {
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(table.iter().filter(|(_, p)| p.ppid == parent).map(|(pid, _)| *pid));
        i += 1;
    }
    found.remove(0);
    found
}

/// The live processes other than this test's that name `folder` in their command line
/// or environment: the run's browser (its profile, HOME and TMPDIR are under the
/// run's `TMPDIR`) and the tool's own processes.
pub(crate) fn naming(folder: &Path) -> BTreeMap<u32, Proc> {
    let needle = folder.as_os_str().as_encoded_bytes();
    let names = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    table()
        .into_iter()
        .filter(|(pid, p)| *pid != std::process::id() && (names(p.cmdline.as_bytes()) || names(&p.environ)))
        .collect()
}

/// Whether a process of the browser (not the tool) names `folder`.
pub(crate) fn browser_running(folder: &Path) -> bool {
    naming(folder).values().any(|p| p.cmdline.contains("chrom"))
}

/// The tool's temporary folders (`campaign-report-…`) in a run's `TMPDIR`.
pub(crate) fn tool_folders(tmpdir: &Path) -> Vec<String> {
    let mut found: Vec<String> = fs::read_dir(tmpdir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("campaign-report-"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Sends SIGKILL to a process if it is still the one that started at `start`.
pub(crate) fn kill(pid: u32, start: u64) {
    if start_time(pid) == Some(start)
        && let Ok(pid) = libc::pid_t::try_from(pid)
    {
        // SAFETY: kill has no memory-safety preconditions; the process is one a
        // run of this test started.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
}

/// `pid  command line`, cut to a readable length.
pub(crate) fn describe(pid: u32, proc: &Proc) -> String {
    format!("{pid} {}", proc.cmdline.chars().take(160).collect::<String>())
}
