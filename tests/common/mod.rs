//! Shared helpers for the end-to-end tests: run the real binary on the
//! fixtures and read back what it wrote.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

/// Snapshot time passed to every build, so output never depends on the clock.
pub const NOW: &str = "2026-11-27T12:00:00Z";

/// Every acme input form: the bundle directory (with its workspace.json), a
/// JSON Lines bulk export, a `{"campaigns": [...]}` file and a single campaign.
pub const ACME_INPUTS: &[&str] = &["acme", "acme-bulk.jsonl", "acme-more.json", "acme-single.json"];

/// Absolute path of a fixture, relative to `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

/// The binary under test.
pub fn bin() -> Command {
    Command::cargo_bin("campaign-report").expect("the campaign-report binary is built")
}

/// What one run of the binary left behind.
pub struct Run {
    /// Keeps a temporary output folder alive as long as the run is used.
    _tmp: Option<tempfile::TempDir>,
    pub out: PathBuf,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(tmp: Option<tempfile::TempDir>, out: PathBuf, output: Output) -> Run {
        Run {
            _tmp: tmp,
            out,
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

    /// Whether `campaigns/<id>/<rel>` exists.
    pub fn has(&self, id: &str, rel: &str) -> bool {
        self.out.join("campaigns").join(id).join(rel).is_file()
    }

    /// Every file under the output folder, relative, with `/` separators.
    pub fn files(&self) -> Vec<String> {
        files_under(&self.out)
    }
}

/// Build arguments shared by most tests: HTML and JSON only (no Chromium), fixed
/// time unless `extra` gives its own `--now`.
fn build_args(inputs: &[PathBuf], out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["build".to_string()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), out.display().to_string()]);
    args.extend(["--format".into(), "html,json".into()]);
    if !extra.contains(&"--now") {
        args.extend(["--now".into(), NOW.into()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Run `build` on fixtures (paths relative to `fixtures/`) into a fresh temporary folder.
pub fn build(inputs: &[&str], extra: &[&str]) -> Run {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("out");
    let inputs: Vec<PathBuf> = inputs.iter().map(|i| fixture(i)).collect();
    let output = bin().args(build_args(&inputs, &out, extra)).output().expect("run campaign-report");
    Run::from_output(Some(tmp), out, output)
}

/// Run `build` into `out` (which may already hold an earlier snapshot).
pub fn build_into(inputs: &[&str], out: &Path, extra: &[&str]) -> Run {
    let inputs: Vec<PathBuf> = inputs.iter().map(|i| fixture(i)).collect();
    let output = bin().args(build_args(&inputs, out, extra)).output().expect("run campaign-report");
    Run::from_output(None, out.to_path_buf(), output)
}

/// One build per test binary, shared by its tests, kept under the target dir.
///
/// The folder is named after the process, so two test runs at once do not
/// share it; folders that earlier runs left behind are removed.
pub fn shared_build(cell: &'static OnceLock<Run>, name: &str, inputs: &[&str], extra: &[&str]) -> &'static Run {
    cell.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale(root, name);
        let out = root.join(format!("{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        build_into(inputs, &out, extra)
    })
}

/// Removes `<name>-<pid>` folders under `root` not touched for ten minutes.
fn remove_stale(root: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    let prefix = format!("{name}-");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let is_ours = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .is_some_and(|pid| !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 600);
        if is_ours && old {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Run `check` on fixtures from inside an empty temporary folder.
pub fn check(inputs: &[&str]) -> Run {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cwd = tmp.path().to_path_buf();
    let mut args = vec!["check".to_string()];
    args.extend(inputs.iter().map(|i| fixture(i).display().to_string()));
    let output = bin().args(args).current_dir(&cwd).output().expect("run campaign-report");
    Run::from_output(Some(tmp), cwd, output)
}

/// Every file under `dir`, relative, `/`-separated, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, acc: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(root, &path, acc);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
                acc.push(parts.join("/"));
            }
        }
    }
    let mut acc = Vec::new();
    walk(dir, dir, &mut acc);
    acc.sort();
    acc
}

/// Contents of every file under `dir`, keyed by relative path.
pub fn contents_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|rel| {
            let bytes = fs::read(dir.join(&rel)).expect("read output file");
            (rel, bytes)
        })
        .collect()
}

/// Panics naming every file under `dir` whose text contains `needle`.
pub fn assert_no_file_contains(dir: &Path, needle: &str, ignore_case: bool) {
    let needle_lc = needle.to_lowercase();
    let mut hits = Vec::new();
    for (rel, bytes) in contents_under(dir) {
        let text = String::from_utf8_lossy(&bytes);
        let found = if ignore_case { text.to_lowercase().contains(&needle_lc) } else { text.contains(needle) };
        if found {
            hits.push(rel);
        }
    }
    assert!(hits.is_empty(), "{needle:?} found in {} file(s) under {}: {hits:?}", hits.len(), dir.display());
}

/// Whether `text` holds `token` as a whole word (neighbours are not letters or digits).
pub fn contains_token(text: &str, token: &str) -> bool {
    text.match_indices(token).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + token.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric())
    })
}

