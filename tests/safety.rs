//! Output-folder safety across runs: an output inside an input, a tampered
//! manifest, another tenant's snapshot, and inputs with no campaign at all.

use std::path::Path;
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;

fn run(args: &[&str], input: &Path, out: &Path) -> Output {
    Command::cargo_bin("campaign-report")
        .unwrap()
        .arg("build")
        .arg(input)
        .args(["--format", "html,json", "--now", "2026-11-27T12:00:00Z", "--out"])
        .arg(out)
        .args(args)
        .output()
        .unwrap()
}

fn campaign(dir: &Path, id: &str, tenant: &str) {
    let bundle = dir.join(id);
    std::fs::create_dir_all(&bundle).unwrap();
    let json = format!(
        r#"{{"id":"{id}","name":"Campaign {id}","tenant":{{"id":"{tenant}","name":"{tenant}"}},"status":"completed",
            "tasks":[{{"task_id":"t1","phone":"+14155550101","status":"completed","attempts":1}}]}}"#
    );
    std::fs::write(bundle.join("campaign.json"), json).unwrap();
}

#[test]
fn an_output_folder_inside_the_input_is_not_read_back() {
    let input = tempfile::tempdir().unwrap();
    campaign(input.path(), "a", "acme");
    let out = input.path().join("site");
    for _ in 0..2 {
        let r = run(&[], input.path(), &out);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    }
}

#[test]
fn a_tampered_manifest_cannot_remove_files_outside_the_output() {
    let root = tempfile::tempdir().unwrap();
    let input = root.path().join("in");
    campaign(&input, "a", "acme");
    let out = root.path().join("out");
    assert!(run(&[], &input, &out).status.success());
    let victim = root.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let manifest = out.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replacen(
        "\"files\": [",
        "\"files\": [{\"path\": \"campaigns/a/../../../victim.txt\", \"sha256\": \"x\", \"bytes\": 7},",
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    // A changed campaign is rebuilt, and its stale files are removed.
    std::fs::write(
        input.join("a/campaign.json"),
        std::fs::read_to_string(input.join("a/campaign.json")).unwrap().replace("Campaign a", "Campaign A"),
    )
    .unwrap();
    assert!(run(&[], &input, &out).status.success());
    assert!(victim.is_file(), "a file outside the output folder was removed");
}

#[test]
fn another_tenants_snapshot_is_not_mixed_in() {
    let root = tempfile::tempdir().unwrap();
    let (acme, globex) = (root.path().join("acme"), root.path().join("globex"));
    campaign(&acme, "a", "acme");
    campaign(&globex, "g", "globex");
    let out = root.path().join("out");
    assert!(run(&[], &acme, &out).status.success());
    let r = run(&[], &globex, &out);
    assert_eq!(r.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("acme") && stderr.contains("globex"), "{stderr}");
    assert!(!out.join("campaigns/g").exists());
}

#[test]
fn inputs_without_any_campaign_are_an_error() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = run(&[], input.path(), &out.path().join("site"));
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("no campaign found"));
    // `check` agrees: finding nothing is not "no problems found".
    let checked = Command::cargo_bin("campaign-report").unwrap().arg("check").arg(input.path()).output().unwrap();
    assert_eq!(checked.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&checked.stderr).contains("no campaign found"));
}
