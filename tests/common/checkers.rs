//! The outside checkers output is run through: the Nu Html Checker, a headless
//! Chromium, the Ajv JSON Schema validator and pikepdf's PDF/A validator (all
//! installed by `scripts/setup --tests`; missing, they fail the test).

use std::ffi::OsStr;
use std::io::Write;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Waits until no other Chromium of this test binary runs, the tool's or a test's:
/// two cores, and each Chromium takes about 430 MiB.
pub fn one_browser_at_a_time() -> MutexGuard<'static, ()> {
    static BROWSER: Mutex<()> = Mutex::new(());
    BROWSER.lock().unwrap_or_else(|e| e.into_inner())
}

/// Errors the Nu Html Checker (`tools/`) finds in `pages`; empty when valid.
pub fn nu_html_errors(pages: &[PathBuf]) -> String {
    let jar = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(jar.is_file(), "{} is missing: run scripts/setup (npm ci --prefix tools)", jar.display());
    let checked = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(pages)
        .output()
        .expect("java must be installed to run the Nu Html Checker (scripts/setup)");
    let report = String::from_utf8_lossy(&checked.stderr).trim().to_string();
    if checked.status.success() || !report.is_empty() { report } else { "the Nu Html Checker failed".into() }
}

/// What Ajv (`tools/validate-json.js`, JSON Schema draft 2020-12, strict mode) says
/// of each value against the schema in `schema`: `None` when valid, else its errors.
pub fn json_schema_errors(schema: &Path, values: &[serde_json::Value]) -> Vec<Option<String>> {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools");
    let ajv = tools.join("node_modules/ajv/package.json");
    assert!(ajv.is_file(), "{} is missing: run scripts/setup (npm ci --prefix tools)", ajv.display());
    let mut child = Command::new("node")
        .arg(tools.join("validate-json.js"))
        .arg(schema)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node must be installed to run Ajv (scripts/setup)");
    let lines: String = values.iter().map(|v| format!("{v}\n")).collect();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(lines.as_bytes()));
    let output = child.wait_with_output().expect("run node");
    writer.join().expect("writer").expect("write the values to node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "Ajv failed: {}", String::from_utf8_lossy(&output.stderr));
    let verdicts: Vec<Option<String>> = stdout
        .lines()
        .map(|line| match line.split_once('\t') {
            None if line == "valid" => None,
            Some(("invalid", errors)) => Some(errors.to_string()),
            _ => panic!("unexpected line from Ajv: {line}"),
        })
        .collect();
    assert_eq!(verdicts.len(), values.len(), "one verdict per value");
    verdicts
}

/// What pikepdf's PDF/A validator (`tools/validate-pdfa.py`, `pikepdf[pdfa]` in
/// `tools/pdfa/`) says of each PDF as PDF/A-`flavour` (`2b`, `3b`): `None` when it
/// passes, else the verdict and every finding.
pub fn pdfa_findings(flavour: &str, pdfs: &[PathBuf]) -> Vec<Option<String>> {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools");
    let python = tools.join("pdfa/bin/python");
    assert!(python.is_file(), "{} is missing: run scripts/setup --tests", python.display());
    let output = Command::new(&python)
        .arg(tools.join("validate-pdfa.py"))
        .arg(flavour)
        .args(pdfs)
        .output()
        .expect("run the PDF/A validator");
    assert!(output.status.success(), "the PDF/A validator failed: {}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let verdicts: Vec<Option<String>> = stdout
        .lines()
        .map(|line| match line.split_once('\t') {
            Some((_, "pass")) => None,
            Some((_, findings)) => Some(findings.to_string()),
            None => panic!("unexpected line from the PDF/A validator: {line}"),
        })
        .collect();
    assert_eq!(verdicts.len(), pdfs.len(), "one verdict per PDF");
    verdicts
}

/// A headless Chromium and the right to run it (see [`one_browser_at_a_time`]).
pub struct Chromium {
    /// Declared first: the browser is closed before the next one may start.
    browser: headless_chrome::Browser,
    _one_at_a_time: MutexGuard<'static, ()>,
}

impl Deref for Chromium {
    type Target = headless_chrome::Browser;

    fn deref(&self) -> &headless_chrome::Browser {
        &self.browser
    }
}

/// A headless Chromium (`$CHROME`, else /usr/bin/chromium) with its own profile
/// folder, once no other Chromium of this test binary runs.
pub fn headless_browser(profile: &Path) -> Chromium {
    let one_at_a_time = one_browser_at_a_time();
    let chrome = std::env::var_os("CHROME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let options = headless_chrome::LaunchOptions::default_builder()
        .path(Some(chrome))
        .sandbox(false)
        .user_data_dir(Some(profile.to_path_buf()))
        .window_size(Some((1280, 900)))
        .idle_browser_timeout(Duration::from_secs(300))
        .args(vec![
            OsStr::new("--disable-background-networking"),
            OsStr::new("--disable-component-update"),
            OsStr::new("--disable-sync"),
            OsStr::new("--no-first-run"),
        ])
        .build()
        .unwrap();
    let browser = headless_chrome::Browser::new(options).expect("Chromium must be installed (scripts/setup)");
    Chromium { browser, _one_at_a_time: one_at_a_time }
}
