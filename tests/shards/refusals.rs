//! `merge` refuses shards that do not make one whole, names the shard, exits 1 and
//! leaves the previous merged snapshot as it was (docs/scale-out.md).

use std::path::{Path, PathBuf};

use crate::common::{ACME_INPUTS, contents_under};
use crate::support::{build_shards, merge};

/// Three shards of the acme inputs, merged once into `merged`.
fn merged_shards(dir: &Path) -> (Vec<PathBuf>, PathBuf) {
    let shards = build_shards(ACME_INPUTS, 3, dir, "html,json", &[]);
    let out = dir.join("merged");
    merge(&shards, &out).expect_code(0);
    (shards, out)
}

/// Runs a merge that must be refused with `needle` in its message, and checks `out` did not change.
fn refused(shards: &[PathBuf], out: &Path, needle: &str) {
    let before = contents_under(out);
    let run = merge(shards, out);
    run.expect_code(1);
    assert!(run.stderr.contains(needle), "{needle:?} not in:\n{}", run.stderr);
    assert!(contents_under(out) == before, "the merged snapshot changed");
}

#[test]
fn a_missing_shard_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (shards, out) = merged_shards(tmp.path());
    refused(&[shards[0].clone(), shards[2].clone()], &out, "shard 2/3 is missing");
    refused(&[shards[0].clone(), tmp.path().join("nowhere"), shards[2].clone()], &out, "nowhere");
}

#[test]
fn a_shard_given_twice_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (shards, out) = merged_shards(tmp.path());
    let copy = tmp.path().join("copy-of-1");
    std::fs::create_dir(&copy).unwrap();
    for (rel, bytes) in contents_under(&shards[0]) {
        std::fs::create_dir_all(copy.join(&rel).parent().unwrap()).unwrap();
        std::fs::write(copy.join(&rel), bytes).unwrap();
    }
    let given = [shards[0].clone(), shards[1].clone(), shards[2].clone(), copy];
    refused(&given, &out, "shard 1/3 is given 2 times");
}

#[test]
fn a_shard_built_with_other_options_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut shards, out) = merged_shards(tmp.path());
    let other = build_shards(ACME_INPUTS, 3, &tmp.path().join("admin"), "html,json", &["--role", "admin"]);
    shards[1] = other[1].clone();
    refused(&shards, &out, "shard 2/3");
    refused(&shards, &out, "role \"admin\" against \"viewer\"");
}

#[test]
fn a_shard_of_other_inputs_or_edited_files_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut shards, out) = merged_shards(tmp.path());
    let edited = shards[0].join("campaigns").read_dir().unwrap().next().unwrap().unwrap().path().join("summary.json");
    let original = std::fs::read(&edited).unwrap();
    std::fs::write(&edited, b"{}").unwrap();
    refused(&shards, &out, "does not match its digest");
    std::fs::write(&edited, original).unwrap();

    let fewer = build_shards(&ACME_INPUTS[..2], 3, &tmp.path().join("fewer"), "html,json", &[]);
    shards[2] = fewer[2].clone();
    refused(&shards, &out, "read other inputs");
}

#[test]
fn a_folder_holding_another_tenants_snapshot_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let shards = build_shards(ACME_INPUTS, 2, tmp.path(), "html,json", &[]);
    let out = tmp.path().join("globex-site");
    crate::common::Cli::build(["globex"]).out(&out).args(["--tenant", "globex"]).run().expect_code(0);
    refused(&shards, &out, "holds the snapshot of tenant \"globex\"; write tenant \"acme\" into another folder");
}
