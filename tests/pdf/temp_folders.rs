//! The run's temporary folders (the pages to print, the browser's profile, HOME and
//! TMPDIR) are private to the user while the run prints, and what a killed run left
//! is removed by the next run, but only when it is provably the tool's and its
//! process is gone.
//!
//! A run folder is `$TMPDIR/campaign-report-run-XXXXXX`, with an `owner` file that
//! records the pid, the start time (field 22 of `/proc/PID/stat`) and the pid
//! namespace of the process that made it.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{Cli, Live};
use crate::processes;

fn printing_acme() -> Cli {
    Cli::build(["acme"]).format("html,json,pdf").args(["--tenant", "acme"])
}

/// Waits until the run's browser runs and its pages are written.
fn wait_for_browser(live: &mut Live) {
    let started = Instant::now();
    while !processes::browser_running(&live.tmpdir) {
        assert!(live.child.try_wait().unwrap().is_none(), "the run ended before its browser started");
        assert!(started.elapsed() < Duration::from_secs(60), "no browser started within 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every folder under `dir`, down to `depth` levels, with its mode.
fn folders(dir: &Path, depth: usize, found: &mut Vec<(String, u32)>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(meta) = fs::symlink_metadata(entry.path()) else { continue };
        if meta.is_dir() {
            found.push((entry.path().display().to_string(), meta.permissions().mode() & 0o777));
            if depth > 1 {
                folders(&entry.path(), depth - 1, found);
            }
        }
    }
}

#[test]
fn the_run_folders_are_private_while_a_run_prints() {
    let mut live = printing_acme().spawn();
    wait_for_browser(&mut live);
    let mut found = Vec::new();
    folders(&live.tmpdir, 3, &mut found);
    let exit = live.child.wait().unwrap();
    assert!(exit.success(), "exit {exit:?}; stderr:\n{}", live.stderr());
    // The run's folder, its pages and the browser's folder at least.
    assert!(found.len() >= 2, "too few folders found while printing: {found:?}");
    let open: Vec<String> =
        found.iter().filter(|(_, mode)| mode & 0o077 != 0).map(|(path, mode)| format!("{path} {mode:o}")).collect();
    assert!(open.is_empty(), "folders others can read while the run prints:\n{}", open.join("\n"));
}

#[test]
fn the_next_run_removes_what_a_killed_run_left() {
    let mut live = printing_acme().spawn();
    wait_for_browser(&mut live);
    // SIGKILL to the tool and to everything it started itself (its watchdog), as a
    // kill of the whole process group or the OOM killer would: the browser and the
    // folders stay behind.
    let table = processes::table();
    let tool = live.child.id();
    let tool_start = processes::start_time(tool).unwrap();
    let helpers: Vec<(u32, u64)> = table
        .iter()
        .filter(|(_, p)| p.ppid == tool && !p.cmdline.contains("chrom"))
        .map(|(pid, p)| (*pid, p.start))
        .collect();
    for (pid, start) in helpers {
        processes::kill(pid, start);
    }
    processes::kill(tool, tool_start);
    live.child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let left = processes::tool_folders(&live.tmpdir);
    assert!(!left.is_empty(), "the killed run left no folder: nothing to test");

    // Any build, with the same TMPDIR.
    let next = Cli::build(["acme"]).args(["--tenant", "acme"]).env("TMPDIR", &live.tmpdir).run();
    next.expect_code(0);
    let still: Vec<String> = processes::naming(&live.tmpdir)
        .iter()
        .filter(|(_, p)| p.cmdline.contains("chrom"))
        .map(|(pid, p)| processes::describe(*pid, p))
        .collect();
    for (pid, proc) in processes::naming(&live.tmpdir) {
        processes::kill(pid, proc.start);
    }
    assert_eq!(processes::tool_folders(&live.tmpdir), Vec::<String>::new(), "the next run left {left:?} in place");
    assert!(still.is_empty(), "the killed run's browser survived the next run:\n{}", still.join("\n"));
}

/// The marker of a run folder made by process `pid` started at `start`, in this
/// test's pid namespace.
fn marker(pid: u32, start: u64) -> String {
    marker_in(pid, start, pid_namespace())
}

fn marker_in(pid: u32, start: u64, pidns: u64) -> String {
    format!("campaign-report run folder\npid {pid}\nstart {start}\npidns {pidns}\n")
}

/// The inode of this process's pid namespace (`pid:[4026531836]`).
fn pid_namespace() -> u64 {
    let link = fs::read_link("/proc/self/ns/pid").unwrap();
    link.to_str().unwrap().trim_start_matches("pid:[").trim_end_matches(']').parse().unwrap()
}

#[test]
fn only_folders_proven_to_be_a_dead_runs_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let tmpdir = tmp.path().join("tmp");
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir_all(&tmpdir).unwrap();
    fs::create_dir_all(&elsewhere).unwrap();
    fs::write(elsewhere.join("keep.txt"), "not the tool's").unwrap();
    let me = std::process::id();
    let my_start = processes::start_time(me).unwrap();
    // A process that has ended, and whose pid nobody uses for now.
    let mut ended = std::process::Command::new("true").spawn().unwrap();
    let dead = ended.id();
    ended.wait().unwrap();
    let run = |name: &str, owner: Option<String>| {
        let dir = tmpdir.join(name);
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        if let Some(owner) = owner {
            fs::write(dir.join("owner"), owner).unwrap();
        }
        fs::create_dir(dir.join("print")).unwrap();
        fs::write(dir.join("print").join("page.html"), "<p>page</p>").unwrap();
        dir
    };
    // Removed: its process has ended; a link inside it is removed, not followed.
    let gone = run("campaign-report-run-gone01", Some(marker(dead, 12345)));
    symlink(&elsewhere, gone.join("print").join("link")).unwrap();
    symlink(elsewhere.join("keep.txt"), gone.join("file-link")).unwrap();
    // Removed: the pid is alive but is another process (a pid reused).
    run("campaign-report-run-reuse1", Some(marker(me, my_start + 1)));
    // Kept: its process (this test) is alive.
    run("campaign-report-run-alive1", Some(marker(me, my_start)));
    // Kept: made in another pid namespace (a container sharing the folder), where
    // the pid says nothing here.
    run("campaign-report-run-contnr", Some(marker_in(dead, 12345, pid_namespace() + 1)));
    // Kept: no marker, a marker that is not the tool's, a marker that is a link.
    run("campaign-report-run-nomark", None);
    run("campaign-report-run-garbl1", Some("pid 1\n".into()));
    let linked = run("campaign-report-run-linked", None);
    let real_marker = elsewhere.join("owner");
    fs::write(&real_marker, marker(dead, 12345)).unwrap();
    symlink(&real_marker, linked.join("owner")).unwrap();
    // Kept: a link in TMPDIR to a dead run's folder elsewhere, and that folder.
    let outside = elsewhere.join("campaign-report-run-outsd1");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("owner"), marker(dead, 12345)).unwrap();
    symlink(&outside, tmpdir.join("campaign-report-run-symlnk")).unwrap();
    // Kept: folders of earlier versions, which had no marker.
    fs::create_dir(tmpdir.join("campaign-report-print-AbC123")).unwrap();
    fs::create_dir(tmpdir.join("campaign-report-chrome-AbC123")).unwrap();

    Cli::build(["acme"]).args(["--tenant", "acme"]).env("TMPDIR", &tmpdir).run().expect_code(0);

    assert_eq!(
        processes::tool_folders(&tmpdir),
        [
            "campaign-report-chrome-AbC123",
            "campaign-report-print-AbC123",
            "campaign-report-run-alive1",
            "campaign-report-run-contnr",
            "campaign-report-run-garbl1",
            "campaign-report-run-linked",
            "campaign-report-run-nomark",
            "campaign-report-run-symlnk",
        ]
    );
    assert!(tmpdir.join("campaign-report-run-alive1/print/page.html").is_file(), "a live run's page was removed");
    assert!(tmpdir.join("campaign-report-run-symlnk").is_symlink());
    assert!(outside.join("owner").is_file(), "a folder outside TMPDIR was removed through a link");
    assert_eq!(fs::read_to_string(elsewhere.join("keep.txt")).unwrap(), "not the tool's", "a link was followed");
    assert!(real_marker.is_file());
}
