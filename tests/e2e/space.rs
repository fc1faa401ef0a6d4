//! A full disk is survived: on a small tmpfs (mounted in a mount namespace of the
//! test's own, with `unshare`), a build that runs out of space says so in one line,
//! exits non-zero and changes nothing; the snapshot already there still matches its
//! manifest, and a rerun with space completes.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::fixture;

/// Runs `script` with `$BIN` (the tool), `$ACME` (the fixtures) and `$DIR` (a folder
/// on which a tmpfs can be mounted) in a private mount namespace.
fn in_namespace(script: &str, dir: &Path) -> std::process::Output {
    let mut cmd = Command::new("unshare");
    // As root, a mount namespace; otherwise a user namespace too, so the mount is allowed.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        cmd.arg("--mount");
    } else {
        cmd.args(["--user", "--map-root-user", "--mount"]);
    }
    let output = cmd
        .args(["sh", "-c", script])
        .env("BIN", env!("CARGO_BIN_EXE_campaign-report"))
        .env("ACME", fixture("acme"))
        .env("DIR", dir)
        .output()
        .expect("unshare (util-linux) runs the test in a mount namespace");
    assert!(
        output.status.success(),
        "the script failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn manifest_matches(out: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(out.join("manifest.json")).map_err(|e| format!("manifest: {e}"))?;
    let manifest: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let files = manifest["files"].as_array().unwrap();
    for f in files {
        let rel = f["path"].as_str().unwrap();
        let bytes = std::fs::read(out.join(rel)).map_err(|e| format!("{rel}: {e}"))?;
        let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        if digest != f["sha256"].as_str().unwrap() {
            return Err(format!("{rel} does not match the manifest"));
        }
    }
    Ok(files.len())
}

#[test]
fn a_full_disk_changes_nothing_and_a_rerun_with_space_completes() {
    let dir = tempfile::tempdir().unwrap();
    // Inside the namespace: a snapshot, then the disk filled up, a rebuild that
    // changes every file, a copy of what is left for the test to check, space freed,
    // and the rebuild again. Each run's exit status and stderr are kept.
    let script = r#"
        set -u
        mkdir -p "$DIR/disk" "$DIR/keep"
        mount -t tmpfs -o size=24m tmpfs "$DIR/disk"
        out="$DIR/disk/site"
        "$BIN" build "$ACME" --out "$out" --format html,json --now 2026-11-27T12:00:00Z 2>"$DIR/first.err"; echo $? >"$DIR/first.code"
        dd if=/dev/zero of="$DIR/disk/filler" bs=64k 2>/dev/null || true
        truncate -s -300k "$DIR/disk/filler"
        "$BIN" build "$ACME" --out "$out" --format html,json --now 2026-11-28T12:00:00Z 2>"$DIR/full.err"; echo $? >"$DIR/full.code"
        cp -a "$out" "$DIR/keep/after-full"
        ls -a "$out" >"$DIR/leftovers"
        rm "$DIR/disk/filler"
        "$BIN" build "$ACME" --out "$out" --format html,json --now 2026-11-28T12:00:00Z 2>"$DIR/again.err"; echo $? >"$DIR/again.code"
        cp -a "$out" "$DIR/keep/after-rerun"
    "#;
    in_namespace(script, dir.path());
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read("first.code").trim(), "0", "{}", read("first.err"));

    // Out of space: one line says so, the exit status is not 0, nothing changed.
    let full = read("full.err");
    assert_ne!(read("full.code").trim(), "0", "{full}");
    let lines: Vec<&str> = full.lines().filter(|l| l.contains("no space left")).collect();
    assert_eq!(lines.len(), 1, "{full}");
    assert!(lines[0].contains("nothing was changed"), "{full}");
    assert!(!full.contains("os error 28): No space"), "the OS error twice: {full}");
    let kept = dir.path().join("keep/after-full");
    manifest_matches(&kept).unwrap_or_else(|e| panic!("{e}\n{full}"));
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(kept.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["generated_at"], "2026-11-27T12:00:00Z", "the previous snapshot is as it was");
    assert!(!read("leftovers").contains(".campaign-report-tmp-"), "temporary files left:\n{}", read("leftovers"));

    // With space again, the rebuild completes.
    assert_eq!(read("again.code").trim(), "0", "{}", read("again.err"));
    let rerun = dir.path().join("keep/after-rerun");
    assert!(manifest_matches(&rerun).unwrap() > 40);
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(rerun.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["generated_at"], "2026-11-28T12:00:00Z");
}
