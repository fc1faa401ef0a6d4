//! Browsers the tests start themselves, listening for DevTools on 127.0.0.1, for
//! `build --browser URL` to print through.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::free_port;

/// A headless shell on a free port of 127.0.0.1, in its own process group, killed with
/// its whole tree when dropped.
pub struct RemoteBrowser {
    child: Child,
    pub port: u16,
    _profile: tempfile::TempDir,
}

/// The real binary, not Debian's wrapper script, so a kill reaches the browser itself.
fn shell() -> PathBuf {
    let real = PathBuf::from("/usr/lib/chromium/chromium-headless-shell");
    if real.is_file() { real } else { PathBuf::from("chromium-headless-shell") }
}

impl RemoteBrowser {
    /// Starts the browser and waits until its `/json/version` answers.
    pub fn start() -> RemoteBrowser {
        let profile = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(shell())
            .arg(format!("--remote-debugging-port={port}"))
            .arg("--remote-debugging-address=127.0.0.1")
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(["--headless", "--no-sandbox", "--no-first-run", "--disable-gpu", "--hide-scrollbars"])
            .args(["--force-color-profile=srgb", "--disable-background-networking", "--disable-extensions"])
            .args(["--disable-background-timer-throttling", "--disable-renderer-backgrounding"])
            .arg("--disable-backgrounding-occluded-windows")
            .env("HOME", profile.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromium-headless-shell (scripts/setup --tests)");
        let browser = RemoteBrowser { child, port, _profile: profile };
        let until = Instant::now() + Duration::from_secs(20);
        while browser.json("version").is_none() {
            assert!(Instant::now() < until, "the browser on port {port} did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        browser
    }

    /// `http://127.0.0.1:PORT`, the address `--browser` takes.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its WebSocket endpoint (`ws://127.0.0.1:PORT/devtools/browser/…`), the other address `--browser` takes.
    pub fn ws_url(&self) -> String {
        let version: serde_json::Value = serde_json::from_str(&self.json("version").unwrap()).unwrap();
        version["webSocketDebuggerUrl"].as_str().unwrap().to_string()
    }

    /// `/json/<what>` as text, or `None` when the browser does not answer.
    pub fn json(&self, what: &str) -> Option<String> {
        let agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(2))).build().new_agent();
        let mut answer = agent.get(&format!("{}/json/{what}", self.url())).call().ok()?;
        answer.body_mut().read_to_string().ok()
    }

    /// Kills the browser's whole process group at once.
    pub fn kill(&mut self) {
        // SAFETY: kill has no preconditions; the group is the browser's own.
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

impl Drop for RemoteBrowser {
    fn drop(&mut self) {
        self.kill();
    }
}
