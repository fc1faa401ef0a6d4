//! Headless Chromium as a supervised child: finding the executable, starting one
//! browser in a throwaway profile, and making sure no process of it outlives the
//! tool.
//!
//! A browser is a tree of processes that survives its parent unless something
//! kills it on every exit path, so starting one and cleaning up after it belong
//! together here, apart from what the browser is used for, with the few protocol
//! calls that drive it (`cdp`): the process is started
//! so that the kernel kills it when the tool dies (`launcher`), the signal handler
//! kills every browser on SIGINT, SIGTERM and SIGHUP (`supervisor`), and
//! [`kill_processes_naming`] lets a process that outlives a killed tool (the
//! binary's watchdog) kill what it left. This module knows
//! nothing of what pages are loaded or what is done with them, and imports nothing
//! from the rest of the crate; callers turn a `BrowserError` into their own
//! message. It must not download a browser or let one touch the network.

mod cdp;
mod instance;
mod launcher;
mod process;
mod remote;
mod supervisor;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::sync::lock;

pub(crate) use cdp::{CdpError, Page};
pub(crate) use instance::Instance;
pub use supervisor::install_signal_handler;

/// Browser names searched on `PATH`, in this order, when neither an explicit path
/// nor `CHROME` names one.
const BROWSER_NAMES: &[&str] = &[
    "chromium-headless-shell",
    "chrome-headless-shell",
    "chromium",
    "google-chrome",
    "chrome",
    "chromium-browser",
    "google-chrome-stable",
];

/// Why no browser is running.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BrowserError {
    /// No usable browser was found.
    #[error("no Chromium or Chrome browser found (tried {tried})")]
    NoBrowser {
        /// What was tried, for the caller's message.
        tried: String,
    },
    /// The browser was found but did not start.
    #[error("could not start the browser {chrome}: {reason}")]
    Launch {
        /// The browser executable.
        chrome: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The temporary folder for the browser's profile could not be made.
    #[error("could not create a temporary folder for the browser: {0}")]
    TempDir(#[source] std::io::Error),
    /// A browser given with `--browser URL` cannot be used.
    #[error("the browser at {url} cannot be used: {reason}")]
    Remote {
        /// The address given.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// Finds the browser: explicit path (`--chrome`), then $CHROME, then a headless
/// shell, chromium, google-chrome, chrome on PATH.
///
/// The headless shell (Chromium's old headless mode, `chromium-headless-shell` on
/// Debian, `chrome-headless-shell` from Chrome for Testing) comes first: it does
/// the same work about twice as fast, because the full browser starts an extra
/// compositor process for every document, which loads every font the page uses
/// again.
///
/// An explicit path or `CHROME` that does not work is an error (no silent
/// fallback to another browser); on `PATH`, Ubuntu's `chromium-browser` and
/// `google-chrome-stable` are tried last. A bare name is looked up on `PATH`.
pub(crate) fn find_chrome(explicit: Option<&Path>) -> Result<PathBuf, BrowserError> {
    find_chrome_in(explicit, std::env::var_os("CHROME"), std::env::var_os("PATH"))
}

/// [`find_chrome`] with the environment passed in, so tests need not change it.
fn find_chrome_in(
    explicit: Option<&Path>,
    env_chrome: Option<OsString>,
    path_var: Option<OsString>,
) -> Result<PathBuf, BrowserError> {
    let path_var = path_var.unwrap_or_default();
    // An explicit choice that does not work is an error, not a reason to pick another browser.
    if let Some(explicit) = explicit {
        return resolve(explicit.as_os_str(), &path_var).ok_or_else(|| BrowserError::NoBrowser {
            tried: format!("--chrome {} (not found or not executable)", explicit.display()),
        });
    }
    if let Some(env) = env_chrome.filter(|v| !v.is_empty()) {
        return resolve(&env, &path_var).ok_or_else(|| BrowserError::NoBrowser {
            tried: format!("CHROME={} (not found or not executable)", Path::new(&env).display()),
        });
    }
    for name in BROWSER_NAMES {
        if let Some(found) = resolve(OsStr::new(name), &path_var) {
            return Ok(found);
        }
    }
    Err(BrowserError::NoBrowser { tried: format!("{} on PATH; CHROME is not set", BROWSER_NAMES.join(", ")) })
}

/// A path with a slash is taken as is; a bare name is looked up on `PATH`.
fn resolve(name: &OsStr, path_var: &OsStr) -> Option<PathBuf> {
    let as_path = Path::new(name);
    if as_path.components().count() > 1 || as_path.is_absolute() {
        return is_executable(as_path).then(|| as_path.to_path_buf());
    }
    std::env::split_paths(path_var).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Kills every process that names a path inside `folder` in its command line or
/// environment, and everything descending from them: the browsers started with
/// their folders in `folder`, for when the process that started them can no longer
/// do it (it was killed). Processes of other users are out of reach.
pub fn kill_processes_naming(folder: &Path) {
    process::kill_tree(None, Some(folder), true);
}

/// For tests elsewhere in the crate that need to see or break a browser.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::Path;

    /// Kills a browser's whole process tree behind its handle's back, as a crash
    /// would. The whole tree: the browser may run under a launcher script (Debian's
    /// `chromium-headless-shell`), whose death alone leaves the browser running.
    pub(crate) fn crash(pid: u32) {
        super::supervisor::kill_browser(Some(pid), None, false);
    }

    /// How many live processes name a path inside `folder` on their command line or
    /// in their environment.
    pub(crate) fn processes_naming(folder: &Path) -> usize {
        let needle = super::process::inside(folder);
        super::process::process_table().values().filter(|p| p.names(&needle)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_that_is_not_there_says_what_was_tried() {
        let err = find_chrome(Some(Path::new("/nonexistent/chromium"))).unwrap_err();
        assert!(
            matches!(&err, BrowserError::NoBrowser { tried } if tried == "--chrome /nonexistent/chromium (not found or not executable)"),
            "{err}"
        );
        let err = find_chrome_in(None, None, Some(OsString::from("/nonexistent"))).unwrap_err();
        assert!(
            err.to_string().contains("chromium-headless-shell, chrome-headless-shell, chromium, google-chrome"),
            "{err}"
        );
        let err = find_chrome_in(None, Some(OsString::from("/nope/chrome")), None).unwrap_err();
        assert!(err.to_string().contains("CHROME=/nope/chrome"), "{err}");
    }

    #[test]
    fn a_headless_shell_is_preferred_over_the_full_browser() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let fake = |name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path
        };
        let path_var = Some(dir.path().as_os_str().to_owned());
        let chromium = fake("chromium");
        assert_eq!(find_chrome_in(None, None, path_var.clone()).unwrap(), chromium);
        let shell = fake("chromium-headless-shell");
        assert_eq!(find_chrome_in(None, None, path_var.clone()).unwrap(), shell);
        // An explicit choice still wins.
        assert_eq!(find_chrome_in(None, Some(chromium.clone().into_os_string()), path_var).unwrap(), chromium);
    }
}
