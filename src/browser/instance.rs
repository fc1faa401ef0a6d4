//! One launched headless browser: its throwaway folder (profile, HOME, TMPDIR),
//! its launch flags, a health check and a shutdown that leaves nothing behind.
//!
//! It exists so that a browser is never started without being registered for
//! cleanup and never stopped without its whole process tree and folder going too.
//! It does not decide when to start or replace a browser, and it does not know
//! what the caller loads in it.

use std::ffi::OsString;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::cdp::{CdpError, Connection, Page};
use super::{BrowserError, launcher, lock, process, supervisor};

/// How long connecting to the browser's DevTools endpoint may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a dead or unresponsive browser may take to answer a health check.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// A proxy that refuses every connection (the discard port, closed on any sane host).
const DEAD_PROXY: &str = "127.0.0.1:9";

/// Prefix of the browser's folder (profile, HOME and TMPDIR) in the system's
/// temporary folder, when the caller names no folder to put it in.
const TEMP_PREFIX: &str = "campaign-report-chrome-";

/// Prefix of the browser's folder in a folder the caller names (short: Chromium's
/// socket paths under it must stay within 107 bytes).
const FOLDER_PREFIX: &str = "chrome-";

/// The browser's flags: what automation tools pass (no background work, no
/// throttling of hidden pages, sRGB colours), no network of its own, no updates,
/// no GPU; every http(s) request goes to a closed local port (see `command`).
const FLAGS: &[&str] = &[
    "--disable-background-networking",
    "--enable-features=NetworkService,NetworkServiceInProcess",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-breakpad",
    "--disable-client-side-phishing-detection",
    "--disable-component-extensions-with-background-pages",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-features=TranslateUI,BlinkGenPropertyTrees",
    "--disable-hang-monitor",
    "--disable-ipc-flooding-protection",
    "--disable-popup-blocking",
    "--disable-prompt-on-repost",
    "--disable-renderer-backgrounding",
    "--disable-sync",
    "--force-color-profile=srgb",
    "--metrics-recording-only",
    "--no-first-run",
    "--enable-automation",
    "--password-store=basic",
    "--use-mock-keychain",
    "--disable-component-update",
    "--no-default-browser-check",
    "--disable-gpu",
    "--disable-crash-reporter",
    "--hide-scrollbars",
    "--mute-audio",
    "--headless",
    "--ignore-certificate-errors",
];

/// One launched browser, its process id and its temporary folder; or a browser the
/// tool only connects to (`--browser URL`), which it never starts or kills.
pub(crate) struct Instance {
    connection: Connection,
    /// The address given for a browser the tool did not start, and the browser
    /// context its pages open in (closed with them when the connection ends).
    remote: Option<(String, String)>,
    pid: u32,
    /// The process started (the browser, or a launcher script that runs it), reaped on shutdown.
    child: Mutex<Option<Child>>,
    dir: Mutex<Option<PathBuf>>,
    shut: AtomicBool,
}

impl Instance {
    /// Starts `chrome` headless in a fresh private folder inside `parent` (the
    /// system's temporary folder when `None`), registered for cleanup before it is
    /// launched. The browser is started with its DevTools endpoint on a free port,
    /// as a child the kernel kills if the tool dies (see `launcher`), and connected
    /// to once it says where it listens.
    pub(crate) fn start(
        chrome: &Path,
        parent: Option<&Path>,
        fontconfig: Option<&Path>,
    ) -> Result<Instance, BrowserError> {
        // Whoever drives the browsers, their orphans must come to us to be reaped.
        process::become_subreaper();
        // Held until the browser is registered, so a signal handler never kills
        // "everything" while a browser it cannot see yet is starting.
        let Some(launching) = supervisor::may_launch() else {
            return Err(BrowserError::Launch { chrome: chrome.to_path_buf(), reason: "the run is stopping".into() });
        };
        let dir = make_folder(parent).map_err(BrowserError::TempDir)?;
        // Registered before the launch, so a signal during it still finds the
        // processes by their folder.
        supervisor::register(&dir, None);
        let failed = |child: Option<Child>, reason: String| {
            stop(child.as_ref().map(Child::id), child, &dir);
            BrowserError::Launch { chrome: chrome.to_path_buf(), reason }
        };

        let mut child = match launcher::spawn(command(chrome, &dir, fontconfig)) {
            Ok(child) => child,
            Err(err) => return Err(failed(None, err.to_string())),
        };
        let pid = child.id();
        supervisor::register(&dir, Some(pid));
        drop(launching);
        let url = match launcher::devtools_url(&mut child) {
            Ok(url) => url,
            Err(reason) => return Err(failed(Some(child), reason)),
        };
        let connection = match Connection::open(&url, CONNECT_TIMEOUT) {
            Ok(connection) => connection,
            Err(reason) => return Err(failed(Some(child), reason)),
        };
        Ok(Instance {
            connection,
            remote: None,
            pid,
            child: Mutex::new(Some(child)),
            dir: Mutex::new(Some(dir)),
            shut: AtomicBool::new(false),
        })
    }