/// Whether a stderr line reports position `n`: `line n` or `:n:`.
pub fn names_line(text: &str, n: usize) -> bool {
    let colon = format!(":{n}:");
    if text.contains(&colon) {
        return true;
    }
    let word = format!("line {n}");
    text.match_indices(&word).any(|(at, _)| !text[at + word.len()..].chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// Ids of a JSON array of strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

/// Records of a CSV text (a leading BOM is ignored): header and rows.
pub fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let header = reader.headers().expect("csv header").iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.expect("csv record").iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// Value of `column` in a CSV row.
pub fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header.iter().position(|h| h == column).unwrap_or_else(|| panic!("no column {column} in {header:?}"));
    &row[i]
}

/// Whether `generated_at` is the fixed snapshot time, in any RFC 3339 spelling of it.
pub fn is_snapshot_time(v: &Value) -> bool {
    matches!(v.as_str(), Some("2026-11-27T12:00:00Z" | "2026-11-27T12:00:00+00:00" | "2026-11-27T07:00:00-05:00"))
}

/// Every `.html` file under `dir`, sorted.
pub fn html_pages(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "html") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// Errors the Nu Html Checker (`tools/`, installed by scripts/setup) finds in `pages`; empty when valid.
pub fn nu_html_errors(pages: &[PathBuf]) -> String {
    let jar = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(jar.is_file(), "{} is missing: run scripts/setup (npm ci --prefix tools)", jar.display());
    let checked = std::process::Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(pages)
        .output()
        .expect("java must be installed to run the Nu Html Checker (scripts/setup)");
    let report = String::from_utf8_lossy(&checked.stderr).trim().to_string();
    if checked.status.success() || !report.is_empty() { report } else { "the Nu Html Checker failed".into() }
}

/// A headless Chromium (`$CHROME`, else /usr/bin/chromium) with its own profile folder.
pub fn headless_browser(profile: &Path) -> headless_chrome::Browser {
    let chrome = std::env::var_os("CHROME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let options = headless_chrome::LaunchOptions::default_builder()
        .path(Some(chrome))
        .sandbox(false)
        .user_data_dir(Some(profile.to_path_buf()))
        .window_size(Some((1280, 900)))
        .idle_browser_timeout(std::time::Duration::from_secs(300))
        .args(vec![
            std::ffi::OsStr::new("--disable-background-networking"),
            std::ffi::OsStr::new("--disable-component-update"),
            std::ffi::OsStr::new("--disable-sync"),
            std::ffi::OsStr::new("--no-first-run"),
        ])
        .build()
        .unwrap();
    headless_chrome::Browser::new(options).expect("Chromium must be installed (scripts/setup)")
}
