//! Same input and `--now`, same bytes; and the manifest describes exactly
//! what was written.

use std::collections::BTreeMap;

use crate::common::{ACME_INPUTS, Cli, acme, contents_under, is_snapshot_time};
use sha2::{Digest, Sha256};

fn assert_same_tree(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) {
    let names_a: Vec<&String> = a.keys().collect();
    let names_b: Vec<&String> = b.keys().collect();
    assert_eq!(names_a, names_b, "same files");
    let differing: Vec<&String> = a.iter().filter(|(k, v)| b[*k] != **v).map(|(k, _)| k).collect();
    assert!(differing.is_empty(), "files differ between runs: {differing:?}");
}

#[test]
fn two_builds_are_byte_identical() {
    // The first is the build the other tests read; the second is made afresh.
    let first = acme();
    let second = Cli::build(ACME_INPUTS).run();
    second.expect_code(0);
    let a = contents_under(&first.out);
    assert!(a.len() > 50, "a full build writes many files ({})", a.len());
    assert_same_tree(&a, &contents_under(&second.out));
}

#[test]
fn rebuilding_over_an_old_snapshot_gives_the_same_files() {
    let fresh = Cli::build(["acme-bulk.jsonl"]).shared();
    fresh.expect_code(0);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    Cli::build(["acme-bulk.jsonl"]).out(&out).now("2026-11-20T08:00:00Z").run().expect_code(0);
    Cli::build(["acme-bulk.jsonl"]).out(&out).run().expect_code(0);
    assert_same_tree(&contents_under(&fresh.out), &contents_under(&out));
}

#[test]
fn snapshot_time_comes_from_now() {
    let run = Cli::build(["acme-single.json"]).now("2026-12-01T00:00:00Z").run();
    run.expect_code(0);
    let s = run.summary("hygiene-reminder-running");
    let at = s["generated_at"].as_str().unwrap();
    assert!(at.starts_with("2026-12-01T00:00:00") || at.starts_with("2026-11-30T19:00:00"), "{at}");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn manifest_lists_every_file_with_its_digest() {
    let run = Cli::build(["acme", "acme-single.json"]).run();
    run.expect_code(0);
    let manifest = run.manifest();
    assert!(is_snapshot_time(&manifest["generated_at"]), "{}", manifest["generated_at"]);
    assert!(!manifest["tool_version"].as_str().unwrap().is_empty());
    assert_eq!(manifest["tenant"]["id"], "acme");

    let mut listed = Vec::new();
    for f in manifest["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        assert!(!path.contains('\\') && !path.starts_with('/'), "relative with '/': {path}");
        let bytes = std::fs::read(run.path(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(f["bytes"].as_u64(), Some(bytes.len() as u64), "{path}");
        assert_eq!(f["sha256"].as_str().unwrap(), hex(&Sha256::digest(&bytes)), "{path}");
        listed.push(path.to_string());
    }
    listed.sort();
    let written: Vec<String> = run.files().into_iter().filter(|f| f != "manifest.json").collect();
    assert_eq!(listed, written, "manifest lists exactly the files written (no leftover temp files)");

    let campaigns = manifest["campaigns"].as_array().unwrap();
    assert_eq!(campaigns.len(), 10, "9 bundles + the single campaign");
    for c in campaigns {
        let id = c["id"].as_str().unwrap();
        let s = run.summary(id);
        assert_eq!(c["status"], s["status"], "{id}");
        assert_eq!(c["layout"], s["layout"], "{id}");
    }
    let find = |id: &str| campaigns.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{id}"));
    assert_eq!(find("billing-paused")["layout"], "active");
    assert_eq!(find("legacy-archived")["layout"], "ended");
    assert_eq!(find("intake-draft-empty")["layout"], "draft");
}
