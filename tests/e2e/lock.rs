//! One run at a time per output folder (docs/export-format.md, "Output safety"):
//! real concurrent processes on one `--out`. The first run is held at a known
//! moment: stopped (SIGSTOP) once the kernel's table of locks shows it holds the
//! lock, and let go on (SIGCONT) when the test says so.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{Cli, Live};

/// Waits until `live` holds the lock, or has ended.
fn wait_for_holder(live: &Live) {
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until && !holds_lock(live) {
        if std::fs::read_to_string(format!("/proc/{}/stat", live.child.id())).is_ok_and(|s| s.contains(") Z ")) {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Waits for a live run to end; its exit code (its stderr is shown when it is not 0).
fn wait(mut live: Live) -> i32 {
    let code = live.child.wait().unwrap().code().unwrap_or(-1);
    if code != 0 {
        eprintln!("{}", live.stderr());
    }
    code
}

/// Every file the manifest lists has the bytes it records.
fn assert_manifest_matches(out: &Path) {
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert!(!files.is_empty());
    for f in files {
        let rel = f["path"].as_str().unwrap();
        let bytes = std::fs::read(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, f["sha256"].as_str().unwrap(), "{rel} does not match the manifest");
    }
}

/// A run of the acme fixtures into `out`, stopped (SIGSTOP) while it holds the lock.
struct Held {
    live: Live,
}

impl Held {
    fn start(out: &Path) -> Held {
        // The run holds the lock for a second or more (the pages of every campaign);
        // should it have finished before it was stopped, it is started again.
        for _ in 0..5 {
            let live = Cli::build(["acme"]).out(out).spawn();
            wait_for_holder(&live);
            signal(&live, "STOP");
            if holds_lock(&live) {
                return Held { live };
            }
            signal(&live, "CONT");
            assert_eq!(wait(live), 0);
        }
        panic!("the run always finished before it could be stopped");
    }

    /// Lets the run go on to its end.
    fn release(self) -> i32 {
        signal(&self.live, "CONT");
        wait(self.live)
    }
}

fn signal(live: &Live, name: &str) {
    let status = std::process::Command::new("kill").arg(format!("-{name}")).arg(live.child.id().to_string()).status();
    assert!(status.unwrap().success());
}

/// Whether `live` holds a lock (the kernel's table of locks names its pid).
fn holds_lock(live: &Live) -> bool {
    let pid = live.child.id().to_string();
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    locks.lines().any(|l| l.contains("FLOCK") && l.split_whitespace().nth(4) == Some(pid.as_str()))
}

#[test]
fn a_second_run_on_the_same_folder_stops_at_once_or_waits_with_wait_lock() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("site");
    let first = Held::start(&out);

    // A second run exits 2 at once, naming the holder.
    let started = Instant::now();
    let second = Cli::build(["acme"]).out(&out).run();
    assert_eq!(second.code, 2, "{}", second.stderr);
    assert!(started.elapsed() < Duration::from_secs(5), "the second run waited");
    let holder = format!("is being written by another run (pid {}, campaign-report build", first.live.child.id());
    assert!(second.stderr.contains(&holder), "{}", second.stderr);
    assert!(second.stderr.contains(", started 20") && second.stderr.contains("--wait-lock"), "{}", second.stderr);

    // A third run waits for it with --wait-lock, then writes the snapshot.
    let third = Cli::build(["acme"]).out(&out).args(["--wait-lock", "60"]).spawn();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(first.release(), 0);
    assert_eq!(wait(third), 0);
    assert_manifest_matches(&out);
}

#[test]
fn overlapping_runs_take_turns_and_the_snapshot_matches_its_manifest() {
    // Cron runs that overlap: four builds started at once, each with its own
    // snapshot time so that each rewrites the pages, all waiting their turn.
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("site");
    let runs: Vec<Live> = (0..4)
        .map(|i| {
            let now = format!("2026-11-27T1{i}:00:00Z");
            Cli::build(["acme"]).out(&out).now(&now).args(["--wait-lock", "120"]).spawn()
        })
        .collect();
    for run in runs {
        assert_eq!(wait(run), 0);
    }
    assert_manifest_matches(&out);
    // No temporary file of any of them is left.
    let leftovers: Vec<_> = walkdir(&out).into_iter().filter(|p| p.contains(".campaign-report-tmp-")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walkdir(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[test]
fn a_killed_run_leaves_no_lock_behind() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("site");
    let mut held = Held::start(&out);
    held.live.child.kill().unwrap();
    held.live.child.wait().unwrap();
    let next = Cli::build(["acme"]).out(&out).run();
    next.expect_code(0);
    assert_manifest_matches(&out);
}

#[test]
fn an_output_path_that_is_a_file_is_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site");
    std::fs::write(&file, "not a folder").unwrap();
    let run = Cli::build(["acme"]).out(&file).run();
    run.expect_code(2);
    assert!(run.stderr.contains("it is a file, not a folder"), "{}", run.stderr);
    assert!(!run.stderr.contains("File exists"), "{}", run.stderr);
}
