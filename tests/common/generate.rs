//! The benchmark generator (`examples/generate/`), for tests that need many campaigns.

use std::path::PathBuf;
use std::process::Command;

/// The generator example, built by the same cargo into the same target folder (`cargo
/// test` builds examples only to check that they compile, under a hashed name).
pub fn generator() -> PathBuf {
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
