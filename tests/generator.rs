//! The benchmark generator (`examples/generate.rs`) writes exports the tool accepts:
//! `check` finds no problem and `build` builds every campaign, in every input form.
//! The benchmarks' figures are only worth something if this holds.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{NOW, bin};

/// The generator example, built beside the tests by `cargo test --all-targets`.
fn generator() -> PathBuf {
    let deps = std::env::current_exe().expect("test executable").parent().expect("deps folder").to_path_buf();
    let exe = deps.parent().expect("profile folder").join("examples").join("generate");
    assert!(exe.is_file(), "{} is missing: run the tests with `cargo test --all-targets`", exe.display());
    exe
}

#[test]
fn generated_exports_pass_check_and_build_in_every_form() {
    for form in ["dir", "json", "jsonl"] {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        let generated = Command::new(generator())
            .args(["--campaigns", "21", "--tasks", "40", "--calls", "100", "--statuses", "mixed"])
            .args(["--seed", "5", "--tenant", "acme", "--form", form, "--out"])
            .arg(&input)
            .output()
            .expect("run the generator");
        assert!(generated.status.success(), "{form}: {}", String::from_utf8_lossy(&generated.stderr));
        // The bundle folder for `dir`; the one file holding every campaign otherwise.
        let input = match form {
            "dir" => input,
            "json" => input.join("campaigns.json"),
            _ => input.join("campaigns.jsonl"),
        };

        let checked = bin().arg("check").arg(&input).output().unwrap();
        let problems = String::from_utf8_lossy(&checked.stderr);
        assert_eq!(checked.status.code(), Some(0), "{form}: check found problems:\n{problems}");

        let out = tmp.path().join("out");
        let built = bin()
            .arg("build")
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .args(["--format", "html,json", "--now", NOW, "--tenant", "acme"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&built.stderr);
        assert_eq!(built.status.code(), Some(0), "{form}: build failed:\n{stderr}");
        assert!(stderr.contains("21 built, 0 unchanged, 0 failed"), "{form}: {stderr}");
        // Every status of the mixed list, so every layout, was generated.
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
        let text = manifest.to_string();
        for layout in ["\"draft\"", "\"active\"", "\"ended\""] {
            assert!(text.contains(layout), "{form}: no {layout} campaign in the manifest");
        }
    }
}
