//! Output-folder safety across runs: an output inside an input, a tampered
//! manifest, another tenant's snapshot, and inputs with no campaign at all.

use crate::common::{Bundle, Cli, Inputs};
use serde_json::json;

/// A minimal campaign, `id`, of `tenant`.
fn bundle(id: &str, tenant: &str) -> Bundle {
    Bundle::new(id).merge(json!({"tenant": {"id": tenant, "name": tenant}}))
}

/// An input folder holding [`bundle`]`(id, tenant)`.
fn campaign(id: &str, tenant: &str) -> Inputs {
    let inputs = Inputs::new();
    inputs.bundle(&bundle(id, tenant));
    inputs
}

#[test]
fn an_output_folder_inside_the_input_is_not_read_back() {
    let input = campaign("a", "acme");
    let out = input.path().join("site");
    for _ in 0..2 {
        Cli::build([input.path()]).out(&out).run().expect_code(0);
    }
}

#[test]
fn a_tampered_manifest_cannot_remove_files_outside_the_output() {
    let input = campaign("a", "acme");
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    Cli::build([input.path()]).out(&out).run().expect_code(0);
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
    input.bundle(&bundle("a", "acme").merge(json!({"name": "Campaign A"})));
    Cli::build([input.path()]).out(&out).run().expect_code(0);
    assert!(victim.is_file(), "a file outside the output folder was removed");
}

#[test]
fn another_tenants_snapshot_is_not_mixed_in() {
    let (acme, globex) = (campaign("a", "acme"), campaign("g", "globex"));
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    Cli::build([acme.path()]).out(&out).run().expect_code(0);
    let r = Cli::build([globex.path()]).out(&out).run();
    r.expect_code(2);
    assert!(r.stderr.contains("acme") && r.stderr.contains("globex"), "{}", r.stderr);
    assert!(!out.join("campaigns/g").exists());
}

#[test]
fn inputs_without_any_campaign_are_an_error() {
    let input = Inputs::new();
    let r = Cli::build([input.path()]).run();
    r.expect_code(2);
    assert!(r.stderr.contains("no campaign found"));
    // `check` agrees: finding nothing is not "no problems found".
    let checked = Cli::check([input.path()]).run();
    checked.expect_code(2);
    assert!(checked.stderr.contains("no campaign found"));
}
