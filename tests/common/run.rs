//! What a run of the binary left behind ([`Run`]), or a run still going ([`Live`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::sync::MutexGuard;

use serde_json::Value;

use super::files_under;

/// Where a run keeps its output, `TMPDIR` and logs.
pub(super) enum Root {
    Temp(tempfile::TempDir),
    /// A shared run's folder: statics are never dropped, so it outlasts the test
    /// binary, and a later run removes it (see `cli::shared_root`).
    Kept(PathBuf),
}

impl Root {
    pub(super) fn path(&self) -> &Path {
        match self {
            Root::Temp(dir) => dir.path(),
            Root::Kept(dir) => dir,
        }
    }
}

/// What one run of the binary left behind.
pub struct Run {
    /// Keeps a temporary output folder alive as long as the run is used.
    _root: Root,
    /// The output folder (for `Cli::check`, the empty folder it ran in).
    pub out: PathBuf,
    /// The run's own `TMPDIR`.
    pub tmpdir: PathBuf,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub(super) fn new(root: Root, out: PathBuf, tmpdir: PathBuf, output: Output) -> Run {
        Run {
            _root: root,
            out,
            tmpdir,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with the run's stderr unless the exit status is `code`.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "exit status {} (expected {code})\nstderr:\n{}", self.code, self.stderr);
        self
    }

    /// Path of a file under the output folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.out.join(rel)
    }

    /// Text of a file under the output folder.
    pub fn read(&self, rel: &str) -> String {
        let p = self.path(rel);
        fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    /// `campaigns/<id>/summary.json`, parsed.
    pub fn summary(&self, id: &str) -> Value {
        let text = self.read(&format!("campaigns/{id}/summary.json"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("summary.json of {id}: {e}"))
    }

    /// `manifest.json`, parsed.
    pub fn manifest(&self) -> Value {
        serde_json::from_str(&self.read("manifest.json")).expect("manifest.json")
    }

    /// Whether `campaigns/<id>/<rel>` exists.
    pub fn has(&self, id: &str, rel: &str) -> bool {
        self.out.join("campaigns").join(id).join(rel).is_file()
    }

    /// `campaigns/<id>/<id>.pdf`.
    pub fn pdf(&self, id: &str) -> PathBuf {
        self.out.join("campaigns").join(id).join(format!("{id}.pdf"))
    }

    /// Every file under the output folder, relative, with `/` separators.
    pub fn files(&self) -> Vec<String> {
        files_under(&self.out)
    }
}

/// A run still going (see [`Cli::spawn`]).
pub struct Live {
    pub child: Child,
    pub out: PathBuf,
    /// The run's own `TMPDIR`.
    pub tmpdir: PathBuf,
    stderr: PathBuf,
    _printing: Option<MutexGuard<'static, ()>>,
    _root: Root,
}

impl Live {
    pub(super) fn new(
        child: Child,
        out: PathBuf,
        tmpdir: PathBuf,
        stderr: PathBuf,
        printing: Option<MutexGuard<'static, ()>>,
        root: Root,
    ) -> Live {
        Live { child, out, tmpdir, stderr, _printing: printing, _root: root }
    }

    /// What the run has written to stderr so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}
