//! The outside checkers pages are run through: the Nu Html Checker and a headless
//! Chromium (both installed by `scripts/setup --tests`; missing, they fail the test).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

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

/// A headless Chromium (`$CHROME`, else /usr/bin/chromium) with its own profile folder.
pub fn headless_browser(profile: &Path) -> headless_chrome::Browser {
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
    headless_chrome::Browser::new(options).expect("Chromium must be installed (scripts/setup)")
}
