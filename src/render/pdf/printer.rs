//! The printer: one browser per run (or the running browsers given with `--browser`),
//! a pool of tabs shared by worker threads, one retry per PDF, and a relaunch budget
//! for a browser that dies.
//!
//! It exists to keep a run going when single pages or the whole browser fail: a
//! page that fails is reported alone, and a browser that died is replaced so the
//! remaining PDFs still print. Browsers given with `--browser` share the tabs, and
//! the PDFs of one that stops go to the others (docs/scale-out.md). It does not talk
//! to a tab itself (that is `attempt`) and does not start or kill browser processes
//! itself (that is [`crate::browser`]).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::attempt::{self, Failure, Source, TabSlot};
use super::{Paper, PdfError, PdfJob, PdfSettings, archival, dates, lock};
use crate::browser::{self, Instance};

/// A pause after which `print_all` checks the browser before handing out pages.
const IDLE_CHECK: Duration = Duration::from_secs(10);

/// Relaunches allowed over one `Printer`'s life, so a browser that dies on every
/// page cannot keep the run going forever.
const MAX_RELAUNCHES: u32 = 3;

/// The address under which a browser given with `--browser` asks for a page: never
/// resolved, every request is answered through the protocol (see `Source::Served`).
const SERVED_ORIGIN: &str = "http://campaign-report.invalid/";

/// A running headless browser, or several given with `--browser`, with a pool of tabs.
pub struct Printer {
    chrome: PathBuf,
    /// Where each browser gets its folder (see [`PdfSettings::browser_folders`]).
    folders: Option<PathBuf>,
    /// The fontconfig file each browser started reads (see [`PdfSettings::fontconfig`]).
    fontconfig: Option<PathBuf>,
    /// Whether the browsers are ones given with `--browser` (never started or relaunched).
    remote: bool,
    paper: Paper,
    tabs: usize,
    deadline: Duration,
    now: jiff::Timestamp,
    state: Mutex<State>,
    /// Tabs left open by earlier `print_all` calls, reused by the next.
    idle_tabs: Mutex<Vec<TabSlot>>,
    /// When a page was last printed, to check the browser after a pause.
    last_used: Mutex<Instant>,
    /// Browsers given with `--browser` that could not be used from the start.
    notes: Vec<String>,
}

/// The current browsers (at most one that the printer started), replaced when it dies.
struct State {
    browsers: Vec<Arc<Launch>>,
    generation: u64,
    relaunches: u32,
    /// Set when a relaunch failed, or when no browser given with `--browser` is left:
    /// later jobs fail fast with this error instead of each waiting for a browser.
    broken: Option<String>,
    /// Browsers given with `--browser` that stopped, with why.
    lost: Vec<String>,
}

/// One browser of this printer and which launch it is: a tab opened in an earlier
/// launch went with its browser.
pub(super) struct Launch {
    pub(super) generation: u64,
    pub(super) instance: Instance,
}

/// The final bytes of one PDF, or why there are none.
type PdfResult = Result<Vec<u8>, PdfError>;

impl Printer {
    /// Finds and starts the browser (one per run), or connects to the browsers given
    /// with `--browser`; tabs open as jobs need them.
    pub fn launch(settings: &PdfSettings) -> Result<Printer, PdfError> {
        if !settings.browsers.is_empty() {
            return Printer::connect(settings);
        }
        let chrome = browser::find_chrome(settings.chrome.as_deref())?;
        let folders = settings.browser_folders.clone();
        let instance = Instance::start(&chrome, folders.as_deref(), settings.fontconfig.as_deref())?;
        let launch = Launch { generation: 1, instance };
        Ok(Printer::with(settings, chrome, folders, vec![Arc::new(launch)], Vec::new()))
    }