    /// Connects to a browser that is already running at `url` (`http://host:port` or
    /// `ws://…`, see `remote`); nothing is started, and shutting it down only disconnects.
    pub(crate) fn connect(url: &str) -> Result<Instance, BrowserError> {
        let failed = |reason: String| BrowserError::Remote { url: url.to_string(), reason };
        let endpoint = super::remote::endpoint(url, CONNECT_TIMEOUT).map_err(failed)?;
        let connection = Connection::open(&endpoint, CONNECT_TIMEOUT).map_err(failed)?;
        let context = connection
            .own_context(std::time::Instant::now() + CONNECT_TIMEOUT)
            .map_err(|e| failed(format!("cannot open a browser context: {e}")))?;
        Ok(Instance {
            connection,
            remote: Some((url.to_string(), context)),
            pid: 0,
            child: Mutex::new(None),
            dir: Mutex::new(None),
            shut: AtomicBool::new(false),
        })
    }

    /// The address given for a browser the tool did not start.
    pub(crate) fn remote_url(&self) -> Option<&str> {
        self.remote.as_ref().map(|(url, _)| url.as_str())
    }

    /// Opens a blank page (a tab) to load pages in, waiting at most until `until`.
    pub(crate) fn open_page(&self, until: std::time::Instant) -> Result<Page, CdpError> {
        self.connection.open_page(self.remote.as_ref().map(|(_, context)| context.as_str()), until)
    }

    /// Not shut down and its process still running (not a zombie), or for a browser
    /// the tool did not start, still connected. Cheap: no protocol call, so it suits
    /// a polling loop.
    pub(crate) fn alive(&self) -> bool {
        if self.remote.is_some() {
            return !self.shut.load(Ordering::SeqCst) && !self.connection.is_closed();
        }
        !self.shut.load(Ordering::SeqCst) && process::alive(self.pid)
    }

    /// Alive and answering the protocol within a few seconds.
    pub(crate) fn healthy(&self) -> bool {
        if !self.alive() {
            return false;
        }
        self.connection.answers(HEALTH_TIMEOUT)
    }

    /// Kills the whole process tree and removes the temporary folder. Calls on the
    /// connection fail at once then.
    pub(crate) fn shutdown(&self) {
        if self.shut.swap(true, Ordering::SeqCst) {
            return;
        }
        if self.remote.is_some() {
            // Not ours to kill: its context and our pages close with the connection.
            self.connection.close();
            return;
        }
        if let Some(dir) = lock(&self.dir).take() {
            stop(Some(self.pid), lock(&self.child).take(), &dir);
        }
    }

