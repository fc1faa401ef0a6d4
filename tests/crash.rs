//! A build killed at any moment leaves every file of the snapshot either as the
//! previous run wrote it or as the new run writes it, never torn; the next run
//! finishes the job and clears what the killed one left.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use common::{ACME_INPUTS, Cli};
use sha2::{Digest, Sha256};

/// Every acme input into `out` at time `now`, one campaign at a time.
fn build(out: &Path, now: &str) -> Cli {
    Cli::build(ACME_INPUTS).out(out).now(now).args(["--tenant", "acme", "--jobs", "1"])
}

/// Path → SHA-256 of every file under `dir`, temporary names set apart.
fn digests(dir: &Path) -> (BTreeMap<String, String>, Vec<String>) {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>, temps: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                walk(root, &path, files, temps);
            } else if path.file_name().unwrap().to_string_lossy().starts_with(".campaign-report-tmp-") {
                temps.push(rel);
            } else {
                let digest = Sha256::digest(std::fs::read(&path).unwrap());
                files.insert(rel, digest.iter().map(|b| format!("{b:02x}")).collect());
            }
        }
    }
    let mut files = BTreeMap::new();
    let mut temps = Vec::new();
    walk(dir, dir, &mut files, &mut temps);
    (files, temps)
}

/// The files a manifest lists, with their digests (plus the manifest itself).
fn manifest(dir: &Path) -> BTreeMap<String, String> {
    let (all, _) = digests(dir);
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut files: BTreeMap<String, String> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["sha256"].as_str().unwrap().to_string()))
        .collect();
    files.insert("manifest.json".into(), all["manifest.json"].clone());
    files
}

#[test]
fn killed_builds_never_leave_torn_files() {
    let (t1, t2) = ("2026-11-27T12:00:00Z", "2026-11-28T09:30:00Z");
    let reference = tempfile::tempdir().unwrap();
    build(reference.path(), t2).run().expect_code(0);
    let second = manifest(reference.path());

    for delay_ms in [50, 200, 500, 900] {
        let out = tempfile::tempdir().unwrap();
        build(out.path(), t1).run().expect_code(0);
        let first = manifest(out.path());
        assert_ne!(first["index.html"], second["index.html"], "the two runs must differ");

        let mut live = build(out.path(), t2).spawn();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = live.child.kill();
        let _ = live.child.wait();

        let (now, _temps) = digests(out.path());
        for (path, digest) in &now {
            let from_first = first.get(path) == Some(digest);
            let from_second = second.get(path) == Some(digest);
            assert!(from_first || from_second, "killed after {delay_ms} ms: {path} matches neither run");
        }
        for path in first.keys() {
            assert!(now.contains_key(path), "killed after {delay_ms} ms: {path} of the previous snapshot was lost");
        }

        // The next run completes the snapshot and clears temporary files.
        build(out.path(), t2).run().expect_code(0);
        let (after, temps) = digests(out.path());
        assert!(temps.is_empty(), "temporary files left: {temps:?}");
        assert_eq!(after, second, "killed after {delay_ms} ms: the rerun differs from a clean run");
    }
}
