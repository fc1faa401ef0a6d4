//! The benchmark generator (`examples/generate/`) writes exports the tool accepts:
//! `check` finds no problem and `build` builds every campaign, in every input form.
//! The benchmarks' figures are only worth something if this holds.

use std::process::Command;

use crate::common::{Cli, generator};

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
