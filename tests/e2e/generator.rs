//! The benchmark generator (`examples/generate/`) writes exports the tool accepts:
//! `check` finds no problem and `build` builds every campaign, in every input form.
//! The benchmarks' figures are only worth something if this holds.

use std::path::PathBuf;
use std::process::Command;

use crate::common::Cli;

/// The generator example, built by the same cargo into the same target folder (`cargo
/// test` builds examples only to check that they compile, under a hashed name).
fn generator() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let profile = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps");
    let target = profile.parent().expect("target folder");
    let mut cargo = Command::new(env!("CARGO"));
    // What cargo set for this test (package names, paths) would make the nested build
    // look different from the outer one and rebuild both.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("CARGO_") && key != "CARGO_HOME" {
            cargo.env_remove(key);
        }
    }
    let built = cargo
        .args(["build", "--quiet", "--example", "generate", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .arg("--target-dir")
        .arg(target)
        .status()
        .expect("run cargo");
    assert!(built.success(), "cargo could not build the generator");
    profile.join("examples").join("generate")
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

        let checked = Cli::check([&input]).run();
        assert_eq!(checked.code, 0, "{form}: check found problems:\n{}", checked.stderr);

        let built = Cli::build([&input]).args(["--tenant", "acme"]).run();
        let stderr = &built.stderr;
        assert_eq!(built.code, 0, "{form}: build failed:\n{stderr}");
        assert!(stderr.contains("21 built, 0 unchanged, 0 failed"), "{form}: {stderr}");
        // Every status of the mixed list, so every layout, was generated.
        let text = built.manifest().to_string();
        for layout in ["\"draft\"", "\"active\"", "\"ended\""] {
            assert!(text.contains(layout), "{form}: no {layout} campaign in the manifest");
        }
    }
}
