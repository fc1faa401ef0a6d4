//! One launched headless browser: its throwaway folder (profile, HOME, TMPDIR),
//! its launch flags, a health check and a shutdown that leaves nothing behind.
//!
//! It exists so that a browser is never started without being registered for
//! cleanup and never stopped without its whole process tree and folder going too.
//! It does not decide when to start or replace a browser, and it does not know
//! what the caller loads in it.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use headless_chrome::{Browser, LaunchOptions};

use super::{BrowserError, lock, process, supervisor};

/// How long the protocol connection may stay silent before the crate drops it. The
/// crate's default (30 s) kills the connection between two batches of work; the
/// caller's own deadlines bound each call instead.
const IDLE_TIMEOUT: Duration = Duration::from_secs(3600);

/// How long a dead or unresponsive browser may take to answer a health check.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// A proxy that refuses every connection (the discard port, closed on any sane host).
const DEAD_PROXY: &str = "127.0.0.1:9";

/// Prefix of the temporary folder that holds the browser's profile, HOME and TMPDIR.
const TEMP_PREFIX: &str = "campaign-report-chrome-";

/// One launched browser, its process id and its temporary folder.
pub(crate) struct Instance {
    browser: Browser,
    pid: u32,
    dir: Mutex<Option<tempfile::TempDir>>,
    shut: AtomicBool,
}

impl Instance {
    /// Starts `chrome` headless in a fresh temporary folder, registered for cleanup
    /// before it is launched.
    pub(crate) fn start(chrome: &Path) -> Result<Instance, BrowserError> {
        // Whoever drives the browsers, their orphans must come to us to be reaped.
        process::become_subreaper();
        // Held until the browser is registered, so a signal handler never kills
        // "everything" while a browser it cannot see yet is starting.
        let Some(_launching) = supervisor::may_launch() else {
            return Err(BrowserError::Launch { chrome: chrome.to_path_buf(), reason: "the run is stopping".into() });
        };
        let dir = tempfile::Builder::new().prefix(TEMP_PREFIX).tempdir().map_err(BrowserError::TempDir)?;
        let (profile, home, tmp) = (dir.path().join("profile"), dir.path().join("home"), dir.path().join("tmp"));
        for sub in [&profile, &home, &tmp] {
            std::fs::create_dir_all(sub).map_err(BrowserError::TempDir)?;
        }
        // Registered before the launch, so a signal during it still finds the
        // processes by their profile folder.
        supervisor::register(dir.path(), None);

        let text = |p: &Path| p.to_string_lossy().into_owned();
        let envs = HashMap::from([
            ("HOME".to_owned(), text(&home)),
            ("TMPDIR".to_owned(), text(&tmp)),
            ("XDG_CONFIG_HOME".to_owned(), text(&home.join(".config"))),
            ("XDG_CACHE_HOME".to_owned(), text(&home.join(".cache"))),
        ]);
        let args: Vec<&OsStr> = [
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-gpu",
            "--disable-crash-reporter",
            "--hide-scrollbars",
            "--mute-audio",
        ]
        .iter()
        .map(OsStr::new)
        .collect();
        let options = LaunchOptions {
            headless: true,
            // Chromium refuses to start as root with its sandbox on.
            sandbox: !is_root(),
            path: Some(chrome.to_path_buf()),
            user_data_dir: Some(profile),
            idle_browser_timeout: IDLE_TIMEOUT,
            // Pages are local files. A remote image that slipped into a page must fail
            // at once instead of calling out or holding back the load event: every
            // http(s) request goes to a closed local port.
            proxy_server: Some(DEAD_PROXY),
            process_envs: Some(envs),
            args,
            ..LaunchOptions::default()
        };
        let browser = match Browser::new(options) {
            Ok(browser) => browser,
            Err(err) => {
                supervisor::kill_browser(None, Some(dir.path()), false);
                supervisor::unregister(dir.path());
                return Err(BrowserError::Launch { chrome: chrome.to_path_buf(), reason: format!("{err:#}") });
            }
        };
        let Some(pid) = browser.get_process_id() else {
            supervisor::unregister(dir.path());
            return Err(BrowserError::Launch { chrome: chrome.to_path_buf(), reason: "no process id".into() });
        };
        supervisor::register(dir.path(), Some(pid));
        Ok(Instance { browser, pid, dir: Mutex::new(Some(dir)), shut: AtomicBool::new(false) })
    }

    /// The protocol handle, to open tabs with.
    pub(crate) fn browser(&self) -> &Browser {
        &self.browser
    }

    /// Not shut down and its process still running (not a zombie). Cheap: no
    /// protocol call, so it suits a polling loop.
    pub(crate) fn alive(&self) -> bool {
        !self.shut.load(Ordering::SeqCst) && process::alive(self.pid)
    }

    /// Alive and answering the protocol within a few seconds.
    pub(crate) fn healthy(&self) -> bool {
        if !self.alive() {
            return false;
        }
        let (tx, rx) = mpsc::channel();
        let browser = self.browser.clone();
        let spawned = std::thread::Builder::new().name("browser-health".into()).spawn(move || {
            let _ = tx.send(browser.get_version().is_ok());
        });
        spawned.is_ok() && rx.recv_timeout(HEALTH_TIMEOUT).unwrap_or(false)
    }

    /// Kills the whole process tree and removes the temporary folder. The `Browser`
    /// handle itself is dropped with the last reference; its calls fail fast then.
    pub(crate) fn shutdown(&self) {
        if self.shut.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(dir) = lock(&self.dir).take() {
            supervisor::kill_browser(Some(self.pid), Some(dir.path()), false);
            supervisor::unregister(dir.path());
            let path = dir.path().to_path_buf();
            if dir.close().is_err() {
                // Chromium may still have been writing: try once more.
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }

    /// The browser's process id.
    #[cfg(test)]
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// The temporary folder, while the browser runs.
    #[cfg(test)]
    pub(crate) fn folder(&self) -> Option<std::path::PathBuf> {
        lock(&self.dir).as_ref().map(|dir| dir.path().to_path_buf())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chromium must be installed for this test: a missing browser fails it.
    #[test]
    fn shutdown_leaves_no_process_or_folder() {
        let chrome = super::super::find_chrome(None).expect("Chromium is needed: scripts/setup --tests");
        let instance = Instance::start(&chrome).unwrap();
        assert!(instance.healthy());
        let folder = instance.folder().unwrap();
        assert!(super::super::testing::processes_naming(&folder) > 0, "the browser is not found by its folder");
        instance.shutdown();
        assert!(!instance.alive() && !instance.healthy());
        assert_eq!(super::super::testing::processes_naming(&folder), 0, "browser processes left after shutdown");
        assert!(!folder.exists(), "temporary folder left after shutdown");
    }
}
