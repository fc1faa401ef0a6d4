//! Every page written for the fixtures is valid HTML (Nu Html Checker) and has no
//! serious or critical accessibility violation (axe-core in headless Chromium).
//!
//! The checkers come from `tools/` (`npm ci --prefix tools`, done by
//! `scripts/setup`); a missing checker or browser fails these tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use headless_chrome::{Browser, LaunchOptions};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds every fixture campaign of both tenants, as an admin so restricted sections are drawn too.
fn build_fixtures(out: &Path) {
    let fixtures = root().join("fixtures");
    let status = Command::cargo_bin("campaign-report")
        .unwrap()
        .args(["build", "acme", "acme-bulk.jsonl", "acme-more.json", "acme-single.json", "globex"])
        .current_dir(&fixtures)
        .args(["--all-tenants", "--role", "admin", "--format", "html,json", "--now", "2026-11-27T12:00:00Z"])
        .arg("--out")
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success(), "building the fixtures failed");
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    let jar = root().join("tools/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(jar.is_file(), "{} is missing: run scripts/setup (npm ci --prefix tools)", jar.display());
    let out = tempfile::tempdir().unwrap();
    build_fixtures(out.path());
    let mut pages = Vec::new();
    html_files(out.path(), &mut pages);
    assert!(pages.len() > 40, "expected every tab of every fixture campaign, found {}", pages.len());
    let result = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(&pages)
        .output()
        .expect("java must be installed to run the Nu Html Checker");
    let report = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success() && report.trim().is_empty(), "Nu Html Checker errors:\n{report}");
}

#[test]
fn no_page_has_serious_or_critical_accessibility_violations() {
    let axe = root().join("tools/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe)
        .unwrap_or_else(|e| panic!("{} is missing ({e}): run scripts/setup", axe.display()));
    let out = tempfile::tempdir().unwrap();
    build_fixtures(out.path());
    let mut pages = Vec::new();
    html_files(out.path(), &mut pages);
    // Every page kind: the lists, each campaign's tabs, the first Tasks page only.
    pages.retain(|p| !p.file_name().unwrap().to_string_lossy().starts_with("tasks-"));

    let chrome = std::env::var_os("CHROME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let profile = tempfile::tempdir().unwrap();
    let options = LaunchOptions::default_builder()
        .path(Some(chrome))
        .sandbox(false)
        .user_data_dir(Some(profile.path().to_path_buf()))
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
    let browser = Browser::new(options).expect("Chromium must be installed to run axe-core (scripts/setup)");
    let tab = browser.new_tab().unwrap();
    let mut failures = Vec::new();
    for page in &pages {
        let url = format!("file://{}", page.display());
        tab.navigate_to(&url).unwrap();
        tab.wait_for_element("footer.page-footer").unwrap();
        tab.evaluate(&axe, false).unwrap();
        // meta-refresh is off: the contract requires Active pages to reload themselves
        // (`--refresh-seconds 0` turns it off for readers who need WCAG 2.2.1).
        let script = r#"axe.run(document, { resultTypes: ['violations'], rules: { 'meta-refresh': { enabled: false } } }).then(r => JSON.stringify(
            r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))))"#;
        let result = tab.evaluate(script, true).unwrap();
        let text = result.value.and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let violations: Vec<String> =
            serde_json::from_str(&text).unwrap_or_else(|_| vec![format!("axe did not run: {text}")]);
        for v in violations {
            failures.push(format!("{}: {v}", page.strip_prefix(out.path()).unwrap().display()));
        }
    }
    assert!(failures.is_empty(), "axe-core found serious or critical violations:\n{}", failures.join("\n"));
}
