//! The input digest cache (docs/performance.md, "No-op rebuilds"): a rebuild where
//! nothing changed takes the digests of the tables from it, and a table changed in
//! place, even with its old size and modification time, is still read again.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::{Cli, Run, fixture};

const ID: &str = "q3-winback-completed";

fn build(input: &Path, out: &Path, cache: &Path) -> Run {
    let run = Cli::build([input]).out(out).args(["--tenant", "acme"]).env("XDG_CACHE_HOME", cache).run();
    run.expect_code(0);
    run
}

fn built(run: &Run) -> usize {
    let line = run.stderr.lines().find(|l| l.contains(" built, ")).unwrap_or_else(|| panic!("{}", run.stderr));
    line.split(" built").next().unwrap().rsplit(' ').next().unwrap().parse().unwrap()
}

fn cache_file(cache: &Path) -> PathBuf {
    let dir = cache.join("campaign-report");
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: no cache was written; the cache trusts only local file systems \
                 (docs/performance.md, \"No-op rebuilds\"): are the inputs on one?",
                dir.display()
            )
        })
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("inputs-"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[test]
fn unchanged_tables_are_not_read_again_and_a_table_changed_in_place_is() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, out, cache) = (tmp.path().join("in"), tmp.path().join("out"), tmp.path().join("cache"));
    assert!(Command::new("cp").arg("-r").arg(fixture("acme")).arg(&input).status().unwrap().success());
    // Tables written less than two seconds before they are read are not remembered.
    std::thread::sleep(Duration::from_millis(2500));

    let first = build(&input, &out, &cache);
    assert!(built(&first) >= 5, "{}", first.stderr);
    let file = cache_file(&cache);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(ID), "{text}");
    assert!(!text.contains("q3-0001"), "the cache holds digests and file states, not data");
    assert_eq!(built(&build(&input, &out, &cache)), 0);

    // The cache is what the rebuild goes by: a wrong digest for one campaign makes its
    // key differ, so that campaign alone is built again.
    // (The file is JSON Lines: a header, then one line per campaign.)
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
            if value["id"] == ID {
                value["digest"] = serde_json::Value::String("00".repeat(32));
            }
            format!("{value}\n")
        })
        .collect();
    assert!(lines.iter().any(|l| l.contains(&"00".repeat(32))), "{text}");
    std::fs::write(&file, lines.concat()).unwrap();
    assert_eq!(built(&build(&input, &out, &cache)), 1);
    assert_eq!(built(&build(&input, &out, &cache)), 0);

    // A contact renamed in tasks.csv with the same number of bytes, and the file's
    // modification time put back: only its status-change time tells.
    let tasks = input.join("q3").join(ID).join("tasks.csv");
    let before = std::fs::read_to_string(&tasks).unwrap();
    let old = before.lines().nth(1).unwrap().split(',').nth(1).unwrap().to_string();
    let new: String = old.chars().map(|c| c.to_ascii_uppercase()).collect();
    assert_ne!(new, old);
    assert_eq!(new.len(), old.len());
    let modified = std::fs::metadata(&tasks).unwrap().modified().unwrap();
    std::fs::write(&tasks, before.replacen(&old, &new, 1)).unwrap();
    std::fs::File::options().write(true).open(&tasks).unwrap().set_modified(modified).unwrap();
    assert_eq!(std::fs::metadata(&tasks).unwrap().modified().unwrap(), modified);
    let after = build(&input, &out, &cache);
    assert_eq!(built(&after), 1, "{}", after.stderr);
    assert!(after.read(&format!("campaigns/{ID}/tasks.html")).contains(&new), "the new name is on the page");
}

#[test]
fn a_cache_folder_inside_the_output_folder_is_not_used() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // The fixtures are old enough to be remembered: a cache beside the output gets a file.
    build(&fixture("acme"), &tmp.path().join("other"), &tmp.path().join("cache"));
    cache_file(&tmp.path().join("cache"));
    // `--out ~` with the cache in ~/.cache: the snapshot must not carry the cache.
    build(&fixture("acme"), &out, &out.join(".cache"));
    assert!(!out.join(".cache").exists(), "the cache was written inside the snapshot");
}

#[test]
fn a_rebuild_without_the_cache_finds_the_same_keys() {
    // The second build has no remembered digest: it reads every table again for the
    // keys, which must be those of the first build, or every rebuild builds again.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for input in ["acme", "acme-bulk.jsonl"] {
        let first = build(&fixture(input), &out, &tmp.path().join(format!("cache-{input}")));
        assert!(built(&first) >= 1, "{}", first.stderr);
        let again = build(&fixture(input), &out, &tmp.path().join(format!("empty-{input}")));
        assert_eq!(built(&again), 0, "{input}: {}", again.stderr);
        std::fs::remove_dir_all(&out).unwrap();
    }
}
