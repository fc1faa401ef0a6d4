//! The browsers this process launched, and the signal handler that kills them all.
//!
//! It exists because a signal to the tool alone leaves every Chromium process
//! running: something must know every live browser (also one still starting) and
//! kill them before the tool exits. It does not start browsers itself and decides
//! nothing about when to replace one; `Instance` registers and unregisters here.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::{lock, process};

/// A browser this process launched: its pid (once known) and its temporary folder.
struct Live {
    pid: Option<u32>,
    dir: PathBuf,
}

static LIVE: Mutex<Vec<Live>> = Mutex::new(Vec::new());

/// Held while a browser starts (see [`may_launch`]).
static LAUNCH: Mutex<()> = Mutex::new(());

/// Set once the browsers are being killed for good: no new one may start.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// The permission to start a browser, to hold until it is registered; `None` once
/// the browsers are being killed for good.
pub(super) fn may_launch() -> Option<MutexGuard<'static, ()>> {
    let launching = lock(&LAUNCH);
    (!STOPPING.load(Ordering::SeqCst)).then_some(launching)
}

/// Records a browser by its folder; again with its pid once it is known.
pub(super) fn register(dir: &Path, pid: Option<u32>) {
    let mut live = lock(&LIVE);
    match live.iter_mut().find(|l| l.dir == dir) {
        Some(entry) => entry.pid = pid,
        None => live.push(Live { pid, dir: dir.to_path_buf() }),
    }
}

pub(super) fn unregister(dir: &Path) {
    lock(&LIVE).retain(|l| l.dir != dir);
}

/// Kills one browser's process tree (see [`process::kill_tree`]), then reaps the
/// adopted orphans of dead browsers, sparing those still running.
pub(super) fn kill_browser(root: Option<u32>, marker: Option<&Path>, reap_root: bool) {
    process::kill_tree(root, marker, reap_root);
    let running: Vec<u32> = lock(&LIVE).iter().filter_map(|l| l.pid).collect();
    process::reap_orphans(root.filter(|_| !reap_root), &running);
}

/// Kills every browser this process launched and removes their temporary folders,
/// right before the process exits on a path that skips destructors. No browser can
/// start afterwards.
fn kill_all_browsers() {
    STOPPING.store(true, Ordering::SeqCst);
    // A launch in progress finishes (and registers) first; none starts after.
    let _no_launch = lock(&LAUNCH);
    let live: Vec<Live> = std::mem::take(&mut *lock(&LIVE));
    for entry in &live {
        kill_browser(entry.pid, Some(&entry.dir), true);
    }
    for entry in &live {
        let _ = std::fs::remove_dir_all(&entry.dir);
    }
}

/// On SIGINT, SIGTERM or SIGHUP: kill the browsers, run `before_exit` (the
/// caller's own cleanup, such as removing the run's temporary folder), then exit
/// with 128 + the signal number (130 for Ctrl-C). Without this a signal to the tool
/// alone leaves the whole Chromium tree running. Install it before the first
/// browser starts; installing it again does nothing.
pub fn install_signal_handler(before_exit: fn()) {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
        let _ = std::thread::Builder::new().name("browser-signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                kill_all_browsers();
                before_exit();
                std::process::exit(128 + signal);
            }
        });
    });
}