    /// The browser's process id.
    #[cfg(test)]
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// The temporary folder, while the browser runs.
    #[cfg(test)]
    pub(crate) fn folder(&self) -> Option<PathBuf> {
        lock(&self.dir).clone()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Kills a browser's tree, reaps the process started, forgets the browser and
/// removes its folder.
fn stop(pid: Option<u32>, child: Option<Child>, dir: &Path) {
    supervisor::kill_browser(pid, Some(dir), false);
    if let Some(mut child) = child {
        // Killed above: this returns at once.
        let _ = child.wait();
    }
    supervisor::unregister(dir);
    if std::fs::remove_dir_all(dir).is_err() {
        // Chromium may still have been writing: try once more.
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A new folder only the user can open, with `profile`, `home` and `tmp` in it:
/// `chrome-N` in `parent`, else a randomly named one in the system's temporary folder.
fn make_folder(parent: Option<&Path>) -> io::Result<PathBuf> {
    let private = || {
        let mut builder = std::fs::DirBuilder::new();
        builder.mode(0o700);
        builder
    };
    let dir = match parent {
        Some(parent) => (1..=10_000)
            .map(|n| parent.join(format!("{FOLDER_PREFIX}{n}")))
            .find_map(|dir| match private().create(&dir) {
                Ok(()) => Some(Ok(dir)),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => None,
                Err(err) => Some(Err(err)),
            })
            .unwrap_or_else(|| Err(io::Error::other("too many browser folders")))?,
        None => {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::Permissions::from_mode(0o700);
            tempfile::Builder::new().prefix(TEMP_PREFIX).permissions(mode).tempdir()?.keep()
        }
    };
    for sub in ["profile", "home", "tmp"] {
        if let Err(err) = private().create(dir.join(sub)) {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(err);
        }
    }
    Ok(dir)
}

/// The browser's command: flags, its own HOME and TMPDIR (and, when given, the
/// fontconfig file it reads instead of the system's), stdin and stdout closed,
/// stderr read for the DevTools address.
fn command(chrome: &Path, dir: &Path, fontconfig: Option<&Path>) -> Command {
    let (profile, home) = (dir.join("profile"), dir.join("home"));
    let mut user_data_dir = OsString::from("--user-data-dir=");
    user_data_dir.push(&profile);
    let mut args: Vec<OsString> = vec!["--remote-debugging-port=0".into(), user_data_dir];
    // Chromium's sandbox cannot start as root.
    let sandbox: &[&str] = if is_root() { &["--no-sandbox", "--disable-setuid-sandbox"] } else { &[] };
    for flag in FLAGS.iter().chain(sandbox) {
        if !args.iter().any(|a| a == flag) {
            args.push(flag.into());
        }
    }
    // Pages are local files. A remote image that slipped into a page must fail at
    // once instead of calling out or holding back the load event.
    args.push(format!("--proxy-server={DEAD_PROXY}").into());
    let mut command = Command::new(chrome);
    command
        .args(args)
        .env("HOME", &home)
        .env("TMPDIR", dir.join("tmp"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(file) = fontconfig {
        command.env("FONTCONFIG_FILE", file);
    }
    command
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
        let instance = Instance::start(&chrome, None, None).unwrap();
        assert!(instance.healthy());
        let folder = instance.folder().unwrap();
        assert!(super::super::testing::processes_naming(&folder) > 0, "the browser is not found by its folder");
        instance.shutdown();
        assert!(!instance.alive() && !instance.healthy());
        assert_eq!(super::super::testing::processes_naming(&folder), 0, "browser processes left after shutdown");
        assert!(!folder.exists(), "temporary folder left after shutdown");
    }

    /// In a folder the caller names, each browser gets `chrome-N`, private to the
    /// user; one started from a thread that has ended keeps running.
    #[test]
    fn browsers_get_private_folders_in_the_folder_named() {
        use std::os::unix::fs::PermissionsExt;
        let chrome = super::super::find_chrome(None).expect("Chromium is needed: scripts/setup --tests");
        let parent = tempfile::tempdir().unwrap();
        let first = Instance::start(&chrome, Some(parent.path()), None).unwrap();
        let path = parent.path().to_path_buf();
        let second = std::thread::spawn(move || Instance::start(&chrome, Some(&path), None).unwrap()).join().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert!(second.healthy(), "the browser died with the thread that started it");
        assert_eq!(first.folder().unwrap(), parent.path().join("chrome-1"));
        assert_eq!(second.folder().unwrap(), parent.path().join("chrome-2"));
        for sub in ["", "profile", "home", "tmp"] {
            let mode = std::fs::metadata(parent.path().join("chrome-1").join(sub)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "chrome-1/{sub}");
        }
        drop(first);
        drop(second);
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0, "browser folders left");
    }
}
