//! A build that prints, killed with SIGKILL (which no handler can catch) at any
//! moment, leaves no process and no temporary folder of its run a few seconds
//! later: not the browser behind Debian's launcher script, not its zygotes and
//! renderers, not the tool's watchdog.
//!
//! Every run gets its own `TMPDIR` (see `common::Cli`), so what is left is told
//! apart from other runs': the processes descending from the tool (sampled until the
//! kill), those naming the run's `TMPDIR`, and the folders in it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::common::{Cli, Live};
use crate::processes::{self, Proc};

/// How long the run's processes and folders may take to go after the kill.
const GRACE: Duration = Duration::from_secs(5);

/// When the tool is killed.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// This long after it started.
    After(Duration),
    /// This long after its browser started.
    BrowserUp(Duration),
}

/// Every acme fixture (15 PDFs).
fn printing_acme() -> Cli {
    Cli::build(["acme", "acme-bulk.jsonl", "acme-more.json", "acme-single.json"])
        .format("html,json,pdf")
        .args(["--tenant", "acme"])
}

/// How long a whole run takes on this machine, and when its browser starts: the
/// moments of the kills are fractions of it, so that each falls inside the run on a
/// fast machine and a slow one alike. The shorter of two runs (the first may pay
/// for cold caches).
fn reference_run() -> (Duration, Duration) {
    let (a, b) = (one_run(), one_run());
    if a.0 <= b.0 { a } else { b }
}

