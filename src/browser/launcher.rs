//! Starting a browser process that dies with the tool, and reading where its
//! DevTools endpoint listens.
//!
//! It exists because a SIGKILL of the tool runs no handler: the kernel must end the
//! browser. Each browser process gets `PR_SET_PDEATHSIG` (SIGKILL when its parent
//! dies) and a process group of its own. The kernel sends that signal when the
//! *thread* that forked the child exits, and browsers are relaunched from printing
//! threads that end, so every browser is forked by one launcher thread that lives
//! as long as the process. The signal reaches the process started, not what it
//! starts in turn (Debian's `chromium-headless-shell` is a shell script that runs
//! the real browser as its child): the binary's watchdog covers that.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use super::lock;

/// How long a browser may take to say where it listens.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// What the browser prints on stderr once its DevTools endpoint listens.
const LISTENING: &str = "DevTools listening on ";

/// A command to start, and where to send the started child.
type Request = (Command, mpsc::Sender<io::Result<Child>>);

/// Starts `command` in a process group of its own, as a child that the kernel kills
/// when the tool dies. Any thread may call it.
pub(super) fn spawn(mut command: Command) -> io::Result<Child> {
    let parent = libc::pid_t::try_from(std::process::id()).map_err(io::Error::other)?;
    // SAFETY: the closure runs in the child between fork and exec; it calls only
    // async-signal-safe functions (prctl, getppid) and does not allocate.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The tool died before the signal was asked for: nothing would end this child.
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
    command.process_group(0);
    let (reply, answer) = mpsc::channel();
    let stopped = || io::Error::other("the browser launcher thread stopped");
    launcher()?.send((command, reply)).map_err(|_| stopped())?;
    answer.recv().map_err(|_| stopped())?
}

/// The launcher thread's queue, the thread started on first use. It never ends: the
/// queue's sender is never dropped.
fn launcher() -> io::Result<mpsc::Sender<Request>> {
    static LAUNCHER: Mutex<Option<mpsc::Sender<Request>>> = Mutex::new(None);
    let mut launcher = lock(&LAUNCHER);
    if let Some(sender) = launcher.as_ref() {
        return Ok(sender.clone());
    }
    let (sender, requests) = mpsc::channel::<Request>();
    std::thread::Builder::new().name("browser-launcher".into()).spawn(move || {
        for (mut command, reply) in requests {
            let _ = reply.send(command.spawn());
        }
    })?;
    *launcher = Some(sender.clone());
    Ok(sender)
}

/// Reads the browser's stderr until it says where its DevTools endpoint listens
/// (`DevTools listening on ws://…`), then closes it. Fails when the browser ends
/// first, saying its last words, or after [`READY_TIMEOUT`].
pub(super) fn devtools_url(child: &mut Child) -> Result<String, String> {
    let stderr = child.stderr.take().ok_or("its standard error is not readable")?;
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new().name("browser-stderr".into()).spawn(move || {
        let mut reader = BufReader::new(stderr);
        let mut last: VecDeque<String> = VecDeque::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            if let Some((_, url)) = text.split_once(LISTENING) {
                let _ = tx.send(Ok(url.trim().to_string()));
                return;
            }
            let text = text.trim();
            if !text.is_empty() {
                last.push_back(text.chars().take(300).collect());
                if last.len() > 3 {
                    last.pop_front();
                }
            }
        }
        let said = last.into_iter().collect::<Vec<_>>().join(" / ");
        let said = if said.is_empty() { String::new() } else { format!(": {said}") };
        let _ = tx.send(Err(format!("the browser ended before it was ready{said}")));
    });
    if let Err(err) = spawned {
        return Err(format!("could not start a thread: {err}"));
    }
    match rx.recv_timeout(READY_TIMEOUT) {
        Ok(result) => result,
        Err(_) => Err(format!("the browser did not say where it listens within {} s", READY_TIMEOUT.as_secs())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Stdio;

    #[test]
    fn a_child_outlives_the_thread_that_asked_for_it_and_has_its_own_group() {
        let child = std::thread::spawn(|| {
            let mut command = Command::new("sleep");
            command.arg("30").stdin(Stdio::null());
            spawn(command).unwrap()
        })
        .join()
        .unwrap();
        let mut child = child;
        std::thread::sleep(Duration::from_millis(200));
        assert!(child.try_wait().unwrap().is_none(), "the child died with the thread that asked for it");
        let pid = libc::pid_t::try_from(child.id()).unwrap();
        // SAFETY: getpgid has no memory-safety preconditions.
        assert_eq!(unsafe { libc::getpgid(pid) }, pid, "the child is not the leader of its own process group");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        assert!(status.lines().any(|l| l.starts_with("PPid:") && l.ends_with(&std::process::id().to_string())));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn a_browser_that_ends_before_it_is_ready_says_so() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo 'first words' >&2; echo 'last words' >&2; exit 3"]);
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = spawn(command).unwrap();
        let err = devtools_url(&mut child).unwrap_err();
        assert_eq!(err, "the browser ended before it was ready: first words / last words");
        child.wait().unwrap();

        let mut command = Command::new("sh");
        command
            .args(["-c", "echo 'noise' >&2; echo 'DevTools listening on ws://127.0.0.1:1234/devtools/browser/x' >&2"]);
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = spawn(command).unwrap();
        assert_eq!(devtools_url(&mut child).unwrap(), "ws://127.0.0.1:1234/devtools/browser/x");
        child.wait().unwrap();
    }
}
