//! `build --browser URL`: PDFs printed through browsers the test started, byte for
//! byte those a browser the tool starts prints, and a browser that dies mid-run
//! (docs/scale-out.md, "Remote browsers").

use std::process::Command;
use std::time::{Duration, Instant};

use crate::browsers::RemoteBrowser;
use crate::common::{ACME_INPUTS, Cli, files_under, generator};
use crate::support::assert_same_bytes;

/// A `--chrome` that cannot start: a build that succeeds with it launched no browser.
const NO_CHROME: &str = "/nonexistent/chromium";

#[test]
fn a_remote_browser_prints_the_same_pdfs_and_none_is_launched() {
    let local = Cli::build(ACME_INPUTS).format("html,json,pdf").run();
    local.expect_code(0);
    let browser = RemoteBrowser::start();
    let remote = Cli::build(ACME_INPUTS)
        .format("html,json,pdf")
        .args(["--browser", &browser.url(), "--chrome", NO_CHROME])
        .run();
    remote.expect_code(0);
    assert_same_bytes(&local.out, &remote.out);
    // The run's tabs were in a browser context of its own, gone with its connection.
    let pages = browser.json("list").unwrap();
    assert!(!pages.contains("campaign-report.invalid"), "tabs left in the browser:\n{pages}");
}

/// `count` generated campaigns to print, in a folder of their own.
fn fleet(count: u32) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let generated = Command::new(generator())
        .args(["--campaigns", &count.to_string(), "--tasks", "20", "--calls", "40", "--seed", "3", "--out"])
        .arg(&input)
        .output()
        .expect("run the generator");
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    (tmp, input)
}

/// Waits until `browser` prints a page of the run, then kills it.
fn kill_when_printing(browser: &mut RemoteBrowser) {
    let until = Instant::now() + Duration::from_secs(60);
    while !browser.json("list").is_some_and(|l| l.contains("campaign-report.invalid")) {
        assert!(Instant::now() < until, "the run never printed through the browser");
        std::thread::sleep(Duration::from_millis(20));
    }
    browser.kill();
}

#[test]
fn a_browser_killed_mid_run_hands_its_pdfs_to_the_other() {
    let (_tmp, input) = fleet(30);
    let mut doomed = RemoteBrowser::start();
    let survivor = RemoteBrowser::start();
    let mut live = Cli::build([&input])
        .format("html,json,pdf")
        .args(["--browser", &doomed.url(), "--browser", &survivor.ws_url(), "--chrome", NO_CHROME])
        .spawn();
    kill_when_printing(&mut doomed);
    let status = live.child.wait().unwrap();
    let stderr = live.stderr();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("not printed"), "{stderr}");
    let pdfs = files_under(&live.out).into_iter().filter(|f| f.ends_with(".pdf")).count();
    assert_eq!(pdfs, 30, "every PDF printed:\n{stderr}");
}

#[test]
fn the_last_browser_killed_mid_run_is_a_clear_error() {
    let (_tmp, input) = fleet(30);
    let mut doomed = RemoteBrowser::start();
    let mut live =
        Cli::build([&input]).format("html,json,pdf").args(["--browser", &doomed.url(), "--chrome", NO_CHROME]).spawn();
    kill_when_printing(&mut doomed);
    let status = live.child.wait().unwrap();
    let stderr = live.stderr();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot print through the browsers given with --browser"), "{stderr}");
    assert!(stderr.contains(&format!("{} stopped answering", doomed.url())), "{stderr}");
}