fn one_run() -> (Duration, Duration) {
    let mut live = printing_acme().spawn();
    let started = Instant::now();
    let mut browser = None;
    while live.child.try_wait().unwrap().is_none() {
        if browser.is_none() && processes::browser_running(&live.tmpdir) {
            browser = Some(started.elapsed());
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the reference run took over 120 s");
        std::thread::sleep(Duration::from_millis(10));
    }
    let total = started.elapsed();
    assert!(live.child.wait().unwrap().success(), "the reference run failed:\n{}", live.stderr());
    (total, browser.expect("the reference run started no browser"))
}

#[test]
fn sigkill_at_any_moment_of_a_pdf_build_leaves_no_process_or_folder() {
    let (total, browser) = reference_run();
    let printing = total.saturating_sub(browser);
    let moments = [
        Moment::After(total.mul_f64(0.1)),
        Moment::After(total.mul_f64(0.35)),
        Moment::After(total.mul_f64(0.6)),
        Moment::BrowserUp(Duration::ZERO),
        Moment::BrowserUp(printing.mul_f64(0.5)),
    ];
    let mut failures = Vec::new();
    let mut browser_killed = 0;
    for moment in moments {
        let live = printing_acme().spawn();
        match kill_at(live, moment) {
            Ok(true) => browser_killed += 1,
            Ok(false) => {}
            Err(failure) => failures
                .push(format!("killed at {moment:?} (a whole run: {total:?}, browser up at {browser:?}): {failure}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(browser_killed >= 2, "the browser was running at only {browser_killed} of the kills");
}

/// Kills the run at `moment` and checks what it left; Ok(whether its browser was
/// running at the kill).
fn kill_at(mut live: Live, moment: Moment) -> Result<bool, String> {
    let tool = live.child.id();
    let tool_start = processes::start_time(tool).ok_or("the tool is not running")?;
    let started = Instant::now();
    // Every process that descended from the tool, by pid and start time.
    let mut seen: BTreeMap<u32, Proc> = BTreeMap::new();
    let mut browser_since: Option<Instant> = None;
    loop {
        let table = processes::table();
        for pid in processes::descendants(&table, tool) {
            seen.insert(pid, table[&pid].clone());
        }
        if browser_since.is_none() && processes::browser_running(&live.tmpdir) {
            browser_since = Some(Instant::now());
        }
        let due = match moment {
            Moment::After(after) => started.elapsed() >= after,
            Moment::BrowserUp(after) => browser_since.is_some_and(|since| since.elapsed() >= after),
        };
        if due {
            break;
        }
        if live.child.try_wait().unwrap().is_some() {
            return Err(format!("the run ended before the kill; stderr:\n{}", live.stderr()));
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = live.child.kill();
            return Err("the moment never came within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let browser_up = processes::browser_running(&live.tmpdir);
    processes::kill(tool, tool_start);
    live.child.wait().unwrap();

    let deadline = Instant::now() + GRACE;
    loop {
        let left = leftovers(&live, &seen);
        if left.is_empty() {
            return Ok(browser_up);
        }
        if Instant::now() > deadline {
            // Clean up after a failure, so it does not leave processes behind.
            for (pid, proc) in seen.iter().chain(processes::naming(&live.tmpdir).iter()) {
                processes::kill(*pid, proc.start);
            }
            return Err(format!("{} s after the kill:\n{}", GRACE.as_secs(), left.join("\n")));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What the killed run left: processes that descended from it and are still the
/// same processes, processes naming its `TMPDIR`, and its temporary folders.
fn leftovers(live: &Live, seen: &BTreeMap<u32, Proc>) -> Vec<String> {
    let table = processes::table();
    let mut left: BTreeMap<u32, String> = seen
        .iter()
        .filter(|(pid, proc)| table.get(pid).is_some_and(|now| now.start == proc.start))
        .map(|(pid, proc)| (*pid, format!("process {}", processes::describe(*pid, proc))))
        .collect();
    for (pid, proc) in processes::naming(&live.tmpdir) {
        left.entry(pid).or_insert_with(|| format!("process {}", processes::describe(pid, &proc)));
    }
    let mut left: Vec<String> = left.into_values().collect();
    left.extend(processes::tool_folders(&live.tmpdir).into_iter().map(|name| format!("folder {name}")));
    left
}

/// The watchdog is in a process group of its own and ignores SIGINT, SIGTERM and
/// SIGHUP, so a Ctrl-C or a signal to the build's group cannot end it before it
/// acts; it still cleans up after a SIGKILL of the build, then exits.
#[test]
fn the_watchdog_outlasts_signals_and_acts_when_the_build_is_killed() {
    let mut live = printing_acme().spawn();
    let tool = live.child.id();
    let started = Instant::now();
    while !processes::browser_running(&live.tmpdir) {
        assert!(live.child.try_wait().unwrap().is_none(), "the run ended before its browser started");
        assert!(started.elapsed() < Duration::from_secs(60), "no browser started within 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let table = processes::table();
    let seen: BTreeMap<u32, Proc> =
        processes::descendants(&table, tool).into_iter().map(|pid| (pid, table[&pid].clone())).collect();
    let (watchdog, proc) = seen
        .iter()
        .find(|(_, p)| p.cmdline.starts_with("campaign-report __watchdog "))
        .map(|(pid, p)| (*pid, p.clone()))
        .expect("the build has no watchdog");
    let group = |pid: u32| {
        // SAFETY: getpgid has no memory-safety preconditions.
        unsafe { libc::getpgid(libc::pid_t::try_from(pid).unwrap()) }
    };
    assert_ne!(group(watchdog), group(tool), "the watchdog is in the build's process group");
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: signalling a process this test's run started.
        unsafe {
            libc::kill(libc::pid_t::try_from(watchdog).unwrap(), signal);
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(processes::start_time(watchdog), Some(proc.start), "a signal ended the watchdog");

    processes::kill(tool, processes::start_time(tool).unwrap());
    live.child.wait().unwrap();
    let deadline = Instant::now() + GRACE;
    let mut left = leftovers(&live, &seen);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        left = leftovers(&live, &seen);
    }
    for (pid, proc) in seen.iter().chain(processes::naming(&live.tmpdir).iter()) {
        processes::kill(*pid, proc.start);
    }
    assert!(left.is_empty(), "{} s after the kill:\n{}", GRACE.as_secs(), left.join("\n"));
}
