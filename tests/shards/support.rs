//! What the shard tests share: building every shard of some inputs and merging them.

use std::path::{Path, PathBuf};

use crate::common::{Cli, Run};

/// Builds shards 1..=n of `inputs` into `dir/shard-K` with `extra` arguments; returns their folders.
pub fn build_shards<P: AsRef<Path>>(inputs: &[P], n: u32, dir: &Path, format: &str, extra: &[&str]) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            let out = dir.join(format!("shard-{k}"));
            let run =
                Cli::build(inputs).format(format).out(&out).args(extra).args(["--shard", &format!("{k}/{n}")]).run();
            run.expect_code(0);
            out
        })
        .collect()
}

/// `merge SHARDS... --out OUT`.
pub fn merge(shards: &[PathBuf], out: &Path) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec!["merge".into()];
    args.extend(shards.iter().map(|s| s.clone().into_os_string()));
    args.extend(["--out".into(), out.as_os_str().to_owned()]);
    Cli::new(args).run()
}

/// Panics naming the files that differ between two folders, or are in one only.
pub fn assert_same_bytes(one: &Path, other: &Path) {
    let a = crate::common::contents_under(one);
    let b = crate::common::contents_under(other);
    let names_a: Vec<&String> = a.keys().collect();
    let names_b: Vec<&String> = b.keys().collect();
    assert_eq!(names_a, names_b, "the same files in {} and {}", one.display(), other.display());
    let differing: Vec<&String> = a.iter().filter(|(k, v)| b[*k] != **v).map(|(k, _)| k).collect();
    assert!(differing.is_empty(), "files differ: {differing:?}");
}