    /// Connects to every browser given with `--browser`; fails only when none answers.
    fn connect(settings: &PdfSettings) -> Result<Printer, PdfError> {
        let mut browsers = Vec::new();
        let mut notes = Vec::new();
        for url in &settings.browsers {
            match Instance::connect(url) {
                Ok(instance) => {
                    let generation = browsers.len() as u64 + 1;
                    browsers.push(Arc::new(Launch { generation, instance }));
                }
                Err(err) => notes.push(err.to_string()),
            }
        }
        if browsers.is_empty() {
            return Err(PdfError::Remote { reason: notes.join("; ") });
        }
        let notes = notes.into_iter().map(|n| format!("{n}; printing through the other browsers")).collect();
        let mut printer = Printer::with(settings, PathBuf::new(), None, browsers, notes);
        printer.remote = true;
        // Every browser gets tabs, however few jobs the run has.
        printer.tabs = printer.tabs.max(2 * settings.browsers.len());
        Ok(printer)
    }

    fn with(
        settings: &PdfSettings,
        chrome: PathBuf,
        folders: Option<PathBuf>,
        browsers: Vec<Arc<Launch>>,
        notes: Vec<String>,
    ) -> Printer {
        let generation = browsers.len() as u64;
        Printer {
            chrome,
            folders,
            fontconfig: settings.fontconfig.clone(),
            remote: false,
            paper: settings.paper,
            tabs: settings.jobs.max(1),
            deadline: settings.deadline,
            now: settings.now,
            state: Mutex::new(State { browsers, generation, relaunches: 0, broken: None, lost: Vec::new() }),
            idle_tabs: Mutex::new(Vec::new()),
            last_used: Mutex::new(Instant::now()),
            notes,
        }
    }

