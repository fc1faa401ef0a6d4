//! Pins the rendered markup of a few fixture pages (insta snapshots in
//! `tests/snapshots/`). A change to the templates or the view shows up here as a
//! readable diff; review it and update with `INSTA_UPDATE=always cargo test --test snapshots`.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn build(out: &Path) {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let status = Command::cargo_bin("campaign-report")
        .unwrap()
        .current_dir(&fixtures)
        .args(["build", "acme", "--format", "html,json", "--now", "2026-11-27T12:00:00Z", "--out"])
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

fn page(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap()
}

#[test]
fn rendered_pages() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    insta::assert_snapshot!("draft_overview", page(dir.path(), "campaigns/spring-recall-draft/index.html"));
    insta::assert_snapshot!("paused_overview", page(dir.path(), "campaigns/billing-paused/index.html"));
    insta::assert_snapshot!("failed_report", page(dir.path(), "campaigns/survey-failed/report.html"));
    insta::assert_snapshot!("campaign_list", page(dir.path(), "index.html"));
}
