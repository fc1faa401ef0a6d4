//! The watchdog of a build that prints: a second process (this binary, run with
//! the hidden subcommand `__watchdog PID START`) that outlives a build killed with
//! SIGKILL, then kills what is left of the build's browsers and removes the build's
//! run folders.
//!
//! A SIGKILL runs no handler, and the kernel's parent-death signal reaches only the
//! process the build started, not a browser that a launcher script started in turn
//! (Debian's `chromium-headless-shell`). The watchdog holds the read end of a pipe
//! (its stdin) whose write end only the build has; end of file means the build is
//! gone, however it went. It then kills every process that names one of the build's
//! run folders (the browsers' profiles, HOME and TMPDIR are inside) and removes
//! those folders, recognised by their marker (`scratch`). It is in a process group
//! of its own and ignores SIGINT, SIGTERM and SIGHUP, so a Ctrl-C or a signal to the
//! build's process group does not end it before it acts; it exits once it has acted.
//!
//! This file also removes, at the start of every build, what earlier killed builds
//! left when their watchdog could not act (it was killed too).

use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use campaign_report::browser;
use campaign_report::scratch::{self, Owner};

/// How long the build waits for its watchdog's last pass when it ends.
const FINISH_TIMEOUT: Duration = Duration::from_secs(10);

/// The build's watchdog: the process, and the write end of its pipe.
struct Running {
    child: Child,
    pipe: ChildStdin,
}

static WATCHDOG: Mutex<Option<Running>> = Mutex::new(None);

fn watchdog() -> MutexGuard<'static, Option<Running>> {
    campaign_report::sync::lock(&WATCHDOG)
}

/// Starts this build's watchdog (once; again does nothing).
pub fn start() -> io::Result<()> {
    let mut watchdog = watchdog();
    if watchdog.is_some() {
        return Ok(());
    }
    let owner = Owner::current()?;
    let mut command = Command::new("/proc/self/exe");
    command
        .arg0("campaign-report")
        .args(["__watchdog", &owner.pid.to_string(), &owner.start.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    // SAFETY: runs in the child between fork and exec; signal() is async-signal-safe.
    // Ignored signals stay ignored across exec, so the watchdog is never without it.
    unsafe {
        command.pre_exec(|| {
            for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(signal, libc::SIG_IGN);
            }
            Ok(())
        });
    }
    let mut child = command.spawn()?;
    let pipe = child.stdin.take().ok_or_else(|| io::Error::other("no pipe to the watchdog"))?;
    *watchdog = Some(Running { child, pipe });
    Ok(())
}

/// Ends the watchdog as the build ends (normally, or on SIGINT, SIGTERM or SIGHUP
/// once the browsers are killed): closes its pipe, so it makes its last pass, and
/// waits a while for it; then removes any run folder of this build still there.
pub fn finish() {
    if let Some(Running { mut child, pipe }) = watchdog().take() {
        drop(pipe);
        let until = Instant::now() + FINISH_TIMEOUT;
        while matches!(child.try_wait(), Ok(None)) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    if let Ok(me) = Owner::current() {
        for dir in scratch::owned_by_in(&std::env::temp_dir(), me) {
            let _ = scratch::remove(&dir);
        }
    }
}

/// The watchdog process: waits for the end of its pipe, then cleans up after the
/// build `pid` that started at `start`. Refuses a build that still runs and is not
/// its parent.
pub fn run(pid: u32, start: u64) -> bool {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: setting a signal's disposition to "ignore" has no preconditions.
        unsafe {
            libc::signal(signal, libc::SIG_IGN);
        }
    }
    let Ok(me) = Owner::current() else { return false };
    let owner = Owner { pid, start, pidns: me.pidns };
    // SAFETY: getppid has no preconditions and cannot fail.
    let parent = unsafe { libc::getppid() };
    if owner.is_running() && libc::pid_t::try_from(pid) != Ok(parent) {
        return false;
    }
    // A build that is already gone (killed while this process started) closed the pipe too.
    let mut stdin = io::stdin().lock();
    let mut buffer = [0u8; 64];
    loop {
        match stdin.read(&mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    for dir in scratch::owned_by_in(&std::env::temp_dir(), owner) {
        clean(&dir);
    }
    true
}

/// Removes what builds that were killed with their watchdog left in the temporary
/// folder: their browsers, then their run folders. Only folders whose marker names
/// a process that is gone are touched.
pub fn sweep() {
    for dir in scratch::leftovers_in(&std::env::temp_dir()) {
        clean(&dir);
    }
}

/// Kills every process naming a path in the run folder `dir`, then removes it.
fn clean(dir: &Path) {
    browser::kill_processes_naming(dir);
    let _ = scratch::remove(dir);
}