    /// Browsers given with `--browser` that could not be used, for the run's notes.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Prints every job, in parallel over the tab pool; result i belongs to job i. Bytes are the final, normalised PDF.
    pub fn print_all(&self, jobs: &[PdfJob]) -> Vec<Result<Vec<u8>, PdfError>> {
        if jobs.is_empty() {
            return Vec::new();
        }
        // A connection that dropped while we were idle is found here, not on the first page.
        if lock(&self.last_used).elapsed() > IDLE_CHECK {
            let browsers = lock(&self.state).browsers.clone();
            for launch in browsers.iter().filter(|l| !l.instance.healthy()) {
                self.retire(launch);
            }
        }
        let next = AtomicUsize::new(0);
        let results: Vec<Mutex<Option<PdfResult>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|scope| {
            for worker in 0..self.tabs.min(jobs.len()) {
                let (next, results) = (&next, &results);
                scope.spawn(move || {
                    let mut slot = lock(&self.idle_tabs).pop();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(job) = jobs.get(i) else { break };
                        let result = self.print_one(job, &mut slot, worker);
                        *lock(&results[i]) = Some(result);
                        *lock(&self.last_used) = Instant::now();
                    }
                    if let Some(slot) = slot {
                        lock(&self.idle_tabs).push(slot);
                    }
                });
            }
        });
        results
            .into_iter()
            .map(|r| {
                r.into_inner().unwrap_or_else(|e| e.into_inner()).unwrap_or_else(|| {
                    Err(PdfError::Print { html: PathBuf::new(), reason: "a printing thread stopped".into() })
                })
            })
            .collect()
    }

    /// Where the browsers get the page: the file itself from a browser the printer
    /// started, its bytes through the protocol for one given with `--browser`.
    fn source(&self, job: &PdfJob) -> Result<Source, PdfError> {
        let failed = |reason: String| PdfError::Print { html: job.html.clone(), reason };
        if self.remote {
            let html = std::fs::read(&job.html).map_err(|e| failed(format!("cannot read the page: {e}")))?;
            let name = job.html.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let url = url::Url::parse(SERVED_ORIGIN).and_then(|o| o.join(&name)).map_err(|e| failed(e.to_string()))?;
            return Ok(Source::Served { url: url.to_string(), html: Arc::new(html) });
        }
        let url = url::Url::from_file_path(&job.html).map_err(|()| failed("the path is not absolute".into()))?;
        Ok(Source::File(url.to_string()))
    }

    /// One PDF: up to two attempts, plus new attempts after a browser relaunch or on
    /// another browser given with `--browser`.
    fn print_one(&self, job: &PdfJob, slot: &mut Option<TabSlot>, worker: usize) -> Result<Vec<u8>, PdfError> {
        if !job.html.is_file() {
            return Err(PdfError::Print { html: job.html.clone(), reason: "the HTML file does not exist".into() });
        }
        let source = Arc::new(self.source(job)?);
        let options = attempt::print_options(self.paper, job);
        let mut failures = 0;
        loop {
            let launch = self.current(worker)?;
            // A tab of another browser (one that died, or another of those given with --browser).
            if slot.as_ref().is_some_and(|s| s.generation != launch.generation)
                && let Some(old) = slot.take()
            {
                old.close_in_background();
            }
            match attempt::attempt(&launch, slot.take(), &source, &options, self.deadline) {
                (Some(tab), Ok(pdf)) => {
                    *slot = Some(tab);
                    let pdf = dates::normalise_dates(pdf, self.now);
                    let pdf = match (&job.archival, pdf) {
                        (Some(archival), Ok(pdf)) => archival::convert(&pdf, archival, self.now),
                        (_, pdf) => pdf,
                    };
                    return pdf.map_err(|reason| PdfError::Print { html: job.html.clone(), reason });
                }
                (tab, outcome) => {
                    if let Some(tab) = tab {
                        tab.close_in_background();
                    }
                    if !launch.instance.healthy() && self.retire(&launch) {
                        // The browser died under this page: that was not the page's fault.
                        continue;
                    }
                    failures += 1;
                    if failures >= 2 {
                        return Err(match outcome {
                            Err(Failure::Timeout) => {
                                PdfError::Timeout { html: job.html.clone(), deadline: self.deadline }
                            }
                            Err(Failure::Error(reason)) => PdfError::Print { html: job.html.clone(), reason },
                            Ok(_) => PdfError::Print { html: job.html.clone(), reason: "no tab".into() },
                        });
                    }
                }
            }
        }
    }

    /// The browser of tab `worker`: its share of the browsers given with `--browser`,
    /// or the printer's own, started again if it was retired.
    fn current(&self, worker: usize) -> Result<Arc<Launch>, PdfError> {
        let mut state = lock(&self.state);
        if !state.browsers.is_empty() {
            return Ok(state.browsers[worker % state.browsers.len()].clone());
        }
        if let Some(reason) = &state.broken {
            if self.remote {
                return Err(PdfError::Remote { reason: reason.clone() });
            }
            return Err(PdfError::Launch { chrome: self.chrome.clone(), reason: reason.clone() });
        }
        state.generation += 1;
        match Instance::start(&self.chrome, self.folders.as_deref(), self.fontconfig.as_deref()) {
            Ok(instance) => {
                let launch = Arc::new(Launch { generation: state.generation, instance });
                state.browsers.push(launch.clone());
                Ok(launch)
            }
            Err(err) => {
                let err = PdfError::from(err);
                state.broken = Some(err.to_string());
                Err(err)
            }
        }
    }

    /// Drops a browser that stopped answering: the printer's own is killed so the
    /// next job starts a new one; one given with `--browser` is left to the others.
    /// Returns false when no browser is left to try (then the job counts a failure).
    fn retire(&self, launch: &Arc<Launch>) -> bool {
        let mut state = lock(&self.state);
        let Some(at) = state.browsers.iter().position(|c| Arc::ptr_eq(c, launch)) else {
            // Another thread already replaced it.
            return state.broken.is_none();
        };
        state.browsers.remove(at);
        launch.instance.shutdown();
        if let Some(url) = launch.instance.remote_url() {
            state.lost.push(format!("{url} stopped answering"));
            if state.browsers.is_empty() {
                state.broken = Some(format!("none is left ({})", state.lost.join("; ")));
                return false;
            }
            return true;
        }
        if state.relaunches >= MAX_RELAUNCHES {
            state.broken = Some(format!("the browser stopped responding {} times", MAX_RELAUNCHES + 1));
            return false;
        }
        state.relaunches += 1;
        true
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        lock(&self.idle_tabs).clear();
        for launch in std::mem::take(&mut lock(&self.state).browsers) {
            launch.instance.shutdown();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::pdf::testing::{job, page, settings, tool};

    #[test]
    fn a_page_that_never_loads_times_out_twice_and_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let stuck = page(dir.path(), "stuck.html", "<h1>Stuck</h1><script>for (;;) {}</script>");
        let good = page(dir.path(), "fine.html", "<h1>Fine</h1>");
        let mut settings = settings(Paper::A4, 2);
        settings.deadline = Duration::from_secs(3);
        let printer = Printer::launch(&settings).unwrap();
        let started = Instant::now();
        let results = printer.print_all(&[job(stuck, "Stuck"), job(good.clone(), "Fine"), job(good, "Fine")]);
        assert!(matches!(results[0], Err(PdfError::Timeout { .. })), "{:?}", results[0]);
        assert!(results[1].is_ok() && results[2].is_ok(), "{results:?}");
        let took = started.elapsed();
        assert!(took >= Duration::from_secs(6) && took < Duration::from_secs(20), "took {took:?}");
    }

    #[test]
    fn missing_page_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let good = page(dir.path(), "good.html", "<h1>Good</h1>");
        let printer = Printer::launch(&settings(Paper::A4, 2)).unwrap();
        let results = printer.print_all(&[job(dir.path().join("missing.html"), "x"), job(good, "Good")]);
        assert!(matches!(results[0], Err(PdfError::Print { .. })));
        assert!(results[1].is_ok());
    }

    #[test]
    fn relaunches_a_browser_that_died() {
        let dir = tempfile::tempdir().unwrap();
        let html = page(dir.path(), "again.html", "<h1>Again</h1>");
        let printer = Printer::launch(&settings(Paper::A4, 1)).unwrap();
        assert!(printer.print_all(&[job(html.clone(), "Again")])[0].is_ok());
        let pid = printer.current(0).unwrap().instance.pid();
        browser::testing::crash(pid);
        std::thread::sleep(Duration::from_millis(200));
        let results = printer.print_all(&[job(html.clone(), "Again"), job(html, "Again")]);
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_ne!(printer.current(0).unwrap().instance.pid(), pid);
    }

    #[test]
    fn a_browser_killed_mid_batch_is_replaced_and_every_page_printed() {
        let dir = tempfile::tempdir().unwrap();
        let rows: String = (0..80).map(|i| format!("<p>Row {i}</p>")).collect();
        let html = page(dir.path(), "batch.html", &format!("<h1>Batch</h1>{rows}"));
        let printer = Printer::launch(&settings(Paper::A4, 2)).unwrap();
        let pid = printer.current(0).unwrap().instance.pid();
        let jobs: Vec<PdfJob> = (0..16).map(|_| job(html.clone(), "Batch")).collect();
        let killer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(600));
            browser::testing::crash(pid);
        });
        let results = printer.print_all(&jobs);
        killer.join().unwrap();
        let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(failed.is_empty(), "{failed:?}");
        assert_ne!(printer.current(0).unwrap().instance.pid(), pid, "the browser was not replaced");
        assert!(tool("pdftotext", &[], results.last().unwrap().as_ref().unwrap()).contains("Batch"));
    }

    #[test]
    fn drop_leaves_no_process_or_folder() {
        let dir = tempfile::tempdir().unwrap();
        let html = page(dir.path(), "drop.html", "<h1>Drop</h1>");
        let printer = Printer::launch(&settings(Paper::A4, 2)).unwrap();
        assert!(printer.print_all(&[job(html.clone(), "Drop"), job(html, "Drop")]).iter().all(Result::is_ok));
        let folder = printer.current(0).unwrap().instance.folder().unwrap();
        let count = || browser::testing::processes_naming(&folder);
        assert!(count() > 0, "the browser's processes are not found by their profile folder");
        drop(printer);
        assert_eq!(count(), 0, "browser processes left after drop");
        assert!(!folder.exists(), "temporary folder left after drop");
    }
}
